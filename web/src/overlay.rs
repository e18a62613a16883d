//! The run's live marks over the diagram: each card's badges (utilisation ring, queue, errors, dead, and the
//! requests it rate-limited, blocked, shed or refused at a bulkhead), each connection's load band and each
//! circuit breaker's state (a badge at the connection's middle; the connection dashed red while open, amber
//! while half-open), in an SVG layer of their own above the diagram. Summaries change them a few times a
//! second; kept out of the diagram's SVG, a change re-lays out and repaints only this small layer, not the 100
//! cards with their text (measured in BENCHMARKS.md, "Live run (Chromium)"). The cards only take the rare
//! `dead`/`saturated` outline, through [`CardStates`].

use std::collections::BTreeMap;
use std::rc::Rc;

use playground_core::editor::geometry::{self, NODE_H, NODE_W, Point};
use playground_core::resilience::BreakerState;
use yew::prelude::*;

use crate::run::{Badge, RunCtx, reject_colour};
use crate::state::Handle;

/// Per node id, the outline a card takes while running (`dead` or `saturated`); equal by content, so the
/// canvas re-renders only when some card's outline changes, not on every summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CardStates(pub Rc<BTreeMap<String, &'static str>>);

impl CardStates {
    /// The outlines the badges call for.
    pub fn from_badges(badges: &BTreeMap<String, Badge>) -> CardStates {
        CardStates(Rc::new(
            badges
                .iter()
                .filter_map(|(id, b)| {
                    let class = if b.dead {
                        "dead"
                    } else if b.saturated {
                        "saturated"
                    } else {
                        return None;
                    };
                    Some((id.clone(), class))
                })
                .collect(),
        ))
    }
}

/// Props of one card's badges.
#[derive(Properties, PartialEq)]
pub struct BadgeProps {
    /// node id
    pub id: AttrValue,
    /// the card's top-left corner (world px)
    pub x: f64,
    /// the card's top-left corner (world px)
    pub y: f64,
    /// what to show
    pub badge: Badge,
}

/// Rough width of badge text at 10 px bold [px per character].
const CHAR_W: f64 = 6.1;

/// A card's live badges: a utilisation ring, the queue length, the error count, a cross when dead, and
/// under the card a pill per kind of rejection (`429 ×123`, `403 ×45`, `shed 67`).
#[component]
pub fn BadgeView(p: &BadgeProps) -> Html {
    let b = &p.badge;
    let mut left = 0.0;
    // The kind's own figure first (a cache's hit ratio), then the rejections, in pills under the card.
    let figure = b.figure.as_ref().map(|(key, text, title)| {
        let w = text.chars().count() as f64 * CHAR_W + 12.0;
        let x = left;
        left += w + 4.0;
        html! {
            <g class="kind-figure" data-card-figure={*key} transform={format!("translate({x:.1} {:.1})", NODE_H + 4.0)}>
                <title>{ title.clone() }</title>
                <rect width={format!("{w:.1}")} height="16" rx="8" />
                <text x={format!("{:.1}", w / 2.0)} y="11.5">{ text.clone() }</text>
            </g>
        }
    });
    let rejects = b.rejects.iter().map(|r| {
        let w = r.text.chars().count() as f64 * CHAR_W + 12.0;
        let x = left;
        left += w + 4.0;
        html! {
            <g class="reject-badge" data-reject={r.key} data-count={r.count.to_string()}
                transform={format!("translate({x:.1} {:.1})", NODE_H + 4.0)} style={format!("--c:{}", reject_colour(r.key))}>
                <title>{ &r.title }</title>
                <rect width={format!("{w:.1}")} height="16" rx="8" />
                <text x={format!("{:.1}", w / 2.0)} y="11.5">{ &r.text }</text>
            </g>
        }
    });
    let r = 9.0;
    let circ = 2.0 * std::f64::consts::PI * r;
    let cx = NODE_W - 20.0;
    let cy = NODE_H - 17.0;
    let title = format!(
        "busy {:.0} % (last 5 s) · queue now {} · errors and drops since the start {}{}",
        b.util * 100.0,
        b.queue,
        b.errors,
        if b.dead {
            " · dead"
        } else if b.saturated {
            " · saturated"
        } else {
            ""
        }
    );
    html! {
        <g class={classes!("node-badges", b.saturated.then_some("saturated"))} data-badge-for={p.id.clone()}
            transform={format!("translate({} {})", p.x, p.y)}
            data-util={format!("{:.2}", b.util)} data-queue={b.queue.to_string()} data-errors={b.errors.to_string()}>
            <title>{ title }</title>
            if b.has_workers {
                <circle class="ring-bg" cx={cx.to_string()} cy={cy.to_string()} r={r.to_string()} />
                <circle class="ring" cx={cx.to_string()} cy={cy.to_string()} r={r.to_string()}
                    stroke-dasharray={format!("{:.2} {:.2}", b.util.clamp(0.0, 1.0) * circ, circ)}
                    transform={format!("rotate(-90 {cx} {cy})")} />
            }
            if b.queue > 0 {
                <text class="badge-queue" x={(cx - 14.0).to_string()} y={(cy + 4.0).to_string()}>{ format!("q{}", b.queue) }</text>
            }
            if b.errors > 0 {
                <text class="badge-errors" x={(NODE_W - 34.0).to_string()} y="14">{ format!("✕{}", b.errors) }</text>
            }
            if b.dead {
                <text class="badge-dead" x={cx.to_string()} y={(cy + 4.0).to_string()}>{ "✕" }</text>
            }
            { for figure }
            { for rejects }
            { for b.fleet.map(|(ready, booting)| fleet_marks(ready, booting)) }
        </g>
    }
}

