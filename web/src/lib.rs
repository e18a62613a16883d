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

use std::cell::RefCell;

/// Mounts the app on the document body in place of the app shell (index.html: the header, palette and loading
/// state painted before the Wasm arrived; the shell's gallery goes when the app's is ready), and registers the service worker that keeps the site for offline
/// use once the page has loaded. Called once by the binary.
pub fn start() {
    let document = gloo::utils::document();
    if let Some(shell) = document.get_element_by_id("sdp-loading") {
        shell.remove();
    }
    if let Some(gallery) = document.get_element_by_id("sdp-gallery") {
        let top = gallery
            .query_selector(".gallery")
            .ok()
            .flatten()
            .map_or(0, |g| g.scroll_top());
        gallery.remove();
        SHELL_GALLERY.set(Some((gallery, top)));
    }
    panic::install();
    yew::Renderer::<App>::new().render();
    when_loaded(register_service_worker);
}

thread_local! {
    /// The shell's copy of the gallery (index.html `#sdp-gallery`, painted on a first visit before the Wasm
    /// arrived) and its scroll position, taken out of the page as the app mounts (Yew empties `<body>`).
    static SHELL_GALLERY: RefCell<Option<(web_sys::Element, i32)>> = const { RefCell::new(None) };
}

/// Puts the shell's copy of the gallery back over the app's gallery while that one waits for its chapters
/// (`keep`: the same cards in the same places, so the swap does not show), or retires it for good, passing
/// its scroll position on to the app's gallery. `share_ui::Overlays` calls it whenever the gallery opens or
/// closes or its chapters arrive.
pub fn shell_gallery(keep: bool) {
    SHELL_GALLERY.with_borrow_mut(|slot| {
        let Some((shell, top)) = slot.as_ref() else {
            return;
        };
        let dialog = |root: &web_sys::Element, sel: &str| root.query_selector(sel).ok().flatten();
        if keep {
            if !shell.is_connected() {
                let _ = gloo::utils::body().append_child(shell);
                if let Some(g) = dialog(shell, ".gallery") {
                    g.set_scroll_top(*top);
                }
            }
            return;
        }
        let top = match dialog(shell, ".gallery") {
            Some(g) if shell.is_connected() => g.scroll_top(),
            _ => *top,
        };
        let app = gloo::utils::document().query_selector("[data-gallery]");
        if top > 0
            && let Ok(Some(app)) = app
        {
            app.set_scroll_top(top);
        }
        shell.remove();
        *slot = None;
    });
}

/// Runs `f` after the browser has painted the current frame: in a task of its own after the next animation
/// frame, so the work `f` starts neither delays that paint nor joins the task before it. The first render
/// uses it to mount the panels out of view a frame after the header, palette and canvas (`App`).
pub fn after_paint(f: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Some(window) = web_sys::window() else {
        return;
    };
    let task = Closure::once_into_js(f);
    let frame = Closure::once_into_js(move || {
        if let Some(w) = web_sys::window() {
            let _ =
                w.set_timeout_with_callback_and_timeout_and_arguments_0(task.unchecked_ref(), 0);
        }
    });
    let _ = window.request_animation_frame(frame.unchecked_ref());
}

/// Runs `f` once the window's `load` event has fired (at once if it has): the service worker's install
/// fetches must not compete with the page's own files on a slow line.
fn when_loaded(f: impl FnOnce() + 'static) {
    let document = gloo::utils::document();
    if document.ready_state() == "complete" {
        f();
        return;
    }
    gloo::events::EventListener::once(&gloo::utils::window(), "load", move |_| f()).forget();
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
