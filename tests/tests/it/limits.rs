//! The documented caps (`docs/limits.md`, `core::limits`): every numeric parameter of every kind has a
//! range; driven to each bound it validates and runs, one step past it is a diagnostic naming the field; the
//! diagram-wide caps hold for validation, the share decoder and the import; the memory guard stops a run that
//! outgrows its cap. And one named test per crash the issue (and the fuzz harness) found.

use playground_core::components::{KINDS, Kind};
use playground_core::editor::schema::{self, Control, EditValue, FieldValue};
use playground_core::editor::{Action, Editor, Target, edge_defaults, files};
use playground_core::limits::{self, MAX_EDGES, MAX_FAULTS, MAX_NODES, MAX_RATE};
use playground_core::rng::SimRng;
use playground_core::runner::{RunArgs, run_text};
use playground_core::sim::Sim;
use playground_core::time::SimTime;
use playground_core::validate::{Severity, has_errors, validate};
use playground_core::{Edge, Fault, FaultAction, Node, Topology, share};
use serde_json::{Map, Value, json};

use crate::draw::{numeric_paths, set_path, vocab_of};
use crate::fuzz::{Ran, run_checked};

/// `defaults` with every optional object added (a retry policy, then its budget, …), as the inspector adds them.
fn with_optionals(defaults: &Map<String, Value>) -> Map<String, Value> {
    let mut p = Map::new();
    for _ in 0..3 {
        for f in schema::fields(vocab_of(defaults), defaults, &p) {
            if f.control == Control::Optional && f.value == FieldValue::Bool(false) {
                p = schema::apply_edit(
                    vocab_of(defaults),
                    defaults,
                    &p,
                    &f.path,
                    &EditValue::Bool(true),
                )
                .unwrap_or(p);
            }
        }
    }
    p
}

/// The shapes a kind's parameters take: every optional object present, then each variant of each tagged
/// choice (a distribution, an arrival pattern, a key law, a backoff), one at a time.
fn configurations(defaults: &Map<String, Value>) -> Vec<Map<String, Value>> {
    let base = with_optionals(defaults);
    let mut out = vec![base.clone()];
    for f in schema::fields(vocab_of(defaults), defaults, &base) {
        let Control::Choice { choices, .. } = &f.control else {
            continue;
        };
        for c in choices {
            if let Ok(next) = schema::apply_edit(
                vocab_of(defaults),
                defaults,
                &base,
                &f.path,
                &EditValue::Text(c.clone()),
            ) {
                let next = with_optionals_over(defaults, next);
                if !out.contains(&next) {
                    out.push(next);
                }
            }
        }
    }
    out
}

fn with_optionals_over(
    defaults: &Map<String, Value>,
    mut p: Map<String, Value>,
) -> Map<String, Value> {
    for f in schema::fields(vocab_of(defaults), defaults, &p) {
        if f.control == Control::Optional && f.value == FieldValue::Bool(false) {
            p = schema::apply_edit(
                vocab_of(defaults),
                defaults,
                &p,
                &f.path,
                &EditValue::Bool(true),
            )
            .unwrap_or(p);
        }
    }
    p
}

/// The bound a parameter may take in this configuration: the table's, except a Zipf key law's key count.
fn bounds(params: &Map<String, Value>, path: &str) -> (f64, f64) {
    let l = limits::param(path).unwrap_or_else(|| panic!("`{path}` has no documented range"));
    if path == "keys.count"
        && params.get("keys").and_then(|k| k.get("type")) == Some(&json!("zipf"))
    {
        return (l.min, playground_core::dist::ZIPF_MAX_KEYS as f64);
    }
    if path == "rate" {
        // A REST screen sends one request per resource: its rate is capped so the requests stay in range.
        let client: Option<playground_core::components::client::ClientParams> =
            serde_json::from_value(Value::Object(params.clone())).ok();
        if let Some(n) = client.as_ref().and_then(|c| c.requests_per_screen()) {
            return (l.min, l.max / n);
        }
    }
    (l.min, l.max)
}

fn number(x: f64, integer: bool) -> Value {
    if integer {
        Value::from(x as u64)
    } else {
        json!(x)
    }
}

