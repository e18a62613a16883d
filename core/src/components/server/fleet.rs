//! Autoscaling: a server node as a group of instances, each adding `workers` worker slots, whose size a
//! target-tracking policy moves between `min` and `max`.
//!
//! Every `interval_s` the policy reads its metric over the interval just ended and asks for
//! `desired = ⌈metric_total / target⌉` instances, clamped to `[min, max]` (AWS target tracking:
//! `⌈current × metric / target⌉`, with the metric per instance):
//! - `cpu`: the busy workers' time average over the interval, in instances' worth of workers: desired =
//!   ⌈mean busy / (workers × target_utilization)⌉;
//! - `queue_per_instance`: desired = ⌈mean queue length / target_queue⌉;
//! - `rps_per_instance`: desired = ⌈arrivals per second / target_rps⌉.
//!
//! It compares that with the instances it has or is booting. More: the missing ones start booting and serve
//! `boot_s` later (a cold start). Fewer: instances still booting are cancelled first, then ready ones drain:
//! a draining instance takes no new request and leaves once the requests it holds are done (none is lost).
//! No two scaling actions are closer than `cooldown_s`. Booting and draining instances are billed.

use serde::{Deserialize, Serialize};

use super::SlotState;
use crate::components::{Action, Ctx, check_num, check_range};
use crate::digest::Digest;
use crate::tagged;
use crate::time::SimTime;
use crate::vocab::{Family, Term, Vocab};

/// The timer slot of the policy's evaluation.
pub(super) const TICK: u32 = u32::MAX - 10;
/// The timer slot of an instance's boot (its token is the instance's index).
pub(super) const BOOTED: u32 = u32::MAX - 11;

/// The most points and events a fleet's report keeps (later ones are counted, not listed).
pub const MAX_RECORDS: usize = 10_000;

/// What the policy tracks, and its target per instance. JSON: `{"type": "cpu", "target_utilization": 0.6}`,
/// `{"type": "queue_per_instance", "target_queue": 5}`, `{"type": "rps_per_instance", "target_rps": 100}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Track {
    /// the busy workers' share of the ready instances' workers
    Cpu {
        /// the utilisation to hold [0.01..1], default 0.6
        target_utilization: f64,
    },
    /// requests waiting in the queue per ready instance
    QueuePerInstance {
        /// queued requests per instance to hold [0.01..10⁶], default 5
        target_queue: f64,
    },
    /// requests arriving per second per ready instance
    RpsPerInstance {
        /// requests per second per instance to hold [0.001..10⁶], default 100
        target_rps: f64,
    },
}

fn sixty_percent() -> f64 {
    0.6
}
fn five() -> f64 {
    5.0
}
fn hundred() -> f64 {
    100.0
}

static TRACK: tagged::Shape = tagged::Shape {
    name: "Track",
    tag: "type",
    variants: &["cpu", "queue_per_instance", "rps_per_instance"],
    fields: Some(&[&["target_utilization"], &["target_queue"], &["target_rps"]]),
};

/// Read by [`crate::tagged`].
impl<'de> Deserialize<'de> for Track {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        tagged::read(d, &TRACK, |variant, f| {
            Ok(match variant {
                0 => Track::Cpu {
                    target_utilization: f.or("target_utilization", sixty_percent)?,
                },
                1 => Track::QueuePerInstance {
                    target_queue: f.or("target_queue", five)?,
                },
                _ => Track::RpsPerInstance {
                    target_rps: f.or("target_rps", hundred)?,
                },
            })
        })
    }
}

impl Default for Track {
    fn default() -> Self {
        Track::Cpu {
            target_utilization: 0.6,
        }
    }
}

impl Track {
    /// The target, and its field's dotted path.
    fn target(self) -> (&'static str, f64) {
        match self {
            Track::Cpu { target_utilization } => {
                ("autoscale.track.target_utilization", target_utilization)
            }
            Track::QueuePerInstance { target_queue } => {
                ("autoscale.track.target_queue", target_queue)
            }
            Track::RpsPerInstance { target_rps } => ("autoscale.track.target_rps", target_rps),
        }
    }

