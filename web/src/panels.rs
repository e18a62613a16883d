//! The page's small pieces around the canvas: on narrow screens the tab bar that opens the bottom sheets, each
//! sheet's head with its close button, and the one-line live strip of the run; on every screen a card's
//! context menu (long press or right click), the banner while connecting without a pointer, and the keyboard
//! shortcut sheet (`?`).

use playground_core::FaultAction;
use playground_core::editor::keys::SHORTCUTS;
use playground_core::editor::{Action, Target, display};
use yew::prelude::*;

use crate::layout::{ContextMenu, LayoutAction, LayoutHandle, Sheet, Tier};
use crate::run::{Cmd, RunCtx, Status};
use crate::state::Handle;

/// A bottom sheet's title and close button (narrow screens only; elsewhere the panel's own title shows). A
/// function of the panel's `layout`, not a component: a component of its own costs about 3 KB of Wasm
/// (BENCHMARKS.md, "issue 22's third pass").
pub fn sheet_head(layout: Option<&LayoutHandle>, title: &'static str) -> Html {
    let Some(layout) = layout.filter(|l| l.tier == Tier::Narrow) else {
        return html! {};
    };
    let close = {
        let layout = layout.clone();
        Callback::from(move |_: MouseEvent| layout.dispatch(LayoutAction::Sheet(None)))
    };
    html! {
        <div class="sheet-head">
            <span class="sheet-grip" aria-hidden="true" />
            <h2 class="sheet-title">{ title }</h2>
            <button type="button" class="notice-close sheet-close" data-action="close-sheet" aria-label={format!("Close {title}")} title="Close (Esc)" onclick={close}>{ "×" }</button>
        </div>
    }
}

fn tab_icon(sheet: Sheet) -> &'static str {
    match sheet {
        Sheet::Palette => "M12 5v14 M5 12h14",
        Sheet::Inspector => {
            "M4 6h10 M18 6h2 M4 12h4 M12 12h8 M4 18h12 M20 18h0 M14 4v4 M8 10v4 M16 16v4"
        }
        Sheet::Metrics => "M4 20V10 M10 20V4 M16 20v-7 M22 20H2",
        Sheet::Why => "M9 9a3 3 0 1 1 4 2.8c-.7.3-1 .9-1 1.7V15 M12 19h.01",
    }
}

/// Pans the view so card `id` is clear of the inspector drawer about to open over the canvas's right
/// side (a tablet held upright: the drawer is about 340 px wide), when it would be under it.
pub fn reveal(state: &Handle, id: &str) {
    let ed = &state.ed;
    let Some(n) = ed.doc.node(id) else { return };
    let (w, _) = ed.canvas;
    let drawer = (w * 0.46).min(340.0);
    if w - drawer < 200.0 {
        // A phone: the inspector is a bottom sheet, the card stays above it or is one swipe away.
        return;
    }
    let v = ed.viewport;
    let right = v
        .to_screen(playground_core::editor::geometry::Point::new(
            n.position.x + playground_core::editor::geometry::NODE_W,
            n.position.y,
        ))
        .x;
    let room = w - drawer - 16.0;
    if right > room {
        let mut next = v;
        next.pan.x -= right - room;
        state.dispatch(Action::SetViewport(next));
    }
}

/// The tab bar of a narrow screen: Add (palette), Inspect, Metrics, Why, each opening its bottom sheet.
/// A function of the App's own state, not a component: a component of its own costs about 3 KB of Wasm
/// (BENCHMARKS.md, "issue 22's third pass"), and the App renders whenever what it shows changes.
pub fn tab_bar(layout: &LayoutHandle, state: &Handle, run: &RunCtx) -> Html {
    if layout.tier != Tier::Narrow {
        return html! {};
    }
    let selected = !state.ed.selection.is_empty();
    let findings = run
        .snap
        .findings
        .iter()
        .filter(|f| f.level >= playground_core::explain::Level::Warning)
        .count();
    let tabs = Sheet::ALL.iter().map(|&sheet| {
        let open = layout.sheet == Some(sheet);
        let onclick = {
            let (layout, state) = (layout.clone(), state.clone());
            Callback::from(move |_: MouseEvent| {
                if sheet == Sheet::Inspector
                    && layout.sheet != Some(sheet)
                    && let Some(Target::Node(id)) = state.ed.selection.single()
                {
                    reveal(&state, &id);
                }
                layout.dispatch(LayoutAction::ToggleSheet(sheet))
            })
        };
        let dot = match sheet {
            Sheet::Inspector => selected.then(|| "•".to_string()),
            Sheet::Why => (findings > 0).then(|| findings.to_string()),
            _ => None,
        };
        html! {
            <button type="button" class={classes!("tab", open.then_some("open"))} data-tab={sheet.word()}
                aria-expanded={open.to_string()} aria-controls={format!("sheet-{}", sheet.word())} {onclick}>
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d={tab_icon(sheet)} /></svg>
                <span class="tab-label">{ sheet.label() }</span>
                if let Some(d) = dot { <span class={classes!("tab-dot", (sheet == Sheet::Inspector).then_some("selected"))} aria-label={if sheet == Sheet::Why { format!("{d} findings") } else { "something selected".to_string() }}>{ d }</span> }
            </button>
        }
    });
    html! {
        <nav class="tabbar" aria-label="Panels" data-tabbar="">{ for tabs }</nav>
    }
}

