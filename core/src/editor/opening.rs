//! What the page opens from its address, and where autosave writes, so that a shared link or a scenario opens
//! *alongside* the user's own work and never over it.
//!
//! ```text
//!  location.hash ──Fragment::parse──> decode / scenarios::by_name ──> Opening
//!                                                                      │ visit: the diagram is shown, the
//!                                                                      │ user's slot (STORAGE_KEY) untouched;
//!                                                                      │ edits go to VISIT_KEY
//!  "Back to my diagram" ── reopen STORAGE_KEY                          │
//!  "Keep as my diagram" ── old own text → PREVIOUS_KEY, visited → STORAGE_KEY (and one Undo away)
//! ```
//!
//! A bad link or an unknown scenario gives a problem message and no diagram, so the user's work stays open.

use crate::challenges::{self, Challenge};
use crate::scenarios::{self, Scenario};
use crate::share::{self, Fragment};
use crate::topology::Topology;

use super::storage::STORAGE_KEY;

/// The `localStorage` key where edits to a visited (shared or scenario) diagram are saved, with the address
/// fragment it came from, so a reload of the same link keeps them.
pub const VISIT_KEY: &str = "sdp.visit.v1";

/// The `localStorage` key holding the user's own diagram as it was before "Keep as my diagram" replaced it.
pub const PREVIOUS_KEY: &str = "sdp.diagram.previous.v1";

/// The `localStorage` key set once the gallery has been shown or closed, so it opens by itself only once.
pub const GALLERY_SEEN_KEY: &str = "sdp.gallery.seen.v1";

/// A diagram open instead of (not over) the user's own.
#[derive(Clone, Debug, PartialEq)]
pub enum Visit {
    /// From a share link.
    Link,
    /// A built-in scenario from the gallery or a `#scenario=` link.
    Scenario(&'static Scenario),
    /// A challenge (`#challenge=<name>`, or `#challenge=<name>&d=<design>` for a shared solution).
    Challenge(&'static Challenge),
}

impl Visit {
    /// The banner's text.
    pub fn banner(&self) -> String {
        match self {
            Visit::Link => "Opened a shared diagram".into(),
            Visit::Scenario(s) => format!("Scenario: {}", s.title),
            Visit::Challenge(c) => format!("Challenge: {}", c.title),
        }
    }
}

/// What to open for an address fragment.
#[derive(Clone, Debug, PartialEq)]
pub enum Opening {
    /// Nothing asked for: the user's own diagram.
    Own,
    /// Show `doc` alongside the user's work.
    Visit {
        /// the diagram to show
        doc: Box<Topology>,
        /// where it came from
        visit: Visit,
        /// whether these are the user's earlier edits of it, restored from [`VISIT_KEY`]
        edited: bool,
    },
    /// The fragment asked for something that cannot be opened: keep the user's diagram and say why.
    Problem {
        /// the message for the user
        message: String,
        /// open the gallery (an unknown scenario name)
        gallery: bool,
    },
}

/// What `hash` (`location.hash`, e.g. `#d=v1.…` or `#scenario=caching`) opens. `saved_visit` is what
/// [`VISIT_KEY`] holds: when it records edits made to this very fragment, those edits open instead of the
/// pristine diagram, so reloading a link being edited loses nothing.
pub fn open_fragment(hash: &str, saved_visit: Option<&str>) -> Opening {
    if let Some(asked) = ChallengeLink::parse(hash) {
        return open_challenge(hash, asked, saved_visit);
    }
    let (doc, visit) = match Fragment::parse(hash) {
        Fragment::None => return Opening::Own,
        Fragment::Diagram(payload) => match share::decode(&payload) {
            Ok(t) => (t, Visit::Link),
            Err(e) => {
                return Opening::Problem {
                    message: format!(
                        "The shared link did not open: {e}. Your own diagram is unchanged."
                    ),
                    gallery: false,
                };
            }
        },
        Fragment::Scenario(name) => match scenarios::by_name(&name) {
            Some(s) => (s.topology(), Visit::Scenario(s)),
            None => {
                return Opening::Problem {
                    message: format!(
                        "There is no scenario called “{}”. Pick one from the gallery.",
                        shorten(&name, 60)
                    ),
                    gallery: true,
                };
            }
        },
    };
    match saved_visit.and_then(|s| visit_edits(s, hash)) {
        Some(edited) => Opening::Visit {
            doc: Box::new(edited),
            visit,
            edited: true,
        },
        None => Opening::Visit {
            doc: Box::new(doc),
            visit,
            edited: false,
        },
    }
}

/// Whether `hash` asks for a scenario or a challenge, which the page can open only once the shipped diagrams
/// are there ([`crate::content::ready`]); until then it opens the user's diagram and this fragment after.
pub fn needs_content(hash: &str) -> bool {
    ChallengeLink::parse(hash).is_some() || matches!(Fragment::parse(hash), Fragment::Scenario(_))
}

/// The address key of a challenge: `#challenge=<name>`.
pub const CHALLENGE_KEY: &str = "challenge";

/// A `#challenge=` address: the challenge's name and, for a shared solution, the design's share payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeLink {
    /// the challenge's name
    pub name: String,
    /// the design's share payload (`v1.…`), when the link carries one
    pub design: Option<String>,
}

impl ChallengeLink {
    /// Reads `#challenge=<name>` or `#challenge=<name>&d=<payload>`; `None` for any other address.
    pub fn parse(hash: &str) -> Option<ChallengeLink> {
        let body = normalise(hash);
        let rest = body.strip_prefix(CHALLENGE_KEY)?.strip_prefix('=')?;
        let (name, design) = match rest.split_once('&') {
            Some((name, d)) => (name, d.strip_prefix("d=").map(str::to_string)),
            None => (rest, None),
        };
        Some(ChallengeLink {
            name: name.to_string(),
            design,
        })
    }

