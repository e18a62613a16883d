//! The server: `workers` slots fed by a FIFO queue of bounded capacity. A worker serves a request for a time
//! drawn from the service-time distribution (divided by `speed`, multiplied by a slow-down fault), then either
//! responds, fails it (error probability), or calls each downstream edge in turn. With `blocking_calls` the
//! worker waits for the calls (a thread-per-request server); without, it is freed and the response passes
//! straight through (an event-loop server).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::components::{Action, Ctx, NO_SLOT, check_dist, check_num, check_prob};
use crate::dist::Dist;
use crate::request::Outcome;

/// Server parameters (also the database's, with other defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerParams {
    /// parallel workers (threads, or a database's connection pool) [≥ 1], default 4
    pub workers: u32,
    /// waiting room in front of the workers; `null` = unbounded, default 100. A request arriving to a full
    /// queue is rejected.
    pub queue_capacity: Option<u32>,
    /// time a worker spends on one request at speed 1, default exponential with mean 20 ms
    pub service_time: Dist,
    /// probability that a served request fails [0..1], default 0
    pub error_probability: f64,
    /// CPU speed factor (vertical scaling): service times are divided by it [> 0], default 1
    pub speed: f64,
    /// whether a worker waits for its downstream calls (true) or is freed once it has sent them, default true
    pub blocking_calls: bool,
}

impl Default for ServerParams {
    fn default() -> Self {
        ServerParams {
            workers: 4,
            queue_capacity: Some(100),
            service_time: Dist::Exponential { mean_ms: 20.0 },
            error_probability: 0.0,
            speed: 1.0,
            blocking_calls: true,
        }
    }
}

impl ServerParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.workers == 0 {
            out.push(("workers".into(), "`workers` must be at least 1".into()));
        }
        check_dist(&mut out, "service_time", &self.service_time);
        check_prob(&mut out, "error_probability", self.error_probability);
        check_num(&mut out, "speed", self.speed, 0.0);
        if self.speed.is_finite() && self.speed <= 0.0 {
            out.push(("speed".into(), "`speed` must be positive".into()));
        }
        out
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum SlotState {
    Free,
    Serving,
    /// waiting for the response of the call on this port
    Waiting(u32),
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    req: u32,
    token: u32,
    state: SlotState,
    /// the server's epoch when the slot was taken; a kill bumps the epoch
    epoch: u32,
}

/// The server's state machine.
pub(crate) struct Server {
    service: Dist,
    queue_cap: Option<u32>,
    error_p: f64,
    /// service-time multiplier: `slow / speed`
    factor: f64,
    speed: f64,
    blocking: bool,
    ports: u32,
    slots: Vec<Slot>,
    free: Vec<u32>,
    queue: VecDeque<u32>,
    /// slots serving (not waiting)
    serving: u32,
    alive: bool,
    epoch: u32,
}

impl Server {
    pub fn new(p: &ServerParams, ports: u32) -> Server {
        let workers = p.workers.max(1);
        Server {
            service: p.service_time.clone(),
            queue_cap: p.queue_capacity,
            error_p: p.error_probability,
            factor: 1.0 / p.speed,
            speed: p.speed,
            blocking: p.blocking_calls,
            ports,
            slots: vec![
                Slot {
                    req: 0,
                    token: 0,
                    state: SlotState::Free,
                    epoch: 0
                };
                workers as usize
            ],
            free: (0..workers).rev().collect(),
            queue: VecDeque::new(),
            serving: 0,
            alive: true,
            epoch: 0,
        }
    }

    /// Workers.
    pub fn workers(&self) -> u32 {
        self.slots.len() as u32
    }

    /// Workers taken (serving or waiting on a call).
    pub fn busy(&self) -> u32 {
        self.slots.len() as u32 - self.free.len() as u32
    }

    /// Requests waiting in the queue.
    pub fn queue_len(&self) -> u32 {
        self.queue.len() as u32
    }

    fn start(&mut self, ctx: &mut Ctx<'_>, slot: u32, req: u32) {
        let s = &mut self.slots[slot as usize];
        s.req = req;
        s.token = s.token.wrapping_add(1);
        s.state = SlotState::Serving;
        s.epoch = self.epoch;
        self.serving += 1;
        let d = self.service.sample(ctx.rng, self.factor);
        ctx.out.push(Action::ServiceDone {
            at: ctx.now.add(d),
            slot,
            token: s.token,
        });
    }

