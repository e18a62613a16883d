//! The client: a traffic source. It draws arrival times from its arrival process, and for each request a
//! key, an operation and a client address; the engine turns that into a request and keeps its deadline.

use serde::{Deserialize, Serialize};

use crate::components::cache::{CacheCounters, CacheReport};
use crate::components::connections::pool::Pool;
pub use crate::components::connections::pool::{ConnParams, ConnReport, HttpVersion, TlsVersion};
use crate::components::interface::{Build, Component, mismatch};
use crate::components::{Ctx, Kind, Params, check_num, check_prob, check_range};
use crate::dist::{ZIPF_MAX_KEYS, Zipf, exponential};
use crate::outcomes::Requests;
use crate::request::Op;
use crate::resilience::RetryPolicy;
use crate::resilience::default_json;
use crate::rng::SimRng;
use crate::time::{NANOS_PER_SEC, SimTime, f64_to_nanos};
use crate::vocab::{Family, Term, Vocab};

pub mod http_cache;
pub mod screen;
pub(crate) use http_cache::{HttpCache, Lookup};
pub use http_cache::{HttpCacheParams, HttpCacheReport};
pub use screen::{Api, ScreenParams, ScreenReport};

/// Client parameters. JSON field names as below; every field has a default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientParams {
    /// request rate [req/s], default 100 (for `bursty`, the rate during a burst; for `ramp`, the start rate;
    /// for `diurnal`, the mean rate)
    pub rate: f64,
    /// arrival process, default Poisson
    pub arrival: Arrival,
    /// fraction of reads, the rest are writes [0..1], default 0.9
    pub read_fraction: f64,
    /// which keys requests touch, default uniform over 10 000 keys
    pub keys: Keys,
    /// number of distinct client addresses requests come from (what IP hashing sees), default 1000
    pub addresses: u32,
    /// the client gives up on a request after this long [ms], default 30 000
    pub timeout_ms: f64,
    /// request size [bytes], default 1024
    pub size_bytes: u32,
    /// the name a client with an edge to a DNS resolver resolves before sending (and again when the answer's
    /// TTL runs out), default `www.example.com`
    pub hostname: String,
    /// share of requests for static content (reads of keys in a space of their own, drawn from the same key
    /// law); they go to the nearest CDN edge the client connects to [0..1], default 0
    pub static_fraction: f64,
    /// retries of failed or timed-out requests, with backoff and jitter; `timeout_ms` is then the timeout of
    /// each attempt. Default `null`: one attempt
    #[serde(default)]
    pub retry: Option<RetryPolicy>,
    /// the request path, what an API gateway routes on (reads are `GET`, writes `POST`), default `/`
    #[serde(default = "root_path")]
    pub path: String,
    /// API keys the client's requests carry, spread over its addresses (what a per-API-key rate limit
    /// counts) [≥ 1], default 1
    #[serde(default = "one_u32")]
    pub api_keys: u32,
    /// share of requests that carry an attack payload (SQL injection, cross-site scripting) that a web
    /// application firewall's signature rules recognise [0..1], default 0. A botnet is a client with many
    /// `addresses`
    #[serde(default)]
    pub malicious_fraction: f64,
    /// the browser's HTTP cache (`max-age`, ETag revalidation, `client/http_cache.rs`); `null` = none,
    /// default null
    #[serde(default)]
    pub http_cache: Option<HttpCacheParams>,
    /// its connections: HTTPS or HTTP, TLS 1.3 or 1.2, HTTP/1.1 or 2, a pool per user, keep-alive
    /// (`connections/pool.rs`); `null` = none (requests go out with no connection set-up), default null
    #[serde(default)]
    pub connections: Option<ConnParams>,
    /// a screen: each arrival is one user action that fetches several resources over REST or GraphQL
    /// (`client/screen.rs`); `null` = each arrival is one request, default null
    #[serde(default)]
    pub screen: Option<ScreenParams>,
}

fn root_path() -> String {
    "/".into()
}
fn one_u32() -> u32 {
    1
}

