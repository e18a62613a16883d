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
use serde_json::Value;

use super::ShareError;
use super::v1;
use super::wire::{Reader, garbled};
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

/// Whether `t` needs v4: some edge has a bandwidth.
pub(crate) fn needed(t: &Topology) -> bool {
    t.edges.iter().any(|e| e.bandwidth_mbps.is_some())
}

/// The v4 payload of `t`.
pub(crate) fn encode(t: &Topology) -> Vec<u8> {
    let mut plain = t.clone();
    let mut policies = Vec::new();
    for (i, e) in plain.edges.iter_mut().enumerate() {
        if e.has_policy() || e.bandwidth_mbps.is_some() {
            policies.push((
                i,
                Policy {
                    timeout_ms: e.timeout_ms.take(),
                    retry: e.retry.take(),
                    breaker: e.breaker.take(),
                    hedge: e.hedge.take(),
                    bandwidth_mbps: e.bandwidth_mbps.take(),
                },
            ));
        }
    }
    let mut w = v1::write(&plain);
    w.len(policies.len());
    for (i, p) in policies {
        w.len(i);
        match serde_json::to_value(&p).expect("a policy serialises") {
            Value::Object(map) => v1::write_object(&mut w, &map),
            _ => unreachable!("a policy serialises to an object"),
        }
    }
    w.into_bytes()
}

/// The topology in a v4 payload.
pub(crate) fn decode(bytes: &[u8], budget: usize) -> Result<Topology, ShareError> {
    let mut r = Reader::new(bytes, budget);
    let mut t = v1::read(&mut r)?;
    // Each policy takes at least an index and an entry count.
    let k = r.count(2, "edges' extras")?;
    let mut last = None;
    for _ in 0..k {
        let i = r.varint()?;
        let Some(e) = usize::try_from(i).ok().and_then(|i| t.edges.get_mut(i)) else {
            return Err(garbled(format!(
                "extras name edge #{i}, which the link does not have"
            )));
        };
        if last.is_some_and(|l| l >= i) {
            return Err(garbled("edges' extras are out of order"));
        }
        last = Some(i);
        let map = v1::read_object(&mut r, 0)?;
        let p: Policy = serde_json::from_value(Value::Object(map))
            .map_err(|x| garbled(format!("an edge's extras do not decode ({x})")))?;
        if p == Policy::default() {
            return Err(garbled("an edge's extras are empty"));
        }
        let Edge {
            timeout_ms,
            retry,
            breaker,
            hedge,
            bandwidth_mbps,
            ..
        } = e;
        *timeout_ms = p.timeout_ms;
        *retry = p.retry;
        *breaker = p.breaker;
        *hedge = p.hedge;
        *bandwidth_mbps = p.bandwidth_mbps;
    }
    r.finish()?;
    Ok(t)
}
