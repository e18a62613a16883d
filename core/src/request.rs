//! A request/response call as the engine carries it: who sent it, what it asks, its deadline, and the path
//! back. Requests live in a slab and are referenced by `u32` index; the path is a small inline stack.

use serde::{Deserialize, Serialize};

use crate::time::SimTime;

/// What a request asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// a read
    #[default]
    Read,
    /// a write
    Write,
}

/// How a response ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// success
    #[default]
    Ok,
    /// the request failed (a server error, a dead node, no backend, a refused link, the hop limit)
    Error,
    /// a full queue turned it away
    Rejected,
    /// a rate limiter refused it (HTTP 429 Too Many Requests)
    RateLimited,
    /// a service dropped it unserved because its deadline had already passed (load shedding)
    Shed,
    /// a web application firewall blocked it (HTTP 403 Forbidden)
    Blocked,
    /// the caller stopped waiting for it (a call edge's timeout)
    TimedOut,
}

impl Outcome {
    /// Whether a caller with a retry policy tries again after this outcome: every failure except a block
    /// (a firewall's 403 would only be blocked again).
    pub fn retryable(self) -> bool {
        !matches!(self, Outcome::Ok | Outcome::Blocked)
    }
}

/// Where the client stands on a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReqState {
    /// the client still waits for it
    Live,
    /// the client gave up; the request may still be at work somewhere
    TimedOut,
    /// a link lost it; the client's timeout will clean up
    Lost,
}

/// One hop on the way down: the edge taken, the worker slot the caller keeps for it, when the request had
/// arrived at the caller (restored when the response comes back, to measure time in node), and its hop count
/// as the caller sent it (what a resolver's next call over the same edge starts from: `Action::Recall`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Hop {
    pub edge: u32,
    pub slot: u32,
    pub here: SimTime,
    pub hops: u8,
}

const INLINE_HOPS: usize = 4;

/// A hop as the path stores it (16 bytes): the edge index (below 2^24, `limits::MAX_EDGES`) with the hop
/// count in the top byte.
#[derive(Clone, Copy, Debug, Default)]
struct Packed {
    edge_hops: u32,
    slot: u32,
    here: SimTime,
}

impl Packed {
    #[inline]
    fn of(h: Hop) -> Packed {
        debug_assert!(h.edge < 1 << 24, "edge indices fit in 24 bits");
        Packed {
            edge_hops: h.edge | (u32::from(h.hops) << 24),
            slot: h.slot,
            here: h.here,
        }
    }

    #[inline]
    fn hop(self) -> Hop {
        Hop {
            edge: self.edge_hops & 0x00ff_ffff,
            slot: self.slot,
            here: self.here,
            hops: (self.edge_hops >> 24) as u8,
        }
    }
}

/// A stack of hops: the first few inline, deeper ones in a boxed spill vector (allocated by the first path
/// that deep, its capacity kept on reuse).
#[derive(Clone, Debug, Default)]
pub(crate) struct Path {
    len: u32,
    inline: [Packed; INLINE_HOPS],
    // Boxed on purpose: 8 bytes in every slot instead of a `Vec`'s 24, for the few paths deeper than four.
    #[allow(clippy::box_collection)]
    spill: Option<Box<Vec<Packed>>>,
}

impl Path {
    #[inline]
    pub fn push(&mut self, hop: Hop) {
        let i = self.len as usize;
        let p = Packed::of(hop);
        if i < INLINE_HOPS {
            self.inline[i] = p;
        } else {
            self.spill.get_or_insert_default().push(p);
        }
        self.len += 1;
    }