impl Default for ClientParams {
    fn default() -> Self {
        ClientParams {
            rate: 100.0,
            arrival: Arrival::Poisson,
            read_fraction: 0.9,
            keys: Keys::Uniform { count: 10_000 },
            addresses: 1000,
            timeout_ms: 30_000.0,
            size_bytes: 1024,
            hostname: "www.example.com".into(),
            static_fraction: 0.0,
            retry: None,
            path: root_path(),
            api_keys: 1,
            malicious_fraction: 0.0,
            http_cache: None,
            connections: None,
            screen: None,
        }
    }
}

/// When requests are sent. JSON: `{"type": "poisson"}`, `{"type": "bursty", "on_s": 1, "off_s": 4}`, …
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Arrival {
    /// Exponential gaps at `rate`.
    Poisson,
    /// Exactly `1/rate` apart.
    Constant,
    /// On/off: Poisson at `rate` for `on_s`, silent for `off_s`, repeating (starting with a burst).
    Bursty {
        /// burst length [s], default 1
        #[serde(default = "one")]
        on_s: f64,
        /// silence length [s], default 1
        #[serde(default = "one")]
        off_s: f64,
    },
    /// Poisson whose rate moves linearly from `rate` at time 0 to `to_rate` at the end of the traffic.
    Ramp {
        /// rate at the end of the traffic [req/s]
        to_rate: f64,
    },
    /// Poisson with rate `rate · (1 + amplitude · sin(2π t / period_s))`: a compressed day.
    Diurnal {
        /// length of one cycle [s], default 60
        #[serde(default = "sixty")]
        period_s: f64,
        /// relative swing [0..1], default 0.5
        #[serde(default = "half")]
        amplitude: f64,
    },
}

fn one() -> f64 {
    1.0
}
fn sixty() -> f64 {
    60.0
}
fn half() -> f64 {
    0.5
}

/// Which keys requests touch. JSON: `{"type": "uniform", "count": 1000}` or
/// `{"type": "zipf", "count": 1000, "s": 1.1}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Keys {
    /// Every key of `0..count` equally likely.
    Uniform {
        /// number of keys [≥ 1]
        count: u64,
    },
    /// Key `k` with weight `1/(k+1)^s`: a few hot keys, a long tail.
    Zipf {
        /// number of keys [1..1 000 000]
        count: u64,
        /// skew exponent [≥ 0], default 1
        #[serde(default = "one")]
        s: f64,
    },
}

