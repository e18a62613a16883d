//! Compare A/B: two diagrams run on the same seeds (A's seed and the next, [`replicate::seeds`]), each
//! headline figure's difference B − A paired by seed with its 95 % paired-t interval and whether it is
//! significant (the interval leaves out zero), and the node figures that changed most.
//!
//! ```text
//!  A ──Replications(seeds)──> reports_A ─┐ per seed: x_B − x_A ──> Interval::paired ──> significant?
//!  B ──Replications(seeds)──> reports_B ─┘
//! ```
//!
//! Pairing by seed removes the seed-to-seed noise the two variants share (the same arrivals and keys when
//! the clients are the same), so a real difference shows with fewer seeds. [`Compare`] runs the two sides a
//! seed at a time in slices, alternating, for the page's frames. Both variants travel in one address:
//! `#ab=<A's share payload>~<B's>` ([`ab_fragment`], [`decode_ab`]).

pub mod overlay;

use serde::Serialize;

use crate::replicate::{self, Headline, ReplicationError, Replications, Summary};
use crate::report::{NodeReport, Report};
use crate::share::{self, ShareError};
use crate::stats::Interval;
use crate::topology::Topology;

/// How many changed node figures a comparison lists.
pub const NODE_CHANGES: usize = 6;

/// Which variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Side {
    /// the diagram compared from
    A,
    /// the variant
    B,
}

/// One headline figure on both sides and their paired difference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FigureDiff {
    /// which figure
    pub figure: Headline,
    /// A's mean and 95 % interval
    pub a: Interval,
    /// B's
    pub b: Interval,
    /// B − A, paired by seed, with its 95 % paired-t interval
    pub diff: Interval,
    /// whether the difference's interval leaves out zero
    pub significant: bool,
    /// the better side when significant
    pub better: Option<Side>,
}

impl FigureDiff {
    fn of(figure: Headline, a: &Summary, b: &Summary) -> FigureDiff {
        let values = |s: &Summary| s.get(figure).map(|f| f.values.clone()).unwrap_or_default();
        let (va, vb) = (values(a), values(b));
        let diff = Interval::paired(&va, &vb);
        let significant = diff.excludes_zero();
        let better = significant.then(|| {
            if (diff.mean < 0.0) == figure.lower_is_better() {
                Side::B
            } else {
                Side::A
            }
        });
        FigureDiff {
            figure,
            a: Interval::of(&va),
            b: Interval::of(&vb),
            diff,
            significant,
            better,
        }
    }

    /// The verdict in words: `B is better`, `B is worse`, `no significant difference`.
    pub fn verdict(&self) -> &'static str {
        match self.better {
            Some(Side::B) => "B is better",
            Some(Side::A) => "B is worse",
            None => "no significant difference",
        }
    }

    /// The difference as text: `−12.30 ± 1.10 ms`.
    pub fn diff_text(&self) -> String {
        let f = self.figure;
        let sign = if self.diff.mean > 0.0 { "+" } else { "" };
        format!(
            "{sign}{} ± {} {}",
            f.show(self.diff.mean),
            f.show(self.diff.half),
            f.unit()
        )
    }
}

/// A node figure that changed between the variants (a node present in both, by id).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeChange {
    /// the node's id
    pub node: String,
    /// `utilisation` [%], `mean time` [ms], `dropped` or `errors` [per run]
    pub figure: &'static str,
    /// its unit
    pub unit: &'static str,
    /// A's mean over the seeds
    pub a: f64,
    /// B's
    pub b: f64,
    /// B − A paired by seed
    pub diff: Interval,
}

/// The node figures a comparison looks at: name, unit and how to read it from a node's report.
type NodeFigure = (&'static str, &'static str, fn(&NodeReport) -> f64);
const NODE_FIGURES: [NodeFigure; 4] = [
    ("utilisation", "%", |n| 100.0 * n.utilization),
    ("mean time", "ms", |n| n.mean_time_ms),
    ("dropped", "", |n| n.dropped as f64),
    ("errors", "", |n| n.errors as f64),
];

/// A finished comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// the seeds both ran on
    pub seeds: Vec<u64>,
    /// each headline figure on both sides
    pub figures: Vec<FigureDiff>,
    /// the node figures that changed most (relative to the larger side), largest first, at most
    /// [`NODE_CHANGES`]
    pub nodes: Vec<NodeChange>,
    /// nodes only B has
    pub added: Vec<String>,
    /// nodes only A has
    pub removed: Vec<String>,
}

