//! Views of the running simulation: the run controls in the top bar, the traffic legend, the metrics panel
//! (figures, charts over simulated time, the selected node's statistics, the "why" findings) and the fault
//! buttons the inspector shows while a run exists. They read the run's [`Snap`] and send [`Cmd`]s.

use playground_core::components::database::Isolation;
use playground_core::components::server::fleet::{FleetPoint, FleetReport};
use playground_core::editor::{Action, Target};
use playground_core::explain::Level;
use playground_core::marks::{self, Mechanisms};
use playground_core::playback::{MAX_SPEED, MIN_SPEED};
use playground_core::report::{DatabaseReport, Outcome, Report, Series};
use playground_core::{Edge, FaultAction, HopOutcome, SimTime};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::layout::{Ctl, LayoutHandle, Tier};
use crate::panels::sheet_head;
use crate::run::{CLASS_SHAPES, Cmd, OUTCOME_COLOURS, RunCtx, Snap, Status};
use crate::shell::{PartProps, shown_here};
use crate::state::Handle;

/// The traffic spike the control applies: every client × this rate …
pub const SPIKE_FACTOR: f64 = 5.0;
/// … for this long [s of simulated time].
pub const SPIKE_S: f64 = 10.0;

/// The latest traffic spike still in force at the run's clock: when it was applied and when it ends [s].
fn spike_in_force(s: &Snap) -> Option<(SimTime, f64)> {
    let now = s.now.as_secs();
    s.faults
        .iter()
        .rev()
        .filter_map(|(at, f)| match f {
            FaultAction::Spike { duration_s, .. } => Some((*at, at.as_secs() + duration_s)),
            _ => None,
        })
        .find(|(_, end)| *end > now)
}

/// Speeds offered [× real time].
const SPEEDS: [f64; 10] = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 100.0, 500.0, 1000.0];

fn input_value(e: &Event) -> Option<String> {
    let t = e.target()?;
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        return Some(i.value());
    }
    t.dyn_ref::<web_sys::HtmlSelectElement>()
        .map(web_sys::HtmlSelectElement::value)
}

fn speed_label(s: f64) -> String {
    if s < 1.0 {
        format!("{s}×")
    } else {
        format!("{s:.0}×")
    }
}

/// Run, pause, step, reset, speed, seed and duration, with the run's state and any reason it cannot run; in
/// the overflow menu (`menu`), those of them that sit there.
#[component]
pub fn RunControls(p: &PartProps) -> Html {
    let layout = use_context::<LayoutHandle>();
    let Some(run) = use_context::<RunCtx>() else {
        return html! {};
    };
    let here = |c: Ctl| shown_here(layout.as_ref(), c, p.menu);
    let s = &run.snap;
    let send = |c: Cmd| {
        let cmd = run.cmd.clone();
        Callback::from(move |_: MouseEvent| cmd.emit(c.clone()))
    };
    let on_speed = {
        let cmd = run.cmd.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = input_value(&e).and_then(|v| v.parse::<f64>().ok()) {
                cmd.emit(Cmd::Speed(v.clamp(MIN_SPEED, MAX_SPEED)));
            }
        })
    };
    let on_seed = {
        let cmd = run.cmd.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = input_value(&e).and_then(|v| v.trim().parse::<u64>().ok()) {
                cmd.emit(Cmd::Seed(v));
            }
        })
    };
    let on_duration = {
        let cmd = run.cmd.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = input_value(&e).and_then(|v| v.trim().parse::<f64>().ok()) {
                cmd.emit(Cmd::Duration(v));
            }
        })
    };
    let running = s.status == Status::Running;
    let status = match s.status {
        Status::Idle => "Ready".to_string(),
        Status::Running => "Running".into(),
        Status::Paused => "Paused".into(),
        Status::Finished => "Finished".into(),
    };
    let speed_options = SPEEDS.iter().map(|&v| {
        html! { <option value={v.to_string()} selected={(v - s.speed).abs() < 1e-9}>{ speed_label(v) }</option> }
    });
    let step_reset = html! {
        <>
            <button type="button" class="btn icon-only" data-action="step" title="Step: advance one frame of simulated time, then pause" aria-label="Step" onclick={send(Cmd::Step)}>
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 5l9 7-9 7z M18 5v14" /></svg>
                <span class="btn-text">{ "Step" }</span>
            </button>
            <button type="button" class="btn icon-only" data-action="reset" title="Reset: back to time zero, forgetting applied faults" aria-label="Reset" onclick={send(Cmd::Reset)}>
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 12a8 8 0 1 0 3-6.2 M4 4v5h5" /></svg>
                <span class="btn-text">{ "Reset" }</span>
            </button>
        </>
    };
    // The button says while a spike is in force, in a fixed width so the bar does not shift.
    let spike = html! {
        <button type="button" class="btn spike-btn" data-action="spike" disabled={s.status == Status::Idle}
            title={format!("Traffic spike: every client sends {SPIKE_FACTOR}× its rate for {SPIKE_S} s of simulated time, from now (replayed on restart)")}
            onclick={send(Cmd::Fault(FaultAction::Spike { factor: SPIKE_FACTOR, duration_s: SPIKE_S }))}>
            if let Some((at, end)) = spike_in_force(s) {
                <span class="run-spike" data-spike-at-ns={at.0.to_string()} data-spike-until={format!("{end:.2}")}>{ format!("×{SPIKE_FACTOR} until {end:.1} s") }</span>
            } else {
                { format!("Spike ×{SPIKE_FACTOR}") }
            }
        </button>
    };
    let settings = html! {
        <>
            <label class="run-field" title="Speed: simulated time per real second">
                <span class="run-field-label menu-only">{ "speed" }</span>
                <select data-field="speed" aria-label="Speed" onchange={on_speed}>{ for speed_options }</select>
            </label>
            <label class="run-field" title="Seed of the run's random generator: the same seed gives the same run">
                <span class="run-field-label">{ "seed" }</span>
                <input type="number" min="0" class="run-seed" data-field="seed" aria-label="Seed" value={s.seed.to_string()} onchange={on_seed} />
            </label>
            <label class="run-field" title="How long clients send traffic [s of simulated time]">
                <input type="number" min="1" class="run-duration" data-field="duration" aria-label="Duration in seconds" value={format!("{}", s.duration_s)} onchange={on_duration} />
                <span class="run-field-label">{ "s" }</span>
            </label>
        </>
    };
    if p.menu {
        return html! {
            <div class="run-controls in-menu" role="group" aria-label="Simulation">
                if here(Ctl::Step) { { step_reset } }
                if here(Ctl::Spike) { { spike } }
                if here(Ctl::Settings) { { settings } }
            </div>
        };
    }
    html! {
        <div class="run-controls" role="group" aria-label="Simulation" data-status={s.status.word()}>
            if running {
                <button type="button" class="btn primary" data-action="pause" title="Pause the run (Space)" onclick={send(Cmd::Pause)}>
                    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M8 5v14 M16 5v14" /></svg>
                    { "Pause" }
                </button>
            } else {
                <button type="button" class="btn primary" data-action="run" title="Run the simulation (Space; from the start after it ends)" onclick={send(Cmd::Run)}>
                    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M7 4l12 8-12 8z" /></svg>
                    { "Run" }
                </button>
            }
            if here(Ctl::Step) { { step_reset } }
            if here(Ctl::Spike) { { spike } }
            if here(Ctl::Settings) { { settings } }
            <span class="run-status" title="Rates, speeds and capacities change live while running; other edits restart the run with the same seed after asking.">
                <span class="run-state">{ status }
                    if let Some(a) = s.achieved {
                        <span class="run-behind" data-achieved={format!("{a:.3}")}>{ format!(" · {} achieved", speed_label_f(a)) }</span>
                    }
                </span>
                <span>{ "t = " }<span data-metric="sim_time">{ format!("{:.2}", s.now.as_secs()) }</span>{ " s" }</span>
            </span>
            if let Some(p) = &s.problem {
                <span class="run-problem" role="alert" data-run-problem="">{ p }</span>
            }
        </div>
    }
}

