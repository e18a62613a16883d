//! The load balancer: picks a backend (an outgoing edge) per request and passes responses back. It holds no
//! queue and adds no service time; it counts the calls each backend has open (for least connections and
//! power of two choices) and runs health checks: every `interval_ms` it probes each backend, and marks it
//! down after `unhealthy_threshold` failed probes in a row, so a dead backend keeps receiving traffic until
//! then. A probe fails when the backend is dead or the link to it is cut.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Incoming, mismatch};
use crate::components::{Action, Ctx, Params, check_num, check_range};
use crate::request::Outcome;
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

/// Load balancer parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LbParams {
    /// how a backend is picked, default round robin
    pub strategy: Strategy,
    /// points per backend on the consistent-hash ring (`ip_hash` only) [≥ 1], default 100
    pub virtual_nodes: u32,
    /// health checking, default every 1000 ms, down after 3 failures, up after 2 successes
    pub health_check: HealthCheck,
    /// sticky sessions (session affinity): each user (client address) stays on the backend it was first
    /// sent to while that backend is healthy, default false
    #[serde(default)]
    pub sticky: bool,
    /// a reverse proxy: it terminates the clients' TLS, and its backends see one pooled connection from it
    /// (its own address as the client, so a server's `tls_handshake_ms` is paid once), default false
    #[serde(default)]
    pub terminates_tls: bool,
}

impl Default for LbParams {
    fn default() -> Self {
        LbParams {
            strategy: Strategy::RoundRobin,
            virtual_nodes: 100,
            health_check: HealthCheck::default(),
            sticky: false,
            terminates_tls: false,
        }
    }
}

/// Backend selection strategies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// each healthy backend in turn
    RoundRobin,
    /// in turn, in proportion to the edges' `weight` (smooth weighted round robin, as nginx does)
    WeightedRoundRobin,
    /// the healthy backend with the fewest open calls (ties: the next in round-robin order)
    LeastConnections,
    /// the client address on a consistent-hash ring with virtual nodes; a down backend's share moves to the
    /// next point on the ring
    IpHash,
    /// a uniformly random healthy backend
    Random,
    /// two distinct random healthy backends, the one with fewer open calls wins
    PowerOfTwo,
}

/// Health checking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthCheck {
    /// whether checks run at all (without them a dead backend is never taken out), default true
    pub enabled: bool,
    /// time between probes [ms], default 1000
    pub interval_ms: f64,
    /// failed probes in a row before a backend is taken out [≥ 1], default 3
    pub unhealthy_threshold: u32,
    /// good probes in a row before it is put back [≥ 1], default 2
    pub healthy_threshold: u32,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            enabled: true,
            interval_ms: 1000.0,
            unhealthy_threshold: 3,
            healthy_threshold: 2,
        }
    }
}

impl LbParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.virtual_nodes == 0 {
            out.push((
                "virtual_nodes".into(),
                "`virtual_nodes` must be at least 1".into(),
            ));
        }
        let hc = &self.health_check;
        check_num(&mut out, "health_check.interval_ms", hc.interval_ms, 0.0);
        if hc.enabled && hc.interval_ms.is_finite() && hc.interval_ms <= 0.0 {
            out.push((
                "health_check.interval_ms".into(),
                "`health_check.interval_ms` must be positive".into(),
            ));
        }
        if hc.unhealthy_threshold == 0 || hc.healthy_threshold == 0 {
            out.push((
                "health_check".into(),
                "health check thresholds must be at least 1".into(),
            ));
        }
        let hc = &self.health_check;
        for (field, v) in [
            ("virtual_nodes", f64::from(self.virtual_nodes)),
            ("health_check.interval_ms", hc.interval_ms),
            (
                "health_check.unhealthy_threshold",
                f64::from(hc.unhealthy_threshold),
            ),
            (
                "health_check.healthy_threshold",
                f64::from(hc.healthy_threshold),
            ),
        ] {
            check_range(&mut out, field, v);
        }
        out
    }
}

/// FNV-1a over bytes, then a SplitMix64 finaliser: a portable hash for the ring (std's hasher is not
/// guaranteed stable across releases).
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h)
}

