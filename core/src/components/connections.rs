//! TLS connections kept alive per client address: where TLS terminates (an API gateway at the edge, or a
//! server that terminates it itself), a request whose client address has no open connection pays a full
//! handshake, and a connection idle for `keepalive` closes. One tracker, shared by every kind that terminates
//! TLS. A client's own connections (its pool per user and host, the handshakes' round trips) are in `pool`.

pub mod pool;

use std::collections::BTreeMap;

use crate::time::SimTime;

/// Connections tracked before the closed ones are swept out for the first time.
const MIN_SWEEP: usize = 64;

/// Open connections: (client node, client address) → last use.
#[derive(Clone, Debug)]
pub(crate) struct Connections {
    last_use: BTreeMap<(u32, u32), SimTime>,
    keepalive: SimTime,
    sweep_at: usize,
}

impl Connections {
    /// No connection open; each closes after `keepalive` idle.
    pub(crate) fn new(keepalive: SimTime) -> Connections {
        Connections {
            last_use: BTreeMap::new(),
            keepalive,
            sweep_at: MIN_SWEEP,
        }
    }

    /// Whether `conn` has a connection open at `now` (used less than the keep-alive ago).
    pub(crate) fn is_open(&self, conn: (u32, u32), now: SimTime) -> bool {
        self.last_use
            .get(&conn)
            .is_some_and(|&last| now.since(last) < self.keepalive)
    }

    /// `conn` is used at `now` (opened if it was closed).
    pub(crate) fn touch(&mut self, conn: (u32, u32), now: SimTime) {
        self.last_use.insert(conn, now);
        self.sweep(now);
    }

    /// Forgets closed connections once the map has doubled since the last sweep (amortised O(log n)).
    fn sweep(&mut self, now: SimTime) {
        if self.last_use.len() >= self.sweep_at {
            let keepalive = self.keepalive;
            self.last_use
                .retain(|_, &mut last| now.since(last) < keepalive);
            self.sweep_at = (2 * self.last_use.len()).max(MIN_SWEEP);
        }
    }

    /// Every connection closes (the node crashed).
    pub(crate) fn clear(&mut self) {
        self.last_use.clear();
        self.sweep_at = MIN_SWEEP;
    }

    /// Connections open at `now`.
    pub(crate) fn open_at(&self, now: SimTime) -> u64 {
        self.last_use
            .values()
            .filter(|&&last| now.since(last) < self.keepalive)
            .count() as u64
    }

    /// Connections the map holds, open or not yet swept.
    #[cfg(test)]
    pub(crate) fn tracked(&self) -> usize {
        self.last_use.len()
    }
}