impl ClientParams {
    /// Range problems as `(field, message)`.
    /// The requests each arrival sends when it is a REST screen (one per resource), the limit on `rate`
    /// then being `MAX_RATE` divided by it; `None` for a plain client or a GraphQL screen (one request).
    pub fn requests_per_screen(&self) -> Option<f64> {
        let sc = self.screen.as_ref()?;
        if sc.api == screen::Api::Graphql {
            return None;
        }
        let n = screen::parse_resources(&sc.resources).ok()?.len();
        (n > 1).then_some(n as f64)
    }

    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(h) = &self.http_cache {
            h.problems(&mut out);
        }
        if let Some(c) = &self.connections {
            c.problems(&mut out);
        }
        if let Some(sc) = &self.screen {
            sc.problems(&mut out);
        }
        check_num(&mut out, "rate", self.rate, 0.0);
        check_range(&mut out, "rate", self.rate);
        if let Some(n) = self.requests_per_screen()
            && self.rate * n > crate::limits::MAX_RATE
        {
            out.push((
                "rate".into(),
                format!(
                    "a REST screen sends {n} requests: the rate times {n} must be at most 1 000 000 \
                     requests a second"
                ),
            ));
        }
        check_prob(&mut out, "read_fraction", self.read_fraction);
        check_prob(&mut out, "static_fraction", self.static_fraction);
        check_prob(&mut out, "malicious_fraction", self.malicious_fraction);
        if self.api_keys == 0 {
            out.push(("api_keys".into(), "`api_keys` must be at least 1".into()));
        }
        if !self.path.starts_with('/') {
            out.push((
                "path".into(),
                format!("`path` must start with `/` (got `{}`)", self.path),
            ));
        }
        if let Some(r) = &self.retry {
            out.extend(r.problems("retry."));
        }
        check_num(&mut out, "timeout_ms", self.timeout_ms, 0.0);
        if self.timeout_ms.is_finite() && self.timeout_ms <= 0.0 {
            out.push(("timeout_ms".into(), "`timeout_ms` must be positive".into()));
        }
        check_range(&mut out, "timeout_ms", self.timeout_ms);
        if self.addresses == 0 {
            out.push(("addresses".into(), "`addresses` must be at least 1".into()));
        }
        check_range(&mut out, "addresses", f64::from(self.addresses));
        check_range(&mut out, "api_keys", f64::from(self.api_keys));
        check_range(&mut out, "size_bytes", f64::from(self.size_bytes));
        match self.arrival {
            Arrival::Poisson | Arrival::Constant => {}
            Arrival::Bursty { on_s, off_s } => {
                check_num(&mut out, "arrival.on_s", on_s, 0.0);
                check_num(&mut out, "arrival.off_s", off_s, 0.0);
                if on_s.is_finite() && on_s <= 0.0 {
                    out.push((
                        "arrival.on_s".into(),
                        "`arrival.on_s` must be positive".into(),
                    ));
                }
                check_range(&mut out, "arrival.on_s", on_s);
                check_range(&mut out, "arrival.off_s", off_s);
            }
            Arrival::Ramp { to_rate } => {
                check_num(&mut out, "arrival.to_rate", to_rate, 0.0);
                check_range(&mut out, "arrival.to_rate", to_rate);
            }
            Arrival::Diurnal {
                period_s,
                amplitude,
            } => {
                check_num(&mut out, "arrival.period_s", period_s, 0.0);
                if period_s.is_finite() && period_s <= 0.0 {
                    out.push((
                        "arrival.period_s".into(),
                        "`arrival.period_s` must be positive".into(),
                    ));
                }
                check_range(&mut out, "arrival.period_s", period_s);
                check_prob(&mut out, "arrival.amplitude", amplitude);
            }
        }
        match self.keys {
            Keys::Uniform { count } => {
                if count == 0 {
                    out.push((
                        "keys.count".into(),
                        "`keys.count` must be at least 1".into(),
                    ));
                }
                check_range(&mut out, "keys.count", count as f64);
            }
            Keys::Zipf { count, s } => {
                if count == 0 || count > ZIPF_MAX_KEYS {
                    out.push((
                        "keys.count".into(),
                        format!("`keys.count` must be between 1 and {ZIPF_MAX_KEYS}"),
                    ));
                }
                check_num(&mut out, "keys.s", s, 0.0);
                check_range(&mut out, "keys.s", s);
            }
        }
        out
    }
}

/// Static content's keys carry this bit, so they never collide with the keys of ordinary requests.
pub const STATIC_KEY_BIT: u64 = 1 << 63;

enum KeySampler {
    Uniform(u64),
    Zipf(Zipf),
}

/// What the client decided about one new request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NewRequest {
    pub key: u64,
    pub op: Op,
    pub addr: u32,
    pub size: u32,
    /// which outgoing edge to send it on
    pub port: u32,
    /// a request for static content (it goes to a CDN edge, whose name needs no lookup here)
    pub is_static: bool,
    /// it carries an attack payload
    pub malicious: bool,
    /// which of the client's API keys it carries
    pub api_key: u32,
}

/// The client's state machine.
pub(crate) struct Client {
    rate: f64,
    arrival: Arrival,
    read_fraction: f64,
    keys: KeySampler,
    addresses: u32,
    pub timeout: SimTime,
    size: u32,
    ports: u32,
    /// the ports ordinary requests may take, when not all (a DNS resolver and CDN edges are left out)
    pub service_ports: Option<Vec<u32>>,
    /// the nearest CDN edge's port, where static requests go
    pub cdn_port: Option<u32>,
    static_fraction: f64,
    malicious_fraction: f64,
    api_keys: u32,
    /// the client's path, as an index into the engine's path table
    pub route: u32,
    /// with a retry policy: how long a request may take over all its attempts and waits (its deadline), and
    /// the engine's call layer times out each attempt instead of the client's own deadline timer
    pub lifetime: Option<SimTime>,
    /// traffic stops here
    end: SimTime,
    pub alive: bool,
    /// bumped on kill and on a change of `boost`, so a pending arrival event from before is ignored
    pub epoch: u32,
    /// rate multiplier of the traffic spikes in force (1 without any)
    pub boost: f64,
    /// its DNS state, when it has a resolver to look its host up
    pub dns: Option<Box<ClientDns>>,
    /// its HTTP cache, when it has one
    pub http: Option<Box<HttpCache>>,
    /// its connection pools, when it has `connections`
    pub conns: Option<Box<Pool>>,
    /// its screens, when each arrival is one
    pub screen: Option<Box<screen::Screens>>,
}