fn speed_label_f(a: f64) -> String {
    if a < 10.0 {
        format!("{a:.1}×")
    } else {
        format!("{a:.0}×")
    }
}

/// The traffic legend and the share of requests drawn, over the canvas while a run exists.
#[component]
pub fn TrafficLegend() -> Html {
    let Some(run) = use_context::<RunCtx>() else {
        return html! {};
    };
    let s = &run.snap;
    if s.status == Status::Idle {
        return html! {};
    }
    let m = &s.mechanisms;
    let q = s.report.as_deref().map(|r| r.requests).unwrap_or_default();
    // The guards' answers only where the diagram has the guard or the run met one.
    let shown = |o: &HopOutcome| match o {
        HopOutcome::RateLimited => m.rate_limit || q.rate_limited() > 0,
        HopOutcome::Shed => m.shed || q.shed() > 0,
        HopOutcome::Blocked => m.block || q.blocked() > 0,
        _ => true,
    };
    let items = OUTCOME_COLOURS.iter().filter(|(o, _, _)| shown(o)).map(|(_, colour, word)| {
        html! { <span class="legend-item" data-legend={*word}><span class="legend-dot" style={format!("background:{colour}")} />{ *word }</span> }
    });
    // Not a hop: a side effect applied twice (a retried charge) is counted, not drawn.
    let duplicates = s
        .report
        .as_deref()
        .and_then(|r| r.resilience.as_ref())
        .map_or(0, |x| x.duplicate_effects);
    let duplicates = (m.side_effects || duplicates > 0).then(|| html! {
        <span class="legend-item legend-counter" data-legend="duplicate effect" data-count={duplicates.to_string()}
            title="Side effects applied twice for one logical request (a retried write without an idempotency key)">
            // Two overlapping cards: the same effect twice.
            <svg class="legend-glyph" viewBox="0 0 10 10" aria-hidden="true"><path d="M1 3.5h5.5v5.5H1z M3.5 1H9v5.5" /></svg>
            { format!("duplicate effects {duplicates}") }
        </span>
    });
    let shapes = CLASS_SHAPES.iter().zip(s.dots_by_class).map(|((_, shape, word), n)| {
        html! { <span class="legend-item" data-legend={*word} data-dots={n.to_string()}><span class={classes!("legend-shape", *shape)} />{ *word }</span> }
    });
    let shown = if s.shown_fraction >= 1.0 {
        "every request shown".to_string()
    } else {
        format!("1 in {:.0} requests shown", 1.0 / s.shown_fraction)
    };
    html! {
        <div class="traffic-legend" aria-label="Traffic legend">
            { for items }
            { for duplicates }
            <span class="legend-sep" aria-hidden="true" />
            { for shapes }
            <span class="legend-shown" data-shown-fraction={format!("{}", s.shown_fraction)} data-dots={s.dots.to_string()} data-work-ms={format!("{:.2}", s.work_ms)} data-summary-ms={format!("{:.2}", s.summary_ms)}>{ shown }</span>
            if s.restarted {
                <span class="legend-note">{ "Diagram changed: run restarted, same seed" }</span>
            }
            if let Some(note) = &s.live_note {
                <span class="legend-note live" data-live-note="">{ note.clone() }</span>
            }
        </div>
    }
}

