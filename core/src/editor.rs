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
pub mod schema;
pub mod storage;
pub mod svg;
pub mod tool;

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::components::{Kind, parse_params};
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
    pub nodes: BTreeSet<String>,
    /// edge names
    pub edges: BTreeSet<String>,
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
    /// Create a node in the middle of the visible canvas (keyboard users).
    AddNodeInView(Kind),
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
    /// worst severity per node id, for the marks on the cards
    pub marks: Rc<BTreeMap<String, Severity>>,
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
    undo: Vec<Rc<Topology>>,
    redo: Vec<Rc<Topology>>,
    clipboard: Option<Clip>,
    serial: u64,
    fitted: bool,
}

impl Editor {
    /// An editor on `doc`, nothing selected, nothing to undo.
    pub fn new(doc: Topology) -> Editor {
        let mut ed = Editor {
            doc: Rc::new(doc),
            revision: 0,
            diagnostics: Rc::new(Vec::new()),
            marks: Rc::new(BTreeMap::new()),
            selection: Selection::default(),
            viewport: Viewport::default(),
            tool: Tool::Idle,
            notice: None,
            field_error: None,
            confirm_new: false,
            canvas: (0.0, 0.0),
            opened_revision: 0,
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
                let (w, h) = self.canvas;
                let c = self.viewport.to_world(Point::new(w / 2.0, h / 2.0));
                let centre = Point::new(c.x - geometry::NODE_W / 2.0, c.y - geometry::NODE_H / 2.0);
                // The first free grid spot going down, then up, from the centre, so a new card never hides one.
                let free = |p: &Point| {
                    let spot = geometry::snap_position(*p);
                    let r = (
                        Point::new(spot.x - 10.0, spot.y - 10.0),
                        Point::new(
                            spot.x + geometry::NODE_W + 10.0,
                            spot.y + geometry::NODE_H + 10.0,
                        ),
                    );
                    !self
                        .doc
                        .nodes
                        .iter()
                        .any(|n| geometry::card_meets_rect(n.position, r))
                };
                let at = (0..12)
                    .flat_map(|k| [f64::from(k), -f64::from(k)])
                    .map(|k| Point::new(centre.x, centre.y + k * 80.0))
                    .find(free)
                    .unwrap_or(centre);
                self.apply(Action::AddNode {
                    kind,
                    at: Position { x: at.x, y: at.y },
                })
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
            Action::SelectOnly(t) => {
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
                let changed = !self.selection.is_empty() || self.field_error.is_some();
                self.selection = Selection::default();
                self.field_error = None;
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
    fn commit(&mut self, edit: impl FnOnce(&mut Topology)) {
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
        let mut marks = BTreeMap::new();
        for d in &diags {
            if let Subject::Node(id) = &d.subject {
                let e = marks.entry(id.clone()).or_insert(d.severity);
                *e = (*e).min(d.severity);
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
            edges: BTreeSet::new(),
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
    let gone_edges: BTreeSet<String> = doc
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
mod tests {
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
        assert_eq!(paths(&e, 0), ["latency", "loss", "weight"]);
        assert_eq!(paths(&e, 1), ["timeout_ms", "retry", "breaker"]);
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
                "breaker"
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
        let ids: BTreeSet<&str> = e.doc.nodes.iter().map(|n| n.id.as_str()).collect();
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
        assert_eq!(e.marks.get("x"), Some(&Severity::Error));
        assert!(!e.diagnostics.is_empty());
    }
}
