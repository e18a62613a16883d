//! The webhook provider: a service outside the system (a payment provider) where events happen — a Poisson
//! process at `event_rate` — and the way its consumer learns of them. With `delivery: webhook` the provider
//! POSTs each event, signed, to the consumer's endpoint (its first edge) and waits `delivery_timeout_ms` for a
//! 2xx; an error, a refusal or no answer in time is a failed attempt, retried after the `retry` policy's
//! backoff until `max_attempts`, then the event is dead. At least once: an attempt that timed out may still
//! have been processed (the consumer's answer comes after the provider stopped waiting), so the redelivery is
//! a duplicate the consumer must dedupe — every attempt of one event carries the same idempotency key
//! (`Action::SpawnAttempt`), which a server's `idempotency` store recognises. With `delivery: polled` the
//! consumer asks the provider's API for new events every `poll_interval_ms` instead: each poll hands over the
//! events waiting since the last one (nothing: an empty poll), and an event the consumer failed to process
//! stays for the next poll.
//!
//! ```text
//!   event ──> attempt 1 ──(2xx within the timeout)──> delivered
//!                  └─(error, 409, timeout)──> wait backoff(1) ──> attempt 2 ──> … ──> attempt k fails: dead
//!   a 2xx after the timeout: the consumer processed it; the next attempt is a duplicate
//! ```
//!
//! The delivery log (the report's `webhooks` block) counts over the whole run, warm-up included, so it
//! balances at every moment: `events = delivered + dead + pending`. Formulas: `docs/webhooks.md`.

use std::collections::{BTreeMap, VecDeque};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::components::interface::{Build, Component, Finding, mismatch};
use crate::components::{Action, Ctx, Kind, NodeDetail, Params, check_num, check_range};
use crate::digest::Digest;
use crate::dist::exponential;
use crate::request::{Op, Outcome};
use crate::resilience::{Backoff, Budget, Jitter, RetryPolicy, RetryState};
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

/// Timer slots: the next event, the next poll, an attempt's timeout (token: the attempt), a retry's wait
/// (token: the wait).
const NEXT_EVENT: u32 = 0;
const NEXT_POLL: u32 = 1;
const TIMEOUT: u32 = 2;
const RETRY: u32 = 3;

/// The longest a histogram of delays holds [ns] (longer delays count as this).
const DELAY_MAX_NS: u64 = 1 << 45;

/// Webhook provider parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookParams {
    /// events a second at the provider, a Poisson process [0..100 000], default 10
    pub event_rate: f64,
    /// how the consumer learns of events: `webhook` (the provider POSTs each) or `polled` (the consumer asks
    /// every `poll_interval_ms`), default `webhook`
    #[serde(default)]
    pub delivery: Delivery,
    /// webhook: an attempt not answered within this is failed (and retried) [ms], default 3000
    pub delivery_timeout_ms: f64,
    /// webhook: attempts in all and the waits between them (`retry.budget` caps retries to a share of events),
    /// default 6 attempts, waits of 1, 2, 4, 8 and 16 s, no jitter
    pub retry: RetryPolicy,
    /// polled: the consumer asks for new events every this long [ms], default 5000
    pub poll_interval_ms: f64,
    /// stop after this many events (a batch); `null` = events until the traffic ends, default `null`
    #[serde(default)]
    pub max_events: Option<u64>,
}

impl Default for WebhookParams {
    fn default() -> Self {
        WebhookParams {
            event_rate: 10.0,
            delivery: Delivery::Webhook,
            delivery_timeout_ms: 3000.0,
            retry: default_retry(),
            poll_interval_ms: 5000.0,
            max_events: None,
        }
    }
}

/// The provider's default redelivery: 6 attempts, 1 s doubling to 16 s between them, no jitter (31 s from
/// the first attempt to the last).
pub fn default_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        backoff: Backoff::Exponential {
            base_ms: 1000.0,
            cap_ms: 16_000.0,
        },
        jitter: Jitter::None,
        budget: None,
    }
}

/// How the consumer learns of an event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// the provider POSTs each event to the consumer's endpoint, retrying on failure
    #[default]
    Webhook,
    /// the consumer polls the provider's API for new events
    Polled,
}

impl Choices for Delivery {
    const ALL: &'static [Delivery] = &[Delivery::Webhook, Delivery::Polled];

    fn label(self) -> Option<&'static str> {
        Some(match self {
            Delivery::Webhook => "Webhook (provider pushes)",
            Delivery::Polled => "Polling (consumer asks)",
        })
    }
}

