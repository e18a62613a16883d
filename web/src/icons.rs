//! Line icons for component kinds (24 × 24, stroked), with a fallback per category so a new kind still gets
//! one.

use playground_core::{Category, Kind};
use yew::prelude::*;

/// Path data for a kind's icon (by its format name), or its category's when this build has no such kind.
pub fn path(kind: &str, category: Option<Category>) -> &'static str {
    match Kind::from_name(kind) {
        Some(k) => kind_path(k),
        None => category_path(category),
    }
}

/// Every kind's icon: the match is exhaustive, so a new kind cannot go without one.
fn kind_path(kind: Kind) -> &'static str {
    match kind {
        Kind::Client => "M3 4h18v12H3z M8 20h8 M12 16v4",
        Kind::LoadBalancer => {
            "M2 12h6 M8 12l5-6h5 M8 12l5 6h5 M8 12h10 M18 4l3 2-3 2 M18 16l3 2-3 2 M18 10l3 2-3 2"
        }
        Kind::Server => "M4 3h16v7H4z M4 14h16v7H4z M8 6.5h.01 M8 17.5h.01 M12 6.5h5 M12 17.5h5",
        Kind::Database => {
            "M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3z M4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6 \
             M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"
        }
        Kind::Cache => "M13 2L4 14h7l-1 8 9-12h-7z",
        // an edge server near the users, spokes out to them
        Kind::CdnEdge => {
            "M5 12a2 2 0 1 0 0 .01z M19 5a2 2 0 1 0 0 .01z M19 19a2 2 0 1 0 0 .01z M7 11l10-5 M7 13l10 5"
        }
        // a globe: names resolved across the internet
        Kind::DnsResolver | Kind::DnsServer => {
            "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M3 12h18 M12 3c3 3 3 15 0 18 M12 3c-3 3-3 15 0 18"
        }
        Kind::Queue => "M3 7h4v10H3z M10 7h4v10h-4z M17 7h4v10h-4z",
        // fan-out: one publisher, every subscriber a copy
        Kind::Topic => {
            "M3 12h6 M9 12l10-7 M9 12h10 M9 12l10 7 M17 3l2 2-2 2 M17 10l2 2-2 2 M17 17l2 2-2 2"
        }
        // a partitioned log: three partitions of numbered records
        Kind::Stream => "M3 6h18 M3 12h18 M3 18h18 M9 4v4 M15 4v4 M9 10v4 M9 16v4 M15 16v4",
        // an API's braces with a route through them
        Kind::ApiGateway => {
            "M8 4c-2.5 0-2.5 2-2.5 4s-.8 4-2.5 4c1.7 0 2.5 2 2.5 4s0 4 2.5 4 \
             M16 4c2.5 0 2.5 2 2.5 4s.8 4 2.5 4c-1.7 0-2.5 2-2.5 4s0 4-2.5 4 M8.5 12h7 M13 9.5l2.5 2.5-2.5 2.5"
        }
        // a firewall: a brick wall
        Kind::Waf => {
            "M3 5h18v14H3z M3 9.7h18 M3 14.3h18 M9 5v4.7 M15 5v4.7 M6 9.7v4.6 M12 9.7v4.6 M18 9.7v4.6 \
             M9 14.3V19 M15 14.3V19"
        }
        // a gauge with its needle near the limit: requests admitted up to a rate
        Kind::RateLimiter => {
            "M4 16a8 8 0 1 1 16 0 M12 16l4.5-5 M4 20h16 M6.5 12.5l1.2 .7 M12 8v1.4 M17.5 12.5l-1.2 .7"
        }
        // three replicas of one record on a ring, each a small cylinder
        Kind::KvStore => {
            "M12 3a9 9 0 0 1 7.8 4.5 M20.6 14.5A9 9 0 0 1 15 20.5 M9 20.5a9 9 0 0 1-5.6-6 M4.2 7.5A9 9 0 0 1 9 3.3 \
             M9.5 2.5h5v3h-5z M18 10h5v3h-5z M1 10h5v3H1z M9.5 18.5h5v3h-5z"
        }
        // three users funnelled through one box and out of its one exit
        Kind::ForwardProxy => {
            "M2 5h3 M2 12h3 M2 19h3 M5 5l4 5 M5 19l4-5 M5 12h4 M9 8h6v8H9z M15 12h7 M19 9.5l2.5 2.5-2.5 2.5"
        }
        // a lightning bolt (the event) leaving an envelope, with a return arrow (the retry)
        Kind::WebhookProvider => {
            "M3 7h10v9H3z M3 7l5 4 5-4 M17 3l-3 6h4l-3 6 M21 17a4 4 0 0 1-7 2.5 M14 17v2.5h2.5"
        }
        // three steps forward along the top, the undo arrow back along the bottom
        Kind::Saga => {
            "M3 5h4v4H3z M10 5h4v4h-4z M17 5h4v4h-4z M7 7h3 M14 7h3 M19 12v3a3 3 0 0 1-3 3H6 M8 15.5L5.5 18 8 20.5"
        }
        // a log of events (left) folded into a table (right)
        Kind::Projection => {
            "M3 4h5v16H3z M3 9h5 M3 14h5 M8 12h4 M10.5 10l2 2-2 2 M14 6h7v12h-7z M14 10h7 M14 14h7 M17.5 6v12"
        }
        // three devices, each waiting for news
        Kind::Subscribers => {
            "M2 6h5v11H2z M9.5 9h5v11h-5z M17 6h5v11h-5z M4 14.5h1 M11.5 17.5h1 M19 14.5h1"
        }
        // a broadcast: events going out to whoever listens
        Kind::EventFeed => {
            "M12 12a1.5 1.5 0 1 0 0 .01z M8.5 8.5a5 5 0 0 0 0 7 M15.5 8.5a5 5 0 0 1 0 7 M5.5 5.5a9 9 0 0 0 0 13 \
             M18.5 5.5a9 9 0 0 1 0 13"
        }
        // a bucket (tapering pail with its rim) and an arrow going up into it: an upload
        Kind::ObjectStore => {
            "M3 7c0-1.7 4-3 9-3s9 1.3 9 3-4 3-9 3-9-1.3-9-3z M3 7l2 12c.3 1.4 3.3 2 7 2s6.7-.6 7-2l2-12 M12 19v-7 M9 14.5l3-3 3 3"
        }
        // a list of three instances, a heartbeat tick beside each
        Kind::ServiceRegistry => {
            "M3 4h12v16H3z M6 8h6 M6 12h6 M6 16h6 M17 8h2l1-2 1 4 1-2h1 M17 16h2l1-2 1 4 1-2h1"
        }
    }
}

