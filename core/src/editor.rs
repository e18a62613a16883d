//! The diagram editor's model, free of any UI toolkit: the editor state (diagram, selection, viewport, tool,
//! undo history, clipboard, messages), the [`Action`]s a view may send, and the single [`Editor::apply`] that
//! performs them. The web crate wraps it in a Yew reducer; these functions are tested natively here.
//!
//! Architecture invariant: every change to the diagram goes through [`Editor::commit`], which records one
//! undo step; a gesture (a drag, a paste) is one action and therefore one step.

pub mod edge_params;
pub mod files;
pub mod geometry;
pub mod keys;
pub mod opening;
pub mod recovery;
pub mod schema;
pub mod storage;
pub mod svg;
pub mod tool;

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::components::{Kind, parse_params};
use crate::sorting::Names;
use crate::topology::{Edge, Node, Position, Topology};
use crate::validate::{Diagnostic, Severity, Subject, validate};
use edge_params::edge_with_params;
pub use edge_params::{
    EDGE_LINK_PARAMS, EDGE_POLICY_PARAMS, EDGE_VOCAB, edge_defaults, edge_params, edge_sections,
};
use geometry::{Point, Viewport};
use schema::EditValue;
pub use tool::{Input, Tool};

/// Undo steps kept, default 200; older ones are forgotten.
pub const HISTORY_LIMIT: usize = 200;
/// How far each paste or duplicate is offset from the original [px].
pub const PASTE_OFFSET: f64 = 40.0;

/// A node or an edge, by id (an edge by [`Edge::name`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// a node id
    Node(String),
    /// an edge name
    Edge(String),
}

/// What is selected.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// node ids
    pub nodes: Names,
    /// edge names
    pub edges: Names,
}

impl Selection {
    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edges.is_empty()
    }

    /// The single selected node or edge, if exactly one thing is selected.
    pub fn single(&self) -> Option<Target> {
        match (self.nodes.len(), self.edges.len()) {
            (1, 0) => self.nodes.first().cloned().map(Target::Node),
            (0, 1) => self.edges.first().cloned().map(Target::Edge),
            _ => None,
        }
    }
}

/// How a message should look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// guidance
    Info,
    /// an edit that was refused
    Refused,
    /// something failed (storage, a corrupted save)
    Error,
}

/// A message shown near the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// how it looks
    pub tone: Tone,
    /// what it says
    pub text: String,
    /// where on the canvas it concerns (screen px), if anywhere
    pub at: Option<Point>,
    /// increases with every notice, so the view can time each one out separately
    pub serial: u64,
}

/// A value the inspector refused, kept so the control can show it with the reason.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// whose field
    pub target: Target,
    /// the field's path (`label` for the label)
    pub path: String,
    /// why it was refused
    pub message: String,
}

/// Copied nodes and the edges between them.
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    pastes: u32,
}

