//! GIF export of a run, for sharing where a link will not do ("for Slack"): a few seconds of the animated
//! diagram with its metrics strip, encoded in the page by the `gif` crate (image-rs, pure Rust, no codec of the
//! browser needed).
//!
//! The dialog ([`GifRecorder`]) draws the diagram once (the same SVG as File › Export SVG) as the background,
//! then the frame loop (`run::Live`) hands a [`Capture`] each frame; every 100 ms of wall time the capture
//! paints the dots in flight, the cards' live rings and the strip (clock, p99, throughput, outcomes) over the
//! background and keeps the picture as palette indices. The palette is fixed after the first frame (its most
//! common colours plus every dot colour), so each later frame is one table lookup per pixel. When enough
//! frames are in, the dialog encodes them a frame at a time (a progress bar, the page stays responsive), each
//! frame only where it changed (the rest transparent), and shows the file's size before it is downloaded.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use playground_core::Topology;
use playground_core::animation::Dot;
use playground_core::editor::geometry::{NODE_H, NODE_W};
use playground_core::editor::{files, svg};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

use crate::layout::{LayoutAction, LayoutHandle};
use crate::run::{Badge, Cmd, OUTCOME_COLOURS, RunCtx, Status, Wires, paint_dots};
use crate::state::Handle;

/// Frames per second of the GIF (one every 100 ms; GIF delays are in hundredths of a second).
pub const FPS: u32 = 10;
/// Height of the metrics strip under the diagram [px].
const STRIP_H: u32 = 30;
/// Palette index left transparent: a pixel that did not change since the previous frame.
const TRANSPARENT: u8 = 255;

/// What one GIF frame shows, lent by the frame loop.
pub struct Scene<'a> {
    /// the diagram (card positions)
    pub doc: &'a Topology,
    /// the dots in flight
    pub dots: &'a [Dot],
    /// per engine node index, its card's position
    pub positions: &'a [Option<(f64, f64)>],
    /// per (from, to) engine indices, the wire's curve and whether it is run backwards
    pub wires: &'a Wires,
    /// per node id, its live badge
    pub badges: &'a BTreeMap<String, Badge>,
    /// the metrics strip's text
    pub strip: String,
}

/// A fixed palette and the table that maps a colour (5 bits per channel) to its nearest entry.
struct Palette {
    rgb: Vec<u8>,
    table: Vec<u8>,
}

fn key(r: u8, g: u8, b: u8) -> usize {
    (usize::from(r >> 3) << 10) | (usize::from(g >> 3) << 5) | usize::from(b >> 3)
}

fn hex(c: &str) -> [u8; 3] {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0);
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

impl Palette {
    /// The 255 most common colours of `rgba` (by 5-bit bucket, each the bucket's mean) after `fixed`.
    fn of(rgba: &[u8], fixed: &[[u8; 3]]) -> Palette {
        let mut buckets = vec![(0u32, 0u32, 0u32, 0u32); 1 << 15];
        for px in rgba.chunks_exact(4) {
            let b = &mut buckets[key(px[0], px[1], px[2])];
            b.0 += 1;
            b.1 += u32::from(px[0]);
            b.2 += u32::from(px[1]);
            b.3 += u32::from(px[2]);
        }
        let mut order: Vec<usize> = (0..buckets.len()).filter(|&i| buckets[i].0 > 0).collect();
        // Most common first; ties by bucket so the palette never depends on anything but the picture.
        playground_core::sorting::sort_by(&mut order, |&a, &b| {
            buckets[b].0.cmp(&buckets[a].0).then(a.cmp(&b))
        });
        let mut colours: Vec<[u8; 3]> = fixed.to_vec();
        for i in order {
            if colours.len() >= usize::from(TRANSPARENT) {
                break;
            }
            let (n, r, g, b) = buckets[i];
            let c = [(r / n) as u8, (g / n) as u8, (b / n) as u8];
            if !colours.contains(&c) {
                colours.push(c);
            }
        }
        let mut rgb: Vec<u8> = colours.iter().flatten().copied().collect();
        rgb.resize(256 * 3, 0);
        let table = (0..1usize << 15)
            .map(|k| {
                let c = [
                    ((k >> 10) as u8) << 3 | 4,
                    (((k >> 5) & 31) as u8) << 3 | 4,
                    ((k & 31) as u8) << 3 | 4,
                ];
                colours
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, p)| {
                        (0..3)
                            .map(|i| (i32::from(p[i]) - i32::from(c[i])).pow(2))
                            .sum::<i32>()
                    })
                    .map_or(0, |(i, _)| i as u8)
            })
            .collect();
        Palette { rgb, table }
    }

    fn indices(&self, rgba: &[u8]) -> Vec<u8> {
        rgba.chunks_exact(4)
            .map(|px| self.table[key(px[0], px[1], px[2])])
            .collect()
    }
}

