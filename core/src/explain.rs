//! The "why" panel: names bottlenecks and failure sources in plain words, computed from a run's report, the
//! diagram and the faults applied to the run, never canned. "db1 is the bottleneck: it is at 100 %
//! utilisation in the last 5 s and its queue grows by 340 requests/s; p99 went from 40 ms to 2.1 s since 00:12".
//!
//! It reads the same [`Recent`] window as the cards' alarms and the metrics panel's recent figures (see
//! `recent`), so a card outlined as saturated is the node named as the bottleneck, with the same percentage.
//! A saturated node whose callees are not saturated is the bottleneck; a saturated node that calls a saturated
//! node is busy only because its workers wait on that callee, and is said so. Faults are named with who applied
//! them: you (by hand, during the run) or the diagram's (a scenario's) plan. Findings never contradict each
//! other: "No bottleneck" is said only when no node is saturated and nothing was lost.

mod architecture;
mod connections;
mod events;
pub mod fanout;
pub mod links;
mod locks;
mod proxy;
mod realtime;
pub mod recent;
mod screens;
mod security;
mod uploads;
mod webhooks;

use crate::components::{DatabaseParams, Kind, Params, parse_params};
use crate::report::{Outcome, Report, SeriesPoint};
use crate::time::SimTime;
use crate::topology::{FaultAction, Topology};
pub use recent::{History, NodeRecent, Recent, SATURATED, WINDOW_S};

/// Share of arrivals a node may turn away or fail before it is worth a finding [0..1].
const NOTABLE_LOSS: f64 = 0.01;
/// p99 counts as having degraded when it exceeds its early value by this factor.
const DEGRADED_FACTOR: f64 = 2.0;
/// A cache's hit ratio has fallen when the window's is at least this much below the one before it [0..1] …
const FALL_POINTS: f64 = 0.10;
/// … and the fall is this many standard errors of the window's ratio (√(p(1−p)/n) with p the ratio before and
/// n the window's reads): not the noise of a few reads …
const FALL_STANDARD_ERRORS: f64 = 4.0;
/// … with at least this many reads in the window and before it.
const FALL_MIN_READS: u64 = 50;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// the system copes; a fact worth knowing
    Info,
    /// something is losing requests or close to its limit
    Warning,
    /// the system cannot keep up
    Critical,
}

/// One sentence of explanation, about a node or the whole system.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// how bad it is
    pub level: Level,
    /// the node it is about, if any (the UI links it to the canvas)
    pub node: Option<String>,
    /// the sentence, plain words and measured figures
    pub text: String,
}

/// Who applied a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    /// the person, during the run (the page's fault buttons, the traffic spike)
    You,
    /// the diagram's planned faults (a scenario's script)
    Plan,
}

/// A fault applied to the run by its clock.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// when [s of simulated time]
    pub at_s: f64,
    /// what
    pub action: FaultAction,
    /// who
    pub by: By,
}

/// The faults applied to a run up to its clock, in time order, and how to name their author.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    list: Vec<Applied>,
    /// "the scenario" or "the diagram": whose plan the planned faults are
    plan: &'static str,
}

impl Faults {
    /// The diagram's planned faults and those applied by hand (`hand`, with the time each was applied),
    /// those at or before `now_s`. `scenario`: the diagram is a gallery scenario (its faults are its script).
    pub fn new(
        topology: &Topology,
        hand: &[(SimTime, FaultAction)],
        now_s: f64,
        scenario: bool,
    ) -> Faults {
        let mut list: Vec<Applied> = topology
            .faults
            .iter()
            .filter(|f| f.at_s <= now_s)
            .map(|f| Applied {
                at_s: f.at_s,
                action: f.action.clone(),
                by: By::Plan,
            })
            .chain(
                hand.iter()
                    .filter(|(t, _)| t.as_secs() <= now_s)
                    .map(|(t, a)| Applied {
                        at_s: t.as_secs(),
                        action: a.clone(),
                        by: By::You,
                    }),
            )
            .collect();
        // Stable: planned before hand-applied at the same instant, as the engine queues them.
        crate::sorting::sort_by(&mut list, |a, b| a.at_s.total_cmp(&b.at_s));
        Faults {
            list,
            plan: if scenario {
                "the scenario"
            } else {
                "the diagram"
            },
        }
    }

    /// The faults, in time order.
    pub fn applied(&self) -> &[Applied] {
        &self.list
    }

    /// "you killed it at 00:12" / "the scenario killed it at 00:45" for a fault, with `verb` in the past.
    fn said(&self, a: &Applied, verb: &str) -> String {
        let who = match a.by {
            By::You => "you",
            By::Plan => self.plan,
        };
        format!("{who} {verb} at {}", clock(a.at_s))
    }

    /// The kill that keeps `node` down now, if it is down.
    fn down_now(&self, node: &str) -> Option<&Applied> {
        self.list
            .iter()
            .rev()
            .find(|a| match &a.action {
                FaultAction::Kill { node: n } | FaultAction::Revive { node: n } => n == node,
                _ => false,
            })
            .filter(|a| matches!(a.action, FaultAction::Kill { .. }))
    }

    /// The last kill of `node` and the revive after it, if any.
    fn last_outage(&self, node: &str) -> Option<(&Applied, Option<&Applied>)> {
        let i = self
            .list
            .iter()
            .rposition(|a| matches!(&a.action, FaultAction::Kill { node: n } if n == node))?;
        let revive = self.list[i..]
            .iter()
            .find(|a| matches!(&a.action, FaultAction::Revive { node: n } if n == node));
        Some((&self.list[i], revive))
    }

    /// "you killed it at 00:12 and revived it at 00:30" for the last outage of `node`.
    fn outage_words(&self, node: &str) -> Option<String> {
        let (kill, revive) = self.last_outage(node)?;
        let mut s = self.said(kill, "killed it");
        if let Some(r) = revive {
            if r.by == kill.by {
                s.push_str(&format!(" and revived it at {}", clock(r.at_s)));
            } else {
                s.push_str(&format!("; {}", self.said(r, "revived it")));
            }
        }
        Some(s)
    }