/// Everything the editor does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A pointer event for the tool state machine.
    Pointer(Input),
    /// Create a node of `kind` with its top-left corner at `at` (snapped).
    AddNode {
        /// kind
        kind: Kind,
        /// top-left corner (world px)
        at: Position,
    },
    /// Create a node on the free spot nearest the middle of the visible canvas (a click or tap on the palette,
    /// or the keyboard), panning to it when the view has no room.
    AddNodeInView(Kind),
    /// Start connecting from this node without a pointer (a key on a focused card, or a card's context menu):
    /// the next node selected becomes the callee.
    StartLink(String),
    /// Move the selected nodes by `delta` (world px; snapped to the grid).
    MoveNodes {
        /// offset
        delta: Point,
    },
    /// Connect two nodes; refused with a notice at `at` (screen) when the model does not allow it.
    Connect {
        /// caller
        from: String,
        /// callee
        to: String,
        /// where the pointer was released (screen)
        at: Point,
    },
    /// Select exactly this.
    SelectOnly(Target),
    /// Add or remove one thing from the selection.
    Toggle(Target),
    /// Add these nodes to the selection.
    AddToSelection(Vec<String>),
    /// Select every node and edge.
    SelectAll,
    /// Select nothing.
    ClearSelection,
    /// Replace the viewport.
    SetViewport(Viewport),
    /// Zoom by a factor about the canvas centre.
    ZoomBy(f64),
    /// Show every node.
    ZoomToFit,
    /// The canvas element's size changed [px].
    Resize {
        /// width
        width: f64,
        /// height
        height: f64,
    },
    /// Set a parameter from an inspector control; invalid values are refused, never stored.
    SetParam {
        /// whose
        target: Target,
        /// dotted path
        path: String,
        /// what was typed or chosen
        value: EditValue,
    },
    /// Change a node's label.
    SetLabel {
        /// node id
        node: String,
        /// new label
        label: String,
    },
    /// Change the diagram's name.
    Rename(String),
    /// Delete the selection (and edges touching deleted nodes).
    DeleteSelection,
    /// Copy the selection and paste it at once, offset.
    Duplicate,
    /// Copy the selected nodes (and edges between them) to the in-app clipboard.
    Copy,
    /// Paste the clipboard, offset.
    Paste,
    /// Undo one step.
    Undo,
    /// Redo one step.
    Redo,
    /// Ask before replacing the diagram with an empty one.
    AskNew,
    /// Replace the diagram with an empty one (undoable).
    ConfirmNew,
    /// Keep the diagram.
    CancelNew,
    /// Show a message.
    Notify {
        /// look
        tone: Tone,
        /// text
        text: String,
    },
    /// Hide the message with this serial (a newer one stays).
    DismissNotice(u64),
    /// Open another diagram in place of this one (a shared link, a scenario, or back to the autosaved one):
    /// history, selection and clipboard start afresh and the view fits it. Not a change of the user's work, so
    /// [`Editor::opened_revision`] marks it for autosave to skip.
    Open(Box<Topology>),
    /// Replace the whole diagram as one undoable step (an imported file, keeping a visited diagram): Undo
    /// brings the previous one back.
    Replace(Box<Topology>),
}

/// The editor state.
#[derive(Clone, Debug)]
pub struct Editor {
    /// the diagram; shared with the undo history, copied on write
    pub doc: Rc<Topology>,
    /// increases with every change of `doc` (autosave watches it)
    pub revision: u64,
    /// core's validation of `doc`
    pub diagnostics: Rc<Vec<Diagnostic>>,
    /// worst severity per node id, sorted by id, for the marks on the cards ([`Editor::mark`]; a `Vec`, not
    /// a `BTreeMap` compiled for this one type: the Wasm's size)
    pub marks: Rc<Vec<(String, Severity)>>,
    /// what is selected
    pub selection: Selection,
    /// pan and zoom
    pub viewport: Viewport,
    /// what the pointer is doing
    pub tool: Tool,
    /// the message shown near the canvas
    pub notice: Option<Notice>,
    /// the last refused inspector value
    pub field_error: Option<FieldError>,
    /// whether "New diagram" is waiting for confirmation
    pub confirm_new: bool,
    /// canvas size [px], (0, 0) until the view reports it
    pub canvas: (f64, f64),
    /// the `revision` an [`Action::Open`] produced (0: none yet); autosave skips that revision, since opening
    /// is not editing
    pub opened_revision: u64,
    /// the node a connection is being drawn from without a pointer ([`Action::StartLink`]); selecting another
    /// node connects them, Escape or a click on the background cancels
    pub linking: Option<String>,
    undo: Vec<Rc<Topology>>,
    redo: Vec<Rc<Topology>>,
    clipboard: Option<Clip>,
    serial: u64,
    fitted: bool,
}

impl Editor {
    /// The worst severity of node `id`'s diagnostics, if it has any.
    pub fn mark(&self, id: &str) -> Option<Severity> {
        let i = self
            .marks
            .binary_search_by(|(k, _)| k.as_str().cmp(id))
            .ok()?;
        Some(self.marks[i].1)
    }

