//! Autosave across tabs, and the restore list. Two tabs of the playground never silently overwrite each
//! other's work: tabs announce themselves on a `BroadcastChannel` (and watch `storage` events); when another,
//! older tab holds the user's slot — or has saved to it since this tab last did — this tab saves to a slot of
//! its own from then on and the page says so, offering to make this tab's diagram the main one. Whenever
//! autosave replaces the user's slot with another diagram (New, an import, the other tab's), the one replaced
//! goes into the restore list (`storage::remember`). The decisions are core's (`editor::storage`); this file
//! moves text between them and the browser.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo::events::EventListener;
use playground_core::Topology;
use playground_core::editor::storage::{
    self, HISTORY_KEY, OWNER_KEY, STORAGE_KEY, SaveTo, Slot, TabGuard, TabMessage, TabReply,
};
use wasm_bindgen::JsCast;
use yew::Callback;

use crate::state::local_storage;

/// The broadcast channel's name.
const CHANNEL: &str = "sdp-tabs-v1";

/// Why this tab now saves on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TabNews {
    /// another tab has the playground open (found when this one opened)
    OtherTabOpen,
    /// another tab saved the user's diagram since this tab last did
    OtherTabSaved,
    /// this tab's diagram is the main one again
    TookMain,
}

struct Tabs {
    guard: TabGuard,
    /// when this tab opened [ms], to tell the older tab
    started: f64,
    /// what this tab last wrote to the user's slot this session (`None`: nothing yet)
    last_main: Option<Rc<Topology>>,
    news: Option<Callback<TabNews>>,
    _listeners: Vec<EventListener>,
    channel: Option<web_sys::BroadcastChannel>,
}

thread_local! {
    static TABS: RefCell<Option<Tabs>> = const { RefCell::new(None) };
    static SAVES: Cell<u64> = const { Cell::new(0) };
}

