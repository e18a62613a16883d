//! The headless runner's logic, kept in the library so it is tested like the rest: argument parsing,
//! building and running a topology from JSON text, and formatting. The `playground` binary adds only what
//! the library may not do: reading the file and the wall clock.

pub mod lab;

use crate::limits::{self, MAX_RUN_MEMORY};
use crate::replicate::{self, DEFAULT_REPLICATIONS, MAX_REPLICATIONS, Replications, Summary};
use crate::report::Report;
use crate::sim::Sim;
use crate::time::SimTime;
use crate::topology::Topology;
use crate::validate::{Severity, validate};

/// Usage text.
pub const USAGE: &str =
    "usage: playground run FILE [--seed N] [--seeds K] [--duration SECONDS] [--warmup SECONDS] [--max-memory MB] [--json]
                               --seeds K: run on K seeds from the seed (default 10 with `--seeds` alone), each
                               headline figure as mean ± 95 % interval
       playground trace FILE [--slowest [N]] [--seed N] [--duration SECONDS]
                               the slowest request's waterfall (or the N slowest), as text
       playground sweep FILE --node ID --param NAME --from A --to B --points N [--seeds K] [--log] [--out CSV]
                               one parameter over a range, K seeds a point (default 10): CSV with units
       playground compare A.json B.json [--seeds K] [--json]
                               A/B on the same seeds: B − A paired by seed, significant or not
       playground check CHALLENGE (FILE | --start | --reference) [--json]
       playground challenges   list the challenges
       playground kinds        list the node kinds
       playground --version";

/// The options of `playground run`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunArgs {
    /// the topology file
    pub file: String,
    /// overrides `settings.seed`
    pub seed: Option<u64>,
    /// overrides `settings.duration_s` [s]
    pub duration_s: Option<f64>,
    /// overrides `settings.warmup_s` [s]
    pub warmup_s: Option<f64>,
    /// print one JSON object instead of a table
    pub json: bool,
    /// stop the run once the engine holds more than this [bytes]; default [`MAX_RUN_MEMORY`]
    pub max_memory: Option<usize>,
    /// run this many replications (seeds `seed, seed + 1, …`) and print intervals instead of one report
    pub seeds: Option<u32>,
}

/// Events between two looks at the engine's memory while the runner runs.
const MEMORY_CHECK_EVENTS: u64 = 1 << 16;

/// Parses the arguments after `run`; the error names the offending option.
pub fn parse_run_args(args: &[String]) -> Result<RunArgs, String> {
    let mut out = RunArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("`{name}` needs a value"))
        };
        match a.as_str() {
            "--json" => out.json = true,
            "--seed" => {
                let v = value("--seed")?;
                out.seed =
                    Some(v.parse().map_err(|_| {
                        format!("`--seed` wants a non-negative integer, got `{v}`")
                    })?);
            }
            "--seeds" => out.seeds = Some(replication_count(it.next())?),
            "--duration" => out.duration_s = Some(seconds("--duration", &value("--duration")?)?),
            "--warmup" => out.warmup_s = Some(seconds("--warmup", &value("--warmup")?)?),
            "--max-memory" => {
                let v = value("--max-memory")?;
                out.max_memory = match v.parse::<f64>() {
                    Ok(mb) if mb.is_finite() && mb > 0.0 && mb <= 1e6 => {
                        Some((mb * 1_048_576.0) as usize)
                    }
                    _ => {
                        return Err(format!(
                            "`--max-memory` wants a number of megabytes between 0 and 1 000 000, got `{v}`"
                        ));
                    }
                };
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
            file => {
                if !out.file.is_empty() {
                    return Err(format!(
                        "only one topology file, got `{}` and `{file}`",
                        out.file
                    ));
                }
                out.file = file.to_string();
            }
        }
    }
    if out.file.is_empty() {
        return Err("no topology file given".into());
    }
    Ok(out)
}

/// The options of `playground trace`: those of `run` (its `--json` refused) and how many of the slowest
/// kept requests to print.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TraceArgs {
    /// the file and the overrides
    pub run: RunArgs,
    /// how many of the slowest kept requests to print, default 1
    pub slowest: usize,
}

