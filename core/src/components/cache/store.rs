//! The cache's key store: at most `capacity` entries, each with an expiry time, evicted by LRU, LFU, FIFO or
//! random replacement. Entries live densely in a `Vec` (removal swaps the last entry into the hole, so a
//! random victim is one index draw); LRU and FIFO order them in an intrusive doubly linked list threaded
//! through that `Vec`; LFU keeps an ordered set of `(requests, last use, key)`. The key index is a `BTreeMap`,
//! used for lookup only and never iterated, so nothing depends on hash order. Every operation is O(log n).
//!
//! ```text
//!   head (newest / most recently used) ⇄ … ⇄ tail (oldest / least recently used) ── evicted first
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::rng::SimRng;
use crate::time::SimTime;

const NIL: u32 = u32::MAX;

/// Which entry leaves when a full cache takes a new key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eviction {
    /// least recently used
    #[default]
    Lru,
    /// least frequently used: the key with the fewest requests since the start (every request counts, cached
    /// or not, so the cache converges on the most popular keys), the least recently used among equals
    Lfu,
    /// first in, first out: the oldest insertion, whatever its use
    Fifo,
    /// a uniformly random entry
    Random,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    key: u64,
    expires: SimTime,
    /// the version of the value held (see `Cache`)
    version: u64,
    prev: u32,
    next: u32,
    /// LFU: requests counted when last used, and the use's sequence number
    count: u64,
    seq: u64,
}

/// What a lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// a live entry: its value's version and expiry time
    Hit { version: u64, expires: SimTime },
    /// no entry
    Miss,
    /// an entry whose TTL had run out; it is removed
    Expired,
}

/// What an insertion displaced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Displaced {
    /// live entries evicted for room
    pub evicted: u32,
    /// expired entries removed for room
    pub expired: u32,
}

/// The entries and their replacement order.
pub(crate) struct Store {
    capacity: Option<u32>,
    policy: Eviction,
    map: BTreeMap<u64, u32>,
    entries: Vec<Entry>,
    head: u32,
    tail: u32,
    /// LFU: requests per key since the start, cached or not
    counts: BTreeMap<u64, u64>,
    /// LFU: in-cache entries by `(count, seq, key)`; the first is the victim
    order: BTreeSet<(u64, u64, u64)>,
    seq: u64,
}

impl Store {
    /// An empty store; `capacity` `None` = unlimited.
    pub fn new(capacity: Option<u32>, policy: Eviction) -> Store {
        Store {
            capacity,
            policy,
            map: BTreeMap::new(),
            entries: Vec::new(),
            head: NIL,
            tail: NIL,
            counts: BTreeMap::new(),
            order: BTreeSet::new(),
            seq: 0,
        }
    }

    /// Entries held.
    pub fn len(&self) -> u32 {
        self.entries.len() as u32
    }

    fn uses_list(&self) -> bool {
        matches!(self.policy, Eviction::Lru | Eviction::Fifo)
    }

    fn unlink(&mut self, i: u32) {
        let Entry { prev, next, .. } = self.entries[i as usize];
        if prev == NIL {
            self.head = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.entries[next as usize].prev = prev;
        }
    }

    fn push_front(&mut self, i: u32) {
        let old = self.head;
        let e = &mut self.entries[i as usize];
        e.prev = NIL;
        e.next = old;
        if old == NIL {
            self.tail = i;
        } else {
            self.entries[old as usize].prev = i;
        }
        self.head = i;
    }

    /// Counts one request for `key` (LFU bookkeeping; the other policies ignore it).
    pub fn count_request(&mut self, key: u64) {
        if self.policy == Eviction::Lfu {
            *self.counts.entry(key).or_insert(0) += 1;
        }
    }

