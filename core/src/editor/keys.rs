//! Keyboard shortcuts: a key press (as the browser names it) to an editor [`Action`]. `mod_key` is Ctrl on
//! Linux and Windows, Cmd on macOS; the view decides which.

use super::Action;
use super::geometry::{GRID, Point};

/// The action for a key press, if it is a shortcut. Called only when focus is not in a text field.
pub fn shortcut(key: &str, mod_key: bool, shift: bool) -> Option<Action> {
    let lower = key.to_ascii_lowercase();
    match (lower.as_str(), mod_key, shift) {
        ("delete" | "backspace", false, _) => Some(Action::DeleteSelection),
        ("escape", _, _) => Some(Action::ClearSelection),
        ("z", true, false) => Some(Action::Undo),
        ("z", true, true) | ("y", true, false) => Some(Action::Redo),
        ("d", true, false) => Some(Action::Duplicate),
        ("c", true, false) => Some(Action::Copy),
        ("v", true, false) => Some(Action::Paste),
        ("a", true, false) => Some(Action::SelectAll),
        ("+" | "=", true, _) => Some(Action::ZoomBy(1.25)),
        ("-", true, _) => Some(Action::ZoomBy(0.8)),
        ("1", false, true) | ("!", false, true) => Some(Action::ZoomToFit),
        // Arrows nudge the selected cards one grid step (five with Shift), so cards can be placed without a mouse.
        ("arrowleft" | "arrowright" | "arrowup" | "arrowdown", false, _) => {
            let step = if shift { 5.0 * GRID } else { GRID };
            let (x, y) = match lower.as_str() {
                "arrowleft" => (-step, 0.0),
                "arrowright" => (step, 0.0),
                "arrowup" => (0.0, -step),
                _ => (0.0, step),
            };
            Some(Action::MoveNodes {
                delta: Point::new(x, y),
            })
        }
        _ => None,
    }
}

/// A page command with a shortcut of its own (not an editor action): sharing, the gallery and files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageCommand {
    /// Make a share link (Shift+S).
    Share,
    /// Open or close the scenario gallery (Shift+G).
    Gallery,
    /// Download the diagram as JSON (Ctrl+S: "save" keeps its meaning, the browser's "save page" does not).
    ExportJson,
    /// Open a diagram file (Ctrl+O).
    ImportJson,
    /// Close the gallery or share panel (Escape; the editor also clears its selection).
    Close,
    /// Run or pause the simulation (Space, when focus is not on a control that Space presses).
    RunPause,
    /// Show the keyboard shortcuts (`?`).
    Shortcuts,
    /// Connect from the focused or selected card: the next card chosen is the callee (C).
    Connect,
}

/// The page command for a key press, if any. None of them is an editor [`shortcut`] (a test checks), except
/// Escape, which does both: closes what is open and clears the selection.
pub fn page_shortcut(key: &str, mod_key: bool, shift: bool) -> Option<PageCommand> {
    match (key.to_ascii_lowercase().as_str(), mod_key, shift) {
        ("s", false, true) => Some(PageCommand::Share),
        ("g", false, true) => Some(PageCommand::Gallery),
        ("s", true, false) => Some(PageCommand::ExportJson),
        ("o", true, false) => Some(PageCommand::ImportJson),
        ("escape", _, _) => Some(PageCommand::Close),
        (" ", false, _) => Some(PageCommand::RunPause),
        ("?", false, _) => Some(PageCommand::Shortcuts),
        ("c", false, false) => Some(PageCommand::Connect),
        _ => None,
    }
}

/// One line of the shortcut sheet: the keys as written for people, what they do, and the key presses they
/// stand for (`(key, mod, shift)`, as the browser names the key) so a test can check each one does something.
#[derive(Clone, Copy, Debug)]
pub struct ShortcutHelp {
    /// the keys, as printed
    pub keys: &'static str,
    /// what they do
    pub what: &'static str,
    /// the presses it documents
    pub presses: &'static [(&'static str, bool, bool)],
}

