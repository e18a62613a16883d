//! What the page keeps and decides when it has panicked (the web crate's panic hook writes, the next load
//! reads): the record of the failure, which diagram to offer for download, what the reload does, and the
//! test-only way to make the page panic on purpose.
//!
//! ```text
//!  panic ──hook──> PANIC_KEY = {message, slot, hash, during}      panel: saved? download (slot's diagram as
//!                                                                  JSON) · "Reload without running" → ?recover
//!  next load ──read(PANIC_KEY), remove it──> Recovery { notice, open_saved, … }
//!        ?recover        own saved diagram opens, nothing runs, a notice says what happened
//!        ?recover=empty  (a second failure while opening) the example opens; the saved diagram stays stored
//! ```
//!
//! The page never runs a diagram by itself; [`may_autorun`] is the rule any future automatic run must ask.

use serde::{Deserialize, Serialize};

use crate::topology::Topology;

/// The `localStorage` key of the last failure's record.
pub const PANIC_KEY: &str = "sdp.panic.v1";

/// The `localStorage` key that arms the test-only panic (with `?test-panic=` in the address); a test sets it,
/// nothing in the page does.
pub const TEST_PANIC_KEY: &str = "sdp.test.panic.v1";

/// The value [`TEST_PANIC_KEY`] must hold.
pub const TEST_PANIC_ARMED: &str = "armed";

/// The query parameter of the test-only panic.
pub const TEST_PANIC_PARAM: &str = "test-panic";

/// The query parameter the panel's reload adds.
pub const RECOVER_PARAM: &str = "recover";

/// What was happening when the page failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum During {
    /// starting up (before the page was shown)
    Start,
    /// a run was advancing
    Run,
    /// anything else (editing, rendering)
    Other,
}

/// The record of a failure, as stored under [`PANIC_KEY`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PanicRecord {
    /// the panic's text (message and place)
    pub message: String,
    /// the storage key the diagram was being saved under
    pub slot: String,
    /// the address fragment open at the time (a share link or scenario), `""` for the user's own diagram
    pub hash: String,
    /// what was happening
    pub during: During,
    /// failures in a row (a failure while recovering counts on)
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

impl PanicRecord {
    /// The record to store now, given the one stored before (a failure while recovering counts on).
    pub fn next(
        message: &str,
        slot: &str,
        hash: &str,
        during: During,
        previous: Option<&str>,
    ) -> PanicRecord {
        let count = previous
            .and_then(read)
            .map_or(1, |p| p.count.saturating_add(1));
        PanicRecord {
            message: message.chars().take(4000).collect(),
            slot: slot.to_string(),
            hash: hash.to_string(),
            during,
            count,
        }
    }

    /// The stored text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The record in stored text, if it reads.
pub fn read(text: &str) -> Option<PanicRecord> {
    crate::topology::read_json(text).ok()
}

/// The diagram stored in an autosave slot's text (the user's slot holds topology JSON, a visit's slot a
/// record with the diagram inside), as the JSON a download gives: `None` when it does not read.
pub fn saved_diagram(slot_text: &str) -> Option<(Topology, String)> {
    let doc = Topology::from_json(slot_text).ok().or_else(|| {
        let v: serde_json::Value = serde_json::from_str(slot_text).ok()?;
        serde_json::from_value(v.get("doc")?.clone()).ok()
    })?;
    let json = doc.to_json();
    Some((doc, json))
}

/// What the panel's reload opens: the page's address without its fragment (a link that failed is not opened
/// again by itself) and with `?recover`, or `?recover=empty` after failures in a row, which opens the example
/// instead of the saved diagram. Other query parameters (the test-only panic) are dropped.
pub fn reload_address(pathname: &str, record: &PanicRecord) -> String {
    let value = if record.count >= 2 { "=empty" } else { "" };
    format!("{pathname}?{RECOVER_PARAM}{value}")
}

/// How a load goes after a failure.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovery {
    /// open the saved diagram (false: the example, the saved one left in storage)
    pub open_saved: bool,
    /// the message to show
    pub notice: String,
}

/// What a load does given the stored failure record and the address's query (`location.search`). `None`: an
/// ordinary load.
pub fn on_load(record: Option<&str>, search: &str) -> Option<Recovery> {
    let recover = query_value(search, RECOVER_PARAM);
    let record = record.and_then(read);
    if record.is_none() && recover.is_none() {
        return None;
    }
    let empty = recover.as_deref() == Some("empty");
    let what = match record.as_ref().map(|r| r.during) {
        Some(During::Run) => "while running this diagram",
        Some(During::Start) => "while opening",
        _ => "",
    };
    let link = if record.as_ref().is_some_and(|r| !r.hash.is_empty()) {
        " The shared link that was open was not opened again."
    } else {
        ""
    };
    let notice = if empty {
        format!(
            "The page failed again while opening your saved diagram, so the example is shown. Your diagram is still \
             stored: File → Restore brings it back.{link}"
        )
    } else {
        format!(
            "The page hit a bug {what} and was reloaded. Your diagram is as last saved and has not been run — press \
             Run to try again.{link}"
        )
        .replace("  ", " ")
    };
    Some(Recovery {
        open_saved: !empty,
        notice,
    })
}