/// A client's DNS state: its browser/OS cache of one name and the requests waiting for a lookup.
pub(crate) struct ClientDns {
    /// the resolver's port
    pub port: u32,
    /// the hostname's key
    pub key: u64,
    /// the cached answer is good until then
    pub expires: SimTime,
    /// the cached answer is a GeoDNS one
    pub geo: bool,
    /// of the client's other ports, the one whose target is nearest the client's region
    pub nearest: u32,
    /// requests waiting for the lookup, with the port each drew
    pub pending: Vec<(u32, u32)>,
    pub in_flight: bool,
    pub counters: CacheCounters,
}

impl ClientDns {
    /// Whether the cache holds a live answer at `now`.
    pub fn live(&self, now: SimTime) -> bool {
        now < self.expires
    }
}

/// A client's block of the report: `requests`, and `cache` (its DNS cache) when it looks its host up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientDetail {
    /// the end-to-end counts of its own measured requests
    pub requests: Requests,
    /// its DNS cache
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheReport>,
    /// its HTTP cache
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_cache: Option<HttpCacheReport>,
    /// its connections
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<ConnReport>,
    /// its screens: round trips, bytes, back-end calls and time per screen
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<ScreenReport>,
}

impl Client {
    /// Its report block, from its own counts (the engine keeps them) and its DNS cache at `now`.
    pub fn detail(&self, requests: Requests, now: SimTime) -> ClientDetail {
        ClientDetail {
            requests,
            cache: self
                .dns
                .as_ref()
                .map(|d| CacheReport::new(&d.counters, u32::from(d.live(now)))),
            http_cache: self.http.as_deref().map(HttpCacheReport::new),
            connections: self.conns.as_deref().map(|p| ConnReport::new(p, now)),
            screen: self.screen.as_ref().map(|s| s.report()),
        }
    }
}

impl Component for Client {
    fn build(b: &Build<'_>) -> Result<Client, String> {
        let Params::Client(c) = b.params else {
            return Err(mismatch("client", b.params));
        };
        let p = b.ports;
        let mut client = Client::new(c, p.len() as u32, b.window.1);
        client.route = b.paths.iter().position(|x| *x == c.path).unwrap_or(0) as u32;
        client.screen = c
            .screen
            .as_ref()
            .map(|sc| Box::new(screen::Screens::new(sc, b.paths)));
        let resolver = p.iter().position(|t| t.kind == Kind::DnsResolver);
        let cdns: Vec<u32> = (0..p.len() as u32)
            .filter(|&i| p[i as usize].kind == Kind::CdnEdge)
            .collect();
        let service: Vec<u32> = (0..p.len() as u32)
            .filter(|&i| {
                !matches!(
                    p[i as usize].kind,
                    Kind::DnsResolver | Kind::CdnEdge | Kind::ObjectStore
                )
            })
            .collect();
        let nearest_of = |ports: &[u32]| {
            crate::regions::nearest(b.region, ports.iter().map(|&i| p[i as usize].region))
                .map(|k| ports[k])
        };
        if !cdns.is_empty() {
            client.cdn_port = nearest_of(&cdns);
        }
        if service.len() < p.len() {
            client.service_ports = Some(service.clone());
        }
        if let (Some(rp), Some(nearest)) = (resolver, nearest_of(&service)) {
            client.dns = Some(Box::new(ClientDns {
                port: rp as u32,
                key: crate::components::dns::name_key(&c.hostname),
                expires: SimTime::ZERO,
                geo: false,
                nearest,
                pending: Vec::new(),
                in_flight: false,
                counters: CacheCounters::default(),
            }));
        }
        Ok(client)
    }

    /// Its pending arrival is dropped (by the epoch); the engine arms the next one when it revives.
    fn kill(&mut self, _ctx: &mut Ctx<'_>) {
        self.alive = false;
        self.epoch = self.epoch.wrapping_add(1);
    }

    fn revive(&mut self, _ctx: &mut Ctx<'_>) {
        self.alive = true;
    }

