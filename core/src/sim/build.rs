//! Building the runtime from a validated model: each node through its kind's `build`, the edges with their
//! call policies, the meters, and the events at time zero.

use std::collections::BTreeMap;

use super::{
    Calls, Deadlines, EdgeRt, Ev, Graph, Meters, Queue, Sim, Versions, calls::PolicyRt, ctx,
};
use crate::components::interface::{Build, Port};
use crate::components::node::NodeRt;
use crate::components::{Kind, Params};
use crate::metrics::{EndToEnd, NodeStats, Window};
use crate::outcomes::Requests;
use crate::report::Series;
use crate::request::Slab;
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::topology::Topology;
use crate::trace::Trace;
use crate::validate::{CallPolicy, Diagnostic, Severity, Subject, compile};

use super::BuildError;

impl Sim {
    /// Validates `topology` and builds a simulation at time zero, seeded with `topology.settings.seed`.
    pub fn new(topology: &Topology) -> Result<Sim, BuildError> {
        let (model, diagnostics) = compile(topology);
        let Some(model) = model else {
            return Err(BuildError { diagnostics });
        };
        let s = &topology.settings;
        let traffic_end = SimTime::from_secs(s.duration_s);
        let window = Window {
            start: SimTime::from_secs(s.warmup_s).min(traffic_end),
            end: traffic_end,
        };
        let n = model.nodes.len();

        let mut out_start = Vec::with_capacity(n + 1);
        let mut out_edges = Vec::new();
        for i in 0..n as u32 {
            out_start.push(out_edges.len() as u32);
            out_edges.extend(
                (0..model.edges.len() as u32).filter(|&e| model.edges[e as usize].from == i),
            );
        }
        out_start.push(out_edges.len() as u32);

        let mut nodes = Vec::with_capacity(n);
        let mut stats = Vec::with_capacity(n);
        let regions: Vec<String> = model.nodes.iter().map(|m| m.region.clone()).collect();
        let link = |a: &str, b: &str| crate::validate::region_link(s, a, b);
        let series_interval = SimTime::from_secs(s.series_interval_s);
        for (i, m) in model.nodes.iter().enumerate() {
            let ports: Vec<Port<'_>> = out_edges[out_start[i] as usize..out_start[i + 1] as usize]
                .iter()
                .map(|&e| {
                    let edge = &model.edges[e as usize];
                    let t = &model.nodes[edge.to as usize];
                    Port {
                        id: &t.id,
                        kind: t.kind,
                        region: &t.region,
                        params: &t.params,
                        weight: edge.weight,
                    }
                })
                .collect();
            let b = Build {
                params: &m.params,
                region: &m.region,
                ports: &ports,
                paths: &model.paths,
                window: (window.start, window.end),
                regions: &regions,
                link: &link,
                series: series_interval,
            };
            let rt = NodeRt::build(m.kind, &b).map_err(|message| BuildError {
                diagnostics: vec![Diagnostic {
                    severity: Severity::Error,
                    subject: Subject::Node(m.id.clone()),
                    field: Some("params".into()),
                    message,
                }],
            })?;
            stats.push(NodeStats::new(rt.workers()));
            nodes.push(rt);
        }
        let edges = model
            .edges
            .iter()
            .map(|e| {
                // A retrying client's timeout and retries apply to its edges (not its resolver's); an edge's
                // own policy fields win.
                let client = match &model.nodes[e.from as usize].params {
                    Params::Client(c) if model.nodes[e.to as usize].kind != Kind::DnsResolver => c
                        .retry
                        .as_ref()
                        .map(|r| (r, SimTime::from_ms(c.timeout_ms))),
                    _ => None,
                };
                let policy = match (&e.policy, client) {
                    (Some(p), Some((r, timeout))) => Some(CallPolicy {
                        timeout: p.timeout.or(Some(timeout)),
                        retry: p.retry.clone().or_else(|| Some(r.clone())),
                        breaker: p.breaker.clone(),
                        hedge: p.hedge.clone(),
                    }),
                    (None, Some((r, timeout))) => Some(CallPolicy {
                        timeout: Some(timeout),
                        retry: Some(r.clone()),
                        breaker: None,
                        hedge: None,
                    }),
                    (p, None) => p.clone(),
                };
                EdgeRt {
                    from: e.from,
                    to: e.to,
                    latency: e.latency.clone(),
                    fixed: e.latency.constant(1.0),
                    loss: e.loss,
                    cut: false,
                    policy: policy.as_ref().map(|p| Box::new(PolicyRt::new(p))),
                }
            })
            .collect();
        let holders = (0..n as u32)
            .filter(|&i| nodes[i as usize].holds_work())
            .collect();
        let plans = nodes.iter().map(NodeRt::plan).collect();
        let mut sim = Sim {
            queue: Queue {
                now: SimTime::ZERO,
                seq: super::FIRST_SEQ,
                last: None,
                pending: super::queue::Pending::default(),
                events: 0,
            },
            graph: Graph {
                ids: model.nodes.iter().map(|m| m.id.clone()).collect(),
                index: model.node_index,
                kinds: model.nodes.iter().map(|m| m.kind).collect(),
                alive: vec![true; n],
                edges,
                edge_index: model.edge_index,
                out_start,
                out_edges,
            },
            nodes,
            reqs: Slab::default(),
            next_id: 1,
            rng: SimRng::new(s.seed),
            seed: s.seed,
            actions: Vec::with_capacity(16),
            meters: Meters {
                stats,
                e2e: EndToEnd::new(series_interval.0 > 0),
                by_client: vec![Requests::default(); n],
                series: Series {
                    interval_s: series_interval.as_secs(),
                    node_ids: model.nodes.iter().map(|m| m.id.clone()).collect(),
                    points: Vec::new(),
                },
                series_interval,
                window,
                trace: Trace::new(s.trace_capacity),
            },
            calls: Calls::default(),
            groups: super::plans::Groups::new(plans),
            exemplars: super::exemplars::Exemplars::new(series_interval),
            versions: Versions {
                track: model.nodes.iter().any(|m| {
                    matches!(
                        m.kind,
                        Kind::Cache | Kind::CdnEdge | Kind::ForwardProxy | Kind::Projection
                    ) || matches!(&m.params, crate::components::Params::Client(c)
                                if c.http_cache.as_ref().is_some_and(|h| h.etag))
                }),
                by_key: BTreeMap::new(),
            },
            deadlines: (0..n).map(|_| Deadlines::default()).collect(),
            outstanding: 0,
            traffic_end,
            drain_end: traffic_end.add(SimTime::from_secs(s.drain_limit_s)),
            hop_limit: s.hop_limit.min(255) as u8,
            finished: false,
            faults: Vec::new(),
            spikes: Vec::new(),
            holders,
            partitions: super::faults::Partitions::new(
                model
                    .nodes
                    .iter()
                    .map(|m| NodeRt::regions(m.kind, &m.params, &m.region))
                    .collect(),
                regions,
            ),
            wire: super::wire::Wire::new(
                model.edges.iter().map(|e| e.bandwidth_mbps).collect(),
                &model.nodes,
            ),
            bodies: super::body::Bodies::default(),
            pushes: super::push::Pushes::default(),
        };
        // Time zero, in node order: caches warm, databases arm their failure timers (neither draws).
        for i in 0..n as u32 {
            let mut ctx = ctx!(sim);
            sim.nodes[i as usize].start(&mut ctx);
            sim.run_actions(i);
        }
        // First arrivals and health checks, in node order so ties break the same way every run.
        for i in 0..n as u32 {
            sim.arm_client(i);
            if let Some(t) = sim.nodes[i as usize].probe_interval() {
                sim.schedule(t, Ev::HealthCheck { node: i });
            }
        }
        if series_interval.0 > 0 {
            sim.schedule(series_interval, Ev::Tick);
        }
        for (at, op) in model.faults {
            sim.plan_fault(at, op);
        }
        Ok(sim)
    }
}