/// A recording: the background, the work canvas and the frames kept so far.
pub struct Capture {
    width: u32,
    height: u32,
    bg: web_sys::HtmlCanvasElement,
    ctx: web_sys::CanvasRenderingContext2d,
    /// world → picture: x' = ox + scale · x
    ox: f64,
    oy: f64,
    scale: f64,
    last_ms: Option<f64>,
    frames: Vec<Vec<u8>>,
    palette: Option<Palette>,
    wanted: usize,
    ended: bool,
}

impl Capture {
    /// Frames kept so far.
    pub fn captured(&self) -> usize {
        self.frames.len()
    }

    /// Whether the recording is complete (or the run ended first).
    pub fn done(&self) -> bool {
        self.ended || self.frames.len() >= self.wanted
    }

    /// The run ended: no more frames will come.
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// Keeps this frame if 100 ms of wall time passed since the last one.
    pub fn frame(&mut self, wall_ms: f64, scene: &Scene<'_>) {
        let step = 1000.0 / f64::from(FPS);
        if self.last_ms.is_some_and(|t| wall_ms - t < step - 1.0) {
            return;
        }
        self.last_ms = Some(wall_ms);
        let ctx = &self.ctx;
        let (w, h) = (f64::from(self.width), f64::from(self.height));
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        let _ = ctx.draw_image_with_html_canvas_element(&self.bg, 0.0, 0.0);
        let _ = ctx.set_transform(self.scale, 0.0, 0.0, self.scale, self.ox, self.oy);
        // The cards' live marks: a busy ring, a red outline when saturated, a cross when down.
        for n in &scene.doc.nodes {
            let Some(b) = scene.badges.get(&n.id) else {
                continue;
            };
            let (x, y) = (n.position.x, n.position.y);
            if b.saturated || b.dead {
                ctx.set_stroke_style_str("#d92d20");
                ctx.set_line_width(2.4);
                ctx.stroke_rect(x, y, NODE_W, NODE_H);
            }
            let (cx, cy) = (x + NODE_W - 20.0, y + NODE_H - 17.0);
            if b.dead {
                ctx.set_fill_style_str("#d92d20");
                ctx.set_font("700 12px system-ui, sans-serif");
                let _ = ctx.fill_text("✕", cx - 4.0, cy + 4.0);
            } else if b.has_workers {
                ctx.set_line_width(3.0);
                ctx.set_stroke_style_str("#dfe3ea");
                ctx.begin_path();
                let _ = ctx.arc(cx, cy, 9.0, 0.0, std::f64::consts::TAU);
                ctx.stroke();
                ctx.set_stroke_style_str(if b.saturated { "#d92d20" } else { "#12a150" });
                ctx.begin_path();
                let start = -std::f64::consts::FRAC_PI_2;
                let _ = ctx.arc(
                    cx,
                    cy,
                    9.0,
                    start,
                    start + b.util.clamp(0.0, 1.0) * std::f64::consts::TAU,
                );
                ctx.stroke();
            }
        }
        paint_dots(ctx, scene.dots, scene.positions, scene.wires);
        // The strip: what the numbers are at this moment.
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        let top = h - f64::from(STRIP_H);
        ctx.set_fill_style_str("#f4f5f8");
        ctx.fill_rect(0.0, top, w, f64::from(STRIP_H));
        ctx.set_fill_style_str("#dfe3ea");
        ctx.fill_rect(0.0, top, w, 1.0);
        ctx.set_fill_style_str("#1d2330");
        ctx.set_font("600 13px system-ui, sans-serif");
        let _ = ctx.fill_text(&scene.strip, 10.0, top + 20.0);
        let Ok(data) = ctx.get_image_data(0.0, 0.0, w, h) else {
            return;
        };
        let rgba = data.data().0;
        if self.palette.is_none() {
            let mut fixed: Vec<[u8; 3]> = OUTCOME_COLOURS.iter().map(|(_, c, _)| hex(c)).collect();
            fixed.extend([hex("#d92d20"), hex("#12a150"), hex("#dfe3ea")]);
            self.palette = Some(Palette::of(&rgba, &fixed));
        }
        if let Some(p) = &self.palette {
            self.frames.push(p.indices(&rgba));
        }
    }
}

