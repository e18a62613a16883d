//! What the page shows of a run's guards — rate limits, firewalls, load shedding, bulkheads, retries,
//! circuit breakers, side effects — decided here rather than in the views: which mechanisms a diagram uses
//! (the legend and the metrics list only what can happen, plus anything that did), the rejection badges a
//! card shows (`429 ×123`, `403 ×45`, `shed 67`), the figures of a call edge and the one-line summaries of
//! a selected gateway, firewall or service. Pure functions of the diagram and the report.

use crate::components::rate_limiter::LimiterReport;
use crate::components::{Kind, Params, parse_params};
use crate::report::{EdgeReport, NodeReport, Report};
use crate::topology::Topology;

/// The resilience and security mechanisms a diagram uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mechanisms {
    /// a rate limiter (answers 429)
    pub rate_limit: bool,
    /// a web application firewall (answers 403)
    pub block: bool,
    /// a server that sheds work past its deadline
    pub shed: bool,
    /// a server with a bulkhead
    pub bulkhead: bool,
    /// a retrying client or a call edge with a retry policy
    pub retries: bool,
    /// a call edge with a circuit breaker
    pub breakers: bool,
    /// a call edge with a timeout
    pub timeouts: bool,
    /// a server whose writes have side effects
    pub side_effects: bool,
    /// a server with idempotency keys
    pub idempotency: bool,
}

impl Mechanisms {
    /// What `doc` uses; nodes whose parameters do not decode count as using nothing.
    pub fn of(doc: &Topology) -> Mechanisms {
        let mut m = Mechanisms::default();
        for n in &doc.nodes {
            let Some(kind) = Kind::from_name(&n.kind) else {
                continue;
            };
            m.block |= kind == Kind::Waf;
            m.rate_limit |= kind == Kind::RateLimiter;
            match parse_params(kind, &n.params) {
                Ok(Params::ApiGateway(g)) => m.rate_limit |= g.rate_limit.is_some(),
                Ok(Params::Server(s)) => {
                    m.shed |= s.shed_expired;
                    m.bulkhead |= s.bulkhead.is_some();
                    m.side_effects |= s.side_effects;
                    m.idempotency |= s.idempotency.is_some();
                }
                Ok(Params::Client(c)) => m.retries |= c.retry.is_some(),
                _ => {}
            }
        }
        for e in &doc.edges {
            m.retries |= e.retry.is_some();
            m.breakers |= e.breaker.is_some();
            m.timeouts |= e.timeout_ms.is_some();
        }
        m
    }
}

/// One figure of the metrics panel: its `data-metric` key, label, value and unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// the `data-metric` hook
    pub key: &'static str,
    /// what it counts
    pub label: &'static str,
    /// the number as shown
    pub value: String,
    /// after the number, empty for a count
    pub unit: &'static str,
}

fn figure(key: &'static str, label: &'static str, value: String, unit: &'static str) -> Figure {
    Figure {
        key,
        label,
        value,
        unit,
    }
}

/// The guard figures of the metrics panel: rate limited, shed, blocked, retries, amplification (attempts
/// per request), duplicate effects and breaker opens, each when the diagram uses its mechanism or it is not
/// zero.
pub fn guard_figures(m: &Mechanisms, r: &Report) -> Vec<Figure> {
    let q = &r.requests;
    let x = r.resilience.clone().unwrap_or_default();
    let mut out = Vec::new();
    let mut count = |show: bool, key, label, v: u64| {
        if show || v > 0 {
            out.push(figure(key, label, v.to_string(), ""));
        }
    };
    count(
        m.rate_limit,
        "rate_limited",
        "rate limited",
        q.rate_limited(),
    );
    count(m.shed, "shed", "shed", q.shed());
    count(m.block, "blocked", "blocked", q.blocked());
    count(m.retries, "retries", "retries", x.retries);
    let mut more = Vec::new();
    if m.retries || x.amplification > 1.0 {
        let amp = if x.amplification > 0.0 {
            x.amplification
        } else {
            1.0
        };
        more.push(figure(
            "amplification",
            "amplification",
            format!("{amp:.2}"),
            "×",
        ));
    }
    if m.side_effects || x.duplicate_effects > 0 {
        more.push(figure(
            "duplicate_effects",
            "duplicate effects",
            x.duplicate_effects.to_string(),
            "",
        ));
    }
    if m.breakers || x.breaker_opens > 0 {
        more.push(figure(
            "breaker_opens",
            "breaker opens",
            x.breaker_opens.to_string(),
            "",
        ));
    }
    out.extend(more);
    out
}

