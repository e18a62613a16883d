//! Share format v3: v2 whose call policies may also hold a hedge (see `docs/share-format.md`).
//!
//! ```text
//! payload  = v1 payload of the diagram, call policies left out
//!            · count k · k×(varint edge index · object policy)                    (nothing may follow)
//! policy   = the edge's `timeout_ms`, `retry`, `breaker` and `hedge` fields that are set, as a v1 object
//! ```
//!
//! Written only for a diagram with a hedged edge: every other diagram keeps its v1 or v2 link byte for byte.
//! v2's reader is left as it shipped (it refuses a `hedge`, so a v3 policy never opens as something else).
//! Architecture invariant: once released, this layout never changes; v1 and v2 links keep decoding beside it.

use serde::{Deserialize, Serialize};

use super::ShareError;
use super::extras::{self, EdgeExtras};
use crate::resilience::{BreakerParams, HedgePolicy, RetryPolicy};
use crate::topology::{Edge, Topology};

/// An edge's call policy as the link carries it: the fields the edge sets.
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
}

impl EdgeExtras for Policy {
    const ONE: &'static str = "a call policy";
    const MANY: &'static str = "call policies";

    fn take(e: &mut Edge) -> Self {
        Policy {
            timeout_ms: e.timeout_ms.take(),
            retry: e.retry.take(),
            breaker: e.breaker.take(),
            hedge: e.hedge.take(),
        }
    }

    fn put(self, e: &mut Edge) {
        let Edge {
            timeout_ms,
            retry,
            breaker,
            hedge,
            ..
        } = e;
        *timeout_ms = self.timeout_ms;
        *retry = self.retry;
        *breaker = self.breaker;
        *hedge = self.hedge;
    }
}

/// Whether `t` needs v3: some edge is hedged.
pub(crate) fn needed(t: &Topology) -> bool {
    t.edges.iter().any(|e| e.hedge.is_some())
}

/// The v3 payload of `t`.
pub(crate) fn encode(t: &Topology) -> Vec<u8> {
    extras::encode::<Policy>(t)
}

/// The topology in a v3 payload.
pub(crate) fn decode(bytes: &[u8], budget: usize) -> Result<Topology, ShareError> {
    extras::decode::<Policy>(bytes, budget)
}
