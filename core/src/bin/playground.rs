//! The headless runner: `playground run FILE [--seed N] [--duration SECONDS] [--warmup SECONDS] [--json]`.
//! It reads a topology, validates it, runs it to the end and prints a table or one JSON object (see
//! `docs/report-format.md`). Bad input gives a message naming the field and a non-zero exit, never a panic.
//! Only this binary reads files and the wall clock; the library does neither.

use std::process::ExitCode;
use std::time::Instant;

use playground_core::validate::{Severity, validate};
use playground_core::{Sim, Topology};

const USAGE: &str =
    "usage: playground run FILE [--seed N] [--duration SECONDS] [--warmup SECONDS] [--json]
       playground kinds        list the node kinds
       playground --version";

/// The parsed command line of `run`.
#[derive(Debug, Default, PartialEq)]
struct RunArgs {
    file: String,
    seed: Option<u64>,
    duration_s: Option<f64>,
    warmup_s: Option<f64>,
    json: bool,
}

fn parse_run(args: &[String]) -> Result<RunArgs, String> {
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

fn run(args: &RunArgs) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read `{}`: {e}", args.file))?;
    let mut topo = Topology::from_json(&text)
        .map_err(|e| format!("`{}` is not a valid topology: {e}", args.file))?;
    if let Some(seed) = args.seed {
        topo.settings.seed = seed;
    }
    if let Some(d) = args.duration_s {
        topo.settings.duration_s = d;
    }
    if let Some(w) = args.warmup_s {
        topo.settings.warmup_s = w;
    }
    let diags = validate(&topo);
    for d in diags.iter().filter(|d| d.severity == Severity::Warning) {
        eprintln!("{}: {d}", args.file);
    }
    let mut sim = Sim::new(&topo).map_err(|e| {
        let lines: Vec<String> = e
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{}: {d}", args.file))
            .collect();
        lines.join("\n")
    })?;
    let started = Instant::now();
    sim.run_to_end();
    let mut report = sim.report();
    report.wall_ms = started.elapsed().as_secs_f64() * 1e3;
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_table());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => match parse_run(&args[1..]).and_then(|a| run(&a)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("playground: {msg}");
                ExitCode::from(2)
            }
        },
        Some("kinds") => {
            for k in playground_core::KINDS {
                println!(
                    "{:<14} {:<10} {}",
                    k.name,
                    format!("{:?}", k.category).to_lowercase(),
                    k.hint
                );
            }
            ExitCode::SUCCESS
        }
        Some("--version") => {
            println!(
                "{} {}",
                playground_core::PRODUCT_NAME,
                playground_core::VERSION
            );
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
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
        let a =
            parse_run(&args("x.json --seed 7 --duration 10 --warmup 1.5 --json")).expect("valid");
        assert_eq!(
            a,
            RunArgs {
                file: "x.json".into(),
                seed: Some(7),
                duration_s: Some(10.0),
                warmup_s: Some(1.5),
                json: true
            }
        );
        assert!(
            parse_run(&args("x.json --seed -1"))
                .expect_err("negative")
                .contains("--seed")
        );
        assert!(
            parse_run(&args("x.json --duration"))
                .expect_err("missing")
                .contains("--duration")
        );
        assert!(
            parse_run(&args("x.json --frobnicate"))
                .expect_err("unknown")
                .contains("--frobnicate")
        );
        assert!(parse_run(&args("--json")).is_err());
    }
}
