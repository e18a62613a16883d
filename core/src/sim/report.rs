//! Turning runtime state into measurements: the series point at each tick, and the [`Report`] — end-to-end
//! counts and latency, each node's statistics and its kind's own block, the call edges and the resilience
//! totals.

use std::collections::BTreeMap;

use super::{Ev, Sim};
use crate::components::{Kind, NodeDetail};
use crate::metrics::Window;
use crate::report::{
    BreakerStateTime, EdgeReport, HedgeReport, Latency, NodeReport, NodeSample, PlanReport, Report,
    ResilienceReport, SeriesPoint,
};
use crate::request::ReqState;
use crate::resilience::Breaker;
use crate::time::SimTime;

impl Sim {
    pub(super) fn on_tick(&mut self) {
        let interval = self.meters.series_interval;
        let mut nodes = Vec::with_capacity(self.nodes.len());
        for i in 0..self.nodes.len() {
            self.touch(i as u32);
            let open = self.nodes[i].open_worker_ns(self.queue.now);
            let st = &mut self.meters.stats[i];
            let cap = open.map_or(interval.0 as f64 * f64::from(st.workers), |o| o as f64);
            let utilization = if cap > 0.0 {
                st.tick_busy_area as f64 / cap
            } else {
                0.0
            };
            st.tick_busy_area = 0;
            nodes.push(NodeSample {
                queue: st.queue,
                in_node: st.in_node,
                utilization,
            });
        }
        let e = &mut self.meters.e2e;
        let [p50_ms, p95_ms, p99_ms] = e.tick_latency.take([0.5, 0.95, 0.99]);
        let point = SeriesPoint {
            t_s: self.queue.now.as_secs(),
            outcomes: e.tick,
            p50_ms,
            p95_ms,
            p99_ms,
            nodes,
        };
        e.tick = Default::default();
        self.meters.series.points.push(point);
        self.schedule(self.queue.now.add(interval), Ev::Tick);
    }

    /// Everything measured so far (call after [`Sim::run_to_end`] for the final report).
    pub fn report(&self) -> Report {
        let now = self.queue.now;
        let m = &self.meters;
        let w = Window {
            start: m.window.start,
            end: m.window.end.min(now).max(m.window.start),
        };
        let mut by_client = m.by_client.clone();
        let mut requests = m.e2e.totals;
        for r in
            self.reqs.items.iter().filter(|r| {
                r.measured && r.live && matches!(r.state, ReqState::Live | ReqState::Lost)
            })
        {
            requests.in_flight += 1;
            by_client[r.client as usize].in_flight += 1;
        }
        let e = &m.e2e;
        let edges = self.edge_reports();
        let [mean, p50, p90, p95, p99, p999, max] = e.latency_ms();
        let secs = w.len().as_secs();
        let mut nodes = BTreeMap::new();
        for (i, st) in m.stats.iter().enumerate() {
            let (busy, queue, in_node) = st.areas_until(now, &w);
            let len = w.len().0 as f64;
            let per = |a: f64| if len > 0.0 { a / len } else { 0.0 };
            let targets: Vec<&str> = self
                .graph
                .ports(i)
                .iter()
                .map(|&e| self.graph.ids[self.graph.edges[e as usize].to as usize].as_str())
                .collect();
            let node = &self.nodes[i];
            let detail = match node.as_client_ref() {
                // A client's counts are the engine's (it counts each request's end); its DNS cache is its own.
                Some(c) => Some(NodeDetail::Client(c.detail(by_client[i], now))),
                None => node.detail(now, w.len().0, &targets),
            };
            nodes.insert(
                self.graph.ids[i].clone(),
                NodeReport {
                    kind: self.graph.kinds[i],
                    arrivals: st.arrivals,
                    served: st.served,
                    dropped: st.dropped,
                    errors: st.errors,
                    waited: st.waited,
                    // An autoscaled fleet's is over the instances serving (its own meter), not its `max`.
                    utilization: match detail.as_ref().and_then(NodeDetail::fleet) {
                        Some(f) => f.utilization,
                        None if st.workers > 0 => per(busy) / f64::from(st.workers),
                        None => 0.0,
                    },
                    mean_queue: per(queue),
                    mean_in_node: per(in_node),
                    mean_time_ms: st.mean_time_ms(),
                    p99_time_ms: st.p99_time_ms(),
                    rate_limited: st.rate_limited,
                    shed: st.shed,
                    blocked: st.blocked,
                    plan: self.plan_report(i),
                    detail,
                },
            );
        }
        Report {
            format: 1,
            seed: self.seed,
            duration_s: self.traffic_end.as_secs(),
            warmup_s: m.window.start.as_secs(),
            end_s: now.as_secs(),
            finished: self.finished,
            requests,
            latency_ms: Latency {
                network_mean: e.network_mean_ms(),
                in_nodes_mean: if requests.completed() > 0 {
                    mean - e.network_mean_ms()
                } else {
                    0.0
                },
                mean,
                p50,
                p90,
                p95,
                p99,
                p999,
                max,
            },
            throughput_rps: if secs > 0.0 {
                requests.completed() as f64 / secs
            } else {
                0.0
            },
            events: self.queue.events,
            wall_ms: 0.0,
            resilience: self.resilience_report(&nodes, &edges),
            network: self.network_report(w.len().0),
            nodes,
            edges,
            series: m.series.clone(),
        }
    }