    /// How the inspector names the metrics and their targets.
    pub const FAMILY: Family = Family {
        variants: &[
            ("cpu", "CPU (busy workers)"),
            ("queue_per_instance", "Queue per instance"),
            ("rps_per_instance", "Requests/s per instance"),
        ],
        fields: &Vocab {
            terms: &[
                Term::new("target_utilization", "Target utilisation").unit("0–1"),
                Term::new("target_queue", "Target queue per instance"),
                Term::new("target_rps", "Target req/s per instance").unit("req/s"),
            ],
        },
        template: |variant, _| match variant {
            "queue_per_instance" => serde_json::json!({"type": variant, "target_queue": 5.0}),
            "rps_per_instance" => serde_json::json!({"type": variant, "target_rps": 100.0}),
            _ => serde_json::json!({"type": "cpu", "target_utilization": 0.6}),
        },
    };
}

/// A server's autoscaling policy (target tracking).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Autoscale {
    /// the metric tracked and its target per instance, default `cpu` at 0.6
    pub track: Track,
    /// fewest instances [1..1000], default 1
    pub min: u32,
    /// most instances [1..1000; below `min` it is taken as `min`], default 8
    pub max: u32,
    /// time from the decision to an instance serving (cold start) [s], default 10
    pub boot_s: f64,
    /// least time between two scaling actions [s], default 10
    pub cooldown_s: f64,
    /// how often the policy reads its metric and decides [s], default 5
    pub interval_s: f64,
}

impl Default for Autoscale {
    fn default() -> Self {
        Autoscale {
            track: Track::default(),
            min: 1,
            max: 8,
            boot_s: 10.0,
            cooldown_s: 10.0,
            interval_s: 5.0,
        }
    }
}

impl Autoscale {
    /// Range problems as `(field, message)`.
    pub fn problems(&self, out: &mut Vec<(String, String)>) {
        let nums = [
            self.track.target(),
            ("autoscale.boot_s", self.boot_s),
            ("autoscale.cooldown_s", self.cooldown_s),
            ("autoscale.interval_s", self.interval_s),
        ];
        for (f, v) in nums {
            check_num(out, f, v, 0.0);
        }
        let counts = [
            ("autoscale.min", f64::from(self.min)),
            ("autoscale.max", f64::from(self.max)),
        ];
        for (f, v) in nums.into_iter().chain(counts) {
            check_range(out, f, v);
        }
    }

    /// The most instances: `max`, or `min` when that is larger.
    pub fn most(&self) -> u32 {
        self.max.max(self.min).max(1)
    }

    /// How the inspector names the policy's fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("track", "Track").family(&Track::FAMILY),
            Term::new("min", "Fewest instances").integer(),
            Term::new("max", "Most instances").integer(),
            Term::new("boot_s", "Boot time (cold start)").unit("s"),
            Term::new("cooldown_s", "Cooldown").unit("s"),
            Term::new("interval_s", "Evaluate every").unit("s"),
        ],
    };
}

/// One instance's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Inst {
    /// not running (not billed)
    Off,
    /// booting, serving from `ready_at`, started by scaling action `event`
    Booting { ready_at: SimTime, event: usize },
    /// serving
    Ready,
    /// taking no new request, leaving once the ones it holds are done
    Draining,
}

/// The fleet's size at a time (a step of the instance-count series).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FleetPoint {
    /// when [s]
    pub t_s: f64,
    /// instances serving
    pub ready: u32,
    /// instances booting
    pub booting: u32,
    /// instances draining
    pub draining: u32,
}

/// One scaling action.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScaleEvent {
    /// when the policy decided (the trigger) [s]
    pub at_s: f64,
    /// instances running or booting before it
    pub from: u32,
    /// instances it asked for
    pub to: u32,
    /// the metric it read (its total over the ready instances: busy workers, queued requests or req/s)
    pub metric: f64,
    /// a scale-out: when the last instance it started became ready [s] (`null` until then, or if cancelled)
    pub ready_s: Option<f64>,
}

/// An autoscaled server's report block: `nodes.<id>.fleet`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FleetReport {
    /// the policy's bounds
    pub min: u32,
    pub max: u32,
    /// instances serving now
    pub instances: u32,
    /// instances booting now
    pub booting: u32,
    /// instances draining now
    pub draining: u32,
    /// the most instances running at once (booting, serving or draining)
    pub peak_instances: u32,
    /// instance time billed in the measurement window (booting, serving and draining) [s]
    pub instance_seconds: f64,
    /// `instance_seconds` over the window's length: what the node costs in instances
    pub mean_instances: f64,
    /// worker time taken over the worker time of the instances serving, in the window [0..1] (the node's
    /// `utilization` is this figure)
    pub utilization: f64,
    /// scaling actions out and in over the run
    pub scale_outs: u64,
    pub scale_ins: u64,
    /// the fleet's size at each change, from time 0 (at most `MAX_RECORDS`)
    pub timeline: Vec<FleetPoint>,
    /// every scaling action (at most `MAX_RECORDS`)
    pub events: Vec<ScaleEvent>,
}

