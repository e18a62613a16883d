//! A client's connections (`connections` on a client): each client address is one user (a browser), with a
//! pool of connections per host (per outgoing edge) kept alive while idle less than `keepalive_s` — the same
//! idle rule as the TLS tracker of the nodes that terminate TLS ([`super::Connections`]).
//!
//! ```text
//!   request ──> an open connection free for it? ──yes──> sent at once (no round trip before it)
//!           └─> fewer than the pool's connections? ──yes──> opened: TCP (1 round trip) + TLS (1 for 1.3,
//!           │                                               2 for 1.2, 0 for plain HTTP), then sent
//!           └─> waits (a pool wait) until a response frees one (HTTP/1.1 only)
//! ```
//!
//! HTTP/1.1 carries one request per connection at a time, so a user's pool of `pool_size` connections is
//! `pool_size` servers for its requests; HTTP/2 carries any number at once (streams) on one connection, so
//! it never waits. A round trip is two draws of the link's latency. The engine side (holding a request
//! while its connection opens, and freeing the connection when its response is back) is `sim/conns.rs`.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::checks::{check_num, check_range};
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

/// The TLS version, which sets the handshake's round trips.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TlsVersion {
    /// TLS 1.3: one round trip
    #[default]
    #[serde(rename = "1.3")]
    Tls13,
    /// TLS 1.2: two round trips
    #[serde(rename = "1.2")]
    Tls12,
}

impl Choices for TlsVersion {
    const ALL: &'static [Self] = &[TlsVersion::Tls13, TlsVersion::Tls12];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            TlsVersion::Tls13 => "TLS 1.3 (1 round trip)",
            TlsVersion::Tls12 => "TLS 1.2 (2 round trips)",
        })
    }
}

/// The HTTP version: one request per connection at a time, or many.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum HttpVersion {
    /// HTTP/1.1: one request at a time per connection (a pool of them)
    #[default]
    #[serde(rename = "1.1")]
    Http11,
    /// HTTP/2: any number at once on one connection (multiplexed streams)
    #[serde(rename = "2")]
    Http2,
}

impl Choices for HttpVersion {
    const ALL: &'static [Self] = &[HttpVersion::Http11, HttpVersion::Http2];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            HttpVersion::Http11 => "HTTP/1.1 (one request per connection)",
            HttpVersion::Http2 => "HTTP/2 (multiplexed)",
        })
    }
}

/// A client's connection parameters (`connections`; `null` = none: requests go out with no connection
/// set-up, as before).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConnParams {
    /// HTTPS: a TLS handshake on each new connection, default true (false: plain HTTP, TCP only)
    pub https: bool,
    /// `"1.3"` (one round trip) or `"1.2"` (two), default `"1.3"`
    pub tls_version: TlsVersion,
    /// `"1.1"` (one request per connection at a time) or `"2"` (multiplexed), default `"1.1"`
    pub http_version: HttpVersion,
    /// connections per user and host (HTTP/1.1; HTTP/2 uses one) [1..1000], default 6 (a browser's)
    pub pool_size: u32,
    /// a connection idle this long closes [s], default 60
    pub keepalive_s: f64,
}

impl Default for ConnParams {
    fn default() -> Self {
        ConnParams {
            https: true,
            tls_version: TlsVersion::Tls13,
            http_version: HttpVersion::Http11,
            pool_size: 6,
            keepalive_s: 60.0,
        }
    }
}

impl ConnParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self, out: &mut Vec<(String, String)>) {
        check_num(out, "connections.keepalive_s", self.keepalive_s, 0.0);
        check_range(out, "connections.keepalive_s", self.keepalive_s);
        check_range(out, "connections.pool_size", f64::from(self.pool_size));
    }

    /// Round trips of a new connection's handshakes: TCP's one, and TLS's (1 for 1.3, 2 for 1.2, none for
    /// plain HTTP).
    pub fn round_trips(&self) -> u32 {
        1 + match (self.https, self.tls_version) {
            (false, _) => 0,
            (true, TlsVersion::Tls13) => 1,
            (true, TlsVersion::Tls12) => 2,
        }
    }

    /// How the inspector names its fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("https", "HTTPS (TLS handshake)"),
            Term::new("tls_version", "TLS version").choices(choices::<TlsVersion>),
            Term::new("http_version", "HTTP version").choices(choices::<HttpVersion>),
            Term::new("pool_size", "Connections per user (HTTP/1.1)").integer(),
            Term::new("keepalive_s", "Keep-alive (idle timeout)").unit("s"),
        ],
    };
}

/// One connection: the requests on it (by slab index and generation), when its handshake ends, when it was
/// last used.
#[derive(Clone, Debug)]
pub(crate) struct Conn {
    pub streams: Vec<(u32, u32)>,
    pub ready: SimTime,
    pub last_use: SimTime,
}

/// One user's connections to one host, and its requests waiting for one.
#[derive(Clone, Debug, Default)]
pub(crate) struct Line {
    pub conns: Vec<Conn>,
    /// waiting requests: slab index, generation, since when
    pub waiting: VecDeque<(u32, u32, SimTime)>,
}

