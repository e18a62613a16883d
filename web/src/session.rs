//! The page session around the editor: what the address opened (a shared link or scenario shown *alongside*
//! the user's autosaved work), whether the gallery or the share panel is open, and the moves between them
//! (visit, back to my diagram, keep as my diagram). The decisions are core's (`editor::opening`); this file
//! reads and writes the browser's address and storage.

use std::rc::Rc;

use playground_core::editor::opening::{
    self, GALLERY_SEEN_KEY, Opening, PREVIOUS_KEY, VISIT_KEY, Visit,
};
use playground_core::editor::recovery::{self, PANIC_KEY, Recovery, TEST_PANIC_KEY, TestPanic};
use playground_core::editor::storage::{self, STORAGE_KEY};
use playground_core::editor::{Action, Tone};
use playground_core::{Topology, content};
use yew::prelude::*;

use crate::run::{Cmd, RunCtx};
use crate::state::{Handle, State, local_storage};

/// What the share panel shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareShown {
    /// the whole link
    pub link: String,
    /// length of its `#d=…` fragment [chars]
    pub fragment_chars: usize,
    /// whether it is past the warning length
    pub long: bool,
    /// `None` while copying, then whether the clipboard took it
    pub copied: Option<bool>,
    /// faults applied by hand in the current run (not part of the diagram, so not in the link)
    pub hand_faults: usize,
}

/// The session state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    /// the diagram open instead of the user's own, and the address fragment it came from
    pub visit: Option<(Visit, String)>,
    /// the gallery is open
    pub gallery: bool,
    /// the share panel is open
    pub share: Option<ShareShown>,
    /// the header's File menu is open
    pub file_menu: bool,
    /// the paste box (a diagram's JSON or a share link) is open
    pub paste: bool,
    /// the restore list (File → Restore) is open
    pub restore: bool,
    /// where the shipped diagrams are (`playground_core::content`): fetched after start
    pub content: Content,
    /// the address's scenario or challenge, waiting for them
    pub pending: Option<String>,
}

/// The shipped diagrams (scenarios and challenges), fetched after start by [`load_content`].
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Content {
    /// on their way
    #[default]
    Loading,
    /// installed in core: scenarios open, the gallery lists challenges
    Ready,
    /// not loaded, and why
    Failed(String),
}

/// A change of the session.
#[derive(Clone, Debug)]
pub enum SessionAction {
    /// Now showing this visit (or the user's own diagram).
    SetVisit(Option<(Visit, String)>),
    /// Open or close the gallery.
    Gallery(bool),
    /// Open the share panel, or close it.
    Share(Option<ShareShown>),
    /// Open or close the File menu.
    FileMenu(bool),
    /// Open or close the paste box.
    Paste(bool),
    /// Open or close the restore list.
    Restore(bool),
    /// Close every menu, panel and dialog (Escape).
    CloseAll,
    /// The shipped diagrams arrived or failed; the address's waiting fragment is taken.
    Content(Content),
    /// The address asks for a scenario or challenge before the shipped diagrams arrived: it opens when they
    /// do (the gallery closes meanwhile, as opening one would).
    Pending(String),
    /// The clipboard answered for this link.
    Copied {
        /// the link that was copied
        link: String,
        /// whether it worked
        ok: bool,
    },
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            SessionAction::SetVisit(v) => next.visit = v,
            SessionAction::Gallery(open) => {
                if open {
                    store(GALLERY_SEEN_KEY, "1");
                    next.share = None;
                }
                next.gallery = open;
            }
            SessionAction::Share(s) => {
                if s.is_some() {
                    next.gallery = false;
                }
                next.share = s;
            }
            SessionAction::FileMenu(open) => next.file_menu = open,
            SessionAction::Paste(open) => {
                next.paste = open;
                next.file_menu = false;
            }
            SessionAction::Restore(open) => {
                next.restore = open;
                next.file_menu = false;
            }
            SessionAction::CloseAll => {
                next.gallery = false;
                next.share = None;
                next.file_menu = false;
                next.paste = false;
                next.restore = false;
            }
            SessionAction::Content(c) => {
                next.content = c;
                next.pending = None;
            }
            SessionAction::Pending(hash) => {
                next.pending = Some(hash);
                next.gallery = false;
            }
            SessionAction::Copied { link, ok } => match &mut next.share {
                Some(s) if s.link == link => s.copied = Some(ok),
                _ => return self,
            },
        }
        if next == *self { self } else { Rc::new(next) }
    }
}

