//! The object store (S3-like): a bucket of objects, each key one object whose size comes from the key (a
//! size law from a few KB to GB), uploads whose bodies cross the links they travel (`sim/body.rs`), big
//! objects in parts uploaded several at once, uploads through the application server or straight to the
//! bucket with a pre-signed URL, and downloads that carry the object back (through a CDN edge in front, whose
//! copy carries it too). An optional edge to a database holds the objects' metadata.
//!
//! ```text
//!   upload (write), through the app:   client ─headers─> app ─headers─> store ─pull─> body: client→app→store
//!   upload, pre-signed:                client ─headers─> app ─> store: redirect ─> client ─headers─> store
//!                                       ─pull─> body: client→store
//!   each part: in when its bytes have arrived and its stream has had part ÷ stream_mbps; then request_ms (the
//!   commit), the metadata write, the answer
//!   download (read): request_ms, the metadata read, then the object as the response body
//! ```
//!
//! Nothing is drawn from the generator: a key's size is a hash of the key through the size law.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Finding, mismatch};
use crate::components::{Action, Ctx, Incoming, Kind, NodeDetail, Params, check_num, check_range};
use crate::digest::Digest;
use crate::request::{Op, Outcome};
use crate::tagged;
use crate::time::SimTime;
use crate::vocab::{Choices, Family, Term, Vocab, choices};

/// The smallest multipart part [bytes] (S3's is 5 MiB; smaller here for teaching, large enough that a part
/// is never a handful of bytes).
pub const MIN_PART_BYTES: u32 = 100_000;

/// Object store parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ObjectStoreParams {
    /// how big the objects are: each key is one object, its size fixed by the key, default log-uniform from
    /// 10 KB to 10 MB
    pub object_sizes: ObjectSizes,
    /// time to first byte of each request, and an upload's commit [ms, constant], default 20
    pub request_ms: f64,
    /// the store's throughput per upload stream (per part) [Mbit/s]; 0 = unlimited, default 400
    pub stream_mbps: f64,
    /// objects larger than this are uploaded in parts of this size (multipart) [bytes]; 0 = never, default
    /// 8 388 608 (8 MiB)
    pub part_bytes: u32,
    /// parts of one object uploaded at once [1..1000], default 1
    pub parallel_parts: u32,
    /// how clients upload: `via_app` (the body passes through whatever node sent the request) or
    /// `presigned` (an upload arriving through another node is answered with a pre-signed URL, and the client
    /// sends the body straight to the store over its own edge), default `via_app`
    pub upload: UploadMode,
}

impl Default for ObjectStoreParams {
    fn default() -> Self {
        ObjectStoreParams {
            object_sizes: ObjectSizes::LogUniform {
                min_bytes: 10_000,
                max_bytes: 10_000_000,
            },
            request_ms: 20.0,
            stream_mbps: 400.0,
            part_bytes: 8 << 20,
            parallel_parts: 1,
            upload: UploadMode::ViaApp,
        }
    }
}

/// The objects' sizes. JSON: `{"type": "constant", "bytes": 1000000}` or
/// `{"type": "log_uniform", "min_bytes": 10000, "max_bytes": 1000000000}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ObjectSizes {
    /// Every object the same size.
    Constant {
        /// bytes [1..4·10⁹]
        bytes: u32,
    },
    /// Sizes spread evenly over their orders of magnitude: as many objects of 10–100 KB as of 10–100 MB.
    LogUniform {
        /// the smallest [bytes, 1..4·10⁹]
        min_bytes: u32,
        /// the largest [bytes, 1..4·10⁹, at least `min_bytes`]
        max_bytes: u32,
    },
}

static OBJECT_SIZES: tagged::Shape = tagged::Shape {
    name: "ObjectSizes",
    tag: "type",
    variants: &["constant", "log_uniform"],
    fields: Some(&[&["bytes"], &["min_bytes", "max_bytes"]]),
};

