//! Playback pacing for the page's frame loop: turns wall-clock frame times into the simulated time the
//! chosen speed asks for, caps the work of one frame with an event budget sized from measured cost, and
//! reports the speed actually achieved. Pure (the page passes in the clock readings), so it is tested here.
//!
//! ```text
//!  frame at wall t ──> gap = clamp(t − t_prev, 0, MAX_FRAME_GAP_MS) ──> target = now + gap × speed
//!                                                                            │
//!  Sim::run_until(target, budget) ──> events, cost [ms] ──> budget ≈ events/ms × FRAME_WORK_MS
//!                                  └─> reached − now over the last second of wall time = achieved speed
//! ```
//!
//! The target is measured from where the simulation actually is, not from where it should be, so a run that
//! cannot keep up never builds a debt it would later rush through: it runs slower, and says so.

use crate::time::SimTime;

/// Slowest speed [× real time].
pub const MIN_SPEED: f64 = 0.1;
/// Fastest speed [× real time].
pub const MAX_SPEED: f64 = 1000.0;
/// Longest wall gap one frame may turn into simulated time [ms]: after a hidden tab or a stall the run
/// resumes where it was instead of jumping ahead.
pub const MAX_FRAME_GAP_MS: f64 = 100.0;
/// Wall time a frame may spend simulating [ms], leaving the rest of a 16.7 ms frame to drawing.
pub const FRAME_WORK_MS: f64 = 6.0;
/// Event budget before any cost was measured [events/frame].
pub const START_BUDGET: u64 = 5_000;
/// Bounds of the event budget [events/frame].
pub const MIN_BUDGET: u64 = 500;
/// Bounds of the event budget [events/frame].
pub const MAX_BUDGET: u64 = 2_000_000;
/// Wall time over which the achieved speed is averaged [ms].
const WINDOW_MS: f64 = 1_000.0;

/// Frame-to-frame pacing state.
#[derive(Clone, Debug, PartialEq)]
pub struct Pacer {
    speed: f64,
    last_wall_ms: Option<f64>,
    budget: u64,
    window_wall_ms: f64,
    window_sim_ms: f64,
    achieved: Option<f64>,
    limited: bool,
}

impl Default for Pacer {
    fn default() -> Pacer {
        Pacer::new(1.0)
    }
}

/// Clamps a requested speed into [`MIN_SPEED`]..=[`MAX_SPEED`] (NaN becomes 1).
pub fn clamp_speed(speed: f64) -> f64 {
    if speed.is_nan() {
        1.0
    } else {
        speed.clamp(MIN_SPEED, MAX_SPEED)
    }
}

impl Pacer {
    /// A pacer at `speed` [× real time], clamped.
    pub fn new(speed: f64) -> Pacer {
        Pacer {
            speed: clamp_speed(speed),
            last_wall_ms: None,
            budget: START_BUDGET,
            window_wall_ms: 0.0,
            window_sim_ms: 0.0,
            achieved: None,
            limited: false,
        }
    }

    /// The chosen speed [× real time].
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Changes the speed (clamped); the achieved figure starts over.
    pub fn set_speed(&mut self, speed: f64) {
        self.speed = clamp_speed(speed);
        self.window_wall_ms = 0.0;
        self.window_sim_ms = 0.0;
        self.achieved = None;
    }

    /// Forgets the last frame time (on pause, so resuming does not count the paused time).
    pub fn pause(&mut self) {
        self.last_wall_ms = None;
    }

    /// The events one frame may process now.
    pub fn budget(&self) -> u64 {
        self.budget
    }

    /// The simulated time to run to in the frame at `wall_ms` [ms, any monotonic origin], given the clock
    /// `now`. The first frame after a start or pause advances nothing.
    pub fn target(&mut self, wall_ms: f64, now: SimTime) -> SimTime {
        let gap = match self.last_wall_ms {
            Some(last) if wall_ms.is_finite() => (wall_ms - last).clamp(0.0, MAX_FRAME_GAP_MS),
            _ => 0.0,
        };
        if wall_ms.is_finite() {
            self.last_wall_ms = Some(wall_ms);
        }
        self.window_wall_ms += gap;
        SimTime(now.0.saturating_add(SimTime::from_ms(gap * self.speed).0))
    }

    /// The span one single step advances [simulated time]: one 60 Hz frame at the chosen speed.
    pub fn step_span(&self) -> SimTime {
        SimTime::from_ms(1_000.0 / 60.0 * self.speed)
    }

