//! The runner's lab commands: `playground sweep FILE --node ID --param NAME --from A --to B --points N
//! [--seeds K] [--log] [--out FILE]` (a sweep as CSV, [`crate::sweep`]) and `playground compare A.json
//! B.json [--seeds K] [--json]` (A/B on the same seeds, [`crate::compare`]). Parsing and formatting only; the
//! binary reads and writes the files.

use serde::Serialize;

use super::{RunArgs, apply_overrides, parse_run_args, prepare};
use crate::compare::{Compare, Comparison, monthly_costs};
use crate::limits::MAX_RUN_MEMORY;
use crate::replicate::DEFAULT_REPLICATIONS;
use crate::stats::Interval;
use crate::sweep::{Scale, Sweep, SweepResult, SweepSpec};
use crate::topology::Topology;

/// The options of `playground sweep`.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepArgs {
    /// the file and `run`'s overrides (`--seed`, `--duration`, `--warmup`, `--max-memory`)
    pub run: RunArgs,
    /// what to sweep (`seeds` from `--seeds`, default [`DEFAULT_REPLICATIONS`])
    pub spec: SweepSpec,
    /// write the CSV here instead of stdout
    pub out: Option<String>,
}

fn number(name: &str, v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| format!("`{name}` wants a number, got `{v}`"))
}

/// Parses the arguments after `sweep`; the error names the offending option.
pub fn parse_sweep_args(args: &[String]) -> Result<SweepArgs, String> {
    let mut rest = Vec::new();
    let (mut target, mut param, mut from, mut to, mut points) = (None, None, None, None, None);
    let mut scale = Scale::Linear;
    let mut out = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("`{name}` needs a value"))
        };
        match a.as_str() {
            "--node" => target = Some(value("--node")?),
            "--param" => param = Some(value("--param")?),
            "--from" => from = Some(number("--from", &value("--from")?)?),
            "--to" => to = Some(number("--to", &value("--to")?)?),
            "--points" => {
                let v = value("--points")?;
                points = Some(
                    v.parse::<u32>()
                        .map_err(|_| format!("`--points` wants a whole number, got `{v}`"))?,
                );
            }
            "--log" => scale = Scale::Log,
            "--out" => out = Some(value("--out")?),
            "--json" => return Err("`sweep` writes CSV; `--json` is an option of `run`".into()),
            _ => rest.push(a.clone()),
        }
    }
    let run = parse_run_args(&rest)?;
    let need = |o: Option<f64>, name: &str| o.ok_or_else(|| format!("`{name}` is required"));
    let spec = SweepSpec {
        target: target.ok_or("`--node` is required (a node's id, or an edge's name)")?,
        param: param.ok_or("`--param` is required (e.g. `rate`, `workers`, `capacity`)")?,
        from: need(from, "--from")?,
        to: need(to, "--to")?,
        points: points.ok_or("`--points` is required")?,
        scale,
        seeds: run.seeds.unwrap_or(DEFAULT_REPLICATIONS),
    };
    Ok(SweepArgs { run, spec, out })
}

/// Reads `text` as a topology with `run`'s overrides, after the same validation as `run`: the topology and
/// the warnings.
fn load(args: &RunArgs, text: &str) -> Result<(Topology, Vec<String>), String> {
    let (_checked, warnings) = prepare(args, text)?;
    let mut topo = Topology::from_json(text).map_err(|e| format!("{}: {e}", args.file))?;
    apply_overrides(&mut topo, args);
    Ok((topo, warnings))
}

/// Runs the sweep of the topology in `text`: the result and the validation warnings.
pub fn sweep_text(args: &SweepArgs, text: &str) -> Result<(SweepResult, Vec<String>), String> {
    let (topo, warnings) = load(&args.run, text)?;
    let cap = args.run.max_memory.unwrap_or(MAX_RUN_MEMORY);
    let result = Sweep::start(&topo, args.spec.clone())
        .map(|s| s.with_memory_cap(cap))
        .and_then(|mut s| s.run_to_end())
        .map_err(|e| format!("{}: {e}", args.run.file))?;
    Ok((result, warnings))
}

/// The options of `playground compare`.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareArgs {
    /// variant A's file and the overrides (applied to both)
    pub a: RunArgs,
    /// variant B's file
    pub b: String,
}

/// Parses the arguments after `compare`: two files, then `run`'s options (`--seeds K`, default 10).
pub fn parse_compare_args(args: &[String]) -> Result<CompareArgs, String> {
    let (files, rest): (Vec<&String>, Vec<String>) = {
        let mut files = Vec::new();
        let mut rest = Vec::new();
        let mut it = args.iter().peekable();
        while let Some(a) = it.next() {
            if a == "--seeds" && it.peek().is_none_or(|v| v.parse::<u32>().is_err()) {
                // `--seeds` alone: the default, so a file after it is not taken for the count.
                rest.extend(["--seeds".to_string(), DEFAULT_REPLICATIONS.to_string()]);
            } else if a.starts_with("--") {
                rest.push(a.clone());
                if a != "--json"
                    && let Some(v) = it.next()
                {
                    rest.push(v.clone());
                }
            } else {
                files.push(a);
            }
        }
        (files, rest)
    };
    let [a, b] = files.as_slice() else {
        return Err(format!(
            "`compare` wants two topology files, A and B; got {}",
            files.len()
        ));
    };
    let mut run_args = vec![(*a).clone()];
    run_args.extend(rest);
    let mut a = parse_run_args(&run_args)?;
    a.seeds.get_or_insert(DEFAULT_REPLICATIONS);
    Ok(CompareArgs { a, b: (*b).clone() })
}

