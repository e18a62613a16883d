//! Hop records for animation: every message the engine sends (a request going down an edge, a response going
//! back, a loss, a client's timeout) as one record in a bounded ring buffer. The UI drains it each frame;
//! when it is not drained fast enough the oldest records are overwritten and counted. Animation never drives
//! the simulation.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::ids::{EdgeIdx, NodeIdx, RequestId};
use crate::resilience::BreakerState;
use crate::time::SimTime;

/// State changes of circuit breakers kept for the page (the latest ones; older are dropped).
const CHANGES_KEPT: usize = 256;

/// What a hop carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HopOutcome {
    /// a request on its way down
    Request,
    /// a successful response on its way back
    Ok,
    /// a successful response answered from a cache's store (a cache or CDN-edge hit), on every hop back
    CacheHit,
    /// an error response on its way back
    Error,
    /// a rejection (full queue) on its way back
    Rejected,
    /// a rate limiter's refusal (429) on its way back
    RateLimited,
    /// a response for work dropped unserved because its deadline had passed (load shedding)
    Shed,
    /// a firewall's block (403) on its way back
    Blocked,
    /// the message was lost on the link (`arrive` is when it would have arrived)
    Lost,
    /// the client gave up waiting, or a caller's call timed out (`from` = `to` = the one that gave up,
    /// `depart` = `arrive` = the deadline)
    TimedOut,
}

impl HopOutcome {
    /// The hop of a response that ended with `outcome`.
    pub fn of(outcome: crate::request::Outcome) -> HopOutcome {
        use crate::request::Outcome;
        match outcome {
            Outcome::Ok => HopOutcome::Ok,
            Outcome::Error => HopOutcome::Error,
            Outcome::Rejected => HopOutcome::Rejected,
            Outcome::RateLimited => HopOutcome::RateLimited,
            Outcome::Shed => HopOutcome::Shed,
            Outcome::Blocked => HopOutcome::Blocked,
            Outcome::TimedOut => HopOutcome::TimedOut,
        }
    }
}

/// Which traffic a hop belongs to, so the page can draw each differently.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HopClass {
    /// a client's request and its responses
    #[default]
    Client,
    /// a DNS lookup: any message to or from a DNS resolver or name server
    Lookup,
    /// a request a node started on its own (`Action::Spawn`: a cache's flush or refresh, an asynchronous
    /// message), not a client's
    Internal,
}

/// One message between two nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HopRecord {
    /// which request
    pub request: RequestId,
    /// sending node
    pub from: NodeIdx,
    /// receiving node
    pub to: NodeIdx,
    /// when it left
    pub depart: SimTime,
    /// when it arrives (in the future of the sim clock, for messages still on the wire)
    pub arrive: SimTime,
    /// what it carried
    pub outcome: HopOutcome,
    /// whose traffic it is
    pub class: HopClass,
}

/// A circuit breaker on an edge changed state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakerChange {
    /// the edge whose breaker it is
    pub edge: EdgeIdx,
    /// when
    pub at: SimTime,
    /// the state it entered
    pub state: BreakerState,
}

/// The bounded trace buffer.
#[derive(Debug, Default)]
pub struct Trace {
    buf: VecDeque<HopRecord>,
    capacity: usize,
    overwritten: u64,
    recorded: u64,
    changes: VecDeque<BreakerChange>,
}

impl Trace {
    /// A buffer keeping the latest `capacity` records; 0 disables recording.
    pub fn new(capacity: u32) -> Trace {
        Trace {
            buf: VecDeque::with_capacity(capacity as usize),
            capacity: capacity as usize,
            overwritten: 0,
            recorded: 0,
            changes: VecDeque::new(),
        }
    }

    /// Records a breaker's change of state (kept even with hop records off: they are few).
    pub(crate) fn push_change(&mut self, edge: EdgeIdx, at: SimTime, state: BreakerState) {
        if self.changes.len() == CHANGES_KEPT {
            self.changes.pop_front();
        }
        self.changes.push_back(BreakerChange { edge, at, state });
    }

    /// Takes every buffered breaker change, oldest first.
    pub fn drain_changes(&mut self) -> std::collections::vec_deque::Drain<'_, BreakerChange> {
        self.changes.drain(..)
    }

    /// Whether records are kept at all.
    #[inline]
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    #[inline]
    pub(crate) fn push(&mut self, rec: HopRecord) {
        if self.capacity == 0 {
            return;
        }
        if self.buf.len() == self.capacity {
            self.buf.pop_front();
            self.overwritten += 1;
        }
        self.buf.push_back(rec);
        self.recorded += 1;
    }

    /// Takes every buffered record, oldest first.
    pub fn drain(&mut self) -> std::collections::vec_deque::Drain<'_, HopRecord> {
        self.buf.drain(..)
    }

    /// Records currently buffered.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Records dropped because the buffer was full.
    pub fn overwritten(&self) -> u64 {
        self.overwritten
    }

    /// Records ever pushed.
    pub fn recorded(&self) -> u64 {
        self.recorded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: u64) -> HopRecord {
        HopRecord {
            request: RequestId(i),
            from: NodeIdx(0),
            to: NodeIdx(1),
            depart: SimTime(i),
            arrive: SimTime(i + 1),
            outcome: HopOutcome::Request,
            class: HopClass::Client,
        }
    }

    #[test]
    fn ring_keeps_the_latest_and_counts_the_overwritten() {
        let mut t = Trace::new(3);
        for i in 0..5 {
            t.push(rec(i));
        }
        assert_eq!(t.overwritten(), 2);
        let ids: Vec<u64> = t.drain().map(|r| r.request.0).collect();
        assert_eq!(ids, [2, 3, 4]);
        assert!(t.is_empty());
        let mut off = Trace::new(0);
        off.push(rec(1));
        assert_eq!(off.len(), 0);
    }
}
