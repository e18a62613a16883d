//! Tests of the editing model: every action, undo and redo, selection, clipboard, placement and edits.

use super::*;
use crate::dist::Dist;
use crate::resilience::{BreakerParams, RetryPolicy};
use crate::validate::Severity;

fn ed() -> Editor {
    let mut e = Editor::new(Topology::default());
    e.apply(Action::Resize {
        width: 800.0,
        height: 600.0,
    });
    e
}

fn add(e: &mut Editor, kind: Kind, x: f64, y: f64) -> String {
    e.apply(Action::AddNode {
        kind,
        at: Position { x, y },
    });
    e.doc.nodes.last().expect("a node was added").id.clone()
}

fn down(at: Point) -> Action {
    Action::Pointer(Input::Down {
        at,
        pointer: 1,
        shift: false,
        button: 0,
    })
}
fn mv(at: Point) -> Action {
    Action::Pointer(Input::Move {
        at,
        pointer: 1,
        over_canvas: true,
    })
}
fn up(at: Point) -> Action {
    Action::Pointer(Input::Up {
        at,
        pointer: 1,
        over_canvas: true,
    })
}

#[test]
fn palette_drop_creates_a_selected_snapped_node_with_fresh_ids() {
    let mut e = ed();
    e.apply(Action::Pointer(Input::PaletteDown {
        kind: Kind::Server,
        pointer: 1,
    }));
    e.apply(mv(Point::new(300.0, 200.0)));
    assert!(matches!(e.tool, Tool::Palette { at: Some(_), .. }));
    e.apply(up(Point::new(303.0, 207.0)));
    assert_eq!(e.doc.nodes.len(), 1);
    let n = &e.doc.nodes[0];
    assert_eq!(
        (n.id.as_str(), n.kind.as_str(), n.label.as_str()),
        ("server1", "server", "Server 1")
    );
    assert_eq!(n.position.x % geometry::GRID, 0.0);
    assert!(e.selection.nodes.contains("server1"));
    let second = add(&mut e, Kind::Server, 0.0, 0.0);
    assert_eq!(second, "server2");
    assert_eq!(add(&mut e, Kind::LoadBalancer, 0.0, 200.0), "lb1");
}

#[test]
fn palette_release_outside_the_canvas_creates_nothing() {
    let mut e = ed();
    e.apply(Action::Pointer(Input::PaletteDown {
        kind: Kind::Client,
        pointer: 1,
    }));
    e.apply(Action::Pointer(Input::Up {
        at: Point::new(-50.0, 10.0),
        pointer: 1,
        over_canvas: false,
    }));
    assert!(e.doc.nodes.is_empty());
    assert!(!e.can_undo());
}

#[test]
fn a_drag_is_one_undo_step_and_snaps() {
    let mut e = ed();
    let id = add(&mut e, Kind::Server, 100.0, 100.0);
    let steps = e.undo.len();
    e.apply(down(Point::new(150.0, 120.0)));
    for i in 0..50 {
        e.apply(mv(Point::new(
            150.0 + f64::from(i),
            120.0 + f64::from(i) / 2.0,
        )));
    }
    // While dragging, the stored position is untouched; the drawn one follows the grid.
    assert_eq!(e.doc.node(&id).expect("node").position.x, 100.0);
    assert_eq!(e.drawn_position(e.doc.node(&id).expect("node")).x, 140.0);
    e.apply(up(Point::new(199.0, 144.0)));
    assert_eq!(e.undo.len(), steps + 1);
    let p = e.doc.node(&id).expect("node").position;
    assert_eq!((p.x, p.y), (140.0, 120.0));
    e.apply(Action::Undo);
    assert_eq!(e.doc.node(&id).expect("node").position.x, 100.0);
    e.apply(Action::Redo);
    assert_eq!(e.doc.node(&id).expect("node").position.x, 140.0);
}

