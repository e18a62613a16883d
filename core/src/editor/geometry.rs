//! Canvas geometry: the viewport transform, node cards and ports, edge curves, grid snapping, hit testing and
//! zoom-to-fit. World coordinates are the topology's positions [px]; screen coordinates are pixels relative to
//! the canvas element's top-left corner.

use crate::topology::{Position, Topology};

/// Grid spacing for snapping [px], default 20 (matches the dotted background).
pub const GRID: f64 = 20.0;
/// Width of a node card [px].
pub const NODE_W: f64 = 150.0;
/// Height of a node card [px].
pub const NODE_H: f64 = 56.0;
/// Radius of the output port drawn on a card's right edge [px].
pub const PORT_R: f64 = 6.0;
/// Smallest zoom factor.
pub const MIN_ZOOM: f64 = 0.2;
/// Largest zoom factor.
pub const MAX_ZOOM: f64 = 3.0;

/// A point [px], in world or screen coordinates depending on context.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    /// horizontal [px]
    pub x: f64,
    /// vertical [px]
    pub y: f64,
}

impl Point {
    /// A point at `(x, y)`.
    pub const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    /// Euclidean distance to `o` [px].
    pub fn dist(self, o: Point) -> f64 {
        ((self.x - o.x) * (self.x - o.x) + (self.y - o.y) * (self.y - o.y)).sqrt()
    }
}

impl From<Position> for Point {
    fn from(p: Position) -> Point {
        Point { x: p.x, y: p.y }
    }
}

/// Pan and zoom: `screen = world · zoom + pan`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// screen position of the world origin [px], default (0, 0)
    pub pan: Point,
    /// scale factor, default 1, kept within [`MIN_ZOOM`, `MAX_ZOOM`]
    pub zoom: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            pan: Point::default(),
            zoom: 1.0,
        }
    }
}

impl Viewport {
    /// The world point under screen point `s`.
    pub fn to_world(&self, s: Point) -> Point {
        Point::new(
            (s.x - self.pan.x) / self.zoom,
            (s.y - self.pan.y) / self.zoom,
        )
    }

    /// The screen point of world point `w`.
    pub fn to_screen(&self, w: Point) -> Point {
        Point::new(w.x * self.zoom + self.pan.x, w.y * self.zoom + self.pan.y)
    }

    /// This viewport scaled to `zoom` (clamped) so that the world point under screen point `at` stays put.
    pub fn zoomed_to(&self, zoom: f64, at: Point) -> Viewport {
        let zoom = if zoom.is_finite() {
            zoom.clamp(MIN_ZOOM, MAX_ZOOM)
        } else {
            self.zoom
        };
        let w = self.to_world(at);
        Viewport {
            pan: Point::new(at.x - w.x * zoom, at.y - w.y * zoom),
            zoom,
        }
    }

    /// The SVG `transform` of the world layer.
    pub fn transform(&self) -> String {
        format!(
            "translate({:.2} {:.2}) scale({:.4})",
            self.pan.x, self.pan.y, self.zoom
        )
    }
}

/// Characters of a card's label per line: its text column is about 94 px wide, and 12.5 px semibold in a
/// wide font (DejaVu Sans) runs about 7.9 px a character.
pub const LABEL_CHARS: usize = 12;
/// Characters of a card's kind title (11 px, about 6.6 px a character).
pub const KIND_CHARS: usize = 15;

