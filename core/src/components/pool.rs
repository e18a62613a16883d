//! A reusable worker pool: `workers` slots fed by a FIFO queue of bounded (or unbounded) capacity, for a node
//! whose own CPU work is a fixed cost per job (an API gateway's routing and TLS, a WAF's inspection).
//!
//! A job's service time is decided by the caller when the job arrives and kept with it in the queue, so the
//! pool itself never draws a random number. Starting a job pushes `Action::ServiceDone { slot, token }`; the
//! token changes every time the slot is taken, so a timer of an earlier job (one a kill took away) is stale
//! and [`WorkerPool::done`] ignores it.

use std::collections::VecDeque;

use crate::components::{Action, Ctx};
use crate::time::SimTime;

/// What became of a job handed to [`WorkerPool::arrive`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arrived<J> {
    /// a worker was free and took it
    Started,
    /// every worker was busy: it waits in the queue
    Queued,
    /// every worker was busy and the queue was full (or the pool is dead): the job is handed back
    Full(J),
}

#[derive(Clone, Debug)]
struct Slot<J> {
    /// the job being served; `None` when the worker is free
    job: Option<J>,
    /// bumped each time the slot starts a job
    token: u32,
}

/// Worker slots fed by a FIFO queue.
#[derive(Clone, Debug)]
pub(crate) struct WorkerPool<J> {
    slots: Vec<Slot<J>>,
    /// free slots, the lowest index on top
    free: Vec<u32>,
    /// waiting jobs with the service time each was given when it arrived
    queue: VecDeque<(J, SimTime)>,
    queue_cap: Option<u32>,
    alive: bool,
    /// bumped by every kill
    epoch: u32,
}

impl<J> WorkerPool<J> {
    /// A pool of `workers` slots (at least one) and a queue of `queue_capacity` (`None` = unbounded).
    pub fn new(workers: u32, queue_capacity: Option<u32>) -> WorkerPool<J> {
        let workers = workers.max(1);
        WorkerPool {
            slots: (0..workers)
                .map(|_| Slot {
                    job: None,
                    token: 0,
                })
                .collect(),
            free: (0..workers).rev().collect(),
            queue: VecDeque::new(),
            queue_cap: queue_capacity,
            alive: true,
            epoch: 0,
        }
    }

    /// Workers.
    pub fn workers(&self) -> u32 {
        self.slots.len() as u32
    }

    /// Workers serving a job.
    pub fn busy(&self) -> u32 {
        self.slots.len() as u32 - self.free.len() as u32
    }

    /// Jobs waiting in the queue.
    pub fn queue_len(&self) -> u32 {
        self.queue.len() as u32
    }

    /// Whether the pool takes work (false between [`WorkerPool::kill`] and [`WorkerPool::revive`]).
    #[cfg(test)]
    pub fn alive(&self) -> bool {
        self.alive
    }