/// While an edit waits for a restart (it cannot apply to the running simulation): why, and Restart or Undo.
#[component]
pub fn RestartPrompt() -> Html {
    let (Some(run), Some(state)) = (use_context::<RunCtx>(), use_context::<Handle>()) else {
        return html! {};
    };
    let Some(why) = run.snap.pending.clone() else {
        return html! {};
    };
    let restart = {
        let cmd = run.cmd.clone();
        Callback::from(move |_: MouseEvent| cmd.emit(Cmd::Restart))
    };
    let undo = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Undo))
    };
    html! {
        <div class="restart-prompt" role="alertdialog" aria-label="Restart the run?" data-restart-prompt="">
            <span>{ format!("Paused: {why}. Restart the run from 0 s with the same seed?") }</span>
            <button type="button" class="btn small primary" data-action="restart" onclick={restart}>{ "Restart" }</button>
            <button type="button" class="btn small" data-action="undo-edit" onclick={undo}>{ "Undo the edit" }</button>
        </div>
    }
}

/// One figure: the plain number in the `data-metric` element, the unit beside it.
fn figure(key: &'static str, label: &'static str, value: String, unit: &'static str) -> Html {
    html! {
        <div class="figure">
            <span class="figure-label">{ label }</span>
            <span class="figure-value"><span data-metric={key}>{ value }</span><span class="figure-unit">{ unit }</span></span>
        </div>
    }
}

/// One line of a chart: its class (colour), its legend word and its points `(t [s], value)`.
type Line = (&'static str, &'static str, Vec<(f64, f64)>);

/// A small chart over simulated time: a title that says what it counts and in which unit, a legend when it
/// has several lines, the largest value and the time span, and the warm-up (not in the figures) shaded.
fn chart(key: &str, title: String, lines: Vec<Line>, unit: &'static str, warmup_s: f64) -> Html {
    const W: f64 = 200.0;
    const H: f64 = 64.0;
    let t_max = lines
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|q| q.0))
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let y_max = lines
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|q| q.1))
        .fold(0.0_f64, f64::max);
    let scale = if y_max > 0.0 { y_max } else { 1.0 };
    let has_points = lines.iter().any(|(_, _, p)| !p.is_empty());
    let polylines = lines.iter().map(|(class, _, pts)| {
        let points: String = pts
            .iter()
            .map(|(t, y)| format!("{:.1},{:.1} ", t / t_max * W, H - y / scale * (H - 4.0)))
            .collect();
        html! { <polyline class={classes!("chart-line", *class)} points={points} /> }
    });
    let (summary, span) = if has_points {
        (
            format!("max {} {unit}", short(y_max)),
            format!("0–{t_max:.0} s"),
        )
    } else {
        ("—".to_string(), String::new())
    };
    // Always a legend row, so charts side by side line up and even one line says what it is.
    let legend = html! {
        <span class="chart-legend">
            { for lines.iter().map(|(class, word, _)| html! {
                <span class="legend-key"><span class={classes!("legend-swatch", *class)} />{ *word }</span>
            }) }
            <span class="chart-span" title="simulated time">{ span }</span>
        </span>
    };
    let warm = (warmup_s > 0.0 && has_points).then(|| {
        let w = (warmup_s / t_max).min(1.0) * W;
        html! { <rect class="chart-warmup" x="0" y="0" width={format!("{w:.1}")} height={H.to_string()} /> }
    });
    html! {
        <figure class="chart" data-chart={key.to_string()}>
            <figcaption>
                <span class="chart-head"><span class="chart-title">{ title }</span><span class="chart-max">{ summary }</span></span>
                { legend }
            </figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" role="img" aria-label={format!("{key} chart, {}", if has_points { format!("max {} {unit}", short(y_max)) } else { "no data yet".to_string() })}>
                { for warm }
                <line class="chart-axis" x1="0" y1={H.to_string()} x2={W.to_string()} y2={H.to_string()} />
                { for polylines }
            </svg>
        </figure>
    }
}

