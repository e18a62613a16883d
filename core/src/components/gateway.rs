//! The API gateway: the single entry point in front of a set of services. It terminates TLS (a full handshake
//! on a new connection, reused while kept alive), authenticates (a local JWT signature check, or a session
//! lookup in a session store), applies rate limits, logs, and routes each request by method and path prefix
//! to a service; the response comes back through it.
//!
//! ```text
//!   client ──> gateway: [rate limit] ─> CPU (process + JWT check + TLS handshake if the connection is new)
//!                 ├── auth = session: read the session from the store ──> fail (401-like Error) or route
//!                 └── route by `METHOD PATH-PREFIX -> NODE` (longest prefix) ──> service ──> response back
//! ```
//!
//! The gateway's own work is CPU on a small pool of event-loop workers ([`WorkerPool`]); a forwarded request
//! holds no worker (non-blocking). What a request costs comes out of the mechanism: whether its address has
//! an open connection (connections are tracked per client address and closed after `keepalive_s` idle), the
//! authentication mode, and whether a rule matches its path. A request no rule matches fails (a 404).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::components::connections::Connections;
use crate::components::interface::{Build, Component, Finding, Levels, mismatch};
use crate::components::pool::{Arrived, WorkerPool};
use crate::components::rate_limiter::{Decision, Limiter, LimiterParams, LimiterReport, Who};
use crate::components::{
    Action, Ctx, Incoming, Kind, NO_SLOT, NodeDetail, Params, check_num, check_range,
};
use crate::digest::Digest;
use crate::request::{Op, Outcome};
use crate::resilience::default_json;
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

/// How the gateway authenticates a client request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    /// no authentication
    None,
    /// a JSON Web Token checked locally: the gateway verifies its signature (`jwt_verify_ms` of CPU) and
    /// asks nobody — fast and stateless, but a token stays valid until it expires even if revoked
    #[default]
    Jwt,
    /// a session id looked up in a session store (a cache or database the gateway is connected to): a
    /// network round trip per request, and the store's failure is everyone's failure, but revocation is
    /// immediate
    Session,
}

/// API gateway parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayParams {
    /// event-loop workers doing the gateway's own CPU work [≥ 1], default 8
    pub workers: u32,
    /// requests waiting for a worker; `null` = unbounded, default 1000. A full queue rejects.
    pub queue_capacity: Option<u32>,
    /// routing and logging CPU per request [ms], default 0.2
    pub process_ms: f64,
    /// how requests are authenticated, default `jwt`
    pub auth: Auth,
    /// CPU of a local token check (JWT signature verification) [ms], default 0.1
    pub jwt_verify_ms: f64,
    /// whether the gateway terminates TLS (HTTPS), default true
    pub tls: bool,
    /// CPU of a full TLS handshake on a new connection [ms], default 2
    pub tls_handshake_ms: f64,
    /// a client address's connection is reused while idle less than this (HTTP keep-alive) [s], default 60
    pub keepalive_s: f64,
    /// the routing table: rules `METHOD PATH-PREFIX -> NODE_ID`, one per line or separated by `;`, METHOD
    /// one of GET (reads), POST or PUT (writes), * (any); the longest matching prefix wins, ties go to the
    /// first rule. Empty = requests spread over the services in turn. Default empty.
    pub routes: String,
    /// a rate limit applied before any work (client requests only); `null` = none, default `null`
    #[serde(default)]
    pub rate_limit: Option<LimiterParams>,
}

impl Default for GatewayParams {
    fn default() -> Self {
        GatewayParams {
            workers: 8,
            queue_capacity: Some(1000),
            process_ms: 0.2,
            auth: Auth::Jwt,
            jwt_verify_ms: 0.1,
            tls: true,
            tls_handshake_ms: 2.0,
            keepalive_s: 60.0,
            routes: String::new(),
            rate_limit: None,
        }
    }
}

impl GatewayParams {
    /// Range problems as `(field, message)`, and a routing table that does not parse.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.workers == 0 {
            out.push(("workers".into(), "`workers` must be at least 1".into()));
        }
        check_num(&mut out, "process_ms", self.process_ms, 0.0);
        check_num(&mut out, "jwt_verify_ms", self.jwt_verify_ms, 0.0);
        check_num(&mut out, "tls_handshake_ms", self.tls_handshake_ms, 0.0);
        check_num(&mut out, "keepalive_s", self.keepalive_s, 0.0);
        if self.tls && self.keepalive_s.is_finite() && self.keepalive_s <= 0.0 {
            out.push((
                "keepalive_s".into(),
                "`keepalive_s` must be positive".into(),
            ));
        }
        if let Err(e) = parse_routes(&self.routes) {
            out.push(("routes".into(), e));
        }
        if let Some(l) = &self.rate_limit {
            for (f, m) in l.problems() {
                out.push((format!("rate_limit.{f}"), format!("`rate_limit`: {m}")));
            }
        }
        let mut ranges = vec![
            ("workers", f64::from(self.workers)),
            ("process_ms", self.process_ms),
            ("jwt_verify_ms", self.jwt_verify_ms),
            ("tls_handshake_ms", self.tls_handshake_ms),
            ("keepalive_s", self.keepalive_s),
        ];
        if let Some(q) = self.queue_capacity {
            ranges.push(("queue_capacity", f64::from(q)));
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }
}

/// Which requests a routing rule takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`: reads
    Get,
    /// `POST`: writes
    Post,
    /// `PUT`: writes
    Put,
    /// `*`: any request
    Any,
}