/// The shortcut sheet (`?`), in the order it is shown.
pub const SHORTCUTS: &[ShortcutHelp] = &[
    ShortcutHelp {
        keys: "Space",
        what: "Run or pause the simulation",
        presses: &[(" ", false, false)],
    },
    ShortcutHelp {
        keys: "Tab, Shift+Tab",
        what: "Move between cards, connections and controls; a card added from the palette takes the focus",
        presses: &[],
    },
    ShortcutHelp {
        keys: "Enter",
        what: "Select the focused card or connection (while connecting: make it the callee)",
        presses: &[],
    },
    ShortcutHelp {
        keys: "C",
        what: "Connect from the focused (or selected) card, then choose the callee with Tab and Enter",
        presses: &[("c", false, false)],
    },
    ShortcutHelp {
        keys: "Arrow keys",
        what: "Move the selected cards one grid step (with Shift: five)",
        presses: &[("ArrowLeft", false, false), ("ArrowDown", false, true)],
    },
    ShortcutHelp {
        keys: "Delete, Backspace",
        what: "Delete the selection (focus moves to a neighbouring card)",
        presses: &[("Delete", false, false), ("Backspace", false, false)],
    },
    ShortcutHelp {
        keys: "Ctrl+Z, Ctrl+Shift+Z (Ctrl+Y)",
        what: "Undo, redo",
        presses: &[("z", true, false), ("z", true, true), ("y", true, false)],
    },
    ShortcutHelp {
        keys: "Ctrl+C, Ctrl+V, Ctrl+D",
        what: "Copy, paste, duplicate cards",
        presses: &[("c", true, false), ("v", true, false), ("d", true, false)],
    },
    ShortcutHelp {
        keys: "Ctrl+A",
        what: "Select everything",
        presses: &[("a", true, false)],
    },
    ShortcutHelp {
        keys: "Ctrl+=, Ctrl+−, Shift+1",
        what: "Zoom in, zoom out, zoom to fit",
        presses: &[("=", true, false), ("-", true, false), ("!", false, true)],
    },
    ShortcutHelp {
        keys: "Shift+G",
        what: "Scenario gallery",
        presses: &[("G", false, true)],
    },
    ShortcutHelp {
        keys: "Shift+S",
        what: "Share link",
        presses: &[("S", false, true)],
    },
    ShortcutHelp {
        keys: "Ctrl+S, Ctrl+O",
        what: "Export the diagram as JSON, import one",
        presses: &[("s", true, false), ("o", true, false)],
    },
    ShortcutHelp {
        keys: "?",
        what: "This list",
        presses: &[("?", false, true)],
    },
    ShortcutHelp {
        keys: "Esc",
        what: "Close a menu, panel or dialog; cancel connecting; clear the selection",
        presses: &[("Escape", false, false)],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_shortcuts_do_not_clash_with_the_editors() {
        let keys = [
            "s", "S", "g", "G", "o", "O", "Escape", "z", "y", "d", "c", "v", "a", "1", "!",
            "Delete",
        ];
        for key in keys {
            for m in [false, true] {
                for s in [false, true] {
                    if let Some(cmd) = page_shortcut(key, m, s) {
                        let editor = shortcut(key, m, s);
                        assert!(
                            editor.is_none() || cmd == PageCommand::Close,
                            "{key} mod={m} shift={s}: {cmd:?} and {editor:?}"
                        );
                    }
                }
            }
        }
        assert_eq!(page_shortcut("S", false, true), Some(PageCommand::Share));
        assert_eq!(page_shortcut("G", false, true), Some(PageCommand::Gallery));
        assert_eq!(
            page_shortcut("s", true, false),
            Some(PageCommand::ExportJson)
        );
        assert_eq!(
            page_shortcut("o", true, false),
            Some(PageCommand::ImportJson)
        );
        assert_eq!(page_shortcut("s", false, false), None);
    }

    #[test]
    fn every_key_on_the_shortcut_sheet_does_something() {
        for help in SHORTCUTS {
            for &(key, m, s) in help.presses {
                assert!(
                    shortcut(key, m, s).is_some() || page_shortcut(key, m, s).is_some(),
                    "{}: {key} mod={m} shift={s} does nothing",
                    help.keys
                );
            }
        }
        // Plain C connects; Ctrl+C still copies.
        assert_eq!(page_shortcut("c", false, false), Some(PageCommand::Connect));
        assert_eq!(shortcut("c", false, false), None);
        assert_eq!(shortcut("c", true, false), Some(Action::Copy));
        assert_eq!(
            page_shortcut(" ", false, false),
            Some(PageCommand::RunPause)
        );
        assert_eq!(
            page_shortcut("?", false, true),
            Some(PageCommand::Shortcuts)
        );
    }

    #[test]
    fn the_documented_shortcuts_map_to_their_actions() {
        let cases = [
            ("Delete", false, false, Some(Action::DeleteSelection)),
            ("Backspace", false, false, Some(Action::DeleteSelection)),
            ("z", true, false, Some(Action::Undo)),
            ("Z", true, true, Some(Action::Redo)),
            ("y", true, false, Some(Action::Redo)),
            ("d", true, false, Some(Action::Duplicate)),
            ("c", true, false, Some(Action::Copy)),
            ("v", true, false, Some(Action::Paste)),
            ("!", false, true, Some(Action::ZoomToFit)),
            (
                "ArrowRight",
                false,
                false,
                Some(Action::MoveNodes {
                    delta: Point::new(GRID, 0.0),
                }),
            ),
            (
                "ArrowUp",
                false,
                true,
                Some(Action::MoveNodes {
                    delta: Point::new(0.0, -5.0 * GRID),
                }),
            ),
            ("z", false, false, None),
            ("d", false, false, None),
        ];
        for (key, m, s, want) in cases {
            assert_eq!(shortcut(key, m, s), want, "{key} mod={m} shift={s}");
        }
    }
}