/// The recording shared by the dialog (which starts and collects it) and the frame loop (which fills it).
#[derive(Clone, Default)]
pub struct GifSlot(pub Rc<RefCell<Option<Capture>>>);

impl PartialEq for GifSlot {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A frame's changed rectangle against the previous frame, with unchanged pixels transparent; `None` when
/// nothing changed.
fn delta(prev: &[u8], next: &[u8], w: usize) -> Option<(usize, usize, usize, usize, Vec<u8>)> {
    let h = next.len() / w;
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if prev[i] != next[i] {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
    }
    if x0 > x1 {
        return None;
    }
    let mut buf = Vec::with_capacity((x1 - x0 + 1) * (y1 - y0 + 1));
    for y in y0..=y1 {
        for x in x0..=x1 {
            let i = y * w + x;
            buf.push(if prev[i] == next[i] {
                TRANSPARENT
            } else {
                next[i]
            });
        }
    }
    Some((x0, y0, x1 - x0 + 1, y1 - y0 + 1, buf))
}

/// An encoding under way, one frame per step.
struct Encoding {
    encoder: gif::Encoder<Vec<u8>>,
    frames: Vec<Vec<u8>>,
    next: usize,
    width: u16,
    height: u16,
}

impl Encoding {
    fn new(c: Capture) -> Result<Encoding, String> {
        let palette = c.palette.ok_or("no frame was recorded")?;
        let (width, height) = (c.width as u16, c.height as u16);
        let mut encoder = gif::Encoder::new(Vec::new(), width, height, &palette.rgb)
            .map_err(|e| e.to_string())?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| e.to_string())?;
        Ok(Encoding {
            encoder,
            frames: c.frames,
            next: 0,
            width,
            height,
        })
    }

    /// Encodes the next frame; `true` when none is left.
    fn step(&mut self) -> Result<bool, String> {
        let Some(cur) = self.frames.get(self.next) else {
            return Ok(true);
        };
        let delay = (100 / FPS) as u16;
        let frame = if self.next == 0 {
            gif::Frame {
                width: self.width,
                height: self.height,
                buffer: std::borrow::Cow::Borrowed(cur),
                delay,
                ..gif::Frame::default()
            }
        } else {
            let prev = &self.frames[self.next - 1];
            let (left, top, width, height, buffer) = delta(prev, cur, usize::from(self.width))
                .unwrap_or((0, 0, 1, 1, vec![TRANSPARENT]));
            gif::Frame {
                left: left as u16,
                top: top as u16,
                width: width as u16,
                height: height as u16,
                buffer: std::borrow::Cow::Owned(buffer),
                transparent: Some(TRANSPARENT),
                dispose: gif::DisposalMethod::Keep,
                delay,
                ..gif::Frame::default()
            }
        };
        self.encoder
            .write_frame(&frame)
            .map_err(|e| e.to_string())?;
        self.next += 1;
        Ok(self.next >= self.frames.len())
    }

    fn finish(self) -> Result<Vec<u8>, String> {
        self.encoder.into_inner().map_err(|e| e.to_string())
    }
}

/// Where the dialog is.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// choosing the length and width
    Options,
    /// drawing the background
    Preparing,
    /// frames coming in
    Recording { captured: usize, wanted: usize },
    /// frames being encoded
    Encoding { done: usize, total: usize },
    /// the file, its size and shape
    Ready {
        bytes: Rc<Vec<u8>>,
        url: String,
        width: u32,
        height: u32,
        frames: usize,
    },
    /// what went wrong
    Failed(String),
}