    /// Looks `key` up at `now`; a hit counts as a use (LRU moves it to the front, LFU re-ranks it).
    pub fn get(&mut self, key: u64, now: SimTime) -> Lookup {
        let Some(&i) = self.map.get(&key) else {
            return Lookup::Miss;
        };
        let e = self.entries[i as usize];
        if now >= e.expires {
            self.remove_at(i);
            return Lookup::Expired;
        }
        match self.policy {
            Eviction::Lru => {
                self.unlink(i);
                self.push_front(i);
            }
            Eviction::Lfu => {
                let count = self.counts.get(&key).copied().unwrap_or(e.count);
                self.order.remove(&(e.count, e.seq, key));
                self.seq += 1;
                self.order.insert((count, self.seq, key));
                let m = &mut self.entries[i as usize];
                m.count = count;
                m.seq = self.seq;
            }
            Eviction::Fifo | Eviction::Random => {}
        }
        Lookup::Hit {
            version: e.version,
            expires: e.expires,
        }
    }

    /// The entry for `key` without counting a use, if it is live at `now`: `(version, expires)`.
    pub fn peek(&self, key: u64, now: SimTime) -> Option<(u64, SimTime)> {
        let &i = self.map.get(&key)?;
        let e = &self.entries[i as usize];
        (now < e.expires).then_some((e.version, e.expires))
    }

    /// Removes `key` if present; returns whether it was.
    pub fn remove(&mut self, key: u64) -> bool {
        match self.map.get(&key) {
            Some(&i) => {
                self.remove_at(i);
                true
            }
            None => false,
        }
    }

    fn remove_at(&mut self, i: u32) {
        let e = self.entries[i as usize];
        if self.uses_list() {
            self.unlink(i);
        }
        if self.policy == Eviction::Lfu {
            self.order.remove(&(e.count, e.seq, e.key));
        }
        self.map.remove(&e.key);
        let last = self.entries.len() as u32 - 1;
        if i != last {
            // Move the last entry into the hole and repoint whatever referred to it.
            let moved = self.entries[last as usize];
            self.entries[i as usize] = moved;
            self.map.insert(moved.key, i);
            if self.uses_list() {
                if moved.prev == NIL {
                    self.head = i;
                } else {
                    self.entries[moved.prev as usize].next = i;
                }
                if moved.next == NIL {
                    self.tail = i;
                } else {
                    self.entries[moved.next as usize].prev = i;
                }
            }
        }
        self.entries.pop();
    }

    /// The index of the entry to evict.
    fn victim(&self, rng: &mut SimRng) -> u32 {
        match self.policy {
            Eviction::Lru | Eviction::Fifo => self.tail,
            Eviction::Lfu => {
                let &(_, _, key) = self.order.first().expect("a full cache has entries");
                self.map[&key]
            }
            Eviction::Random => rng.below(self.entries.len() as u64) as u32,
        }
    }

    /// Stores `key` (replacing an entry for it) with value `version`, live until `expires`, evicting as
    /// needed. A store of capacity 0 keeps nothing.
    pub fn insert(
        &mut self,
        key: u64,
        version: u64,
        expires: SimTime,
        now: SimTime,
        rng: &mut SimRng,
    ) -> Displaced {
        let mut d = Displaced::default();
        if let Some(&i) = self.map.get(&key) {
            // An update keeps the entry's place in FIFO order and counts as a use in LRU.
            let e = &mut self.entries[i as usize];
            e.version = version;
            e.expires = expires;
            if self.policy == Eviction::Lru {
                self.unlink(i);
                self.push_front(i);
            }
            return d;
        }
        if self.capacity == Some(0) {
            return d;
        }
        while self
            .capacity
            .is_some_and(|c| self.entries.len() as u32 >= c)
        {
            let v = self.victim(rng);
            if now >= self.entries[v as usize].expires {
                d.expired += 1;
            } else {
                d.evicted += 1;
            }
            self.remove_at(v);
        }
        let i = self.entries.len() as u32;
        self.seq += 1;
        let count = self.counts.get(&key).copied().unwrap_or(0);
        self.entries.push(Entry {
            key,
            expires,
            version,
            prev: NIL,
            next: NIL,
            count,
            seq: self.seq,
        });
        self.map.insert(key, i);
        match self.policy {
            Eviction::Lru | Eviction::Fifo => self.push_front(i),
            Eviction::Lfu => {
                self.order.insert((count, self.seq, key));
            }
            Eviction::Random => {}
        }
        d
    }