/// SplitMix64's finaliser.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The load balancer's state machine; backends are its outgoing ports `0..n`.
pub(crate) struct LoadBalancer {
    strategy: Strategy,
    pub health: HealthCheck,
    /// open calls per backend
    active: Vec<u32>,
    healthy: Vec<bool>,
    fails: Vec<u32>,
    oks: Vec<u32>,
    rr: u32,
    weights: Vec<i64>,
    current: Vec<i64>,
    /// (point, backend), sorted by point
    ring: Vec<(u64, u32)>,
    pub alive: bool,
    /// with `sticky`: each user's backend
    pins: Option<BTreeMap<(u32, u32), u32>>,
    terminates_tls: bool,
}

impl LoadBalancer {
    /// A balancer over backends named `backends` (their node ids, for the hash ring) with edge weights.
    pub fn new(p: &LbParams, backends: &[&str], weights: &[u32]) -> LoadBalancer {
        let n = backends.len();
        let mut ring = Vec::new();
        if p.strategy == Strategy::IpHash {
            for (b, name) in backends.iter().enumerate() {
                for v in 0..p.virtual_nodes {
                    ring.push((hash_bytes(format!("{name}#{v}").as_bytes()), b as u32));
                }
            }
            crate::sorting::sort_by(&mut ring, Ord::cmp);
        }
        LoadBalancer {
            strategy: p.strategy,
            health: p.health_check.clone(),
            active: vec![0; n],
            healthy: vec![true; n],
            fails: vec![0; n],
            oks: vec![0; n],
            rr: 0,
            weights: weights.iter().map(|&w| i64::from(w.max(1))).collect(),
            current: vec![0; n],
            ring,
            alive: true,
            pins: p.sticky.then(BTreeMap::new),
            terminates_tls: p.terminates_tls,
        }
    }

    fn backends(&self) -> u32 {
        self.active.len() as u32
    }

    /// Which backends are currently considered healthy.
    #[cfg(test)]
    pub fn healthy(&self) -> &[bool] {
        &self.healthy
    }

    fn pick(&mut self, ctx: &mut Ctx<'_>, addr: u32) -> Option<u32> {
        let n = self.backends();
        let up = self.healthy.iter().filter(|&&h| h).count() as u32;
        if up == 0 {
            return None;
        }
        let chosen = match self.strategy {
            Strategy::RoundRobin => {
                let mut b = self.rr % n;
                while !self.healthy[b as usize] {
                    b = (b + 1) % n;
                }
                self.rr = (b + 1) % n;
                b
            }
            Strategy::WeightedRoundRobin => {
                let mut total = 0;
                let mut best: Option<u32> = None;
                for b in 0..n as usize {
                    if !self.healthy[b] {
                        continue;
                    }
                    self.current[b] += self.weights[b];
                    total += self.weights[b];
                    if best.is_none_or(|x| self.current[b] > self.current[x as usize]) {
                        best = Some(b as u32);
                    }
                }
                let b = best.expect("at least one backend is healthy");
                self.current[b as usize] -= total;
                b
            }
            Strategy::LeastConnections => {
                let mut best: Option<u32> = None;
                for i in 0..n {
                    let b = (self.rr + i) % n;
                    if self.healthy[b as usize]
                        && best.is_none_or(|x| self.active[b as usize] < self.active[x as usize])
                    {
                        best = Some(b);
                    }
                }
                let b = best.expect("at least one backend is healthy");
                self.rr = (b + 1) % n;
                b
            }
            Strategy::IpHash => {
                let h = mix64(u64::from(addr) ^ 0x9e37_79b9_7f4a_7c15);
                let start = self.ring.partition_point(|&(p, _)| p < h);
                let len = self.ring.len();
                (0..len)
                    .map(|i| self.ring[(start + i) % len].1)
                    .find(|&b| self.healthy[b as usize])
                    .expect("a healthy backend has points on the ring")
            }
            Strategy::Random => self.nth_healthy(ctx.rng.below(u64::from(up)) as u32),
            Strategy::PowerOfTwo => {
                if up == 1 {
                    self.nth_healthy(0)
                } else {
                    let i = ctx.rng.below(u64::from(up)) as u32;
                    let mut j = ctx.rng.below(u64::from(up - 1)) as u32;
                    if j >= i {
                        j += 1;
                    }
                    let (a, b) = (self.nth_healthy(i), self.nth_healthy(j));
                    if self.active[b as usize] < self.active[a as usize] {
                        b
                    } else {
                        a
                    }
                }
            }
        };
        Some(chosen)
    }

