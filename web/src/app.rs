//! The root component: owns the editor reducer, shares it by context, turns document-level pointer and key
//! events into editor actions, and autosaves the diagram to `localStorage` as an effect.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use playground_core::editor::opening::Visit;
use playground_core::editor::{Action, Input, Tone, keys};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::canvas::CanvasArea;
use crate::gif::{GifRecorder, GifSlot};
use crate::inspector::InspectorArea;
use crate::layout::{LayoutHandle, Sheet, Tier, use_layout};
use crate::live::{MetricsArea, why_panel};
use crate::overlay::CardStates;
use crate::palette::PaletteArea;
use crate::panels::{ContextMenuView, ShortcutSheet, live_strip, tab_bar};
use crate::restore::{TabBanner, restore_dialog};
use crate::run::{Cmd, Live, RunCtx, Snap, request_frame, start_loop};
use crate::session::{Boot, SessionHandle};
use crate::share_ui::Overlays;
use crate::shell::header;
use crate::state::{CanvasBox, Handle, TrafficCanvas};

/// Whether what lies at the page point (`x`, `y`) is the canvas area (not a sheet or menu over it).
fn canvas_at(x: f64, y: f64) -> bool {
    gloo::utils::document()
        .element_from_point(x as f32, y as f32)
        .and_then(|el| el.closest(".canvas-area").ok().flatten())
        .is_some()
}

/// Whether a key event belongs to a text control (where Backspace and Ctrl+Z mean text editing).
fn typing_in_field(e: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    matches!(
        el.tag_name().to_ascii_uppercase().as_str(),
        "INPUT" | "SELECT" | "TEXTAREA"
    ) || el.is_content_editable()
}

