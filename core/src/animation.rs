//! Requests in flight for the traffic layer: which hops are on a wire at a simulated instant, and how far
//! along, sampled so the page never draws more than a fixed number of dots.
//!
//! Sampling is by request, not by hop: a request is shown when a mix of its id is a multiple of the stride,
//! so a shown request is shown on every hop, out and back. When too many dots would be on screen the stride
//! doubles; multiples of `2s` are multiples of `s`, so the requests still shown are a subset of those shown
//! before and no dot jumps or vanishes mid-wire. When traffic falls the stride halves again. Everything here
//! is deterministic: the same run gives the same dots whatever the frame rate.

use crate::ids::NodeIdx;
use crate::time::SimTime;
use crate::trace::{HopClass, HopOutcome, HopRecord};

/// Dots the page draws at most by default.
pub const DEFAULT_MAX_DOTS: usize = 2_000;

/// One dot to draw: a message between two nodes, `progress` of the way along.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dot {
    /// sending node
    pub from: NodeIdx,
    /// receiving node (equal to `from` for a client's timeout, drawn in place)
    pub to: NodeIdx,
    /// how far along the wire, 0 at departure and 1 on arrival
    pub progress: f64,
    /// what it carries (a request going down, or a response of some outcome going back)
    pub outcome: HopOutcome,
    /// whose traffic (a client's, a DNS lookup, a node's own request)
    pub class: HopClass,
}

/// Hops currently on a wire, sampled to at most `max_dots`.
#[derive(Debug)]
pub struct Flights {
    active: Vec<HopRecord>,
    max_dots: usize,
    stride: u64,
    seen: u64,
    kept: u64,
}

/// How long a timeout or loss marker stays visible after it happens [ns] (a quarter of a simulated second
/// keeps it readable at 1x without cluttering fast runs).
const MARKER_NS: u64 = 250_000_000;

