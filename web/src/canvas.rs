//! The diagram canvas: an SVG world layer (edges, then node cards) under the viewport transform. Every
//! pointer press on the canvas goes to the editor's tool state machine as a typed [`Input`]; hit testing is
//! the core's. Cards and edges are keyed components with cheap props, so a drag re-renders only what moved.

use playground_core::editor::geometry::{
    self, KIND_CHARS, LABEL_CHARS, NODE_H, NODE_W, PORT_R, Point, label_lines,
};
use playground_core::editor::{Action, Input, Target, Tone, Tool, display};
use playground_core::{Category, Kind, Severity};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::icons::{category_class, path as icon_path};
use crate::layout::{ContextMenu, LayoutAction, LayoutHandle};
use crate::live::{RestartPrompt, TrafficLegend};
use crate::overlay::{CardStates, LiveOverlay};
use crate::panels::link_banner;
use crate::state::{CanvasBox, Handle, TrafficCanvas};

/// Props of one node card.
#[derive(Properties, PartialEq)]
pub struct NodeProps {
    /// node id
    pub id: AttrValue,
    /// kind name
    pub kind: AttrValue,
    /// kind title (`Load balancer`)
    pub title: AttrValue,
    /// text on the card
    pub label: AttrValue,
    /// colour family
    pub category: Option<Category>,
    /// top-left corner (world px)
    pub x: f64,
    /// top-left corner (world px)
    pub y: f64,
    /// selected
    pub selected: bool,
    /// worst diagnostic about this node
    pub mark: Option<Severity>,
    /// select this node alone (keyboard)
    pub on_select: Callback<String>,
    /// outline while a run exists (`dead`, `saturated`); the badges are drawn by `overlay::LiveOverlay`
    #[prop_or_default]
    pub live: Option<&'static str>,
}

/// Shortens a kind title to what fits on a card.
fn fit_label(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Enter or Space on a focused card or edge selects it, like a click.
fn select_on_enter(on_select: &Callback<String>, id: &str) -> Callback<KeyboardEvent> {
    let on_select = on_select.clone();
    let id = id.to_string();
    Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            on_select.emit(id.clone());
        }
    })
}

/// A node card.
#[component]
pub fn NodeView(p: &NodeProps) -> Html {
    let keydown = select_on_enter(&p.on_select, &p.id);
    let mark = p.mark.map(|s| {
        let (class, word) = match s {
            Severity::Error => ("node-mark error", "has an error"),
            Severity::Warning => ("node-mark warning", "has a warning"),
        };
        html! { <g class={class}><circle cx={(NODE_W - 8.0).to_string()} cy="8" r="6" /><text x={(NODE_W - 8.0).to_string()} y="11.5">{"!"}</text><title>{ word }</title></g> }
    });
    // The name starts with the visible text (label, then kind), so speech input can say what it sees.
    let aria = format!(
        "{} {}{}{}",
        p.label,
        p.title,
        if p.selected { ", selected" } else { "" },
        match p.mark {
            Some(Severity::Error) => ", has an error",
            Some(Severity::Warning) => ", has a warning",
            None => "",
        }
    );
    let live_class = p.live;
    let lines = label_lines(&p.label, LABEL_CHARS, 2);
    let two = lines.len() > 1;
    html! {
        <g class={classes!("node", category_class(p.category), p.selected.then_some("selected"), live_class)}
            data-node-id={p.id.clone()} data-kind={p.kind.clone()}
            transform={format!("translate({} {})", p.x, p.y)}
            tabindex="0" role="button" aria-label={aria} aria-pressed={if p.selected { "true" } else { "false" }}
            onkeydown={keydown}>
            <rect class="node-card" width={NODE_W.to_string()} height={NODE_H.to_string()} rx="10" />
            <rect class="node-accent" x="0" y="10" width="3" height={(NODE_H - 20.0).to_string()} rx="1.5" />
            <g class="node-icon" transform="translate(12 16)">
                <rect class="node-icon-bg" x="-4" y="-4" width="32" height="32" rx="8" />
                <path d={icon_path(&p.kind, p.category)} />
            </g>
            <title>{ format!("{} ({})", p.label, p.title) }</title>
            <text class="node-label" x="50" y={if two { "21" } else { "25" }}>
                { for lines.iter().enumerate().map(|(i, l)| html! {
                    <tspan x="50" dy={if i == 0 { "0" } else { "14" }}>{ l.clone() }</tspan>
                }) }
            </text>
            <text class="node-kind" x="50" y={if two { "49" } else { "42" }}>{ fit_label(&p.title, KIND_CHARS) }</text>
            // Every card has an output port, even a kind that calls nothing: trying it explains why.
            <circle class="node-port" cx={NODE_W.to_string()} cy={(NODE_H / 2.0).to_string()} r={PORT_R.to_string()}>
                <title>{ "Drag to another component to connect" }</title>
            </circle>
            { for mark }
        </g>
    }
}