    /// The address fragment for challenge `name`, carrying `design` when given (a solution to share).
    pub fn fragment(name: &str, design: Option<&Topology>) -> String {
        let mut out = format!("#{CHALLENGE_KEY}={name}");
        if let Some(d) = design {
            out.push_str("&d=");
            out.push_str(&share::encode(d));
        }
        out
    }
}

/// Opens a challenge: its starting diagram (or the learner's saved edits of it), or the design a shared
/// solution carries.
fn open_challenge(hash: &str, asked: ChallengeLink, saved_visit: Option<&str>) -> Opening {
    let Some(c) = challenges::by_name(&asked.name) else {
        return Opening::Problem {
            message: format!(
                "There is no challenge called “{}”. Pick one from the gallery.",
                shorten(&asked.name, 60)
            ),
            gallery: true,
        };
    };
    let doc = match &asked.design {
        None => c.start.clone(),
        Some(payload) => match share::decode(payload) {
            Ok(t) => t,
            Err(e) => {
                return Opening::Problem {
                    message: format!(
                        "The shared solution did not open: {e}. Your own diagram is unchanged."
                    ),
                    gallery: false,
                };
            }
        },
    };
    let edited = saved_visit.and_then(|s| visit_edits(s, hash));
    Opening::Visit {
        edited: edited.is_some(),
        doc: Box::new(edited.unwrap_or(doc)),
        visit: Visit::Challenge(c),
    }
}

/// The text to store under [`VISIT_KEY`]: the edited diagram and the fragment it was opened from.
pub fn visit_record(hash: &str, doc: &Topology) -> String {
    serde_json::json!({ "from": normalise(hash), "doc": doc }).to_string()
}

/// The edited diagram in a [`visit_record`], if it was made for `hash` and reads back.
fn visit_edits(saved: &str, hash: &str) -> Option<Topology> {
    let v: serde_json::Value = serde_json::from_str(saved).ok()?;
    if v.get("from")?.as_str()? != normalise(hash) {
        return None;
    }
    serde_json::from_value(v.get("doc")?.clone()).ok()
}

/// A fragment without its leading `#`, so `#d=…` and `d=…` name the same visit.
fn normalise(hash: &str) -> &str {
    hash.strip_prefix('#').unwrap_or(hash)
}

/// Where autosave writes: the visit's own slot while a shared diagram or scenario is open, else the user's.
pub fn save_key(visiting: bool) -> &'static str {
    if visiting { VISIT_KEY } else { STORAGE_KEY }
}

/// Whether the gallery opens by itself: on a first visit, with no saved work, no link, and the gallery never
/// shown before.
pub fn gallery_on_start(has_saved_work: bool, gallery_seen: bool, opening: &Opening) -> bool {
    match opening {
        Opening::Own => !has_saved_work && !gallery_seen,
        Opening::Visit { .. } => false,
        Opening::Problem { gallery, .. } => *gallery,
    }
}

/// The diagram a share link should carry: the editor's diagram with the run's seed and duration as set in the
/// run controls (they override the diagram's while the page runs it), so the link reproduces that run.
pub fn shareable(doc: &Topology, seed: u64, duration_s: f64) -> Topology {
    let mut t = doc.clone();
    t.settings.seed = seed;
    if duration_s.is_finite() && duration_s > 0.0 {
        t.settings.duration_s = duration_s;
    }
    t
}