    /// An editor on `doc`, nothing selected, nothing to undo.
    pub fn new(doc: Topology) -> Editor {
        let mut ed = Editor {
            doc: Rc::new(doc),
            revision: 0,
            diagnostics: Rc::new(Vec::new()),
            marks: Rc::default(),
            selection: Selection::default(),
            viewport: Viewport::default(),
            tool: Tool::Idle,
            notice: None,
            field_error: None,
            confirm_new: false,
            canvas: (0.0, 0.0),
            opened_revision: 0,
            linking: None,
            undo: Vec::new(),
            redo: Vec::new(),
            clipboard: None,
            serial: 0,
            fitted: false,
        };
        ed.revalidate();
        ed
    }

    /// Whether there is a step to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is a step to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Where a node is drawn now: its position, plus the drag offset while the selection is being moved.
    pub fn drawn_position(&self, n: &Node) -> Position {
        match self.tool.drag_offset() {
            Some(d) if self.selection.nodes.contains(&n.id) => Position {
                x: n.position.x + d.x,
                y: n.position.y + d.y,
            },
            _ => n.position,
        }
    }

    /// Why an edge `from → to` may not be drawn, or `None` when it may.
    pub fn connection_problem(&self, from: &str, to: &str) -> Option<String> {
        let (Some(a), Some(b)) = (self.doc.node(from), self.doc.node(to)) else {
            return Some("both ends must be components on the canvas".into());
        };
        if from == to {
            return Some("a component cannot call itself".into());
        }
        if self.doc.edges.iter().any(|e| e.from == from && e.to == to) {
            return Some(format!("{} already calls {}", display(a), display(b)));
        }
        let (Some(ka), Some(kb)) = (Kind::from_name(&a.kind), Kind::from_name(&b.kind)) else {
            return Some("one end is of an unknown kind".into());
        };
        if ka.may_connect_to(kb) {
            return None;
        }
        let (ta, tb) = (ka.info().title, kb.info().title.to_lowercase());
        let allowed = ka.info().connects_to;
        Some(if allowed.is_empty() {
            format!(
                "{ta} cannot call a {tb}: a {} only answers calls",
                ta.to_lowercase()
            )
        } else {
            let names: Vec<String> = allowed
                .iter()
                .map(|k| k.info().title.to_lowercase())
                .collect();
            format!("{ta} cannot call a {tb}; it may call: {}", names.join(", "))
        })
    }

