//! A request/response call as the engine carries it: who sent it, what it asks, its deadline, and the path
//! back. Requests live in a slab and are referenced by `u32` index: a compact slot of what most events read,
//! with its path's first hop; deeper hops and rarely set fields in side tables indexed from the slot.

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

/// Marks a slot with no side-table entry (no cold fields set, no path deeper than one hop).
const NONE: u32 = u32::MAX;

/// A request in flight: its slab slot, the fields most events read (104 bytes). The fields most requests
/// leave at their defaults live in a [`Cold`] entry beside the slab, and a path's hops past the first in a
/// spill vector beside it, each reached through the [`Slab`].
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
    /// time spent on links so far, request and response legs [ns]
    pub net: u64,
    /// the first hop of its path (valid when `depth > 0`)
    hop0: Packed,
    /// the originating client's node index
    pub client: u32,
    /// the client address it came from (what IP hashing hashes)
    pub addr: u32,
    /// payload size [bytes]
    pub size: u32,
    /// the size of the response it carries back [bytes], set by the node that answers it (a server's
    /// `response_bytes`); 0 until then
    pub resp: u32,
    /// bumped every time the slab slot is reused, so stale deadline entries are recognised
    pub generation: u32,
    /// its entry in the slab's cold table, `NONE` = every cold field at its default
    cold: u32,
    /// its hops past the first, in the slab's spill table; `NONE` = none taken yet
    spill: u32,
    /// hops on its path
    depth: u16,
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
}

/// A request's fields that most requests leave at their defaults (a body, an API key, a path, a call, a
/// proxy, a version, a validator, a logical id of another request's): kept beside the slab, taken by the
/// first field set away from its default and given back when the slot is freed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cold {
    /// the logical request it belongs to: a client request's id, kept by its retries and by the calls made
    /// for it (what idempotency keys and duplicate effects are counted by); its own id by default
    pub idem: u64,
    /// the version of the value its response carries (a key's committed writes, stamped by a database)
    pub version: u64,
    /// a conditional read's validator (`If-None-Match`): the version its client's HTTP cache holds, plus 1;
    /// 0 = an ordinary request
    pub validator: u64,
    /// the response body its client asks for (a screen's resource, or a GraphQL query's fields) [bytes],
    /// which the answering server sends instead of its `response_bytes`; 0 = the server's own
    pub body: u32,
    /// which API key of its client it carries
    pub api_key: u32,
    /// index of its client's path in the engine's path table
    pub route: u32,
    /// an attempt of call number `call` (see `sim`'s call layer), `NO_CALL` otherwise
    pub call: u32,
    /// the forward proxy it left through (its exit address is what nodes beyond see as its client), by
    /// engine index; `NO_VIA` = none
    pub via: u32,
    /// it carries an attack payload
    pub malicious: bool,
}

/// The cold fields of a request that set none of them (`idem` is read through [`Slab::idem`]).
const COLD_DEFAULT: Cold = Cold {
    idem: 0,
    version: 0,
    validator: 0,
    body: 0,
    api_key: 0,
    route: 0,
    call: NO_CALL,
    via: NO_VIA,
    malicious: false,
};

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
            net: 0,
            hop0: Packed::default(),
            client: 0,
            addr: 0,
            size: 0,
            resp: 0,
            generation: 0,
            cold: NONE,
            spill: NONE,
            depth: 0,
            op: Op::Read,
            attempt: 0,
            hops: 0,
            measured: false,
            state: ReqState::Live,
            live: false,
            outcome: Outcome::Ok,
            internal: false,
            cache_hit: false,
        }
    }
}

// The slot holds no pointer or `usize`, so it is 104 bytes on every target (wasm32 included: checked when the
// page is built), what `Sim::memory()` and BENCHMARKS.md count.
const _: () = assert!(std::mem::size_of::<Request>() == 104);

/// Bytes of one request slot in the slab (its first hop inside; deeper hops and cold fields beside it).
pub const fn request_slot_bytes() -> usize {
    std::mem::size_of::<Request>()
}

/// Requests by `u32` index, with a free list so slots are reused; beside the slots, the cold table and the
/// spill table (each with its own free list, their entries and the spill vectors' capacity reused).
#[derive(Debug, Default)]
pub(crate) struct Slab {
    pub items: Vec<Request>,
    free: Vec<u32>,
    live: u32,
    colds: Vec<Cold>,
    free_colds: Vec<u32>,
    spills: Vec<Vec<Packed>>,
    free_spills: Vec<u32>,
}

/// Generates a cold field's setter: a default value on a request with no cold entry takes none.
macro_rules! cold_setters {
    ($($set:ident: $field:ident: $ty:ty = $default:expr;)*) => {
        $(
            #[inline]
            pub fn $set(&mut self, i: u32, v: $ty) {
                if v != $default || self.items[i as usize].cold != NONE {
                    self.cold_mut(i).$field = v;
                }
            }
        )*
    };
}

