//! The top bar: product mark, diagram name, diagram commands, gallery, files and sharing, and the run
//! controls. Below 1100 px some of them move into an overflow menu, below 900 px most of them (see
//! `layout::in_menu`); each control is rendered in exactly one place.

use playground_core::editor::Action;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::layout::{Ctl, LayoutAction, LayoutHandle, Tier, in_menu};
use crate::live::RunControls;
use crate::share_ui::ShareTools;
use crate::state::Handle;

/// Props of the parts of the header that sit either in the bar or in the overflow menu.
#[derive(Properties, PartialEq)]
pub struct PartProps {
    /// render the controls that sit in the menu (else those in the bar)
    #[prop_or_default]
    pub menu: bool,
}

/// Whether `ctl` is rendered by the part with `menu`, at the page's current tier.
pub fn shown_here(layout: Option<&LayoutHandle>, ctl: Ctl, menu: bool) -> bool {
    in_menu(layout.map_or(Tier::Wide, |l| l.tier), ctl) == menu
}

/// The diagram's name, New, Undo, Redo and Zoom to fit: those in the overflow menu (`menu`) or those in the
/// bar. A function of the App's own state, not a component (see [`header`]).
fn diagram_tools(state: &Handle, layout: &LayoutHandle, menu: bool) -> Html {
    let here = |c: Ctl| shown_here(Some(layout), c, menu);
    let act = |a: Action| {
        let state = state.clone();
        let layout = layout.clone();
        Callback::from(move |_: MouseEvent| {
            layout.dispatch(LayoutAction::Menu(false));
            state.dispatch(a.clone())
        })
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
    let any = [Ctl::New, Ctl::Undo, Ctl::Redo, Ctl::Fit]
        .into_iter()
        .any(here);
    html! {
        <div class="toolbar">
            if here(Ctl::Name) {
                <input class="diagram-name" type="text" data-field="name" aria-label="Diagram name"
                    placeholder="Untitled diagram" value={ed.doc.name.clone()} onchange={rename} />
            }
            if any {
                <div class="toolbar-buttons" role="group" aria-label="Diagram">
                    if here(Ctl::New) {
                        <button type="button" class="btn" data-action="new" title="New diagram (asks first)" onclick={act(Action::AskNew)}>
                            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 3h8l4 4v14H6z M14 3v4h4 M12 11v6 M9 14h6" /></svg>
                            <span class="btn-text">{ "New" }</span>
                        </button>
                    }
                    if here(Ctl::Undo) {
                        <button type="button" class="btn" data-action="undo" title="Undo (Ctrl+Z)" aria-label="Undo" disabled={!ed.can_undo()} onclick={act(Action::Undo)}>
                            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M9 14L4 9l5-5 M4 9h11a5 5 0 0 1 0 10h-4" /></svg>
                            <span class="btn-text">{ "Undo" }</span>
                        </button>
                    }
                    if here(Ctl::Redo) {
                        <button type="button" class="btn" data-action="redo" title="Redo (Ctrl+Shift+Z or Ctrl+Y)" aria-label="Redo" disabled={!ed.can_redo()} onclick={act(Action::Redo)}>
                            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M15 14l5-5-5-5 M20 9H9a5 5 0 0 0 0 10h4" /></svg>
                            <span class="btn-text">{ "Redo" }</span>
                        </button>
                    }
                    if here(Ctl::Fit) {
                        <button type="button" class="btn" data-action="fit" title="Zoom to fit (Shift+1)" aria-label="Zoom to fit" onclick={act(Action::ZoomToFit)}>
                            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 9V4h5 M15 4h5v5 M20 15v5h-5 M9 20H4v-5" /></svg>
                            <span class="btn-text">{ "Fit" }</span>
                        </button>
                    }
                </div>
            }
        </div>
    }
}

/// Top bar: product mark, the bar's controls, and below 1100 px the overflow menu with the rest.
/// A function of the App's own state, not a component: a component of its own costs about 3 KB of Wasm
/// (BENCHMARKS.md, "issue 22's third pass"), and the App renders whenever what it shows changes.
pub fn header(layout: &LayoutHandle, state: &Handle) -> Html {
    let (tier, open) = (layout.tier, layout.menu);
    let toggle = {
        let l = layout.clone();
        Callback::from(move |_: MouseEvent| l.dispatch(LayoutAction::Menu(!l.menu)))
    };
    html! {
        <header class="topbar" data-region="header" data-tier={tier.word()}>
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
            { diagram_tools(state, layout, false) }
            <ShareTools />
            <RunControls />
            if tier != Tier::Wide {
                <button type="button" class={classes!("btn", "icon-only", "menu-btn", open.then_some("active"))} data-action="menu"
                    title="More controls" aria-label="More controls" aria-haspopup="true" aria-expanded={open.to_string()}
                    aria-controls="more-menu" onclick={toggle}>
                    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 6h16 M4 12h16 M4 18h16" /></svg>
                </button>
            }
            if open && tier != Tier::Wide {
                <div class="more-menu" id="more-menu" role="region" aria-label="More controls" data-menu="more">
                    <p class="menu-heading">{ "Diagram" }</p>
                    { diagram_tools(state, layout, true) }
                    <p class="menu-heading">{ "Share and files" }</p>
                    <ShareTools menu=true />
                    <p class="menu-heading">{ "Simulation" }</p>
                    <RunControls menu=true />
                </div>
            }
        </header>
    }
}
