//! The lab in the metrics panel: the diagram's monthly cost and cost per million requests served (core's
//! `cost`), "Run 10 seeds" (core's `replicate::Replications`: each headline figure as mean ± a 95 %
//! interval) and "Compare" (core's `compare::Compare`: A, the diagram as it was, against B, the diagram on
//! the canvas that the user edits, on the same seeds, with paired differences, significance, the node figures
//! that changed most and the `#ab=` link carrying both). Runs go a slice of events at a time for about
//! `jobs::FRAME_MS` per animation frame, so the page keeps drawing. A `#ab=` address opens the comparison: B on the
//! canvas (an undoable replacement), A in the view.

use std::cell::RefCell;
use std::rc::Rc;

use playground_core::compare::overlay::{Overlay, overlay};
use playground_core::compare::{self, Compare, Comparison, decode_ab, is_ab};
use playground_core::cost;
use playground_core::editor::{Action, Tone};
use playground_core::replicate::Headline;
use playground_core::replicate::{DEFAULT_REPLICATIONS, Replications, Summary, seeds};
use playground_core::stats::Interval;
use playground_core::{Report, Topology};
use yew::prelude::*;

use crate::jobs::{self, Tick};
use crate::run::RunCtx;
use crate::session::SessionHandle;
use crate::state::Handle;

/// A finished comparison with what the view shows beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    result: Comparison,
    /// monthly cost per seed of A, of B
    cost: (Vec<f64>, Vec<f64>),
    /// A's and B's p99 and throughput over time, for the overlaid charts
    overlays: Vec<Overlay>,
}

/// Where a lab run stands.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Running(f64),
    Seeds(Rc<Summary>),
    Compared(Rc<Compared>),
    Failed(String),
}

type Job = jobs::Job<Status>;
type Slot = jobs::Slot<Status>;

fn replications_job(doc: &Topology) -> Result<Job, String> {
    let reps = Rc::new(RefCell::new(
        Replications::start(doc, seeds(doc.settings.seed, DEFAULT_REPLICATIONS))
            .map_err(|e| e.to_string())?,
    ));
    let r2 = Rc::clone(&reps);
    Ok(Job::new(
        move |budget| {
            reps.borrow_mut()
                .step(budget)
                .map(|s| s.map(|s| Status::Seeds(Rc::new(s))))
                .map_err(|e| e.to_string())
        },
        move || r2.borrow().progress(),
    ))
}

fn compare_job(a: Rc<Topology>, b: Rc<Topology>) -> Result<Job, String> {
    let cmp = Rc::new(RefCell::new(
        Compare::start(&a, &b, DEFAULT_REPLICATIONS).map_err(|e| e.to_string())?,
    ));
    let c2 = Rc::clone(&cmp);
    Ok(Job::new(
        move |budget| {
            let mut c = cmp.borrow_mut();
            let done = c.step(budget).map_err(|e| e.to_string())?;
            Ok(done.map(|result| {
                let (ra, rb) = c.reports();
                let cost = (
                    compare::monthly_costs(&a, ra),
                    compare::monthly_costs(&b, rb),
                );
                let overlays = [Headline::P99, Headline::Throughput]
                    .map(|f| overlay(ra, rb, f))
                    .to_vec();
                Status::Compared(Rc::new(Compared {
                    result,
                    cost,
                    overlays,
                }))
            }))
        },
        move || c2.borrow().progress(),
    ))
}

/// The diagram's monthly cost line: the total, and per million requests served once a run has a report.
fn cost_line(doc: &Topology, report: Option<&Report>) -> Html {
    let c = cost::diagram_cost(doc, report);
    let per_million = c.per_million_requests.map_or(String::new(), |m| {
        format!(" · {} per million requests served", cost::usd(m))
    });
    let basis = if report.is_some() {
        "at this run's traffic"
    } else {
        "instances and fees; Run adds the traffic's share"
    };
    html! {
        <p class="cost-line" data-cost="diagram" title={format!("AWS list prices of {} (docs/cost.md), 730 hours a month", cost::PRICES_AS_OF)}>
            <span data-figure="monthly_cost">{ format!("{} a month", cost::usd(c.total)) }</span>
            <span data-figure="cost_per_million">{ per_million }</span>
            <span class="cost-basis">{ format!(" ({basis})") }</span>
        </p>
    }
}

