//! The service registry: client-side service discovery (Eureka, Consul with a client library). The registry's
//! outgoing edges are the service's instances. Each instance heartbeats every `heartbeat_s` while it is alive
//! and its link works (the engine's probe of the node's edges); the registry lists an instance until `ttl_s`
//! after its last heartbeat. Callers look the service up and keep a cached copy of the list, refreshed every
//! `refresh_s`, and send each request to the next instance of their copy in turn (round robin): they hold no
//! queue and add no time (the node is the callers' own client-side balancer; give the edges into it a latency
//! of 0 for a caller in the same process).
//!
//! ```text
//!   kill at t_k ── last heartbeat t_h ∈ (t_k − heartbeat, t_k] ── expired at t_h + ttl
//!               ── the first refresh after it drops it from the callers' copy at t_r
//!   error window  W = t_r − t_k ∈ (ttl − heartbeat, ttl + refresh]
//! ```
//!
//! Every request sent to the dead instance in that window fails. With `refresh_s` = 0 there is no copy: each
//! request reads the registry itself (server-side discovery, a balancer that looks the list up), and the window
//! is the TTL part alone. Nothing is drawn from the generator.

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Finding, Incoming, mismatch};
use crate::components::{Action, Ctx, NodeDetail, Params, check_num, check_range};
use crate::digest::Digest;
use crate::request::Outcome;
use crate::time::SimTime;
use crate::vocab::{Term, Vocab};

/// Service registry parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistryParams {
    /// an instance stays listed this long after its last heartbeat [s, 0.001..10⁷], default 15
    pub ttl_s: f64,
    /// each live instance heartbeats this often [s, 0.001..10⁷], default 5
    pub heartbeat_s: f64,
    /// callers refresh their cached copy of the list this often [s, 0..10⁷]; 0 = no copy, every request
    /// reads the registry (server-side discovery), default 10
    pub refresh_s: f64,
}

impl Default for RegistryParams {
    fn default() -> Self {
        RegistryParams {
            ttl_s: 15.0,
            heartbeat_s: 5.0,
            refresh_s: 10.0,
        }
    }
}

impl RegistryParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (field, v) in [
            ("ttl_s", self.ttl_s),
            ("heartbeat_s", self.heartbeat_s),
            ("refresh_s", self.refresh_s),
        ] {
            check_num(&mut out, field, v, 0.0);
            check_range(&mut out, field, v);
        }
        out
    }

    /// How the inspector names a registry's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("ttl_s", "Listed after last heartbeat (TTL)").unit("s"),
            Term::new("heartbeat_s", "Heartbeat every").unit("s"),
            Term::new("refresh_s", "Callers refresh their copy every (0: no copy)").unit("s"),
        ],
    };
}

/// A registry's counts over the measurement window and its state at the end (the report's `discovery` block).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryReport {
    /// instances (the node's edges)
    pub instances: u32,
    /// instances the registry lists at the end (heartbeat within the TTL)
    pub registered: u32,
    /// instances in the callers' cached copy at the end
    pub cached: u32,
    /// refreshes of the callers' copy
    pub refreshes: u64,
    /// instances dropped from the callers' copy (expired in the registry, seen at a refresh)
    pub dropped: u64,
    /// requests sent to an instance the registry had already expired but the callers' copy still held
    pub stale_sends: u64,
    /// calls that came back failed (a dead instance's, among others)
    pub failed_calls: u64,
    /// requests failed here because the copy held no instance
    pub no_instance: u64,
    /// the last instance dropped from the copy: how long after its last heartbeat [s] (the TTL plus the wait
    /// for the refresh); `null` when none was dropped
    pub last_stale_s: Option<f64>,
}