/// A narrow screen's one line of the run while it exists: clock, p99, throughput and unsuccessful requests; a tap opens
/// the metrics sheet. A function of the App's own state, not a component: a component of its own costs about 3 KB of
/// Wasm (BENCHMARKS.md, "issue 22's third pass"), and the App renders whenever what it shows changes.
pub fn live_strip(layout: &LayoutHandle, run: &RunCtx) -> Html {
    if layout.tier != Tier::Narrow || run.snap.status == Status::Idle {
        return html! {};
    }
    let s = &run.snap;
    let line = crate::live::strip_text(s);
    let onclick = {
        let layout = layout.clone();
        Callback::from(move |_: MouseEvent| {
            layout.dispatch(LayoutAction::Sheet(Some(Sheet::Metrics)))
        })
    };
    html! {
        <button type="button" class="live-strip" data-live-strip="" title="Open the metrics" {onclick}>{ line }</button>
    }
}

/// The banner while connecting without a pointer: from which card, and how to finish or cancel. A function, not a
/// component: a component of its own costs about 3 KB of Wasm (BENCHMARKS.md, "issue 22's third pass").
pub fn link_banner(state: &Handle) -> Html {
    let Some(from) = state.ed.linking.clone() else {
        return html! {};
    };
    let name = state
        .ed
        .doc
        .node(&from)
        .map_or(from.clone(), |n| display(n).to_string());
    let cancel = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::ClearSelection))
    };
    html! {
        <div class="link-banner" role="status" data-linking={from}>
            <span>{ format!("Connecting from {name}: choose the component it calls (tap it, or Tab to it and press Enter).") }</span>
            <button type="button" class="btn small" data-action="cancel-link" onclick={cancel}>{ "Cancel" }</button>
        </div>
    }
}

