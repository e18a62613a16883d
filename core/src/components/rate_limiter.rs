//! The rate limiter: a node (and a policy an API gateway applies) that admits, delays or refuses each
//! request by one of five algorithms, keyed globally, per client address or per API key, optionally as N
//! instances that share their counts only every Δ. A refusal is its own outcome, [`Outcome::RateLimited`]
//! (HTTP 429), counted apart from errors.
//!
//! All time is integer nanoseconds. W = the window ([`SimTime::from_ms`] of `window_ms`, at least 1 ns),
//! L = `limit`, B = `burst` (null = L), T = the emission interval max(1, ⌊W / L⌋) ns.
//!
//! - `fixed_window`: windows [kW, (k+1)W); a request is admitted if fewer than L were admitted in its
//!   window. Shows the boundary burst: L just before a boundary and L just after, 2L in a span of a hair.
//! - `sliding_log`: the times of the admitted requests in (now − W, now] are kept (older ones are dropped as
//!   the window moves, so at most L per key); a request is admitted if there are fewer than L.
//! - `sliding_window` (Cloudflare's counter approximation): with k = ⌊now / W⌋, `cur` the admissions in
//!   window k, `prev` those in window k − 1 and e = now − kW, the estimate is prev·(W − e)/W + cur; a request
//!   is admitted if the estimate < L, computed exactly as prev·(W − e) + cur·W < L·W in 128-bit integers.
//! - `token_bucket`: credit in nanoseconds, capped at B·T and starting full; on each arrival credit =
//!   min(B·T, credit + (now − last arrival)); a request is admitted if credit ≥ T, and then credit −= T. That is
//!   exactly GCRA (virtual scheduling with TAT and tolerance τ = (B − 1)·T: admit iff max(TAT, now) − now ≤ τ,
//!   then TAT = max(TAT, now) + T): credit = B·T − max(0, TAT − now).
//! - `leaky_bucket` (a queue that shapes the traffic): requests leave one every T. With `next_free` the
//!   earliest time the next one may leave, a request at `now` would wait w = max(0, next_free − now); the
//!   requests already waiting are ⌈w / T⌉ − 1 (none when w = 0), and the bucket holds B of them, so the request
//!   is refused if w > B·T. Otherwise it leaves at now + w ([`Decision::Admit`] when w = 0, else
//!   [`Decision::Delay`]) and next_free = now + w + T.
//!
//! Keys: `global` is one state; `client_address` one per (client, address); `api_key` one per (client, API
//! key); states live in a `BTreeMap`, one small state each.
//!
//! Distributed mode (`instances` N > 1 and `sync_ms` Δ > 0): requests go to the instances in turn (round
//! robin, as a load balancer in front of them would). Each instance decides on its own view: the shared state
//! as of the last sync plus its own admissions since. At every sync time kΔ all instances' admissions since
//! the last sync are recorded onto the shared state in time order (ties: instance order) without being
//! checked — a token bucket's credit may go into debt, counts may pass L, a leaky bucket's `next_free` runs
//! on — and every view is reset to it (see `distributed.rs`). Until then the instances over-admit: up to N·L
//! in a window that starts empty. A token or leaky bucket pays the excess back after the sync (the debt is
//! shared), so its long-run rate stays L per W; a window algorithm whose windows end before the next sync
//! (Δ ≥ W) over-admits again in every window. `over_admitted` counts the difference with a shadow exact
//! limiter fed the same arrivals (admitted − its admitted, at least 0). With N = 1 or Δ = 0 (a central store)
//! there is one exact state and no shadow.
//!
//! The node ([`RateLimiter`]) forwards an admitted request over its first edge, fails a refused one with
//! `RateLimited`, and holds a delayed one until a timer at its release time. A kill fails the held requests
//! with `Error` (their timers go stale); a revived node starts with fresh state (the counts were in the dead
//! process's memory) while its report counts go on.