    /// The slow-down in force at `node` (factor ≠ 1) and the fault that set it.
    fn slowed(&self, node: &str) -> Option<(f64, &Applied)> {
        self.list
            .iter()
            .rev()
            .find_map(|a| match &a.action {
                FaultAction::Slow { node: n, factor } if n == node => Some((*factor, a)),
                _ => None,
            })
            .filter(|(f, _)| (*f - 1.0).abs() > 1e-9)
    }

    /// The traffic spikes in force at `now_s`: the fault, its factor and when it ends.
    fn spikes(&self, now_s: f64) -> Vec<(&Applied, f64, f64)> {
        self.list
            .iter()
            .filter_map(|a| match &a.action {
                FaultAction::Spike { factor, duration_s } if a.at_s + duration_s > now_s => {
                    Some((a, *factor, a.at_s + duration_s))
                }
                _ => None,
            })
            .collect()
    }

    /// The cut that keeps the link `edge` (a name) cut now, if it is cut.
    fn cut_now(&self, edge: &str) -> Option<&Applied> {
        self.list
            .iter()
            .rev()
            .find(|a| match &a.action {
                FaultAction::CutLink { edge: e } | FaultAction::HealLink { edge: e } => e == edge,
                _ => false,
            })
            .filter(|a| matches!(a.action, FaultAction::CutLink { .. }))
    }
}

/// Explains a finished (or partial) report with no history: the window's counts are the whole run's, and the
/// only faults known are the diagram's planned ones.
pub fn explain(topology: &Topology, report: &Report) -> Vec<Finding> {
    let recent = Recent::of(report, None);
    let faults = Faults::new(topology, &[], report.end_s, false);
    explain_run(topology, report, &recent, &faults)
}