    fn nth_healthy(&self, k: u32) -> u32 {
        let mut seen = 0;
        for (b, &h) in self.healthy.iter().enumerate() {
            if h {
                if seen == k {
                    return b as u32;
                }
                seen += 1;
            }
        }
        unreachable!("k is below the number of healthy backends")
    }

    /// With `sticky`: `user`'s backend while it is healthy, else a new pick, pinned.
    fn pick_sticky(&mut self, ctx: &mut Ctx<'_>, user: (u32, u32)) -> Option<u32> {
        if let Some(&b) = self.pins.as_ref().and_then(|p| p.get(&user))
            && self.healthy[b as usize]
        {
            return Some(b);
        }
        let b = self.pick(ctx, user.1)?;
        if let Some(p) = &mut self.pins {
            p.insert(user, b);
        }
        Some(b)
    }

    /// A request of `user` (client node, address) arrives: forward it to a backend, or fail it when none
    /// is healthy.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, user: (u32, u32)) {
        let picked = if self.pins.is_some() {
            self.pick_sticky(ctx, user)
        } else {
            self.pick(ctx, user.1)
        };
        match picked {
            Some(b) => {
                self.active[b as usize] += 1;
                let (port, slot) = (b, b);
                ctx.out.push(if self.terminates_tls {
                    Action::Egress { req, port, slot }
                } else {
                    Action::Forward { req, port, slot }
                });
            }
            None => ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            }),
        }
    }

    /// A backend's response comes back over `slot` (the backend's port).
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32, outcome: Outcome) {
        self.active[slot as usize] -= 1;
        if self.alive {
            ctx.out.push(Action::Respond { req, outcome });
        } else {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
        }
    }

    /// A call to `slot` was lost and abandoned.
    pub fn abandon(&mut self, slot: u32) {
        self.active[slot as usize] -= 1;
    }

    /// One round of probes; `probe(b)` tells whether backend `b` answers.
    pub fn health_check(&mut self, probe: impl Fn(u32) -> bool) {
        for b in 0..self.backends() as usize {
            if probe(b as u32) {
                self.fails[b] = 0;
                self.oks[b] += 1;
                if !self.healthy[b] && self.oks[b] >= self.health.healthy_threshold {
                    self.healthy[b] = true;
                }
            } else {
                self.oks[b] = 0;
                self.fails[b] += 1;
                if self.healthy[b] && self.fails[b] >= self.health.unhealthy_threshold {
                    self.healthy[b] = false;
                }
            }
        }
    }
}

impl Component for LoadBalancer {
    fn build(b: &Build<'_>) -> Result<LoadBalancer, String> {
        match b.params {
            Params::LoadBalancer(p) => {
                let names: Vec<&str> = b.ports.iter().map(|t| t.id).collect();
                let weights: Vec<u32> = b.ports.iter().map(|t| t.weight).collect();
                Ok(LoadBalancer::new(p, &names, &weights))
            }
            other => Err(mismatch("load balancer", other)),
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        LoadBalancer::on_request(self, ctx, req, (inc.client, inc.addr));
        false
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        _version: u64,
    ) {
        LoadBalancer::on_response(self, ctx, req, slot, outcome);
    }

    fn abandon(&mut self, _ctx: &mut Ctx<'_>, _req: u32, slot: u32) {
        LoadBalancer::abandon(self, slot);
    }

    fn kill(&mut self, _ctx: &mut Ctx<'_>) {
        self.alive = false;
    }

    fn revive(&mut self, _ctx: &mut Ctx<'_>) {
        self.alive = true;
    }

    fn probe_interval(&self) -> Option<SimTime> {
        self.health
            .enabled
            .then(|| SimTime::from_ms(self.health.interval_ms))
    }

    fn probe(&mut self, up: &dyn Fn(u32) -> bool) {
        self.health_check(up);
    }
}

impl Choices for Strategy {
    const ALL: &'static [Strategy] = &[
        Strategy::RoundRobin,
        Strategy::WeightedRoundRobin,
        Strategy::LeastConnections,
        Strategy::IpHash,
        Strategy::Random,
        Strategy::PowerOfTwo,
    ];
    fn label(self) -> Option<&'static str> {
        match self {
            Strategy::IpHash => Some("IP hash"),
            Strategy::PowerOfTwo => Some("Power of two choices"),
            _ => None,
        }
    }
}

