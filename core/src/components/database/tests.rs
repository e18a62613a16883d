//! The database's unit tests: replica reads, cross-shard reads, failover, a kill, synchronous replication.

use super::*;
use crate::rng::SimRng;

fn ctx<'a>(now: SimTime, rng: &'a mut SimRng, out: &'a mut Vec<Action>) -> Ctx<'a> {
    Ctx {
        now,
        rng,
        out,
        counting: true,
    }
}

const ALWAYS: (SimTime, SimTime) = (SimTime::ZERO, SimTime::MAX);

fn done(out: &[Action]) -> Vec<(u32, u32, SimTime)> {
    out.iter()
        .filter_map(|a| match *a {
            Action::ServiceDone { at, slot, token } => Some((slot, token, at)),
            _ => None,
        })
        .collect()
}

#[test]
fn reads_go_to_replicas_in_turn_and_writes_to_the_primary() {
    let p = DatabaseParams {
        replicas: 2,
        ..DatabaseParams::default()
    };
    let mut db = Database::new(&p, ALWAYS);
    let (mut rng, mut out) = (SimRng::new(1), Vec::new());
    for (req, op) in [(1, Op::Read), (2, Op::Read), (3, Op::Write)] {
        db.on_request(&mut ctx(SimTime::ZERO, &mut rng, &mut out), req, 5, op);
    }
    let insts: Vec<u32> = done(&out).iter().map(|d| d.0 / p.workers).collect();
    assert_eq!(insts, [1, 2, 0]);
}

#[test]
fn a_cross_shard_read_answers_when_the_slowest_shard_is_done() {
    let p = DatabaseParams {
        shards: 3,
        cross_shard_reads: true,
        service_time: Dist::Exponential { mean_ms: 5.0 },
        ..DatabaseParams::default()
    };
    let mut db = Database::new(&p, ALWAYS);
    let (mut rng, mut out) = (SimRng::new(3), Vec::new());
    db.on_request(&mut ctx(SimTime::ZERO, &mut rng, &mut out), 9, 1, Op::Read);
    let mut subs = done(&out);
    assert_eq!(subs.len(), 3);
    subs.sort_by_key(|d| d.2);
    out.clear();
    for (i, (slot, token, at)) in subs.iter().enumerate() {
        db.on_timer(&mut ctx(*at, &mut rng, &mut out), *slot, *token);
        let answered = out
            .iter()
            .any(|a| matches!(a, Action::Respond { req: 9, .. }));
        assert_eq!(answered, i == 2, "answered only after the last shard");
    }
    assert_eq!(db.counters.cross_shard_reads, 1);
}

#[test]
fn failover_loses_the_lag_window_and_fails_writes_until_promotion() {
    let p = DatabaseParams {
        replicas: 1,
        lag_ms: 100.0,
        failover_ms: 1000.0,
        primary_failure_s: Some(1.0),
        service_time: Dist::Constant { ms: 1.0 },
        ..DatabaseParams::default()
    };
    let mut db = Database::new(&p, ALWAYS);
    let (mut rng, mut out) = (SimRng::new(1), Vec::new());
    db.init(&mut ctx(SimTime::ZERO, &mut rng, &mut out));
    // Writes committing at 0.5 s (replicated in time) and at 0.95 s (not).
    for (req, ms) in [(1, 499.0), (2, 949.0), (3, 950.0)] {
        out.clear();
        let t = SimTime::from_ms(ms);
        db.on_request(&mut ctx(t, &mut rng, &mut out), req, req.into(), Op::Write);
        let (slot, token, at) = done(&out)[0];
        db.on_timer(&mut ctx(at, &mut rng, &mut out), slot, token);
    }
    out.clear();
    db.on_timer(
        &mut ctx(SimTime::from_secs(1.0), &mut rng, &mut out),
        FAIL_SLOT,
        0,
    );
    assert_eq!(db.counters.lost_writes, 2);
    let (_, _, promote_at) = done(&out)[0];
    assert_eq!(promote_at, SimTime::from_secs(2.0));
    out.clear();
    db.on_request(
        &mut ctx(SimTime::from_secs(1.5), &mut rng, &mut out),
        4,
        4,
        Op::Write,
    );
    assert_eq!(
        out,
        [Action::Fail {
            req: 4,
            outcome: Outcome::Error
        }]
    );
    db.on_timer(&mut ctx(promote_at, &mut rng, &mut out), PROMOTE_SLOT, 0);
    assert_eq!(db.counters.failovers, 1);
    out.clear();
    db.on_request(
        &mut ctx(SimTime::from_secs(2.1), &mut rng, &mut out),
        5,
        5,
        Op::Write,
    );
    assert_eq!(
        done(&out)[0].0 / p.workers,
        1,
        "the replica is the primary now"
    );
}

#[test]
fn a_kill_fails_every_query_held_on_every_shard() {
    let p = DatabaseParams {
        shards: 2,
        workers: 1,
        ..DatabaseParams::default()
    };
    let mut db = Database::new(&p, ALWAYS);
    let (mut rng, mut out) = (SimRng::new(1), Vec::new());
    for req in 0..6 {
        db.on_request(
            &mut ctx(SimTime::ZERO, &mut rng, &mut out),
            req,
            u64::from(req),
            Op::Read,
        );
    }
    assert_eq!((db.busy(), db.queue_len()), (2, 4));
    out.clear();
    db.kill(&mut ctx(SimTime(1), &mut rng, &mut out));
    let failed = out
        .iter()
        .filter(|a| {
            matches!(
                a,
                Action::Fail {
                    outcome: Outcome::Error,
                    ..
                }
            )
        })
        .count();
    assert_eq!((failed, db.busy(), db.queue_len()), (6, 0, 0));
    assert!(done(&out).is_empty(), "nothing starts on a dead node");
}

#[test]
fn a_write_waits_for_synchronous_replicas() {
    let p = DatabaseParams {
        replicas: 1,
        replication: Replication::Sync,
        lag_ms: 20.0,
        service_time: Dist::Constant { ms: 1.0 },
        ..DatabaseParams::default()
    };
    let mut db = Database::new(&p, ALWAYS);
    let (mut rng, mut out) = (SimRng::new(1), Vec::new());
    db.on_request(&mut ctx(SimTime::ZERO, &mut rng, &mut out), 1, 1, Op::Write);
    db.on_request(&mut ctx(SimTime::ZERO, &mut rng, &mut out), 2, 1, Op::Read);
    let d = done(&out);
    assert_eq!(
        (d[0].2, d[1].2),
        (SimTime::from_ms(21.0), SimTime::from_ms(1.0))
    );
}
