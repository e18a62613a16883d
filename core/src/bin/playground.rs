//! The headless runner: `playground run FILE [--seed N] [--duration SECONDS] [--warmup SECONDS] [--max-memory MB]
//! [--json]`.
//! It reads a topology, validates it, runs it to the end and prints a table or one JSON object (see
//! `docs/report-format.md`). Bad input gives a message naming the field and a non-zero exit, never a panic.
//! Only this binary reads files and the wall clock; the logic lives in `playground_core::runner`.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use playground_core::runner::{USAGE, format_report, parse_run_args, run_text};

fn run(args: &[String]) -> Result<String, String> {
    let args = parse_run_args(args)?;
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read `{}`: {e}", args.file))?;
    let started = Instant::now();
    let mut out = run_text(&args, &text)?;
    out.report.wall_ms = started.elapsed().as_secs_f64() * 1e3;
    for w in &out.warnings {
        eprintln!("{w}");
    }
    Ok(format_report(&out.report, args.json))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => match run(&args[1..]) {
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
