//! The buffer cache (buffer pool): each instance keeps the pages its queries touched in memory, at most
//! `pages` of them, least recently used out first (the cache's `Store`, one page per key). A query whose page
//! is held is served at memory speed (its service time alone); a miss also waits `disk_ms` for the page.
//! A killed database comes back with empty memory: queries are slow until the cache warms again.
//!
//! ```text
//!   query for key k ──> page k in memory ──> service time            (hit: moved to the front)
//!                  └──> not in memory   ──> service time + disk_ms   (miss: read, the least recent out)
//! ```
//!
//! Under uniform keys over K keys an LRU of C pages holds any key with probability C/K; under Zipf keys its
//! hit ratio follows Che's approximation (`tests/it/buffer_cache.rs`).

use serde::{Deserialize, Serialize};

use crate::checks::{check_num, check_range};
use crate::components::cache::Eviction;
use crate::components::cache::store::{Lookup, Store};
use crate::digest::Digest;
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::vocab::{Term, Vocab};

/// Most buckets of the hit-ratio timeline; a longer run widens them.
const TIMELINE_BUCKETS: u64 = 120;

/// A database's buffer cache parameters (`buffer_cache`; `null` = none).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BufferCacheParams {
    /// pages held in memory per instance (one key per page) [0..10 000 000], default 1000
    pub pages: u32,
    /// time to read a missing page from disk [ms], added to the query's service time, default 5
    pub disk_ms: f64,
}

impl Default for BufferCacheParams {
    fn default() -> Self {
        BufferCacheParams {
            pages: 1000,
            disk_ms: 5.0,
        }
    }
}

impl BufferCacheParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self, out: &mut Vec<(String, String)>) {
        check_range(out, "buffer_cache.pages", f64::from(self.pages));
        check_num(out, "buffer_cache.disk_ms", self.disk_ms, 0.0);
        check_range(out, "buffer_cache.disk_ms", self.disk_ms);
    }

    /// How the inspector names its fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("pages", "Pages in memory").integer(),
            Term::new("disk_ms", "Disk read per miss").unit("ms"),
        ],
    };
}

/// Every instance's pages in memory, and the hits and misses.
pub(crate) struct Buffers {
    pages: u32,
    disk: SimTime,
    stores: Vec<Store>,
    /// over the measurement window
    hits: u64,
    misses: u64,
    /// per bucket of `bucket` since the start: hits and misses, warm-up included
    timeline: Vec<[u64; 2]>,
    bucket: SimTime,
}

impl Buffers {
    /// The buffer caches of `instances` instances, for a run ending at `end`.
    pub fn new(p: &BufferCacheParams, instances: usize, end: SimTime) -> Buffers {
        let secs = end.as_secs().ceil().max(1.0) as u64;
        let width = secs.div_ceil(TIMELINE_BUCKETS).max(1);
        Buffers {
            pages: p.pages,
            disk: SimTime::from_ms(p.disk_ms),
            stores: (0..instances)
                .map(|_| Store::new(Some(p.pages), Eviction::Lru))
                .collect(),
            hits: 0,
            misses: 0,
            timeline: Vec::new(),
            bucket: SimTime::from_secs(width as f64),
        }
    }

    /// Instance `inst` reads the page of `key` at `now`: the extra time the query waits for it (zero on a
    /// hit, `disk_ms` on a miss, after which the page is held).
    pub fn touch(
        &mut self,
        inst: u32,
        key: u64,
        now: SimTime,
        counting: bool,
        rng: &mut SimRng,
    ) -> SimTime {
        let s = &mut self.stores[inst as usize];
        let hit = matches!(s.get(key, now), Lookup::Hit { .. });
        if !hit {
            s.insert(key, 0, SimTime::MAX, now, rng);
        }
        let b = (now.0 / self.bucket.0.max(1)) as usize;
        if b < TIMELINE_BUCKETS as usize + 1 {
            if self.timeline.len() <= b {
                self.timeline.resize(b + 1, [0, 0]);
            }
            self.timeline[b][usize::from(!hit)] += 1;
        }
        if counting {
            self.hits += u64::from(hit);
            self.misses += u64::from(!hit);
        }
        if hit { SimTime::ZERO } else { self.disk }
    }

    /// The node died: memory is empty when it comes back.
    pub fn forget(&mut self) {
        for s in &mut self.stores {
            s.clear();
        }
    }
}

/// A database's buffer cache in the report (`database.buffer_cache`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BufferCacheReport {
    /// pages held per instance
    pub pages: u32,
    /// queries whose page was in memory (window)
    pub hits: u64,
    /// queries that read their page from disk (window)
    pub misses: u64,
    /// hits ÷ (hits + misses) [0..1]
    pub hit_ratio: f64,
    /// width of a timeline bucket [s]
    pub timeline_s: f64,
    /// per bucket since the start (warm-up included): `[hits, misses]`, so a restart's cold cache shows
    pub timeline: Vec<[u64; 2]>,
}

impl BufferCacheReport {
    pub(crate) fn new(b: &Buffers) -> BufferCacheReport {
        let n = b.hits + b.misses;
        BufferCacheReport {
            pages: b.pages,
            hits: b.hits,
            misses: b.misses,
            hit_ratio: if n > 0 { b.hits as f64 / n as f64 } else { 0.0 },
            timeline_s: b.bucket.as_secs(),
            timeline: b.timeline.clone(),
        }
    }

    /// The hit ratio of each timeline bucket (0 for a bucket without queries).
    pub fn ratios(&self) -> Vec<f64> {
        self.timeline
            .iter()
            .map(|&[h, m]| {
                if h + m > 0 {
                    h as f64 / (h + m) as f64
                } else {
                    0.0
                }
            })
            .collect()
    }

    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[u64::from(self.pages), self.hits, self.misses]);
        for &[a, b] in &self.timeline {
            h.u64s(&[a, b]);
        }
    }
}