impl FleetReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            u64::from(self.min),
            u64::from(self.max),
            u64::from(self.instances),
            u64::from(self.booting),
            u64::from(self.draining),
            u64::from(self.peak_instances),
            self.scale_outs,
            self.scale_ins,
        ]);
        h.f64s(&[self.instance_seconds, self.mean_instances, self.utilization]);
        for p in &self.timeline {
            h.f64s(&[p.t_s]);
            h.u64s(&[
                u64::from(p.ready),
                u64::from(p.booting),
                u64::from(p.draining),
            ]);
        }
        for e in &self.events {
            h.f64s(&[e.at_s, e.metric, e.ready_s.unwrap_or(-1.0)]);
            h.u64s(&[u64::from(e.from), u64::from(e.to)]);
        }
    }

    /// Its line in the runner's table.
    pub fn table_part(&self) -> String {
        format!(
            "instances {} (+{} booting, {} draining), mean {:.2}, peak {}, busy {:.1} % of those serving, \
             {:.0} instance-s, {} out / {} in",
            self.instances,
            self.booting,
            self.draining,
            self.mean_instances,
            self.utilization * 100.0,
            self.peak_instances,
            self.instance_seconds,
            self.scale_outs,
            self.scale_ins
        )
    }
}

/// The policy's state: the instances, the meters of the current interval, and the record.
pub(super) struct Fleet {
    pub cfg: Autoscale,
    pub interval: SimTime,
    /// worker slots per instance
    pub workers: u32,
    pub inst: Vec<Inst>,
    /// worker slots taken (serving or waiting on a call), over every instance
    pub taken: u32,
    last_action: Option<SimTime>,
    /// meters since the last evaluation: busy-slot and queue time integrals [ns × count], arrivals
    metered: SimTime,
    busy_area: u128,
    queue_area: u128,
    pub arrivals: u64,
    /// instances serving (kept with every change), and in the window the worker time taken and the worker
    /// time of the instances serving [ns × workers]
    ready_n: u32,
    window_busy: u128,
    window_open: u128,
    /// the worker time of the instances serving since the series last took it [ns × workers]
    open_since_taken: u128,
    /// billing: instance time in the measurement window so far [ns], up to `billed`
    window: (SimTime, SimTime),
    billed: SimTime,
    instance_ns: u128,
    peak: u32,
    outs: u64,
    ins: u64,
    timeline: Vec<FleetPoint>,
    events: Vec<ScaleEvent>,
}

impl Fleet {
    /// A fleet of `start` ready instances (clamped to the policy's bounds), measured over `window`.
    pub fn new(cfg: &Autoscale, workers: u32, start: u32, window: (SimTime, SimTime)) -> Fleet {
        let max = cfg.most();
        let start = start.clamp(cfg.min.max(1), max);
        let inst = (0..max)
            .map(|i| if i < start { Inst::Ready } else { Inst::Off })
            .collect();
        let mut f = Fleet {
            cfg: cfg.clone(),
            interval: SimTime::from_secs(cfg.interval_s).max(SimTime(1)),
            workers,
            inst,
            taken: 0,
            last_action: None,
            metered: SimTime::ZERO,
            busy_area: 0,
            queue_area: 0,
            arrivals: 0,
            ready_n: start,
            window_busy: 0,
            window_open: 0,
            open_since_taken: 0,
            window,
            billed: SimTime::ZERO,
            instance_ns: 0,
            peak: start,
            outs: 0,
            ins: 0,
            timeline: Vec::new(),
            events: Vec::new(),
        };
        f.record(SimTime::ZERO);
        f
    }

    fn count(&self, pred: impl Fn(Inst) -> bool) -> u32 {
        self.inst.iter().filter(|&&s| pred(s)).count() as u32
    }

    /// The measurement window instance time is billed over.
    pub fn set_window(&mut self, window: (SimTime, SimTime)) {
        self.window = window;
    }

    /// Instances serving.
    pub fn ready(&self) -> u32 {
        self.count(|s| s == Inst::Ready)
    }

