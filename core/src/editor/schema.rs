//! The inspector's parameter schema: which control edits each parameter (number with unit, choice, toggle),
//! derived from a kind's default parameter JSON plus a small table of labels and units (taken from the `[ms]`,
//! `[req/s]` notes on the params structs), falling back on the JSON value's type so a new kind still gets
//! sensible controls. Also the pure edit step: text from a control in, the new parameter object out.

use serde_json::{Map, Value};

/// How a parameter is edited.
#[derive(Clone, Debug, PartialEq)]
pub enum Control {
    /// A number typed as text. `optional` numbers may be left empty (stored as `null` or omitted).
    Number {
        /// unit shown after the box, empty for a plain count
        unit: &'static str,
        /// whether only whole non-negative numbers are accepted
        integer: bool,
        /// whether the box may be empty, and what empty means (`unbounded`, `default`)
        empty_means: Option<&'static str>,
    },
    /// An on/off switch.
    Toggle,
    /// A heading for the fields of a nested object (`health_check`); it edits nothing itself.
    Group,
    /// One of a few named values (a strategy, a distribution's type, …).
    Choice {
        /// the values, in display order
        choices: Vec<String>,
    },
}

/// The current value of a field, as the control shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    /// text of a number box or the selected choice
    Text(String),
    /// state of a toggle
    Bool(bool),
}

/// A value coming back from a control.
#[derive(Clone, Debug, PartialEq)]
pub enum EditValue {
    /// what was typed or chosen
    Text(String),
    /// a toggle's new state
    Bool(bool),
}

/// One row of the inspector.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// dotted path of the parameter (`rate`, `service_time`, `service_time.mean_ms`)
    pub path: String,
    /// human label
    pub label: String,
    /// how it is edited
    pub control: Control,
    /// what it holds now
    pub value: FieldValue,
    /// nesting depth (0 for a top-level parameter), for indentation
    pub depth: u32,
}

/// Families of tagged objects (`{"type": …}`) and their variants, in menu order.
const DIST_VARIANTS: &[&str] = &[
    "constant",
    "exponential",
    "uniform",
    "log_normal",
    "bimodal",
];
const ARRIVAL_VARIANTS: &[&str] = &["poisson", "constant", "bursty", "ramp", "diurnal"];
const KEYS_VARIANTS: &[&str] = &["uniform", "zipf"];
/// The choice that clears an optional tagged object back to its default.
pub const DEFAULT_CHOICE: &str = "default";

/// Values of string parameters, by parameter name.
const STRING_CHOICES: &[(&str, &[&str])] = &[
    (
        "strategy",
        &[
            "round_robin",
            "weighted_round_robin",
            "least_connections",
            "ip_hash",
            "random",
            "power_of_two",
        ],
    ),
    ("eviction", &["lru", "lfu", "fifo", "random"]),
    ("when_full", &["reject", "drop"]),
    (
        "pattern",
        &[
            "cache_aside",
            "read_through",
            "write_through",
            "write_around",
            "write_behind",
        ],
    ),
    ("preset", &["plain", "sql", "nosql"]),
    ("replication", &["async", "sync"]),
    ("sharding", &["hash", "range", "consistent"]),
];

/// Display names of choices that are acronyms or need more than capitalisation.
const CHOICE_LABELS: &[(&str, &str)] = &[
    ("lru", "LRU"),
    ("lfu", "LFU"),
    ("fifo", "FIFO"),
    ("ip_hash", "IP hash"),
    ("power_of_two", "Power of two choices"),
    ("log_normal", "Log-normal"),
    ("zipf", "Zipf"),
    ("plain", "Plain (service time only)"),
    ("sql", "SQL"),
    ("nosql", "NoSQL"),
    ("async", "Asynchronous"),
    ("sync", "Synchronous"),
    ("range", "Key range"),
    ("consistent", "Consistent hashing"),
    (DEFAULT_CHOICE, "Default (from settings)"),
];