#[test]
fn a_click_on_a_node_selects_it_and_a_click_on_the_background_clears() {
    let mut e = ed();
    let a = add(&mut e, Kind::Server, 0.0, 0.0);
    let b = add(&mut e, Kind::Server, 0.0, 200.0);
    e.apply(down(Point::new(20.0, 20.0)));
    e.apply(up(Point::new(20.0, 20.0)));
    assert_eq!(e.selection.single(), Some(Target::Node(a.clone())));
    e.apply(Action::Pointer(Input::Down {
        at: Point::new(20.0, 220.0),
        pointer: 1,
        shift: true,
        button: 0,
    }));
    e.apply(up(Point::new(20.0, 220.0)));
    assert_eq!(e.selection.nodes.len(), 2);
    assert!(e.selection.nodes.contains(&b));
    e.apply(down(Point::new(500.0, 500.0)));
    e.apply(up(Point::new(500.0, 500.0)));
    assert!(e.selection.is_empty());
}

#[test]
fn dragging_from_a_port_connects_and_forbidden_connections_are_refused() {
    let mut e = ed();
    let c = add(&mut e, Kind::Client, 0.0, 0.0);
    let db = add(&mut e, Kind::Database, 300.0, 0.0);
    let port = geometry::out_port(Position { x: 0.0, y: 0.0 });
    e.apply(down(port));
    e.apply(mv(Point::new(320.0, 20.0)));
    assert!(matches!(&e.tool, Tool::Connect { over: Some((id, true)), .. } if *id == db));
    e.apply(up(Point::new(320.0, 20.0)));
    assert_eq!(e.doc.edges.len(), 1);
    assert_eq!(e.doc.edges[0].id, format!("{c}-{db}"));
    assert!(e.notice.is_none());
    // The database may not call the client.
    let steps = e.undo.len();
    e.apply(down(geometry::out_port(Position { x: 300.0, y: 0.0 })));
    e.apply(up(Point::new(20.0, 20.0)));
    assert_eq!(e.doc.edges.len(), 1);
    assert_eq!(e.undo.len(), steps);
    let n = e.notice.as_ref().expect("a refusal is shown");
    assert_eq!(n.tone, Tone::Refused);
    assert!(
        n.text.contains("Database cannot call a client"),
        "{}",
        n.text
    );
    assert!(n.at.is_some());
    // And an existing edge is not drawn twice.
    e.apply(Action::Connect {
        from: c.clone(),
        to: db.clone(),
        at: Point::default(),
    });
    assert_eq!(e.doc.edges.len(), 1);
    assert!(e.connection_problem(&c, &c).is_some());
}

#[test]
fn invalid_parameter_values_are_never_stored() {
    let mut e = ed();
    let s = add(&mut e, Kind::Server, 0.0, 0.0);
    let t = Target::Node(s.clone());
    let set = |e: &mut Editor, path: &str, v: &str| {
        e.apply(Action::SetParam {
            target: t.clone(),
            path: path.into(),
            value: EditValue::Text(v.into()),
        });
    };
    set(&mut e, "workers", "0");
    assert!(e.doc.node(&s).expect("node").params.is_empty());
    assert_eq!(
        e.field_error.as_ref().map(|f| f.path.as_str()),
        Some("workers")
    );
    set(&mut e, "error_probability", "1.5");
    assert!(e.doc.node(&s).expect("node").params.is_empty());
    set(&mut e, "workers", "8");
    assert_eq!(
        e.doc.node(&s).expect("node").params["workers"],
        serde_json::json!(8)
    );
    assert!(e.field_error.is_none());
    e.apply(Action::Undo);
    assert!(e.doc.node(&s).expect("node").params.is_empty());
}

#[test]
fn edge_parameters_are_checked_and_stored() {
    let mut e = ed();
    let a = add(&mut e, Kind::LoadBalancer, 0.0, 0.0);
    let b = add(&mut e, Kind::Server, 300.0, 0.0);
    e.apply(Action::Connect {
        from: a.clone(),
        to: b.clone(),
        at: Point::default(),
    });
    let t = Target::Edge(format!("{a}-{b}"));
    e.apply(Action::SetParam {
        target: t.clone(),
        path: "loss".into(),
        value: EditValue::Text("2".into()),
    });
    assert_eq!(e.doc.edges[0].loss, None);
    assert!(e.field_error.is_some());
    e.apply(Action::SetParam {
        target: t.clone(),
        path: "weight".into(),
        value: EditValue::Text("3".into()),
    });
    e.apply(Action::SetParam {
        target: t,
        path: "latency".into(),
        value: EditValue::Text("constant".into()),
    });
    assert_eq!(e.doc.edges[0].weight, Some(3));
    assert!(matches!(
        e.doc.edges[0].latency,
        Some(Dist::Constant { .. })
    ));
}

