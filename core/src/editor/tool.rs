//! Pointer interaction as explicit state machines, written `match (tool, input)`: pressing on a port draws an
//! edge, on a card moves the selection, on the background pans (shift: rubber band), two fingers pinch-zoom,
//! and a palette item dragged over the canvas drops a new node. A step returns the next tool plus follow-up
//! [`Action`]s for the editor to apply; it never edits the diagram itself.

use super::geometry::{self, GRID, Hit, NODE_H, NODE_W, Point, Viewport};
use super::{Action, Editor, Target};
use crate::components::Kind;

/// Screen distance a press must travel before it counts as a drag rather than a click [px].
const DRAG_THRESHOLD: f64 = 3.0;

/// A pointer event, decoded by the view. Points are screen pixels relative to the canvas's top-left corner.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A button or finger went down on the canvas.
    Down {
        /// where
        at: Point,
        /// the pointer's id (each finger has its own)
        pointer: i32,
        /// shift held: add to the selection / rubber band
        shift: bool,
        /// 0 primary, 1 middle, 2 secondary
        button: i16,
    },
    /// A palette item was pressed: dragging it onto the canvas creates a node.
    PaletteDown {
        /// the kind to create
        kind: Kind,
        /// the pointer's id
        pointer: i32,
    },
    /// A pointer moved anywhere on the page.
    Move {
        /// where, relative to the canvas
        at: Point,
        /// the pointer's id
        pointer: i32,
        /// whether the point lies inside the canvas
        over_canvas: bool,
    },
    /// A pointer was released anywhere on the page.
    Up {
        /// where, relative to the canvas
        at: Point,
        /// the pointer's id
        pointer: i32,
        /// whether the point lies inside the canvas
        over_canvas: bool,
    },
    /// The browser took the pointer away (a touch became a scroll, the window lost focus).
    Cancel,
    /// A wheel turn or trackpad pinch over the canvas.
    Wheel {
        /// where
        at: Point,
        /// vertical delta [px]; positive scrolls down, which zooms out
        delta_y: f64,
    },
}

/// What the pointer is doing.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Tool {
    /// Nothing pressed.
    #[default]
    Idle,
    /// Dragging a palette item; `at` is where the new card would land (world, snapped), when over the canvas.
    Palette {
        /// kind to create
        kind: Kind,
        /// the pointer
        pointer: i32,
        /// the card's top-left corner if dropped now
        at: Option<Point>,
    },
    /// Moving the selected nodes by `delta` (world px).
    Move {
        /// the pointer
        pointer: i32,
        /// where the press started (world)
        start: Point,
        /// offset so far (world, unsnapped)
        delta: Point,
        /// whether the pointer has travelled past the click threshold
        moved: bool,
        /// a node to select alone if this turns out to be a click
        click: Option<String>,
    },
    /// Drawing an edge from `from`; `at` is the loose end (world), `over` the node under it and whether the
    /// connection would be allowed.
    Connect {
        /// the pointer
        pointer: i32,
        /// calling node
        from: String,
        /// loose end (world)
        at: Point,
        /// node under the pointer and whether connecting to it is allowed
        over: Option<(String, bool)>,
    },
    /// Dragging the background.
    Pan {
        /// the pointer
        pointer: i32,
        /// where the press started (screen)
        start: Point,
        /// the pan when it started
        start_pan: Point,
        /// whether it travelled past the click threshold
        moved: bool,
    },
    /// Shift-dragging a selection rectangle (world corners).
    Band {
        /// the pointer
        pointer: i32,
        /// first corner
        start: Point,
        /// second corner
        at: Point,
    },
    /// Two fingers: zoom about their midpoint and pan with it.
    Pinch {
        /// first finger and its position (screen)
        a: (i32, Point),
        /// second finger and its position (screen)
        b: (i32, Point),
        /// distance between the fingers at the start [px]
        start_dist: f64,
        /// viewport at the start
        start_view: Viewport,
        /// midpoint at the start (screen)
        start_mid: Point,
    },
}

fn mid(a: Point, b: Point) -> Point {
    Point::new((a.x + b.x) / 2.0, (a.y + b.y) / 2.0)
}

/// Top-left corner of a card centred under screen point `at`, snapped.
fn drop_corner(view: &Viewport, at: Point) -> Point {
    let w = view.to_world(at);
    let p = geometry::snap_position(Point::new(w.x - NODE_W / 2.0, w.y - NODE_H / 2.0));
    Point::new(p.x, p.y)
}

