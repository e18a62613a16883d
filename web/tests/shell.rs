//! Browser tests (wasm-bindgen-test in headless Chromium): the app mounts and shows the product shell.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod common;

use common::mount;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn app_mounts_every_region_of_the_shell() {
    let root = mount().await;
    for region in ["header", "palette", "canvas", "inspector", "metrics"] {
        let found = root
            .query_selector(&format!("[data-region=\"{region}\"]"))
            .expect("the selector is valid");
        assert!(
            found.is_some(),
            "region {region} is missing from the mounted app"
        );
    }
    let svg = root.query_selector("svg.canvas").expect("valid selector");
    assert!(svg.is_some(), "the canvas is an SVG element");
}

#[wasm_bindgen_test]
async fn header_names_the_product() {
    let root = mount().await;
    let title = root
        .query_selector(".brand-name")
        .expect("valid selector")
        .expect("a title is rendered");
    assert_eq!(
        title.text_content().as_deref(),
        Some(playground_core::PRODUCT_NAME)
    );
}
