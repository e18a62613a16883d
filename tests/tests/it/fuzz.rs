//! Fuzzing at scale on the stable toolchain (`cargo fuzz` needs nightly): a generator-and-mutator harness over
//! the four ways a stranger's input reaches the engine — the share-link decoder (v1 and v2), the topology JSON
//! import, validation/compile, and building and running arbitrary diagrams — with the accounting checked at
//! every slice of every run.
//!
//! Every `cargo test` runs a bounded slice with fixed seeds (a few seconds). The full campaign is the same
//! tests with more cases, in an optimised build (`docs/limits.md`):
//!
//! ```text
//! FUZZ_CASES=1000000 FUZZ_RUNS=10000 cargo test --profile bench -p playground-tests --test it fuzz_ -- --nocapture
//! ```
//!
//! `FUZZ_CASES` sets the share links and the imports tried, `FUZZ_RUNS` the diagrams run to the end,
//! `FUZZ_SEED` the base seed. A failure prints the case's seed; `FUZZ_CASE_SEED=<seed>` replays that one case,
//! and its input is written to `target/fuzz/`. A crash found here becomes a named test in `limits.rs`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use playground_core::editor::{files, storage};
use playground_core::report::Report;
use playground_core::rng::SimRng;
use playground_core::sim::Sim;
use playground_core::time::SimTime;
use playground_core::validate::{has_errors, validate};
use playground_core::{Topology, limits, share};
use serde_json::Value;

use crate::draw::{self, Mode, PAYLOADS, Shape, below, pick};

/// A count from the environment, or the CI default.
fn env_count(var: &str, ci: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(ci)
}

/// The seed of case `i` of a campaign (splitmix64 of the base seed and the index).
fn case_seed(base: u64, i: u64) -> u64 {
    let mut z = base.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What one target's campaign found.
#[derive(Default)]
struct Tally {
    cases: u64,
    failures: Vec<(u64, String)>,
    counts: std::collections::BTreeMap<&'static str, u64>,
}

impl Tally {
    fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_insert(0) += 1;
    }
}