    /// How many times the pool was killed; a node stamps work it keeps outside the pool with it.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    fn start(&mut self, ctx: &mut Ctx<'_>, slot: u32, job: J, service: SimTime) {
        let s = &mut self.slots[slot as usize];
        s.job = Some(job);
        s.token = s.token.wrapping_add(1);
        ctx.out.push(Action::ServiceDone {
            at: ctx.now.add(service),
            slot,
            token: s.token,
        });
    }

    /// A job arrives needing `service` of a worker's time: a free worker starts it (pushing its
    /// `ServiceDone`), else it waits in the queue, else (queue full, or the pool dead) it is handed back.
    pub fn arrive(&mut self, ctx: &mut Ctx<'_>, job: J, service: SimTime) -> Arrived<J> {
        if !self.alive {
            return Arrived::Full(job);
        }
        if let Some(slot) = self.free.pop() {
            self.start(ctx, slot, job, service);
            Arrived::Started
        } else if self
            .queue_cap
            .is_none_or(|cap| (self.queue.len() as u32) < cap)
        {
            self.queue.push_back((job, service));
            Arrived::Queued
        } else {
            Arrived::Full(job)
        }
    }

    /// The service in `slot` started with `token` ends: returns its job (`None` for a stale timer) and gives
    /// the worker to the next queued job, whose `ServiceDone` is pushed.
    pub fn done(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) -> Option<J> {
        let s = self.slots.get_mut(slot as usize)?;
        if s.token != token {
            return None;
        }
        let job = s.job.take()?;
        match self.queue.pop_front() {
            Some((next, service)) if self.alive => self.start(ctx, slot, next, service),
            _ => self.free.push(slot),
        }
        Some(job)
    }

    /// The node dies: every job held — in service (in slot order), then queued (in arrival order) — is
    /// handed back, and every outstanding timer becomes stale.
    pub fn kill(&mut self) -> Vec<J> {
        self.alive = false;
        self.epoch = self.epoch.wrapping_add(1);
        let mut held = Vec::with_capacity(self.busy() as usize + self.queue.len());
        for s in &mut self.slots {
            if let Some(job) = s.job.take() {
                held.push(job);
            }
        }
        held.extend(self.queue.drain(..).map(|(job, _)| job));
        self.free = (0..self.slots.len() as u32).rev().collect();
        held
    }

    /// The node comes back, empty.
    pub fn revive(&mut self) {
        self.alive = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    fn ctx<'a>(now: u64, rng: &'a mut SimRng, out: &'a mut Vec<Action>) -> Ctx<'a> {
        Ctx {
            now: SimTime(now),
            rng,
            out,
            counting: true,
        }
    }

    #[test]
    fn jobs_start_queue_and_overflow_in_order() {
        let mut p = WorkerPool::new(2, Some(1));
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        assert_eq!(
            p.arrive(&mut ctx(10, &mut rng, &mut out), 'a', SimTime(5)),
            Arrived::Started
        );
        assert_eq!(
            p.arrive(&mut ctx(10, &mut rng, &mut out), 'b', SimTime(7)),
            Arrived::Started
        );
        assert_eq!(
            p.arrive(&mut ctx(10, &mut rng, &mut out), 'c', SimTime(3)),
            Arrived::Queued
        );
        assert_eq!(
            p.arrive(&mut ctx(10, &mut rng, &mut out), 'd', SimTime(3)),
            Arrived::Full('d')
        );
        assert_eq!(
            out,
            [
                Action::ServiceDone {
                    at: SimTime(15),
                    slot: 0,
                    token: 1
                },
                Action::ServiceDone {
                    at: SimTime(17),
                    slot: 1,
                    token: 1
                },
            ]
        );
        assert_eq!((p.busy(), p.queue_len(), p.workers()), (2, 1, 2));
        out.clear();
        // The first to finish takes the queued job, with the service time it was given on arrival.
        assert_eq!(p.done(&mut ctx(15, &mut rng, &mut out), 0, 1), Some('a'));
        assert_eq!(
            out,
            [Action::ServiceDone {
                at: SimTime(18),
                slot: 0,
                token: 2
            }]
        );
        assert_eq!(
            p.done(&mut ctx(16, &mut rng, &mut out), 0, 1),
            None,
            "a stale token is ignored"
        );
        assert_eq!(p.done(&mut ctx(17, &mut rng, &mut out), 1, 1), Some('b'));
        assert_eq!(p.done(&mut ctx(18, &mut rng, &mut out), 0, 2), Some('c'));
        assert_eq!(
            p.done(&mut ctx(18, &mut rng, &mut out), 0, 2),
            None,
            "a job ends once"
        );
        assert_eq!((p.busy(), p.queue_len()), (0, 0));
    }

    #[test]
    fn unbounded_queue_never_overflows() {
        let mut p = WorkerPool::new(1, None);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        for j in 0..1000u32 {
            assert_ne!(
                p.arrive(&mut ctx(0, &mut rng, &mut out), j, SimTime(1)),
                Arrived::Full(j)
            );
        }
        assert_eq!(p.queue_len(), 999);
    }

    #[test]
    fn kill_hands_back_everything_and_makes_timers_stale() {
        let mut p = WorkerPool::new(2, None);
        let (mut rng, mut out) = (SimRng::new(1), Vec::new());
        for j in [1, 2, 3, 4] {
            p.arrive(&mut ctx(0, &mut rng, &mut out), j, SimTime(1));
        }
        assert_eq!(p.kill(), [1, 2, 3, 4]);
        assert_eq!((p.busy(), p.queue_len(), p.epoch()), (0, 0, 1));
        assert!(!p.alive());
        assert_eq!(
            p.arrive(&mut ctx(0, &mut rng, &mut out), 5, SimTime(1)),
            Arrived::Full(5),
            "a dead pool takes nothing"
        );
        p.revive();
        out.clear();
        assert_eq!(
            p.arrive(&mut ctx(2, &mut rng, &mut out), 6, SimTime(1)),
            Arrived::Started
        );
        let Action::ServiceDone { slot, token, .. } = out[0] else {
            panic!("a start schedules its end: {out:?}")
        };
        assert_eq!(
            p.done(&mut ctx(2, &mut rng, &mut out), slot, 1),
            None,
            "a timer from before the kill is stale"
        );
        assert_eq!(
            p.done(&mut ctx(3, &mut rng, &mut out), slot, token),
            Some(6)
        );
    }
}
