//! How many calls one request can cause: parallel plans multiply a request's calls (a plan of 1,000 calls
//! whose leaves each fan out again, or that loops back to itself before the hop limit stops it), so a diagram
//! with a `parallel` or `first_k` plan is refused when one request arriving at some node could cause more
//! than [`MAX_CALLS_PER_REQUEST`] calls — an engine that would take hours per simulated second, not a
//! lesson. The count is an upper bound: a server calls each edge once (a parallel plan `fan_out` times), any
//! other node takes its busiest edge, for as many hops as the hop limit allows.

use crate::components::Params;
use crate::components::server::Calls;

/// The most calls one request may cause through parallel plans [calls].
pub const MAX_CALLS_PER_REQUEST: f64 = 100_000.0;

/// The nodes where one arriving request could cause more than [`MAX_CALLS_PER_REQUEST`] calls, with that
/// bound, when the diagram has a parallel plan; `params[n]` is node `n`'s (`None` when it has errors) and
/// `edges` the `(from, to)` of every edge.
pub(crate) fn too_many_calls(
    params: &[Option<&Params>],
    edges: &[(u32, u32)],
    hop_limit: u32,
) -> Vec<(u32, f64)> {
    let fans = |p: Option<&Params>| match p {
        Some(Params::Server(s)) if matches!(s.calls, Calls::Parallel | Calls::FirstK) => {
            Some(f64::from(s.fan_out.max(1)))
        }
        _ => None,
    };
    if !params.iter().any(|p| fans(*p).is_some()) {
        return Vec::new();
    }
    let n = params.len();
    // c[v]: calls a request arriving at v causes within the hops left, itself included.
    let mut c = vec![1.0_f64; n];
    for _ in 0..hop_limit.min(255) {
        let mut next = vec![1.0_f64; n];
        let mut best = vec![0.0_f64; n];
        for &(from, to) in edges {
            let (f, t) = (from as usize, to as usize);
            if f >= n || t >= n {
                continue;
            }
            match (fans(params[f]), params[f]) {
                (Some(k), _) => next[f] += k * c[t],
                // A GraphQL resolver calls its back end once per call of its query.
                (None, Some(Params::Server(s))) if s.calls == Calls::Sequential => {
                    next[f] += f64::from(s.graphql.as_ref().map_or(1, |g| g.calls())) * c[t]
                }
                _ => best[f] = best[f].max(c[t]),
            }
        }
        for v in 0..n {
            next[v] += best[v];
        }
        if next == c {
            break;
        }
        c = next;
        if c.iter().all(|&x| x > MAX_CALLS_PER_REQUEST) {
            break;
        }
    }
    (0..n)
        .filter(|&v| c[v] > MAX_CALLS_PER_REQUEST)
        .map(|v| (v as u32, c[v]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::ServerParams;

    fn server(calls: Calls, fan_out: u32) -> Params {
        Params::Server(ServerParams {
            calls,
            fan_out,
            ..ServerParams::default()
        })
    }

    #[test]
    fn a_fan_out_in_a_loop_is_caught_and_a_wide_tree_within_the_bound_is_not() {
        let plan = server(Calls::Parallel, 10);
        let leaf = server(Calls::Sequential, 1);
        // a → b (×10 each) → 100 leaves: 1 + 10 × (1 + 10 × 1) = 111 calls.
        let wide = [Some(&plan), Some(&plan), Some(&leaf)];
        assert!(too_many_calls(&wide, &[(0, 1), (1, 2)], 16).is_empty());
        // a fan-out of 10 that calls itself: 10^16 calls before the hop limit.
        let lonely = [Some(&plan)];
        let over = too_many_calls(&lonely, &[(0, 0)], 16);
        assert_eq!(over.len(), 1);
        assert!(over[0].1 > MAX_CALLS_PER_REQUEST);
        // The same loop without a parallel plan is left to the hop limit, as before.
        let seq = [Some(&leaf)];
        assert!(too_many_calls(&seq, &[(0, 0), (0, 0)], 16).is_empty());
    }
}