fn short(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The end-to-end charts' lines: latency percentiles of successes, successes per second, and each kind of
/// unsuccessful answer per second (the guards' kinds only when the diagram has the guard or the run met one).
fn series_lines(series: &Series, m: &Mechanisms) -> (Vec<Line>, Vec<Line>, Vec<Line>) {
    let dt = series.interval_s.max(1e-9);
    let pts = &series.points;
    let line = |f: &dyn Fn(&playground_core::report::SeriesPoint) -> f64| -> Vec<(f64, f64)> {
        pts.iter().map(|p| (p.t_s, f(p))).collect()
    };
    // Percentiles of an interval with no success are not measured: left out, not drawn as zero.
    let lat = |f: &dyn Fn(&playground_core::report::SeriesPoint) -> f64| -> Vec<(f64, f64)> {
        pts.iter()
            .filter(|p| p.outcomes[Outcome::Ok] > 0)
            .map(|p| (p.t_s, f(p)))
            .collect()
    };
    let latency = vec![
        ("c-p50", "p50", lat(&|p| p.p50_ms)),
        ("c-p95", "p95", lat(&|p| p.p95_ms)),
        ("c-p99", "p99", lat(&|p| p.p99_ms)),
    ];
    let ok = vec![(
        "c-thr",
        "succeeded",
        line(&|p| p.outcomes[Outcome::Ok] as f64 / dt),
    )];
    let mut bad = vec![
        (
            "c-err",
            "failed",
            line(&|p| p.outcomes[Outcome::Error] as f64 / dt),
        ),
        (
            "c-timeout",
            "timed out",
            line(&|p| p.outcomes[Outcome::TimedOut] as f64 / dt),
        ),
        (
            "c-rejected",
            "rejected",
            line(&|p| p.outcomes[Outcome::Rejected] as f64 / dt),
        ),
    ];
    let sum = |f: fn(&playground_core::report::SeriesPoint) -> u64| pts.iter().map(f).sum::<u64>();
    if m.rate_limit || sum(|p| p.outcomes[Outcome::RateLimited]) > 0 {
        bad.push((
            "c-limited",
            "rate limited",
            line(&|p| p.outcomes[Outcome::RateLimited] as f64 / dt),
        ));
    }
    if m.shed || sum(|p| p.outcomes[Outcome::Shed]) > 0 {
        bad.push((
            "c-shed",
            "shed",
            line(&|p| p.outcomes[Outcome::Shed] as f64 / dt),
        ));
    }
    if m.block || sum(|p| p.outcomes[Outcome::Blocked]) > 0 {
        bad.push((
            "c-blocked",
            "blocked",
            line(&|p| p.outcomes[Outcome::Blocked] as f64 / dt),
        ));
    }
    (latency, ok, bad)
}

fn node_lines(series: &Series, id: &str) -> Option<[Vec<(f64, f64)>; 2]> {
    let i = series.node_ids.iter().position(|n| n == id)?;
    let mut q = Vec::new();
    let mut u = Vec::new();
    for p in &series.points {
        let s = p.nodes.get(i)?;
        q.push((p.t_s, f64::from(s.queue)));
        u.push((p.t_s, s.utilization * 100.0));
    }
    Some([q, u])
}

/// The mean number of instances serving over `(a, b]` [s], from the fleet's step timeline.
fn mean_ready(timeline: &[FleetPoint], a: f64, b: f64) -> f64 {
    if b <= a {
        return 0.0;
    }
    let mut area = 0.0;
    for (k, p) in timeline.iter().enumerate() {
        let until = timeline.get(k + 1).map_or(f64::INFINITY, |n| n.t_s);
        let (lo, hi) = (p.t_s.max(a), until.min(b));
        if hi > lo {
            area += (hi - lo) * f64::from(p.ready);
        }
    }
    area / (b - a)
}

/// An autoscaled server's line and chart: its ready instances (a step line from the fleet's timeline) and its
/// load in instances (busy workers ÷ workers per instance: the interval's utilisation, which is over the
/// instances serving, times their mean number over the interval).
fn fleet_metrics(id: &str, f: &FleetReport, r: &Report) -> Html {
    let mut inst: Vec<(f64, f64)> = Vec::new();
    for p in &f.timeline {
        if let Some(&(_, y)) = inst.last() {
            inst.push((p.t_s, y));
        }
        inst.push((p.t_s, f64::from(p.ready)));
    }
    if let Some(&(_, y)) = inst.last() {
        inst.push((r.end_s, y));
    }
    let load: Vec<(f64, f64)> = r
        .series
        .node_ids
        .iter()
        .position(|n| n == id)
        .map(|i| {
            r.series
                .points
                .iter()
                .scan(0.0, |from, p| {
                    let span = (*from, p.t_s);
                    *from = p.t_s;
                    Some((span, p.nodes.get(i).map_or(0.0, |s| s.utilization)))
                })
                .map(|((a, b), u)| (b, u * mean_ready(&f.timeline, a, b)))
                .collect()
        })
        .unwrap_or_default();
    let line = format!("{id}: {}", f.table_part());
    html! {
        <div class="fleet-metrics" data-fleet={id.to_string()} data-instances={f.instances.to_string()}>
            <p class="breakdown">{ line }</p>
            <div class="charts">{ chart("instances", format!("{id}: instances against load"),
                vec![("c-thr", "instances", inst), ("c-util", "load (busy ÷ workers)", load)], "inst.", r.warmup_s) }</div>
        </div>
    }
}

/// The guards' figures (rate limited, shed, blocked, retries, amplification, duplicate effects, breaker
/// opens), the ones the diagram uses or the run met, on one compact line under the end-to-end figures.
fn guard_figures(m: &Mechanisms, r: Option<&Report>) -> Option<Html> {
    let figures = marks::guard_figures(m, r?);
    (!figures.is_empty()).then(|| {
        html! {
            <div class="guards" data-guards="">
                { for figures.into_iter().map(|f| html! {
                    <span class={classes!("guard", f.key)}>
                        <span class="guard-label">{ f.label }</span>
                        <span class="guard-value" data-metric={f.key}>{ f.value }</span>
                        if !f.unit.is_empty() { <span class="figure-unit">{ f.unit }</span> }
                    </span>
                }) }
            </div>
        }
    })
}

/// The end-to-end figures (core's `marks::run_figures`: "—" until measured), the mean latency's split into
/// network and in-node time on its own line.
fn figures(r: Option<&Report>, warming: bool) -> Html {
    let all = r.map_or_else(Vec::new, |r| marks::run_figures(r, warming));
    let (split, main): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|f| matches!(f.key, "network_mean" | "in_nodes_mean"));
    let main: Vec<Html> = if main.is_empty() {
        ["p50", "p95", "p99", "throughput", "succeeded", "failed", "timed out", "rejected"]
            .iter()
            .map(|l| html! { <div class="figure"><span class="figure-label">{ *l }</span><span class="figure-value">{ "—" }</span></div> })
            .collect()
    } else {
        main.into_iter()
            .map(|f| figure(f.key, f.label, f.value, f.unit))
            .collect()
    };
    html! {
        <>
            <div class="figures">{ for main }</div>
            if !split.is_empty() {
                <p class="latency-split" title="Mean latency of the successes, split into time on links and time inside nodes">
                    { "mean latency: " }
                    { for split.iter().enumerate().map(|(i, f)| html! {
                        <>{ if i > 0 { " · " } else { "" } }{ format!("{} ", f.label.trim_start_matches("mean ")) }<span data-metric={f.key}>{ f.value.clone() }</span>{ format!(" {}", f.unit) }</>
                    }) }
                </p>
            }
        </>
    }
}

/// Every client's own figures side by side, for diagrams with more than one client (a comparison scenario's
/// variants each have theirs; the totals above sum them).
fn client_table(r: &Report) -> Option<Html> {
    let rows = marks::per_client(r);
    if rows.is_empty() {
        return None;
    }
    let head = rows
        .first()
        .map(|(_, f)| f.iter().map(|f| f.label).collect::<Vec<_>>())?;
    Some(html! {
        <table class="client-table" data-per-client="">
            <caption class="sr-only">{ "Each client's own requests" }</caption>
            <thead><tr><th scope="col">{ "client" }</th>{ for head.iter().map(|h| html! { <th scope="col">{ *h }</th> }) }</tr></thead>
            <tbody>
                { for rows.iter().map(|(id, figs)| html! {
                    <tr data-client={id.clone()}>
                        <th scope="row">{ id.clone() }</th>
                        { for figs.iter().map(|f| html! { <td data-figure={f.key}>{ f.value.clone() }</td> }) }
                    </tr>
                }) }
            </tbody>
        </table>
    })
}

