//! A client's screen: one user action that needs several resources, fetched over REST (one GET per resource,
//! in sequence or all at once, each returning the whole resource) or GraphQL (one POST naming the fields the
//! screen uses, resolved by a server that calls the same back ends: `server/graphql.rs`).
//!
//! ```text
//!   rest_sequential  GET r1 ──> answer ──> GET r2 ──> … ──> GET rn      n round trips, Σ bytes_i
//!   rest_parallel    GET r1 … GET rn at once, the screen ends with the last    n round trips, Σ bytes_i
//!   graphql          POST /graphql ──> resolver ──> back end ×(calls)    1 round trip, Σ used_bytes_i
//! ```
//!
//! REST GETs are cacheable: each is looked up in the client's browser HTTP cache and, when the client has a
//! CDN edge, goes to it (a CDN caches GETs). A GraphQL POST is not: it skips the browser cache and goes to
//! the origin (a CDN passes a POST through uncached). The figures (`ScreenReport`) are counted per screen at
//! its client; back-end calls are the calls servers make on behalf of the screen's requests.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::checks::check_range;
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

/// The most resources one screen may name.
pub const MAX_RESOURCES: usize = 32;

/// Resource keys of a screen are `key × KEY_STRIDE + i`, so each resource is its own cache entry and the
/// resources of different screens' keys never collide.
pub const KEY_STRIDE: u64 = 64;

/// How a screen fetches its resources.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Api {
    /// one GET per resource, each sent when the previous has answered
    #[default]
    RestSequential,
    /// one GET per resource, all sent at once
    RestParallel,
    /// one POST naming the fields the screen uses; not cacheable
    Graphql,
}

impl Choices for Api {
    const ALL: &'static [Api] = &[Api::RestSequential, Api::RestParallel, Api::Graphql];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Api::RestSequential => "REST, one GET after another",
            Api::RestParallel => "REST, all GETs at once",
            Api::Graphql => "GraphQL, one POST",
        })
    }
}

/// A client's screen (`screen`; `null` = every request on its own, as before).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScreenParams {
    /// REST in sequence, REST in parallel, or GraphQL, default `rest_sequential`
    pub api: Api,
    /// the resources, one a line (or separated by `;`): `PATH BYTES USED_BYTES` — the resource's path, its
    /// whole size (what a REST GET returns) and the part of it the screen shows (what a GraphQL query asks
    /// for) [bytes, 0..10⁹]
    pub resources: String,
}

impl Default for ScreenParams {
    fn default() -> Self {
        ScreenParams {
            api: Api::RestSequential,
            resources: "/users/1 4096 512\n/users/1/posts 8192 1024\n/users/1/followers 4096 256"
                .into(),
        }
    }
}

/// One resource of a screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// its path (what a REST GET asks for, and a gateway routes on)
    pub path: String,
    /// the whole resource [bytes]
    pub bytes: u32,
    /// the part the screen uses [bytes]
    pub used_bytes: u32,
}

/// Reads `resources`: one `PATH BYTES USED_BYTES` per line or `;`-separated part; blank parts are skipped.
pub fn parse_resources(text: &str) -> Result<Vec<Resource>, String> {
    let mut out = Vec::new();
    for (i, part) in text
        .split(['\n', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let words: Vec<&str> = part.split_whitespace().collect();
        let [path, bytes, used] = words[..] else {
            return Err(format!(
                "resource {} (`{part}`) must be `PATH BYTES USED_BYTES`",
                i + 1
            ));
        };
        if !path.starts_with('/') {
            return Err(format!(
                "resource {} path `{path}` must start with `/`",
                i + 1
            ));
        }
        let num = |w: &str, what: &str| {
            w.parse::<u32>()
                .ok()
                .filter(|&b| f64::from(b) <= 1e9)
                .ok_or_else(|| {
                    format!(
                        "resource {} {what} `{w}` must be a whole number of bytes from 0 to 10⁹",
                        i + 1
                    )
                })
        };
        let (bytes, used_bytes) = (num(bytes, "size")?, num(used, "used size")?);
        if used_bytes > bytes {
            return Err(format!(
                "resource {} uses {used_bytes} bytes of {bytes}: the used part cannot be larger",
                i + 1
            ));
        }
        out.push(Resource {
            path: path.to_string(),
            bytes,
            used_bytes,
        });
    }
    if out.is_empty() {
        return Err("a screen needs at least one resource".into());
    }
    if out.len() > MAX_RESOURCES {
        return Err(format!(
            "a screen names at most {MAX_RESOURCES} resources (got {})",
            out.len()
        ));
    }
    Ok(out)
}

impl ScreenParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self, out: &mut Vec<(String, String)>) {
        match parse_resources(&self.resources) {
            Ok(r) => {
                for x in &r {
                    check_range(out, "screen.resource_bytes", f64::from(x.bytes));
                }
            }
            Err(m) => out.push(("screen.resources".into(), m)),
        }
    }

    /// How the inspector names its fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("api", "API style").choices(choices::<Api>),
            Term::new("resources", "Resources (path, bytes, used bytes)")
                .text("/users/1 4096 512\n/users/1/posts 8192 1024", true),
        ],
    };
}

