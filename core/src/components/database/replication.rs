//! Replication bookkeeping. Each committed write is stamped with its time and the instance that took it.
//! With asynchronous replication an instance applies another instance's write `lag` later, so:
//!
//! - a read at instance `i` of key `k` is **stale** when the last write to `k` was taken by another instance
//!   less than `lag` ago (the value `i` returns is older than the last write);
//! - with several primaries, a write to `k` at `i` **conflicts** when another instance took a write to `k`
//!   less than `lag` ago (neither had seen the other's);
//! - when a primary fails, the writes it committed in the last `lag` had reached no replica: they are
//!   **lost** when a replica is promoted.
//!
//! With synchronous replication a write is acknowledged only once the replicas have it, so the window is
//! zero: no stale reads, no lost writes.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::time::SimTime;

/// How writes reach the replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Replication {
    /// the primary acknowledges at once; replicas apply the write `lag_ms` later
    Async,
    /// the primary acknowledges only after the replicas have the write (the write waits `lag_ms` more)
    Sync,
}

/// The last writes per key and the recent commits of each instance.
#[derive(Clone, Debug, Default)]
pub struct Log {
    /// the window in which another instance's write is not yet visible (zero for synchronous replication)
    window: SimTime,
    /// per key: when the last write committed and at which instance
    last: BTreeMap<u64, (SimTime, u32)>,
    /// per instance: commit times within the last `window` (for lost-write accounting)
    recent: BTreeMap<u32, VecDeque<SimTime>>,
}

impl Log {
    /// A log for replication lag `window` (pass zero for synchronous replication).
    pub fn new(window: SimTime) -> Log {
        Log {
            window,
            ..Log::default()
        }
    }

    /// Whether a read of `key` at `instance` at `now` returns a value older than the last write.
    pub fn is_stale(&self, key: u64, instance: u32, now: SimTime) -> bool {
        self.last
            .get(&key)
            .is_some_and(|&(t, at)| at != instance && now < t.add(self.window))
    }

    /// Records a write of `key` committed at `instance`; returns whether it conflicts with another
    /// instance's write not yet replicated here.
    pub fn commit(&mut self, key: u64, instance: u32, now: SimTime) -> bool {
        let conflict = self.is_stale(key, instance, now);
        self.last.insert(key, (now, instance));
        if self.window > SimTime::ZERO {
            let q = self.recent.entry(instance).or_default();
            q.push_back(now);
            while q.front().is_some_and(|&t| t.add(self.window) <= now) {
                q.pop_front();
            }
        }
        conflict
    }

    /// `instance` fails at `now`: the number of its writes no other instance has yet, and when the oldest of
    /// them was committed.
    pub fn unreplicated(&mut self, instance: u32, now: SimTime) -> (u64, Option<SimTime>) {
        let Some(q) = self.recent.get_mut(&instance) else {
            return (0, None);
        };
        while q.front().is_some_and(|&t| t.add(self.window) <= now) {
            q.pop_front();
        }
        let n = q.len() as u64;
        let oldest = q.front().copied();
        q.clear();
        (n, oldest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_inside_the_lag_is_stale_and_after_it_fresh() {
        let mut log = Log::new(SimTime::from_ms(10.0));
        log.commit(7, 0, SimTime::from_ms(100.0));
        assert!(log.is_stale(7, 1, SimTime::from_ms(109.0)));
        assert!(!log.is_stale(7, 1, SimTime::from_ms(110.0)));
        assert!(
            !log.is_stale(7, 0, SimTime::from_ms(101.0)),
            "the primary reads its own write"
        );
        assert!(!log.is_stale(8, 1, SimTime::from_ms(101.0)));
    }

    #[test]
    fn concurrent_writes_at_two_primaries_conflict() {
        let mut log = Log::new(SimTime::from_ms(10.0));
        assert!(!log.commit(1, 0, SimTime::from_ms(0.0)));
        assert!(log.commit(1, 1, SimTime::from_ms(5.0)));
        assert!(
            !log.commit(1, 1, SimTime::from_ms(6.0)),
            "the same primary saw its own"
        );
        assert!(!log.commit(1, 0, SimTime::from_ms(20.0)));
    }

    #[test]
    fn a_failing_primary_loses_the_writes_of_the_last_lag() {
        let mut log = Log::new(SimTime::from_ms(10.0));
        for ms in [0.0, 5.0, 12.0, 18.0] {
            log.commit(ms as u64, 0, SimTime::from_ms(ms));
        }
        // The writes at 12 and 18 ms; the oldest committed at 12 ms.
        assert_eq!(
            log.unreplicated(0, SimTime::from_ms(20.0)),
            (2, Some(SimTime::from_ms(12.0)))
        );
        let mut sync = Log::new(SimTime::ZERO);
        sync.commit(1, 0, SimTime::from_ms(1.0));
        assert_eq!(sync.unreplicated(0, SimTime::from_ms(1.0)), (0, None));
    }
}