    #[inline]
    pub fn pop(&mut self) -> Option<Hop> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        let i = self.len as usize;
        if i < INLINE_HOPS {
            Some(self.inline[i].hop())
        } else {
            self.spill.as_mut().and_then(|s| s.pop()).map(Packed::hop)
        }
    }

    #[inline]
    pub fn last(&self) -> Option<Hop> {
        let i = self.len as usize;
        if i == 0 {
            None
        } else if i <= INLINE_HOPS {
            Some(self.inline[i - 1].hop())
        } else {
            self.spill.as_ref().and_then(|s| s.last()).map(|p| p.hop())
        }
    }

    /// Hops on the path.
    #[inline]
    pub fn depth(&self) -> u32 {
        self.len
    }

    /// Hop `i` (0 = the first), which must be on the path.
    #[inline]
    pub fn at(&self, i: usize) -> Hop {
        if i < INLINE_HOPS {
            self.inline[i].hop()
        } else {
            self.spill
                .as_ref()
                .expect("a hop past the inline ones is spilled")[i - INLINE_HOPS]
                .hop()
        }
    }

    /// The first hop (the one its sender holds it by).
    #[inline]
    pub fn first(&self) -> Option<Hop> {
        (self.len > 0).then(|| self.inline[0].hop())
    }

    pub fn clear(&mut self) {
        self.len = 0;
        if let Some(s) = &mut self.spill {
            s.clear();
        }
    }

    /// Bytes owned on the heap (the spill vector and its capacity).
    pub fn heap_bytes(&self) -> usize {
        self.spill.as_ref().map_or(0, |s| {
            std::mem::size_of::<Vec<Packed>>() + s.capacity() * std::mem::size_of::<Packed>()
        })
    }
}

/// A request in flight.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub id: u64,
    /// when the client sent it
    pub start: SimTime,
    /// when the client gives up on it
    pub deadline: SimTime,
    /// arrival time at the node currently holding it
    pub here: SimTime,
    /// the key it reads or writes
    pub key: u64,
    /// the originating client's node index
    pub client: u32,
    /// the client address it came from (what IP hashing hashes)
    pub addr: u32,
    /// payload size [bytes]
    pub size: u32,
    /// the size of the response it carries back [bytes], set by the node that answers it (a server's
    /// `response_bytes`); 0 until then
    pub resp: u32,
    /// the response body its client asks for (a screen's resource, or a GraphQL query's fields) [bytes],
    /// which the answering server sends instead of its `response_bytes`; 0 = the server's own
    pub body: u32,
    /// bumped every time the slab slot is reused, so stale deadline entries are recognised
    pub generation: u32,
    pub op: Op,
    /// attempt number, 0 for the first try
    pub attempt: u8,
    /// forwards so far
    pub hops: u8,
    /// whether the request started inside the measurement window
    pub measured: bool,
    pub state: ReqState,
    /// allocated (not on the free list)
    pub live: bool,
    /// the outcome its response carries while travelling back
    pub outcome: Outcome,
    /// started by a node (a cache's flush or refresh), not a client: no deadline, answered to that node
    pub internal: bool,
    /// a cache answered it from its store (its response hops are traced as cache hits)
    pub cache_hit: bool,
    /// the version of the value its response carries (a key's committed writes, stamped by a database)
    pub version: u64,
    /// time spent on links so far, request and response legs [ns]
    pub net: u64,
    /// the logical request it belongs to: a client request's id, kept by its retries and by the calls made
    /// for it (what idempotency keys and duplicate effects are counted by)
    pub idem: u64,
    /// an attempt of call number `call` (see `sim`'s call layer), `NO_CALL` otherwise
    pub call: u32,
    /// which API key of its client it carries
    pub api_key: u32,
    /// index of its client's path in the engine's path table
    pub route: u32,
    /// it carries an attack payload
    pub malicious: bool,
    /// a conditional read's validator (`If-None-Match`): the version its client's HTTP cache holds, plus 1;
    /// 0 = an ordinary request
    pub validator: u64,
    /// the forward proxy it left through (its exit address is what nodes beyond see as its client), by
    /// engine index; `NO_VIA` = none
    pub via: u32,
    pub path: Path,
}

/// Marks a request that went through no forward proxy.
pub(crate) const NO_VIA: u32 = u32::MAX;

/// Marks a request that is no attempt of a call.
pub(crate) const NO_CALL: u32 = u32::MAX;

