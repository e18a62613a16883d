//! The Sweep view (from the lab in the metrics panel): one numeric parameter of one node or edge over a
//! range (core's `sweep::Sweep`), each point on a few seeds, a slice per frame (`jobs`); the latency chart
//! (p50/p95/p99 with their 95 % bands, the knee marked) and a second chart (throughput, error rate or monthly
//! cost), drawn from core's `sweep::plot`. Hover or keyboard focus on a point shows its figures; every point
//! carries its figures as `data-` attributes for the tests. The user's diagram is never changed: each point
//! runs a copy.

use std::cell::RefCell;
use std::rc::Rc;

use playground_core::Topology;
use playground_core::replicate::Headline;
use playground_core::sweep::plot::{self, Figure, Frame, Plot};
use playground_core::sweep::{self, Scale, Sweep, SweepResult, SweepSpec};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::jobs::{self, Job, Tick};
use crate::state::Handle;

/// Points and seeds the form starts with.
const START_POINTS: u32 = 6;
const START_SEEDS: u32 = 3;

/// The form.
#[derive(Clone, Debug, PartialEq)]
struct Form {
    target: String,
    param: String,
    from: String,
    to: String,
    points: String,
    seeds: String,
    log: bool,
}

impl Form {
    /// The form filled in from a scenario's preset.
    fn preset(spec: &SweepSpec) -> Form {
        Form {
            target: spec.target.clone(),
            param: spec.param.clone(),
            from: spec.from.to_string(),
            to: spec.to.to_string(),
            points: spec.points.to_string(),
            seeds: spec.seeds.to_string(),
            log: spec.scale == Scale::Log,
        }
    }

    /// The form for `target` (its default parameter and suggested range).
    fn for_target(doc: &Topology, target: &str, keep: Option<&Form>) -> Form {
        let param = sweep::default_param(doc, target).unwrap_or_default();
        Form::with_param(doc, target, &param, keep)
    }

    fn with_param(doc: &Topology, target: &str, param: &str, keep: Option<&Form>) -> Form {
        let (from, to) = sweep::suggest(doc, target, param);
        Form {
            target: target.to_string(),
            param: param.to_string(),
            from: plot::short(from),
            to: plot::short(to),
            points: keep.map_or(START_POINTS.to_string(), |k| k.points.clone()),
            seeds: keep.map_or(START_SEEDS.to_string(), |k| k.seeds.clone()),
            log: false,
        }
    }

    fn spec(&self) -> Result<SweepSpec, String> {
        let num = |s: &str, what: &str| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("{what} must be a number"))
        };
        let whole = |s: &str, what: &str| {
            s.trim()
                .parse::<u32>()
                .map_err(|_| format!("{what} must be a whole number"))
        };
        Ok(SweepSpec {
            target: self.target.clone(),
            param: self.param.clone(),
            from: num(&self.from, "From")?,
            to: num(&self.to, "To")?,
            points: whole(&self.points, "Points")?,
            scale: if self.log { Scale::Log } else { Scale::Linear },
            seeds: whole(&self.seeds, "Seeds")?,
        })
    }
}

/// An edit of the form by a control's new value.
type Change = dyn Fn(&Form, String) -> Form;

/// The node the view starts on: the selected one, else the first client, else the first node.
fn first_target(doc: &Topology, selected: Option<&String>) -> String {
    selected
        .filter(|id| doc.node(id).is_some())
        .cloned()
        .or_else(|| {
            doc.nodes
                .iter()
                .find(|n| n.kind == "client")
                .map(|n| n.id.clone())
        })
        .or_else(|| doc.nodes.first().map(|n| n.id.clone()))
        .unwrap_or_default()
}

/// Where the sweep stands.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Running(f64),
    Done(Rc<SweepResult>),
    Failed(String),
}

fn value_of(e: &Event) -> Option<String> {
    let t = e.target()?;
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        return Some(if i.type_() == "checkbox" {
            i.checked().to_string()
        } else {
            i.value()
        });
    }
    t.dyn_ref::<web_sys::HtmlSelectElement>()
        .map(web_sys::HtmlSelectElement::value)
}

