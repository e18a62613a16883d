//! Transactions and row locks: a hot row under Poisson writes is an M/G/1 queue of transactions (the
//! Pollaczek–Khinchine mean wait), opposite lock orders deadlock and every deadlock is broken (one aborted and
//! retried), key-ordered locking has none, serializable isolation turns contention into aborts, and the lock
//! table never holds two transactions waiting on each other (property test).

use playground_core::components::database::locks::{Ask, LockTable};
use playground_core::report::DatabaseReport;
use playground_core::{Report, Topology, run};
use playground_tests::assert_agrees;
use proptest::prelude::*;
use serde_json::{Value, json};

/// One client (`client`) calling one database (`db`), `duration_s` long, seeded.
fn client_db(client: Value, db: Value, duration_s: f64, seed: u64) -> Report {
    let t = json!({
        "settings": {"seed": seed, "duration_s": duration_s, "series_interval_s": 0, "trace_capacity": 0},
        "nodes": [
            {"id": "users", "kind": "client", "params": client},
            {"id": "db", "kind": "database", "params": db}
        ],
        "edges": [{"from": "users", "to": "db"}]
    });
    run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid")
}

fn db(r: &Report) -> &DatabaseReport {
    r.nodes["db"].database().expect("a database reports")
}

/// One hot row. Writes only, all to key 0, Poisson at λ = 50/s; each transaction locks the row and holds it
/// for its statement, S (constant 10 ms, or exponential with mean 10 ms); 500 connections, so no write ever
/// queues for a connection and the row's lock queue is exactly an M/G/1 FIFO queue with service S. Its mean
/// wait over all transactions is the Pollaczek–Khinchine formula Wq = λ·E[S²] / (2(1 − ρ)), ρ = λ·E[S] = 0.5:
/// constant S: 50 · 10⁻⁴ / 1 = 5 ms; exponential S (E[S²] = 2·E[S]²): 10 ms. By PASTA the share of
/// transactions that wait is ρ. Tolerance: 4 standard errors of 8 replications of 200 s (about 10 000
/// transactions each; the waits are summed exactly, not read from a histogram).
#[test]
fn a_hot_row_queues_its_writers_as_the_pollaczek_khinchine_formula_predicts() {
    let (lambda, mean_s) = (50.0, 0.010);
    for (service, e_s2) in [
        (json!({"type": "constant", "ms": 10}), mean_s * mean_s),
        (
            json!({"type": "exponential", "mean_ms": 10}),
            2.0 * mean_s * mean_s,
        ),
    ] {
        let rho = lambda * mean_s;
        let wq_ms = lambda * e_s2 / (2.0 * (1.0 - rho)) * 1000.0;
        let (mut waits, mut shares) = (Vec::new(), Vec::new());
        for seed in 40..48 {
            let r = client_db(
                json!({"rate": lambda, "read_fraction": 0, "keys": {"type": "uniform", "count": 1}}),
                json!({"row_locks": true, "workers": 500, "queue_capacity": null, "service_time": service}),
                200.0,
                seed,
            );
            let l = db(&r)
                .locks
                .clone()
                .expect("a locking database reports its locks");
            assert!(l.acquisitions > 9_000, "{l:?}");
            assert_eq!((l.deadlocks, l.aborts, l.gave_up), (0, 0, 0));
            waits.push(l.wait_mean_ms * l.waits as f64 / l.acquisitions as f64);
            shares.push(l.waits as f64 / l.acquisitions as f64);
        }
        assert_agrees(
            &format!("mean lock wait {service}, λE[S²]/(2(1−ρ)) [ms]"),
            &waits,
            wq_ms,
            0.0,
        );
        assert_agrees(
            &format!("share of writers that wait {service}, ρ"),
            &shares,
            rho,
            0.0,
        );
    }
}

/// Transfers between two accounts: each write locks key 0 and key 1, a write to 0 in the order (0, 1), a
/// write to 1 in the order (1, 0). Under contention two of them each hold one row and want the other's: a
/// deadlock, broken by aborting the transaction that closed the cycle, which is retried. Every write still
/// ends (the run drains), and with the rows locked in key order there is no deadlock at all.
#[test]
fn opposite_lock_orders_deadlock_and_key_order_does_not() {
    let client = json!({"rate": 200, "read_fraction": 0, "keys": {"type": "uniform", "count": 2}});
    let params = |ordered: bool| {
        json!({"row_locks": true, "tx_rows": 2, "ordered_locks": ordered, "workers": 50,
               "service_time": {"type": "exponential", "mean_ms": 1}})
    };
    for seed in 1..4 {
        let r = client_db(client.clone(), params(false), 20.0, seed);
        let l = db(&r).locks.clone().expect("locks");
        assert!(l.deadlocks > 20, "seed {seed}: {l:?}");
        assert_eq!(l.aborts, l.deadlocks + l.serialization_failures);
        assert_eq!(
            l.serialization_failures, 0,
            "read committed never fails a waiter"
        );
        assert_eq!(
            r.requests.in_flight, 0,
            "every transaction ended: {:?}",
            r.requests
        );
        assert_eq!(r.requests.sent, r.requests.accounted());
        let ordered = client_db(client.clone(), params(true), 20.0, seed);
        let lo = db(&ordered).locks.clone().expect("locks");
        assert_eq!((lo.deadlocks, lo.aborts), (0, 0), "seed {seed}: {lo:?}");
        assert!(lo.waits > 100, "the rows are still contended: {lo:?}");
        assert_eq!(ordered.requests.in_flight, 0);
    }
}

