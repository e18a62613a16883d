//! The headless runner's logic, kept in the library so it is tested like the rest: argument parsing,
//! building and running a topology from JSON text, and formatting. The `playground` binary adds only what
//! the library may not do: reading the file and the wall clock.

use crate::limits::{self, MAX_RUN_MEMORY};
use crate::report::Report;
use crate::sim::Sim;
use crate::time::SimTime;
use crate::topology::Topology;
use crate::validate::{Severity, validate};

/// Usage text.
pub const USAGE: &str =
    "usage: playground run FILE [--seed N] [--duration SECONDS] [--warmup SECONDS] [--max-memory MB] [--json]
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
    let file = &args.file;
    let mut topo =
        Topology::from_json(text).map_err(|e| format!("{file}: not a valid topology: {e}"))?;
    if let Some(seed) = args.seed {
        topo.settings.seed = seed;
    }
    if let Some(d) = args.duration_s {
        topo.settings.duration_s = d;
    }
    if let Some(w) = args.warmup_s {
        topo.settings.warmup_s = w;
    }
    let warnings = validate(&topo)
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| format!("{file}: {d}"))
        .collect();
    let mut sim = Sim::new(&topo).map_err(|e| {
        e.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{file}: {d}"))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    // In slices, so the memory guard can stop a run that grows without bound (same events, same report).
    let cap = args.max_memory.unwrap_or(MAX_RUN_MEMORY);
    loop {
        let p = sim.run_until(SimTime::MAX, MEMORY_CHECK_EVENTS);
        if let Some(m) = limits::over_memory(&sim, cap) {
            return Err(format!(
                "{file}: the run was {m} (`--max-memory` sets the limit)"
            ));
        }
        if p.finished {
            break;
        }
    }
    Ok(RunOutput {
        report: sim.report(),
        warnings,
    })
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
        let a = parse_run_args(&args("x.json --max-memory 64")).expect("valid");
        assert_eq!(a.max_memory, Some(64 << 20));
        for bad in ["0", "-5", "lots", "inf"] {
            let e = parse_run_args(&args(&format!("x.json --max-memory {bad}"))).expect_err(bad);
            assert!(e.contains("--max-memory"), "{e}");
        }
    }
}