/// Read by [`crate::tagged`].
impl<'de> Deserialize<'de> for ObjectSizes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        tagged::read(d, &OBJECT_SIZES, |variant, f| {
            Ok(match variant {
                0 => ObjectSizes::Constant {
                    bytes: f.req("bytes")?,
                },
                _ => ObjectSizes::LogUniform {
                    min_bytes: f.req("min_bytes")?,
                    max_bytes: f.req("max_bytes")?,
                },
            })
        })
    }
}

impl ObjectSizes {
    /// The size of object `key` [bytes]: the key hashed to a point `u` of [0, 1), through the law's quantile
    /// (log-uniform: min × (max ÷ min)^u).
    pub fn of(self, key: u64) -> u32 {
        match self {
            ObjectSizes::Constant { bytes } => bytes,
            ObjectSizes::LogUniform {
                min_bytes,
                max_bytes,
            } => {
                let (lo, hi) = (f64::from(min_bytes.max(1)), f64::from(max_bytes.max(1)));
                if hi <= lo {
                    return min_bytes;
                }
                let x = (lo * libm::pow(hi / lo, unit(key))).round();
                x.clamp(lo, hi) as u32
            }
        }
    }

    /// The law's mean [bytes]: constant `bytes`; log-uniform (max − min) ÷ ln(max ÷ min).
    pub fn mean(self) -> f64 {
        match self {
            ObjectSizes::Constant { bytes } => f64::from(bytes),
            ObjectSizes::LogUniform {
                min_bytes,
                max_bytes,
            } => {
                let (lo, hi) = (f64::from(min_bytes.max(1)), f64::from(max_bytes.max(1)));
                if hi <= lo {
                    lo
                } else {
                    (hi - lo) / libm::log(hi / lo)
                }
            }
        }
    }

    /// The sizes as the inspector offers them, with their fields.
    pub const FAMILY: Family = Family {
        variants: &[
            ("constant", "All the same"),
            ("log_uniform", "Log-uniform (KB to GB)"),
        ],
        fields: &Vocab {
            terms: &[
                Term::new("bytes", "Object size").unit("bytes").integer(),
                Term::new("min_bytes", "Smallest").unit("bytes").integer(),
                Term::new("max_bytes", "Largest").unit("bytes").integer(),
            ],
        },
        template: |variant, _| match variant {
            "constant" => serde_json::json!({"type": "constant", "bytes": 1_000_000}),
            _ => {
                serde_json::json!({"type": "log_uniform", "min_bytes": 10_000, "max_bytes": 10_000_000})
            }
        },
    };
}

/// A key's point in [0, 1): SplitMix64 of the key, its top 53 bits.
fn unit(key: u64) -> f64 {
    let mut z = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// How clients upload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadMode {
    /// the body passes through the node that sent the request (the application server streams it on)
    #[default]
    ViaApp,
    /// the application only signs: its call is answered with a pre-signed URL and the client uploads to the
    /// store directly
    Presigned,
}

impl Choices for UploadMode {
    const ALL: &'static [UploadMode] = &[UploadMode::ViaApp, UploadMode::Presigned];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            UploadMode::ViaApp => "Through the app server",
            UploadMode::Presigned => "Pre-signed URL (straight to the bucket)",
        })
    }
}

