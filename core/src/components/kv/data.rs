//! The replicated store's data: every write is a *version* with a timestamp, a dot (the coordinator that
//! took it and that coordinator's write counter) and a version vector — what its coordinator's side of the
//! network knew when it was written. Each store node holds, per key, the versions it has of it:
//!
//! - a version that knows another **supersedes** it: the replica drops the older one (an ordinary overwrite);
//! - two versions neither of which knows the other are **concurrent** (written on opposite sides of a
//!   partition): a conflict. Last-writer-wins keeps the one with the later timestamp and discards the other —
//!   a *lost update* once that write was acknowledged; siblings keeps both until a write that knows them
//!   both replaces them.
//!
//! ```text
//!   side A: w1 ─ w2            (w2 knows w1: w1 superseded)
//!   side B:   w3               (w3 knows neither w1 nor w2)
//!   heal:  {w2, w3} meet ─ LWW: keep the later, the other is lost ─ siblings: keep both
//! ```

use std::collections::BTreeMap;

/// One write.
#[derive(Clone, Debug)]
pub(crate) struct Ver {
    /// when its write reached the coordinator [ns]: last-writer-wins compares `(ts, id)`
    pub ts: u64,
    /// the write's number in the store (unique, increasing): the tie-break of equal timestamps
    pub id: u64,
    /// the coordinator that took it, and its write counter there (the version's dot)
    pub node: u16,
    pub dot: u32,
    /// what its coordinator's side knew: per store node, the highest write counter seen from it
    pub ctx: Box<[u32]>,
    /// replicas, hints, deliveries and read answers holding it (set by [`Data::add`] and its holders)
    pub refs: u32,
    /// acknowledged to its caller
    pub acked: bool,
    /// found concurrent with another version (counted once)
    pub conflicted: bool,
    /// discarded by last-writer-wins at a replica
    pub beaten: bool,
    /// counted as a lost update (acknowledged and discarded)
    pub lost: bool,
}

impl Ver {
    /// Whether this version's writer knew `other`, so that it supersedes it.
    pub fn knows(&self, other: &Ver) -> bool {
        self.ctx
            .get(other.node as usize)
            .is_some_and(|&c| c >= other.dot)
    }

    /// The last-writer-wins order.
    pub fn order(&self) -> (u64, u64) {
        (self.ts, self.id)
    }
}

/// One key: the versions each store node holds, the newest acknowledged write, and hints pending for it.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyRec {
    /// (store node, version) pairs
    pub held: Vec<(u16, u32)>,
    /// `(ts, id)` of the newest acknowledged write, `(0, 0)` before any
    pub acked: (u64, u64),
    /// hints pending for this key
    pub hints: u32,
}

/// What applying versions at a replica found, for the counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    /// the replica's versions changed
    pub changed: bool,
    /// versions newly found concurrent with another
    pub conflicts: u64,
    /// acknowledged versions newly discarded by last-writer-wins
    pub lost: u64,
}

/// Every version and every key.
#[derive(Debug, Default)]
pub(crate) struct Data {
    vers: Vec<Ver>,
    free: Vec<u32>,
    pub keys: BTreeMap<u64, KeyRec>,
    /// keep concurrent versions as siblings instead of last-writer-wins
    pub siblings: bool,
}

impl Data {
    /// An empty store resolving conflicts by last-writer-wins or, with `siblings`, keeping them.
    pub fn new(siblings: bool) -> Data {
        Data {
            siblings,
            ..Data::default()
        }
    }

    /// Adds a version nothing holds yet.
    pub fn add(&mut self, mut v: Ver) -> u32 {
        v.refs = 0;
        match self.free.pop() {
            Some(i) => {
                self.vers[i as usize] = v;
                i
            }
            None => {
                self.vers.push(v);
                self.vers.len() as u32 - 1
            }
        }
    }

    /// A version.
    pub fn ver(&self, v: u32) -> &Ver {
        &self.vers[v as usize]
    }

    /// One more holder of `v`.
    pub fn hold(&mut self, v: u32) {
        self.vers[v as usize].refs += 1;
    }

    /// One holder fewer; the version goes when nothing holds it.
    pub fn release(&mut self, v: u32) {
        let x = &mut self.vers[v as usize];
        x.refs -= 1;
        if x.refs == 0 {
            x.ctx = Box::new([]);
            self.free.push(v);
        }
    }

    /// Versions held: live ones (for tests).
    #[cfg(test)]
    pub fn live(&self) -> usize {
        self.vers.len() - self.free.len()
    }