/// Runs `case` for every seed of the campaign (or the one `FUZZ_CASE_SEED`), catching panics, and fails with
/// every failing seed. `case` returns the input it tried (written out on failure) and its verdict.
fn campaign(
    target: &str,
    cases_var: &str,
    ci_cases: u64,
    base: u64,
    mut case: impl FnMut(&mut SimRng, &mut Tally) -> (String, Result<(), String>),
) {
    let started = Instant::now();
    let base = env_count("FUZZ_SEED", base);
    let seeds: Vec<u64> = match std::env::var("FUZZ_CASE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(one) => vec![one],
        None => (0..env_count(cases_var, ci_cases))
            .map(|i| case_seed(base, i))
            .collect(),
    };
    let mut tally = Tally::default();
    for seed in seeds {
        tally.cases += 1;
        let mut rng = SimRng::new(seed);
        let mut input = String::new();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let (i, verdict) = case(&mut rng, &mut tally);
            input = i;
            verdict
        }));
        let verdict = match outcome {
            Ok(v) => v,
            Err(p) => Err(format!(
                "panicked: {}",
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
        };
        if let Err(why) = verdict {
            let dir = playground_tests::repo_root().join("target/fuzz");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{target}-{seed}.txt")), &input);
            tally.failures.push((seed, why));
            if tally.failures.len() >= 20 {
                break;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "fuzz {target}: {} inputs in {secs:.1} s ({:.0}/s), {} failures; {:?}",
        tally.cases,
        tally.cases as f64 / secs.max(1e-9),
        tally.failures.len(),
        tally.counts
    );
    assert!(
        tally.failures.is_empty(),
        "{target}: {} failing cases (replay one with FUZZ_CASE_SEED=<seed>; inputs in target/fuzz/):\n{}",
        tally.failures.len(),
        tally
            .failures
            .iter()
            .map(|(s, w)| format!("  seed {s}: {w}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ------------------------------------------------------------------------------------------- byte mutation

/// Changes `bytes` in one to four random ways: bit flips, new bytes, insertions, deletions, duplicated runs,
/// truncation, or a varint-sized number planted (counts and lengths are varints in the share layout).
fn mutate(rng: &mut SimRng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + below(rng, 4) {
        let len = bytes.len();
        let at = below(rng, len.max(1));
        match below(rng, 8) {
            0 if len > 0 => bytes[at] ^= 1 << below(rng, 8),
            1 if len > 0 => bytes[at] = rng.next_u64() as u8,
            2 => {
                let n = 1 + below(rng, 8);
                for _ in 0..n {
                    bytes.insert(at.min(bytes.len()), rng.next_u64() as u8);
                }
            }
            3 if len > 0 => {
                let n = 1 + below(rng, 16);
                bytes.drain(at..(at + n).min(len));
            }
            4 if len > 0 => {
                let n = 1 + below(rng, 32);
                let run: Vec<u8> = bytes[at..(at + n).min(len)].to_vec();
                let to = below(rng, len);
                for (k, b) in run.into_iter().enumerate() {
                    bytes.insert(to + k, b);
                }
            }
            5 => bytes.truncate(at),
            6 => {
                // A big varint: a count or a length far past what the payload holds.
                let v: u64 = *pick(rng, &[128, 1000, 1001, 4001, 20_000, 1 << 31, u64::MAX]);
                let mut enc = Vec::new();
                let mut x = v;
                loop {
                    let b = (x & 0x7f) as u8;
                    x >>= 7;
                    if x == 0 {
                        enc.push(b);
                        break;
                    }
                    enc.push(b | 0x80);
                }
                let end = (at + enc.len()).min(bytes.len());
                bytes.splice(at.min(bytes.len())..end, enc);
            }
            _ if len > 0 => bytes[at] = *pick(rng, &[0, 1, 0x7f, 0x80, 0xff]),
            _ => bytes.push(0),
        }
    }
}

/// The raw layout bytes of a share link: base64url, then zlib inflate.
fn unpack(link: &str) -> Option<(String, Vec<u8>)> {
    let (prefix, body) = link.split_once('.')?;
    let packed = URL_SAFE_NO_PAD.decode(body).ok()?;
    let raw = miniz_oxide::inflate::decompress_to_vec_zlib(&packed).ok()?;
    Some((prefix.to_string(), raw))
}

/// A link holding `raw` as its layout, checksummed, so a mutation reaches the layout parser.
fn pack(prefix: &str, raw: &[u8]) -> String {
    let z = miniz_oxide::deflate::compress_to_vec_zlib(raw, 6);
    format!("{prefix}.{}", URL_SAFE_NO_PAD.encode(z))
}

// ------------------------------------------------------------------------------------------- the checks

/// The accounting a report must satisfy at any step: end to end, per client, per message broker, per
/// database.
pub fn check_balances(r: &Report) -> Result<(), String> {
    let q = &r.requests;
    if q.sent != q.accounted() {
        return Err(format!(
            "end to end: sent {} ≠ accounted {}: {q:?}",
            q.sent,
            q.accounted()
        ));
    }
    for (id, n) in &r.nodes {
        if let Some(c) = n.requests()
            && c.sent != c.accounted()
        {
            return Err(format!(
                "client `{id}`: sent {} ≠ accounted {}: {c:?}",
                c.sent,
                c.accounted()
            ));
        }
        if let Some(m) = n.messaging() {
            if m.published != m.enqueued + m.dropped {
                return Err(format!(
                    "broker `{id}`: published ≠ enqueued + dropped: {m:?}"
                ));
            }
            if n.kind == playground_core::Kind::Queue
                && m.published
                    != m.acknowledged + m.dead_lettered + m.depth + m.in_flight + m.dropped
            {
                return Err(format!(
                    "queue `{id}`: published ≠ acknowledged + dead-lettered + depth + in flight + dropped: {m:?}"
                ));
            }
            for c in &m.consumers {
                if c.acknowledged + c.failed > c.delivered {
                    return Err(format!(
                        "broker `{id}` consumer `{}`: more outcomes than deliveries: {c:?}",
                        c.node
                    ));
                }
            }
        }
        if let Some(d) = n.database() {
            let inst = d.shards.iter().flat_map(|s| &s.instances);
            let (writes, stale): (u64, u64) =
                inst.fold((0, 0), |(w, s), i| (w + i.writes, s + i.stale_reads));
            if writes != d.writes || stale != d.stale_reads || d.stale_reads > d.reads {
                return Err(format!(
                    "database `{id}`: instance writes {writes} / stale reads {stale} do not add up to {} / {} \
                     (of {} reads)",
                    d.writes, d.stale_reads, d.reads
                ));
            }
        }
    }
    Ok(())
}

/// Most events a run may take at one instant of simulated time before the clock counts as stuck.
const STUCK_EVENTS: u64 = 2_000_000;

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ran {
    /// to the end
    Finished,
    /// `max_events` were spent first
    Capped,
    /// the memory guard stopped it
    MemoryGuard,
}

/// Runs `sim` in slices of random sizes (as the page's frames do), checking the balances after each and that
/// simulated time advances, until it finishes or `max_events` are spent.
pub fn run_checked(sim: &mut Sim, rng: &mut SimRng, max_events: u64) -> Result<Ran, String> {
    let mut stuck_at = (SimTime::ZERO, 0u64);
    loop {
        let span = SimTime::from_ms(*pick(rng, &[1.0, 16.0, 100.0, 1000.0, 1e6]));
        let budget = *pick(rng, &[100u64, 5_000, 50_000, 500_000]);
        let before = sim.now();
        let (p, stop) = limits::run_guarded(sim, before.add(span), budget, limits::MAX_RUN_MEMORY);
        if p.reached < before {
            return Err(format!(
                "the clock went back from {before:?} to {:?}",
                p.reached
            ));
        }
        check_balances(&sim.report())?;
        if p.finished {
            return Ok(Ran::Finished);
        }
        if p.reached == stuck_at.0 {
            stuck_at.1 += p.events;
            if stuck_at.1 > STUCK_EVENTS {
                return Err(format!(
                    "the clock is stuck at {:?}: {} events without time passing",
                    p.reached, stuck_at.1
                ));
            }
        } else {
            stuck_at = (p.reached, p.events);
        }
        if stop.is_some() {
            return Ok(Ran::MemoryGuard);
        }
        if sim.events() >= max_events {
            return Ok(Ran::Capped);
        }
    }
}

/// What every decoded or imported diagram must be: within the caps, with unique non-empty ids and finite
/// positions; validation must not panic, and a diagram it passes must build and run a little.
fn check_opened(t: &Topology, rng: &mut SimRng, tally: &mut Tally) -> Result<(), String> {
    if let Some(m) = limits::check_counts(t.nodes.len(), t.edges.len(), t.faults.len()) {
        return Err(format!("opened a diagram past the caps: {m}"));
    }
    let mut ids = std::collections::BTreeSet::new();
    for n in &t.nodes {
        if n.id.is_empty() || !ids.insert(n.id.as_str()) {
            return Err(format!(
                "opened a diagram with an empty or repeated id `{}`",
                n.id
            ));
        }
        if !(n.position.x.is_finite() && n.position.y.is_finite()) {
            return Err("opened a diagram with a position that is not finite".into());
        }
    }
    let diags = validate(t);
    if has_errors(&diags) {
        tally.count("diagnosed");
        return Ok(());
    }
    let mut sim =
        Sim::new(t).map_err(|e| format!("validation passed but the build failed: {e:?}"))?;
    tally.count("built");
    for _ in 0..8 {
        let to = sim.now().add(SimTime::from_ms(50.0));
        let p = sim.run_until(to, 2_000);
        check_balances(&sim.report())?;
        if p.finished {
            break;
        }
    }
    let _ = rng;
    Ok(())
}

// ------------------------------------------------------------------------------------------- the targets

fn shape(rng: &mut SimRng) -> Shape {
    Shape {
        max_nodes: 2 + below(rng, 10),
        mode: if rng.chance(0.5) {
            Mode::Wild
        } else {
            Mode::InRange
        },
        max_duration_s: 1.0,
    }
}

/// Share links of both versions, whole, with their layout mutated under a valid checksum, with their text
/// mutated, cut, spliced or wrapped, and made of nothing but bytes: the decoder answers each with a diagram
/// within the caps or a message, never a panic; a diagram it opens re-encodes to the same link.
#[test]
fn fuzz_share_links() {
    let mut pool: Vec<String> = Vec::new();
    campaign("share_links", "FUZZ_CASES", 2_000, 0x5ea1, |rng, tally| {
        let sh = shape(rng);
        let t = draw::diagram(rng, sh);
        let clean = share::encode(&t);
        if pool.len() < 64 {
            pool.push(clean.clone());
        } else {
            let k = below(rng, pool.len());
            pool[k] = clean.clone();
        }
        let link = match below(rng, 12) {
            0 => {
                // Whole: it must round-trip exactly.
                tally.count("whole");
                if share::decode(&clean).as_ref() != Ok(&t) {
                    return (
                        clean,
                        Err("a whole link did not decode to its diagram".into()),
                    );
                }
                clean
            }
            1..=6 => {
                tally.count("layout mutated");
                match unpack(&clean) {
                    Some((prefix, mut raw)) => {
                        mutate(rng, &mut raw);
                        let prefix = if rng.chance(0.2) {
                            pick(rng, &["v1", "v2"]).to_string()
                        } else {
                            prefix
                        };
                        pack(&prefix, &raw)
                    }
                    None => return (clean, Err("the encoder's link did not unpack".into())),
                }
            }
            7 | 8 => {
                tally.count("text mutated");
                let mut b = clean.into_bytes();
                mutate(rng, &mut b);
                String::from_utf8_lossy(&b).into_owned()
            }
            9 => {
                tally.count("spliced");
                let other = pick(rng, &pool).clone();
                let (a, b) = (below(rng, clean.len()), below(rng, other.len()));
                format!("{}{}", &clean[..a], &other[b..])
            }
            10 => {
                tally.count("wrapped");
                let mut s = format!("#d={clean}");
                let at = below(rng, s.len());
                s.insert_str(at, "\n  ");
                s
            }
            _ => {
                tally.count("random");
                let n = below(rng, 300);
                let raw: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                if rng.chance(0.5) {
                    pack(pick::<&str>(rng, &["v1", "v2"]), &raw)
                } else {
                    format!("v1.{}", URL_SAFE_NO_PAD.encode(&raw))
                }
            }
        };
        let verdict = match share::decode(&link) {
            Ok(d) => {
                tally.count("opened");
                let again = share::encode(&d);
                match share::decode(&again) {
                    Ok(d2) if share::encode(&d2) == again => check_opened(&d, rng, tally),
                    Ok(_) => Err("a decoded diagram does not re-encode to the same link".into()),
                    Err(e) => Err(format!("a decoded diagram's own link does not decode: {e}")),
                }
            }
            Err(e) => {
                if e.to_string().is_empty() {
                    Err("a refusal without a message".into())
                } else {
                    tally.count("refused");
                    Ok(())
                }
            }
        };
        (link, verdict)
    });
}

/// Numbers and strings a hand-edited file may hold.
const ODD_VALUES: &[&str] = &[
    "1e308",
    "-1e308",
    "-1",
    "0",
    "-0",
    "4294967296",
    "18446744073709551616",
    "1e-320",
    "123456789012345678901234567890",
    "null",
    "true",
    "\"\"",
    "[]",
    "{}",
    "\"<script>alert(1)</script>\"",
];

/// Changes one value of a JSON document: a number or string replaced by an odd value, a key removed or
/// added, an array entry repeated.
fn mutate_json(rng: &mut SimRng, v: &mut Value) {
    // Walk to a random node, noting its JSON pointer.
    let mut pointer = String::new();
    let mut at: &Value = v;
    for _ in 0..below(rng, 6) {
        let step = match at {
            Value::Object(o) if !o.is_empty() => o
                .iter()
                .nth(below(rng, o.len()))
                .map(|(k, c)| (k.replace('~', "~0").replace('/', "~1"), c)),
            Value::Array(a) if !a.is_empty() => {
                let i = below(rng, a.len());
                Some((i.to_string(), &a[i]))
            }
            _ => None,
        };
        match step {
            Some((key, child)) => {
                pointer.push('/');
                pointer.push_str(&key);
                at = child;
            }
            None => break,
        }
    }
    let Some(at) = v.pointer_mut(&pointer) else {
        return;
    };
    match (below(rng, 5), &mut *at) {
        (0, Value::Object(o)) if !o.is_empty() => {
            let k = o
                .keys()
                .nth(below(rng, o.len()))
                .cloned()
                .unwrap_or_default();
            o.remove(&k);
        }
        (1, Value::Object(o)) => {
            o.insert(pick(rng, PAYLOADS).to_string(), Value::from(1));
        }
        (2, Value::Array(a)) if !a.is_empty() => {
            let i = below(rng, a.len());
            let item = a[i].clone();
            for _ in 0..1 + below(rng, 3) {
                a.push(item.clone());
            }
        }
        _ => {
            let odd = pick(rng, ODD_VALUES);
            *at = serde_json::from_str(odd).unwrap_or(Value::Null);
        }
    }
}

/// Topology JSON as files and pastes bring it: whole, with values changed to odd ones, with text damaged,
/// and blown past the size caps. The import answers with a diagram within the caps or a message; a diagram
/// it opens validates without panicking, and one that validates builds and runs.
#[test]
fn fuzz_topology_imports() {
    campaign(
        "topology_imports",
        "FUZZ_CASES",
        1_500,
        0x1e5a,
        |rng, tally| {
            let sh = shape(rng);
            let t = draw::diagram(rng, sh);
            let text = match below(rng, 40) {
                0..=3 => {
                    tally.count("whole");
                    let text = files::export_json(&t);
                    if files::import_json(&text).as_ref() != Ok(&t) {
                        return (
                            text,
                            Err("a whole export did not import to its diagram".into()),
                        );
                    }
                    text
                }
                4..=25 => {
                    tally.count("values changed");
                    let mut v = serde_json::to_value(&t).unwrap_or(Value::Null);
                    for _ in 0..1 + below(rng, 4) {
                        mutate_json(rng, &mut v);
                    }
                    if rng.chance(0.5) {
                        v.to_string()
                    } else {
                        serde_json::to_string_pretty(&v).unwrap_or_default()
                    }
                }
                26..=34 => {
                    tally.count("text damaged");
                    let mut b = storage::encode(&t).into_bytes();
                    mutate(rng, &mut b);
                    String::from_utf8_lossy(&b).into_owned()
                }
                35 => {
                    tally.count("too many");
                    // Repeats of one node past the cap (with ids made unique).
                    let mut v = serde_json::to_value(&t).unwrap_or(Value::Null);
                    let n = *pick(rng, &[1_001usize, 1_001, 1_001, 4_001, 20_000]);
                    if let Some(nodes) = v.get_mut("nodes").and_then(Value::as_array_mut) {
                        let first = nodes.first().cloned().unwrap_or(Value::Null);
                        for i in nodes.len()..n {
                            let mut c = first.clone();
                            if let Some(o) = c.as_object_mut() {
                                o.insert("id".into(), Value::from(format!("x{i}")));
                            }
                            nodes.push(c);
                        }
                    }
                    v.to_string()
                }
                _ => {
                    tally.count("deep");
                    let depth = 1 + below(rng, 400);
                    format!("{}{}", "[".repeat(depth), "]".repeat(below(rng, depth + 1)))
                }
            };
            let verdict = match files::import_json(&text) {
                Ok(d) => {
                    tally.count("opened");
                    let back = storage::restore(Some(&storage::encode(&d)));
                    if back.doc != d {
                        Err("an imported diagram does not survive autosave".into())
                    } else {
                        check_opened(&d, rng, tally)
                    }
                }
                Err(m) if m.is_empty() => Err("a refusal without a message".into()),
                Err(m) if m.contains("too many") || m.contains("larger diagram") => {
                    tally.count("over the caps");
                    Ok(())
                }
                Err(_) => {
                    tally.count("refused");
                    Ok(())
                }
            };
            (text, verdict)
        },
    );
}

/// Diagrams of every kind with parameters anywhere in their documented ranges (bounds included) — and one in
/// ten with anything at all — built and run to the end in slices of random size, the accounting checked after
/// every slice and the clock required to advance; one in sixteen also run in one go, whose report must be
/// the same bit for bit.
#[test]
fn fuzz_diagrams_run_to_the_end() {
    let max_events = env_count("FUZZ_MAX_EVENTS", 3_000_000);
    campaign("diagrams_run", "FUZZ_RUNS", 120, 0xd1a6, |rng, tally| {
        let mode = if rng.chance(0.1) {
            Mode::Wild
        } else {
            Mode::InRange
        };
        let sh = Shape {
            max_nodes: 2 + below(rng, 12),
            mode,
            max_duration_s: *pick(rng, &[0.2, 1.0, 3.0]),
        };
        let t = draw::diagram(rng, sh);
        let input = t.to_json();
        let diags = validate(&t);
        if has_errors(&diags) {
            tally.count(if mode == Mode::Wild {
                "wild, diagnosed"
            } else {
                "in range, diagnosed"
            });
            return (input, Ok(()));
        }
        let verdict = (|| {
            let mut sim = Sim::new(&t)
                .map_err(|e| format!("validation passed but the build failed: {e:?}"))?;
            let ran = run_checked(&mut sim, rng, max_events)?;
            tally.count(match ran {
                Ran::Finished => "run to the end",
                Ran::Capped => "event cap",
                Ran::MemoryGuard => "memory guard",
            });
            if ran == Ran::Finished && rng.chance(1.0 / 16.0) {
                let whole = playground_core::run(&t).map_err(|e| format!("{e:?}"))?;
                if whole.digest() != sim.report().digest() {
                    return Err("the report depends on how the run was sliced".into());
                }
                tally.count("slicing compared");
            }
            Ok(())
        })();
        (input, verdict)
    });
}
