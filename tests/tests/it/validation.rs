//! Validation: data-driven `check(topology, expected diagnostics)` cases for the half-built diagram and for
//! every kind of bad input, plus a mutation sweep proving that no input makes parsing, validation or a short
//! run panic.

use playground_core::rng::SimRng;
use playground_core::validate::{Severity, Subject, has_errors};
use playground_core::{Edge, FaultAction, Node, Sim, Topology, fixtures, validate};
use serde_json::{Value, json};

fn topo(nodes: Vec<Node>, edges: Vec<Edge>) -> Topology {
    Topology {
        nodes,
        edges,
        ..Topology::default()
    }
}

/// Asserts the diagnostics, as `(severity, subject, field, message)`, are exactly `expect` (in any order).
fn check(t: &Topology, expect: &[(Severity, Subject, Option<&str>, &str)]) {
    let got: Vec<_> = validate(t)
        .into_iter()
        .map(|d| (d.severity, d.subject, d.field, d.message))
        .collect();
    let want: Vec<_> = expect
        .iter()
        .map(|(s, subj, f, m)| (*s, subj.clone(), f.map(String::from), m.to_string()))
        .collect();
    for w in &want {
        assert!(got.contains(w), "missing {w:?}\n got {got:#?}");
    }
    assert_eq!(
        got.len(),
        want.len(),
        "unexpected extra diagnostics: {got:#?}"
    );
    // Errors block the build, warnings do not.
    assert_eq!(
        Sim::new(t).is_err(),
        want.iter().any(|w| w.0 == Severity::Error)
    );
}

fn node(id: &str) -> Subject {
    Subject::Node(id.into())
}

#[test]
fn shipped_examples_are_valid_without_warnings() {
    for t in [fixtures::mm1(), fixtures::mmc(), fixtures::three_tier()] {
        check(&t, &[]);
    }
}

#[test]
fn half_built_diagrams_warn_but_run() {
    use Severity::Warning;
    check(
        &topo(vec![Node::new("c1", "client")], vec![]),
        &[(Warning, node("c1"), None, "client `c1` is not connected")],
    );
    check(
        &topo(
            vec![Node::new("c1", "client"), Node::new("lb1", "load_balancer")],
            vec![Edge::new("c1", "lb1")],
        ),
        &[(
            Warning,
            node("lb1"),
            None,
            "load balancer `lb1` has no backends",
        )],
    );
    check(
        &topo(vec![Node::new("s1", "server")], vec![]),
        &[(Warning, node("s1"), None, "server `s1` receives no traffic")],
    );
    // A half-built diagram runs: the balancer without backends fails every request.
    let mut t = topo(
        vec![Node::new("c1", "client"), Node::new("lb1", "load_balancer")],
        vec![Edge::new("c1", "lb1")],
    );
    t.settings.duration_s = 2.0;
    let r = playground_core::run(&t).expect("warnings do not block");
    assert!(r.requests.sent > 100);
    assert_eq!(r.requests.failed(), r.requests.sent);
    assert_eq!(r.nodes["lb1"].errors, r.requests.sent);
    check(&Topology::default(), &[]);
}

#[test]
fn bad_input_is_diagnosed_with_its_subject_and_field() {
    use Severity::Error;
    let c = || Node::new("c1", "client");
    let s = || Node::new("s1", "server");
    check(
        &topo(
            vec![c(), Node::new("m", "mainframe")],
            vec![Edge::new("c1", "m")],
        ),
        &[(
            Error,
            node("m"),
            Some("kind"),
            "node `m` has unknown kind `mainframe`",
        )],
    );
    check(
        &topo(
            vec![c().with("rate", json!(-5)), s()],
            vec![Edge::new("c1", "s1")],
        ),
        &[(
            Error,
            node("c1"),
            Some("params.rate"),
            "client `c1`: `rate` must not be negative (got -5)",
        )],
    );
    check(
        &topo(
            vec![c(), s().with("error_probability", json!(f64::NAN))],
            vec![Edge::new("c1", "s1")],
        ),
        &[(
            Error,
            node("s1"),
            Some("params.error_probability"),
            "server `s1`: invalid type: null, expected f64",
        )],
    );
    check(
        &topo(
            vec![
                c(),
                s().with(
                    "service_time",
                    json!({"type": "uniform", "min_ms": 5, "max_ms": 1}),
                ),
            ],
            vec![Edge::new("c1", "s1")],
        ),
        &[(
            Error,
            node("s1"),
            Some("params.service_time.max_ms"),
            "server `s1`: `service_time`: `max_ms` (1) is below `min_ms` (5)",
        )],
    );
    check(
        &topo(
            vec![c(), s()],
            vec![Edge::new("c1", "s1"), Edge::new("c1", "ghost")],
        ),
        &[(
            Error,
            Subject::Edge("c1->ghost".into()),
            Some("to"),
            "edge `c1->ghost` ends at unknown node `ghost`",
        )],
    );
    check(
        &topo(vec![c(), s(), s()], vec![Edge::new("c1", "s1")]),
        &[(
            Error,
            node("s1"),
            Some("id"),
            "node id `s1` is used more than once",
        )],
    );
    let mut e1 = Edge::new("c1", "s1");
    e1.id = "e".into();
    let mut e2 = Edge::new("c1", "s1");
    e2.id = "e".into();
    check(
        &topo(vec![c(), s()], vec![e1, e2]),
        &[(
            Error,
            Subject::Edge("e".into()),
            Some("id"),
            "edge id `e` is used more than once",
        )],
    );
    check(
        &topo(
            vec![c(), s(), Node::new("db", "database")],
            vec![Edge::new("c1", "s1"), Edge::new("db", "s1")],
        ),
        &[
            (
                Error,
                Subject::Edge("db->s1".into()),
                None,
                "database `db` cannot call server `s1`",
            ),
            (
                Severity::Warning,
                node("db"),
                None,
                "database `db` receives no traffic",
            ),
        ],
    );
    check(
        &topo(
            vec![c(), s().with("wrokers", json!(2))],
            vec![Edge::new("c1", "s1")],
        ),
        &[(
            Error,
            node("s1"),
            Some("params.wrokers"),
            "server `s1`: unknown parameter `wrokers`",
        )],
    );
    let mut t = topo(vec![c(), s()], vec![Edge::new("c1", "s1")]);
    t.settings.duration_s = -1.0;
    t.settings.hop_limit = 0;
    t.faults.push(playground_core::Fault {
        at_s: 1.0,
        action: FaultAction::Kill {
            node: "nope".into(),
        },
    });
    t.version = 9;
    check(
        &t,
        &[
            (
                Error,
                Subject::Topology,
                Some("version"),
                "format version 9 is not supported (this build reads version 1)",
            ),
            (
                Error,
                Subject::Settings,
                Some("settings.duration_s"),
                "setting `duration_s` must be a finite, non-negative number (got -1)",
            ),
            (
                Error,
                Subject::Settings,
                Some("settings.hop_limit"),
                "setting `hop_limit` must be between 1 and 255",
            ),
            (
                Error,
                Subject::Fault(0),
                Some("action"),
                "fault #0: unknown node `nope`",
            ),
        ],
    );
}