/// Spreads consecutive request ids over the stride classes (SplitMix64's finaliser), so sampling "every
/// s-th id" does not pick one client's requests only.
fn mix(id: u64) -> u64 {
    let mut z = id.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Flights {
    /// At most `max_dots` dots at a time (at least 1).
    pub fn new(max_dots: usize) -> Flights {
        Flights {
            active: Vec::new(),
            max_dots: max_dots.max(1),
            stride: 1,
            seen: 0,
            kept: 0,
        }
    }

    /// Forgets everything (a reset or a restarted run).
    pub fn clear(&mut self) {
        self.active.clear();
        self.stride = 1;
        self.seen = 0;
        self.kept = 0;
    }

    fn shown(&self, rec: &HopRecord) -> bool {
        mix(rec.request.0).is_multiple_of(self.stride)
    }

    /// Takes the hops the engine recorded since the last frame (`Sim::drain_trace`), keeping the sampled ones,
    /// and drops those that have arrived by `now`.
    pub fn ingest(&mut self, hops: impl IntoIterator<Item = HopRecord>, now: SimTime) {
        self.expire(now);
        for rec in hops {
            self.seen += 1;
            if !self.shown(&rec) {
                continue;
            }
            self.kept += 1;
            self.active.push(rec);
            if self.active.len() > self.max_dots {
                self.expire(now);
            }
            while self.active.len() > self.max_dots {
                self.stride = self.stride.saturating_mul(2);
                let stride = self.stride;
                self.active
                    .retain(|r| mix(r.request.0).is_multiple_of(stride));
            }
        }
        // Traffic fell: show more of it again. Each halving doubles the expected number of dots; halving
        // keeps every request shown now (multiples of s are multiples of s/2), so nothing vanishes.
        let mut expected = self.active.len();
        while self.stride > 1 && expected * 4 <= self.max_dots {
            self.stride /= 2;
            expected *= 2;
        }
    }

    /// Drops hops that have arrived (and markers whose time is up) by `now`.
    fn expire(&mut self, now: SimTime) {
        self.active.retain(|r| {
            let end = match r.outcome {
                HopOutcome::TimedOut | HopOutcome::Lost => {
                    r.arrive.as_nanos().saturating_add(MARKER_NS)
                }
                _ => r.arrive.as_nanos(),
            };
            end >= now.as_nanos()
        });
    }

    /// The dots at simulated time `t`, written into `out` (cleared first) so a frame allocates nothing.
    /// Hops that have not departed yet at `t` are left out; arrived ones are dropped.
    pub fn dots_at(&mut self, t: SimTime, out: &mut Vec<Dot>) {
        self.expire(t);
        out.clear();
        for r in &self.active {
            let (depart, arrive) = (r.depart.as_nanos(), r.arrive.as_nanos());
            if depart > t.as_nanos() {
                continue;
            }
            let progress = if arrive <= depart {
                1.0
            } else {
                ((t.as_nanos() - depart) as f64 / (arrive - depart) as f64).min(1.0)
            };
            out.push(Dot {
                from: r.from,
                to: r.to,
                progress,
                outcome: r.outcome,
                class: r.class,
            });
        }
    }

    /// Hops on a wire now (after sampling).
    pub fn len(&self) -> usize {
        self.active.len()
    }

    /// Whether no hop is shown.
    pub fn is_empty(&self) -> bool {
        self.active.is_empty()
    }

    /// The share of requests drawn [0..1]: 1 when every request is shown.
    pub fn shown_fraction(&self) -> f64 {
        1.0 / self.stride as f64
    }

    /// Hops offered and hops kept since the start (or the last `clear`).
    pub fn counts(&self) -> (u64, u64) {
        (self.seen, self.kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::ids::RequestId;
    use crate::sim::Sim;

    fn hop(id: u64, depart_ms: u64, arrive_ms: u64, outcome: HopOutcome) -> HopRecord {
        HopRecord {
            request: RequestId(id),
            from: NodeIdx(0),
            to: NodeIdx(1),
            depart: SimTime::from_nanos(depart_ms * 1_000_000),
            arrive: SimTime::from_nanos(arrive_ms * 1_000_000),
            outcome,
            class: HopClass::Client,
        }
    }

    fn ms(v: u64) -> SimTime {
        SimTime::from_nanos(v * 1_000_000)
    }

    #[test]
    fn a_dot_moves_from_departure_to_arrival_then_disappears() {
        let mut f = Flights::new(10);
        f.ingest([hop(1, 10, 20, HopOutcome::Request)], ms(10));
        let mut dots = Vec::new();
        f.dots_at(ms(15), &mut dots);
        assert_eq!(dots.len(), 1);
        assert!((dots[0].progress - 0.5).abs() < 1e-12);
        f.dots_at(ms(5), &mut dots);
        assert!(
            dots.iter().all(|d| d.progress >= 0.0),
            "a hop not yet departed is not drawn: {dots:?}"
        );
        f.dots_at(ms(21), &mut dots);
        assert!(dots.is_empty());
        assert!(f.is_empty());
    }

    #[test]
    fn timeouts_stay_visible_briefly_as_markers() {
        let mut f = Flights::new(10);
        f.ingest([hop(1, 100, 100, HopOutcome::TimedOut)], ms(100));
        let mut dots = Vec::new();
        f.dots_at(ms(200), &mut dots);
        assert_eq!(dots.len(), 1);
        assert_eq!(dots[0].progress, 1.0);
        f.dots_at(ms(400), &mut dots);
        assert!(dots.is_empty());
    }

    #[test]
    fn heavy_traffic_is_sampled_under_the_cap_by_whole_requests() {
        let mut f = Flights::new(100);
        // 10 000 requests in flight at once, each with an outgoing and a returning hop.
        let hops: Vec<HopRecord> = (0..10_000u64)
            .flat_map(|i| {
                [
                    hop(i, 0, 1000, HopOutcome::Request),
                    hop(i, 0, 1000, HopOutcome::Ok),
                ]
            })
            .collect();
        f.ingest(hops, ms(0));
        assert!(f.len() <= 100, "{} dots", f.len());
        assert!(f.len() >= 25, "the cap is used, not starved: {}", f.len());
        assert!(
            f.shown_fraction() < 0.02 && f.shown_fraction() > 0.002,
            "{}",
            f.shown_fraction()
        );
        // Both hops of every shown request are kept.
        let mut dots = Vec::new();
        f.dots_at(ms(500), &mut dots);
        let requests = dots
            .iter()
            .filter(|d| d.outcome == HopOutcome::Request)
            .count();
        let responses = dots.iter().filter(|d| d.outcome == HopOutcome::Ok).count();
        assert_eq!(requests, responses);
    }

    #[test]
    fn the_stride_relaxes_when_traffic_falls() {
        let mut f = Flights::new(100);
        let burst: Vec<HopRecord> = (0..10_000u64)
            .map(|i| hop(i, 0, 10, HopOutcome::Request))
            .collect();
        f.ingest(burst, ms(0));
        assert!(f.shown_fraction() < 1.0);
        f.ingest([hop(20_000, 20, 30, HopOutcome::Request)], ms(20));
        assert_eq!(
            f.shown_fraction(),
            1.0,
            "with the burst gone every request is shown again"
        );
    }

    #[test]
    fn a_real_run_animates_within_the_cap_at_any_frame_rate() {
        // Below the cap (50 dots; the example has a handful of requests in flight) nothing is sampled, so
        // the dots at an instant must not depend on how the run was sliced into frames. A cap of 2 forces
        // sampling; then the cap must hold at every frame.
        let mut t = fixtures::three_tier();
        t.settings.duration_s = 5.0;
        let run = |frame_ms: u64, cap: usize| {
            let mut sim = Sim::new(&t).expect("the example builds");
            let mut f = Flights::new(cap);
            let mut dots = Vec::new();
            let mut drawn = Vec::new();
            let mut now = 0;
            while now <= 5_000 {
                now += frame_ms;
                sim.run_until(ms(now), u64::MAX);
                f.ingest(sim.drain_trace(), ms(now));
                f.dots_at(ms(now), &mut dots);
                assert!(dots.len() <= cap);
                if now.is_multiple_of(100) {
                    drawn.push(dots.len());
                }
            }
            drawn
        };
        let at_10ms = run(10, 50);
        assert!(
            at_10ms.iter().any(|&n| n > 2),
            "something moves: {at_10ms:?}"
        );
        assert_eq!(
            at_10ms,
            run(20, 50),
            "dots at the same instants do not depend on the frame length"
        );
        assert!(run(10, 2).iter().any(|&n| n > 0));
    }
}
