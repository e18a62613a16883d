//! The report fields the "why" findings, the page's marks and its views read, in one place: when the report's
//! layout changes (its per-kind blocks), these few accessors follow it and their callers do not.

use crate::components::Kind;
use crate::components::gateway::GatewayReport;
use crate::components::rate_limiter::LimiterReport;
use crate::components::server::ServiceReport;
use crate::components::waf::WafReport;
use crate::report::{CacheReport, DatabaseReport, MessagingReport, NodeReport, Requests};

/// Whether the node is of `kind`.
pub fn kind_is(n: &NodeReport, kind: Kind) -> bool {
    n.kind == kind.name()
}

/// The node's kind, when this build knows it.
pub fn kind(n: &NodeReport) -> Option<Kind> {
    Kind::from_name(&n.kind)
}

/// A cache's (or CDN edge's) statistics.
pub fn cache(n: &NodeReport) -> Option<&CacheReport> {
    n.cache.as_ref()
}

/// A database's statistics.
pub fn database(n: &NodeReport) -> Option<&DatabaseReport> {
    n.database.as_ref()
}

/// A queue's, topic's or stream's message counts.
pub fn messaging(n: &NodeReport) -> Option<&MessagingReport> {
    n.messaging.as_ref()
}

/// An API gateway's handshakes, authentication and routing.
pub fn gateway(n: &NodeReport) -> Option<&GatewayReport> {
    n.gateway.as_ref()
}

/// A firewall's inspections and blocks.
pub fn waf(n: &NodeReport) -> Option<&WafReport> {
    n.waf.as_ref()
}

/// A rate limiter's decisions.
pub fn limiter(n: &NodeReport) -> Option<&LimiterReport> {
    n.limiter.as_ref()
}

/// A server's shedding, bulkhead, side-effect and idempotency counts.
pub fn service(n: &NodeReport) -> Option<&ServiceReport> {
    n.service.as_ref()
}

/// A client's own end-to-end counts.
pub fn client_requests(n: &NodeReport) -> Option<&Requests> {
    n.requests.as_ref()
}