    /// Performs an action; returns whether anything visible changed (so a view can skip re-rendering).
    pub fn apply(&mut self, action: Action) -> bool {
        match action {
            Action::Pointer(input) => {
                let (tool, follow) = tool::step(self, input);
                let mut changed = tool != self.tool;
                self.tool = tool;
                for a in follow {
                    changed |= self.apply(a);
                }
                changed
            }
            Action::AddNode { kind, at } => {
                let id = fresh_node_id(&self.doc, kind);
                let mut node = Node::new(&id, kind.name());
                node.label = fresh_label(&self.doc, kind);
                node.position = geometry::snap_position(Point::from(at));
                self.commit(|doc| doc.nodes.push(node));
                self.select_only(Target::Node(id));
                true
            }
            Action::AddNodeInView(kind) => {
                let at = self.free_spot_in_view();
                self.apply(Action::AddNode {
                    kind,
                    at: Position { x: at.x, y: at.y },
                })
            }
            Action::StartLink(from) => {
                if self.doc.node(&from).is_none() {
                    return false;
                }
                self.select_only(Target::Node(from.clone()));
                self.linking = Some(from);
                true
            }
            Action::MoveNodes { delta } => {
                let d = Point::new(geometry::snap(delta.x), geometry::snap(delta.y));
                if (d.x == 0.0 && d.y == 0.0) || self.selection.nodes.is_empty() {
                    return true;
                }
                let sel = self.selection.nodes.clone();
                self.commit(|doc| {
                    for n in doc.nodes.iter_mut().filter(|n| sel.contains(&n.id)) {
                        n.position.x += d.x;
                        n.position.y += d.y;
                    }
                });
                true
            }
            Action::Connect { from, to, at } => {
                if let Some(why) = self.connection_problem(&from, &to) {
                    self.notify(Tone::Refused, why, Some(at));
                    return true;
                }
                let mut edge = Edge::new(&from, &to);
                edge.id = fresh_edge_id(&self.doc, &from, &to);
                let name = edge.id.clone();
                self.commit(|doc| doc.edges.push(edge));
                self.select_only(Target::Edge(name));
                true
            }
            Action::SelectOnly(Target::Node(to)) if self.linking.is_some() => {
                let from = self.linking.take().unwrap_or_default();
                if from == to {
                    // Choosing the same card again cancels.
                    return true;
                }
                let at = self.doc.node(&to).map_or(Point::new(0.0, 0.0), |n| {
                    self.viewport.to_screen(Point::new(
                        n.position.x + geometry::NODE_W / 2.0,
                        n.position.y + geometry::NODE_H,
                    ))
                });
                self.apply(Action::Connect { from, to, at })
            }
            Action::SelectOnly(t) => {
                self.linking = None;
                self.select_only(t);
                true
            }
            Action::Toggle(t) => {
                let set = match &t {
                    Target::Node(_) => &mut self.selection.nodes,
                    Target::Edge(_) => &mut self.selection.edges,
                };
                let (Target::Node(id) | Target::Edge(id)) = t;
                if !set.remove(&id) {
                    set.insert(id);
                }
                true
            }
            Action::AddToSelection(ids) => {
                self.selection.nodes.extend(ids);
                true
            }
            Action::SelectAll => {
                self.selection.nodes = self.doc.nodes.iter().map(|n| n.id.clone()).collect();
                self.selection.edges = self.doc.edges.iter().map(Edge::name).collect();
                true
            }
            Action::ClearSelection => {
                let changed = !self.selection.is_empty()
                    || self.field_error.is_some()
                    || self.linking.is_some();
                self.selection = Selection::default();
                self.field_error = None;
                self.linking = None;
                changed
            }
            Action::SetViewport(v) => {
                let changed = v != self.viewport;
                self.viewport = v;
                changed
            }
            Action::ZoomBy(f) => {
                let (w, h) = self.canvas;
                let v = self
                    .viewport
                    .zoomed_to(self.viewport.zoom * f, Point::new(w / 2.0, h / 2.0));
                self.apply(Action::SetViewport(v))
            }
            Action::ZoomToFit => {
                let v = geometry::fit(&self.doc, self.canvas.0, self.canvas.1);
                self.apply(Action::SetViewport(v))
            }
            Action::Resize { width, height } => {
                if (width, height) == self.canvas || !(width > 0.0 && height > 0.0) {
                    return false;
                }
                self.canvas = (width, height);
                if !self.fitted {
                    // The first measurement frames the diagram the page opened with.
                    self.fit_view();
                }
                true
            }
            Action::SetParam {
                target,
                path,
                value,
            } => {
                match self.param_edit(&target, &path, &value) {
                    Ok(Some(edit)) => {
                        self.field_error = None;
                        self.commit(edit);
                    }
                    Ok(None) => self.field_error = None,
                    Err(message) => {
                        self.field_error = Some(FieldError {
                            target,
                            path,
                            message,
                        })
                    }
                }
                true
            }
            Action::SetLabel { node, label } => {
                let label = label.trim().to_string();
                let Some(current) = self.doc.node(&node) else {
                    return false;
                };
                if label.chars().count() > 60 {
                    self.field_error = Some(FieldError {
                        target: Target::Node(node),
                        path: "label".into(),
                        message: "a label has at most 60 characters".into(),
                    });
                    return true;
                }
                self.field_error = None;
                if current.label != label {
                    self.commit(|doc| {
                        if let Some(n) = doc.nodes.iter_mut().find(|n| n.id == node) {
                            n.label = label;
                        }
                    });
                }
                true
            }
            Action::Rename(name) => {
                let name = name.trim().to_string();
                if name != self.doc.name {
                    self.commit(|doc| doc.name = name);
                }
                true
            }
            Action::DeleteSelection => {
                if self.selection.is_empty() {
                    return false;
                }
                let sel = std::mem::take(&mut self.selection);
                self.commit(|doc| remove(doc, &sel));
                true
            }
            Action::Copy => {
                if let Some(clip) = self.copy() {
                    let n = clip.nodes.len();
                    self.clipboard = Some(clip);
                    self.notify(Tone::Info, format!("copied {n} component(s)"), None);
                }
                true
            }
            Action::Duplicate => {
                if let Some(mut clip) = self.copy() {
                    self.paste(&mut clip);
                }
                true
            }
            Action::Paste => {
                if let Some(mut clip) = self.clipboard.take() {
                    self.paste(&mut clip);
                    self.clipboard = Some(clip);
                }
                true
            }
            Action::Undo => self.step_history(true),
            Action::Redo => self.step_history(false),
            Action::AskNew => {
                self.confirm_new = true;
                true
            }
            Action::CancelNew => {
                self.confirm_new = false;
                true
            }
            Action::ConfirmNew => {
                self.confirm_new = false;
                self.selection = Selection::default();
                self.commit(|doc| *doc = Topology::default());
                self.viewport = Viewport::default();
                self.notify(
                    Tone::Info,
                    "New diagram. Drag components in from the palette; Undo brings the old one back.".into(),
                    None,
                );
                true
            }
            Action::Notify { tone, text } => {
                self.notify(tone, text, None);
                true
            }
            Action::Open(doc) => {
                self.undo.clear();
                self.redo.clear();
                self.clipboard = None;
                self.selection = Selection::default();
                self.tool = Tool::Idle;
                self.confirm_new = false;
                self.field_error = None;
                self.doc = Rc::new(*doc);
                self.changed();
                self.opened_revision = self.revision;
                self.fit_view();
                true
            }
            Action::Replace(doc) => {
                self.confirm_new = false;
                self.selection = Selection::default();
                self.commit(|d| *d = *doc);
                self.fit_view();
                true
            }
            Action::DismissNotice(serial) => {
                if self.notice.as_ref().is_some_and(|n| n.serial == serial) {
                    self.notice = None;
                    return true;
                }
                false
            }
        }
    }

