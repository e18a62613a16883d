//! The engine benchmark page (`bench.html`): runs the scenarios of `cargo bench -p playground-core --bench
//! engine` in the browser, with the product's own release build, and shows events/s and wall time.
//!
//! Timing uses `performance.now()`; the simulation itself never sees a clock. Results are also written as JSON
//! into `#bench-results` (with `data-done` set) for `tests/e2e/bench-engine.mjs`.

use playground_core::fixtures::{many_pairs, single_station, three_tier_bench};
use playground_core::{Dist, Sim, SimTime, Topology};
use wasm_bindgen::JsCast;

/// One measured scenario.
struct Row {
    name: &'static str,
    events: u64,
    requests: u64,
    simulated_s: f64,
    wall_ms: f64,
    /// engine bytes per request in flight (the overload row only)
    bytes_per_request: Option<f64>,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn measure(name: &'static str, t: &Topology) -> Option<Row> {
    let mut sim = Sim::new(t).ok()?;
    let start = now_ms();
    sim.run_to_end();
    let wall_ms = now_ms() - start;
    let r = sim.report();
    Some(Row {
        name,
        events: r.events,
        requests: r.requests.sent,
        simulated_s: r.end_s,
        wall_ms,
        bytes_per_request: None,
    })
}

/// Overload, as in the native benchmark: a million requests sent in one simulated second to a server that
/// serves one a second; the engine's bytes (from `Sim::memory()`, wasm32 sizes) per request in flight.
fn overload() -> Option<Row> {
    let mut t = single_station(1_000_000.0, 1, None, Dist::constant_ms(1000.0), 2.0, 1);
    t.settings.series_interval_s = 0.0;
    let mut sim = Sim::new(&t).ok()?;
    let start = now_ms();
    let progress = sim.run_until(SimTime::from_secs(1.0), u64::MAX);
    let wall_ms = now_ms() - start;
    let held = sim.requests_held();
    Some(Row {
        name: "overload: 1 M requests in flight (1 s simulated)",
        events: progress.events,
        requests: u64::from(held),
        simulated_s: 1.0,
        wall_ms,
        bytes_per_request: Some(sim.memory().total() as f64 / f64::from(held.max(1))),
    })
}

/// The same scenarios as the native benchmark (`core/benches/engine.rs`), plus the 60-simulated-second
/// three-tier run whose wall time the product promises to keep under a second.
fn scenarios() -> Vec<(&'static str, Topology)> {
    let mut mm1 = single_station(1000.0, 1, None, Dist::exponential_ms(0.9), 2000.0, 1);
    mm1.settings.warmup_s = 0.0;
    vec![
        ("mm1 rho=0.9 (2000 s simulated)", mm1),
        (
            "three-tier 10k/s, 8 servers (100 s simulated)",
            three_tier_bench(10_000.0, 8, 100.0, 1),
        ),
        (
            "three-tier 10k/s, 8 servers (60 s simulated)",
            three_tier_bench(10_000.0, 8, 60.0, 1),
        ),
        // Scaling with node count, as natively: 100 000 req/s in total for 20 s over N/2 pairs.
        (
            "10 nodes (20 s simulated)",
            many_pairs(5, 20_000.0, 20.0, 1),
        ),
        (
            "1000 nodes (20 s simulated)",
            many_pairs(500, 200.0, 20.0, 1),
        ),
    ]
}

fn render(rows: &[Row]) -> (String, String) {
    let mut html = String::from(
        "<table><thead><tr><th>scenario</th><th>events</th><th>requests</th><th>simulated</th>\
         <th>wall</th><th>events/s</th></tr></thead><tbody>",
    );
    let mut json = Vec::new();
    for r in rows {
        let eps = r.events as f64 / (r.wall_ms / 1000.0);
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0} s</td><td>{:.0} ms</td><td>{:.2} M</td></tr>",
            r.name,
            r.events,
            r.requests,
            r.simulated_s,
            r.wall_ms,
            eps / 1e6
        ));
        json.push(format!(
            "{{\"name\":\"{}\",\"events\":{},\"requests\":{},\"simulated_s\":{},\"wall_ms\":{},\"events_per_s\":{},\"bytes_per_request\":{}}}",
            r.name,
            r.events,
            r.requests,
            r.simulated_s,
            r.wall_ms,
            eps,
            r.bytes_per_request.map_or("null".to_string(), |b| format!("{b:.1}"))
        ));
    }
    html.push_str("</tbody></table>");
    (html, format!("[{}]", json.join(",")))
}

fn run_all() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let mut rows: Vec<Row> = scenarios()
        .iter()
        .filter_map(|(name, t)| measure(name, t))
        .collect();
    rows.extend(overload());
    let (table, json) = render(&rows);
    if let Some(out) = document.get_element_by_id("bench-table") {
        out.set_inner_html(&table);
    }
    if let Some(out) = document.get_element_by_id("bench-results") {
        out.set_text_content(Some(&json));
        let _ = out.set_attribute("data-done", "true");
    }
    if let Some(status) = document.get_element_by_id("bench-status") {
        status.set_text_content(Some("Done."));
    }
}

fn main() {
    let Some(button) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("bench-run"))
        .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let on_click = gloo::events::EventListener::new(&button, "click", |_| {
        if let Some(status) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("bench-status"))
        {
            status.set_text_content(Some("Running…"));
        }
        // Let the page paint "Running…" before the synchronous run takes the thread.
        gloo::timers::callback::Timeout::new(30, run_all).forget();
    });
    on_click.forget();
}
