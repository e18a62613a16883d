//! The inspector's parameter schema: which control edits each parameter (number with unit, choice, toggle,
//! free text, an optional object added with its defaults), derived from a kind's default parameter JSON plus a
//! small table of labels and units (taken from the `[ms]`, `[req/s]` notes on the params structs), falling
//! back on the JSON value's type so a new kind still gets sensible controls. Also the pure edit step: text
//! from a control in, the new parameter object out.

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
    /// Free text (a hostname, a request path, a gateway's routing table); what it must look like is core's
    /// `Params::problems`.
    Text {
        /// an example shown in the empty box
        placeholder: &'static str,
        /// whether it holds lines (a routing table: one rule per line or separated by `;`)
        multiline: bool,
    },
    /// An optional object (a retry policy, a circuit breaker, a retry budget, idempotency keys): absent
    /// (`null`) or present with its fields on the rows that follow. Turning it on (`EditValue::Bool(true)`)
    /// stores the object's defaults; off stores `null`.
    Optional,
}

/// The current value of a field, as the control shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    /// text of a number box or the selected choice
    Text(String),
    /// state of a toggle, or whether an optional object is present
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
const BACKOFF_VARIANTS: &[&str] = &["exponential", "fixed"];
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
    ("jitter", &["none", "full", "equal", "decorrelated"]),
    ("window", &["count", "time"]),
    ("calls", &["every", "one"]),
    ("auth", &["none", "jwt", "session"]),
    (
        "algorithm",
        &[
            "fixed_window",
            "sliding_log",
            "sliding_window",
            "token_bucket",
            "leaky_bucket",
        ],
    ),
    ("key", &["global", "client_address", "api_key"]),
];

/// String parameters edited as free text, with the example shown in an empty box and whether it holds
/// lines.
const FREE_TEXT: &[(&str, &str, bool)] = &[
    ("hostname", "www.example.com", false),
    ("path", "/", false),
    (
        "routes",
        "GET /users -> users\nPOST /orders -> orders",
        true,
    ),
];

/// Optional objects (`null` by default) and the object a person gets on adding one: the params structs'
/// own defaults, so what is offered is what core would assume.
fn optional_default(name: &str) -> Option<Value> {
    use crate::components::rate_limiter::LimiterParams;
    use crate::components::server::Idempotency;
    use crate::resilience::{BreakerParams, RetryBudget, RetryPolicy};
    let v = match name {
        "retry" => serde_json::to_value(RetryPolicy::default()),
        "budget" => serde_json::to_value(RetryBudget::default()),
        "breaker" => serde_json::to_value(BreakerParams::default()),
        "idempotency" => serde_json::to_value(Idempotency::default()),
        "rate_limit" => serde_json::to_value(LimiterParams::default()),
        _ => return None,
    };
    v.ok()
}

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
    ("equal", "Equal"),
    ("count", "Calls"),
    ("time", "Seconds"),
    ("every", "All, in turn"),
    ("one", "One, by key"),
    ("jwt", "JWT"),
    ("session", "Session"),
    ("fixed_window", "Fixed window"),
    ("sliding_log", "Sliding log"),
    ("sliding_window", "Sliding window"),
    ("token_bucket", "Token bucket"),
    ("leaky_bucket", "Leaky bucket"),
    ("client_address", "Address"),
    ("global", "All (global)"),
    ("api_key", "API key"),
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
    // clients
    ("hostname", "Hostname"),
    ("static_fraction", "Static content share"),
    ("retry", "Retries"),
    ("path", "Request path"),
    ("api_keys", "API keys"),
    ("malicious_fraction", "Attack share (SQLi, XSS)"),
    // retry policies
    ("max_attempts", "Max attempts"),
    ("backoff", "Backoff"),
    ("delay_ms", "Wait"),
    ("base_ms", "First wait"),
    ("cap_ms", "Longest wait"),
    ("jitter", "Jitter"),
    ("budget", "Retry budget"),
    ("ratio", "Retries per first attempt"),
    ("burst", "Burst"),
    // circuit breakers
    ("breaker", "Circuit breaker"),
    ("window", "Window counts"),
    ("window_size", "Window size"),
    ("minimum_calls", "Minimum calls"),
    ("failure_rate", "Failure rate to open"),
    ("slow_call_ms", "Slow call above"),
    ("slow_call_rate", "Slow-call rate to open"),
    ("open_ms", "Open for"),
    ("half_open_calls", "Half-open trial calls"),
    // servers
    ("calls", "Calls downstream"),
    ("shed_expired", "Shed expired work"),
    ("bulkhead", "Bulkhead (per dependency)"),
    ("side_effects", "Writes have side effects"),
    ("idempotency", "Idempotency keys"),
    ("retention_s", "Keys kept for"),
    // API gateways
    ("process_ms", "Routing CPU"),
    ("auth", "Authentication"),
    ("jwt_verify_ms", "JWT verification"),
    ("tls", "TLS termination"),
    ("tls_handshake_ms", "TLS handshake"),
    ("keepalive_s", "Keep-alive"),
    ("routes", "Routes"),
    // firewalls
    ("inspect_ms", "Inspection CPU"),
    ("signature_rules", "Signature rules (SQLi, XSS)"),
    ("ip_rate_limit", "Per-address limit"),
    ("ip_window_s", "Per-address window"),
    ("block_s", "Block for"),
    // rate limiters
    ("algorithm", "Algorithm"),
    ("limit", "Limit"),
    ("window_ms", "Window"),
    ("key", "Limit per"),
    ("instances", "Instances"),
    ("sync_ms", "Sync between instances"),
    ("rate_limit", "Rate limit"),
];