/// Parses the arguments after `trace`: `--slowest [N]` (default 1) and `run`'s file and overrides.
pub fn parse_trace_args(args: &[String]) -> Result<TraceArgs, String> {
    let mut rest = Vec::new();
    let mut slowest = 1;
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        if a == "--slowest" {
            if let Some(n) = it.peek().and_then(|v| v.parse::<usize>().ok()) {
                if n == 0 || n > 100 {
                    return Err(format!("`--slowest` wants 1 to 100 requests, got {n}"));
                }
                slowest = n;
                it.next();
            }
        } else if a == "--json" {
            return Err("`trace` prints text; `--json` is an option of `run`".into());
        } else {
            rest.push(a.clone());
        }
    }
    Ok(TraceArgs {
        run: parse_run_args(&rest)?,
        slowest,
    })
}

/// Runs the topology in `text` keeping request exemplars and prints the waterfalls of the slowest kept
/// requests, slowest first (each interval keeps its few slowest; see `Sim::keep_requests`).
pub fn trace_text(args: &TraceArgs, text: &str) -> Result<String, String> {
    let file = &args.run.file;
    let (mut sim, _warnings) = prepare(&args.run, text)?;
    sim.keep_requests(true);
    run_guarded_to_end(&mut sim, &args.run)?;
    let mut trees = sim.request_trees();
    if trees.is_empty() {
        return Err(format!(
            "{file}: no client request finished, so there is no waterfall"
        ));
    }
    trees.sort_by_key(|t| (std::cmp::Reverse(t.latency()), t.id));
    let kept = trees.len();
    let mut out = String::new();
    for (i, t) in trees.iter().take(args.slowest).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "slowest #{} of the {kept} requests kept (each interval's slowest and a sample)\n",
            i + 1
        ));
        out.push_str(&t.to_text(sim.node_ids()));
    }
    Ok(out)
}

/// The value of `--seeds`: 1 to [`MAX_REPLICATIONS`], [`DEFAULT_REPLICATIONS`] when none follows. A value
/// that is not a number is an error (a file name cannot follow `--seeds`: the file comes first or last).
fn replication_count(v: Option<&String>) -> Result<u32, String> {
    let Some(v) = v else {
        return Ok(DEFAULT_REPLICATIONS);
    };
    match v.parse::<u32>() {
        Ok(k) if (1..=MAX_REPLICATIONS).contains(&k) => Ok(k),
        _ => Err(format!(
            "`--seeds` wants a number of replications from 1 to {MAX_REPLICATIONS}, got `{v}`"
        )),
    }
}

/// Runs the topology in `text` on `args.seeds` seeds (from `args.seed` or the file's) under the memory
/// guard: the summary and the validation warnings.
pub fn replicate_text(args: &RunArgs, text: &str) -> Result<(Summary, Vec<String>), String> {
    // The same parsing, validation and messages as `run`; each seed then builds its own simulation.
    let (_checked, warnings) = prepare(args, text)?;
    let mut topo = Topology::from_json(text).map_err(|e| format!("{}: {e}", args.file))?;
    apply_overrides(&mut topo, args);
    let k = args.seeds.unwrap_or(DEFAULT_REPLICATIONS);
    let cap = args.max_memory.unwrap_or(MAX_RUN_MEMORY);
    let summary = Replications::start(&topo, replicate::seeds(topo.settings.seed, k))
        .map(|r| r.with_memory_cap(cap))
        .and_then(|mut r| r.run_to_end())
        .map_err(|e| format!("{}: {e}", args.file))?;
    Ok((summary, warnings))
}

/// The summary as the runner prints it: the table, or one line of JSON.
pub fn format_summary(summary: &Summary, json: bool) -> String {
    if json {
        format!(
            "{}\n",
            serde_json::to_string(summary).expect("a summary is plain data")
        )
    } else {
        summary.to_table()
    }
}

fn apply_overrides(topo: &mut Topology, args: &RunArgs) {
    if let Some(seed) = args.seed {
        topo.settings.seed = seed;
    }
    if let Some(d) = args.duration_s {
        topo.settings.duration_s = d;
    }
    if let Some(w) = args.warmup_s {
        topo.settings.warmup_s = w;
    }
}

fn seconds(name: &str, v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!(
            "`{name}` wants a non-negative number of seconds, got `{v}`"
        )),
    }
}