mod algorithm;
mod distributed;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Incoming, Levels, mismatch};
use crate::components::{Action, Ctx, NO_SLOT, NodeDetail, Params, check_num, check_range};
use crate::digest::Digest;
use crate::request::Outcome;
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

use algorithm::{Rule, State};
use distributed::{Cluster, Key};

/// Rate limiter parameters (the `rate_limiter` node's params, and the API gateway's `rate_limit` policy).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimiterParams {
    /// how requests are counted, default token bucket
    pub algorithm: Algorithm,
    /// requests allowed per window [≥ 1], default 100
    pub limit: u32,
    /// the window [ms, > 0], default 1000; the token bucket's refill rate and the leaky bucket's leak rate
    /// are `limit` per window
    pub window_ms: f64,
    /// the token bucket's capacity / the leaky bucket's waiting room [requests, ≥ 1]; `null` = `limit`,
    /// default `null`
    pub burst: Option<u32>,
    /// what the limit applies to, default the whole node (global)
    pub key: LimitKey,
    /// limiter instances sharing the limit [≥ 1], default 1
    pub instances: u32,
    /// how often the instances share their counts [ms, ≥ 0]; 0 = at once (a central store), default 0
    pub sync_ms: f64,
}

impl Default for LimiterParams {
    fn default() -> Self {
        LimiterParams {
            algorithm: Algorithm::TokenBucket,
            limit: 100,
            window_ms: 1000.0,
            burst: None,
            key: LimitKey::Global,
            instances: 1,
            sync_ms: 0.0,
        }
    }
}

impl LimiterParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.limit == 0 {
            out.push(("limit".into(), "`limit` must be at least 1".into()));
        }
        check_num(&mut out, "window_ms", self.window_ms, 0.0);
        if self.window_ms.is_finite() && self.window_ms == 0.0 {
            out.push(("window_ms".into(), "`window_ms` must be positive".into()));
        }
        if self.burst == Some(0) {
            out.push(("burst".into(), "`burst` must be at least 1".into()));
        }
        if self.instances == 0 {
            out.push(("instances".into(), "`instances` must be at least 1".into()));
        }
        check_num(&mut out, "sync_ms", self.sync_ms, 0.0);
        let mut ranges = vec![
            ("limit", f64::from(self.limit)),
            ("window_ms", self.window_ms),
            ("instances", f64::from(self.instances)),
            ("sync_ms", self.sync_ms),
        ];
        if let Some(b) = self.burst {
            ranges.push(("burst", f64::from(b)));
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }
}

/// How a limiter counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// at most `limit` in each window [kW, (k+1)W)
    FixedWindow,
    /// at most `limit` in the last W, by the admitted requests' times
    SlidingLog,
    /// the previous window's count weighted by its overlap with the last W, plus the current one's
    SlidingWindow,
    /// `burst` tokens refilled at `limit` per window
    #[default]
    TokenBucket,
    /// a queue of `burst` places drained at `limit` per window
    LeakyBucket,
}

/// What a limit applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKey {
    /// every request counts against one limit
    #[default]
    Global,
    /// each client address has its own limit
    ClientAddress,
    /// each API key has its own limit
    ApiKey,
}

/// Who sent a request, as the engine knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Who {
    /// the client node
    pub client: u32,
    /// the client address
    pub addr: u32,
    /// the API key
    pub api_key: u32,
}

/// What a limiter does with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// let through now
    Admit,
    /// let through at this (absolute, later) time: the leaky bucket's queue
    Delay(SimTime),
    /// refuse (HTTP 429)
    Reject,
}

/// A limiter's counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LimiterReport {
    /// let through, at once or later
    pub admitted: u64,
    /// of those, how many waited (leaky bucket)
    pub delayed: u64,
    /// refused (429)
    pub rate_limited: u64,
    /// distributed mode: admitted beyond what one exact shared limiter would have admitted; 0 otherwise
    pub over_admitted: u64,
    /// distinct keys tracked
    pub keys: u64,
}

