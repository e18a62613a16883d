//! An edge's parameters in the editor: its link (latency, loss, weight) and its call policy (timeout,
//! retries, breaker, hedge) as one parameter object the inspector edits through the schema, checked by core before
//! they are stored on the edge.

use serde_json::{Map, Value};

use super::schema;
use crate::dist::Dist;
use crate::resilience::hedge::HedgePolicy;
use crate::resilience::{BreakerParams, RetryPolicy, default_json};
use crate::topology::Edge;
use crate::vocab::{Term, Vocab};

/// An edge's link parameters, in the inspector's "Link" section.
pub const EDGE_LINK_PARAMS: [&str; 4] = ["latency", "loss", "bandwidth_mbps", "weight"];
/// An edge's call policy, in the inspector's "Call policy" section: a per-attempt timeout, retries with
/// backoff and jitter, a circuit breaker, hedged requests.
pub const EDGE_POLICY_PARAMS: [&str; 4] = ["timeout_ms", "retry", "breaker", "hedge"];

/// How the inspector names an edge's parameters: its link, then its call policy.
pub static EDGE_VOCAB: Vocab = Vocab {
    terms: &[
        Term::new("latency", "Latency").family(&Dist::FAMILY),
        Term::new("loss", "Loss").unit("0–1").empty("default"),
        Term::new("bandwidth_mbps", "Bandwidth")
            .unit("Mbit/s")
            .empty("unlimited"),
        Term::new("weight", "Weight").integer().empty("1"),
        Term::new("timeout_ms", "Timeout").empty("none"),
        Term::new("retry", "Retries").optional(default_json::<RetryPolicy>, &RetryPolicy::VOCAB),
        Term::new("breaker", "Circuit breaker")
            .optional(default_json::<BreakerParams>, &BreakerParams::VOCAB),
        Term::new("hedge", "Hedged requests")
            .optional(default_json::<HedgePolicy>, &HedgePolicy::VOCAB),
    ],
};

/// An edge's editable parameters with their default `null` (the settings' link, no call policy).
pub fn edge_defaults() -> Map<String, Value> {
    EDGE_LINK_PARAMS
        .into_iter()
        .chain(EDGE_POLICY_PARAMS)
        .map(|k| (k.to_string(), Value::Null))
        .collect()
}

/// The parameters an edge sets.
pub fn edge_params(e: &Edge) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(l) = &e.latency
        && let Ok(v) = serde_json::to_value(l)
    {
        m.insert("latency".into(), v);
    }
    if let Some(l) = e.loss.and_then(serde_json::Number::from_f64) {
        m.insert("loss".into(), Value::Number(l));
    }
    if let Some(b) = e.bandwidth_mbps.and_then(serde_json::Number::from_f64) {
        m.insert("bandwidth_mbps".into(), Value::Number(b));
    }
    if let Some(w) = e.weight {
        m.insert("weight".into(), Value::from(w));
    }
    if let Some(t) = e.timeout_ms.and_then(serde_json::Number::from_f64) {
        m.insert("timeout_ms".into(), Value::Number(t));
    }
    if let Some(r) = &e.retry
        && let Ok(v) = serde_json::to_value(r)
    {
        m.insert("retry".into(), v);
    }
    if let Some(b) = &e.breaker
        && let Ok(v) = serde_json::to_value(b)
    {
        m.insert("breaker".into(), v);
    }
    if let Some(h) = &e.hedge
        && let Ok(v) = serde_json::to_value(h)
    {
        m.insert("hedge".into(), v);
    }
    m
}

/// The inspector's sections for an edge: its link ("Link") and its call policy ("Call policy"), each with
/// its rows.
pub fn edge_sections(e: &Edge) -> [(&'static str, Vec<schema::Field>); 2] {
    let all = schema::fields(&EDGE_VOCAB, &edge_defaults(), &edge_params(e));
    let top = |f: &schema::Field| f.path.split('.').next().unwrap_or_default().to_string();
    let (policy, link): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|f| EDGE_POLICY_PARAMS.contains(&top(f).as_str()));
    [("Link", link), ("Call policy", policy)]
}

/// An optional parameter object of an edge, decoded, or why it is refused (the first range problem).
fn policy_part<T: serde::de::DeserializeOwned>(
    m: &Map<String, Value>,
    key: &str,
    problems: impl Fn(&T) -> Vec<(String, String)>,
) -> Result<Option<T>, String> {
    let value: Option<T> = match m.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => Some(serde_json::from_value(v.clone()).map_err(|x| format!("{key}: {x}"))?),
    };
    match value.as_ref().and_then(|v| problems(v).into_iter().next()) {
        Some((_, msg)) => Err(msg),
        None => Ok(value),
    }
}

/// `e` with the parameters of `m`, or why they are refused.
pub(crate) fn edge_with_params(e: &Edge, m: &Map<String, Value>) -> Result<Edge, String> {
    let latency: Option<Dist> = match m.get("latency") {
        None | Some(Value::Null) => None,
        Some(v) => Some(serde_json::from_value(v.clone()).map_err(|x| x.to_string())?),
    };
    if let Some((_, msg)) = latency
        .as_ref()
        .and_then(|d| d.problems().into_iter().next())
    {
        return Err(format!("latency: {msg}"));
    }
    let loss = m.get("loss").and_then(Value::as_f64);
    if let Some(l) = loss
        && !(0.0..=1.0).contains(&l)
    {
        return Err(format!("loss is a probability between 0 and 1 (got {l})"));
    }
    let weight = match m.get("weight").and_then(Value::as_u64) {
        Some(0) => return Err("weight must be at least 1".into()),
        Some(w) => Some(u32::try_from(w).map_err(|_| "weight is too large".to_string())?),
        None => None,
    };
    let ranged = |field: &str, v: f64| {
        crate::limits::param(field).and_then(|l| crate::limits::out_of_range(field, v, l))
    };
    if let Some(msg) = weight.and_then(|w| ranged("weight", f64::from(w))) {
        return Err(msg);
    }
    let bandwidth_mbps = m.get("bandwidth_mbps").and_then(Value::as_f64);
    if let Some(b) = bandwidth_mbps
        && !(b.is_finite() && b >= 0.0)
    {
        return Err(format!(
            "the bandwidth is a positive number of Mbit/s, or 0 for unlimited (got {b})"
        ));
    }
    if let Some(msg) = bandwidth_mbps
        .filter(|&b| b > 0.0)
        .and_then(|b| ranged("bandwidth_mbps", b))
    {
        return Err(msg);
    }
    let timeout_ms = m.get("timeout_ms").and_then(Value::as_f64);
    if let Some(t) = timeout_ms
        && !(t.is_finite() && t > 0.0)
    {
        return Err(format!("the timeout must be positive (got {t} ms)"));
    }
    if let Some(msg) = timeout_ms.and_then(|t| ranged("timeout_ms", t)) {
        return Err(msg);
    }
    let retry = policy_part(m, "retry", |r: &RetryPolicy| r.problems("retry."))?;
    let breaker = policy_part(m, "breaker", |b: &BreakerParams| b.problems("breaker."))?;
    let hedge = policy_part(m, "hedge", |h: &HedgePolicy| h.problems("hedge."))?;
    Ok(Edge {
        latency,
        loss,
        bandwidth_mbps,
        weight,
        timeout_ms,
        retry,
        breaker,
        hedge,
        ..e.clone()
    })
}
