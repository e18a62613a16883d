//! The headless runner: `playground run FILE [--seed N] [--seeds K] [--duration SECONDS] [--warmup SECONDS] [--max-memory MB]
//! [--json]`, `playground trace FILE [--slowest [N]]` for the slowest requests' waterfalls, and
//! `playground check CHALLENGE FILE` (a design judged against a challenge's goals; exit 1 when a
//! goal fails), `playground sweep FILE --node ID --param NAME --from A --to B --points N` (CSV) and
//! `playground compare A.json B.json` (`runner::lab`).
//! It reads a topology, validates it, runs it to the end and prints a table or one JSON object (see
//! `docs/report-format.md`). Bad input gives a message naming the field and a non-zero exit, never a panic.
//! Only this binary reads files and the wall clock; the logic lives in `playground_core::runner`.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use playground_core::runner::{
    CheckWhat, USAGE, check_text, format_report, format_summary, is_challenge_file, lab,
    list_challenges, parse_check_args, parse_run_args, parse_trace_args, replicate_text, run_text,
    trace_text,
};

fn run(args: &[String]) -> Result<String, String> {
    let args = parse_run_args(args)?;
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read `{}`: {e}", args.file))?;
    if args.seeds.is_some() {
        let (summary, warnings) = replicate_text(&args, &text)?;
        for w in &warnings {
            eprintln!("{w}");
        }
        return Ok(format_summary(&summary, args.json));
    }
    let started = Instant::now();
    let mut out = run_text(&args, &text)?;
    out.report.wall_ms = started.elapsed().as_secs_f64() * 1e3;
    for w in &out.warnings {
        eprintln!("{w}");
    }
    Ok(format_report(&out.report, args.json))
}

fn read(file: &str) -> Result<String, String> {
    std::fs::read_to_string(file).map_err(|e| format!("cannot read `{file}`: {e}"))
}

/// `playground sweep`: the CSV, or `""` when it went to `--out`.
fn sweep(args: &[String]) -> Result<String, String> {
    let args = lab::parse_sweep_args(args)?;
    let (result, warnings) = lab::sweep_text(&args, &read(&args.run.file)?)?;
    for w in &warnings {
        eprintln!("{w}");
    }
    let csv = result.to_csv();
    match &args.out {
        Some(out) => {
            std::fs::write(out, csv).map_err(|e| format!("cannot write `{out}`: {e}"))?;
            Ok(String::new())
        }
        None => Ok(csv),
    }
}

fn compare(args: &[String]) -> Result<String, String> {
    let args = lab::parse_compare_args(args)?;
    let (out, warnings) = lab::compare_text(&args, &read(&args.a.file)?, &read(&args.b)?)?;
    for w in &warnings {
        eprintln!("{w}");
    }
    Ok(if args.a.json {
        format!(
            "{}\n",
            serde_json::to_string(&out).map_err(|e| e.to_string())?
        )
    } else {
        out.to_table()
    })
}

fn trace(args: &[String]) -> Result<String, String> {
    let args = parse_trace_args(args)?;
    let text = std::fs::read_to_string(&args.run.file)
        .map_err(|e| format!("cannot read `{}`: {e}", args.run.file))?;
    trace_text(&args, &text)
}

/// `playground check`: the verdict, and whether every goal passed.
fn check(args: &[String]) -> Result<(String, bool), String> {
    let args = parse_check_args(args)?;
    let text = match &args.what {
        CheckWhat::File(file) => {
            Some(std::fs::read_to_string(file).map_err(|e| format!("cannot read `{file}`: {e}"))?)
        }
        _ => None,
    };
    let challenge = if is_challenge_file(&args.challenge) {
        Some(
            std::fs::read_to_string(&args.challenge)
                .map_err(|e| format!("cannot read `{}`: {e}", args.challenge))?,
        )
    } else {
        None
    };
    let result = check_text(&args, challenge.as_deref(), text.as_deref())?;
    let out = if args.json {
        format!(
            "{}\n",
            serde_json::to_string(&result).map_err(|e| e.to_string())?
        )
    } else {
        result.to_table()
    };
    Ok((out, result.passed()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str);
    match command {
        Some(c @ ("run" | "trace" | "sweep" | "compare")) => match match c {
            "run" => run(&args[1..]),
            "trace" => trace(&args[1..]),
            "sweep" => sweep(&args[1..]),
            _ => compare(&args[1..]),
        } {
            Ok(text) => {
                // A closed pipe (`| head`) is not worth a panic.
                let _ = std::io::stdout().write_all(text.as_bytes());
                ExitCode::SUCCESS
            }
            Err(msg) => {
                eprintln!("playground: {msg}");
                ExitCode::from(2)
            }
        },
        Some("check") => match check(&args[1..]) {
            Ok((text, passed)) => {
                let _ = std::io::stdout().write_all(text.as_bytes());
                if passed {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
            Err(msg) => {
                eprintln!("playground: {msg}");
                ExitCode::from(2)
            }
        },
        Some("challenges") => {
            print!("{}", list_challenges());
            ExitCode::SUCCESS
        }
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