/// A rate limiter's decisions and counts, without the node around it (the API gateway's policy uses this).
#[derive(Clone, Debug)]
pub struct Limiter {
    rule: Rule,
    key: LimitKey,
    /// the exact state per key: the one that decides, or in distributed mode the shadow
    exact: BTreeMap<Key, State>,
    /// distributed mode: the instances
    cluster: Option<Cluster>,
    instances: u32,
    sync: u64,
    admitted: u64,
    delayed: u64,
    rate_limited: u64,
    /// what the exact (shadow) state admitted
    exact_admitted: u64,
}

impl Limiter {
    /// A limiter with no requests seen.
    pub fn new(p: &LimiterParams) -> Limiter {
        let mut l = Limiter {
            rule: Rule::new(p),
            key: p.key,
            exact: BTreeMap::new(),
            cluster: None,
            instances: p.instances.max(1),
            sync: SimTime::from_ms(p.sync_ms).as_nanos(),
            admitted: 0,
            delayed: 0,
            rate_limited: 0,
            exact_admitted: 0,
        };
        l.forget();
        l
    }

    /// Drops every key's state (the counts stay): as after a restart.
    pub fn forget(&mut self) {
        self.exact.clear();
        self.cluster =
            (self.instances > 1 && self.sync > 0).then(|| Cluster::new(self.instances, self.sync));
    }

    /// Whether the instances share their counts only every Δ.
    pub fn distributed(&self) -> bool {
        self.cluster.is_some()
    }

    fn key_of(&self, who: Who) -> Key {
        match self.key {
            LimitKey::Global => (0, 0),
            LimitKey::ClientAddress => (who.client, who.addr),
            LimitKey::ApiKey => (who.client, who.api_key),
        }
    }

    /// The decision for a request from `who` arriving at `now` (non-decreasing over calls). Instances take
    /// requests in turn (round robin, as a load balancer in front of them would).
    pub fn decide(&mut self, now: SimTime, who: Who) -> Decision {
        let (rule, key, now) = (self.rule, self.key_of(who), now.as_nanos());
        let exact = self.exact.entry(key).or_insert_with(|| rule.fresh());
        let exact = rule.decide(exact, now);
        let d = match &mut self.cluster {
            None => exact,
            Some(c) => {
                if exact != Decision::Reject {
                    self.exact_admitted += 1;
                }
                c.decide(&rule, now, key)
            }
        };
        match d {
            Decision::Admit => self.admitted += 1,
            Decision::Delay(_) => {
                self.admitted += 1;
                self.delayed += 1;
            }
            Decision::Reject => self.rate_limited += 1,
        }
        d
    }

    /// The counts so far.
    pub fn counters(&self) -> LimiterReport {
        LimiterReport {
            admitted: self.admitted,
            delayed: self.delayed,
            rate_limited: self.rate_limited,
            over_admitted: if self.cluster.is_some() {
                self.admitted.saturating_sub(self.exact_admitted)
            } else {
                0
            },
            keys: self.exact.len() as u64,
        }
    }
}

/// A request the leaky bucket holds until its release timer.
#[derive(Clone, Copy, Debug)]
struct Held {
    req: u32,
    token: u32,
    busy: bool,
}

/// The rate limiter node's state machine.
pub(crate) struct RateLimiter {
    limiter: Limiter,
    held: Vec<Held>,
    free: Vec<u32>,
    alive: bool,
}

impl RateLimiter {
    /// A limiter node with no requests seen.
    pub fn new(p: &LimiterParams) -> RateLimiter {
        RateLimiter {
            limiter: Limiter::new(p),
            held: Vec::new(),
            free: Vec::new(),
            alive: true,
        }
    }