impl ObjectStoreParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check_num(&mut out, "request_ms", self.request_ms, 0.0);
        check_num(&mut out, "stream_mbps", self.stream_mbps, 0.0);
        if self.stream_mbps > 0.0 && self.stream_mbps < 0.001 {
            out.push((
                "stream_mbps".into(),
                "`stream_mbps` must be 0 (unlimited) or at least 0.001".into(),
            ));
        }
        if self.part_bytes > 0 && self.part_bytes < MIN_PART_BYTES {
            out.push((
                "part_bytes".into(),
                format!("`part_bytes` must be 0 (no multipart) or at least {MIN_PART_BYTES}"),
            ));
        }
        if self.parallel_parts == 0 {
            out.push((
                "parallel_parts".into(),
                "`parallel_parts` must be at least 1".into(),
            ));
        }
        let mut ranges = vec![
            ("request_ms", self.request_ms),
            ("stream_mbps", self.stream_mbps),
            ("part_bytes", f64::from(self.part_bytes)),
            ("parallel_parts", f64::from(self.parallel_parts)),
        ];
        match self.object_sizes {
            ObjectSizes::Constant { bytes } => {
                ranges.push(("object_sizes.bytes", f64::from(bytes)))
            }
            ObjectSizes::LogUniform {
                min_bytes,
                max_bytes,
            } => {
                ranges.push(("object_sizes.min_bytes", f64::from(min_bytes)));
                ranges.push(("object_sizes.max_bytes", f64::from(max_bytes)));
                if max_bytes < min_bytes {
                    out.push((
                        "object_sizes.max_bytes".into(),
                        "`object_sizes.max_bytes` must be at least `object_sizes.min_bytes`".into(),
                    ));
                }
            }
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }

    /// How the inspector names an object store's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("object_sizes", "Object sizes").family(&ObjectSizes::FAMILY),
            Term::new("upload", "Uploads").choices(choices::<UploadMode>),
            Term::new("stream_mbps", "Throughput per stream").unit("Mbit/s"),
            Term::new("part_bytes", "Multipart part size")
                .unit("bytes")
                .integer(),
            Term::new("parallel_parts", "Parts at once").integer(),
            Term::new("request_ms", "Time to first byte"),
        ],
    };
}

/// Timer slots: a part's stream is done (token: the part's tag), a commit is done, a read is ready (token:
/// the job's id).
const PART: u32 = 0;
const COMMIT: u32 = 1;
const READY: u32 = 2;

/// An upload or a download the store is working on.
#[derive(Clone, Copy, Debug)]
struct Job {
    req: u32,
    key: u64,
    upload: bool,
    /// the object's size [bytes]
    size: u32,
    /// parts: in all, asked for, in
    parts: u32,
    asked: u32,
    done: u32,
    /// it came straight from its client (a pre-signed upload)
    direct: bool,
    /// when it arrived, and when its first part was asked for
    arrived: SimTime,
    started: SimTime,
    /// when its last part was in
    body_done: SimTime,
}

/// A part on its way.
#[derive(Clone, Copy, Debug)]
struct Part {
    job: u32,
    bytes: u32,
    /// when it was asked for
    asked: SimTime,
}

/// Window counts.
#[derive(Clone, Copy, Debug, Default)]
struct Counters {
    uploads: u64,
    downloads: u64,
    direct_uploads: u64,
    app_uploads: u64,
    redirects: u64,
    multipart_uploads: u64,
    parts: u64,
    bytes_in: u64,
    bytes_out: u64,
    failed: u64,
    /// Σ upload time at the store (arrival → answer), Σ body time (first part asked → last part in) [ns]
    upload_ns: u128,
    body_ns: u128,
    /// Σ time at the store of direct uploads [ns]
    direct_ns: u128,
    direct_bytes: u64,
}

/// An object store.
pub(crate) struct ObjectStore {
    sizes: ObjectSizes,
    request: SimTime,
    stream_mbps: f64,
    part_bytes: u32,
    parallel: u32,
    presigned: bool,
    /// the metadata database's port
    meta: Option<u32>,
    jobs: BTreeMap<u32, Job>,
    next_job: u32,
    parts: BTreeMap<u32, Part>,
    next_tag: u32,
    /// keys stored since the start
    objects: BTreeSet<u64>,
    counters: Counters,
}

impl ObjectStore {
    fn new(p: &ObjectStoreParams, meta: Option<u32>) -> ObjectStore {
        ObjectStore {
            sizes: p.object_sizes,
            request: SimTime::from_ms(p.request_ms),
            stream_mbps: p.stream_mbps,
            part_bytes: p.part_bytes,
            parallel: p.parallel_parts.max(1),
            presigned: p.upload == UploadMode::Presigned,
            meta,
            jobs: BTreeMap::new(),
            next_job: 0,
            parts: BTreeMap::new(),
            next_tag: 0,
            objects: BTreeSet::new(),
            counters: Counters::default(),
        }
    }

    /// The bytes of part `i` of an object of `size` in `parts` parts.
    fn part_size(&self, size: u32, parts: u32, i: u32) -> u32 {
        if parts <= 1 {
            size
        } else if i + 1 < parts {
            self.part_bytes
        } else {
            size - (parts - 1) * self.part_bytes
        }
    }

