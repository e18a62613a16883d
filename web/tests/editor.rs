//! Browser tests (wasm-bindgen-test in headless Chromium) of the editor views: the palette lists every kind,
//! the example diagram renders, and actions dispatched through the UI change the DOM.
#![cfg(target_arch = "wasm32")]

use playground_core::KINDS;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod common;

use common::mount;

wasm_bindgen_test_configure!(run_in_browser);

fn count(root: &web_sys::Element, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("the selector is valid")
        .length()
}

fn click(root: &web_sys::Element, selector: &str) {
    root.query_selector(selector)
        .expect("the selector is valid")
        .unwrap_or_else(|| panic!("{selector} is rendered"))
        .dyn_into::<web_sys::HtmlElement>()
        .expect("an HTML element")
        .click();
}

#[wasm_bindgen_test]
async fn palette_lists_every_kind_and_the_example_is_drawn() {
    let root = mount().await;
    for info in KINDS {
        let sel = format!("[data-region=\"palette\"] [data-kind=\"{}\"]", info.name);
        assert_eq!(count(&root, &sel), 1, "{} is in the palette", info.name);
    }
    assert_eq!(count(&root, "[data-node-id]"), 5);
    assert_eq!(count(&root, "[data-edge-id]"), 5);
}

#[wasm_bindgen_test]
async fn clicking_a_palette_item_adds_a_node_and_undo_removes_it() {
    let root = mount().await;
    click(&root, "[data-region=\"palette\"] [data-kind=\"server\"]");
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "[data-node-id=\"server1\"]"), 1);
    // The new node is selected, so the inspector shows its parameters with core's defaults.
    let workers = root
        .query_selector("[data-param=\"workers\"]")
        .expect("valid selector")
        .expect("the inspector shows workers")
        .dyn_into::<web_sys::HtmlInputElement>()
        .expect("an input");
    assert_eq!(workers.value(), "4");
    click(&root, "[data-action=\"undo\"]");
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "[data-node-id=\"server1\"]"), 0);
    click(&root, "[data-action=\"redo\"]");
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "[data-node-id=\"server1\"]"), 1);
}

#[wasm_bindgen_test]
async fn new_diagram_asks_before_discarding() {
    let root = mount().await;
    click(&root, "[data-action=\"new\"]");
    yew::scheduler::flush().await;
    click(&root, "[data-action=\"cancel-new\"]");
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "[data-node-id]"), 5);
    click(&root, "[data-action=\"new\"]");
    yew::scheduler::flush().await;
    click(&root, "[data-action=\"confirm-new\"]");
    yew::scheduler::flush().await;
    assert_eq!(count(&root, "[data-node-id]"), 0);
    assert_eq!(count(&root, ".canvas-empty"), 1);
}