/// The narrow screen's one line of the run (`panels::live_strip`), also drawn under a recorded GIF: the clock, p99,
/// throughput and the unsuccessful requests.
pub fn strip_text(s: &Snap) -> String {
    match s.report.as_deref() {
        Some(r) => strip_line(r, s.now.as_secs()),
        None => format!("t {:.1} s", s.now.as_secs()),
    }
}

/// [`strip_text`] from a report and the clock [s].
pub fn strip_line(r: &Report, now_s: f64) -> String {
    let mut line = format!("t {now_s:.1} s");
    if now_s < r.warmup_s {
        line.push_str(" · warming up");
        return line;
    }
    let q = &r.requests;
    let p99 = if q.completed() > 0 {
        format!("{:.1} ms", r.latency_ms.p99)
    } else {
        "—".into()
    };
    let bad = q.failed() + q.timed_out() + q.rejected() + q.rate_limited() + q.shed() + q.blocked();
    line.push_str(&format!(
        " · p99 {p99} · {:.0} req/s · {bad} unsuccessful",
        r.throughput_rps
    ));
    line
}

/// `0.34` → `"34 %"` (whole percent; a non-zero share under one percent shows as `<1 %`).
fn pct(fraction: f64) -> String {
    let p = fraction * 100.0;
    if p > 0.0 && p < 0.5 {
        "<1 %".to_string()
    } else {
        format!("{p:.0} %")
    }
}

/// The HTTP cache line of the metrics panel (`data-http-cache`), one per client whose browser cache is on:
/// reads answered on the device (and their share), revalidations split into 304s and 200s, reads sent with
/// nothing cached.
fn http_cache_lines(r: &Report) -> Vec<Html> {
    r.nodes
        .iter()
        .filter_map(|(id, n)| Some((id, n.http_cache()?)))
        .map(|(id, h)| {
            let text = format!(
                "{id} browser cache: {} answered on the device ({}) · {} revalidated: {} × 304 not modified, \
                 {} × 200 · {} sent uncached",
                h.fresh_hits,
                pct(h.local_share),
                h.revalidations,
                h.not_modified,
                h.revalidations.saturating_sub(h.not_modified),
                h.misses
            );
            html! { <p class="breakdown" data-http-cache={id.clone()}>{ text }</p> }
        })
        .collect()
}

/// Where reads were answered (`data-answered`), nearest the user first: one entry per answering node and level
/// (`data-level`, `data-node`, `data-count`), with its share; nothing for a diagram without a cache.
fn answered_line(r: &Report) -> Option<Html> {
    let all = playground_core::answered::answered_at(r);
    let total: u64 = all.iter().map(|a| a.count).sum();
    if all.is_empty() || total == 0 {
        return None;
    }
    let parts = all.iter().enumerate().map(|(i, a)| {
        let text = format!(
            "{}{} {}: {} ({})",
            if i > 0 { " · " } else { "" },
            a.node,
            playground_core::answered::level_words(a.level),
            a.count,
            pct(a.count as f64 / total as f64)
        );
        html! {
            <span data-level={a.level} data-node={a.node.clone()} data-count={a.count.to_string()}>{ text }</span>
        }
    });
    Some(html! {
        <p class="breakdown" data-answered="">{ "Reads answered at: " }{ for parts }</p>
    })
}

/// The database line of the metrics panel (`data-database`): totals, then one entry per shard — its share of
/// the queries and its busiest instance's utilisation — or, with one shard, one per primary and replica.
fn database_figures(id: &str, d: &DatabaseReport) -> Html {
    let stale = if d.reads > 0 {
        d.stale_reads as f64 / d.reads as f64
    } else {
        0.0
    };
    let mut totals = format!(
        "{id}: {} reads · {} stale ({}) · {} writes · {} lost · {} conflicts · {} failovers",
        d.reads,
        pct(stale),
        d.stale_reads,
        d.writes,
        d.lost_writes,
        d.conflicts,
        d.failovers
    );
    if d.failed_writes > 0 {
        totals.push_str(&format!(" · {} failed writes", d.failed_writes));
    }
    if d.cross_shard_reads > 0 {
        totals.push_str(&format!(" · {} cross-shard reads", d.cross_shard_reads));
    }
    if d.rpo_ms > 0.0 || d.rto_ms > 0.0 {
        totals.push_str(&format!(
            " · RPO {} writes ({:.0} ms) · RTO {:.0} ms without a primary",
            d.lost_writes, d.rpo_ms, d.rto_ms
        ));
    }
    let parts: Vec<String> = match d.shards.as_slice() {
        [one] => one
            .instances
            .iter()
            .map(|i| {
                let mut s = format!("{} {} busy, {} reads", i.role, pct(i.utilization), i.reads);
                if i.writes > 0 {
                    s.push_str(&format!(", {} writes", i.writes));
                }
                if i.stale_reads > 0 {
                    s.push_str(&format!(", {} stale", i.stale_reads));
                }
                s
            })
            .collect(),
        shards => shards
            .iter()
            .enumerate()
            .map(|(n, s)| {
                let busy = s
                    .instances
                    .iter()
                    .map(|i| i.utilization)
                    .fold(0.0, f64::max);
                format!("shard {n} {} of queries, {} busy", pct(s.share), pct(busy))
            })
            .collect(),
    };
    let locks = d.locks.as_ref().map(|l| {
        format!(
            "transactions ({}): {} lock waits ({}, {:.1}/s) · mean wait {:.1} ms · p99 {:.1} ms · {} deadlocks \
             ({:.2}/s) · {} aborts ({:.1}/s) · {} failed after retries",
            if l.isolation == Isolation::Serializable {
                "serializable"
            } else {
                "read committed"
            },
            l.waits,
            pct(l.waits as f64 / l.acquisitions.max(1) as f64),
            l.waits_per_s,
            l.wait_mean_ms,
            l.wait_p99_ms,
            l.deadlocks,
            l.deadlocks_per_s,
            l.aborts,
            l.aborts_per_s,
            l.gave_up
        )
    });
    html! {
        <div class="db-figures" data-database={id.to_string()}>
            <p class="breakdown">{ totals }</p>
            if let Some(l) = locks {
                <p class="breakdown" data-locks="">{ l }</p>
            }
            <p class="breakdown">{ parts.join(" · ") }</p>
        </div>
    }
}