/// Explains a run as it stands: `recent` is the window the cards and metrics show (see [`Recent::of`]),
/// `faults` what was applied to it and by whom. Findings come worst first.
pub fn explain_run(
    topology: &Topology,
    report: &Report,
    recent: &Recent,
    faults: &Faults,
) -> Vec<Finding> {
    let saturated = recent.saturated();
    let span = recent.span_words();
    let busy = recent.busy_words();
    let now_s = report.end_s;
    let callees = |id: &str| -> Vec<&str> {
        topology
            .edges
            .iter()
            .filter(|e| e.from == id)
            .map(|e| e.to.as_str())
            .collect()
    };
    let latency = latency_change(report);
    let spikes = faults.spikes(now_s);
    let mut out = Vec::new();

    for (a, factor, until) in &spikes {
        out.push(Finding {
            level: Level::Info,
            node: None,
            text: format!(
                "a traffic spike is in force until {}: {}, so every client sends {}× its rate",
                clock(*until),
                faults.said(a, &format!("applied ×{} traffic", round_sig(*factor))),
                round_sig(*factor)
            ),
        });
    }

    for &id in &saturated {
        let t = &recent.nodes[id];
        let busy_callees: Vec<&str> = callees(id)
            .into_iter()
            .filter(|c| saturated.contains(c))
            .collect();
        if let Some(callee) = busy_callees.first() {
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.to_string()),
                text: format!(
                    "{id} is at {} utilisation {busy} because its workers wait on {callee}, which is saturated itself",
                    percent(t.utilization)
                ),
            });
            continue;
        }
        let mut text = format!(
            "{id} is the bottleneck: it is at {} utilisation {busy}",
            percent(t.utilization)
        );
        // Callers that block on it hold their workers while waiting, so the backlog may build up in a
        // caller's queue rather than its own.
        let piling_caller = topology
            .edges
            .iter()
            .filter(|e| e.to == id && saturated.contains(&e.from.as_str()))
            .filter_map(|e| {
                recent
                    .nodes
                    .get(&e.from)
                    .map(|c| (e.from.as_str(), c.queue_growth))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if t.queue_growth >= 1.0 {
            text.push_str(&format!(
                " and its queue grows by {} requests/s",
                round_sig(t.queue_growth)
            ));
        } else if let Some((caller, growth)) = piling_caller.filter(|c| c.1 >= 1.0) {
            text.push_str(&format!(
                ", so the queue of {caller} in front of it grows by {} requests/s",
                round_sig(growth)
            ));
        } else if t.queue > 0 {
            text.push_str(&format!(" with {} requests waiting in its queue", t.queue));
        }
        if t.dropped > 0 {
            text.push_str(&format!(
                "; it turned away {} requests {span} (its queue was full)",
                t.dropped
            ));
        }
        if let Some((factor, a)) = faults.slowed(id) {
            text.push_str(&format!(
                "; it runs ×{} slower: {}",
                round_sig(factor),
                faults.said(a, &format!("slowed it ×{}", round_sig(factor)))
            ));
        }
        if let Some((_, factor, _)) = spikes.first() {
            text.push_str(&format!(" during the ×{} spike", round_sig(*factor)));
        }
        if let Some(change) = &latency {
            text.push_str(&format!("; {change}"));
        }
        out.push(Finding {
            level: Level::Critical,
            node: Some(id.to_string()),
            text,
        });
    }

    // Nodes down now, and links cut now: named with who did it.
    let mut down = Vec::new();
    for id in report.nodes.keys() {
        if let Some(kill) = faults.down_now(id) {
            down.push(id.as_str());
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{id} is down: {} (a fault{}); what is sent to it fails until it is revived",
                    faults.said(kill, "killed it"),
                    if kill.by == By::You {
                        " applied by hand"
                    } else {
                        " in the plan"
                    }
                ),
            });
        }
    }
    for e in &topology.edges {
        let name = e.name();
        if let Some(cut) = faults.cut_now(&name) {
            out.push(Finding {
                level: Level::Warning,
                node: Some(e.from.clone()),
                text: format!(
                    "the link {} → {} is cut: {}; calls over it fail at once",
                    e.from,
                    e.to,
                    faults.said(cut, "cut it")
                ),
            });
        }
    }
    for (id, (factor, a)) in report
        .nodes
        .keys()
        .filter(|id| !saturated.contains(&id.as_str()))
        .filter_map(|id| Some((id, faults.slowed(id)?)))
    {
        out.push(Finding {
            level: Level::Info,
            node: Some(id.clone()),
            text: format!(
                "{id} runs ×{} slower: {}",
                round_sig(factor),
                faults.said(a, &format!("slowed it ×{}", round_sig(factor)))
            ),
        });
    }

    // Losses: over the window when there is one; a notable loss earlier in the run is still told, as past.
    for (id, n) in &report.nodes {
        let t = recent.nodes.get(id).cloned().unwrap_or_default();
        let outage = faults.outage_words(id);
        let cause = |dropped: bool| match (&outage, dropped) {
            (Some(o), true) => format!("it was down ({o})"),
            (None, true) => "its queue was full".to_string(),
            (Some(o), false) => format!("including while it was down ({o})"),
            (None, false) => String::new(),
        };
        let mut told = false;
        for (arrivals, dropped, errors, past) in [
            (t.arrivals, t.dropped, t.errors, false),
            (n.arrivals, n.dropped, n.errors, true),
        ] {
            if told || arrivals == 0 || (past && !recent.windowed) {
                continue;
            }
            let when = if past && recent.windowed {
                "over the run".to_string()
            } else {
                span.clone()
            };
            let level = if past { Level::Info } else { Level::Warning };
            let share = |v: u64| v as f64 / arrivals as f64;
            if share(dropped) >= NOTABLE_LOSS {
                told = true;
                out.push(Finding {
                    level,
                    node: Some(id.clone()),
                    text: format!(
                        "{id} turned away {} of the requests it received {when} ({dropped} of {arrivals}): {}",
                        percent(share(dropped)),
                        cause(true)
                    ),
                });
            }
            if share(errors) >= NOTABLE_LOSS {
                told = true;
                let why = cause(false);
                out.push(Finding {
                    level,
                    node: Some(id.clone()),
                    text: format!(
                        "{id} failed {} of the requests it received {when} ({errors} of {arrivals}){}",
                        percent(share(errors)),
                        if why.is_empty() {
                            String::new()
                        } else {
                            format!(", {why}")
                        }
                    ),
                });
            }
        }
    }

    out.extend(cache_findings(report, recent, faults));
    out.extend(messaging_findings(report));
    out.extend(database_findings(topology, report));
    out.extend(crate::components::kv::findings(report));
    out.extend(resilience_findings(report, &saturated));
    out.extend(fanout::fan_out_findings(report));
    out.extend(links::link_findings(report));
    out.extend(proxy::proxy_findings(topology, report));
    out.extend(security::login_findings(topology, report));
    out.extend(security::tls_findings(topology, report));
    out.extend(screens::screen_findings(topology, report));
    out.extend(webhooks::webhook_findings(topology, report));
    out.extend(connections::connection_findings(topology, report));
    out.extend(realtime::realtime_findings(topology, report));
    out.extend(uploads::upload_findings(topology, report));
    out.extend(architecture::architecture_findings(report));
    out.extend(events::event_findings(report));

    let r = &report.requests;
    let resolved = r.sent.saturating_sub(r.in_flight);
    if resolved > 0 && r.timed_out() as f64 / resolved as f64 >= NOTABLE_LOSS {
        out.push(Finding {
            level: Level::Warning,
            node: None,
            text: format!(
                "{} of requests timed out over the run ({} of {}): clients gave up before a response came back",
                percent(r.timed_out() as f64 / resolved as f64),
                r.timed_out(),
                resolved
            ),
        });
    }

    // "No bottleneck" only when nothing above says otherwise: no saturated node, nothing down, no warning.
    let busiest = recent
        .nodes
        .iter()
        .filter(|(_, t)| t.has_workers)
        .max_by(|a, b| a.1.utilization.total_cmp(&b.1.utilization));
    let quiet = out.iter().all(|f| f.level == Level::Info);
    let lost: u64 = recent.nodes.values().map(|t| t.dropped + t.errors).sum();
    if let (true, true, Some((id, t))) = (saturated.is_empty() && down.is_empty(), quiet, busiest) {
        let text = if lost > 0 {
            format!(
                "No node stays saturated {busy}: the busiest, {id}, is at {} utilisation, yet {lost} requests were \
                 turned away or failed {span}: bursts fill a queue for moments at a time",
                percent(t.utilization)
            )
        } else {
            let mut text = format!(
                "No bottleneck: the busiest node, {id}, is at {} utilisation {busy}",
                percent(t.utilization)
            );
            if let Some(change) = &latency {
                text.push_str(&format!("; yet {change}"));
            }
            text
        };
        out.push(Finding {
            level: Level::Info,
            node: Some(id.clone()),
            text,
        });
    }
    crate::sorting::sort_by_key(&mut out, |f| std::cmp::Reverse(f.level));
    out
}