    /// Asks for the next part of job `id`.
    fn ask(&mut self, ctx: &mut Ctx<'_>, id: u32) {
        let Some(j) = self.jobs.get_mut(&id) else {
            return;
        };
        let i = j.asked;
        j.asked += 1;
        let (req, size, parts) = (j.req, j.size, j.parts);
        let bytes = self.part_size(size, parts, i);
        let tag = self.next_tag;
        self.next_tag = self.next_tag.wrapping_add(1);
        self.parts.insert(
            tag,
            Part {
                job: id,
                bytes,
                asked: ctx.now,
            },
        );
        ctx.out.push(Action::Pull { req, bytes, tag });
    }

    /// A part of job `id` is in: ask for the next, or — the last one — commit.
    fn part_in(&mut self, ctx: &mut Ctx<'_>, id: u32) {
        let Some(j) = self.jobs.get_mut(&id) else {
            return;
        };
        j.done += 1;
        if j.asked < j.parts {
            self.ask(ctx, id);
        } else if j.done == j.parts {
            j.body_done = ctx.now;
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(self.request),
                slot: COMMIT,
                token: id,
            });
        }
    }

    /// Job `id`'s own work is done: write or read its metadata, or answer.
    fn after_work(&mut self, ctx: &mut Ctx<'_>, id: u32) {
        let Some(j) = self.jobs.get(&id) else {
            return;
        };
        match self.meta {
            Some(port) => ctx.out.push(Action::Spawn {
                key: j.key,
                op: if j.upload { Op::Write } else { Op::Read },
                port,
                slot: id,
            }),
            None => self.answer(ctx, id, true),
        }
    }

    /// Answers job `id` (successfully or with an error) and counts it.
    fn answer(&mut self, ctx: &mut Ctx<'_>, id: u32, ok: bool) {
        let Some(j) = self.jobs.remove(&id) else {
            return;
        };
        let counting = ctx.counting;
        let c = &mut self.counters;
        if !ok {
            c.failed += u64::from(counting);
            ctx.out.push(Action::Fail {
                req: j.req,
                outcome: Outcome::Error,
            });
            return;
        }
        if j.upload {
            self.objects.insert(j.key);
            if counting {
                c.uploads += 1;
                c.bytes_in += u64::from(j.size);
                c.parts += u64::from(j.parts);
                c.multipart_uploads += u64::from(j.parts > 1);
                c.upload_ns += u128::from(ctx.now.since(j.arrived).0);
                c.body_ns += u128::from(j.body_done.since(j.started).0);
                if j.direct {
                    c.direct_uploads += 1;
                    c.direct_bytes += u64::from(j.size);
                    c.direct_ns += u128::from(ctx.now.since(j.arrived).0);
                } else {
                    c.app_uploads += 1;
                }
            }
            ctx.out.push(Action::Respond {
                req: j.req,
                outcome: Outcome::Ok,
            });
        } else {
            if counting {
                c.downloads += 1;
                c.bytes_out += u64::from(j.size);
            }
            ctx.out.push(Action::Reply {
                req: j.req,
                bytes: j.size,
            });
        }
    }

    fn new_job(&mut self, job: Job) -> u32 {
        let id = self.next_job;
        self.next_job = self.next_job.wrapping_add(1);
        self.jobs.insert(id, job);
        id
    }
}

impl Component for ObjectStore {
    fn build(b: &Build<'_>) -> Result<ObjectStore, String> {
        let Params::ObjectStore(p) = b.params else {
            return Err(mismatch("object store", b.params));
        };
        let meta = b
            .ports
            .iter()
            .position(|t| t.kind == Kind::Database)
            .map(|i| i as u32);
        Ok(ObjectStore::new(p, meta))
    }