/// The second chart's choices.
const OTHER: [(Figure, &str); 3] = [
    (Figure::Headline(Headline::Throughput), "Throughput"),
    (Figure::Headline(Headline::ErrorRate), "Error rate"),
    (Figure::Cost, "Monthly cost"),
];

const LATENCY: [Figure; 3] = [
    Figure::Headline(Headline::P50),
    Figure::Headline(Headline::P95),
    Figure::Headline(Headline::P99),
];

/// One point's figures as text, for the hover line.
fn point_text(r: &SweepResult, i: usize) -> String {
    let Some(p) = r.points.get(i) else {
        return String::new();
    };
    let unit = if r.param.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", r.param.unit)
    };
    let mut parts = vec![format!("{} {}{unit}", r.param.label, plot::short(p.value))];
    for f in [
        Figure::Headline(Headline::P50),
        Figure::Headline(Headline::P95),
        Figure::Headline(Headline::P99),
        Figure::Headline(Headline::Throughput),
        Figure::Headline(Headline::ErrorRate),
        Figure::Cost,
    ] {
        let v = f.of(p);
        parts.push(format!(
            "{} {} ± {} {}",
            f.label(),
            plot::short(v.mean),
            plot::short(v.half),
            f.unit()
        ));
    }
    if r.knee == Some(i) {
        parts.push("the knee".into());
    }
    parts.join(" · ")
}

/// The data attributes of point `i`: its value and each figure's mean.
fn point_attrs(r: &SweepResult, i: usize) -> Vec<(&'static str, String)> {
    let Some(p) = r.points.get(i) else {
        return Vec::new();
    };
    let mut out = vec![("data-value", format!("{}", p.value))];
    for h in Headline::ALL {
        out.push((data_key(h), format!("{}", p.figure(h).mean)));
    }
    out.push(("data-cost", format!("{}", p.cost.mean)));
    out
}

fn data_key(h: Headline) -> &'static str {
    match h {
        Headline::Mean => "data-mean",
        Headline::P50 => "data-p50",
        Headline::P95 => "data-p95",
        Headline::P99 => "data-p99",
        Headline::Throughput => "data-throughput",
        Headline::ErrorRate => "data-error_rate",
    }
}