/// A cache's crash: the write-behind writes it lost, and its hit ratio collapsing while it warms up again (or
/// for another reason: evictions, expirations).
fn cache_findings(report: &Report, recent: &Recent, faults: &Faults) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in &report.nodes {
        let Some(c) = n.cache() else { continue };
        let crash = faults.last_outage(id).map(|(kill, _)| {
            format!(
                " at {} ({})",
                clock(kill.at_s),
                faults.said(kill, "killed it")
            )
        });
        if c.lost_writes > 0 {
            out.push(Finding {
                level: Level::Critical,
                node: Some(id.clone()),
                text: format!(
                    "{id} lost {} acknowledged writes when it crashed{}: write-behind answers a write before \
                     flushing it to the database, and the crash took the unflushed ones with it",
                    c.lost_writes,
                    crash.clone().unwrap_or_default()
                ),
            });
        }
        // A collapse is a cache's or CDN edge's story; a client's or resolver's DNS cache runs out by TTL.
        let data_cache = matches!(Some(n.kind), Some(Kind::Cache | Kind::CdnEdge));
        let Some(t) = recent
            .nodes
            .get(id)
            .filter(|_| recent.windowed && data_cache)
        else {
            continue;
        };
        let (Some((hits, misses)), Some((evicted, expired))) = (t.cache, t.churn) else {
            continue;
        };
        let reads = hits + misses;
        let (hits_before, reads_before) = (
            c.hits.saturating_sub(hits),
            (c.hits + c.misses).saturating_sub(reads),
        );
        if reads < FALL_MIN_READS || reads_before < FALL_MIN_READS {
            continue;
        }
        let (now, before) = (
            hits as f64 / reads as f64,
            hits_before as f64 / reads_before as f64,
        );
        let standard_error = (before * (1.0 - before) / reads as f64).sqrt();
        let fall = before - now;
        if fall < FALL_POINTS || fall < FALL_STANDARD_ERRORS * standard_error {
            continue;
        }
        let restarted = faults
            .last_outage(id)
            .filter(|(kill, _)| kill.at_s >= recent.from_s - 2.0 * WINDOW_S);
        let why = match (restarted, &crash) {
            (Some(_), Some(crash)) => format!(
                "it restarted empty after the crash{crash}, so reads miss and go to the database until it warms up"
            ),
            _ if evicted > 0 => format!(
                "it evicted {evicted} entries {} to make room: the keys read no longer fit",
                recent.span_words()
            ),
            _ if expired > 0 => format!(
                "{expired} entries expired {} (their TTL ran out)",
                recent.span_words()
            ),
            _ => "the keys read changed".to_string(),
        };
        out.push(Finding {
            level: Level::Warning,
            node: Some(id.clone()),
            text: format!(
                "{id}'s hit ratio fell to {} {} ({hits} hits of {reads} reads) from {} before: {why}",
                percent(now),
                recent.span_words(),
                percent(before)
            ),
        });
    }
    out
}

/// Dead letters, duplicates and lagging consumer groups of queues and streams.
fn messaging_findings(report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in &report.nodes {
        let Some(m) = n.messaging() else {
            continue;
        };
        if m.dead_lettered > 0 {
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{id} moved {} of {} messages to its dead-letter queue: they were delivered \
                     `max_receives` times and never acknowledged (a failing or crashed consumer)",
                    m.dead_lettered, m.enqueued
                ),
            });
        }
        if m.duplicates > 0 {
            out.push(Finding {
                level: Level::Info,
                node: Some(id.clone()),
                text: format!(
                    "{id}'s consumers processed {} messages a second time: a delivery outlived its \
                     visibility timeout and was redelivered (at-least-once; consumers must be idempotent)",
                    m.duplicates
                ),
            });
        }
        for g in &m.consumers {
            if !g.partition_lag.is_empty() && g.max_lag >= 100 && g.lag > 0 {
                out.push(Finding {
                    level: Level::Warning,
                    node: Some(g.node.clone()),
                    text: format!(
                        "consumer group {} lags {} messages behind {id} (at most {}): it reads one message \
                         at a time per partition, so more partitions, not more workers, let it keep up",
                        g.node, g.lag, g.max_lag
                    ),
                });
            }
        }
    }
    out
}

/// Attempts per call at which retries are worth a finding.
const NOTABLE_AMPLIFICATION: f64 = 1.2;
/// Attempts per request at which retries are a storm when the system is saturated.
const STORM_AMPLIFICATION: f64 = 2.0;