impl Method {
    /// Whether a request doing `op` has this method.
    pub fn takes(self, op: Op) -> bool {
        match self {
            Method::Any => true,
            Method::Get => op == Op::Read,
            Method::Post | Method::Put => op == Op::Write,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Any => "*",
        }
    }
}

/// One routing rule: requests with `method` whose path starts with `prefix` go to the node `target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// the requests it takes
    pub method: Method,
    /// the path prefix, starting with `/` (`/` matches every path)
    pub prefix: String,
    /// the id of the node it sends them to
    pub target: String,
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> {}",
            self.method.name(),
            self.prefix,
            self.target
        )
    }
}

/// Parses a routing table: rules `METHOD PATH-PREFIX -> NODE_ID`, one per line or separated by `;`; blank
/// rules are skipped. The message of an error names the rule (its number and text), lowercase.
pub fn parse_routes(text: &str) -> Result<Vec<Route>, String> {
    let mut routes = Vec::new();
    for (n, rule) in text
        .split(['\n', ';'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .enumerate()
    {
        let bad = |why: &str| format!("route {} `{rule}`: {why}", n + 1);
        let Some((left, target)) = rule.split_once("->") else {
            return Err(bad(
                "expected `METHOD PATH -> NODE`, e.g. `GET /users -> users`",
            ));
        };
        let target = target.trim();
        if target.is_empty() {
            return Err(bad("no node after `->`"));
        }
        if target.contains(char::is_whitespace) || target.contains("->") {
            return Err(bad("one node id after `->`"));
        }
        let mut words = left.split_whitespace();
        let (Some(method), Some(prefix), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad(
                "expected a method and a path before `->`, e.g. `GET /users -> users`",
            ));
        };
        let method = match method.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "*" => Method::Any,
            _ => {
                return Err(bad(&format!(
                    "unknown method `{method}` (use GET, POST, PUT or *)"
                )));
            }
        };
        if !prefix.starts_with('/') {
            return Err(bad(&format!("the path `{prefix}` must start with `/`")));
        }
        routes.push(Route {
            method,
            prefix: prefix.to_string(),
            target: target.to_string(),
        });
    }
    Ok(routes)
}

/// The first rule among those with the longest prefix that takes a request doing `op` on `path`.
fn best_rule<'a>(rules: &'a [Route], path: &str, op: Op) -> Option<&'a Route> {
    let mut best: Option<&Route> = None;
    for r in rules {
        if r.method.takes(op)
            && path.starts_with(r.prefix.as_str())
            && best.is_none_or(|b| r.prefix.len() > b.prefix.len())
        {
            best = Some(r);
        }
    }
    best
}

/// The gateway's counts over the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GatewayReport {
    /// full TLS handshakes (new connections, or ones that had idled past the keep-alive)
    pub handshakes: u64,
    /// TLS connections open at the end (used within the keep-alive)
    pub connections: u64,
    /// client requests authenticated (a JWT verified or a session looked up)
    pub auth_checks: u64,
    /// session lookups sent to the session store
    pub session_lookups: u64,
    /// requests failed because their session lookup failed or was lost
    pub auth_failures: u64,
    /// requests no routing rule matched (404)
    pub unrouted: u64,
    /// requests routed to each port, in port order
    pub routed: Vec<u64>,
}

/// A request at the gateway, with what the gateway needs of it after its CPU work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Job {
    req: u32,
    client: u32,
    addr: u32,
    route: u32,
    op: Op,
    internal: bool,
}

/// A session lookup in flight: the request it authenticates, and the gateway's epoch when it went out.
#[derive(Clone, Copy, Debug)]
struct Lookup {
    parent: Job,
    epoch: u32,
}

/// Tags a session key so it cannot collide with a data key.
const SESSION_TAG: u64 = 1 << 63;

/// The session-store key of a client address's session.
fn session_key(client: u32, addr: u32) -> u64 {
    SESSION_TAG | (u64::from(client & 0x7fff_ffff) << 32) | u64::from(addr)
}

/// The API gateway's state machine.
pub(crate) struct Gateway {
    pool: WorkerPool<Job>,
    process: SimTime,
    jwt_verify: SimTime,
    handshake: SimTime,
    auth: Auth,
    tls: bool,
    /// `[route index][read, write]` → port; the last row is for a route index beyond the path table (the
    /// path `/`). Empty when requests are spread in turn.
    table: Vec<[Option<u32>; 2]>,
    /// no rules: the ports requests are spread over in turn (all but the session store)
    spread: Vec<u32>,
    next: u32,
    /// the session store's port (auth = session)
    store: Option<u32>,
    /// open TLS connections per client address
    conns: Connections,
    lookups: Vec<Option<Lookup>>,
    free_lookups: Vec<u32>,
    /// the rate-limit policy, when it has one
    limiter: Option<Limiter>,
    /// requests a leaky-bucket limit holds back, with the epoch they were held in (timer slots
    /// `workers() + i`, which the pool never uses)
    held: Vec<Option<(Job, u32)>>,
    free_held: Vec<u32>,
    /// bumped by a kill, so a held request's timer from before it is ignored
    epoch: u32,
    alive: bool,
    counts: GatewayReport,
}