    /// A new rate from now: the pending arrival, drawn at the old rate, is dropped (by the epoch) and the
    /// engine draws the next from now — exact for Poisson arrivals, which are memoryless.
    fn retune(&mut self, params: &Params) -> bool {
        let Params::Client(p) = params else {
            return false;
        };
        self.set_rate(p.rate);
        self.epoch = self.epoch.wrapping_add(1);
        true
    }
}

impl Client {
    pub fn new(p: &ClientParams, ports: u32, end: SimTime) -> Client {
        let keys = match p.keys {
            Keys::Uniform { count } => KeySampler::Uniform(count.max(1)),
            Keys::Zipf { count, s } => KeySampler::Zipf(Zipf::new(count, s)),
        };
        Client {
            rate: p.rate,
            arrival: p.arrival.clone(),
            read_fraction: p.read_fraction,
            keys,
            addresses: p.addresses.max(1),
            timeout: SimTime::from_ms(p.timeout_ms),
            size: p.size_bytes,
            ports,
            service_ports: None,
            cdn_port: None,
            static_fraction: p.static_fraction,
            malicious_fraction: p.malicious_fraction,
            api_keys: p.api_keys.max(1),
            route: 0,
            lifetime: p.retry.as_ref().map(|r| {
                let attempts = f64::from(r.max_attempts.max(1));
                let longest_wait = r.backoff_ms(u32::MAX).max(r.backoff_ms(0));
                SimTime::from_ms(attempts * p.timeout_ms + (attempts - 1.0) * longest_wait)
            }),
            end,
            alive: true,
            epoch: 0,
            boost: 1.0,
            dns: None,
            http: p.http_cache.as_ref().map(|h| Box::new(HttpCache::new(h))),
            conns: p.connections.as_ref().map(|c| Box::new(Pool::new(c))),
            screen: None,
        }
    }

    /// A new base rate from now on (a live edit; the engine redraws the next arrival).
    pub fn set_rate(&mut self, rate: f64) {
        self.rate = rate;
    }

    /// The rate at time `t` [req/s], spikes included.
    fn rate_at(&self, t: SimTime) -> f64 {
        self.boost * self.base_rate_at(t)
    }

    /// The rate at time `t` without spikes [req/s].
    fn base_rate_at(&self, t: SimTime) -> f64 {
        match self.arrival {
            Arrival::Ramp { to_rate } => {
                let f = if self.end.0 == 0 {
                    1.0
                } else {
                    (t.0 as f64 / self.end.0 as f64).min(1.0)
                };
                self.rate + (to_rate - self.rate) * f
            }
            Arrival::Diurnal {
                period_s,
                amplitude,
            } => {
                let phase = 2.0 * core::f64::consts::PI * t.as_secs() / period_s;
                self.rate * (1.0 + amplitude * libm::sin(phase))
            }
            _ => self.rate,
        }
    }

    /// The next send time after `now`, or `None` when the traffic is over (or there is nowhere to send).
    pub fn next_arrival(&self, now: SimTime, rng: &mut SimRng) -> Option<SimTime> {
        if self.ports == 0 || !self.alive {
            return None;
        }
        let secs = |s: f64| SimTime(f64_to_nanos(s * NANOS_PER_SEC as f64).max(1));
        // A spike scales every arrival process alike (× 1 leaves each draw exactly as without spikes).
        let rate = self.rate * self.boost;
        let t = match self.arrival {
            Arrival::Poisson => {
                if rate <= 0.0 {
                    return None;
                }
                now.add(secs(exponential(rng, 1.0 / rate)))
            }
            Arrival::Constant => {
                if rate <= 0.0 {
                    return None;
                }
                now.add(secs(1.0 / rate))
            }
            Arrival::Bursty { on_s, off_s } => {
                if rate <= 0.0 {
                    return None;
                }
                let cycle = SimTime::from_secs(on_s + off_s).0.max(1);
                let on = SimTime::from_secs(on_s).0;
                let mut t = now.add(secs(exponential(rng, 1.0 / rate)));
                // Memorylessness: a gap landing in a silence restarts at the next burst.
                while t.0 % cycle >= on && t < self.end {
                    let next_burst = SimTime((t.0 / cycle + 1) * cycle);
                    t = next_burst.add(secs(exponential(rng, 1.0 / rate)));
                }
                t
            }
            Arrival::Ramp { to_rate } => {
                self.thinned(now, rng, self.boost * self.rate.max(to_rate))?
            }
            Arrival::Diurnal { amplitude, .. } => {
                self.thinned(now, rng, rate * (1.0 + amplitude))?
            }
        };
        (t < self.end).then_some(t)
    }