/// One resource at run time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Res {
    /// its path's index in the engine's path table
    pub route: u32,
    pub bytes: u32,
    pub used: u32,
}

/// A screen in progress.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Run {
    pub start: SimTime,
    /// the screen's key (resource `i`'s key is `key × KEY_STRIDE + i`)
    pub key: u64,
    pub addr: u32,
    pub api_key: u32,
    /// its requests' size [bytes]
    pub size: u32,
    /// the port its drawn requests take
    pub port: u32,
    /// the next resource a sequential screen sends
    pub next: u32,
    /// requests out
    pub pending: u32,
    pub failed: bool,
    pub measured: bool,
    pub live: bool,
    /// requests that left the device, body bytes received, of which unused, back-end calls made for it
    pub trips: u64,
    pub bytes: u64,
    pub over: u64,
    pub calls: u64,
}

/// Counts over the measurement window (by the screen's start), of screens that ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ScreenCounters {
    pub started: u64,
    pub completed: u64,
    pub failed: u64,
    /// over completed screens
    pub round_trips: u64,
    pub bytes: u64,
    pub over_fetched: u64,
    pub backend_calls: u64,
    pub time_ns: u128,
}

/// A client's screens at run time.
pub(crate) struct Screens {
    pub api: Api,
    pub res: Vec<Res>,
    /// a GraphQL query's answer: the used bytes of every resource
    pub fields_bytes: u32,
    pub runs: Vec<Run>,
    free: Vec<u32>,
    /// logical request id → (screen slot, resource index)
    pub live: std::collections::BTreeMap<u64, (u32, u32)>,
    pub counters: ScreenCounters,
    hist: Histogram<u64>,
}

impl Screens {
    /// The runtime of `p`, with each resource path's index in the engine's path table `paths`.
    pub fn new(p: &ScreenParams, paths: &[String]) -> Screens {
        let res: Vec<Res> = parse_resources(&p.resources)
            .unwrap_or_default()
            .into_iter()
            .map(|r| Res {
                route: paths.iter().position(|x| *x == r.path).unwrap_or(0) as u32,
                bytes: r.bytes,
                used: r.used_bytes,
            })
            .collect();
        Screens {
            api: p.api,
            fields_bytes: res.iter().map(|r| r.used).fold(0u32, u32::saturating_add),
            res,
            runs: Vec::new(),
            free: Vec::new(),
            live: std::collections::BTreeMap::new(),
            counters: ScreenCounters::default(),
            hist: Histogram::new_with_bounds(1, crate::metrics::HIST_MAX_NS, 3)
                .expect("static histogram bounds are valid"),
        }
    }

    /// Opens a screen; returns its slot.
    pub fn open(&mut self, run: Run) -> u32 {
        self.counters.started += u64::from(run.measured);
        match self.free.pop() {
            Some(s) => {
                self.runs[s as usize] = run;
                s
            }
            None => {
                self.runs.push(run);
                self.runs.len() as u32 - 1
            }
        }
    }

    /// Ends screen `slot` at `now`, counting it.
    pub fn close(&mut self, slot: u32, now: SimTime) {
        let r = self.runs[slot as usize];
        self.runs[slot as usize].live = false;
        self.free.push(slot);
        if !r.measured {
            return;
        }
        let c = &mut self.counters;
        if r.failed {
            c.failed += 1;
            return;
        }
        c.completed += 1;
        c.round_trips += r.trips;
        c.bytes += r.bytes;
        c.over_fetched += r.over;
        c.backend_calls += r.calls;
        let ns = now.since(r.start).0;
        c.time_ns += u128::from(ns);
        self.hist.saturating_record(ns.max(1));
    }

