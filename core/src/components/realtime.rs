//! Real-time updates: an event feed (a chat room, a price feed) and the subscribers that follow it by polling,
//! long polling, server-sent events or WebSockets. Two kinds: `subscribers` (N clients, one protocol, on the
//! users' side) → `event_feed` (the server that holds the events and the connections).
//!
//! ```text
//!   poll       every P: request ─────> answered at once with what is new (often nothing)
//!   long_poll  request ─────> held until an event (answered with it) or the hold timeout T (empty) ─> again
//!   sse        one connection, held; each event pushed at once; a reconnect replays what was missed
//!   websocket  one connection, held; each event pushed at once; a reconnect starts from now (missed events)
//! ```
//!
//! Events happen at the feed as a Poisson process of `events_per_s` (from the run's generator; a client's
//! request to the feed publishes one too) and are kept in its log; each subscriber's cursor says what it has
//! been sent. A pushed event is a message over the held request's hop (`Action::Push`): it takes the link's
//! latency, so a held connection's update delay is one link latency, and a poll's is the wait for the next
//! poll plus the link. A killed feed drops every held connection; the subscribers reconnect after a backoff
//! (exponential, with full jitter unless switched off), which is the reconnect storm the report counts.
//! Formulas and limits: `docs/realtime.md`.

pub mod feed;
pub mod subscribers;

use serde::{Deserialize, Serialize};

use crate::components::check_range;
use crate::digest::Digest;
use crate::marks::Figure;
use crate::vocab::{Choices, Term, Vocab, choices};

/// How subscribers learn of new events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// ask every `poll_interval_ms`
    #[default]
    Poll,
    /// ask, and the feed holds the question until an event or its hold timeout
    LongPoll,
    /// one held HTTP response the feed writes events into (EventSource: replays by Last-Event-ID)
    Sse,
    /// one held socket the feed writes frames into (no replay after a reconnect)
    Websocket,
}

impl Protocol {
    /// The code a request's key carries to the feed.
    pub(crate) fn code(self) -> u64 {
        match self {
            Protocol::Poll => 0,
            Protocol::LongPoll => 1,
            Protocol::Sse => 2,
            Protocol::Websocket => 3,
        }
    }

    /// The protocol of a code.
    pub(crate) fn of_code(c: u64) -> Protocol {
        match c {
            1 => Protocol::LongPoll,
            2 => Protocol::Sse,
            3 => Protocol::Websocket,
            _ => Protocol::Poll,
        }
    }

    /// A persistent connection (the feed pushes every event as it happens).
    pub fn persistent(self) -> bool {
        matches!(self, Protocol::Sse | Protocol::Websocket)
    }

    /// Framing bytes one pushed event of `payload` bytes carries over its connection: an SSE record
    /// (`id: …\ndata: …\n\n`, about 16 bytes), a WebSocket frame header (2 bytes up to 125, 4 up to 65 535,
    /// else 10); a poll's answer carries its events in its body (the headers are counted per request).
    pub fn framing_bytes(self, payload: u32) -> u32 {
        match self {
            Protocol::Sse => SSE_RECORD_BYTES,
            Protocol::Websocket if payload <= 125 => 2,
            Protocol::Websocket if payload <= 65_535 => 4,
            Protocol::Websocket => 10,
            Protocol::Poll | Protocol::LongPoll => 0,
        }
    }
}

/// Bytes an SSE record adds to an event's payload (`id: 123456\n`, `data: `, the blank line).
pub const SSE_RECORD_BYTES: u32 = 16;

impl Choices for Protocol {
    const ALL: &'static [Protocol] = &[
        Protocol::Poll,
        Protocol::LongPoll,
        Protocol::Sse,
        Protocol::Websocket,
    ];
    fn label(self) -> Option<&'static str> {
        Some(match self {
            Protocol::Poll => "Polling",
            Protocol::LongPoll => "Long polling",
            Protocol::Sse => "Server-sent events",
            Protocol::Websocket => "WebSocket",
        })
    }
}

