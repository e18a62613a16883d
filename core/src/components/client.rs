//! The client: a traffic source. It draws arrival times from its arrival process, and for each request a
//! key, an operation and a client address; the engine turns that into a request and keeps its deadline.

use serde::{Deserialize, Serialize};

use crate::components::{check_num, check_prob, check_range};
use crate::dist::{ZIPF_MAX_KEYS, Zipf, exponential};
use crate::request::Op;
use crate::resilience::RetryPolicy;
use crate::rng::SimRng;
use crate::time::{NANOS_PER_SEC, SimTime, f64_to_nanos};

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
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check_num(&mut out, "rate", self.rate, 0.0);
        check_range(&mut out, "rate", self.rate);
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
        }
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
            api_key: addr % self.api_keys,
        }
    }
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