    /// Non-homogeneous Poisson by thinning (Lewis–Shedler) under the bound `max_rate`.
    fn thinned(&self, now: SimTime, rng: &mut SimRng, max_rate: f64) -> Option<SimTime> {
        if max_rate <= 0.0 {
            return None;
        }
        let mut t = now;
        loop {
            t = t.add(SimTime(
                f64_to_nanos(exponential(rng, 1.0 / max_rate) * NANOS_PER_SEC as f64).max(1),
            ));
            if t >= self.end {
                return Some(t);
            }
            if rng.unit() * max_rate < self.rate_at(t) {
                return Some(t);
            }
        }
    }

    /// Draws what the next request asks.
    pub fn new_request(&self, rng: &mut SimRng) -> NewRequest {
        let key = match &self.keys {
            KeySampler::Uniform(n) => rng.below(*n),
            KeySampler::Zipf(z) => z.sample(rng),
        };
        let op = if rng.chance(self.read_fraction) {
            Op::Read
        } else {
            Op::Write
        };
        let addr = rng.below(u64::from(self.addresses)) as u32;
        let is_static = self.static_fraction > 0.0 && rng.chance(self.static_fraction);
        // Drawn only for a hostile client, so other diagrams keep their random streams.
        let malicious = self.malicious_fraction > 0.0 && rng.chance(self.malicious_fraction);
        let pick = |rng: &mut SimRng, n: u32| {
            if n > 1 {
                rng.below(u64::from(n)) as u32
            } else {
                0
            }
        };
        let (key, op, port) = match (&self.service_ports, is_static) {
            (_, true) => (
                key | STATIC_KEY_BIT,
                Op::Read,
                match self.cdn_port {
                    Some(p) => p,
                    None => pick(rng, self.ports),
                },
            ),
            (Some(list), false) if !list.is_empty() => {
                (key, op, list[pick(rng, list.len() as u32) as usize])
            }
            _ => (key, op, pick(rng, self.ports)),
        };
        NewRequest {
            key,
            op,
            addr,
            size: self.size,
            port,
            is_static,
            malicious,
            api_key: if self.api_keys > 1 {
                addr % self.api_keys
            } else {
                0
            },
        }
    }
}

impl Client {
    /// Draws what the next screen asks: its key, client address and port (the read, not static, not
    /// hostile). The draws are a screen client's own: a client without a screen never makes them.
    pub fn screen_request(&self, rng: &mut SimRng) -> NewRequest {
        let key = match &self.keys {
            KeySampler::Uniform(n) => rng.below(*n),
            KeySampler::Zipf(z) => z.sample(rng),
        };
        let addr = rng.below(u64::from(self.addresses)) as u32;
        let pick = |rng: &mut SimRng, n: u32| {
            if n > 1 {
                rng.below(u64::from(n)) as u32
            } else {
                0
            }
        };
        let port = match &self.service_ports {
            Some(list) if !list.is_empty() => list[pick(rng, list.len() as u32) as usize],
            _ => pick(rng, self.ports),
        };
        NewRequest {
            key,
            op: Op::Read,
            addr,
            size: self.size,
            port,
            is_static: false,
            malicious: false,
            api_key: if self.api_keys > 1 {
                addr % self.api_keys
            } else {
                0
            },
        }
    }
}