/// What a run produced: the report and the validation warnings, formatted `FILE: warning: …`.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// the report (`wall_ms` 0; the binary fills it)
    pub report: Report,
    /// warnings to print on stderr
    pub warnings: Vec<String>,
}

/// Parses `text` as a topology, applies the overrides, validates, runs to the end. Errors are one message
/// per line, each naming the file and the field.
pub fn run_text(args: &RunArgs, text: &str) -> Result<RunOutput, String> {
    let (mut sim, warnings) = prepare(args, text)?;
    run_guarded_to_end(&mut sim, args)?;
    Ok(RunOutput {
        report: sim.report(),
        warnings,
    })
}

/// Parses `text` as a topology, applies the overrides and builds the simulation: the simulation and the
/// validation warnings (`FILE: warning: …`), or the errors, one per line, each naming the file and the field.
fn prepare(args: &RunArgs, text: &str) -> Result<(Sim, Vec<String>), String> {
    let file = &args.file;
    let mut topo =
        Topology::from_json(text).map_err(|e| format!("{file}: not a valid topology: {e}"))?;
    apply_overrides(&mut topo, args);
    let warnings = validate(&topo)
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| format!("{file}: {d}"))
        .collect();
    let sim = Sim::new(&topo).map_err(|e| {
        e.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{file}: {d}"))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok((sim, warnings))
}

/// Runs `sim` to its end in slices, so the memory guard can stop a run that grows without bound (same
/// events, same report as one call).
fn run_guarded_to_end(sim: &mut Sim, args: &RunArgs) -> Result<(), String> {
    let cap = args.max_memory.unwrap_or(MAX_RUN_MEMORY);
    loop {
        let p = sim.run_until(SimTime::MAX, MEMORY_CHECK_EVENTS);
        if let Some(m) = limits::over_memory(sim, cap) {
            return Err(format!(
                "{}: the run was {m} (`--max-memory` sets the limit)",
                args.file
            ));
        }
        if p.finished {
            return Ok(());
        }
    }
}

/// What `playground check` checks: a file, or the challenge's own starting diagram or reference solution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckWhat {
    /// a topology file
    File(String),
    /// the challenge's starting diagram
    Start,
    /// the challenge's reference solution
    Reference,
}

/// The options of `playground check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckArgs {
    /// the challenge's name
    pub challenge: String,
    /// the design to check
    pub what: CheckWhat,
    /// print one JSON object instead of a table
    pub json: bool,
}

/// Parses the arguments after `check`; the error names the offending option.
pub fn parse_check_args(args: &[String]) -> Result<CheckArgs, String> {
    let mut challenge = None;
    let mut what = None;
    let mut json = false;
    let set = |w: CheckWhat, what: &mut Option<CheckWhat>| match what {
        Some(_) => Err("give one design: a FILE, `--start` or `--reference`".to_string()),
        None => {
            *what = Some(w);
            Ok(())
        }
    };
    for a in args {
        match a.as_str() {
            "--json" => json = true,
            "--start" => set(CheckWhat::Start, &mut what)?,
            "--reference" => set(CheckWhat::Reference, &mut what)?,
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
            name if challenge.is_none() => challenge = Some(name.to_string()),
            file => set(CheckWhat::File(file.to_string()), &mut what)?,
        }
    }
    let challenge = challenge.ok_or("no challenge given (`playground challenges` lists them)")?;
    let what = what.ok_or("no design given: a FILE, `--start` or `--reference`")?;
    Ok(CheckArgs {
        challenge,
        what,
        json,
    })
}

/// Whether the CHALLENGE argument names a challenge file (`….json`) rather than a built-in challenge.
pub fn is_challenge_file(challenge: &str) -> bool {
    challenge.ends_with(".json")
}

