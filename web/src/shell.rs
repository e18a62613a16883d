//! The top bar: product name, diagram name, diagram commands, gallery, files and sharing, and the run controls.

use playground_core::editor::Action;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::live::RunControls;
use crate::share_ui::ShareTools;
use crate::state::Handle;

/// Top bar: product name, diagram name, New, Undo, Redo, Zoom to fit.
#[component]
pub fn Header() -> Html {
    let state = use_context::<Handle>();
    let tools = state.map(|state| {
        let act = |a: Action| {
            let state = state.clone();
            Callback::from(move |_: MouseEvent| state.dispatch(a.clone()))
        };
        let rename = {
            let state = state.clone();
            Callback::from(move |e: Event| {
                let value = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    .map(|i| i.value());
                if let Some(v) = value {
                    state.dispatch(Action::Rename(v));
                }
            })
        };
        let ed = &state.ed;
        html! {
            <div class="toolbar">
                <input class="diagram-name" type="text" data-field="name" aria-label="Diagram name"
                    placeholder="Untitled diagram" value={ed.doc.name.clone()} onchange={rename} />
                <div class="toolbar-buttons" role="toolbar" aria-label="Diagram">
                    <button type="button" class="btn" data-action="new" title="New diagram (asks first)" onclick={act(Action::AskNew)}>
                        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 3h8l4 4v14H6z M14 3v4h4 M12 11v6 M9 14h6" /></svg>
                        <span class="btn-text">{ "New" }</span>
                    </button>
                    <button type="button" class="btn" data-action="undo" title="Undo (Ctrl+Z)" disabled={!ed.can_undo()} onclick={act(Action::Undo)}>
                        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M9 14L4 9l5-5 M4 9h11a5 5 0 0 1 0 10h-4" /></svg>
                        <span class="btn-text">{ "Undo" }</span>
                    </button>
                    <button type="button" class="btn" data-action="redo" title="Redo (Ctrl+Shift+Z or Ctrl+Y)" disabled={!ed.can_redo()} onclick={act(Action::Redo)}>
                        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M15 14l5-5-5-5 M20 9H9a5 5 0 0 0 0 10h4" /></svg>
                        <span class="btn-text">{ "Redo" }</span>
                    </button>
                    <button type="button" class="btn" data-action="fit" title="Zoom to fit (Shift+1)" onclick={act(Action::ZoomToFit)}>
                        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 9V4h5 M15 4h5v5 M20 15v5h-5 M9 20H4v-5" /></svg>
                        <span class="btn-text">{ "Fit" }</span>
                    </button>
                </div>
            </div>
        }
    });
    html! {
        <header class="topbar" data-region="header">
            <div class="brand" title={playground_core::PRODUCT_NAME}>
                <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
                    <circle cx="5" cy="12" r="3" />
                    <circle cx="19" cy="6" r="3" />
                    <circle cx="19" cy="18" r="3" />
                    <path d="M8 11 L16 7 M8 13 L16 17" />
                </svg>
                <h1 class="brand-name">{ playground_core::PRODUCT_NAME }</h1>
                <span class="brand-version">{ format!("v{}", playground_core::VERSION) }</span>
            </div>
            { for tools }
            <ShareTools />
            <RunControls />
        </header>
    }
}
