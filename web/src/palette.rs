//! The palette: every kind the core registers, grouped by category. Press and drag an item onto the canvas
//! to place it; click it (or press Enter) to place it in the middle of the view.

use playground_core::editor::{Action, Input};
use playground_core::{Category, KINDS, Kind};
use yew::prelude::*;

use crate::icons::{category_class, icon};
use crate::layout::{LayoutAction, LayoutHandle, Tier};
use crate::panels::sheet_head;
use crate::state::{CanvasBox, Handle};

const GROUPS: &[(Category, &str)] = &[
    (Category::Traffic, "Traffic"),
    (Category::Network, "Network"),
    (Category::Compute, "Compute"),
    (Category::Data, "Data"),
    (Category::Messaging, "Messaging"),
    (Category::Resilience, "Resilience"),
];

/// Left column: the component palette.
#[component]
pub fn PaletteArea() -> Html {
    let Some(state) = use_context::<Handle>() else {
        return html! {};
    };
    let canvas = use_context::<CanvasBox>().unwrap_or_default();
    let layout = use_context::<LayoutHandle>();
    let item = |kind: Kind| {
        let info = kind.info();
        let down = {
            let state = state.clone();
            let canvas = canvas.clone();
            Callback::from(move |e: PointerEvent| {
                if e.button() != 0 {
                    return;
                }
                // A drag must not select page text or scroll.
                e.prevent_default();
                canvas.measure();
                state.dispatch(Action::Pointer(Input::PaletteDown {
                    kind,
                    pointer: e.pointer_id(),
                }));
            })
        };
        // A click, tap or Enter adds the card on free space in view, closes the sheet on a narrow screen so
        // it can be seen, and gives it the focus.
        let click = {
            let state = state.clone();
            let layout = layout.clone();
            Callback::from(move |_: MouseEvent| {
                state.dispatch(Action::AddNodeInView(kind));
                if let Some(l) = &layout
                    && l.tier == Tier::Narrow
                {
                    l.dispatch(LayoutAction::Sheet(None));
                }
                crate::focus::selected_card_later();
            })
        };
        html! {
            <li>
                <button type="button" class={classes!("palette-item", category_class(Some(info.category)))}
                    data-kind={info.name} title={format!("{} — drag onto the canvas, or click to add", info.hint)}
                    onpointerdown={down} onclick={click}>
                    <span class="palette-icon">{ icon(info.name, Some(info.category)) }</span>
                    <span class="palette-text">
                        <span class="palette-name">{ info.title }</span>
                        <span class="palette-hint">{ info.hint }</span>
                    </span>
                </button>
            </li>
        }
    };
    html! {
        <aside class="panel palette" id="sheet-palette" data-region="palette" aria-label="Component palette">
            { sheet_head(layout.as_ref(), "Add a component") }
            <h2 class="panel-title">{ "Components" }</h2>
            { for GROUPS.iter().filter_map(|(cat, name)| {
                let kinds: Vec<Kind> = KINDS.iter().filter(|k| k.category == *cat).map(|k| k.kind).collect();
                (!kinds.is_empty()).then(|| html! {
                    <section class="palette-group" aria-label={*name}>
                        <h3 class="palette-group-title">{ *name }</h3>
                        <ul class="palette-list">{ for kinds.into_iter().map(item) }</ul>
                    </section>
                })
            }) }
            <p class="palette-tip">{ "Drag onto the canvas, or click (tap) to add in view. Drag a card's right-hand dot to another card to connect, or press C on a focused card." }</p>
        </aside>
    }
}