impl WebhookParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check_num(&mut out, "event_rate", self.event_rate, 0.0);
        for (field, v) in [
            ("delivery_timeout_ms", self.delivery_timeout_ms),
            ("poll_interval_ms", self.poll_interval_ms),
        ] {
            check_num(&mut out, field, v, 0.0);
            if v.is_finite() && v <= 0.0 {
                out.push((field.into(), format!("`{field}` must be positive")));
            }
        }
        if self.max_events == Some(0) {
            out.push((
                "max_events".into(),
                "`max_events` must be at least 1 (or empty: until the traffic ends)".into(),
            ));
        }
        out.extend(self.retry.problems("retry."));
        let mut ranges = vec![
            ("event_rate", self.event_rate),
            ("delivery_timeout_ms", self.delivery_timeout_ms),
            ("poll_interval_ms", self.poll_interval_ms),
        ];
        if let Some(m) = self.max_events {
            ranges.push(("max_events", m as f64));
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }

    /// How the inspector names a webhook provider's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("event_rate", "Events per second").unit("/s"),
            Term::new("delivery", "Delivery").choices(choices::<Delivery>),
            Term::new("delivery_timeout_ms", "Delivery timeout (webhook)"),
            Term::new("retry", "Redelivery (webhook)").nested(&RetryPolicy::VOCAB),
            Term::new("poll_interval_ms", "Poll interval (polled)"),
            Term::new("max_events", "Stop after events")
                .integer()
                .empty("until the traffic ends"),
        ],
    };
}

/// The delivery log: counts over the whole run (warm-up included), `events = delivered + dead + pending`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WebhookReport {
    /// `webhook` or `polled`
    pub delivery: Delivery,
    /// events that happened at the provider
    pub events: u64,
    /// events the consumer acknowledged (a 2xx the provider saw in time)
    pub delivered: u64,
    /// of them, on the first attempt (webhook) or the first poll that handed them over (polled)
    pub first_try: u64,
    /// of them, after one or more failed attempts
    pub after_retries: u64,
    /// events given up after `max_attempts` failed attempts (webhook)
    pub dead: u64,
    /// events not yet delivered or given up at the end (waiting for a retry, a poll, or an answer)
    pub pending: u64,
    /// deliveries sent: first attempts and retries (webhook), events handed over by polls (polled)
    pub attempts: u64,
    /// attempts answered with an error or a refusal (a 5xx, a 409 while the first is in progress)
    pub failed_attempts: u64,
    /// attempts the provider stopped waiting for after `delivery_timeout_ms`
    pub timeouts: u64,
    /// events the consumer processed at least once: a 2xx came back for one of their attempts, in time or late
    pub processed: u64,
    /// 2xx answers that came after the provider's timeout: the consumer processed a delivery the provider
    /// counted as failed
    pub late_answers: u64,
    /// deliveries of an event the consumer had already processed, answered 2xx again: the at-least-once
    /// duplicates the consumer must dedupe
    pub duplicates: u64,
    /// retries a retry budget refused (the event is dead)
    pub budget_refused: u64,
    /// polls the consumer made before the traffic ended (polled)
    pub polls: u64,
    /// of them, polls that found no new event
    pub empty_polls: u64,
    /// mean time from an event to its acknowledged delivery [ms]
    pub mean_delay_ms: f64,
    /// median of that [ms]
    pub p50_delay_ms: f64,
    /// 99th percentile of that [ms]
    pub p99_delay_ms: f64,
    /// the most attempts an event may take (webhook), for the report's reader
    pub max_attempts: u32,
    /// the retry schedule: from the first attempt to the last, without jitter [s]
    pub schedule_s: f64,
}