impl Comparison {
    /// The comparison of finished runs, `a[i]` and `b[i]` on the same seed.
    pub fn of(a: &[Report], b: &[Report]) -> Comparison {
        let (sa, sb) = (Summary::of(a), Summary::of(b));
        let ids = |rs: &[Report]| -> Vec<String> {
            rs.first()
                .map(|r| r.nodes.keys().cloned().collect())
                .unwrap_or_default()
        };
        let (ia, ib) = (ids(a), ids(b));
        Comparison {
            seeds: sa.seeds.clone(),
            figures: Headline::ALL
                .iter()
                .map(|&f| FigureDiff::of(f, &sa, &sb))
                .collect(),
            nodes: node_changes(a, b),
            added: ib.iter().filter(|i| !ia.contains(i)).cloned().collect(),
            removed: ia.iter().filter(|i| !ib.contains(i)).cloned().collect(),
        }
    }

    /// One figure's difference.
    pub fn get(&self, figure: Headline) -> Option<&FigureDiff> {
        self.figures.iter().find(|f| f.figure == figure)
    }

    /// The comparison as text: one line per figure, then the nodes that changed most.
    pub fn to_table(&self) -> String {
        let mut out = format!("A vs B on {} paired seeds\n", self.seeds.len());
        for f in &self.figures {
            let show =
                |i: &Interval| format!("{} ± {}", f.figure.show(i.mean), f.figure.show(i.half));
            out.push_str(&format!(
                "{:<13} A {:<18} B {:<18} B − A {:<22} {}\n",
                f.figure.label(),
                show(&f.a),
                show(&f.b),
                f.diff_text(),
                f.verdict()
            ));
        }
        for n in &self.nodes {
            out.push_str(&format!(
                "node {} {}: {:.2} → {:.2} {}\n",
                n.node, n.figure, n.a, n.b, n.unit
            ));
        }
        out
    }
}

/// Each node figure of the nodes in both, paired by seed, ranked by |B − A| over the larger of |A| and |B|
/// (ties in node and figure order); figures zero on both sides are left out.
fn node_changes(a: &[Report], b: &[Report]) -> Vec<NodeChange> {
    let Some(first) = a.first() else {
        return Vec::new();
    };
    let mut out: Vec<(f64, NodeChange)> = Vec::new();
    for id in first.nodes.keys() {
        for (figure, unit, read) in NODE_FIGURES {
            let side = |rs: &[Report]| -> Option<Vec<f64>> {
                rs.iter().map(|r| r.nodes.get(id).map(read)).collect()
            };
            let (Some(va), Some(vb)) = (side(a), side(b)) else {
                continue;
            };
            let (ma, mb) = (Interval::of(&va).mean, Interval::of(&vb).mean);
            let scale = ma.abs().max(mb.abs());
            if scale == 0.0 || ma == mb {
                continue;
            }
            let change = NodeChange {
                node: id.clone(),
                figure,
                unit,
                a: ma,
                b: mb,
                diff: Interval::paired(&va, &vb),
            };
            out.push(((mb - ma).abs() / scale, change));
        }
    }
    // A stable sort keeps node and figure order among equal changes.
    crate::sorting::sort_by(&mut out, |x, y| y.0.total_cmp(&x.0));
    out.into_iter().take(NODE_CHANGES).map(|(_, c)| c).collect()
}

/// An A/B comparison in progress: both variants on the same seeds, a seed at a time, alternating sides.
#[derive(Debug)]
pub struct Compare {
    a: Replications,
    b: Replications,
}

impl Compare {
    /// Prepares A and B on `k` seeds from A's seed; the error names the side that cannot run.
    pub fn start(a: &Topology, b: &Topology, k: u32) -> Result<Compare, ReplicationError> {
        let seeds = replicate::seeds(a.settings.seed, k);
        let side = |name: &str, t: &Topology| {
            Replications::start(t, seeds.clone())
                .map_err(|e| ReplicationError(format!("{name}: {e}")))
        };
        Ok(Compare {
            a: side("A", a)?,
            b: side("B", b)?,
        })
    }

    /// From 0 to 1.
    pub fn progress(&self) -> f64 {
        f64::midpoint(self.a.progress(), self.b.progress())
    }

    /// Seeds finished on both sides.
    pub fn seeds_done(&self) -> usize {
        self.a.seeds_done().min(self.b.seeds_done())
    }

    /// Runs at most `event_budget` events on the side that is behind (A first); the comparison once both have
    /// finished every seed.
    pub fn step(&mut self, event_budget: u64) -> Result<Option<Comparison>, ReplicationError> {
        if !self.a.finished() && self.a.seeds_done() <= self.b.seeds_done() {
            self.a
                .step(event_budget)
                .map_err(|e| ReplicationError(format!("A: {e}")))?;
        } else if !self.b.finished() {
            self.b
                .step(event_budget)
                .map_err(|e| ReplicationError(format!("B: {e}")))?;
        }
        Ok((self.a.finished() && self.b.finished())
            .then(|| Comparison::of(self.a.reports(), self.b.reports())))
    }