/// Sets `path` to `x`, with the fields it is tied to moved along so only `path`'s own bound is tested: a
/// uniform's other end, an exponential backoff's cap, a database failure's replica.
fn drive(params: &mut Map<String, Value>, path: &str, x: f64, integer: bool) {
    assert!(
        set_path(params, path, number(x, integer)),
        "{path} is settable"
    );
    let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
    let join = |leaf: &str| {
        if parent.is_empty() {
            leaf.to_string()
        } else {
            format!("{parent}.{leaf}")
        }
    };
    match path.rsplit('.').next().unwrap_or(path) {
        "min_ms" => {
            let max = gen_value(params, &join("max_ms"));
            set_path(params, &join("max_ms"), json!(max.max(x)));
        }
        "max_ms" => {
            let min = gen_value(params, &join("min_ms"));
            set_path(params, &join("min_ms"), json!(min.min(x)));
        }
        "base_ms" => {
            let cap = gen_value(params, &join("cap_ms"));
            set_path(params, &join("cap_ms"), json!(cap.max(x)));
        }
        "cap_ms" => {
            let base = gen_value(params, &join("base_ms"));
            set_path(params, &join("base_ms"), json!(base.min(x)));
        }
        // A plan's bounds are tried on a plan that uses them, with enough calls for `first_k`.
        "fan_out" => {
            set_path(params, "calls", json!("parallel"));
        }
        "first_k" => {
            set_path(params, "calls", json!("first_k"));
            let fan = gen_value(params, "fan_out");
            set_path(params, "fan_out", json!(fan.max(x) as u64));
        }
        "partial_ms" => {
            set_path(params, "calls", json!("parallel"));
        }
        "primary_failure_s" => {
            set_path(params, "replicas", json!(1));
        }
        // A replicated store's replicas are at most its nodes, R and W at most its replicas.
        "store_nodes" => {
            let n = gen_value(params, "replication").min(x).max(1.0);
            set_path(params, "replication", json!(n as u64));
        }
        "replication" if x >= 1.0 => {
            let m = gen_value(params, "store_nodes").max(x);
            set_path(params, "store_nodes", json!(m as u64));
        }
        "r" | "w" if x >= 1.0 => {
            let n = gen_value(params, "replication").max(x);
            set_path(params, "replication", json!(n as u64));
            let m = gen_value(params, "store_nodes").max(n);
            set_path(params, "store_nodes", json!(m as u64));
        }
        // Zero is allowed where the mechanism is off.
        "keepalive_s" if x == 0.0 && !path.starts_with("connections.") => {
            set_path(params, "tls", json!(false));
        }
        "ip_window_s" | "block_s" if x == 0.0 => {
            set_path(params, "ip_rate_limit", Value::Null);
        }
        // An object store's largest object is at least its smallest.
        "min_bytes" if x >= 1.0 => {
            let max = gen_value(params, &join("max_bytes")).max(x);
            set_path(params, &join("max_bytes"), json!(max as u64));
        }
        "max_bytes" if x >= 1.0 => {
            let min = gen_value(params, &join("min_bytes")).min(x);
            set_path(params, &join("min_bytes"), json!(min as u64));
        }
        _ => {}
    }
}

fn gen_value(params: &Map<String, Value>, path: &str) -> f64 {
    crate::draw::value_at(params, path)
}

/// A runnable diagram around one node of `kind` with `params`: a client calling it (a resolver in front of
/// a name server), and a server behind it when it calls anything.
fn around(kind: Kind, params: Map<String, Value>) -> Topology {
    let mut t = Topology::default();
    t.settings.duration_s = 0.2;
    t.settings.drain_limit_s = 1.0;
    let mut x = Node::new("x", kind.name());
    x.params = params;
    let mut nodes = vec![Node::new("c", "client")];
    let mut edges = vec![];
    match kind {
        Kind::Client => {
            nodes = vec![x];
            nodes.push(Node::new("s", "server"));
            edges.push(Edge::new("x", "s"));
        }
        Kind::WebhookProvider => {
            // A source of its own: the provider delivers to a server.
            nodes = vec![x, Node::new("s", "server")];
            edges.push(Edge::new("x", "s"));
        }
        Kind::DnsServer => {
            nodes.push(Node::new("r", "dns_resolver"));
            nodes.push(x);
            edges.push(Edge::new("c", "r"));
            edges.push(Edge::new("r", "x"));
        }
        Kind::Subscribers => {
            nodes = vec![x, Node::new("f", "event_feed")];
            edges.push(Edge::new("x", "f"));
        }
        _ => {
            let session = x.params.get("auth") == Some(&json!("session"));
            nodes.push(x);
            edges.push(Edge::new("c", "x"));
            if kind.may_connect_to(Kind::Server) {
                nodes.push(Node::new("s", "server"));
                edges.push(Edge::new("x", "s"));
            }
            if session {
                // A gateway's session lookups go to a store.
                nodes.push(Node::new("store", "cache"));
                edges.push(Edge::new("x", "store"));
            }
        }
    }
    t.nodes = nodes;
    t.edges = edges;
    t
}

