//! The challenges: every reference solution meets every goal on every seed of `CHECK_SEEDS` (the seeds the
//! page's "Check my design" uses), and every starting diagram fails — at least one goal measured by a run
//! fails, so no start is refused only for its shape. Also: a check in slices (as the page runs it) gives
//! the same verdict as one to the end, and a shared solution's link opens that design.

use playground_core::challenges::{self, CHECK_SEEDS, Check, check};
use playground_core::curriculum::{self, CHAPTERS};
use playground_core::editor::opening::{ChallengeLink, Opening, open_fragment};

#[test]
fn every_reference_passes_and_every_start_fails_on_the_pages_seeds() {
    let mut wrong = Vec::new();
    for c in challenges::all() {
        let reference = check(c, &c.reference).expect("the reference can be checked");
        assert_eq!(reference.seeds, CHECK_SEEDS.to_vec());
        for g in reference.goals.iter().filter(|g| !g.passed) {
            wrong.push(format!(
                "{}: the reference fails “{}”: {} ({} of {} seeds)",
                c.name,
                g.text,
                g.measured,
                g.passed_seeds,
                g.values.len()
            ));
        }
        match check(c, &c.start) {
            Ok(start) => {
                let run_failures = start
                    .goals
                    .iter()
                    .zip(&c.goals)
                    .filter(|(r, g)| !r.passed && !g.measure.from_design())
                    .count();
                if start.passed() || run_failures == 0 {
                    wrong.push(format!(
                        "{}: the start fails no goal a run measures:\n{}",
                        c.name,
                        start.to_table()
                    ));
                }
                for r in start.goals.iter().filter(|r| !r.passed) {
                    if r.why.is_empty() {
                        wrong.push(format!("{}: “{}” fails with no why", c.name, r.text));
                    }
                }
            }
            // A broken start (a missing piece) is refused with the reason, which is a failure too.
            Err(refusal) => assert!(!refusal.problems.is_empty(), "{}", c.name),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn at_least_25_challenges_and_every_modelled_chapter_has_a_scenario_and_a_challenge() {
    assert!(challenges::all().len() >= 25);
    for s in curriculum::sections("") {
        if s.chapter.modelled {
            assert!(
                !s.scenarios.is_empty(),
                "{} has no scenario",
                s.chapter.title
            );
            assert!(
                !s.challenges.is_empty(),
                "{} has no challenge",
                s.chapter.title
            );
        } else {
            assert!(s.challenges.is_empty() && s.scenarios.is_empty());
        }
    }
    assert_eq!(CHAPTERS.iter().filter(|c| c.modelled).count(), 11);
}

#[test]
fn a_check_in_slices_gives_the_same_verdict_as_one_to_the_end() {
    let c = challenges::by_name("add-index").expect("add-index exists");
    let whole = check(c, &c.start).expect("checkable");
    let mut sliced = Check::start(c, &c.start).expect("checkable");
    let mut last = 0.0;
    let result = loop {
        if let Some(r) = sliced.step(5_000) {
            break r;
        }
        let p = sliced.progress();
        assert!((last..=1.0).contains(&p), "progress {p} after {last}");
        last = p;
    };
    assert!(last > 0.5, "progress reached {last}");
    assert_eq!(result, whole);
}

#[test]
fn a_solution_link_opens_the_design_it_carries() {
    let c = challenges::by_name("add-index").expect("add-index exists");
    let link = ChallengeLink::fragment(&c.name, Some(&c.reference));
    match open_fragment(&link, None) {
        Opening::Visit { doc, .. } => {
            assert!(check(c, &doc).expect("checkable").passed());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_doc_lists_every_challenge() {
    let doc = include_str!("../../../docs/challenges.md");
    for c in challenges::all() {
        assert!(
            doc.contains(&format!("(`{}`)", c.name)),
            "docs/challenges.md does not list {}",
            c.name
        );
    }
}