/// Counts over the measurement window (by the request's `measured`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PoolCounters {
    pub requests: u64,
    pub opened: u64,
    pub round_trips: u64,
    pub handshake_ns: u64,
    /// requests that waited for a connection's handshake (they opened it, or rode on an opening one)
    pub paid_handshake: u64,
    pub pool_waits: u64,
    pub pool_wait_ns: u64,
    /// responses back while the client still waited, and their time since the request was sent
    pub answered: u64,
    pub answered_ns: u64,
}

/// A client's pools: one [`Line`] per (client address, outgoing edge).
pub(crate) struct Pool {
    pub round_trips: u32,
    /// requests per connection at once (1 for HTTP/1.1, unbounded for HTTP/2)
    pub streams: usize,
    /// connections per line (the pool for HTTP/1.1, one for HTTP/2)
    pub size: usize,
    pub keepalive: SimTime,
    pub lines: BTreeMap<(u32, u32), Line>,
    pub counters: PoolCounters,
    sweep_at: usize,
}

/// Lines held before idle ones are swept out for the first time.
const MIN_SWEEP: usize = 64;

impl Pool {
    pub fn new(p: &ConnParams) -> Pool {
        let h2 = p.http_version == HttpVersion::Http2;
        Pool {
            round_trips: p.round_trips(),
            streams: if h2 { usize::MAX } else { 1 },
            size: if h2 { 1 } else { p.pool_size.max(1) as usize },
            keepalive: SimTime::from_secs(p.keepalive_s),
            lines: BTreeMap::new(),
            counters: PoolCounters::default(),
            sweep_at: MIN_SWEEP,
        }
    }

    /// Whether `c` is still open at `now`: opening, carrying a request, or idle less than the keep-alive.
    pub fn open(&self, c: &Conn, now: SimTime) -> bool {
        c.ready > now || !c.streams.is_empty() || now.since(c.last_use) < self.keepalive
    }

    /// Forgets the lines with nothing open and nothing waiting once their number has doubled since the
    /// last sweep (amortised O(log n), as [`super::Connections`] does).
    pub fn sweep(&mut self, now: SimTime) {
        if self.lines.len() >= self.sweep_at {
            let keepalive = self.keepalive;
            self.lines.retain(|_, l| {
                !l.waiting.is_empty()
                    || l.conns.iter().any(|c| {
                        c.ready > now || !c.streams.is_empty() || now.since(c.last_use) < keepalive
                    })
            });
            self.sweep_at = (2 * self.lines.len()).max(MIN_SWEEP);
        }
    }

    /// Connections open at `now`.
    pub fn open_at(&self, now: SimTime) -> u64 {
        self.lines
            .values()
            .flat_map(|l| l.conns.iter())
            .filter(|c| self.open(c, now))
            .count() as u64
    }
}

fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

/// A client's connections in the report (`connections`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnReport {
    /// requests sent over a connection
    pub requests: u64,
    /// connections opened
    pub opened: u64,
    /// handshake round trips (TCP and TLS) of those connections
    pub handshake_round_trips: u64,
    /// time spent in those handshakes, summed [ms]
    pub handshake_ms: f64,
    /// requests that waited for a handshake (they opened a connection or rode on an opening one)
    pub paid_handshake: u64,
    /// paid_handshake ÷ requests [0..1]
    pub handshake_share: f64,
    /// requests ÷ connections opened
    pub requests_per_connection: f64,
    /// requests that waited for a free connection (HTTP/1.1, all of the user's pool busy)
    pub pool_waits: u64,
    /// mean wait for a free connection over the requests that waited [ms]
    pub pool_wait_mean_ms: f64,
    /// connections open at the end
    pub open: u64,
    /// mean time from a request's send to its response, over the responses its client still waited for
    /// (this client's end-to-end mean, handshakes and pool waits included) [ms]
    pub mean_ms: f64,
}

impl ConnReport {
    pub(crate) fn new(p: &Pool, now: SimTime) -> ConnReport {
        let k = &p.counters;
        ConnReport {
            requests: k.requests,
            opened: k.opened,
            handshake_round_trips: k.round_trips,
            handshake_ms: ms(k.handshake_ns),
            paid_handshake: k.paid_handshake,
            handshake_share: if k.requests > 0 {
                k.paid_handshake as f64 / k.requests as f64
            } else {
                0.0
            },
            requests_per_connection: if k.opened > 0 {
                k.requests as f64 / k.opened as f64
            } else {
                0.0
            },
            pool_waits: k.pool_waits,
            pool_wait_mean_ms: if k.pool_waits > 0 {
                ms(k.pool_wait_ns) / k.pool_waits as f64
            } else {
                0.0
            },
            open: p.open_at(now),
            mean_ms: if k.answered > 0 {
                ms(k.answered_ns) / k.answered as f64
            } else {
                0.0
            },
        }
    }

    pub(crate) fn digest(&self, h: &mut crate::digest::Digest) {
        h.u64s(&[
            self.requests,
            self.opened,
            self.handshake_round_trips,
            self.paid_handshake,
            self.pool_waits,
            self.open,
        ]);
        h.f64s(&[self.handshake_ms, self.pool_wait_mean_ms, self.mean_ms]);
    }
}