/// A diagram with one edge whose parameters are `params` (a client calling a server).
fn edge_diagram(params: &Map<String, Value>) -> Topology {
    let mut obj = json!({"from": "c", "to": "s"});
    for (k, v) in params {
        if !v.is_null() {
            obj[k] = v.clone();
        }
    }
    let e: Edge = serde_json::from_value(obj).expect("edge parameters decode");
    Topology {
        nodes: vec![Node::new("c", "client"), Node::new("s", "server")],
        edges: vec![e],
        ..around(Kind::Server, Map::new())
    }
}

fn errors_on(t: &Topology, path: &str) -> Vec<String> {
    validate(t)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .filter(|d| d.field.as_deref().is_some_and(|f| f.ends_with(path)))
        .map(|d| d.message)
        .collect()
}

/// Every numeric parameter of every kind (and of an edge), in every shape its kind offers, has a documented
/// range: the table is complete, so nothing reaches the engine unbounded.
#[test]
fn every_numeric_parameter_has_a_documented_range() {
    let mut seen = 0;
    let mut all = vec![edge_defaults()];
    all.extend(KINDS.iter().map(|k| k.kind.default_params()));
    for defaults in &all {
        for config in configurations(defaults) {
            let mut full = defaults.clone();
            full.extend(config);
            for (path, _) in numeric_paths(defaults, &full) {
                assert!(
                    limits::param(&path).is_some(),
                    "`{path}` has no row in core::limits::PARAMS"
                );
                seen += 1;
            }
        }
    }
    assert!(
        seen > 300,
        "only {seen} parameters found: the walk is broken"
    );
}

/// Each numeric parameter of each kind driven to its lower and its upper bound (others at their defaults):
/// the diagram validates and runs to the end (or the event cap) with the accounting holding; one step past
/// the bound is an error naming the field, and the inspector refuses the value with the same words.
#[test]
fn every_parameter_driven_to_its_bounds_validates_and_runs() {
    let mut rng = SimRng::new(20);
    let (mut runs, mut refused) = (0, 0);
    let mut failures = Vec::new();
    for info in KINDS {
        let defaults = info.kind.default_params();
        for config in configurations(&defaults) {
            let mut full = defaults.clone();
            full.extend(config.clone());
            for (path, integer) in numeric_paths(&defaults, &full) {
                let (lo, hi) = bounds(&full, &path);
                for (x, past) in [
                    (lo, if lo > 0.0 { lo / 2.0 } else { -1.0 }),
                    (hi, if integer { hi + 1.0 } else { hi * 2.0 }),
                ] {
                    let what = format!("{} `{path}` = {x}", info.name);
                    let mut p = full.clone();
                    drive(&mut p, &path, x, integer);
                    let t = around(info.kind, p.clone());
                    let errors: Vec<_> = validate(&t)
                        .into_iter()
                        .filter(|d| d.severity == Severity::Error)
                        .map(|d| d.message)
                        .collect();
                    if !errors.is_empty() {
                        failures.push(format!("{what}: {errors:?}"));
                        continue;
                    }
                    let mut sim = Sim::new(&t).expect("validated");
                    match run_checked(&mut sim, &mut rng, 2_000_000) {
                        Ok(Ran::MemoryGuard) => failures.push(format!("{what}: the memory guard")),
                        Ok(_) => runs += 1,
                        Err(e) => failures.push(format!("{what}: {e}")),
                    }
                    // One step past: refused by validation and by the inspector.
                    if past < 0.0 && integer {
                        continue; // a whole number below 0 is not even a number of that type
                    }
                    let mut p = full.clone();
                    drive(&mut p, &path, past, integer && past >= 0.0);
                    let bad = around(info.kind, p);
                    if errors_on(&bad, &path).is_empty() {
                        failures.push(format!("{} `{path}` = {past} passes validation", info.name));
                    }
                    let mut ed = Editor::new(around(info.kind, full.clone()));
                    ed.apply(Action::SetParam {
                        target: Target::Node("x".into()),
                        path: path.clone(),
                        value: EditValue::Text(format!("{past}")),
                    });
                    if ed.field_error.is_none()
                        || ed.doc.node("x").map(|n| &n.params) != Some(&full)
                    {
                        failures.push(format!("{} `{path}`: the inspector took {past}", info.name));
                    }
                    refused += 1;
                }
            }
        }
    }
    eprintln!("{runs} runs at the bounds, {refused} values past them refused");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        runs > 500 && refused > 400,
        "{runs} runs, {refused} refused"
    );
}