    /// Records one undo step and changes the diagram.
    /// Where a card added without a pointer goes (its top-left corner, world px): the free grid spot nearest
    /// the middle of the visible canvas, with the whole card in view and a gap around it. When the view has no
    /// room, the nearest free spot beyond it, and the view pans to centre it.
    fn free_spot_in_view(&mut self) -> Point {
        let (w, h) = self.canvas;
        let (w, h) = if w > 0.0 && h > 0.0 {
            (w, h)
        } else {
            (800.0, 600.0)
        };
        let v = self.viewport;
        let margin = 16.0;
        let lo = v.to_world(Point::new(margin, margin));
        let hi = v.to_world(Point::new(w - margin, h - margin));
        let c = v.to_world(Point::new(w / 2.0, h / 2.0));
        let centre = Point::new(c.x - geometry::NODE_W / 2.0, c.y - geometry::NODE_H / 2.0);
        let free = |spot: Position| {
            let r = (
                Point::new(spot.x - 20.0, spot.y - 20.0),
                Point::new(
                    spot.x + geometry::NODE_W + 20.0,
                    spot.y + geometry::NODE_H + 20.0,
                ),
            );
            !self
                .doc
                .nodes
                .iter()
                .any(|n| geometry::card_meets_rect(n.position, r))
        };
        let in_view = |spot: Position| {
            spot.x >= lo.x
                && spot.y >= lo.y
                && spot.x + geometry::NODE_W <= hi.x
                && spot.y + geometry::NODE_H <= hi.y
        };
        // Grid spots in rings of growing distance from the centre; the first ring holding a free one wins,
        // the nearest within it (ties: upper, then left, so the choice never depends on iteration order).
        let step = geometry::GRID;
        let origin = geometry::snap_position(centre);
        let spot = |i: i32, j: i32| Position {
            x: origin.x + f64::from(i) * step,
            y: origin.y + f64::from(j) * step,
        };
        let dist = |p: Position| (p.x - centre.x).hypot(p.y - centre.y);
        let mut best_outside = None;
        for ring in 0..120_i32 {
            let mut best: Option<Position> = None;
            for i in -ring..=ring {
                for j in -ring..=ring {
                    if i.abs().max(j.abs()) != ring {
                        continue;
                    }
                    let p = spot(i, j);
                    if !free(p) {
                        continue;
                    }
                    if in_view(p) {
                        let better = best.is_none_or(|b| {
                            (dist(p), p.y, p.x).partial_cmp(&(dist(b), b.y, b.x))
                                == Some(std::cmp::Ordering::Less)
                        });
                        if better {
                            best = Some(p);
                        }
                    } else if best_outside.is_none() {
                        best_outside = Some(p);
                    }
                }
            }
            if let Some(p) = best {
                return Point::new(p.x, p.y);
            }
            // Past the view on every side: nothing inside is free.
            let (a, b) = (spot(-ring, -ring), spot(ring, ring));
            if a.x < lo.x && a.y < lo.y && b.x > hi.x && b.y > hi.y && best_outside.is_some() {
                break;
            }
        }
        let p = best_outside.unwrap_or(origin);
        // Centre the view on the new card.
        let screen = v.to_screen(Point::new(
            p.x + geometry::NODE_W / 2.0,
            p.y + geometry::NODE_H / 2.0,
        ));
        self.viewport.pan = Point::new(v.pan.x + w / 2.0 - screen.x, v.pan.y + h / 2.0 - screen.y);
        Point::new(p.x, p.y)
    }

