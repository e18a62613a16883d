//! What the page shows of a run's guards — rate limits, firewalls, load shedding, bulkheads, retries,
//! circuit breakers, side effects — decided here rather than in the views: which mechanisms a diagram uses
//! (the legend and the metrics list only what can happen, plus anything that did), the rejection badges a
//! card shows (`429 ×123`, `403 ×45`, `shed 67`), the figures of a call edge and the one-line summaries of
//! a selected gateway, firewall or service. Pure functions of the diagram and the report.

use crate::components::rate_limiter::LimiterReport;
use crate::components::{Kind, NodeDetail, Params, parse_params};
use crate::report::{EdgeReport, NodeReport, Report};
use crate::topology::Topology;

mod events;

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
    if let Some(h) = &e.hedge {
        rows.push((
            "hedges",
            format!(
                "{} second copies (+{:.1} % calls)",
                h.hedges,
                h.extra_load * 100.0
            ),
        ));
        rows.push((
            "hedge_wins",
            format!("{} won by the second copy", h.hedge_wins),
        ));
        if h.cancelled > 0 {
            rows.push((
                "hedge_cancelled",
                format!("{} losers cancelled", h.cancelled),
            ));
        }
        rows.push((
            "hedge_p99",
            format!(
                "p99 {:.1} ms with the hedge, {:.1} ms for one copy",
                h.call_p99_ms, h.copy_p99_ms
            ),
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
    let login = crate::security::login(doc, id).map(|l| login_line(&l));
    let service = n.service().map(|s| {
        let mut line = format!(
            "{} shed · {} bulkhead rejected · {} effects · {} duplicate effects · {} deduplicated · {} in-progress conflicts",
            s.shed,
            s.bulkhead_rejected,
            s.effects,
            s.duplicate_effects,
            s.deduplicated,
            s.in_progress_conflicts
        );
        if s.handshakes > 0 {
            line.push_str(&format!(" · {} TLS handshakes", s.handshakes));
        }
        line
    });
    let parts: Vec<String> = [login, service].into_iter().flatten().collect();
    (!parts.is_empty()).then(|| format!("{id}: {}", parts.join(" · ")))
}

/// A login endpoint's part of its block: the hash per login, the capacity it leaves, and the attacker's
/// guesses a second offline and online (`crate::security`).
fn login_line(l: &crate::security::Login) -> String {
    let limit = l.limit.as_ref().map_or_else(
        || "no rate limit".to_string(),
        |(by, _)| format!("limit {by}"),
    );
    format!(
        "login: {} ms hashing per login · at most {:.1} logins/s · attacker offline {:.0} guesses/s ({} cores) · \
         online {:.1} guesses/s per address ({limit})",
        l.hash_ms,
        l.capacity_per_s,
        l.offline_guesses_per_s,
        crate::security::ATTACKER_CORES,
        l.online_guesses_per_s
    )
}

/// A login endpoint's figures for the inspector (`crate::security`): the hash per login, the most logins a
/// second it serves, the attacker's guesses a second offline and online; empty for any other node.
pub fn login_figures(doc: &Topology, id: &str) -> Vec<Figure> {
    let Some(l) = crate::security::login(doc, id) else {
        return Vec::new();
    };
    vec![
        figure(
            "login_hash",
            "password hash per login",
            format!("{}", l.hash_ms),
            "ms",
        ),
        figure(
            "login_capacity",
            "most logins served",
            format!("{:.1}", l.capacity_per_s),
            "/s",
        ),
        figure(
            "offline_guesses",
            "attacker's guesses offline (64 cores)",
            format!("{:.0}", l.offline_guesses_per_s),
            "/s",
        ),
        figure(
            "online_guesses",
            "attacker's guesses online, per address",
            format!("{:.1}", l.online_guesses_per_s),
            "/s",
        ),
    ]
}

/// A percentage as the figures show it: `34 %`, `<1 %` for a non-zero share under one percent.
fn pct(fraction: f64) -> String {
    let p = fraction * 100.0;
    if p > 0.0 && p < 0.5 {
        "<1 %".to_string()
    } else {
        format!("{p:.0} %")
    }
}

/// The end-to-end figures of the metrics panel, over the requests sent after the warm-up: latency
/// percentiles of the successes, throughput, the outcomes, and the mean latency split into network and
/// in-node time. While `warming` (the clock is inside the warm-up) nothing is measured yet, so every value
/// is "—"; a latency is also "—" until a request succeeded (a latency of nothing is not 0 ms).
pub fn run_figures(r: &Report, warming: bool) -> Vec<Figure> {
    let dash = || "—".to_string();
    let measured = !warming && r.requests.completed() > 0;
    let ms = |v: f64| if measured { format!("{v:.2}") } else { dash() };
    let n = |v: u64| if warming { dash() } else { v.to_string() };
    let q = &r.requests;
    vec![
        figure("p50", "p50", ms(r.latency_ms.p50), "ms"),
        figure("p95", "p95", ms(r.latency_ms.p95), "ms"),
        figure("p99", "p99", ms(r.latency_ms.p99), "ms"),
        figure(
            "throughput",
            "throughput",
            if warming {
                dash()
            } else {
                format!("{:.1}", r.throughput_rps)
            },
            "req/s",
        ),
        figure("completed", "succeeded", n(q.completed()), ""),
        figure("failed", "failed", n(q.failed()), ""),
        figure("timed_out", "timed out", n(q.timed_out()), ""),
        figure("rejected", "rejected", n(q.rejected()), ""),
        figure(
            "network_mean",
            "mean on the network",
            ms(r.latency_ms.network_mean),
            "ms",
        ),
        figure(
            "in_nodes_mean",
            "mean in nodes",
            ms(r.latency_ms.in_nodes_mean),
            "ms",
        ),
    ]
}

/// The keys of the charts the metrics panel draws: over the run, `latency` (p50/p95/p99 of successes),
/// `throughput` (successes per second) and `unsuccessful` (failed, timed out, rejected … per second); for the
/// selected node, `queue` (requests waiting; a broker's depth) and `busy` (workers busy, %).
pub const CHARTS: [&str; 5] = ["latency", "throughput", "unsuccessful", "queue", "busy"];

/// Where node `n` answered reads (`answered_here`: each level's count, `answered::of_node`; not for a
/// database without a buffer cache, which answers what reaches it) and a buffer cache's hit ratio.
fn answered_figures(n: &NodeReport) -> Vec<Figure> {
    let mut out = Vec::new();
    let parts: Vec<String> = crate::answered::of_node(n)
        .into_iter()
        .filter(|(level, _)| *level != "database")
        .map(|(level, count)| format!("{count} ({})", crate::answered::level_words(level)))
        .collect();
    if !parts.is_empty() {
        out.push(figure(
            "answered_here",
            "reads answered here",
            parts.join(", "),
            "",
        ));
    }
    if let Some(b) = n.database().and_then(|d| d.buffer_cache.as_ref()) {
        out.push(figure(
            "buffer_hit_ratio",
            "buffer cache hit ratio",
            if b.hits + b.misses > 0 {
                format!("{:.1}", b.hit_ratio * 100.0)
            } else {
                "—".into()
            },
            "%",
        ));
    }
    out
}

/// A client's own figures: what it sent and how each request ended (the guards' outcomes when it met one).
pub fn client_figures(q: &crate::report::Requests) -> Vec<Figure> {
    let resolved = q.sent.saturating_sub(q.in_flight);
    let mut out = vec![
        figure("sent", "sent", q.sent.to_string(), ""),
        figure("completed", "succeeded", q.completed().to_string(), ""),
        figure(
            "success_share",
            "success %",
            if resolved > 0 {
                pct(q.completed() as f64 / resolved as f64)
            } else {
                "—".into()
            },
            "",
        ),
        figure("failed", "failed", q.failed().to_string(), ""),
        figure("timed_out", "timed out", q.timed_out().to_string(), ""),
        figure("rejected", "rejected", q.rejected().to_string(), ""),
    ];
    for (key, label, v) in [
        ("rate_limited", "rate limited", q.rate_limited()),
        ("shed", "shed", q.shed()),
        ("blocked", "blocked", q.blocked()),
    ] {
        if v > 0 {
            out.push(figure(key, label, v.to_string(), ""));
        }
    }
    out
}

/// Every client's own figures, for diagrams with more than one client (a comparison scenario feeds each
/// variant from its own client, so the totals alone would sum both systems).
pub fn per_client(r: &Report) -> Vec<(String, Vec<Figure>)> {
    let rows: Vec<(String, Vec<Figure>)> = r
        .nodes
        .iter()
        .filter_map(|(id, n)| Some((id.clone(), client_figures(n.requests()?))))
        .collect();
    if rows.len() > 1 { rows } else { Vec::new() }
}

/// A selected node's figures for the inspector: its load over the recent window and the run (utilisation,
/// queue, arrivals, served, dropped, errors, mean and p99 time), then its kind's own (a cache's hit ratio,
/// evictions, stale reads and lost writes; a client's sent and outcomes and DNS cache; a database's reads,
/// writes, stale reads, lost writes, conflicts and failovers; a broker's message counts).
pub fn node_figures(n: &NodeReport, recent: Option<&crate::explain::NodeRecent>) -> Vec<Figure> {
    let mut out = Vec::new();
    let is_client = n.kind == Kind::Client;
    let workers = recent.map_or(n.utilization > 0.0, |t| t.has_workers) || n.utilization > 0.0;
    if workers {
        if let Some(t) = recent {
            out.push(figure(
                "utilization_recent",
                "busy, last 5 s",
                format!("{:.1}", t.utilization * 100.0),
                "%",
            ));
            out.push(figure("queue", "waiting now", t.queue.to_string(), ""));
        }
        out.push(figure(
            "utilization",
            "busy, run average",
            format!("{:.1}", n.utilization * 100.0),
            "%",
        ));
        out.push(figure(
            "mean_queue",
            "mean queue",
            format!("{:.2}", n.mean_queue),
            "",
        ));
    }
    if let Some(q) = n.requests().filter(|_| is_client) {
        out.extend(client_figures(q));
    } else {
        out.push(figure("arrivals", "arrivals", n.arrivals.to_string(), ""));
        out.push(figure("served", "served", n.served.to_string(), ""));
        out.push(figure("dropped", "dropped", n.dropped.to_string(), ""));
        out.push(figure("errors", "errors", n.errors.to_string(), ""));
        out.push(figure(
            "mean_time",
            "mean time",
            format!("{:.2}", n.mean_time_ms),
            "ms",
        ));
        out.push(figure(
            "p99_time",
            "p99 time",
            format!("{:.2}", n.p99_time_ms),
            "ms",
        ));
    }
    if let Some(f) = n.detail.as_ref().and_then(NodeDetail::fleet) {
        out.extend(fleet_figures(f));
    }
    if let Some(h) = n.http_cache() {
        out.push(figure(
            "http_fresh",
            "answered on the device (fresh)",
            format!("{} ({:.1} %)", h.fresh_hits, h.local_share * 100.0),
            "",
        ));
        out.push(figure(
            "http_revalidated",
            "revalidated (of them 304)",
            format!("{} ({})", h.revalidations, h.not_modified),
            "",
        ));
        out.push(figure(
            "http_misses",
            "sent uncached",
            h.misses.to_string(),
            "",
        ));
    }
    if let Some(c) = n.cache() {
        let dns = !matches!(
            Some(n.kind),
            Some(Kind::Cache | Kind::CdnEdge | Kind::ForwardProxy)
        );
        if dns {
            out.push(figure("dns_hits", "DNS cache hits", c.hits.to_string(), ""));
            out.push(figure(
                "dns_misses",
                "DNS cache misses (lookups)",
                c.misses.to_string(),
                "",
            ));
        } else {
            let reads = c.hits + c.misses;
            out.push(figure(
                "hit_ratio",
                "hit ratio, run average",
                if reads > 0 {
                    format!("{:.1}", c.hit_ratio * 100.0)
                } else {
                    "—".into()
                },
                "%",
            ));
            if let Some(r) = recent.and_then(crate::explain::NodeRecent::hit_ratio) {
                out.push(figure(
                    "hit_ratio_recent",
                    "hit ratio, last 5 s",
                    format!("{:.1}", r * 100.0),
                    "%",
                ));
            }
            for (key, label, v) in [
                ("hits", "hits", c.hits),
                ("misses", "misses", c.misses),
                ("evictions", "evictions", c.evictions),
                ("expirations", "expirations", c.expirations),
                ("stale_reads", "stale reads", c.stale_reads),
                ("lost_writes", "lost writes", c.lost_writes),
                ("coalesced", "coalesced misses", c.coalesced),
                ("refreshes", "refreshes", c.refreshes),
                ("entries", "entries held", c.entries),
            ] {
                out.push(figure(key, label, v.to_string(), ""));
            }
        }
    }
    out.extend(answered_figures(n));
    if let Some(d) = n.database() {
        for (key, label, v) in [
            ("db_reads", "reads", d.reads),
            ("db_writes", "writes", d.writes),
            ("stale_reads", "stale reads", d.stale_reads),
            ("lost_writes", "lost writes", d.lost_writes),
            ("conflicts", "conflicts", d.conflicts),
            ("failovers", "failovers", d.failovers),
        ] {
            out.push(figure(key, label, v.to_string(), ""));
        }
        if d.rpo_ms > 0.0 || d.rto_ms > 0.0 {
            out.push(figure(
                "rpo",
                "RPO: acknowledged writes lost (span)",
                format!("{} ({:.0} ms)", d.lost_writes, d.rpo_ms),
                "",
            ));
            out.push(figure(
                "rto",
                "RTO: time without a primary",
                format!("{:.0}", d.rto_ms),
                "ms",
            ));
        }
        if let Some(l) = &d.locks {
            out.extend(lock_figures(l));
        }
    }
    if let Some(k) = n.kv() {
        out.extend(kv_figures(k));
    }
    if let Some(p) = &n.plan {
        out.extend(plan_figures(p));
    }
    if let Some(m) = n.messaging() {
        for (key, label, v) in [
            ("published", "published", m.published),
            ("acknowledged", "acknowledged", m.acknowledged),
            ("msg_dropped", "messages dropped", m.dropped),
            ("dead_lettered", "dead-lettered", m.dead_lettered),
            ("duplicates", "duplicates", m.duplicates),
            ("depth", "waiting messages", m.depth),
        ] {
            out.push(figure(key, label, v.to_string(), ""));
        }
        out.push(figure(
            "oldest_age",
            "oldest waiting",
            format!("{:.0}", m.oldest_age_ms),
            "ms",
        ));
        out.push(figure(
            "mean_wait",
            "mean wait",
            format!("{:.1}", m.mean_wait_ms),
            "ms",
        ));
        for g in &m.consumers {
            out.push(Figure {
                key: "consumer_delivered",
                label: "delivered to a subscriber",
                value: format!("{} {}", g.node, g.delivered),
                unit: "",
            });
        }
    }
    out.extend(events::figures(n));
    out
}

/// A parallel or `first_k` call plan's figures: how many calls each request sends and waits for, the plan's
/// median and p99 wait beside one call's median and p99 (the fan-out tail is the gap between them), and the
/// plans that failed or answered partially.
fn plan_figures(p: &crate::report::PlanReport) -> Vec<Figure> {
    let ms = |v: f64| format!("{v:.1}");
    let mut out = vec![
        figure(
            "plan_calls",
            "calls per request (answers needed)",
            format!("{} ({})", p.calls_per_request, p.answers_needed),
            "",
        ),
        figure(
            "plan_wait_p50",
            "plan wait, median",
            ms(p.wait_p50_ms),
            "ms",
        ),
        figure("plan_wait_p99", "plan wait, p99", ms(p.wait_p99_ms), "ms"),
        figure("call_p50", "one call, median", ms(p.call_p50_ms), "ms"),
        figure("call_p99", "one call, p99", ms(p.call_p99_ms), "ms"),
    ];
    if p.failed > 0 {
        out.push(figure(
            "plan_failed",
            "plans failed",
            p.failed.to_string(),
            "",
        ));
    }
    if p.partial > 0 {
        out.push(figure(
            "plan_partial",
            "partial answers (calls missing)",
            format!("{} ({})", p.partial, p.missing),
            "",
        ));
    }
    out
}

/// A replicated store's figures: what a partition cost (refused, availability on each side), what it did
/// to the data (stale reads, conflicts, lost updates, keys diverged) and how long the heal took to converge.
fn kv_figures(k: &crate::components::KvReport) -> Vec<Figure> {
    let during = k.during();
    let mut out = vec![
        figure("kv_reads", "reads answered", k.reads.to_string(), ""),
        figure("kv_writes", "writes acknowledged", k.writes.to_string(), ""),
        figure(
            "kv_refused",
            "refused (no quorum)",
            (k.refused_reads + k.refused_writes).to_string(),
            "",
        ),
        figure(
            "kv_failed",
            "timed out",
            (k.failed_reads + k.failed_writes).to_string(),
            "",
        ),
        figure(
            "stale_reads",
            "stale reads",
            format!("{} of {}", k.stale_reads, k.reads_after_write),
            "",
        ),
        figure("conflicts", "conflicts", k.conflicts.to_string(), ""),
        figure(
            "lost_updates",
            "lost updates",
            k.lost_updates.to_string(),
            "",
        ),
        figure(
            "diverged_keys",
            "keys diverged now (most)",
            format!("{} ({})", k.diverged_keys, k.max_diverged_keys),
            "",
        ),
        figure(
            "kv_read_p50",
            "read latency p50",
            format!("{:.2}", k.read_ms.p50),
            "ms",
        ),
    ];
    if k.split_s > 0.0 {
        out.push(figure(
            "availability_split",
            "available during partition",
            format!("{:.1}", during.share() * 100.0),
            "%",
        ));
        out.push(figure(
            "availability_normal",
            "available otherwise",
            format!("{:.1}", k.normal.share() * 100.0),
            "%",
        ));
    }
    if let Some(h) = k.heals.last() {
        out.push(figure(
            "converge",
            "time to converge after heal",
            h.converge_ms
                .map_or("not yet".to_string(), |ms| format!("{ms:.0}")),
            if h.converge_ms.is_some() { "ms" } else { "" },
        ));
    }
    out
}

/// The one figure a card shows beside its badges while running, when its kind has one worth a glance: a
/// cache's hit ratio over the recent window (else the run), a client's share of requests that succeeded, a
/// database's stale reads or lost writes. `(key, text, tooltip)`.
pub fn card_figure(
    n: &NodeReport,
    recent: Option<&crate::explain::NodeRecent>,
) -> Option<(&'static str, String, String)> {
    if let Some(c) = n.cache().filter(|_| {
        matches!(
            Some(n.kind),
            Some(Kind::Cache | Kind::CdnEdge | Kind::ForwardProxy)
        )
    }) {
        let (ratio, when) = match recent.and_then(crate::explain::NodeRecent::hit_ratio) {
            Some(r) => (r, "last 5 s"),
            None if c.hits + c.misses > 0 => (c.hit_ratio, "whole run"),
            None => return None,
        };
        let mut title = format!("hit ratio {} ({when})", pct(ratio));
        if c.lost_writes > 0 {
            title.push_str(&format!(" · {} lost writes", c.lost_writes));
        }
        let text = if c.lost_writes > 0 {
            format!("hit {} · lost {}", pct(ratio), compact(c.lost_writes))
        } else {
            format!("hit {}", pct(ratio))
        };
        return Some(("hit_ratio", text, title));
    }
    if let Some(q) = n.requests().filter(|_| n.kind == Kind::Client) {
        let resolved = q.sent.saturating_sub(q.in_flight);
        if resolved == 0 {
            return None;
        }
        let share = q.completed() as f64 / resolved as f64;
        return Some((
            "success_share",
            format!("ok {}", pct(share)),
            format!(
                "{} of {} requests succeeded ({})",
                q.completed(),
                resolved,
                pct(share)
            ),
        ));
    }
    if let Some(d) = n.database() {
        if d.lost_writes > 0 {
            return Some((
                "lost_writes",
                format!("lost {}", compact(d.lost_writes)),
                format!("{} acknowledged writes lost at failover", d.lost_writes),
            ));
        }
        if d.stale_reads > 0 && d.reads > 0 {
            let share = d.stale_reads as f64 / d.reads as f64;
            return Some((
                "stale_reads",
                format!("stale {}", pct(share)),
                format!(
                    "{} of {} reads stale ({})",
                    d.stale_reads,
                    d.reads,
                    pct(share)
                ),
            ));
        }
        if let Some(b) = d.buffer_cache.as_ref().filter(|b| b.hits + b.misses > 0) {
            return Some((
                "buffer_hit_ratio",
                format!("mem {}", pct(b.hit_ratio)),
                format!(
                    "buffer cache: {} reads from memory, {} from disk ({} from memory, whole run)",
                    b.hits,
                    b.misses,
                    pct(b.hit_ratio)
                ),
            ));
        }
    }
    if let Some(f) = events::card_figure(n) {
        return Some(f);
    }
    if let Some(k) = n.kv() {
        let refused = k.refused_reads + k.refused_writes;
        if k.lost_updates > 0 {
            return Some((
                "lost_updates",
                format!("lost {}", compact(k.lost_updates)),
                format!(
                    "{} acknowledged writes lost to last-writer-wins ({} conflicts)",
                    k.lost_updates, k.conflicts
                ),
            ));
        }
        if refused > 0 {
            return Some((
                "kv_refused",
                format!("refused {}", compact(refused)),
                format!("{refused} operations refused: no quorum on their side"),
            ));
        }
        if k.diverged_keys > 0 {
            return Some((
                "diverged_keys",
                format!("diverged {}", compact(k.diverged_keys)),
                format!("{} keys differ between replicas now", k.diverged_keys),
            ));
        }
    }
    None
}

/// Something a scenario's "watch" line asks the learner to look at, which the page must be able to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// a node figure (`node_figures` key) of some node of one of these kinds (any kind when empty)
    Node(&'static str, &'static [Kind]),
    /// an end-to-end figure (`run_figures` key)
    Run(&'static str),
    /// a chart (`CHARTS` key)
    Chart(&'static str),
    /// a guard figure (`guard_figures` key)
    Guard(&'static str),
    /// a "why" finding whose text contains this
    Finding(&'static str),
    /// a call edge's figures (`edge_figures`)
    EdgeFigures,
    /// a circuit breaker's state on its edge
    Breaker,
    /// a node's guard block (`node_block`) of one of these kinds
    Block(&'static [Kind]),
    /// a database's per-shard or per-instance line
    DatabaseParts,
    /// a call edge's figure (`edge_figures` key) on some edge
    EdgeFigure(&'static str),
}

/// The words of a watch line and what each asks the page to show. Checked by `tests/it/watch.rs` against every
/// scenario: each line must match at least one entry, and each match must be shown for that scenario's run.
pub const WATCH_WORDS: &[(&str, Need)] = &[
    ("lock waits", Need::Node("lock_waits", &[Kind::Database])),
    ("deadlocks", Need::Node("deadlocks", &[Kind::Database])),
    ("aborts", Need::Node("tx_aborts", &[Kind::Database])),
    ("lock contention finding", Need::Finding("lock contention")),
    ("guesses offline", Need::Block(&[Kind::Server])),
    (
        "logins are cpu-bound",
        Need::Finding("logins are CPU-bound"),
    ),
    (
        "tls handshakes",
        Need::Block(&[Kind::ApiGateway, Kind::Server]),
    ),
    ("terminates tls", Need::Finding("terminates TLS")),
    ("session lookups", Need::Block(&[Kind::ApiGateway])),
    ("on the device", Need::Node("http_fresh", &[Kind::Client])),
    (
        "revalidations",
        Need::Node("http_revalidated", &[Kind::Client]),
    ),
    ("sent uncached", Need::Node("http_misses", &[Kind::Client])),
    ("latency split", Need::Run("network_mean")),
    (
        "network part of the mean latency",
        Need::Run("network_mean"),
    ),
    ("network versus in nodes", Need::Run("in_nodes_mean")),
    ("utilisation", Need::Node("utilization", &[])),
    ("arrivals at each", Need::Node("arrivals", &[])),
    ("dns cache", Need::Node("dns_misses", &[Kind::Client])),
    ("mean time", Need::Node("mean_time", &[])),
    (
        "where each read was answered",
        Need::Node("answered_here", &[]),
    ),
    (
        "buffer cache hit ratio",
        Need::Node("buffer_hit_ratio", &[Kind::Database]),
    ),
    (
        "hit ratio",
        Need::Node(
            "hit_ratio",
            &[Kind::Cache, Kind::CdnEdge, Kind::ForwardProxy],
        ),
    ),
    ("p99", Need::Node("p99_time", &[])),
    ("queue", Need::Node("mean_queue", &[])),
    ("dropped", Need::Node("dropped", &[])),
    ("lost writes", Need::Node("lost_writes", &[Kind::Cache])),
    (
        "failed requests in the time series",
        Need::Chart("unsuccessful"),
    ),
    ("throughput", Need::Chart("throughput")),
    ("falling to zero", Need::Chart("busy")),
    ("depth", Need::Chart("queue")),
    ("mean wait", Need::Node("mean_wait", &[Kind::Queue])),
    ("end-to-end latency", Need::Run("p99")),
    (
        "delivered counts",
        Need::Node("consumer_delivered", &[Kind::Topic]),
    ),
    (
        "oldest message age",
        Need::Node("oldest_age", &[Kind::Queue]),
    ),
    ("latency in the metrics panel", Need::Run("p99")),
    (
        "stale reads",
        Need::Node("stale_reads", &[Kind::Database, Kind::KvStore]),
    ),
    ("which replicas", Need::DatabaseParts),
    ("replicas' share", Need::DatabaseParts),
    ("primary's reads", Need::DatabaseParts),
    ("per-shard", Need::DatabaseParts),
    ("amplification", Need::Guard("amplification")),
    ("call figures", Need::EdgeFigures),
    ("retry-storm finding", Need::Finding("retry storm")),
    (
        "sent, completed and rate limited",
        Need::Node("rate_limited", &[Kind::Client]),
    ),
    (
        "admitted and rate-limited",
        Need::Block(&[Kind::RateLimiter, Kind::ApiGateway]),
    ),
    ("breaker's state", Need::Breaker),
    ("fast failures in the edge figures", Need::EdgeFigures),
    ("circuit-breaker finding", Need::Finding("circuit breaker")),
    ("requests served", Need::Node("served", &[Kind::Server])),
    ("bulkhead rejections", Need::Block(&[Kind::Server])),
    ("why panel", Need::Finding("")),
    ("duplicate effects", Need::Guard("duplicate_effects")),
    ("dedupe store", Need::Block(&[Kind::Server])),
    ("refused while the first", Need::Block(&[Kind::Server])),
    (
        "call plan figures",
        Need::Node("plan_wait_p99", &[Kind::Server]),
    ),
    ("second copies", Need::EdgeFigure("hedges")),
    ("the ones that won", Need::EdgeFigure("hedge_wins")),
    ("fan-out tail finding", Need::Finding("fan-out tail")),
    (
        "reads and writes",
        Need::Node("db_reads", &[Kind::Database]),
    ),
    ("blocked counts", Need::Node("blocked", &[Kind::Client])),
    ("blocks by rule", Need::Block(&[Kind::Waf])),
    ("routed counts", Need::Block(&[Kind::ApiGateway])),
    (
        "refused (no quorum)",
        Need::Node("kv_refused", &[Kind::KvStore]),
    ),
    ("lost updates", Need::Node("lost_updates", &[Kind::KvStore])),
    (
        "keys diverged",
        Need::Node("diverged_keys", &[Kind::KvStore]),
    ),
    ("time to converge", Need::Node("converge", &[Kind::KvStore])),
    ("instances ready", Need::Node("instances", &[Kind::Server])),
    (
        "mean instances",
        Need::Node("mean_instances", &[Kind::Server]),
    ),
    (
        "scaling actions",
        Need::Node("scale_events", &[Kind::Server]),
    ),
    (
        "read latency p50",
        Need::Node("kv_read_p50", &[Kind::KvStore]),
    ),
    (
        "sagas completed",
        Need::Node("saga_completed", &[Kind::Saga]),
    ),
    (
        "sagas compensated",
        Need::Node("saga_compensated", &[Kind::Saga]),
    ),
    (
        "compensations run",
        Need::Node("saga_compensations", &[Kind::Saga]),
    ),
    (
        "time inconsistent",
        Need::Node("saga_inconsistent", &[Kind::Saga]),
    ),
    ("saga messages", Need::Node("saga_messages", &[Kind::Saga])),
    (
        "projection lag",
        Need::Node("proj_lag", &[Kind::Projection]),
    ),
    ("stale share", Need::Node("proj_stale", &[Kind::Projection])),
    (
        "events behind",
        Need::Node("proj_behind", &[Kind::Projection]),
    ),
    (
        "rebuild time",
        Need::Node("proj_rebuild", &[Kind::Projection]),
    ),
];

/// An autoscaled server's figures: instances now (booting, draining), the mean billed and the actions.
fn fleet_figures(f: &crate::components::server::fleet::FleetReport) -> Vec<Figure> {
    vec![
        figure(
            "instances",
            "instances ready (booting, draining)",
            format!("{} ({}, {})", f.instances, f.booting, f.draining),
            "",
        ),
        figure(
            "mean_instances",
            "mean instances billed (peak)",
            format!("{:.2} ({})", f.mean_instances, f.peak_instances),
            "",
        ),
        figure(
            "fleet_busy",
            "busy, of the instances serving",
            format!("{:.1}", f.utilization * 100.0),
            "%",
        ),
        figure(
            "scale_events",
            "scaling actions out / in",
            format!("{} / {}", f.scale_outs, f.scale_ins),
            "",
        ),
    ]
}

/// A database's transaction figures (`row_locks`): lock waits (share, rate, mean, p99), deadlocks and aborts.
fn lock_figures(l: &crate::components::database::LockReport) -> Vec<Figure> {
    let share = if l.acquisitions > 0 {
        l.waits as f64 / l.acquisitions as f64
    } else {
        0.0
    };
    vec![
        figure(
            "lock_waits",
            "lock waits (share of locks, per second)",
            format!(
                "{} ({:.0} %, {:.1}/s)",
                l.waits,
                share * 100.0,
                l.waits_per_s
            ),
            "",
        ),
        figure(
            "lock_wait_mean",
            "mean lock wait",
            format!("{:.1}", l.wait_mean_ms),
            "ms",
        ),
        figure(
            "lock_wait_p99",
            "p99 lock wait",
            format!("{:.1}", l.wait_p99_ms),
            "ms",
        ),
        figure(
            "deadlocks",
            "deadlocks (per second)",
            format!("{} ({:.2}/s)", l.deadlocks, l.deadlocks_per_s),
            "",
        ),
        figure(
            "tx_aborts",
            "transactions aborted (per second)",
            format!("{} ({:.1}/s)", l.aborts, l.aborts_per_s),
            "",
        ),
        figure(
            "tx_gave_up",
            "writes failed after their retries",
            l.gave_up.to_string(),
            "",
        ),
    ]
}

/// What a watch line asks the page to show (lower-cased matching of [`WATCH_WORDS`]).
pub fn watch_needs(line: &str) -> Vec<Need> {
    let lower = line.to_lowercase();
    WATCH_WORDS
        .iter()
        .filter(|(w, _)| lower.contains(w))
        .map(|(_, n)| *n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
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
