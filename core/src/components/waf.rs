//! The web application firewall (WAF): it inspects every client request before the service behind it (its
//! first outgoing edge) sees it, and blocks (HTTP 403) what it recognises as hostile.
//!
//! ```text
//!   client ──> WAF: address on the block list? ──yes──> blocked at once (a lookup, no inspection)
//!                 └─no─> inspection (`inspect_ms` of a worker) ─> rate rule: more than `ip_rate_limit`
//!                        requests from this address in the current `ip_window_s` window? ──> list it for
//!                        `block_s`, block ─> managed signature rules: an attack payload (SQL injection,
//!                        XSS)? ──> block ─> else forward to the service; its response comes back through
//! ```
//!
//! Two defences, two lessons. Signature rules stop known attack payloads whatever their rate, but cost
//! inspection CPU on every request, good or bad. The rate-based rule stops one address flooding (brute force,
//! credential stuffing, a simple DoS), but it is per address: a botnet spreading the same traffic over many
//! addresses stays under the limit at each of them and passes — DDoS protection needs more than a per-IP
//! limit (a global rate limit, shedding, capacity). Addresses are the client's `(client node, address)`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Levels, mismatch};
use crate::components::pool::{Arrived, WorkerPool};
use crate::components::{
    Action, Ctx, Incoming, NO_SLOT, NodeDetail, Params, check_num, check_range,
};
use crate::digest::Digest;
use crate::request::Outcome;
use crate::time::SimTime;
use crate::vocab::{Term, Vocab};

/// WAF parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WafParams {
    /// inspection workers [≥ 1], default 4
    pub workers: u32,
    /// requests waiting for inspection; `null` = unbounded, default 1000. A full queue rejects.
    pub queue_capacity: Option<u32>,
    /// inspection CPU per request [ms], default 0.3
    pub inspect_ms: f64,
    /// managed rules that recognise known attack payloads (SQL injection, XSS), default true
    pub signature_rules: bool,
    /// rate-based rule: an address sending more than this many requests in one `ip_window_s` window is
    /// blocked; `null` = off, default 100
    pub ip_rate_limit: Option<u32>,
    /// the rate rule's fixed window [s], default 10
    pub ip_window_s: f64,
    /// how long an offending address stays on the block list [s], default 60
    pub block_s: f64,
}

impl Default for WafParams {
    fn default() -> Self {
        WafParams {
            workers: 4,
            queue_capacity: Some(1000),
            inspect_ms: 0.3,
            signature_rules: true,
            ip_rate_limit: Some(100),
            ip_window_s: 10.0,
            block_s: 60.0,
        }
    }
}

impl WafParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.workers == 0 {
            out.push(("workers".into(), "`workers` must be at least 1".into()));
        }
        check_num(&mut out, "inspect_ms", self.inspect_ms, 0.0);
        for (field, v) in [("ip_window_s", self.ip_window_s), ("block_s", self.block_s)] {
            check_num(&mut out, field, v, 0.0);
            if self.ip_rate_limit.is_some() && v.is_finite() && v <= 0.0 {
                out.push((field.into(), format!("`{field}` must be positive")));
            }
        }
        let mut ranges = vec![
            ("workers", f64::from(self.workers)),
            ("inspect_ms", self.inspect_ms),
            ("ip_window_s", self.ip_window_s),
            ("block_s", self.block_s),
        ];
        if let Some(q) = self.queue_capacity {
            ranges.push(("queue_capacity", f64::from(q)));
        }
        if let Some(l) = self.ip_rate_limit {
            ranges.push(("ip_rate_limit", f64::from(l)));
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }
}

/// The WAF's counts over the run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WafReport {
    /// requests inspected
    pub inspected: u64,
    /// blocked by a signature rule (a recognised attack payload)
    pub blocked_signature: u64,
    /// blocked by the rate rule (over the limit, or listed while they were being inspected)
    pub blocked_rate: u64,
    /// refused at once, uninspected, because their address was on the block list
    pub blocked_listed: u64,
    /// malicious requests forwarded to the service
    pub attacks_passed: u64,
    /// addresses on the block list at the end
    pub blocked_addresses: u64,
}

/// A request being inspected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Job {
    req: u32,
    addr: (u32, u32),
    malicious: bool,
}

/// Block-list entries kept before the expired ones are swept out for the first time.
const MIN_SWEEP: usize = 64;