    fn check(b: &Build<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        let dbs = b.ports.iter().filter(|t| t.kind == Kind::Database).count();
        if dbs > 1 {
            out.push(Finding {
                warning: true,
                field: None,
                text: " writes its metadata to its first database only".into(),
            });
        }
        out
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        let direct = inc.caller == inc.client;
        let size = self.sizes.of(inc.key);
        let mut job = Job {
            req,
            key: inc.key,
            upload: inc.op == Op::Write,
            size,
            parts: 1,
            asked: 0,
            done: 0,
            direct,
            arrived: ctx.now,
            started: ctx.now,
            body_done: ctx.now,
        };
        if inc.op == Op::Read {
            let id = self.new_job(job);
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(self.request),
                slot: READY,
                token: id,
            });
            return false;
        }
        if self.presigned && !direct {
            // The application's call: answer with a pre-signed URL; the client brings the body itself.
            self.counters.redirects += u64::from(ctx.counting);
            ctx.out.push(Action::Redirect { req });
            return false;
        }
        if self.part_bytes > 0 && size > self.part_bytes {
            job.parts = size.div_ceil(self.part_bytes);
        }
        let first = job.parts.min(self.parallel);
        let id = self.new_job(job);
        for _ in 0..first {
            self.ask(ctx, id);
        }
        false
    }

    fn on_body(&mut self, ctx: &mut Ctx<'_>, _req: u32, tag: u32, ok: bool) {
        let Some(part) = self.parts.get(&tag).copied() else {
            return;
        };
        if !ok {
            self.parts.remove(&tag);
            self.answer(ctx, part.job, false);
            return;
        }
        // The part's stream moves at most `stream_mbps`: it is in no sooner than bytes ÷ rate after it was
        // asked for.
        let end = part
            .asked
            .add(SimTime(crate::sim::send_ns(part.bytes, self.stream_mbps)));
        if end > ctx.now {
            ctx.out.push(Action::ServiceDone {
                at: end,
                slot: PART,
                token: tag,
            });
        } else {
            self.parts.remove(&tag);
            self.part_in(ctx, part.job);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        match slot {
            PART => {
                if let Some(part) = self.parts.remove(&token) {
                    self.part_in(ctx, part.job);
                }
            }
            _ => self.after_work(ctx, token),
        }
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        _version: u64,
    ) {
        ctx.out.push(Action::Absorb { req });
        self.answer(ctx, slot, outcome == Outcome::Ok);
    }

    fn abandon(&mut self, ctx: &mut Ctx<'_>, _req: u32, slot: u32) {
        self.answer(ctx, slot, false);
    }

    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        for id in self.jobs.keys().copied().collect::<Vec<_>>() {
            self.answer(ctx, id, false);
        }
        self.parts.clear();
    }

    fn detail(&self, _now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::ObjectStore(ObjectStoreDetail {
            object_store: ObjectStoreReport::new(&self.counters, self.objects.len() as u64),
        }))
    }
}

/// An object store's block of the report: `object_store`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectStoreDetail {
    /// its figures
    pub object_store: ObjectStoreReport,
}

/// An object store's figures over the measurement window (`docs/report-format.md`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectStoreReport {
    /// uploads stored (answered successfully)
    pub uploads: u64,
    /// downloads answered
    pub downloads: u64,
    /// distinct objects stored since the start
    pub objects: u64,
    /// body bytes received (uploads) and sent (downloads)
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// uploads in several parts, and the parts of all uploads
    pub multipart_uploads: u64,
    pub parts: u64,
    /// uploads that came straight from their client (pre-signed) and through another node (the app)
    pub direct_uploads: u64,
    pub app_uploads: u64,
    /// pre-signed URLs handed out (the application's calls answered with a redirect)
    pub presigned_urls: u64,
    /// uploads and downloads that failed here (a cut link, the metadata database, the store killed)
    pub failed: u64,
    /// mean time an upload spent at the store, from its headers to its answer [ms]
    pub mean_upload_ms: f64,
    /// mean time of an upload's body, from its first part asked for to its last part in [ms]
    pub mean_body_ms: f64,
    /// body time per megabyte (10⁶ bytes) uploaded: Σ body time ÷ Σ MB [ms/MB]
    pub ms_per_mb: f64,
    /// the application server's load avoided by pre-signed uploads: the body bytes that did not pass
    /// through it, in and out (2 × the direct uploads' bytes)
    pub app_bytes_avoided: u64,
    /// and at least the worker time it would have held for them: the direct uploads' time at the store [ms]
    pub app_busy_ms_avoided: f64,
}