    /// The versions node `n` holds of `key`.
    pub fn at(&self, key: u64, n: u16) -> Vec<u32> {
        self.keys.get(&key).map_or_else(Vec::new, |r| {
            r.held
                .iter()
                .filter(|(m, _)| *m == n)
                .map(|&(_, v)| v)
                .collect()
        })
    }

    /// Whether the nodes `homes` all hold the same versions of `key`.
    pub fn in_step(&self, key: u64, homes: &[u16]) -> bool {
        let Some(r) = self.keys.get(&key) else {
            return true;
        };
        let set = |n: u16| {
            let mut s: Vec<u32> = r
                .held
                .iter()
                .filter(|(m, _)| *m == n)
                .map(|&(_, v)| v)
                .collect();
            s.sort_unstable();
            s
        };
        let first = set(homes[0]);
        homes[1..].iter().all(|&h| set(h) == first)
    }

    /// Merges version `v` into the set `into` the way a replica would, without counting (a coordinator
    /// combining read answers): drops what `v` supersedes, skips `v` if something in `into` supersedes it,
    /// and between concurrent versions keeps both (siblings) or the later (last-writer-wins).
    pub fn merge(&self, into: &mut Vec<u32>, v: u32) {
        if into.contains(&v) {
            return;
        }
        let x = self.ver(v);
        if into
            .iter()
            .any(|&h| self.ver(h).knows(x) && !x.knows(self.ver(h)))
        {
            return;
        }
        into.retain(|&h| !x.knows(self.ver(h)));
        if !self.siblings
            && let Some(&h) = into.first()
        {
            if self.ver(h).order() > x.order() {
                return;
            }
            into.clear();
        }
        into.push(v);
    }

    /// Node `n` receives version `v` of `key`. `counting`: the measurement window is open.
    pub fn apply(&mut self, key: u64, n: u16, v: u32, counting: bool) -> Applied {
        let mut out = Applied::default();
        let rec = self.keys.entry(key).or_default();
        if rec.held.contains(&(n, v)) {
            return out;
        }
        let mine: Vec<u32> = rec
            .held
            .iter()
            .filter(|(m, _)| *m == n)
            .map(|&(_, x)| x)
            .collect();
        let vers = &self.vers;
        let x = &vers[v as usize];
        // Something here already supersedes it (an old copy arriving late): nothing changes.
        if mine.iter().any(|&h| vers[h as usize].knows(x)) {
            return out;
        }
        let superseded: Vec<u32> = mine
            .iter()
            .copied()
            .filter(|&h| x.knows(&vers[h as usize]))
            .collect();
        let concurrent: Vec<u32> = mine
            .iter()
            .copied()
            .filter(|h| !superseded.contains(h))
            .collect();
        let mut keep_new = true;
        let mut beaten = Vec::new();
        if !concurrent.is_empty() {
            for &c in concurrent.iter().chain([v].iter()) {
                let y = &mut self.vers[c as usize];
                if !y.conflicted {
                    y.conflicted = true;
                    out.conflicts += u64::from(counting);
                }
            }
            if !self.siblings {
                // Last writer wins: at most one version per replica, so `concurrent` is the one held.
                let held = concurrent[0];
                if self.vers[held as usize].order() > self.vers[v as usize].order() {
                    keep_new = false;
                    beaten.push(v);
                } else {
                    beaten.push(held);
                }
            }
        }
        let rec = self.keys.entry(key).or_default();
        let gone: Vec<u32> = superseded
            .iter()
            .copied()
            .chain(beaten.iter().copied().filter(|&b| b != v))
            .collect();
        rec.held.retain(|&(m, h)| m != n || !gone.contains(&h));
        if keep_new {
            rec.held.push((n, v));
        }
        for &b in &beaten {
            let y = &mut self.vers[b as usize];
            y.beaten = true;
            if y.acked && !y.lost {
                y.lost = true;
                out.lost += u64::from(counting);
            }
        }
        for g in gone {
            self.release(g);
        }
        if keep_new {
            self.hold(v);
        }
        out.changed = keep_new || !superseded.is_empty();
        out
    }

    /// Node `n` drops version `v` of `key` (a stand-in after handing it off).
    pub fn drop_at(&mut self, key: u64, n: u16, v: u32) {
        let Some(rec) = self.keys.get_mut(&key) else {
            return;
        };
        let before = rec.held.len();
        rec.held.retain(|&x| x != (n, v));
        if rec.held.len() != before {
            self.release(v);
        }
    }

