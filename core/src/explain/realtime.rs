//! Real-time updates: what following an event feed cost. Named when most polls came back empty (and what the
//! wait for the next poll added to the update delay), when the subscribers' reconnects came in a storm after
//! their connections dropped, when a feed refused connections at its limit, and when WebSocket subscribers
//! missed the events that happened while they were disconnected.

use super::{Finding, Level, percent};
use crate::components::{Kind, Params, Protocol, parse_params};
use crate::report::Report;
use crate::topology::Topology;

/// Share of empty polls worth a finding.
const NOTABLY_EMPTY: f64 = 0.5;
/// A second with at least this share of a node's subscribers reconnecting is a storm.
const STORM_SHARE: f64 = 0.2;

/// The findings of every subscribers node and event feed in `report`.
pub(super) fn realtime_findings(topology: &Topology, report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for n in &topology.nodes {
        let Some(r) = report.nodes.get(&n.id) else {
            continue;
        };
        let id = &n.id;
        if let Some(s) = r.detail.as_ref().and_then(|d| d.subscribers()) {
            if !s.protocol.persistent() && s.answered > 0 && s.empty_fraction >= NOTABLY_EMPTY {
                let what = if s.protocol == Protocol::Poll {
                    "polls"
                } else {
                    "long polls"
                };
                out.push(Finding {
                    level: Level::Info,
                    node: Some(id.clone()),
                    text: format!(
                        "{} of {id}'s {what} came back empty ({} of {}): {:.1} requests a second for {} events \
                         received; an update waited {:.0} ms on average. A held connection (server-sent \
                         events, WebSocket) sends only when there is news",
                        percent(s.empty_fraction),
                        s.empty,
                        s.answered,
                        s.requests_per_s,
                        s.events_received,
                        s.delay_mean_ms
                    ),
                });
            }
            let storm = (f64::from(s.subscribers) * STORM_SHARE).max(2.0);
            if s.peak_reconnects_per_s as f64 >= storm {
                let jitter = matches!(
                    Kind::from_name(&n.kind).and_then(|k| parse_params(k, &n.params).ok()),
                    Some(Params::Subscribers(p)) if p.jitter
                );
                out.push(Finding {
                    level: Level::Warning,
                    node: Some(id.clone()),
                    text: format!(
                        "reconnect storm: {} of {id}'s {} subscribers reconnected within one second ({} \
                         reconnects in all, {} connections dropped){}",
                        s.peak_reconnects_per_s,
                        s.subscribers,
                        s.reconnects,
                        s.drops,
                        if jitter {
                            ""
                        } else {
                            ": without jitter every client retries at the same moments"
                        }
                    ),
                });
            }
        }
        if let Some(f) = r.detail.as_ref().and_then(|d| d.event_feed()) {
            if f.refused > 0 {
                let limit =
                    match Kind::from_name(&n.kind).and_then(|k| parse_params(k, &n.params).ok()) {
                        Some(Params::EventFeed(p)) => p.max_connections,
                        _ => None,
                    };
                out.push(Finding {
                    level: Level::Warning,
                    node: Some(id.clone()),
                    text: format!(
                        "{id} refused {} connections: it holds at most {} at once ({:.1} MB of connection \
                         memory at the peak)",
                        f.refused,
                        limit.map_or_else(|| "its limit".to_string(), |m| m.to_string()),
                        f.memory_peak_mb
                    ),
                });
            }
            if f.missed > 0 {
                out.push(Finding {
                    level: Level::Warning,
                    node: Some(id.clone()),
                    text: format!(
                        "WebSocket subscribers of {id} missed {} events that happened while they were \
                         disconnected: a WebSocket does not replay, server-sent events resume from the last \
                         event id",
                        f.missed
                    ),
                });
            }
        }
    }
    out
}