/// A count in at most four characters: `950`, `1.2k`, `12k`, `3.4M`.
pub fn compact(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..10_000 => format!("{:.1}k", n as f64 / 1e3),
        10_000..1_000_000 => format!("{}k", n / 1_000),
        1_000_000..10_000_000 => format!("{:.1}M", n as f64 / 1e6),
        _ => format!("{}M", n / 1_000_000),
    }
}

/// A rejection count a card shows while running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectBadge {
    /// what it counts: `rate_limited`, `blocked`, `shed` or `bulkhead`
    pub key: &'static str,
    /// how many
    pub count: u64,
    /// the badge's text (`429 ×123`)
    pub text: String,
    /// the tooltip
    pub title: String,
}

/// The rejection badges of a node: requests it rate-limited (429), blocked (403), shed past their
/// deadline, or refused at a full bulkhead, the non-zero ones in that order.
pub fn reject_badges(n: &NodeReport) -> Vec<RejectBadge> {
    let service = n.service();
    let shed = n.shed.max(service.map_or(0, |s| s.shed));
    let bulkhead = service.map_or(0, |s| s.bulkhead_rejected);
    [
        (
            "rate_limited",
            n.rate_limited,
            "429",
            "rate limited (HTTP 429)",
        ),
        ("blocked", n.blocked, "403", "blocked (HTTP 403)"),
        (
            "shed",
            shed,
            "shed",
            "shed: dropped unserved past their deadline",
        ),
        (
            "bulkhead",
            bulkhead,
            "bulkhead",
            "refused by a full bulkhead",
        ),
    ]
    .into_iter()
    .filter(|(_, c, _, _)| *c > 0)
    .map(|(key, count, word, what)| RejectBadge {
        key,
        count,
        text: if word.starts_with('4') {
            format!("{word} ×{}", compact(count))
        } else {
            format!("{word} {}", compact(count))
        },
        title: format!("{count} {what}"),
    })
    .collect()
}

/// A selected call edge's figures as `(key, text)` pairs, value first so a line of them reads and cuts
/// well: with a breaker its state, opens, calls short-circuited and time open; then calls, attempts (per
/// call: the amplification at this layer), timeouts, failed calls, and retries and budget refusals when
/// there were any.
pub fn edge_figures(e: &EdgeReport) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    if let Some(state) = &e.breaker_state {
        rows.push(("breaker", format!("breaker {state}")));
        rows.push(("opened", format!("opened {}×", e.breaker_opens)));
        rows.push((
            "short_circuited",
            format!("{} short-circuited", e.short_circuited),
        ));
        let open = e.breaker_state_time.map_or(0.0, |t| t.open_s);
        rows.push(("time_open", format!("open {open:.1} s")));
    }
    let amp = if e.calls > 0 { e.amplification } else { 1.0 };
    rows.push(("calls", format!("{} calls", e.calls)));
    rows.push((
        "attempts",
        format!("{} attempts ({amp:.2} per call)", e.attempts),
    ));
    rows.push(("timeouts", format!("{} timeouts", e.timeouts)));
    rows.push(("failed", format!("{} failed", e.failed)));
    if e.retries > 0 {
        rows.push(("retries", format!("{} retries", e.retries)));
    }
    if e.budget_refused > 0 {
        rows.push((
            "budget_refused",
            format!("{} refused by the budget", e.budget_refused),
        ));
    }
    rows
}

/// A rate limiter's decisions (a `rate_limiter` node's, or a gateway's rate limit's).
fn limiter_line(l: &LimiterReport) -> String {
    let mut line = format!(
        "{} admitted · {} rate limited (429)",
        l.admitted, l.rate_limited
    );
    if l.delayed > 0 {
        line.push_str(&format!(" · {} delayed", l.delayed));
    }
    if l.over_admitted > 0 {
        line.push_str(&format!(
            " · {} over-admitted (instances out of sync)",
            l.over_admitted
        ));
    }
    line.push_str(&format!(
        " · {} key{}",
        l.keys,
        if l.keys == 1 { "" } else { "s" }
    ));
    line
}