    /// The finished runs of A and of B, in seed order.
    pub fn reports(&self) -> (&[Report], &[Report]) {
        (self.a.reports(), self.b.reports())
    }

    /// Runs both to the end.
    pub fn run_to_end(&mut self) -> Result<Comparison, ReplicationError> {
        loop {
            if let Some(c) = self.step(u64::MAX)? {
                return Ok(c);
            }
        }
    }
}

/// The diagram's monthly cost ([`crate::cost::diagram_cost`]) at each run's traffic, in seed order: with
/// [`Interval::of`] and [`Interval::paired`] the cost row of a comparison.
pub fn monthly_costs(doc: &Topology, reports: &[Report]) -> Vec<f64> {
    reports
        .iter()
        .map(|r| crate::cost::diagram_cost(doc, Some(r)).total)
        .collect()
}

/// The address key of a comparison: `#ab=<A>~<B>`.
pub const AB_KEY: &str = "ab";

/// Why a comparison link did not open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AbError {
    /// not an `#ab=` address
    NotAComparison,
    /// the `~` between the two variants is missing
    NoSeparator,
    /// one variant's payload did not decode
    Variant(Side, ShareError),
}

impl std::fmt::Display for AbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AbError::NotAComparison => f.write_str("this is not a comparison link (`#ab=…`)"),
            AbError::NoSeparator => f.write_str(
                "the comparison link holds only one diagram (the `~` between A and B is missing); it may \
                 have been cut: copy it again",
            ),
            AbError::Variant(side, e) => write!(f, "variant {side:?} of the comparison: {e}"),
        }
    }
}

impl std::error::Error for AbError {}

/// `#ab=<A's share payload>~<B's>`: both variants in one address (the payloads are base64url after `vN.`,
/// so `~` cannot occur inside one).
pub fn ab_fragment(a: &Topology, b: &Topology) -> String {
    format!("#{AB_KEY}={}~{}", share::encode(a), share::encode(b))
}

/// Whether `hash` is a comparison address (`#ab=…`).
pub fn is_ab(hash: &str) -> bool {
    hash.trim_start_matches('#')
        .strip_prefix(AB_KEY)
        .is_some_and(|r| r.starts_with('='))
}

/// The two variants of an `#ab=` address; never panics, and each refusal says which side and why.
pub fn decode_ab(hash: &str) -> Result<(Topology, Topology), AbError> {
    let body = hash.trim().trim_start_matches('#');
    let rest = body
        .strip_prefix(AB_KEY)
        .and_then(|r| r.strip_prefix('='))
        .ok_or(AbError::NotAComparison)?;
    let (a, b) = rest.split_once('~').ok_or(AbError::NoSeparator)?;
    let a = share::decode(a).map_err(|e| AbError::Variant(Side::A, e))?;
    let b = share::decode(b).map_err(|e| AbError::Variant(Side::B, e))?;
    Ok((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn an_ab_link_round_trips_and_a_broken_one_says_why() {
        let a = fixtures::three_tier();
        let mut b = a.clone();
        b.name = "B".into();
        let link = ab_fragment(&a, &b);
        assert!(link.starts_with("#ab=v") && is_ab(&link));
        assert_eq!(decode_ab(&link), Ok((a.clone(), b)));
        assert_eq!(decode_ab("#d=v1.xx"), Err(AbError::NotAComparison));
        assert_eq!(
            decode_ab(&format!("#ab={}", share::encode(&a))),
            Err(AbError::NoSeparator)
        );
        let cut = &link[..link.len() - 10];
        match decode_ab(cut) {
            Err(e @ AbError::Variant(Side::B, _)) => {
                assert!(e.to_string().starts_with("variant B of the comparison: "))
            }
            other => panic!("a cut B should be refused, got {other:?}"),
        }
        assert!(matches!(
            decode_ab("#ab=~v1.AAAA"),
            Err(AbError::Variant(Side::A, ShareError::Empty))
        ));
        for junk in [
            "#ab=",
            "#ab=~",
            "#ab=v9.x~v1.y",
            "#ab=\u{0}~\u{ffff}",
            "ab=v1.~~~",
        ] {
            assert!(decode_ab(junk).is_err(), "{junk}");
        }
        assert!(!is_ab("#abc=1") && !is_ab("#d=v1.x"));
    }
}
