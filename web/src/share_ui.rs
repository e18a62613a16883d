//! Sharing and files in the page: the header's Share, Gallery and File buttons, the share panel with the link,
//! the banner of a diagram opened alongside the user's own (Back / Keep, and a scenario's notes), and the page
//! shortcuts (core `keys::page_shortcut`). Links, slots, files and SVG text are made by core.

use gloo::events::{EventListener, EventListenerOptions};
use playground_core::editor::keys::{PageCommand, page_shortcut};
use playground_core::editor::opening::{Visit, shareable};
use playground_core::editor::{Action, Target, Tone, files, svg};
use playground_core::share;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::gallery::Gallery;
use crate::icons;
use crate::layout::{Ctl, LayoutAction, LayoutHandle};
use crate::run::{Cmd, RunCtx, Status};
use crate::session::{self, SessionAction, SessionHandle, ShareShown};
use crate::shell::{PartProps, shown_here};
use crate::state::Handle;

fn notify(state: &Handle, tone: Tone, text: impl Into<String>) {
    state.dispatch(Action::Notify {
        tone,
        text: text.into(),
    });
}

/// Makes the link for the diagram as it is (with the run's seed and duration), opens the panel and copies it.
fn share_now(state: &Handle, session: &SessionHandle, run: Option<&RunCtx>) {
    let (seed, duration) = run.map_or(
        (state.ed.doc.settings.seed, state.ed.doc.settings.duration_s),
        |r| (r.snap.seed, r.snap.duration_s),
    );
    let t = shareable(&state.ed.doc, seed, duration);
    let fragment = share::share_url_fragment(&t);
    let link = format!("{}{fragment}", page_base());
    session.dispatch(SessionAction::Share(Some(ShareShown {
        link: link.clone(),
        fragment_chars: fragment.len(),
        long: share::is_long(&fragment),
        copied: None,
        hand_faults: run.map_or(0, |r| r.snap.faults.len()),
    })));
    // `navigator.clipboard` is missing on pages not served securely (http on a LAN address): check before use,
    // since calling a method on `undefined` would throw through the Wasm.
    let clipboard = web_sys::window()
        .map(|w| w.navigator())
        .filter(|n| {
            js_sys::Reflect::get(n, &wasm_bindgen::JsValue::from_str("clipboard"))
                .is_ok_and(|c| !c.is_undefined() && !c.is_null())
        })
        .map(|n| n.clipboard());
    let session = session.clone();
    let Some(clipboard) = clipboard else {
        session.dispatch(SessionAction::Copied { link, ok: false });
        return;
    };
    let promise = clipboard.write_text(&link);
    yew::platform::spawn_local(async move {
        let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
        session.dispatch(SessionAction::Copied { link, ok });
    });
}

fn export_json(state: &Handle) {
    let name = files::file_name(&state.ed.doc, "json");
    let text = files::export_json(&state.ed.doc);
    if let Err(e) = crate::files::download_text(&name, "application/json", &text) {
        notify(
            state,
            Tone::Error,
            format!("The file could not be saved: {e}."),
        );
    }
}

/// Dimensions of a standalone SVG's root element (its `width` and `height` attributes).
fn svg_size(svg: &str) -> (f64, f64) {
    let attr = |name: &str| {
        let key = format!(" {name}=\"");
        let start = svg.find(&key)? + key.len();
        let len = svg[start..].find('"')?;
        svg[start..start + len].parse::<f64>().ok()
    };
    (
        attr("width").unwrap_or(300.0),
        attr("height").unwrap_or(150.0),
    )
}

fn export_picture(state: &Handle, png: bool) {
    let text = svg::diagram_svg(&state.ed.doc, &icons::path);
    if png {
        let (w, h) = svg_size(&text);
        let state = state.clone();
        crate::files::download_png(
            files::file_name(&state.ed.doc, "png"),
            &text,
            w,
            h,
            move |r| {
                if let Err(e) = r {
                    notify(&state, Tone::Error, e);
                }
            },
        );
    } else if let Err(e) = crate::files::download_text(
        &files::file_name(&state.ed.doc, "svg"),
        "image/svg+xml",
        &text,
    ) {
        notify(
            state,
            Tone::Error,
            format!("The SVG could not be saved: {e}."),
        );
    }
}