/// Labels by parameter name; others are derived from the name.
const LABELS: &[(&str, &str)] = &[
    ("rate", "Request rate"),
    ("read_fraction", "Read fraction"),
    ("timeout_ms", "Timeout"),
    ("size_bytes", "Request size"),
    ("addresses", "Client addresses"),
    ("virtual_nodes", "Virtual nodes"),
    ("queue_capacity", "Queue capacity"),
    ("service_time", "Service time"),
    ("error_probability", "Error probability"),
    ("blocking_calls", "Blocking calls"),
    ("health_check", "Health check"),
    ("mean_ms", "Mean"),
    ("median_ms", "Median"),
    ("ms", "Value"),
    ("min_ms", "Minimum"),
    ("max_ms", "Maximum"),
    ("fast_ms", "Fast mean"),
    ("slow_ms", "Slow mean"),
    ("slow_probability", "Slow share"),
    ("on_s", "Burst length"),
    ("off_s", "Silence length"),
    ("to_rate", "End rate"),
    ("period_s", "Period"),
    ("count", "Distinct keys"),
    ("s", "Skew"),
    ("interval_ms", "Probe interval"),
    ("unhealthy_threshold", "Down after fails"),
    ("healthy_threshold", "Up after passes"),
    ("enabled", "Enabled"),
    ("consumers", "Consumers (pollers)"),
    ("when_full", "When full"),
    ("visibility_timeout_ms", "Visibility timeout"),
    ("max_receives", "Dead-letter after deliveries"),
    ("partitions", "Partitions"),
    ("retry_ms", "Retry failed after"),
    ("preset", "Engine"),
    ("rows", "Rows at start"),
    ("indexed", "Indexed lookups"),
    ("indexes", "Secondary indexes"),
    ("join_tables", "Tables joined per read"),
    ("replicas", "Read replicas per shard"),
    ("lag_ms", "Replication lag"),
    ("multi_primary", "Multi-primary"),
    ("primary_failure_s", "Primary fails at"),
    ("failover_ms", "Failover detection"),
    ("key_space", "Key space (range)"),
    ("cross_shard_reads", "Reads fan out to all shards"),
];

/// Order of top-level parameters in the inspector; unlisted ones follow alphabetically.
const ORDER: &[&str] = &[
    "rate",
    "arrival",
    "read_fraction",
    "keys",
    "timeout_ms",
    "addresses",
    "size_bytes",
    "strategy",
    "health_check",
    "virtual_nodes",
    "workers",
    "queue_capacity",
    "service_time",
    "speed",
    "error_probability",
    "blocking_calls",
    "when_full",
    "consumers",
    "visibility_timeout_ms",
    "max_receives",
    "partitions",
    "retry_ms",
    "preset",
    "rows",
    "indexed",
    "indexes",
    "join_tables",
    "replicas",
    "replication",
    "lag_ms",
    "multi_primary",
    "primary_failure_s",
    "failover_ms",
    "shards",
    "sharding",
    "key_space",
    "cross_shard_reads",
    "latency",
    "loss",
    "weight",
];

/// Parameters whose `null` default means something, with the word shown in the empty box.
const EMPTY_MEANS: &[(&str, &str)] = &[
    ("queue_capacity", "unbounded"),
    ("capacity", "unlimited"),
    ("ttl_ms", "forever"),
    ("refresh_ahead", "off"),
    ("loss", "default"),
    ("weight", "1"),
    ("max_receives", "never"),
    ("primary_failure_s", "never"),
];

/// Parameters that are whole numbers even when their default is `null`.
const INTEGERS: &[&str] = &["queue_capacity", "capacity", "weight", "max_receives"];

/// The unit of a parameter, from its name (the params structs document `[ms]`, `[s]`, `[req/s]`, …).
pub fn unit(name: &str) -> &'static str {
    match name {
        "rate" | "to_rate" => "req/s",
        "size_bytes" => "bytes",
        "speed" => "×",
        "ms" => "ms",
        "read_fraction" | "amplitude" | "loss" | "refresh_ahead" => "0–1",
        _ if name.ends_with("_ms") => "ms",
        _ if name.ends_with("_s") => "s",
        _ if name.ends_with("probability") => "0–1",
        _ => "",
    }
}

/// A human label for a parameter name.
pub fn label(name: &str) -> String {
    if let Some((_, l)) = LABELS.iter().find(|(n, _)| *n == name) {
        return (*l).to_string();
    }
    humanize(name.trim_end_matches("_ms").trim_end_matches("_s"))
}

/// How a choice is shown: `round_robin` → `Round robin`, `lru` → `LRU`.
pub fn choice_label(choice: &str) -> String {
    match CHOICE_LABELS.iter().find(|(c, _)| *c == choice) {
        Some((_, l)) => (*l).to_string(),
        None => humanize(choice),
    }
}