/// A server calling a database over one edge, that edge's target and a setter for its parameters.
fn policy_edge() -> (Editor, Target) {
    let mut e = ed();
    let a = add(&mut e, Kind::Server, 0.0, 0.0);
    let b = add(&mut e, Kind::Database, 300.0, 0.0);
    e.apply(Action::Connect {
        from: a.clone(),
        to: b.clone(),
        at: Point::default(),
    });
    (e, Target::Edge(format!("{a}-{b}")))
}

fn set(e: &mut Editor, t: &Target, path: &str, value: EditValue) {
    e.apply(Action::SetParam {
        target: t.clone(),
        path: path.into(),
        value,
    });
}

#[test]
fn an_edge_call_policy_is_added_edited_and_removed() {
    use crate::resilience::{Backoff, BreakerWindow, Jitter, RetryBudget};
    let (mut e, t) = policy_edge();
    let text = |s: &str| EditValue::Text(s.into());
    set(&mut e, &t, "timeout_ms", text("250"));
    set(&mut e, &t, "retry", EditValue::Bool(true));
    set(&mut e, &t, "breaker", EditValue::Bool(true));
    assert!(e.field_error.is_none(), "{:?}", e.field_error);
    let edge = &e.doc.edges[0];
    assert_eq!(edge.timeout_ms, Some(250.0));
    assert_eq!(edge.retry, Some(RetryPolicy::default()));
    assert_eq!(edge.breaker, Some(BreakerParams::default()));
    set(&mut e, &t, "retry.max_attempts", text("5"));
    set(&mut e, &t, "retry.jitter", text("decorrelated"));
    set(&mut e, &t, "retry.backoff", text("fixed"));
    set(&mut e, &t, "retry.backoff.delay_ms", text("50"));
    set(&mut e, &t, "retry.budget", EditValue::Bool(true));
    set(&mut e, &t, "retry.budget.ratio", text("0.2"));
    set(&mut e, &t, "breaker.window", text("time"));
    set(&mut e, &t, "breaker.failure_rate", text("0.25"));
    set(&mut e, &t, "breaker.open_ms", text("2000"));
    assert!(e.field_error.is_none(), "{:?}", e.field_error);
    let edge = e.doc.edges[0].clone();
    let r = edge.retry.as_ref().expect("a retry policy");
    assert_eq!(r.max_attempts, 5);
    assert_eq!(r.jitter, Jitter::Decorrelated);
    assert_eq!(r.backoff, Backoff::Fixed { delay_ms: 50.0 });
    assert_eq!(
        r.budget,
        Some(RetryBudget {
            ratio: 0.2,
            ..RetryBudget::default()
        })
    );
    let b = edge.breaker.as_ref().expect("a breaker");
    assert_eq!(
        (b.window, b.failure_rate, b.open_ms),
        (BreakerWindow::Time, 0.25, 2000.0)
    );
    // Adding what is there keeps it; removing takes it away, and the timeout empties back to none.
    set(&mut e, &t, "retry", EditValue::Bool(true));
    assert_eq!(
        e.doc.edges[0].retry.as_ref().map(|r| r.max_attempts),
        Some(5)
    );
    set(&mut e, &t, "retry", EditValue::Bool(false));
    set(&mut e, &t, "breaker", EditValue::Bool(false));
    set(&mut e, &t, "timeout_ms", text(""));
    assert!(e.field_error.is_none(), "{:?}", e.field_error);
    assert!(!e.doc.edges[0].has_policy());
    e.apply(Action::Undo);
    assert!(e.doc.edges[0].timeout_ms.is_some());
}