/// Opens the import file chooser (the hidden input in the header).
fn choose_file() {
    if let Some(input) = gloo::utils::document()
        .query_selector("[data-import-file]")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        input.click();
    }
}

/// The header's Gallery, Share and File buttons (and the hidden file input behind Import), or in the overflow
/// menu (`menu`) those of them that sit there, the File menu's items laid out in it.
#[component]
pub fn ShareTools(p: &PartProps) -> Html {
    let state = use_context::<Handle>();
    let session = use_context::<SessionHandle>();
    let layout = use_context::<LayoutHandle>();
    let here = |c: Ctl| shown_here(layout.as_ref(), c, p.menu);
    let run = use_context::<RunCtx>();
    let paste_area = use_node_ref();
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let (Some(state), Some(session)) = (state, session) else {
        return html! {};
    };
    let on_share = {
        let (state, session, run) = (state.clone(), session.clone(), run.clone());
        Callback::from(move |_: MouseEvent| share_now(&state, &session, run.as_ref()))
    };
    let on_gallery = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| {
            session.dispatch(SessionAction::Gallery(!session.gallery))
        })
    };
    let toggle_menu = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| {
            session.dispatch(SessionAction::FileMenu(!session.file_menu))
        })
    };
    let item = |f: fn(&Handle)| {
        let (state, session, layout) = (state.clone(), session.clone(), layout.clone());
        Callback::from(move |_: MouseEvent| {
            session.dispatch(SessionAction::FileMenu(false));
            if let Some(l) = &layout {
                l.dispatch(LayoutAction::Menu(false));
            }
            f(&state);
        })
    };
    let on_import = {
        let (state, reader) = (state.clone(), reader.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let file = input.files().and_then(|l| l.get(0));
            input.set_value("");
            let Some(file) = file else { return };
            if let Err(message) = files::check_size(file.size()) {
                notify(&state, Tone::Error, message);
                return;
            }
            let state = state.clone();
            let task =
                gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |text| {
                    match text
                        .map_err(|e| format!("The file could not be read: {e}."))
                        .and_then(|t| files::import_json(&t))
                    {
                        Ok(doc) => {
                            let name = if doc.name.is_empty() {
                                "the diagram".to_string()
                            } else {
                                format!("“{}”", doc.name)
                            };
                            state.dispatch(Action::Replace(Box::new(doc)));
                            notify(
                                &state,
                                Tone::Info,
                                format!(
                                    "Opened {name} from the file. Undo brings back what was here."
                                ),
                            );
                        }
                        Err(message) => notify(&state, Tone::Error, message),
                    }
                });
            *reader.borrow_mut() = Some(task);
        })
    };
    // Pasting: a diagram's JSON, or a share link (opened like one typed in the address bar).
    let open_paste = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::Paste(!session.paste)))
    };
    let submit_paste = {
        let (state, session, run, area) = (
            state.clone(),
            session.clone(),
            run.clone(),
            paste_area.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(text) = area
                .cast::<web_sys::HtmlTextAreaElement>()
                .map(|t| t.value())
            else {
                return;
            };
            let trimmed = text.trim();
            if !trimmed.starts_with('{') && trimmed.len() <= share::MAX_LINK_CHARS + 4096 {
                if let Some(at) = trimmed.find('#') {
                    session.dispatch(SessionAction::Paste(false));
                    session::open_hash(&state, &session, run.as_ref(), trimmed[at..].to_string());
                    return;
                }
                if trimmed.starts_with("v1.") || trimmed.starts_with("d=") {
                    session.dispatch(SessionAction::Paste(false));
                    let payload = trimmed.strip_prefix("d=").unwrap_or(trimmed);
                    let hash = format!("#d={payload}");
                    session::open_hash(&state, &session, run.as_ref(), hash);
                    return;
                }
            }
            match files::import_json(&text) {
                Ok(doc) => {
                    session.dispatch(SessionAction::Paste(false));
                    state.dispatch(Action::Replace(Box::new(doc)));
                    notify(
                        &state,
                        Tone::Info,
                        "Opened the pasted diagram. Undo brings back what was here.",
                    );
                }
                Err(message) => notify(&state, Tone::Error, message),
            }
        })
    };
    let close_paste = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::Paste(false)))
    };
    let paste_panel = session.paste.then(|| {
        html! {
            <section class="share-panel paste-panel" role="dialog" aria-label="Paste a diagram" data-paste-panel="">
                <div class="share-head">
                    <strong>{ "Paste a diagram" }</strong>
                    <button type="button" class="notice-close" aria-label="Close" title="Close (Esc)" onclick={close_paste}>{ "×" }</button>
                </div>
                <p class="share-note">{ "Paste a diagram's JSON (replaces this one; Undo brings it back) or a share link (opens beside your work)." }</p>
                <textarea ref={paste_area.clone()} class="share-link" data-import-text="" rows="6" aria-label="Diagram JSON or share link" />
                <button type="button" class="btn primary" data-action="import-text" onclick={submit_paste}>{ "Open" }</button>
            </section>
        }
    });
    let open_gif = {
        let (session, layout) = (session.clone(), layout.clone());
        Callback::from(move |_: MouseEvent| {
            session.dispatch(SessionAction::FileMenu(false));
            if let Some(l) = &layout {
                l.dispatch(LayoutAction::Gif(true));
            }
        })
    };
    let open_restore = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::Restore(true)))
    };
    let file_items = html! {
        <>
            <button type="button" role="menuitem" class="menu-item" data-action="export-json" title="Ctrl+S" onclick={item(export_json)}>{ "Export JSON" }</button>
            <button type="button" role="menuitem" class="menu-item" data-action="import-json" title="Ctrl+O" onclick={item(|_| choose_file())}>{ "Import JSON…" }</button>
            <button type="button" role="menuitem" class="menu-item" data-action="paste" onclick={open_paste}>{ "Paste JSON or link…" }</button>
            <button type="button" role="menuitem" class="menu-item" data-action="restore" onclick={open_restore}>{ "Restore an earlier diagram…" }</button>
            <button type="button" role="menuitem" class="menu-item" data-action="export-svg" onclick={item(|s| export_picture(s, false))}>{ "Export SVG" }</button>
            <button type="button" role="menuitem" class="menu-item" data-action="export-png" onclick={item(|s| export_picture(s, true))}>{ "Export PNG" }</button>
            <button type="button" role="menuitem" class="menu-item" data-action="record-gif" title="Record a few seconds of the run as an animated GIF" onclick={open_gif}>{ "Record GIF…" }</button>
        </>
    };
    let gallery = html! {
        <button type="button" class={classes!("btn", session.gallery.then_some("active"))} data-action="gallery" title="Scenario gallery (Shift+G)" aria-label="Gallery" aria-pressed={session.gallery.to_string()} onclick={on_gallery}>
            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h7v7H4z M13 4h7v7h-7z M4 13h7v7H4z M13 13h7v7h-7z" /></svg>
            <span class="btn-text">{ "Gallery" }</span>
        </button>
    };
    let share_button = html! {
        <button type="button" class="btn primary-outline" data-action="share" title="Copy a link to this diagram (Shift+S)" onclick={on_share}>
            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1 M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" /></svg>
            <span class="btn-text">{ "Share" }</span>
        </button>
    };
    if p.menu {
        return html! {
            <div class="share-tools in-menu" role="group" aria-label="Share and files">
                if here(Ctl::Gallery) { { gallery } }
                if here(Ctl::Share) { { share_button } }
                if here(Ctl::File) {
                    <div class="menu-group" role="menu" aria-label="File" data-menu="file">{ file_items }</div>
                }
            </div>
        };
    }
    let menu_items = session.file_menu.then(|| {
        html! {
            <div class="file-menu" role="menu" data-menu="file">{ file_items.clone() }</div>
        }
    });
    html! {
        <div class="share-tools" role="group" aria-label="Share and files">
            if here(Ctl::Gallery) { { gallery } }
            <div class="file-menu-wrap">
                if here(Ctl::File) {
                    <button type="button" class="btn" data-action="file" title="Export or import the diagram" aria-label="File" aria-haspopup="menu" aria-expanded={session.file_menu.to_string()} onclick={toggle_menu}>
                        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 4v11 M7 10l5 5 5-5 M4 17v3h16v-3" /></svg>
                        <span class="btn-text">{ "File" }</span>
                    </button>
                    { for menu_items }
                }
                <input type="file" accept=".json,application/json" data-import-file="" hidden=true aria-label="Diagram file to import" onchange={on_import} />
            </div>
            { for paste_panel }
            if here(Ctl::Share) { { share_button } }
        </div>
    }
}

