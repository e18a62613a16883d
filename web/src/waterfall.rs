//! One request's waterfall in the page: the metrics panel lists the slowest requests the engine kept (each
//! interval's slowest and a sample, `core::sim::exemplars`) with a "slowest in the last second" button, and
//! opening one shows its spans as a dialog: a row per visit, indented under the visit that sent it, with its
//! link legs, queue wait, service and time waiting on calls drawn on the request's own time, parallel calls
//! side by side, retries and hedges as rows of their own, and the critical path marked. The rows and their
//! pieces come from `core::waterfall::RequestTree::layout`; each row carries `data-span="<node id>"`.

use std::cmp::Reverse;
use std::rc::Rc;
use std::sync::Arc;

use playground_core::waterfall::{Part, RequestTree, Row};
use yew::prelude::*;

use crate::run::RunCtx;

/// Rows drawn at most (a fan-out of 1000 calls has 2000 visits; the rest are counted).
const MAX_ROWS: usize = 600;
/// Requests listed in the panel, slowest first.
const LISTED: usize = 6;

/// A duration in the unit a person reads: `0.52 ms`, `38.1 ms`, `1.40 s`.
fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.2} ms")
    }
}

fn part_name(p: Part) -> &'static str {
    match p {
        Part::Link => "on the link",
        Part::Queue => "waiting in the queue",
        Part::Service => "being served",
        Part::Calls => "waiting on its calls",
    }
}

/// An open waterfall: the tree and the names of the nodes it was recorded with.
#[derive(Clone)]
struct Open {
    tree: Arc<RequestTree>,
    ids: Rc<Vec<String>>,
}

impl PartialEq for Open {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.tree, &other.tree)
    }
}

fn name(ids: &[String], i: u32) -> String {
    ids.get(i as usize).cloned().unwrap_or_else(|| "?".into())
}

/// The metrics panel's list of kept requests and the waterfall dialog of the one opened.
#[component]
pub fn RequestWaterfalls() -> Html {
    let run = use_context::<RunCtx>();
    let open = use_state(|| None::<Open>);
    let Some(run) = run else {
        return html! {};
    };
    let s = &run.snap;
    // Drawn over the whole page (the metrics panel clips what it holds), inside the app so its styles apply.
    let host = web_sys::window().and_then(|w| w.document()).and_then(|d| {
        d.query_selector(".app")
            .ok()
            .flatten()
            .or_else(|| d.body().map(Into::into))
    });
    let dialog = (*open).clone().zip(host).map(|(o, host)| {
        let close = {
            let open = open.clone();
            Callback::from(move |()| open.set(None))
        };
        create_portal(
            html! { <WaterfallDialog tree={o.tree} ids={o.ids} {close} /> },
            host,
        )
    });
    if s.requests.is_empty() {
        return html! { <>{ for dialog }</> };
    }
    let opener = |t: Arc<RequestTree>| {
        let (open, ids) = (open.clone(), Rc::clone(&s.node_ids));
        Callback::from(move |_: MouseEvent| {
            open.set(Some(Open {
                tree: Arc::clone(&t),
                ids: Rc::clone(&ids),
            }))
        })
    };
    let since = s.now.0.saturating_sub(1_000_000_000);
    let recent = s
        .requests
        .iter()
        .filter(|t| t.end.0 > since)
        .max_by_key(|t| (t.latency(), Reverse(t.id)))
        .cloned();
    let mut slowest: Vec<Arc<RequestTree>> = s.requests.iter().cloned().collect();
    playground_core::sorting::sort_by_key(&mut slowest, |t| (Reverse(t.latency()), t.id));
    slowest.truncate(LISTED);
    let recent_button = match recent {
        Some(t) => html! {
            <button type="button" class="btn" data-action="waterfall-slowest" onclick={opener(t)}
                title="The slowest request that ended in the last simulated second: its waterfall">
                { "Slowest in the last second" }
            </button>
        },
        None => html! {
            <button type="button" class="btn" data-action="waterfall-slowest" disabled=true
                title="No request ended in the last simulated second">{ "Slowest in the last second" }</button>
        },
    };
    html! {
        <section class="requests" data-requests={s.requests.len().to_string()} aria-label="Request waterfalls">
            <div class="requests-head">
                <h3 class="field-group">{ "One request's waterfall" }</h3>
                { recent_button }
            </div>
            <ul class="request-list">
                { for slowest.into_iter().map(|t| {
                    let label = format!("{} · {} · {}", ms(t.latency() as f64 / 1e6), name(&s.node_ids, t.client),
                        t.outcome.counter_name());
                    html! {
                        <li>
                            <button type="button" class="request-chip" data-action="waterfall-open"
                                data-request={t.id.to_string()} onclick={opener(Arc::clone(&t))}
                                title={format!("Request {} — open its waterfall", t.id)}>{ label }</button>
                        </li>
                    }
                }) }
            </ul>
            { for dialog }
        </section>
    }
}