/// Whether a diagram may start running without the user pressing Run: never right after a failure (the page
/// runs nothing by itself today; anything that ever autoruns must ask this).
pub fn may_autorun(record: Option<&str>, search: &str) -> bool {
    on_load(record, search).is_none()
}

/// Where the test-only panic fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestPanic {
    /// while the page starts
    Start,
    /// on the first frame of a run
    Run,
}

/// The test-only panic asked for, if any: only when the address's *query* says `?test-panic=start|run` *and*
/// storage holds [`TEST_PANIC_ARMED`] under [`TEST_PANIC_KEY`]. A share link's content is its fragment, which
/// is never read here, and a crafted address alone does nothing without the storage a test sets.
pub fn test_panic(search: &str, armed: Option<&str>) -> Option<TestPanic> {
    if armed != Some(TEST_PANIC_ARMED) {
        return None;
    }
    match query_value(search, TEST_PANIC_PARAM)?.as_str() {
        "start" => Some(TestPanic::Start),
        "run" => Some(TestPanic::Run),
        _ => None,
    }
}

/// `search` without the recovery and test-panic parameters (what a share link and the address bar keep).
pub fn clean_search(search: &str) -> String {
    let body = search.strip_prefix('?').unwrap_or(search);
    let kept: Vec<&str> = body
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or_default();
            key != RECOVER_PARAM && key != TEST_PANIC_PARAM
        })
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

/// The value of `key` in a query string (`""` for a bare key), the query's fragment never included.
fn query_value(search: &str, key: &str) -> Option<String> {
    let body = search.strip_prefix('?').unwrap_or(search);
    let body = body.split('#').next().unwrap_or_default();
    body.split('&').find_map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        (k == key).then(|| v.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::opening::{VISIT_KEY, visit_record};
    use crate::editor::storage::{self, STORAGE_KEY};

    #[test]
    fn the_test_panic_needs_the_query_and_the_armed_storage() {
        let armed = Some(TEST_PANIC_ARMED);
        assert_eq!(test_panic("?test-panic=run", armed), Some(TestPanic::Run));
        assert_eq!(
            test_panic("?a=1&test-panic=start", armed),
            Some(TestPanic::Start)
        );
        assert_eq!(test_panic("?test-panic=run", None), None);
        assert_eq!(test_panic("?test-panic=run", Some("yes")), None);
        assert_eq!(test_panic("", armed), None);
        // A share link's content is its fragment: never read.
        assert_eq!(test_panic("#d=v1.x?test-panic=run", armed), None);
        assert_eq!(test_panic("?x=1#test-panic=run", armed), None);
        assert_eq!(test_panic("?test-panic=now", armed), None);
    }

    #[test]
    fn share_links_and_the_address_drop_the_recovery_and_test_parameters() {
        assert_eq!(clean_search("?test-panic=run"), "");
        assert_eq!(clean_search("?recover&lang=en"), "?lang=en");
        assert_eq!(clean_search("?a=1&recover=empty&b"), "?a=1&b");
        assert_eq!(clean_search(""), "");
    }

    #[test]
    fn a_failure_reloads_without_the_link_and_without_running() {
        let r = PanicRecord::next("boom", STORAGE_KEY, "#d=v1.abc", During::Run, None);
        assert_eq!(r.count, 1);
        let addr = reload_address("/play/", &r);
        assert_eq!(addr, "/play/?recover");
        let rec = on_load(Some(&r.to_text()), "?recover").expect("a recovery");
        assert!(rec.open_saved);
        assert!(rec.notice.contains("while running") && rec.notice.contains("not been run"));
        assert!(
            rec.notice
                .contains("link that was open was not opened again")
        );
        assert!(!may_autorun(Some(&r.to_text()), ""));
        assert!(may_autorun(None, ""));
        // A failure while recovering: the next reload opens the example, the saved diagram left stored.
        let again = PanicRecord::next("boom", STORAGE_KEY, "", During::Start, Some(&r.to_text()));
        assert_eq!(again.count, 2);
        assert_eq!(reload_address("/", &again), "/?recover=empty");
        let rec = on_load(Some(&again.to_text()), "?recover=empty").expect("a recovery");
        assert!(!rec.open_saved && rec.notice.contains("File → Restore"));
        assert_eq!(on_load(None, ""), None);
        assert_eq!(on_load(Some("{oops"), ""), None);
    }

    #[test]
    fn the_download_is_the_slots_diagram_whatever_the_slot() {
        let t = storage::example();
        let (doc, json) = saved_diagram(&storage::encode(&t)).expect("the user's slot");
        assert_eq!(doc, t);
        assert_eq!(Topology::from_json(&json).ok(), Some(t.clone()));
        let (doc, _) = saved_diagram(&visit_record("#d=v1.x", &t)).expect("a visit's slot");
        assert_eq!(doc, t);
        assert!(saved_diagram("{oops").is_none());
        assert_ne!(VISIT_KEY, PANIC_KEY);
    }
}
