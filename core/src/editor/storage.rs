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
            Ok(doc) if crate::limits::check_counts(doc.nodes.len(), doc.edges.len(), doc.faults.len()).is_some() => {
                Restored {
                    doc: example(),
                    message: Some((
                        true,
                        "Your saved diagram is larger than the playground opens; the example is shown instead."
                            .into(),
                    )),
                }
            }
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

/// The `localStorage` key of the restore list: the last few diagrams autosave replaced (newest first).
pub const HISTORY_KEY: &str = "sdp.history.v1";

/// Diagrams the restore list keeps.
pub const HISTORY_LEN: usize = 8;

/// Most text the restore list keeps in all [bytes], so it never crowds out the autosave itself (browsers give
/// a site about 5 MB); the oldest entries go first.
pub const HISTORY_MAX_BYTES: usize = 1_500_000;

/// The `localStorage` key recording which tab wrote the user's slot last (`<tab id>:<count>`), so a tab can
/// tell that another one saved since it last did.
pub const OWNER_KEY: &str = "sdp.diagram.owner.v1";

/// The prefix of a tab's own autosave slot, used when another tab holds the user's slot.
pub const TAB_KEY_PREFIX: &str = "sdp.tab.";

/// A tab's own autosave slot.
pub fn tab_key(tab: &str) -> String {
    format!("{TAB_KEY_PREFIX}{tab}.v1")
}

/// One diagram in the restore list.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HistoryEntry {
    /// when it was put in the list [ms since 1970, from the page's clock]
    pub saved_ms: f64,
    /// why: `replaced` (a new, imported or very different diagram took its place), `session` (as it was when
    /// the page opened), `other tab` (another tab's diagram took the slot)
    pub why: String,
    /// the diagram's name
    pub name: String,
    /// how many nodes
    pub nodes: usize,
    /// the stored text (compact topology JSON)
    pub text: String,
}

/// The restore list in stored text (newest first); unreadable text is an empty list, never an error.
pub fn history(text: Option<&str>) -> Vec<HistoryEntry> {
    text.and_then(|t| crate::topology::read_json(t).ok())
        .unwrap_or_default()
}

/// The list with `text` (a stored diagram) added in front: nothing when it is the newest entry already or does
/// not read as a diagram; at most [`HISTORY_LEN`] entries and [`HISTORY_MAX_BYTES`] of text.
pub fn remember(
    mut list: Vec<HistoryEntry>,
    text: &str,
    why: &str,
    now_ms: f64,
) -> Vec<HistoryEntry> {
    let Ok(doc) = Topology::from_json(text) else {
        return list;
    };
    if text.len() > HISTORY_MAX_BYTES || list.first().is_some_and(|e| e.text == text) {
        return list;
    }
    list.retain(|e| e.text != text);
    list.insert(
        0,
        HistoryEntry {
            saved_ms: now_ms,
            why: why.to_string(),
            name: doc.name.clone(),
            nodes: doc.nodes.len(),
            text: text.to_string(),
        },
    );
    list.truncate(HISTORY_LEN);
    while list.iter().map(|e| e.text.len()).sum::<usize>() > HISTORY_MAX_BYTES && list.len() > 1 {
        list.pop();
    }
    list
}

/// The stored text of a restore list.
pub fn history_text(list: &[HistoryEntry]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// Whether `next` is a different diagram from `previous` rather than an edit of it: autosave then keeps
/// `previous` in the restore list. A new, imported or pasted diagram, one opened from the restore list, or
/// most of the nodes gone at once (an accidental select-all and delete) count; moving, adding or tuning a
/// few things does not.
pub fn is_another_diagram(previous: &Topology, next: &Topology) -> bool {
    if previous.nodes.is_empty() {
        return false;
    }
    if previous.name != next.name {
        return true;
    }
    let before = crate::sorting::set(previous.nodes.iter().map(|n| n.id.as_str()));
    let kept = next
        .nodes
        .iter()
        .filter(|n| before.contains(n.id.as_str()))
        .count();
    // Fewer than half of the old nodes remain.
    kept * 2 < before.len()
}

/// Which slot a tab's autosave writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    /// the user's slot, [`STORAGE_KEY`]
    Main,
    /// this tab's own slot, [`tab_key`]: another tab holds the user's
    Own,
}

/// A tab's view of who writes the user's slot: what [`OWNER_KEY`] held when it last read or wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TabGuard {
    /// this tab's id
    pub tab: String,
    /// where it saves
    pub slot: Slot,
    /// [`OWNER_KEY`] as this tab last saw it (`None`: empty)
    pub seen: Option<String>,
    /// saves this tab made to the user's slot
    pub writes: u64,
}