/// Retries and their amplification, breakers, budgets, shedding, bulkheads, duplicate effects, rate limits
/// and blocked attacks.
fn resilience_findings(report: &Report, saturated: &[&str]) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(x) = &report.resilience
        && x.amplification >= NOTABLE_AMPLIFICATION
    {
        let storm = x.amplification >= STORM_AMPLIFICATION && !saturated.is_empty();
        out.push(Finding {
            level: if storm { Level::Critical } else { Level::Warning },
            node: saturated.first().map(|s| (*s).to_string()),
            text: if storm {
                format!(
                    "retry storm: clients sent {} attempts per request ({} retries), and the retries of \
                     timed-out attempts keep {} saturated after the cause has passed; a retry budget or \
                     deadline-based shedding lets it recover",
                    round_sig(x.amplification),
                    x.retries,
                    saturated.join(", ")
                )
            } else {
                format!(
                    "clients sent {} attempts per request: {} retries of failed or timed-out attempts",
                    round_sig(x.amplification),
                    x.retries
                )
            },
        });
    }
    for (name, e) in &report.edges {
        let from_client = report
            .nodes
            .get(&e.from)
            .is_some_and(|n| n.kind == Kind::Client);
        if !from_client && e.amplification >= NOTABLE_AMPLIFICATION {
            out.push(Finding {
                level: Level::Warning,
                node: Some(e.from.clone()),
                text: format!(
                    "{} retried its calls to {}: {} attempts per call over {name}, {} of them timed out",
                    e.from,
                    e.to,
                    round_sig(e.amplification),
                    e.timeouts
                ),
            });
        }
        if e.breaker_opens > 0 {
            let open = e.breaker_state_time.map_or(0.0, |t| t.open_s);
            out.push(Finding {
                level: Level::Warning,
                node: Some(e.from.clone()),
                text: format!(
                    "the circuit breaker on {name} opened {} time{} and failed {} calls fast instead of \
                     waiting on {}; it was open for {} and is {} now",
                    e.breaker_opens,
                    if e.breaker_opens == 1 { "" } else { "s" },
                    e.short_circuited,
                    e.to,
                    duration(open * 1e3),
                    e.breaker_state.as_deref().unwrap_or("closed")
                ),
            });
        }
        if e.budget_refused > 0 {
            out.push(Finding {
                level: Level::Info,
                node: Some(e.from.clone()),
                text: format!(
                    "the retry budget on {name} refused {} retries, keeping retries to a share of the \
                     traffic instead of multiplying the load",
                    e.budget_refused
                ),
            });
        }
    }
    for (id, n) in &report.nodes {
        if n.rate_limited > 0 && n.arrivals > 0 {
            out.push(Finding {
                level: Level::Info,
                node: Some(id.clone()),
                text: format!(
                    "{id} refused {} of the requests it received ({} of {}) with 429 Too Many Requests: \
                     they were over its rate limit",
                    percent(n.rate_limited as f64 / n.arrivals as f64),
                    n.rate_limited,
                    n.arrivals
                ),
            });
        }
        if let Some(l) = n.limiter()
            && l.over_admitted > 0
        {
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{id}'s instances admitted {} requests more than one shared limit would have: each decides on \
                     counts that are only shared every sync interval",
                    l.over_admitted
                ),
            });
        }
        if let Some(w) = n.waf() {
            let blocked = w.blocked_signature + w.blocked_rate + w.blocked_listed;
            if blocked > 0 {
                out.push(Finding {
                    level: Level::Info,
                    node: Some(id.clone()),
                    text: format!(
                        "{id} blocked {blocked} requests with 403 Forbidden: {} attack payloads, {} over its \
                         per-address rate rule and {} from addresses already on its block list",
                        w.blocked_signature, w.blocked_rate, w.blocked_listed
                    ),
                });
            }
        }
        if let Some(g) = n.gateway() {
            if g.unrouted > 0 {
                out.push(Finding {
                    level: Level::Warning,
                    node: Some(id.clone()),
                    text: format!(
                        "{id} found no route for {} requests (404): no rule of its routing table matches their \
                         method and path",
                        g.unrouted
                    ),
                });
            }
            if g.auth_failures > 0 {
                out.push(Finding {
                    level: Level::Warning,
                    node: Some(id.clone()),
                    text: format!(
                        "{id} could not authenticate {} requests: their session lookup failed",
                        g.auth_failures
                    ),
                });
            }
        }
        let Some(sv) = n.service() else {
            continue;
        };
        if sv.shed > 0 {
            out.push(Finding {
                level: Level::Info,
                node: Some(id.clone()),
                text: format!(
                    "{id} shed {} requests whose deadline had passed (or would before it could answer) \
                     instead of doing work nobody waits for",
                    sv.shed
                ),
            });
        }
        if sv.bulkhead_rejected > 0 {
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{id}'s bulkhead failed {} calls fast: a dependency already held its share of the \
                     workers, so the others kept theirs",
                    sv.bulkhead_rejected
                ),
            });
        }
        if sv.duplicate_effects > 0 {
            out.push(Finding {
                level: Level::Critical,
                node: Some(id.clone()),
                text: format!(
                    "{id} applied {} side effects twice (of {}): retries repeated requests it had already \
                     served; idempotency keys would answer them from a dedupe store",
                    sv.duplicate_effects, sv.effects
                ),
            });
        }
        if sv.deduplicated > 0 {
            out.push(Finding {
                level: Level::Info,
                node: Some(id.clone()),
                text: format!(
                    "{id}'s idempotency keys answered {} repeated requests from its dedupe store without \
                     applying their effect again",
                    sv.deduplicated
                ),
            });
        }
    }
    let r = &report.requests;
    if r.attacks_served > 0 {
        out.push(Finding {
            level: Level::Critical,
            node: None,
            text: format!(
                "{} of {} attack requests reached a service and were answered: nothing on their path \
                     recognised them",
                r.attacks_served, r.attacks_sent
            ),
        });
    }
    out
}

/// Share of a database's reads that must be stale before it is worth a finding [0..1].
const NOTABLE_STALE: f64 = 0.01;
/// A shard is hot when its share of the queries exceeds this many times the even share 1/N.
const HOT_SHARD_FACTOR: f64 = 1.5;

/// The diagram's parameters of database `id`, if it is one and they decode.
fn database_params(topology: &Topology, id: &str) -> Option<DatabaseParams> {
    let node = topology.nodes.iter().find(|n| n.id == id)?;
    let kind = Kind::from_name(&node.kind)?;
    match parse_params(kind, &node.params) {
        Ok(Params::Database(p)) => Some(p),
        _ => None,
    }
}

