//! The event feed: events happen (a Poisson process, and each client request that reaches it), go into its
//! log, and go out to its subscribers as their protocol asks — in a poll's answer, as the answer to a held
//! long poll, or pushed down a held stream. It counts the connections it holds over time and what they cost.

use std::collections::VecDeque;

use super::{FeedDetail, FeedParams, FeedReport, OPENED, Protocol, unkey};
use crate::components::interface::{Build, Component, Incoming, mismatch};
use crate::components::{Action, Ctx, NodeDetail, Params};
use crate::request::Outcome;
use crate::time::SimTime;

/// The timer slot of the next event.
const EVENT_SLOT: u32 = u32::MAX;
/// No request held.
const NONE: u32 = u32::MAX;
/// Bits of a hold timer's slot that name the subscriber (at most 100 000 < 2¹⁷); the rest name its node's
/// group (2¹⁵ groups, more than the nodes a diagram may have).
const SUB_BITS: u32 = 17;
/// Most log entries kept beyond the slowest subscriber's cursor before trimming is tried again.
const TRIM_EVERY: usize = 4096;

/// What the feed knows of one subscriber.
#[derive(Clone, Copy, Debug)]
struct Sub {
    /// the next event (log sequence number) it has not been sent
    cursor: u64,
    /// the request it holds open, or `NONE`
    held: u32,
    /// what it holds (a long poll or a stream)
    protocol: Protocol,
    /// changes whenever `held` does, so a stale hold timeout is ignored
    token: u32,
    /// its place in the feed's list of holders, while it holds one
    at: u32,
}

/// One subscribers node's clients, by index.
struct Group {
    caller: u32,
    subs: Vec<Option<Sub>>,
}

/// An event feed.
pub(crate) struct Feed {
    /// mean gap between events [ms]; `None` when it has no events of its own
    gap_ms: Option<f64>,
    message_bytes: u32,
    hold: SimTime,
    max_connections: Option<u32>,
    kb_per_connection: f64,
    window: (SimTime, SimTime),
    alive: bool,
    /// event times, `log[0]` has sequence number `base`
    log: VecDeque<SimTime>,
    base: u64,
    groups: Vec<Group>,
    /// the subscribers holding a request, `(group, index)`, in no particular order (each knows its place)
    holders: Vec<(u32, u32)>,
    /// the log's length that makes trimming worth trying again
    trim_at: usize,
    /// held now, and the level's time integral over the window
    connections: u64,
    area: u128,
    last: SimTime,
    peak: u64,
    c: FeedReport,
}

impl Feed {
    fn new(p: &FeedParams, window: (SimTime, SimTime)) -> Feed {
        Feed {
            gap_ms: (p.events_per_s > 0.0).then(|| 1000.0 / p.events_per_s),
            message_bytes: p.message_bytes,
            hold: SimTime::from_ms(p.hold_timeout_ms),
            max_connections: p.max_connections,
            kb_per_connection: p.memory_per_connection_kb,
            window,
            alive: true,
            log: VecDeque::new(),
            base: 0,
            groups: Vec::new(),
            holders: Vec::new(),
            trim_at: TRIM_EVERY,
            connections: 0,
            area: 0,
            last: window.0,
            peak: 0,
            c: FeedReport {
                events: 0,
                sent: 0,
                polls: 0,
                held: 0,
                timeouts: 0,
                connections_mean: 0.0,
                connections_peak: 0,
                connections: 0,
                memory_mean_mb: 0.0,
                memory_peak_mb: 0.0,
                refused: 0,
                dropped: 0,
                missed: 0,
            },
        }
    }

    fn head(&self) -> u64 {
        self.base + self.log.len() as u64
    }

    /// Integrates the connection level up to `now` (within the window).
    fn advance(&mut self, now: SimTime) {
        let (lo, hi) = (self.last.max(self.window.0), now.min(self.window.1));
        if hi > lo {
            self.area += u128::from(self.connections) * u128::from(hi.0 - lo.0);
            // The level was held inside the window.
            self.peak = self.peak.max(self.connections);
        }
        self.last = self.last.max(now);
    }

    fn level(&mut self, now: SimTime, up: bool, counting: bool) {
        self.advance(now);
        if up {
            self.connections += 1;
            if counting {
                self.peak = self.peak.max(self.connections);
            }
        } else {
            self.connections -= 1;
        }
    }

    /// The group of subscribers node `caller`, found or added.
    fn group(&mut self, caller: u32) -> usize {
        match self.groups.iter().position(|g| g.caller == caller) {
            Some(i) => i,
            None => {
                self.groups.push(Group {
                    caller,
                    subs: Vec::new(),
                });
                self.groups.len() - 1
            }
        }
    }