#[test]
fn invalid_call_policies_are_refused_with_a_message_and_never_stored() {
    let (mut e, t) = policy_edge();
    let text = |s: &str| EditValue::Text(s.into());
    set(&mut e, &t, "retry", EditValue::Bool(true));
    set(&mut e, &t, "breaker", EditValue::Bool(true));
    let before = e.doc.edges[0].clone();
    for (path, value, says) in [
        ("timeout_ms", "0", "positive"),
        ("timeout_ms", "-5", "positive"),
        ("retry.max_attempts", "0", "between 1 and 100"),
        ("retry.max_attempts", "2.5", "whole number"),
        ("retry.backoff.cap_ms", "10", "at least `base_ms`"),
        ("breaker.failure_rate", "1.5", "failure_rate"),
        ("breaker.minimum_calls", "0", "at least 1"),
        ("breaker.open_ms", "soon", "not a number"),
    ] {
        set(&mut e, &t, path, text(value));
        let err = e.field_error.as_ref().expect("refused");
        assert_eq!(err.path, path);
        assert!(
            err.message.contains(says),
            "{path} = {value}: {}",
            err.message
        );
        assert_eq!(e.doc.edges[0], before, "{path} = {value} was stored");
    }
}

#[test]
fn edge_sections_split_the_link_from_the_call_policy() {
    let (mut e, t) = policy_edge();
    let paths = |e: &Editor, i: usize| -> Vec<String> {
        edge_sections(&e.doc.edges[0])[i]
            .1
            .iter()
            .map(|f| f.path.clone())
            .collect()
    };
    assert_eq!(
        paths(&e, 0),
        ["latency", "loss", "bandwidth_mbps", "weight"]
    );
    assert_eq!(paths(&e, 1), ["timeout_ms", "retry", "breaker", "hedge"]);
    set(&mut e, &t, "retry", EditValue::Bool(true));
    assert_eq!(
        paths(&e, 1),
        [
            "timeout_ms",
            "retry",
            "retry.max_attempts",
            "retry.backoff",
            "retry.backoff.base_ms",
            "retry.backoff.cap_ms",
            "retry.jitter",
            "retry.budget",
            "breaker",
            "hedge"
        ]
    );
    let [(link, _), (policy, fields)] = edge_sections(&e.doc.edges[0]);
    assert_eq!((link, policy), ("Link", "Call policy"));
    assert_eq!(
        fields[0].control,
        schema::Control::Number {
            unit: "ms",
            integer: false,
            empty_means: Some("none")
        }
    );
    assert_eq!(fields[1].control, schema::Control::Optional);
}

#[test]
fn delete_duplicate_copy_and_paste() {
    let mut e = ed();
    let a = add(&mut e, Kind::Server, 0.0, 0.0);
    let b = add(&mut e, Kind::Database, 300.0, 0.0);
    e.apply(Action::Connect {
        from: a.clone(),
        to: b.clone(),
        at: Point::default(),
    });
    e.apply(Action::SelectAll);
    e.apply(Action::Duplicate);
    assert_eq!(e.doc.nodes.len(), 4);
    assert_eq!(e.doc.edges.len(), 2);
    assert_eq!(e.selection.nodes.len(), 2);
    assert!(!e.selection.nodes.contains(&a));
    e.apply(Action::Copy);
    e.apply(Action::Paste);
    e.apply(Action::Paste);
    assert_eq!(e.doc.nodes.len(), 8);
    let ids: std::collections::BTreeSet<&str> = e.doc.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids.len(), 8, "pasted ids are fresh");
    e.apply(Action::SelectOnly(Target::Node(a.clone())));
    e.apply(Action::DeleteSelection);
    assert!(e.doc.node(&a).is_none());
    assert!(e.doc.edges.iter().all(|x| x.from != a));
    e.apply(Action::Undo);
    assert!(e.doc.node(&a).is_some());
}

