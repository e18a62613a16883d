//! The two views of "no lost work": the banner that says this tab now saves on its own (another tab has the
//! playground open) and offers to make this tab's diagram the main one, and the restore list (File →
//! Restore), the last few diagrams autosave replaced, each opened as one undoable step. Storage is `tabs.rs`'s.

use std::rc::Rc;

use playground_core::Topology;
use playground_core::editor::storage::{self, HistoryEntry};
use playground_core::editor::{Action, Tone};
use yew::prelude::*;

use crate::session::{SessionAction, SessionHandle};
use crate::state::Handle;
use crate::tabs::{self, TabNews};

/// "3 min ago" for a time [ms since 1970].
fn ago(saved_ms: f64) -> String {
    let s = ((js_sys::Date::now() - saved_ms) / 1000.0).max(0.0);
    if s < 60.0 {
        "just now".into()
    } else if s < 3600.0 {
        format!("{:.0} min ago", s / 60.0)
    } else if s < 86_400.0 {
        format!("{:.0} h ago", s / 3600.0)
    } else {
        format!("{:.0} days ago", s / 86_400.0)
    }
}

/// The banner shown while this tab saves on its own; starts the tab coordination.
#[component]
pub fn TabBanner() -> Html {
    let state = use_context::<Handle>();
    let news = use_state(|| None::<TabNews>);
    {
        let set = news.setter();
        use_effect_with((), move |_| {
            tabs::start(Callback::from(move |n| set.set(Some(n))));
        });
    }
    let Some(state) = state else {
        return html! {};
    };
    let text = match *news {
        Some(TabNews::OtherTabOpen) => {
            "The playground is open in another tab too. So that neither overwrites the other, this tab saves its changes separately."
        }
        Some(TabNews::OtherTabSaved) => {
            "Another tab saved your diagram. So that neither overwrites the other, this tab now saves its changes separately."
        }
        Some(TabNews::TookMain) => {
            "This tab's diagram is now your main diagram; the one it replaced is in File → Restore."
        }
        None => return html! {},
    };
    let take = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let doc = Rc::clone(&state.ed.doc);
            if !tabs::take_main(&storage::encode(&doc), &doc) {
                state.dispatch(Action::Notify {
                    tone: Tone::Error,
                    text: "Could not save to this browser's storage.".into(),
                });
            }
        })
    };
    let dismiss = {
        let news = news.clone();
        Callback::from(move |_: MouseEvent| news.set(None))
    };
    let own = *news != Some(TabNews::TookMain);
    html! {
        <div class="tab-banner" role="status" data-tab-banner={if own { "own" } else { "main" }}>
            <span>{ text }</span>
            if own {
                <button type="button" class="btn" data-action="take-main" onclick={take}
                    title="Save this tab's diagram as your main one (the other tab's goes to File → Restore)">
                    { "Make this my main diagram" }
                </button>
            }
            <button type="button" class="notice-close" aria-label="Dismiss" onclick={dismiss}>{ "×" }</button>
        </div>
    }
}

/// The restore list (File → Restore): the last diagrams autosave replaced, newest first. A function, not a component: a
/// component of its own costs about 3 KB of Wasm (BENCHMARKS.md, "issue 22's third pass").
pub fn restore_dialog(state: &Handle, session: &SessionHandle) -> Html {
    if !session.restore {
        return html! {};
    }
    let entries: Vec<HistoryEntry> = tabs::history();
    let close = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::Restore(false)))
    };
    let rows = entries.iter().enumerate().map(|(i, e)| {
        let open = {
            let (state, session, text) = (state.clone(), session.clone(), e.text.clone());
            Callback::from(move |_: MouseEvent| {
                let Ok(doc) = Topology::from_json(&text) else {
                    return;
                };
                let name = if doc.name.is_empty() { "the diagram".to_string() } else { format!("“{}”", doc.name) };
                state.dispatch(Action::Replace(Box::new(doc)));
                state.dispatch(Action::Notify {
                    tone: Tone::Info,
                    text: format!("Restored {name}. Undo brings back what was here."),
                });
                session.dispatch(SessionAction::Restore(false));
            })
        };
        let name = if e.name.is_empty() { "Untitled diagram".to_string() } else { e.name.clone() };
        let why = match e.why.as_str() {
            "session" => "as it was when the page opened",
            "other tab" => "from another tab",
            _ => "replaced",
        };
        html! {
            <li class="restore-item" data-restore-item={i.to_string()}>
                <span class="restore-name">{ name }</span>
                <span class="restore-meta">{ format!("{} nodes · {} · {}", e.nodes, why, ago(e.saved_ms)) }</span>
                <button type="button" class="btn" data-action="restore-open" onclick={open}>{ "Open" }</button>
            </li>
        }
    });
    html! {
        <section class="share-panel restore-panel" role="dialog" aria-label="Restore an earlier diagram" data-restore-panel="">
            <div class="share-head">
                <strong>{ "Restore an earlier diagram" }</strong>
                <button type="button" class="notice-close" aria-label="Close" title="Close (Esc)" onclick={close}>{ "×" }</button>
            </div>
            if entries.is_empty() {
                <p class="share-note">{ "Nothing to restore yet: when a new, imported or very different diagram replaces yours, the one replaced is kept here." }</p>
            } else {
                <p class="share-note">{ "The last diagrams replaced in this browser, newest first. Opening one replaces this diagram; Undo brings it back." }</p>
                <ul class="restore-list">{ for rows }</ul>
            }
        </section>
    }
}
