//! One request's waterfall: the whole tree of a client request as the engine kept it (an exemplar) — every
//! visit of the request, and of the branches, attempts and hedged copies made for it, to a node, with the
//! link legs, the queue wait, the service and the time waiting on calls — its critical path, and the text
//! the headless runner prints (`playground trace FILE --slowest`).
//!
//! ```text
//!   client ─────────────────────────────────────────────── 182 ms ─┐
//! * api      ──····####~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~──   │  net ─  queue ·  service #
//!     leaf     ─#─                                                  │  waiting on calls ~
//! *   leaf     ─#########################################─          │  * the critical path
//! ```
//!
//! A span is one visit: the request (or a copy of it) leaves `from` at `sent`, reaches `node` at `arrived`,
//! waits in its queue until its service starts, is served, waits on the calls it makes, and its response
//! leaves at `left` and is back at `from` at `back`. The critical path is the chain of visits that set the
//! request's end: from the end backwards, the call whose answer came back last before it, then the one
//! that came back last before that call was sent, and so on, inside each visit in turn.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::request::Outcome;
use crate::time::SimTime;

/// Why a request of one call is a visit of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// the request itself, going on down its path
    Request,
    /// attempt `n` (1 = the first) of a call over an edge with a policy
    Attempt(u8),
    /// the hedged copy of a call
    Hedge,
    /// one call of a parallel plan
    Branch,
}

impl Role {
    /// How the row is labelled after the node's id (`retry 2`, `hedge`, `parallel call`), if at all.
    pub fn label(self) -> Option<String> {
        match self {
            Role::Request | Role::Attempt(1) => None,
            Role::Attempt(n) => Some(format!("retry {}", n - 1)),
            Role::Hedge => Some("hedge".into()),
            Role::Branch => Some("parallel call".into()),
        }
    }
}

/// One visit of the request (or of a copy made for it) to a node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// the node visited (engine index)
    pub node: u32,
    /// the node that sent it (engine index)
    pub from: u32,
    /// the visit this one was sent from (an index into the tree's spans); `None`: sent by the client
    pub parent: Option<u32>,
    /// the id of the request making the visit (a branch, attempt and hedge each have their own)
    pub request: u64,
    /// why it is a request of its own
    pub role: Role,
    /// when it left `from`
    pub sent: SimTime,
    /// when it reached the node; `None`: lost on the way, or refused (a cut link, the hop limit)
    pub arrived: Option<SimTime>,
    /// when its service started and ended (kinds with workers)
    pub service: Option<(SimTime, SimTime)>,
    /// when its response left the node; `None`: still there when the request ended
    pub left: Option<SimTime>,
    /// when the response was back at `from`; `None`: lost, or still on its way when the request ended
    pub back: Option<SimTime>,
    /// how its response ended
    pub outcome: Option<Outcome>,
    /// a losing copy of a tied hedge, removed from the node's queue unserved
    pub cancelled: bool,
    /// on the request's critical path
    pub critical: bool,
}

impl Span {
    /// Time on the link there [ns] (0 when it never arrived).
    pub fn net_down(&self) -> u64 {
        self.arrived.map_or(0, |a| a.since(self.sent).0)
    }

    /// Time in the node's queue [ns]: arrival to the start of service (0 without service).
    pub fn queue(&self) -> u64 {
        match (self.arrived, self.service) {
            (Some(a), Some((s, _))) => s.since(a).0,
            _ => 0,
        }
    }

    /// Service time [ns].
    pub fn served(&self) -> u64 {
        self.service.map_or(0, |(s, e)| e.since(s).0)
    }

    /// Time in the node after service (or from arrival, without it) until the response left: waiting on its
    /// calls, or a kind's own work [ns].
    pub fn waiting(&self) -> u64 {
        let from = self.service.map(|s| s.1).or(self.arrived);
        match (from, self.left) {
            (Some(f), Some(l)) => l.since(f).0,
            _ => 0,
        }
    }

    /// Time on the link back [ns].
    pub fn net_up(&self) -> u64 {
        match (self.left, self.back) {
            (Some(l), Some(b)) => b.since(l).0,
            _ => 0,
        }
    }

    /// When the visit ended as its sender saw it (the response back), or the last thing known of it.
    pub fn end(&self) -> SimTime {
        self.back
            .or(self.left)
            .or(self.service.map(|s| s.1))
            .or(self.arrived)
            .unwrap_or(self.sent)
    }
}

/// Why an exemplar was kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    /// one of the slowest of its interval
    Slowest,
    /// a sample of its interval's requests (the same few whatever the timing: chosen by a hash of the id)
    Typical,
}