impl WebhookReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            u64::from(self.delivery == Delivery::Polled),
            self.events,
            self.delivered,
            self.first_try,
            self.after_retries,
            self.dead,
            self.pending,
            self.attempts,
            self.failed_attempts,
            self.timeouts,
            self.processed,
            self.late_answers,
            self.duplicates,
            self.budget_refused,
            self.polls,
            self.empty_polls,
        ]);
        h.f64(self.mean_delay_ms);
        h.f64(self.p50_delay_ms);
        h.f64(self.p99_delay_ms);
    }

    /// Its line in the runner's table.
    pub fn table_line(&self, id: &str) -> String {
        let mut s = format!(
            "{id:<16} webhooks ({}): {} events, {} delivered ({} first try, {} after retries), {} dead, {} \
             pending; {} attempts, {} failed, {} timed out, {} late answers, {} duplicates; delay mean {:.1} \
             ms, p50 {:.1} ms, p99 {:.1} ms",
            match self.delivery {
                Delivery::Webhook => "webhook",
                Delivery::Polled => "polled",
            },
            self.events,
            self.delivered,
            self.first_try,
            self.after_retries,
            self.dead,
            self.pending,
            self.attempts,
            self.failed_attempts,
            self.timeouts,
            self.late_answers,
            self.duplicates,
            self.mean_delay_ms,
            self.p50_delay_ms,
            self.p99_delay_ms
        );
        if self.delivery == Delivery::Polled {
            s.push_str(&format!(
                "; {} polls, {} empty",
                self.polls, self.empty_polls
            ));
        }
        s
    }
}

/// A webhook provider's block of the report: `webhooks`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookDetail {
    /// the delivery log
    pub webhooks: WebhookReport,
}

/// One event's delivery.
#[derive(Clone, Copy, Debug)]
struct Event {
    created: SimTime,
    /// attempts sent so far
    attempts: u32,
    retry: RetryState,
    /// the attempt the provider waits for now, if one
    waiting_on: Option<u32>,
    /// attempts whose answer has not come back
    out: u32,
    /// acknowledged in time, or given up: nothing more will be sent
    done: bool,
    /// a 2xx came back for one of its attempts (in time or late): the consumer processed it
    processed: bool,
}

/// The webhook provider's state machine.
pub(crate) struct WebhookProvider {
    rate: f64,
    polled: bool,
    timeout: SimTime,
    retry: RetryPolicy,
    budget: Option<Budget>,
    poll: SimTime,
    max_events: Option<u64>,
    /// the traffic ends: no event after it
    end: SimTime,
    ports: u32,
    alive: bool,
    /// events not yet forgotten (undelivered, or with answers still out), by number
    events: BTreeMap<u64, Event>,
    /// attempts whose answer is out, by slot: their event
    out: BTreeMap<u32, u64>,
    /// webhook: attempts the provider still waits for (their timeout not passed, no answer yet): their event
    deciding: BTreeMap<u32, u64>,
    next_attempt: u32,
    /// retry waits running, by token: their event
    waits: BTreeMap<u32, u64>,
    next_wait: u32,
    /// polled: events waiting for the next poll; webhook: events held while the provider is down
    pending: VecDeque<u64>,
    log: WebhookReport,
    delay_sum_ns: u128,
    delays: Histogram<u64>,
}

impl WebhookProvider {
    fn new(p: &WebhookParams, ports: u32, end: SimTime) -> WebhookProvider {
        let schedule_ms: f64 = (0..p.retry.max_attempts.saturating_sub(1))
            .map(|n| p.retry.backoff_ms(n))
            .sum();
        WebhookProvider {
            rate: p.event_rate,
            polled: p.delivery == Delivery::Polled,
            timeout: SimTime::from_ms(p.delivery_timeout_ms).max(SimTime(1)),
            retry: p.retry.clone(),
            budget: p.retry.budget.as_ref().map(Budget::new),
            poll: SimTime::from_ms(p.poll_interval_ms).max(SimTime(1)),
            max_events: p.max_events,
            end,
            ports,
            alive: true,
            events: BTreeMap::new(),
            out: BTreeMap::new(),
            deciding: BTreeMap::new(),
            next_attempt: 0,
            waits: BTreeMap::new(),
            next_wait: 0,
            pending: VecDeque::new(),
            log: WebhookReport {
                delivery: p.delivery,
                max_attempts: p.retry.max_attempts,
                schedule_s: schedule_ms / 1000.0,
                ..WebhookReport::default()
            },
            delay_sum_ns: 0,
            delays: Histogram::new_with_bounds(1, DELAY_MAX_NS, 3).expect("valid histogram bounds"),
        }
    }

    /// Arms the next event's timer, unless the events are over.
    fn arm_event(&mut self, ctx: &mut Ctx<'_>) {
        if self.rate <= 0.0 || self.max_events.is_some_and(|m| self.log.events >= m) {
            return;
        }
        let gap = exponential(ctx.rng, 1000.0 / self.rate);
        let at = ctx.now.add(SimTime::from_ms(gap).max(SimTime(1)));
        if at < self.end {
            ctx.out.push(Action::ServiceDone {
                at,
                slot: NEXT_EVENT,
                token: 0,
            });
        }
    }