impl Phase {
    fn word(&self) -> &'static str {
        match self {
            Phase::Options => "options",
            Phase::Preparing => "preparing",
            Phase::Recording { .. } => "recording",
            Phase::Encoding { .. } => "encoding",
            Phase::Ready { .. } => "ready",
            Phase::Failed(_) => "failed",
        }
    }
}

/// `1234567` → `"1.2 MB"`.
pub fn size_words(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.0} kB", (bytes as f64 / 1e3).max(1.0))
    }
}

/// The `viewBox` of a standalone SVG: (x, y, width, height).
fn view_box(svg: &str) -> Option<(f64, f64, f64, f64)> {
    let start = svg.find("viewBox=\"")? + 9;
    let len = svg[start..].find('"')?;
    let v: Vec<f64> = svg[start..start + len]
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    (v.len() == 4).then(|| (v[0], v[1], v[2], v[3]))
}

fn canvas(
    w: u32,
    h: u32,
) -> Option<(
    web_sys::HtmlCanvasElement,
    web_sys::CanvasRenderingContext2d,
)> {
    let c = gloo::utils::document()
        .create_element("canvas")
        .ok()?
        .dyn_into::<web_sys::HtmlCanvasElement>()
        .ok()?;
    c.set_width(w);
    c.set_height(h);
    let ctx = c
        .get_context("2d")
        .ok()??
        .dyn_into::<web_sys::CanvasRenderingContext2d>()
        .ok()?;
    Some((c, ctx))
}

/// Draws `doc` as the background of a `width`-wide recording and hands the capture to `done` (or why not).
fn prepare(
    doc: &Topology,
    width: u32,
    seconds: u32,
    done: impl FnOnce(Result<Capture, String>) + 'static,
) {
    let text = svg::diagram_svg(doc, &crate::icons::path);
    let Some((vx, vy, vw, vh)) = view_box(&text) else {
        done(Err("the diagram could not be drawn".into()));
        return;
    };
    let scale = (f64::from(width) / vw).min(2.0);
    let diagram_h = ((vh * scale).round() as u32).clamp(120, width * 3 / 2);
    let height = (diagram_h + STRIP_H + 1) & !1;
    let scale = scale.min(f64::from(height - STRIP_H) / vh);
    let (ox, oy) = (
        (f64::from(width) - vw * scale) / 2.0 - vx * scale,
        (f64::from(height - STRIP_H) - vh * scale) / 2.0 - vy * scale,
    );
    let (Some((bg, bg_ctx)), Some((_, ctx))) = (canvas(width, height), canvas(width, height))
    else {
        done(Err("this browser has no 2D canvas".into()));
        return;
    };
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        done(Err("this browser cannot draw images".into()));
        return;
    };
    let done = Rc::new(RefCell::new(Some(done)));
    let loaded = img.clone();
    let on_load = {
        let done = done.clone();
        Closure::once(move || {
            bg_ctx.set_fill_style_str("#f4f5f8");
            bg_ctx.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
            let drawn = bg_ctx.draw_image_with_html_image_element_and_dw_and_dh(
                &loaded,
                ox + vx * scale,
                oy + vy * scale,
                vw * scale,
                vh * scale,
            );
            let result = drawn
                .map_err(|_| "the diagram could not be drawn".to_string())
                .map(|_| Capture {
                    width,
                    height,
                    bg,
                    ctx,
                    ox,
                    oy,
                    scale,
                    last_ms: None,
                    frames: Vec::new(),
                    palette: None,
                    wanted: (seconds * FPS) as usize,
                    ended: false,
                });
            if let Some(f) = done.borrow_mut().take() {
                f(result);
            }
        })
    };
    let on_error = Closure::once(move || {
        if let Some(f) = done.borrow_mut().take() {
            f(Err(
                "the browser could not read the diagram's picture".into()
            ));
        }
    });
    img.set_onload(Some(on_load.as_ref().unchecked_ref()));
    img.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_load.forget();
    on_error.forget();
    img.set_src(&format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&text))
    ));
}