/// The shared session handle.
pub type SessionHandle = UseReducerHandle<Session>;

/// What the page found when it loaded: the address's request and the storage's state.
pub struct Boot {
    hash: String,
    opening: Opening,
    gallery: bool,
    /// the address's scenario or challenge, opened once the shipped diagrams are there
    pending: Option<String>,
    /// after a failure: what to open and say (`editor::recovery`)
    recovery: Option<Recovery>,
}

/// The page's `location.search` (`""` when none).
pub fn current_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page's `location.hash` (`""` when none or unreadable).
pub fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

fn read(key: &str) -> Option<String> {
    local_storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Stores `value` under `key`; whether it worked (full or blocked storage fails).
fn store(key: &str, value: &str) -> bool {
    local_storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

/// Replaces the address's fragment without a `hashchange` event or a history entry (`""` removes it).
pub fn set_hash(hash: &str) {
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let base = format!(
        "{}{}",
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default()
    );
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{base}{hash}")),
        );
    }
}

impl Boot {
    /// Reads the address and storage once, on load.
    pub fn read() -> Boot {
        let search = current_search();
        if recovery::test_panic(&search, read(TEST_PANIC_KEY).as_deref()) == Some(TestPanic::Start)
        {
            panic!("a deliberate test panic while the page starts (?test-panic=start)");
        }
        let recovery = recovery::on_load(read(PANIC_KEY).as_deref(), &search);
        // After a failure the address's link is not opened again by itself.
        let hash = if recovery.is_some() {
            set_hash("");
            String::new()
        } else {
            current_hash()
        };
        // A scenario or challenge waits for the shipped diagrams (`load_content`); the user's own diagram
        // shows meanwhile.
        let pending = (opening::needs_content(&hash) && !content::ready()).then(|| hash.clone());
        let opening = if pending.is_some() {
            Opening::Own
        } else {
            opening::open_fragment(&hash, read(VISIT_KEY).as_deref())
        };
        let gallery = pending.is_none()
            && opening::gallery_on_start(
                read(STORAGE_KEY).is_some(),
                read(GALLERY_SEEN_KEY).is_some(),
                &opening,
            );
        if gallery {
            store(GALLERY_SEEN_KEY, "1");
        }
        if matches!(opening, Opening::Problem { .. }) {
            // A bad link is reported once; a reload opens the user's diagram quietly.
            set_hash("");
        }
        Boot {
            hash,
            opening,
            gallery: gallery && recovery.is_none(),
            pending,
            recovery,
        }
    }

    /// The editor to start with: the user's diagram, with the visit opened over it in memory only.
    pub fn state(&self) -> State {
        let mut s = match &self.recovery {
            Some(r) if !r.open_saved => State::fresh(storage::example()),
            _ => State::restore(),
        };
        if let Some(r) = &self.recovery {
            s.ed.apply(Action::Notify {
                tone: Tone::Error,
                text: r.notice.clone(),
            });
        }
        match &self.opening {
            Opening::Own => {}
            Opening::Visit { doc, edited, .. } => {
                s.ed.apply(Action::Open(doc.clone()));
                s.ed.apply(Action::DismissNotice(
                    s.ed.notice.as_ref().map_or(0, |n| n.serial),
                ));
                if *edited {
                    s.ed.apply(Action::Notify {
                        tone: Tone::Info,
                        text: "Your earlier edits of this diagram were restored.".into(),
                    });
                }
            }
            Opening::Problem { message, .. } => {
                s.ed.apply(Action::Notify {
                    tone: Tone::Error,
                    text: message.clone(),
                });
            }
        }
        s
    }