fn seeds_table(s: &Summary) -> Html {
    html! {
        <div class="lab-result" data-replications={s.seeds.len().to_string()}>
            <p class="lab-note">{ format!("{} seeds ({}–{}): mean ± 95 % interval (Student t)", s.seeds.len(),
                s.seeds.first().copied().unwrap_or_default(), s.seeds.last().copied().unwrap_or_default()) }</p>
            <dl class="lab-figures">
                { for s.figures.iter().map(|f| html! {
                    <div class="lab-figure" data-replication={f.figure.key()}>
                        <dt>{ f.figure.label() }</dt>
                        <dd>{ f.text() }</dd>
                    </div>
                }) }
            </dl>
        </div>
    }
}

fn pm(f: impl Fn(f64) -> String, i: &Interval) -> String {
    format!("{} ± {}", f(i.mean), f(i.half))
}

fn compare_table(c: &Compared) -> Html {
    let r = &c.result;
    let rows = r.figures.iter().map(|f| {
        let show = |v: f64| f.figure.show(v);
        let cls = match f.better {
            Some(compare::Side::B) => "better",
            Some(compare::Side::A) => "worse",
            None => "same",
        };
        html! {
            <tr data-figure={f.figure.key()} data-verdict={cls}>
                <th scope="row">{ format!("{} ({})", f.figure.label(), f.figure.unit()) }</th>
                <td>{ pm(show, &f.a) }</td>
                <td>{ pm(show, &f.b) }</td>
                <td class={classes!("diff", cls)}>{ f.diff_text() }<br /><span class="verdict">{ f.verdict() }</span></td>
            </tr>
        }
    });
    let (ca, cb) = (Interval::of(&c.cost.0), Interval::of(&c.cost.1));
    let cd = Interval::paired(&c.cost.0, &c.cost.1);
    let cost_cls = if cd.excludes_zero() {
        if cd.mean < 0.0 { "better" } else { "worse" }
    } else {
        "same"
    };
    let usd = |i: &Interval| format!("{} ± {}", cost::usd(i.mean), cost::usd(i.half));
    let sign = if cd.mean > 0.0 { "+" } else { "" };
    html! {
        <div class="lab-result" data-compare-result="">
            <p class="lab-note">{ format!("A and B on the same {} seeds; B − A paired by seed with its 95 % interval.", r.seeds.len()) }</p>
            <div class="compare-scroll">
            <table class="compare-table">
                <thead><tr><th scope="col">{ "figure" }</th><th scope="col">{ "A" }</th><th scope="col">{ "B" }</th><th scope="col">{ "B − A" }</th></tr></thead>
                <tbody>
                    { for rows }
                    <tr data-figure="monthly_cost" data-verdict={cost_cls}>
                        <th scope="row">{ "monthly cost" }</th>
                        <td>{ usd(&ca) }</td>
                        <td>{ usd(&cb) }</td>
                        <td class={classes!("diff", cost_cls)}>{ format!("{sign}{} ± {}", cost::usd(cd.mean), cost::usd(cd.half)) }</td>
                    </tr>
                </tbody>
            </table>
            </div>
            { crate::abchart::charts(&c.overlays) }
            if !r.nodes.is_empty() {
                <h3 class="inspect-section">{ "Changed most" }</h3>
                <ul class="compare-nodes">
                    { for r.nodes.iter().map(|n| html! {
                        <li data-node-change={n.node.clone()}>{ format!("{} {}: {:.2} → {:.2} {}", n.node, n.figure, n.a, n.b, n.unit) }</li>
                    }) }
                </ul>
            }
            if !r.added.is_empty() { <p class="lab-note">{ format!("Only in B: {}", r.added.join(", ")) }</p> }
            if !r.removed.is_empty() { <p class="lab-note">{ format!("Only in A: {}", r.removed.join(", ")) }</p> }
        </div>
    }
}

