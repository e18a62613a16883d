//! The subscribers: N clients of one protocol following an event feed over the node's one edge. Each starts at
//! a random moment of one poll interval; a poller asks every P whatever happens; a long poller asks again as
//! soon as it is answered; a stream subscriber connects once and stays. A failed request or a dropped
//! connection waits a backoff (`reconnect_ms` doubled per failure in a row up to `reconnect_cap_ms`, drawn
//! uniformly below it with jitter) and tries again. Every event's delay is measured where it arrives.

use hdrhistogram::Histogram;

use super::{OPENED, Protocol, SubscribersDetail, SubscribersParams, SubscribersReport, key};
use crate::components::interface::{Build, Component, Finding, mismatch};
use crate::components::{Action, Ctx, NodeDetail, Params};
use crate::request::{Op, Outcome};
use crate::time::SimTime;

/// Bits of a slot that name the subscriber (100 000 < 2¹⁷); the rest are its request's generation.
const SUB_BITS: u32 = 17;
/// Timer tokens: the next poll, or the next request of another protocol.
const POLL: u32 = 0;
const SEND: u32 = 1;

#[derive(Clone, Copy, Debug, Default)]
struct Sub {
    /// the generation of its current request (a response of an older one is ignored)
    generation: u32,
    /// failures in a row
    failures: u32,
    /// its stream is open
    connected: bool,
    /// the next request is a reconnect
    retrying: bool,
}

/// A subscribers node.
pub(crate) struct Subscribers {
    protocol: Protocol,
    subs: Vec<Sub>,
    poll: SimTime,
    backoff: (f64, f64),
    jitter: bool,
    header_bytes: u64,
    message_bytes: u64,
    /// it has a feed to follow
    wired: bool,
    window: (SimTime, SimTime),
    c: SubscribersReport,
    delay_sum: u128,
    hist: Histogram<u64>,
    /// the second of the run the last reconnect fell in, and how many fell in it
    second: (u64, u64),
}

fn slot(i: u32, generation: u32) -> u32 {
    (generation << SUB_BITS) | i
}

/// The generation after `g` (wrapping in the slot's bits).
fn next(g: u32) -> u32 {
    (g + 1) & ((1 << (32 - SUB_BITS)) - 1)
}

fn unslot(slot: u32) -> (usize, u32) {
    ((slot & ((1 << SUB_BITS) - 1)) as usize, slot >> SUB_BITS)
}

impl Subscribers {
    fn new(
        p: &SubscribersParams,
        message_bytes: u32,
        wired: bool,
        window: (SimTime, SimTime),
    ) -> Self {
        Subscribers {
            protocol: p.protocol,
            subs: vec![Sub::default(); p.subscribers as usize],
            poll: SimTime::from_ms(p.poll_interval_ms),
            backoff: (p.reconnect_ms, p.reconnect_cap_ms),
            jitter: p.jitter,
            header_bytes: u64::from(p.header_bytes),
            message_bytes: u64::from(message_bytes),
            wired,
            window,
            c: SubscribersReport {
                protocol: p.protocol,
                subscribers: p.subscribers,
                requests: 0,
                requests_per_s: 0.0,
                answered: 0,
                empty: 0,
                empty_fraction: 0.0,
                failed: 0,
                events_received: 0,
                delay_mean_ms: 0.0,
                delay_p99_ms: 0.0,
                bytes: 0,
                bytes_per_s: 0.0,
                drops: 0,
                reconnects: 0,
                peak_reconnects_per_s: 0,
                connected: 0,
            },
            delay_sum: 0,
            hist: Histogram::new_with_bounds(1, crate::metrics::HIST_MAX_NS, 2)
                .expect("valid histogram bounds"),
            second: (u64::MAX, 0),
        }
    }

    /// Subscriber `i` sends its next request (while the traffic lasts).
    fn send(&mut self, ctx: &mut Ctx<'_>, i: usize) {
        if ctx.now >= self.window.1 {
            return;
        }
        let c = u64::from(ctx.counting);
        let s = &mut self.subs[i];
        s.generation = next(s.generation);
        if s.retrying {
            s.retrying = false;
            self.c.reconnects += c;
            let sec = ctx.now.0 / 1_000_000_000;
            if self.second.0 != sec {
                self.second = (sec, 0);
            }
            self.second.1 += 1;
            if ctx.counting {
                self.c.peak_reconnects_per_s = self.c.peak_reconnects_per_s.max(self.second.1);
            }
        }
        self.c.requests += c;
        self.c.bytes += c * self.header_bytes;
        ctx.out.push(Action::Spawn {
            key: key(self.protocol, i as u32),
            op: Op::Read,
            port: 0,
            slot: slot(i as u32, s.generation),
        });
    }

    /// Subscriber `i`'s request failed or its stream dropped: it tries again after its backoff.
    fn retry(&mut self, ctx: &mut Ctx<'_>, i: usize) {
        let s = &mut self.subs[i];
        // What is still on its way for the request that ended (an acceptance) no longer counts.
        s.generation = next(s.generation);
        let (base, cap) = self.backoff;
        let wait = (base * libm::pow(2.0, f64::from(s.failures.min(30)))).min(cap.max(base));
        s.failures = s.failures.saturating_add(1);
        s.retrying = true;
        let wait = if self.jitter {
            wait * ctx.rng.unit()
        } else {
            wait
        };
        ctx.out.push(Action::ServiceDone {
            at: ctx.now.add(SimTime::from_ms(wait)),
            slot: slot(i as u32, s.generation),
            token: SEND,
        });
    }
}