    /// A request arrives: forwards it over port 0, refuses it (`RateLimited`), or holds it until the leaky
    /// bucket lets it out (a timer at the release time; the engine calls [`RateLimiter::on_timer`] then).
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, who: Who) {
        match self.limiter.decide(ctx.now, who) {
            Decision::Admit => ctx.out.push(Action::Forward {
                req,
                port: 0,
                slot: NO_SLOT,
            }),
            Decision::Reject => ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::RateLimited,
            }),
            Decision::Delay(at) => {
                let slot = match self.free.pop() {
                    Some(s) => s,
                    None => {
                        self.held.push(Held {
                            req: 0,
                            token: 0,
                            busy: false,
                        });
                        self.held.len() as u32 - 1
                    }
                };
                let h = &mut self.held[slot as usize];
                h.req = req;
                h.token = h.token.wrapping_add(1);
                h.busy = true;
                ctx.out.push(Action::ServiceDone {
                    at,
                    slot,
                    token: h.token,
                });
            }
        }
    }

    /// A held request's release time: it goes on over port 0. Stale timers (from before a kill) are ignored.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        let Some(h) = self.held.get_mut(slot as usize) else {
            return;
        };
        if !h.busy || h.token != token {
            return;
        }
        h.busy = false;
        ctx.out.push(Action::Forward {
            req: h.req,
            port: 0,
            slot: NO_SLOT,
        });
        self.free.push(slot);
    }

    /// The response to a forwarded request comes back: passed on (failed, if the limiter died meanwhile).
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32, outcome: Outcome) {
        debug_assert_eq!(
            slot, NO_SLOT,
            "the limiter keeps no slot for a forwarded request"
        );
        if self.alive {
            ctx.out.push(Action::Respond { req, outcome });
        } else {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
        }
    }

    /// The node dies: every held request fails with `Error` (in slot order); their timers become stale.
    pub fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        for (slot, h) in self.held.iter_mut().enumerate() {
            if h.busy {
                h.busy = false;
                ctx.out.push(Action::Fail {
                    req: h.req,
                    outcome: Outcome::Error,
                });
                self.free.push(slot as u32);
            }
        }
    }

    /// The node comes back with empty counters of its algorithm (they were in the dead process's memory); its
    /// report counts go on.
    pub fn revive(&mut self) {
        self.alive = true;
        self.limiter.forget();
    }

    /// Requests held (leaky bucket) now.
    pub fn held(&self) -> u32 {
        self.held.len() as u32 - self.free.len() as u32
    }

    /// The counts so far.
    pub fn report(&self) -> LimiterReport {
        self.limiter.counters()
    }
}

impl LimiterReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            self.admitted,
            self.delayed,
            self.rate_limited,
            self.over_admitted,
            self.keys,
        ]);
    }

    /// Its part of the node's guard line in the runner's table.
    pub fn table_part(&self) -> String {
        format!(
            "admitted {}  delayed {}  rate limited {}  over-admitted {}  keys {}",
            self.admitted, self.delayed, self.rate_limited, self.over_admitted, self.keys
        )
    }
}

/// A rate limiter's block of the report: `limiter`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimiterDetail {
    /// its decisions (whole run)
    pub limiter: LimiterReport,
}

impl Component for RateLimiter {
    fn build(b: &Build<'_>) -> Result<RateLimiter, String> {
        match b.params {
            Params::RateLimiter(p) => Ok(RateLimiter::new(p)),
            other => Err(mismatch("rate limiter", other)),
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        let who = Who {
            client: inc.client,
            addr: inc.addr,
            api_key: inc.api_key,
        };
        RateLimiter::on_request(self, ctx, req, who);
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
        RateLimiter::on_response(self, ctx, req, slot, outcome);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        RateLimiter::on_timer(self, ctx, slot, token);
    }

    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        RateLimiter::kill(self, ctx);
    }

    fn revive(&mut self, _ctx: &mut Ctx<'_>) {
        RateLimiter::revive(self);
    }

    /// Held requests count as its queue; it has no workers.
    fn levels(&self) -> Option<Levels> {
        Some(Levels {
            busy: 0,
            queue: self.held(),
        })
    }

