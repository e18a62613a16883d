//! The inspector's parameter schema: which control edits each parameter (number with unit, choice, toggle,
//! free text, an optional object added with its defaults), derived from a kind's default parameter JSON and
//! the params struct's vocabulary (`crate::vocab`: labels, units, choices, declared beside each struct),
//! falling back on the JSON value's type and the name's unit suffix so a new kind still gets sensible
//! controls. Also the pure edit step: text from a control in, the new parameter object out.

use serde_json::{Map, Value};

pub use crate::vocab::humanize;
use crate::vocab::{Family, NO_TERMS, Term, Vocab};

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
        /// how each is shown, in the same order
        labels: Vec<String>,
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

/// The choice that clears an optional tagged object back to its default.
pub const DEFAULT_CHOICE: &str = "default";
const DEFAULT_LABEL: &str = "Default (from settings)";

/// The unit of a parameter: its term's, or from the name's suffix (`_ms`, `_s`, `probability`).
fn unit(term: Option<&Term>, name: &str) -> &'static str {
    match term.map(|t| t.unit) {
        Some(u) if !u.is_empty() => u,
        _ if name.ends_with("_ms") => "ms",
        _ if name.ends_with("_s") => "s",
        _ if name.ends_with("probability") => "0–1",
        _ => "",
    }
}

/// A parameter's label: its term's, or the name humanized without its unit suffix.
fn label(term: Option<&Term>, name: &str) -> String {
    match term.map(|t| t.label) {
        Some(l) if !l.is_empty() => l.to_string(),
        _ => humanize(name.trim_end_matches("_ms").trim_end_matches("_s")),
    }
}

/// The vocabulary of the object a term holds (an object's fields, a tagged family's fields).
fn inner(term: Option<&Term>) -> &'static Vocab {
    term.and_then(|t| t.nested.or(t.family.map(|f| f.fields)))
        .unwrap_or(&NO_TERMS)
}

/// Whether a number parameter takes whole numbers only: its term says so, or its default is a whole
/// number, unless its unit is a time or a share (`1000` ms typed by hand is still a time).
fn is_integer(term: Option<&Term>, name: &str, default: &Value) -> bool {
    term.is_some_and(|t| t.integer)
        || ((default.is_u64() || default.is_i64())
            && !matches!(unit(term, name), "ms" | "s" | "0–1" | "req/s" | "×"))
}

fn number_text(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Some(x) => format!("{x}"),
        None => String::new(),
    }
}

/// A term's optional object's defaults, if it is one.
fn optional_default(term: Option<&Term>) -> Option<Value> {
    term.and_then(|t| t.optional).map(|f| f())
}

/// The inspector rows for a parameter object named by `vocab`: `defaults` gives every parameter and its
/// type, `current` the values set (missing ones show the default).
pub fn fields(
    vocab: &Vocab,
    defaults: &Map<String, Value>,
    current: &Map<String, Value>,
) -> Vec<Field> {
    let mut keys: Vec<&String> = defaults.keys().collect();
    crate::sorting::sort_by_key(&mut keys, |k| (vocab.position(k), (*k).clone()));
    let mut out = Vec::new();
    for key in keys {
        let term = vocab.term(key);
        let default = &defaults[key.as_str()];
        let value = filled(term, current.get(key.as_str()).unwrap_or(default), default);
        push_fields(&mut out, term, key, key, default, &value, 0);
    }
    out
}

/// `value` with the keys it leaves out taken from its default (an optional object's being the params
/// struct's defaults): core reads an omitted key as its default, so the inspector shows and edits every
/// field of a hand-written `{"rate_limit": {"limit": 80}}`. An object of another variant (`type`) is left
/// as it is.
fn filled(term: Option<&Term>, value: &Value, default: &Value) -> Value {
    let default = match default {
        Value::Null => optional_default(term).unwrap_or(Value::Null),
        d => d.clone(),
    };
    let (Value::Object(v), Value::Object(d)) = (value, &default) else {
        return value.clone();
    };
    if v.get("type") != d.get("type") {
        return value.clone();
    }
    let vocab = inner(term);
    let mut out = v.clone();
    for (k, dv) in d {
        let f = match out.get(k) {
            None => dv.clone(),
            Some(cur) => filled(vocab.term(k), cur, dv),
        };
        out.insert(k.clone(), f);
    }
    Value::Object(out)
}