/// A card's context menu: inspect, connect, duplicate, delete, and while a run exists kill or revive it and
/// slow it down. Opened by a long press (touch) or a right click.
#[component]
pub fn ContextMenuView() -> Html {
    let (Some(layout), Some(state)) = (use_context::<LayoutHandle>(), use_context::<Handle>())
    else {
        return html! {};
    };
    let run = use_context::<RunCtx>();
    let menu = use_node_ref();
    {
        // Focus the first item so the keyboard can use the menu too.
        let menu = menu.clone();
        let open = layout.context.is_some();
        use_effect_with(open, move |open| {
            if *open
                && let Some(el) = menu.cast::<web_sys::Element>()
                && let Ok(Some(first)) = el.query_selector("button")
                && let Ok(b) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(first)
            {
                let _ = b.focus();
            }
        });
    }
    let Some(ContextMenu { node, x, y }) = layout.context.clone() else {
        return html! {};
    };
    let Some(n) = state.ed.doc.node(&node) else {
        return html! {};
    };
    let title = display(n).to_string();
    let close_then = |f: Box<dyn Fn()>| {
        let layout = layout.clone();
        Callback::from(move |_: MouseEvent| {
            layout.dispatch(LayoutAction::Context(None));
            f();
        })
    };
    let inspect = {
        let (state, layout, node) = (state.clone(), layout.clone(), node.clone());
        close_then(Box::new(move || {
            state.dispatch(Action::SelectOnly(Target::Node(node.clone())));
            if layout.tier == Tier::Narrow {
                reveal(&state, &node);
                layout.dispatch(LayoutAction::Sheet(Some(Sheet::Inspector)));
            }
        }))
    };
    let connect = {
        let (state, node) = (state.clone(), node.clone());
        close_then(Box::new(move || {
            state.dispatch(Action::StartLink(node.clone()))
        }))
    };
    let duplicate = {
        let (state, node) = (state.clone(), node.clone());
        close_then(Box::new(move || {
            state.dispatch(Action::SelectOnly(Target::Node(node.clone())));
            state.dispatch(Action::Duplicate);
        }))
    };
    let delete = {
        let (state, node) = (state.clone(), node.clone());
        close_then(Box::new(move || {
            state.dispatch(Action::SelectOnly(Target::Node(node.clone())));
            state.dispatch(Action::DeleteSelection);
        }))
    };
    let region = state
        .ed
        .doc
        .node(&node)
        .map(|n| n.region.clone())
        .filter(|r| !r.is_empty());
    let faults = run.filter(|r| r.snap.status != Status::Idle).map(|r| {
        let dead = r.snap.badges.get(&node).is_some_and(|b| b.dead);
        let fault = |a: FaultAction| {
            let cmd = r.cmd.clone();
            close_then(Box::new(move || cmd.emit(Cmd::Fault(a.clone()))))
        };
        html! {
            <>
                if dead {
                    <button type="button" role="menuitem" class="menu-item" data-menu-action="revive" onclick={fault(FaultAction::Revive { node: node.clone() })}>{ "Revive" }</button>
                } else {
                    <button type="button" role="menuitem" class="menu-item" data-menu-action="kill" onclick={fault(FaultAction::Kill { node: node.clone() })}>{ "Kill (fault)" }</button>
                }
                <button type="button" role="menuitem" class="menu-item" data-menu-action="slow" onclick={fault(FaultAction::Slow { node: node.clone(), factor: 10.0 })}>{ "Slow ×10 (fault)" }</button>
                <button type="button" role="menuitem" class="menu-item" data-menu-action="partition" onclick={fault(FaultAction::Partition { name: node.clone(), nodes: vec![node.clone()], region: String::new() })}>{ "Partition (fault)" }</button>
                if let Some(r) = region.clone() {
                    <button type="button" role="menuitem" class="menu-item" data-menu-action="partition-region" onclick={fault(FaultAction::Partition { name: r.clone(), nodes: Vec::new(), region: r.clone() })}>{ format!("Partition {r} (fault)") }</button>
                }
                { for r.snap.partition.names.iter().map(|n| html! {
                    <button type="button" role="menuitem" class="menu-item" data-menu-action="heal-partition" onclick={fault(FaultAction::HealPartition { name: n.clone() })}>{ format!("Heal {n}") }</button>
                }) }
            </>
        }
    });
    let backdrop = {
        let layout = layout.clone();
        Callback::from(move |_: PointerEvent| layout.dispatch(LayoutAction::Context(None)))
    };
    // Kept inside the window: the menu is about 200 × 260 px (340 with the partition items while running).
    let (vw, vh) = web_sys::window()
        .map(|w| {
            let n = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
            (
                n(w.inner_width()).unwrap_or(1024.0),
                n(w.inner_height()).unwrap_or(768.0),
            )
        })
        .unwrap_or((1024.0, 768.0));
    let left = x.min(vw - 212.0).max(8.0);
    let top = y.min(vh - 340.0).max(8.0);
    html! {
        <>
            <div class="context-backdrop" onpointerdown={backdrop} />
            <div class="context-menu" role="menu" aria-label={format!("Actions for {title}")} data-context-for={node.clone()}
                style={format!("left:{left:.0}px;top:{top:.0}px")} ref={menu}>
                <p class="context-title">{ title }</p>
                <button type="button" role="menuitem" class="menu-item" data-menu-action="inspect" onclick={inspect}>{ "Edit parameters" }</button>
                <button type="button" role="menuitem" class="menu-item" data-menu-action="connect" onclick={connect}>{ "Connect to…" }</button>
                <button type="button" role="menuitem" class="menu-item" data-menu-action="duplicate" onclick={duplicate}>{ "Duplicate" }</button>
                <button type="button" role="menuitem" class="menu-item" data-menu-action="delete" onclick={delete}>{ "Delete" }</button>
                { for faults }
            </div>
        </>
    }
}

/// The keyboard shortcut sheet (`?`), from core's `keys::SHORTCUTS`.
#[component]
pub fn ShortcutSheet() -> Html {
    let layout = use_context::<LayoutHandle>();
    let dialog = use_node_ref();
    let open = layout.as_ref().is_some_and(|l| l.shortcuts);
    {
        let dialog = dialog.clone();
        use_effect_with(open, move |open| {
            if *open && let Some(el) = dialog.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let Some(layout) = layout else {
        return html! {};
    };
    if !open {
        return html! {};
    }
    let close = {
        let layout = layout.clone();
        Callback::from(move |_: MouseEvent| layout.dispatch(LayoutAction::Shortcuts(false)))
    };
    let backdrop = {
        let layout = layout.clone();
        Callback::from(move |e: MouseEvent| {
            if e.target() == e.current_target() {
                layout.dispatch(LayoutAction::Shortcuts(false));
            }
        })
    };
    html! {
        <div class="gallery-backdrop" onclick={backdrop}>
            <section class="shortcut-sheet" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" data-shortcuts="" tabindex="-1" ref={dialog}>
                <div class="gallery-head">
                    <h2 id="shortcuts-title">{ "Keyboard shortcuts" }</h2>
                    <button type="button" class="btn" data-action="close-shortcuts" title="Close (Esc)" onclick={close}>{ "Close" }</button>
                </div>
                <dl class="shortcut-list">
                    { for SHORTCUTS.iter().map(|s| html! {
                        <div class="shortcut"><dt><kbd>{ s.keys }</kbd></dt><dd>{ s.what }</dd></div>
                    }) }
                </dl>
                <p class="gallery-note">{ "On a touch screen: drag the background to pan, pinch to zoom, long-press a card for its actions." }</p>
            </section>
        </div>
    }
}