    fn booting(&self) -> u32 {
        self.count(|s| matches!(s, Inst::Booting { .. }))
    }

    /// Instances billed: booting, serving or draining.
    fn running(&self) -> u32 {
        self.count(|s| s != Inst::Off)
    }

    /// The instance worker `slot` belongs to.
    pub fn of(&self, slot: u32) -> usize {
        (slot / self.workers.max(1)) as usize
    }

    /// Whether worker `slot` may take work (its instance is serving).
    pub fn open(&self, slot: u32) -> bool {
        self.inst.get(self.of(slot)) == Some(&Inst::Ready)
    }

    /// Integrates the busy slots and the queue up to `now` (call before either changes).
    pub fn meter(&mut self, now: SimTime, queue: u32) {
        let dt = u128::from(now.since(self.metered).0);
        self.busy_area += dt * u128::from(self.taken);
        self.queue_area += dt * u128::from(queue);
        self.open_since_taken += dt * u128::from(self.ready_n) * u128::from(self.workers);
        let (busy, open) = self.window_tail(now);
        self.window_busy += busy;
        self.window_open += open;
        self.metered = now;
    }

    /// The worker time of the instances serving since the last call (metered up to the caller's clock): a
    /// series interval's capacity, so the node's utilisation is over the instances serving.
    pub fn take_open(&mut self) -> u128 {
        std::mem::take(&mut self.open_since_taken)
    }

    /// The window's worker time taken and open from the last meter to `now`.
    fn window_tail(&self, now: SimTime) -> (u128, u128) {
        let (a, b) = (self.metered.max(self.window.0), now.min(self.window.1));
        if b <= a {
            return (0, 0);
        }
        let d = u128::from(b.since(a).0);
        (
            d * u128::from(self.taken),
            d * u128::from(self.ready_n) * u128::from(self.workers),
        )
    }

    /// Bills the running instances up to `now` (call before their number changes).
    fn bill(&mut self, now: SimTime) {
        self.instance_ns += self.unbilled(now);
        self.billed = now;
    }

    fn unbilled(&self, now: SimTime) -> u128 {
        let (a, b) = (self.billed.max(self.window.0), now.min(self.window.1));
        if b > a {
            u128::from(b.since(a).0) * u128::from(self.running())
        } else {
            0
        }
    }

    fn record(&mut self, now: SimTime) {
        self.ready_n = self.ready();
        self.peak = self.peak.max(self.running());
        let p = FleetPoint {
            t_s: now.as_secs(),
            ready: self.ready(),
            booting: self.booting(),
            draining: self.count(|s| s == Inst::Draining),
        };
        let n = self.timeline.len();
        if n > 0 && self.timeline[n - 1].t_s == p.t_s {
            self.timeline[n - 1] = p;
        } else if n < MAX_RECORDS {
            self.timeline.push(p);
        }
    }

    /// The instances the policy asks for now, from the interval's meters (which it then resets), and the
    /// metric's total.
    fn desired(&mut self, now: SimTime, queue: u32) -> (u32, f64) {
        self.meter(now, queue);
        let dt = self.interval.0 as f64;
        let total = match self.cfg.track {
            Track::Cpu { .. } => self.busy_area as f64 / dt / f64::from(self.workers.max(1)),
            Track::QueuePerInstance { .. } => self.queue_area as f64 / dt,
            Track::RpsPerInstance { .. } => self.arrivals as f64 / self.interval.as_secs(),
        };
        self.busy_area = 0;
        self.queue_area = 0;
        self.arrivals = 0;
        // A relative tolerance keeps an exact quotient (3.0000000001 from rounding) from asking for one more.
        let want = libm::ceil(total / self.cfg.track.target().1 * (1.0 - 1e-12));
        let want = if want.is_finite() && want > 0.0 {
            want.min(f64::from(u32::MAX)) as u32
        } else {
            0
        };
        (want.clamp(self.cfg.min.max(1), self.cfg.most()), total)
    }