/// A client request's whole tree, kept as an exemplar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestTree {
    /// the client request's id
    pub id: u64,
    /// its client (engine index)
    pub client: u32,
    /// when the client sent it
    pub start: SimTime,
    /// when it ended for the client (its response arrived, or the client gave up)
    pub end: SimTime,
    /// how it ended
    pub outcome: Outcome,
    /// every visit, in the order they were sent
    pub spans: Vec<Span>,
    /// visits past the cap were not recorded
    pub truncated: bool,
    /// why it was kept
    pub pick: Pick,
}

impl RequestTree {
    /// End-to-end latency [ns].
    pub fn latency(&self) -> u64 {
        self.end.since(self.start).0
    }

    /// The spans sent from span `parent` (`None`: by the client), in the order they were sent.
    pub fn children(&self, parent: Option<u32>) -> impl Iterator<Item = u32> + '_ {
        self.spans
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.parent == parent)
            .map(|(i, _)| i as u32)
    }

    /// The spans depth first (children in the order sent), each with its depth: the waterfall's rows.
    pub fn rows(&self) -> Vec<(u32, u32)> {
        let mut kids: Vec<Vec<u32>> = vec![Vec::new(); self.spans.len() + 1];
        for (i, s) in self.spans.iter().enumerate() {
            let p = s.parent.map_or(self.spans.len(), |p| p as usize);
            if let Some(k) = kids.get_mut(p) {
                k.push(i as u32);
            }
        }
        let mut out = Vec::with_capacity(self.spans.len());
        let mut stack: Vec<(u32, u32)> = kids[self.spans.len()]
            .iter()
            .rev()
            .map(|&i| (i, 0))
            .collect();
        while let Some((i, depth)) = stack.pop() {
            out.push((i, depth));
            stack.extend(kids[i as usize].iter().rev().map(|&c| (c, depth + 1)));
        }
        out
    }

    /// Marks the critical path (see the module's doc): from the request's end backwards through the
    /// client's calls, and inside each visit on it from its response leaving backwards through its calls.
    pub fn mark_critical(&mut self) {
        for s in &mut self.spans {
            s.critical = false;
        }
        let mut kids: Vec<Vec<u32>> = vec![Vec::new(); self.spans.len() + 1];
        for (i, s) in self.spans.iter().enumerate() {
            let p = s.parent.map_or(self.spans.len(), |p| p as usize);
            if let Some(k) = kids.get_mut(p) {
                k.push(i as u32);
            }
        }
        // (the calls to walk, the time to walk back from)
        let mut work = vec![(self.spans.len(), self.end)];
        while let Some((parent, mut t)) = work.pop() {
            loop {
                let next = kids[parent]
                    .iter()
                    .copied()
                    .filter(|&c| {
                        let s = &self.spans[c as usize];
                        !s.critical && s.back.is_some_and(|b| b <= t)
                    })
                    .max_by_key(|&c| (self.spans[c as usize].back, std::cmp::Reverse(c)));
                let Some(c) = next else {
                    break;
                };
                let s = &mut self.spans[c as usize];
                s.critical = true;
                if let Some(left) = s.left {
                    work.push((c as usize, left));
                }
                t = s.sent;
            }
        }
    }

    /// The waterfall as text: one row per visit, indented under the visit that sent it, with a time bar and
    /// the split of its time; `ids` names the nodes by engine index.
    pub fn to_text(&self, ids: &[String]) -> String {
        const BAR: usize = 48;
        let name = |n: u32| ids.get(n as usize).map_or("?", String::as_str);
        let ms = |ns: u64| ns as f64 / 1e6;
        let total = self.latency().max(1);
        let col = |t: SimTime| -> usize {
            ((t.since(self.start).0 as u128 * BAR as u128) / u128::from(total)).min(BAR as u128 - 1)
                as usize
        };
        let mut s = String::new();
        let _ = writeln!(
            s,
            "request {} from {}: {:.3} ms, {} (sent at {:.3} s, {} spans{})",
            self.id,
            name(self.client),
            ms(self.latency()),
            self.outcome.counter_name(),
            self.start.as_secs(),
            self.spans.len(),
            if self.truncated {
                ", more not recorded"
            } else {
                ""
            }
        );
        let _ = writeln!(
            s,
            "  {:<30} {:<48} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "visit (* critical path)",
            "time: - link  . queue  # service  ~ calls",
            "start ms",
            "link ms",
            "queue ms",
            "serve ms",
            "calls ms",
            "total ms"
        );
        for (i, depth) in self.rows() {
            let sp = &self.spans[i as usize];
            let mut bar = [b' '; BAR];
            let mut paint = |from: Option<SimTime>, to: Option<SimTime>, c: u8| {
                if let (Some(a), Some(b)) = (from, to) {
                    for x in bar.iter_mut().take(col(b) + 1).skip(col(a)) {
                        *x = c;
                    }
                }
            };
            paint(Some(sp.sent), sp.arrived.or(sp.back), b'-');
            paint(sp.service.map(|v| v.1).or(sp.arrived), sp.left, b'~');
            paint(sp.arrived, sp.service.map(|v| v.0), b'.');
            paint(sp.service.map(|v| v.0), sp.service.map(|v| v.1), b'#');
            paint(sp.left, sp.back, b'-');
            let mut label = format!(
                "{}{}{}",
                if sp.critical { "* " } else { "  " },
                "  ".repeat(depth as usize),
                name(sp.node)
            );
            if let Some(r) = sp.role.label() {
                let _ = write!(label, " ({r})");
            }
            let state = sp.state().unwrap_or("");
            let _ = writeln!(
                s,
                "{:<32} {} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}{}{}",
                label,
                String::from_utf8_lossy(&bar),
                ms(sp.sent.since(self.start).0),
                ms(sp.net_down() + sp.net_up()),
                ms(sp.queue()),
                ms(sp.served()),
                ms(sp.waiting()),
                ms(sp.end().since(sp.sent).0),
                if state.is_empty() { "" } else { " " },
                state.trim_start()
            );
        }
        s
    }
}

