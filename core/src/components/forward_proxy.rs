//! The forward proxy: a node on the users' side that their requests go through (a company's or an ISP's
//! proxy). One more hop with its own workers and CPU per request, an optional shared cache that answers a
//! read another user already fetched, and one exit address: every node beyond sees all the users behind it
//! as one client (a per-address rate limit or firewall rule counts them together).
//!
//! ```text
//!   users ──> proxy: a worker for forward_ms ──> read held in the shared cache: answered here
//!                                           └──> else sent on as the proxy (its exit address) ──> origin
//! ```
//!
//! The cache is the cache kind's `Store` (LRU, a TTL per entry); a write passes through and drops the key.

use serde::{Deserialize, Serialize};

use crate::components::cache::store::{Lookup, Store};
use crate::components::cache::{CacheCounters, CacheDetail, CacheReport, Eviction};
use crate::components::interface::{Build, Component, Levels, mismatch};
use crate::components::pool::{Arrived, WorkerPool};
use crate::components::{
    Action, Ctx, Incoming, NO_SLOT, NodeDetail, Params, check_num, check_range,
};
use crate::request::{Op, Outcome};
use crate::resilience::default_json;
use crate::time::SimTime;
use crate::vocab::{Term, Vocab};

/// Forward proxy parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardProxyParams {
    /// workers [≥ 1], default 8
    pub workers: u32,
    /// requests waiting for a worker; `null` = unbounded, default 1000. A full queue rejects.
    pub queue_capacity: Option<u32>,
    /// CPU per request [ms], default 0.2
    pub forward_ms: f64,
    /// the shared cache (`{"capacity": 1000, "ttl_ms": 60000}`); `null` = none, default null
    #[serde(default)]
    pub cache: Option<ProxyCacheParams>,
}

impl Default for ForwardProxyParams {
    fn default() -> Self {
        ForwardProxyParams {
            workers: 8,
            queue_capacity: Some(1000),
            forward_ms: 0.2,
            cache: None,
        }
    }
}

/// The proxy's shared cache.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProxyCacheParams {
    /// entries held (LRU) [0..10 000 000], default 1000
    pub capacity: u32,
    /// how long an entry answers [ms], default 60 000
    pub ttl_ms: f64,
}

impl Default for ProxyCacheParams {
    fn default() -> Self {
        ProxyCacheParams {
            capacity: 1000,
            ttl_ms: 60_000.0,
        }
    }
}

impl ProxyCacheParams {
    /// How the inspector names its fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("capacity", "Entries").integer(),
            Term::new("ttl_ms", "TTL"),
        ],
    };
}

impl ForwardProxyParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.workers == 0 {
            out.push(("workers".into(), "`workers` must be at least 1".into()));
        }
        check_num(&mut out, "forward_ms", self.forward_ms, 0.0);
        let mut ranges = vec![
            ("workers", f64::from(self.workers)),
            ("forward_ms", self.forward_ms),
        ];
        if let Some(q) = self.queue_capacity {
            ranges.push(("queue_capacity", f64::from(q)));
        }
        if let Some(c) = &self.cache {
            check_num(&mut out, "cache.ttl_ms", c.ttl_ms, 0.0);
            ranges.push(("cache.capacity", f64::from(c.capacity)));
            ranges.push(("cache.ttl_ms", c.ttl_ms));
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }

    /// How the inspector names a forward proxy's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("workers", "Workers"),
            Term::new("queue_capacity", "Queue capacity")
                .integer()
                .empty("unbounded"),
            Term::new("forward_ms", "CPU per request"),
            Term::new("cache", "Shared cache")
                .optional(default_json::<ProxyCacheParams>, &ProxyCacheParams::VOCAB),
        ],
    };
}

/// A request waiting for or held by a worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Job {
    req: u32,
    key: u64,
    read: bool,
}

/// A forward proxy.
pub(crate) struct ForwardProxy {
    pool: WorkerPool<Job>,
    forward: SimTime,
    factor: f64,
    /// the shared cache and its TTL
    cache: Option<(Store, SimTime)>,
    /// reads sent on, by the slot they were sent with: the key whose answer to keep
    pending: Vec<u64>,
    free: Vec<u32>,
    counters: CacheCounters,
    alive: bool,
    /// the measurement window (stale hits are counted inside it)
    window: (SimTime, SimTime),
}

impl ForwardProxy {
    fn new(p: &ForwardProxyParams, window: (SimTime, SimTime)) -> ForwardProxy {
        ForwardProxy {
            pool: WorkerPool::new(p.workers, p.queue_capacity),
            forward: SimTime::from_ms(p.forward_ms),
            factor: 1.0,
            cache: p.cache.as_ref().map(|c| {
                (
                    Store::new(Some(c.capacity), Eviction::Lru),
                    SimTime::from_ms(c.ttl_ms),
                )
            }),
            pending: Vec::new(),
            free: Vec::new(),
            counters: CacheCounters::default(),
            alive: true,
            window,
        }
    }