/// A selected node's guard block (a rate limiter's decisions, a firewall's inspections and blocks, a
/// gateway's handshakes, routing and rate limit, a server's shedding, bulkhead, effects and deduplication)
/// as one line, or `None` for a node without one. `doc` names a gateway's routes by the nodes its edges go
/// to.
pub fn node_block(doc: &Topology, id: &str, n: &NodeReport) -> Option<String> {
    if let (Some(l), None) = (n.limiter(), n.gateway()) {
        return Some(format!("{id}: {}", limiter_line(l)));
    }
    if let Some(w) = n.waf() {
        return Some(format!(
            "{id}: {} inspected · blocked {} by signature, {} by rate, {} listed · {} attacks passed · {} on the block list",
            w.inspected,
            w.blocked_signature,
            w.blocked_rate,
            w.blocked_listed,
            w.attacks_passed,
            w.blocked_addresses
        ));
    }
    if let Some(g) = n.gateway() {
        let targets: Vec<&str> = doc
            .edges
            .iter()
            .filter(|e| e.from == id)
            .map(|e| e.to.as_str())
            .collect();
        let routed: Vec<String> = g
            .routed
            .iter()
            .enumerate()
            .map(|(i, c)| match targets.get(i) {
                Some(t) if targets.len() == g.routed.len() => format!("{t} {c}"),
                _ => format!("port {i} {c}"),
            })
            .collect();
        let mut line = format!(
            "{id}: {} TLS handshakes · {} connections · {} auth checks · {} auth failures · {} unrouted",
            g.handshakes, g.connections, g.auth_checks, g.auth_failures, g.unrouted
        );
        if g.session_lookups > 0 {
            line.push_str(&format!(" · {} session lookups", g.session_lookups));
        }
        if let Some(l) = n.limiter() {
            line.push_str(&format!(" · rate limit: {}", limiter_line(l)));
        }
        if !routed.is_empty() {
            line.push_str(&format!(" · routed: {}", routed.join(", ")));
        }
        return Some(line);
    }
    let s = n.service()?;
    Some(format!(
        "{id}: {} shed · {} bulkhead rejected · {} effects · {} duplicate effects · {} deduplicated · {} in-progress conflicts",
        s.shed,
        s.bulkhead_rejected,
        s.effects,
        s.duplicate_effects,
        s.deduplicated,
        s.in_progress_conflicts
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::NodeDetail;
    use crate::components::rate_limiter::LimiterDetail;
    use crate::components::server::{ServiceDetail, ServiceReport};
    use crate::report::BreakerStateTime;
    use crate::resilience::{BreakerParams, RetryPolicy};
    use crate::topology::{Edge, Node};
    use serde_json::json;

    fn node_report(kind: &str) -> NodeReport {
        serde_json::from_value(json!({
            "kind": kind, "arrivals": 0, "served": 0, "dropped": 0, "errors": 0, "waited": 0,
            "utilization": 0.0, "mean_queue": 0.0, "mean_in_node": 0.0, "mean_time_ms": 0.0,
            "p99_time_ms": 0.0
        }))
        .expect("a node report")
    }

    #[test]
    fn mechanisms_are_read_from_the_diagram() {
        let mut doc = Topology::default();
        assert_eq!(Mechanisms::of(&doc), Mechanisms::default());
        doc.nodes
            .push(Node::new("c", "client").with("retry", json!({})));
        doc.nodes.push(
            Node::new("s", "server")
                .with("shed_expired", json!(true))
                .with("bulkhead", json!(2))
                .with("side_effects", json!(true)),
        );
        doc.nodes.push(Node::new("w", "waf"));
        doc.nodes.push(Node::new("rl", "rate_limiter"));
        // A server whose parameters do not decode uses nothing, and does not stop the others.
        doc.nodes
            .push(Node::new("bad", "server").with("workers", json!("many")));
        let mut e = Edge::new("s", "d");
        e.breaker = Some(BreakerParams::default());
        doc.edges.push(e);
        let m = Mechanisms::of(&doc);
        assert!(m.retries && m.shed && m.bulkhead && m.side_effects && m.block && m.breakers);
        assert!(m.rate_limit && !m.timeouts && !m.idempotency);
        let mut e = Edge::new("c", "s");
        e.retry = Some(RetryPolicy::default());
        e.timeout_ms = Some(100.0);
        doc.nodes.truncate(1);
        doc.nodes[0].params.clear();
        doc.edges = vec![e];
        let m = Mechanisms::of(&doc);
        assert!(m.retries && m.timeouts && !m.breakers && !m.rate_limit);
        // A gateway's own rate limit answers 429 too.
        doc.nodes
            .push(Node::new("gw", "api_gateway").with("rate_limit", json!({"limit": 5})));
        assert!(Mechanisms::of(&doc).rate_limit);
    }

    #[test]
    fn a_rate_limiter_block_counts_its_decisions() {
        let mut n = node_report("rate_limiter");
        n.detail = Some(NodeDetail::Limiter(LimiterDetail {
            limiter: LimiterReport {
                admitted: 90,
                rate_limited: 10,
                keys: 1,
                ..LimiterReport::default()
            },
        }));
        let doc = Topology::default();
        assert_eq!(
            node_block(&doc, "rl", &n).as_deref(),
            Some("rl: 90 admitted · 10 rate limited (429) · 1 key")
        );
    }

    #[test]
    fn guard_figures_show_what_is_used_or_happened() {
        let mut r: Report = serde_json::from_value(json!({
            "format": 1, "seed": 1, "duration_s": 1.0, "warmup_s": 0.0, "end_s": 1.0, "finished": true,
            "requests": {"sent": 0, "completed": 0, "failed": 0, "timed_out": 0, "rejected": 0,
                "in_flight": 0, "hop_limited": 0, "lost": 0},
            "latency_ms": {"mean": 0.0, "p50": 0.0, "p90": 0.0, "p95": 0.0, "p99": 0.0, "p999": 0.0,
                "max": 0.0, "network_mean": 0.0, "in_nodes_mean": 0.0},
            "throughput_rps": 0.0, "events": 0, "wall_ms": 0.0, "nodes": {},
            "series": {"interval_s": 1.0, "node_ids": [], "points": []}
        }))
        .expect("a report");
        let keys = |m: &Mechanisms, r: &Report| -> Vec<&str> {
            guard_figures(m, r).into_iter().map(|f| f.key).collect()
        };
        assert!(keys(&Mechanisms::default(), &r).is_empty());
        r.requests.outcomes[crate::report::Outcome::Blocked] = 3;
        assert_eq!(keys(&Mechanisms::default(), &r), ["blocked"]);
        let m = Mechanisms {
            retries: true,
            breakers: true,
            side_effects: true,
            ..Mechanisms::default()
        };
        assert_eq!(
            keys(&m, &r),
            [
                "blocked",
                "retries",
                "amplification",
                "duplicate_effects",
                "breaker_opens"
            ]
        );
        let amp = guard_figures(&m, &r)
            .into_iter()
            .find(|f| f.key == "amplification")
            .expect("amplification");
        assert_eq!((amp.value.as_str(), amp.unit), ("1.00", "×"));
    }

    #[test]
    fn cards_show_each_kind_of_rejection_compactly() {
        let mut n = node_report("waf");
        assert!(reject_badges(&n).is_empty());
        n.blocked = 45;
        n.rate_limited = 12_345;
        n.detail = Some(NodeDetail::Service(ServiceDetail {
            service: ServiceReport {
                shed: 67,
                bulkhead_rejected: 1_500,
                ..ServiceReport::default()
            },
        }));
        let b = reject_badges(&n);
        let texts: Vec<&str> = b.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["429 ×12k", "403 ×45", "shed 67", "bulkhead 1.5k"]);
        assert_eq!(b[0].title, "12345 rate limited (HTTP 429)");
        assert_eq!(compact(999), "999");
        assert_eq!(compact(2_500_000), "2.5M");
        assert_eq!(compact(25_000_000), "25M");
    }

    #[test]
    fn an_edge_with_a_breaker_lists_its_state_and_time_open() {
        let mut e = EdgeReport {
            calls: 100,
            attempts: 150,
            amplification: 1.5,
            ..EdgeReport::default()
        };
        let rows = edge_figures(&e);
        assert!(rows.contains(&("attempts", "150 attempts (1.50 per call)".to_string())));
        assert!(!rows.iter().any(|(k, _)| *k == "breaker"));
        assert!(!rows.iter().any(|(k, _)| *k == "retries"));
        e.breaker_state = Some("open".into());
        e.breaker_opens = 2;
        e.breaker_state_time = Some(BreakerStateTime {
            closed_s: 10.0,
            open_s: 4.25,
            half_open_s: 0.5,
        });
        let rows = edge_figures(&e);
        assert_eq!(rows[0], ("breaker", "breaker open".to_string()));
        assert!(rows.contains(&("opened", "opened 2×".to_string())));
        assert!(rows.contains(&("time_open", "open 4.2 s".to_string())));
    }

    #[test]
    fn a_gateway_block_names_its_routes_by_their_services() {
        let mut doc = Topology::default();
        doc.edges.push(Edge::new("gw", "users"));
        doc.edges.push(Edge::new("c", "gw"));
        doc.edges.push(Edge::new("gw", "orders"));
        let mut n = node_report("api_gateway");
        assert_eq!(node_block(&doc, "gw", &n), None);
        n.detail = Some(NodeDetail::Gateway(
            crate::components::gateway::GatewayDetail {
                gateway: crate::components::gateway::GatewayReport {
                    handshakes: 5,
                    routed: vec![7, 3],
                    ..Default::default()
                },
                limiter: None,
            },
        ));
        let line = node_block(&doc, "gw", &n).expect("a line");
        assert!(line.starts_with("gw: 5 TLS handshakes"), "{line}");
        assert!(line.ends_with("routed: users 7, orders 3"), "{line}");
    }
}