/// The lab section of the metrics panel, and the compare view over the page when open.
#[component]
pub fn LabPanel() -> Html {
    let state = use_context::<Handle>();
    let run = use_context::<RunCtx>();
    let status = use_state(|| Status::Idle);
    let slot: Slot = use_mut_ref(|| None);
    // A: the diagram as it was when Compare was pressed (or from a `#ab=` link); `None` when closed.
    let variant_a = use_state(|| None::<Rc<Topology>>);
    {
        let slot = slot.clone();
        use_effect_with((), move |_| {
            move || {
                slot.borrow_mut().take();
            }
        });
    }
    {
        // `#ab=A~B` opens the comparison: B on the canvas (Undo brings the diagram back), A in the view.
        let (state, variant_a) = (state.clone(), variant_a.clone());
        use_effect_with((), move |_| {
            let hash = web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .unwrap_or_default();
            if let (Some(state), true) = (state, is_ab(&hash)) {
                match decode_ab(&hash) {
                    Ok((a, b)) => {
                        state.dispatch(Action::Replace(Box::new(b)));
                        variant_a.set(Some(Rc::new(a)));
                    }
                    Err(e) => state.dispatch(Action::Notify {
                        tone: Tone::Error,
                        text: format!(
                            "The comparison link did not open: {e}. Your own diagram is unchanged."
                        ),
                    }),
                }
            }
        });
    }
    {
        // A gallery scenario with a comparison opens it: A the scenario's diagram, B on the canvas.
        let (state, variant_a, status) = (state.clone(), variant_a.clone(), status.clone());
        let visit = jobs::visited_lab(use_context::<SessionHandle>().as_ref());
        let key = visit.as_ref().map(|(hash, _)| hash.clone());
        use_effect_with(key, move |_| {
            let b = visit.and_then(|(_, s)| s.lab.and_then(|l| l.variant_b()).map(|b| (s, b)));
            if let (Some(state), Some((s, b))) = (state, b) {
                let a = s.topology();
                if *state.ed.doc == a {
                    state.dispatch(Action::Replace(Box::new(b)));
                }
                variant_a.set(Some(Rc::new(a)));
                status.set(Status::Idle);
            }
        });
    }
    let Some(state) = state else {
        return html! {};
    };
    let report_cb = {
        let status = status.clone();
        Callback::from(move |t: Tick<Status>| {
            status.set(match t {
                Tick::Running(f) => Status::Running(f),
                Tick::Done(s) => s,
                Tick::Failed(e) => Status::Failed(e),
            });
        })
    };
    let start = |make: Rc<dyn Fn() -> Result<Job, String>>| {
        let (slot, report) = (slot.clone(), report_cb.clone());
        Callback::from(move |_: MouseEvent| match make() {
            Ok(job) => jobs::start(&slot, job, &report),
            Err(e) => report.emit(Tick::Failed(e)),
        })
    };
    let doc = Rc::clone(&state.ed.doc);
    let on_seeds = {
        let doc = Rc::clone(&doc);
        start(Rc::new(move || replications_job(&doc)))
    };
    let on_compare_run = {
        let (doc, a) = (Rc::clone(&doc), (*variant_a).clone());
        start(Rc::new(move || match &a {
            Some(a) => compare_job(Rc::clone(a), Rc::clone(&doc)),
            None => Err("open Compare first".into()),
        }))
    };
    let on_open = {
        let (variant_a, status, doc) = (variant_a.clone(), status.clone(), Rc::clone(&doc));
        Callback::from(move |_: MouseEvent| {
            variant_a.set(Some(Rc::clone(&doc)));
            status.set(Status::Idle);
        })
    };
    let on_close = {
        let (variant_a, status, slot) = (variant_a.clone(), status.clone(), slot.clone());
        Callback::from(move |_: MouseEvent| {
            slot.borrow_mut().take();
            variant_a.set(None);
            status.set(Status::Idle);
        })
    };
    let on_cancel = {
        let (status, slot) = (status.clone(), slot.clone());
        Callback::from(move |_: MouseEvent| {
            slot.borrow_mut().take();
            status.set(Status::Idle);
        })
    };
    let report = run.as_ref().and_then(|r| r.snap.report.clone());
    let running = match &*status {
        Status::Running(f) => Some(html! {
            <div class="lab-running" role="status" data-lab="running">
                <progress max="1" value={format!("{f:.3}")} aria-label="Seeds run"></progress>
                <span>{ format!("Running seeds… {:.0} %", f * 100.0) }</span>
                <button type="button" class="btn small" data-action="cancel-lab" onclick={on_cancel.clone()}>{ "Cancel" }</button>
            </div>
        }),
        _ => None,
    };
    let failed = match &*status {
        Status::Failed(e) => {
            Some(html! { <p class="field-error" role="alert" data-lab="failed">{ e.clone() }</p> })
        }
        _ => None,
    };
    let comparing = variant_a.is_some();
    let panel = html! {
        <div class="lab" data-lab="panel">
            { cost_line(&doc, report.as_deref()) }
            <div class="lab-actions">
                <button type="button" class="btn" data-action="run-seeds" disabled={running.is_some()}
                    title="Run the diagram to its end on 10 seeds: each figure as a mean with its 95 % interval"
                    onclick={on_seeds}>{ format!("Run {DEFAULT_REPLICATIONS} seeds") }</button>
                <button type="button" class="btn" data-action="compare" onclick={on_open}
                    title="Compare this diagram (A) with a variant (B) you edit, on the same seeds">{ "Compare…" }</button>
                <crate::sweep::SweepLab />
            </div>
            if !comparing { { for running.clone() } { for failed.clone() } }
            if let (Status::Seeds(s), false) = (&*status, comparing) { { seeds_table(s) } }
        </div>
    };
    let host = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".app").ok().flatten());
    let dialog = variant_a.as_ref().zip(host).map(|(a, host)| {
        let link = format!("{}{}", crate::share_ui::page_base(), compare::ab_fragment(a, &doc));
        let same = **a == *doc;
        let on_back = {
            let (state, a) = (state.clone(), Rc::clone(a));
            Callback::from(move |_: MouseEvent| {
                state.dispatch(Action::Replace(Box::new((*a).clone())));
            })
        };
        let on_copy = {
            let link = link.clone();
            Callback::from(move |_: MouseEvent| {
                if let Some(w) = web_sys::window() {
                    let _ = w.navigator().clipboard().write_text(&link);
                }
            })
        };
        create_portal(
            html! {
                <div class="compare-backdrop">
                    <section class="compare" role="dialog" aria-modal="false" aria-labelledby="compare-title" data-compare="">
                        <div class="gallery-head">
                            <h2 id="compare-title">{ "Compare A and B" }</h2>
                            <button type="button" class="btn" data-action="close-compare" onclick={on_close}>{ "Close" }</button>
                        </div>
                        <p class="lab-note">
                            { format!("A is “{}” as it was when you opened Compare. B is the diagram on the canvas: edit it (this view stays open), then run both on the same {DEFAULT_REPLICATIONS} seeds.",
                                if a.name.is_empty() { "the diagram" } else { a.name.as_str() }) }
                        </p>
                        if same { <p class="lab-note" data-compare-same="">{ "B is still a copy of A: change something on the canvas (more workers, a cache…) to see a difference." }</p> }
                        <div class="lab-actions">
                            <button type="button" class="btn primary" data-action="run-compare" disabled={running.is_some()} onclick={on_compare_run}>
                                { format!("Run A and B on {DEFAULT_REPLICATIONS} seeds") }</button>
                            <button type="button" class="btn" data-action="back-to-a" onclick={on_back}
                                title="Put A back on the canvas (Undo brings B back)">{ "Back to A" }</button>
                        </div>
                        { for running.clone() }
                        { for failed.clone() }
                        if let Status::Compared(c) = &*status { { compare_table(c) } }
                        <label class="field-label" for="ab-link">{ "Link to this comparison (both variants)" }</label>
                        <div class="lab-actions">
                            <input id="ab-link" class="ab-link" type="text" readonly=true value={link} data-field="ab-link" />
                            <button type="button" class="btn small" data-action="copy-ab" onclick={on_copy}>{ "Copy" }</button>
                        </div>
                    </section>
                </div>
            },
            host,
        )
    });
    html! { <>{ panel }{ for dialog }</> }
}