/// Stale reads, a hot shard, writes lost at failover, multi-primary conflicts and writes failed while no
/// primary was up, from each database's measured section of the report.
fn database_findings(topology: &Topology, report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in &report.nodes {
        let Some(d) = n.database() else {
            continue;
        };
        let params = database_params(topology, id);
        if d.reads > 0 && d.stale_reads as f64 / d.reads as f64 >= NOTABLE_STALE {
            let share = d.stale_reads as f64 / d.reads as f64;
            let mut text = format!(
                "{id}: {} of reads were stale ({} of {})",
                percent(share),
                d.stale_reads,
                d.reads
            );
            match &params {
                Some(p) if p.multi_primary => text.push_str(&format!(
                    " — the other primaries apply a write {} later",
                    duration(p.lag_ms)
                )),
                Some(p) if p.replicas > 0 => text.push_str(&format!(
                    " — replicas lag {} behind the primary, so a read of a key written less than that \
                     before returns the old value",
                    duration(p.lag_ms)
                )),
                _ => {}
            }
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.clone()),
                text,
            });
        }
        let shards = d.shards.len();
        let total: u64 = d.shards.iter().map(|s| s.queries).sum();
        if shards >= 2 && total > 0 {
            let even = 1.0 / shards as f64;
            let hottest = d
                .shards
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.queries.cmp(&b.1.queries).then(b.0.cmp(&a.0)));
            if let Some((i, s)) = hottest.filter(|(_, s)| s.share > HOT_SHARD_FACTOR * even) {
                let busiest = s
                    .instances
                    .iter()
                    .map(|x| x.utilization)
                    .fold(0.0, f64::max);
                out.push(Finding {
                    level: if busiest >= SATURATED {
                        Level::Critical
                    } else {
                        Level::Warning
                    },
                    node: Some(id.clone()),
                    text: format!(
                        "shard {i} of {id} serves {} of queries (1/{shards} would be even) and is busy {} of \
                         the time: its keys are hot, so adding shards does not spread them",
                        percent(s.share),
                        percent(busiest)
                    ),
                });
            }
        }
        if d.lost_writes > 0 {
            let window = params
                .as_ref()
                .map(|p| {
                    format!(
                        " (written in the last {} before the failure)",
                        duration(p.lag_ms)
                    )
                })
                .unwrap_or_default();
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{id} lost {} acknowledged writes at failover{window}: the failed primary had not \
                     replicated them when a replica was promoted ({} failover{}); RPO: {} writes, {:.0} ms \
                     of them",
                    d.lost_writes,
                    d.failovers,
                    if d.failovers == 1 { "" } else { "s" },
                    d.lost_writes,
                    d.rpo_ms
                ),
            });
        }
        if d.failed_writes > 0 {
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{id} failed {} writes while its primary was down and no replica was promoted yet{}",
                    d.failed_writes,
                    if d.rto_ms > 0.0 {
                        format!(" (RTO: {:.0} ms without a primary)", d.rto_ms)
                    } else {
                        String::new()
                    }
                ),
            });
        }
        if let Some(l) = &d.locks {
            out.extend(locks::lock_findings(id, l, params.as_ref()));
        }
        if d.conflicts > 0 {
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{id} had {} conflicting writes ({} of {} writes): two primaries wrote the same \
                     key within the replication lag, so one value silently overwrites the other (last \
                     writer wins) unless the conflict is resolved",
                    d.conflicts,
                    percent(d.conflicts as f64 / d.writes.max(1) as f64),
                    d.writes
                ),
            });
        }
    }
    out
}

/// "p99 went from 40 ms to 2.1 s since 00:12" when the recent p99 exceeds the early p99 by
/// [`DEGRADED_FACTOR`]; `None` when latency held steady or there are too few points to tell.
fn latency_change(report: &Report) -> Option<String> {
    let with_traffic: Vec<&SeriesPoint> = report
        .series
        .points
        .iter()
        .filter(|p| p.outcomes[Outcome::Ok] > 0)
        .collect();
    if with_traffic.len() < 4 {
        return None;
    }
    let early: Vec<f64> = with_traffic.iter().take(3).map(|p| p.p99_ms).collect();
    let baseline = median(early);
    let now = with_traffic.last().map(|p| p.p99_ms)?;
    if baseline <= 0.0 || now < baseline * DEGRADED_FACTOR {
        return None;
    }
    let since = with_traffic
        .iter()
        .find(|p| p.p99_ms >= baseline * DEGRADED_FACTOR)?;
    // A point's time is the end of its interval; the change began within that interval.
    let start_s = (since.t_s - report.series.interval_s).max(0.0);
    Some(format!(
        "p99 went from {} to {} since {}",
        duration(baseline),
        duration(now),
        clock(start_s)
    ))
}

fn median(mut v: Vec<f64>) -> f64 {
    crate::sorting::sort_by(&mut v, f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// `0.973` → `"97 %"`; values that round to 100 but are below it stay at 99 so "100 %" means full.
pub(crate) fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    let shown = if p < 100.0 && p.round() >= 100.0 {
        99.0
    } else {
        p.round()
    };
    if p > 0.0 && shown == 0.0 {
        "under 1 %".to_string()
    } else {
        format!("{shown} %")
    }
}

/// A milliseconds figure in the unit a person would use: `40 ms`, `2.1 s`.
pub(crate) fn duration(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", round_sig(ms / 1000.0))
    } else {
        format!("{} ms", round_sig(ms))
    }
}

/// Simulated seconds as `mm:ss`.
fn clock(s: f64) -> String {
    let whole = s.max(0.0).floor() as u64;
    format!("{:02}:{:02}", whole / 60, whole % 60)
}

