//! The gallery, chapter by chapter in the curriculum's order (core `curriculum::sections`) with a search: a
//! card per built-in scenario (title, topic, explanation, what to try and what to watch) and per challenge
//! (its brief, its goals, solved or not). Opening one shows its diagram alongside the user's own work.

use playground_core::Topology;
use playground_core::challenges::{self, Challenge};
use playground_core::curriculum::{self, Section};
use playground_core::editor::opening::{ChallengeLink, Visit};
use playground_core::scenarios::{self, Scenario};
use playground_core::share;
use yew::prelude::*;

use crate::challenge::load_progress;

use crate::run::RunCtx;
use crate::session::{self, Content, SessionAction, SessionHandle};
use crate::state::Handle;

/// Chapters a first opening shows at once (a phone's screen shows the first one or two).
const FIRST_CHAPTERS: usize = 2;
/// Chapters added each painted frame after that (one: each is a task short enough not to block input).
const MORE_CHAPTERS: usize = 1;

/// The gallery dialog, shown while the session says so; Escape or the close button closes it.
#[component]
pub fn Gallery() -> Html {
    let state = use_context::<Handle>();
    let session = use_context::<SessionHandle>();
    let run = use_context::<RunCtx>();
    let dialog = use_node_ref();
    let query = use_state(String::new);
    let open = session.as_ref().is_some_and(|s| s.gallery);
    // A first opening shows the first chapters, then a few more each painted frame: a first visit opens the
    // gallery while the page starts, and all of it at once is one long task.
    let shown = use_state(|| FIRST_CHAPTERS);
    {
        // Counted from when the chapters can be listed (the shipped diagrams are there), not from the opening.
        let shown = shown.clone();
        let listing = open && playground_core::content::ready();
        use_effect_with((listing, *shown), move |(listing, n)| {
            if *listing && *n < curriculum::CHAPTERS.len() {
                let next = n + MORE_CHAPTERS;
                crate::after_paint(move || shown.set(next));
            }
        });
    }
    {
        // Focus moves into the dialog so keyboard users start on the first card.
        let dialog = dialog.clone();
        use_effect_with(open, move |open| {
            if *open && let Some(el) = dialog.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let (Some(state), Some(session)) = (state, session) else {
        return html! {};
    };
    if !open {
        return html! {};
    }
    let close = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::Gallery(false)))
    };
    let backdrop = {
        let session = session.clone();
        Callback::from(move |e: MouseEvent| {
            // Only a click on the backdrop itself, not one that bubbled up from the dialog.
            if e.target() == e.current_target() {
                session.dispatch(SessionAction::Gallery(false));
            }
        })
    };
    let opener = |s: &'static Scenario| {
        let (state, session, run) = (state.clone(), session.clone(), run.clone());
        move || {
            session::visit(
                &state,
                &session,
                run.as_ref(),
                s.topology(),
                Visit::Scenario(s),
                share::scenario_url_fragment(s.name),
            )
        }
    };
    // A challenge opens on its start, or on the learner's solution (the link that also checks it).
    let open_challenge = |c: &'static Challenge, solution: Option<Topology>| {
        let (state, session, run) = (state.clone(), session.clone(), run.clone());
        move || {
            let hash = ChallengeLink::fragment(&c.name, solution.as_ref());
            let doc = solution.clone().unwrap_or_else(|| c.start.clone());
            session::visit(
                &state,
                &session,
                run.as_ref(),
                doc,
                Visit::Challenge(c),
                hash,
            )
        }
    };
    let progress = load_progress();
    let scenario_card = |s: &'static Scenario| {
        let go = opener(s);
        let on_click = Callback::from(move |_: MouseEvent| go());
        html! {
            <article class="scenario-card" data-scenario={s.name} key={format!("scenario:{}", s.name)}>
                <p class="scenario-topic">{ s.topic }</p>
                <h4 class="scenario-title">{ s.title }</h4>
                <p class="scenario-text">{ s.explanation() }</p>
                <details class="scenario-more">
                    <summary>{ "Try this · watch" }</summary>
                    <h5>{ "Try this" }</h5>
                    <ul>{ for s.try_this().iter().map(|t| html! { <li>{ t.as_str() }</li> }) }</ul>
                    <h5>{ "Watch" }</h5>
                    <ul>{ for s.watch().iter().map(|t| html! { <li>{ t.as_str() }</li> }) }</ul>
                </details>
                <button type="button" class="btn primary" data-action="open-scenario" onclick={on_click}>{ "Open" }</button>
            </article>
        }
    };
    let challenge_card = |c: &'static Challenge| {
        let go = open_challenge(c, None);
        let on_click = Callback::from(move |_: MouseEvent| go());
        let solved = progress.is_solved(&c.name);
        let mine = progress.solution(&c.name).map(|d| {
            let go = open_challenge(c, Some(d));
            Callback::from(move |_: MouseEvent| go())
        });
        html! {
            <article class={classes!("challenge-card", solved.then_some("solved"))} data-challenge-card={c.name.clone()} key={format!("challenge:{}", c.name)}>
                <p class="scenario-topic">{ "Challenge" }
                    if solved { <span class="solved-badge" data-solved="">{ "Solved" }</span> }
                </p>
                <h4 class="scenario-title">{ &c.title }</h4>
                <p class="scenario-text">{ &c.brief }</p>
                <details class="scenario-more">
                    <summary>{ format!("{} goals", c.goals.len()) }</summary>
                    <ul>{ for c.goals.iter().map(|g| html! { <li>{ g.text(&c.start) }</li> }) }</ul>
                </details>
                <div class="card-actions">
                    <button type="button" class="btn primary" data-action="open-challenge" onclick={on_click}>{ if solved { "Start again" } else { "Try it" } }</button>
                    if let Some(mine) = mine {
                        <button type="button" class="btn" data-action="open-solution" title="Open your solution and its result" onclick={mine}>{ "My solution" }</button>
                    }
                </div>
            </article>
        }
    };
    // The cards open diagrams that arrive after start (`session::load_content`); until then, a line says so.
    let waiting = (!playground_core::content::ready()).then(|| match &session.content {
        Content::Failed(why) => why.clone(),
        _ => "Loading the scenarios and challenges…".to_string(),
    });
    let sections = if waiting.is_some() {
        Vec::new()
    } else {
        curriculum::sections(&query)
    };
    let section = |sec: &Section| {
        let info = sec.chapter;
        let (solved, total) = progress.chapter_count(info.chapter);
        let count = (total > 0).then(|| format!("{solved} of {total} challenges solved"));
        html! {
            <section class="gallery-chapter" data-chapter={info.number.to_string()} key={info.number}>
                <h3 class="chapter-title">{ format!("{}. {}", info.number, info.title) }
                    if let Some(count) = count { <span class="chapter-count">{ count }</span> }
                </h3>
                <p class="chapter-note">{ info.note }</p>
                if !sec.scenarios.is_empty() || !sec.challenges.is_empty() {
                    <div class="gallery-grid">
                        { for sec.scenarios.iter().map(|s| scenario_card(s)) }
                        { for sec.challenges.iter().map(|c| challenge_card(c)) }
                    </div>
                }
            </section>
        }
    };
    let on_search = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            use wasm_bindgen::JsCast;
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                query.set(input.value());
            }
        })
    };
    let (solved_all, total_all) = progress.total_count();
    let mine = if session.visit.is_some() {
        "Opening a scenario leaves your own diagram saved and untouched."
    } else {
        "A scenario opens beside your own diagram: it stays saved, and the banner takes you back."
    };
    html! {
        <div class="gallery-backdrop" onclick={backdrop}>
            <section class="gallery" role="dialog" aria-modal="true" aria-labelledby="gallery-title" data-gallery="" tabindex="-1" ref={dialog}>
                <div class="gallery-head">
                    <div>
                        <h2 id="gallery-title">{ "Gallery" }</h2>
                        <p class="gallery-note">{ format!("{} ready-made systems, each teaching one idea, and {} challenges to design ({solved_all} of {total_all} solved), chapter by chapter. {mine}", scenarios::all().len(), challenges::all().len()) }</p>
                    </div>
                    <button type="button" class="btn" data-action="close-gallery" title="Close (Esc)" onclick={close}>{ "Close" }</button>
                </div>
                <input type="search" class="gallery-search" data-gallery-search="" placeholder="Search scenarios and challenges" aria-label="Search the gallery" value={(*query).clone()} oninput={on_search} />
                if let Some(waiting) = waiting {
                    <p class="gallery-empty" data-gallery-waiting="">{ waiting }</p>
                } else if sections.is_empty() {
                    <p class="gallery-empty">{ "Nothing matches. Try another word." }</p>
                }
                // A list of its own, so chapters added later are appended, not the dialog rebuilt.
                <div class="gallery-chapters">{ for sections.iter().take(*shown).map(section) }</div>
            </section>
        </div>
    }
}
