//! The editor state as a Yew reducer, shared through a context, plus the canvas's measured position on the
//! page (pointer coordinates arrive relative to the window and the editor wants them relative to the canvas).

use std::cell::Cell;
use std::rc::Rc;

use playground_core::editor::geometry::Point;
use playground_core::editor::storage::{self, STORAGE_KEY};
use playground_core::editor::{Action, Editor, Tone};
use yew::prelude::*;

/// The editor plus a counter that changes whenever anything visible does (context consumers compare it).
#[derive(Clone, Debug)]
pub struct State {
    /// the editing model
    pub ed: Editor,
    version: u64,
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

impl State {
    /// The editor on `doc`, ignoring storage (after failures in a row while opening the saved diagram).
    pub fn fresh(doc: playground_core::Topology) -> State {
        State {
            ed: Editor::new(doc),
            version: 0,
        }
    }

    /// The editor opened on what `localStorage` holds: the saved diagram, or the example with a welcome (or
    /// with a message when the saved text is unreadable or storage is blocked).
    pub fn restore() -> State {
        let (saved, blocked) = match local_storage() {
            Some(s) => (s.get_item(STORAGE_KEY).ok().flatten(), false),
            None => (None, true),
        };
        let restored = storage::restore(saved.as_deref());
        let mut ed = Editor::new(restored.doc);
        if blocked {
            ed.apply(Action::Notify {
                tone: Tone::Error,
                text: "This browser blocks local storage: your work stays in this tab only.".into(),
            });
        } else if let Some((problem, text)) = restored.message {
            let tone = if problem { Tone::Error } else { Tone::Info };
            ed.apply(Action::Notify { tone, text });
        }
        State { ed, version: 0 }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        if next.ed.apply(action) {
            next.version += 1;
            Rc::new(next)
        } else {
            // Same Rc: Yew skips the re-render (pointer moves with nothing pressed, for instance).
            self
        }
    }
}

/// The shared handle: read `.ed`, `.dispatch(Action)`.
pub type Handle = UseReducerHandle<State>;

/// The page's `localStorage`, or `None` when the browser has none or refuses access.
pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The canvas element and its last measured box on the page (left, top, width, height) [px].
#[derive(Clone, Default)]
pub struct CanvasBox {
    /// the `<svg>` element
    pub svg: NodeRef,
    rect: Rc<Cell<(f64, f64, f64, f64)>>,
}

impl PartialEq for CanvasBox {
    fn eq(&self, other: &Self) -> bool {
        self.svg == other.svg && Rc::ptr_eq(&self.rect, &other.rect)
    }
}

impl CanvasBox {
    /// Measures the canvas now (a layout read; done on press and resize, not on every move) and returns its
    /// size.
    pub fn measure(&self) -> Option<(f64, f64)> {
        let el = self.svg.cast::<web_sys::Element>()?;
        let r = el.get_bounding_client_rect();
        self.rect.set((r.left(), r.top(), r.width(), r.height()));
        Some((r.width(), r.height()))
    }

    /// A window point relative to the canvas, and whether it lies inside it.
    pub fn local(&self, client_x: f64, client_y: f64) -> (Point, bool) {
        let (l, t, w, h) = self.rect.get();
        let p = Point::new(client_x - l, client_y - t);
        (p, p.x >= 0.0 && p.y >= 0.0 && p.x <= w && p.y <= h)
    }
}

/// The traffic `<canvas>` the run draws on (its element is set when the canvas area mounts).
#[derive(Clone, Default, PartialEq)]
pub struct TrafficCanvas(pub NodeRef);
