//! A distributed limiter: N instances that take requests in turn and share their counts every Δ. Between
//! syncs each instance decides on its own view — the shared state as of the last sync plus its own
//! admissions since — so together they can admit up to N times what one exact limiter would.
//!
//! Three maps per key, all `BTreeMap`s: `shared` (the state as of the last sync, what views start from),
//! `merged` (`shared` with every admission since recorded onto it as it happens) and one overlay per
//! instance (its view of the keys it has seen since the last sync). Calls come in time order, so recording
//! as they come is the merge "in time order, ties in instance order": two records of one key at the same
//! instant give the same state in either order. A sync copies the keys admitted to since into `shared` and
//! clears the overlays; it is done lazily, at the first decision at or after a sync time kΔ, which is exact
//! because every admission recorded was made before that sync time. Memory: a few states per key, whatever Δ.

use std::collections::{BTreeMap, BTreeSet};

use crate::components::rate_limiter::Decision;
use crate::components::rate_limiter::algorithm::{Rule, State};

/// What a limiter keys its state by: `(client, address)`, `(client, API key)`, or `(0, 0)` for all.
pub(crate) type Key = (u32, u32);

/// The instances and their shared store.
#[derive(Clone, Debug)]
pub(crate) struct Cluster {
    /// Δ [ns, ≥ 1]
    sync: u64,
    /// the next sync time kΔ
    next_sync: u64,
    /// the instance the next request goes to
    turn: u32,
    shared: BTreeMap<Key, State>,
    merged: BTreeMap<Key, State>,
    /// keys admitted to since the last sync
    dirty: BTreeSet<Key>,
    views: Vec<BTreeMap<Key, State>>,
}

impl Cluster {
    /// `instances` ≥ 2 instances syncing every `sync` ns ≥ 1.
    pub fn new(instances: u32, sync: u64) -> Cluster {
        Cluster {
            sync,
            next_sync: sync,
            turn: 0,
            shared: BTreeMap::new(),
            merged: BTreeMap::new(),
            dirty: BTreeSet::new(),
            views: vec![BTreeMap::new(); instances as usize],
        }
    }

    /// The decision of the instance whose turn it is for a request for `key` at `now`.
    pub fn decide(&mut self, rule: &Rule, now: u64, key: Key) -> Decision {
        if now >= self.next_sync {
            self.sync_now();
            self.next_sync = (now - now % self.sync).saturating_add(self.sync);
        }
        let i = self.turn as usize;
        self.turn = (self.turn + 1) % self.views.len() as u32;
        let (shared, merged) = (&mut self.shared, &mut self.merged);
        let view = self.views[i].entry(key).or_insert_with(|| {
            merged.entry(key).or_insert_with(|| rule.fresh());
            shared.entry(key).or_insert_with(|| rule.fresh()).clone()
        });
        let d = rule.decide(view, now);
        if d != Decision::Reject {
            let m = self
                .merged
                .get_mut(&key)
                .expect("merged holds every key seen");
            rule.record(m, now);
            self.dirty.insert(key);
        }
        d
    }

    /// Shares the admissions since the last sync: every instance's view becomes the merged state.
    fn sync_now(&mut self) {
        for key in std::mem::take(&mut self.dirty) {
            let m = self.merged[&key].clone();
            self.shared.insert(key, m);
        }
        for v in &mut self.views {
            v.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::rate_limiter::{Algorithm, LimiterParams};

    const MS: u64 = 1_000_000;

    #[test]
    fn views_see_the_others_only_after_a_sync() {
        let rule = Rule::new(&LimiterParams {
            algorithm: Algorithm::FixedWindow,
            limit: 1,
            window_ms: 10_000.0,
            ..LimiterParams::default()
        });
        let mut c = Cluster::new(2, 100 * MS);
        assert_eq!(c.decide(&rule, 0, (0, 0)), Decision::Admit);
        assert_eq!(
            c.decide(&rule, MS, (0, 0)),
            Decision::Admit,
            "instance 1 has not heard"
        );
        assert_eq!(
            c.decide(&rule, 2 * MS, (0, 0)),
            Decision::Reject,
            "instance 0's own count"
        );
        assert_eq!(c.shared[&(0, 0)], State::Fixed { idx: 0, count: 0 });
        assert_eq!(c.merged[&(0, 0)], State::Fixed { idx: 0, count: 2 });
        assert_eq!(c.turn, 1);
        // a sync at 100 ms, done lazily at 350 ms; the next one is due at 400 ms
        assert_eq!(c.decide(&rule, 350 * MS, (0, 0)), Decision::Reject);
        assert_eq!(c.shared[&(0, 0)], State::Fixed { idx: 0, count: 2 });
        assert_eq!(c.next_sync, 400 * MS);
        assert!(c.dirty.is_empty());
        // another key starts fresh on both instances
        assert_eq!(c.decide(&rule, 351 * MS, (0, 7)), Decision::Admit);
        assert_eq!(c.decide(&rule, 352 * MS, (0, 7)), Decision::Admit);
        assert_eq!(c.shared.len(), 2);
    }
}
