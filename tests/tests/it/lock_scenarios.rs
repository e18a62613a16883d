//! The transactions scenario ("A hot row: lock contention") and its "why" findings: every number its texts
//! claim, on every seed of `scenarios::SEEDS`, worded as `scenarios.rs` words its claims ("about x": within
//! 10 %; "over", "under": strictly), and each try-this change run for the effect it promises. The findings are
//! checked for the figures they quote against the report they come from.

use playground_core::components::database::LockReport;
use playground_core::explain::explain;
use playground_core::report::DatabaseReport;
use playground_core::scenarios::by_name;
use playground_core::{Report, run};

use crate::scenarios::{Claims, check_claims, variant};

fn locks(r: &Report, id: &str) -> LockReport {
    database(r, id)
        .locks
        .unwrap_or_else(|| panic!("{id} runs transactions"))
}

fn database(r: &Report, id: &str) -> DatabaseReport {
    r.nodes[id]
        .database()
        .cloned()
        .unwrap_or_else(|| panic!("{id} is a database"))
}

/// "On one hot row about half of the writers find it locked and queue behind the holder, so a write takes
/// over 1.5 times its 10 ms of work; spread over 1000 rows the same writes wait under 10 times a minute.
/// Serializable isolation aborts the writers that waited instead (over 30 aborts a second, and some writes,
/// fewer than 1 in 20, fail after 3 retries), while transfers that lock two accounts in opposite orders
/// deadlock over once a second, each deadlock aborting one transfer, which is retried." (Half: ρ = 50/s ×
/// 10 ms, the share of arrivals that find an M/G/1 server busy.)
pub(crate) fn hot_row_locks(r: &Report, c: &mut Claims) {
    let hot = locks(r, "db-hot");
    c.about(
        "hot row: share of writers that wait",
        hot.waits as f64 / hot.acquisitions as f64,
        0.5,
    );
    // In theory 10 ms + the Pollaczek–Khinchine wait of 10 ms: twice; "over 1.5 times" holds on every seed
    // of the sweep.
    c.over(
        "hot row: time per write / 10 ms",
        r.nodes["db-hot"].mean_time_ms / 10.0,
        1.5,
    );
    let spread = locks(r, "db-spread");
    let minutes = (r.duration_s - r.warmup_s) / 60.0;
    c.under(
        "1000 rows: lock waits a minute",
        spread.waits as f64 / minutes,
        10.0,
    );
    let serial = locks(r, "db-serial");
    c.over("serializable: aborts a second", serial.aborts_per_s, 30.0);
    c.check(
        serial.gave_up > 0,
        "serializable: some writes fail after 3 retries",
        format!("{serial:?}"),
    );
    c.under(
        "serializable: writes failed / writes",
        serial.gave_up as f64 / (serial.gave_up + serial.commits) as f64,
        0.05,
    );
    let tr = locks(r, "db-transfers");
    c.over("transfers: deadlocks a second", tr.deadlocks_per_s, 1.0);
    // A retried transfer can meet the same deadlock again; one in a few hundred runs out of retries.
    c.check(
        tr.aborts == tr.deadlocks && tr.gave_up * 20 < tr.deadlocks,
        "each deadlock aborts one transfer, which is retried",
        format!("{tr:?}"),
    );
}

#[test]
fn a_hot_row_queues_its_writers_serializable_aborts_them_and_opposite_orders_deadlock() {
    check_claims("hot-row-locks", hot_row_locks);
}

/// The try-this items: key-ordered locks stop the deadlocks; 80 likes a second more than double the mean
/// lock wait (an M/G/1 waiter's mean wait is E[S]/(1 − ρ) for exponential S: 20 ms at ρ = 0.5, 50 ms at
/// 0.8); read committed turns the serializable row's aborts into waits.
#[test]
fn the_hot_row_scenarios_changes_do_what_they_say() {
    for seed in [1, 2, 3] {
        let ordered = variant(
            "hot-row-locks",
            seed,
            "db-transfers",
            "ordered_locks",
            true.into(),
        );
        let l = locks(&ordered, "db-transfers");
        assert_eq!((l.deadlocks, l.aborts), (0, 0), "seed {seed}: {l:?}");
        let base = variant("hot-row-locks", seed, "counter", "rate", 50.into());
        let busier = variant("hot-row-locks", seed, "counter", "rate", 80.into());
        let (w0, w1) = (
            locks(&base, "db-hot").wait_mean_ms,
            locks(&busier, "db-hot").wait_mean_ms,
        );
        assert!(w1 > 2.0 * w0, "seed {seed}: {w0} ms → {w1} ms");
        let rc = variant(
            "hot-row-locks",
            seed,
            "db-serial",
            "isolation",
            "read_committed".into(),
        );
        let l = locks(&rc, "db-serial");
        assert_eq!((l.aborts, l.gave_up), (0, 0), "seed {seed}: {l:?}");
        assert!(l.waits > 1000, "seed {seed}: {l:?}");
    }
}

/// The findings name the hot row's lock contention with the report's own figures, the transfers'
/// deadlocks with the remedy, and the serializable row's aborts; the spread table gets none.
#[test]
fn the_why_panel_names_lock_contention_deadlocks_and_serialization_failures() {
    let t = by_name("hot-row-locks").expect("the scenario").topology();
    let r = run(&t).expect("runs");
    let findings = explain(&t, &r);
    let text = |id: &str, words: &str| {
        findings
            .iter()
            .find(|f| f.node.as_deref() == Some(id) && f.text.contains(words))
            .map(|f| f.text.clone())
            .unwrap_or_else(|| panic!("{id} {words}: {findings:?}"))
    };
    let hot = locks(&r, "db-hot");
    let f = text("db-hot", "lock contention");
    let share = 100.0 * hot.waits as f64 / hot.acquisitions as f64;
    assert!(
        f.contains(&format!("{} %", share.round())),
        "{f} vs {share}"
    );
    assert!(f.contains(&format!("({} waits", hot.waits)), "{f}");
    let f = text("db-transfers", "deadlocks");
    assert!(
        f.contains(&format!(
            "{} deadlocks",
            locks(&r, "db-transfers").deadlocks
        )),
        "{f}"
    );
    assert!(f.contains("ordered_locks"), "{f}");
    let f = text("db-serial", "serializable");
    assert!(
        f.contains(&format!(
            "aborted {} transactions",
            locks(&r, "db-serial").serialization_failures
        )),
        "{f}"
    );
    assert!(
        !findings
            .iter()
            .any(|f| f.node.as_deref() == Some("db-spread")),
        "{findings:?}"
    );
}
