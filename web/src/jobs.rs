//! The sliced-job pump the lab views share (`lab.rs`, `sweep.rs`): a long computation of core (replications,
//! a comparison, a sweep) stepped a slice of events at a time for about [`FRAME_MS`] per animation frame, so
//! the page keeps drawing; dropping the job (Cancel, Close, unmount) cancels its next frame.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::render::{AnimationFrame, request_animation_frame};
use yew::Callback;

/// Events per slice; slices repeat within a frame until [`FRAME_MS`] has passed.
pub const SLICE_EVENTS: u64 = 20_000;
/// Time spent running per animation frame [ms].
pub const FRAME_MS: f64 = 12.0;

/// What a frame of a job reports.
#[derive(Clone, Debug, PartialEq)]
pub enum Tick<S> {
    /// still running: the progress from 0 to 1
    Running(f64),
    /// finished with this
    Done(S),
    /// stopped with this message
    Failed(String),
}

/// A job: its step (a slice of at most so many events: `Some` when finished) and its progress.
pub struct Job<S> {
    step: Box<dyn FnMut(u64) -> Result<Option<S>, String>>,
    progress: Box<dyn Fn() -> f64>,
    frame: Option<AnimationFrame>,
}

impl<S> Job<S> {
    /// A job of `step` and `progress`.
    pub fn new(
        step: impl FnMut(u64) -> Result<Option<S>, String> + 'static,
        progress: impl Fn() -> f64 + 'static,
    ) -> Job<S> {
        Job {
            step: Box::new(step),
            progress: Box::new(progress),
            frame: None,
        }
    }
}

/// Where a view keeps its job (`None` when nothing runs).
pub type Slot<S> = Rc<RefCell<Option<Job<S>>>>;

/// Runs slices of the job in `slot` for about [`FRAME_MS`], reports, and asks for the next frame until the
/// job finishes, fails or is dropped.
pub fn pump<S: 'static>(slot: Slot<S>, report: Callback<Tick<S>>) {
    let start = crate::run::now_ms();
    let outcome = {
        let mut guard = slot.borrow_mut();
        let Some(job) = guard.as_mut() else { return };
        let mut out = Ok(None);
        while matches!(out, Ok(None)) && crate::run::now_ms() - start < FRAME_MS {
            out = (job.step)(SLICE_EVENTS);
        }
        match out {
            Ok(None) => {
                report.emit(Tick::Running((job.progress)()));
                None
            }
            Ok(Some(done)) => Some(Tick::Done(done)),
            Err(e) => Some(Tick::Failed(e)),
        }
    };
    if let Some(done) = outcome {
        slot.borrow_mut().take();
        report.emit(done);
        return;
    }
    let next = {
        let (slot, report) = (slot.clone(), report.clone());
        request_animation_frame(move |_| pump(slot, report))
    };
    if let Some(j) = slot.borrow_mut().as_mut() {
        j.frame = Some(next);
    }
}

/// Puts `job` in `slot` and starts pumping it, reporting `Running(0)` first.
pub fn start<S: 'static>(slot: &Slot<S>, job: Job<S>, report: &Callback<Tick<S>>) {
    *slot.borrow_mut() = Some(job);
    report.emit(Tick::Running(0.0));
    pump(slot.clone(), report.clone());
}

/// The visited gallery scenario that opens a lab view, with the address fragment it came from (the key the
/// views open their preset on: a new visit opens it again, a rerender does not).
pub fn visited_lab(
    session: Option<&crate::session::SessionHandle>,
) -> Option<(String, &'static playground_core::scenarios::Scenario)> {
    use playground_core::editor::opening::Visit;
    match session.and_then(|s| s.visit.clone()) {
        Some((Visit::Scenario(s), hash)) if s.lab.is_some() => Some((hash, s)),
        _ => None,
    }
}
