//! A client's connection figures (handshakes, round trips, pool waits) and a stateful server's session
//! figures, for the inspector (`data-figure`).

use super::{Figure, figure};
use crate::report::NodeReport;

/// The node's connection and session figures (none for a node without them).
pub(super) fn figures(n: &NodeReport) -> Vec<Figure> {
    let mut out = Vec::new();
    if let Some(c) = n.connections() {
        out.extend(connection_figures(c));
    }
    if let Some(s) = n
        .service()
        .filter(|s| s.sessions_created + s.sessions_held + s.logged_out > 0)
    {
        out.push(figure(
            "sessions_held",
            "sessions held (created)",
            format!("{} ({})", s.sessions_held, s.sessions_created),
            "",
        ));
        out.push(figure(
            "logged_out",
            "logged-out users (sessions lost)",
            s.logged_out.to_string(),
            "",
        ));
    }
    out
}

/// A client's connections (`connections`): opened, handshakes and their round trips, pool waits.
fn connection_figures(c: &crate::components::client::ConnReport) -> Vec<Figure> {
    vec![
        figure(
            "conn_opened",
            "connections opened",
            c.opened.to_string(),
            "",
        ),
        figure(
            "conn_handshake_share",
            "requests that paid a handshake",
            format!("{} ({:.1} %)", c.paid_handshake, c.handshake_share * 100.0),
            "",
        ),
        figure(
            "conn_round_trips",
            "handshake round trips (time)",
            format!("{} ({:.0} ms)", c.handshake_round_trips, c.handshake_ms),
            "",
        ),
        figure(
            "conn_per_connection",
            "requests per connection",
            format!("{:.2}", c.requests_per_connection),
            "",
        ),
        figure(
            "conn_pool_waits",
            "waits for a free connection (mean)",
            format!("{} ({:.1} ms)", c.pool_waits, c.pool_wait_mean_ms),
            "",
        ),
        figure(
            "conn_mean",
            "mean request time",
            format!("{:.1}", c.mean_ms),
            "ms",
        ),
    ]
}
