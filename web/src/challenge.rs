//! The challenge view, while a challenge is open (`#challenge=<name>`): its brief and conditions, its goals,
//! hints revealed one at a time, "Check my design" (core's `challenges::Check`, run a slice of events per
//! animation frame so the page keeps drawing, with a progress bar and Cancel), each goal's verdict with its
//! measured value, interval and the mechanism behind a failure, the reference solution (an undoable
//! replacement, after a first check), and the solved challenges kept in `localStorage`. On a wide screen it
//! sits at the top of the inspector column; on a narrow one it floats over the canvas. Either folds away.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::render::{AnimationFrame, request_animation_frame};
use playground_core::Topology;
use playground_core::challenges::progress::PROGRESS_KEY;
use playground_core::challenges::{Challenge, Check, CheckResult, Progress, Refusal};
use playground_core::editor::opening::{ChallengeLink, Visit};
use playground_core::editor::{Action, Tone};
use yew::prelude::*;

use crate::layout::{LayoutHandle, Tier};
use crate::session::SessionHandle;
use crate::state::{Handle, local_storage};

/// Events run per slice; slices repeat within a frame until [`FRAME_MS`] has passed.
const SLICE_EVENTS: u64 = 20_000;
/// Time spent checking per animation frame [ms], so the page stays responsive.
const FRAME_MS: f64 = 12.0;

/// The solved challenges and shown hints, as `localStorage` holds them.
pub fn load_progress() -> Progress {
    let text = local_storage().and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten());
    Progress::decode(text.as_deref())
}

fn save_progress(p: &Progress) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(PROGRESS_KEY, &p.encode());
    }
}

/// Where a check stands.
#[derive(Clone, Debug, PartialEq)]
enum Verdict {
    /// no check yet
    None,
    /// running: how far, 0–1
    Running(f64),
    /// finished, with the design it judged
    Done(Rc<CheckResult>, Rc<Topology>),
    /// the design could not be run
    Refused(Refusal),
}

/// A check in progress and the frame that runs its next slice (dropping it cancels the frame).
struct Running {
    check: Check<'static>,
    design: Rc<Topology>,
    _frame: Option<AnimationFrame>,
}

type Slot = Rc<RefCell<Option<Running>>>;

/// Runs slices of the check for about [`FRAME_MS`], reports progress, and asks for the next frame until done.
fn pump(slot: Slot, report: Callback<Verdict>) {
    let start = crate::run::now_ms();
    let finished = {
        let mut guard = slot.borrow_mut();
        let Some(r) = guard.as_mut() else { return };
        let mut out = None;
        while out.is_none() && crate::run::now_ms() - start < FRAME_MS {
            out = r.check.step(SLICE_EVENTS);
        }
        match out {
            Some(result) => Some((result, r.design.clone())),
            None => {
                report.emit(Verdict::Running(r.check.progress()));
                None
            }
        }
    };
    if let Some((result, design)) = finished {
        slot.borrow_mut().take();
        report.emit(Verdict::Done(Rc::new(result), design));
        return;
    }
    let next = {
        let (slot, report) = (slot.clone(), report.clone());
        request_animation_frame(move |_| pump(slot, report))
    };
    if let Some(r) = slot.borrow_mut().as_mut() {
        r._frame = Some(next);
    }
}

/// The open challenge's panel; nothing when no challenge is open or when the other placement applies: `floating` over
/// the canvas (narrow screens) rather than in the inspector column. A function, not a component: a component of its own
/// costs about 3 KB of Wasm (BENCHMARKS.md, "issue 22's third pass").
pub fn challenge_panel(
    session: Option<&SessionHandle>,
    layout: Option<&LayoutHandle>,
    floating: bool,
) -> Html {
    let narrow = layout.is_some_and(|l| l.tier == Tier::Narrow);
    let Some((Visit::Challenge(c), hash)) = session.and_then(|s| s.visit.clone()) else {
        return html! {};
    };
    if floating != narrow {
        return html! {};
    }
    html! { <ChallengeView key={c.name.clone()} challenge={c} hash={hash} floating={floating} /> }
}

/// Properties of [`ChallengeView`].
#[derive(Properties, PartialEq)]
struct ViewProps {
    challenge: &'static Challenge,
    hash: String,
    floating: bool,
}

