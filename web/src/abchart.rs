//! The compare view's overlaid charts: A's and B's p99 and throughput over simulated time on the same axes,
//! each the mean over the seeds (core's `compare::overlay`), A dashed and B solid, with a legend saying
//! which is which. Each line carries its points in `data-points` for the tests.

use playground_core::compare::overlay::Overlay;
use playground_core::sweep::plot::{nice_ceil, nice_ticks, short};
use yew::prelude::*;

const W: f64 = 640.0;
const H: f64 = 150.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 30.0;

fn polyline(points: &[(f64, f64)], t_max: f64, y_max: f64) -> String {
    points
        .iter()
        .map(|(t, v)| {
            let x = LEFT + t / t_max * (W - LEFT - RIGHT);
            let y = H - BOTTOM - (v / y_max).min(1.05) * (H - BOTTOM - TOP);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn data_points(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(t, v)| format!("{t}:{v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One overlaid chart.
pub fn chart(o: &Overlay) -> Html {
    let all = o.a.iter().chain(&o.b);
    let t_max = all.clone().map(|p| p.0).fold(0.0_f64, f64::max).max(1e-9);
    let y_max = nice_ceil(all.map(|p| p.1).fold(0.0_f64, f64::max));
    let unit = o.figure.unit();
    let y_ticks = nice_ticks(0.0, y_max, 3).into_iter().map(|v| {
        let y = H - BOTTOM - v / y_max * (H - BOTTOM - TOP);
        html! {
            <g class="sweep-tick">
                <line class="sweep-grid" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={format!("{y:.1}")} y2={format!("{y:.1}")} />
                <text x={(LEFT - 6.0).to_string()} y={format!("{:.1}", y + 4.0)} text-anchor="end">{ short(v) }</text>
            </g>
        }
    });
    let x_ticks = nice_ticks(0.0, t_max, 5).into_iter().map(|t| {
        let x = LEFT + t / t_max * (W - LEFT - RIGHT);
        html! { <text x={format!("{x:.1}")} y={(H - BOTTOM + 14.0).to_string()} text-anchor="middle">{ short(t) }</text> }
    });
    html! {
        <figure class="ab-chart" data-ab-chart={o.figure.key()}>
            <figcaption class="sweep-legend">
                <strong>{ format!("{} over time [{unit}]", o.figure.label()) }</strong>
                <span class="legend-key"><span class="legend-swatch ab-a" />{ "A (as opened)" }</span>
                <span class="legend-key"><span class="legend-swatch ab-b" />{ "B (the canvas)" }</span>
            </figcaption>
            <svg class="sweep-chart" viewBox={format!("0 0 {W} {H}")} role="img"
                aria-label={format!("{} of A and B over simulated time, mean over the seeds", o.figure.label())}>
                { for y_ticks }
                <line class="sweep-axis" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={(H - BOTTOM).to_string()} y2={(H - BOTTOM).to_string()} />
                { for x_ticks }
                <text class="sweep-title" x={format!("{:.1}", f64::midpoint(LEFT, W - RIGHT))} y={(H - 2.0).to_string()} text-anchor="middle">{ "simulated time [s]" }</text>
                <polyline class="ab-line ab-a" data-side="A" data-points={data_points(&o.a)} points={polyline(&o.a, t_max, y_max)} />
                <polyline class="ab-line ab-b" data-side="B" data-points={data_points(&o.b)} points={polyline(&o.b, t_max, y_max)} />
            </svg>
        </figure>
    }
}

/// The overlaid charts, with a note of which line is which.
pub fn charts(overlays: &[Overlay]) -> Html {
    if overlays.is_empty() {
        return html! {};
    }
    html! {
        <div class="ab-charts" data-ab-charts="">
            <p class="lab-note">{ "A (dashed grey) and B (solid blue) on the same axes: each line the mean over the seeds, interval by interval." }</p>
            { for overlays.iter().map(chart) }
        </div>
    }
}