impl DiscoveryReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            u64::from(self.instances),
            u64::from(self.registered),
            u64::from(self.cached),
            self.refreshes,
            self.dropped,
            self.stale_sends,
            self.failed_calls,
            self.no_instance,
        ]);
        h.f64(self.last_stale_s.unwrap_or(-1.0));
    }

    /// Its part of the node's guard line in the runner's table.
    pub fn table_part(&self) -> String {
        let stale = self.last_stale_s.map_or(String::new(), |s| {
            format!("  last dropped {s:.2} s after its heartbeat")
        });
        format!(
            "registered {}/{}  cached {}  refreshes {}  dropped {}  stale sends {}  failed calls {}  no \
             instance {}{stale}",
            self.registered,
            self.instances,
            self.cached,
            self.refreshes,
            self.dropped,
            self.stale_sends,
            self.failed_calls,
            self.no_instance
        )
    }
}

/// A registry's block of the report: `discovery`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryDetail {
    /// heartbeats, the cached copy and what reached dead instances
    pub discovery: DiscoveryReport,
}

/// The registry's state machine; instances are its outgoing ports `0..n`.
pub(crate) struct Registry {
    heartbeat: SimTime,
    ttl: SimTime,
    /// `None`: no cached copy
    refresh: Option<SimTime>,
    /// heartbeat rounds so far (round k is at k × heartbeat)
    rounds: u64,
    /// per instance, its last heartbeat
    last_beat: Vec<SimTime>,
    /// the callers' copy of the list, by port
    cached: Vec<u32>,
    rr: u64,
    token: u32,
    counting: bool,
    report: DiscoveryReport,
}

impl Registry {
    /// A registry over `instances` instances, all registered at time zero and in the callers' copy.
    pub fn new(p: &RegistryParams, instances: u32) -> Registry {
        Registry {
            heartbeat: SimTime::from_secs(p.heartbeat_s).max(SimTime(1)),
            ttl: SimTime::from_secs(p.ttl_s),
            refresh: (p.refresh_s > 0.0).then(|| SimTime::from_secs(p.refresh_s).max(SimTime(1))),
            rounds: 0,
            last_beat: vec![SimTime::ZERO; instances as usize],
            cached: (0..instances).collect(),
            rr: 0,
            token: 0,
            counting: true,
            report: DiscoveryReport {
                instances,
                ..DiscoveryReport::default()
            },
        }
    }

    /// Whether the registry lists instance `p` at `now`: its last heartbeat is less than the TTL ago.
    pub fn registered(&self, p: u32, now: SimTime) -> bool {
        now < self.last_beat[p as usize].add(self.ttl)
    }

    /// The callers' copy is refreshed from the registry at `now`.
    fn refresh_copy(&mut self, now: SimTime) {
        let fresh: Vec<u32> = (0..self.last_beat.len() as u32)
            .filter(|&p| self.registered(p, now))
            .collect();
        for &p in &self.cached {
            if !fresh.contains(&p) {
                self.report.dropped += u64::from(self.counting);
                let stale = now.since(self.last_beat[p as usize]);
                self.report.last_stale_s = Some(stale.as_secs());
            }
        }
        self.report.refreshes += u64::from(self.counting);
        self.cached = fresh;
    }

    fn arm(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(r) = self.refresh {
            self.token = self.token.wrapping_add(1);
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(r),
                slot: 0,
                token: self.token,
            });
        }
    }

    /// The instance the next request goes to, if the callers' copy (or, without one, the registry) has any.
    fn pick(&mut self, now: SimTime) -> Option<u32> {
        let list: Vec<u32> = if self.refresh.is_some() {
            self.cached.clone()
        } else {
            (0..self.last_beat.len() as u32)
                .filter(|&p| self.registered(p, now))
                .collect()
        };
        if list.is_empty() {
            return None;
        }
        let p = list[(self.rr % list.len() as u64) as usize];
        self.rr = self.rr.wrapping_add(1);
        Some(p)
    }
}

impl Component for Registry {
    fn build(b: &Build<'_>) -> Result<Registry, String> {
        match b.params {
            Params::ServiceRegistry(p) => Ok(Registry::new(p, b.ports.len() as u32)),
            other => Err(mismatch("service registry", other)),
        }
    }