/// Bottom panel: end-to-end figures, charts over simulated time, the selected node, and the "why" findings.
#[component]
pub fn MetricsArea() -> Html {
    let run = use_context::<RunCtx>();
    let state = use_context::<Handle>();
    let layout = use_context::<LayoutHandle>();
    let narrow = layout.as_ref().is_some_and(|l| l.tier == Tier::Narrow);
    let Some(run) = run else {
        return html! { <section class="metrics" id="sheet-metrics" data-region="metrics" aria-label="Metrics" /> };
    };
    let s: &Snap = &run.snap;
    let report = s.report.as_deref();
    let selected = state
        .as_ref()
        .and_then(|st| match st.ed.selection.single() {
            Some(Target::Node(id)) => Some(id),
            _ => None,
        });
    let charts = report.map(|r| {
        let (latency, ok, bad) = series_lines(&r.series, &s.mechanisms);
        let w = r.warmup_s;
        let node = selected.as_ref().and_then(|id| {
            let [q, u] = node_lines(&r.series, id)?;
            Some(html! {
                <>
                    { chart("queue", format!("{id}: requests waiting"), vec![("c-queue", "queue", q)], "req", w) }
                    { chart("busy", format!("{id}: workers busy"), vec![("c-util", "busy", u)], "%", w) }
                </>
            })
        });
        html! {
            <div class="charts">
                { chart("latency", "Latency of successes".into(), latency, "ms", w) }
                { chart("throughput", "Successes per second".into(), ok, "req/s", w) }
                { chart("unsuccessful", "Unsuccessful per second".into(), bad, "req/s", w) }
                { for node }
            </div>
        }
    });
    // A selected queue, topic or stream: its message counts (the queue chart above is its depth).
    let messages = report.and_then(|r| {
        let id = selected.as_ref()?;
        let m = r.nodes.get(id.as_str())?.messaging()?;
        let groups: String = m
            .consumers
            .iter()
            .map(|g| format!(" · {}: lag {} (max {})", g.node, g.lag, g.max_lag))
            .collect();
        Some(html! {
            <p class="breakdown" data-messaging={id.to_string()}>
                { format!("{id}: {} published · {} acknowledged · {} redelivered · {} duplicates · {} dead-lettered · {} dropped · {} waiting · oldest {:.0} ms{groups}",
                    m.published, m.acknowledged, m.redelivered, m.duplicates, m.dead_lettered, m.dropped, m.depth, m.oldest_age_ms) }
            </p>
        })
    });
    // A selected database: its reads and writes, what replication and failover cost, and the load per shard
    // (or, with one shard, per primary and replica).
    let database = report.and_then(|r| {
        let id = selected.as_ref()?;
        let d = r.nodes.get(id.as_str())?.database()?;
        Some(database_figures(id, d))
    });
    // A selected replicated store: what the partitions cost, and its keys diverged over time.
    let kv = report.and_then(|r| {
        let id = selected.as_ref()?;
        let k = r.nodes.get(id.as_str())?.kv()?;
        let dt = r.series.interval_s;
        let pts: Vec<(f64, f64)> = k
            .divergence
            .iter()
            .enumerate()
            .map(|(i, &d)| ((i + 1) as f64 * dt, f64::from(d)))
            .collect();
        let heal = k.heals.last().map_or(String::new(), |h| match h.converge_ms {
            Some(ms) => format!(" · in step {ms:.0} ms after the heal at {:.1} s", h.at_s),
            None => format!(" · not in step since the heal at {:.1} s", h.at_s),
        });
        let line = format!(
            "{id}: refused {} · stale reads {} of {} · conflicts {} · lost updates {} · keys diverged {} (max {}){heal}",
            k.refused_reads + k.refused_writes,
            k.stale_reads,
            k.reads_after_write,
            k.conflicts,
            k.lost_updates,
            k.diverged_keys,
            k.max_diverged_keys
        );
        Some(html! {
            <div class="kv-metrics" data-kv={id.to_string()}>
                <p class="breakdown">{ line }</p>
                if dt > 0.0 {
                    <div class="charts">{ chart("divergence", format!("{id}: keys diverged between replicas"), vec![("c-err", "keys", pts)], "keys", r.warmup_s) }</div>
                }
            </div>
        })
    });
    // A selected autoscaled server: its instances against its load, both in instances.
    let fleet = report.and_then(|r| {
        let id = selected.as_ref()?;
        let f = r.nodes.get(id.as_str())?.detail.as_ref()?.fleet()?;
        Some(fleet_metrics(id, f, r))
    });
    let selected_edge = state
        .as_ref()
        .and_then(|st| match st.ed.selection.single() {
            Some(Target::Edge(name)) => Some(name),
            _ => None,
        });
    // A selected call edge with a policy: its calls and attempts, and its breaker.
    let edge = report.and_then(|r| {
        let name = selected_edge.as_ref()?;
        let e = r.edges.get(name.as_str())?;
        let rows = marks::edge_figures(e);
        let all: Vec<&str> = rows.iter().map(|(_, t)| t.as_str()).collect();
        let title = format!("{} → {}: {}", e.from, e.to, all.join(" · "));
        Some(html! {
            <p class="breakdown" data-edge-metrics={name.to_string()} title={title}>
                { format!("{} → {}: ", e.from, e.to) }
                { for rows.iter().enumerate().map(|(i, (k, t))| html! {
                    <>{ if i > 0 { " · " } else { "" } }<span data-edge-figure={*k}>{ t.clone() }</span></>
                }) }
            </p>
        })
    });
    // A selected firewall, gateway or server with a guard: its block.
    let guard_block = report.and_then(|r| {
        let id = selected.as_ref()?;
        let st = state.as_ref()?;
        let line = marks::node_block(&st.ed.doc, id, r.nodes.get(id.as_str())?)?;
        Some(html! { <p class="breakdown" data-guard-block={id.to_string()} title={line.clone()}>{ line }</p> })
    });
    let breakdown = report.map(|r| {
        let q = &r.requests;
        let done =
            q.completed() + q.failed() + q.timed_out() + q.rejected() + q.rate_limited() + q.shed() + q.blocked();
        let pct = |v: u64| {
            if done == 0 {
                0.0
            } else {
                v as f64 * 100.0 / done as f64
            }
        };
        let m = &s.mechanisms;
        let mut guards = String::new();
        for (show, v, word) in [
            (m.rate_limit, q.rate_limited(), "rate limited"),
            (m.shed, q.shed(), "shed"),
            (m.block, q.blocked(), "blocked"),
        ] {
            if show || v > 0 {
                guards.push_str(&format!(" · {:.1} % {word}", pct(v)));
            }
        }
        html! {
            <p class="breakdown">
                { format!("{} sent · {:.1} % ok · {:.1} % errors · {:.1} % timed out · {:.1} % rejected{guards} · {} lost · {} in flight",
                    q.sent, pct(q.completed()), pct(q.failed()), pct(q.timed_out()), pct(q.rejected()), q.lost, q.in_flight) }
            </p>
        }
    });
    let warming = report.is_some_and(|r| s.now.as_secs() < r.warmup_s);
    html! {
        <section class="metrics" id="sheet-metrics" data-region="metrics" aria-label="Metrics" data-status={s.status.word()}>
            <div class="metrics-main">
                { sheet_head(layout.as_ref(), "Metrics") }
                <div class="metrics-head">
                    <h2 class="panel-title">{ "Metrics" }</h2>
                    if report.is_none() {
                        <span class="empty-hint">{ "Press Run: latency percentiles, throughput and errors appear here." }</span>
                    }
                    if let Some(r) = report.filter(|r| s.now.as_secs() < r.warmup_s) {
                        <span class="warmup-note" data-warmup="">{ format!("Warming up: figures count requests sent after {} s (the diagram's warm-up); the charts show everything.", r.warmup_s) }</span>
                    } else {
                        { for breakdown }
                    }
                </div>
                { figures(report, warming) }
                <crate::lab::LabPanel />
                { for report.and_then(client_table) }
                { for report.map(http_cache_lines).unwrap_or_default() }
                { for report.and_then(answered_line) }
                <crate::waterfall::RequestWaterfalls />
                { for guard_figures(&s.mechanisms, report) }
                { for edge }
                { for guard_block }
                { for messages }
                { for database }
                { for kv }
                { for fleet }
                { for charts }
            </div>
            if !narrow {
                if let Some(state) = &state { { why_panel(layout.as_ref(), &run, state) } }
            }
        </section>
    }
}