/// At most `max` characters of `s`, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_link_opens_its_start_or_the_design_it_carries() {
        let c = &challenges::all()[0];
        let plain = ChallengeLink::fragment(&c.name, None);
        match open_fragment(&plain, None) {
            Opening::Visit { doc, visit, edited } => {
                assert_eq!(*doc, c.start);
                assert_eq!(visit, Visit::Challenge(c));
                assert!(!edited);
            }
            other => panic!("{other:?}"),
        }
        let solved = ChallengeLink::fragment(&c.name, Some(&c.reference));
        let link = ChallengeLink::parse(&solved).expect("a challenge link");
        assert_eq!(link.name, c.name);
        assert!(link.design.is_some());
        match open_fragment(&solved, None) {
            Opening::Visit { doc, .. } => assert_eq!(*doc, c.reference),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            open_fragment("#challenge=no-such", None),
            Opening::Problem { gallery: true, .. }
        ));
        assert!(matches!(
            open_fragment(&format!("#challenge={}&d=v1.!!", c.name), None),
            Opening::Problem { gallery: false, .. }
        ));
        assert_eq!(ChallengeLink::parse("#scenario=x"), None);
    }
    use crate::editor::storage;

    #[test]
    fn a_share_link_opens_as_a_visit_and_round_trips() {
        let mut t = storage::example();
        t.settings.seed = 42;
        let hash = share::share_url_fragment(&t);
        match open_fragment(&hash, None) {
            Opening::Visit { doc, visit, edited } => {
                assert_eq!(*doc, t);
                assert_eq!(visit, Visit::Link);
                assert!(!edited);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_links_are_problems_with_the_decoders_words() {
        let good = share::share_url_fragment(&storage::example());
        let cases = [
            good[..good.len() / 2].to_string(),
            "#d=v1.@@@@".to_string(),
            "#d=v9.AAAA".to_string(),
            "#d=hello".to_string(),
            format!("#d={}", "A".repeat(share::MAX_LINK_CHARS + 1)),
        ];
        for hash in cases {
            let payload = hash.trim_start_matches("#d=");
            let want = share::decode(payload).expect_err("bad link").to_string();
            match open_fragment(&hash, None) {
                Opening::Problem { message, gallery } => {
                    assert!(message.contains(&want), "{message} / {want}");
                    assert!(!gallery);
                }
                other => panic!("{hash:.40}: {other:?}"),
            }
        }
    }

    #[test]
    fn scenarios_open_by_name_and_an_unknown_name_asks_for_the_gallery() {
        for s in scenarios::all() {
            match open_fragment(&share::scenario_url_fragment(s.name), None) {
                Opening::Visit { doc, visit, .. } => {
                    assert_eq!(*doc, s.topology());
                    assert_eq!(visit, Visit::Scenario(s));
                }
                other => panic!("{}: {other:?}", s.name),
            }
        }
        match open_fragment("#scenario=no-such-thing", None) {
            Opening::Problem { message, gallery } => {
                assert!(message.contains("no-such-thing") && gallery, "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(open_fragment("", None), Opening::Own);
        assert_eq!(open_fragment("#", None), Opening::Own);
    }

    #[test]
    fn edits_to_a_visit_reopen_only_for_the_same_fragment() {
        let hash = share::scenario_url_fragment(scenarios::all()[0].name);
        let mut edited = scenarios::all()[0].topology();
        edited.name = "my edit".into();
        let record = visit_record(&hash, &edited);
        match open_fragment(&hash, Some(&record)) {
            Opening::Visit {
                doc, edited: true, ..
            } => assert_eq!(doc.name, "my edit"),
            other => panic!("{other:?}"),
        }
        let other = share::scenario_url_fragment(scenarios::all()[1].name);
        assert!(matches!(
            open_fragment(&other, Some(&record)),
            Opening::Visit { edited: false, .. }
        ));
        // An unreadable record is ignored, never an error.
        assert!(matches!(
            open_fragment(&hash, Some("{oops")),
            Opening::Visit { edited: false, .. }
        ));
    }

    #[test]
    fn autosave_never_writes_a_visit_into_the_users_slot() {
        assert_eq!(save_key(true), VISIT_KEY);
        assert_eq!(save_key(false), STORAGE_KEY);
        assert_ne!(VISIT_KEY, STORAGE_KEY);
        assert_ne!(PREVIOUS_KEY, STORAGE_KEY);
    }

    #[test]
    fn scenarios_and_challenges_need_the_shipped_diagrams_and_links_do_not() {
        assert!(needs_content("#scenario=client-server"));
        assert!(needs_content("#challenge=more-workers"));
        let c = &challenges::all()[0];
        let design = ChallengeLink::fragment(&c.name, Some(&c.reference));
        assert!(needs_content(&design));
        let link = share::share_url_fragment(&c.start);
        assert!(!needs_content(&link));
        assert!(!needs_content(""));
        assert!(!needs_content("#elsewhere"));
    }

    #[test]
    fn the_gallery_opens_by_itself_only_for_a_newcomer() {
        assert!(gallery_on_start(false, false, &Opening::Own));
        assert!(!gallery_on_start(true, false, &Opening::Own));
        assert!(!gallery_on_start(false, true, &Opening::Own));
        let unknown = open_fragment("#scenario=nope", None);
        assert!(gallery_on_start(true, true, &unknown));
    }

    #[test]
    fn a_shared_diagram_carries_the_runs_seed_and_duration() {
        let t = shareable(&storage::example(), 7, 30.0);
        assert_eq!((t.settings.seed, t.settings.duration_s), (7, 30.0));
        let back = share::decode(&share::encode(&t)).expect("decodes");
        assert_eq!(back.settings.seed, 7);
    }
}