/// An SVG chart of `p`; `hover` highlights a point; `on_hover` reports a point under the pointer or focus.
fn chart(
    key: &'static str,
    p: &Plot,
    r: &SweepResult,
    hover: Option<usize>,
    on_hover: &Callback<Option<usize>>,
) -> Html {
    let f = p.frame;
    let (x0, x1, y0) = (f.left, f.w - f.right, f.h - f.bottom);
    let grid = p.y_ticks.iter().map(|t| html! {
        <g class="sweep-tick">
            <line class="sweep-grid" x1={x0.to_string()} x2={x1.to_string()} y1={format!("{:.1}", t.at)} y2={format!("{:.1}", t.at)} />
            <text x={format!("{:.1}", x0 - 6.0)} y={format!("{:.1}", t.at + 4.0)} text-anchor="end">{ t.label.clone() }</text>
        </g>
    });
    let xt = p.x_ticks.iter().map(|t| html! {
        <g class="sweep-tick">
            <line class="sweep-axis" x1={format!("{:.1}", t.at)} x2={format!("{:.1}", t.at)} y1={y0.to_string()} y2={(y0 + 4.0).to_string()} />
            <text x={format!("{:.1}", t.at)} y={(y0 + 16.0).to_string()} text-anchor="middle">{ t.label.clone() }</text>
        </g>
    });
    let bands = p.lines.iter().map(|l| {
        html! { <path class={classes!("sweep-band", format!("c-{}", l.figure.key()))} d={l.band.clone()} /> }
    });
    let lines = p.lines.iter().map(|l| {
        let cls = format!("c-{}", l.figure.key());
        html! {
            <g class={classes!("sweep-series", cls.clone())} data-series={l.figure.key()}>
                <path class={classes!("sweep-line", cls.clone())} d={l.path.clone()} />
                { for l.points.iter().enumerate().map(|(i, (x, y))| html! {
                    <circle class={classes!("sweep-dot", cls.clone(), (hover == Some(i)).then_some("hover"))}
                        cx={format!("{x:.1}")} cy={format!("{y:.1}")} r={if hover == Some(i) { "5" } else { "3" }} />
                }) }
            </g>
        }
    });
    let knee = p.knee.as_ref().map(|(x, label)| {
        let value = r.knee.and_then(|i| r.points.get(i)).map_or(0.0, |pt| pt.value);
        html! {
            <g class="sweep-knee" data-sweep-knee={format!("{value}")}>
                <line x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1={f.top.to_string()} y2={y0.to_string()} />
                <text x={format!("{:.1}", (x + 4.0).min(x1 - 4.0))} y={(f.top + 12.0).to_string()}
                    text-anchor={if *x > x1 - 90.0 { "end" } else { "start" }}>{ label.clone() }</text>
            </g>
        }
    });
    let columns = p.columns.iter().enumerate().map(|(i, (x, half))| {
        let enter = {
            let on_hover = on_hover.clone();
            Callback::from(move |_: PointerEvent| on_hover.emit(Some(i)))
        };
        let focus = {
            let on_hover = on_hover.clone();
            Callback::from(move |_: FocusEvent| on_hover.emit(Some(i)))
        };
        let a = point_attrs(r, i);
        let attr = |k: &str| a.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
        html! {
            <rect class="sweep-hit" x={format!("{:.1}", x - half)} y={f.top.to_string()}
                width={format!("{:.1}", 2.0 * half)} height={format!("{:.1}", y0 - f.top)}
                tabindex="0" role="img" aria-label={point_text(r, i)} data-sweep-point={i.to_string()}
                data-value={attr("data-value")} data-mean={attr("data-mean")} data-p50={attr("data-p50")}
                data-p95={attr("data-p95")} data-p99={attr("data-p99")} data-throughput={attr("data-throughput")}
                data-error_rate={attr("data-error_rate")} data-cost={attr("data-cost")}
                onpointerenter={enter} onfocus={focus} />
        }
    });
    let guide = hover.and_then(|i| p.columns.get(i)).map(|(x, _)| html! {
        <line class="sweep-guide" x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1={f.top.to_string()} y2={y0.to_string()} />
    });
    let leave = {
        let on_hover = on_hover.clone();
        Callback::from(move |_: PointerEvent| on_hover.emit(None))
    };
    html! {
        <svg class="sweep-chart" data-sweep-chart={key.to_string()} viewBox={format!("0 0 {} {}", f.w, f.h)}
            role="group" aria-label={format!("{} against {}", p.y_title, p.x_title)} onpointerleave={leave}>
            { for grid }
            <line class="sweep-axis" x1={x0.to_string()} x2={x1.to_string()} y1={y0.to_string()} y2={y0.to_string()} />
            <line class="sweep-axis" x1={x0.to_string()} x2={x0.to_string()} y1={f.top.to_string()} y2={y0.to_string()} />
            { for xt }
            <text class="sweep-title" x={format!("{:.1}", f64::midpoint(x0, x1))} y={(f.h - 4.0).to_string()} text-anchor="middle">{ p.x_title.clone() }</text>
            <text class="sweep-title" transform={format!("translate(12 {:.1}) rotate(-90)", f64::midpoint(f.top, y0))} text-anchor="middle">{ p.y_title.clone() }</text>
            { for bands }
            { for knee }
            { for guide }
            { for lines }
            { for columns }
        </svg>
    }
}

fn legend(figures: &[Figure]) -> Html {
    html! {
        <p class="chart-legend sweep-legend">
            { for figures.iter().map(|f| html! {
                <span class="legend-key"><span class={classes!("legend-swatch", format!("c-{}", f.key()))} />{ f.label() }</span>
            }) }
            <span class="lab-note">{ "line: mean over the seeds; band: its 95 % interval" }</span>
        </p>
    }
}