/// One challenge's view (keyed by its name, so another challenge starts afresh).
#[component]
fn ChallengeView(props: &ViewProps) -> Html {
    let state = use_context::<Handle>();
    let verdict = use_state(|| Verdict::None);
    let progress = use_state(load_progress);
    let slot: Slot = use_mut_ref(|| None);
    let folded = use_state(|| false);
    {
        // Leaving the challenge stops a running check.
        let slot = slot.clone();
        use_effect_with((), move |_| {
            move || {
                slot.borrow_mut().take();
            }
        });
    }
    {
        // A verdict scrolls into view, so the learner sees it without hunting for it.
        let done = matches!(*verdict, Verdict::Done(..) | Verdict::Refused(_));
        let serial = match &*verdict {
            Verdict::Done(r, _) => Rc::as_ptr(r) as usize,
            Verdict::Refused(r) => r.problems.len() + 1,
            _ => 0,
        };
        use_effect_with(serial, move |_| {
            if done
                && let Some(el) = gloo::utils::document()
                    .query_selector("[data-challenge] .challenge-result")
                    .ok()
                    .flatten()
            {
                el.scroll_into_view_with_bool(true);
            }
        });
    }
    let c = props.challenge;
    let hash = props.hash.clone();
    let report = {
        let (verdict, progress) = (verdict.clone(), progress.clone());
        let name = c.name.clone();
        Callback::from(move |v: Verdict| {
            if let Verdict::Done(r, design) = &v
                && r.passed()
            {
                let mut p = load_progress();
                p.solve(&name, design);
                save_progress(&p);
                progress.set(p);
            }
            verdict.set(v);
        })
    };
    let start_check = {
        let (slot, report, state) = (slot.clone(), report.clone(), state.clone());
        move || {
            let Some(state) = &state else { return };
            let design = Rc::new((*state.ed.doc).clone());
            match Check::start(c, &design) {
                Ok(check) => {
                    *slot.borrow_mut() = Some(Running {
                        check,
                        design,
                        _frame: None,
                    });
                    report.emit(Verdict::Running(0.0));
                    pump(slot.clone(), report.clone());
                }
                Err(refusal) => report.emit(Verdict::Refused(refusal)),
            }
        }
    };
    {
        // A shared solution (`#challenge=<name>&d=…`) opens with its result: the check starts by itself.
        let start_check = start_check.clone();
        let auto = ChallengeLink::parse(&hash).is_some_and(|l| l.design.is_some());
        use_effect_with(hash.clone(), move |_| {
            if auto {
                start_check();
            }
        });
    }
    let Some(state) = state else {
        return html! {};
    };
    let on_check = {
        let start_check = start_check.clone();
        Callback::from(move |_: MouseEvent| start_check())
    };
    let on_cancel = {
        let (slot, verdict) = (slot.clone(), verdict.clone());
        Callback::from(move |_: MouseEvent| {
            slot.borrow_mut().take();
            verdict.set(Verdict::None);
        })
    };
    let hints_shown = progress.hints_shown(&c.name).min(c.hints.len());
    let on_hint = {
        let progress = progress.clone();
        let (name, n) = (c.name.clone(), c.hints.len());
        Callback::from(move |_: MouseEvent| {
            let mut p = load_progress();
            p.reveal_hint(&name, n);
            save_progress(&p);
            progress.set(p);
        })
    };
    let tried = !matches!(*verdict, Verdict::None | Verdict::Running(_));
    let solved = progress.is_solved(&c.name);
    let on_reference = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::Replace(Box::new(c.reference.clone())));
            state.dispatch(Action::Notify {
                tone: Tone::Info,
                text: "The reference solution is open. Undo brings your design back.".into(),
            });
        })
    };
    let on_fold = {
        let folded = folded.clone();
        Callback::from(move |_: MouseEvent| folded.set(!*folded))
    };
    let chapter = c.chapter.info();
    let head = html! {
        <div class="challenge-head">
            <p class="challenge-chapter">{ format!("Challenge · {}. {}", chapter.number, chapter.title) }</p>
            <button type="button" class="btn small challenge-fold" data-action="fold-challenge" aria-expanded={(!*folded).to_string()} onclick={on_fold}>
                { if *folded { "Show" } else { "Hide" } }
            </button>
            <h2 class="challenge-title">{ &c.title }
                if solved { <span class="solved-badge" data-solved="">{ "Solved" }</span> }
            </h2>
        </div>
    };
    let check_row = match &*verdict {
        Verdict::Running(f) => html! {
            <div class="challenge-running" role="status" data-check="running">
                <progress max="1" value={format!("{f:.3}")} aria-label="Check progress"></progress>
                <span>{ format!("Checking… {:.0} %", f * 100.0) }</span>
                <button type="button" class="btn small" data-action="cancel-check" onclick={on_cancel}>{ "Cancel" }</button>
            </div>
        },
        _ => html! {
            <div class="challenge-actions">
                <button type="button" class="btn primary" data-action="check-design" onclick={on_check}>{ "Check my design" }</button>
                <button type="button" class="btn" data-action="show-reference" disabled={!(tried || solved)}
                    title={ if tried || solved { "Open the reference solution (Undo brings your design back)" } else { "Check your design first" } }
                    onclick={on_reference}>{ "Show reference solution" }</button>
            </div>
        },
    };
    let result = match &*verdict {
        Verdict::Done(r, design) => result_view(c, r, design),
        Verdict::Refused(refusal) => html! {
            <div class="challenge-result" data-check="refused" role="status">
                <p class="check-summary fail">{ "The design cannot be checked yet:" }</p>
                <ul>{ for refusal.problems.iter().map(|p| html! { <li>{ p }</li> }) }</ul>
            </div>
        },
        _ => html! {},
    };
    let body = html! {
        <>
            <p class="challenge-brief" data-challenge-brief="">{ &c.brief }</p>
            <h3>{ "Goals" }</h3>
            <ul class="challenge-goals">
                { for c.goals.iter().map(|g| html! { <li>{ g.text(&c.start) }</li> }) }
            </ul>
            { check_row }
            { result }
            if !c.hints.is_empty() {
                <div class="challenge-hints">
                    <ol>{ for c.hints[..hints_shown].iter().map(|h| html! { <li data-hint="">{ h }</li> }) }</ol>
                    if hints_shown < c.hints.len() {
                        <button type="button" class="btn small" data-action="hint" onclick={on_hint}>
                            { format!("Show a hint ({} of {})", hints_shown + 1, c.hints.len()) }
                        </button>
                    }
                </div>
            }
            <details class="challenge-conditions">
                <summary>{ "How it is checked" }</summary>
                <ul>{ for c.conditions().into_iter().map(|t| html! { <li>{ t }</li> }) }</ul>
            </details>
        </>
    };
    let class = classes!(
        "challenge-panel",
        props.floating.then_some("floating"),
        (*folded).then_some("folded")
    );
    html! {
        <section class={class} data-challenge={c.name.clone()} aria-label="Challenge">
            { head }
            if !*folded { { body } }
        </section>
    }
}

