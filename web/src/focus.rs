//! Where keyboard focus goes after an edit that removes or adds the focused thing: after Delete, a
//! neighbouring card (or the canvas) rather than the page; after a card is added from the palette, the new
//! card, so it is one Tab-free step away instead of two dozen.

use wasm_bindgen::JsCast;

/// Focuses what `selector` matches, after the current render (a timeout of 0 runs after Yew's update).
pub fn later(selector: String) {
    gloo::timers::callback::Timeout::new(0, move || focus_now(&selector)).forget();
}

/// Focuses the first element matching `selector`, an HTML or SVG element.
pub fn focus_now(selector: &str) {
    let Some(el) = gloo::utils::document()
        .query_selector(selector)
        .ok()
        .flatten()
    else {
        return;
    };
    if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
        let _ = h.focus();
    } else if let Some(s) = el.dyn_ref::<web_sys::SvgElement>() {
        let _ = s.focus();
    }
}

/// Focuses the selected card after the current render (a card just added is selected alone).
pub fn selected_card_later() {
    later("g.node.selected[data-node-id]".into());
}

/// Before deleting the selection: when the focus is on a card or connection about to go, the selector of the
/// card to focus afterwards (the next one not deleted, else the previous one, else the canvas).
pub fn after_delete() -> Option<String> {
    let doc = gloo::utils::document();
    let active = doc.active_element()?;
    let doomed = |el: &web_sys::Element| el.class_list().contains("selected");
    let is_item = active.has_attribute("data-node-id") || active.has_attribute("data-edge-id");
    if !is_item || !doomed(&active) {
        return None;
    }
    let cards = doc.query_selector_all("g.node[data-node-id]").ok()?;
    let mut before = None;
    let mut after = None;
    for i in 0..cards.length() {
        let Some(el) = cards
            .get(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        if doomed(&el) || el == active {
            continue;
        }
        let id = el.get_attribute("data-node-id").unwrap_or_default();
        // DOCUMENT_POSITION_FOLLOWING (4): `el` comes after the focused element.
        if active.compare_document_position(&el) & 4 != 0 {
            after = after.or(Some(id));
        } else {
            before = Some(id);
        }
    }
    Some(match after.or(before) {
        Some(id) => format!("g.node[data-node-id=\"{}\"]", id.replace('"', "")),
        None => "svg.canvas".into(),
    })
}