    /// Its report block.
    pub fn report(&self) -> ScreenReport {
        let c = &self.counters;
        let per = |x: u64| {
            if c.completed == 0 {
                0.0
            } else {
                x as f64 / c.completed as f64
            }
        };
        ScreenReport {
            api: self.api,
            resources: self.res.len() as u32,
            started: c.started,
            completed: c.completed,
            failed: c.failed,
            round_trips: c.round_trips,
            bytes: c.bytes,
            over_fetched_bytes: c.over_fetched,
            backend_calls: c.backend_calls,
            round_trips_per_screen: per(c.round_trips),
            bytes_per_screen: per(c.bytes),
            over_fetched_per_screen: per(c.over_fetched),
            backend_calls_per_screen: per(c.backend_calls),
            mean_ms: if c.completed == 0 {
                0.0
            } else {
                c.time_ns as f64 / c.completed as f64 / 1e6
            },
            p99_ms: if c.completed == 0 {
                0.0
            } else {
                self.hist.value_at_quantile(0.99) as f64 / 1e6
            },
        }
    }
}

/// A client's screens in the report (`screen`): counts over screens started in the window; the sums and
/// means are over completed screens.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenReport {
    /// how the screen fetches its resources
    pub api: Api,
    /// resources per screen
    pub resources: u32,
    /// screens started
    pub started: u64,
    /// screens whose every request succeeded
    pub completed: u64,
    /// screens with a failed or timed-out request
    pub failed: u64,
    /// requests that left the device (a fresh browser-cache hit makes none)
    pub round_trips: u64,
    /// body bytes received: each REST resource fetched whole (a 304 or a fresh hit: none), a GraphQL
    /// answer's used bytes
    pub bytes: u64,
    /// of those, bytes the screen does not use (REST's over-fetching)
    pub over_fetched_bytes: u64,
    /// calls servers made on behalf of the screens' requests (to their back ends)
    pub backend_calls: u64,
    /// round trips ÷ completed screens
    pub round_trips_per_screen: f64,
    /// bytes ÷ completed screens
    pub bytes_per_screen: f64,
    /// over-fetched bytes ÷ completed screens
    pub over_fetched_per_screen: f64,
    /// back-end calls ÷ completed screens
    pub backend_calls_per_screen: f64,
    /// screen time, from the user's action to its last answer: mean [ms]
    pub mean_ms: f64,
    /// screen time: 99th percentile [ms]
    pub p99_ms: f64,
}

impl ScreenReport {
    /// Its line in the runner's table.
    pub fn table_part(&self) -> String {
        format!(
            "screens ({}): {} completed, {} failed; per screen {:.2} round trips, {:.0} bytes ({:.0} \
             over-fetched), {:.2} back-end calls; screen time mean {:.2} ms, p99 {:.2} ms",
            self.api.label().unwrap_or(""),
            self.completed,
            self.failed,
            self.round_trips_per_screen,
            self.bytes_per_screen,
            self.over_fetched_per_screen,
            self.backend_calls_per_screen,
            self.mean_ms,
            self.p99_ms
        )
    }

    pub(crate) fn digest(&self, h: &mut crate::digest::Digest) {
        h.u64s(&[
            self.started,
            self.completed,
            self.failed,
            self.round_trips,
            self.bytes,
            self.over_fetched_bytes,
            self.backend_calls,
        ]);
        h.f64(self.mean_ms);
        h.f64(self.p99_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_parse_and_bad_lines_are_named() {
        let r = parse_resources("/a 100 10; /b 200 200\n\n").expect("parses");
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[1].path.as_str(), r[1].bytes, r[1].used_bytes),
            ("/b", 200, 200)
        );
        assert!(parse_resources("/a 10").unwrap_err().contains("resource 1"));
        assert!(parse_resources("a 10 1").unwrap_err().contains("`/`"));
        assert!(
            parse_resources("/a 10 11")
                .unwrap_err()
                .contains("cannot be larger")
        );
        assert!(parse_resources(" ; ").is_err());
        assert!(parse_resources(&"/a 1 1;".repeat(33)).is_err());
        assert!(parse_resources(&"/a 1 1;".repeat(32)).is_ok());
    }
}
