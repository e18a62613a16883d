//! The page's last resort. A Wasm panic kills the app (the release build aborts), so a panic hook replaces
//! the dead page with a readable panel built from plain DOM calls — no Yew, no inline script, no handler that
//! needs the Wasm again: what happened, that the diagram is saved (and a link that downloads it as JSON
//! straight from storage), a link that reloads the page with the saved diagram and without running it (and
//! without the shared link that was open), and the panic text to copy into a bug report. The record it stores
//! (`editor::recovery`) is what the next load reads.

use std::cell::{Cell, RefCell};

use playground_core::editor::files::file_name;
use playground_core::editor::recovery::{self, During, PANIC_KEY, PanicRecord};
use playground_core::editor::storage::STORAGE_KEY;
use wasm_bindgen::JsCast;

thread_local! {
    /// The storage key autosave writes now (the user's slot, a visit's, or this tab's own).
    static SLOT: RefCell<String> = RefCell::new(STORAGE_KEY.to_string());
    /// What the page is doing.
    static DURING: Cell<During> = const { Cell::new(During::Start) };
    /// The panel is up (a second panic must not build another).
    static SHOWN: Cell<bool> = const { Cell::new(false) };
}

/// Autosave now writes under `key`.
pub fn set_slot(key: &str) {
    SLOT.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            key.clone_into(&mut s);
        }
    });
}

/// The page is now doing `d` (starting, running, anything else).
pub fn set_during(d: During) {
    DURING.with(|c| c.set(d));
}

/// Installs the hook; call once, before the app renders (through Yew, which otherwise installs its own).
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let text = info.to_string();
        gloo::console::error!(text.clone());
        if SHOWN.with(|s| s.replace(true)) {
            return;
        }
        show(&text);
    }));
}

fn el(doc: &web_sys::Document, tag: &str, text: Option<&str>) -> Option<web_sys::Element> {
    let e = doc.create_element(tag).ok()?;
    if let Some(t) = text {
        e.set_text_content(Some(t));
    }
    Some(e)
}

/// Records the failure and replaces the page with the panel.
fn show(text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(doc) = window.document() else {
        return;
    };
    let storage = window.local_storage().ok().flatten();
    let slot = SLOT.with(|s| s.try_borrow().map(|s| s.clone()).unwrap_or_default());
    let hash = window.location().hash().unwrap_or_default();
    let during = DURING.with(Cell::get);
    let previous = storage
        .as_ref()
        .and_then(|s| s.get_item(PANIC_KEY).ok().flatten());
    let record = PanicRecord::next(text, &slot, &hash, during, previous.as_deref());
    if let Some(s) = &storage {
        let _ = s.set_item(PANIC_KEY, &record.to_text());
    }
    let saved = storage
        .as_ref()
        .and_then(|s| s.get_item(&slot).ok().flatten())
        .and_then(|t| recovery::saved_diagram(&t));
    let pathname = window.location().pathname().unwrap_or_else(|_| "/".into());
    let _ = build_panel(&doc, text, &record, saved, &pathname);
}

fn build_panel(
    doc: &web_sys::Document,
    text: &str,
    record: &PanicRecord,
    saved: Option<(playground_core::Topology, String)>,
    pathname: &str,
) -> Option<()> {
    let body = doc.body()?;
    body.set_inner_html("");
    let panel = el(doc, "main", None)?;
    panel.set_class_name("panic-panel");
    panel.set_attribute("role", "alert").ok()?;
    panel.set_attribute("data-panic-panel", "").ok()?;
    panel.set_attribute("aria-labelledby", "panic-title").ok()?;
    let title = el(doc, "h1", Some("The playground stopped because of a bug"))?;
    title.set_id("panic-title");
    panel.append_child(&title).ok()?;
    let what = match record.during {
        During::Run => "while running the simulation",
        During::Start => "while opening",
        During::Other => "while you were working",
    };
    let intro = el(
        doc,
        "p",
        Some(&format!(
            "Something inside the page went wrong {what}, and the page cannot go on. It was not something you did."
        )),
    )?;
    panel.append_child(&intro).ok()?;
    let saved_text = match &saved {
        Some((t, _)) => {
            let name = if t.name.is_empty() {
                "Your diagram".to_string()
            } else {
                format!("Your diagram “{}”", t.name)
            };
            format!(
                "{name} ({} nodes) is saved in this browser, as it was at its last change.",
                t.nodes.len()
            )
        }
        None => "Nothing had been saved in this browser yet.".to_string(),
    };
    let p = el(doc, "p", Some(&saved_text))?;
    p.set_attribute(
        "data-panic-saved",
        if saved.is_some() { "yes" } else { "no" },
    )
    .ok()?;
    panel.append_child(&p).ok()?;

    let actions = el(doc, "div", None)?;
    actions.set_class_name("panic-actions");
    let reload = el(doc, "a", Some("Reload without running"))?;
    reload.set_class_name("btn primary");
    reload
        .set_attribute("href", &recovery::reload_address(pathname, record))
        .ok()?;
    reload.set_attribute("data-action", "panic-reload").ok()?;
    reload
        .set_attribute(
            "title",
            "Opens your saved diagram again; nothing runs until you press Run",
        )
        .ok()?;
    actions.append_child(&reload).ok()?;
    if let Some((t, json)) = &saved {
        let url = gloo::file::ObjectUrl::from(gloo::file::Blob::new_with_options(
            json.as_str(),
            Some("application/json"),
        ));
        let a = el(doc, "a", Some("Download the diagram (JSON)"))?;
        a.set_class_name("btn");
        a.set_attribute("href", &url).ok()?;
        a.set_attribute("download", &file_name(t, "json")).ok()?;
        a.set_attribute("data-action", "panic-download").ok()?;
        actions.append_child(&a).ok()?;
        // The page is over; the URL must live as long as it does.
        std::mem::forget(url);
    }
    panel.append_child(&actions).ok()?;

    let label = el(doc, "label", Some("To report the bug, copy this text:"))?;
    label.set_attribute("for", "panic-text").ok()?;
    panel.append_child(&label).ok()?;
    let area = el(doc, "textarea", None)?
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .ok()?;
    area.set_id("panic-text");
    area.set_read_only(true);
    area.set_rows(8);
    area.set_attribute("data-panic-text", "").ok()?;
    area.set_value(&format!(
        "{text}\n\n{} {} · during: {:?} · failures in a row: {}",
        playground_core::PRODUCT_NAME,
        playground_core::VERSION,
        record.during,
        record.count
    ));
    panel.append_child(&area).ok()?;
    body.append_child(&panel).ok()?;
    Some(())
}
