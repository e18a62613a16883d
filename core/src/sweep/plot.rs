//! The sweep chart's geometry for the page: axes with "nice" ticks and units, one line per figure with its
//! 95 % band, each point's column for hover, and the knee's marker. Pure arithmetic in SVG user units, so the
//! page only draws what this returns and the numbers are tested here.
//!
//! ```text
//!   y [ms] ┤        ╭── p99 (band: mean ± half)
//!          ┤   ──╮──╯   ┆ knee
//!          └──┬────┬────┬── x [unit]
//! ```

use super::{SweepPoint, SweepResult};
use crate::replicate::Headline;
use crate::stats::Interval;

/// A figure the chart can draw against the swept value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// a headline figure
    Headline(Headline),
    /// the diagram's monthly cost [USD]
    Cost,
}

impl Figure {
    /// The key (`p99`, `throughput`, `cost`): a CSS class `c-<key>` and a `data-` attribute name.
    pub fn key(self) -> &'static str {
        match self {
            Figure::Headline(h) => h.key(),
            Figure::Cost => "cost",
        }
    }

    /// The legend word.
    pub fn label(self) -> &'static str {
        match self {
            Figure::Headline(h) => h.label(),
            Figure::Cost => "monthly cost",
        }
    }

    /// The unit.
    pub fn unit(self) -> &'static str {
        match self {
            Figure::Headline(h) => h.unit(),
            Figure::Cost => "USD",
        }
    }

    /// The point's mean and 95 % half-width.
    pub fn of(self, p: &SweepPoint) -> Interval {
        match self {
            Figure::Headline(h) => p.figure(h),
            Figure::Cost => p.cost,
        }
    }
}

/// The chart's box [SVG user units]: the whole and the margins around the plotting area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// width
    pub w: f64,
    /// height
    pub h: f64,
    /// left margin (the y ticks' labels)
    pub left: f64,
    /// right margin
    pub right: f64,
    /// top margin
    pub top: f64,
    /// bottom margin (the x ticks' labels and the axis title)
    pub bottom: f64,
}

impl Frame {
    /// The default chart box: 640 × `h` with room for the labels.
    pub fn new(h: f64) -> Frame {
        Frame {
            w: 640.0,
            h,
            left: 52.0,
            right: 14.0,
            top: 12.0,
            bottom: 38.0,
        }
    }

    fn x0(&self) -> f64 {
        self.left
    }
    fn x1(&self) -> f64 {
        self.w - self.right
    }
    fn y0(&self) -> f64 {
        self.h - self.bottom
    }
    fn y1(&self) -> f64 {
        self.top
    }
}

/// A tick: where [user units] and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// position along its axis
    pub at: f64,
    /// the value as text
    pub label: String,
}

/// One figure's line and band.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// which figure
    pub figure: Figure,
    /// the SVG path of the means (`M x y L x y …`)
    pub path: String,
    /// the SVG path of the band (means ± half, a closed polygon)
    pub band: String,
    /// each point's position [user units]
    pub points: Vec<(f64, f64)>,
}

/// A chart ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    /// the box
    pub frame: Frame,
    /// ticks along x (positions in x)
    pub x_ticks: Vec<Tick>,
    /// ticks along y (positions in y)
    pub y_ticks: Vec<Tick>,
    /// the x axis title, with the unit: `rate [req/s]`
    pub x_title: String,
    /// the y axis title: `latency [ms]`
    pub y_title: String,
    /// one per figure asked for
    pub lines: Vec<Line>,
    /// each point's x and the half-width of its hover column
    pub columns: Vec<(f64, f64)>,
    /// the knee's x and its label, when the sweep has one
    pub knee: Option<(f64, String)>,
}

/// Ticks over `lo..=hi`: about `target` of them at 1, 2 or 5 × 10ᵏ steps.
pub fn nice_ticks(lo: f64, hi: f64, target: u32) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || target == 0 {
        return vec![lo];
    }
    let raw = (hi - lo) / f64::from(target);
    let k = libm::floor(libm::log10(raw));
    // 10ᵏ as a multiplier, or for k < 0 as a divisor (an exact integer), so 3 · 2 / 10 is 0.6 and not
    // 0.6000000000000001.
    let scaled = |x: f64| {
        if k >= 0.0 {
            x * libm::pow(10.0, k)
        } else {
            x / libm::pow(10.0, -k)
        }
    };
    let m = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|m| scaled(*m) >= raw)
        .unwrap_or(10.0);
    let step = scaled(m);
    let first = libm::ceil(lo / step - 1e-9);
    let last = libm::floor(hi / step + 1e-9);
    let mut out = Vec::new();
    let mut i = first;
    while i <= last && out.len() < 50 {
        out.push(scaled(i * m) + 0.0);
        i += 1.0;
    }
    out
}