    fn commit(&mut self, edit: impl FnOnce(&mut Topology)) {
        // Guidance (the welcome, "copied 2 components") is about the diagram as it was: the first edit
        // clears it, so it never sits over the work.
        if self.notice.as_ref().is_some_and(|n| n.tone == Tone::Info) {
            self.notice = None;
        }
        self.undo.push(Rc::clone(&self.doc));
        if self.undo.len() > HISTORY_LIMIT {
            self.undo.remove(0);
        }
        self.redo.clear();
        edit(Rc::make_mut(&mut self.doc));
        self.changed();
    }

    /// Frames the whole diagram, never magnified past 100 %; waits for the first [`Action::Resize`] when the
    /// canvas size is not known yet.
    fn fit_view(&mut self) {
        let (width, height) = self.canvas;
        if !(width > 0.0 && height > 0.0) {
            self.fitted = false;
            return;
        }
        self.fitted = true;
        let mut v = geometry::fit(&self.doc, width, height);
        if v.zoom > 1.0 {
            v = v.zoomed_to(1.0, Point::new(width / 2.0, height / 2.0));
        }
        self.viewport = v;
    }

    fn changed(&mut self) {
        self.revision += 1;
        self.revalidate();
        // Ids that no longer exist leave the selection.
        let doc = &self.doc;
        self.selection.nodes.retain(|id| doc.node(id).is_some());
        self.selection
            .edges
            .retain(|name| doc.edges.iter().any(|e| e.name() == *name));
    }

    fn revalidate(&mut self) {
        let diags = validate(&self.doc);
        let mut marks: Vec<(String, Severity)> = Vec::new();
        for d in &diags {
            if let Subject::Node(id) = &d.subject {
                match marks.binary_search_by(|(k, _)| k.cmp(id)) {
                    Ok(i) => marks[i].1 = marks[i].1.min(d.severity),
                    Err(i) => marks.insert(i, (id.clone(), d.severity)),
                }
            }
        }
        self.diagnostics = Rc::new(diags);
        self.marks = Rc::new(marks);
    }