/// A card's text in at most `lines` lines of at most `per_line` characters, broken between words (a word longer
/// than a line is split), the last line ending in `…` only when the text does not fit. The canvas and the SVG
/// and PNG exports draw the same lines; the full text is the card's tooltip.
pub fn label_lines(text: &str, per_line: usize, lines: usize) -> Vec<String> {
    let per_line = per_line.max(2);
    let chars: Vec<char> = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    let mut out: Vec<String> = Vec::new();
    let (mut start, mut last_start) = (0, 0);
    while start < chars.len() && out.len() < lines {
        let rest = &chars[start..];
        last_start = start;
        if rest.len() <= per_line {
            out.push(rest.iter().collect());
            start = chars.len();
            break;
        }
        // The longer of: up to the last space that fits, or through the last hyphen that fits; else split.
        let at_space = rest[..=per_line]
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|&i| i > 0)
            .map(|i| (i, i + 1));
        let at_hyphen = rest[..per_line]
            .iter()
            .rposition(|c| *c == '-')
            .filter(|&i| i > 0)
            .map(|i| (i + 1, i + 1));
        let (len, next) = match (at_space, at_hyphen) {
            (Some(s), Some(h)) => {
                if h.0 > s.0 {
                    h
                } else {
                    s
                }
            }
            (Some(s), None) => s,
            (None, Some(h)) => h,
            (None, None) => (per_line, per_line),
        };
        out.push(rest[..len].iter().collect());
        start += next;
    }
    if start < chars.len()
        && let Some(last) = out.last_mut()
    {
        // What does not fit: the last line runs on as far as it can and ends in an ellipsis.
        let mut t: Vec<char> = chars[last_start..]
            .iter()
            .take(per_line - 1)
            .copied()
            .collect();
        while t.last() == Some(&' ') {
            t.pop();
        }
        *last = t.into_iter().collect::<String>() + "…";
    }
    out
}

/// `v` rounded to the nearest grid line.
pub fn snap(v: f64) -> f64 {
    (v / GRID).round() * GRID
}

/// A position with both coordinates snapped.
pub fn snap_position(p: Point) -> Position {
    Position {
        x: snap(p.x),
        y: snap(p.y),
    }
}

/// Centre of the output port (right edge) of a card at `pos`.
pub fn out_port(pos: Position) -> Point {
    Point::new(pos.x + NODE_W, pos.y + NODE_H / 2.0)
}

/// Where incoming edges end (left edge) on a card at `pos`.
pub fn in_port(pos: Position) -> Point {
    Point::new(pos.x, pos.y + NODE_H / 2.0)
}

/// The cubic Bézier control points of a curve from `a` to `b` leaving and arriving horizontally.
pub fn curve(a: Point, b: Point) -> [Point; 4] {
    // At least 40 px of horizontal pull so short or backward edges still read as leaving rightwards.
    let dx = ((b.x - a.x).abs() / 2.0).max(40.0);
    [a, Point::new(a.x + dx, a.y), Point::new(b.x - dx, b.y), b]
}

/// The curve of an edge between cards at `from` and `to`.
pub fn edge_curve(from: Position, to: Position) -> [Point; 4] {
    curve(out_port(from), in_port(to))
}

/// SVG path data of a cubic curve.
pub fn path_d(c: &[Point; 4]) -> String {
    format!(
        "M{:.1} {:.1} C{:.1} {:.1} {:.1} {:.1} {:.1} {:.1}",
        c[0].x, c[0].y, c[1].x, c[1].y, c[2].x, c[2].y, c[3].x, c[3].y
    )
}