/// Properties of [`NodeCost`].
#[derive(Properties, PartialEq)]
pub struct NodeCostProps {
    /// the node's id
    pub id: String,
}

/// A node's monthly cost for the inspector, `$147.17 a month: m7i.xlarge (4 vCPU, 16 GiB) × 1`: its own
/// component, so the run's summaries re-render this line and not the form.
#[component]
pub fn NodeCost(p: &NodeCostProps) -> Html {
    let state = use_context::<Handle>();
    let run = use_context::<RunCtx>();
    let Some(state) = state else {
        return html! {};
    };
    let report = run.as_ref().and_then(|r| r.snap.report.clone());
    node_cost_line(&state.ed.doc, &p.id, report.as_deref())
}

fn node_cost_line(doc: &Topology, id: &str, report: Option<&Report>) -> Html {
    let Some(n) = doc.node(id) else {
        return html! {};
    };
    match cost::node_cost(doc, n, report) {
        Some(c) => html! {
            <p class="cost-line" data-node-cost={id.to_string()}>
                { format!("{} a month: {}", cost::usd(c.total()), c.what) }
                if report.is_none() && c.usage == 0.0 && c.fixed == 0.0 { { " (billed per request: Run to see)" } }
            </p>
        },
        None => {
            html! { <p class="cost-line" data-node-cost={id.to_string()}>{ "No cost of its own here." }</p> }
        }
    }
}