    /// Gives the worker to the next queued request, or frees it.
    fn release(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        if self.slots[slot as usize].state == SlotState::Serving {
            self.serving -= 1;
        }
        self.slots[slot as usize].state = SlotState::Free;
        match self.queue.pop_front() {
            Some(next) if self.alive => self.start(ctx, slot, next),
            _ => self.free.push(slot),
        }
    }

    /// A request arrives; returns whether it had to wait in the queue.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32) -> bool {
        if let Some(slot) = self.free.pop() {
            self.start(ctx, slot, req);
            false
        } else if self
            .queue_cap
            .is_none_or(|cap| (self.queue.len() as u32) < cap)
        {
            self.queue.push_back(req);
            true
        } else {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Rejected,
            });
            false
        }
    }

    /// A service ends; returns whether it was current (stale ones, from before a kill, are ignored).
    pub fn on_service_done(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) -> bool {
        let s = self.slots[slot as usize];
        if s.state != SlotState::Serving || s.token != token {
            return false;
        }
        let req = s.req;
        if self.error_p > 0.0 && ctx.rng.chance(self.error_p) {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
            self.release(ctx, slot);
        } else if self.ports == 0 {
            ctx.out.push(Action::Respond {
                req,
                outcome: Outcome::Ok,
            });
            self.release(ctx, slot);
        } else if self.blocking {
            self.serving -= 1;
            self.slots[slot as usize].state = SlotState::Waiting(0);
            ctx.out.push(Action::Forward { req, port: 0, slot });
        } else {
            ctx.out.push(Action::Forward {
                req,
                port: 0,
                slot: NO_SLOT,
            });
            self.release(ctx, slot);
        }
        true
    }

    /// The response to one of this server's calls comes back.
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32, outcome: Outcome) {
        if slot == NO_SLOT {
            // Non-blocking: the worker was freed when the call went out; only the first call is made.
            let outcome = if self.alive { outcome } else { Outcome::Error };
            ctx.out.push(Action::Respond { req, outcome });
            return;
        }
        let s = self.slots[slot as usize];
        let SlotState::Waiting(port) = s.state else {
            unreachable!("a response returns to a waiting worker")
        };
        debug_assert_eq!(s.req, req, "the waiting worker holds this request");
        if !self.alive || s.epoch != self.epoch {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
            self.release(ctx, slot);
        } else if outcome == Outcome::Ok && port + 1 < self.ports {
            self.slots[slot as usize].state = SlotState::Waiting(port + 1);
            ctx.out.push(Action::Forward {
                req,
                port: port + 1,
                slot,
            });
        } else {
            ctx.out.push(Action::Respond { req, outcome });
            self.release(ctx, slot);
        }
    }

    /// A call this server made was lost and its client gave up: free the waiting worker.
    pub fn abandon(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32) {
        if slot == NO_SLOT {
            return;
        }
        let s = self.slots[slot as usize];
        if matches!(s.state, SlotState::Waiting(_)) && s.req == req {
            self.release(ctx, slot);
        }
    }

    /// The node dies: queued and in-service requests fail now; workers waiting on calls fail when the calls
    /// return.
    pub fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        self.epoch = self.epoch.wrapping_add(1);
        while let Some(req) = self.queue.pop_front() {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
        }
        for slot in 0..self.slots.len() as u32 {
            if self.slots[slot as usize].state == SlotState::Serving {
                let req = self.slots[slot as usize].req;
                ctx.out.push(Action::Fail {
                    req,
                    outcome: Outcome::Error,
                });
                self.release(ctx, slot);
            }
        }
    }

    /// The node comes back, empty.
    pub fn revive(&mut self) {
        self.alive = true;
    }

    /// Service times are multiplied by `factor` from now on (1 = normal).
    pub fn slow(&mut self, factor: f64) {
        self.factor = factor / self.speed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;
    use crate::time::SimTime;

    fn ctx<'a>(rng: &'a mut SimRng, out: &'a mut Vec<Action>) -> Ctx<'a> {
        Ctx {
            now: SimTime::ZERO,
            rng,
            out,
        }
    }

    #[test]
    fn full_queue_rejects_and_release_starts_the_next() {
        let p = ServerParams {
            workers: 1,
            queue_capacity: Some(1),
            ..ServerParams::default()
        };
        let mut s = Server::new(&p, 0);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        s.on_request(&mut ctx(&mut rng, &mut out), 10);
        s.on_request(&mut ctx(&mut rng, &mut out), 11);
        s.on_request(&mut ctx(&mut rng, &mut out), 12);
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
        let mut s = Server::new(&p, 0);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        s.on_request(&mut ctx(&mut rng, &mut out), 1);
        s.on_request(&mut ctx(&mut rng, &mut out), 2);
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
}