/// What an autosave must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveTo {
    /// write the user's slot, then [`OWNER_KEY`] with this stamp
    Main {
        /// the new owner stamp
        stamp: String,
    },
    /// write this tab's own slot (the key)
    Own(String),
    /// another tab saved the user's slot since this one last did: from now on this tab saves to its own slot
    /// (the key), and the page says so — nothing is overwritten
    SwitchToOwn(String),
}

impl TabGuard {
    /// A tab that has just read the user's slot, with [`OWNER_KEY`] holding `owner`.
    pub fn new(tab: &str, owner: Option<&str>) -> TabGuard {
        TabGuard {
            tab: tab.to_string(),
            slot: Slot::Main,
            seen: owner.map(str::to_string),
            writes: 0,
        }
    }

    /// Where the next autosave goes, given what [`OWNER_KEY`] holds now; updates the guard.
    pub fn save(&mut self, owner_now: Option<&str>) -> SaveTo {
        match self.slot {
            Slot::Own => SaveTo::Own(tab_key(&self.tab)),
            Slot::Main if owner_now.map(str::to_string) != self.seen => {
                self.slot = Slot::Own;
                SaveTo::SwitchToOwn(tab_key(&self.tab))
            }
            Slot::Main => {
                self.writes += 1;
                let stamp = format!("{}:{}", self.tab, self.writes);
                self.seen = Some(stamp.clone());
                SaveTo::Main { stamp }
            }
        }
    }

    /// Another tab was found holding the user's slot (a broadcast reply, or a storage event): this one saves
    /// to its own slot from now on. Whether that is a change.
    pub fn yield_main(&mut self) -> bool {
        let was = self.slot == Slot::Main;
        self.slot = Slot::Own;
        was
    }

    /// This tab takes the user's slot back (the user asked): it will write it next, with [`OWNER_KEY`] as it
    /// is now.
    pub fn take_main(&mut self, owner_now: Option<&str>) {
        self.slot = Slot::Main;
        self.seen = owner_now.map(str::to_string);
    }
}

/// What tabs of the playground tell each other on their broadcast channel.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TabMessage {
    /// `hello` (a tab opened), `here` (a tab saving to the user's slot answers), `took` (a tab made its diagram
    /// the main one)
    pub t: String,
    /// the sender's id
    pub tab: String,
    /// when the sender opened [ms]
    pub started: f64,
    /// whether the sender saves to the user's slot
    pub main: bool,
}

impl TabMessage {
    /// The text sent.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A message from its text, if it reads.
    pub fn parse(text: &str) -> Option<TabMessage> {
        crate::topology::read_json(text).ok()
    }
}

/// What a tab does on a message from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TabReply {
    /// nothing
    Nothing,
    /// answer `here`: this tab saves to the user's slot
    Answer,
    /// save on its own from now on; `saved` when the other tab took the user's slot (rather than was there first)
    Yield {
        /// the other tab wrote the user's slot
        saved: bool,
    },
}