    /// The session to start with.
    pub fn session(&self) -> Session {
        Session {
            visit: match &self.opening {
                Opening::Visit { visit, .. } => Some((visit.clone(), self.hash.clone())),
                _ => None,
            },
            gallery: self.gallery,
            pending: self.pending.clone(),
            content: if content::ready() {
                Content::Ready
            } else {
                Content::Loading
            },
            ..Session::default()
        }
    }
}

/// The run starts afresh on an opened diagram, with its own seed and duration (not those typed for the last
/// one) and none of the faults applied by hand to the last one.
fn restart_run(run: &RunCtx, doc: &Topology) {
    run.cmd.emit(Cmd::Reset);
    run.cmd.emit(Cmd::Seed(doc.settings.seed));
    run.cmd.emit(Cmd::Duration(doc.settings.duration_s));
}

/// Shows `doc` alongside the user's work: their slot is not touched; `hash` goes in the address so a reload
/// (or a copy of the address) reopens it.
pub fn visit(
    state: &Handle,
    session: &SessionHandle,
    run: Option<&RunCtx>,
    doc: Topology,
    visit: Visit,
    hash: String,
) {
    set_hash(&hash);
    if let Some(run) = run {
        restart_run(run, &doc);
    }
    if let Some(n) = &state.ed.notice {
        // A welcome or an earlier message is about the diagram being left.
        state.dispatch(Action::DismissNotice(n.serial));
    }
    state.dispatch(Action::Open(Box::new(doc)));
    session.dispatch(SessionAction::SetVisit(Some((visit, hash))));
    session.dispatch(SessionAction::Gallery(false));
}

/// Opens what an address fragment asks for (a `hashchange`): a visit, a message, or — when the fragment was
/// removed — the user's own diagram.
pub fn open_hash(state: &Handle, session: &SessionHandle, run: Option<&RunCtx>, hash: String) {
    // A scenario or challenge asked for before the shipped diagrams are there (a gallery card of the page's
    // shell clicked as the app starts) waits for them, as on load.
    if opening::needs_content(&hash) && !content::ready() {
        match &session.content {
            Content::Failed(why) => state.dispatch(Action::Notify {
                tone: Tone::Error,
                text: why.clone(),
            }),
            _ => session.dispatch(SessionAction::Pending(hash)),
        }
        return;
    }
    match opening::open_fragment(&hash, read(VISIT_KEY).as_deref()) {
        Opening::Visit { doc, visit: v, .. } => visit(state, session, run, *doc, v, hash),
        Opening::Problem { message, gallery } => {
            set_hash("");
            state.dispatch(Action::Notify {
                tone: Tone::Error,
                text: message,
            });
            if gallery {
                session.dispatch(SessionAction::Gallery(true));
            }
        }
        Opening::Own => {
            if session.visit.is_some() {
                back(state, session, run);
            }
        }
    }
}

/// Leaves the visit: the user's autosaved diagram opens again, as they left it.
pub fn back(state: &Handle, session: &SessionHandle, run: Option<&RunCtx>) {
    set_hash("");
    let restored = storage::restore(read(STORAGE_KEY).as_deref());
    if let Some(run) = run {
        restart_run(run, &restored.doc);
    }
    state.dispatch(Action::Open(Box::new(restored.doc)));
    let text = match restored.message {
        Some((true, text)) => text,
        _ => "Back to your diagram.".into(),
    };
    state.dispatch(Action::Notify {
        tone: Tone::Info,
        text,
    });
    session.dispatch(SessionAction::SetVisit(None));
}

