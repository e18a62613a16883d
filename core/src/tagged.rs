//! Reading an internally tagged enum (`{"type": "kill", "node": "db"}`) through one shared piece of code.
//!
//! serde's derive reads such an enum by buffering the object and then running one generated reader per
//! variant over the buffer; each enum costs several KB of Wasm (a goal's measure alone 32 KB before
//! wasm-opt: BENCHMARKS.md, "What makes the Wasm big: issue 22's third pass"). Here the object is read as a
//! `Value`, the tag picks the variant, and the variant's fields are taken out of the map one by one through
//! a few shared helpers. The values, the defaults and the words of every error are the derive's (the tests
//! pin them); what differs: when one object has several problems, an unknown field is named before a
//! field of the wrong type, and the derive's rarely used array form (`["kill", "db"]`) is refused.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _, Unexpected};
use serde_json::{Error, Map, Value};

/// How an enum is written.
pub(crate) struct Shape {
    /// the enum's name, as errors give it
    pub name: &'static str,
    /// the field holding the variant's name
    pub tag: &'static str,
    /// the variants' names, in declaration order
    pub variants: &'static [&'static str],
    /// each variant's fields, in the order of `variants`; `None`: fields it does not know are ignored
    pub fields: Option<&'static [&'static [&'static str]]>,
}

/// One object's fields, the tag taken out.
pub(crate) struct Fields(Map<String, Value>);

impl Fields {
    /// The field as a `T`, `None` when absent.
    pub fn opt<T: DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>, Error> {
        self.0.remove(name).map(T::deserialize).transpose()
    }

    /// The field as a `T`; its absence is an error.
    pub fn req<T: DeserializeOwned>(&mut self, name: &'static str) -> Result<T, Error> {
        self.opt(name)?.ok_or_else(|| Error::missing_field(name))
    }

    /// The field as a `T`, `default()` when absent.
    pub fn or<T: DeserializeOwned>(&mut self, name: &str, default: fn() -> T) -> Result<T, Error> {
        Ok(self.opt(name)?.unwrap_or_else(default))
    }
}

/// Reads a value of `shape` from `d`: `build` gets the variant's index and its fields.
pub(crate) fn read<'de, D: Deserializer<'de>, T>(
    d: D,
    shape: &Shape,
    build: fn(usize, &mut Fields) -> Result<T, Error>,
) -> Result<T, D::Error> {
    let value = Value::deserialize(d)?;
    split(value, shape)
        .and_then(|(variant, mut fields)| build(variant, &mut fields))
        .map_err(D::Error::custom)
}

/// The variant an object names and its other fields, or the error the derive gives.
fn split(value: Value, shape: &Shape) -> Result<(usize, Fields), Error> {
    let mut map = match value {
        Value::Object(map) => map,
        other => {
            let expected = format!("internally tagged enum {}", shape.name);
            return Err(Error::invalid_type(unexpected(&other), &expected.as_str()));
        }
    };
    let variant = match map.remove(shape.tag) {
        None => return Err(Error::missing_field(shape.tag)),
        Some(Value::String(tag)) => shape
            .variants
            .iter()
            .position(|v| *v == tag)
            .ok_or_else(|| Error::unknown_variant(&tag, shape.variants))?,
        Some(other) => {
            return Err(Error::invalid_type(
                unexpected(&other),
                &"variant identifier",
            ));
        }
    };
    if let Some(fields) = shape.fields {
        let known = fields[variant];
        if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(Error::unknown_field(k, known));
        }
    }
    Ok((variant, Fields(map)))
}