/// Encodes `capture` a frame per timer tick, reporting progress, then the file.
fn encode(capture: Capture, phase: UseStateHandle<Phase>) {
    let (width, height, total) = (capture.width, capture.height, capture.captured());
    let job = match Encoding::new(capture) {
        Ok(j) => Rc::new(RefCell::new(Some(j))),
        Err(e) => {
            phase.set(Phase::Failed(e));
            return;
        }
    };
    fn tick(
        job: Rc<RefCell<Option<Encoding>>>,
        phase: UseStateHandle<Phase>,
        meta: (u32, u32, usize),
    ) {
        gloo::timers::callback::Timeout::new(0, move || {
            let step = job.borrow_mut().as_mut().map(Encoding::step);
            match step {
                Some(Ok(false)) => {
                    let done = job.borrow().as_ref().map_or(0, |j| j.next);
                    phase.set(Phase::Encoding {
                        done,
                        total: meta.2,
                    });
                    tick(job, phase, meta);
                }
                Some(Ok(true)) => {
                    let result = job.borrow_mut().take().map(Encoding::finish);
                    match result {
                        Some(Ok(bytes)) => {
                            let blob = gloo::file::Blob::new_with_options(
                                bytes.as_slice(),
                                Some("image/gif"),
                            );
                            let url = web_sys::Url::create_object_url_with_blob(&blob.into())
                                .unwrap_or_default();
                            phase.set(Phase::Ready {
                                bytes: Rc::new(bytes),
                                url,
                                width: meta.0,
                                height: meta.1,
                                frames: meta.2,
                            });
                        }
                        Some(Err(e)) => phase.set(Phase::Failed(e)),
                        None => {}
                    }
                }
                Some(Err(e)) => phase.set(Phase::Failed(e)),
                None => {}
            }
        })
        .forget();
    }
    phase.set(Phase::Encoding { done: 0, total });
    tick(job, phase, (width, height, total));
}

