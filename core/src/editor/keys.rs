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
        _ => None,
    }
}

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
