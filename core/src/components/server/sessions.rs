//! Where a server keeps its users' sessions (`sessions`): nowhere (`none`, the default: nothing is
//! counted), in its own memory (`stateful`: a user — a client address — whose request reaches a server that
//! holds no session for it logs in there; a killed server loses every session it held, and each of those users
//! is logged out), or in a shared session store (`store`: the server holds nothing; the store is a
//! cache or key-value store it calls on every request, an ordinary edge of its call plan, so a kill loses no
//! session). A sticky load balancer (`sticky`) keeps a user on the server holding its session.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::components::Kind;
use crate::components::interface::{Finding, Port};
use crate::components::server::ServiceReport;
use crate::digest::Digest;
use crate::vocab::Choices;

/// Where a server keeps sessions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sessions {
    /// no sessions are modelled
    #[default]
    None,
    /// in the server's memory: lost when it dies
    Stateful,
    /// in a shared session store the server calls on each request (an edge to a cache or key-value store)
    Store,
}

impl Choices for Sessions {
    const ALL: &'static [Sessions] = &[Sessions::None, Sessions::Stateful, Sessions::Store];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Sessions::None => "None",
            Sessions::Stateful => "In memory (stateful)",
            Sessions::Store => "In a session store (stateless)",
        })
    }
}

/// `store` without an edge to a cache or key-value store to keep the sessions in: a warning.
pub(crate) fn check(s: Sessions, ports: &[Port<'_>]) -> Option<Finding> {
    let store = ports
        .iter()
        .any(|p| matches!(p.kind, Kind::Cache | Kind::KvStore));
    (s == Sessions::Store && !store).then(|| Finding {
        warning: true,
        field: Some("sessions"),
        text: " keeps sessions in a `store` but has no edge to a cache or key-value store to be its session \
               store"
            .into(),
    })
}

/// A stateful server's sessions: the users (client node, client address) logged in here.
#[derive(Clone, Debug, Default)]
pub(crate) struct SessionTable {
    held: BTreeSet<(u32, u32)>,
}

impl SessionTable {
    /// A request of `user` arrives: it logs in here if the server holds no session for it.
    pub fn seen(&mut self, user: (u32, u32), counting: bool, c: &mut ServiceReport) {
        if self.held.insert(user) {
            c.sessions_created += u64::from(counting);
        }
    }

    /// The server dies: every session it held is lost, each a logged-out user.
    pub fn lose(&mut self, counting: bool, c: &mut ServiceReport) {
        if counting {
            c.logged_out += self.held.len() as u64;
        }
        self.held.clear();
    }

    /// Sessions held now.
    pub fn held(&self) -> u64 {
        self.held.len() as u64
    }
}

/// The session counts' part of a server's digest and table line (only when it keeps sessions, so other
/// diagrams keep their digests).
pub(crate) fn digest(s: &ServiceReport, h: &mut Digest) {
    if s.sessions_created + s.logged_out + s.sessions_held > 0 {
        h.u64s(&[s.sessions_created, s.logged_out, s.sessions_held]);
    }
}

/// The table line's words for the session counts (empty without sessions).
pub(crate) fn table_part(s: &ServiceReport) -> String {
    if s.sessions_created + s.logged_out + s.sessions_held > 0 {
        format!(
            "  sessions created {}  held {}  logged out {}",
            s.sessions_created, s.sessions_held, s.logged_out
        )
    } else {
        String::new()
    }
}