/// The charts of a (partial or finished) sweep.
fn charts(
    r: &SweepResult,
    other: usize,
    hover: Option<usize>,
    on_hover: &Callback<Option<usize>>,
    on_other: &Callback<Event>,
) -> Html {
    if r.points.is_empty() {
        return html! {};
    }
    // The chart's user units follow the window's width (up to 640), so its text stays readable on a phone.
    let w = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .map_or(640.0, |px| (px - 40.0).clamp(340.0, 640.0));
    let frame = |h: f64| Frame { w, ..Frame::new(h) };
    let lat = plot::plot(r, &LATENCY, frame(260.0));
    let (fig, _) = OTHER[other.min(OTHER.len() - 1)];
    let second = plot::plot(r, &[fig], frame(170.0));
    let hover_text = hover.map_or_else(
        || "Point at a column (or Tab to it) to read its figures.".to_string(),
        |i| point_text(r, i),
    );
    html! {
        <div class="sweep-plots" data-sweep-points={r.points.len().to_string()}>
            { legend(&LATENCY) }
            { chart("latency", &lat, r, hover, on_hover) }
            <p class="sweep-hover" data-sweep-hover="" aria-live="polite">{ hover_text }</p>
            <div class="lab-actions">
                <label class="field-label" for="sweep-other">{ "Second chart" }</label>
                <select id="sweep-other" data-field="sweep-other" onchange={on_other.clone()}>
                    { for OTHER.iter().enumerate().map(|(i, (_, label))| html! {
                        <option value={i.to_string()} selected={i == other}>{ *label }</option>
                    }) }
                </select>
            </div>
            { chart("other", &second, r, hover, on_hover) }
            if let Some(i) = r.knee {
                <p class="lab-note" data-sweep-knee-note="">{ format!("The knee: from {} {}, p99 is more than twice its lowest value in this sweep ({} ms).",
                    format!("{} {}", plot::short(r.points[i].value), r.param.unit).trim_end(),
                    if r.points.last().map(|p| p.figure(Headline::P99).mean) >= r.points.first().map(|p| p.figure(Headline::P99).mean) { "on" } else { "down" },
                    plot::short(r.points.iter().map(|p| p.figure(Headline::P99).mean).fold(f64::INFINITY, f64::min))) }</p>
            } else {
                <p class="lab-note" data-sweep-knee-note="none">{ "No knee: p99 stays within twice its lowest value over this range." }</p>
            }
        </div>
    }
}

/// The targets of the node select: every node, then every edge.
fn targets(doc: &Topology) -> Vec<(String, String)> {
    let nodes = doc.nodes.iter().map(|n| {
        let label = if n.label.is_empty() || n.label == n.id {
            n.id.clone()
        } else {
            format!("{} ({})", n.label, n.id)
        };
        (n.id.clone(), label)
    });
    let edges = doc.edges.iter().map(|e| {
        let name = e.name();
        (name.clone(), format!("link {name}"))
    });
    nodes.chain(edges).collect()
}