/// An edge's link and call policy driven to their bounds validate and run; one step past is an error.
#[test]
fn every_edge_parameter_driven_to_its_bounds_validates_and_runs() {
    let mut rng = SimRng::new(21);
    let defaults = edge_defaults();
    let mut runs = 0;
    for config in configurations(&defaults) {
        // An edge's parameters default to `null`: give each present one its inspector default.
        let mut full = config.clone();
        for (path, _) in numeric_paths(&defaults, &full) {
            if !path.contains('.') && full.get(&path).is_none_or(Value::is_null) {
                let start = limits::param(&path).map_or(1.0, |l| l.min.max(1.0));
                full.insert(path.clone(), number(start, path == "weight"));
            }
        }
        for (path, integer) in numeric_paths(&defaults, &full) {
            let (lo, hi) = bounds(&full, &path);
            for x in [lo, hi] {
                let mut p = full.clone();
                drive(&mut p, &path, x, integer);
                let t = edge_diagram(&p);
                assert!(
                    !has_errors(&validate(&t)),
                    "edge `{path}` = {x}: {:?}",
                    validate(&t)
                );
                let mut sim = Sim::new(&t).expect("validated");
                run_checked(&mut sim, &mut rng, 2_000_000)
                    .unwrap_or_else(|e| panic!("edge `{path}` = {x}: {e}"));
                runs += 1;
            }
            let mut p = full.clone();
            drive(
                &mut p,
                &path,
                if integer { hi + 1.0 } else { hi * 2.0 },
                integer,
            );
            let t = edge_diagram(&p);
            assert!(
                !errors_on(&t, &path).is_empty(),
                "edge `{path}` past {hi} passes"
            );
        }
    }
    assert!(runs > 30, "{runs}");
}

/// The diagram-wide caps: at the cap a diagram validates, one past it is refused by validation, by the share
/// decoder and by the import, each with the count and the cap in its message.
#[test]
fn node_edge_and_fault_counts_are_capped_everywhere() {
    let big = |nodes: usize, edges: usize, faults: usize| Topology {
        nodes: (0..nodes)
            .map(|i| Node::new(&format!("n{i}"), "server"))
            .collect(),
        edges: (0..edges)
            .map(|i| {
                let mut e = Edge::new(&format!("n{}", i % nodes), &format!("n{}", (i + 1) % nodes));
                e.id = format!("e{i}");
                e
            })
            .collect(),
        faults: (0..faults)
            .map(|i| Fault {
                at_s: i as f64 * 0.001,
                action: FaultAction::Kill { node: "n0".into() },
            })
            .collect(),
        ..Topology::default()
    };
    let at_caps = big(MAX_NODES, MAX_EDGES, MAX_FAULTS);
    assert!(
        !has_errors(&validate(&at_caps)),
        "{:?}",
        validate(&at_caps).first()
    );
    assert!(share::decode(&share::encode(&at_caps)).is_ok());
    assert!(files::import_json(&files::export_json(&at_caps)).is_ok());
    for (t, what) in [
        (big(MAX_NODES + 1, 0, 0), "1 001 nodes"),
        (big(10, MAX_EDGES + 1, 0), "4 001 edges"),
        (big(10, 0, MAX_FAULTS + 1), "1 001 faults"),
    ] {
        let v = validate(&t);
        assert!(
            v.iter()
                .any(|d| d.severity == Severity::Error && d.message.contains(what)),
            "{v:?}"
        );
        let e = share::decode(&share::encode(&t))
            .expect_err("over the cap")
            .to_string();
        assert!(e.contains(what) && e.contains("not opened"), "{e}");
        let e = files::import_json(&files::export_json(&t)).expect_err("over the cap");
        assert!(e.contains(what) && e.contains("Nothing was changed"), "{e}");
    }
}