/// The share panel: the link (selectable), whether it was copied, and the long-link warning.
#[component]
fn SharePanel() -> Html {
    let session = use_context::<SessionHandle>();
    let area = use_node_ref();
    let shown = session.as_ref().and_then(|s| s.share.clone());
    {
        // When the clipboard refuses, the link is selected so Ctrl+C copies it.
        let area = area.clone();
        let copied = shown.as_ref().and_then(|s| s.copied);
        use_effect_with(copied, move |c| {
            if *c == Some(false)
                && let Some(t) = area.cast::<web_sys::HtmlTextAreaElement>()
            {
                t.select();
                let _ = t.focus();
            }
        });
    }
    let (Some(session), Some(s)) = (session, shown) else {
        return html! {};
    };
    let close = Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::Share(None)));
    let select = Callback::from(|e: FocusEvent| {
        if let Some(t) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        {
            t.select();
        }
    });
    let status = match s.copied {
        None => html! { <span class="share-status">{ "Copying…" }</span> },
        Some(true) => {
            html! { <span class="share-status ok" data-copied="true">{ "Link copied to the clipboard." }</span> }
        }
        Some(false) => html! {
            <span class="share-status" data-copied="false">{ "The browser did not let the page copy it: the link is selected below, press Ctrl+C (⌘C) to copy." }</span>
        },
    };
    let warning = s.long.then(|| html! {
        <p class="share-warning" data-share-warning="">
            { format!("This link is {} characters long. Some chat apps and browsers cut links longer than {} characters; \
                       it still works when pasted whole. For a big diagram, File › Export JSON is safer.",
                       s.fragment_chars, share::SHARE_WARN_CHARS) }
        </p>
    });
    let faults = (s.hand_faults > 0).then(|| html! {
        <p class="share-warning" data-share-faults="">
            { format!("The {} fault{} applied by hand in this run {} not in the link: it holds the diagram, and a run of \
                       it starts without them. Faults scheduled in the diagram are included.",
                       s.hand_faults, if s.hand_faults == 1 { "" } else { "s" }, if s.hand_faults == 1 { "is" } else { "are" }) }
        </p>
    });
    html! {
        <section class="share-panel" role="dialog" aria-label="Share link" data-share-panel="">
            <div class="share-head">
                <strong>{ "Share this diagram" }</strong>
                <button type="button" class="notice-close" aria-label="Close" title="Close (Esc)" onclick={close}>{ "×" }</button>
            </div>
            <p class="share-note">{ "Anyone who opens this link sees this diagram with the same seed and settings, so a run gives the same numbers. It opens beside their own work." }</p>
            { status }
            <textarea ref={area} class="share-link" data-share-link="" readonly=true rows="3" aria-label="Share link" onfocus={select} value={s.link.clone()} />
            <span class="share-size">{ format!("{} characters", s.link.chars().count()) }</span>
            { for warning }
            { for faults }
        </section>
    }
}