/// Order of top-level parameters in the inspector; unlisted ones follow alphabetically.
const ORDER: &[&str] = &[
    "rate",
    "arrival",
    "read_fraction",
    "keys",
    "timeout_ms",
    "retry",
    "addresses",
    "api_keys",
    "path",
    "hostname",
    "size_bytes",
    "static_fraction",
    "malicious_fraction",
    "algorithm",
    "limit",
    "window_ms",
    "burst",
    "key",
    "instances",
    "sync_ms",
    "strategy",
    "health_check",
    "virtual_nodes",
    "workers",
    "queue_capacity",
    "service_time",
    "speed",
    "error_probability",
    "blocking_calls",
    "calls",
    "bulkhead",
    "shed_expired",
    "side_effects",
    "idempotency",
    "process_ms",
    "auth",
    "jwt_verify_ms",
    "tls",
    "tls_handshake_ms",
    "keepalive_s",
    "routes",
    "rate_limit",
    "inspect_ms",
    "signature_rules",
    "ip_rate_limit",
    "ip_window_s",
    "block_s",
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
    "breaker",
];

/// Order of the fields inside an object (a retry policy, a breaker); unlisted ones follow alphabetically.
const NESTED_ORDER: &[&str] = &[
    "max_attempts",
    "backoff",
    "delay_ms",
    "base_ms",
    "cap_ms",
    "jitter",
    "budget",
    "ratio",
    "window",
    "window_size",
    "minimum_calls",
    "failure_rate",
    "slow_call_ms",
    "slow_call_rate",
    "open_ms",
    "half_open_calls",
    "algorithm",
    "limit",
    "window_ms",
    "burst",
    "key",
    "instances",
    "sync_ms",
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
    ("bulkhead", "none"),
    ("ip_rate_limit", "off"),
];

/// What an empty box means for parameters that are `null` by default only where they are optional (an
/// edge's `timeout_ms`, a client's must be set; a rate limiter's `burst`, a retry budget's is a plain
/// number), and whether they take whole numbers there.
const NULL_MEANS: &[(&str, &str, bool)] =
    &[("timeout_ms", "none", false), ("burst", "= limit", true)];

/// Parameters that are whole numbers even when their default is `null`.
const INTEGERS: &[&str] = &[
    "queue_capacity",
    "capacity",
    "weight",
    "max_receives",
    "bulkhead",
    "ip_rate_limit",
];