/// The WAF's state machine.
pub(crate) struct Waf {
    pool: WorkerPool<Job>,
    inspect: SimTime,
    signatures: bool,
    limit: Option<u32>,
    window: SimTime,
    block: SimTime,
    /// the fixed window the counts are for (`now / window`)
    window_index: u64,
    /// requests per address in the current window
    counts: BTreeMap<(u32, u32), u32>,
    /// listed addresses → end of their block
    blocked: BTreeMap<(u32, u32), SimTime>,
    sweep_at: usize,
    alive: bool,
    /// whether it has a service behind it (an outgoing edge); without one what passes fails
    protects: bool,
    report: WafReport,
}

impl Waf {
    /// A WAF with `ports` outgoing edges; it forwards what passes over the first (port 0), and fails it when
    /// it has none (a half-built diagram).
    pub(crate) fn new(p: &WafParams, ports: u32) -> Waf {
        Waf {
            pool: WorkerPool::new(p.workers, p.queue_capacity),
            inspect: SimTime::from_ms(p.inspect_ms),
            signatures: p.signature_rules,
            limit: p.ip_rate_limit,
            window: SimTime::from_secs(p.ip_window_s).max(SimTime(1)),
            block: SimTime::from_secs(p.block_s),
            window_index: 0,
            counts: BTreeMap::new(),
            blocked: BTreeMap::new(),
            sweep_at: MIN_SWEEP,
            alive: true,
            protects: ports > 0,
            report: WafReport::default(),
        }
    }

    /// Workers.
    pub fn workers(&self) -> u32 {
        self.pool.workers()
    }

    /// Workers inspecting.
    pub fn busy(&self) -> u32 {
        self.pool.busy()
    }

    /// Requests waiting for inspection.
    pub fn queue_len(&self) -> u32 {
        self.pool.queue_len()
    }

    fn listed(&self, addr: (u32, u32), now: SimTime) -> bool {
        self.blocked.get(&addr).is_some_and(|&until| now < until)
    }

    fn forward(&mut self, ctx: &mut Ctx<'_>, req: u32) {
        if !self.protects {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
            return;
        }
        ctx.out.push(Action::Forward {
            req,
            port: 0,
            slot: NO_SLOT,
        });
    }

    fn refuse(ctx: &mut Ctx<'_>, req: u32) {
        ctx.out.push(Action::Fail {
            req,
            outcome: Outcome::Blocked,
        });
    }

    /// A request arrives: a listed address is refused at once; anything else waits for inspection. Internal
    /// requests pass uninspected.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) {
        if !self.alive {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
            return;
        }
        if inc.internal {
            self.forward(ctx, req);
            return;
        }
        let addr = (inc.client, inc.addr);
        if self.listed(addr, ctx.now) {
            self.report.blocked_listed += 1;
            Self::refuse(ctx, req);
            return;
        }
        let job = Job {
            req,
            addr,
            malicious: inc.malicious,
        };
        if let Arrived::Full(job) = self.pool.arrive(ctx, job, self.inspect) {
            ctx.out.push(Action::Fail {
                req: job.req,
                outcome: Outcome::Rejected,
            });
        }
    }

    /// An inspection ends (stale timers, from before a kill, are ignored): the rate rule, then the
    /// signature rules, then the request goes on.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        let Some(job) = self.pool.done(ctx, slot, token) else {
            return;
        };
        let now = ctx.now;
        self.report.inspected += 1;
        if let Some(limit) = self.limit {
            let index = now.0 / self.window.0;
            if index != self.window_index {
                // A new fixed window: every address starts again from zero.
                self.window_index = index;
                self.counts.clear();
            }
            let n = self.counts.entry(job.addr).or_insert(0);
            *n = n.saturating_add(1);
            let over = *n > limit;
            let listed = self.listed(job.addr, now);
            if over || listed {
                if !listed {
                    self.blocked.insert(job.addr, now.add(self.block));
                    self.sweep(now);
                }
                self.report.blocked_rate += 1;
                Self::refuse(ctx, job.req);
                return;
            }
        }
        if job.malicious && self.signatures {
            self.report.blocked_signature += 1;
            Self::refuse(ctx, job.req);
            return;
        }
        if job.malicious {
            self.report.attacks_passed += 1;
        }
        self.forward(ctx, job.req);
    }

    /// Forgets expired blocks once the list has doubled since the last sweep (amortised O(log n)).
    fn sweep(&mut self, now: SimTime) {
        if self.blocked.len() >= self.sweep_at {
            self.blocked.retain(|_, &mut until| now < until);
            self.sweep_at = (2 * self.blocked.len()).max(MIN_SWEEP);
        }
    }

    /// The service's response comes back: passed through (an error while the WAF is dead).
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32, outcome: Outcome) {
        debug_assert_eq!(slot, NO_SLOT, "the WAF only forwards without a slot");
        let outcome = if self.alive { outcome } else { Outcome::Error };
        ctx.out.push(Action::Respond { req, outcome });
    }

    /// The node dies: requests waiting for or under inspection fail; the block list and the counts are
    /// lost with its memory.
    pub fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        for job in self.pool.kill() {
            ctx.out.push(Action::Fail {
                req: job.req,
                outcome: Outcome::Error,
            });
        }
        self.counts.clear();
        self.blocked.clear();
        self.sweep_at = MIN_SWEEP;
    }

    /// The node comes back, empty.
    pub fn revive(&mut self) {
        self.alive = true;
        self.pool.revive();
    }

    /// The counts so far; `blocked_addresses` counts those still listed at `now`.
    pub fn report(&self, now: SimTime) -> WafReport {
        let listed = self.blocked.values().filter(|&&until| now < until).count();
        WafReport {
            blocked_addresses: listed as u64,
            ..self.report.clone()
        }
    }
}