/// Props of the waterfall dialog.
#[derive(Properties, PartialEq)]
struct DialogProps {
    tree: Arc<RequestTree>,
    ids: Rc<Vec<String>>,
    close: Callback<()>,
}

/// One request's spans as a waterfall, in a dialog.
#[component]
fn WaterfallDialog(p: &DialogProps) -> Html {
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        use_effect_with(p.tree.id, move |_| {
            if let Some(el) = dialog.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let t = &p.tree;
    let ids = &p.ids;
    let rows = t.layout(MAX_ROWS);
    let total = t.latency() as f64 / 1e6;
    let close = p.close.reform(|_: MouseEvent| ());
    let backdrop = {
        let close = p.close.clone();
        Callback::from(move |e: MouseEvent| {
            if e.target() == e.current_target() {
                close.emit(());
            }
        })
    };
    let keys = {
        let close = p.close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                close.emit(());
            }
        })
    };
    let hidden = t.spans.len().saturating_sub(rows.len());
    // The critical path in words: the visits on it, outermost first.
    let path: Vec<String> = rows
        .iter()
        .filter(|r| r.critical)
        .map(|r| match &r.role {
            Some(role) => format!("{} ({role})", name(ids, r.node)),
            None => name(ids, r.node),
        })
        .collect();
    let row = |r: &Row| {
        let node = name(ids, r.node);
        let mut label = node.clone();
        if let Some(role) = &r.role {
            label.push_str(&format!(" ({role})"));
        }
        let split: Vec<String> = r
            .segments
            .iter()
            .map(|s| format!("{} {}", ms(s.ms), part_name(s.part)))
            .collect();
        let mut title = format!(
            "{label}: sent at {}, {} in all — {}",
            ms(r.start_ms),
            ms(r.total_ms),
            split.join(", ")
        );
        if let Some(state) = r.state {
            title.push_str(&format!(" ({state})"));
        }
        if r.critical {
            title.push_str(" · on the critical path");
        }
        let role: String = r.role.as_deref().map_or_else(
            || "request".into(),
            |x| x.split(' ').next().unwrap_or("request").to_string(),
        );
        html! {
            <li class={classes!("wf-row", r.critical.then_some("critical"), r.state.map(|_| "ended-badly"))}
                data-span={node} data-role={role} data-critical={r.critical.to_string()} title={title}>
                <span class="wf-label" style={format!("padding-left:{}px", 4 + 12 * r.depth.min(12))}>
                    <span class="wf-mark" aria-hidden="true">{ if r.critical { "★" } else { "" } }</span>
                    <span class="wf-name">{ label }</span>
                    if let Some(state) = r.state { <span class="wf-state">{ state }</span> }
                </span>
                <span class="wf-track">
                    { for r.segments.iter().map(|s| html! {
                        <span class={classes!("wf-seg", format!("wf-{}", s.part.word()))} data-part={s.part.word()}
                            style={format!("left:{:.3}%;width:{:.3}%", s.at * 100.0, (s.width * 100.0).max(0.25))} />
                    }) }
                </span>
                <span class="wf-ms">{ ms(r.total_ms) }</span>
            </li>
        }
    };
    html! {
        <div class="gallery-backdrop" onclick={backdrop}>
            <section class="waterfall" role="dialog" aria-modal="true" aria-labelledby="waterfall-title"
                data-waterfall={t.id.to_string()} tabindex="-1" ref={dialog} onkeydown={keys}>
                <div class="gallery-head">
                    <h2 id="waterfall-title">
                        { format!("Request {} from {}: {}, {}", t.id, name(ids, t.client), ms(total), t.outcome.counter_name()) }
                    </h2>
                    <button type="button" class="btn" data-action="close-waterfall" title="Close (Esc)" onclick={close}>{ "Close" }</button>
                </div>
                <p class="gallery-note">
                    { format!("Sent at {:.3} s · {} visits · ★ the critical path, the visits that set its time: ",
                        t.start.as_secs(), t.spans.len()) }
                    <span data-critical-path="">{ path.join(" → ") }</span>
                </p>
                <div class="wf-legend" aria-hidden="true">
                    { for [Part::Link, Part::Queue, Part::Service, Part::Calls].into_iter().map(|p| html! {
                        <span class="legend-item"><span class={classes!("wf-key", format!("wf-{}", p.word()))} />{ part_name(p) }</span>
                    }) }
                </div>
                <div class="wf-axis" aria-hidden="true"><span /><span class="wf-scale"><span>{ "0" }</span><span>{ ms(total) }</span></span><span /></div>
                <ol class="wf-rows">
                    { for rows.iter().map(row) }
                </ol>
                if hidden > 0 || t.truncated {
                    <p class="gallery-note">
                        { format!("{hidden} more visits not drawn{}.", if t.truncated { "; the engine stopped recording this request past 5 000 visits" } else { "" }) }
                    </p>
                }
            </section>
        </div>
    }
}
