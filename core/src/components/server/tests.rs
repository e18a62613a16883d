//! The server's unit tests: jobs, slots, effects and idempotency keys.

use super::*;
use crate::rng::SimRng;
use crate::time::SimTime;

fn job(req: u32) -> Job {
    Job {
        req,
        deadline: SimTime::MAX,
        idem: u64::from(req),
        port: 0,
        op: Op::Read,
        handshake: false,
    }
}

fn ctx<'a>(rng: &'a mut SimRng, out: &'a mut Vec<Action>) -> Ctx<'a> {
    Ctx {
        now: SimTime::ZERO,
        rng,
        out,
        counting: true,
    }
}

#[test]
fn full_queue_rejects_and_release_starts_the_next() {
    let p = ServerParams {
        workers: 1,
        queue_capacity: Some(1),
        ..ServerParams::default()
    };
    let mut s = Server::new(&p, 0, &[]);
    let (mut rng, mut out) = (SimRng::new(1), Vec::new());
    s.on_request(&mut ctx(&mut rng, &mut out), job(10));
    s.on_request(&mut ctx(&mut rng, &mut out), job(11));
    s.on_request(&mut ctx(&mut rng, &mut out), job(12));
    assert_eq!(out.len(), 2);
    assert!(matches!(
        out[0],
        Action::ServiceDone {
            slot: 0,
            token: 1,
            ..
        }
    ));
    assert_eq!(
        out[1],
        Action::Fail {
            req: 12,
            outcome: Outcome::Rejected
        }
    );
    out.clear();
    assert!(s.on_service_done(&mut ctx(&mut rng, &mut out), 0, 1));
    assert_eq!(
        out[0],
        Action::Respond {
            req: 10,
            outcome: Outcome::Ok
        }
    );
    assert!(matches!(
        out[1],
        Action::ServiceDone {
            slot: 0,
            token: 2,
            ..
        }
    ));
    assert!(
        !s.on_service_done(&mut ctx(&mut rng, &mut out), 0, 1),
        "a stale token is ignored"
    );
}

#[test]
fn kill_fails_what_the_server_holds() {
    let p = ServerParams {
        workers: 1,
        ..ServerParams::default()
    };
    let mut s = Server::new(&p, 0, &[]);
    let (mut rng, mut out) = (SimRng::new(1), Vec::new());
    s.on_request(&mut ctx(&mut rng, &mut out), job(1));
    s.on_request(&mut ctx(&mut rng, &mut out), job(2));
    out.clear();
    s.kill(&mut ctx(&mut rng, &mut out));
    assert_eq!(
        out,
        [
            Action::Fail {
                req: 2,
                outcome: Outcome::Error
            },
            Action::Fail {
                req: 1,
                outcome: Outcome::Error
            }
        ]
    );
    assert_eq!((s.busy(), s.queue_len()), (0, 0));
}