    /// An event happens.
    fn on_event(&mut self, ctx: &mut Ctx<'_>) {
        let id = self.log.events;
        self.log.events += 1;
        self.events.insert(
            id,
            Event {
                created: ctx.now,
                attempts: 0,
                retry: RetryState::default(),
                waiting_on: None,
                out: 0,
                done: false,
                processed: false,
            },
        );
        if let Some(b) = &mut self.budget {
            b.on_first_attempt();
        }
        if self.ports == 0 {
            // Nowhere to deliver it: dead at once.
            self.log.dead += 1;
            self.events.remove(&id);
        } else if self.polled {
            self.pending.push_back(id);
        } else {
            self.send(ctx, id);
        }
        self.arm_event(ctx);
    }

    /// Sends one attempt of event `id` (held for later while the provider is down).
    fn send(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        if !self.alive {
            self.pending.push_back(id);
            return;
        }
        let slot = self.next_attempt;
        self.next_attempt = self.next_attempt.wrapping_add(1);
        let Some(ev) = self.events.get_mut(&id) else {
            return;
        };
        ev.attempts += 1;
        ev.out += 1;
        ev.waiting_on = Some(slot);
        self.out.insert(slot, id);
        self.log.attempts += 1;
        ctx.out.push(Action::SpawnAttempt {
            key: id,
            op: Op::Write,
            port: 0,
            slot,
            of: id,
        });
        if !self.polled {
            self.deciding.insert(slot, id);
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(self.timeout),
                slot: TIMEOUT,
                token: slot,
            });
        }
    }

    /// Event `id`'s attempt failed (an error, a refusal, a timeout): polled, it waits for the next poll;
    /// webhook, it is retried after the backoff, or given up after its last attempt.
    fn failed(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        if self.polled {
            self.pending.push_back(id);
            return;
        }
        let Some(ev) = self.events.get_mut(&id) else {
            return;
        };
        let refused = ev.attempts < self.retry.max_attempts
            && self.budget.as_mut().is_some_and(|b| !b.try_retry());
        if ev.attempts >= self.retry.max_attempts || refused {
            ev.done = true;
            self.log.dead += 1;
            self.log.budget_refused += u64::from(refused);
            self.forget(id);
            return;
        }
        let wait = self.retry.next_delay(&mut ev.retry, ctx.rng);
        let token = self.next_wait;
        self.next_wait = self.next_wait.wrapping_add(1);
        self.waits.insert(token, id);
        ctx.out.push(Action::ServiceDone {
            at: ctx.now.add(wait),
            slot: RETRY,
            token,
        });
    }

    /// Drops event `id` once nothing more will be sent or answered for it.
    fn forget(&mut self, id: u64) {
        if self
            .events
            .get(&id)
            .is_some_and(|ev| ev.done && ev.out == 0)
        {
            self.events.remove(&id);
        }
    }

    /// A poll: the consumer takes every event waiting since the last one.
    fn on_poll(&mut self, ctx: &mut Ctx<'_>) {
        if ctx.now <= self.end {
            self.log.polls += 1;
            self.log.empty_polls += u64::from(self.pending.is_empty());
        }
        if self.alive {
            while let Some(id) = self.pending.pop_front() {
                self.send(ctx, id);
            }
        }
        let next = ctx.now.add(self.poll);
        if next <= self.end || !self.events.is_empty() {
            ctx.out.push(Action::ServiceDone {
                at: next,
                slot: NEXT_POLL,
                token: 0,
            });
        }
    }

    /// The answer to attempt `slot` came back.
    fn answered(&mut self, ctx: &mut Ctx<'_>, slot: u32, outcome: Outcome) {
        let Some(id) = self.out.remove(&slot) else {
            return;
        };
        let Some(ev) = self.events.get_mut(&id) else {
            return;
        };
        ev.out -= 1;
        let ok = outcome == Outcome::Ok;
        if ok {
            if ev.processed {
                self.log.duplicates += 1;
            } else {
                self.log.processed += 1;
            }
            ev.processed = true;
        }
        let current = ev.waiting_on == Some(slot);
        if !current {
            // The provider stopped waiting for it (a timeout), or the event was done already.
            self.log.late_answers += u64::from(ok);
            self.forget(id);
            return;
        }
        ev.waiting_on = None;
        self.deciding.remove(&slot);
        if ok {
            ev.done = true;
            self.log.delivered += 1;
            if ev.attempts == 1 {
                self.log.first_try += 1;
            } else {
                self.log.after_retries += 1;
            }
            let delay = ctx.now.since(ev.created).0;
            self.delay_sum_ns += u128::from(delay);
            self.delays
                .record(delay.clamp(1, DELAY_MAX_NS))
                .expect("clamped into the histogram's range");
            self.forget(id);
        } else {
            self.log.failed_attempts += 1;
            self.failed(ctx, id);
        }
    }

    /// The report block at the end.
    fn report(&self) -> WebhookReport {
        let mut r = self.log.clone();
        r.pending = r.events - r.delivered - r.dead;
        if r.delivered > 0 {
            r.mean_delay_ms = self.delay_sum_ns as f64 / r.delivered as f64 / 1e6;
            r.p50_delay_ms = self.delays.value_at_quantile(0.5) as f64 / 1e6;
            r.p99_delay_ms = self.delays.value_at_quantile(0.99) as f64 / 1e6;
        }
        r
    }
}