impl LbParams {
    /// How the inspector names a load balancer's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("strategy", "Strategy").choices(choices::<Strategy>),
            Term::new("health_check", "Health check").nested(&HealthCheck::VOCAB),
            Term::new("virtual_nodes", "Virtual nodes"),
            Term::new("sticky", "Sticky sessions (pin each user)"),
            Term::new("terminates_tls", "Terminates TLS (reverse proxy)"),
        ],
    };
}

impl HealthCheck {
    /// How the inspector names a health check's fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("enabled", "Enabled"),
            Term::new("interval_ms", "Probe interval"),
            Term::new("unhealthy_threshold", "Down after fails"),
            Term::new("healthy_threshold", "Up after passes"),
        ],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;
    use crate::time::SimTime;

    fn picks(strategy: Strategy, weights: &[u32], n: usize) -> Vec<u32> {
        let p = LbParams {
            strategy,
            ..LbParams::default()
        };
        let names = ["a", "b", "c"];
        let mut lb = LoadBalancer::new(&p, &names[..weights.len()], weights);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        for r in 0..n as u32 {
            lb.on_request(
                &mut Ctx {
                    now: SimTime::ZERO,
                    rng: &mut rng,
                    out: &mut out,
                    counting: true,
                },
                r,
                (0, r),
            );
        }
        out.iter()
            .map(|a| match a {
                Action::Forward { port, .. } => *port,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn round_robin_and_weighted_round_robin_follow_their_cycles() {
        assert_eq!(
            picks(Strategy::RoundRobin, &[1, 1, 1], 6),
            [0, 1, 2, 0, 1, 2]
        );
        let w = picks(Strategy::WeightedRoundRobin, &[5, 1, 1], 7);
        assert_eq!(
            w,
            [0, 0, 1, 0, 2, 0, 0],
            "nginx's smooth sequence for 5:1:1"
        );
    }

    #[test]
    fn least_connections_spreads_open_calls() {
        assert_eq!(
            picks(Strategy::LeastConnections, &[1, 1, 1], 6),
            [0, 1, 2, 0, 1, 2]
        );
    }

    #[test]
    fn ip_hash_is_sticky_and_skips_a_down_backend() {
        let p = LbParams {
            strategy: Strategy::IpHash,
            ..LbParams::default()
        };
        let mut lb = LoadBalancer::new(&p, &["a", "b", "c"], &[1, 1, 1]);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        let mut ctx = Ctx {
            now: SimTime::ZERO,
            rng: &mut rng,
            out: &mut out,
            counting: true,
        };
        let first: Vec<u32> = (0..50).map(|a| lb.pick(&mut ctx, a).expect("up")).collect();
        let again: Vec<u32> = (0..50).map(|a| lb.pick(&mut ctx, a).expect("up")).collect();
        assert_eq!(first, again);
        assert!(
            (0..3).all(|b| first.contains(&b)),
            "all backends get some addresses"
        );
        lb.healthy[1] = false;
        let moved: Vec<u32> = (0..50).map(|a| lb.pick(&mut ctx, a).expect("up")).collect();
        for (f, m) in first.iter().zip(&moved) {
            assert_ne!(*m, 1);
            if *f != 1 {
                assert_eq!(f, m, "only the down backend's addresses move");
            }
        }
    }

    #[test]
    fn health_checks_take_a_dead_backend_out_after_the_threshold_and_back_later() {
        let mut lb = LoadBalancer::new(&LbParams::default(), &["a", "b"], &[1, 1]);
        lb.health_check(|b| b != 1);
        lb.health_check(|b| b != 1);
        assert_eq!(
            lb.healthy(),
            [true, true],
            "two failures are below the threshold of 3"
        );
        lb.health_check(|b| b != 1);
        assert_eq!(lb.healthy(), [true, false]);
        lb.health_check(|_| true);
        assert_eq!(lb.healthy(), [true, false]);
        lb.health_check(|_| true);
        assert_eq!(lb.healthy(), [true, true]);
    }
}