/// Replaces one value somewhere in `v` (chosen by `rng`) with a hostile one.
fn mutate(v: &mut Value, rng: &mut SimRng) {
    let hostile = [
        json!(-1),
        json!(0),
        json!(1e300),
        json!("x"),
        json!(null),
        json!([]),
        json!({}),
        json!(true),
        json!(-1e-300),
    ];
    match v {
        Value::Object(m) if !m.is_empty() => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let k = &keys[rng.below(keys.len() as u64) as usize];
            if rng.chance(0.15) {
                m.remove(k);
            } else if rng.chance(0.5) {
                mutate(m.get_mut(k).expect("key exists"), rng);
            } else {
                m.insert(
                    k.clone(),
                    hostile[rng.below(hostile.len() as u64) as usize].clone(),
                );
            }
        }
        Value::Array(a) if !a.is_empty() => {
            let i = rng.below(a.len() as u64) as usize;
            if rng.chance(0.15) {
                a.remove(i);
            } else {
                mutate(&mut a[i], rng);
            }
        }
        other => *other = hostile[rng.below(hostile.len() as u64) as usize].clone(),
    }
}

#[test]
fn no_mutation_of_an_example_panics() {
    let mut rng = SimRng::new(2024);
    let mut ran = 0;
    for text in [
        fixtures::MM1_JSON,
        fixtures::MMC_JSON,
        fixtures::THREE_TIER_JSON,
    ] {
        let base: Value = serde_json::from_str(text).expect("example parses");
        for _ in 0..150 {
            let mut v = base.clone();
            for _ in 0..1 + rng.below(3) {
                mutate(&mut v, &mut rng);
            }
            let Ok(mut t) = serde_json::from_value::<Topology>(v) else {
                continue;
            };
            let diags = validate(&t);
            if has_errors(&diags) {
                assert!(Sim::new(&t).is_err());
                continue;
            }
            // Keep the run short: a mutation may have made rates huge or services slow.
            t.settings.duration_s = t.settings.duration_s.min(0.5);
            t.settings.drain_limit_s = t.settings.drain_limit_s.min(1.0);
            let mut sim = Sim::new(&t).expect("no errors");
            sim.run_until(playground_core::SimTime::from_secs(2.0), 200_000);
            let r = sim.report();
            let q = r.requests;
            assert_eq!(q.sent, q.accounted());
            ran += 1;
        }
    }
    assert!(
        ran > 50,
        "too few mutations survived validation to exercise the engine: {ran}"
    );
}

#[test]
fn a_resolver_without_an_authoritative_nameserver_is_warned_about() {
    use Severity::Warning;
    let t = topo(
        vec![
            Node::new("c1", "client"),
            Node::new("s1", "server"),
            Node::new("r1", "dns_resolver"),
            Node::new("root", "dns_server").with("role", json!("root")),
        ],
        vec![
            Edge::new("c1", "s1"),
            Edge::new("c1", "r1"),
            Edge::new("r1", "root"),
        ],
    );
    check(
        &t,
        &[(
            Warning,
            node("r1"),
            None,
            "dns resolver `r1` has no authoritative nameserver: its lookups fail",
        )],
    );
    let mut fixed = t.clone();
    fixed.nodes.push(Node::new("auth", "dns_server"));
    fixed.edges.push(Edge::new("r1", "auth"));
    check(&fixed, &[]);
}