    fn step_history(&mut self, undo: bool) -> bool {
        let (from, to) = if undo {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some(doc) = from.pop() else {
            return false;
        };
        to.push(std::mem::replace(&mut self.doc, doc));
        self.field_error = None;
        self.changed();
        true
    }

    fn select_only(&mut self, t: Target) {
        self.selection = Selection::default();
        self.field_error = None;
        match t {
            Target::Node(id) => self.selection.nodes.insert(id),
            Target::Edge(id) => self.selection.edges.insert(id),
        };
    }

    fn notify(&mut self, tone: Tone, text: String, at: Option<Point>) {
        self.serial += 1;
        self.notice = Some(Notice {
            tone,
            text,
            at,
            serial: self.serial,
        });
    }

    fn copy(&self) -> Option<Clip> {
        let sel = &self.selection.nodes;
        if sel.is_empty() {
            return None;
        }
        Some(Clip {
            nodes: self
                .doc
                .nodes
                .iter()
                .filter(|n| sel.contains(&n.id))
                .cloned()
                .collect(),
            edges: self
                .doc
                .edges
                .iter()
                .filter(|e| sel.contains(&e.from) && sel.contains(&e.to))
                .cloned()
                .collect(),
            pastes: 0,
        })
    }

    fn paste(&mut self, clip: &mut Clip) {
        clip.pastes += 1;
        let off = PASTE_OFFSET * f64::from(clip.pastes);
        let mut doc = (*self.doc).clone();
        let mut ids = BTreeMap::new();
        for n in &clip.nodes {
            let kind = Kind::from_name(&n.kind);
            let id = match kind {
                Some(k) => fresh_node_id(&doc, k),
                None => fresh_id(&doc, &n.kind),
            };
            let mut copy = n.clone();
            copy.id = id.clone();
            copy.position.x += off;
            copy.position.y += off;
            ids.insert(n.id.clone(), id);
            doc.nodes.push(copy);
        }
        for e in &clip.edges {
            let (Some(from), Some(to)) = (ids.get(&e.from), ids.get(&e.to)) else {
                continue;
            };
            let mut copy = e.clone();
            copy.from = from.clone();
            copy.to = to.clone();
            copy.id = fresh_edge_id(&doc, from, to);
            doc.edges.push(copy);
        }
        self.commit(|d| *d = doc);
        self.selection = Selection {
            nodes: ids.into_values().collect(),
            edges: Names::new(),
        };
    }

    /// The edit for an inspector change, `Ok(None)` when nothing changes, or why the value is refused.
    #[allow(clippy::type_complexity)]
    fn param_edit(
        &self,
        target: &Target,
        path: &str,
        value: &EditValue,
    ) -> Result<Option<Box<dyn FnOnce(&mut Topology)>>, String> {
        match target {
            Target::Node(id) => {
                let node = self
                    .doc
                    .node(id)
                    .ok_or_else(|| format!("node `{id}` is gone"))?;
                let kind = Kind::from_name(&node.kind)
                    .ok_or_else(|| format!("`{}` is not a known kind", node.kind))?;
                let next = schema::apply_edit(
                    kind.vocab(),
                    &kind.default_params(),
                    &node.params,
                    path,
                    value,
                )?;
                check_node_params(kind, &next, path)?;
                if next == node.params {
                    return Ok(None);
                }
                let id = id.clone();
                Ok(Some(Box::new(move |doc: &mut Topology| {
                    if let Some(n) = doc.nodes.iter_mut().find(|n| n.id == id) {
                        n.params = next;
                    }
                })))
            }
            Target::Edge(name) => {
                let edge = self
                    .doc
                    .edges
                    .iter()
                    .find(|e| e.name() == *name)
                    .ok_or_else(|| format!("edge `{name}` is gone"))?;
                let next = schema::apply_edit(
                    &EDGE_VOCAB,
                    &edge_defaults(),
                    &edge_params(edge),
                    path,
                    value,
                )?;
                let updated = edge_with_params(edge, &next)?;
                if updated == *edge {
                    return Ok(None);
                }
                let name = name.clone();
                Ok(Some(Box::new(move |doc: &mut Topology| {
                    if let Some(e) = doc.edges.iter_mut().find(|e| e.name() == name) {
                        *e = updated;
                    }
                })))
            }
        }
    }
}

/// The text a card shows: the label, or the id when there is none.
pub fn display(n: &Node) -> &str {
    if n.label.is_empty() { &n.id } else { &n.label }
}

/// Decodes `params` with core and reports the first problem of the edited top-level parameter.
fn check_node_params(kind: Kind, params: &Map<String, Value>, path: &str) -> Result<(), String> {
    let top = path.split('.').next().unwrap_or(path);
    let parsed = parse_params(kind, params).map_err(|p| p.message)?;
    match parsed
        .problems()
        .into_iter()
        .find(|(f, _)| f.split('.').next() == Some(top))
    {
        Some((_, m)) => Err(m),
        None => Ok(()),
    }
}

/// Removes the selected nodes and edges, the edges touching removed nodes, and faults naming them.
fn remove(doc: &mut Topology, sel: &Selection) {
    doc.nodes.retain(|n| !sel.nodes.contains(&n.id));
    let gone_edges: Names = doc
        .edges
        .iter()
        .filter(|e| {
            sel.edges.contains(&e.name())
                || sel.nodes.contains(&e.from)
                || sel.nodes.contains(&e.to)
        })
        .map(Edge::name)
        .collect();
    doc.edges.retain(|e| !gone_edges.contains(&e.name()));
    use crate::topology::FaultAction as F;
    doc.faults.retain_mut(|f| match &mut f.action {
        F::Kill { node } | F::Revive { node } | F::Slow { node, .. } => !sel.nodes.contains(node),
        F::CutLink { edge } | F::HealLink { edge } => !gone_edges.contains(edge),
        F::Spike { .. } | F::HealPartition { .. } => true,
        // A partition loses the removed nodes from its boundary, and goes when nothing is left of it.
        F::Partition { nodes, region, .. } => {
            nodes.retain(|n| !sel.nodes.contains(n));
            !nodes.is_empty() || !region.is_empty()
        }
    });
}

/// The short id prefix of a kind (`lb` for a load balancer).
fn prefix(kind: Kind) -> &'static str {
    match kind {
        Kind::LoadBalancer => "lb",
        Kind::Database => "db",
        k => k.name(),
    }
}