/// The banner of a diagram open alongside the user's own: where it came from, Back and Keep. A function, not a
/// component: a component of its own costs about 3 KB of Wasm (BENCHMARKS.md, "issue 22's third pass").
fn visit_banner(
    state: Option<&Handle>,
    session: Option<&SessionHandle>,
    run: Option<&RunCtx>,
) -> Html {
    let (Some(state), Some(session)) = (state, session) else {
        return html! {};
    };
    let Some((visit, _)) = session.visit.clone() else {
        return html! {};
    };
    let back = {
        let (state, session, run) = (state.clone(), session.clone(), run.cloned());
        Callback::from(move |_: MouseEvent| session::back(&state, &session, run.as_ref()))
    };
    let keep = {
        let (state, session) = (state.clone(), session.clone());
        Callback::from(move |_: MouseEvent| session::keep(&state, &session))
    };
    let kind = match &visit {
        Visit::Link => "link",
        Visit::Scenario(_) => "scenario",
        Visit::Challenge(_) => "challenge",
    };
    html! {
        <div class="visit-banner" role="region" aria-label="Opened diagram" data-visit={kind}>
            <span class="visit-title">{ visit.banner() }</span>
            <span class="visit-hint">{ "Your own diagram is saved and untouched." }</span>
            <button type="button" class="btn small" data-action="keep" title="Make this diagram yours (your previous one stays one Undo away)" onclick={keep}>{ "Keep as mine" }</button>
            <button type="button" class="btn small primary" data-action="back" onclick={back}>{ "Back to my diagram" }</button>
        </div>
    }
}