impl ClientParams {
    /// How the inspector names a client's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("rate", "Request rate").unit("req/s").live(),
            Term::new("arrival", "Arrival").family(&Arrival::FAMILY),
            Term::new("read_fraction", "Read fraction").unit("0–1"),
            Term::new("keys", "Keys").family(&Keys::FAMILY),
            Term::new("timeout_ms", "Timeout"),
            Term::new("retry", "Retries")
                .optional(default_json::<RetryPolicy>, &RetryPolicy::VOCAB),
            Term::new("http_cache", "Browser HTTP cache")
                .optional(default_json::<HttpCacheParams>, &HttpCacheParams::VOCAB),
            Term::new("connections", "Connections (HTTPS, keep-alive, pool)")
                .optional(default_json::<ConnParams>, &ConnParams::VOCAB),
            Term::new("screen", "Screen (REST or GraphQL)")
                .optional(default_json::<ScreenParams>, &ScreenParams::VOCAB),
            Term::new("addresses", "Client addresses"),
            Term::new("api_keys", "API keys"),
            Term::new("path", "Request path").text("/", false),
            Term::new("hostname", "Hostname").text("www.example.com", false),
            Term::new("size_bytes", "Request size").unit("bytes"),
            Term::new("static_fraction", "Static content share").unit("0–1"),
            Term::new("malicious_fraction", "Attack share (SQLi, XSS)").unit("0–1"),
        ],
    };
}

impl Arrival {
    /// The arrival processes as the inspector offers them, with their fields.
    pub const FAMILY: Family = Family {
        variants: &[
            ("poisson", "Poisson"),
            ("constant", "Constant"),
            ("bursty", "Bursty"),
            ("ramp", "Ramp"),
            ("diurnal", "Diurnal"),
        ],
        fields: &Vocab {
            terms: &[
                Term::new("on_s", "Burst length"),
                Term::new("off_s", "Silence length"),
                Term::new("to_rate", "End rate").unit("req/s"),
                Term::new("period_s", "Period"),
                Term::new("amplitude", "Amplitude").unit("0–1"),
            ],
        },
        template: |variant, _| match variant {
            "bursty" => serde_json::json!({"type": "bursty", "on_s": 1.0, "off_s": 1.0}),
            "ramp" => serde_json::json!({"type": "ramp", "to_rate": 200.0}),
            "diurnal" => serde_json::json!({"type": "diurnal", "period_s": 60.0, "amplitude": 0.5}),
            _ => serde_json::json!({ "type": variant }),
        },
    };
}

impl Keys {
    /// The key spaces as the inspector offers them, with their fields.
    pub const FAMILY: Family = Family {
        variants: &[("uniform", "Uniform"), ("zipf", "Zipf")],
        fields: &Vocab {
            terms: &[Term::new("count", "Distinct keys"), Term::new("s", "Skew")],
        },
        template: |variant, old| {
            let count = old
                .and_then(|o| o.get("count"))
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(10_000);
            match variant {
                "zipf" => serde_json::json!({"type": "zipf", "count": count, "s": 1.0}),
                _ => serde_json::json!({"type": variant, "count": count}),
            }
        },
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(arrival: Arrival, rate: f64, secs: f64) -> u32 {
        let p = ClientParams {
            rate,
            arrival,
            ..ClientParams::default()
        };
        let c = Client::new(&p, 1, SimTime::from_secs(secs));
        let mut rng = SimRng::new(9);
        let mut t = SimTime::ZERO;
        let mut n = 0;
        while let Some(next) = c.next_arrival(t, &mut rng) {
            t = next;
            n += 1;
        }
        n
    }

    #[test]
    fn arrival_processes_deliver_their_mean_rate() {
        // Poisson counts have sd √n: 100 s at 100/s → 10 000 ± 100.
        let n = count(Arrival::Poisson, 100.0, 100.0);
        assert!((9_600..10_400).contains(&n), "poisson {n}");
        assert_eq!(count(Arrival::Constant, 100.0, 10.0), 999);
        let n = count(
            Arrival::Bursty {
                on_s: 1.0,
                off_s: 3.0,
            },
            100.0,
            100.0,
        );
        assert!((2_300..2_700).contains(&n), "bursty {n}");
        let n = count(Arrival::Ramp { to_rate: 300.0 }, 100.0, 100.0);
        assert!((19_400..20_600).contains(&n), "ramp {n}");
        let n = count(
            Arrival::Diurnal {
                period_s: 10.0,
                amplitude: 0.8,
            },
            100.0,
            100.0,
        );
        assert!((9_600..10_400).contains(&n), "diurnal {n}");
    }

    #[test]
    fn no_target_means_no_traffic() {
        let c = Client::new(&ClientParams::default(), 0, SimTime::from_secs(10.0));
        assert!(c.next_arrival(SimTime::ZERO, &mut SimRng::new(1)).is_none());
    }
}