/// The same hot row under both isolation levels: read committed makes writers wait and never aborts one;
/// serializable aborts every writer that waited for the row (it changed after the writer began), so the
/// aborts per second grow with the contention, and writes fail once their retries run out.
#[test]
fn serializable_turns_contention_into_aborts() {
    let client = json!({"rate": 60, "read_fraction": 0, "keys": {"type": "uniform", "count": 1}});
    let params = |iso: &str| {
        json!({"row_locks": true, "isolation": iso, "workers": 50,
               "service_time": {"type": "exponential", "mean_ms": 10}})
    };
    for seed in 1..4 {
        let rc = client_db(client.clone(), params("read_committed"), 30.0, seed);
        let lrc = db(&rc).locks.clone().expect("locks");
        assert_eq!((lrc.aborts, lrc.gave_up), (0, 0), "{lrc:?}");
        assert!(lrc.waits > 300, "{lrc:?}");
        let se = client_db(client.clone(), params("serializable"), 30.0, seed);
        let lse = db(&se).locks.clone().expect("locks");
        assert!(lse.serialization_failures > 300, "{lse:?}");
        assert_eq!(lse.deadlocks, 0);
        // A wait ends when the holder commits, so the row changed after the waiter began: nearly every
        // wait ends in an abort (not one whose holder itself aborted and left the row as it was).
        assert!(
            lse.aborts as f64 >= 0.9 * lse.waits as f64,
            "waits {} aborts {}",
            lse.waits,
            lse.aborts
        );
        assert_eq!(se.requests.in_flight, 0);
    }
}

/// Transaction `tx` of the model may ask (it waits for nothing).
fn free(t: &LockTable, tx: u32) -> bool {
    t.waiting_row(tx).is_none()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    /// Any sequence of requests (by transactions not waiting, as a blocked transaction cannot ask) and
    /// ends (commit or abort) over 6 transactions and 4 rows: after every step no two (or more)
    /// transactions wait on each other, a refused request is exactly one that would have closed a cycle,
    /// and every waiter waits for a holder other than itself.
    #[test]
    fn deadlock_detection_never_leaves_transactions_waiting_on_each_other(
        ops in proptest::collection::vec((0u32..6, 0u64..5), 1..200)
    ) {
        let mut t = LockTable::new(6);
        for (tx, row) in ops {
            if row == 4 {
                t.release(tx);
            } else if free(&t, tx) {
                let before = t.clone();
                match t.ask(tx, row) {
                    Ask::Deadlock => {
                        // Refused: nothing changed, and the row's holder reaches tx by waits.
                        prop_assert!(free(&t, tx));
                        prop_assert_eq!(format!("{before:?}"), format!("{t:?}"));
                        let mut h = before.held(tx).contains(&row);
                        prop_assert!(!h);
                        let mut at = (0..6).find(|&o| before.held(o).contains(&row));
                        for _ in 0..7 {
                            match at {
                                Some(o) if o == tx => { h = true; break; }
                                Some(o) => at = before.waits_for(o),
                                None => break,
                            }
                        }
                        prop_assert!(h, "refused without a cycle");
                    }
                    Ask::Waits => prop_assert_eq!(t.waiting_row(tx), Some(row)),
                    Ask::Granted => prop_assert!(t.held(tx).contains(&row)),
                }
            }
            prop_assert!(!t.has_cycle());
            for o in 0..6 {
                if let Some(h) = t.waits_for(o) {
                    prop_assert_ne!(h, o);
                }
            }
        }
    }
}

/// Without `row_locks` a database reports no lock block, and its digest is the one it had before.
#[test]
fn without_row_locks_nothing_reports_locks() {
    let r = client_db(json!({"rate": 100}), json!({}), 5.0, 1);
    assert!(db(&r).locks.is_none());
    let json = serde_json::to_string(&r).expect("serialises");
    assert!(!json.contains("\"locks\""));
}
