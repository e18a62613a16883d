//! A GraphQL resolver: a server with `graphql` answers each request as one query whose fields it resolves by
//! calling its back end (its first edge, or the edge its key picks under `calls: one`) several times, one
//! call after another — the query's root list, then the nested field of each of its `items`:
//!
//! ```text
//!   without batching (the N+1 pattern):  list ──> item 1 ──> item 2 ──> … ──> item n     1 + n calls
//!   with batching (a DataLoader):        list ──> items 1‥n in one batched call          2 calls (1 if n = 0)
//! ```
//!
//! Each call is an ordinary call over the edge (its timeouts, retries and breaker apply); the first failure
//! ends the query with it. A batched call costs the back end one call's time (what a DataLoader's
//! `WHERE id IN (…)` query costs, to first order). The calls go out over a sequential or `one` plan; the
//! server's other edges, if any, are called after the resolver's, as before.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checks::check_range;
use crate::components::{Action, Ctx};
use crate::vocab::{Term, Vocab};

/// A server's GraphQL resolver (`graphql`; `null` = a plain server).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GraphQlParams {
    /// entries of the query's list, each with a nested field that needs a back-end call [0..1000], default 10
    pub items: u32,
    /// a DataLoader batches the nested fields into one call, default false
    pub batching: bool,
}

impl Default for GraphQlParams {
    fn default() -> Self {
        GraphQlParams {
            items: 10,
            batching: false,
        }
    }
}

impl GraphQlParams {
    /// Back-end calls per query: 1 + `items` without batching, 2 with it (1 when there are no items).
    pub fn calls(&self) -> u32 {
        let items = self.items.min(MAX_ITEMS);
        if self.batching {
            1 + u32::from(items > 0)
        } else {
            1 + items
        }
    }

    /// Range problems as `(field, message)`.
    pub fn problems(&self, out: &mut Vec<(String, String)>) {
        check_range(out, "graphql.items", f64::from(self.items));
    }

    /// How the inspector names its fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("items", "List items (each a nested field)").integer(),
            Term::new("batching", "Batch nested fields (DataLoader)"),
        ],
    };
}

/// The most list items a query may resolve.
pub const MAX_ITEMS: u32 = 1_000;

/// The resolver at run time: the calls each query makes, and the calls left of each query in progress.
pub(crate) struct Resolver {
    calls: u32,
    /// request → calls still to make after the one out
    left: BTreeMap<u32, u32>,
}

impl Resolver {
    pub fn new(p: &GraphQlParams) -> Resolver {
        Resolver {
            calls: p.calls(),
            left: BTreeMap::new(),
        }
    }

    /// Query `req` makes its first call now.
    pub fn begin(&mut self, req: u32) {
        self.left.insert(req, self.calls - 1);
    }

    /// Query `req`'s call answered successfully: whether it makes another (on the same edge).
    pub fn again(&mut self, req: u32) -> bool {
        match self.left.get_mut(&req) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            Some(_) => {
                self.left.remove(&req);
                false
            }
            None => false,
        }
    }

    /// Query `req` ended (failed, abandoned, or done): forget it.
    pub fn end(&mut self, req: u32) {
        self.left.remove(&req);
    }
}

/// Turns the call just pushed for `req` (a `Forward`, unless a bulkhead failed it) into a `Recall`: the
/// resolver's next call over the same edge, not a further hop.
pub(super) fn recall(ctx: &mut Ctx<'_>, req: u32) {
    if let Some(a) = ctx.out.last_mut()
        && let Action::Forward { req: r, port, slot } = *a
        && r == req
    {
        *a = Action::Recall { req, port, slot };
    }
}

impl super::Server {
    /// A request's calls begin: a query's first resolver call (counted) when it resolves GraphQL.
    pub(super) fn resolve_begin(&mut self, req: u32) {
        if let Some(r) = self.resolver.as_deref_mut() {
            r.begin(req);
            self.counters.graphql_queries += u64::from(self.counting);
            self.count_resolver_call();
        }
    }

    /// Whether query `req`'s resolver makes another call now that one answered successfully.
    pub(super) fn resolve_again(&mut self, req: u32) -> bool {
        self.resolver.as_deref_mut().is_some_and(|r| r.again(req))
    }

    /// Query `req` no longer resolves.
    pub(super) fn resolve_end(&mut self, req: u32) {
        if let Some(r) = self.resolver.as_deref_mut() {
            r.end(req);
        }
    }

    /// One resolver call goes out.
    pub(super) fn count_resolver_call(&mut self) {
        self.counters.graphql_calls += u64::from(self.counting);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_makes_one_plus_n_calls_or_two_with_batching() {
        let calls = |items, batching| GraphQlParams { items, batching }.calls();
        assert_eq!(calls(10, false), 11);
        assert_eq!(calls(10, true), 2);
        assert_eq!(calls(0, true), 1);
        assert_eq!(calls(0, false), 1);
        let mut r = Resolver::new(&GraphQlParams {
            items: 2,
            batching: false,
        });
        r.begin(7);
        assert!(r.again(7) && r.again(7), "two more after the first");
        assert!(!r.again(7), "then done");
        assert!(!r.again(7), "and forgotten");
    }
}