    /// Records what a frame did: the clock before and after, the events processed, whether the budget ran
    /// out, and what it cost [wall ms]. Resizes the budget so the next frame takes about [`FRAME_WORK_MS`].
    pub fn record(
        &mut self,
        before: SimTime,
        after: SimTime,
        events: u64,
        budget_exhausted: bool,
        cost_ms: f64,
    ) {
        self.window_sim_ms += after.0.saturating_sub(before.0) as f64 / 1e6;
        if budget_exhausted {
            self.limited = true;
        }
        if events >= 100 && cost_ms.is_finite() && cost_ms > 0.05 {
            let per_ms = events as f64 / cost_ms;
            let want = (per_ms * FRAME_WORK_MS) as u64;
            // Grow gently, shrink at once: a slow frame hurts now, a fast one only wastes a little.
            let next = if want > self.budget {
                want.min(self.budget.saturating_mul(2))
            } else {
                want
            };
            self.budget = next.clamp(MIN_BUDGET, MAX_BUDGET);
        } else if budget_exhausted {
            self.budget = self.budget.saturating_mul(2).clamp(MIN_BUDGET, MAX_BUDGET);
        }
        if self.window_wall_ms >= WINDOW_MS {
            let achieved = self.window_sim_ms / self.window_wall_ms;
            self.achieved = Some(if self.limited { achieved } else { self.speed });
            self.window_wall_ms = 0.0;
            self.window_sim_ms = 0.0;
            self.limited = false;
        }
    }

    /// The speed achieved over the last second of running [× real time], once a second has been measured.
    pub fn achieved(&self) -> Option<f64> {
        self.achieved
    }

    /// Whether the run is visibly slower than asked (under 90 % of the chosen speed).
    pub fn behind(&self) -> bool {
        self.achieved.is_some_and(|a| a < 0.9 * self.speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_is_clamped_and_nan_is_one() {
        assert_eq!(Pacer::new(0.0).speed(), MIN_SPEED);
        assert_eq!(Pacer::new(1e9).speed(), MAX_SPEED);
        assert_eq!(Pacer::new(f64::NAN).speed(), 1.0);
        let mut p = Pacer::new(2.0);
        p.set_speed(50.0);
        assert_eq!(p.speed(), 50.0);
    }

    #[test]
    fn target_follows_wall_time_times_speed() {
        let mut p = Pacer::new(10.0);
        let now = SimTime::from_ms(500.0);
        assert_eq!(
            p.target(1_000.0, now),
            now,
            "the first frame advances nothing"
        );
        assert_eq!(p.target(1_016.0, now), SimTime::from_ms(660.0));
        p.pause();
        assert_eq!(p.target(5_000.0, now), now, "paused time does not count");
    }

    #[test]
    fn a_long_gap_after_a_hidden_tab_is_clamped() {
        let mut p = Pacer::new(1.0);
        p.target(0.0, SimTime::ZERO);
        let t = p.target(60_000.0, SimTime::ZERO);
        assert_eq!(t, SimTime::from_ms(MAX_FRAME_GAP_MS));
        // A clock that goes backwards advances nothing.
        assert_eq!(p.target(10.0, t), t);
    }

    #[test]
    fn budget_follows_measured_cost_and_stays_bounded() {
        let mut p = Pacer::new(1.0);
        // 10 000 events in 2 ms: 5 000/ms, so 30 000 fit in 6 ms; growth is at most doubling per frame.
        p.record(SimTime::ZERO, SimTime::ZERO, 10_000, false, 2.0);
        assert_eq!(p.budget(), 2 * START_BUDGET);
        p.record(SimTime::ZERO, SimTime::ZERO, 10_000, false, 2.0);
        assert_eq!(p.budget(), 20_000);
        p.record(SimTime::ZERO, SimTime::ZERO, 20_000, false, 4.0);
        assert_eq!(p.budget(), 30_000);
        // A slow frame shrinks it at once.
        p.record(SimTime::ZERO, SimTime::ZERO, 30_000, true, 60.0);
        assert_eq!(p.budget(), 3_000);
        p.record(SimTime::ZERO, SimTime::ZERO, 1_000, true, 1_000.0);
        assert_eq!(p.budget(), MIN_BUDGET);
    }

    #[test]
    fn achieved_speed_shows_when_the_budget_limits() {
        let mut p = Pacer::new(100.0);
        let mut now = SimTime::ZERO;
        p.target(0.0, now);
        assert_eq!(p.achieved(), None);
        // 70 frames of 16 ms in which the budget lets the clock move only 160 ms: 10x, not 100x.
        for i in 1..=70 {
            let t = p.target(f64::from(i) * 16.0, now);
            let reached = SimTime(now.0 + SimTime::from_ms(160.0).0).min(t);
            p.record(now, reached, 1_000, true, 6.0);
            now = reached;
        }
        let a = p.achieved().expect("a second was measured");
        assert!((a - 10.0).abs() < 1e-9, "{a}");
        assert!(p.behind());
    }

    #[test]
    fn keeping_up_reports_the_chosen_speed() {
        let mut p = Pacer::new(5.0);
        let mut now = SimTime::ZERO;
        p.target(0.0, now);
        for i in 1..=70 {
            let t = p.target(f64::from(i) * 16.0, now);
            p.record(now, t, 200, false, 0.5);
            now = t;
        }
        assert_eq!(p.achieved(), Some(5.0));
        assert!(!p.behind());
        assert_eq!(p.step_span(), SimTime::from_ms(1_000.0 / 60.0 * 5.0));
    }
}