    /// Sends subscriber `(g, i)`, holding `req`, every event past its cursor; returns how many.
    fn send_pending(&mut self, ctx: &mut Ctx<'_>, g: usize, i: usize, req: u32) -> u64 {
        let head = self.head();
        let Some(s) = self.groups[g].subs[i].as_mut() else {
            return 0;
        };
        let from = s.cursor.max(self.base);
        s.cursor = head;
        for seq in from..head {
            let t = self.log[(seq - self.base) as usize];
            ctx.out.push(Action::Push {
                req,
                value: t.0,
                bytes: self.message_bytes,
            });
        }
        let n = head - from;
        self.c.sent += n * u64::from(ctx.counting);
        n
    }

    /// Releases what subscriber `(g, i)` holds.
    fn release(&mut self, ctx: &Ctx<'_>, g: usize, i: usize) {
        if let Some(s) = self.groups[g].subs[i].as_mut()
            && s.held != NONE
        {
            s.held = NONE;
            s.token = s.token.wrapping_add(1);
            let at = s.at as usize;
            self.holders.swap_remove(at);
            if let Some(&(mg, mi)) = self.holders.get(at)
                && let Some(m) = self.groups[mg as usize].subs[mi as usize].as_mut()
            {
                m.at = at as u32;
            }
            self.level(ctx.now, false, ctx.counting);
        }
    }

    fn at_limit(&self) -> bool {
        self.max_connections
            .is_some_and(|m| self.connections >= u64::from(m))
    }

    /// An event happens now: log it and send it to every held request.
    fn publish(&mut self, ctx: &mut Ctx<'_>) {
        self.log.push_back(ctx.now);
        self.c.events += u64::from(ctx.counting);
        if self.alive && !self.holders.is_empty() {
            // A copy: a long poll answered now leaves the list (the order is the list's, fixed by the run).
            let holders = self.holders.clone();
            for (g, i) in holders {
                let (g, i) = (g as usize, i as usize);
                let Some(s) = self.groups[g].subs[i] else {
                    continue;
                };
                let n = self.send_pending(ctx, g, i, s.held);
                if s.protocol == Protocol::LongPoll {
                    ctx.out.push(Action::Answer {
                        req: s.held,
                        value: n,
                    });
                    self.release(ctx, g, i);
                }
            }
        }
        self.trim();
    }

    /// Drops log entries every subscriber that replays has been sent (a WebSocket subscriber never replays).
    fn trim(&mut self) {
        if self.log.len() < self.trim_at {
            return;
        }
        let head = self.head();
        let low = self
            .groups
            .iter()
            .flat_map(|g| g.subs.iter().flatten())
            .filter(|s| s.protocol != Protocol::Websocket)
            .map(|s| s.cursor)
            .min()
            .unwrap_or(head)
            .max(self.base);
        let n = (low - self.base) as usize;
        self.log.drain(..n);
        self.base = low;
        // Tried again once the log has doubled: O(subscribers) per doubling, not per event.
        self.trim_at = TRIM_EVERY.max(2 * self.log.len());
    }

    fn schedule_next(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(gap) = self.gap_ms {
            let at = ctx
                .now
                .add(SimTime::from_ms(crate::dist::exponential(ctx.rng, gap)));
            if at < self.window.1 {
                ctx.out.push(Action::ServiceDone {
                    at,
                    slot: EVENT_SLOT,
                    token: 0,
                });
            }
        }
    }

    /// A subscriber's request: a poll, a long poll or a stream's connection.
    fn subscribe(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) {
        let (protocol, i) = unkey(inc.key);
        let g = self.group(inc.caller);
        let i = i as usize;
        let head = self.head();
        let c = u64::from(ctx.counting);
        let subs = &mut self.groups[g].subs;
        if subs.len() <= i {
            subs.resize(i + 1, None);
        }
        let first = subs[i].is_none();
        let s = subs[i].get_or_insert(Sub {
            cursor: head,
            held: NONE,
            protocol,
            token: 0,
            at: 0,
        });
        s.protocol = protocol;
        let old = s.held;
        if old != NONE {
            // The subscriber gave the old one up (its link lost it): close it.
            self.release(ctx, g, i);
            ctx.out.push(Action::Fail {
                req: old,
                outcome: Outcome::Error,
            });
        }
        match protocol {
            Protocol::Poll => {
                self.c.polls += c;
                let n = self.send_pending(ctx, g, i, req);
                ctx.out.push(Action::Answer { req, value: n });
            }
            Protocol::LongPoll => {
                let pending = self.groups[g].subs[i].map_or(0, |s| head - s.cursor.max(self.base));
                if pending > 0 {
                    let n = self.send_pending(ctx, g, i, req);
                    ctx.out.push(Action::Answer { req, value: n });
                } else if self.at_limit() {
                    self.c.refused += c;
                    ctx.out.push(Action::Fail {
                        req,
                        outcome: Outcome::Rejected,
                    });
                } else {
                    self.c.held += c;
                    let token = self.hold_req(ctx, g, i, req);
                    let slot = ((g as u32) << SUB_BITS) | i as u32;
                    ctx.out.push(Action::ServiceDone {
                        at: ctx.now.add(self.hold),
                        slot,
                        token,
                    });
                }
            }
            Protocol::Sse | Protocol::Websocket => {
                if self.at_limit() {
                    self.c.refused += c;
                    ctx.out.push(Action::Fail {
                        req,
                        outcome: Outcome::Rejected,
                    });
                    return;
                }
                self.hold_req(ctx, g, i, req);
                ctx.out.push(Action::Push {
                    req,
                    value: OPENED,
                    bytes: 0,
                });
                if protocol == Protocol::Sse {
                    self.send_pending(ctx, g, i, req);
                } else if let Some(s) = self.groups[g].subs[i].as_mut() {
                    if !first {
                        self.c.missed += c * (head - s.cursor.min(head));
                    }
                    s.cursor = head;
                }
            }
        }
    }