/// A part of a visit as the page's waterfall draws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// on a link, there or back
    Link,
    /// waiting in the node's queue
    Queue,
    /// being served
    Service,
    /// waiting on the calls it made (or a kind's own work after service)
    Calls,
}

impl Part {
    /// The word the page's classes and `data-part` use.
    pub fn word(self) -> &'static str {
        match self {
            Part::Link => "link",
            Part::Queue => "queue",
            Part::Service => "service",
            Part::Calls => "calls",
        }
    }
}

/// One drawn piece of a row: a part, where it starts and how wide it is, as shares of the request's time
/// [0..1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// what the time was
    pub part: Part,
    /// its start, from the request's start
    pub at: f64,
    /// its length
    pub width: f64,
    /// its length [ms]
    pub ms: f64,
}

/// One row of the page's waterfall: a visit, its depth under the visit that sent it, and its drawn pieces.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// index into the tree's spans
    pub span: u32,
    /// nesting under the visit that sent it
    pub depth: u32,
    /// the node visited (engine index)
    pub node: u32,
    /// `retry 2`, `hedge`, `parallel call`
    pub role: Option<String>,
    /// on the critical path
    pub critical: bool,
    /// what became of it, when not a plain answer: `cancelled`, `lost`, `refused`, `still running`, or the
    /// outcome's name
    pub state: Option<&'static str>,
    /// sent, from the request's start [ms]
    pub start_ms: f64,
    /// sent to back (or the last thing known) [ms]
    pub total_ms: f64,
    /// its pieces, in time order
    pub segments: Vec<Segment>,
}

impl Span {
    /// What became of the visit, when not a plain answer.
    pub fn state(&self) -> Option<&'static str> {
        if self.cancelled {
            Some("cancelled")
        } else if self.arrived.is_none() && self.back.is_none() {
            Some("lost")
        } else if self.arrived.is_none() {
            Some("refused")
        } else if self.left.is_none() {
            Some("still running")
        } else {
            match self.outcome {
                Some(Outcome::Ok) | None => None,
                Some(o) => Some(o.counter_name()),
            }
        }
    }
}