impl WafReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            self.inspected,
            self.blocked_signature,
            self.blocked_rate,
            self.blocked_listed,
            self.attacks_passed,
            self.blocked_addresses,
        ]);
    }

    /// Its part of the node's guard line in the runner's table.
    pub fn table_part(&self) -> String {
        format!(
            "inspected {}  blocked: signature {}, rate {}, listed {}  attacks passed {}  addresses blocked {}",
            self.inspected,
            self.blocked_signature,
            self.blocked_rate,
            self.blocked_listed,
            self.attacks_passed,
            self.blocked_addresses
        )
    }
}

/// A firewall's block of the report: `waf`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WafDetail {
    /// its inspections and blocks (whole run)
    pub waf: WafReport,
}

impl Component for Waf {
    fn build(b: &Build<'_>) -> Result<Waf, String> {
        match b.params {
            Params::Waf(p) => Ok(Waf::new(p, b.ports.len() as u32)),
            other => Err(mismatch("firewall", other)),
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        Waf::on_request(self, ctx, req, inc);
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
        Waf::on_response(self, ctx, req, slot, outcome);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        Waf::on_timer(self, ctx, slot, token);
    }

    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        Waf::kill(self, ctx);
    }

    fn revive(&mut self, _ctx: &mut Ctx<'_>) {
        Waf::revive(self);
    }

    fn workers(&self) -> u32 {
        Waf::workers(self)
    }

    fn levels(&self) -> Option<Levels> {
        Some(Levels {
            busy: self.busy(),
            queue: self.queue_len(),
        })
    }

    fn queued_bytes(&self) -> usize {
        self.queue_len() as usize * 4
    }

    fn detail(&self, now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::Waf(WafDetail {
            waf: self.report(now),
        }))
    }
}