fn fresh_id(doc: &Topology, prefix: &str) -> String {
    (1u32..)
        .map(|i| format!("{prefix}{i}"))
        .find(|id| doc.node(id).is_none())
        .expect("an unused id exists below u32::MAX")
}

/// The first unused id `<prefix><n>` for a new node of `kind`.
pub fn fresh_node_id(doc: &Topology, kind: Kind) -> String {
    fresh_id(doc, prefix(kind))
}

/// `"<Title> <n>"`, counting the nodes of that kind.
fn fresh_label(doc: &Topology, kind: Kind) -> String {
    let title = kind.info().title;
    (1u32..)
        .map(|i| format!("{title} {i}"))
        .find(|l| !doc.nodes.iter().any(|n| n.label == *l))
        .expect("an unused label exists below u32::MAX")
}

/// An unused edge id `from-to` (with a suffix when taken).
pub fn fresh_edge_id(doc: &Topology, from: &str, to: &str) -> String {
    let base = format!("{from}-{to}");
    let taken = |id: &str| doc.edges.iter().any(|e| e.name() == id);
    if !taken(&base) {
        return base;
    }
    (2u32..)
        .map(|i| format!("{base}-{i}"))
        .find(|id| !taken(id))
        .expect("an unused edge id exists below u32::MAX")
}

#[cfg(test)]
mod tests;
