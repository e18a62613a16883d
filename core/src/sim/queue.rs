//! The pending events: a 4-ary min-heap for future events and a FIFO for events due at the current instant
//! (a zero-latency hop, a response handed straight back, a call refused at once). Keys `(time << 64) |
//! sequence` are unique, and everything in the FIFO is due now with a sequence higher than any before it, so
//! the FIFO is sorted; taking the smaller key of the heap's top and the FIFO's front pops exactly the order
//! one heap of every event would.
//!
//! ```text
//!   schedule(at == now) ──> FIFO  ─┐
//!   schedule(at >  now) ──> heap  ─┴─> pop: the smaller key of the two
//!   a fault (low sequence) ──> heap, always
//! ```

use super::Event;

/// Children per node of the heap: half the levels of a binary heap, and the four keys read side by side.
const ARITY: usize = 4;

/// A min-heap of events by key.
#[derive(Default)]
pub(super) struct Heap {
    v: Vec<Event>,
}

impl Heap {
    /// Out of line: the callers inline [`Pending::push`], whose FIFO side is a vector push.
    #[inline(never)]
    pub fn push(&mut self, e: Event) {
        let mut i = self.v.len();
        self.v.push(e);
        while i > 0 {
            let p = (i - 1) / ARITY;
            if self.v[p].key <= e.key {
                break;
            }
            self.v[i] = self.v[p];
            i = p;
        }
        self.v[i] = e;
    }

    #[cfg(test)]
    pub fn peek_key(&self) -> Option<u128> {
        self.v.first().map(|e| e.key)
    }

    #[inline]
    pub fn pop(&mut self) -> Option<Event> {
        let last = self.v.pop()?;
        let Some(&top) = self.v.first() else {
            return Some(last);
        };
        let v = &mut self.v[..];
        let n = v.len();
        let mut i = 0;
        loop {
            let c = ARITY * i + 1;
            if let Some(kids) = v.get(c..c + ARITY) {
                // Four children: the smallest in three comparisons.
                let (k0, k1, k2, k3) = (kids[0].key, kids[1].key, kids[2].key, kids[3].key);
                let (a, ka) = if k1 < k0 { (1, k1) } else { (0, k0) };
                let (b, kb) = if k3 < k2 { (3, k3) } else { (2, k2) };
                let (m, km) = if kb < ka { (b, kb) } else { (a, ka) };
                if km >= last.key {
                    break;
                }
                let e = kids[m];
                v[i] = e;
                i = c + m;
            } else {
                // One to three children, which are leaves.
                if c < n {
                    let mut m = c;
                    for j in c + 1..n {
                        if v[j].key < v[m].key {
                            m = j;
                        }
                    }
                    if v[m].key < last.key {
                        v[i] = v[m];
                        i = m;
                    }
                }
                break;
            }
        }
        v[i] = last;
        Some(top)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.v.len()
    }

    pub fn capacity(&self) -> usize {
        self.v.capacity()
    }
}

/// The heap and the FIFO of events due now (a vector read from `head`, emptied whenever it is read to the
/// end, which happens at least every time the clock moves).
#[derive(Default)]
pub(super) struct Pending {
    heap: Heap,
    now: Vec<Event>,
    head: usize,
}

impl Pending {
    /// Queues `e`; `due_now`: its time is the clock's and its sequence higher than every queued one's.
    #[inline(always)]
    pub fn push(&mut self, e: Event, due_now: bool) {
        if due_now {
            self.now.push(e);
        } else {
            self.heap.push(e);
        }
    }

    /// The smallest key queued.
    #[cfg(test)]
    pub fn peek_key(&self) -> Option<u128> {
        let h = self.heap.peek_key();
        match self.now.get(self.head) {
            Some(f) => Some(h.map_or(f.key, |h| h.min(f.key))),
            None => h,
        }
    }

    /// Takes the event with the smallest key.
    #[cfg(test)]
    pub fn pop(&mut self) -> Option<Event> {
        let key = self.next_key();
        (key != u128::MAX).then(|| self.pop_next(key))
    }

    /// The smallest key queued, `u128::MAX` when nothing is (no event has that key: its sequence would be
    /// `u64::MAX`).
    #[inline]
    pub fn next_key(&self) -> u128 {
        let h = self.heap.v.first().map_or(u128::MAX, |e| e.key);
        let f = self.now.get(self.head).map_or(u128::MAX, |e| e.key);
        h.min(f)
    }

    /// Takes the event with key `key`, the smallest queued ([`Pending::next_key`], just read): the FIFO's
    /// front when it has that key, else the heap's top.
    #[inline]
    pub fn pop_next(&mut self, key: u128) -> Event {
        if let Some(&f) = self.now.get(self.head)
            && f.key == key
        {
            self.head += 1;
            if self.head == self.now.len() {
                self.now.clear();
                self.head = 0;
            }
            return f;
        }
        self.heap.pop().expect("the smallest key is the heap's")
    }

    /// Events queued.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.heap.len() + self.now.len() - self.head
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        (self.heap.capacity() + self.now.capacity()) * std::mem::size_of::<Event>()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Ev;
    use super::*;

    fn ev(time: u64, seq: u64) -> Event {
        Event {
            key: (u128::from(time) << 64) | u128::from(seq),
            ev: Ev::Tick,
        }
    }

    /// Against a model (an ordered set of every key queued, which is what one heap of unique keys pops):
    /// random times, some due "now" (pushed to the FIFO at the clock), interleaved pushes and pops, and
    /// low-sequence faults at the clock, which go to the heap.
    #[test]
    fn pops_the_smallest_key_whichever_side_holds_it() {
        let mut rng = crate::rng::SimRng::new(3);
        let mut q = Pending::default();
        let mut model = std::collections::BTreeSet::new();
        let (mut now, mut seq, mut fault) = (0u64, 1u64 << 32, 0u64);
        let mut pops = 0;
        for round in 0..20_000 {
            for _ in 0..rng.below(4) {
                let due_now = rng.chance(0.4);
                let at = if due_now {
                    now
                } else {
                    now + 1 + rng.below(50)
                };
                let e = ev(at, seq);
                seq += 1;
                model.insert(e.key);
                q.push(e, due_now);
            }
            if round % 997 == 0 {
                let e = ev(now, fault);
                fault += 1;
                model.insert(e.key);
                q.push(e, false);
            }
            assert_eq!(q.next_key(), model.first().copied().unwrap_or(u128::MAX));
            if !model.is_empty() && rng.chance(0.3) {
                // The engine's way: the smallest key, then the event with it.
                let k = q.next_key();
                assert_eq!(q.pop_next(k).key, k);
                assert_eq!(model.pop_first(), Some(k));
                now = (k >> 64) as u64;
                pops += 1;
            } else if rng.chance(0.6) || round >= 19_000 {
                let got = q.pop().map(|e| e.key);
                assert_eq!(got, model.pop_first(), "pop {pops}");
                assert_eq!(q.peek_key(), model.first().copied());
                if let Some(k) = got {
                    now = (k >> 64) as u64;
                    pops += 1;
                }
            }
        }
        while let Some(e) = q.pop() {
            assert_eq!(Some(e.key), model.pop_first());
        }
        assert!(model.is_empty() && q.len() == 0 && pops > 10_000);
    }
}