/// Subscribers parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribersParams {
    /// clients following the feed [1..100 000], default 100
    pub subscribers: u32,
    /// how they follow it, default `poll`
    pub protocol: Protocol,
    /// a poller's interval P [ms], default 5000; every subscriber also starts at a random moment of one P
    pub poll_interval_ms: f64,
    /// the first wait before reconnecting after a failure [ms], doubled after each failure in a row, default
    /// 1000
    pub reconnect_ms: f64,
    /// the longest wait before reconnecting [ms], default 30 000
    pub reconnect_cap_ms: f64,
    /// each wait is drawn uniformly below the backoff (full jitter), default true
    pub jitter: bool,
    /// HTTP headers of one request and its response together [bytes], default 700
    pub header_bytes: u32,
}

impl Default for SubscribersParams {
    fn default() -> Self {
        SubscribersParams {
            subscribers: 100,
            protocol: Protocol::Poll,
            poll_interval_ms: 5000.0,
            reconnect_ms: 1000.0,
            reconnect_cap_ms: 30_000.0,
            jitter: true,
            header_bytes: 700,
        }
    }
}

impl SubscribersParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (field, v) in [
            ("subscribers", f64::from(self.subscribers)),
            ("poll_interval_ms", self.poll_interval_ms),
            ("reconnect_ms", self.reconnect_ms),
            ("reconnect_cap_ms", self.reconnect_cap_ms),
            ("header_bytes", f64::from(self.header_bytes)),
        ] {
            check_range(&mut out, field, v);
        }
        out
    }

    /// How the inspector names its fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("subscribers", "Subscribers").integer(),
            Term::new("protocol", "Protocol").choices(choices::<Protocol>),
            Term::new("poll_interval_ms", "Poll every"),
            Term::new("reconnect_ms", "Reconnect after"),
            Term::new("reconnect_cap_ms", "Longest reconnect wait"),
            Term::new("jitter", "Jitter the reconnects"),
            Term::new("header_bytes", "HTTP headers per request").unit("bytes"),
        ],
    };
}

/// Event feed parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    /// events a second λ, a Poisson process [0..10 000], default 1 (clients' requests publish more)
    pub events_per_s: f64,
    /// one event's payload [bytes], default 200
    pub message_bytes: u32,
    /// how long a long poll is held before it is answered empty, T [ms], default 30 000
    pub hold_timeout_ms: f64,
    /// connections (held long polls and streams) one server holds at most; `null` = no limit, default
    /// 10 000. Beyond it a connection is refused.
    pub max_connections: Option<u32>,
    /// memory one held connection costs (socket buffers, TLS, the handler) [KB], default 64
    pub memory_per_connection_kb: f64,
}

impl Default for FeedParams {
    fn default() -> Self {
        FeedParams {
            events_per_s: 1.0,
            message_bytes: 200,
            hold_timeout_ms: 30_000.0,
            max_connections: Some(10_000),
            memory_per_connection_kb: 64.0,
        }
    }
}

impl FeedParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut ranges = vec![
            ("events_per_s", self.events_per_s),
            ("message_bytes", f64::from(self.message_bytes)),
            ("hold_timeout_ms", self.hold_timeout_ms),
            ("memory_per_connection_kb", self.memory_per_connection_kb),
        ];
        if let Some(m) = self.max_connections {
            ranges.push(("max_connections", f64::from(m)));
        }
        for (field, v) in ranges {
            check_range(&mut out, field, v);
        }
        out
    }

    /// How the inspector names its fields.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("events_per_s", "Events").unit("/s"),
            Term::new("message_bytes", "Event size").unit("bytes"),
            Term::new("hold_timeout_ms", "Long-poll hold timeout"),
            Term::new("max_connections", "Connection limit")
                .integer()
                .empty("no limit"),
            Term::new("memory_per_connection_kb", "Memory per connection").unit("KB"),
        ],
    };
}