/// The smallest "nice" value at or above `v` (1, 2, 5 × 10ᵏ), for the top of the y axis.
pub fn nice_ceil(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let mag = libm::pow(10.0, libm::floor(libm::log10(v)));
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|c| *c >= v * (1.0 - 1e-12))
        .unwrap_or(10.0 * mag)
}

/// A value as a tick or hover shows it: whole numbers plainly, thousands as `12k`, others to 3 significant
/// digits.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 10_000.0 && libm::fmod(a, 1000.0) == 0.0 {
        format!("{}k", v / 1000.0)
    } else if v == libm::round(v) && a < 1e15 {
        format!("{}", v as i64)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The map from a swept value to x: linear, or in the logarithm for a log sweep.
struct XScale {
    lo: f64,
    hi: f64,
    log: bool,
    x0: f64,
    x1: f64,
}

impl XScale {
    fn at(&self, v: f64) -> f64 {
        let f = |v: f64| if self.log { libm::log10(v) } else { v };
        let (a, b) = (f(self.lo), f(self.hi));
        if b <= a {
            return f64::midpoint(self.x0, self.x1);
        }
        self.x0 + (f(v) - a) / (b - a) * (self.x1 - self.x0)
    }
}

fn x_ticks(r: &SweepResult, xs: &XScale) -> Vec<Tick> {
    let values: Vec<f64> = if xs.log {
        // Log: the swept values themselves, thinned to at most 7.
        let step = r.points.len().div_ceil(7).max(1);
        r.points.iter().step_by(step).map(|p| p.value).collect()
    } else {
        nice_ticks(xs.lo, xs.hi, 6)
    };
    values
        .into_iter()
        .map(|v| Tick {
            at: xs.at(v),
            label: short(v),
        })
        .collect()
}

/// The chart of `figures` (all in one unit) against the swept value, in `frame`.
pub fn plot(r: &SweepResult, figures: &[Figure], frame: Frame) -> Plot {
    let (lo, hi) = match (r.points.first(), r.points.last()) {
        (Some(a), Some(b)) => (a.value, b.value),
        _ => (r.spec.from, r.spec.to),
    };
    let xs = XScale {
        lo,
        hi,
        log: r.spec.scale == super::Scale::Log && lo > 0.0,
        x0: frame.x0(),
        x1: frame.x1(),
    };
    let top = r
        .points
        .iter()
        .flat_map(|p| figures.iter().map(|f| f.of(p).high()))
        .fold(0.0_f64, f64::max);
    let y_max = nice_ceil(top);
    let y = |v: f64| frame.y0() - (v / y_max).clamp(0.0, 1.05) * (frame.y0() - frame.y1());
    let lines = figures
        .iter()
        .map(|&figure| {
            let pts: Vec<(f64, Interval)> = r
                .points
                .iter()
                .map(|p| (xs.at(p.value), figure.of(p)))
                .collect();
            let path = path_of(pts.iter().map(|(x, i)| (*x, y(i.mean))));
            let upper = pts.iter().map(|(x, i)| (*x, y(i.high())));
            let lower = pts.iter().rev().map(|(x, i)| (*x, y(i.low().max(0.0))));
            let mut band = path_of(upper.chain(lower));
            if !band.is_empty() {
                band.push_str(" Z");
            }
            Line {
                figure,
                path,
                band,
                points: pts.iter().map(|(x, i)| (*x, y(i.mean))).collect(),
            }
        })
        .collect();
    let xs_px: Vec<f64> = r.points.iter().map(|p| xs.at(p.value)).collect();
    let columns = xs_px
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let gap = |j: Option<&f64>| j.map_or(f64::INFINITY, |o| (o - x).abs());
            let half = gap(i.checked_sub(1).and_then(|j| xs_px.get(j))).min(gap(xs_px.get(i + 1)));
            (x, if half.is_finite() { half / 2.0 } else { 12.0 })
        })
        .collect();
    let unit = figures.first().map_or("", |f| f.unit());
    Plot {
        frame,
        x_ticks: x_ticks(r, &xs),
        y_ticks: nice_ticks(0.0, y_max, 4)
            .into_iter()
            .map(|v| Tick {
                at: y(v),
                label: short(v),
            })
            .collect(),
        x_title: if r.param.unit.is_empty() {
            r.param.label.clone()
        } else {
            format!("{} [{}]", r.param.label, r.param.unit)
        },
        y_title: match figures {
            [Figure::Headline(h)] if !h.unit().is_empty() => format!("{} [{}]", h.label(), unit),
            [Figure::Cost] => format!("monthly cost [{unit}]"),
            _ => format!("latency [{unit}]"),
        },
        lines,
        columns,
        knee: r.knee.and_then(|i| r.points.get(i)).map(|p| {
            let unit = if r.param.unit.is_empty() {
                String::new()
            } else {
                format!(" {}", r.param.unit)
            };
            (xs.at(p.value), format!("knee {}{unit}", short(p.value)))
        }),
    }
}