    /// The evaluation: returns the instances to boot (ready at `now + boot_s`) and those to drain; the
    /// server opens and closes their slots.
    pub fn evaluate(&mut self, now: SimTime, queue: u32) -> Decision {
        let (want, metric) = self.desired(now, queue);
        let have = self.ready() + self.booting();
        let cooled = self
            .last_action
            .is_none_or(|t| now.since(t) >= SimTime::from_secs(self.cfg.cooldown_s));
        let mut d = Decision::default();
        if want == have || !cooled {
            return d;
        }
        self.bill(now);
        self.last_action = Some(now);
        let event = self.events.len();
        if event < MAX_RECORDS {
            self.events.push(ScaleEvent {
                at_s: now.as_secs(),
                from: have,
                to: want,
                metric,
                ready_s: None,
            });
        }
        if want > have {
            self.outs += 1;
            let ready_at = now.add(SimTime::from_secs(self.cfg.boot_s));
            let off = (0..self.inst.len()).filter(|&i| self.inst[i] == Inst::Off);
            d.boot = off.take((want - have) as usize).collect();
            for &i in &d.boot {
                self.inst[i] = Inst::Booting { ready_at, event };
            }
            d.ready_at = ready_at;
        } else {
            self.ins += 1;
            let mut less = have - want;
            for i in (0..self.inst.len()).rev() {
                if less > 0 && matches!(self.inst[i], Inst::Booting { .. }) {
                    self.inst[i] = Inst::Off;
                    less -= 1;
                }
            }
            for i in (0..self.inst.len()).rev() {
                if less > 0 && self.inst[i] == Inst::Ready {
                    self.inst[i] = Inst::Draining;
                    d.drain.push(i);
                    less -= 1;
                }
            }
        }
        self.record(now);
        d
    }

    /// Instance `i`'s boot timer fires: whether it is now ready (a cancelled boot is not).
    pub fn booted(&mut self, now: SimTime, i: usize) -> bool {
        let Some(&Inst::Booting { ready_at, event }) = self.inst.get(i) else {
            return false;
        };
        if ready_at != now {
            return false;
        }
        self.bill(now);
        self.inst[i] = Inst::Ready;
        if let Some(e) = self.events.get_mut(event) {
            e.ready_s = Some(now.as_secs());
        }
        self.record(now);
        true
    }

    /// Draining instance `i` holds no request any more: it leaves.
    pub fn drained(&mut self, now: SimTime, i: usize) {
        if self.inst[i] == Inst::Draining {
            self.bill(now);
            self.inst[i] = Inst::Off;
            self.record(now);
        }
    }

    /// The report block at `now`.
    pub fn report(&self, now: SimTime) -> FleetReport {
        let seconds = (self.instance_ns + self.unbilled(now)) as f64 / 1e9;
        let len = now.min(self.window.1).since(self.window.0).as_secs();
        FleetReport {
            min: self.cfg.min,
            max: self.cfg.most(),
            instances: self.ready(),
            booting: self.booting(),
            draining: self.count(|s| s == Inst::Draining),
            peak_instances: self.peak,
            instance_seconds: seconds,
            mean_instances: if len > 0.0 { seconds / len } else { 0.0 },
            utilization: {
                let (busy, open) = self.window_tail(now);
                let open = self.window_open + open;
                if open > 0 {
                    (self.window_busy + busy) as f64 / open as f64
                } else {
                    0.0
                }
            },
            scale_outs: self.outs,
            scale_ins: self.ins,
            timeline: self.timeline.clone(),
            events: self.events.clone(),
        }
    }
}

/// What an evaluation changed: instances to boot (ready at `ready_at`) and instances now draining.
#[derive(Default)]
pub(super) struct Decision {
    pub boot: Vec<usize>,
    pub ready_at: SimTime,
    pub drain: Vec<usize>,
}

impl super::Server {
    /// Integrates the fleet's meters up to `now` (each verb calls it first, before anything changes).
    pub(super) fn meter(&mut self, now: SimTime) {
        let queue = self.queue.len() as u32;
        if let Some(f) = self.fleet.as_deref_mut() {
            f.meter(now, queue);
        }
    }

    /// Time zero: the policy's first evaluation is one interval away.
    pub(super) fn arm(&self, ctx: &mut Ctx<'_>) {
        if let Some(f) = self.fleet.as_deref() {
            ctx.out.push(Action::ServiceDone {
                at: ctx.now.add(f.interval),
                slot: TICK,
                token: 0,
            });
        }
    }