/// Props of one edge.
#[derive(Properties, PartialEq)]
pub struct EdgeProps {
    /// edge name
    pub id: AttrValue,
    /// SVG path data
    pub d: AttrValue,
    /// selected
    pub selected: bool,
    /// accessible name
    pub name: AttrValue,
    /// select this edge alone (keyboard)
    pub on_select: Callback<String>,
}

/// A directed edge: a smooth curve with an arrowhead.
#[component]
pub fn EdgeView(p: &EdgeProps) -> Html {
    let keydown = select_on_enter(&p.on_select, &p.id);
    let marker = if p.selected {
        "url(#arrow-selected)"
    } else {
        "url(#arrow)"
    };
    html! {
        <g class={classes!("edge", p.selected.then_some("selected"))} data-edge-id={p.id.clone()}
            tabindex="0" role="button" aria-label={p.name.clone()} onkeydown={keydown}>
            <path class="edge-hit" d={p.d.clone()} />
            <path class="edge-line" d={p.d.clone()} marker-end={marker} />
        </g>
    }
}

/// How long a finger rests on a card before its context menu opens [ms].
const LONG_PRESS_MS: u32 = 550;

/// The card (node id) an event happened on, if any.
fn node_of(target: Option<web_sys::EventTarget>) -> Option<String> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    el.closest("[data-node-id]")
        .ok()
        .flatten()?
        .get_attribute("data-node-id")
}

/// Selects the card and opens its context menu at the page point (`x`, `y`).
fn open_context(state: &Handle, layout: Option<&LayoutHandle>, node: String, x: i32, y: i32) {
    state.dispatch(Action::SelectOnly(Target::Node(node.clone())));
    if let Some(l) = layout {
        l.dispatch(LayoutAction::Context(Some(ContextMenu {
            node,
            x: f64::from(x),
            y: f64::from(y),
        })));
    }
}