impl Gateway {
    /// A gateway whose ports lead to `targets` (node id, whether it is a session store), in port order, for
    /// requests whose paths are `route_paths` (index = `Incoming.route`). Errs when a rule names a node that
    /// is not a target, or auth = session and no target is a session store.
    pub(crate) fn new(
        p: &GatewayParams,
        targets: &[(&str, bool)],
        route_paths: &[String],
    ) -> Result<Gateway, String> {
        let Plan {
            rules,
            store,
            ports,
        } = plan(p, targets).map_err(|(_, m)| m)?;
        let port_of = |r: Option<&Route>| r.map(|r| ports[r.target.as_str()]);
        let table = if rules.is_empty() {
            Vec::new()
        } else {
            route_paths
                .iter()
                .map(String::as_str)
                .chain(["/"])
                .map(|path| {
                    [
                        port_of(best_rule(&rules, path, Op::Read)),
                        port_of(best_rule(&rules, path, Op::Write)),
                    ]
                })
                .collect()
        };
        let spread = (0..targets.len() as u32)
            .filter(|&port| Some(port) != store)
            .collect();
        Ok(Gateway {
            pool: WorkerPool::new(p.workers, p.queue_capacity),
            process: SimTime::from_ms(p.process_ms),
            jwt_verify: SimTime::from_ms(p.jwt_verify_ms),
            handshake: SimTime::from_ms(p.tls_handshake_ms),
            auth: p.auth,
            tls: p.tls,
            table,
            spread,
            next: 0,
            store,
            conns: Connections::new(SimTime::from_secs(p.keepalive_s)),
            lookups: Vec::new(),
            free_lookups: Vec::new(),
            limiter: p.rate_limit.as_ref().map(Limiter::new),
            held: Vec::new(),
            free_held: Vec::new(),
            epoch: 0,
            alive: true,
            counts: GatewayReport {
                routed: vec![0; targets.len()],
                ..GatewayReport::default()
            },
        })
    }

    /// Workers.
    pub fn workers(&self) -> u32 {
        self.pool.workers()
    }

    /// Workers doing the gateway's CPU work.
    pub fn busy(&self) -> u32 {
        self.pool.busy()
    }

    /// Requests waiting for a worker.
    pub fn queue_len(&self) -> u32 {
        self.pool.queue_len()
    }

    /// Session lookups in flight.
    #[cfg(test)]
    pub fn pending_lookups(&self) -> u32 {
        self.lookups.len() as u32 - self.free_lookups.len() as u32
    }