    /// A fleet timer fires (the policy's evaluation, or an instance's boot); `false` for a worker's timer.
    pub(super) fn fleet_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) -> bool {
        let queue = self.queue.len() as u32;
        let Some(f) = self.fleet.as_deref_mut() else {
            return false;
        };
        match slot {
            TICK => {
                let d = f.evaluate(ctx.now, queue);
                ctx.out.push(Action::ServiceDone {
                    at: ctx.now.add(f.interval),
                    slot: TICK,
                    token: 0,
                });
                for &i in &d.boot {
                    ctx.out.push(Action::ServiceDone {
                        at: d.ready_at,
                        slot: BOOTED,
                        token: i as u32,
                    });
                }
                for &i in &d.drain {
                    self.drain(ctx.now, i);
                }
                true
            }
            BOOTED => {
                if f.booted(ctx.now, token as usize) {
                    let per = f.workers;
                    for slot in (token * per..(token + 1) * per).rev() {
                        self.open_slot(ctx, slot);
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// Instance `i` drains: its free workers leave the free list; it leaves once none is taken.
    fn drain(&mut self, now: SimTime, i: usize) {
        let Some(f) = self.fleet.as_deref() else {
            return;
        };
        let per = f.workers;
        self.free.retain(|&s| f.of(s) != i);
        let range = i as u32 * per..(i as u32 + 1) * per;
        if range
            .clone()
            .all(|s| self.slots[s as usize].state == SlotState::Free)
        {
            self.fleet.as_deref_mut().expect("a fleet").drained(now, i);
        }
    }

    /// Worker `slot`, whose instance is not serving, is freed: it stays out of the free list, and a draining
    /// instance whose last request this was leaves.
    pub(super) fn close(&mut self, now: SimTime, slot: u32) {
        if let Some(f) = self.fleet.as_deref() {
            let i = f.of(slot);
            if f.inst[i] == Inst::Draining {
                self.drain(now, i);
            }
        }
    }

    /// The fleet's report block at `now`, if autoscaled.
    pub(super) fn fleet_report(&self, now: SimTime) -> Option<FleetReport> {
        self.fleet.as_deref().map(|f| f.report(now))
    }

    /// Sets the window instance time is billed over.
    pub(super) fn bill_window(&mut self, window: (SimTime, SimTime)) {
        if let Some(f) = self.fleet.as_deref_mut() {
            f.set_window(window);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet(track: Track) -> Fleet {
        let cfg = Autoscale {
            track,
            min: 1,
            max: 6,
            boot_s: 3.0,
            cooldown_s: 10.0,
            interval_s: 5.0,
        };
        Fleet::new(&cfg, 2, 1, (SimTime::ZERO, SimTime::MAX))
    }

    /// CPU tracking: 4 workers busy for a whole interval, 2 workers per instance, target 0.5: ⌈4 / 1⌉ = 4
    /// exactly (not 5: the quotient is whole), booting 3 more, ready exactly `boot_s` later.
    #[test]
    fn cpu_tracking_asks_for_busy_over_workers_times_target() {
        let mut f = fleet(Track::Cpu {
            target_utilization: 0.5,
        });
        f.taken = 4;
        let t = SimTime::from_secs(5.0);
        let d = f.evaluate(t, 0);
        assert_eq!(d.boot, [1, 2, 3]);
        assert_eq!(d.ready_at, SimTime::from_secs(8.0));
        assert!(!f.booted(SimTime::from_secs(7.0), 1), "not before boot_s");
        assert!(f.booted(SimTime::from_secs(8.0), 1));
        assert_eq!(f.events[0].ready_s, Some(8.0));
        assert_eq!((f.ready(), f.booting()), (2, 2));
    }

    /// Requests-per-second tracking, the cooldown and the bounds: 1000 arrivals in 5 s at 50 req/s per
    /// instance ask for 4; a drop within the cooldown changes nothing; after it the fleet drains to `min`,
    /// cancelling boots first.
    #[test]
    fn rps_tracking_cooldown_and_scale_in() {
        let mut f = fleet(Track::RpsPerInstance { target_rps: 50.0 });
        f.arrivals = 1000;
        let d = f.evaluate(SimTime::from_secs(5.0), 0);
        assert_eq!(d.boot.len(), 3);
        let d = f.evaluate(SimTime::from_secs(10.0), 0);
        assert!(
            d.boot.is_empty() && d.drain.is_empty(),
            "within the cooldown"
        );
        let d = f.evaluate(SimTime::from_secs(15.0), 0);
        assert!(d.drain.is_empty(), "the three booting are cancelled first");
        assert_eq!((f.ready(), f.booting()), (1, 0));
        f.arrivals = 1_000_000;
        let d = f.evaluate(SimTime::from_secs(25.0), 0);
        assert_eq!(d.boot.len(), 5, "clamped to max 6");
    }
}