impl WafParams {
    /// How the inspector names a firewall's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("workers", "Workers"),
            Term::new("queue_capacity", "Queue capacity")
                .integer()
                .empty("unbounded"),
            Term::new("inspect_ms", "Inspection CPU"),
            Term::new("signature_rules", "Signature rules (SQLi, XSS)"),
            Term::new("ip_rate_limit", "Per-address limit")
                .unit("req")
                .integer()
                .empty("off"),
            Term::new("ip_window_s", "Per-address window"),
            Term::new("block_s", "Block for"),
        ],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;
    use crate::time::NANOS_PER_MS;

    struct Rig {
        w: Waf,
        rng: SimRng,
        out: Vec<Action>,
    }

    fn from(addr: u32, malicious: bool) -> Incoming {
        Incoming {
            client: 1,
            addr,
            malicious,
            ..Incoming::default()
        }
    }

    fn secs(s: f64) -> SimTime {
        SimTime::from_secs(s)
    }

    const BLOCKED: Outcome = Outcome::Blocked;

    fn fail(req: u32, outcome: Outcome) -> Action {
        Action::Fail { req, outcome }
    }

    fn fwd(req: u32) -> Action {
        Action::Forward {
            req,
            port: 0,
            slot: NO_SLOT,
        }
    }

    impl Rig {
        fn new(p: &WafParams) -> Rig {
            Rig {
                w: Waf::new(p, 1),
                rng: SimRng::new(1),
                out: Vec::new(),
            }
        }

        fn arrive(&mut self, now: SimTime, req: u32, inc: Incoming) -> Vec<Action> {
            self.out.clear();
            let mut ctx = Ctx {
                now,
                rng: &mut self.rng,
                out: &mut self.out,
                counting: true,
            };
            self.w.on_request(&mut ctx, req, &inc);
            self.out.clone()
        }

        /// Arrival at `now` and, if it is inspected, the inspection's end: what the WAF does with it.
        fn through(&mut self, now: SimTime, req: u32, inc: Incoming) -> Vec<Action> {
            let acts = self.arrive(now, req, inc);
            let [Action::ServiceDone { at, slot, token }] = acts[..] else {
                return acts;
            };
            assert_eq!(at.since(now).0, 300_000, "0.3 ms of inspection");
            self.out.clear();
            let mut ctx = Ctx {
                now: at,
                rng: &mut self.rng,
                out: &mut self.out,
                counting: true,
            };
            self.w.on_timer(&mut ctx, slot, token);
            self.out.clone()
        }
    }

    #[test]
    fn signature_rules_block_attack_payloads() {
        let mut r = Rig::new(&WafParams::default());
        assert_eq!(r.through(secs(0.0), 1, from(1, true)), [fail(1, BLOCKED)]);
        assert_eq!(r.through(secs(0.0), 2, from(1, false)), [fwd(2)]);
        let rep = r.w.report(secs(0.0));
        assert_eq!((rep.inspected, rep.blocked_signature), (2, 1));
        let off = WafParams {
            signature_rules: false,
            ..WafParams::default()
        };
        let mut r = Rig::new(&off);
        assert_eq!(r.through(secs(0.0), 1, from(1, true)), [fwd(1)]);
        assert_eq!(r.w.report(secs(0.0)).attacks_passed, 1);
    }

    #[test]
    fn the_rate_rule_lists_a_flooding_address_until_the_block_ends() {
        let p = WafParams {
            ip_rate_limit: Some(3),
            ..WafParams::default() // 10 s windows, 60 s blocks
        };
        let mut r = Rig::new(&p);
        for req in 0..3 {
            assert_eq!(r.through(secs(1.0), req, from(7, false)), [fwd(req)]);
        }
        assert_eq!(
            r.through(secs(2.0), 3, from(7, false)),
            [fail(3, BLOCKED)],
            "the fourth in the window"
        );
        assert_eq!(
            r.arrive(secs(15.0), 4, from(7, false)),
            [fail(4, BLOCKED)],
            "listed: refused at once, uninspected, in a later window too"
        );
        assert_eq!(
            r.through(secs(15.0), 5, from(8, false)),
            [fwd(5)],
            "others pass"
        );
        let rep = r.w.report(secs(15.0));
        assert_eq!(
            (
                rep.inspected,
                rep.blocked_rate,
                rep.blocked_listed,
                rep.blocked_addresses
            ),
            (5, 1, 1, 1)
        );
        assert_eq!(
            r.arrive(secs(62.0), 6, from(7, false)),
            [fail(6, BLOCKED)],
            "still listed just before the end (listed at 2.0003 s)"
        );
        assert_eq!(r.w.report(secs(62.5)).blocked_addresses, 0);
        assert_eq!(
            r.through(secs(62.5), 7, from(7, false)),
            [fwd(7)],
            "the block has expired"
        );
    }

    #[test]
    fn counts_start_again_in_each_fixed_window() {
        let p = WafParams {
            ip_rate_limit: Some(2),
            ..WafParams::default()
        };
        let mut r = Rig::new(&p);
        for (req, t) in [(0, 8.0), (1, 9.0), (2, 10.5), (3, 19.0)] {
            assert_eq!(r.through(secs(t), req, from(7, false)), [fwd(req)]);
        }
        assert_eq!(r.through(secs(19.5), 4, from(7, false)), [fail(4, BLOCKED)]);
    }

    #[test]
    fn a_botnet_stays_under_the_per_address_limit() {
        let mut r = Rig::new(&WafParams::default()); // 100 per 10 s per address
        let mut passed = 0;
        for req in 0..5000u32 {
            let t = SimTime(u64::from(req) * NANOS_PER_MS); // 5000 requests in 5 s
            let acts = r.through(t, req, from(req % 100, false)); // from 100 addresses
            passed += u32::from(acts == [fwd(req)]);
        }
        assert_eq!(passed, 5000, "50 each: none blocked");
        let mut r = Rig::new(&WafParams::default());
        let mut passed = 0;
        for req in 0..5000u32 {
            let t = SimTime(u64::from(req) * NANOS_PER_MS);
            passed += u32::from(r.through(t, req, from(1, false)) == [fwd(req)]);
        }
        assert_eq!(passed, 100, "one address: blocked after its 100th");
    }

    #[test]
    fn without_a_rate_rule_nothing_is_listed() {
        let p = WafParams {
            ip_rate_limit: None,
            ..WafParams::default()
        };
        let mut r = Rig::new(&p);
        for req in 0..500 {
            assert_eq!(r.through(SimTime(0), req, from(1, false)), [fwd(req)]);
        }
        assert_eq!(r.w.report(SimTime(0)).blocked_addresses, 0);
    }

    #[test]
    fn internal_requests_pass_uninspected() {
        let mut r = Rig::new(&WafParams::default());
        let inc = Incoming {
            internal: true,
            ..from(1, true)
        };
        assert_eq!(r.arrive(SimTime(0), 1, inc), [fwd(1)]);
        assert_eq!(r.w.report(SimTime(0)).inspected, 0);
    }

    #[test]
    fn a_full_queue_rejects() {
        let p = WafParams {
            workers: 1,
            queue_capacity: Some(1),
            ..WafParams::default()
        };
        let mut r = Rig::new(&p);
        assert!(matches!(
            r.arrive(SimTime(0), 1, from(1, false))[..],
            [Action::ServiceDone { .. }]
        ));
        assert_eq!(r.arrive(SimTime(0), 2, from(1, false)), []);
        assert_eq!(
            r.arrive(SimTime(0), 3, from(1, false)),
            [fail(3, Outcome::Rejected)]
        );
        assert_eq!((r.w.busy(), r.w.queue_len(), r.w.workers()), (1, 1, 1));
    }

    #[test]
    fn kill_fails_held_work_and_forgets_the_block_list() {
        let p = WafParams {
            workers: 1,
            ip_rate_limit: Some(0),
            ..WafParams::default()
        };
        let mut r = Rig::new(&p);
        assert_eq!(r.through(SimTime(0), 1, from(1, false)), [fail(1, BLOCKED)]);
        let acts = r.arrive(SimTime(0), 2, from(2, false));
        let [Action::ServiceDone { slot, token, .. }] = acts[..] else {
            panic!("inspection: {acts:?}")
        };
        r.arrive(SimTime(0), 3, from(3, false));
        r.out.clear();
        let mut ctx = Ctx {
            now: SimTime(1),
            rng: &mut r.rng,
            out: &mut r.out,
            counting: true,
        };
        r.w.kill(&mut ctx);
        assert_eq!(r.out, [fail(2, Outcome::Error), fail(3, Outcome::Error)]);
        assert_eq!(r.w.report(SimTime(1)).blocked_addresses, 0);
        assert_eq!(
            r.arrive(SimTime(1), 4, from(1, false)),
            [fail(4, Outcome::Error)],
            "a dead WAF fails what reaches it"
        );
        r.out.clear();
        let mut ctx = Ctx {
            now: SimTime(2),
            rng: &mut r.rng,
            out: &mut r.out,
            counting: true,
        };
        r.w.on_response(&mut ctx, 9, NO_SLOT, Outcome::Ok);
        r.w.on_timer(&mut ctx, slot, token);
        assert_eq!(
            r.out,
            [Action::Respond {
                req: 9,
                outcome: Outcome::Error
            }],
            "a response through a dead WAF fails; a stale timer does nothing"
        );
        r.w.revive();
        let acts = r.arrive(SimTime(3), 5, from(1, false));
        assert!(
            matches!(acts[..], [Action::ServiceDone { .. }]),
            "revived with an empty block list: {acts:?}"
        );
        let rep = r.w.report(SimTime(3));
        assert_eq!((rep.blocked_rate, rep.blocked_listed), (1, 0));
    }

    #[test]
    fn a_response_passes_through() {
        let mut r = Rig::new(&WafParams::default());
        let mut ctx = Ctx {
            now: SimTime(0),
            rng: &mut r.rng,
            out: &mut r.out,
            counting: true,
        };
        r.w.on_response(&mut ctx, 4, NO_SLOT, Outcome::Rejected);
        assert_eq!(
            r.out,
            [Action::Respond {
                req: 4,
                outcome: Outcome::Rejected
            }]
        );
    }

    #[test]
    fn params_problems() {
        assert_eq!(WafParams::default().problems(), []);
        let p = WafParams {
            workers: 0,
            inspect_ms: -0.1,
            ip_window_s: 0.0,
            block_s: f64::INFINITY,
            ..WafParams::default()
        };
        let fields: Vec<String> = p.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["workers", "inspect_ms", "ip_window_s", "block_s"]);
        let off = WafParams {
            ip_rate_limit: None,
            ip_window_s: 0.0,
            block_s: 0.0,
            ..WafParams::default()
        };
        assert_eq!(
            off.problems(),
            [],
            "window and block matter only with the rule"
        );
    }
}