    /// A request arrives.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) {
        if !self.alive {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
            return;
        }
        let job = Job {
            req,
            client: inc.client,
            addr: inc.addr,
            route: inc.route,
            op: inc.op,
            internal: inc.internal,
        };
        // Step 1 — admission, before any CPU is spent on the request: the rate limit (client requests only).
        let who = Who {
            client: inc.client,
            addr: inc.addr,
            api_key: inc.api_key,
        };
        match self.limiter.as_mut() {
            Some(l) if !inc.internal => match l.decide(ctx.now, who) {
                Decision::Admit => self.enter(ctx, job),
                Decision::Reject => ctx.out.push(Action::Fail {
                    req,
                    outcome: Outcome::RateLimited,
                }),
                Decision::Delay(until) => {
                    let i = match self.free_held.pop() {
                        Some(i) => i,
                        None => {
                            self.held.push(None);
                            self.held.len() as u32 - 1
                        }
                    };
                    self.held[i as usize] = Some((job, self.epoch));
                    ctx.out.push(Action::ServiceDone {
                        at: until,
                        slot: self.workers() + i,
                        token: self.epoch,
                    });
                }
            },
            _ => self.enter(ctx, job),
        }
    }

    /// The rate limit's counts, when the gateway has one.
    pub fn limiter_report(&self) -> Option<LimiterReport> {
        self.limiter.as_ref().map(Limiter::counters)
    }

    /// Step 2: the job takes a worker (or waits) for its CPU work: routing and logging, the JWT check, and
    /// a TLS handshake when its address has no open connection.
    fn enter(&mut self, ctx: &mut Ctx<'_>, job: Job) {
        let mut cpu = self.process;
        if !job.internal && self.auth == Auth::Jwt {
            cpu = cpu.add(self.jwt_verify);
        }
        let conn = (job.client, job.addr);
        let tracked = self.tls && !job.internal;
        let handshake = tracked && !self.conns.is_open(conn, ctx.now);
        if handshake {
            cpu = cpu.add(self.handshake);
        }
        match self.pool.arrive(ctx, job, cpu) {
            Arrived::Started | Arrived::Queued => {
                if tracked {
                    self.counts.handshakes += u64::from(handshake);
                    self.conns.touch(conn, ctx.now);
                }
            }
            Arrived::Full(job) => ctx.out.push(Action::Fail {
                req: job.req,
                outcome: Outcome::Rejected,
            }),
        }
    }

    /// A worker's CPU work ends (stale timers, from before a kill, are ignored).
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        if slot >= self.workers() {
            // A request the leaky bucket held is let through (unless the gateway died meanwhile).
            let i = slot - self.workers();
            if let Some((job, epoch)) = self.held[i as usize]
                && epoch == token
            {
                self.held[i as usize] = None;
                self.free_held.push(i);
                if epoch == self.epoch {
                    self.enter(ctx, job);
                }
            }
            return;
        }
        let Some(job) = self.pool.done(ctx, slot, token) else {
            return;
        };
        match self.store {
            Some(port) if !job.internal => {
                self.counts.auth_checks += 1;
                self.counts.session_lookups += 1;
                let slot = match self.free_lookups.pop() {
                    Some(s) => s,
                    None => {
                        self.lookups.push(None);
                        self.lookups.len() as u32 - 1
                    }
                };
                self.lookups[slot as usize] = Some(Lookup {
                    parent: job,
                    epoch: self.pool.epoch(),
                });
                ctx.out.push(Action::Spawn {
                    key: session_key(job.client, job.addr),
                    op: Op::Read,
                    port,
                    slot,
                });
            }
            _ => {
                if !job.internal && self.auth == Auth::Jwt {
                    self.counts.auth_checks += 1;
                }
                self.route(ctx, job);
            }
        }
    }

    /// Sends an authenticated request to its service, or fails it when no rule matches (a 404).
    fn route(&mut self, ctx: &mut Ctx<'_>, job: Job) {
        let port = if self.table.is_empty() {
            if self.spread.is_empty() {
                None
            } else {
                let port = self.spread[self.next as usize];
                self.next = (self.next + 1) % self.spread.len() as u32;
                Some(port)
            }
        } else {
            let row = (job.route as usize).min(self.table.len() - 1);
            self.table[row][usize::from(job.op == Op::Write)]
        };
        match port {
            Some(port) => {
                self.counts.routed[port as usize] += 1;
                ctx.out.push(Action::Forward {
                    req: job.req,
                    port,
                    slot: NO_SLOT,
                });
            }
            None => {
                self.counts.unrouted += 1;
                ctx.out.push(Action::Fail {
                    req: job.req,
                    outcome: Outcome::Error,
                });
            }
        }
    }

    /// A response comes back: a service's (`slot` = `NO_SLOT`), passed through, or a session lookup's,
    /// freed, after which its request is routed or fails.
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32, outcome: Outcome) {
        if slot == NO_SLOT {
            let outcome = if self.alive { outcome } else { Outcome::Error };
            ctx.out.push(Action::Respond { req, outcome });
            return;
        }
        ctx.out.push(Action::Absorb { req });
        let Some(lookup) = self.take_lookup(slot) else {
            return;
        };
        if !self.alive || lookup.epoch != self.pool.epoch() {
            // The gateway crashed while the lookup was out: the request it held is gone.
            ctx.out.push(Action::Fail {
                req: lookup.parent.req,
                outcome: Outcome::Error,
            });
        } else if outcome != Outcome::Ok {
            self.counts.auth_failures += 1;
            ctx.out.push(Action::Fail {
                req: lookup.parent.req,
                outcome: Outcome::Error,
            });
        } else {
            self.route(ctx, lookup.parent);
        }
    }

    fn take_lookup(&mut self, slot: u32) -> Option<Lookup> {
        let lookup = self.lookups.get_mut(slot as usize)?.take()?;
        self.free_lookups.push(slot);
        Some(lookup)
    }

    /// A session lookup the gateway spawned (on `slot`) was lost: its request fails. A forwarded request
    /// (`NO_SLOT`) holds nothing here.
    pub fn abandon(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        if slot == NO_SLOT {
            return;
        }
        if let Some(lookup) = self.take_lookup(slot) {
            if self.alive && lookup.epoch == self.pool.epoch() {
                self.counts.auth_failures += 1;
            }
            ctx.out.push(Action::Fail {
                req: lookup.parent.req,
                outcome: Outcome::Error,
            });
        }
    }

    /// The node dies: requests waiting for or doing CPU work fail now, its connections are gone (clients
    /// handshake again); requests waiting on a session lookup fail when it comes back or is abandoned.
    pub fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        self.epoch = self.epoch.wrapping_add(1);
        let held = self
            .held
            .iter_mut()
            .filter_map(|h| h.take().map(|(job, _)| job));
        for job in self.pool.kill().into_iter().chain(held) {
            ctx.out.push(Action::Fail {
                req: job.req,
                outcome: Outcome::Error,
            });
        }
        self.free_held = (0..self.held.len() as u32).rev().collect();
        self.conns.clear();
    }

    /// The node comes back, empty.
    pub fn revive(&mut self) {
        self.alive = true;
        self.pool.revive();
    }

    /// The counts so far; `connections` counts those still open at `now`.
    pub fn report(&self, now: SimTime) -> GatewayReport {
        GatewayReport {
            connections: self.conns.open_at(now),
            ..self.counts.clone()
        }
    }
}

/// What a gateway's parameters say against its connections: its rules, the session store's port and the
/// port of each rule's target. Errs, naming the parameter, when a rule names a node that is not a target or
/// auth = session has no session store among the targets.
struct Plan<'a> {
    rules: Vec<Route>,
    store: Option<u32>,
    ports: BTreeMap<&'a str, u32>,
}

fn plan<'a>(
    p: &GatewayParams,
    targets: &[(&'a str, bool)],
) -> Result<Plan<'a>, (&'static str, String)> {
    let rules = parse_routes(&p.routes).map_err(|m| ("routes", m))?;
    let store = if p.auth == Auth::Session {
        let port = targets.iter().position(|&(_, s)| s).ok_or((
            "auth",
            "auth `session` needs a session store: connect the gateway to a cache or database"
                .to_string(),
        ))?;
        Some(port as u32)
    } else {
        None
    };
    let mut ports = BTreeMap::new();
    for r in &rules {
        let Some(port) = targets.iter().position(|&(id, _)| id == r.target) else {
            return Err((
                "routes",
                format!(
                    "route `{r}`: `{}` is not connected to this gateway",
                    r.target
                ),
            ));
        };
        ports.insert(targets[port].0, port as u32);
    }
    Ok(Plan {
        rules,
        store,
        ports,
    })
}