impl RequestTree {
    /// The rows the page draws, depth first, at most `limit` of them (the rest are counted by the caller from
    /// `spans.len()`). Each piece is placed on the request's own time, start to end (a copy that outlived the
    /// request is cut at its end).
    pub fn layout(&self, limit: usize) -> Vec<Row> {
        let total = self.latency().max(1) as f64;
        let cut = |t: SimTime| t.min(self.end).max(self.start);
        let frac = |t: SimTime| cut(t).since(self.start).0 as f64 / total;
        self.rows()
            .into_iter()
            .take(limit)
            .map(|(i, depth)| {
                let sp = &self.spans[i as usize];
                let service = sp.service;
                let pieces = [
                    (Part::Link, Some(sp.sent), sp.arrived.or(sp.back)),
                    (Part::Queue, sp.arrived, service.map(|v| v.0)),
                    (Part::Service, service.map(|v| v.0), service.map(|v| v.1)),
                    (Part::Calls, service.map(|v| v.1).or(sp.arrived), sp.left),
                    (Part::Link, sp.left, sp.back),
                ];
                let segments = pieces
                    .into_iter()
                    .filter_map(|(part, a, b)| {
                        let (a, b) = (a?, b?);
                        (b > a).then(|| Segment {
                            part,
                            at: frac(a),
                            width: frac(b) - frac(a),
                            ms: b.since(a).0 as f64 / 1e6,
                        })
                    })
                    .collect();
                Row {
                    span: i,
                    depth,
                    node: sp.node,
                    role: sp.role.label(),
                    critical: sp.critical,
                    state: sp.state(),
                    start_ms: sp.sent.since(self.start).0 as f64 / 1e6,
                    total_ms: sp.end().since(sp.sent).0 as f64 / 1e6,
                    segments,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime(ms * 1_000_000)
    }

    fn span(node: u32, parent: Option<u32>, sent: u64, back: u64) -> Span {
        Span {
            node,
            from: parent.map_or(0, |_| 1),
            parent,
            request: u64::from(node),
            role: Role::Request,
            sent: t(sent),
            arrived: Some(t(sent + 1)),
            service: None,
            left: Some(t(back - 1)),
            back: Some(t(back)),
            outcome: Some(Outcome::Ok),
            cancelled: false,
            critical: false,
        }
    }

    fn tree(spans: Vec<Span>, end: u64) -> RequestTree {
        RequestTree {
            id: 1,
            client: 0,
            start: t(0),
            end: t(end),
            outcome: Outcome::Ok,
            spans,
            truncated: false,
            pick: Pick::Slowest,
        }
    }

    #[test]
    fn sequential_calls_are_all_critical_and_of_parallel_ones_only_the_last() {
        // client → api [0, 100]; api calls a [2, 30] then b [30, 60] in turn, then c, d, e at once [60, 70|90|80].
        let mut w = tree(
            vec![
                span(1, None, 0, 100),
                span(2, Some(0), 2, 30),
                span(3, Some(0), 30, 60),
                span(4, Some(0), 60, 70),
                span(5, Some(0), 60, 90),
                span(6, Some(0), 60, 80),
            ],
            100,
        );
        w.mark_critical();
        let on: Vec<u32> = w
            .spans
            .iter()
            .filter(|s| s.critical)
            .map(|s| s.node)
            .collect();
        assert_eq!(
            on,
            [1, 2, 3, 5],
            "api, both sequential calls and the slowest parallel one"
        );
    }

    #[test]
    fn a_copy_back_after_the_end_is_never_critical_and_rows_nest_depth_first() {
        // A hedged call: the first copy [2, 500] outlives the request; the hedge [20, 40] answers it.
        let mut w = tree(
            vec![
                span(1, None, 0, 50),
                span(2, Some(0), 2, 500),
                span(3, Some(0), 20, 40),
                span(4, Some(2), 22, 38),
            ],
            50,
        );
        w.spans[2].role = Role::Hedge;
        w.mark_critical();
        let on: Vec<u32> = w
            .spans
            .iter()
            .filter(|s| s.critical)
            .map(|s| s.node)
            .collect();
        assert_eq!(on, [1, 3, 4]);
        assert_eq!(w.rows(), [(0, 0), (1, 1), (2, 1), (3, 2)]);
        let text = w.to_text(&["c", "api", "leaf", "leaf2", "db"].map(String::from));
        assert!(text.contains("leaf2 (hedge)"), "{text}");
        assert!(
            text.contains("*     db"),
            "the hedge's own call is critical: {text}"
        );
        assert!(text.contains("  leaf "), "the first copy is not: {text}");
    }

    #[test]
    fn the_page_rows_place_each_part_on_the_request_time_and_cut_what_outlived_it() {
        let mut w = tree(
            vec![
                span(1, None, 0, 100),
                span(2, Some(0), 10, 60),
                span(3, Some(0), 10, 400),
            ],
            100,
        );
        w.spans[0].service = Some((t(1), t(10)));
        w.spans[1].service = Some((t(15), t(55)));
        w.mark_critical();
        let rows = w.layout(10);
        assert_eq!(rows.len(), 3);
        let api = &rows[0];
        let parts: Vec<_> = api.segments.iter().map(|s| s.part).collect();
        // link 0–1, service 1–10, waiting on calls 10–99, link 99–100 (no queue: service starts on arrival)
        assert_eq!(parts, [Part::Link, Part::Service, Part::Calls, Part::Link]);
        let span_of = |r: &Row| r.segments.iter().map(|s| s.width).sum::<f64>();
        assert!((span_of(api) - 1.0).abs() < 1e-9);
        assert_eq!(api.segments[2].ms, 89.0);
        let leaf = &rows[1];
        assert_eq!(leaf.segments[1].part, Part::Queue);
        assert!(
            (leaf.segments[1].at - 0.11).abs() < 1e-9 && (leaf.segments[1].ms - 4.0).abs() < 1e-9
        );
        // The call back at 400 ms is cut at the request's end (100 ms) and is not on the critical path.
        let late = &rows[2];
        assert!(late.segments.iter().all(|s| s.at + s.width <= 1.0 + 1e-9));
        assert!(!late.critical && leaf.critical && api.critical);
        assert_eq!(late.total_ms, 390.0);
        assert_eq!(w.layout(2).len(), 2, "capped");
    }
}
