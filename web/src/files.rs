//! Moving bytes between the page and the user's files: downloads (JSON, SVG, and a PNG drawn from the SVG on a
//! canvas) and reading an imported file. What the bytes are is core's (`editor::files`, `editor::svg`).

use gloo::file::{Blob, ObjectUrl};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// How many device pixels per diagram pixel the PNG has (sharp on high-density screens).
const PNG_SCALE: f64 = 2.0;

/// Largest PNG side [px]; browsers refuse bigger canvases, so a huge diagram is drawn smaller.
const PNG_MAX_SIDE: f64 = 8192.0;

/// Saves `url` as `name` through a temporary `<a download>`.
fn click_download(name: &str, url: &str) -> Result<(), String> {
    let doc = gloo::utils::document();
    let a = doc
        .create_element("a")
        .map_err(|_| "the page could not start a download".to_string())?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "the page could not start a download".to_string())?;
    a.set_href(url);
    a.set_download(name);
    a.set_attribute("hidden", "").ok();
    let body = doc.body().ok_or("the page has no body")?;
    body.append_child(&a).ok();
    a.click();
    body.remove_child(&a).ok();
    Ok(())
}

/// Downloads `content` as a file called `name` of type `mime`.
pub fn download_text(name: &str, mime: &str, content: &str) -> Result<(), String> {
    let url = ObjectUrl::from(Blob::new_with_options(content, Some(mime)));
    click_download(name, &url)?;
    // The URL must outlive the click's navigation; it is revoked (dropped) a while later.
    gloo::timers::callback::Timeout::new(30_000, move || drop(url)).forget();
    Ok(())
}

/// Draws `svg` (a standalone SVG document of `width` × `height` px) on a canvas and downloads it as a PNG
/// called `name`; `done` gets `Err(message)` if the browser could not draw it.
pub fn download_png(
    name: String,
    svg: &str,
    width: f64,
    height: f64,
    done: impl FnOnce(Result<(), String>) + 'static,
) {
    let fail = |e: &str| Err(format!("The PNG could not be made: {e}."));
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        done(fail("no image support"));
        return;
    };
    let scale = PNG_SCALE
        .min(PNG_MAX_SIDE / width.max(1.0))
        .min(PNG_MAX_SIDE / height.max(1.0));
    let (w, h) = ((width * scale).ceil(), (height * scale).ceil());
    let loaded = img.clone();
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let finish = {
        let done = done.clone();
        move |r: Result<(), String>| {
            if let Some(f) = done.borrow_mut().take() {
                f(r);
            }
        }
    };
    let on_load = {
        let finish = finish.clone();
        Closure::once(move || {
            let result = (|| {
                let canvas = gloo::utils::document()
                    .create_element("canvas")
                    .ok()
                    .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
                    .ok_or("no canvas")?;
                canvas.set_width(w as u32);
                canvas.set_height(h as u32);
                let ctx = canvas
                    .get_context("2d")
                    .ok()
                    .flatten()
                    .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
                    .ok_or("no 2D canvas")?;
                ctx.draw_image_with_html_image_element_and_dw_and_dh(&loaded, 0.0, 0.0, w, h)
                    .map_err(|_| "the picture did not draw")?;
                let url = canvas
                    .to_data_url_with_type("image/png")
                    .map_err(|_| "the canvas would not export")?;
                click_download(&name, &url).map_err(|_| "the download did not start")?;
                Ok::<(), &str>(())
            })();
            finish(result.or_else(fail));
        })
    };
    let on_error = {
        let finish = finish.clone();
        Closure::once(move || finish(fail("the browser could not read the SVG")))
    };
    img.set_onload(Some(on_load.as_ref().unchecked_ref()));
    img.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // Each closure runs at most once; the image keeps the other alive until then.
    on_load.forget();
    on_error.forget();
    let src = format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(svg))
    );
    img.set_src(&src);
}