    fn check(b: &Build<'_>) -> Vec<Finding> {
        let Params::ServiceRegistry(p) = b.params else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if p.ttl_s <= p.heartbeat_s {
            out.push(Finding {
                warning: true,
                field: Some("ttl_s"),
                text: format!(
                    " lists an instance for {} s after a heartbeat but instances heartbeat only every {} s: \
                     live instances drop out between heartbeats (make `ttl_s` a few heartbeats)",
                    p.ttl_s, p.heartbeat_s
                ),
            });
        }
        out
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.arm(ctx);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, _inc: &Incoming) -> bool {
        self.counting = ctx.counting;
        match self.pick(ctx.now) {
            Some(port) => {
                if !self.registered(port, ctx.now) {
                    self.report.stale_sends += u64::from(ctx.counting);
                }
                ctx.out.push(Action::Forward {
                    req,
                    port,
                    slot: port,
                });
            }
            None => {
                self.report.no_instance += u64::from(ctx.counting);
                ctx.out.push(Action::Fail {
                    req,
                    outcome: Outcome::Error,
                });
            }
        }
        false
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        _slot: u32,
        outcome: Outcome,
        _version: u64,
    ) {
        if outcome != Outcome::Ok {
            self.report.failed_calls += u64::from(ctx.counting);
        }
        ctx.out.push(Action::Respond { req, outcome });
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, _slot: u32, token: u32) {
        if token != self.token {
            return;
        }
        self.counting = ctx.counting;
        self.refresh_copy(ctx.now);
        self.arm(ctx);
    }

    fn revive(&mut self, ctx: &mut Ctx<'_>) {
        // Heartbeat rounds fall at k × heartbeat; a dead registry missed the ones since it died.
        self.rounds = ctx.now.0 / self.heartbeat.0;
    }

    fn probe_interval(&self) -> Option<SimTime> {
        Some(self.heartbeat)
    }

    fn probe(&mut self, up: &dyn Fn(u32) -> bool) {
        self.rounds += 1;
        let now = SimTime(self.heartbeat.0.saturating_mul(self.rounds));
        for p in 0..self.last_beat.len() as u32 {
            if up(p) {
                self.last_beat[p as usize] = now;
            }
        }
    }

    fn detail(&self, now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        let n = self.last_beat.len() as u32;
        Some(NodeDetail::Discovery(DiscoveryDetail {
            discovery: DiscoveryReport {
                registered: (0..n).filter(|&p| self.registered(p, now)).count() as u32,
                cached: if self.refresh.is_some() {
                    self.cached.len() as u32
                } else {
                    (0..n).filter(|&p| self.registered(p, now)).count() as u32
                },
                ..self.report.clone()
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    /// With heartbeats every 1 s, a TTL of 3.5 s and a refresh every 2 s, an instance whose heartbeats stop
    /// after the one at 21 s is listed until 24.5 s and leaves the callers' copy at the refresh at 26 s: the
    /// copy holds it at 24 s (24 < 24.5) and not at 26 s, 5 s after its last heartbeat.
    #[test]
    fn an_instance_leaves_the_copy_at_the_first_refresh_after_its_ttl() {
        let p = RegistryParams {
            ttl_s: 3.5,
            heartbeat_s: 1.0,
            refresh_s: 2.0,
        };
        let mut r = Registry::new(&p, 2);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        for round in 1..=30u64 {
            let dead = round > 21;
            r.probe(&|i| !(dead && i == 1));
            let now = SimTime::from_secs(round as f64);
            if round % 2 == 0 {
                r.on_timer(
                    &mut Ctx {
                        now,
                        rng: &mut rng,
                        out: &mut out,
                        counting: true,
                    },
                    0,
                    r.token,
                );
                let held = r.cached.contains(&1);
                assert_eq!(held, round <= 24, "at {round} s");
            }
        }
        assert_eq!(r.report.dropped, 1);
        assert_eq!(r.report.last_stale_s, Some(5.0));
    }
}