/// The unit of a parameter, from its name (the params structs document `[ms]`, `[s]`, `[req/s]`, …).
pub fn unit(name: &str) -> &'static str {
    match name {
        "rate" | "to_rate" => "req/s",
        "limit" | "ip_rate_limit" | "burst" => "req",
        "size_bytes" => "bytes",
        "speed" => "×",
        "ms" => "ms",
        "read_fraction" | "amplitude" | "loss" | "refresh_ahead" | "static_fraction"
        | "malicious_fraction" | "failure_rate" | "slow_call_rate" | "ratio" => "0–1",
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
        "backoff" => Some(BACKOFF_VARIANTS),
        _ => [
            DIST_VARIANTS,
            ARRIVAL_VARIANTS,
            KEYS_VARIANTS,
            BACKOFF_VARIANTS,
        ]
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

fn nested_order_key(name: &str) -> (usize, String) {
    (
        NESTED_ORDER
            .iter()
            .position(|o| *o == name)
            .unwrap_or(NESTED_ORDER.len()),
        name.to_string(),
    )
}

/// Whether a number parameter takes whole numbers only: listed ones, or ones whose default is a whole
/// number, unless their unit is a time or a share (`1000` ms typed by hand is still a time).
fn is_integer(name: &str, default: &Value) -> bool {
    INTEGERS.contains(&name)
        || ((default.is_u64() || default.is_i64())
            && !matches!(unit(name), "ms" | "s" | "0–1" | "req/s" | "×"))
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
        let value = filled(key, current.get(key.as_str()).unwrap_or(default), default);
        push_fields(&mut out, key, key, default, &value, 0);
    }
    out
}

