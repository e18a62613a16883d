//! Webhook providers' findings: events that failed for good after the last attempt (the endpoint was down or
//! failing longer than the retry schedule), redeliveries of events the consumer had already processed (a 2xx
//! that came after the provider's timeout) and whether the consumer's idempotency keys absorbed them, and a
//! poller whose polls mostly come back empty.

use super::{Finding, Level, percent, round_sig};
use crate::components::{Delivery, Kind, NodeDetail};
use crate::report::Report;
use crate::topology::Topology;

/// The findings of every webhook provider in the diagram.
pub(super) fn webhook_findings(topology: &Topology, report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in &report.nodes {
        if n.kind != Kind::WebhookProvider {
            continue;
        }
        let Some(w) = n.detail.as_ref().and_then(NodeDetail::webhooks) else {
            continue;
        };
        let consumer = topology
            .edges
            .iter()
            .find(|e| &e.from == id)
            .map_or("its endpoint", |e| e.to.as_str());
        let service = report.nodes.get(consumer).and_then(|c| c.service());
        let timeout_ms = topology
            .node(id)
            .and_then(|t| t.params.get("delivery_timeout_ms"))
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(3000.0);
        if w.dead > 0 {
            out.push(Finding {
                level: Level::Warning,
                node: Some(id.clone()),
                text: format!(
                    "{} events from {id} failed for good after {} attempts ({} of {}): {consumer} did not \
                     answer 2xx within the retry schedule ({} s from the first attempt to the last)",
                    w.dead,
                    w.max_attempts,
                    percent(w.dead as f64 / w.events.max(1) as f64),
                    w.events,
                    round_sig(w.schedule_s)
                ),
            });
        }
        if w.duplicates > 0 {
            let deduped = service.is_some_and(|s| s.deduplicated > 0 && s.duplicate_effects == 0);
            let after = match service {
                Some(_) if deduped => format!(
                    "{consumer}'s idempotency keys answered the repeats without applying them again"
                ),
                Some(s) if s.duplicate_effects > 0 => format!(
                    "{consumer} has no idempotency keys for them, so {} effects were applied twice",
                    s.duplicate_effects
                ),
                _ => format!("{consumer} must dedupe them by the event's key"),
            };
            out.push(Finding {
                level: if deduped { Level::Info } else { Level::Warning },
                node: Some(id.clone()),
                text: format!(
                    "{id} redelivered {} events {consumer} had already processed: {} answers came after its \
                     {} ms timeout, so it sent them again (at least once); {after}",
                    w.duplicates,
                    w.late_answers,
                    round_sig(timeout_ms)
                ),
            });
        }
        if w.delivery == Delivery::Polled && w.polls >= 10 && w.empty_polls * 2 >= w.polls {
            out.push(Finding {
                level: Level::Info,
                node: Some(id.clone()),
                text: format!(
                    "{} of the polls of {id}'s events came back empty ({} of {}): events are rarer than \
                     polls, and each empty poll is a request for nothing (webhooks send only when an event \
                     happens)",
                    percent(w.empty_polls as f64 / w.polls as f64),
                    w.empty_polls,
                    w.polls
                ),
            });
        }
    }
    out
}