/// The gateway's targets as `plan` reads them: id, and whether it can hold sessions (a cache or database).
fn targets<'a>(b: &Build<'a>) -> Vec<(&'a str, bool)> {
    b.ports
        .iter()
        .map(|t| (t.id, matches!(t.kind, Kind::Cache | Kind::Database)))
        .collect()
}

impl GatewayReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            self.handshakes,
            self.connections,
            self.auth_checks,
            self.session_lookups,
            self.auth_failures,
            self.unrouted,
        ]);
        h.u64s(&self.routed);
    }

    /// Its part of the node's guard line in the runner's table.
    pub fn table_part(&self) -> String {
        format!(
            "handshakes {}  connections {}  auth checks {}  session lookups {}  auth failures {}  unrouted {}",
            self.handshakes,
            self.connections,
            self.auth_checks,
            self.session_lookups,
            self.auth_failures,
            self.unrouted
        )
    }
}

/// An API gateway's block of the report: `gateway`, and `limiter` when it has a rate limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayDetail {
    /// handshakes, authentication and routing (whole run)
    pub gateway: GatewayReport,
    /// its rate limit's decisions (whole run)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limiter: Option<LimiterReport>,
}

impl Component for Gateway {
    fn build(b: &Build<'_>) -> Result<Gateway, String> {
        match b.params {
            Params::ApiGateway(p) => Gateway::new(p, &targets(b), b.paths),
            other => Err(mismatch("gateway", other)),
        }
    }

    fn check(b: &Build<'_>) -> Vec<Finding> {
        let Params::ApiGateway(p) = b.params else {
            return Vec::new();
        };
        match plan(p, &targets(b)) {
            Ok(_) => Vec::new(),
            Err((field, m)) => vec![Finding {
                warning: false,
                field: Some(field),
                text: format!(": {m}"),
            }],
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        Gateway::on_request(self, ctx, req, inc);
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
        Gateway::on_response(self, ctx, req, slot, outcome);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        Gateway::on_timer(self, ctx, slot, token);
    }

    fn abandon(&mut self, ctx: &mut Ctx<'_>, _req: u32, slot: u32) {
        Gateway::abandon(self, ctx, slot);
    }

    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        Gateway::kill(self, ctx);
    }

    fn revive(&mut self, _ctx: &mut Ctx<'_>) {
        Gateway::revive(self);
    }

    fn workers(&self) -> u32 {
        Gateway::workers(self)
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
        Some(NodeDetail::Gateway(GatewayDetail {
            gateway: self.report(now),
            limiter: self.limiter_report(),
        }))
    }
}

impl Choices for Auth {
    const ALL: &'static [Auth] = &[Auth::None, Auth::Jwt, Auth::Session];
    fn label(self) -> Option<&'static str> {
        matches!(self, Auth::Jwt).then_some("JWT")
    }
}