/// A comparison with the diagrams' monthly costs, as `compare --json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompareOutput {
    /// the headline figures and node changes
    pub comparison: Comparison,
    /// A's monthly cost over the seeds [USD]
    pub cost_a: Interval,
    /// B's
    pub cost_b: Interval,
    /// B − A, paired by seed [USD]
    pub cost_diff: Interval,
}

impl CompareOutput {
    /// The comparison's table and a cost line.
    pub fn to_table(&self) -> String {
        let sign = if self.cost_diff.mean > 0.0 { "+" } else { "" };
        format!(
            "{}monthly cost  A {:.2} USD  B {:.2} USD  B − A {sign}{:.2} ± {:.2} USD\n",
            self.comparison.to_table(),
            self.cost_a.mean,
            self.cost_b.mean,
            self.cost_diff.mean,
            self.cost_diff.half
        )
    }
}

/// Compares the topologies in `text_a` and `text_b` on `args.a.seeds` seeds from A's seed (the overrides
/// apply to both): the comparison and both sides' warnings.
pub fn compare_text(
    args: &CompareArgs,
    text_a: &str,
    text_b: &str,
) -> Result<(CompareOutput, Vec<String>), String> {
    let (a, mut warnings) = load(&args.a, text_a)?;
    let b_args = RunArgs {
        file: args.b.clone(),
        ..args.a.clone()
    };
    let (b, wb) = load(&b_args, text_b)?;
    warnings.extend(wb);
    let k = args.a.seeds.unwrap_or(DEFAULT_REPLICATIONS);
    let mut c = Compare::start(&a, &b, k).map_err(|e| e.to_string())?;
    let comparison = c.run_to_end().map_err(|e| e.to_string())?;
    let (ra, rb) = c.reports();
    let (ca, cb) = (monthly_costs(&a, ra), monthly_costs(&b, rb));
    Ok((
        CompareOutput {
            comparison,
            cost_a: Interval::of(&ca),
            cost_b: Interval::of(&cb),
            cost_diff: Interval::paired(&ca, &cb),
        },
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn sweep_arguments_parse_and_missing_ones_are_named() {
        let a = parse_sweep_args(&args(
            "t.json --node app --param workers --from 1 --to 8 --points 8 --seeds 3 --log --out x.csv",
        ))
        .expect("valid");
        assert_eq!(
            (
                a.spec.target.as_str(),
                a.spec.param.as_str(),
                a.spec.from,
                a.spec.to
            ),
            ("app", "workers", 1.0, 8.0)
        );
        assert_eq!(
            (a.spec.points, a.spec.seeds, a.spec.scale),
            (8, 3, Scale::Log)
        );
        assert_eq!(
            (a.run.file.as_str(), a.out.as_deref()),
            ("t.json", Some("x.csv"))
        );
        let d = parse_sweep_args(&args(
            "t.json --node c --param rate --from 1 --to 2 --points 2",
        ))
        .expect("valid");
        assert_eq!(d.spec.seeds, DEFAULT_REPLICATIONS);
        for (bad, word) in [
            ("t.json --param rate --from 1 --to 2 --points 2", "--node"),
            ("t.json --node c --from 1 --to 2 --points 2", "--param"),
            ("t.json --node c --param rate --to 2 --points 2", "--from"),
            (
                "t.json --node c --param rate --from x --to 2 --points 2",
                "--from",
            ),
            (
                "t.json --node c --param rate --from 1 --to 2 --points two",
                "--points",
            ),
            (
                "t.json --node c --param rate --from 1 --to 2 --points 2 --json",
                "--json",
            ),
        ] {
            let e = parse_sweep_args(&args(bad)).expect_err(bad);
            assert!(e.contains(word), "{bad}: {e}");
        }
    }

    #[test]
    fn compare_arguments_take_two_files() {
        let a = parse_compare_args(&args("a.json b.json --seeds 4 --json --duration 5"))
            .expect("valid");
        assert_eq!((a.a.file.as_str(), a.b.as_str()), ("a.json", "b.json"));
        assert_eq!(
            (a.a.seeds, a.a.json, a.a.duration_s),
            (Some(4), true, Some(5.0))
        );
        let d = parse_compare_args(&args("--seeds a.json b.json")).expect("valid");
        assert_eq!(d.a.seeds, Some(DEFAULT_REPLICATIONS));
        assert!(
            parse_compare_args(&args("a.json"))
                .expect_err("one")
                .contains("two")
        );
        assert!(parse_compare_args(&args("a.json b.json c.json")).is_err());
    }
}