/// "Sweep…" in the lab, and the sweep view over the page when open.
#[component]
pub fn SweepLab() -> Html {
    let state = use_context::<Handle>();
    let open = use_state(|| false);
    let form = use_state(|| None::<Form>);
    let status = use_state(|| Status::Idle);
    let hover = use_state(|| None::<usize>);
    let other = use_state(|| 0_usize);
    let slot: jobs::Slot<SweepResult> = use_mut_ref(|| None);
    let live: Rc<RefCell<Option<Rc<RefCell<Sweep>>>>> = use_mut_ref(|| None);
    {
        let slot = slot.clone();
        use_effect_with((), move |_| {
            move || {
                slot.borrow_mut().take();
            }
        });
    }
    {
        // A gallery scenario with a sweep opens the view preset with its node, parameter and range.
        let (open, form, status) = (open.clone(), form.clone(), status.clone());
        let visit = jobs::visited_lab(use_context::<crate::session::SessionHandle>().as_ref());
        let key = visit.as_ref().map(|(hash, _)| hash.clone());
        use_effect_with(key, move |_| {
            let spec = visit.and_then(|(_, s)| s.lab.and_then(|l| l.sweep_spec()));
            if let Some(spec) = spec {
                form.set(Some(Form::preset(&spec)));
                status.set(Status::Idle);
                open.set(true);
            }
        });
    }
    let Some(state) = state else {
        return html! {};
    };
    let doc = Rc::clone(&state.ed.doc);
    let on_open = {
        let (open, form, doc, status) =
            (open.clone(), form.clone(), Rc::clone(&doc), status.clone());
        let selected = state.ed.selection.nodes.iter().next().cloned();
        Callback::from(move |_: MouseEvent| {
            let target = first_target(&doc, selected.as_ref());
            form.set(Some(Form::for_target(&doc, &target, (*form).as_ref())));
            status.set(Status::Idle);
            open.set(true);
        })
    };
    let button = html! {
        <button type="button" class="btn" data-action="sweep" onclick={on_open}
            title="Run the diagram over a range of one parameter and plot latency, throughput, errors and cost">{ "Sweep…" }</button>
    };
    let host = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".app").ok().flatten());
    let (Some(f), true, Some(host)) = ((*form).clone(), *open, host) else {
        return button;
    };
    let report = {
        let (status, live) = (status.clone(), live.clone());
        Callback::from(move |t: Tick<SweepResult>| {
            status.set(match t {
                Tick::Running(p) => Status::Running(p),
                Tick::Done(r) => {
                    live.borrow_mut().take();
                    Status::Done(Rc::new(r))
                }
                Tick::Failed(e) => Status::Failed(e),
            });
        })
    };
    let on_run = {
        let (f, doc, slot, live, report, hover) = (
            f.clone(),
            Rc::clone(&doc),
            slot.clone(),
            live.clone(),
            report.clone(),
            hover.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            hover.set(None);
            let started = f
                .spec()
                .and_then(|spec| Sweep::start(&doc, spec).map_err(|e| e.to_string()));
            match started {
                Ok(s) => {
                    let s = Rc::new(RefCell::new(s));
                    *live.borrow_mut() = Some(Rc::clone(&s));
                    let s2 = Rc::clone(&s);
                    let job = Job::new(
                        move |budget| s.borrow_mut().step(budget).map_err(|e| e.to_string()),
                        move || s2.borrow().progress(),
                    );
                    jobs::start(&slot, job, &report);
                }
                Err(e) => report.emit(Tick::Failed(e)),
            }
        })
    };
    let on_cancel = {
        let (slot, status, live) = (slot.clone(), status.clone(), live.clone());
        Callback::from(move |_: MouseEvent| {
            slot.borrow_mut().take();
            live.borrow_mut().take();
            status.set(Status::Idle);
        })
    };
    let on_close = {
        let (slot, open, live) = (slot.clone(), open.clone(), live.clone());
        Callback::from(move |_: MouseEvent| {
            slot.borrow_mut().take();
            live.borrow_mut().take();
            open.set(false);
        })
    };
    let edit = |change: Rc<Change>| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            if let (Some(v), Some(cur)) = (value_of(&e), (*form).clone()) {
                form.set(Some(change(&cur, v)));
            }
        })
    };
    let on_target = {
        let doc = Rc::clone(&doc);
        edit(Rc::new(move |cur: &Form, v| {
            Form::for_target(&doc, &v, Some(cur))
        }))
    };
    let on_param = {
        let doc = Rc::clone(&doc);
        edit(Rc::new(move |cur: &Form, v| {
            Form::with_param(&doc, &cur.target, &v, Some(cur))
        }))
    };
    let on_from = edit(Rc::new(|c: &Form, v| Form {
        from: v,
        ..c.clone()
    }));
    let on_to = edit(Rc::new(|c: &Form, v| Form { to: v, ..c.clone() }));
    let on_points = edit(Rc::new(|c: &Form, v| Form {
        points: v,
        ..c.clone()
    }));
    let on_seeds = edit(Rc::new(|c: &Form, v| Form {
        seeds: v,
        ..c.clone()
    }));
    let on_log = edit(Rc::new(|c: &Form, v| Form {
        log: v == "true",
        ..c.clone()
    }));
    let on_hover = {
        let hover = hover.clone();
        Callback::from(move |i: Option<usize>| hover.set(i))
    };
    let on_other = {
        let other = other.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = value_of(&e).and_then(|v| v.parse().ok()) {
                other.set(i);
            }
        })
    };
    let params = sweep::params(&doc, &f.target).unwrap_or_default();
    let running = matches!(*status, Status::Running(_));
    let shown: Option<Rc<SweepResult>> = match &*status {
        Status::Done(r) => Some(Rc::clone(r)),
        Status::Running(_) => live.borrow().as_ref().map(|s| Rc::new(s.borrow().result())),
        _ => None,
    };
    let progress = match &*status {
        Status::Running(p) => html! {
            <div class="lab-running" role="status" data-sweep="running">
                <progress max="1" value={format!("{p:.3}")} aria-label="Sweep progress"></progress>
                <span>{ format!("Sweeping… {:.0} %", p * 100.0) }</span>
                <button type="button" class="btn small" data-action="cancel-sweep" onclick={on_cancel}>{ "Cancel" }</button>
            </div>
        },
        Status::Failed(e) => {
            html! { <p class="field-error" role="alert" data-sweep="failed">{ e.clone() }</p> }
        }
        Status::Done(r) => {
            html! { <p class="lab-note" data-sweep="done">{ format!("{} points × {} seeds.", r.points.len(), r.spec.seeds) }</p> }
        }
        Status::Idle => html! {},
    };
    let num_field = |id: &str, label: &str, value: &str, cb: Callback<Event>| {
        html! {
            <label class="sweep-field" for={id.to_string()}>
                <span class="field-label">{ label.to_string() }</span>
                <input id={id.to_string()} type="text" inputmode="decimal" value={value.to_string()} data-field={id.to_string()} onchange={cb} />
            </label>
        }
    };
    let unit = params
        .iter()
        .find(|p| p.path == f.param)
        .map_or("", |p| p.unit);
    let dialog = html! {
        <div class="compare-backdrop">
            <section class="compare sweep" role="dialog" aria-modal="false" aria-labelledby="sweep-title" data-sweep-view="">
                <div class="gallery-head">
                    <h2 id="sweep-title">{ "Sweep a parameter" }</h2>
                    <button type="button" class="btn" data-action="close-sweep" onclick={on_close}>{ "Close" }</button>
                </div>
                <p class="lab-note">{ "Each value runs a copy of the diagram on the same seeds; your diagram is not changed." }</p>
                <div class="sweep-form">
                    <label class="sweep-field" for="sweep-node">
                        <span class="field-label">{ "Node or link" }</span>
                        <select id="sweep-node" data-field="sweep-node" onchange={on_target}>
                            { for targets(&doc).into_iter().map(|(id, label)| html! {
                                <option value={id.clone()} selected={id == f.target}>{ label }</option>
                            }) }
                        </select>
                    </label>
                    <label class="sweep-field" for="sweep-param">
                        <span class="field-label">{ "Parameter" }</span>
                        <select id="sweep-param" data-field="sweep-param" onchange={on_param}>
                            { for params.iter().map(|p| html! {
                                <option value={p.path.clone()} selected={p.path == f.param}>
                                    { if p.unit.is_empty() { p.label.clone() } else { format!("{} ({})", p.label, p.unit) } }
                                </option>
                            }) }
                        </select>
                    </label>
                    { num_field("sweep-from", &format!("From {unit}"), &f.from, on_from) }
                    { num_field("sweep-to", &format!("To {unit}"), &f.to, on_to) }
                    { num_field("sweep-points", "Points", &f.points, on_points) }
                    { num_field("sweep-seeds", "Seeds a point", &f.seeds, on_seeds) }
                    <label class="sweep-check" for="sweep-log">
                        <input id="sweep-log" type="checkbox" checked={f.log} data-field="sweep-log" onchange={on_log} />
                        { "Log scale" }
                    </label>
                </div>
                <div class="lab-actions">
                    <button type="button" class="btn primary" data-action="run-sweep" disabled={running} onclick={on_run}>{ "Run sweep" }</button>
                </div>
                { progress }
                { for shown.map(|r| charts(&r, *other, *hover, &on_hover, &on_other)) }
            </section>
        </div>
    };
    html! { <>{ button }{ create_portal(dialog, host) }</> }
}