/// The verdict: a summary, each goal passed or failed with its measured value and why, and for a pass the
/// link that opens this design and its result.
fn result_view(c: &'static Challenge, r: &CheckResult, design: &Topology) -> Html {
    let passed = r.passed();
    let link = passed.then(|| {
        format!(
            "{}{}",
            crate::share_ui::page_base(),
            ChallengeLink::fragment(&c.name, Some(design))
        )
    });
    let select = Callback::from(|e: FocusEvent| {
        use wasm_bindgen::JsCast;
        if let Some(t) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        {
            t.select();
        }
    });
    html! {
        <div class="challenge-result" data-check={ if passed { "passed" } else { "failed" } } role="status">
            <p class={classes!("check-summary", if passed { "pass" } else { "fail" })}>{ r.summary() }</p>
            <ul class="goal-results">
                { for r.goals.iter().map(|g| {
                    let seeds = if g.values.len() > 1 {
                        format!(" · {} of {} seeds", g.passed_seeds, g.values.len())
                    } else {
                        String::new()
                    };
                    html! {
                        <li class={classes!("goal-result", if g.passed { "pass" } else { "fail" })} data-goal={ if g.passed { "passed" } else { "failed" } }>
                            <span class="goal-mark" aria-hidden="true">{ if g.passed { "✓" } else { "✗" } }</span>
                            <span class="goal-text">{ &g.text }</span>
                            <span class="goal-measured">{ format!("{}{seeds}", g.measured) }</span>
                            if !g.why.is_empty() {
                                <ul class="goal-why">{ for g.why.iter().map(|w| html! { <li>{ w }</li> }) }</ul>
                            }
                        </li>
                    }
                }) }
            </ul>
            { for r.notes.iter().map(|n| html! { <p class="check-note">{ n }</p> }) }
            if let Some(link) = link {
                <div class="challenge-share">
                    <label for="challenge-link">{ "Share this solution: the link opens your design and its result." }</label>
                    <textarea id="challenge-link" class="share-link" data-challenge-link="" readonly=true rows="2" onfocus={select} value={link} />
                </div>
            }
        </div>
    }
}