/// `round_robin` → `Round robin`.
pub fn humanize(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The variants of the tagged-object family that a parameter belongs to, recognised by its name or its
/// current `type`.
fn variants(name: &str, current_type: Option<&str>) -> Option<&'static [&'static str]> {
    match name {
        "arrival" => Some(ARRIVAL_VARIANTS),
        "keys" => Some(KEYS_VARIANTS),
        "latency" | "service_time" => Some(DIST_VARIANTS),
        _ => [DIST_VARIANTS, ARRIVAL_VARIANTS, KEYS_VARIANTS]
            .into_iter()
            .find(|f| current_type.is_some_and(|t| f.contains(&t))),
    }
}

fn order_key(name: &str) -> (usize, String) {
    (
        ORDER.iter().position(|o| *o == name).unwrap_or(ORDER.len()),
        name.to_string(),
    )
}

fn number_text(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) => format!("{x}"),
        None => String::new(),
    }
}

/// The inspector rows for a parameter object: `defaults` gives every parameter and its type, `current` the
/// values set (missing ones show the default).
pub fn fields(defaults: &Map<String, Value>, current: &Map<String, Value>) -> Vec<Field> {
    let mut keys: Vec<&String> = defaults.keys().collect();
    keys.sort_by_key(|k| order_key(k));
    let mut out = Vec::new();
    for key in keys {
        let default = &defaults[key.as_str()];
        let value = current.get(key.as_str()).unwrap_or(default);
        push_fields(&mut out, key, key, default, value, 0);
    }
    out
}

fn push_fields(
    out: &mut Vec<Field>,
    path: &str,
    name: &str,
    default: &Value,
    value: &Value,
    depth: u32,
) {
    let field = |control, value| Field {
        path: path.to_string(),
        label: label(name),
        control,
        value,
        depth,
    };
    let empty_means = EMPTY_MEANS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, m)| *m);
    match value {
        Value::Bool(b) => out.push(field(Control::Toggle, FieldValue::Bool(*b))),
        Value::Number(_) => out.push(field(
            Control::Number {
                unit: unit(name),
                integer: INTEGERS.contains(&name) || default.is_u64() || default.is_i64(),
                empty_means,
            },
            FieldValue::Text(number_text(value)),
        )),
        Value::String(s) => {
            let choices = STRING_CHOICES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, c)| c.iter().map(|c| (*c).to_string()).collect())
                .unwrap_or_else(|| vec![s.clone()]);
            out.push(field(
                Control::Choice { choices },
                FieldValue::Text(s.clone()),
            ));
        }
        Value::Object(obj) => {
            let tag = obj.get("type").and_then(Value::as_str);
            if let Some(tag) = tag {
                let mut choices: Vec<String> = match variants(name, Some(tag)) {
                    Some(v) => v.iter().map(|c| (*c).to_string()).collect(),
                    None => vec![tag.to_string()],
                };
                if default.is_null() {
                    choices.insert(0, DEFAULT_CHOICE.to_string());
                }
                out.push(field(
                    Control::Choice { choices },
                    FieldValue::Text(tag.to_string()),
                ));
            }
            if tag.is_none() {
                out.push(field(Control::Group, FieldValue::Text(String::new())));
            }
            let default_obj = default.as_object();
            for (k, v) in obj {
                if k == "type" {
                    continue;
                }
                let d = default_obj
                    .filter(|d| d.get("type").and_then(Value::as_str) == tag)
                    .and_then(|d| d.get(k))
                    .unwrap_or(v);
                push_fields(out, &format!("{path}.{k}"), k, d, v, depth + 1);
            }
        }
        Value::Null => {
            if let Some(family) = variants(name, None) {
                let mut choices = vec![DEFAULT_CHOICE.to_string()];
                choices.extend(family.iter().map(|c| (*c).to_string()));
                out.push(field(
                    Control::Choice { choices },
                    FieldValue::Text(DEFAULT_CHOICE.to_string()),
                ));
            } else {
                out.push(field(
                    Control::Number {
                        unit: unit(name),
                        integer: INTEGERS.contains(&name),
                        empty_means: Some(empty_means.unwrap_or("default")),
                    },
                    FieldValue::Text(String::new()),
                ));
            }
        }
        // Lists have no control yet; they keep their value.
        Value::Array(_) => {}
    }
}

/// The first number in a distribution object that reads as its typical value [ms], used to carry the scale
/// over when the distribution type changes.
fn typical_ms(old: Option<&Value>) -> f64 {
    let obj = old.and_then(Value::as_object);
    ["mean_ms", "ms", "median_ms", "fast_ms", "min_ms"]
        .iter()
        .find_map(|k| obj.and_then(|o| o.get(*k)).and_then(Value::as_f64))
        .unwrap_or(20.0)
}