/// The point at parameter `t` in [0, 1] of a cubic curve.
pub fn bezier_at(c: &[Point; 4], t: f64) -> Point {
    let u = 1.0 - t;
    let (a, b, cc, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    Point::new(
        a * c[0].x + b * c[1].x + cc * c[2].x + d * c[3].x,
        a * c[0].y + b * c[1].y + cc * c[2].y + d * c[3].y,
    )
}

/// Whether world point `p` lies on the card at `pos`.
pub fn in_card(pos: Position, p: Point) -> bool {
    p.x >= pos.x && p.x <= pos.x + NODE_W && p.y >= pos.y && p.y <= pos.y + NODE_H
}

/// An axis-aligned rectangle from two corners in any order, as (min, max).
pub fn rect(a: Point, b: Point) -> (Point, Point) {
    (
        Point::new(a.x.min(b.x), a.y.min(b.y)),
        Point::new(a.x.max(b.x), a.y.max(b.y)),
    )
}

/// Whether the card at `pos` overlaps the rectangle `(min, max)`.
pub fn card_meets_rect(pos: Position, (min, max): (Point, Point)) -> bool {
    pos.x <= max.x && pos.x + NODE_W >= min.x && pos.y <= max.y && pos.y + NODE_H >= min.y
}

/// What lies under a point of the canvas.
#[derive(Clone, Debug, PartialEq)]
pub enum Hit {
    /// the output port of a node: dragging from it draws an edge
    Port(String),
    /// a node's card
    Node(String),
    /// an edge, by id
    Edge(String),
    /// empty canvas
    Background,
}

/// What is under world point `p` when the canvas is drawn at `zoom`; `pos` gives each node's drawn position
/// (it differs from the stored one while a drag is under way). The last node drawn is on top, so it wins.
pub fn hit_test(
    doc: &Topology,
    p: Point,
    zoom: f64,
    pos: impl Fn(&crate::topology::Node) -> Position,
) -> Hit {
    // Tolerances are in screen pixels so a port stays easy to grab when zoomed out.
    let port_tol = (PORT_R + 5.0) / zoom.max(MIN_ZOOM);
    let edge_tol = 6.0 / zoom.max(MIN_ZOOM);
    for n in doc.nodes.iter().rev() {
        if out_port(pos(n)).dist(p) <= port_tol {
            return Hit::Port(n.id.clone());
        }
    }
    for n in doc.nodes.iter().rev() {
        if in_card(pos(n), p) {
            return Hit::Node(n.id.clone());
        }
    }
    for e in doc.edges.iter().rev() {
        let (Some(a), Some(b)) = (doc.node(&e.from), doc.node(&e.to)) else {
            continue;
        };
        let c = edge_curve(pos(a), pos(b));
        if (0..=32).any(|i| bezier_at(&c, f64::from(i) / 32.0).dist(p) <= edge_tol) {
            return Hit::Edge(e.name());
        }
    }
    Hit::Background
}

/// The bounding box of every card, as (min, max), or `None` for an empty diagram.
pub fn bounds(doc: &Topology) -> Option<(Point, Point)> {
    let mut it = doc.nodes.iter().map(|n| n.position);
    let first = it.next()?;
    let mut min = Point::from(first);
    let mut max = Point::new(first.x + NODE_W, first.y + NODE_H);
    for p in it {
        min = Point::new(min.x.min(p.x), min.y.min(p.y));
        max = Point::new(max.x.max(p.x + NODE_W), max.y.max(p.y + NODE_H));
    }
    Some((min, max))
}

/// The viewport that shows every card inside a canvas of `width` × `height` [px] with a margin, never
/// magnifying beyond 1.5×; the default viewport for an empty diagram or an unmeasured canvas.
pub fn fit(doc: &Topology, width: f64, height: f64) -> Viewport {
    // A phone's narrow canvas keeps a thin margin: every pixel of width is zoom for the cards.
    let margin = if width < 600.0 { 16.0 } else { 48.0 };
    let Some((min, max)) = bounds(doc) else {
        return Viewport::default();
    };
    if !(width > 2.0 * margin && height > 2.0 * margin) {
        return Viewport::default();
    }
    let zoom = ((width - 2.0 * margin) / (max.x - min.x))
        .min((height - 2.0 * margin) / (max.y - min.y))
        .clamp(MIN_ZOOM, 1.5);
    let centre = Point::new((min.x + max.x) / 2.0, (min.y + max.y) / 2.0);
    Viewport {
        pan: Point::new(
            width / 2.0 - centre.x * zoom,
            height / 2.0 - centre.y * zoom,
        ),
        zoom,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_break_between_words_and_are_cut_only_past_the_last_line() {
        assert_eq!(label_lines("App 1", 14, 2), vec!["App 1"]);
        assert_eq!(
            label_lines("Users (Writes) east", 14, 2),
            vec!["Users (Writes)", "east"]
        );
        assert_eq!(
            label_lines("Users (Write-through)", 14, 2),
            vec!["Users (Write-", "through)"]
        );
        assert_eq!(
            label_lines("Write-through", 12, 2),
            vec!["Write-", "through"]
        );
        assert_eq!(
            label_lines("write-behind cache for the orders database", 14, 2),
            vec!["write-behind", "cache for the…"]
        );
        // A word longer than a line is split, not dropped.
        assert_eq!(
            label_lines("abcdefghijklmnopqrstuvwxyz", 14, 2),
            vec!["abcdefghijklmn", "opqrstuvwxyz"]
        );
        assert_eq!(label_lines("", 14, 2), Vec::<String>::new());
        // Every line fits.
        for text in [
            "a b c d e f g h i j k l m n o p q r s t u v w x y z",
            "Load balancer (round robin)",
        ] {
            for l in label_lines(text, 14, 2) {
                assert!(l.chars().count() <= 14, "{l}");
            }
        }
    }
    use crate::topology::{Edge, Node};

    fn at(id: &str, x: f64, y: f64) -> Node {
        let mut n = Node::new(id, "server");
        n.position = Position { x, y };
        n
    }

    fn two_nodes() -> Topology {
        let mut t = Topology {
            nodes: vec![at("a", 0.0, 0.0), at("b", 300.0, 0.0)],
            ..Topology::default()
        };
        let mut e = Edge::new("a", "b");
        e.id = "e1".into();
        t.edges = vec![e];
        t
    }

    #[test]
    fn viewport_round_trips_and_zoom_keeps_the_anchor_still() {
        let v = Viewport {
            pan: Point::new(30.0, -10.0),
            zoom: 1.5,
        };
        let w = Point::new(12.0, 40.0);
        let back = v.to_world(v.to_screen(w));
        assert!(back.dist(w) < 1e-9);
        let anchor = Point::new(200.0, 100.0);
        let z = v.zoomed_to(2.5, anchor);
        assert!(z.to_world(anchor).dist(v.to_world(anchor)) < 1e-9);
        assert_eq!(v.zoomed_to(100.0, anchor).zoom, MAX_ZOOM);
        assert_eq!(v.zoomed_to(f64::NAN, anchor).zoom, 1.5);
    }

    #[test]
    fn snapping_rounds_to_the_grid() {
        assert_eq!(snap(29.0), 20.0);
        assert_eq!(snap(31.0), 40.0);
        assert_eq!(snap(-11.0), -20.0);
    }

    #[test]
    fn hit_test_finds_port_card_edge_and_background() {
        let t = two_nodes();
        let pos = |n: &Node| n.position;
        assert_eq!(
            hit_test(&t, Point::new(NODE_W, NODE_H / 2.0), 1.0, pos),
            Hit::Port("a".into())
        );
        assert_eq!(
            hit_test(&t, Point::new(310.0, 10.0), 1.0, pos),
            Hit::Node("b".into())
        );
        let mid = bezier_at(&edge_curve(t.nodes[0].position, t.nodes[1].position), 0.5);
        assert_eq!(hit_test(&t, mid, 1.0, pos), Hit::Edge("e1".into()));
        assert_eq!(
            hit_test(&t, Point::new(200.0, 300.0), 1.0, pos),
            Hit::Background
        );
    }

    #[test]
    fn fit_shows_every_card() {
        let t = two_nodes();
        let v = fit(&t, 800.0, 600.0);
        for n in &t.nodes {
            let tl = v.to_screen(n.position.into());
            let br = v.to_screen(Point::new(n.position.x + NODE_W, n.position.y + NODE_H));
            assert!(tl.x >= 0.0 && tl.y >= 0.0 && br.x <= 800.0 && br.y <= 600.0);
        }
        assert_eq!(fit(&Topology::default(), 800.0, 600.0), Viewport::default());
        assert_eq!(fit(&t, 0.0, 0.0), Viewport::default());
    }

    #[test]
    fn rectangle_overlap_counts_partial_cards() {
        let band = rect(Point::new(130.0, 50.0), Point::new(100.0, 10.0));
        assert!(card_meets_rect(Position { x: 0.0, y: 0.0 }, band));
        assert!(!card_meets_rect(Position { x: 300.0, y: 0.0 }, band));
    }
}