impl Component for Subscribers {
    fn build(b: &Build<'_>) -> Result<Subscribers, String> {
        let Params::Subscribers(p) = b.params else {
            return Err(mismatch("subscribers node", b.params));
        };
        let feed = b.ports.first().and_then(|port| match port.params {
            Params::EventFeed(f) => Some(f.message_bytes),
            _ => None,
        });
        Ok(Subscribers::new(
            p,
            feed.unwrap_or(0),
            feed.is_some(),
            b.window,
        ))
    }

    fn check(b: &Build<'_>) -> Vec<Finding> {
        match b.ports.first() {
            Some(p) if !matches!(p.params, Params::EventFeed(_)) => vec![Finding {
                warning: false,
                field: None,
                text: ": subscribers follow an event feed; connect them to one".into(),
            }],
            _ => Vec::new(),
        }
    }

    /// Every subscriber starts at a random moment of one poll interval (in subscriber order).
    fn start(&mut self, ctx: &mut Ctx<'_>) {
        if !self.wired {
            return;
        }
        let token = if self.protocol == Protocol::Poll {
            POLL
        } else {
            SEND
        };
        for i in 0..self.subs.len() {
            let at = SimTime((self.poll.0 as f64 * ctx.rng.unit()) as u64);
            ctx.out.push(Action::ServiceDone {
                at,
                slot: slot(i as u32, 0),
                token,
            });
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        let (i, generation) = unslot(slot);
        if token == POLL {
            if ctx.now < self.window.1 {
                self.send(ctx, i);
                ctx.out.push(Action::ServiceDone {
                    at: ctx.now.add(self.poll),
                    slot: self::slot(i as u32, 0),
                    token: POLL,
                });
            }
        } else if generation == self.subs[i].generation {
            self.send(ctx, i);
        }
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        value: u64,
    ) {
        ctx.out.push(Action::Absorb { req });
        self.ended(ctx, slot, outcome, value);
    }

    /// Its request was lost on the link: as if it failed.
    fn abandon(&mut self, ctx: &mut Ctx<'_>, _req: u32, slot: u32) {
        self.ended(ctx, slot, Outcome::Error, 0);
    }

    fn on_push(&mut self, ctx: &mut Ctx<'_>, slot: u32, value: u64) {
        let (i, generation) = unslot(slot);
        if value == OPENED {
            let s = &mut self.subs[i];
            if generation == s.generation && !s.connected {
                s.connected = true;
                s.failures = 0;
                self.c.connected += 1;
            }
            return;
        }
        if ctx.counting {
            let delay = ctx.now.0.saturating_sub(value);
            self.c.events_received += 1;
            self.delay_sum += u128::from(delay);
            self.hist.saturating_record(delay.max(1));
            self.c.bytes += self.message_bytes
                + u64::from(
                    self.protocol
                        .framing_bytes(u32::try_from(self.message_bytes).unwrap_or(u32::MAX)),
                );
        }
    }

    fn detail(&self, _now: SimTime, window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        let secs = window_ns as f64 / 1e9;
        let per_s = |x: u64| if secs > 0.0 { x as f64 / secs } else { 0.0 };
        let c = &self.c;
        let n = c.events_received;
        Some(NodeDetail::Subscribers(SubscribersDetail {
            subscribers: SubscribersReport {
                requests_per_s: per_s(c.requests),
                empty_fraction: if c.answered > 0 {
                    c.empty as f64 / c.answered as f64
                } else {
                    0.0
                },
                delay_mean_ms: if n > 0 {
                    self.delay_sum as f64 / n as f64 / 1e6
                } else {
                    0.0
                },
                delay_p99_ms: if n > 0 {
                    self.hist.value_at_quantile(0.99) as f64 / 1e6
                } else {
                    0.0
                },
                bytes_per_s: per_s(c.bytes),
                ..c.clone()
            },
        }))
    }
}

impl Subscribers {
    /// Subscriber `slot`'s request ended with `outcome` (a poll's `value` events came with it).
    fn ended(&mut self, ctx: &mut Ctx<'_>, slot: u32, outcome: Outcome, value: u64) {
        let (i, generation) = unslot(slot);
        let cnt = u64::from(ctx.counting);
        let ok = outcome == Outcome::Ok;
        if ok && !self.protocol.persistent() {
            self.c.answered += cnt;
            self.c.empty += cnt * u64::from(value == 0);
        } else if !(ok || self.protocol.persistent() && self.subs[i].connected) {
            self.c.failed += cnt;
        }
        if generation != self.subs[i].generation {
            return;
        }
        match self.protocol {
            Protocol::Poll => {}
            Protocol::LongPoll if ok => {
                self.subs[i].failures = 0;
                self.send(ctx, i);
            }
            Protocol::LongPoll => self.retry(ctx, i),
            Protocol::Sse | Protocol::Websocket => {
                let s = &mut self.subs[i];
                if s.connected {
                    s.connected = false;
                    self.c.connected -= 1;
                    self.c.drops += cnt;
                }
                self.retry(ctx, i);
            }
        }
    }
}