/// A fresh object of `variant`, carrying over what makes sense from `old`.
fn template(family: &[&str], variant: &str, old: Option<&Value>) -> Value {
    use serde_json::json;
    if std::ptr::eq(family, DIST_VARIANTS) {
        let m = typical_ms(old);
        match variant {
            "constant" => json!({"type": "constant", "ms": m}),
            "exponential" => json!({"type": "exponential", "mean_ms": m}),
            "uniform" => json!({"type": "uniform", "min_ms": m / 2.0, "max_ms": m * 1.5}),
            "log_normal" => json!({"type": "log_normal", "median_ms": m, "sigma": 0.5}),
            _ => {
                json!({"type": variant, "fast_ms": m, "slow_ms": m * 10.0, "slow_probability": 0.05})
            }
        }
    } else if std::ptr::eq(family, KEYS_VARIANTS) {
        let count = old
            .and_then(|o| o.get("count"))
            .and_then(Value::as_u64)
            .unwrap_or(10_000);
        match variant {
            "zipf" => json!({"type": "zipf", "count": count, "s": 1.0}),
            _ => json!({"type": variant, "count": count}),
        }
    } else {
        match variant {
            "bursty" => json!({"type": "bursty", "on_s": 1.0, "off_s": 1.0}),
            "ramp" => json!({"type": "ramp", "to_rate": 200.0}),
            "diurnal" => json!({"type": "diurnal", "period_s": 60.0, "amplitude": 0.5}),
            _ => json!({ "type": variant }),
        }
    }
}

/// Reads a number typed by a person: spaces and `_` separate thousands; a decimal comma is accepted.
fn parse_number(text: &str, label: &str, integer: bool) -> Result<f64, String> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let x: f64 = cleaned
        .parse()
        .map_err(|_| format!("{label}: “{}” is not a number", text.trim()))?;
    if !x.is_finite() {
        return Err(format!("{label} must be a finite number"));
    }
    if integer && (x.fract() != 0.0 || x < 0.0 || x > f64::from(u32::MAX)) {
        return Err(format!("{label} must be a whole number, 0 or more"));
    }
    Ok(x)
}

/// Sets `value` at the dotted `path` inside `root`, creating nothing: the path must exist.
fn set_path(root: &mut Value, path: &[&str], value: Value) -> bool {
    let Some((first, rest)) = path.split_first() else {
        *root = value;
        return true;
    };
    match root.as_object_mut().and_then(|o| o.get_mut(*first)) {
        Some(child) => set_path(child, rest, value),
        None => false,
    }
}