impl Slab {
    /// A fresh slot; the caller fills every hot field it needs (the path is empty, every cold field at its
    /// default, generation already bumped).
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
        r.depth = 0;
        r.cache_hit = false;
        r.generation = r.generation.wrapping_add(1);
        r.live = false;
        if (r.cold & r.spill) != NONE {
            self.release_side(i);
        }
        self.free.push(i);
        self.live -= 1;
    }

    /// Gives back slot `i`'s cold entry and spill vector (out of line: most requests hold neither).
    #[inline(never)]
    fn release_side(&mut self, i: u32) {
        let r = &mut self.items[i as usize];
        let (cold, spill) = (r.cold, r.spill);
        r.cold = NONE;
        r.spill = NONE;
        if cold != NONE {
            self.free_colds.push(cold);
        }
        if spill != NONE {
            self.spills[spill as usize].clear();
            self.free_spills.push(spill);
        }
    }

    #[inline]
    pub fn get(&self, i: u32) -> &Request {
        &self.items[i as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, i: u32) -> &mut Request {
        &mut self.items[i as usize]
    }

    /// Request `i`'s cold fields (the defaults when it set none).
    #[inline]
    pub fn cold(&self, i: u32) -> &Cold {
        match self.items[i as usize].cold {
            NONE => &COLD_DEFAULT,
            c => &self.colds[c as usize],
        }
    }

    /// Request `i`'s cold fields to change, taking an entry (at the defaults, `idem` its own id) if it has
    /// none.
    #[inline]
    pub fn cold_mut(&mut self, i: u32) -> &mut Cold {
        let r = &mut self.items[i as usize];
        if r.cold == NONE {
            let fresh = Cold {
                idem: r.id,
                ..COLD_DEFAULT
            };
            r.cold = if let Some(c) = self.free_colds.pop() {
                self.colds[c as usize] = fresh;
                c
            } else {
                self.colds.push(fresh);
                u32::try_from(self.colds.len() - 1)
                    .expect("fewer than 4 billion requests in flight")
            };
        }
        &mut self.colds[r.cold as usize]
    }

    /// Request `i`'s logical request (its idempotency key): its own id unless set otherwise.
    #[inline]
    pub fn idem(&self, i: u32) -> u64 {
        let r = &self.items[i as usize];
        match r.cold {
            NONE => r.id,
            c => self.colds[c as usize].idem,
        }
    }

    /// Sets request `i`'s logical request (taking a cold entry only when it is not its own id).
    #[inline]
    pub fn set_idem(&mut self, i: u32, v: u64) {
        let r = &self.items[i as usize];
        if v != r.id || r.cold != NONE {
            self.cold_mut(i).idem = v;
        }
    }

    cold_setters! {
        set_version: version: u64 = 0;
        set_validator: validator: u64 = 0;
        set_body: body: u32 = 0;
        set_api_key: api_key: u32 = 0;
        set_route: route: u32 = 0;
        set_call: call: u32 = NO_CALL;
        set_via: via: u32 = NO_VIA;
        set_malicious: malicious: bool = false;
    }

    /// Pushes `hop` on request `i`'s path.
    #[inline]
    pub fn push_hop(&mut self, i: u32, hop: Hop) {
        let r = &mut self.items[i as usize];
        if r.depth == 0 {
            r.hop0 = Packed::of(hop);
            r.depth = 1;
        } else {
            self.push_deep(i, hop);
        }
    }

    /// Pushes a hop past the first into slot `i`'s spill vector, taking one if it has none.
    #[inline(never)]
    fn push_deep(&mut self, i: u32, hop: Hop) {
        let r = &mut self.items[i as usize];
        if r.spill == NONE {
            r.spill = if let Some(s) = self.free_spills.pop() {
                s
            } else {
                self.spills.push(Vec::new());
                u32::try_from(self.spills.len() - 1)
                    .expect("fewer than 4 billion requests in flight")
            };
        }
        self.spills[r.spill as usize].push(Packed::of(hop));
        r.depth = r.depth.checked_add(1).expect("a path under 65,536 hops");
    }

    /// Pops the last hop of request `i`'s path.
    #[inline]
    pub fn pop_hop(&mut self, i: u32) -> Option<Hop> {
        let r = &mut self.items[i as usize];
        match r.depth {
            0 => None,
            1 => {
                r.depth = 0;
                Some(r.hop0.hop())
            }
            _ => {
                r.depth -= 1;
                self.spills[r.spill as usize].pop().map(Packed::hop)
            }
        }
    }

    /// The last hop of request `i`'s path.
    #[inline]
    pub fn last_hop(&self, i: u32) -> Option<Hop> {
        let r = &self.items[i as usize];
        match r.depth {
            0 => None,
            1 => Some(r.hop0.hop()),
            _ => self.spills[r.spill as usize].last().map(|p| p.hop()),
        }
    }

    /// Hops on request `i`'s path.
    #[inline]
    pub fn depth(&self, i: u32) -> u32 {
        u32::from(self.items[i as usize].depth)
    }

    /// Hop `k` (0 = the first) of request `i`'s path, which must be on it.
    #[inline]
    pub fn hop_at(&self, i: u32, k: usize) -> Hop {
        let r = &self.items[i as usize];
        assert!(k < usize::from(r.depth), "hop {k} is on the path");
        if k == 0 {
            r.hop0.hop()
        } else {
            self.spills[r.spill as usize][k - 1].hop()
        }
    }

    /// The first hop of request `i`'s path (the one its sender holds it by).
    #[inline]
    pub fn first_hop(&self, i: u32) -> Option<Hop> {
        let r = &self.items[i as usize];
        (r.depth > 0).then(|| r.hop0.hop())
    }

    /// Requests currently allocated.
    pub fn live(&self) -> u32 {
        self.live
    }

    /// Bytes held: slots, the cold and spill tables (spill vectors at their capacity) and the free lists.
    pub fn bytes(&self) -> usize {
        use std::mem::size_of;
        self.items.capacity() * size_of::<Request>()
            + self.free.capacity() * 4
            + self.colds.capacity() * size_of::<Cold>()
            + self.free_colds.capacity() * 4
            + self.spills.capacity() * size_of::<Vec<Packed>>()
            + self
                .spills
                .iter()
                .map(|s| s.capacity() * size_of::<Packed>())
                .sum::<usize>()
            + self.free_spills.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_spills_and_unspills_in_order() {
        let mut s = Slab::default();
        let r = s.alloc();
        let hop = |e: u32| Hop {
            edge: (e << 20) | e,
            slot: u32::MAX - e,
            here: SimTime(u64::MAX - u64::from(e)),
            hops: 250 + e as u8 % 6,
        };
        for e in 0..10 {
            s.push_hop(r, hop(e));
        }
        assert_eq!(s.depth(r), 10);
        assert_eq!(s.last_hop(r).map(|h| h.edge), Some(hop(9).edge));
        assert_eq!(s.first_hop(r).map(|h| h.slot), Some(hop(0).slot));
        assert_eq!(s.hop_at(r, 6).here, hop(6).here);
        for e in (0..10).rev() {
            let h = s.pop_hop(r).expect("pushed");
            let want = hop(e);
            assert_eq!(
                (h.edge, h.slot, h.here, h.hops),
                (want.edge, want.slot, want.here, want.hops)
            );
        }
        assert!(s.pop_hop(r).is_none());
        assert!(s.last_hop(r).is_none());
        // Freed, its spill vector goes back to the pool, capacity kept, and the next deep path takes it.
        let cap = s.spills[0].capacity();
        s.free(r);
        let r2 = s.alloc();
        s.push_hop(r2, hop(1));
        s.push_hop(r2, hop(2));
        assert_eq!(s.spills.len(), 1, "the spill vector is reused");
        assert_eq!(s.spills[0].capacity(), cap, "with its capacity");
        assert_eq!(s.hop_at(r2, 1).edge, hop(2).edge);
    }

    /// The sizes `Sim::memory()` and BENCHMARKS.md count per in-flight request: a hop packs into 16 bytes, a
    /// slot holds the first one and the fields most events read in 104 bytes (on wasm32 too: no pointer or
    /// `usize` in it).
    #[test]
    fn a_request_slot_is_104_bytes_with_its_first_hop_inside() {
        assert_eq!(std::mem::size_of::<Packed>(), 16);
        assert_eq!(request_slot_bytes(), 104);
        assert_eq!(std::mem::size_of::<Cold>(), 48);
    }

    #[test]
    fn cold_fields_take_an_entry_only_away_from_their_defaults_and_reset_on_free() {
        let mut s = Slab::default();
        let r = s.alloc();
        s.get_mut(r).id = 7;
        s.set_idem(r, 7);
        s.set_version(r, 0);
        s.set_call(r, NO_CALL);
        s.set_via(r, NO_VIA);
        s.set_malicious(r, false);
        assert_eq!(s.colds.len(), 0, "defaults take no entry");
        assert_eq!(s.idem(r), 7, "the logical request is its own by default");
        assert_eq!((s.cold(r).call, s.cold(r).via), (NO_CALL, NO_VIA));
        s.set_validator(r, 3);
        assert_eq!(s.colds.len(), 1);
        assert_eq!(s.idem(r), 7, "an entry starts with its own id");
        s.set_idem(r, 5);
        s.set_route(r, 2);
        assert_eq!((s.idem(r), s.cold(r).validator, s.cold(r).route), (5, 3, 2));
        s.free(r);
        let r2 = s.alloc();
        assert_eq!(r2, r);
        s.get_mut(r2).id = 9;
        assert_eq!(
            (s.idem(r2), s.cold(r2).validator),
            (9, 0),
            "freed, it reads the defaults"
        );
        s.set_api_key(r2, 1);
        assert_eq!(s.colds.len(), 1, "the freed entry is reused");
        assert_eq!(
            (s.idem(r2), s.cold(r2).route, s.cold(r2).api_key),
            (9, 0, 1)
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
