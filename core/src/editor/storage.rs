//! Saving and restoring the diagram as text (the web crate keeps it in `localStorage`), and the example a
//! newcomer starts from. Restoring never fails: unreadable text yields the example and a message saying so.

use serde_json::json;

use crate::topology::{Edge, Node, Position, Topology};

/// The `localStorage` key of the autosaved diagram; the suffix is the format of what is stored.
pub const STORAGE_KEY: &str = "sdp.diagram.v1";

/// The text stored for `doc` (compact topology JSON).
pub fn encode(doc: &Topology) -> String {
    serde_json::to_string(doc).unwrap_or_else(|_| doc.to_json())
}

/// What the editor opens with, and what to tell the person about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Restored {
    /// the diagram
    pub doc: Topology,
    /// a message: a welcome for a newcomer, or why the saved work could not be read
    pub message: Option<(bool, String)>,
}

/// The diagram to open given what storage holds (`None`: nothing saved). The message's flag is true when it
/// reports a problem.
pub fn restore(saved: Option<&str>) -> Restored {
    match saved {
        None => Restored {
            doc: example(),
            message: Some((
                false,
                "Welcome! This small example is yours to change: drag components in from the left, drag from a \
                 card's right-hand dot to connect, select a card to edit it."
                    .into(),
            )),
        },
        Some(text) => match Topology::from_json(text) {
            Ok(doc) => Restored { doc, message: None },
            Err(e) => Restored {
                doc: example(),
                message: Some((
                    true,
                    format!("Your saved diagram could not be read ({e}); the example is shown instead."),
                )),
            },
        },
    }
}

/// client → load balancer → two servers → database.
pub fn example() -> Topology {
    let at = |id: &str, kind: &str, label: &str, x: f64, y: f64| {
        let mut n = Node::new(id, kind);
        n.label = label.into();
        n.position = Position { x, y };
        n
    };
    let mut t = Topology {
        name: "Example: a load-balanced web app".into(),
        ..Topology::default()
    };
    t.nodes = vec![
        at("users", "client", "Users", 40.0, 200.0).with("rate", json!(150)),
        at("lb", "load_balancer", "Load balancer", 260.0, 200.0),
        at("app1", "server", "App 1", 480.0, 100.0),
        at("app2", "server", "App 2", 480.0, 300.0),
        at("db", "database", "Database", 700.0, 200.0),
    ];
    for (from, to) in [
        ("users", "lb"),
        ("lb", "app1"),
        ("lb", "app2"),
        ("app1", "db"),
        ("app2", "db"),
    ] {
        let mut e = Edge::new(from, to);
        e.id = format!("{from}-{to}");
        t.edges.push(e);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{has_errors, validate};

    #[test]
    fn the_example_is_valid() {
        let diags = validate(&example());
        assert!(!has_errors(&diags), "{diags:?}");
    }

    #[test]
    fn a_saved_diagram_round_trips() {
        let mut t = example();
        t.name = "mine".into();
        let back = restore(Some(&encode(&t)));
        assert_eq!(back.doc, t);
        assert_eq!(back.message, None);
    }

    #[test]
    fn corrupted_or_missing_storage_gives_the_example_and_a_message() {
        let bad = restore(Some("{\"nodes\": [oops"));
        assert_eq!(bad.doc, example());
        assert!(matches!(bad.message, Some((true, _))));
        let none = restore(None);
        assert_eq!(none.doc, example());
        assert!(matches!(none.message, Some((false, _))));
    }
}