/// Makes the visited diagram the user's own. Their previous diagram is kept under [`PREVIOUS_KEY`] and stays
/// one Undo away in this tab; the visited one is then autosaved to their slot like any edit.
pub fn keep(state: &Handle, session: &SessionHandle) {
    let visited = (*state.ed.doc).clone();
    let previous = read(STORAGE_KEY);
    if let Some(p) = &previous {
        store(PREVIOUS_KEY, p);
    }
    if let Some(s) = local_storage() {
        let _ = s.remove_item(VISIT_KEY);
    }
    set_hash("");
    let own = storage::restore(previous.as_deref()).doc;
    session.dispatch(SessionAction::SetVisit(None));
    state.dispatch(Action::Open(Box::new(own)));
    state.dispatch(Action::Replace(Box::new(visited)));
    state.dispatch(Action::Notify {
        tone: Tone::Info,
        text:
            "This is now your diagram, saved in this browser. Undo brings your previous one back."
                .into(),
    });
}

/// The key and text autosave writes for `doc` in `session` (core decides the slot).
pub fn autosave_entry(session: &Session, doc: &Topology) -> (&'static str, String) {
    match &session.visit {
        Some((_, hash)) => (opening::save_key(true), opening::visit_record(hash, doc)),
        None => (opening::save_key(false), storage::encode(doc)),
    }
}

/// The page started: a failure record is done with (a failure before this point counts as a failure in a row),
/// and the address loses its `?recover`.
pub fn started() {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(PANIC_KEY);
    }
    let search = current_search();
    let clean = recovery::clean_search(&search);
    if clean != search
        && let Some(w) = web_sys::window()
    {
        let loc = w.location();
        let url = format!(
            "{}{clean}{}",
            loc.pathname().unwrap_or_default(),
            loc.hash().unwrap_or_default()
        );
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

/// Fetches the shipped diagrams (the bundle `web/content.mjs` writes and links from index.html as
/// `#content-bundle`), installs them in core, then opens the address's waiting scenario or challenge.
/// `latest` gives the handles as they are when the answer comes.
pub fn load_content(
    latest: impl Fn() -> Option<(Handle, SessionHandle, Option<RunCtx>)> + 'static,
) {
    let href = gloo::utils::document()
        .get_element_by_id("content-bundle")
        .and_then(|l| l.get_attribute("href"));
    yew::platform::spawn_local(async move {
        let outcome = match href {
            Some(href) => fetch_text(&href).await.and_then(|t| content::install(&t)),
            None => Err("the page links no examples bundle".to_string()),
        };
        if outcome.is_ok() {
            // The challenges are parsed in this task, and the gallery lists them in the next, after a
            // painted frame: two shorter tasks instead of one long one while the page starts.
            let _ = playground_core::challenges::all();
            let painted = js_sys::Promise::new(&mut |resolve, _| {
                crate::after_paint(move || {
                    let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
                });
            });
            let _ = wasm_bindgen_futures::JsFuture::from(painted).await;
        }
        let Some((state, session, run)) = latest() else {
            return;
        };
        let pending = session.pending.clone();
        match outcome {
            Ok(()) => {
                session.dispatch(SessionAction::Content(Content::Ready));
                if let Some(hash) = pending {
                    open_hash(&state, &session, run.as_ref(), hash);
                }
            }
            Err(e) => {
                let text = format!("The gallery's examples did not load: {e}.");
                session.dispatch(SessionAction::Content(Content::Failed(text.clone())));
                if pending.is_some() {
                    state.dispatch(Action::Notify {
                        tone: Tone::Error,
                        text,
                    });
                }
            }
        }
    });
}

/// The text at `href`, or why not.
async fn fetch_text(href: &str) -> Result<String, String> {
    let response = gloo::net::http::Request::get(href)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("the server answered {}", response.status()));
    }
    response.text().await.map_err(|e| e.to_string())
}