    /// Sends `job` on as the proxy; a read with a cache remembers its key under the slot it goes with.
    fn send_on(&mut self, ctx: &mut Ctx<'_>, job: Job) {
        let slot = if job.read && self.cache.is_some() {
            match self.free.pop() {
                Some(i) => {
                    self.pending[i as usize] = job.key;
                    i
                }
                None => {
                    self.pending.push(job.key);
                    self.pending.len() as u32 - 1
                }
            }
        } else {
            NO_SLOT
        };
        ctx.out.push(Action::Egress {
            req: job.req,
            port: 0,
            slot,
        });
    }

    fn release(&mut self, slot: u32) -> Option<u64> {
        if slot == NO_SLOT {
            return None;
        }
        self.free.push(slot);
        self.pending.get(slot as usize).copied()
    }
}

impl Component for ForwardProxy {
    fn build(b: &Build<'_>) -> Result<ForwardProxy, String> {
        match b.params {
            Params::ForwardProxy(p) => Ok(ForwardProxy::new(p, b.window)),
            other => Err(mismatch("forward proxy", other)),
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        let job = Job {
            req,
            key: inc.key,
            read: inc.op == Op::Read && !inc.internal,
        };
        let service = SimTime::from_ms(self.forward.as_ms() * self.factor);
        match self.pool.arrive(ctx, job, service) {
            Arrived::Started => false,
            Arrived::Queued => true,
            Arrived::Full(job) => {
                let outcome = if self.alive {
                    Outcome::Rejected
                } else {
                    Outcome::Error
                };
                ctx.out.push(Action::Fail {
                    req: job.req,
                    outcome,
                });
                false
            }
        }
    }

    /// A worker is done with a request: a read the shared cache holds is answered here, anything else goes on.
    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        let Some(job) = self.pool.done(ctx, slot, token) else {
            return;
        };
        let c = u64::from(ctx.counting);
        if let Some((store, _)) = self.cache.as_mut() {
            if job.read {
                match store.get(job.key, ctx.now) {
                    Lookup::Hit { version, .. } => {
                        self.counters.hits += c;
                        ctx.out.push(Action::Hit {
                            req: job.req,
                            version,
                        });
                        return;
                    }
                    found => {
                        self.counters.misses += c;
                        self.counters.expirations += c * u64::from(found == Lookup::Expired);
                    }
                }
            } else {
                store.remove(job.key);
            }
        }
        self.send_on(ctx, job);
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        version: u64,
    ) {
        let key = self.release(slot);
        if let (Some(key), Some((store, ttl)), Outcome::Ok, true) =
            (key, self.cache.as_mut(), outcome, self.alive)
        {
            let d = store.insert(key, version, ctx.now.add(*ttl), ctx.now, ctx.rng);
            self.counters.evictions += u64::from(ctx.counting) * u64::from(d.evicted);
        }
        let outcome = if self.alive { outcome } else { Outcome::Error };
        ctx.out.push(Action::Respond { req, outcome });
    }

    fn abandon(&mut self, _ctx: &mut Ctx<'_>, _req: u32, slot: u32) {
        self.release(slot);
    }

    /// The proxy dies: what waits for or holds a worker fails; the cache is lost with its memory.
    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        for job in self.pool.kill() {
            ctx.out.push(Action::Fail {
                req: job.req,
                outcome: Outcome::Error,
            });
        }
        if let Some((store, _)) = self.cache.as_mut() {
            store.clear();
        }
    }

    fn revive(&mut self, _ctx: &mut Ctx<'_>) {
        self.alive = true;
        self.pool.revive();
    }

    fn slow(&mut self, factor: f64) {
        self.factor = factor;
    }

    fn stale_hit(&mut self, now: SimTime) {
        self.counters.stale_reads += u64::from(now >= self.window.0 && now < self.window.1);
    }

    fn workers(&self) -> u32 {
        self.pool.workers()
    }

    fn levels(&self) -> Option<Levels> {
        Some(Levels {
            busy: self.pool.busy(),
            queue: self.pool.queue_len(),
        })
    }

    fn queued_bytes(&self) -> usize {
        self.pool.queue_len() as usize * std::mem::size_of::<(Job, SimTime)>()
    }

    /// With a shared cache, its block (`cache`); nothing without one.
    fn detail(&self, _now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        let (store, _) = self.cache.as_ref()?;
        Some(NodeDetail::Cache(CacheDetail {
            cache: CacheReport::new(&self.counters, store.len()),
        }))
    }
}