/// The parameter object after setting the field at `path` to `value`: only the field's top-level parameter
/// changes. Fails with a message naming the field when the text is not a value of the field's type or the
/// path is not a field. Range checks are the caller's (core's `Params::problems`).
pub fn apply_edit(
    defaults: &Map<String, Value>,
    current: &Map<String, Value>,
    path: &str,
    value: &EditValue,
) -> Result<Map<String, Value>, String> {
    let all = fields(defaults, current);
    let field = all
        .iter()
        .find(|f| f.path == path)
        .ok_or_else(|| format!("unknown parameter `{path}`"))?;
    let segments: Vec<&str> = path.split('.').collect();
    let top = segments[0];
    let name = segments[segments.len() - 1];
    let new_value = match (&field.control, value) {
        (Control::Toggle, EditValue::Bool(b)) => Value::Bool(*b),
        (
            Control::Number {
                integer,
                empty_means,
                ..
            },
            EditValue::Text(t),
        ) => {
            if t.trim().is_empty() {
                if empty_means.is_some() {
                    Value::Null
                } else {
                    return Err(format!("{} needs a value", field.label));
                }
            } else {
                let x = parse_number(t, &field.label, *integer)?;
                if *integer {
                    Value::from(x as u64)
                } else {
                    serde_json::Number::from_f64(x)
                        .map(Value::Number)
                        .ok_or_else(|| format!("{} must be a finite number", field.label))?
                }
            }
        }
        (Control::Choice { choices }, EditValue::Text(t)) => {
            if !choices.contains(t) {
                return Err(format!("{}: “{t}” is not one of the choices", field.label));
            }
            let old = current.get(top).or_else(|| defaults.get(top));
            let old_at = segments
                .iter()
                .skip(1)
                .try_fold(old, |v, s| v.and_then(|v| v.get(*s)).map(Some))
                .flatten();
            let is_tagged = old_at.is_some_and(|v| v.get("type").is_some())
                || old_at.is_none_or(Value::is_null) && variants(name, None).is_some();
            if t == DEFAULT_CHOICE {
                Value::Null
            } else if is_tagged {
                let current_type = old_at.and_then(|v| v.get("type")).and_then(Value::as_str);
                match variants(name, current_type) {
                    Some(family) => template(family, t, old_at),
                    None => serde_json::json!({ "type": t }),
                }
            } else {
                Value::String(t.clone())
            }
        }
        _ => return Err(format!("{} cannot take that kind of value", field.label)),
    };
    let mut top_value = current
        .get(top)
        .or_else(|| defaults.get(top))
        .cloned()
        .unwrap_or(Value::Null);
    if !set_path(&mut top_value, &segments[1..], new_value) {
        return Err(format!("unknown parameter `{path}`"));
    }
    let mut next = current.clone();
    if top_value.is_null() && defaults.get(top).is_some_and(Value::is_null) {
        // An optional parameter back at its default is left out, as a hand-written file would.
        next.remove(top);
    } else {
        next.insert(top.to_string(), top_value);
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::{KINDS, Kind, parse_params};
    use serde_json::json;

    fn control(kind: Kind, path: &str) -> Control {
        fields(&kind.default_params(), &Map::new())
            .into_iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} is a field"))
            .control
    }

    #[test]
    fn every_kind_gets_a_field_for_every_default_parameter() {
        for info in KINDS {
            let defaults = info.kind.default_params();
            let fs = fields(&defaults, &Map::new());
            for key in defaults.keys() {
                assert!(
                    fs.iter()
                        .any(|f| f.path == *key || f.path.starts_with(&format!("{key}."))),
                    "{}: no field for {key}",
                    info.name
                );
            }
        }
    }

    #[test]
    fn messaging_parameters_get_their_controls() {
        let Control::Choice { choices } = control(Kind::Queue, "when_full") else {
            panic!("when_full is a choice")
        };
        assert_eq!(choices, ["reject", "drop"]);
        assert_eq!(
            control(Kind::Queue, "max_receives"),
            Control::Number {
                unit: "",
                integer: true,
                empty_means: Some("never")
            }
        );
        assert!(matches!(
            control(Kind::Queue, "visibility_timeout_ms"),
            Control::Number { unit: "ms", .. }
        ));
        assert!(matches!(
            control(Kind::Stream, "partitions"),
            Control::Number { integer: true, .. }
        ));
    }

    #[test]
    fn controls_follow_units_types_and_choices() {
        assert_eq!(
            control(Kind::Client, "rate"),
            Control::Number {
                unit: "req/s",
                integer: false,
                empty_means: None
            }
        );
        assert_eq!(
            control(Kind::Client, "timeout_ms"),
            Control::Number {
                unit: "ms",
                integer: false,
                empty_means: None
            }
        );
        assert!(matches!(
            control(Kind::Server, "workers"),
            Control::Number { integer: true, .. }
        ));
        assert!(matches!(
            control(Kind::Server, "queue_capacity"),
            Control::Number {
                integer: true,
                empty_means: Some("unbounded"),
                ..
            }
        ));
        assert_eq!(control(Kind::Server, "blocking_calls"), Control::Toggle);
        assert_eq!(
            control(Kind::LoadBalancer, "health_check.enabled"),
            Control::Toggle
        );
        let Control::Choice { choices } = control(Kind::Server, "service_time") else {
            panic!("service time is a choice")
        };
        assert!(choices.contains(&"log_normal".to_string()));
    }

    #[test]
    fn database_fields_offer_engines_replication_and_sharding() {
        let choices = |path| match control(Kind::Database, path) {
            Control::Choice { choices } => choices,
            other => panic!("{path}: {other:?}"),
        };
        assert_eq!(choices("preset"), ["plain", "sql", "nosql"]);
        assert_eq!(choices("replication"), ["async", "sync"]);
        assert_eq!(choices("sharding"), ["hash", "range", "consistent"]);
        assert_eq!(
            control(Kind::Database, "primary_failure_s"),
            Control::Number {
                unit: "s",
                integer: false,
                empty_means: Some("never")
            }
        );
        assert_eq!(control(Kind::Database, "multi_primary"), Control::Toggle);
        assert_eq!(choice_label("nosql"), "NoSQL");
    }

    #[test]
    fn every_offered_choice_decodes_in_core() {
        for info in KINDS {
            let defaults = info.kind.default_params();
            for f in fields(&defaults, &Map::new()) {
                let Control::Choice { choices } = &f.control else {
                    continue;
                };
                for c in choices {
                    let next =
                        apply_edit(&defaults, &Map::new(), &f.path, &EditValue::Text(c.clone()))
                            .unwrap_or_else(|e| panic!("{} {} = {c}: {e}", info.name, f.path));
                    let parsed = parse_params(info.kind, &next);
                    assert!(parsed.is_ok(), "{} {} = {c}: {parsed:?}", info.name, f.path);
                }
            }
        }
    }

    #[test]
    fn numbers_are_parsed_leniently_but_never_stored_wrong() {
        let d = Kind::Server.default_params();
        let m = apply_edit(
            &d,
            &Map::new(),
            "workers",
            &EditValue::Text(" 1 000 ".into()),
        )
        .expect("ok");
        assert_eq!(m["workers"], json!(1000));
        assert!(apply_edit(&d, &Map::new(), "workers", &EditValue::Text("2.5".into())).is_err());
        assert!(apply_edit(&d, &Map::new(), "workers", &EditValue::Text("many".into())).is_err());
        assert!(apply_edit(&d, &Map::new(), "speed", &EditValue::Text("".into())).is_err());
        let m = apply_edit(
            &d,
            &Map::new(),
            "queue_capacity",
            &EditValue::Text("".into()),
        )
        .expect("ok");
        assert_eq!(m["queue_capacity"], Value::Null);
        let m = apply_edit(
            &d,
            &Map::new(),
            "service_time.mean_ms",
            &EditValue::Text("7,5".into()),
        )
        .expect("ok");
        assert_eq!(
            m["service_time"],
            json!({"type": "exponential", "mean_ms": 7.5})
        );
        assert!(apply_edit(&d, &Map::new(), "nope", &EditValue::Text("1".into())).is_err());
    }

    #[test]
    fn switching_a_distribution_keeps_its_scale() {
        let d = Kind::Server.default_params();
        let mut cur = Map::new();
        cur.insert(
            "service_time".into(),
            json!({"type": "exponential", "mean_ms": 8}),
        );
        let m = apply_edit(
            &d,
            &cur,
            "service_time",
            &EditValue::Text("constant".into()),
        )
        .expect("ok");
        assert_eq!(m["service_time"], json!({"type": "constant", "ms": 8.0}));
    }

    #[test]
    fn optional_tagged_objects_offer_and_accept_the_default() {
        let mut d = Map::new();
        d.insert("latency".into(), Value::Null);
        d.insert("weight".into(), Value::Null);
        let fs = fields(&d, &Map::new());
        assert_eq!(fs[0].path, "latency");
        assert_eq!(fs[0].value, FieldValue::Text(DEFAULT_CHOICE.into()));
        let m = apply_edit(
            &d,
            &Map::new(),
            "latency",
            &EditValue::Text("constant".into()),
        )
        .expect("ok");
        assert_eq!(m["latency"], json!({"type": "constant", "ms": 20.0}));
        let back =
            apply_edit(&d, &m, "latency", &EditValue::Text(DEFAULT_CHOICE.into())).expect("ok");
        assert!(!back.contains_key("latency"));
        let w = apply_edit(&d, &Map::new(), "weight", &EditValue::Text("3".into())).expect("ok");
        assert_eq!(w["weight"], json!(3));
    }

    #[test]
    fn unknown_shapes_fall_back_on_the_json_type() {
        let mut d = Map::new();
        d.insert("fancy_ms".into(), json!(2.5));
        d.insert("mode".into(), json!("fast"));
        d.insert("on".into(), json!(false));
        let fs = fields(&d, &Map::new());
        assert!(fs.iter().any(
            |f| f.path == "fancy_ms" && matches!(f.control, Control::Number { unit: "ms", .. })
        ));
        assert!(fs.iter().any(|f| f.path == "mode"
            && matches!(&f.control, Control::Choice { choices } if choices == &["fast"])));
        assert!(
            fs.iter()
                .any(|f| f.path == "on" && f.control == Control::Toggle)
        );
        assert_eq!(label("fancy_ms"), "Fancy");
        assert_eq!(choice_label("lru"), "LRU");
        assert_eq!(choice_label("round_robin"), "Round robin");
    }
}