    /// Holds `req` for subscriber `(g, i)`; returns its token.
    fn hold_req(&mut self, ctx: &Ctx<'_>, g: usize, i: usize, req: u32) -> u32 {
        self.level(ctx.now, true, ctx.counting);
        let s = self.groups[g].subs[i]
            .as_mut()
            .expect("a subscriber is added before it is held");
        s.held = req;
        s.token = s.token.wrapping_add(1);
        s.at = self.holders.len() as u32;
        let token = s.token;
        self.holders.push((g as u32, i as u32));
        token
    }
}

impl Component for Feed {
    fn build(b: &Build<'_>) -> Result<Feed, String> {
        match b.params {
            Params::EventFeed(p) => Ok(Feed::new(p, b.window)),
            other => Err(mismatch("event feed", other)),
        }
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.schedule_next(ctx);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        if inc.internal {
            self.subscribe(ctx, req, inc);
        } else {
            // A client's request publishes an event (a chat message posted).
            ctx.out.push(Action::Respond {
                req,
                outcome: Outcome::Ok,
            });
            self.publish(ctx);
        }
        false
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        if slot == EVENT_SLOT {
            self.publish(ctx);
            self.schedule_next(ctx);
            return;
        }
        let (g, i) = (
            (slot >> SUB_BITS) as usize,
            (slot & ((1 << SUB_BITS) - 1)) as usize,
        );
        let Some(s) = self
            .groups
            .get(g)
            .and_then(|g| g.subs.get(i))
            .copied()
            .flatten()
        else {
            return;
        };
        if s.held != NONE && s.token == token {
            // The hold timeout: answered with nothing.
            self.c.timeouts += u64::from(ctx.counting);
            ctx.out.push(Action::Answer {
                req: s.held,
                value: 0,
            });
            self.release(ctx, g, i);
        }
    }

    /// The feed dies: every held request and connection is dropped (the events' log is kept upstream).
    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        let mut holders = std::mem::take(&mut self.holders);
        crate::sorting::sort_by(&mut holders, Ord::cmp);
        for &(g, i) in &holders {
            if let Some(s) = self.groups[g as usize].subs[i as usize].as_mut() {
                self.c.dropped += u64::from(ctx.counting);
                ctx.out.push(Action::Fail {
                    req: s.held,
                    outcome: Outcome::Error,
                });
                s.held = NONE;
                s.token = s.token.wrapping_add(1);
            }
        }
        self.advance(ctx.now);
        self.connections = 0;
    }

    fn revive(&mut self, _ctx: &mut Ctx<'_>) {
        self.alive = true;
    }

    fn queued_bytes(&self) -> usize {
        self.log.len() * std::mem::size_of::<SimTime>()
            + self.holders.len() * std::mem::size_of::<(u32, u32)>()
            + self
                .groups
                .iter()
                .map(|g| g.subs.len() * std::mem::size_of::<Option<Sub>>())
                .sum::<usize>()
    }

    fn detail(&self, now: SimTime, window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        let (lo, hi) = (self.last.max(self.window.0), now.min(self.window.1));
        let tail = if hi > lo { u128::from(hi.0 - lo.0) } else { 0 };
        let area = self.area + u128::from(self.connections) * tail;
        let peak = if tail > 0 {
            self.peak.max(self.connections)
        } else {
            self.peak
        };
        let mean = if window_ns > 0 {
            area as f64 / window_ns as f64
        } else {
            0.0
        };
        let mb = self.kb_per_connection / 1024.0;
        Some(NodeDetail::Feed(FeedDetail {
            event_feed: FeedReport {
                connections_mean: mean,
                connections_peak: peak,
                connections: self.connections,
                memory_mean_mb: mean * mb,
                memory_peak_mb: peak as f64 * mb,
                ..self.c.clone()
            },
        }))
    }
}