impl Component for WebhookProvider {
    fn build(b: &Build<'_>) -> Result<WebhookProvider, String> {
        let Params::WebhookProvider(p) = b.params else {
            return Err(mismatch("webhook provider", b.params));
        };
        // Deliveries go over the first edge only (the registry warns about more).
        Ok(WebhookProvider::new(
            p,
            b.ports.len().min(1) as u32,
            b.window.1,
        ))
    }

    fn check(b: &Build<'_>) -> Vec<Finding> {
        let Params::WebhookProvider(p) = b.params else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if p.delivery == Delivery::Webhook
            && let Some(port) = b.ports.first()
            && port.kind == Kind::Server
            && let Params::Server(s) = port.params
            && s.side_effects
            && s.idempotency.is_none()
        {
            out.push(Finding {
                warning: true,
                field: None,
                text: format!(
                    " delivers at least once, and `{}` applies each delivery's effect without idempotency \
                     keys: a redelivered event is applied twice",
                    port.id
                ),
            });
        }
        out
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.arm_event(ctx);
        if self.polled && self.ports > 0 {
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(self.poll),
                slot: NEXT_POLL,
                token: 0,
            });
        }
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        _version: u64,
    ) {
        ctx.out.push(Action::Absorb { req });
        self.answered(ctx, slot, outcome);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        match slot {
            NEXT_EVENT => self.on_event(ctx),
            NEXT_POLL => self.on_poll(ctx),
            TIMEOUT => {
                // Still waiting for that attempt: it timed out (its answer may yet come, late). An attempt
                // lost on a link times out the same way.
                if let Some(id) = self.deciding.remove(&token) {
                    self.timed_out(ctx, id);
                }
            }
            RETRY => {
                if let Some(id) = self.waits.remove(&token) {
                    self.send(ctx, id);
                }
            }
            _ => {}
        }
    }

    fn abandon(&mut self, _ctx: &mut Ctx<'_>, _req: u32, slot: u32) {
        // An attempt lost on a link: no answer will come; the timeout (webhook) or the next poll takes it.
        let Some(id) = self.out.remove(&slot) else {
            return;
        };
        if let Some(ev) = self.events.get_mut(&id) {
            ev.out -= 1;
            if self.polled && ev.waiting_on == Some(slot) {
                ev.waiting_on = None;
                self.pending.push_back(id);
            }
        }
        self.forget(id);
    }

    fn kill(&mut self, _ctx: &mut Ctx<'_>) {
        self.alive = false;
    }

    fn revive(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = true;
        if !self.polled {
            while let Some(id) = self.pending.pop_front() {
                self.send(ctx, id);
            }
        }
    }

    fn queued_bytes(&self) -> usize {
        // What the run's memory guard counts: each event held, attempt out and wait running (a map entry
        // costs about its key and value twice over).
        self.events.len() * 2 * (8 + std::mem::size_of::<Event>())
            + (self.out.len() + self.deciding.len() + self.waits.len()) * 24
            + self.pending.len() * 8
    }

    fn holds_work(&self) -> bool {
        true
    }

    fn backlog(&self) -> u64 {
        self.events.len() as u64
    }

    fn detail(&self, _now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::Webhook(WebhookDetail {
            webhooks: self.report(),
        }))
    }
}

impl WebhookProvider {
    /// Event `id`'s current attempt timed out.
    fn timed_out(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        if let Some(ev) = self.events.get_mut(&id) {
            ev.waiting_on = None;
        }
        self.log.timeouts += 1;
        self.failed(ctx, id);
    }
}