    /// The report of every edge with a call policy, by edge name.
    fn edge_reports(&self) -> BTreeMap<String, EdgeReport> {
        let g = &self.graph;
        let names: BTreeMap<u32, &String> = g.edge_index.iter().map(|(n, &i)| (i, n)).collect();
        let mut out = BTreeMap::new();
        for (i, e) in g.edges.iter().enumerate() {
            let Some(p) = &e.policy else { continue };
            let c = &p.counts;
            let b = p.breaker.as_ref();
            let time = b.map(|b| {
                let t = b.state_time(self.queue.now);
                let s = |ns: u64| SimTime(ns).as_secs();
                BreakerStateTime {
                    closed_s: s(t[0]),
                    open_s: s(t[1]),
                    half_open_s: s(t[2]),
                }
            });
            let name = names.get(&(i as u32)).map_or_else(
                || format!("{}->{}", g.ids[e.from as usize], g.ids[e.to as usize]),
                |n| (*n).clone(),
            );
            out.insert(
                name,
                EdgeReport {
                    from: g.ids[e.from as usize].clone(),
                    to: g.ids[e.to as usize].clone(),
                    calls: c.calls,
                    attempts: c.attempts,
                    retries: c.attempts.saturating_sub(c.calls),
                    amplification: ratio(c.attempts, c.calls),
                    timeouts: c.timeouts,
                    failed: c.failed,
                    budget_refused: c.budget_refused,
                    breaker_state: b.map(|b| b.state().name().to_string()),
                    breaker_opens: b.map_or(0, Breaker::opens),
                    short_circuited: c.short_circuited,
                    breaker_state_time: time,
                    hedge: p.hedge.as_deref().map(|h| {
                        let q = |hist: &hdrhistogram::Histogram<u32>, p: f64| {
                            if hist.is_empty() {
                                0.0
                            } else {
                                hist.value_at_quantile(p) as f64 / 1e6
                            }
                        };
                        HedgeReport {
                            hedges: c.hedges,
                            hedge_wins: c.hedge_wins,
                            cancelled: c.hedge_cancelled,
                            extra_load: ratio(c.hedges, c.attempts),
                            delay_ms: h.delay().map_or(0.0, SimTime::as_ms),
                            copy_p50_ms: q(&h.copies, 0.5),
                            copy_p99_ms: q(&h.copies, 0.99),
                            copy_p999_ms: q(&h.copies, 0.999),
                            call_p50_ms: q(&h.calls, 0.5),
                            call_p99_ms: q(&h.calls, 0.99),
                            call_p999_ms: q(&h.calls, 0.999),
                        }
                    }),
                },
            );
        }
        out
    }

    /// Node `i`'s parallel call plan, if it has one.
    fn plan_report(&self, i: usize) -> Option<PlanReport> {
        let plan = self.groups.plans[i]?;
        let m = self.groups.meters[i].as_deref()?;
        let ports = u64::from(self.graph.out_start[i + 1] - self.graph.out_start[i]);
        let calls = ports * u64::from(plan.copies);
        let q = |hist: &hdrhistogram::Histogram<u32>, p: f64| {
            if hist.is_empty() {
                0.0
            } else {
                hist.value_at_quantile(p) as f64 / 1e6
            }
        };
        let ok = m.wait.len();
        Some(PlanReport {
            plan: plan.name.to_string(),
            calls_per_request: calls,
            answers_needed: u64::from(plan.need).min(calls),
            plans: m.plans,
            failed: m.failed,
            partial: m.partial,
            missing: m.missing,
            wait_mean_ms: if ok == 0 {
                0.0
            } else {
                m.wait_sum_ns as f64 / ok as f64 / 1e6
            },
            wait_p50_ms: q(&m.wait, 0.5),
            wait_p99_ms: q(&m.wait, 0.99),
            call_p50_ms: q(&m.call, 0.5),
            call_p90_ms: q(&m.call, 0.9),
            call_p99_ms: q(&m.call, 0.99),
        })
    }

    /// The diagram-wide resilience totals, when the diagram uses any mechanism.
    fn resilience_report(
        &self,
        nodes: &BTreeMap<String, NodeReport>,
        edges: &BTreeMap<String, EdgeReport>,
    ) -> Option<ResilienceReport> {
        let services: Vec<_> = nodes.values().filter_map(NodeReport::service).collect();
        let t = &self.meters.e2e.totals;
        let uses = !edges.is_empty()
            || !services.is_empty()
            || t.resilience_counts()[..4].iter().any(|&v| v > 0);
        if !uses {
            return None;
        }
        let client_edges = edges.values().filter(|e| {
            self.graph
                .index
                .get(&e.from)
                .is_some_and(|&n| self.graph.kinds[n as usize] == Kind::Client)
        });
        let (mut calls, mut attempts) = (0, 0);
        for e in client_edges {
            calls += e.calls;
            attempts += e.attempts;
        }
        Some(ResilienceReport {
            client_calls: calls,
            client_attempts: attempts,
            retries: edges.values().map(|e| e.retries).sum(),
            amplification: ratio(attempts, calls),
            call_timeouts: edges.values().map(|e| e.timeouts).sum(),
            budget_refused: edges.values().map(|e| e.budget_refused).sum(),
            breaker_opens: edges.values().map(|e| e.breaker_opens).sum(),
            short_circuited: edges.values().map(|e| e.short_circuited).sum(),
            duplicate_effects: services.iter().map(|s| s.duplicate_effects).sum(),
            deduplicated: services.iter().map(|s| s.deduplicated).sum(),
        })
    }
}

/// `a / b`, or 0 when `b` is 0.
fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}