    fn detail(&self, _now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::Limiter(LimiterDetail {
            limiter: self.report(),
        }))
    }
}

impl Choices for Algorithm {
    const ALL: &'static [Algorithm] = &[
        Algorithm::FixedWindow,
        Algorithm::SlidingLog,
        Algorithm::SlidingWindow,
        Algorithm::TokenBucket,
        Algorithm::LeakyBucket,
    ];
}

impl Choices for LimitKey {
    const ALL: &'static [LimitKey] = &[LimitKey::Global, LimitKey::ClientAddress, LimitKey::ApiKey];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            LimitKey::Global => "All (global)",
            LimitKey::ClientAddress => "Address",
            LimitKey::ApiKey => "API key",
        })
    }
}

impl LimiterParams {
    /// How the inspector names a rate limit's parameters (a limiter node's, or a gateway's policy).
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("algorithm", "Algorithm").choices(choices::<Algorithm>),
            Term::new("limit", "Limit").unit("req"),
            Term::new("window_ms", "Window"),
            Term::new("burst", "Burst")
                .unit("req")
                .integer()
                .empty("= limit"),
            Term::new("key", "Limit per").choices(choices::<LimitKey>),
            Term::new("instances", "Instances"),
            Term::new("sync_ms", "Sync between instances"),
        ],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    const WHO: Who = Who {
        client: 0,
        addr: 0,
        api_key: 0,
    };

    fn ctx<'a>(now_ms: f64, rng: &'a mut SimRng, out: &'a mut Vec<Action>) -> Ctx<'a> {
        Ctx {
            now: SimTime::from_ms(now_ms),
            rng,
            out,
            counting: true,
        }
    }

    fn leaky(limit: u32, burst: u32) -> LimiterParams {
        LimiterParams {
            algorithm: Algorithm::LeakyBucket,
            limit,
            window_ms: 1000.0,
            burst: Some(burst),
            ..LimiterParams::default()
        }
    }

    #[test]
    fn defaults_serialise_with_every_field_and_check_clean() {
        let p = LimiterParams::default();
        assert!(p.problems().is_empty());
        let v = serde_json::to_value(&p).expect("serialises");
        assert_eq!(
            v,
            serde_json::json!({"algorithm": "token_bucket", "limit": 100, "window_ms": 1000.0,
                "burst": null, "key": "global", "instances": 1, "sync_ms": 0.0})
        );
        let back: LimiterParams = serde_json::from_value(
            serde_json::json!({"algorithm": "sliding_log", "key": "api_key"}),
        )
        .expect("partial params take defaults");
        assert_eq!(back.algorithm, Algorithm::SlidingLog);
        assert_eq!(back.key, LimitKey::ApiKey);
        assert_eq!(back.limit, 100);
        assert!(serde_json::from_value::<LimiterParams>(serde_json::json!({"rate": 3})).is_err());
    }

    #[test]
    fn problems_name_their_fields() {
        let p = LimiterParams {
            limit: 0,
            window_ms: 0.0,
            burst: Some(0),
            instances: 0,
            sync_ms: -1.0,
            ..LimiterParams::default()
        };
        let fields: Vec<String> = p.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            ["limit", "window_ms", "burst", "instances", "sync_ms"]
        );
        let p = LimiterParams {
            window_ms: f64::NAN,
            ..LimiterParams::default()
        };
        assert_eq!(p.problems().len(), 1);
        assert!(p.problems()[0].1.contains("finite"));
    }

    #[test]
    fn the_node_forwards_refuses_and_holds() {
        let mut n = RateLimiter::new(&leaky(10, 1));
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        n.on_request(&mut ctx(0.0, &mut rng, &mut out), 1, WHO);
        n.on_request(&mut ctx(0.0, &mut rng, &mut out), 2, WHO);
        n.on_request(&mut ctx(0.0, &mut rng, &mut out), 3, WHO);
        assert_eq!(
            out,
            [
                Action::Forward {
                    req: 1,
                    port: 0,
                    slot: NO_SLOT
                },
                Action::ServiceDone {
                    at: SimTime::from_ms(100.0),
                    slot: 0,
                    token: 1
                },
                Action::Fail {
                    req: 3,
                    outcome: Outcome::RateLimited
                },
            ]
        );
        assert_eq!(n.held(), 1);
        out.clear();
        n.on_timer(&mut ctx(100.0, &mut rng, &mut out), 0, 1);
        assert_eq!(
            out,
            [Action::Forward {
                req: 2,
                port: 0,
                slot: NO_SLOT
            }]
        );
        assert_eq!(n.held(), 0);
        out.clear();
        n.on_timer(&mut ctx(100.0, &mut rng, &mut out), 0, 1);
        assert!(out.is_empty(), "a timer fires once");
        n.on_response(
            &mut ctx(120.0, &mut rng, &mut out),
            2,
            NO_SLOT,
            Outcome::Shed,
        );
        assert_eq!(
            out,
            [Action::Respond {
                req: 2,
                outcome: Outcome::Shed
            }]
        );
        assert_eq!(
            n.report(),
            LimiterReport {
                admitted: 2,
                delayed: 1,
                rate_limited: 1,
                over_admitted: 0,
                keys: 1
            }
        );
    }

    #[test]
    fn a_kill_fails_the_held_and_its_timers_go_stale() {
        let mut n = RateLimiter::new(&leaky(10, 5));
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        for req in 1..=3 {
            n.on_request(&mut ctx(0.0, &mut rng, &mut out), req, WHO);
        }
        assert_eq!(n.held(), 2);
        out.clear();
        n.kill(&mut ctx(10.0, &mut rng, &mut out));
        assert_eq!(
            out,
            [
                Action::Fail {
                    req: 2,
                    outcome: Outcome::Error
                },
                Action::Fail {
                    req: 3,
                    outcome: Outcome::Error
                }
            ]
        );
        assert_eq!(n.held(), 0);
        out.clear();
        n.on_response(&mut ctx(20.0, &mut rng, &mut out), 1, NO_SLOT, Outcome::Ok);
        assert_eq!(
            out,
            [Action::Fail {
                req: 1,
                outcome: Outcome::Error
            }],
            "a dead limiter passes nothing back"
        );
        n.revive();
        out.clear();
        // empty again: the next request goes straight through, and reuses no stale timer
        n.on_request(&mut ctx(50.0, &mut rng, &mut out), 4, WHO);
        n.on_request(&mut ctx(50.0, &mut rng, &mut out), 5, WHO);
        let Action::ServiceDone { at, slot, token } = out[1] else {
            panic!("held: {out:?}")
        };
        assert_eq!(at, SimTime::from_ms(150.0));
        n.on_timer(&mut ctx(100.0, &mut rng, &mut out), 0, 1);
        n.on_timer(&mut ctx(100.0, &mut rng, &mut out), 1, 1);
        assert_eq!(out.len(), 2, "the old timers are stale");
        n.on_timer(&mut ctx(150.0, &mut rng, &mut out), slot, token);
        assert_eq!(
            out[2],
            Action::Forward {
                req: 5,
                port: 0,
                slot: NO_SLOT
            }
        );
        assert_eq!(n.report().admitted, 5);
    }

    #[test]
    fn one_instance_or_a_central_store_is_exact() {
        for (instances, sync_ms) in [(1, 100.0), (4, 0.0)] {
            let p = LimiterParams {
                instances,
                sync_ms,
                ..LimiterParams::default()
            };
            assert!(!Limiter::new(&p).distributed());
        }
        let p = LimiterParams {
            instances: 2,
            sync_ms: 100.0,
            ..LimiterParams::default()
        };
        assert!(Limiter::new(&p).distributed());
    }
}