/// The GIF dialog (File › Record GIF…): length and width, Record, a progress bar while recording and
/// encoding, then a preview, the file's size and shape, and Download.
#[component]
pub fn GifRecorder() -> Html {
    let layout = use_context::<LayoutHandle>();
    let state = use_context::<Handle>();
    let run = use_context::<RunCtx>();
    let slot = use_context::<GifSlot>().unwrap_or_default();
    let phase = use_state(|| Phase::Options);
    let seconds = use_state(|| 5u32);
    let width = use_state(|| 640u32);
    let open = layout.as_ref().is_some_and(|l| l.gif);
    // While recording, follow the frame loop's progress a few times a second.
    {
        let (phase, slot) = (phase.clone(), slot.clone());
        let recording = matches!(*phase, Phase::Recording { .. });
        use_effect_with(recording, move |recording| {
            let timer = recording.then(|| {
                gloo::timers::callback::Interval::new(150, move || {
                    let progress = slot
                        .0
                        .borrow()
                        .as_ref()
                        .map(|c| (c.captured(), c.wanted, c.done()));
                    match progress {
                        Some((_, _, true)) => {
                            if let Some(c) = slot.0.borrow_mut().take() {
                                encode(c, phase.clone());
                            }
                        }
                        Some((captured, wanted, false)) => {
                            phase.set(Phase::Recording { captured, wanted })
                        }
                        None => {}
                    }
                })
            });
            move || drop(timer)
        });
    }
    let (Some(layout), Some(state)) = (layout, state) else {
        return html! {};
    };
    if !open {
        return html! {};
    }
    let close = {
        let (layout, phase, slot) = (layout.clone(), phase.clone(), slot.clone());
        Callback::from(move |_: MouseEvent| {
            slot.0.borrow_mut().take();
            if let Phase::Ready { url, .. } = &*phase {
                let _ = web_sys::Url::revoke_object_url(url);
            }
            phase.set(Phase::Options);
            layout.dispatch(LayoutAction::Gif(false));
        })
    };
    let record = {
        let (phase, slot, state, run) = (phase.clone(), slot.clone(), state.clone(), run.clone());
        let (secs, w) = (*seconds, *width);
        Callback::from(move |_: MouseEvent| {
            phase.set(Phase::Preparing);
            let (phase, slot, run) = (phase.clone(), slot.clone(), run.clone());
            prepare(&state.ed.doc, w, secs, move |r| match r {
                Ok(c) => {
                    let wanted = c.wanted;
                    *slot.0.borrow_mut() = Some(c);
                    if let Some(run) = &run
                        && run.snap.status != Status::Running
                    {
                        run.cmd.emit(Cmd::Run);
                    }
                    phase.set(Phase::Recording {
                        captured: 0,
                        wanted,
                    });
                }
                Err(e) => phase.set(Phase::Failed(e)),
            });
        })
    };
    let again = {
        let phase = phase.clone();
        Callback::from(move |_: MouseEvent| {
            if let Phase::Ready { url, .. } = &*phase {
                let _ = web_sys::Url::revoke_object_url(url);
            }
            phase.set(Phase::Options)
        })
    };
    let name = files::file_name(&state.ed.doc, "gif");
    let choice = |values: &'static [u32],
                  current: &UseStateHandle<u32>,
                  unit: &'static str,
                  field: &'static str| {
        let now = **current;
        let current = current.clone();
        let on = Callback::from(move |e: Event| {
            if let Some(v) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .and_then(|s| s.value().parse().ok())
            {
                current.set(v);
            }
        });
        html! {
            <select data-field={field} aria-label={field} onchange={on}>
                { for values.iter().map(|v| html! { <option value={v.to_string()} selected={*v == now}>{ format!("{v} {unit}") }</option> }) }
            </select>
        }
    };
    let body = match &*phase {
        Phase::Options => html! {
            <>
                <p class="share-note">{ "Records the running diagram with its metrics strip, as an animated GIF you can paste into a chat. The run starts if it is not running." }</p>
                <div class="gif-options">
                    <label class="run-field">{ "length " }{ choice(&[3, 5, 8], &seconds, "s", "gif-seconds") }</label>
                    <label class="run-field">{ "width " }{ choice(&[480, 640, 800], &width, "px", "gif-width") }</label>
                </div>
                <button type="button" class="btn primary" data-action="start-gif" onclick={record}>{ "Record" }</button>
            </>
        },
        Phase::Preparing => html! { <p class="share-note">{ "Drawing the diagram…" }</p> },
        Phase::Recording { captured, wanted } => html! {
            <>
                <p class="share-note">{ format!("Recording: frame {captured} of {wanted} ({} fps)…", FPS) }</p>
                <progress class="gif-progress" max={wanted.to_string()} value={captured.to_string()} aria-label="Recording" />
            </>
        },
        Phase::Encoding { done, total } => html! {
            <>
                <p class="share-note">{ format!("Encoding: frame {done} of {total}…") }</p>
                <progress class="gif-progress" max={total.to_string()} value={done.to_string()} aria-label="Encoding" />
            </>
        },
        Phase::Ready {
            bytes,
            url,
            width,
            height,
            frames,
        } => html! {
            <>
                <img class="gif-preview" src={url.clone()} alt="The recorded run, animated" />
                <p class="share-status ok" data-gif-bytes={bytes.len().to_string()}>
                    { format!("{} · {width} × {height} px · {frames} frames ({:.1} s)", size_words(bytes.len()), *frames as f64 / f64::from(FPS)) }
                </p>
                <div class="gif-actions">
                    <a class="btn primary" data-action="download-gif" href={url.clone()} download={name}>{ format!("Download ({})", size_words(bytes.len())) }</a>
                    <button type="button" class="btn" data-action="gif-again" onclick={again}>{ "Record again" }</button>
                </div>
            </>
        },
        Phase::Failed(why) => html! {
            <>
                <p class="share-warning" role="alert">{ format!("The GIF could not be made: {why}.") }</p>
                <button type="button" class="btn" data-action="gif-again" onclick={again}>{ "Try again" }</button>
            </>
        },
    };
    html! {
        <section class="share-panel gif-panel" role="dialog" aria-label="Record a GIF" data-gif-panel="" data-gif-phase={phase.word()}>
            <div class="share-head">
                <strong>{ "Record a GIF of the run" }</strong>
                <button type="button" class="notice-close" aria-label="Close" title="Close" onclick={close}>{ "×" }</button>
            </div>
            { body }
        </section>
    }
}
