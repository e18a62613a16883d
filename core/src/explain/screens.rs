//! REST vs GraphQL (`client.screen`, `server.graphql`): why a screen takes the time and bytes it does. Named
//! for a GraphQL server that resolves its queries' items one call at a time (the N+1 pattern: its calls per
//! query, and the 2 a DataLoader would make), for a REST screen that waits for its GETs one after another, and
//! for a REST screen most of whose bytes it does not use (over-fetching).

use super::{Finding, Level, percent};
use crate::components::client::Api;
use crate::components::{Kind, Params, parse_params};
use crate::report::Report;
use crate::topology::Topology;

/// Over-fetching is named when at least this share of a REST screen's bytes go unused.
const OVER_FETCHED: f64 = 0.5;

/// The findings about screens and GraphQL resolvers.
pub(super) fn screen_findings(topology: &Topology, report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for n in &topology.nodes {
        let Some(r) = report.nodes.get(&n.id) else {
            continue;
        };
        if n.kind == Kind::Server.name()
            && let Ok(Params::Server(p)) = parse_params(Kind::Server, &n.params)
            && let Some(g) = p.graphql.as_ref().filter(|g| !g.batching && g.items > 1)
            && let Some(s) = r.service().filter(|s| s.graphql_queries > 0)
        {
            out.push(Finding {
                level: Level::Info,
                node: Some(n.id.clone()),
                text: format!(
                    "{} resolves each GraphQL query with {:.1} back-end calls one after another (the N+1 \
                     pattern: the list, then each of its {} items on its own); a DataLoader batching the items \
                     would make 2",
                    n.id,
                    s.graphql_calls as f64 / s.graphql_queries as f64,
                    g.items
                ),
            });
        }
        let Some(s) = r.screen().filter(|s| s.completed > 0) else {
            continue;
        };
        if s.api == Api::RestSequential && s.resources > 1 {
            out.push(Finding {
                level: Level::Info,
                node: Some(n.id.clone()),
                text: format!(
                    "{}'s screens wait for their {} GETs one after another ({:.1} round trips in a row, {:.0} ms \
                     a screen on average): sent at once they would wait for about one",
                    n.id, s.resources, s.round_trips_per_screen, s.mean_ms
                ),
            });
        }
        if s.api != Api::Graphql
            && s.bytes > 0
            && s.over_fetched_bytes as f64 >= OVER_FETCHED * s.bytes as f64
        {
            out.push(Finding {
                level: Level::Info,
                node: Some(n.id.clone()),
                text: format!(
                    "{} of the bytes {}'s screens receive go unused ({:.0} of {:.0} per screen): each GET \
                     returns its whole resource (over-fetching), where a GraphQL query asks for the fields shown",
                    percent(s.over_fetched_bytes as f64 / s.bytes as f64),
                    n.id,
                    s.over_fetched_per_screen,
                    s.bytes_per_screen
                ),
            });
        }
    }
    out
}