/// While a scenario is open, its topic, explanation, what to try and what to watch, at the top of the inspector column
/// (collapsible). A function, not a component: a component of its own costs about 3 KB of Wasm (BENCHMARKS.md, "issue
/// 22's third pass").
pub fn scenario_notes(session: Option<&SessionHandle>) -> Html {
    let Some((Visit::Scenario(s), _)) = session.and_then(|s| s.visit.clone()) else {
        return html! {};
    };
    html! {
        <details class="scenario-notes" open=true data-scenario-notes={s.name}>
            <summary class="panel-title">{ "Scenario notes" }</summary>
            <p class="scenario-topic">{ s.topic }</p>
            <p class="scenario-notes-title">{ s.title }</p>
            <p>{ s.explanation() }</p>
            <h3>{ "Try this" }</h3>
            <ul>{ for s.try_this().iter().map(|t| html! { <li>{ t.as_str() }</li> }) }</ul>
            <h3>{ "Watch" }</h3>
            <ul>{ for s.watch().iter().map(|t| html! { <li>{ t.as_str() }</li> }) }</ul>
        </details>
    }
}

/// Everything that floats over the workspace (banner, share panel, gallery) plus the page shortcuts and the
/// `hashchange` listener (a link pasted into this tab's address bar opens like a fresh one).
#[component]
pub fn Overlays() -> Html {
    let state = use_context::<Handle>();
    let session = use_context::<SessionHandle>();
    let run = use_context::<RunCtx>();
    let layout = use_context::<LayoutHandle>();
    // The listeners are set up once but must see the latest state, session, run and layout; they read them
    // here.
    let latest =
        use_mut_ref(|| None::<(Handle, SessionHandle, Option<RunCtx>, Option<LayoutHandle>)>);
    if let (Some(s), Some(se)) = (&state, &session) {
        *latest.borrow_mut() = Some((s.clone(), se.clone(), run.clone(), layout.clone()));
    }
    {
        // On a first visit the page's shell painted the gallery's first screen (index.html): it stays over the
        // app's gallery until that one lists the same chapters (or says why it cannot), so the swap does not
        // show; it goes at once when the app opens no gallery.
        let open = session.as_ref().is_some_and(|s| s.gallery);
        let loading = session
            .as_ref()
            .is_some_and(|s| s.content == session::Content::Loading);
        use_effect_with((open, loading), move |(open, loading)| {
            crate::shell_gallery(*open && *loading)
        });
    }
    {
        // The shipped diagrams, once after start; then the address's scenario or challenge opens.
        let latest = latest.clone();
        use_effect_with((), move |_| {
            session::load_content(move || {
                let l = latest.borrow().clone();
                l.map(|(state, session, run, _)| (state, session, run))
            })
        });
    }
    {
        let latest = latest.clone();
        use_effect_with((), move |_| {
            let doc = gloo::utils::document();
            let keys = {
                let latest = latest.clone();
                EventListener::new_with_options(
                    &doc,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |e| {
                        let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                            return;
                        };
                        let Some(cmd) =
                            page_shortcut(&e.key(), e.ctrl_key() || e.meta_key(), e.shift_key())
                        else {
                            return;
                        };
                        let target = e
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                        let tag = target
                            .as_ref()
                            .map(|el| el.tag_name().to_ascii_uppercase())
                            .unwrap_or_default();
                        let in_field = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                            || target
                                .as_ref()
                                .and_then(|t| t.dyn_ref::<web_sys::HtmlElement>())
                                .is_some_and(|el| el.is_content_editable());
                        if in_field && cmd != PageCommand::Close {
                            return;
                        }
                        // Space presses a focused button, link or card; it runs or pauses only elsewhere.
                        let presses_space = matches!(tag.as_str(), "BUTTON" | "A" | "SUMMARY")
                            || target.as_ref().is_some_and(|t| {
                                t.get_attribute("role").as_deref() == Some("button")
                                    || t.closest("[role=menu], [role=dialog]")
                                        .ok()
                                        .flatten()
                                        .is_some()
                            });
                        if cmd == PageCommand::RunPause && (presses_space || e.default_prevented())
                        {
                            return;
                        }
                        let Some((state, session, run, layout)) = latest.borrow().clone() else {
                            return;
                        };
                        match cmd {
                            PageCommand::Share => share_now(&state, &session, run.as_ref()),
                            PageCommand::Gallery => {
                                session.dispatch(SessionAction::Gallery(!session.gallery))
                            }
                            PageCommand::ExportJson => export_json(&state),
                            PageCommand::ImportJson => choose_file(),
                            PageCommand::Close => {
                                session.dispatch(SessionAction::CloseAll);
                                if let Some(l) = &layout {
                                    l.dispatch(LayoutAction::CloseAll);
                                }
                                return;
                            }
                            PageCommand::RunPause => {
                                let Some(run) = &run else { return };
                                run.cmd.emit(if run.snap.status == Status::Running {
                                    Cmd::Pause
                                } else {
                                    Cmd::Run
                                });
                            }
                            PageCommand::Shortcuts => {
                                if let Some(l) = &layout {
                                    l.dispatch(LayoutAction::Shortcuts(!l.shortcuts));
                                }
                            }
                            PageCommand::Connect => {
                                // The focused card, else the one selected card.
                                let focused = target
                                    .as_ref()
                                    .and_then(|t| t.get_attribute("data-node-id"));
                                let selected = match state.ed.selection.single() {
                                    Some(Target::Node(id)) => Some(id),
                                    _ => None,
                                };
                                let Some(from) = focused.or(selected) else {
                                    return;
                                };
                                state.dispatch(Action::StartLink(from));
                            }
                        }
                        e.prevent_default();
                    },
                )
            };
            let hash = {
                let latest = latest.clone();
                EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                    let Some((state, session, run, _)) = latest.borrow().clone() else {
                        return;
                    };
                    session::open_hash(&state, &session, run.as_ref(), session::current_hash());
                })
            };
            move || drop((keys, hash))
        });
    }
    html! {
        <>
            { visit_banner(state.as_ref(), session.as_ref(), run.as_ref()) }
            { crate::challenge::challenge_panel(session.as_ref(), layout.as_ref(), true) }
            <SharePanel />
            <Gallery />
        </>
    }
}

/// The page's address without its fragment, what every link the page makes starts with (a diagram's, a
/// challenge's, a comparison's). Never the recovery or test-only parameters: a link opens what it names,
/// nothing else.
pub fn page_base() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!(
                "{}{}{}",
                l.origin().ok()?,
                l.pathname().ok()?,
                playground_core::editor::recovery::clean_search(&l.search().ok()?)
            ))
        })
        .unwrap_or_default()
}