/// The most stacked edges behind an autoscaled card (one per instance past the first).
const FLEET_EDGES: u32 = 4;

/// An autoscaled card's instances: an edge stacked behind the card per instance (booting ones dashed and
/// dim, up to [`FLEET_EDGES`]) and a `×N` pill (`+k` booting) at its top left.
fn fleet_marks(ready: u32, booting: u32) -> Html {
    let edges = (ready + booting).min(FLEET_EDGES + 1);
    let paths = (1..edges).map(|i| {
        let d = 4.0 * f64::from(i);
        html! {
            <path class={classes!("fleet-edge", (i >= ready).then_some("booting"))}
                d={format!("M {d:.0} {:.0} H {:.0} V {:.0}", -d, NODE_W + d, NODE_H - d)} />
        }
    });
    let text = if booting > 0 {
        format!("×{ready} +{booting}")
    } else {
        format!("×{ready}")
    };
    let w = text.chars().count() as f64 * CHAR_W + 12.0;
    html! {
        <g class="fleet" data-instances={ready.to_string()} data-booting={booting.to_string()}>
            <title>{ format!("{ready} instances serving, {booting} booting") }</title>
            { for paths }
            <g class="fleet-badge" transform="translate(-6 -10)">
                <rect width={format!("{w:.1}")} height="16" rx="8" />
                <text x={format!("{:.1}", w / 2.0)} y="11.5">{ text }</text>
            </g>
        </g>
    }
}

// The edges' marks are functions, not components: a component of its own costs about 3 KB of Wasm
// (BENCHMARKS.md, "issue 22's third pass"), and each mark is a few elements the overlay diffs anyway.

/// A translucent band along connection `id` (SVG path `d`), as wide as its share `load` of the busiest
/// connection's messages since the last summary [0..1].
fn load_view(id: String, d: String, load: f64) -> Html {
    html! {
        <path key={id.clone()} class="edge-load" data-load-for={id} data-load={format!("{load:.1}")} d={d}
            style={format!("stroke-width:{:.1}px", 1.0 + 5.0 * load.clamp(0.0, 1.0))} />
    }
}

/// A link with a bandwidth (edge `id`, SVG path `d`, middle `at`), coloured by the share `util` of the
/// bandwidth in use lately (green below 50 %, amber to 80 %, red above; above 1: more offered than it can
/// send), with the share at its middle.
fn link_util_view(id: String, d: String, at: Point, util: f64) -> Html {
    let level = if util >= 0.8 {
        "high"
    } else if util >= 0.5 {
        "mid"
    } else {
        "low"
    };
    html! {
        <g key={id.clone()} class={format!("link-util {level}")} data-link-util={id} data-util={format!("{util:.2}")}>
            <path class="link-util-line" d={d} />
            <text class="link-util-text" x={format!("{}", at.x)} y={format!("{}", at.y - 8.0)} text-anchor="middle">
                { format!("{:.0} %", (util * 100.0).min(999.0)) }
            </text>
        </g>
    }
}

/// A breaker's `state` on its connection (edge `id`, SVG path `d`, middle `at`): a pill at the middle, and
/// while it is not closed the connection restyled over the diagram's line (open: red dashes, calls fail
/// fast; half-open: amber, trial calls).
fn breaker_view(id: String, d: String, at: Point, state: BreakerState) -> Html {
    let word = state.name();
    // A switch: the lever down (closed, the circuit carries calls), up (open), half raised (half-open).
    let lever = match state {
        BreakerState::Closed => "M1 6h12",
        BreakerState::Open => "M1 6h3.5l5-4.5 M9.5 6H13",
        BreakerState::HalfOpen => "M1 6h3.5l5.5-2.5 M9.5 6H13",
    };
    let w = word.chars().count() as f64 * CHAR_W + 30.0;
    let title = match state {
        BreakerState::Closed => "circuit breaker closed: calls go through",
        BreakerState::Open => "circuit breaker open: calls fail fast without being sent",
        BreakerState::HalfOpen => "circuit breaker half-open: a few trial calls decide",
    };
    html! {
        <g key={id.clone()} class={classes!("breaker", word)} data-breaker-for={id} data-breaker-state={word}>
            <title>{ title }</title>
            if state != BreakerState::Closed {
                <path class="breaker-under" d={d.clone()} />
                <path class="breaker-line" d={d} />
            }
            <g transform={format!("translate({:.1} {:.1})", at.x - w / 2.0, at.y - 9.0)}>
                <rect class="breaker-pill" width={format!("{w:.1}")} height="18" rx="9" />
                <path class="breaker-switch" transform="translate(5 3)" d={lever} />
                <circle class="breaker-dot" cx="6" cy="9" r="1.6" />
                <circle class="breaker-dot" cx="18" cy="9" r="1.6" />
                <text class="breaker-text" x="23" y="12.5">{ word }</text>
            </g>
        </g>
    }
}