fn path_of(pts: impl Iterator<Item = (f64, f64)>) -> String {
    let mut out = String::new();
    for (i, (x, y)) in pts.enumerate() {
        out.push_str(&format!("{}{x:.1} {y:.1}", if i == 0 { "M" } else { " L" }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replicate::Summary;
    use crate::sweep::{Param, Scale, SweepSpec};

    fn result(values: &[f64], p99: &[f64], scale: Scale) -> SweepResult {
        let points = values
            .iter()
            .zip(p99)
            .map(|(&value, &y)| {
                let mut s = Summary::of(&[]);
                for f in &mut s.figures {
                    f.interval = Interval {
                        mean: y,
                        half: 1.0,
                        n: 2,
                    };
                }
                SweepPoint {
                    value,
                    summary: s,
                    cost: Interval {
                        mean: 100.0,
                        half: 0.0,
                        n: 2,
                    },
                }
            })
            .collect();
        SweepResult::of(
            SweepSpec {
                target: "c".into(),
                param: "rate".into(),
                from: values[0],
                to: values[values.len() - 1],
                points: values.len() as u32,
                scale,
                seeds: 2,
            },
            Param {
                path: "rate".into(),
                label: "Rate".into(),
                unit: "req/s",
                integer: false,
            },
            points,
        )
    }

    #[test]
    fn ticks_are_nice_and_cover_the_range() {
        assert_eq!(nice_ticks(0.0, 100.0, 4), vec![0.0, 50.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(10.0, 90.0, 6), vec![20.0, 40.0, 60.0, 80.0]);
        assert_eq!(nice_ceil(87.0), 100.0);
        assert_eq!(nice_ceil(230.0), 250.0);
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(
            (short(25_000.0), short(12.345), short(0.5), short(3.0)),
            ("25k".into(), "12.3".into(), "0.500".into(), "3".into())
        );
    }

    #[test]
    fn the_plot_maps_points_into_the_frame_and_marks_the_knee() {
        let r = result(
            &[10.0, 20.0, 30.0, 40.0],
            &[10.0, 11.0, 30.0, 90.0],
            Scale::Linear,
        );
        assert_eq!(r.knee, Some(2));
        let f = Frame::new(240.0);
        let p = plot(&r, &[Figure::Headline(Headline::P99)], f);
        let line = &p.lines[0];
        // x: 10 at the left edge, 40 at the right; y: 0 at the bottom, the nice top (100 ≥ 91) at the top.
        assert_eq!(line.points[0].0, f.left);
        assert_eq!(line.points[3].0, f.w - f.right);
        let y = |v: f64| f.h - f.bottom - v / 100.0 * (f.h - f.bottom - f.top);
        assert!((line.points[3].1 - y(90.0)).abs() < 1e-9);
        assert!(line.path.starts_with("M52.0 ") && line.band.ends_with(" Z"));
        assert_eq!(p.knee.as_ref().map(|k| k.1.as_str()), Some("knee 30 req/s"));
        assert_eq!(p.x_title, "Rate [req/s]");
        assert_eq!(p.y_title, "p99 [ms]");
        assert_eq!(p.y_ticks.last().map(|t| t.label.as_str()), Some("100"));
        // Each point's hover column reaches halfway to its neighbours.
        let gap = (f.w - f.right - f.left) / 3.0;
        assert!((p.columns[1].1 - gap / 2.0).abs() < 1e-9);
        let log = plot(
            &result(&[1.0, 10.0, 100.0], &[1.0, 1.0, 1.0], Scale::Log),
            &[Figure::Cost],
            f,
        );
        // In the logarithm 10 is midway between 1 and 100.
        assert!((log.lines[0].points[1].0 - f64::midpoint(f.left, f.w - f.right)).abs() < 1e-9);
        assert_eq!(log.y_title, "monthly cost [USD]");
    }
}