impl GatewayParams {
    /// How the inspector names a gateway's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("workers", "Workers"),
            Term::new("queue_capacity", "Queue capacity")
                .integer()
                .empty("unbounded"),
            Term::new("process_ms", "Routing CPU"),
            Term::new("auth", "Authentication").choices(choices::<Auth>),
            Term::new("jwt_verify_ms", "JWT verification"),
            Term::new("tls", "TLS termination"),
            Term::new("tls_handshake_ms", "TLS handshake"),
            Term::new("keepalive_s", "Keep-alive"),
            Term::new("routes", "Routes").text("GET /users -> users\nPOST /orders -> orders", true),
            Term::new("rate_limit", "Rate limit")
                .optional(default_json::<LimiterParams>, &LimiterParams::VOCAB),
        ],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;
    use crate::time::{NANOS_PER_MS, NANOS_PER_SEC};

    fn ctx<'a>(now: SimTime, rng: &'a mut SimRng, out: &'a mut Vec<Action>) -> Ctx<'a> {
        Ctx {
            now,
            rng,
            out,
            counting: true,
        }
    }

    fn from(client: u32, addr: u32, op: Op, route: u32) -> Incoming {
        Incoming {
            client,
            addr,
            op,
            route,
            ..Incoming::default()
        }
    }

    /// Drives one request through: arrival at `now`, then the end of its CPU work. Returns the CPU time it
    /// was given and the actions after its CPU work.
    struct Rig {
        g: Gateway,
        rng: SimRng,
        out: Vec<Action>,
    }

    impl Rig {
        fn new(p: &GatewayParams, targets: &[(&str, bool)], paths: &[&str]) -> Rig {
            let paths: Vec<String> = paths.iter().map(|s| s.to_string()).collect();
            Rig {
                g: Gateway::new(p, targets, &paths).expect("the gateway builds"),
                rng: SimRng::new(1),
                out: Vec::new(),
            }
        }

        fn arrive(&mut self, now: SimTime, req: u32, inc: Incoming) -> Vec<Action> {
            self.out.clear();
            self.g
                .on_request(&mut ctx(now, &mut self.rng, &mut self.out), req, &inc);
            self.out.clone()
        }

        /// The request's arrival and its CPU work: (CPU ns, what follows).
        fn through(&mut self, now: SimTime, req: u32, inc: Incoming) -> (u64, Vec<Action>) {
            let acts = self.arrive(now, req, inc);
            let [Action::ServiceDone { at, slot, token }] = acts[..] else {
                panic!("the request starts CPU work at once: {acts:?}")
            };
            self.out.clear();
            self.g
                .on_timer(&mut ctx(at, &mut self.rng, &mut self.out), slot, token);
            (at.since(now).0, self.out.clone())
        }

        fn respond(&mut self, req: u32, slot: u32, outcome: Outcome) -> Vec<Action> {
            self.out.clear();
            self.g.on_response(
                &mut ctx(SimTime(0), &mut self.rng, &mut self.out),
                req,
                slot,
                outcome,
            );
            self.out.clone()
        }
    }

    fn ms(x: f64) -> u64 {
        (x * NANOS_PER_MS as f64).round() as u64
    }

    fn fwd(req: u32, port: u32) -> Action {
        Action::Forward {
            req,
            port,
            slot: NO_SLOT,
        }
    }

    #[test]
    fn a_handshake_is_paid_once_per_address_and_again_after_the_keepalive() {
        let p = GatewayParams::default(); // 0.2 + JWT 0.1, handshake 2 ms, keep-alive 60 s
        let mut r = Rig::new(&p, &[("api", false)], &[]);
        let s = |x: u64| SimTime(x * NANOS_PER_SEC);
        let read = |addr| from(0, addr, Op::Read, 0);
        assert_eq!(r.through(s(0), 1, read(7)), (ms(2.3), vec![fwd(1, 0)]));
        assert_eq!(r.through(s(30), 2, read(7)).0, ms(0.3), "reused");
        assert_eq!(r.through(s(31), 3, read(8)).0, ms(2.3), "another address");
        assert_eq!(
            r.through(s(31), 4, from(1, 7, Op::Read, 0)).0,
            ms(2.3),
            "the same address of another client"
        );
        assert_eq!(
            r.through(s(89), 5, read(7)).0,
            ms(0.3),
            "59 s idle: still open"
        );
        assert_eq!(
            r.through(s(149), 6, read(7)).0,
            ms(2.3),
            "60 s idle: closed, a new handshake"
        );
        let rep = r.g.report(s(149));
        assert_eq!((rep.handshakes, rep.connections), (4, 1));
        assert_eq!(rep.auth_checks, 6);
        assert_eq!(rep.routed, [6]);
        let no_tls = GatewayParams {
            tls: false,
            ..GatewayParams::default()
        };
        let mut r = Rig::new(&no_tls, &[("api", false)], &[]);
        assert_eq!(r.through(s(0), 1, read(7)).0, ms(0.3));
        assert_eq!(r.g.report(s(0)).handshakes, 0);
    }

    #[test]
    fn closed_connections_are_swept_from_the_map() {
        let p = GatewayParams {
            keepalive_s: 1.0,
            ..GatewayParams::default()
        };
        let mut r = Rig::new(&p, &[("api", false)], &[]);
        for addr in 0..10_000u32 {
            let now = SimTime(u64::from(addr) * NANOS_PER_SEC / 10);
            r.through(now, addr, from(0, addr, Op::Read, 0));
        }
        assert!(r.g.conns.tracked() < 200, "{} tracked", r.g.conns.tracked());
        assert_eq!(r.g.report(SimTime(1000 * NANOS_PER_SEC)).connections, 9);
    }

    #[test]
    fn jwt_costs_cpu_and_a_session_costs_a_lookup() {
        let base = GatewayParams {
            tls: false,
            ..GatewayParams::default()
        };
        let targets = [("api", false), ("sessions", true)];
        let cpu = |auth| {
            let p = GatewayParams {
                auth,
                ..base.clone()
            };
            let mut r = Rig::new(&p, &targets, &[]);
            r.through(SimTime(0), 1, from(3, 9, Op::Read, 0))
        };
        assert_eq!(cpu(Auth::None), (ms(0.2), vec![fwd(1, 0)]));
        assert_eq!(cpu(Auth::Jwt), (ms(0.3), vec![fwd(1, 0)]));
        let (t, acts) = cpu(Auth::Session);
        assert_eq!(t, ms(0.2));
        assert_eq!(
            acts,
            [Action::Spawn {
                key: SESSION_TAG | (3 << 32) | 9,
                op: Op::Read,
                port: 1,
                slot: 0
            }]
        );
    }

    #[test]
    fn a_session_lookup_is_absorbed_then_its_request_routed_or_failed() {
        let p = GatewayParams {
            auth: Auth::Session,
            ..GatewayParams::default()
        };
        let mut r = Rig::new(&p, &[("sessions", true), ("api", false)], &[]);
        let lookup = |r: &mut Rig, req| {
            let (_, acts) = r.through(SimTime(0), req, from(0, req, Op::Read, 0));
            let [Action::Spawn { port: 0, slot, .. }] = acts[..] else {
                panic!("a lookup in the store: {acts:?}")
            };
            slot
        };
        let slot = lookup(&mut r, 1);
        assert_eq!(r.g.pending_lookups(), 1);
        assert_eq!(
            r.respond(100, slot, Outcome::Ok),
            [Action::Absorb { req: 100 }, fwd(1, 1)],
            "routed past the session store"
        );
        let slot = lookup(&mut r, 2);
        assert_eq!(
            r.respond(101, slot, Outcome::Error),
            [
                Action::Absorb { req: 101 },
                Action::Fail {
                    req: 2,
                    outcome: Outcome::Error
                }
            ]
        );
        let slot = lookup(&mut r, 3);
        r.out.clear();
        r.g.abandon(&mut ctx(SimTime(0), &mut r.rng, &mut r.out), slot);
        assert_eq!(
            r.out,
            [Action::Fail {
                req: 3,
                outcome: Outcome::Error
            }],
            "a lost lookup fails its request"
        );
        let rep = r.g.report(SimTime(0));
        assert_eq!(
            (rep.session_lookups, rep.auth_checks, rep.auth_failures),
            (3, 3, 2)
        );
        assert_eq!(rep.routed, [0, 1]);
        assert_eq!(r.g.pending_lookups(), 0);
        // A service's response passes through.
        assert_eq!(
            r.respond(1, NO_SLOT, Outcome::TimedOut),
            [Action::Respond {
                req: 1,
                outcome: Outcome::TimedOut
            }]
        );
    }

    #[test]
    fn internal_requests_skip_auth_and_tls() {
        let p = GatewayParams {
            auth: Auth::Session,
            ..GatewayParams::default()
        };
        let mut r = Rig::new(&p, &[("api", false), ("sessions", true)], &[]);
        let inc = Incoming {
            internal: true,
            ..from(0, 0, Op::Write, 0)
        };
        assert_eq!(r.through(SimTime(0), 1, inc), (ms(0.2), vec![fwd(1, 0)]));
        let rep = r.g.report(SimTime(0));
        assert_eq!(
            (rep.handshakes, rep.auth_checks, rep.connections),
            (0, 0, 0)
        );
    }

    #[test]
    fn rules_match_by_method_and_the_longest_prefix() {
        let p = GatewayParams {
            tls: false,
            routes: "GET /users -> users\nPOST /orders -> orders; * / -> api;\n\
                     GET /users/admin -> admin; PUT /users -> users"
                .into(),
            ..GatewayParams::default()
        };
        let targets = [
            ("api", false),
            ("users", false),
            ("orders", false),
            ("admin", false),
        ];
        let paths = ["/users/42", "/orders", "/users/admin/x", "/health"];
        let mut r = Rig::new(&p, &targets, &paths);
        let mut port = |route, op| {
            let (_, acts) = r.through(SimTime(0), 0, from(0, 0, op, route));
            let [Action::Forward { port, .. }] = acts[..] else {
                panic!("routed: {acts:?}")
            };
            port
        };
        assert_eq!(port(0, Op::Read), 1, "GET /users/42 -> users");
        assert_eq!(port(0, Op::Write), 1, "PUT /users/42 -> users");
        assert_eq!(port(1, Op::Write), 2, "POST /orders -> orders");
        assert_eq!(port(1, Op::Read), 0, "GET /orders -> api (no GET rule)");
        assert_eq!(port(2, Op::Read), 3, "the longer prefix wins");
        assert_eq!(port(2, Op::Write), 1, "a write to /users/admin/x");
        assert_eq!(port(3, Op::Read), 0, "the catch-all");
        assert_eq!(port(99, Op::Read), 0, "an unknown path is `/`");
        // Ties go to the first rule.
        let tie = GatewayParams {
            routes: "* /a -> x; GET /a -> y".into(),
            ..p.clone()
        };
        let mut r = Rig::new(&tie, &[("y", false), ("x", false)], &["/a/b"]);
        assert_eq!(
            r.through(SimTime(0), 5, from(0, 0, Op::Read, 0)).1,
            [fwd(5, 1)]
        );
    }

    #[test]
    fn a_path_no_rule_matches_is_a_404() {
        let p = GatewayParams {
            routes: "GET /users -> users".into(),
            ..GatewayParams::default()
        };
        let mut r = Rig::new(&p, &[("users", false)], &["/users", "/orders"]);
        let not_found = |req| {
            vec![Action::Fail {
                req,
                outcome: Outcome::Error,
            }]
        };
        assert_eq!(
            r.through(SimTime(0), 1, from(0, 0, Op::Write, 0)).1,
            not_found(1)
        );
        assert_eq!(
            r.through(SimTime(0), 2, from(0, 0, Op::Read, 1)).1,
            not_found(2)
        );
        assert_eq!(
            r.through(SimTime(0), 3, from(0, 0, Op::Read, 0)).1,
            [fwd(3, 0)]
        );
        let rep = r.g.report(SimTime(0));
        assert_eq!((rep.unrouted, rep.routed), (2, vec![1]));
    }

    #[test]
    fn without_rules_requests_go_round_robin() {
        let p = GatewayParams::default();
        let mut r = Rig::new(&p, &[("a", false), ("b", false), ("c", false)], &[]);
        let ports: Vec<Action> = (0..5)
            .flat_map(|req| r.through(SimTime(0), req, from(0, 0, Op::Read, 0)).1)
            .collect();
        assert_eq!(
            ports,
            [fwd(0, 0), fwd(1, 1), fwd(2, 2), fwd(3, 0), fwd(4, 1)]
        );
        let mut none = Rig::new(&p, &[], &[]);
        assert_eq!(
            none.through(SimTime(0), 1, from(0, 0, Op::Read, 0)).1,
            [Action::Fail {
                req: 1,
                outcome: Outcome::Error
            }],
            "nowhere to go"
        );
    }

    #[test]
    fn a_full_queue_rejects_and_opens_no_connection() {
        let p = GatewayParams {
            workers: 1,
            queue_capacity: Some(1),
            ..GatewayParams::default()
        };
        let mut r = Rig::new(&p, &[("api", false)], &[]);
        assert!(matches!(
            r.arrive(SimTime(0), 1, from(0, 1, Op::Read, 0))[..],
            [Action::ServiceDone { .. }]
        ));
        assert_eq!(r.arrive(SimTime(0), 2, from(0, 2, Op::Read, 0)), []);
        assert_eq!(
            r.arrive(SimTime(0), 3, from(0, 3, Op::Read, 0)),
            [Action::Fail {
                req: 3,
                outcome: Outcome::Rejected
            }]
        );
        assert_eq!((r.g.busy(), r.g.queue_len(), r.g.workers()), (1, 1, 1));
        let rep = r.g.report(SimTime(0));
        assert_eq!((rep.handshakes, rep.connections), (2, 2));
    }

    #[test]
    fn kill_fails_held_work_and_lookups_fail_when_they_return() {
        let p = GatewayParams {
            workers: 1,
            auth: Auth::Session,
            ..GatewayParams::default()
        };
        let mut r = Rig::new(&p, &[("api", false), ("sessions", true)], &[]);
        let (_, acts) = r.through(SimTime(0), 1, from(0, 1, Op::Read, 0));
        let [Action::Spawn { slot: lookup, .. }] = acts[..] else {
            panic!("a lookup: {acts:?}")
        };
        let acts = r.arrive(SimTime(1), 2, from(0, 2, Op::Read, 0));
        let [Action::ServiceDone { slot, token, .. }] = acts[..] else {
            panic!("CPU work: {acts:?}")
        };
        r.arrive(SimTime(1), 3, from(0, 3, Op::Read, 0));
        r.out.clear();
        r.g.kill(&mut ctx(SimTime(2), &mut r.rng, &mut r.out));
        let error = |req| Action::Fail {
            req,
            outcome: Outcome::Error,
        };
        assert_eq!(r.out, [error(2), error(3)]);
        assert_eq!((r.g.busy(), r.g.queue_len()), (0, 0));
        assert_eq!(r.g.report(SimTime(2)).connections, 0, "connections drop");
        r.out.clear();
        r.g.on_timer(&mut ctx(SimTime(3), &mut r.rng, &mut r.out), slot, token);
        assert_eq!(r.out, [], "a stale timer does nothing");
        assert_eq!(r.arrive(SimTime(3), 4, from(0, 4, Op::Read, 0)), [error(4)]);
        assert_eq!(
            r.respond(7, NO_SLOT, Outcome::Ok),
            [Action::Respond {
                req: 7,
                outcome: Outcome::Error
            }],
            "a response through a dead gateway fails"
        );
        r.g.revive();
        assert_eq!(
            r.respond(50, lookup, Outcome::Ok),
            [Action::Absorb { req: 50 }, error(1)],
            "a lookup from before the crash fails its request even after the revival"
        );
        assert_eq!(r.g.report(SimTime(3)).auth_failures, 0);
        let (t, _) = r.through(SimTime(4), 5, from(0, 1, Op::Read, 0));
        assert_eq!(t, ms(2.2), "a new handshake after the crash");
    }

    #[test]
    fn new_checks_targets_and_the_session_store() {
        let build = |p: &GatewayParams, targets: &[(&str, bool)]| {
            Gateway::new(p, targets, &[]).map(|_| ()).expect_err("errs")
        };
        let p = GatewayParams {
            routes: "GET /users -> users".into(),
            ..GatewayParams::default()
        };
        let e = build(&p, &[("api", false)]);
        assert!(e.contains("`users` is not connected"), "{e}");
        let p = GatewayParams {
            auth: Auth::Session,
            ..GatewayParams::default()
        };
        let e = build(&p, &[("api", false)]);
        assert!(e.contains("session store"), "{e}");
        let p = GatewayParams {
            routes: "GET users -> api".into(),
            ..GatewayParams::default()
        };
        assert!(build(&p, &[("api", false)]).contains("must start with `/`"));
    }

    #[test]
    fn parse_routes_reads_rules_and_names_the_bad_one() {
        let rules = parse_routes("get /users -> users\n\n ; * / -> api ;").expect("parses");
        assert_eq!(
            rules,
            [
                Route {
                    method: Method::Get,
                    prefix: "/users".into(),
                    target: "users".into()
                },
                Route {
                    method: Method::Any,
                    prefix: "/".into(),
                    target: "api".into()
                }
            ]
        );
        assert_eq!(rules[0].to_string(), "GET /users -> users");
        assert_eq!(parse_routes("  "), Ok(vec![]));
        for (text, why) in [
            (
                "GET /a -> a; DELETE /b -> b",
                "route 2 `DELETE /b -> b`: unknown method",
            ),
            ("GET /a a", "route 1 `GET /a a`: expected"),
            ("GET /a ->", "no node after"),
            ("GET /a -> a b", "one node id"),
            ("/a -> a", "expected a method and a path"),
            ("GET a -> a", "must start with `/`"),
        ] {
            let e = parse_routes(text).expect_err(text);
            assert!(e.starts_with("route "), "{e}");
            assert!(e.contains(why), "{text}: {e}");
        }
    }

    #[test]
    fn params_problems() {
        assert_eq!(GatewayParams::default().problems(), []);
        let p = GatewayParams {
            workers: 0,
            process_ms: -1.0,
            jwt_verify_ms: f64::NAN,
            keepalive_s: 0.0,
            routes: "GET x -> a".into(),
            ..GatewayParams::default()
        };
        let fields: Vec<String> = p.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "workers",
                "process_ms",
                "jwt_verify_ms",
                "keepalive_s",
                "routes"
            ]
        );
        let no_tls = GatewayParams {
            tls: false,
            keepalive_s: 0.0,
            ..GatewayParams::default()
        };
        assert_eq!(no_tls.problems(), [], "keep-alive matters only with TLS");
    }
}