/// A webhook provider's figures for the inspector (`data-metric` keys `wh_*`): its delivery log.
pub fn figures(w: &WebhookReport) -> Vec<crate::marks::Figure> {
    let fig = |key, label, value: String, unit| crate::marks::Figure {
        key,
        label,
        value,
        unit,
    };
    let per_event = if w.events > 0 {
        w.attempts as f64 / w.events as f64
    } else {
        0.0
    };
    let mut out = vec![
        fig("wh_events", "events", w.events.to_string(), ""),
        fig(
            "wh_delivered",
            "delivered (first try, after retries)",
            format!("{} ({}, {})", w.delivered, w.first_try, w.after_retries),
            "",
        ),
        fig(
            "wh_attempts",
            "attempts per event (attempts)",
            format!("{per_event:.2} ({})", w.attempts),
            "",
        ),
        fig(
            "wh_delay",
            "delivery delay mean / p50 / p99",
            format!(
                "{:.0} / {:.0} / {:.0}",
                w.mean_delay_ms, w.p50_delay_ms, w.p99_delay_ms
            ),
            "ms",
        ),
        fig("wh_pending", "pending", w.pending.to_string(), ""),
    ];
    match w.delivery {
        Delivery::Webhook => {
            out.push(fig(
                "wh_dead",
                "failed for good (dead)",
                w.dead.to_string(),
                "",
            ));
            out.push(fig(
                "wh_timeouts",
                "attempts timed out (answered late)",
                format!("{} ({})", w.timeouts, w.late_answers),
                "",
            ));
            out.push(fig(
                "wh_duplicates",
                "duplicates sent (already processed)",
                w.duplicates.to_string(),
                "",
            ));
        }
        Delivery::Polled => {
            let share = if w.polls > 0 {
                w.empty_polls as f64 / w.polls as f64
            } else {
                0.0
            };
            out.push(fig(
                "wh_empty_polls",
                "empty polls (of polls)",
                format!("{} of {} ({:.0} %)", w.empty_polls, w.polls, share * 100.0),
                "",
            ));
        }
    }
    out
}

/// The arithmetic of the mechanism (`docs/webhooks.md`), for tests and the why panel.
pub mod theory {
    /// The share of events delivered with `k` attempts that each fail independently with probability `f`:
    /// `1 − fᵏ`.
    pub fn delivered_share(f: f64, k: u32) -> f64 {
        1.0 - libm::pow(f, f64::from(k))
    }

    /// The mean attempts an event takes, `1 + f + … + fᵏ⁻¹ = (1 − fᵏ)/(1 − f)` (`k` when `f` = 1).
    pub fn attempts_per_event(f: f64, k: u32) -> f64 {
        if f >= 1.0 {
            f64::from(k)
        } else {
            (1.0 - libm::pow(f, f64::from(k))) / (1.0 - f)
        }
    }

    /// The variance of the attempts one event takes (a geometric count stopped at `k`).
    pub fn attempts_variance(f: f64, k: u32) -> f64 {
        let (mut m1, mut m2) = (0.0, 0.0);
        for j in 1..=k {
            let p = if j < k {
                libm::pow(f, f64::from(j - 1)) * (1.0 - f)
            } else {
                libm::pow(f, f64::from(k - 1))
            };
            m1 += f64::from(j) * p;
            m2 += f64::from(j * j) * p;
        }
        m2 - m1 * m1
    }

    /// The share of polls every `interval_s` that find nothing new, with events a Poisson process at `rate`:
    /// `e^(−rate · interval)`.
    pub fn empty_poll_share(rate: f64, interval_s: f64) -> f64 {
        libm::exp(-rate * interval_s)
    }
}

#[cfg(test)]
mod tests {
    use super::theory::*;

    #[test]
    fn the_arithmetic_matches_a_hand_computation() {
        // f = 0.5, k = 3: 1 − 1/8 and 1 + 0.5 + 0.25.
        assert_eq!(delivered_share(0.5, 3), 0.875);
        assert_eq!(attempts_per_event(0.5, 3), 1.75);
        // attempts 1, 2, 3 with probabilities 1/2, 1/4, 1/4: E[X²] = 0.5 + 1 + 2.25 = 3.75, var = 3.75 − 1.75².
        assert!((attempts_variance(0.5, 3) - (3.75 - 1.75 * 1.75)).abs() < 1e-12);
        assert_eq!(attempts_per_event(1.0, 4), 4.0);
        assert!((empty_poll_share(2.0, 1.0) - (-2.0f64).exp()).abs() < 1e-12);
    }
}