/// Worker slots over the whole diagram are capped: eleven servers of 100 000 workers each validate one by one
/// but not together.
#[test]
fn worker_slots_are_capped_over_the_whole_diagram() {
    let mut t = Topology::default();
    t.nodes.push(Node::new("c", "client"));
    for i in 0..11 {
        t.nodes
            .push(Node::new(&format!("s{i}"), "server").with("workers", json!(100_000)));
        t.edges.push(Edge::new("c", &format!("s{i}")));
    }
    let v = validate(&t);
    assert!(
        v.iter()
            .any(|d| d.message.contains("1 100 000 worker slots")),
        "{v:?}"
    );
    t.nodes.pop();
    t.edges.pop();
    assert!(!has_errors(&validate(&t)));
}

/// The settings and faults at their bounds validate; past them they are errors.
#[test]
fn settings_and_faults_at_and_past_their_bounds() {
    let base = playground_core::fixtures::three_tier();
    let check = |edit: &dyn Fn(&mut Topology), ok: bool| {
        let mut t = base.clone();
        edit(&mut t);
        let errors: Vec<_> = validate(&t)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert_eq!(errors.is_empty(), ok, "{errors:?}");
    };
    check(
        &|t| {
            t.settings.duration_s = 1e7;
            t.settings.series_interval_s = 0.0;
        },
        true,
    );
    check(&|t| t.settings.duration_s = 1e7 + 1.0, false);
    check(&|t| t.settings.trace_capacity = 1_000_000, true);
    check(&|t| t.settings.trace_capacity = 1_000_001, false);
    check(&|t| t.settings.drain_limit_s = 1e8, false);
    check(&|t| t.settings.warmup_s = 1e8, false);
    let spike = |factor: f64, duration_s: f64, at_s: f64| {
        move |t: &mut Topology| {
            t.faults.push(Fault {
                at_s,
                action: FaultAction::Spike { factor, duration_s },
            })
        }
    };
    check(&spike(1000.0, 1e7, 1e7), true);
    check(&spike(1000.1, 1.0, 1.0), false);
    check(&spike(2.0, 1e8, 1.0), false);
    check(&spike(2.0, 1.0, 1e8), false);
    check(
        &|t| {
            t.faults.push(Fault {
                at_s: 1.0,
                action: FaultAction::Slow {
                    node: "db".into(),
                    factor: 0.0001,
                },
            })
        },
        false,
    );
}

// ------------------------------------------------------------------------- the crashes, one test each

/// Issue 20: a server with 60 000 000 workers (or 10⁹) panicked on Run with `capacity overflow`. Now it is a
/// diagnostic naming the field and the cap, `Sim::new` refuses it, and the inspector will not take it.
#[test]
fn sixty_million_workers_is_a_diagnostic_not_a_capacity_overflow() {
    for workers in [60_000_000u64, 1_000_000_000] {
        for kind in ["server", "database", "api_gateway", "waf"] {
            let mut t = playground_core::fixtures::three_tier();
            t.nodes
                .push(Node::new("big", kind).with("workers", json!(workers)));
            t.edges.push(Edge::new("lb", "big"));
            let errors = errors_on(&t, "params.workers");
            assert!(
                errors.iter().any(|m| m.contains("at most")),
                "{kind} {workers}: {errors:?}"
            );
            let e = Sim::new(&t).expect_err("refused before anything is allocated");
            assert!(e.diagnostics.iter().any(|d| d.message.contains("workers")));
        }
    }
    let mut ed = Editor::new(playground_core::fixtures::three_tier());
    let before = ed.doc.clone();
    let server = ed
        .doc
        .nodes
        .iter()
        .find(|n| n.kind == "server")
        .expect("a server")
        .id
        .clone();
    ed.apply(Action::SetParam {
        target: Target::Node(server),
        path: "workers".into(),
        value: EditValue::Text("60000000".into()),
    });
    assert_eq!(ed.doc, before, "the inspector kept the diagram");
    let refused = ed
        .field_error
        .as_ref()
        .map(|e| e.message.clone())
        .unwrap_or_default();
    assert!(refused.contains("at most 100 000"), "{refused}");
}

