//! Counting outcomes: [`OutcomeCounts`], one counter per [`Outcome`], and [`Requests`], the end-to-end counts
//! of a run (or of one client) built on it. The engine's totals, each client's counts, the report's
//! `requests` and every series point use the same type, so a new outcome is one variant of `Outcome` and one
//! name in [`Outcome::COUNTED`].

use std::ops::{Index, IndexMut};

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::request::Outcome;

impl Outcome {
    /// Every outcome with the name of its counter, in the order the report lists them.
    pub const COUNTED: [(Outcome, &'static str); 7] = [
        (Outcome::Ok, "completed"),
        (Outcome::Error, "failed"),
        (Outcome::TimedOut, "timed_out"),
        (Outcome::Rejected, "rejected"),
        (Outcome::RateLimited, "rate_limited"),
        (Outcome::Shed, "shed"),
        (Outcome::Blocked, "blocked"),
    ];

    /// The name of this outcome's counter in the report (`completed`, `failed`, …).
    pub fn counter_name(self) -> &'static str {
        Outcome::COUNTED[self.counter_index()].1
    }

    #[inline]
    fn counter_index(self) -> usize {
        match self {
            Outcome::Ok => 0,
            Outcome::Error => 1,
            Outcome::TimedOut => 2,
            Outcome::Rejected => 3,
            Outcome::RateLimited => 4,
            Outcome::Shed => 5,
            Outcome::Blocked => 6,
        }
    }
}

/// One count per outcome, indexed by [`Outcome`]. In JSON an object with a field per outcome
/// (`completed`, `failed`, `timed_out`, `rejected`, `rate_limited`, `shed`, `blocked`), meant to be
/// flattened into the object that holds it; a missing field reads as 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutcomeCounts([u64; 7]);

impl Index<Outcome> for OutcomeCounts {
    type Output = u64;
    #[inline]
    fn index(&self, o: Outcome) -> &u64 {
        &self.0[o.counter_index()]
    }
}

impl IndexMut<Outcome> for OutcomeCounts {
    #[inline]
    fn index_mut(&mut self, o: Outcome) -> &mut u64 {
        &mut self.0[o.counter_index()]
    }
}

impl OutcomeCounts {
    /// The sum over every outcome.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// The counts of the outcomes only resilience and security mechanisms produce (rate limited, shed,
    /// blocked), all zero without them.
    pub fn guards(&self) -> [u64; 3] {
        [
            self[Outcome::RateLimited],
            self[Outcome::Shed],
            self[Outcome::Blocked],
        ]
    }
}

impl Serialize for OutcomeCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(Outcome::COUNTED.len()))?;
        for (o, name) in Outcome::COUNTED {
            m.serialize_entry(name, &self[o])?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for OutcomeCounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OutcomeCounts;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a count per outcome")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OutcomeCounts, A::Error> {
                let mut c = OutcomeCounts::default();
                while let Some(key) = map.next_key::<String>()? {
                    match Outcome::COUNTED.iter().find(|(_, n)| *n == key) {
                        Some(&(o, _)) => c[o] = map.next_value()?,
                        None => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(c)
            }
        }
        d.deserialize_map(V)
    }
}

/// End-to-end counts; `sent = Σ outcomes + in_flight` always.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requests {
    /// requests clients sent
    pub sent: u64,
    /// how the answered ones ended: `completed` (successful responses received before the deadline),
    /// `failed` (error responses), `timed_out` (the deadline passed first), `rejected` (a full queue or
    /// bulkhead), `rate_limited` (HTTP 429), `shed` (dropped unserved past their deadline), `blocked` (a
    /// firewall's 403)
    #[serde(flatten)]
    pub outcomes: OutcomeCounts,
    /// still unresolved
    pub in_flight: u64,
    /// of the failed, those stopped by the hop limit
    pub hop_limited: u64,
    /// messages lost on links (a lost request ends as timed out)
    pub lost: u64,
    /// of the sent, those carrying an attack payload
    #[serde(default)]
    pub attacks_sent: u64,
    /// of those, the ones that completed: attacks that reached a service and got an answer
    #[serde(default)]
    pub attacks_served: u64,
}

impl Requests {
    /// Successful responses received before the deadline.
    pub fn completed(&self) -> u64 {
        self.outcomes[Outcome::Ok]
    }
    /// Error responses received before the deadline.
    pub fn failed(&self) -> u64 {
        self.outcomes[Outcome::Error]
    }
    /// Requests whose deadline passed first.
    pub fn timed_out(&self) -> u64 {
        self.outcomes[Outcome::TimedOut]
    }
    /// Requests a full queue or bulkhead turned away.
    pub fn rejected(&self) -> u64 {
        self.outcomes[Outcome::Rejected]
    }
    /// Requests a rate limiter refused (HTTP 429).
    pub fn rate_limited(&self) -> u64 {
        self.outcomes[Outcome::RateLimited]
    }
    /// Requests a service dropped unserved past their deadline.
    pub fn shed(&self) -> u64 {
        self.outcomes[Outcome::Shed]
    }
    /// Requests a firewall blocked (HTTP 403).
    pub fn blocked(&self) -> u64 {
        self.outcomes[Outcome::Blocked]
    }

    /// Every outcome plus what is still in flight: equals `sent` at every step (the accounting invariant).
    pub fn accounted(&self) -> u64 {
        self.outcomes.total() + self.in_flight
    }

    /// The counts the resilience and security mechanisms added (all zero without them).
    pub fn resilience_counts(&self) -> [u64; 5] {
        let [r, s, b] = self.outcomes.guards();
        [r, s, b, self.attacks_sent, self.attacks_served]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_has_its_own_counter_and_name() {
        let mut c = OutcomeCounts::default();
        for (i, (o, name)) in Outcome::COUNTED.into_iter().enumerate() {
            c[o] += i as u64 + 1;
            assert_eq!(o.counter_name(), name);
        }
        assert_eq!(c.total(), (1..=7).sum::<u64>());
        let json = serde_json::to_value(c).expect("counts serialise");
        assert_eq!(json["completed"], 1);
        assert_eq!(json["blocked"], 7);
        let back: OutcomeCounts = serde_json::from_value(json).expect("counts deserialise");
        assert_eq!(back, c);
    }

    #[test]
    fn requests_keep_the_report_field_order_and_read_older_json() {
        let mut r = Requests {
            sent: 9,
            ..Requests::default()
        };
        r.outcomes[Outcome::Ok] = 5;
        r.outcomes[Outcome::TimedOut] = 1;
        r.in_flight = 3;
        let json = serde_json::to_string(&r).expect("requests serialise");
        assert!(
            json.starts_with(
                r#"{"sent":9,"completed":5,"failed":0,"timed_out":1,"rejected":0,"rate_limited":0,"shed":0,"blocked":0,"in_flight":3,"#
            ),
            "{json}"
        );
        assert_eq!(r.accounted(), r.sent);
        // a report from before the guard outcomes existed
        let old = r#"{"sent":2,"completed":1,"failed":1,"timed_out":0,"rejected":0,"in_flight":0,"hop_limited":0,"lost":0}"#;
        let back: Requests = serde_json::from_str(old).expect("older requests read");
        assert_eq!((back.completed(), back.failed(), back.blocked()), (1, 1, 0));
    }
}
