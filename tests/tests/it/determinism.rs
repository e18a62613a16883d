//! Determinism: the same topology and seed give the same report bit for bit, however the run is sliced into
//! `run_until` steps; another seed gives another report; and the digest of the shipped three-tier example is
//! pinned, so a change that alters any number is noticed and re-pinned deliberately. The browser test
//! computes the same digest from the wasm build (`playground_core::run(&fixtures::three_tier())`).

use playground_core::{Sim, SimTime, fixtures, run};

#[test]
fn same_seed_same_report_other_seed_other_report() {
    let t = fixtures::three_tier();
    let a = run(&t).expect("valid");
    let b = run(&t).expect("valid");
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(a.digest(), b.digest());
    let mut t2 = t.clone();
    t2.settings.seed += 1;
    let c = run(&t2).expect("valid");
    assert_ne!(a.digest(), c.digest());
    assert_ne!(a.requests.sent, 0);
}

#[test]
fn three_tier_digest_is_pinned() {
    let r = run(&fixtures::three_tier()).expect("valid");
    assert_eq!(
        r.digest(),
        fixtures::THREE_TIER_DIGEST,
        "three-tier digest changed; report: {}",
        r.to_table()
    );
}

#[test]
fn slicing_the_run_into_frames_changes_nothing() {
    let t = fixtures::three_tier();
    let whole = run(&t).expect("valid");
    let mut sim = Sim::new(&t).expect("valid");
    let mut frame = 0u64;
    loop {
        frame += 1;
        // 16.7 ms of simulated time per frame, at most 500 events: a browser at 1× speed, sometimes behind.
        let target = SimTime(frame * 16_700_000);
        let p = sim.run_until(target, 500);
        assert!(p.reached <= target, "never past the target");
        if p.finished {
            break;
        }
        if !p.budget_exhausted {
            assert_eq!(
                p.reached, target,
                "with budget left the clock reaches the target"
            );
        }
        sim.drain_trace().for_each(drop);
    }
    assert_eq!(sim.report().digest(), whole.digest());
}

#[test]
fn the_digest_sees_every_kind_of_number() {
    let base = run(&fixtures::mm1()).expect("valid");
    let mut r = base.clone();
    r.wall_ms = 123.0;
    assert_eq!(
        r.digest(),
        base.digest(),
        "wall-clock time is not part of the digest"
    );
    let mut r = base.clone();
    r.latency_ms.p999 = f64::from_bits(r.latency_ms.p999.to_bits() ^ 1);
    assert_ne!(r.digest(), base.digest());
    let mut r = base.clone();
    r.latency_ms.p95 = f64::from_bits(r.latency_ms.p95.to_bits() ^ 1);
    assert_ne!(r.digest(), base.digest());
    let mut r = base.clone();
    r.series.points[3].p95_ms += 1e-9;
    assert_ne!(r.digest(), base.digest());
    let mut r = base.clone();
    r.nodes.get_mut("s1").expect("node").waited += 1;
    assert_ne!(r.digest(), base.digest());
    let mut r = base.clone();
    r.series.points[3].nodes[1].utilization += 1e-9;
    assert_ne!(r.digest(), base.digest());
}