/// A category's icon, for a kind this build does not know.
fn category_path(category: Option<Category>) -> &'static str {
    match category {
        Some(Category::Traffic) => "M12 4a4 4 0 1 0 0 8a4 4 0 1 0 0-8z M4 21c0-4 4-6 8-6s8 2 8 6",
        Some(Category::Network) => {
            "M5 12a2 2 0 1 0 0 .01z M19 5a2 2 0 1 0 0 .01z M19 19a2 2 0 1 0 0 .01z M7 11l10-5 M7 13l10 5"
        }
        Some(Category::Data) => "M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3v12c0 1.7-3.6 3-8 3s-8-1.3-8-3z",
        Some(Category::Messaging) => "M3 5h18v14H3z M3 5l9 7 9-7",
        Some(Category::Resilience) => "M12 3l8 3v6c0 5-4 8-8 9-4-1-8-4-8-9V6z",
        _ => "M6 6h12v12H6z M9 2v4 M15 2v4 M9 18v4 M15 18v4 M2 9h4 M2 15h4 M18 9h4 M18 15h4",
    }
}

/// The CSS class of a category's colour family.
pub fn category_class(c: Option<Category>) -> &'static str {
    match c {
        Some(Category::Traffic) => "cat-traffic",
        Some(Category::Network) => "cat-network",
        Some(Category::Compute) => "cat-compute",
        Some(Category::Data) => "cat-data",
        Some(Category::Messaging) => "cat-messaging",
        Some(Category::Resilience) => "cat-resilience",
        None => "cat-unknown",
    }
}

/// A standalone inline SVG icon (palette, inspector). A function, not a component: a component of its own
/// costs about 3 KB of Wasm (BENCHMARKS.md, "issue 22's third pass").
pub fn icon(kind: &str, category: Option<Category>) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
            <path d={path(kind, category)} />
        </svg>
    }
}