/// The "why" findings: worst first; clicking one that names a node selects it. Inside the metrics panel, or
/// a bottom sheet of its own on a narrow screen.
/// A function, not a component: a component of its own costs about 3 KB
/// of Wasm (BENCHMARKS.md, "issue 22's third pass").
pub fn why_panel(layout: Option<&LayoutHandle>, run: &RunCtx, state: &Handle) -> Html {
    let items = run.snap.findings.iter().map(|f| {
        let level = match f.level {
            Level::Critical => "critical",
            Level::Warning => "warning",
            Level::Info => "info",
        };
        let onclick = f.node.clone().map(|id| {
            let state = state.clone();
            Callback::from(move |_: MouseEvent| state.dispatch(Action::SelectOnly(Target::Node(id.clone()))))
        });
        html! {
            <li class={classes!("finding", level)} data-level={level}>
                if let Some(onclick) = onclick {
                    <button type="button" class="finding-link" data-finding-node={f.node.clone().unwrap_or_default()} {onclick}>{ &f.text }</button>
                } else {
                    <span>{ &f.text }</span>
                }
            </li>
        }
    });
    html! {
        <aside class="why" id="sheet-why" data-panel="why" aria-label="Why">
            { sheet_head(layout, "Why") }
            <h2 class="panel-title">{ "Why" }</h2>
            if run.snap.findings.is_empty() {
                <p class="empty-hint">{ "Bottlenecks and losses are explained here during a run." }</p>
            } else {
                <ul class="findings">{ for items }</ul>
            }
        </aside>
    }
}