fn read(key: &str) -> Option<String> {
    local_storage().and_then(|s| s.get_item(key).ok().flatten())
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A fresh id for this tab.
fn new_tab_id() -> String {
    format!(
        "{:x}{:06x}",
        now_ms() as u64,
        (js_sys::Math::random() * 16_777_216.0) as u64
    )
}

fn with<R>(f: impl FnOnce(&mut Tabs) -> R) -> Option<R> {
    TABS.with(|t| t.try_borrow_mut().ok()?.as_mut().map(f))
}

fn post(
    channel: Option<&web_sys::BroadcastChannel>,
    kind: &str,
    tab: &str,
    started: f64,
    main: bool,
) {
    if let Some(c) = channel {
        let msg = TabMessage {
            t: kind.into(),
            tab: tab.into(),
            started,
            main,
        };
        let _ = c.post_message(&wasm_bindgen::JsValue::from_str(&msg.to_text()));
    }
}

/// Starts the tab's coordination (once): announces the tab, answers others, and calls `news` when this tab
/// starts or stops saving on its own.
pub fn start(news: Callback<TabNews>) {
    if with(|_| ()).is_some() {
        return;
    }
    let tab = new_tab_id();
    let started = now_ms();
    let guard = TabGuard::new(&tab, read(OWNER_KEY).as_deref());
    let channel = web_sys::BroadcastChannel::new(CHANNEL).ok();
    let mut listeners = Vec::new();
    if let Some(c) = &channel {
        listeners.push(EventListener::new(c, "message", move |e| {
            let Some(data) = e
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(|m| m.data().as_string())
            else {
                return;
            };
            if let Some(m) = TabMessage::parse(&data) {
                on_message(&m);
            }
        }));
    }
    // Another tab wrote the user's slot: this one stops writing it.
    listeners.push(EventListener::new(
        &gloo::utils::window(),
        "storage",
        move |e| {
            let Some(e) = e.dyn_ref::<web_sys::StorageEvent>() else {
                return;
            };
            if e.key().as_deref() == Some(OWNER_KEY) {
                yield_main(TabNews::OtherTabSaved);
            }
        },
    ));
    // A tab that saved on its own and closes leaves its diagram in the restore list, not in a slot nobody reads.
    listeners.push(EventListener::new(
        &gloo::utils::window(),
        "pagehide",
        move |_| {
            let Some((key, own)) =
                with(|t| (storage::tab_key(&t.guard.tab), t.guard.slot == Slot::Own))
            else {
                return;
            };
            if own && let Some(text) = read(&key) {
                remember(&text, "other tab");
                if let Some(s) = local_storage() {
                    let _ = s.remove_item(&key);
                }
            }
        },
    ));
    post(channel.as_ref(), "hello", &tab, started, true);
    TABS.with(|t| {
        if let Ok(mut t) = t.try_borrow_mut() {
            *t = Some(Tabs {
                guard,
                started,
                last_main: None,
                news: Some(news),
                _listeners: listeners,
                channel,
            });
        }
    });
}

fn on_message(m: &TabMessage) {
    let Some((me, my_start, i_am_main)) =
        with(|t| (t.guard.tab.clone(), t.started, t.guard.slot == Slot::Main))
    else {
        return;
    };
    match storage::on_tab_message(&me, my_start, i_am_main, m) {
        TabReply::Nothing => {}
        TabReply::Answer => {
            with(|t| post(t.channel.as_ref(), "here", &me, my_start, true));
        }
        TabReply::Yield { saved } => yield_main(if saved {
            TabNews::OtherTabSaved
        } else {
            TabNews::OtherTabOpen
        }),
    }
}

/// This tab saves on its own from now on; tells the page when that is news.
fn yield_main(why: TabNews) {
    let news = with(|t| t.guard.yield_main().then(|| t.news.clone()).flatten()).flatten();
    if let Some(n) = news {
        n.emit(why);
    }
}

/// Puts `text` (a stored diagram) in the restore list.
fn remember(text: &str, why: &str) {
    let list = storage::history(read(HISTORY_KEY).as_deref());
    let list = storage::remember(list, text, why, now_ms());
    if let Some(s) = local_storage() {
        let _ = s.set_item(HISTORY_KEY, &storage::history_text(&list));
    }
}

/// Saves `text` (the autosave of `doc`) under `key`: a visit's slot as it is; the user's slot through the tab
/// guard (this tab's own slot when another tab holds it), keeping the diagram it replaces in the restore list
/// when that is another diagram or the first save of this page. Returns whether storage took it.
pub fn autosave(key: &str, text: &str, doc: &Rc<Topology>) -> bool {
    let Some(s) = local_storage() else {
        return false;
    };
    if key != STORAGE_KEY {
        crate::panic::set_slot(key);
        return s.set_item(key, text).is_ok();
    }
    let owner = s.get_item(OWNER_KEY).ok().flatten();
    let decision = with(|t| t.guard.save(owner.as_deref())).unwrap_or(SaveTo::Main {
        stamp: String::new(),
    });
    match decision {
        SaveTo::Main { stamp } => {
            let previous = s.get_item(STORAGE_KEY).ok().flatten();
            let last = with(|t| t.last_main.clone()).flatten();
            if let Some(prev) = &previous {
                let replaced = match &last {
                    None => Some("session"),
                    Some(l) => storage::is_another_diagram(l, doc).then_some("replaced"),
                };
                if let Some(why) = replaced
                    && prev != text
                {
                    remember(prev, why);
                }
            }
            crate::panic::set_slot(STORAGE_KEY);
            let ok = s.set_item(STORAGE_KEY, text).is_ok();
            if ok && !stamp.is_empty() {
                let _ = s.set_item(OWNER_KEY, &stamp);
            }
            with(|t| t.last_main = Some(Rc::clone(doc)));
            SAVES.with(|c| c.set(c.get() + 1));
            ok
        }
        SaveTo::Own(own) => {
            crate::panic::set_slot(&own);
            s.set_item(&own, text).is_ok()
        }
        SaveTo::SwitchToOwn(own) => {
            crate::panic::set_slot(&own);
            yield_main(TabNews::OtherTabSaved);
            s.set_item(&own, text).is_ok()
        }
    }
}

/// Makes this tab's diagram (`text`, of `doc`) the user's main one: the diagram there now goes to the restore
/// list, this tab writes the slot, and other tabs are told to save on their own.
pub fn take_main(text: &str, doc: &Rc<Topology>) -> bool {
    let Some(s) = local_storage() else {
        return false;
    };
    if let Some(prev) = s.get_item(STORAGE_KEY).ok().flatten()
        && prev != text
    {
        remember(&prev, "other tab");
    }
    let owner = s.get_item(OWNER_KEY).ok().flatten();
    let own = with(|t| {
        t.guard.take_main(owner.as_deref());
        storage::tab_key(&t.guard.tab)
    });
    let ok = autosave(STORAGE_KEY, text, doc);
    if ok {
        if let Some(own) = own {
            let _ = s.remove_item(&own);
        }
        with(|t| {
            post(
                t.channel.as_ref(),
                "took",
                &t.guard.tab.clone(),
                t.started,
                true,
            )
        });
        let news = with(|t| t.news.clone()).flatten();
        if let Some(n) = news {
            n.emit(TabNews::TookMain);
        }
    }
    ok
}

/// The restore list as stored now.
pub fn history() -> Vec<storage::HistoryEntry> {
    storage::history(read(HISTORY_KEY).as_deref())
}

/// Whether this tab saves on its own.
pub fn saving_on_own() -> bool {
    with(|t| t.guard.slot == Slot::Own).unwrap_or(false)
}