    /// Write `v` of `key` is acknowledged: the key's newest acknowledged write moves up to it. Returns
    /// whether it counts as a lost update now (it was already discarded somewhere).
    pub fn ack(&mut self, key: u64, v: u32) -> bool {
        let x = &mut self.vers[v as usize];
        x.acked = true;
        let order = x.order();
        let lost = x.beaten && !x.lost;
        x.lost |= lost;
        let rec = self.keys.entry(key).or_default();
        rec.acked = rec.acked.max(order);
        lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version by node `node` with counter `dot`, knowing `ctx` (per node).
    fn ver(ts: u64, node: u16, dot: u32, ctx: &[u32]) -> Ver {
        Ver {
            ts,
            id: ts,
            node,
            dot,
            ctx: ctx.into(),
            refs: 0,
            acked: true,
            conflicted: false,
            beaten: false,
            lost: false,
        }
    }

    #[test]
    fn a_write_that_knows_the_held_one_replaces_it_and_an_old_copy_changes_nothing() {
        let mut d = Data::new(false);
        let v1 = d.add(ver(1, 0, 1, &[1, 0]));
        let v2 = d.add(ver(2, 1, 1, &[1, 1]));
        assert!(d.apply(7, 0, v1, true).changed);
        let a = d.apply(7, 0, v2, true);
        assert_eq!((a.changed, a.conflicts, a.lost), (true, 0, 0));
        assert_eq!(d.at(7, 0), [v2]);
        assert!(!d.apply(7, 0, v1, true).changed, "v1 arrives late");
        assert_eq!(d.at(7, 0), [v2]);
        assert_eq!(d.live(), 1, "v1 is held by nothing and goes");
    }

    #[test]
    fn concurrent_writes_lose_the_earlier_under_lww_and_stay_as_siblings_otherwise() {
        for siblings in [false, true] {
            let mut d = Data::new(siblings);
            let a = d.add(ver(5, 0, 1, &[1, 0]));
            let b = d.add(ver(7, 1, 1, &[0, 1]));
            d.apply(3, 0, a, true);
            let got = d.apply(3, 0, b, true);
            assert_eq!(got.conflicts, 2, "both writes found concurrent");
            if siblings {
                assert_eq!((got.lost, d.at(3, 0)), (0, vec![a, b]));
                // A write knowing both replaces them.
                let c = d.add(ver(9, 0, 2, &[2, 1]));
                d.apply(3, 0, c, true);
                assert_eq!(d.at(3, 0), [c]);
            } else {
                assert_eq!((got.lost, d.at(3, 0)), (1, vec![b]), "the later write wins");
                // The earlier arriving second loses too, and is not counted twice.
                d.apply(3, 1, b, true);
                let again = d.apply(3, 1, a, true);
                assert_eq!((again.lost, d.at(3, 1)), (0, vec![b]));
            }
        }
    }

    #[test]
    fn merging_read_answers_keeps_the_newest_or_the_siblings() {
        let mut d = Data::new(false);
        let old = d.add(ver(1, 0, 1, &[1, 0]));
        let new = d.add(ver(2, 0, 2, &[2, 0]));
        let other = d.add(ver(3, 1, 1, &[0, 1]));
        let mut set = Vec::new();
        for v in [new, old, other] {
            d.merge(&mut set, v);
        }
        assert_eq!(set, [other], "LWW: the later of two concurrent versions");
        d.siblings = true;
        let mut set = Vec::new();
        for v in [old, other, new] {
            d.merge(&mut set, v);
        }
        assert_eq!(set, [other, new]);
    }

    #[test]
    fn an_ack_after_the_discard_counts_the_lost_update_once() {
        let mut d = Data::new(false);
        let mut a = ver(5, 0, 1, &[1, 0]);
        a.acked = false;
        let a = d.add(a);
        let b = d.add(ver(7, 1, 1, &[0, 1]));
        d.apply(3, 0, a, true);
        assert_eq!(d.apply(3, 0, b, true).lost, 0, "not acknowledged yet");
        assert!(d.ack(3, a));
        assert!(!d.ack(3, a));
        assert_eq!(d.keys[&3].acked, (5, 5));
    }

    #[test]
    fn in_step_compares_the_home_replicas() {
        let mut d = Data::new(false);
        let v = d.add(ver(1, 0, 1, &[1, 0, 0]));
        d.apply(1, 0, v, true);
        assert!(!d.in_step(1, &[0, 1]));
        d.apply(1, 1, v, true);
        assert!(d.in_step(1, &[0, 1]));
        assert!(!d.in_step(1, &[0, 1, 2]));
        assert!(d.in_step(99, &[0, 1]), "a key never written is in step");
    }
}