/// The fault buttons and statistics for the single selected node or edge (nothing otherwise).
#[component]
pub fn FaultPanel() -> Html {
    let (Some(state), Some(run)) = (use_context::<Handle>(), use_context::<RunCtx>()) else {
        return html! {};
    };
    let sel = &state.ed.selection;
    let Some(target) = sel.single() else {
        // Several nodes: the partition tool for them.
        if sel.edges.is_empty() && sel.nodes.len() > 1 && run.snap.status != Status::Idle {
            let nodes: Vec<String> = sel.nodes.iter().cloned().collect();
            let applied = run.snap.faults.len();
            return html! {
                <div class="faults" data-faults="">
                    <h3 class="field-group">{ "Network partition (now, replayed on restart)" }</h3>
                    { partition_buttons(&run, nodes, None) }
                    if applied > 0 {
                        <p class="fault-count">{ format!("{applied} fault{} applied; Reset forgets them.", if applied == 1 { "" } else { "s" }) }</p>
                    }
                </div>
            };
        }
        return html! {};
    };
    let edge = match &target {
        Target::Edge(name) => state.ed.doc.edges.iter().find(|e| e.name() == *name),
        Target::Node(_) => None,
    };
    let region = match &target {
        Target::Node(id) => state
            .ed
            .doc
            .node(id)
            .map(|n| n.region.clone())
            .filter(|r| !r.is_empty()),
        Target::Edge(_) => None,
    };
    // A login endpoint's security arithmetic (core's `marks::login_figures`) joins its figures.
    let login = match &target {
        Target::Node(id) => marks::login_figures(&state.ed.doc, id),
        Target::Edge(_) => Vec::new(),
    };
    fault_buttons(&run, &target, edge, region, login)
}

/// The partition tool: cut `nodes` (or their `region`) off from the rest of the diagram while the run goes on,
/// and heal each partition in force. Each is a fault injected at the clock, like a kill.
fn partition_buttons(run: &RunCtx, nodes: Vec<String>, region: Option<String>) -> Html {
    let send = |a: FaultAction| {
        let cmd = run.cmd.clone();
        Callback::from(move |_: MouseEvent| cmd.emit(Cmd::Fault(a.clone())))
    };
    let names = &run.snap.partition.names;
    let cut_nodes = FaultAction::Partition {
        name: nodes.join("+"),
        nodes: nodes.clone(),
        region: String::new(),
    };
    let word = if nodes.len() == 1 {
        "Partition this node".to_string()
    } else {
        format!("Partition these {} nodes", nodes.len())
    };
    html! {
        <div class="fault-buttons partition-buttons">
            <button type="button" class="btn" data-action="partition" title="Cut every link between the selection and the rest" onclick={send(cut_nodes)}>{ word }</button>
            if let Some(r) = region {
                <button type="button" class="btn" data-action="partition-region" data-region={r.clone()} title="Cut every link between this region (and a store's replicas in it) and the rest" onclick={send(FaultAction::Partition { name: r.clone(), nodes: Vec::new(), region: r.clone() })}>{ format!("Partition {r}") }</button>
            }
            { for names.iter().map(|n| html! {
                <button type="button" class="btn" data-action="heal-partition" data-partition={n.clone()} onclick={send(FaultAction::HealPartition { name: n.clone() })}>{ format!("Heal {n}") }</button>
            }) }
        </div>
    }
}

/// Fault buttons for the selected node or edge while a run exists.
fn fault_buttons(
    run: &RunCtx,
    target: &Target,
    edge: Option<&Edge>,
    region: Option<String>,
    login: Vec<marks::Figure>,
) -> Html {
    if run.snap.status == Status::Idle {
        return html! {
            <p class="empty-hint fault-hint" data-faults-idle="">{ "Faults (kill, slow down, cut a link, partition the network) can be applied here while a run exists." }</p>
        };
    }
    let send = |a: FaultAction| {
        let cmd = run.cmd.clone();
        Callback::from(move |_: MouseEvent| cmd.emit(Cmd::Fault(a.clone())))
    };
    let applied = run.snap.faults.len();
    let buttons = match target {
        Target::Node(id) => {
            let dead = run.snap.badges.get(id).is_some_and(|b| b.dead);
            let node = id.clone();
            html! {
                <>
                    if dead {
                        <button type="button" class="btn" data-action="revive" onclick={send(FaultAction::Revive { node: node.clone() })}>{ "Revive" }</button>
                    } else {
                        <button type="button" class="btn" data-action="kill" onclick={send(FaultAction::Kill { node: node.clone() })}>{ "Kill" }</button>
                    }
                    <button type="button" class="btn" data-action="slow" title="Service times ×10" onclick={send(FaultAction::Slow { node: node.clone(), factor: 10.0 })}>{ "Slow ×10" }</button>
                    <button type="button" class="btn" data-action="speed-up" title="Service times back to normal" onclick={send(FaultAction::Slow { node: node.clone(), factor: 1.0 })}>{ "Normal speed" }</button>
                    { partition_buttons(run, vec![node], region) }
                </>
            }
        }
        Target::Edge(_) => {
            let Some(e) = edge else {
                return html! {};
            };
            let name = e.name();
            html! {
                <>
                    <button type="button" class="btn" data-action="cut" onclick={send(FaultAction::CutLink { edge: name.clone() })}>{ "Cut link" }</button>
                    <button type="button" class="btn" data-action="heal" onclick={send(FaultAction::HealLink { edge: name })}>{ "Heal link" }</button>
                </>
            }
        }
    };
    // The node's figures: its load over the recent window (the numbers its card and the "why" panel use) and
    // the run, then its kind's own (core's `marks::node_figures`).
    let stats = match (target, run.snap.report.as_deref()) {
        (Target::Node(id), Some(r)) => r.nodes.get(id).map(|n| {
            let mut rows = marks::node_figures(n, run.snap.recent.nodes.get(id));
            rows.extend(login);
            html! {
                <dl class="node-stats" data-node-stats={id.clone()}>
                    { for rows.into_iter().map(|f| html! {
                        <><dt>{ f.label }</dt><dd data-figure={f.key}>{ f.value }{ if f.unit.is_empty() { String::new() } else { format!(" {}", f.unit) } }</dd></>
                    }) }
                </dl>
            }
        }),
        _ => None,
    };
    html! {
        <div class="faults" data-faults="">
            <h3 class="field-group">{ "Faults (now, replayed on restart)" }</h3>
            <div class="fault-buttons">{ buttons }</div>
            if applied > 0 {
                <p class="fault-count">{ format!("{applied} fault{} applied; Reset forgets them.", if applied == 1 { "" } else { "s" }) }</p>
            }
            { for stats }
        </div>
    }
}
