//! Where reads were answered: the nodes that answered them, nearest the user first, each with its level —
//! the browser's HTTP cache (fresh hits, on the device), a forward proxy's shared cache, a CDN edge, a cache,
//! a database's memory (buffer cache hits) and its disk (misses), or a database without a buffer cache.
//! Read from the nodes' own blocks (`http_cache`, `cache`, `database.buffer_cache`), so nothing is counted
//! twice and nothing new is measured; each counted in its own measurement window (a hit when looked up, a
//! query when it starts).
//!
//! ```text
//!   read ──> browser ──> proxy cache ──> CDN ──> app cache ──> database memory ──> database disk
//!            answered at the first level that holds it; each level's count is its own hits
//! ```

use crate::components::Kind;
use crate::report::{NodeReport, Report};

/// One node's share of the answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    /// the node that answered
    pub node: String,
    /// its level: `browser`, `proxy`, `cdn`, `cache`, `db_memory`, `db_disk`, `database`
    pub level: &'static str,
    /// reads it answered in the window
    pub count: u64,
}

/// The levels, nearest the user first, with their words on the page.
pub const LEVELS: [(&str, &str); 7] = [
    ("browser", "browser cache"),
    ("proxy", "proxy cache"),
    ("cdn", "CDN edge"),
    ("cache", "application cache"),
    ("db_memory", "database memory"),
    ("db_disk", "database disk"),
    ("database", "database"),
];

/// The words for a level key.
pub fn level_words(level: &str) -> &'static str {
    LEVELS
        .iter()
        .find(|(k, _)| *k == level)
        .map_or("", |(_, w)| *w)
}

/// What node `n` answered, by level (empty for a node that answers nothing from a store).
pub fn of_node(n: &NodeReport) -> Vec<(&'static str, u64)> {
    let mut out = Vec::new();
    if let Some(h) = n.http_cache() {
        out.push(("browser", h.fresh_hits));
    }
    if let Some(c) = n.cache() {
        match n.kind {
            Kind::ForwardProxy => out.push(("proxy", c.hits)),
            Kind::CdnEdge => out.push(("cdn", c.hits)),
            Kind::Cache => out.push(("cache", c.hits)),
            _ => {}
        }
    }
    if n.kind == Kind::Database {
        match n.database().and_then(|d| d.buffer_cache.as_ref()) {
            Some(b) => {
                out.push(("db_memory", b.hits));
                out.push(("db_disk", b.misses));
            }
            None => out.push(("database", n.served)),
        }
    }
    out
}

/// Every answering node of the run, nearest level first (then by node id); empty when the diagram has no
/// cache of any level (a plain database alone is no breakdown).
pub fn answered_at(r: &Report) -> Vec<Answered> {
    let mut out: Vec<Answered> = r
        .nodes
        .iter()
        .flat_map(|(id, n)| {
            of_node(n).into_iter().map(|(level, count)| Answered {
                node: id.clone(),
                level,
                count,
            })
        })
        .collect();
    if out.iter().all(|a| a.level == "database") {
        return Vec::new();
    }
    let rank = |l: &str| {
        LEVELS
            .iter()
            .position(|(k, _)| *k == l)
            .unwrap_or(LEVELS.len())
    };
    crate::sorting::sort_by(&mut out, |a, b| {
        rank(a.level).cmp(&rank(b.level)).then(a.node.cmp(&b.node))
    });
    out
}
