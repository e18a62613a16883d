//! A client's HTTP cache (the browser cache): responses to reads are kept per key with their age and their
//! validator (the ETag: the key's committed version when the answer left the data).
//!
//! ```text
//!   read of key k ──> fresh entry (age < max_age): answered on the device, nothing leaves it
//!                └──> stale entry, ETag on: a conditional request (If-None-Match) goes out;
//!                       same version ─> 304 Not Modified: a round trip, no body; fresh again
//!                       newer version ─> 200 with the body
//!                └──> no entry (or no ETag): an ordinary request, its 200 stored
//! ```
//!
//! With a bandwidth on some link (`sim/wire.rs`), a 304 travels back with `NOT_MODIFIED_BYTES` of headers
//! instead of the body: the answering server sees the request's validator equal the version it answers with.
//!
//! An entry's age counts from when its request was sent (RFC 9111's corrected age counts the response's
//! delay in), so with Poisson reads at rate λ of one key each miss opens a fresh window of length T in which
//! every read is local: the share served locally is λT / (1 + λT) (`tests/it/http_cache.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checks::{check_num, check_range};
use crate::time::SimTime;
use crate::vocab::{Term, Vocab};

/// The size of a `304 Not Modified` [bytes]: its status line and headers (`ETag`, `Cache-Control`, `Date`),
/// no body. A conditional read answered unchanged travels back with these bytes instead of the server's
/// `response_bytes` (or its drawn size, if smaller already).
pub const NOT_MODIFIED_BYTES: u32 = 200;

fn is_zero(x: &u64) -> bool {
    *x == 0
}

/// A client's HTTP cache parameters (`http_cache`; `null` = none).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpCacheParams {
    /// `Cache-Control: max-age`: how long a response stays fresh [s], default 60
    pub max_age_s: f64,
    /// responses carry an ETag, so a stale entry is revalidated (a 304 costs a round trip but no body)
    /// instead of fetched again, default true
    pub etag: bool,
}

impl Default for HttpCacheParams {
    fn default() -> Self {
        HttpCacheParams {
            max_age_s: 60.0,
            etag: true,
        }
    }
}

impl HttpCacheParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self, out: &mut Vec<(String, String)>) {
        check_num(out, "http_cache.max_age_s", self.max_age_s, 0.0);
        check_range(out, "http_cache.max_age_s", self.max_age_s);
    }

    /// How the inspector names its fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("max_age_s", "max-age (fresh for)"),
            Term::new("etag", "ETag revalidation (304)"),
        ],
    };
}

/// What the cache holds for a read about to be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// answered on the device
    Fresh,
    /// sent as a conditional request carrying this validator (the entry's version + 1)
    Revalidate(u64),
    /// sent as an ordinary request
    Miss,
}

/// Counts over the measurement window (by the read's send time; 304s by the answer's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct HttpCounters {
    pub fresh: u64,
    pub revalidations: u64,
    pub not_modified: u64,
    pub misses: u64,
    /// body bytes the 304s did not carry (with a bandwidth on some link: `sim/wire.rs`)
    pub bytes_saved: u64,
}

/// A client's HTTP cache.
pub(crate) struct HttpCache {
    max_age: SimTime,
    etag: bool,
    /// per key: when the request that fetched (or revalidated) it was sent, and its version
    entries: BTreeMap<u64, (SimTime, u64)>,
    pub counters: HttpCounters,
}

impl HttpCache {
    pub fn new(p: &HttpCacheParams) -> HttpCache {
        HttpCache {
            max_age: SimTime::from_secs(p.max_age_s),
            etag: p.etag,
            entries: BTreeMap::new(),
            counters: HttpCounters::default(),
        }
    }

    /// A read of `key` at `now`: what the cache does with it.
    pub fn lookup(&mut self, key: u64, now: SimTime, counting: bool) -> Lookup {
        let c = u64::from(counting);
        match self.entries.get(&key) {
            Some(&(at, _)) if now.since(at) < self.max_age => {
                self.counters.fresh += c;
                Lookup::Fresh
            }
            Some(&(_, version)) if self.etag => {
                self.counters.revalidations += c;
                Lookup::Revalidate(version.saturating_add(1))
            }
            _ => {
                self.counters.misses += c;
                Lookup::Miss
            }
        }
    }

    /// A read of `key` sent at `sent` (`conditional`: with a validator) was answered with `version`: store it.
    /// Returns whether the answer was a 304 (a conditional read, and the entry held that version: no body).
    pub fn answered(
        &mut self,
        key: u64,
        sent: SimTime,
        version: u64,
        counting: bool,
        conditional: bool,
    ) -> bool {
        let same =
            self.etag && conditional && self.entries.get(&key).is_some_and(|&(_, v)| v == version);
        let e = self.entries.entry(key).or_insert((sent, version));
        if sent >= e.0 {
            *e = (sent, version);
        }
        self.counters.not_modified += u64::from(same && counting);
        same
    }
}

/// A client's HTTP cache in the report (`http_cache`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpCacheReport {
    /// reads answered on the device from a fresh entry (no request left it)
    pub fresh_hits: u64,
    /// reads sent as conditional requests for a stale entry
    pub revalidations: u64,
    /// of those, answered 304 Not Modified (a round trip, no body)
    pub not_modified: u64,
    /// reads sent with nothing cached
    pub misses: u64,
    /// body bytes the 304s did not carry: per 304, the answering server's response size less
    /// `NOT_MODIFIED_BYTES` (counted only in a diagram with a bandwidth, where responses have sizes)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bytes_saved: u64,
    /// fresh hits ÷ reads [0..1]
    pub local_share: f64,
}

impl HttpCacheReport {
    pub(crate) fn new(c: &HttpCache) -> HttpCacheReport {
        let k = &c.counters;
        let reads = k.fresh + k.revalidations + k.misses;
        HttpCacheReport {
            fresh_hits: k.fresh,
            revalidations: k.revalidations,
            not_modified: k.not_modified,
            misses: k.misses,
            bytes_saved: k.bytes_saved,
            local_share: if reads > 0 {
                k.fresh as f64 / reads as f64
            } else {
                0.0
            },
        }
    }

    pub(crate) fn digest(&self, h: &mut crate::digest::Digest) {
        h.u64s(&[
            self.fresh_hits,
            self.revalidations,
            self.not_modified,
            self.misses,
        ]);
        if self.bytes_saved > 0 {
            h.u64s(&[self.bytes_saved]);
        }
    }
}
