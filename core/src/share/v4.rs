//! Share format v4: v3 whose per-edge objects may also hold the link's bandwidth (see
//! `docs/share-format.md`).
//!
//! ```text
//! payload  = v1 payload of the diagram, call policies and bandwidths left out
//!            · count k · k×(varint edge index · object extra)                     (nothing may follow)
//! extra    = the edge's `timeout_ms`, `retry`, `breaker`, `hedge` and `bandwidth_mbps` fields that are set,
//!            as a v1 object
//! ```
//!
//! Written only for a diagram with a bandwidth on some edge: every other diagram keeps its v1, v2 or v3 link
//! byte for byte. v3's reader is left as it shipped (it refuses a `bandwidth_mbps`, so a v4 link never opens
//! as something else). Architecture invariant: once released, this layout never changes.

use serde::{Deserialize, Serialize};

use super::ShareError;
use super::extras::{self, EdgeExtras};
use crate::resilience::{BreakerParams, HedgePolicy, RetryPolicy};
use crate::topology::{Edge, Topology};

/// An edge's call policy and bandwidth as the link carries them: the fields the edge sets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Policy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry: Option<RetryPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    breaker: Option<BreakerParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hedge: Option<HedgePolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bandwidth_mbps: Option<f64>,
}

impl EdgeExtras for Policy {
    const ONE: &'static str = "an edge entry";
    const MANY: &'static str = "edge entries";

    fn take(e: &mut Edge) -> Self {
        Policy {
            timeout_ms: e.timeout_ms.take(),
            retry: e.retry.take(),
            breaker: e.breaker.take(),
            hedge: e.hedge.take(),
            bandwidth_mbps: e.bandwidth_mbps.take(),
        }
    }

    fn put(self, e: &mut Edge) {
        let Edge {
            timeout_ms,
            retry,
            breaker,
            hedge,
            bandwidth_mbps,
            ..
        } = e;
        *timeout_ms = self.timeout_ms;
        *retry = self.retry;
        *breaker = self.breaker;
        *hedge = self.hedge;
        *bandwidth_mbps = self.bandwidth_mbps;
    }
}

/// Whether `t` needs v4: some edge has a bandwidth.
pub(crate) fn needed(t: &Topology) -> bool {
    t.edges.iter().any(|e| e.bandwidth_mbps.is_some())
}

/// The v4 payload of `t`.
pub(crate) fn encode(t: &Topology) -> Vec<u8> {
    extras::encode::<Policy>(t)
}

/// The topology in a v4 payload.
pub(crate) fn decode(bytes: &[u8], budget: usize) -> Result<Topology, ShareError> {
    extras::decode::<Policy>(bytes, budget)
}
