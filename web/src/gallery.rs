//! The scenario gallery: a card per built-in scenario (core `scenarios::all`) with its title, curriculum topic,
//! explanation, what to try and what to watch. Opening one shows its diagram alongside the user's own work.

use playground_core::editor::opening::Visit;
use playground_core::scenarios::{self, Scenario};
use playground_core::share;
use yew::prelude::*;

use crate::run::RunCtx;
use crate::session::{self, SessionAction, SessionHandle};
use crate::state::Handle;

/// The gallery dialog, shown while the session says so; Escape or the close button closes it.
#[component]
pub fn Gallery() -> Html {
    let state = use_context::<Handle>();
    let session = use_context::<SessionHandle>();
    let run = use_context::<RunCtx>();
    let dialog = use_node_ref();
    let open = session.as_ref().is_some_and(|s| s.gallery);
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
    let cards = scenarios::all().iter().map(|s| {
        let go = opener(s);
        let on_click = Callback::from(move |_: MouseEvent| go());
        html! {
            <article class="scenario-card" data-scenario={s.name} key={s.name}>
                <p class="scenario-topic">{ s.topic }</p>
                <h3 class="scenario-title">{ s.title }</h3>
                <p class="scenario-text">{ s.explanation }</p>
                <details class="scenario-more">
                    <summary>{ "Try this · watch" }</summary>
                    <h4>{ "Try this" }</h4>
                    <ul>{ for s.try_this.iter().map(|t| html! { <li>{ *t }</li> }) }</ul>
                    <h4>{ "Watch" }</h4>
                    <ul>{ for s.watch.iter().map(|t| html! { <li>{ *t }</li> }) }</ul>
                </details>
                <button type="button" class="btn primary" data-action="open-scenario" onclick={on_click}>{ "Open" }</button>
            </article>
        }
    });
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
                        <h2 id="gallery-title">{ "Scenario gallery" }</h2>
                        <p class="gallery-note">{ format!("{} ready-made systems, each teaching one idea. {mine}", scenarios::all().len()) }</p>
                    </div>
                    <button type="button" class="btn" data-action="close-gallery" title="Close (Esc)" onclick={close}>{ "Close" }</button>
                </div>
                <div class="gallery-grid">{ for cards }</div>
            </section>
        </div>
    }
}
