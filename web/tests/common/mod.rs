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
    root
}