/// How an error names a value.
fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Debug;

    use serde::de::DeserializeOwned;

    use crate::challenges::Goal;
    use crate::components::object_store::ObjectSizes;
    use crate::components::server::fleet::Track;
    use crate::resilience::Backoff;
    use crate::resilience::hedge::HedgeAfter;
    use crate::topology::FaultAction;

    /// Reads one object as a type and shows the result or the error.
    type Reader = fn(&str) -> String;

    fn show<T: DeserializeOwned + Debug>(json: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(json).expect("json");
        match serde_json::from_value::<T>(v) {
            Ok(t) => format!("{t:?}"),
            Err(e) => format!("error: {e}"),
        }
    }

    /// What serde's derive read from each object (values, defaults, error words), recorded at main
    /// 1527dce, before these enums were read here.
    #[test]
    fn every_enum_reads_what_the_derive_read() {
        let cases: &[(Reader, &str, &str)] = &[
            (
                show::<FaultAction>,
                r#"{"type":"kill","node":"a"}"#,
                r#"Kill { node: "a" }"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":"partition","name":"p"}"#,
                r#"Partition { name: "p", nodes: [], region: "" }"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":"partition","name":"p","nodes":["a","b"],"region":"eu"}"#,
                r#"Partition { name: "p", nodes: ["a", "b"], region: "eu" }"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":"slow","node":"a","factor":3}"#,
                r#"Slow { node: "a", factor: 3.0 }"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":"spike","factor":3.5,"duration_s":2}"#,
                r#"Spike { factor: 3.5, duration_s: 2.0 }"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":"explode"}"#,
                r#"error: unknown variant `explode`, expected one of `kill`, `revive`, `slow`, `cut_link`, `heal_link`, `spike`, `partition`, `heal_partition`"#,
            ),
            (
                show::<FaultAction>,
                r#"{"node":"a"}"#,
                r#"error: missing field `type`"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":"kill"}"#,
                r#"error: missing field `node`"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":"kill","node":"a","factor":2}"#,
                r#"error: unknown field `factor`, expected `node`"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":"slow","node":"a","factor":"x"}"#,
                r#"error: invalid type: string "x", expected f64"#,
            ),
            (
                show::<FaultAction>,
                r#""kill""#,
                r#"error: invalid type: string "kill", expected internally tagged enum FaultAction"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":3,"node":"a"}"#,
                r#"error: invalid type: integer `3`, expected variant identifier"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":"kill","node":null}"#,
                r#"error: invalid type: null, expected a string"#,
            ),
            (
                show::<FaultAction>,
                r#"{"type":"partition","name":"p","nodes":"a"}"#,
                r#"error: invalid type: string "a", expected a sequence"#,
            ),
            (
                show::<Track>,
                r#"{"type":"cpu"}"#,
                r#"Cpu { target_utilization: 0.6 }"#,
            ),
            (
                show::<Track>,
                r#"{"type":"queue_per_instance","target_queue":7}"#,
                r#"QueuePerInstance { target_queue: 7.0 }"#,
            ),
            (
                show::<Track>,
                r#"{"type":"rps_per_instance"}"#,
                r#"RpsPerInstance { target_rps: 100.0 }"#,
            ),
            (
                show::<Track>,
                r#"{"type":"cpu","target_queue":7}"#,
                r#"error: unknown field `target_queue`, expected `target_utilization`"#,
            ),
            (
                show::<ObjectSizes>,
                r#"{"type":"constant","bytes":1000}"#,
                r#"Constant { bytes: 1000 }"#,
            ),
            (
                show::<ObjectSizes>,
                r#"{"type":"log_uniform","min_bytes":1,"max_bytes":5000000000}"#,
                r#"error: invalid value: integer `5000000000`, expected u32"#,
            ),
            (
                show::<ObjectSizes>,
                r#"{"type":"log_uniform","min_bytes":1.5,"max_bytes":5}"#,
                r#"error: invalid type: floating point `1.5`, expected u32"#,
            ),
            (
                show::<ObjectSizes>,
                r#"{"type":"log_uniform","min_bytes":-1,"max_bytes":5}"#,
                r#"error: invalid value: integer `-1`, expected u32"#,
            ),
            (
                show::<Backoff>,
                r#"{"type":"fixed"}"#,
                r#"Fixed { delay_ms: 100.0 }"#,
            ),
            (
                show::<Backoff>,
                r#"{"type":"exponential","cap_ms":50}"#,
                r#"Exponential { base_ms: 100.0, cap_ms: 50.0 }"#,
            ),
            (
                show::<Backoff>,
                r#"{"type":"exponential","base_ms":1,"cap_ms":50}"#,
                r#"Exponential { base_ms: 1.0, cap_ms: 50.0 }"#,
            ),
            (
                show::<Backoff>,
                r#"{"type":"linear"}"#,
                r#"error: unknown variant `linear`, expected `fixed` or `exponential`"#,
            ),
            (
                show::<HedgeAfter>,
                r#"{"type":"percentile"}"#,
                r#"Percentile { p: 95.0 }"#,
            ),
            (
                show::<HedgeAfter>,
                r#"{"type":"fixed","ms":3}"#,
                r#"Fixed { ms: 3.0 }"#,
            ),
            (
                show::<Goal>,
                r#"{"measure":"latency","percentile":"p99","at_most":200}"#,
                r#"Goal { measure: Latency { percentile: P99 }, at_most: Some(200.0), at_least: None }"#,
            ),
            (
                show::<Goal>,
                r#"{"measure":"error_rate","at_most":0.01}"#,
                r#"Goal { measure: ErrorRate { client: None }, at_most: Some(0.01), at_least: None }"#,
            ),
            (
                show::<Goal>,
                r#"{"measure":"error_rate","client":"c","at_least":0.5}"#,
                r#"Goal { measure: ErrorRate { client: Some("c") }, at_most: None, at_least: Some(0.5) }"#,
            ),
            (
                show::<Goal>,
                r#"{"measure":"stale_reads","at_most":0}"#,
                r#"Goal { measure: StaleReads, at_most: Some(0.0), at_least: None }"#,
            ),
            (
                show::<Goal>,
                r#"{"measure":"param","kind":"server","param":"workers","at_most":4}"#,
                r#"Goal { measure: Param { kind: "server", param: "workers" }, at_most: Some(4.0), at_least: None }"#,
            ),
            (
                show::<Goal>,
                r#"{"measure":"nodes","at_most":4}"#,
                r#"Goal { measure: Nodes { kind: None }, at_most: Some(4.0), at_least: None }"#,
            ),
            (
                show::<Goal>,
                r#"{"measure":"hit_ratio","node":"cache","extra":1}"#,
                r#"Goal { measure: HitRatio { node: "cache" }, at_most: None, at_least: None }"#,
            ),
            (
                show::<Goal>,
                r#"{"measure":"hit_ratio"}"#,
                r#"error: missing field `node`"#,
            ),
            (
                show::<Goal>,
                r#"{"measure":"speed"}"#,
                r#"error: unknown variant `speed`, expected one of `latency`, `node_p99`, `error_rate`, `stale_reads`, `lost_writes`, `duplicate_effects`, `attacks_served`, `hit_ratio`, `arrivals`, `dropped`, `authenticated`, `load`, `nodes`, `database_instances`, `param`"#,
            ),
            (
                show::<Goal>,
                r#"{"at_most":1}"#,
                r#"error: missing field `measure`"#,
            ),
        ];
        for (read, json, want) in cases {
            assert_eq!(read(json), *want, "{json}");
        }
    }

    #[test]
    fn what_is_written_reads_back() {
        use crate::components::server::fleet::Track as T;
        for t in [
            T::Cpu {
                target_utilization: 0.7,
            },
            T::QueuePerInstance { target_queue: 3.0 },
            T::RpsPerInstance { target_rps: 50.0 },
        ] {
            let v = serde_json::to_value(t).expect("writes");
            assert_eq!(serde_json::from_value::<T>(v).ok(), Some(t));
        }
        for c in crate::challenges::all() {
            for g in &c.goals {
                let v = serde_json::to_value(g).expect("writes");
                assert_eq!(serde_json::from_value::<Goal>(v).ok().as_ref(), Some(g));
            }
        }
    }
}