impl Request {
    fn empty() -> Request {
        Request {
            id: 0,
            start: SimTime::ZERO,
            deadline: SimTime::ZERO,
            here: SimTime::ZERO,
            key: 0,
            client: 0,
            addr: 0,
            size: 0,
            resp: 0,
            body: 0,
            generation: 0,
            op: Op::Read,
            attempt: 0,
            hops: 0,
            measured: false,
            state: ReqState::Live,
            live: false,
            outcome: Outcome::Ok,
            internal: false,
            cache_hit: false,
            version: 0,
            net: 0,
            idem: 0,
            call: NO_CALL,
            api_key: 0,
            route: 0,
            malicious: false,
            validator: 0,
            via: NO_VIA,
            path: Path::default(),
        }
    }
}

/// Bytes of one request slot in the slab (paths up to 4 hops deep stay inline).
pub const fn request_slot_bytes() -> usize {
    std::mem::size_of::<Request>()
}

/// Requests by `u32` index, with a free list so slots (and their path capacity) are reused.
#[derive(Debug, Default)]
pub(crate) struct Slab {
    pub items: Vec<Request>,
    free: Vec<u32>,
    live: u32,
}

impl Slab {
    /// A fresh slot; the caller fills every field it needs (path is empty, generation already bumped).
    #[inline]
    pub fn alloc(&mut self) -> u32 {
        self.live += 1;
        let i = if let Some(i) = self.free.pop() {
            i
        } else {
            self.items.push(Request::empty());
            u32::try_from(self.items.len() - 1).expect("fewer than 4 billion requests in flight")
        };
        self.items[i as usize].live = true;
        i
    }

    #[inline]
    pub fn free(&mut self, i: u32) {
        let r = &mut self.items[i as usize];
        r.path.clear();
        r.cache_hit = false;
        r.call = NO_CALL;
        r.validator = 0;
        r.via = NO_VIA;
        r.generation = r.generation.wrapping_add(1);
        r.live = false;
        self.free.push(i);
        self.live -= 1;
    }

    #[inline]
    pub fn get(&self, i: u32) -> &Request {
        &self.items[i as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, i: u32) -> &mut Request {
        &mut self.items[i as usize]
    }

    /// Requests currently allocated.
    pub fn live(&self) -> u32 {
        self.live
    }

    /// Bytes held: slots, free list and spilled paths.
    pub fn bytes(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<Request>()
            + self.free.capacity() * 4
            + self
                .items
                .iter()
                .map(|r| r.path.heap_bytes())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_spills_and_unspills_in_order() {
        let mut p = Path::default();
        let hop = |e: u32| Hop {
            edge: (e << 20) | e,
            slot: u32::MAX - e,
            here: SimTime(u64::MAX - u64::from(e)),
            hops: 250 + e as u8 % 6,
        };
        for e in 0..10 {
            p.push(hop(e));
        }
        assert_eq!(p.last().map(|h| h.edge), Some(hop(9).edge));
        assert_eq!(p.at(6).here, hop(6).here);
        for e in (0..10).rev() {
            let h = p.pop().expect("pushed");
            let want = hop(e);
            assert_eq!(
                (h.edge, h.slot, h.here, h.hops),
                (want.edge, want.slot, want.here, want.hops)
            );
        }
        assert!(p.pop().is_none());
        assert!(
            p.heap_bytes() > 0,
            "the spill is kept for the next path that deep"
        );
    }

    /// The sizes `Sim::memory()` and BENCHMARKS.md count per in-flight request: a hop packs into 16 bytes and
    /// a path of up to four hops stays inside the slot.
    #[test]
    fn a_request_slot_holds_four_packed_hops_in_208_bytes() {
        assert_eq!(std::mem::size_of::<Packed>(), 16);
        assert_eq!(std::mem::size_of::<Path>(), 80);
        assert!(
            request_slot_bytes() <= 208,
            "{} bytes",
            request_slot_bytes()
        );
    }

    #[test]
    fn slab_reuses_slots_and_bumps_generation() {
        let mut s = Slab::default();
        let a = s.alloc();
        let g = s.get(a).generation;
        s.free(a);
        let b = s.alloc();
        assert_eq!(a, b);
        assert_ne!(s.get(b).generation, g);
        assert_eq!(s.live(), 1);
    }
}