fn push_fields(
    out: &mut Vec<Field>,
    term: Option<&'static Term>,
    path: &str,
    name: &str,
    default: &Value,
    value: &Value,
    depth: u32,
) {
    let field = |control, value| Field {
        path: path.to_string(),
        label: label(term, name),
        control,
        value,
        depth,
    };
    let empty_means = term.and_then(|t| t.empty);
    let optional = optional_default(term);
    let family = term.and_then(|t| t.family);
    match value {
        Value::Bool(b) => out.push(field(Control::Toggle, FieldValue::Bool(*b))),
        Value::Number(_) => out.push(field(
            Control::Number {
                unit: unit(term, name),
                integer: is_integer(term, name, default),
                empty_means: empty_means.or_else(|| default.is_null().then_some(DEFAULT_CHOICE)),
            },
            FieldValue::Text(number_text(value)),
        )),
        Value::String(s) if term.is_some_and(|t| t.text.is_some()) => {
            let (placeholder, multiline) = term.and_then(|t| t.text).unwrap_or(("", false));
            out.push(field(
                Control::Text {
                    placeholder,
                    multiline,
                },
                FieldValue::Text(s.clone()),
            ));
        }
        Value::String(s) => {
            let mut pairs = term
                .and_then(|t| t.choices)
                .map_or_else(|| vec![(s.clone(), humanize(s))], |f| f());
            // A value the menu does not offer (an older name core still reads, such as `every`) stays shown.
            if !pairs.iter().any(|(v, _)| v == s) {
                pairs.insert(0, (s.clone(), humanize(s)));
            }
            let (choices, labels) = pairs.into_iter().unzip();
            out.push(field(
                Control::Choice { choices, labels },
                FieldValue::Text(s.clone()),
            ));
        }
        Value::Object(obj) => {
            let tag = obj.get("type").and_then(Value::as_str);
            if let Some(tag) = tag {
                let (mut choices, mut labels): (Vec<String>, Vec<String>) = match family {
                    Some(f) if f.has(tag) => variant_choices(f),
                    _ => (vec![tag.to_string()], vec![humanize(tag)]),
                };
                if default.is_null() {
                    choices.insert(0, DEFAULT_CHOICE.to_string());
                    labels.insert(0, DEFAULT_LABEL.to_string());
                }
                out.push(field(
                    Control::Choice { choices, labels },
                    FieldValue::Text(tag.to_string()),
                ));
            } else if optional.is_some() {
                out.push(field(Control::Optional, FieldValue::Bool(true)));
            } else {
                out.push(field(Control::Group, FieldValue::Text(String::new())));
            }
            // An optional object's fields take their types from the object's defaults, not from what a
            // hand-written file happens to hold (`"failure_rate": 1` is still a share).
            let default_obj = default
                .as_object()
                .or(optional.as_ref().and_then(Value::as_object));
            let vocab = inner(term);
            let mut keys: Vec<&String> = obj.keys().collect();
            crate::sorting::sort_by_key(&mut keys, |k| (vocab.position(k), (*k).clone()));
            for k in keys {
                let v = &obj[k.as_str()];
                if k == "type" {
                    continue;
                }
                let d = default_obj
                    .filter(|d| d.get("type").and_then(Value::as_str) == tag)
                    .and_then(|d| d.get(k))
                    .unwrap_or(v);
                push_fields(
                    out,
                    vocab.term(k),
                    &format!("{path}.{k}"),
                    k,
                    d,
                    v,
                    depth + 1,
                );
            }
        }
        Value::Null if optional.is_some() => {
            out.push(field(Control::Optional, FieldValue::Bool(false)));
        }
        Value::Null => {
            if let Some(f) = family {
                let (mut choices, mut labels) = variant_choices(f);
                choices.insert(0, DEFAULT_CHOICE.to_string());
                labels.insert(0, DEFAULT_LABEL.to_string());
                out.push(field(
                    Control::Choice { choices, labels },
                    FieldValue::Text(DEFAULT_CHOICE.to_string()),
                ));
            } else {
                out.push(field(
                    Control::Number {
                        unit: unit(term, name),
                        integer: term.is_some_and(|t| t.integer),
                        empty_means: Some(empty_means.unwrap_or(DEFAULT_CHOICE)),
                    },
                    FieldValue::Text(String::new()),
                ));
            }
        }
        // Lists have no control yet; they keep their value.
        Value::Array(_) => {}
    }
}