impl ObjectStoreReport {
    fn new(c: &Counters, objects: u64) -> ObjectStoreReport {
        let mean = |ns: u128, n: u64| {
            if n == 0 {
                0.0
            } else {
                ns as f64 / n as f64 / 1e6
            }
        };
        ObjectStoreReport {
            uploads: c.uploads,
            downloads: c.downloads,
            objects,
            bytes_in: c.bytes_in,
            bytes_out: c.bytes_out,
            multipart_uploads: c.multipart_uploads,
            parts: c.parts,
            direct_uploads: c.direct_uploads,
            app_uploads: c.app_uploads,
            presigned_urls: c.redirects,
            failed: c.failed,
            mean_upload_ms: mean(c.upload_ns, c.uploads),
            mean_body_ms: mean(c.body_ns, c.uploads),
            ms_per_mb: if c.bytes_in == 0 {
                0.0
            } else {
                c.body_ns as f64 / 1e6 / (c.bytes_in as f64 / 1e6)
            },
            app_bytes_avoided: 2 * c.direct_bytes,
            app_busy_ms_avoided: c.direct_ns as f64 / 1e6,
        }
    }

    /// Feeds the figures to the report's digest.
    pub(crate) fn digest(&self, h: &mut Digest) {
        for v in [
            self.uploads,
            self.downloads,
            self.objects,
            self.bytes_in,
            self.bytes_out,
            self.multipart_uploads,
            self.parts,
            self.direct_uploads,
            self.app_uploads,
            self.presigned_urls,
            self.failed,
            self.app_bytes_avoided,
        ] {
            h.u64(v);
        }
        for v in [
            self.mean_upload_ms,
            self.mean_body_ms,
            self.ms_per_mb,
            self.app_busy_ms_avoided,
        ] {
            h.f64(v);
        }
    }

    /// Its line in the runner's table.
    pub fn table_line(&self, id: &str) -> String {
        format!(
            "{id:<16} object store: {} uploads ({} direct, {} via the app, {} multipart in {} parts), {} downloads, \
             {} objects, {} B in, {} B out, {:.1} ms/MB, app avoided {} B and {:.0} ms",
            self.uploads,
            self.direct_uploads,
            self.app_uploads,
            self.multipart_uploads,
            self.parts,
            self.downloads,
            self.objects,
            self.bytes_in,
            self.bytes_out,
            self.ms_per_mb,
            self.app_bytes_avoided,
            self.app_busy_ms_avoided
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Log-uniform sizes: `ln(size)` is uniform on [ln min, ln max], so over 100 000 keys the mean of
    /// `ln(size ÷ min) ÷ ln(max ÷ min)` is ½ within 4 standard errors (sd of a uniform 1/√12, n = 10⁵: ±0.0037),
    /// and the mean size is (max − min) ÷ ln(max ÷ min) within 4 standard errors of the sample's own spread.
    #[test]
    fn log_uniform_sizes_follow_their_law() {
        let law = ObjectSizes::LogUniform {
            min_bytes: 10_000,
            max_bytes: 1_000_000_000,
        };
        let n = 100_000u64;
        let (mut u_sum, mut s_sum, mut s_sq) = (0.0, 0.0, 0.0);
        for k in 0..n {
            let s = f64::from(law.of(k));
            assert!((10_000.0..=1e9).contains(&s));
            u_sum += libm::log(s / 1e4) / libm::log(1e5);
            s_sum += s;
            s_sq += s * s;
        }
        let nf = n as f64;
        let u_mean = u_sum / nf;
        assert!(
            (u_mean - 0.5).abs() < 4.0 / (12f64.sqrt() * nf.sqrt()),
            "{u_mean}"
        );
        let mean = s_sum / nf;
        let se = ((s_sq / nf - mean * mean) / nf).sqrt();
        assert!(
            (mean - law.mean()).abs() < 4.0 * se,
            "{mean} vs {}",
            law.mean()
        );
        assert_eq!(ObjectSizes::Constant { bytes: 7 }.of(123), 7);
    }
}