#[test]
fn rubber_band_adds_the_cards_it_touches() {
    let mut e = ed();
    add(&mut e, Kind::Server, 0.0, 0.0);
    add(&mut e, Kind::Server, 0.0, 100.0);
    add(&mut e, Kind::Server, 400.0, 400.0);
    e.apply(Action::ClearSelection);
    e.apply(Action::Pointer(Input::Down {
        at: Point::new(-20.0, -20.0),
        pointer: 1,
        shift: true,
        button: 0,
    }));
    e.apply(mv(Point::new(50.0, 120.0)));
    e.apply(up(Point::new(50.0, 120.0)));
    assert_eq!(e.selection.nodes.len(), 2);
}

#[test]
fn pan_wheel_and_pinch_change_only_the_viewport() {
    let mut e = ed();
    add(&mut e, Kind::Server, 0.0, 0.0);
    let rev = e.revision;
    let pan0 = e.viewport.pan;
    e.apply(down(Point::new(600.0, 500.0)));
    e.apply(mv(Point::new(650.0, 520.0)));
    e.apply(up(Point::new(650.0, 520.0)));
    assert_eq!(e.viewport.pan, Point::new(pan0.x + 50.0, pan0.y + 20.0));
    e.apply(Action::Pointer(Input::Wheel {
        at: Point::new(100.0, 100.0),
        delta_y: -100.0,
    }));
    assert!(e.viewport.zoom > 1.0);
    let z = e.viewport.zoom;
    e.apply(down(Point::new(600.0, 500.0)));
    e.apply(Action::Pointer(Input::Down {
        at: Point::new(700.0, 500.0),
        pointer: 2,
        shift: false,
        button: 0,
    }));
    e.apply(Action::Pointer(Input::Move {
        at: Point::new(800.0, 500.0),
        pointer: 2,
        over_canvas: true,
    }));
    assert!((e.viewport.zoom - (z * 2.0).min(geometry::MAX_ZOOM)).abs() < 1e-9);
    assert_eq!(e.revision, rev);
    assert!(!e.apply(Action::ZoomToFit) || e.viewport.zoom <= 1.5);
}

#[test]
fn a_card_added_in_view_lands_on_a_free_spot() {
    let mut e = ed();
    e.apply(Action::AddNodeInView(Kind::Server));
    e.apply(Action::AddNodeInView(Kind::Server));
    let (a, b) = (e.doc.nodes[0].position, e.doc.nodes[1].position);
    assert_eq!(a.x, b.x);
    assert!((a.y - b.y).abs() >= geometry::NODE_H, "{a:?} {b:?}");
}

/// Whether the card at `p` lies wholly inside the view.
fn in_view(e: &Editor, p: Position) -> bool {
    let a = e.viewport.to_screen(Point::new(p.x, p.y));
    let b = e
        .viewport
        .to_screen(Point::new(p.x + geometry::NODE_W, p.y + geometry::NODE_H));
    a.x >= 0.0 && a.y >= 0.0 && b.x <= e.canvas.0 && b.y <= e.canvas.1
}

#[test]
fn cards_added_in_view_never_overlap_and_stay_in_sight() {
    let mut e = ed();
    // Twenty cards fit in an 800 × 600 view at 100 %: each lands in view, clear of the others.
    for _ in 0..20 {
        e.apply(Action::AddNodeInView(Kind::Server));
    }
    let spots: Vec<Position> = e.doc.nodes.iter().map(|n| n.position).collect();
    for (i, a) in spots.iter().enumerate() {
        assert!(in_view(&e, *a), "card {i} at {a:?} is out of sight");
        for b in &spots[i + 1..] {
            let apart =
                (a.x - b.x).abs() >= geometry::NODE_W || (a.y - b.y).abs() >= geometry::NODE_H;
            assert!(apart, "{a:?} and {b:?} overlap");
        }
    }
    // The view has no room left: the next card goes beside the others and the view pans to it.
    let before = e.viewport;
    for _ in 0..30 {
        e.apply(Action::AddNodeInView(Kind::Server));
    }
    let last = e.doc.nodes.last().expect("added").position;
    assert!(
        in_view(&e, last),
        "{last:?} not in view after {:?}",
        e.viewport
    );
    assert_ne!(before.pan, e.viewport.pan, "the view moved to the new card");
}

