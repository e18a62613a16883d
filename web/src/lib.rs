//! System Design Playground front end: thin Yew views over `playground-core`.
//!
//! Views translate DOM events into typed actions and render state; every rule about diagrams and
//! simulations lives in the core crate.

pub mod abchart;
pub mod app;
pub mod canvas;
pub mod challenge;
pub mod files;
pub mod focus;
pub mod gallery;
pub mod gif;
pub mod icons;
pub mod inspector;
pub mod jobs;
pub mod lab;
pub mod layout;
pub mod live;
pub mod overlay;
pub mod palette;
pub mod panels;
pub mod panic;
pub mod restore;
pub mod run;
pub mod session;
pub mod share_ui;
pub mod shell;
pub mod state;
pub mod sweep;
pub mod tabs;
pub mod waterfall;

pub use app::App;

/// Mounts the app on the document body in place of the loading screen, and registers the service worker that
/// keeps the site for offline use. Called once by the binary.
pub fn start() {
    if let Some(loading) = gloo::utils::document().get_element_by_id("sdp-loading") {
        loading.remove();
    }
    panic::install();
    yew::Renderer::<App>::new().render();
    register_service_worker();
}

/// Registers `sw.js` (beside the page, so it works under any path). Browsers without service workers, and
/// pages not served securely, have no `navigator.serviceWorker`: then nothing happens.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let present = js_sys::Reflect::get(&navigator, &"serviceWorker".into())
        .is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !present {
        return;
    }
    let promise = navigator.service_worker().register("./sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        // A refusal (a private window, a blocked scope) only means no offline copy; the page works without it.
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    });
}