/// The layer of live marks over the canvas (nothing without a run).
#[component]
pub fn LiveOverlay() -> Html {
    let (Some(state), Some(run)) = (use_context::<Handle>(), use_context::<RunCtx>()) else {
        return html! {};
    };
    let snap = &run.snap;
    if snap.badges.is_empty()
        && snap.edge_load.is_empty()
        && snap.link_util.is_empty()
        && snap.breakers.is_empty()
        && snap.partition.names.is_empty()
    {
        return html! {};
    }
    let ed = &state.ed;
    let doc = &ed.doc;
    let loads = doc.edges.iter().filter_map(|e| {
        let name = e.name();
        let load = snap.edge_load.get(&name).copied().filter(|l| *l > 0.0)?;
        let (a, b) = (doc.node(&e.from)?, doc.node(&e.to)?);
        let c = geometry::edge_curve(ed.drawn_position(a), ed.drawn_position(b));
        Some(load_view(name, geometry::path_d(&c), load))
    });
    let utils = doc.edges.iter().filter_map(|e| {
        let name = e.name();
        let util = snap.link_util.get(&name).copied()?;
        let (a, b) = (doc.node(&e.from)?, doc.node(&e.to)?);
        let c = geometry::edge_curve(ed.drawn_position(a), ed.drawn_position(b));
        let mid = geometry::bezier_at(&c, 0.5);
        Some(link_util_view(name, geometry::path_d(&c), mid, util))
    });
    let breakers = doc.edges.iter().filter_map(|e| {
        let name = e.name();
        let state = snap.breakers.get(&name).copied()?;
        let (a, b) = (doc.node(&e.from)?, doc.node(&e.to)?);
        let c = geometry::edge_curve(ed.drawn_position(a), ed.drawn_position(b));
        let mid = geometry::bezier_at(&c, 0.5);
        Some(breaker_view(name, geometry::path_d(&c), mid, state))
    });
    // A partition: the links it cuts dashed in red, a dashed boundary around each node inside it, and a
    // store it splits marked as such.
    let part = &snap.partition;
    let cuts = doc.edges.iter().filter_map(|e| {
        let name = e.name();
        if !part.cut.contains(&name) {
            return None;
        }
        let (a, b) = (doc.node(&e.from)?, doc.node(&e.to)?);
        let c = geometry::edge_curve(ed.drawn_position(a), ed.drawn_position(b));
        let mid = geometry::bezier_at(&c, 0.5);
        Some(html! {
            <g key={name.clone()} class="partition-cut" data-partition-cut={name}>
                <path class="partition-cut-line" d={geometry::path_d(&c)} />
                <text class="partition-cut-mark" x={format!("{}", mid.x)} y={format!("{}", mid.y + 5.0)} text-anchor="middle">{ "✂" }</text>
            </g>
        })
    });
    let bounds = doc.nodes.iter().filter_map(|n| {
        let inside = part.inside.contains(&n.id);
        let split = part.split.contains(&n.id);
        if !inside && !split {
            return None;
        }
        let p = ed.drawn_position(n);
        let (class, word) = if inside {
            ("partition-box inside", "partitioned")
        } else {
            ("partition-box split", "split by partition")
        };
        Some(html! {
            <g key={n.id.clone()} class={class} data-partition-node={n.id.clone()} data-partition-state={if inside { "inside" } else { "split" }}>
                <rect x={format!("{}", p.x - 10.0)} y={format!("{}", p.y - 10.0)} width={format!("{}", NODE_W + 20.0)} height={format!("{}", NODE_H + 20.0)} rx="14" />
                <text x={format!("{}", p.x - 4.0)} y={format!("{}", p.y - 14.0)}>{ word }</text>
            </g>
        })
    });
    let badges = doc.nodes.iter().filter_map(|n| {
        let badge = snap.badges.get(&n.id).cloned()?;
        let pos = ed.drawn_position(n);
        Some(html! { <BadgeView key={n.id.clone()} id={n.id.clone()} x={pos.x} y={pos.y} badge={badge} /> })
    });
    html! {
        <svg class="live-layer" data-layer="live" aria-hidden="true">
            <g transform={ed.viewport.transform()}>
                <g class="edge-loads">{ for loads }</g>
                <g class="link-utils">{ for utils }</g>
                <g class="partition" data-partitions={part.names.join(",")}>{ for cuts }{ for bounds }</g>
                <g class="breakers">{ for breakers }</g>
                <g class="badges">{ for badges }</g>
            </g>
        </svg>
    }
}