/// The whole page: header on top, palette left, canvas centre, inspector right, metrics below; on a narrow
/// screen the canvas alone, with the panels as bottom sheets behind a tab bar (`layout`).
#[component]
pub fn App() -> Html {
    // The address may open a shared diagram or a scenario alongside the autosaved one (see `session`).
    let boot = use_memo((), |_| Boot::read());
    let state: Handle = use_reducer(|| boot.state());
    let session: SessionHandle = use_reducer(|| boot.session());
    let layout = use_layout();
    let canvas = use_memo((), |_| CanvasBox::default());
    let canvas: CanvasBox = (*canvas).clone();

    // Pointer moves and releases are followed on the whole document, so a drag that leaves the canvas (or
    // starts on the palette) keeps working; keys are shortcuts unless typed into a field.
    {
        let dispatcher = state.dispatcher();
        let canvas = canvas.clone();
        use_effect_with((), move |_| {
            let doc = gloo::utils::document();
            let pointer = |name: &'static str, up: bool| {
                let d = dispatcher.clone();
                let canvas = canvas.clone();
                EventListener::new(&doc, name, move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::PointerEvent>() else {
                        return;
                    };
                    let (x, y) = (f64::from(e.client_x()), f64::from(e.client_y()));
                    let (at, inside) = canvas.local(x, y);
                    // Inside the canvas's box is not enough: a sheet or drawer may cover it there.
                    let over_canvas = inside && canvas_at(x, y);
                    let pointer = e.pointer_id();
                    d.dispatch(Action::Pointer(if up {
                        Input::Up {
                            at,
                            pointer,
                            over_canvas,
                        }
                    } else {
                        Input::Move {
                            at,
                            pointer,
                            over_canvas,
                        }
                    }));
                })
            };
            let mv = pointer("pointermove", false);
            let up = pointer("pointerup", true);
            let cancel = {
                let d = dispatcher.clone();
                EventListener::new(&doc, "pointercancel", move |_| {
                    d.dispatch(Action::Pointer(Input::Cancel))
                })
            };
            let key = {
                let d = dispatcher.clone();
                EventListener::new_with_options(
                    &doc,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |e| {
                        let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                            return;
                        };
                        if typing_in_field(e) {
                            return;
                        }
                        if let Some(action) =
                            keys::shortcut(&e.key(), e.ctrl_key() || e.meta_key(), e.shift_key())
                        {
                            e.prevent_default();
                            // Deleting the focused card would leave the focus nowhere: it moves on to a
                            // neighbouring card (or the canvas) once the deletion has rendered.
                            let next = (action == Action::DeleteSelection)
                                .then(crate::focus::after_delete)
                                .flatten();
                            d.dispatch(action);
                            if let Some(next) = next {
                                crate::focus::later(next);
                            }
                        }
                    },
                )
            };
            // Wheel and trackpad pinch over the canvas zoom; the listener is not passive so the page itself
            // does not zoom or scroll. It sits on the document, so it survives any re-creation of the SVG.
            let wheel = {
                let d = dispatcher.clone();
                let canvas = canvas.clone();
                EventListener::new_with_options(
                    &doc,
                    "wheel",
                    EventListenerOptions::enable_prevent_default(),
                    move |e| {
                        let Some(e) = e.dyn_ref::<web_sys::WheelEvent>() else {
                            return;
                        };
                        let target = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                        let Some(svg) = canvas.svg.get() else {
                            return;
                        };
                        if !svg.contains(target.as_ref()) {
                            return;
                        }
                        e.prevent_default();
                        canvas.measure();
                        let (at, _) =
                            canvas.local(f64::from(e.client_x()), f64::from(e.client_y()));
                        // Line-mode deltas (Firefox) are lines of about 16 px; trackpad pinches arrive as ctrl+wheel
                        // with small deltas, so they are amplified.
                        let unit = if e.delta_mode() == 1 { 16.0 } else { 1.0 };
                        let boost = if e.ctrl_key() { 4.0 } else { 1.0 };
                        d.dispatch(Action::Pointer(Input::Wheel {
                            at,
                            delta_y: e.delta_y() * unit * boost,
                        }));
                    },
                )
            };
            let resize = {
                let d = dispatcher.clone();
                let canvas = canvas.clone();
                EventListener::new(&gloo::utils::window(), "resize", move |_| {
                    if let Some((width, height)) = canvas.measure() {
                        d.dispatch(Action::Resize { width, height });
                    }
                })
            };
            move || drop((mv, up, cancel, key, wheel, resize))
        });
    }

    // Autosave after every change of the diagram (not on open: an untouched example is not "saved work", and an
    // opened link is not the user's edit). A shared diagram or scenario saves to its own slot, never the user's.
    {
        let failed = use_mut_ref(|| Cell::new(false));
        let doc = Rc::clone(&state.ed.doc);
        let dispatcher = state.dispatcher();
        let opened = state.ed.opened_revision;
        let (key, text) = crate::session::autosave_entry(&session, &doc);
        use_effect_with(state.ed.revision, move |rev| {
            if *rev > 0 && *rev != opened {
                // Through the tab guard: never over another tab's save; a replaced diagram kept for restore.
                let ok = crate::tabs::autosave(key, &text, &doc);
                let was_failing = failed.borrow().replace(!ok);
                if !ok && !was_failing {
                    dispatcher.dispatch(Action::Notify {
                        tone: Tone::Error,
                        text: "Could not save to this browser's storage (full or blocked). Your work stays in this tab; \
                               it will be lost on reload."
                            .into(),
                    });
                } else if ok && was_failing {
                    dispatcher.dispatch(Action::Notify {
                        tone: Tone::Info,
                        text: "Saving works again.".into(),
                    });
                }
            }
        });
    }

    // The page is up: a failure record is done with, and a failure from now on happened while working.
    use_effect_with((), |_| {
        crate::session::started();
        crate::panic::set_during(playground_core::editor::recovery::During::Other);
    });

    // Messages fade after a while; errors stay longer.
    {
        let notice = state.ed.notice.as_ref().map(|n| (n.serial, n.tone));
        let dispatcher = state.dispatcher();
        use_effect_with(notice, move |notice| {
            let timer = notice.map(|(serial, tone)| {
                let ms = match tone {
                    Tone::Refused => 4_000,
                    Tone::Info => 9_000,
                    Tone::Error => 15_000,
                };
                gloo::timers::callback::Timeout::new(ms, move || {
                    dispatcher.dispatch(Action::DismissNotice(serial))
                })
            });
            move || drop(timer)
        });
    }

    // The running simulation, outside the render cycle; the frame loop publishes summaries into `snap`.
    let live: Rc<RefCell<Live>> = use_mut_ref(|| Live::new(Rc::clone(&state.ed.doc)));
    let snap = use_state(|| Rc::new(Snap::default()));
    {
        let live = Rc::clone(&live);
        let set = snap.setter();
        use_effect_with((), move |_| {
            start_loop(&live, set.clone());
            let first = live.try_borrow_mut().ok().map(|mut l| l.snap());
            if let Some(s) = first {
                set.set(Rc::new(s));
            }
        });
    }
    let cmd = {
        let live = Rc::clone(&live);
        let set = snap.setter();
        use_callback((), move |c: Cmd, _| {
            let s = live.try_borrow_mut().ok().map(|mut l| {
                l.command(c);
                l.snap()
            });
            request_frame(&live);
            if let Some(s) = s {
                set.set(Rc::new(s));
            }
        })
    };
    // The diagram or the view changed: the run re-lays out its dots, or restarts when the simulation differs.
    {
        let live = Rc::clone(&live);
        let set = snap.setter();
        let doc = Rc::clone(&state.ed.doc);
        let viewport = state.ed.viewport;
        let key = (
            state.ed.revision,
            viewport.pan.x.to_bits(),
            viewport.pan.y.to_bits(),
            viewport.zoom.to_bits(),
            state.ed.canvas.0.to_bits(),
            state.ed.canvas.1.to_bits(),
        );
        use_effect_with(key, move |_| {
            let s = live
                .try_borrow_mut()
                .ok()
                .and_then(|mut l| l.set_doc(doc, viewport).then(|| l.snap()));
            request_frame(&live);
            if let Some(s) = s {
                set.set(Rc::new(s));
            }
        });
    }
    if let Ok(mut l) = live.try_borrow_mut() {
        l.set_scenario(matches!(session.visit, Some((Visit::Scenario(_), _))));
    }
    let card_states = CardStates::from_badges(&snap.badges);
    let run = RunCtx {
        snap: (*snap).clone(),
        cmd,
    };
    let (traffic, gif) = live
        .try_borrow()
        .map(|l| (l.canvas.clone(), l.gif.clone()))
        .unwrap_or_default();

    // The first render mounts what the shell showed (header, palette, canvas, the tab bar) and keeps the
    // places of the rest; the inspector, metrics and dialogs mount after that frame is painted, in tasks of
    // their own, so no one task of the start is long (BENCHMARKS.md, "Page start-up"). The overlays (with the
    // gallery a first visit opens) come first: they are empty unless open, and the gallery adds its chapters
    // one per frame.
    // In three stages, a painted frame apart (each a task of its own): the inspector; the dialogs; the metrics
    // and the why panel (last, so a mounted metrics panel means everything has mounted).
    let stage = use_state(|| 0u8);
    {
        let set = stage.clone();
        use_effect_with(*stage, move |n| {
            let next = n + 1;
            if next <= 3 {
                crate::after_paint(move || set.set(next));
            }
        });
    }
    let (inspector, all, panels) = (*stage >= 1, *stage >= 2, *stage >= 3);

    let narrow = layout.tier == Tier::Narrow;
    let sheet = layout.sheet.map(Sheet::word);
    let top = header(&layout, &state);
    let restore = if all {
        restore_dialog(&state, &session)
    } else {
        Html::default()
    };
    let (strip, tabs, why) = if narrow {
        (
            live_strip(&layout, &run),
            tab_bar(&layout, &state, &run),
            if panels {
                why_panel(Some(&layout), &run, &state)
            } else {
                Html::default()
            },
        )
    } else {
        (Html::default(), Html::default(), Html::default())
    };
    html! {
        <ContextProvider<Handle> context={state}>
        <ContextProvider<SessionHandle> context={session}>
        <ContextProvider<LayoutHandle> context={layout.clone()}>
        <ContextProvider<RunCtx> context={run}>
        <ContextProvider<CardStates> context={card_states}>
        <ContextProvider<TrafficCanvas> context={TrafficCanvas(traffic)}>
        <ContextProvider<GifSlot> context={gif}>
            <ContextProvider<CanvasBox> context={canvas}>
                <div class="app" data-testid="app" data-tier={layout.tier.word()} data-sheet={sheet}>
                    { top }
                    <div class="workspace">
                        <PaletteArea />
                        <CanvasArea />
                        if inspector { <InspectorArea /> } else { <aside class="panel inspector" aria-hidden="true"></aside> }
                    </div>
                    if panels { <MetricsArea /> } else { <section class="metrics" aria-hidden="true"></section> }
                    if narrow {
                        if panels { { why } } else { <section class="why" aria-hidden="true"></section> }
                        { strip }
                        { tabs }
                    }
                    // The gallery opens on a first visit: its first chapters come with the first frame.
                    <Overlays />
                    if all {
                        <ContextMenuView />
                        <ShortcutSheet />
                        <GifRecorder />
                        <TabBanner />
                        { restore }
                    }
                </div>
            </ContextProvider<CanvasBox>>
        </ContextProvider<GifSlot>>
        </ContextProvider<TrafficCanvas>>
        </ContextProvider<CardStates>>
        </ContextProvider<RunCtx>>
        </ContextProvider<LayoutHandle>>
        </ContextProvider<SessionHandle>>
        </ContextProvider<Handle>>
    }
}