/// `value` with the keys it leaves out taken from its default (an optional object's being the params
/// struct's defaults): core reads an omitted key as its default, so the inspector shows and edits every
/// field of a hand-written `{"rate_limit": {"limit": 80}}`. An object of another variant (`type`) is left
/// as it is.
fn filled(name: &str, value: &Value, default: &Value) -> Value {
    let default = match default {
        Value::Null => optional_default(name).unwrap_or(Value::Null),
        d => d.clone(),
    };
    let (Value::Object(v), Value::Object(d)) = (value, &default) else {
        return value.clone();
    };
    if v.get("type") != d.get("type") {
        return value.clone();
    }
    let mut out = v.clone();
    for (k, dv) in d {
        let f = match out.get(k) {
            None => dv.clone(),
            Some(cur) => filled(k, cur, dv),
        };
        out.insert(k.clone(), f);
    }
    Value::Object(out)
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
    let null_entry = NULL_MEANS.iter().find(|(n, _, _)| *n == name);
    let null_means = || null_entry.map_or("default", |(_, m, _)| *m);
    let null_integer = default.is_null() && null_entry.is_some_and(|(_, _, i)| *i);
    let optional = optional_default(name);
    match value {
        Value::Bool(b) => out.push(field(Control::Toggle, FieldValue::Bool(*b))),
        Value::Number(_) => out.push(field(
            Control::Number {
                unit: unit(name),
                integer: null_integer || is_integer(name, default),
                empty_means: empty_means.or_else(|| default.is_null().then(null_means)),
            },
            FieldValue::Text(number_text(value)),
        )),
        Value::String(s) if FREE_TEXT.iter().any(|(n, _, _)| *n == name) => {
            let (placeholder, multiline) = FREE_TEXT
                .iter()
                .find(|(n, _, _)| *n == name)
                .map_or(("", false), |(_, p, m)| (*p, *m));
            out.push(field(
                Control::Text {
                    placeholder,
                    multiline,
                },
                FieldValue::Text(s.clone()),
            ));
        }
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
                if optional.is_some() {
                    out.push(field(Control::Optional, FieldValue::Bool(true)));
                } else {
                    out.push(field(Control::Group, FieldValue::Text(String::new())));
                }
            }
            // An optional object's fields take their types from the object's defaults, not from what a
            // hand-written file happens to hold (`"failure_rate": 1` is still a share).
            let default_obj = default
                .as_object()
                .or(optional.as_ref().and_then(Value::as_object));
            let mut keys: Vec<&String> = obj.keys().collect();
            keys.sort_by_key(|k| nested_order_key(k));
            for k in keys {
                let v = &obj[k.as_str()];
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
        Value::Null if optional.is_some() => {
            out.push(field(Control::Optional, FieldValue::Bool(false)));
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
                        integer: null_integer || INTEGERS.contains(&name),
                        empty_means: Some(empty_means.unwrap_or_else(null_means)),
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
    } else if std::ptr::eq(family, BACKOFF_VARIANTS) {
        // The first wait carries over between a fixed and an exponential backoff.
        let obj = old.and_then(Value::as_object);
        let wait = ["base_ms", "delay_ms"]
            .iter()
            .find_map(|k| obj.and_then(|o| o.get(*k)).and_then(Value::as_f64))
            .unwrap_or(100.0);
        match variant {
            "fixed" => json!({"type": "fixed", "delay_ms": wait}),
            _ => {
                json!({"type": "exponential", "base_ms": wait, "cap_ms": (wait * 100.0).max(10_000.0)})
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
    if integer && (x.fract() != 0.0 || x < 0.0) {
        return Err(format!("{label} must be a whole number, 0 or more"));
    }
    if integer && x > 9_007_199_254_740_992.0 {
        return Err(format!("{label} is too large"));
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
        (Control::Optional, EditValue::Bool(on)) => match (on, &field.value) {
            // Already there: keep what was set rather than resetting it to the defaults.
            (true, FieldValue::Bool(true)) => return Ok(current.clone()),
            (true, _) => {
                optional_default(name).ok_or_else(|| format!("{} cannot be added", field.label))?
            }
            (false, _) => Value::Null,
        },
        (Control::Text { multiline, .. }, EditValue::Text(t)) => {
            if *multiline {
                // Lines kept, each trimmed; blank ones dropped.
                let lines: Vec<&str> = t.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
                Value::String(lines.join("\n"))
            } else {
                Value::String(t.trim().to_string())
            }
        }
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
                // The documented range (`docs/limits.md`), with the same words validation uses; zero and
                // negative values keep the parameter's own message ("must be positive", "at least 1").
                if x > 0.0
                    && let Some(m) = crate::limits::param(path)
                        .and_then(|l| crate::limits::out_of_range(path, x, l))
                {
                    return Err(m);
                }
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
    let top_default = defaults.get(top).unwrap_or(&Value::Null);
    let mut top_value = filled(top, current.get(top).unwrap_or(top_default), top_default);
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

    fn choices(kind: Kind, path: &str) -> Vec<String> {
        match control(kind, path) {
            Control::Choice { choices } => choices,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn resilience_and_security_parameters_get_their_controls() {
        assert_eq!(
            choices(Kind::ApiGateway, "auth"),
            ["none", "jwt", "session"]
        );
        assert_eq!(choices(Kind::Server, "calls"), ["every", "one"]);
        assert!(matches!(
            control(Kind::ApiGateway, "routes"),
            Control::Text { placeholder, multiline: true } if placeholder.contains("->")
        ));
        assert!(matches!(
            control(Kind::Client, "path"),
            Control::Text { .. }
        ));
        assert!(matches!(
            control(Kind::Client, "hostname"),
            Control::Text { .. }
        ));
        assert_eq!(control(Kind::ApiGateway, "tls"), Control::Toggle);
        assert!(matches!(
            control(Kind::ApiGateway, "tls_handshake_ms"),
            Control::Number {
                unit: "ms",
                integer: false,
                ..
            }
        ));
        assert!(matches!(
            control(Kind::ApiGateway, "keepalive_s"),
            Control::Number { unit: "s", .. }
        ));
        assert_eq!(
            control(Kind::Waf, "ip_rate_limit"),
            Control::Number {
                unit: "req",
                integer: true,
                empty_means: Some("off")
            }
        );
        assert_eq!(
            choices(Kind::RateLimiter, "algorithm"),
            [
                "fixed_window",
                "sliding_log",
                "sliding_window",
                "token_bucket",
                "leaky_bucket"
            ]
        );
        assert_eq!(
            choices(Kind::RateLimiter, "key"),
            ["global", "client_address", "api_key"]
        );
        assert_eq!(
            control(Kind::RateLimiter, "burst"),
            Control::Number {
                unit: "req",
                integer: true,
                empty_means: Some("= limit")
            }
        );
        assert!(matches!(
            control(Kind::RateLimiter, "window_ms"),
            Control::Number {
                unit: "ms",
                integer: false,
                ..
            }
        ));
        assert_eq!(control(Kind::ApiGateway, "rate_limit"), Control::Optional);
        assert_eq!(
            control(Kind::Server, "bulkhead"),
            Control::Number {
                unit: "",
                integer: true,
                empty_means: Some("none")
            }
        );
        assert_eq!(control(Kind::Server, "shed_expired"), Control::Toggle);
        assert_eq!(control(Kind::Server, "idempotency"), Control::Optional);
        assert_eq!(control(Kind::Client, "retry"), Control::Optional);
        assert!(matches!(
            control(Kind::Client, "malicious_fraction"),
            Control::Number { unit: "0–1", .. }
        ));
        // A client's timeout must be set; only an edge's may be left empty.
        assert!(matches!(
            control(Kind::Client, "timeout_ms"),
            Control::Number {
                empty_means: None,
                ..
            }
        ));
        for info in KINDS {
            for f in fields(&info.kind.default_params(), &Map::new()) {
                assert!(
                    !f.label.contains('_'),
                    "{} {}: label {}",
                    info.name,
                    f.path,
                    f.label
                );
            }
        }
    }

    #[test]
    fn optional_objects_are_added_with_their_defaults_edited_and_removed() {
        let d = Kind::Client.default_params();
        let fs = fields(&d, &Map::new());
        let retry = fs.iter().find(|f| f.path == "retry").expect("retry row");
        assert_eq!(retry.value, FieldValue::Bool(false));
        assert!(!fs.iter().any(|f| f.path.starts_with("retry.")));
        let on = apply_edit(&d, &Map::new(), "retry", &EditValue::Bool(true)).expect("ok");
        assert_eq!(
            on["retry"],
            serde_json::to_value(crate::resilience::RetryPolicy::default()).expect("json")
        );
        assert!(parse_params(Kind::Client, &on).is_ok());
        let paths: Vec<String> = fields(&d, &on)
            .into_iter()
            .filter(|f| f.path.starts_with("retry"))
            .map(|f| f.path)
            .collect();
        assert_eq!(
            paths,
            [
                "retry",
                "retry.max_attempts",
                "retry.backoff",
                "retry.backoff.base_ms",
                "retry.backoff.cap_ms",
                "retry.jitter",
                "retry.budget"
            ]
        );
        let fs = fields(&d, &on);
        let row = |p: &str| fs.iter().find(|f| f.path == p).expect("row").clone();
        assert_eq!(row("retry").value, FieldValue::Bool(true));
        assert_eq!(row("retry.budget").control, Control::Optional);
        assert_eq!(row("retry.backoff.base_ms").depth, 2);
        assert!(matches!(
            row("retry.max_attempts").control,
            Control::Number { integer: true, .. }
        ));
        let Control::Choice { choices } = row("retry.jitter").control else {
            panic!("jitter is a choice")
        };
        assert_eq!(choices, ["none", "full", "equal", "decorrelated"]);
        let budget = apply_edit(&d, &on, "retry.budget", &EditValue::Bool(true)).expect("ok");
        assert_eq!(
            budget["retry"]["budget"],
            json!({"ratio": 0.1, "burst": 10.0})
        );
        let ratio = apply_edit(
            &d,
            &budget,
            "retry.budget.ratio",
            &EditValue::Text("0.3".into()),
        )
        .expect("ok");
        assert_eq!(ratio["retry"]["budget"]["ratio"], json!(0.3));
        // Adding again keeps the edits; removing leaves the parameter out, as a hand-written file would.
        let again = apply_edit(&d, &ratio, "retry", &EditValue::Bool(true)).expect("ok");
        assert_eq!(again, ratio);
        let off = apply_edit(&d, &ratio, "retry", &EditValue::Bool(false)).expect("ok");
        assert!(!off.contains_key("retry"));
        let s = Kind::Server.default_params();
        let idem = apply_edit(&s, &Map::new(), "idempotency", &EditValue::Bool(true)).expect("ok");
        assert_eq!(idem["idempotency"], json!({"retention_s": 60.0}));
        // A gateway's rate limit is a limiter's parameters, its burst a whole number or empty.
        let g = Kind::ApiGateway.default_params();
        let rl = apply_edit(&g, &Map::new(), "rate_limit", &EditValue::Bool(true)).expect("ok");
        assert!(parse_params(Kind::ApiGateway, &rl).is_ok());
        let burst =
            apply_edit(&g, &rl, "rate_limit.burst", &EditValue::Text("20".into())).expect("ok");
        assert_eq!(burst["rate_limit"]["burst"], json!(20));
        assert!(apply_edit(&g, &rl, "rate_limit.burst", &EditValue::Text("2.5".into())).is_err());
        let back =
            apply_edit(&g, &burst, "rate_limit.burst", &EditValue::Text("".into())).expect("ok");
        assert_eq!(back["rate_limit"]["burst"], Value::Null);
    }

    #[test]
    fn a_backoff_switch_keeps_its_first_wait() {
        let d = Kind::Client.default_params();
        let on = apply_edit(&d, &Map::new(), "retry", &EditValue::Bool(true)).expect("ok");
        let base = apply_edit(
            &d,
            &on,
            "retry.backoff.base_ms",
            &EditValue::Text("40".into()),
        )
        .expect("ok");
        let fixed =
            apply_edit(&d, &base, "retry.backoff", &EditValue::Text("fixed".into())).expect("ok");
        assert_eq!(
            fixed["retry"]["backoff"],
            json!({"type": "fixed", "delay_ms": 40.0})
        );
        let back = apply_edit(
            &d,
            &fixed,
            "retry.backoff",
            &EditValue::Text("exponential".into()),
        )
        .expect("ok");
        assert_eq!(
            back["retry"]["backoff"],
            json!({"type": "exponential", "base_ms": 40.0, "cap_ms": 10000.0})
        );
        assert!(parse_params(Kind::Client, &back).is_ok());
    }

    #[test]
    fn hand_written_whole_numbers_in_a_policy_still_take_fractions() {
        let mut d = Map::new();
        d.insert("breaker".into(), Value::Null);
        let mut cur = Map::new();
        cur.insert(
            "breaker".into(),
            json!({"failure_rate": 1, "open_ms": 5000, "window_size": 20}),
        );
        let m = apply_edit(
            &d,
            &cur,
            "breaker.failure_rate",
            &EditValue::Text("0.5".into()),
        )
        .expect("a share takes fractions");
        assert_eq!(m["breaker"]["failure_rate"], json!(0.5));
        assert!(
            apply_edit(
                &d,
                &cur,
                "breaker.window_size",
                &EditValue::Text("2.5".into())
            )
            .is_err()
        );
    }

    #[test]
    fn a_partial_optional_object_shows_and_edits_every_field() {
        let d = Kind::ApiGateway.default_params();
        let mut cur = Map::new();
        cur.insert("rate_limit".into(), json!({"limit": 80, "burst": 20}));
        let paths: Vec<String> = fields(&d, &cur)
            .into_iter()
            .filter(|f| f.path.starts_with("rate_limit."))
            .map(|f| f.path)
            .collect();
        assert_eq!(
            paths,
            [
                "rate_limit.algorithm",
                "rate_limit.limit",
                "rate_limit.window_ms",
                "rate_limit.burst",
                "rate_limit.key",
                "rate_limit.instances",
                "rate_limit.sync_ms"
            ]
        );
        let m = apply_edit(
            &d,
            &cur,
            "rate_limit.instances",
            &EditValue::Text("3".into()),
        )
        .expect("a field the file left out is still editable");
        assert_eq!(m["rate_limit"]["instances"], json!(3));
        assert_eq!(m["rate_limit"]["limit"], json!(80));
        assert!(parse_params(Kind::ApiGateway, &m).is_ok());
        // A distribution of another type than the default is not filled with the default's keys.
        let s = Kind::Server.default_params();
        let mut cur = Map::new();
        cur.insert("service_time".into(), json!({"type": "constant", "ms": 5}));
        let m = apply_edit(&s, &cur, "service_time.ms", &EditValue::Text("6".into())).expect("ok");
        assert_eq!(m["service_time"], json!({"type": "constant", "ms": 6.0}));
    }

    #[test]
    fn free_text_is_stored_trimmed_and_routes_are_checked_by_core() {
        let d = Kind::ApiGateway.default_params();
        let m = apply_edit(
            &d,
            &Map::new(),
            "routes",
            &EditValue::Text("  GET /users -> users; POST /orders -> orders ".into()),
        )
        .expect("text");
        assert_eq!(
            m["routes"],
            json!("GET /users -> users; POST /orders -> orders")
        );
        let bad = apply_edit(
            &d,
            &Map::new(),
            "routes",
            &EditValue::Text("GET users".into()),
        )
        .expect("text is text");
        let problems = parse_params(Kind::ApiGateway, &bad)
            .expect("parses")
            .problems();
        assert!(
            problems
                .iter()
                .any(|(f, m)| f == "routes" && m.contains("route 1"))
        );
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