/// A subscribers node's block of the report (`nodes.<id>.subscribers`): what its clients sent, received and
/// waited for, over the measurement window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribersReport {
    /// the protocol (`poll`, `long_poll`, `sse`, `websocket`)
    pub protocol: Protocol,
    /// clients
    pub subscribers: u32,
    /// requests sent: polls, long polls, connection attempts
    pub requests: u64,
    /// of them a second
    pub requests_per_s: f64,
    /// polls and long polls answered
    pub answered: u64,
    /// of them with no event
    pub empty: u64,
    /// `empty ÷ answered`
    pub empty_fraction: f64,
    /// requests that failed or were refused (a dead feed, the connection limit)
    pub failed: u64,
    /// events received
    pub events_received: u64,
    /// event to its arrival at the client, mean [ms]
    pub delay_mean_ms: f64,
    /// the same, 99th percentile [ms]
    pub delay_p99_ms: f64,
    /// bytes both ways: headers of every request and its answer, events with their framing
    pub bytes: u64,
    /// of them a second
    pub bytes_per_s: f64,
    /// held connections that were dropped (a killed feed)
    pub drops: u64,
    /// connection attempts after a failure or a drop
    pub reconnects: u64,
    /// the most reconnects in one second of the run
    pub peak_reconnects_per_s: u64,
    /// subscribers connected at the end (persistent protocols)
    pub connected: u32,
}

/// The subscribers node's block, under its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribersDetail {
    /// its clients' figures
    pub subscribers: SubscribersReport,
}

/// An event feed's block of the report (`nodes.<id>.event_feed`), over the measurement window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedReport {
    /// events that happened
    pub events: u64,
    /// events sent to subscribers (pushed, or in a poll's answer)
    pub sent: u64,
    /// polls answered
    pub polls: u64,
    /// long polls held (nothing new when they arrived)
    pub held: u64,
    /// of them answered empty at the hold timeout
    pub timeouts: u64,
    /// connections (held long polls and streams) held, time average
    pub connections_mean: f64,
    /// the most held at once
    pub connections_peak: u64,
    /// held now
    pub connections: u64,
    /// memory the connections held, time average [MB]
    pub memory_mean_mb: f64,
    /// the most at once [MB]
    pub memory_peak_mb: f64,
    /// connections refused at the limit
    pub refused: u64,
    /// connections dropped when the feed died
    pub dropped: u64,
    /// events a WebSocket subscriber never got: they happened while it was disconnected
    pub missed: u64,
}

/// The event feed's block, under its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedDetail {
    /// the feed's figures
    pub event_feed: FeedReport,
}

impl SubscribersReport {
    /// Feeds it to the report's digest.
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64(self.protocol.code());
        h.u64s(&[
            u64::from(self.subscribers),
            self.requests,
            self.answered,
            self.empty,
            self.failed,
            self.events_received,
            self.bytes,
            self.drops,
            self.reconnects,
            self.peak_reconnects_per_s,
            u64::from(self.connected),
        ]);
        h.f64s(&[self.delay_mean_ms, self.delay_p99_ms]);
    }

    /// Its line in the runner's table.
    pub fn table_line(&self, id: &str) -> String {
        format!(
            "{id:<16} {:?}: {} requests ({:.1}/s), {} empty of {} answered ({:.1}%), update delay mean \
             {:.1} ms p99 {:.1} ms, {} bytes, {} reconnects (peak {}/s)",
            self.protocol,
            self.requests,
            self.requests_per_s,
            self.empty,
            self.answered,
            self.empty_fraction * 100.0,
            self.delay_mean_ms,
            self.delay_p99_ms,
            self.bytes,
            self.reconnects,
            self.peak_reconnects_per_s
        )
    }
}

impl FeedReport {
    /// Feeds it to the report's digest.
    pub(crate) fn digest(&self, h: &mut Digest) {
        h.u64s(&[
            self.events,
            self.sent,
            self.polls,
            self.held,
            self.timeouts,
            self.connections_peak,
            self.connections,
            self.refused,
            self.dropped,
            self.missed,
        ]);
        h.f64s(&[
            self.connections_mean,
            self.memory_mean_mb,
            self.memory_peak_mb,
        ]);
    }

