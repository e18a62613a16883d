//! The diagram as a standalone SVG document with inline styles (no stylesheet, no script, no external
//! reference), drawn like the canvas: cards with their category colour, icon, label and kind, and curved edges
//! with arrow heads. The page downloads it, and renders it to a PNG.

use std::fmt::Write as _;

use crate::components::{Category, Kind};
use crate::topology::{Node, Topology};

use super::display;
use super::geometry::{self, KIND_CHARS, LABEL_CHARS, NODE_H, NODE_W, PORT_R, Point, label_lines};

/// Space around the cards [px].
const MARGIN: f64 = 32.0;

/// The colour of a category (the light theme's `--cat-*`).
fn colour(c: Option<Category>) -> &'static str {
    match c {
        Some(Category::Traffic) => "#4f6bed",
        Some(Category::Network) => "#0e9384",
        Some(Category::Compute) => "#7a5af8",
        Some(Category::Data) => "#dc6803",
        Some(Category::Messaging) => "#c11574",
        Some(Category::Resilience) => "#4d7c0f",
        None => "#475467",
    }
}

/// Text with `&`, `<`, `>`, `"` and `'` escaped for XML, and characters XML 1.0 forbids dropped.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut (as on the canvas).
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// The SVG text of `doc`. `icon` gives a card's icon path data (24 × 24, stroked) by kind name and
/// category; the page passes its own icons so the export looks like the canvas. The picture is cropped to
/// the cards plus a margin; an empty diagram gives a small picture that says so.
pub fn diagram_svg(
    doc: &Topology,
    icon: &dyn Fn(&str, Option<Category>) -> &'static str,
) -> String {
    let (min, max) =
        geometry::bounds(doc).unwrap_or((Point::new(0.0, 0.0), Point::new(NODE_W, NODE_H)));
    let (x0, y0) = (min.x - MARGIN, min.y - MARGIN);
    let (w, h) = (max.x - min.x + 2.0 * MARGIN, max.y - min.y + 2.0 * MARGIN);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"{x0:.1} {y0:.1} {w:.1} {h:.1}\" \
         font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\">"
    );
    let _ = writeln!(
        s,
        "<title>{}</title>",
        xml(if doc.name.is_empty() {
            "Diagram"
        } else {
            &doc.name
        })
    );
    s.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" \
         markerWidth=\"12\" markerHeight=\"12\" orient=\"auto-start-reverse\">\
         <path d=\"M0 0 L10 5 L0 10 z\" fill=\"#98a2b3\"/></marker></defs>\n",
    );
    let _ = writeln!(
        s,
        "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"#f4f5f8\"/>"
    );
    if doc.nodes.is_empty() {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#667085\" text-anchor=\"middle\">empty diagram</text>",
            NODE_W / 2.0,
            NODE_H / 2.0 + 4.0
        );
    }
    s.push_str("<g fill=\"none\" stroke=\"#98a2b3\" stroke-width=\"1.6\">\n");
    for e in &doc.edges {
        let (Some(a), Some(b)) = (doc.node(&e.from), doc.node(&e.to)) else {
            continue;
        };
        let c = geometry::edge_curve(a.position, b.position);
        let _ = writeln!(
            s,
            "<path d=\"{}\" marker-end=\"url(#arrow)\"><title>{}</title></path>",
            geometry::path_d(&c),
            xml(&format!("{} → {}", display(a), display(b)))
        );
    }
    s.push_str("</g>\n");
    for n in &doc.nodes {
        card(&mut s, n, icon);
    }
    s.push_str("</svg>\n");
    s
}