/// Issue 20: a client rate of 1e308 "ran" with the clock stuck at 0 (the gap between requests rounds to
/// 0 ns). It is now refused; at the largest rate allowed the clock advances.
#[test]
fn a_rate_of_1e308_is_refused_and_the_largest_rate_moves_the_clock() {
    let mut t = playground_core::fixtures::three_tier();
    let client = t
        .nodes
        .iter_mut()
        .find(|n| n.kind == "client")
        .expect("a client");
    client.params.insert("rate".into(), json!(1e308));
    let errors = errors_on(&t, "params.rate");
    assert!(
        errors.iter().any(|m| m.contains("at most 1 000 000 req/s")),
        "{errors:?}"
    );
    let client = t
        .nodes
        .iter_mut()
        .find(|n| n.kind == "client")
        .expect("a client");
    client.params.insert("rate".into(), json!(MAX_RATE));
    let mut sim = Sim::new(&t).expect("the cap itself is allowed");
    let p = sim.run_until(SimTime::from_secs(1.0), 200_000);
    assert!(p.budget_exhausted && p.reached > SimTime::ZERO, "{p:?}");
}

/// Issue 20: a duration of 1e308 made Run silently do nothing. As a setting it is a diagnostic; typed into the
/// run controls it is refused with a message (`limits::run_duration`, which the page shows).
#[test]
fn a_duration_of_1e308_is_refused_with_a_message() {
    let mut t = playground_core::fixtures::three_tier();
    t.settings.duration_s = 1e308;
    assert!(!errors_on(&t, "settings.duration_s").is_empty());
    let e = limits::run_duration(1e308).expect_err("refused");
    assert!(e.contains("at most 10 000 000 s"), "{e}");
}

/// Issue 20: a 373-character link opened 20 000 nodes (7–12 s, 2 GB). The decoder now refuses it as soon as it
/// reads the node count, and says why.
#[test]
fn a_short_link_holding_twenty_thousand_nodes_is_refused_before_building() {
    let t = Topology {
        nodes: (0..20_000)
            .map(|i| Node::new(&format!("n{i}"), "server"))
            .collect(),
        ..Topology::default()
    };
    let link = share::encode(&t);
    assert!(
        link.len() < 1_000,
        "the threat is a short link: {} chars",
        link.len()
    );
    let e = share::decode(&link).expect_err("refused");
    assert!(matches!(e, share::ShareError::OverLimit(_)), "{e:?}");
    assert!(e.to_string().contains("20 000 nodes"), "{e}");
    // And in JSON.
    let e = files::import_json(&playground_core::editor::storage::encode(&t)).expect_err("refused");
    assert!(e.contains("20 000 nodes"), "{e}");
}