    /// Empties the store (a crash); LFU's request counts are kept, they model the workload, not memory.
    pub fn clear(&mut self) {
        self.map.clear();
        self.entries.clear();
        self.order.clear();
        self.head = NIL;
        self.tail = NIL;
    }

    /// Checks the internal links (tests).
    #[cfg(test)]
    fn check(&self) {
        assert_eq!(self.map.len(), self.entries.len());
        for (i, e) in self.entries.iter().enumerate() {
            assert_eq!(self.map[&e.key], i as u32);
        }
        if self.uses_list() {
            let mut n = 0;
            let mut i = self.head;
            let mut prev = NIL;
            while i != NIL {
                assert_eq!(self.entries[i as usize].prev, prev);
                prev = i;
                i = self.entries[i as usize].next;
                n += 1;
            }
            assert_eq!(prev, self.tail);
            assert_eq!(n, self.entries.len());
        }
        if self.policy == Eviction::Lfu {
            assert_eq!(self.order.len(), self.entries.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEVER: SimTime = SimTime::MAX;

    fn keys_after(policy: Eviction, ops: &[(char, u64)]) -> Vec<u64> {
        let mut s = Store::new(Some(3), policy);
        let mut rng = SimRng::new(3);
        for &(op, k) in ops {
            s.count_request(k);
            match op {
                'g' => {
                    if s.get(k, SimTime::ZERO) == Lookup::Miss {
                        s.insert(k, 0, NEVER, SimTime::ZERO, &mut rng);
                    }
                }
                _ => unreachable!("test ops are gets"),
            }
            s.check();
        }
        let mut keys: Vec<u64> = s.entries.iter().map(|e| e.key).collect();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn each_policy_evicts_its_victim() {
        // 1 2 3 fill; 1 is used again; 4 needs room.
        let ops = [('g', 1), ('g', 2), ('g', 3), ('g', 1), ('g', 4)];
        assert_eq!(keys_after(Eviction::Lru, &ops), [1, 3, 4], "lru evicts 2");
        assert_eq!(keys_after(Eviction::Fifo, &ops), [2, 3, 4], "fifo evicts 1");
        // LFU: 1 has two requests, 2 and 3 one each; 2 is the older of those.
        assert_eq!(keys_after(Eviction::Lfu, &ops), [1, 3, 4], "lfu evicts 2");
        let r = keys_after(Eviction::Random, &ops);
        assert_eq!(r.len(), 3);
        assert!(r.contains(&4));
    }

    #[test]
    fn expired_entries_miss_and_make_room_as_expirations() {
        let mut s = Store::new(Some(2), Eviction::Lru);
        let mut rng = SimRng::new(1);
        s.insert(1, 7, SimTime(10), SimTime(0), &mut rng);
        assert_eq!(
            s.get(1, SimTime(9)),
            Lookup::Hit {
                version: 7,
                expires: SimTime(10)
            }
        );
        assert_eq!(s.get(1, SimTime(10)), Lookup::Expired);
        assert_eq!(s.get(1, SimTime(11)), Lookup::Miss);
        s.insert(2, 0, SimTime(10), SimTime(0), &mut rng);
        s.insert(3, 0, NEVER, SimTime(0), &mut rng);
        let d = s.insert(4, 0, NEVER, SimTime(20), &mut rng);
        assert_eq!(
            d,
            Displaced {
                evicted: 0,
                expired: 1
            }
        );
        s.check();
    }

    #[test]
    fn swap_removal_keeps_links_consistent_under_churn() {
        for policy in [
            Eviction::Lru,
            Eviction::Lfu,
            Eviction::Fifo,
            Eviction::Random,
        ] {
            let mut s = Store::new(Some(50), policy);
            let mut rng = SimRng::new(9);
            for step in 0..5_000u64 {
                let k = rng.below(200);
                s.count_request(k);
                if step % 7 == 0 {
                    s.remove(k);
                } else if s.get(k, SimTime(step)) != (Lookup::Miss) {
                    continue;
                } else {
                    s.insert(k, step, SimTime(step + 300), SimTime(step), &mut rng);
                }
                assert!(s.len() <= 50);
            }
            s.check();
        }
    }
}