fn card(s: &mut String, n: &Node, icon: &dyn Fn(&str, Option<Category>) -> &'static str) {
    let kind = Kind::from_name(&n.kind);
    let category = kind.map(|k| k.info().category);
    let title = kind.map_or(n.kind.as_str(), |k| k.info().title);
    let cat = colour(category);
    let (x, y) = (n.position.x, n.position.y);
    let _ = writeln!(s, "<g transform=\"translate({x:.1} {y:.1})\">");
    let _ = writeln!(
        s,
        "<rect width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"10\" fill=\"#ffffff\" stroke=\"#d0d5dd\" stroke-width=\"1.2\"/>"
    );
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"10\" width=\"3\" height=\"{}\" rx=\"1.5\" fill=\"{cat}\" fill-opacity=\"0.55\"/>",
        NODE_H - 20.0
    );
    let _ = writeln!(
        s,
        "<g transform=\"translate(12 16)\"><rect x=\"-4\" y=\"-4\" width=\"32\" height=\"32\" rx=\"8\" \
         fill=\"{cat}\" fill-opacity=\"0.13\"/><path d=\"{}\" fill=\"none\" stroke=\"{cat}\" stroke-width=\"1.7\" \
         stroke-linecap=\"round\" stroke-linejoin=\"round\"/></g>",
        xml(icon(&n.kind, category))
    );
    // The same lines as the canvas (two for a long label), the full text as the card's tooltip.
    let lines = label_lines(display(n), LABEL_CHARS, 2);
    let _ = writeln!(s, "<title>{} ({})</title>", xml(display(n)), xml(title));
    let (first_y, kind_y) = if lines.len() > 1 {
        (21.0, 49.0)
    } else {
        (25.0, 42.0)
    };
    for (i, line) in lines.iter().enumerate() {
        let _ = writeln!(
            s,
            "<text x=\"50\" y=\"{}\" font-size=\"12.5\" font-weight=\"600\" fill=\"#1d2330\">{}</text>",
            first_y + 14.0 * i as f64,
            xml(line)
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"50\" y=\"{kind_y}\" font-size=\"11\" fill=\"#667085\">{}</text>",
        xml(&fit(title, KIND_CHARS))
    );
    let _ = writeln!(
        s,
        "<circle cx=\"{NODE_W}\" cy=\"{}\" r=\"{PORT_R}\" fill=\"#ffffff\" stroke=\"{cat}\" stroke-width=\"1.5\"/>",
        NODE_H / 2.0
    );
    s.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::storage;

    fn no_icon(_: &str, _: Option<Category>) -> &'static str {
        "M0 0h24v24H0z"
    }

    #[test]
    fn every_card_and_edge_is_drawn_with_inline_styles_only() {
        let t = storage::example();
        let svg = diagram_svg(&t, &no_icon);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(
            svg.matches("<g transform=\"translate(").count(),
            2 * t.nodes.len()
        );
        assert_eq!(
            svg.matches("marker-end=\"url(#arrow)\"").count(),
            t.edges.len()
        );
        for n in &t.nodes {
            assert!(svg.contains(&format!(">{}</text>", n.label)), "{}", n.label);
        }
        // Standalone: no classes, no stylesheet, nothing fetched.
        assert!(!svg.contains("class=") && !svg.contains("<style") && !svg.contains("href"));
        // Cropped to the cards: example spans x 40..850, y 100..356.
        assert!(
            svg.contains("viewBox=\"8.0 68.0 874.0 320.0\""),
            "{}",
            &svg[..200]
        );
    }

    #[test]
    fn text_is_escaped_and_long_labels_cut() {
        let mut t = storage::example();
        t.name = "a <b> & \"c\"".into();
        t.nodes[0].label = "<script>alert(1)</script>".into();
        let svg = diagram_svg(&t, &no_icon);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"));
        // Two lines of 12 characters, split inside the word and cut; the card's tooltip has it whole.
        assert!(svg.contains(">&lt;script&gt;aler</text>"), "{svg}");
        assert!(svg.contains(">t(1)&lt;/scrip…</text>"), "{svg}");
        assert!(svg.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; (Client)</title>"));
        t.nodes[1].label = "Users of the write cache".into();
        t.nodes[2].label = "Users of the write-through cache".into();
        let svg = diagram_svg(&t, &no_icon);
        assert!(svg.contains(">Users of the</text>"), "{svg}");
        assert!(svg.contains(">write cache</text>"), "{svg}");
        assert!(svg.contains(">write-throu…</text>"), "{svg}");
        assert!(svg.contains("<title>Users of the write-through cache (Server)</title>"));
    }

    #[test]
    fn an_empty_diagram_still_makes_a_picture() {
        let svg = diagram_svg(&Topology::default(), &no_icon);
        assert!(svg.contains("empty diagram") && svg.ends_with("</svg>\n"));
    }
}