/// A family's variants as a menu: values and labels.
fn variant_choices(f: &Family) -> (Vec<String>, Vec<String>) {
    f.variants
        .iter()
        .map(|(v, l)| ((*v).to_string(), (*l).to_string()))
        .unzip()
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

/// The term of the field at the dotted `path`, following each object's vocabulary.
fn term_at(vocab: &'static Vocab, path: &[&str]) -> Option<&'static Term> {
    let (first, rest) = path.split_first()?;
    let term = vocab.term(first);
    if rest.is_empty() {
        term
    } else {
        term_at(inner(term), rest)
    }
}

/// The parameter object after setting the field at `path` to `value`: only the field's top-level parameter
/// changes. Fails with a message naming the field when the text is not a value of the field's type or the
/// path is not a field. Range checks are the caller's (core's `Params::problems`).
pub fn apply_edit(
    vocab: &'static Vocab,
    defaults: &Map<String, Value>,
    current: &Map<String, Value>,
    path: &str,
    value: &EditValue,
) -> Result<Map<String, Value>, String> {
    let all = fields(vocab, defaults, current);
    let field = all
        .iter()
        .find(|f| f.path == path)
        .ok_or_else(|| format!("unknown parameter `{path}`"))?;
    let segments: Vec<&str> = path.split('.').collect();
    let top = segments[0];
    let term = term_at(vocab, &segments);
    let new_value = match (&field.control, value) {
        (Control::Toggle, EditValue::Bool(b)) => Value::Bool(*b),
        (Control::Optional, EditValue::Bool(on)) => match (on, &field.value) {
            // Already there: keep what was set rather than resetting it to the defaults.
            (true, FieldValue::Bool(true)) => return Ok(current.clone()),
            (true, _) => {
                optional_default(term).ok_or_else(|| format!("{} cannot be added", field.label))?
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
        (Control::Choice { choices, .. }, EditValue::Text(t)) => {
            if !choices.contains(t) {
                return Err(format!("{}: “{t}” is not one of the choices", field.label));
            }
            let old = current.get(top).or_else(|| defaults.get(top));
            let old_at = segments
                .iter()
                .skip(1)
                .try_fold(old, |v, s| v.and_then(|v| v.get(*s)).map(Some))
                .flatten();
            let family = term.and_then(|t| t.family);
            let is_tagged = old_at.is_some_and(|v| v.get("type").is_some())
                || old_at.is_none_or(Value::is_null) && family.is_some();
            if t == DEFAULT_CHOICE {
                Value::Null
            } else if is_tagged {
                match family {
                    Some(f) => (f.template)(t, old_at),
                    None => serde_json::json!({ "type": t }),
                }
            } else {
                Value::String(t.clone())
            }
        }
        _ => return Err(format!("{} cannot take that kind of value", field.label)),
    };
    let top_default = defaults.get(top).unwrap_or(&Value::Null);
    let mut top_value = filled(
        vocab.term(top),
        current.get(top).unwrap_or(top_default),
        top_default,
    );
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
    use crate::vocab::NO_TERMS;
    use serde_json::json;

    fn control(kind: Kind, path: &str) -> Control {
        fields(kind.vocab(), &kind.default_params(), &Map::new())
            .into_iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} is a field"))
            .control
    }

    #[test]
    fn every_kind_gets_a_field_for_every_default_parameter() {
        for info in KINDS {
            let defaults = info.kind.default_params();
            let fs = fields(info.kind.vocab(), &defaults, &Map::new());
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
        let Control::Choice { choices, .. } = control(Kind::Queue, "when_full") else {
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
        let Control::Choice { choices, .. } = control(Kind::Server, "service_time") else {
            panic!("service time is a choice")
        };
        assert!(choices.contains(&"log_normal".to_string()));
    }

    #[test]
    fn database_fields_offer_engines_replication_and_sharding() {
        let choices = |path| match control(Kind::Database, path) {
            Control::Choice { choices, .. } => choices,
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
        let Control::Choice { labels, .. } = control(Kind::Database, "preset") else {
            panic!("preset is a choice")
        };
        assert_eq!(labels[2], "NoSQL");
    }

    #[test]
    fn every_offered_choice_decodes_in_core() {
        for info in KINDS {
            let defaults = info.kind.default_params();
            for f in fields(info.kind.vocab(), &defaults, &Map::new()) {
                let Control::Choice { choices, .. } = &f.control else {
                    continue;
                };
                for c in choices {
                    let next = apply_edit(
                        info.kind.vocab(),
                        &defaults,
                        &Map::new(),
                        &f.path,
                        &EditValue::Text(c.clone()),
                    )
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
            Kind::Server.vocab(),
            &d,
            &Map::new(),
            "workers",
            &EditValue::Text(" 1 000 ".into()),
        )
        .expect("ok");
        assert_eq!(m["workers"], json!(1000));
        assert!(
            apply_edit(
                Kind::Server.vocab(),
                &d,
                &Map::new(),
                "workers",
                &EditValue::Text("2.5".into())
            )
            .is_err()
        );
        assert!(
            apply_edit(
                Kind::Server.vocab(),
                &d,
                &Map::new(),
                "workers",
                &EditValue::Text("many".into())
            )
            .is_err()
        );
        assert!(
            apply_edit(
                Kind::Server.vocab(),
                &d,
                &Map::new(),
                "speed",
                &EditValue::Text("".into())
            )
            .is_err()
        );
        let m = apply_edit(
            Kind::Server.vocab(),
            &d,
            &Map::new(),
            "queue_capacity",
            &EditValue::Text("".into()),
        )
        .expect("ok");
        assert_eq!(m["queue_capacity"], Value::Null);
        let m = apply_edit(
            Kind::Server.vocab(),
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
        assert!(
            apply_edit(
                Kind::Server.vocab(),
                &d,
                &Map::new(),
                "nope",
                &EditValue::Text("1".into())
            )
            .is_err()
        );
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
            Kind::Server.vocab(),
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
        let fs = fields(&crate::editor::EDGE_VOCAB, &d, &Map::new());
        assert_eq!(fs[0].path, "latency");
        assert_eq!(fs[0].value, FieldValue::Text(DEFAULT_CHOICE.into()));
        let m = apply_edit(
            &crate::editor::EDGE_VOCAB,
            &d,
            &Map::new(),
            "latency",
            &EditValue::Text("constant".into()),
        )
        .expect("ok");
        assert_eq!(m["latency"], json!({"type": "constant", "ms": 20.0}));
        let back = apply_edit(
            &crate::editor::EDGE_VOCAB,
            &d,
            &m,
            "latency",
            &EditValue::Text(DEFAULT_CHOICE.into()),
        )
        .expect("ok");
        assert!(!back.contains_key("latency"));
        let w = apply_edit(
            &crate::editor::EDGE_VOCAB,
            &d,
            &Map::new(),
            "weight",
            &EditValue::Text("3".into()),
        )
        .expect("ok");
        assert_eq!(w["weight"], json!(3));
    }

    fn choices(kind: Kind, path: &str) -> Vec<String> {
        match control(kind, path) {
            Control::Choice { choices, .. } => choices,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn resilience_and_security_parameters_get_their_controls() {
        assert_eq!(
            choices(Kind::ApiGateway, "auth"),
            ["none", "jwt", "session"]
        );
        assert_eq!(
            choices(Kind::Server, "calls"),
            ["sequential", "parallel", "first_k", "one"]
        );
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
            for f in fields(info.kind.vocab(), &info.kind.default_params(), &Map::new()) {
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
        let fs = fields(Kind::Client.vocab(), &d, &Map::new());
        let retry = fs.iter().find(|f| f.path == "retry").expect("retry row");
        assert_eq!(retry.value, FieldValue::Bool(false));
        assert!(!fs.iter().any(|f| f.path.starts_with("retry.")));
        let on = apply_edit(
            Kind::Client.vocab(),
            &d,
            &Map::new(),
            "retry",
            &EditValue::Bool(true),
        )
        .expect("ok");
        assert_eq!(
            on["retry"],
            serde_json::to_value(crate::resilience::RetryPolicy::default()).expect("json")
        );
        assert!(parse_params(Kind::Client, &on).is_ok());
        let paths: Vec<String> = fields(Kind::Client.vocab(), &d, &on)
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
        let fs = fields(Kind::Client.vocab(), &d, &on);
        let row = |p: &str| fs.iter().find(|f| f.path == p).expect("row").clone();
        assert_eq!(row("retry").value, FieldValue::Bool(true));
        assert_eq!(row("retry.budget").control, Control::Optional);
        assert_eq!(row("retry.backoff.base_ms").depth, 2);
        assert!(matches!(
            row("retry.max_attempts").control,
            Control::Number { integer: true, .. }
        ));
        let Control::Choice { choices, .. } = row("retry.jitter").control else {
            panic!("jitter is a choice")
        };
        assert_eq!(choices, ["none", "full", "equal", "decorrelated"]);
        let budget = apply_edit(
            Kind::Client.vocab(),
            &d,
            &on,
            "retry.budget",
            &EditValue::Bool(true),
        )
        .expect("ok");
        assert_eq!(
            budget["retry"]["budget"],
            json!({"ratio": 0.1, "burst": 10.0})
        );
        let ratio = apply_edit(
            Kind::Client.vocab(),
            &d,
            &budget,
            "retry.budget.ratio",
            &EditValue::Text("0.3".into()),
        )
        .expect("ok");
        assert_eq!(ratio["retry"]["budget"]["ratio"], json!(0.3));
        // Adding again keeps the edits; removing leaves the parameter out, as a hand-written file would.
        let again = apply_edit(
            Kind::Client.vocab(),
            &d,
            &ratio,
            "retry",
            &EditValue::Bool(true),
        )
        .expect("ok");
        assert_eq!(again, ratio);
        let off = apply_edit(
            Kind::Client.vocab(),
            &d,
            &ratio,
            "retry",
            &EditValue::Bool(false),
        )
        .expect("ok");
        assert!(!off.contains_key("retry"));
        let s = Kind::Server.default_params();
        let idem = apply_edit(
            Kind::Server.vocab(),
            &s,
            &Map::new(),
            "idempotency",
            &EditValue::Bool(true),
        )
        .expect("ok");
        assert_eq!(idem["idempotency"], json!({"retention_s": 60.0}));
        // A gateway's rate limit is a limiter's parameters, its burst a whole number or empty.
        let g = Kind::ApiGateway.default_params();
        let rl = apply_edit(
            Kind::ApiGateway.vocab(),
            &g,
            &Map::new(),
            "rate_limit",
            &EditValue::Bool(true),
        )
        .expect("ok");
        assert!(parse_params(Kind::ApiGateway, &rl).is_ok());
        let burst = apply_edit(
            Kind::ApiGateway.vocab(),
            &g,
            &rl,
            "rate_limit.burst",
            &EditValue::Text("20".into()),
        )
        .expect("ok");
        assert_eq!(burst["rate_limit"]["burst"], json!(20));
        assert!(
            apply_edit(
                Kind::ApiGateway.vocab(),
                &g,
                &rl,
                "rate_limit.burst",
                &EditValue::Text("2.5".into())
            )
            .is_err()
        );
        let back = apply_edit(
            Kind::ApiGateway.vocab(),
            &g,
            &burst,
            "rate_limit.burst",
            &EditValue::Text("".into()),
        )
        .expect("ok");
        assert_eq!(back["rate_limit"]["burst"], Value::Null);
    }

    #[test]
    fn a_backoff_switch_keeps_its_first_wait() {
        let d = Kind::Client.default_params();
        let on = apply_edit(
            Kind::Client.vocab(),
            &d,
            &Map::new(),
            "retry",
            &EditValue::Bool(true),
        )
        .expect("ok");
        let base = apply_edit(
            Kind::Client.vocab(),
            &d,
            &on,
            "retry.backoff.base_ms",
            &EditValue::Text("40".into()),
        )
        .expect("ok");
        let fixed = apply_edit(
            Kind::Client.vocab(),
            &d,
            &base,
            "retry.backoff",
            &EditValue::Text("fixed".into()),
        )
        .expect("ok");
        assert_eq!(
            fixed["retry"]["backoff"],
            json!({"type": "fixed", "delay_ms": 40.0})
        );
        let back = apply_edit(
            Kind::Client.vocab(),
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
            &crate::editor::EDGE_VOCAB,
            &d,
            &cur,
            "breaker.failure_rate",
            &EditValue::Text("0.5".into()),
        )
        .expect("a share takes fractions");
        assert_eq!(m["breaker"]["failure_rate"], json!(0.5));
        assert!(
            apply_edit(
                &crate::editor::EDGE_VOCAB,
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
        let paths: Vec<String> = fields(Kind::ApiGateway.vocab(), &d, &cur)
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
            Kind::ApiGateway.vocab(),
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
        let m = apply_edit(
            Kind::Server.vocab(),
            &s,
            &cur,
            "service_time.ms",
            &EditValue::Text("6".into()),
        )
        .expect("ok");
        assert_eq!(m["service_time"], json!({"type": "constant", "ms": 6.0}));
    }

    #[test]
    fn free_text_is_stored_trimmed_and_routes_are_checked_by_core() {
        let d = Kind::ApiGateway.default_params();
        let m = apply_edit(
            Kind::ApiGateway.vocab(),
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
            Kind::ApiGateway.vocab(),
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
        let fs = fields(&NO_TERMS, &d, &Map::new());
        assert!(fs.iter().any(
            |f| f.path == "fancy_ms" && matches!(f.control, Control::Number { unit: "ms", .. })
        ));
        assert!(fs.iter().any(|f| f.path == "mode"
            && matches!(&f.control, Control::Choice { choices, .. } if choices == &["fast"])));
        assert!(
            fs.iter()
                .any(|f| f.path == "on" && f.control == Control::Toggle)
        );
        assert_eq!(label(None, "fancy_ms"), "Fancy");
        let labels = |kind: Kind, path| match control(kind, path) {
            Control::Choice { labels, .. } => labels,
            other => panic!("{path}: {other:?}"),
        };
        assert_eq!(labels(Kind::Cache, "eviction")[0], "LRU");
        assert_eq!(labels(Kind::LoadBalancer, "strategy")[0], "Round robin");
    }
}