/// Two significant figures, without trailing zeros: 340.4 → "340", 2.14 → "2.1", 0.0123 → "0.012".
pub(crate) fn round_sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (2 - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::fixtures;
    use crate::sim::run;
    use crate::topology::Edge;

    /// client → web (plenty of capacity) → db (one worker, 12 ms at 100 req/s: ρ = 1.2, overloaded).
    fn overloaded_db(seconds: f64) -> Topology {
        let mut t = Topology::default();
        t.settings.duration_s = seconds;
        t.settings.drain_limit_s = 0.0;
        t.nodes.push(fixtures::poisson_client("c1", 100.0));
        t.nodes.push(fixtures::server(
            "web",
            64,
            None,
            &Dist::Constant { ms: 1.0 },
        ));
        t.nodes.push(fixtures::server(
            "db1",
            1,
            None,
            &Dist::Exponential { mean_ms: 12.0 },
        ));
        t.edges.push(Edge::new("c1", "web"));
        t.edges.push(Edge::new("web", "db1"));
        t
    }

    #[test]
    fn dead_letters_duplicates_and_a_lagging_group_are_explained() {
        let mut t = Topology::default();
        t.settings.duration_s = 10.0;
        t.settings.drain_limit_s = 0.0;
        t.nodes
            .push(fixtures::poisson_client("c1", 100.0).with("read_fraction", 0.0.into()));
        t.nodes.push(
            crate::topology::Node::new("q", "queue")
                .with("visibility_timeout_ms", 30.0.into())
                .with("max_receives", 2.into()),
        );
        t.nodes.push(
            fixtures::server(
                "w",
                8,
                None,
                &Dist::Bimodal {
                    fast_ms: 5.0,
                    slow_ms: 100.0,
                    slow_probability: 0.1,
                },
            )
            .with("error_probability", 0.3.into()),
        );
        t.nodes
            .push(crate::topology::Node::new("s", "stream").with("partitions", 2.into()));
        t.nodes
            .push(fixtures::server("g", 8, None, &Dist::Constant { ms: 60.0 }));
        t.edges.push(Edge::new("c1", "q"));
        t.edges.push(Edge::new("q", "w"));
        t.edges.push(Edge::new("c1", "s"));
        t.edges.push(Edge::new("s", "g"));
        let r = run(&t).expect("valid");
        let texts: Vec<String> = explain(&t, &r).into_iter().map(|f| f.text).collect();
        let has = |s: &str| texts.iter().any(|t| t.contains(s));
        assert!(has("dead-letter queue"), "{texts:?}");
        assert!(has("a second time"), "{texts:?}");
        assert!(has("consumer group g lags"), "{texts:?}");
    }

    #[test]
    fn an_overloaded_database_is_named_with_its_queue_growth_and_the_latency_change() {
        let t = overloaded_db(30.0);
        let report = run(&t).expect("the diagram builds");
        let findings = explain(&t, &report);
        let first = findings
            .first()
            .expect("an overloaded system gets findings");
        assert_eq!(first.level, Level::Critical, "{findings:?}");
        assert_eq!(first.node.as_deref(), Some("db1"), "{findings:?}");
        // web's 64 workers all wait on db1, so the backlog builds in web's queue.
        assert!(
            first.text.contains("queue of web in front of it grows by"),
            "{}",
            first.text
        );
        assert!(first.text.contains("p99 went from"), "{}", first.text);
        // Arrivals 100/s, service 83.3/s: the queue grows by about 17 requests/s.
        let growth: f64 = first
            .text
            .split("grows by ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .expect("the growth figure is a number");
        assert!(
            (10.0..=25.0).contains(&growth),
            "growth {growth} from {}",
            first.text
        );
    }

    #[test]
    fn a_bottleneck_fed_directly_reports_its_own_queue_growth() {
        let mut t = overloaded_db(30.0);
        t.nodes.remove(1);
        t.edges = vec![Edge::new("c1", "db1")];
        let report = run(&t).expect("the diagram builds");
        let findings = explain(&t, &report);
        let first = &findings[0];
        assert_eq!(first.node.as_deref(), Some("db1"), "{findings:?}");
        let growth: f64 = first
            .text
            .split("its queue grows by ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .expect("the growth figure is a number");
        // 100 arrivals/s against 83.3 services/s.
        assert!((10.0..=25.0).contains(&growth), "{}", first.text);
    }

    #[test]
    fn a_caller_busy_waiting_on_the_bottleneck_is_not_blamed() {
        let mut t = overloaded_db(30.0);
        // Give the web tier few workers so that waiting on db1 fills them.
        t.nodes[1]
            .params
            .insert("workers".into(), serde_json::json!(4));
        let report = run(&t).expect("the diagram builds");
        let findings = explain(&t, &report);
        let web = findings
            .iter()
            .find(|f| f.node.as_deref() == Some("web"))
            .expect("web is mentioned");
        assert!(web.text.contains("wait on db1"), "{}", web.text);
        assert_eq!(findings[0].node.as_deref(), Some("db1"), "{findings:?}");
    }

    #[test]
    fn a_healthy_system_names_its_busiest_node_and_no_bottleneck() {
        let t =
            fixtures::single_station(50.0, 1, None, Dist::Exponential { mean_ms: 10.0 }, 20.0, 7);
        let report = run(&t).expect("the diagram builds");
        let findings = explain(&t, &report);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].level, Level::Info);
        assert!(
            findings[0].text.starts_with("No bottleneck"),
            "{}",
            findings[0].text
        );
        // ρ = 0.5; the figure shown is measured, so allow sampling noise.
        let shown: f64 = findings[0]
            .text
            .split("is at ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .expect("a percentage");
        assert!((40.0..=60.0).contains(&shown), "{}", findings[0].text);
    }

    #[test]
    fn formatting_helpers_say_what_a_person_would() {
        assert_eq!(percent(0.973), "97 %");
        assert_eq!(percent(0.9996), "99 %");
        assert_eq!(percent(1.0), "100 %");
        assert_eq!(percent(0.001), "under 1 %");
        assert_eq!(duration(40.0), "40 ms");
        assert_eq!(duration(2140.0), "2.1 s");
        assert_eq!(clock(72.5), "01:12");
        assert_eq!(round_sig(340.4), "340");
        assert_eq!(round_sig(0.0123), "0.012");
        assert_eq!(
            recent::slope([(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)].into_iter()),
            2.0
        );
        assert_eq!(recent::slope([(1.0, 1.0)].into_iter()), 0.0);
    }

    /// Runs a bundled scenario headless (its own seed and duration).
    fn scenario(name: &str) -> (Topology, Report) {
        let s = crate::scenarios::by_name(name).expect("bundled");
        let t = Topology::from_json(s.json()).expect("parses");
        let r = run(&t).expect("runs");
        (t, r)
    }

    #[test]
    fn no_finding_has_a_run_of_spaces_in_its_sentence() {
        // A continued string literal keeps its next line's indentation unless the line ends in `\`.
        for s in crate::scenarios::all() {
            let (t, r) = scenario(s.name);
            for f in explain(&t, &r) {
                assert!(!f.text.contains("  "), "{}: {:?}", s.name, f.text);
            }
        }
    }

    /// The first number in `text` after `after`, e.g. the percentage in "… 34 % of reads".
    fn number_after(text: &str, after: &str) -> f64 {
        text.split(after)
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("a number after {after:?} in {text}"))
    }

    #[test]
    fn stale_reads_of_async_replicas_are_named_with_their_share_and_the_lag() {
        let (t, r) = scenario("read-replicas");
        let findings = explain(&t, &r);
        let d = r.nodes["db-async"].database().expect("a database");
        let f = findings
            .iter()
            .find(|f| f.node.as_deref() == Some("db-async") && f.text.contains("stale"))
            .unwrap_or_else(|| panic!("{findings:?}"));
        // The figure shown is the report's share, and it is near the 1 − e^(−2 × 0.2) = 33 % of the model.
        let shown = number_after(&f.text, "db-async: ");
        let measured = 100.0 * d.stale_reads as f64 / d.reads as f64;
        assert!(
            (shown - measured).abs() <= 0.5,
            "{shown} vs {measured}: {}",
            f.text
        );
        assert!((28.0..=39.0).contains(&shown), "{}", f.text);
        assert!(
            f.text
                .contains(&format!("({} of {})", d.stale_reads, d.reads)),
            "{}",
            f.text
        );
        assert!(f.text.contains("replicas lag 200 ms"), "{}", f.text);
        // Synchronous replication serves no stale read, so nothing is said about it.
        assert!(
            !findings
                .iter()
                .any(|f| f.text.contains("db-sync") && f.text.contains("stale")),
            "{findings:?}"
        );
    }

    #[test]
    fn the_hot_shard_of_range_sharding_is_named_and_the_ring_is_not() {
        let (t, r) = scenario("sharding-hot-key");
        let findings = explain(&t, &r);
        let d = r.nodes["db-range"].database().expect("a database");
        let f = findings
            .iter()
            .find(|f| f.text.starts_with("shard "))
            .unwrap_or_else(|| panic!("{findings:?}"));
        assert!(
            f.text.starts_with("shard 0 of db-range serves "),
            "{}",
            f.text
        );
        assert!(f.text.contains("(1/4 would be even)"), "{}", f.text);
        let shown = number_after(&f.text, "serves ");
        assert!(
            (shown - 100.0 * d.shards[0].share).abs() <= 0.5,
            "{}",
            f.text
        );
        assert!((70.0..=90.0).contains(&shown), "{}", f.text);
        // The ring's busiest shard has about a third of the queries: under 1.5 × 1/4, not hot.
        assert!(
            !findings
                .iter()
                .any(|f| f.text.contains("of db-ring serves")),
            "{findings:?}"
        );
    }

    #[test]
    fn writes_lost_at_failover_and_multi_primary_conflicts_are_counted() {
        let (mut t, _) = scenario("read-replicas");
        let db = t
            .nodes
            .iter_mut()
            .find(|n| n.id == "db-async")
            .expect("db-async");
        db.params
            .insert("primary_failure_s".into(), serde_json::json!(30));
        let sync = t
            .nodes
            .iter_mut()
            .find(|n| n.id == "db-sync")
            .expect("db-sync");
        sync.params
            .insert("multi_primary".into(), serde_json::json!(true));
        sync.params
            .insert("replication".into(), serde_json::json!("async"));
        let r = run(&t).expect("runs");
        let findings = explain(&t, &r);
        let lost = r.nodes["db-async"].database().expect("db").lost_writes;
        assert!(
            lost > 0,
            "a primary failing under 20 writes/s loses the lag window's writes"
        );
        let f = findings
            .iter()
            .find(|f| f.text.contains("acknowledged writes at failover"))
            .unwrap_or_else(|| panic!("{findings:?}"));
        assert!(
            f.text.starts_with(&format!("db-async lost {lost} ")),
            "{}",
            f.text
        );
        assert!(f.text.contains("(1 failover)"), "{}", f.text);
        let conflicts = r.nodes["db-sync"].database().expect("db").conflicts;
        assert!(
            conflicts > 0,
            "three primaries, 10 keys, 20 writes/s, 200 ms lag"
        );
        let c = findings
            .iter()
            .find(|f| f.text.contains("conflicting writes"))
            .unwrap_or_else(|| panic!("{findings:?}"));
        assert!(
            c.text.starts_with(&format!("db-sync had {conflicts} ")),
            "{}",
            c.text
        );
        // Without a failure or a second primary nothing of the kind is said.
        let (t, r) = scenario("read-replicas");
        assert!(
            !explain(&t, &r)
                .iter()
                .any(|f| f.text.contains("failover") || f.text.contains("conflicting")),
        );
    }

    #[test]
    fn a_retry_storm_is_named_and_the_budgeted_copy_is_not_blamed() {
        let (t, r) = scenario("retry-storm");
        let findings = explain(&t, &r);
        let storm = findings
            .iter()
            .find(|f| f.text.starts_with("retry storm"))
            .unwrap_or_else(|| panic!("{findings:?}"));
        assert_eq!(storm.level, Level::Critical);
        assert!(storm.text.contains("api"), "{}", storm.text);
        assert!(
            findings
                .iter()
                .any(|f| f.text.contains("retry budget on budgeted->api2 refused")),
            "{findings:?}"
        );
    }

    #[test]
    fn breakers_bulkheads_duplicates_and_limits_each_get_their_sentence() {
        let (t, r) = scenario("circuit-breaker");
        let f = explain(&t, &r);
        let open = f
            .iter()
            .find(|f| f.text.starts_with("the circuit breaker on api2-db2 opened"))
            .unwrap_or_else(|| panic!("{f:?}"));
        let e = &r.edges["api2-db2"];
        assert!(
            open.text
                .contains(&format!("failed {} calls fast", e.short_circuited)),
            "{}",
            open.text
        );
        let (t, r) = scenario("bulkhead");
        assert!(
            explain(&t, &r)
                .iter()
                .any(|f| f.text.starts_with("b-api's bulkhead"))
        );
        let (t, r) = scenario("idempotency");
        let f = explain(&t, &r);
        assert!(f.iter().any(|f| f.level == Level::Critical
            && f.text.starts_with("pay applied")
            && f.text.contains("side effects twice")));
        assert!(
            f.iter()
                .any(|f| f.text.starts_with("pay2's idempotency keys"))
        );
        assert!(!f.iter().any(|f| f.text.starts_with("pay2 applied")));
        let (t, r) = scenario("rate-limiting");
        let f = explain(&t, &r);
        assert!(
            f.iter().any(|f| f.text.starts_with("k-limiter refused")
                && f.text.contains("429 Too Many Requests"))
        );
    }
}
