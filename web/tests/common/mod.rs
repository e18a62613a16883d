//! Shared by the browser test files: mounting the app the way the page does, on a clean `localStorage`.

use playground_web::App;

/// Mounts the app into a fresh element on an empty `localStorage` (a newcomer's first visit) and waits for Yew
/// to finish rendering.
pub async fn mount() -> web_sys::Element {
    if let Some(s) = playground_web::state::local_storage() {
        s.clear().expect("storage can be cleared");
    }
    let document = gloo::utils::document();
    let root = document
        .create_element("div")
        .expect("a div can be created");
    document
        .body()
        .expect("the test page has a body")
        .append_child(&root)
        .expect("append works");
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    // The inspector, metrics and dialogs mount a painted frame after the rest (`App`'s first render): wait
    // for them, two seconds at most (the tests then assert what they need).
    for _ in 0..100 {
        if root
            .query_selector("[data-region=\"metrics\"]")
            .ok()
            .flatten()
            .is_some()
        {
            break;
        }
        next_task().await;
        yew::scheduler::flush().await;
    }
    root
}

/// Resolves in a later task, 20 ms from now.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