/// Checks a design against a challenge: a built-in one by name, or `challenge_file` (the text of a challenge
/// file, for authors writing one). `text` is the design file's content for [`CheckWhat::File`]. Errors
/// (unknown challenge, unreadable topology, a design the check refuses) are one message per line.
pub fn check_text(
    args: &CheckArgs,
    challenge_file: Option<&str>,
    text: Option<&str>,
) -> Result<crate::challenges::CheckResult, String> {
    let loaded;
    let ch = match challenge_file {
        Some(file) => {
            loaded = serde_json::from_str::<crate::challenges::Challenge>(file)
                .map_err(|e| format!("{}: not a valid challenge: {e}", args.challenge))?;
            &loaded
        }
        None => crate::challenges::by_name(&args.challenge).ok_or_else(|| {
            format!(
                "there is no challenge called `{}` (`playground challenges` lists them)",
                args.challenge
            )
        })?,
    };
    let design = match (&args.what, text) {
        (CheckWhat::Start, _) => ch.start.clone(),
        (CheckWhat::Reference, _) => ch.reference.clone(),
        (CheckWhat::File(file), Some(text)) => {
            Topology::from_json(text).map_err(|e| format!("{file}: not a valid topology: {e}"))?
        }
        (CheckWhat::File(file), None) => return Err(format!("cannot read `{file}`")),
    };
    crate::challenges::check(ch, &design).map_err(|r| {
        r.problems
            .iter()
            .map(|p| format!("{}: {p}", args.challenge))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The challenges as `playground challenges` lists them: chapter, name, title.
pub fn list_challenges() -> String {
    let mut out = String::new();
    for c in crate::challenges::all() {
        let ch = c.chapter.info();
        out.push_str(&format!("{:>2} {:<28} {}\n", ch.number, c.name, c.title));
    }
    out
}

/// The report as the runner prints it: a table, or one line of JSON.
pub fn format_report(report: &Report, json: bool) -> String {
    if json {
        format!("{}\n", report.to_json())
    } else {
        report.to_table()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn run_arguments_parse_and_bad_ones_are_named() {
        let a = parse_run_args(&args("x.json --seed 7 --duration 10 --warmup 1.5 --json"))
            .expect("valid");
        assert_eq!(
            a,
            RunArgs {
                file: "x.json".into(),
                seed: Some(7),
                duration_s: Some(10.0),
                warmup_s: Some(1.5),
                json: true,
                max_memory: None,
                seeds: None,
            }
        );
        assert!(
            parse_run_args(&args("x.json --seed -1"))
                .expect_err("negative")
                .contains("--seed")
        );
        assert!(
            parse_run_args(&args("x.json --duration"))
                .expect_err("missing")
                .contains("--duration")
        );
        assert!(
            parse_run_args(&args("x.json --duration nan"))
                .expect_err("nan")
                .contains("--duration")
        );
        assert!(
            parse_run_args(&args("x.json --frobnicate"))
                .expect_err("unknown")
                .contains("--frobnicate")
        );
        assert!(parse_run_args(&args("--json")).is_err());
        assert_eq!(
            parse_run_args(&args("x.json --seeds")).map(|a| a.seeds),
            Ok(Some(DEFAULT_REPLICATIONS))
        );
        assert_eq!(
            parse_run_args(&args("x.json --seeds 5")).map(|a| a.seeds),
            Ok(Some(5))
        );
        for bad in ["0", "-1", "201", "ten", "y.json"] {
            let e = parse_run_args(&args(&format!("x.json --seeds {bad}"))).expect_err(bad);
            assert!(e.contains("--seeds"), "{e}");
        }
        let a = parse_run_args(&args("x.json --max-memory 64")).expect("valid");
        assert_eq!(a.max_memory, Some(64 << 20));
        for bad in ["0", "-5", "lots", "inf"] {
            let e = parse_run_args(&args(&format!("x.json --max-memory {bad}"))).expect_err(bad);
            assert!(e.contains("--max-memory"), "{e}");
        }
    }

    #[test]
    fn trace_arguments_parse_and_bad_ones_are_named() {
        let a = parse_trace_args(&args("x.json --slowest 3 --seed 2")).expect("valid");
        assert_eq!(
            (a.slowest, a.run.seed, a.run.file.as_str()),
            (3, Some(2), "x.json")
        );
        assert_eq!(
            parse_trace_args(&args("x.json --slowest")).map(|a| a.slowest),
            Ok(1)
        );
        assert_eq!(
            parse_trace_args(&args("--slowest x.json")).map(|a| a.slowest),
            Ok(1)
        );
        assert!(parse_trace_args(&args("x.json --slowest 0")).is_err());
        assert!(
            parse_trace_args(&args("x.json --json"))
                .expect_err("text only")
                .contains("--json")
        );
    }
}