    /// Its line in the runner's table.
    pub fn table_line(&self, id: &str) -> String {
        format!(
            "{id:<16} feed: {} events, {} sent, connections mean {:.1} peak {} ({:.1} MB peak), {} refused, \
             {} dropped, {} missed",
            self.events,
            self.sent,
            self.connections_mean,
            self.connections_peak,
            self.memory_peak_mb,
            self.refused,
            self.dropped,
            self.missed
        )
    }
}

fn fig(key: &'static str, label: &'static str, value: String, unit: &'static str) -> Figure {
    Figure {
        key,
        label,
        value,
        unit,
    }
}

/// A subscribers node's figures for the inspector (`data-metric` keys `rt_*`).
pub fn subscriber_figures(s: &SubscribersReport) -> Vec<Figure> {
    let mut out = vec![
        fig(
            "rt_delay_mean",
            "update delay, mean",
            format!("{:.1}", s.delay_mean_ms),
            "ms",
        ),
        fig(
            "rt_delay_p99",
            "update delay, p99",
            format!("{:.1}", s.delay_p99_ms),
            "ms",
        ),
        fig(
            "rt_requests_per_s",
            "requests a second",
            format!("{:.1}", s.requests_per_s),
            "/s",
        ),
    ];
    if !s.protocol.persistent() {
        out.push(fig(
            "rt_empty",
            "empty responses (share)",
            format!("{} ({:.1} %)", s.empty, s.empty_fraction * 100.0),
            "",
        ));
    }
    out.push(fig(
        "rt_bytes_per_s",
        "bytes a second",
        format!("{:.0}", s.bytes_per_s),
        "B/s",
    ));
    out.push(fig(
        "rt_events",
        "events received",
        s.events_received.to_string(),
        "",
    ));
    out.push(fig(
        "rt_reconnects",
        "reconnects (peak a second)",
        format!("{} ({})", s.reconnects, s.peak_reconnects_per_s),
        "",
    ));
    out
}

/// An event feed's figures for the inspector (`data-metric` keys `rt_*`).
pub fn feed_figures(f: &FeedReport) -> Vec<Figure> {
    vec![
        fig("rt_feed_events", "events", f.events.to_string(), ""),
        fig(
            "rt_connections",
            "connections held, mean (peak)",
            format!("{:.1} ({})", f.connections_mean, f.connections_peak),
            "",
        ),
        fig(
            "rt_memory",
            "connection memory, peak",
            format!("{:.1}", f.memory_peak_mb),
            "MB",
        ),
        fig(
            "rt_refused",
            "connections refused (dropped)",
            format!("{} ({})", f.refused, f.dropped),
            "",
        ),
        fig("rt_missed", "events missed", f.missed.to_string(), ""),
    ]
}

/// Splits a subscriber's request key: `(protocol, subscriber)`.
pub(crate) fn unkey(key: u64) -> (Protocol, u32) {
    (Protocol::of_code(key >> 32), key as u32)
}

/// A subscriber's request key.
pub(crate) fn key(p: Protocol, sub: u32) -> u64 {
    (p.code() << 32) | u64::from(sub)
}

/// The value a feed pushes when it accepts a stream (an event's value is its time, never this).
pub(crate) const OPENED: u64 = u64::MAX;

/// The one figure a subscribers card shows while running: its polls' empty share (polling) or its mean
/// update delay. `(key, text, tooltip)`.
pub fn card(s: &SubscribersReport) -> Option<(&'static str, String, String)> {
    if !s.protocol.persistent() && s.answered > 0 {
        return Some((
            "rt_empty",
            format!("empty {:.0} %", s.empty_fraction * 100.0),
            format!(
                "{} of {} answers empty; update delay mean {:.0} ms",
                s.empty, s.answered, s.delay_mean_ms
            ),
        ));
    }
    (s.events_received > 0).then(|| {
        (
            "rt_delay_mean",
            format!("delay {:.0} ms", s.delay_mean_ms),
            format!(
                "update delay mean {:.1} ms, p99 {:.1} ms over {} events",
                s.delay_mean_ms, s.delay_p99_ms, s.events_received
            ),
        )
    })
}