/// The reply of tab `me` (opened at `started`, saving to the user's slot when `main`) to `m`: the tab that
/// opened first keeps the user's slot, a newer one saves on its own; a tab that takes the slot displaces it.
pub fn on_tab_message(me: &str, started: f64, main: bool, m: &TabMessage) -> TabReply {
    if m.tab == me || m.tab.is_empty() || !main {
        return TabReply::Nothing;
    }
    let older = m.started < started || (m.started == started && m.tab.as_str() < me);
    match m.t.as_str() {
        "took" if m.main => TabReply::Yield { saved: true },
        _ if m.main && older => TabReply::Yield { saved: false },
        "hello" => TabReply::Answer,
        _ => TabReply::Nothing,
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
    fn the_restore_list_keeps_the_last_few_distinct_diagrams_newest_first() {
        let mut list = Vec::new();
        for i in 0..12 {
            let mut t = example();
            t.name = format!("diagram {i}");
            list = remember(list, &encode(&t), "replaced", f64::from(i));
        }
        assert_eq!(list.len(), HISTORY_LEN);
        assert_eq!(list[0].name, "diagram 11");
        assert_eq!(list[0].nodes, 5);
        let again = remember(list.clone(), &list[0].text.clone(), "replaced", 99.0);
        assert_eq!(again, list, "the newest entry is not repeated");
        let moved = remember(list.clone(), &list[3].text.clone(), "session", 99.0);
        assert_eq!(
            (moved.len(), moved[0].name.as_str()),
            (HISTORY_LEN, "diagram 8")
        );
        assert_eq!(remember(Vec::new(), "{oops", "replaced", 0.0), vec![]);
        let back = history(Some(&history_text(&list)));
        assert_eq!(back, list);
        assert_eq!(history(Some("garbage")), vec![]);
        // The byte cap drops the oldest.
        let mut big = example();
        big.name = "x".repeat(HISTORY_MAX_BYTES / 3);
        let mut l = Vec::new();
        for i in 0..4 {
            big.name.push(char::from(b'a' + i));
            l = remember(l, &encode(&big), "replaced", 0.0);
        }
        assert!(l.len() < 4 && l.iter().map(|e| e.text.len()).sum::<usize>() <= HISTORY_MAX_BYTES);
    }

    #[test]
    fn another_diagram_is_told_from_an_edit() {
        let t = example();
        let mut moved = t.clone();
        moved.nodes[0].position.x += 50.0;
        moved.nodes.pop();
        assert!(!is_another_diagram(&t, &moved));
        assert!(is_another_diagram(&t, &Topology::default()), "New");
        let mut renamed = t.clone();
        renamed.name = "imported".into();
        assert!(is_another_diagram(&t, &renamed));
        let mut gutted = t.clone();
        gutted.nodes.truncate(2);
        assert!(
            is_another_diagram(&t, &gutted),
            "most nodes deleted at once"
        );
        assert!(
            !is_another_diagram(&Topology::default(), &t),
            "the first drawing"
        );
    }

    #[test]
    fn two_tabs_never_overwrite_each_other() {
        // Both tabs opened the user's diagram with the owner stamp empty.
        let mut a = TabGuard::new("a", None);
        let mut b = TabGuard::new("b", None);
        let SaveTo::Main { stamp } = a.save(None) else {
            panic!("the first writer keeps the user's slot")
        };
        let owner = Some(stamp.as_str());
        assert!(matches!(a.save(owner), SaveTo::Main { .. }));
        let owner = Some("a:2");
        // B saves after A did: it does not overwrite A's save, it moves to its own slot.
        assert_eq!(b.save(owner), SaveTo::SwitchToOwn(tab_key("b")));
        assert_eq!(b.save(owner), SaveTo::Own(tab_key("b")));
        assert_eq!(b.slot, Slot::Own);
        // The user makes B's diagram the main one: B writes the slot; A then finds a stamp it did not write.
        b.take_main(owner);
        let SaveTo::Main { stamp } = b.save(owner) else {
            panic!("B took the slot")
        };
        assert_eq!(a.save(Some(&stamp)), SaveTo::SwitchToOwn(tab_key("a")));
        assert!(!a.yield_main() && b.yield_main());
        assert_ne!(tab_key("a"), STORAGE_KEY);
    }

    #[test]
    fn the_tab_that_opened_first_keeps_the_users_slot() {
        let msg = |t: &str, tab: &str, started: f64| TabMessage {
            t: t.into(),
            tab: tab.into(),
            started,
            main: true,
        };
        // An older tab answers a newer one's hello; the newer one yields on the answer.
        assert_eq!(
            on_tab_message("old", 1.0, true, &msg("hello", "new", 2.0)),
            TabReply::Answer
        );
        assert_eq!(
            on_tab_message("new", 2.0, true, &msg("here", "old", 1.0)),
            TabReply::Yield { saved: false }
        );
        // Two hellos crossing: only the newer yields.
        assert_eq!(
            on_tab_message("new", 2.0, true, &msg("hello", "old", 1.0)),
            TabReply::Yield { saved: false }
        );
        assert_eq!(
            on_tab_message("a", 1.0, true, &msg("hello", "b", 1.0)),
            TabReply::Answer
        );
        assert_eq!(
            on_tab_message("b", 1.0, true, &msg("hello", "a", 1.0)),
            TabReply::Yield { saved: false }
        );
        // Taking the slot displaces whoever held it; own messages and tabs already on their own do nothing.
        assert_eq!(
            on_tab_message("old", 1.0, true, &msg("took", "new", 2.0)),
            TabReply::Yield { saved: true }
        );
        assert_eq!(
            on_tab_message("a", 1.0, true, &msg("hello", "a", 1.0)),
            TabReply::Nothing
        );
        assert_eq!(
            on_tab_message("a", 1.0, false, &msg("hello", "b", 2.0)),
            TabReply::Nothing
        );
        let m = msg("here", "x", 3.0);
        assert_eq!(TabMessage::parse(&m.to_text()), Some(m));
        assert_eq!(TabMessage::parse("nonsense"), None);
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