#[test]
fn the_welcome_leaves_at_the_first_edit_but_an_error_stays() {
    let mut e = ed();
    e.apply(Action::Notify {
        tone: Tone::Info,
        text: "Welcome!".into(),
    });
    e.apply(Action::SelectAll);
    assert!(e.notice.is_some(), "selecting is not an edit");
    e.apply(Action::AddNodeInView(Kind::Client));
    assert!(e.notice.is_none(), "the first edit clears the welcome");
    e.apply(Action::Notify {
        tone: Tone::Error,
        text: "Could not save".into(),
    });
    e.apply(Action::AddNodeInView(Kind::Client));
    assert_eq!(e.notice.as_ref().map(|n| n.tone), Some(Tone::Error));
}

#[test]
fn connecting_without_a_pointer_takes_the_next_card_chosen() {
    let mut e = ed();
    let a = add(&mut e, Kind::Client, 0.0, 0.0);
    let b = add(&mut e, Kind::Server, 300.0, 0.0);
    let c = add(&mut e, Kind::Server, 300.0, 200.0);
    e.apply(Action::StartLink(a.clone()));
    assert_eq!(e.linking.as_deref(), Some(a.as_str()));
    e.apply(Action::SelectOnly(Target::Node(b.clone())));
    assert_eq!(e.linking, None);
    assert!(e.doc.edges.iter().any(|x| x.from == a && x.to == b));
    assert_eq!(
        e.selection.single(),
        Some(Target::Edge(e.doc.edges[0].name()))
    );
    assert!(e.can_undo());
    // Escape (clearing the selection) cancels; choosing the same card again cancels; a refused pair is
    // explained, not drawn.
    e.apply(Action::StartLink(a.clone()));
    e.apply(Action::ClearSelection);
    e.apply(Action::SelectOnly(Target::Node(c.clone())));
    assert_eq!(e.doc.edges.len(), 1);
    e.apply(Action::StartLink(b.clone()));
    e.apply(Action::SelectOnly(Target::Node(b.clone())));
    assert_eq!(e.doc.edges.len(), 1);
    e.apply(Action::StartLink(b.clone()));
    e.apply(Action::SelectOnly(Target::Node(a.clone())));
    assert_eq!(e.doc.edges.len(), 1, "a server cannot call a client");
    assert_eq!(e.notice.as_ref().map(|n| n.tone), Some(Tone::Refused));
}

#[test]
fn a_release_lost_outside_the_window_does_not_leave_the_tool_stuck() {
    let mut e = ed();
    let a = add(&mut e, Kind::Server, 0.0, 0.0);
    e.apply(down(Point::new(20.0, 20.0)));
    e.apply(mv(Point::new(120.0, 20.0)));
    // No release: the next press starts a new gesture (here a pan of the background).
    e.apply(down(Point::new(500.0, 500.0)));
    assert!(matches!(e.tool, Tool::Pan { .. }));
    e.apply(up(Point::new(500.0, 500.0)));
    assert_eq!(e.tool, Tool::Idle);
    assert_eq!(e.doc.node(&a).expect("node").position.x, 0.0);
}

#[test]
fn new_diagram_asks_first_and_can_be_undone() {
    let mut e = ed();
    add(&mut e, Kind::Server, 0.0, 0.0);
    e.apply(Action::AskNew);
    assert!(e.confirm_new);
    e.apply(Action::CancelNew);
    assert_eq!(e.doc.nodes.len(), 1);
    e.apply(Action::AskNew);
    e.apply(Action::ConfirmNew);
    assert!(e.doc.nodes.is_empty() && !e.confirm_new);
    e.apply(Action::Undo);
    assert_eq!(e.doc.nodes.len(), 1);
}

#[test]
fn history_is_bounded_and_a_new_edit_clears_redo() {
    let mut e = ed();
    for i in 0..(HISTORY_LIMIT + 10) {
        e.apply(Action::Rename(format!("n{i}")));
    }
    assert_eq!(e.undo.len(), HISTORY_LIMIT);
    e.apply(Action::Undo);
    assert!(e.can_redo());
    e.apply(Action::Rename("fresh".into()));
    assert!(!e.can_redo());
}