/// The memory guard: 10⁶ requests a second into one slow worker with an unbounded queue grows without end;
/// the runner stops it past `--max-memory` with a message naming the cap and the queue that grew.
#[test]
fn the_memory_guard_stops_a_run_that_outgrows_its_cap() {
    let t = json!({
        "settings": {"duration_s": 60},
        "nodes": [
            {"id": "flood", "kind": "client", "params": {"rate": 1_000_000, "timeout_ms": 1e9}},
            {"id": "slow", "kind": "server", "params": {"workers": 1, "queue_capacity": null,
                "service_time": {"type": "constant", "ms": 100}}}
        ],
        "edges": [{"from": "flood", "to": "slow"}]
    });
    let args = RunArgs {
        file: "flood.json".into(),
        max_memory: Some(16 << 20),
        ..RunArgs::default()
    };
    let e = run_text(&args, &t.to_string()).expect_err("stopped");
    assert!(
        e.contains("could pass the 16 MB memory limit") && e.contains("longest queue is at `slow`"),
        "{e}"
    );
    // The same run in frame-sized slices, as the page runs it: stopped with the engine just past the cap.
    let topo: Topology = serde_json::from_value(t).expect("a topology");
    let mut sim = Sim::new(&topo).expect("valid");
    let cap = 16 << 20;
    let stopped = loop {
        let to = sim.now().add(SimTime::from_ms(16.0));
        let (_, stop) = limits::run_guarded(&mut sim, to, 2_000_000, cap);
        if let Some(m) = stop {
            break m;
        }
        assert!(sim.now() < SimTime::from_secs(60.0), "never stopped");
    };
    // Stopped before the engine holds the cap, however big the frame's budget (its tables double as they grow).
    assert!(sim.memory().total() < cap, "{:?}", sim.memory());
    assert!(sim.memory().total() > cap / 2, "{:?}", sim.memory());
    assert_eq!(
        (stopped.cap, stopped.queue.as_ref().map(|q| q.0.as_str())),
        (cap, Some("slow"))
    );
    assert!(
        stopped
            .short()
            .contains("before the 16 MB memory limit: `slow` queues"),
        "{}",
        stopped.short()
    );
}

/// Found by the bounds test: validation checked a gateway's routes by building the gateway, worker pool and
/// all, so a gateway with 4 294 967 295 workers allocated them on every edit (the page revalidates on each).
/// Validation now checks the routes on a one-worker copy: this completes, and says what is wrong.
#[test]
fn validating_a_gateway_never_allocates_its_worker_pool() {
    let mut t = playground_core::fixtures::three_tier();
    t.nodes
        .push(Node::new("gw", "api_gateway").with("workers", json!(u32::MAX)));
    t.edges.push(Edge::new("gw", "lb"));
    let errors = errors_on(&t, "params.workers");
    assert!(
        errors.iter().any(|m| m.contains("at most 100 000")),
        "{errors:?}"
    );
}

/// Found by the import fuzzer: serde_json's default float parsing is not exact, so a diagram exported as JSON
/// came back with some numbers one unit in the last place off (this position, a rate), and an exported
/// diagram could run differently from the one on screen. `float_roundtrip` makes the import exact.
#[test]
fn an_exported_diagram_imports_bit_for_bit() {
    let mut t = playground_core::fixtures::three_tier();
    t.nodes[0].position.y = -988.038_477_977_029_5;
    t.nodes[0]
        .params
        .insert("rate".into(), json!(37_017.177_764_803_295));
    let back = files::import_json(&files::export_json(&t)).expect("imports");
    assert_eq!(
        back.nodes[0].position.y.to_bits(),
        t.nodes[0].position.y.to_bits()
    );
    assert_eq!(back, t);
    let restored = playground_core::editor::storage::restore(Some(
        &playground_core::editor::storage::encode(&t),
    ));
    assert_eq!(restored.doc, t, "and through autosave");
}

/// `docs/limits.md` holds the table of `core::limits`, exactly.
#[test]
fn the_limits_doc_holds_the_table() {
    let doc = std::fs::read_to_string(playground_tests::repo_root().join("docs/limits.md"))
        .expect("docs/limits.md");
    assert!(
        doc.contains(&limits::markdown_table()),
        "docs/limits.md is out of date; the table should be:\n{}",
        limits::markdown_table()
    );
}