/// One step of the machine: the next tool and what the editor should do.
pub fn step(ed: &Editor, input: Input) -> (Tool, Vec<Action>) {
    let view = ed.viewport;
    // A press while a gesture is still under way means its release was lost (it happened outside the
    // window): abandon that gesture and start afresh, rather than staying stuck in it. The one exception is
    // a second finger joining a pan, which starts a pinch.
    let second_finger = matches!((&ed.tool, &input), (Tool::Pan { pointer: first, .. }, Input::Down { pointer, .. }) if pointer != first);
    if matches!(input, Input::Down { .. }) && ed.tool != Tool::Idle && !second_finger {
        let mut fresh = ed.clone();
        fresh.tool = Tool::Idle;
        return step(&fresh, input);
    }
    match (&ed.tool, input) {
        (_, Input::Cancel) => (Tool::Idle, vec![]),
        (tool, Input::Wheel { at, delta_y }) => {
            // A wheel notch is about 100 px: ~14% per notch; trackpads send many small deltas.
            let factor = (-delta_y.clamp(-200.0, 200.0) * 0.0015).exp();
            (
                tool.clone(),
                vec![Action::SetViewport(view.zoomed_to(view.zoom * factor, at))],
            )
        }
        (Tool::Idle, Input::PaletteDown { kind, pointer }) => (
            Tool::Palette {
                kind,
                pointer,
                at: None,
            },
            vec![],
        ),
        (
            Tool::Idle,
            Input::Down {
                at,
                pointer,
                shift,
                button,
            },
        ) => {
            let w = view.to_world(at);
            if button == 1 {
                return (
                    Tool::Pan {
                        pointer,
                        start: at,
                        start_pan: view.pan,
                        moved: true,
                    },
                    vec![],
                );
            }
            match geometry::hit_test(&ed.doc, w, view.zoom, |n| ed.drawn_position(n)) {
                Hit::Port(from) => (
                    Tool::Connect {
                        pointer,
                        from,
                        at: w,
                        over: None,
                    },
                    vec![],
                ),
                Hit::Node(id) => {
                    let selected = ed.selection.nodes.contains(&id);
                    let (actions, click) = if shift {
                        (vec![Action::Toggle(Target::Node(id))], None)
                    } else if selected {
                        (vec![], Some(id))
                    } else {
                        (vec![Action::SelectOnly(Target::Node(id))], None)
                    };
                    (
                        Tool::Move {
                            pointer,
                            start: w,
                            delta: Point::default(),
                            moved: false,
                            click,
                        },
                        actions,
                    )
                }
                Hit::Edge(id) => {
                    let a = if shift {
                        Action::Toggle(Target::Edge(id))
                    } else {
                        Action::SelectOnly(Target::Edge(id))
                    };
                    (Tool::Idle, vec![a])
                }
                Hit::Background if shift => (
                    Tool::Band {
                        pointer,
                        start: w,
                        at: w,
                    },
                    vec![],
                ),
                Hit::Background => (
                    Tool::Pan {
                        pointer,
                        start: at,
                        start_pan: view.pan,
                        moved: false,
                    },
                    vec![],
                ),
            }
        }
        (
            Tool::Pan {
                pointer: first,
                start,
                start_pan,
                ..
            },
            Input::Down { at, pointer, .. },
        ) if pointer != *first => {
            // Where the first finger is now: the pan so far tells.
            let a = Point::new(
                start.x + view.pan.x - start_pan.x,
                start.y + view.pan.y - start_pan.y,
            );
            (
                Tool::Pinch {
                    a: (*first, a),
                    b: (pointer, at),
                    start_dist: a.dist(at).max(1.0),
                    start_view: view,
                    start_mid: mid(a, at),
                },
                vec![],
            )
        }
        (
            Tool::Palette {
                kind, pointer: p, ..
            },
            Input::Move {
                at,
                pointer,
                over_canvas,
            },
        ) if pointer == *p => (
            Tool::Palette {
                kind: *kind,
                pointer,
                at: over_canvas.then(|| drop_corner(&view, at)),
            },
            vec![],
        ),
        (
            Tool::Palette {
                kind, pointer: p, ..
            },
            Input::Up {
                at,
                pointer,
                over_canvas,
            },
        ) if pointer == *p => {
            let actions = if over_canvas {
                let c = drop_corner(&view, at);
                vec![Action::AddNode {
                    kind: *kind,
                    at: crate::topology::Position { x: c.x, y: c.y },
                }]
            } else {
                vec![]
            };
            (Tool::Idle, actions)
        }
        (
            Tool::Move {
                pointer: p,
                start,
                moved,
                click,
                ..
            },
            Input::Move { at, pointer, .. },
        ) if pointer == *p => {
            let w = view.to_world(at);
            let delta = Point::new(w.x - start.x, w.y - start.y);
            let far = delta.x.abs().max(delta.y.abs()) * view.zoom > DRAG_THRESHOLD;
            (
                Tool::Move {
                    pointer,
                    start: *start,
                    delta,
                    moved: *moved || far,
                    click: click.clone(),
                },
                vec![],
            )
        }
        (
            Tool::Move {
                pointer: p,
                start,
                moved,
                click,
                ..
            },
            Input::Up { at, pointer, .. },
        ) if pointer == *p => {
            let w = view.to_world(at);
            let delta = Point::new(w.x - start.x, w.y - start.y);
            let actions = if *moved {
                vec![Action::MoveNodes { delta }]
            } else if let Some(id) = click {
                vec![Action::SelectOnly(Target::Node(id.clone()))]
            } else {
                vec![]
            };
            (Tool::Idle, actions)
        }
        (
            Tool::Connect {
                pointer: p, from, ..
            },
            Input::Move { at, pointer, .. },
        ) if pointer == *p => {
            let w = view.to_world(at);
            let over = match geometry::hit_test(&ed.doc, w, view.zoom, |n| n.position) {
                Hit::Node(id) | Hit::Port(id) if id != *from => {
                    let ok = ed.connection_problem(from, &id).is_none();
                    Some((id, ok))
                }
                _ => None,
            };
            (
                Tool::Connect {
                    pointer,
                    from: from.clone(),
                    at: w,
                    over,
                },
                vec![],
            )
        }
        (
            Tool::Connect {
                pointer: p, from, ..
            },
            Input::Up { at, pointer, .. },
        ) if pointer == *p => {
            let w = view.to_world(at);
            let actions = match geometry::hit_test(&ed.doc, w, view.zoom, |n| n.position) {
                Hit::Node(to) | Hit::Port(to) if to != *from => vec![Action::Connect {
                    from: from.clone(),
                    to,
                    at,
                }],
                _ => vec![],
            };
            (Tool::Idle, actions)
        }
        (
            Tool::Pan {
                pointer: p,
                start,
                start_pan,
                moved,
            },
            Input::Move { at, pointer, .. },
        ) if pointer == *p => {
            let d = Point::new(at.x - start.x, at.y - start.y);
            let moved = *moved || d.x.abs().max(d.y.abs()) > DRAG_THRESHOLD;
            let pan = Point::new(start_pan.x + d.x, start_pan.y + d.y);
            (
                Tool::Pan {
                    pointer,
                    start: *start,
                    start_pan: *start_pan,
                    moved,
                },
                vec![Action::SetViewport(Viewport {
                    pan,
                    zoom: view.zoom,
                })],
            )
        }
        (
            Tool::Pan {
                pointer: p, moved, ..
            },
            Input::Up { pointer, .. },
        ) if pointer == *p => {
            let actions = if *moved {
                vec![]
            } else {
                vec![Action::ClearSelection]
            };
            (Tool::Idle, actions)
        }
        (
            Tool::Band {
                pointer: p, start, ..
            },
            Input::Move { at, pointer, .. },
        ) if pointer == *p => (
            Tool::Band {
                pointer,
                start: *start,
                at: view.to_world(at),
            },
            vec![],
        ),
        (
            Tool::Band {
                pointer: p, start, ..
            },
            Input::Up { at, pointer, .. },
        ) if pointer == *p => {
            let r = geometry::rect(*start, view.to_world(at));
            let ids = ed
                .doc
                .nodes
                .iter()
                .filter(|n| geometry::card_meets_rect(n.position, r))
                .map(|n| n.id.clone())
                .collect();
            (Tool::Idle, vec![Action::AddToSelection(ids)])
        }
        (
            Tool::Pinch {
                a,
                b,
                start_dist,
                start_view,
                start_mid,
            },
            Input::Move { at, pointer, .. },
        ) if pointer == a.0 || pointer == b.0 => {
            let (a, b) = if pointer == a.0 {
                ((a.0, at), *b)
            } else {
                (*a, (b.0, at))
            };
            let m = mid(a.1, b.1);
            let zoom = (start_view.zoom * a.1.dist(b.1) / start_dist)
                .clamp(geometry::MIN_ZOOM, geometry::MAX_ZOOM);
            // Keep the world point that was under the starting midpoint under the current one.
            let w = start_view.to_world(*start_mid);
            let next = Viewport {
                pan: Point::new(m.x - w.x * zoom, m.y - w.y * zoom),
                zoom,
            };
            (
                Tool::Pinch {
                    a,
                    b,
                    start_dist: *start_dist,
                    start_view: *start_view,
                    start_mid: *start_mid,
                },
                vec![Action::SetViewport(next)],
            )
        }
        (Tool::Pinch { a, b, .. }, Input::Up { pointer, .. })
            if pointer == a.0 || pointer == b.0 =>
        {
            (Tool::Idle, vec![])
        }
        // Anything else (a second finger on a card, a stray release) leaves the tool as it is.
        (tool, _) => (tool.clone(), vec![]),
    }
}

impl Tool {
    /// The offset applied to the selected cards while they are dragged (world px, snapped to the grid).
    pub fn drag_offset(&self) -> Option<Point> {
        match self {
            Tool::Move {
                delta, moved: true, ..
            } => Some(Point::new(
                (delta.x / GRID).round() * GRID,
                (delta.y / GRID).round() * GRID,
            )),
            _ => None,
        }
    }
}