#[test]
fn open_starts_a_fresh_history_and_marks_its_revision_replace_is_undoable() {
    let mut e = ed();
    add(&mut e, Kind::Server, 0.0, 0.0);
    let other = crate::editor::storage::example();
    e.apply(Action::Open(Box::new(other.clone())));
    assert_eq!(*e.doc, other);
    assert!(!e.can_undo() && !e.can_redo());
    assert_eq!(e.opened_revision, e.revision);
    assert!(e.selection.is_empty());
    // The view frames the opened diagram: every card is on screen.
    let (min, max) = geometry::bounds(&e.doc).expect("nodes");
    let (a, b) = (e.viewport.to_screen(min), e.viewport.to_screen(max));
    assert!(
        a.x >= 0.0 && a.y >= 0.0 && b.x <= 800.0 && b.y <= 600.0,
        "{a:?} {b:?}"
    );
    e.apply(Action::Rename("edited".into()));
    assert_ne!(e.opened_revision, e.revision);

    let t = Topology {
        name: "imported".into(),
        ..Topology::default()
    };
    e.apply(Action::Replace(Box::new(t.clone())));
    assert_eq!(*e.doc, t);
    e.apply(Action::Undo);
    assert_eq!(e.doc.name, "edited");
}

#[test]
fn diagnostics_mark_the_nodes_they_concern() {
    let mut t = Topology::default();
    t.nodes.push(Node::new("x", "mainframe"));
    let e = Editor::new(t);
    assert_eq!(e.mark("x"), Some(Severity::Error));
    assert!(!e.diagnostics.is_empty());
}

#[test]
fn a_call_plan_and_a_hedge_are_edited_in_the_inspector_and_survive_a_share_link() {
    use crate::resilience::hedge::{HedgeAfter, HedgePolicy};
    let (mut e, t) = policy_edge();
    let text = |s: &str| EditValue::Text(s.into());
    let server = Target::Node(e.doc.edges[0].from.clone());
    set(&mut e, &server, "calls", text("first_k"));
    set(&mut e, &server, "fan_out", text("3"));
    set(&mut e, &server, "first_k", text("2"));
    set(&mut e, &t, "hedge", EditValue::Bool(true));
    assert!(e.field_error.is_none(), "{:?}", e.field_error);
    assert_eq!(e.doc.edges[0].hedge, Some(HedgePolicy::default()));
    set(&mut e, &t, "hedge.after", text("fixed"));
    set(&mut e, &t, "hedge.after.ms", text("12"));
    set(&mut e, &t, "hedge.tied", EditValue::Bool(true));
    assert!(e.field_error.is_none(), "{:?}", e.field_error);
    let h = e.doc.edges[0].hedge.clone().expect("a hedge");
    assert_eq!((h.after, h.tied), (HedgeAfter::Fixed { ms: 12.0 }, true));
    // Past a bound: refused with the field named, nothing stored.
    let before = e.doc.clone();
    for (target, path, value, says) in [
        (&t, "hedge.after.ms", "4000000", "at most"),
        (&server, "fan_out", "0", "at least 1"),
        (&server, "first_k", "5000", "at most"),
    ] {
        set(&mut e, target, path, text(value));
        let err = e.field_error.as_ref().expect("refused");
        assert!(err.message.contains(says), "{path}: {}", err.message);
        assert_eq!(e.doc, before, "{path} = {value} was stored");
    }
    let params = &e
        .doc
        .nodes
        .iter()
        .find(|n| Target::Node(n.id.clone()) == server)
        .expect("the server")
        .params;
    assert_eq!(
        (&params["calls"], &params["fan_out"], &params["first_k"]),
        (
            &serde_json::json!("first_k"),
            &serde_json::json!(3),
            &serde_json::json!(2)
        )
    );
    let back = crate::share::decode(&crate::share::share_url_fragment(&e.doc)).expect("opens");
    assert_eq!(back.edges[0].hedge, e.doc.edges[0].hedge);
    assert_eq!(back.nodes, e.doc.nodes);
}