/// Centre: the diagram canvas.
#[component]
pub fn CanvasArea() -> Html {
    let state = use_context::<Handle>();
    let canvas = use_context::<CanvasBox>().unwrap_or_default();
    // Not the run's summaries: those re-render only the overlay; cards take just their outline.
    let card_states = use_context::<CardStates>().unwrap_or_default();
    let traffic = use_context::<TrafficCanvas>().unwrap_or_default();
    let dispatcher = state.as_ref().map(|s| s.dispatcher());
    let press = use_mut_ref(|| None::<(i32, f64, f64, gloo::timers::callback::Timeout)>);
    let layout = use_context::<LayoutHandle>();

    let on_node_select = use_callback(dispatcher.clone(), |id: String, d| {
        if let Some(d) = d {
            d.dispatch(Action::SelectOnly(Target::Node(id)));
        }
    });
    let on_edge_select = use_callback(dispatcher.clone(), |id: String, d| {
        if let Some(d) = d {
            d.dispatch(Action::SelectOnly(Target::Edge(id)));
        }
    });

    // Measure once mounted (the editor frames the diagram on its first size).
    {
        let canvas = canvas.clone();
        let dispatcher = dispatcher.clone();
        use_effect_with((), move |_| {
            if let (Some(d), Some((width, height))) = (dispatcher, canvas.measure()) {
                d.dispatch(Action::Resize { width, height });
            }
        });
    }

    let Some(state) = state else {
        return html! { <main class="canvas-area" data-region="canvas" /> };
    };
    let ed = &state.ed;

    // A long press of a finger on a card opens its context menu (as a right click does): a timer armed on
    // the press, disarmed when the finger moves away, lifts or a second finger joins.
    let disarm = {
        let press = press.clone();
        Callback::from(move |_: PointerEvent| drop(press.borrow_mut().take()))
    };
    let moved = {
        let press = press.clone();
        Callback::from(move |e: PointerEvent| {
            let far = press.borrow().as_ref().is_some_and(|(id, x, y, _)| {
                *id == e.pointer_id()
                    && (f64::from(e.client_x()) - x).hypot(f64::from(e.client_y()) - y) > 10.0
            });
            if far {
                press.borrow_mut().take();
            }
        })
    };
    let context = {
        let state = state.clone();
        let layout = layout.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(id) = node_of(e.target()) else {
                return;
            };
            e.prevent_default();
            open_context(&state, layout.as_ref(), id, e.client_x(), e.client_y());
        })
    };
    let down = {
        let state = state.clone();
        let canvas = canvas.clone();
        let press = press.clone();
        let layout = layout.clone();
        Callback::from(move |e: PointerEvent| {
            let was_pressed = press.borrow_mut().take().is_some();
            if e.pointer_type() != "mouse"
                && !was_pressed
                && let Some(id) = node_of(e.target())
            {
                let (x, y, pointer) = (e.client_x(), e.client_y(), e.pointer_id());
                let (state, layout, press2) = (state.clone(), layout.clone(), press.clone());
                let timer = gloo::timers::callback::Timeout::new(LONG_PRESS_MS, move || {
                    press2.borrow_mut().take();
                    // The press becomes the menu, not a drag of the card.
                    state.dispatch(Action::Pointer(Input::Cancel));
                    open_context(&state, layout.as_ref(), id, x, y);
                });
                *press.borrow_mut() = Some((pointer, f64::from(x), f64::from(y), timer));
            }
            canvas.measure();
            let (at, _) = canvas.local(f64::from(e.client_x()), f64::from(e.client_y()));
            if e.button() == 2 {
                return;
            }
            if e.button() == 1 {
                e.prevent_default();
            }
            state.dispatch(Action::Pointer(Input::Down {
                at,
                pointer: e.pointer_id(),
                shift: e.shift_key(),
                button: e.button(),
            }));
        })
    };

    let v = ed.viewport;
    let doc = &ed.doc;
    let edges = doc.edges.iter().filter_map(|e| {
        let (a, b) = (doc.node(&e.from)?, doc.node(&e.to)?);
        let c = geometry::edge_curve(ed.drawn_position(a), ed.drawn_position(b));
        let name = e.name();
        let selected = ed.selection.edges.contains(&name);
        Some(html! {
            <EdgeView key={name.clone()} id={name.clone()} d={geometry::path_d(&c)} selected={selected}
                name={format!("Connection from {} to {}", display(a), display(b))}
                on_select={on_edge_select.clone()} />
        })
    });
    let nodes = doc.nodes.iter().map(|n| {
        let kind = Kind::from_name(&n.kind);
        let info = kind.map(|k| k.info());
        let pos = ed.drawn_position(n);
        html! {
            <NodeView key={n.id.clone()} id={n.id.clone()} kind={n.kind.clone()}
                title={info.map(|i| i.title).unwrap_or("Unknown kind")}
                label={display(n).to_string()} category={info.map(|i| i.category)}
                x={pos.x} y={pos.y} selected={ed.selection.nodes.contains(&n.id)}
                mark={ed.mark(&n.id)} on_select={on_node_select.clone()}
                live={card_states.0.get(&n.id).copied()} />
        }
    });

    // What the current tool draws on top: the edge being drawn, the card being dropped, the band.
    let overlay = match &ed.tool {
        Tool::Connect { from, at, over, .. } => doc.node(from).map(|a| {
            let start = geometry::out_port(a.position);
            let (end, class) = match over
                .as_ref()
                .and_then(|(id, ok)| Some((doc.node(id)?, *ok)))
            {
                Some((b, ok)) => (
                    geometry::in_port(b.position),
                    if ok {
                        "edge-draft ok"
                    } else {
                        "edge-draft bad"
                    },
                ),
                None => (*at, "edge-draft"),
            };
            let c = geometry::curve(start, end);
            html! { <path class={class} d={geometry::path_d(&c)} marker-end="url(#arrow-draft)" /> }
        }),
        Tool::Palette {
            kind, at: Some(at), ..
        } => Some(html! {
            <g class={classes!("node", "ghost", category_class(Some(kind.info().category)))}
                transform={format!("translate({} {})", at.x, at.y)}>
                <rect class="node-card" width={NODE_W.to_string()} height={NODE_H.to_string()} rx="10" />
                <text class="node-label" x="50" y="33">{ kind.info().title }</text>
            </g>
        }),
        Tool::Band { start, at, .. } => {
            let (min, max) = geometry::rect(*start, *at);
            Some(html! {
                <rect class="band" x={min.x.to_string()} y={min.y.to_string()}
                    width={(max.x - min.x).to_string()} height={(max.y - min.y).to_string()} />
            })
        }
        _ => None,
    };

    let notice = ed.notice.as_ref().map(|n| {
        let class = match n.tone {
            Tone::Info => "notice info",
            Tone::Refused => "notice refused",
            Tone::Error => "notice error",
        };
        // A refusal sits next to where the pointer let go, clamped inside the canvas.
        let style = n.at.map(|p: Point| {
            let (w, h) = ed.canvas;
            format!(
                "left:{:.0}px;top:{:.0}px;transform:none;bottom:auto",
                p.x.clamp(8.0, (w - 328.0).max(8.0)),
                (p.y + 16.0).clamp(8.0, (h - 80.0).max(8.0))
            )
        });
        let serial = n.serial;
        let dismiss = {
            let state = state.clone();
            Callback::from(move |_: MouseEvent| state.dispatch(Action::DismissNotice(serial)))
        };
        html! {
            <div class={class} role={if n.tone == Tone::Info { "status" } else { "alert" }} style={style} data-notice={format!("{:?}", n.tone).to_lowercase()}>
                <span class="notice-text">{ &n.text }</span>
                <button type="button" class="notice-close" aria-label="Dismiss" title="Dismiss" onclick={dismiss}>{ "×" }</button>
            </div>
        }
    });

    let confirm = ed.confirm_new.then(|| {
        let yes = {
            let state = state.clone();
            Callback::from(move |_: MouseEvent| state.dispatch(Action::ConfirmNew))
        };
        let no = {
            let state = state.clone();
            Callback::from(move |_: MouseEvent| state.dispatch(Action::CancelNew))
        };
        html! {
            <div class="confirm" role="alertdialog" aria-label="Start a new diagram?">
                <span>{ "Discard this diagram and start an empty one?" }</span>
                <button type="button" class="btn danger" data-action="confirm-new" onclick={yes}>{ "Discard" }</button>
                <button type="button" class="btn" data-action="cancel-new" onclick={no}>{ "Keep it" }</button>
            </div>
        }
    });

    let tool_class = match ed.tool {
        Tool::Pan { moved: true, .. } | Tool::Pinch { .. } => "tool-pan",
        Tool::Move { moved: true, .. } => "tool-move",
        Tool::Connect { .. } => "tool-connect",
        _ if ed.linking.is_some() => "tool-connect",
        _ => "",
    };

    html! {
        <main class={classes!("canvas-area", tool_class)} data-region="canvas">
            <svg class="canvas" ref={canvas.svg.clone()} data-layer="diagram" role="application"
                aria-label="Diagram canvas" aria-roledescription="diagram editor" tabindex="-1" onpointerdown={down}
                onpointermove={moved} onpointerup={disarm.clone()} onpointercancel={disarm} oncontextmenu={context}>
                <defs>
                    <pattern id="grid-dots" width="20" height="20" patternUnits="userSpaceOnUse"
                        patternTransform={v.transform()}>
                        <circle cx="1" cy="1" r="1" class="grid-dot" />
                    </pattern>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="12" markerHeight="12" orient="auto-start-reverse">
                        <path class="arrow-head" d="M0 0 L10 5 L0 10 z" />
                    </marker>
                    <marker id="arrow-selected" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="12" markerHeight="12" orient="auto-start-reverse">
                        <path class="arrow-head selected" d="M0 0 L10 5 L0 10 z" />
                    </marker>
                    <marker id="arrow-draft" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="12" markerHeight="12" orient="auto-start-reverse">
                        <path class="arrow-head draft" d="M0 0 L10 5 L0 10 z" />
                    </marker>
                </defs>
                <rect class="canvas-bg" width="100%" height="100%" fill="url(#grid-dots)" />
                <g class="world" transform={v.transform()}>
                    <g class="edges">{ for edges }</g>
                    <g class="nodes">{ for nodes }</g>
                    { for overlay }
                </g>
            </svg>
            <LiveOverlay />
            <canvas class="traffic" data-layer="traffic" ref={traffic.0.clone()} aria-hidden="true" />
            // One stable wrapper: overlays coming and going must not make Yew rebuild the SVG beside them.
            <div class="canvas-overlays">
                if doc.nodes.is_empty() {
                    <div class="canvas-empty">
                        <p class="canvas-empty-title">{ "An empty diagram" }</p>
                        <p class="canvas-empty-text">{ "Drag a client, a load balancer, servers and a database in from the left, then connect them." }</p>
                    </div>
                }
                <TrafficLegend />
                { link_banner(&state) }
                <RestartPrompt />
                { for notice }
                { for confirm }
            </div>
            <p class="canvas-help" aria-hidden="true">
                <span class="help-pointer">{ "Drag background to pan · Shift-drag to select · Wheel to zoom · C connects · ? lists the keys" }</span>
                <span class="help-touch">{ "Drag to pan · pinch to zoom · long-press a card for its actions" }</span>
                <span class="zoom-level">{ format!("{:.0}%", v.zoom * 100.0) }</span>
            </p>
        </main>
    }
}
