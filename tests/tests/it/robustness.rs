//! The engine never panics, whatever a person draws: arbitrary diagrams over every kind in the registry —
//! any edges (cycles and self-loops included), numeric parameters scaled, zeroed or negated, faults at
//! random times — either fail to build with a message or run, advance in budgeted slices like the page's
//! frame loop, and report. A panic in the browser kills the page, so this is the test that the page lives.

use playground_core::components::KINDS;
use playground_core::sim::Sim;
use playground_core::time::SimTime;
use playground_core::validate::{has_errors, validate};
use playground_core::{Edge, Fault, FaultAction, Node, Topology};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// How a numeric parameter is changed: kept, scaled by a factor in [0, 8), set to zero, or negated.
#[derive(Clone, Copy, Debug)]
enum Tweak {
    Keep,
    Scale(f64),
    Zero,
    Negate,
}

fn tweak() -> impl Strategy<Value = Tweak> {
    prop_oneof![
        12 => Just(Tweak::Keep),
        4 => (0.0f64..8.0).prop_map(Tweak::Scale),
        1 => Just(Tweak::Zero),
        1 => Just(Tweak::Negate),
    ]
}

/// The kind's default parameters with the first few top-level numbers changed by the tweaks.
fn params(kind: usize, tweaks: &[Tweak]) -> Map<String, Value> {
    let mut p = KINDS[kind].kind.default_params();
    for (i, v) in p.values_mut().enumerate() {
        let Some(x) = v.as_f64() else { continue };
        let t = tweaks.get(i).copied().unwrap_or(Tweak::Keep);
        let y = match t {
            Tweak::Keep => continue,
            Tweak::Scale(f) => x * f,
            Tweak::Zero => 0.0,
            Tweak::Negate => -x,
        };
        // Integers stay integers when they were, so the tweak reaches the model rather than the parser.
        *v = if v.is_u64() || v.is_i64() {
            Value::from(y.round() as i64)
        } else {
            Number::from_f64(y).map_or(Value::Null, Value::Number)
        };
    }
    p
}

#[derive(Clone, Debug)]
struct Drawn {
    topology: Topology,
}

fn diagram() -> impl Strategy<Value = Drawn> {
    let n_kinds = KINDS.len();
    (2usize..8)
        .prop_flat_map(move |n| {
            (
                prop::collection::vec((0..n_kinds, prop::collection::vec(tweak(), 1..4)), n),
                prop::collection::vec((0..n, 0..n), 0..(3 * n)),
                prop::collection::vec((0.0f64..3.0, 0u8..6, 0..n.max(1)), 0..4),
                any::<u64>(),
            )
        })
        .prop_map(|(nodes, edges, faults, seed)| {
            let ids: Vec<String> = (0..nodes.len()).map(|i| format!("n{i}")).collect();
            let mut t = Topology::default();
            // The first node is a client, so there is traffic to run.
            let mut nodes = nodes;
            nodes[0].0 = 0;
            // That client's numbers are only scaled (never zeroed or negated), or most diagrams would fail on
            // its whole-number parameters; other nodes, clients included, take every tweak.
            for t in &mut nodes[0].1 {
                if matches!(t, Tweak::Zero | Tweak::Negate) {
                    *t = Tweak::Keep;
                }
            }
            for (i, (kind, tweaks)) in nodes.iter().enumerate() {
                let mut node = Node::new(&ids[i], KINDS[*kind].name);
                node.params = params(*kind, tweaks);
                t.nodes.push(node);
            }
            // Connections the registry allows (so most diagrams build and run); one in four diagrams also
            // gets the first connection it refuses.
            for (k, (a, b)) in edges.into_iter().enumerate() {
                let allowed = KINDS[nodes[a].0]
                    .connects_to
                    .contains(&KINDS[nodes[b].0].kind);
                let refused_one = k == 0 && seed % 4 == 0;
                if !allowed && !refused_one {
                    continue;
                }
                let mut e = Edge::new(&ids[a], &ids[b]);
                e.id = format!("e{}", t.edges.len());
                t.edges.push(e);
            }
            for (at_s, action, target) in faults {
                let node = ids[target % ids.len()].clone();
                let edge = t.edges.first().map_or_else(String::new, |e| e.id.clone());
                let action = match action {
                    0 => FaultAction::Kill { node },
                    1 => FaultAction::Revive { node },
                    2 => FaultAction::Slow { node, factor: 10.0 },
                    3 if !edge.is_empty() => FaultAction::CutLink { edge },
                    4 if !edge.is_empty() => FaultAction::HealLink { edge },
                    _ => FaultAction::Spike {
                        factor: 5.0,
                        duration_s: 1.0,
                    },
                };
                t.faults.push(Fault { at_s, action });
            }
            t.settings.seed = seed;
            t.settings.duration_s = 3.0;
            Drawn { topology: t }
        })
}

/// Whether the diagram builds, and how many events its 4 s took.
fn exercise(t: &Topology) -> Result<Option<u64>, String> {
    let diags = validate(t);
    match Sim::new(t) {
        Ok(mut sim) => {
            let mut until = SimTime::ZERO;
            for _ in 0..40 {
                until = until.add(SimTime::from_ms(100.0));
                sim.run_until(until, 20_000);
                let _ = sim.report();
            }
            let report = sim.report();
            let _ = report.digest();
            Ok(Some(report.events))
        }
        Err(e) if has_errors(&diags) => {
            let message = format!("{e:?}");
            if message.is_empty() {
                return Err("a build error without a message".into());
            }
            Ok(None)
        }
        Err(e) => Err(format!("validation passed but the build failed: {e:?}")),
    }
}

/// The generator is worth its name: most of its diagrams build and move traffic, so the property above
/// exercises the engine and not only the validator.
#[test]
fn most_drawn_diagrams_build_and_move_traffic() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let (mut built, mut busy) = (0, 0);
    for _ in 0..200 {
        let d = diagram()
            .new_tree(&mut runner)
            .expect("a diagram")
            .current();
        if let Ok(Some(events)) = exercise(&d.topology) {
            built += 1;
            busy += usize::from(events > 100);
        }
    }
    eprintln!("built {built}, busy {busy} of 200");
    // The draw depends on the registry's size: with the two real-time kinds (subscribers only follow an event
    // feed, so few drawn ones move traffic) 58 of this fixed draw are busy.
    assert!(
        built >= 80 && busy >= 55,
        "built {built}, busy {busy} of 200"
    );
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// Build, run in frame-sized slices with an event budget, report: no panic, and a diagram validation
    /// passes always builds.
    #[test]
    fn arbitrary_diagrams_of_every_kind_build_or_explain_and_run_without_panic(d in diagram()) {
        let outcome = exercise(&d.topology);
        prop_assert!(outcome.is_ok(), "{:?}", outcome);
    }
}