/// Found by the fuzz campaign (`fuzz_topology_imports`): a link at its slowest bandwidth carrying messages
/// at their largest size queues them past the end of simulated time; the time a request spent on links then
/// overflowed when the send time (saturated at the end of time) was added to a long latency. Now it saturates:
/// the run ends at its drain limit, and every request is accounted for.
#[test]
fn a_link_queued_past_the_end_of_time_does_not_overflow() {
    let mut t = Topology::default();
    t.settings.duration_s = 0.05;
    t.settings.drain_limit_s = 1.0;
    t.nodes = vec![
        Node::new("c", "client")
            .with("rate", json!(100_000))
            .with("size_bytes", json!(1_000_000_000)),
        Node::new("s", "server").with("response_bytes", json!(1_000_000_000)),
    ];
    let mut e = Edge::new("c", "s");
    e.bandwidth_mbps = Some(0.001);
    e.latency = Some(playground_core::Dist::Constant { ms: 1e9 });
    t.edges = vec![e];
    let mut sim = Sim::new(&t).expect("valid at the bounds");
    sim.run_to_end();
    let r = sim.report();
    assert!(r.requests.sent > 1_000, "{:?}", r.requests);
    assert_eq!(r.requests.accounted(), r.requests.sent, "{:?}", r.requests);
}

/// The fuzz campaign met "attempt to add with overflow" in a database's busy time: a query's time saturates at
/// `SimTime::MAX` (a full scan of 10^12 rows joined over 100 tables at speed 0.001 takes 10^20 ns), and adding a
/// second one to the instance's busy time overflowed. Every value here is within its documented range.
#[test]
fn two_queries_longer_than_the_clock_do_not_overflow_a_database() {
    let mut t = Topology::default();
    t.settings.duration_s = 1.0;
    t.settings.warmup_s = 0.0;
    t.settings.drain_limit_s = 1.0;
    let mut c = Node::new("c", "client");
    c.params.insert("rate".into(), json!(100.0));
    let mut db = Node::new("db", "database");
    for (k, v) in [
        ("preset", json!("sql")),
        ("rows", json!(1_000_000_000_000_u64)),
        ("indexed", json!(false)),
        ("join_tables", json!(100)),
        ("speed", json!(0.001)),
        ("workers", json!(8)),
    ] {
        db.params.insert(k.into(), v);
    }
    t.nodes = vec![c, db];
    t.edges = vec![Edge::new("c", "db")];
    let mut sim = Sim::new(&t).expect("every value is within its range");
    sim.run_until(SimTime::from_secs(1.0), 1_000_000);
    let report = sim.report();
    // Two or more queries started (and saturated the clock) during the run.
    assert!(report.nodes["db"].arrivals >= 2, "{:?}", report.nodes["db"]);
}

/// The benchmarks' overload row (`core/benches/engine.rs`, the bench page): a million requests a second for
/// one simulated second into a server that serves one a second, so 999,998 are in flight at the end. Each
/// holds a slab slot (`request_slot_bytes()`, 104 bytes; the slab's capacity is the next power of two, 2^20),
/// an 8-byte entry of its client's deadline queue (the same capacity) and the server's 24-byte queued `Job`;
/// its path is one hop, inside the slot, and it sets no cold field. So per request in flight:
/// (104 + 8) × 2^20 / 999,998 + 24 × 999,997 / 999,998 = 141.4 bytes, under the issue's 150.
#[test]
fn the_overload_row_holds_under_150_bytes_per_request_in_flight() {
    use playground_core::request::request_slot_bytes;
    use playground_core::{Dist, fixtures};
    let mut t = fixtures::single_station(1_000_000.0, 1, None, Dist::constant_ms(1000.0), 2.0, 1);
    t.settings.series_interval_s = 0.0;
    let mut sim = Sim::new(&t).expect("valid");
    sim.run_until(SimTime::from_secs(1.0), u64::MAX);
    let held = sim.requests_held();
    assert_eq!(held, 999_998);
    let m = sim.memory();
    let cap = 1usize << 20;
    assert_eq!(request_slot_bytes(), 104);
    // The slab: its slots, and a free list of the few requests already answered.
    assert!((cap * 104..cap * 104 + 64).contains(&m.requests), "{m:?}");
    assert_eq!(m.deadlines, cap * 8, "{m:?}");
    assert_eq!(m.queues, 999_997 * 24, "{m:?}");
    let per = m.total() as f64 / f64::from(held);
    let want = (104.0 + 8.0) * cap as f64 / 999_998.0 + 24.0 * 999_997.0 / 999_998.0;
    assert!(
        (per - want).abs() < 0.01,
        "{per} bytes per request, {want} expected; {m:?}"
    );
    assert!(per <= 150.0, "{per} bytes per request in flight");
}
