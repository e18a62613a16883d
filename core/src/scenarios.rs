//! The built-in scenarios of the gallery: each a diagram (`examples/scenarios/<name>.json`, see [`content`]) plus
//! a title, the curriculum topic it teaches, a short explanation, what to try and what to watch.
//!
//! A scenario that compares variants puts them side by side in one diagram (one client per variant feeding
//! its own copy of the system), so one run shows the contrast. Every claim a text makes is checked by a
//! named test in `tests/tests/it/scenarios.rs` that runs the diagram headless.

use crate::content::{self, shipped};
use crate::topology::Topology;

/// One gallery entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scenario {
    /// URL slug, unique: the page opens it from `#scenario=<name>`
    pub name: &'static str,
    /// card title
    pub title: &'static str,
    /// the curriculum chapter it teaches
    pub topic: &'static str,
    /// what the diagram shows and why, at most three sentences
    pub explanation: &'static str,
    /// changes to make and rerun (2–4)
    pub try_this: &'static [&'static str],
    /// what to look at in the metrics and "why" panels (2–4)
    pub watch: &'static [&'static str],
    /// the diagram, topology format v1 ([`content::lookup`] gives its text)
    json: &'static str,
    /// the lab view the gallery opens with it, if any (the diagram is then variant A or the swept design)
    pub lab: Option<Lab>,
}

/// A lab view a scenario opens with: an A/B comparison against a second diagram, or a parameter sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lab {
    /// Compare the scenario's diagram (A) with variant `b` on the same seeds.
    Compare {
        /// variant B, topology format v1 (`examples/scenarios/variants/<name>-b.json`; [`content::lookup`] gives its text)
        b: &'static str,
    },
    /// Sweep one parameter of one node of the scenario's diagram.
    Sweep {
        /// the node's id
        node: &'static str,
        /// the parameter's path, as [`crate::sweep::params`] names it
        param: &'static str,
        /// first value
        from: f64,
        /// last value
        to: f64,
        /// number of points
        points: u32,
        /// replications per point
        seeds: u32,
    },
}

impl Lab {
    /// Variant B of a comparison, parsed; `None` for a sweep.
    pub fn variant_b(&self) -> Option<Topology> {
        match self {
            Lab::Compare { b } => Some(
                Topology::from_json(content::lookup(b))
                    .expect("a built-in variant parses (checked by tests/it/scenarios.rs)"),
            ),
            Lab::Sweep { .. } => None,
        }
    }

    /// The sweep's spec (linear scale); `None` for a comparison.
    pub fn sweep_spec(&self) -> Option<crate::sweep::SweepSpec> {
        match *self {
            Lab::Sweep {
                node,
                param,
                from,
                to,
                points,
                seeds,
            } => Some(crate::sweep::SweepSpec {
                target: node.to_string(),
                param: param.to_string(),
                from,
                to,
                points,
                scale: crate::sweep::Scale::Linear,
                seeds,
            }),
            Lab::Compare { .. } => None,
        }
    }
}

impl Scenario {
    /// The scenario's diagram as shipped, in topology format v1. Panics in the page before
    /// [`content::ready`].
    pub fn json(&self) -> &'static str {
        content::lookup(self.json)
    }

    /// The scenario's diagram.
    pub fn topology(&self) -> Topology {
        Topology::from_json(self.json())
            .expect("a built-in scenario parses (checked by tests/it/scenarios.rs)")
    }
}

/// Every built-in scenario, in gallery order.
pub fn all() -> &'static [Scenario] {
    SCENARIOS
}

/// The scenario with URL slug `name`, if there is one.
pub fn by_name(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "client-server",
        title: "Client-server basics",
        topic: "Basic client-server model",
        explanation: "A browser (the client) sends requests to one web server, which does the work and \
            sends a response back. Each request crosses the network twice, 20 ms there and 20 ms back, so \
            about 40 ms of its roughly 60 ms is network latency and the rest is server latency. The server \
            has 4 workers and is busy about a quarter of the time.",
        try_this: &[
            "Change the link latency in the settings to 5 ms and compare the network share again.",
            "Raise the browser's rate from 50 to 150 requests per second and watch the server's \
             utilisation and latency.",
        ],
        watch: &[
            "The latency split in the metrics panel: network versus in nodes.",
            "The web server's utilisation, about 25 %.",
        ],
        json: shipped!("examples/scenarios/client-server.json"),
        lab: None,
    },
    Scenario {
        name: "dns-ttl",
        title: "DNS with a short and a long TTL",
        topic: "Networking: DNS",
        explanation: "Before its first request a browser asks a resolver, which walks root, TLD and \
            authoritative servers (about 90 ms here); the answer is then cached in the browser and the resolver \
            for its TTL (time to live). With a 5 s TTL the answer runs out 12 times a minute, and each time the \
            requests behind it wait for a new lookup. With a 300 s TTL the name is looked up once in the run.",
        try_this: &[
            "Change the short TTL (the last number of the authoritative server's record) to 1 s and count \
             its lookups.",
            "Raise a client's rate and see whether the number of lookups changes.",
        ],
        watch: &[
            "Arrivals at each authoritative server: one per lookup.",
            "The DNS cache of each Users card: its misses are requests that waited for a lookup.",
            "The resolver's mean time: what one lookup costs.",
        ],
        json: shipped!("examples/scenarios/dns-ttl.json"),
        lab: None,
    },
    Scenario {
        name: "multi-region",
        title: "Multi-region latency with GeoDNS and a CDN",
        topic: "Latency: physical distance",
        explanation: "Users in the US, Europe and Asia resolve the site through GeoDNS, which answers each \
            with the app in their own region, so dynamic requests never cross an ocean. Static files (60 % \
            of requests) come from the CDN edge in the user's region, which answers seven in ten or more \
            from its cache (the busier the edge, the more), and only misses travel to the origin in us-east. A miss is cheap near the origin and slow far from it: \
            the Asian edge's mean time is over ten times the US edge's.",
        try_this: &[
            "Delete `geo` from the GeoDNS server's record: requests spread over all three regions and the \
             network part of the mean latency grows more than fivefold.",
            "Set the clients' static fraction to 0.9 and compare the origin's arrivals.",
        ],
        watch: &[
            "Arrivals at each app: only its own region's users, in the ratio 150 : 100 : 50.",
            "Each CDN edge's hit ratio and mean time.",
            "The network part of the mean latency in the metrics panel.",
        ],
        json: shipped!("examples/scenarios/multi-region.json"),
        lab: None,
    },
    Scenario {
        name: "load-balancing",
        title: "Load-balancing algorithms on uneven servers",
        topic: "Load balancing",
        explanation: "Four copies of one system get the same traffic and differ only in the load balancer's \
            algorithm; each has a fast, a medium and a slow server (speeds 2, 1 and 0.5). Round robin and \
            random split requests evenly, so the slow server is overloaded, queues up and rejects requests. \
            Least connections and power of two choices send it fewer requests and keep p99 several times \
            lower.",
        try_this: &[
            "Set every server's speed to 1 and compare the four balancers' p99 again.",
            "Lower each client's rate to 200 requests per second and see which algorithms still differ.",
        ],
        watch: &[
            "Per-node p99 of each load balancer: the time its requests took.",
            "The slow servers: utilisation, queue and dropped requests.",
        ],
        json: shipped!("examples/scenarios/load-balancing.json"),
        lab: None,
    },
    Scenario {
        name: "cache-patterns",
        title: "Cache-aside vs write-through vs write-behind",
        topic: "Caching patterns",
        explanation: "Three copies of an app with a cache in front of its database get 70 % reads and 30 % \
            writes on skewed keys. Cache-aside deletes a key on every write and hits least; write-through \
            stores the new value and hits more; write-behind also answers writes from the cache alone, so \
            it is fastest and sends the database the fewest requests. The price: its cache crashes at \
            45.5 s and the writes it had not yet flushed are lost.",
        try_this: &[
            "Raise every client's read fraction to 0.95 and compare the hit ratios again.",
            "Set the write-behind cache's flush interval to 5000 ms and count the lost writes.",
        ],
        watch: &[
            "The hit ratio of each cache.",
            "Per-node mean time of each app server, and arrivals at each database.",
            "Lost writes on the write-behind cache.",
        ],
        json: shipped!("examples/scenarios/cache-patterns.json"),
        lab: None,
    },
    Scenario {
        name: "browser-cache",
        title: "Browser cache: max-age and ETags",
        topic: "Caching levels: the browser cache",
        explanation: "Three browsers each read 20 pages of a site, 20 reads a second, 20 ms from it, while \
            editors change a page 2 times a second; the site hears about 32 requests a second instead of the \
            62 it would without the two caches. The first browser keeps nothing; the second keeps each answer \
            fresh for 3 s (`max-age`): with a page read once a second, a fresh copy answers about 3 reads in 4 \
            on the device (λT / (1 + λT) = 3/4), with no request out and no wait. The third adds ETags: a \
            stale page is revalidated instead of fetched again, and over half of the revalidations (2 in 3 on \
            average) come back 304 Not Modified (a round trip but no body), the rest 200 with the new page an \
            editor wrote.",
        try_this: &[
            "Raise the max-age browser's `max_age_s` to 9: it answers about 9 reads in 10 on the device.",
            "Stop the editors (rate 0): every revalidation of the ETag browser is a 304.",
        ],
        watch: &[
            "Reads answered on the device by each browser, in the metrics panel's browser cache lines.",
            "Revalidations of the ETag browser: 304 not modified against 200.",
            "Arrivals at each node: the site hears about 32 requests a second, not 62.",
        ],
        json: shipped!("examples/scenarios/browser-cache.json"),
        lab: None,
    },
    Scenario {
        name: "cache-levels",
        title: "Four levels of cache: browser, CDN, application, database",
        topic: "Caching levels: where a read is answered",
        explanation: "One browser reads 3000 pages, 200 reads a second, the popular ones far more often (a \
            Zipf law), through four caches in a row. About half of the reads never leave the device (the \
            browser keeps each page fresh for 2 s); of the rest, the CDN edge 10 ms away answers about 19 % \
            of all reads, the application's cache-aside cache about 12 %, and the database answers the others \
            from its buffer cache in memory (about 7.5 %) or by reading the page from disk (about 12 %). Each \
            level sees only what the levels above it missed, so the hot pages never reach the lower ones: a \
            read answered from the database's disk crosses every hop and takes over 100 ms, while the mean \
            read takes under 40 ms.",
        try_this: &[
            "Set the database's buffer cache to 0 pages: every read that reaches the database goes to disk, \
             about one read in five.",
            "Kill the database at 30 s and revive it at 31 s: its memory comes back empty, and for over 10 s \
             almost every read that reaches it goes to disk (the app cache above still holds the pages read \
             last, so the database sees each one again only when the app cache lets go of it); then its \
             buffer cache's hit ratio climbs back.",
        ],
        watch: &[
            "Where each read was answered: the 'reads answered here' figure of the browser, the CDN edge, the \
             app cache and the database.",
            "The buffer cache hit ratio of the database.",
            "The hit ratio of the CDN edge and of the app cache.",
        ],
        json: shipped!("examples/scenarios/cache-levels.json"),
        lab: None,
    },
    Scenario {
        name: "forward-proxy",
        title: "Many users behind one proxy",
        topic: "Networking: forward proxies",
        explanation: "Four office users each send 15 requests a second through the office's forward proxy, \
            and a home user sends 15 a second of its own; the site's rate limiter allows 40 requests a second \
            per client address. Each office user is under the limit, but the proxy sends everything from its \
            one exit address, so the limiter sees one client sending 60 a second: about 40 a second pass and \
            about a third of the office's requests are refused with 429, while the home user, alone on its \
            address, is never refused.",
        try_this: &[
            "Connect the office users straight to the rate limiter (delete the proxy): none is refused.",
            "Give the proxy a shared cache (capacity 1000, TTL 10 000 ms): its hits never reach the \
             limiter, so fewer office requests are refused.",
        ],
        watch: &[
            "Sent, completed and rate limited for each user.",
            "Admitted and rate-limited at the limiter.",
            "The why panel, naming the proxy whose one address the limit counts.",
        ],
        json: shipped!("examples/scenarios/forward-proxy.json"),
        lab: None,
    },
    Scenario {
        name: "eviction-policies",
        title: "Eviction policies under skewed keys",
        topic: "Caching: eviction policies",
        explanation: "Four caches of 500 entries sit in front of identical databases, read on 10 000 keys of \
            which a few are far more popular than the rest (a Zipf law). LFU keeps the most requested keys \
            and hits most, LRU comes second, and FIFO and random evict popular keys as readily as rare ones \
            and hit least. Every miss is a database read, so the database behind LFU does the least work.",
        try_this: &[
            "Raise every cache's capacity to 2000 entries and compare the hit ratios again.",
            "Change the clients' keys to uniform and see whether the policy still matters.",
        ],
        watch: &[
            "The hit ratio of each cache.",
            "Arrivals at each database: one per miss.",
        ],
        json: shipped!("examples/scenarios/eviction-policies.json"),
        lab: None,
    },
    Scenario {
        name: "vertical-vs-horizontal",
        title: "Vertical vs horizontal scaling",
        topic: "Scaling: vertical and horizontal",
        explanation: "Both sides have the same total capacity: one big server with a CPU four times as \
            fast (vertical scaling), or four small servers behind a load balancer (horizontal scaling). At \
            the same load both are about 75 % busy and serve the same throughput. The big server finishes \
            each request four times sooner, so its p99 is under half the cluster's.",
        try_this: &[
            "Add a fault that kills one small server at 30 s, then one that kills the big server instead: \
             which side keeps serving?",
            "Raise both clients' rate to 380 requests per second and compare p99 close to full load.",
        ],
        watch: &[
            "Per-node p99: the big server versus the load balancer in front of the small ones.",
            "Utilisation of the big server and of each small server.",
        ],
        json: shipped!("examples/scenarios/vertical-vs-horizontal.json"),
        lab: None,
    },
    Scenario {
        name: "fixed-vs-autoscaling",
        title: "Fixed fleet vs autoscaling",
        topic: "Scaling: autoscaling",
        explanation: "Both sides serve the same day squeezed into two minutes: 150 requests per second on \
            average, from 30 at night to 270 at the midday peak. The top fleet keeps 5 instances sized for the \
            peak all day; the bottom group tracks 60 % CPU between 1 and 5 instances, scaling out and in with \
            the traffic. It averages about 3 instances, so it costs about 60 % of the fixed fleet for the same \
            requests served, and pays with a higher p99 (over 95 ms against about 92 ms) because it runs hotter.",
        try_this: &[
            "Lower the group's target utilisation to 0.4 and compare its mean instances and p99 again.",
            "Set the group's boot time to 30 s: it now lags the morning rise.",
            "Give the fixed fleet 3 instances: cheaper, but watch its p99 at the peak.",
        ],
        watch: &[
            "The autoscaled group's instances ready and mean instances in the inspector, against the fixed \
             fleet's 5.",
            "The p99 of the two servers.",
            "The mean instances the group is billed for, and the cost line in the metrics panel.",
        ],
        json: shipped!("examples/scenarios/fixed-vs-autoscaling.json"),
        lab: None,
    },
    Scenario {
        name: "slow-scale-out",
        title: "Slow scale-out loses the morning spike",
        topic: "Scaling: autoscaling",
        explanation: "At 30 s a rush multiplies the traffic by 3.5 for 40 s. Both groups track 60 % CPU from 2 \
            instances; the top one boots a new instance in 5 s and is serving with 5 or 6 within about 15 s, \
            while the bottom one needs 60 s, so the instances it orders at 32 s would serve only after the \
            rush and are cancelled when it ends. The slow group turns away about 18 % of all its requests \
            (its queue full), the fast one under 3 %.",
        try_this: &[
            "Set the slow group's `min` to 5: always ready for the rush, but paid for all day.",
            "Shorten the slow group's boot time to 20 s and count what it drops.",
        ],
        watch: &[
            "Requests dropped at each server.",
            "The scaling actions out / in and the instances ready of each group.",
        ],
        json: shipped!("examples/scenarios/slow-scale-out.json"),
        lab: None,
    },
    Scenario {
        name: "server-failure",
        title: "A server dies behind a health-checked load balancer",
        topic: "Load balancing: health checks",
        explanation: "App server 2 dies at 20 s. The load balancer keeps sending it a third of the \
            requests, which fail, until three health checks a second apart have failed; then it routes \
            around it and the other two servers carry the load at the same throughput. At 40 s the server \
            comes back and rejoins after two good checks.",
        try_this: &[
            "Set the health check's unhealthy threshold to 1 and compare how long the errors last.",
            "Set the health check interval to 5000 ms and count the failed requests again.",
        ],
        watch: &[
            "Failed requests in the time series: a burst of about two seconds after 20 s, then none.",
            "Throughput before, during and after the failure.",
            "App server 2's utilisation falling to zero and coming back after 40 s.",
        ],
        json: shipped!("examples/scenarios/server-failure.json"),
        lab: None,
    },
    Scenario {
        name: "queue-burst",
        title: "A queue absorbing a burst",
        topic: "Message queueing and communication",
        explanation: "Two order services send the same bursts, 400 orders a second for 2 s every 10 s, to \
            identical pools of 4 workers that manage 200 a second. Called directly, the workers' queue \
            overflows in every burst and over a third of the orders are rejected; through a message queue every \
            order is acknowledged at once, waits its turn and is processed between bursts. The price is delay, \
            not loss: a queued order waits over a second on average before a worker takes it.",
        try_this: &[
            "Set the order queue's capacity to 200 and watch back-pressure reject orders again.",
            "Give the queued workers 8 workers and 8 consumers and compare the queue's depth and wait.",
            "Kill the queued workers for a few seconds: the messages wait, nothing is lost.",
        ],
        watch: &[
            "The direct workers' dropped count against the order queue's dropped count (0).",
            "The order queue's depth over time: it rises in each burst and drains before the next.",
            "The order queue's mean wait and the orders' end-to-end latency (a few ms: the ack).",
        ],
        json: shipped!("examples/scenarios/queue-burst.json"),
        lab: None,
    },
    Scenario {
        name: "pubsub-fanout",
        title: "Pub/sub fan-out to three subscribers",
        topic: "Message queueing and communication",
        explanation: "Each placed order is published once to a topic, and every subscriber gets its own copy: \
            the email sender and analytics through their own queues, the audit log directly. Analytics \
            manages only 40 events a second against 50, so its queue grows through the run while the email \
            sender and audit log keep up, untouched by the slow subscriber. Checkout is acknowledged as soon \
            as the topic accepts the event, so its latency stays at the two network legs.",
        try_this: &[
            "Give analytics 2 workers and 2 consumers and watch its queue stay empty.",
            "Kill the email sender for 10 s: its queue keeps the events and delivers them afterwards.",
            "Add a fourth subscriber: every order is delivered once more.",
        ],
        watch: &[
            "The topic's per-subscriber delivered counts: all equal to published.",
            "The analytics queue's depth and oldest message age against the email queue's.",
            "Checkout's latency in the metrics panel.",
        ],
        json: shipped!("examples/scenarios/pubsub-fanout.json"),
        lab: None,
    },
    Scenario {
        name: "read-replicas",
        title: "Read replicas and stale reads",
        topic: "Databases: replication",
        explanation: "Each database has a primary replica that takes the writes and two read replicas that \
            share the reads. With asynchronous replication a write reaches the replicas 200 ms later, so a read \
            of a key written less than 200 ms before returns old data: with 2 writes per key per second about \
            one read in three is stale (1 − e^(−2 × 0.2)). With synchronous replication no read is stale, but \
            every write waits the 200 ms for the replicas, so the database's mean time goes from about 3 ms \
            to about 23 ms.",
        try_this: &[
            "Set the async database's lag to 20 ms and watch the stale reads fall to about one in 25.",
            "Give the async users 100 distinct keys instead of 10: fewer writes per key, fewer stale reads.",
            "Set `primary_failure_s` to 30 on the async database and count the lost writes of the lag window.",
        ],
        watch: &[
            "Stale reads of each database, and which replicas served them.",
            "The primary's reads (none) and the replicas' share of the reads (half each).",
            "Mean and p99 time of the sync database against the async one.",
        ],
        json: shipped!("examples/scenarios/read-replicas.json"),
        lab: None,
    },
    Scenario {
        name: "sharding-hot-key",
        title: "Sharding with a hot key",
        topic: "Databases: sharding",
        explanation: "Both stores split 1000 keys over 4 shards, each shard serving one query at a time, and \
            both get Zipf traffic where the lowest keys are the hottest. Sharding by key range puts keys \
            0–249 on shard 0, which serves about 80 % of the queries and is busy three quarters of the time, \
            so that store's mean time is over twice the other's. A consistent-hash ring scatters the hot keys; \
            its busiest shard is the one holding key 0, with about a third of the queries.",
        try_this: &[
            "Change the range store's sharding to `hash` and compare the per-shard shares.",
            "Raise the Zipf skew `s` of the ring's users to 1.5: one hot key makes one hot shard again.",
            "Give the range store 8 shards: shard 0 still holds the hottest keys.",
        ],
        watch: &[
            "Per-shard queries and utilisation in each database's section of the report.",
            "Mean and p99 time of the two stores.",
        ],
        json: shipped!("examples/scenarios/sharding-hot-key.json"),
        lab: None,
    },
    Scenario {
        name: "hot-row-locks",
        title: "A hot row: lock contention",
        topic: "Data storage: transactions and locks",
        explanation: "Each client sends 50 writes a second, each a transaction that locks its row while it \
            works, about 10 ms. On one hot row about half of the writers find it locked and queue behind the \
            holder, so a write takes over 1.5 times its 10 ms of work; spread over 1000 rows the same writes \
            wait under 10 times a minute. Serializable isolation aborts the writers that waited instead (over \
            30 aborts a second, and some writes, fewer than 1 in 20, fail after 3 retries), while transfers \
            that lock two accounts in opposite orders deadlock over once a second, each deadlock aborting one \
            transfer, which is retried.",
        try_this: &[
            "Turn on `ordered_locks` for the accounts: every transfer locks the lower account first, and \
             the deadlocks stop.",
            "Raise the likes on one post from 50 to 80 a second: the mean lock wait more than doubles.",
            "Switch the serializable row's `isolation` back to `read_committed`: its aborts become waits.",
        ],
        watch: &[
            "Lock waits, the mean lock wait and the p99 of each database.",
            "Deadlocks and aborts per second of the transfers and of the serializable row.",
            "The lock contention finding in the why panel, naming the hot row.",
        ],
        json: shipped!("examples/scenarios/hot-row-locks.json"),
        lab: None,
    },
    Scenario {
        name: "retry-storm",
        title: "A retry storm, with and without a retry budget",
        topic: "System reliability: retry mechanisms",
        explanation: "Two copies of one API with spare capacity (70 % busy) serve clients that time out after \
            300 ms and retry three times with exponential backoff and jitter; a spike triples the traffic for 5 \
            s at 00:20. On top, every timed-out attempt is retried while the API still works on it, so the \
            retries alone keep it saturated long after the spike is over (a metastable failure). Below, a \
            retry budget allows retries of at most 10 % of the traffic, and the API recovers.",
        try_this: &[
            "Set the top API's `shed_expired` on: it drops work whose caller has stopped waiting and recovers \
             too.",
            "Raise the clients' `timeout_ms` to 2000 and rerun: longer patience means fewer retries.",
            "Press Spike ×5 during a run of the bottom pair and watch it ride the spike out.",
        ],
        watch: &[
            "Each API's utilisation and queue after 00:25: the top one stays at 100 %, the bottom one drains.",
            "Attempts per request (amplification) in the metrics panel and each client edge's call figures.",
            "The why panel's retry-storm finding.",
        ],
        json: shipped!("examples/scenarios/retry-storm.json"),
        lab: None,
    },
    Scenario {
        name: "rate-limiting",
        title: "Rate limiting: per client or for everyone",
        topic: "System reliability: rate limiting",
        explanation: "A scraper sends 300 requests a second from one address next to 1,000 users sending 100 \
            between them. A single limit for everyone (top, a token bucket of 200/s) refuses requests at \
            random, so the users lose half of theirs with the scraper's. A limit per client address (bottom, \
            10/s each) refuses only the scraper's excess with 429 Too Many Requests, and every user request \
            gets through.",
        try_this: &[
            "Switch the bottom limiter's `algorithm` to `fixed_window` or `sliding_log` and compare the \
             scraper's admitted rate.",
            "Give the scraper 1,000 `addresses`: a per-address limit no longer catches it.",
            "Set the top limiter's `instances` to 4 and `sync_ms` to 1000: the instances over-admit between \
             syncs.",
        ],
        watch: &[
            "Each client's own figures: sent, completed and rate limited (select a client).",
            "The limiters' admitted and rate-limited counts.",
        ],
        json: shipped!("examples/scenarios/rate-limiting.json"),
        lab: None,
    },
    Scenario {
        name: "circuit-breaker",
        title: "Fail fast: a circuit breaker on a hanging dependency",
        topic: "System reliability: circuit breakers",
        explanation: "From 00:15 to 00:35 the orders database hangs: its queries take 200 times longer, and \
            the API gives up on a call after 500 ms. Without a breaker (top) every request holds an API worker \
            for up to 500 ms, the queue fills and the API turns requests away. With a breaker (bottom) the \
            calls fail at once after ten failures, the API keeps its workers free, and half-open trial calls \
            close the breaker again once the database has recovered.",
        try_this: &[
            "Lower the breaker's `open_ms` to 500 and watch it probe the database more often.",
            "Raise the breaker's `minimum_calls` to 100: it opens later and the API suffers longer.",
            "Remove the 500 ms timeout on the top edge: its workers now wait for every slow query.",
        ],
        watch: &[
            "The breaker's state on the bottom edge while running: closed, open, half-open.",
            "Dropped requests of the two APIs, and the breaker's fast failures in the edge figures.",
            "The why panel's circuit-breaker finding.",
        ],
        json: shipped!("examples/scenarios/circuit-breaker.json"),
        lab: None,
    },
    Scenario {
        name: "bulkhead",
        title: "Bulkheads: isolate a slow dependency",
        topic: "System reliability: bulkhead patterns",
        explanation: "Each request of this API needs one of two dependencies: a fast search (5 ms) or a slow \
            report (2 s). With one shared pool (top) the report calls take all 16 workers, so search requests \
            queue behind them and are turned away. With a bulkhead of 6 workers per dependency (bottom) the \
            report calls past 6 fail fast and the search requests keep being served.",
        try_this: &[
            "Set the bottom API's `bulkhead` to 12 and watch the search traffic suffer again.",
            "Give the top API 64 workers: more threads hide the problem at a cost in memory.",
        ],
        watch: &[
            "Requests served by the two search services.",
            "The bottom API's bulkhead rejections in its figures and the why panel.",
        ],
        json: shipped!("examples/scenarios/bulkhead.json"),
        lab: None,
    },
    Scenario {
        name: "idempotency",
        title: "Idempotency keys: retried payments charged once",
        topic: "System reliability: idempotency",
        explanation: "Checkout retries a payment whose answer did not come back within 100 ms, but the first \
            attempt may already have charged the card. The top payment service charges again for every such \
            retry (duplicate effects); the bottom one keeps each request's idempotency key for 60 s and answers a \
            repeat from its dedupe store, so every payment is charged once.",
        try_this: &[
            "Lower the bottom service's `retention_s` to 0.05: keys expire before the retries arrive.",
            "Lower checkout's `timeout_ms` to 40: more retries, more duplicates on top.",
        ],
        watch: &[
            "Duplicate effects of the two payment services (a counter in the metrics panel).",
            "Requests the bottom service answered from its dedupe store, and the ones refused while the first \
             was still in progress.",
        ],
        json: shipped!("examples/scenarios/idempotency.json"),
        lab: None,
    },
    Scenario {
        name: "tail-at-scale",
        title: "The tail at scale: 100 leaves, 1 % slow, then hedging",
        topic: "Performance: fan-out and tail latency",
        explanation: "A search root sends every query to 100 leaves at once (100 parallel calls through a \
            balancer) and answers when the last is back. A leaf call takes about 5.5 ms at the median, but 1 % \
            of calls hit a slow leaf (a 200 ms mean), so a query waiting for 100 of them meets one 63 % of the \
            time (1 − 0.99¹⁰⁰): without hedging (top) the root's median is slower than 99 % of single calls and \
            its p99 is over half a second. Below, a call not back after the calls' observed p95 gets a second \
            copy, which costs about 5 % more leaf calls and brings the root's p99 under 60 ms.",
        try_this: &[
            "Lower the top root's `fan_out` to 10 and compare its median with one call's p99 again.",
            "Set the top root's `calls` to `first_k` with `first_k` 95: it answers with the first 95 leaves.",
            "Make the bottom hedge `tied`: the losing copy is cancelled while it still waits in a queue.",
            "Open the waterfall of the slowest request: 100 calls side by side, and one long bar.",
        ],
        watch: &[
            "Each root's call plan figures: its median and p99 wait against one call's median and p99.",
            "The hedged edge's second copies, the ones that won, and the extra load.",
            "The why panel's fan-out tail finding for the top root.",
        ],
        json: shipped!("examples/scenarios/tail-at-scale.json"),
        lab: None,
    },
    Scenario {
        name: "sequential-vs-parallel",
        title: "Sequential vs parallel calls: a page from five services",
        topic: "Performance: latency of composed calls",
        explanation: "A page is built from five services whose calls take 10, 20, 40, 15 and 15 ms on average \
            (exponentially distributed). The top page calls them one after another and so waits for the sum: \
            about 107 ms on average (100 ms of calls, 5 ms on links, 2 ms of its own work). The bottom page \
            sends the five calls at once and waits only for the slowest, about 55 ms on average, though its p99 \
            stays over 150 ms: one slow service is enough to make a slow page.",
        try_this: &[
            "Switch the top page's `calls` to `parallel` and rerun.",
            "Give the bottom page a `partial_ms` of 60: it answers with what arrived by then.",
            "Open a request's waterfall on each page: five bars in a row, or five side by side.",
        ],
        watch: &[
            "Mean and p99 time of the two pages (select a page).",
            "The bottom page's call plan figures: its wait against one call's.",
        ],
        json: shipped!("examples/scenarios/sequential-vs-parallel.json"),
        lab: None,
    },
    Scenario {
        name: "sql-vs-nosql",
        title: "Indexes, SQL and NoSQL",
        topic: "Data storage: SQL, NoSQL and indexes",
        explanation: "Three databases of 100,000 rows get the same traffic, 90 % reads by key. Without an \
            index every read scans the whole table: a query takes about 50 ms on average and the database is \
            busy about 70 % of the time. With an index a query takes about 1.4 ms in SQL, and about 0.6 ms in \
            the NoSQL key-value store, which has no schema or joins to honour.",
        try_this: &[
            "Raise the unindexed database's `rows` to 150,000: a scan grows with the table and its queue \
             builds up.",
            "Give the indexed SQL database 8 secondary `indexes`: every write updates each of them, so its \
             mean time rises.",
        ],
        watch: &[
            "Each database's mean time and utilisation.",
            "Reads and writes in each database's figures.",
        ],
        json: shipped!("examples/scenarios/sql-vs-nosql.json"),
        lab: None,
    },
    Scenario {
        name: "firewall",
        title: "A firewall against an attacker and a botnet",
        topic: "Security: firewalls and DDoS",
        explanation: "A web application firewall inspects every request before the app sees it. The attacker \
            sends 40 requests a second from one address, some of them SQL injection or XSS payloads: the \
            signature rules block those, and once the address passes 100 requests in 10 s the rate rule \
            lists it for 60 s, so over 95 % of its requests get 403 Forbidden. The botnet sends 200 a second \
            spread over 5,000 addresses, each far under the limit, and all of it reaches the app.",
        try_this: &[
            "Switch the WAF's `signature_rules` off: attack payloads reach the app until the address is listed.",
            "Give the botnet 10 `addresses`: each sends 20 a second and the rate rule blocks almost all of it.",
        ],
        watch: &[
            "Each client's sent, completed and blocked counts (select a client).",
            "The WAF's blocks by rule: signature, rate and block list.",
        ],
        json: shipped!("examples/scenarios/firewall.json"),
        lab: None,
    },
    Scenario {
        name: "password-hashing",
        title: "bcrypt cost: logins vs attackers",
        topic: "Security: password hashing",
        explanation: "Three login endpoints of 4 workers get 30 logins a second each and differ only in the \
            password hash's work factor: each login spends the hash's CPU time on a worker, so an endpoint serves \
            at most 4 ÷ (1 ms + hash) logins a second, 364 at 10 ms, 40 at 100 ms and 16 at 250 ms. At 10 ms a \
            login takes about 11 ms, at 100 ms the workers are about 75 % busy and p99 is over twice the hash, \
            and at 250 ms the endpoint is saturated: it serves about 16 a second, turns away over a third of \
            the logins and p99 is over 5 s. At the bottom an attacker guessing 100 passwords a second from one \
            address gets about 5 a second through a limit of 5 per address, while with the stolen hashes one \
            64-core machine tries 640 a second at 100 ms (64 million with a plain SHA-256 of 1 µs).",
        try_this: &[
            "Set the 250 ms endpoint's `password_hash_ms` to 100: it keeps up again and turns nobody away.",
            "Give the 250 ms endpoint 8 `workers`: it can do 32 logins a second and serves over 28 of the 30, \
             at twice the CPU.",
            "Raise the rate limiter's `limit` to 1000: the attacker gets as many guesses as the endpoint \
             serves, about 40 a second.",
        ],
        watch: &[
            "Each login endpoint's p99 and utilisation: the work factor sets both.",
            "A selected login endpoint's line in the metrics panel: the most logins a second, and the \
             attacker's guesses offline and online.",
            "The why panel's finding that logins are CPU-bound.",
        ],
        json: shipped!("examples/scenarios/password-hashing.json"),
        lab: None,
    },
    Scenario {
        name: "tls-termination",
        title: "TLS termination: at the edge or on every server",
        topic: "Security: the cost of TLS",
        explanation: "Two copies of one site get 400 requests a second from 4,000 addresses; an address comes \
            back every 10 s on average, so about 3 in 5 requests find their connection closed after the 5 s \
            keep-alive and need a full TLS handshake, 5 ms of CPU. At the top the gateway terminates TLS: the \
            app servers behind it only do their 5 ms of work and are about 25 % busy, while the gateway does \
            about 250 handshakes a second on its own workers. At the bottom the load balancer passes TLS \
            through (ip_hash keeps an address on one server) and each app server shakes hands itself, about \
            125 times a second, so it is about 41 % busy: handshakes × 5 ms ÷ 4 workers, 16 points of CPU \
            spent on TLS.",
        try_this: &[
            "Set tls-a's `keepalive_s` to 60: connections outlive the gaps, under 1 in 5 of its requests \
             needs a handshake and it is under a third busy while tls-b stays about 41 %.",
            "Set the gateway's `tls_handshake_ms` to 1 (an ECDSA certificate instead of RSA): the gateway \
             is about 4 % busy.",
        ],
        watch: &[
            "Each app server's utilisation: about 25 % behind the gateway, about 41 % where it terminates TLS.",
            "The TLS handshakes in the gateway's and the servers' lines in the metrics panel (select one).",
            "The why panel's finding that a server terminates TLS itself, and what share of its workers it \
             costs.",
        ],
        json: shipped!("examples/scenarios/tls-termination.json"),
        lab: None,
    },
    Scenario {
        name: "jwt-vs-session",
        title: "JWT or a session store: authenticating each request",
        topic: "Security: tokens and sessions",
        explanation: "Two copies of one API get 200 requests a second through a gateway that authenticates \
            each: at the top a request carries a JSON Web Token whose signature the gateway checks in 0.1 ms of \
            its own CPU, asking nobody, and at the bottom a session id that the gateway looks up in the \
            session store, a network round trip per request. So the session store takes about 200 lookups a \
            second, one per request, and a request takes about 4.4 ms longer: 2 × 2 ms of links plus the \
            store's 0.5 ms, less the 0.1 ms signature check. That is the price of revoking a session at once; \
            a JWT stays valid until it expires.",
        try_this: &[
            "Set the bottom gateway's `auth` to `jwt`: the session store gets no lookups and both halves take \
             the same time.",
            "Raise the bottom users' `rate` to 400: the store's lookups double with it, about 400 a second.",
        ],
        watch: &[
            "The mean time of each gateway: about 4.4 ms apart.",
            "Arrivals at each API and at the session store: one lookup per request.",
            "The session lookups in the bottom gateway's line in the metrics panel (select it).",
        ],
        json: shipped!("examples/scenarios/jwt-vs-session.json"),
        lab: None,
    },
    Scenario {
        name: "oauth-login",
        title: "An OAuth login as round trips",
        topic: "Security: OAuth authorization code",
        explanation: "Signing in with OAuth is a chain of calls: the browser asks the app, the app sends the \
            user to the auth server for consent and gets a code back, trades the code for a token server to \
            server, and makes its first API call with the token. Every hop is a round trip over a 10 ms link, so \
            the login takes 4 round trips, 80 ms of network, plus each step's work, 1 + 5 + 3 + 2 ms: 91 ms in \
            all, on an idle system exactly.",
        try_this: &[
            "Set the token exchange's `service_time` to a constant 50 ms: every login takes 47 ms longer.",
            "Change the link latency in the settings to 50 ms: the network part grows to 400 ms of the mean.",
        ],
        watch: &[
            "The latency split in the metrics panel: network versus in nodes, 80 ms and 11 ms.",
            "The mean time of each step on the auth server and the API.",
        ],
        json: shipped!("examples/scenarios/oauth-login.json"),
        lab: None,
    },
    Scenario {
        name: "denormalisation",
        title: "Normalised vs denormalised",
        topic: "Database scaling: denormalisation",
        explanation: "Four copies of one SQL table of 10,000 rows, where a read needs columns from 3 tables: \
            normalised, a read joins them, one index lookup each (about 2.5 ms), and an update writes one row \
            (1.8 ms); denormalised, the columns are copied into the row a read needs, so a read is one lookup \
            (about 1.2 ms) but every update writes all 3 copies (5.4 ms). With 90 % reads (the shop) the \
            denormalised table answers in about 1.6 ms on average against about 2.4 ms. With 70 % writes (the \
            ledger) it is the other way round: about 4.1 ms against about 2.0 ms.",
        try_this: &[
            "Set the ledger's denormalised `copies_per_update` to 1: its updates cost what the normalised \
             ones do and it becomes the faster of the two.",
            "Set the shop's normalised `join_tables` to 6: its mean time is over 4 ms.",
        ],
        watch: &[
            "The mean time of each database.",
            "The reads and writes of each database (select one).",
        ],
        json: shipped!("examples/scenarios/denormalisation.json"),
        lab: None,
    },
    Scenario {
        name: "vertical-partition",
        title: "Vertical partitioning: hot columns apart",
        topic: "Database scaling: vertical partitioning",
        explanation: "Two copies of one SQL table of 10,000 rows 2,048 bytes wide, each scanned (no index) by 100 \
            reports a second that need only 200 bytes of each row. In one table an 8 KB page holds 4 rows, so a \
            scan reads 2,500 pages and takes 0.5 + 25 = 25.5 ms, the database busy about 25 % of the time; with \
            the 200 hot bytes in a table of their own a page holds 40 rows, a scan reads 250 pages and takes \
            3.0 ms, busy about 3 %. The 22.5 ms between them is the 2,250 pages the split table does not read, at \
            0.01 ms a page.",
        try_this: &[
            "Set the split table's `hot_bytes` to 1000: 8 rows a page, 1,250 pages, about 13 ms a scan.",
            "Raise the one-table reports' `rate` to 350: its 10 workers are busy about 90 % of the time and \
             scans queue, a mean time over 30 ms; the split table would serve that busy about 10 %.",
        ],
        watch: &[
            "The mean time of each database.",
            "The utilisation of each database (select one).",
        ],
        json: shipped!("examples/scenarios/vertical-partition.json"),
        lab: None,
    },
    Scenario {
        name: "api-gateway",
        title: "An API gateway: one entry point",
        topic: "API management: gateways",
        explanation: "One gateway is the entry point for the mobile app and the web shop: it terminates TLS, \
            looks each request's session up in the session store, and routes GET /users to the users service \
            and POST /orders to the orders service. Its rate limit gives each API key 80 requests a second: \
            the mobile app sends 100 a second with one key, gets about 80 through and 429 Too Many Requests \
            for the rest, while the shop's 50 all pass.",
        try_this: &[
            "Set the gateway's `auth` to `jwt`: no session lookups, and the mean latency falls.",
            "Give the mobile app 10 `api_keys`: each key stays under its limit and nothing is refused.",
        ],
        watch: &[
            "The gateway's routed counts per service and its rate-limited count.",
            "The arrivals at each node: the session store gets one lookup per request that passed the limit.",
        ],
        json: shipped!("examples/scenarios/api-gateway.json"),
        lab: None,
    },
    Scenario {
        name: "cap-partition",
        title: "CAP: a partition between two regions, CP vs AP",
        topic: "Distributed systems: CAP theorem",
        explanation: "Each store keeps every key on 3 replicas, two in us-east and one in eu-west, and waits for 2 \
            of them (QUORUM); from 10 s to 20 s the link between the regions is cut. The CP store refuses \
            everything that arrives in eu-west, about half of its writes, rather than diverge, while the AP store \
            keeps answering on both sides. At the heal the AP store's sides disagree and last-writer-wins throws \
            away over 400 acknowledged writes (lost updates); both stores are back in step within 1.5 s.",
        try_this: &[
            "Set the AP store's concurrent writes to Keep siblings: conflicts stay, lost updates go to zero.",
            "Run it, select the eu-west users and press Partition, then Heal: the same cut, by hand.",
            "Set the CP store's write replicas (W) to 1: it takes writes on both sides and warns why.",
        ],
        watch: &[
            "Refused (no quorum) on the CP store, and the why panel's share of writes refused.",
            "Lost updates on the AP store after the heal.",
            "Time to converge after heal on both stores.",
        ],
        json: shipped!("examples/scenarios/cap-partition.json"),
        lab: None,
    },
    Scenario {
        name: "tunable-consistency",
        title: "Tunable consistency: ONE vs QUORUM vs ALL",
        topic: "Distributed systems: consistency levels",
        explanation: "Three copies of one store, replicas in us-east, eu-west and ap-southeast, read and written at \
            ONE, QUORUM and ALL by users in us-east and eu-west. A read waits for the R-th fastest replica: at ONE \
            the nearest (under 1 ms at the median), at QUORUM the nearest other region (about 71 ms), at ALL the \
            farthest (180 to 220 ms). Only ONE, where R + W = 2 does not exceed N = 3, reads stale values: 5 % to \
            10 % of reads of a written key miss its latest write.",
        try_this: &[
            "Set the ONE store's writes to ALL: R + W = 4 > 3, the stale reads stop and reads stay fast.",
            "Move the ap-southeast replica to us-west (its regions) and watch ALL's latency fall.",
        ],
        watch: &[
            "Read latency p50 of each store.",
            "Stale reads of the ONE store, and none for QUORUM and ALL.",
        ],
        json: shipped!("examples/scenarios/tunable-consistency.json"),
        lab: None,
    },
    Scenario {
        name: "read-repair",
        title: "Read repair after a partition",
        topic: "Distributed systems: replication and repair",
        explanation: "Three AP stores without hinted handoff go through the same 10 s partition of eu-west, so \
            after the heal only repair brings their replicas back in step. Without repair over 30 keys still \
            differ at the end; read repair mends the keys that are read and leaves at most 30 apart (the cold \
            tail of the Zipf keys); adding anti-entropy every 3 s brings every key in step within 1.5 s of the heal.",
        try_this: &[
            "Turn hinted handoff on for the store without repair and compare its time to converge.",
            "Make the keys uniform instead of Zipf: every key is read about as often, and read repair leaves fewer \
             keys apart.",
        ],
        watch: &[
            "Keys diverged now on each store.",
            "Time to converge after heal: not yet for the first two, within 1.5 s with anti-entropy.",
        ],
        json: shipped!("examples/scenarios/read-repair.json"),
        lab: None,
    },
    Scenario {
        name: "cache-worth-it",
        title: "Is the cache worth it?",
        topic: "Caching strategies",
        explanation: "Design A sends every request through the app server to a database that is busy over 75 % \
            of the time; design B puts a cache-aside cache in between, so only misses and writes reach the \
            database. The Compare view runs both on the same seeds: B's p99 is at least 15 ms lower and the \
            difference is significant, for $12.23 more a month in fixed costs (the cache is billed its \
            least, 1 GB at $12.23 per GB-month). That keeps the cost per million requests served within 2 % of A's.",
        try_this: &[
            "Press Run in the Compare view and read the p99 row and the monthly cost row.",
            "In B, shrink the cache's capacity to 100 keys and compare again: how much of the gain is left?",
            "In both, lower the users' rate to 100 requests per second: is the cache still worth its price?",
        ],
        watch: &[
            "The database's utilisation: over 75 % in A, under 45 % in B.",
            "The end-to-end latency rows of the comparison: B's p99 lower, marked significant.",
        ],
        json: shipped!("examples/scenarios/cache-worth-it.json"),
        lab: Some(Lab::Compare {
            b: shipped!("examples/scenarios/variants/cache-worth-it-b.json"),
        }),
    },
    Scenario {
        name: "how-many-servers",
        title: "How many servers do I need?",
        topic: "Load balancers and reverse proxies",
        explanation: "Users send 400 requests a second through a load balancer to a group of app servers that \
            each serve one request at a time, 20 ms on average, so the group needs 400 × 0.02 = 8 servers' worth of \
            work every second. The Sweep view runs 4 to 16 servers: at 8 or fewer the utilisation 8 / servers \
            reaches 100 %, the queue grows without end and the p99 is over twice the lightly loaded one (the \
            knee is at 8). From 9 servers up it keeps up, and from 10 on more servers barely help.",
        try_this: &[
            "Press Run in the Sweep view and hover the points either side of the knee.",
            "Set the users' rate to 600 and sweep again: does rate × 0.02 still predict the knee?",
            "Sweep the users' rate instead, from 100 to 700, at 12 servers.",
        ],
        watch: &[
            "The app servers' utilisation: about 67 % at 12 servers (8 / 12).",
            "The end-to-end latency curve of the sweep and its knee at 8 servers.",
        ],
        json: shipped!("examples/scenarios/how-many-servers.json"),
        lab: Some(Lab::Sweep {
            node: "servers",
            param: "instances",
            from: 4.0,
            to: 16.0,
            points: 13,
            seeds: 5,
        }),
    },
    Scenario {
        name: "http-vs-https",
        title: "HTTP vs HTTPS: what a handshake costs",
        topic: "Networking: connections, TCP and TLS handshakes",
        explanation: "Three copies of one site, each 50 ms away (one way) from 1,000 users who send 100 \
            requests a second between them, keep a browser's connection open 10 s after its last use \
            (keep-alive); a user comes back every 10 s on average, so about 37 % of requests (e^−1, and a few \
            that open a second connection while the first is busy) find theirs closed and open a new one. A \
            request on an open connection takes 2 × 50 + 10 = 110 ms, while a new connection first pays round \
            trips of 100 ms (1 for TCP over plain HTTP, 2 with TLS 1.3, 3 with TLS 1.2): 210, 310 or 410 ms. \
            On average a request takes about 150 ms over HTTP, about 185 ms over HTTPS with TLS 1.3 and about \
            225 ms with TLS 1.2, and a connection carries about 2.6 requests.",
        try_this: &[
            "Set the TLS 1.2 users' `connections` keep-alive (`keepalive_s`) to 120: only a user's first \
             request opens a connection, about 1 in 12, and their mean falls to about 135 ms.",
            "Set the HTTP users' `connections` to `https: true`: they pay the TLS 1.3 users' round trips, \
             about 185 ms.",
        ],
        watch: &[
            "The requests that paid a handshake in each client's figures (select it): about 37 %.",
            "The handshake round trips and the mean request time of each client: 1, 2 and 3 round trips per \
             new connection.",
            "The requests per connection: about 2.6.",
        ],
        json: shipped!("examples/scenarios/http-vs-https.json"),
        lab: None,
    },
    Scenario {
        name: "rest-vs-graphql",
        title: "REST vs GraphQL for one screen",
        topic: "API design: REST and GraphQL",
        explanation: "A phone app's home screen needs three resources over a mobile link 40 ms each way: the \
            user (2 KB, of which the screen shows 256 bytes), the feed (16 KB, shows 2 KB) and the notifications \
            (4 KB, shows 512 bytes); the REST API answers each GET with the whole resource after one 10 ms call \
            to the data service, so a screen is 3 round trips, 22 528 bytes (19 712 of them over-fetched) and \
            3 back-end calls, about 288 ms with one GET after another and about 96 ms with all three at once. \
            The GraphQL apps send one POST asking only for the fields shown: 1 round trip and 2 816 bytes, but \
            the first GraphQL server resolves the feed's 10 posts' authors one call at a time (the N+1 \
            pattern), 11 back-end calls in a row, and its screen takes about 206 ms. With a DataLoader batching \
            the authors into one call it makes 2 back-end calls and takes about 107 ms, while REST's GETs \
            remain the only answers a browser cache or a CDN may keep.",
        try_this: &[
            "Give the four phone links a bandwidth of 1 Mbit/s: REST's over-fetched bytes now take time on the \
             wire, and the parallel REST screen takes over 300 ms while the batched GraphQL one stays under \
             150 ms.",
            "Give every app a browser cache (max-age 60 s) and 20 distinct screens (`keys.count` 20): the REST \
             apps make under 1 round trip per screen, answered on the device, while each GraphQL screen still \
             makes its 1: a POST is never cached.",
        ],
        watch: &[
            "Round trips per screen and bytes per screen of each app (its over-fetched bytes in brackets).",
            "Back-end calls per screen: 3, 3, 11 and 2.",
            "Screen time, mean and p99, of each app.",
        ],
        json: shipped!("examples/scenarios/rest-vs-graphql.json"),
        lab: None,
    },
    Scenario {
        name: "webhooks-vs-polling",
        title: "Webhooks vs polling a payment provider",
        topic: "Webhooks: retries, at-least-once delivery and dedupe, against polling",
        explanation: "A payment provider tells a shop about 2 payments a second, and both shops are down from \
            100 s to 120 s: on top the provider POSTs each payment, signed, and retries one not answered 2xx \
            within 1 s after 1, 2, 4 and 8 s and then every 16 s (8 attempts, 63 s), so its retries outlast the \
            20 s outage and every payment is delivered, none dead; below the shop polls the provider's API every \
            second instead. A pushed payment arrives in one round trip (a median under 100 ms) where a polled \
            one waits for the next poll (a median over half a second), and outside the outage e^(−2) = 14 % of \
            the polls come back empty. The shop takes over 1 s on 2.3 % of deliveries, so the provider times \
            out and sends a payment the shop had already processed again: the shop's idempotency keys answer \
            these duplicates without charging twice.",
        try_this: &[
            "Lower the top provider's `retry.max_attempts` to 4 (7 s of retries): payments from the start of \
             the outage are dead, and the why panel says so.",
            "Remove the top shop's idempotency keys: each duplicate becomes a duplicate effect, a customer \
             charged twice.",
            "Set the bottom provider's `poll_interval_ms` to 10000: fewer empty polls, but payments wait \
             seconds.",
        ],
        watch: &[
            "The top provider's dead events, the ones delivered after retries and its duplicates sent.",
            "Each provider's delivery delay (mean, median, p99) and the bottom one's empty polls.",
            "The top shop's dedupe store and the why panel's webhook finding.",
        ],
        json: shipped!("examples/scenarios/webhooks-vs-polling.json"),
        lab: None,
    },
    Scenario {
        name: "saga-compensation",
        title: "A saga that compensates",
        topic: "Distributed systems: sagas",
        explanation: "Each checkout is a saga of four steps, one service each (create the order, take the \
            payment, reserve the stock, book the shipping), and when a step fails the steps already applied are \
            undone by their compensating actions in reverse, a failed refund retried after 100 ms until it \
            succeeds. One payment in twenty is refused, one reservation in ten finds no stock and one booking in \
            fifty fails, so about 84 % of the sagas complete and the rest end fully compensated, none half-done. \
            Between the first step and the end the system is inconsistent (the money taken, the parcel not \
            booked): 47 ms for a completed saga, about 50 ms on average.",
        try_this: &[
            "Switch the saga's coordination to choreography: the same steps and compensations take one \
             message a call plus one a saga instead of two a call, about 40 % fewer messages.",
            "Add a fault that kills Stock at 20 s and revives it at 30 s: every saga in between is \
             compensated, and the order and the payment are undone for each.",
        ],
        watch: &[
            "Sagas completed and sagas compensated in the saga's figures.",
            "Compensations run (retried ones in brackets) and the time inconsistent per saga.",
            "Saga messages: two a call when orchestrated.",
        ],
        json: shipped!("examples/scenarios/saga-compensation.json"),
        lab: None,
    },
    Scenario {
        name: "cqrs-read-model",
        title: "CQRS: a read model that lags",
        topic: "Messaging: event sourcing and CQRS",
        explanation: "Orders are written as events to a stream, the write side's log, and two projections \
            build read models from it for the reads: the order list takes each event 200 ms after it arrives, \
            the order search 1 s after. Each of the 400 orders is written 0.5 times a second, so a read is stale \
            (the log holds a write not yet applied) when its order was written within the lag D, with \
            probability 1 − e^(−0.5 × D): 9.6 % of the list's reads and 39 % of the search's. At 5 s the order \
            list crashes and loses its read model; back at 6 s it replays the log from the start, about 1 000 \
            events at 1 ms each: a rebuild of about 1 s.",
        try_this: &[
            "Set the order search's event delay to 200 ms: its stale share falls to the list's.",
            "Move the crash to 50 s: the log is ten times longer and so is the rebuild.",
        ],
        watch: &[
            "The stale share of each projection.",
            "Projection lag and events behind.",
            "The order list's rebuild time after its crash.",
        ],
        json: shipped!("examples/scenarios/cqrs-read-model.json"),
        lab: None,
    },
    Scenario {
        name: "sticky-sessions",
        title: "Sticky sessions vs a session store when a server dies",
        topic: "Load balancing: sessions and state",
        explanation: "Two copies of one site serve 2,000 users (200 requests a second), and at 30 s one of \
            their three servers dies. At the top each server keeps its users' sessions in memory and the load \
            balancer is sticky (it pins each user to the server holding its session), so the users pinned to \
            the dead server, a third of the 1,900 seen by then (2,000 × (1 − e^−3)), about 630, lose their \
            session and are logged out. At the bottom the servers are stateless: each reads the session from \
            a shared session store on every request (about 200 calls a second), so the load balancer may send \
            a user anywhere and the kill logs out nobody.",
        try_this: &[
            "Turn the top load balancer's `sticky` off: a user's requests go round all three servers, each \
             server logs in nearly every user, and the kill logs out over 1,000.",
            "Raise the bottom users' `rate` to 400: the session store takes about 400 calls a second.",
        ],
        watch: &[
            "The logged-out users of the top server that dies (select it): about 630.",
            "Arrivals at each stateless server and at the session store: one store call per request.",
            "The sessions held by the surviving top servers growing as the dead one's users log in again.",
        ],
        json: shipped!("examples/scenarios/sticky-sessions.json"),
        lab: None,
    },
    Scenario {
        name: "polling-vs-websockets",
        title: "Polling vs WebSockets for a chat room",
        topic: "WebSockets: polling, long polling and held connections",
        explanation: "A chat room gets a message every 5 s on average (0.2 a second, at random) and 200 users \
            follow it, 40 ms from the server: 100 poll it every second and 100 hold a WebSocket open. The \
            pollers send 100 requests a second and about 82 % of the answers are empty (e^(−λP) = e^(−0.2)); \
            a message waits for the next poll, half a second on average, plus the link: about 540 ms. The \
            WebSocket users send nothing once connected and get every message exactly 40 ms after it is \
            posted, for 100 connections held: 6.25 MB at 64 KB each.",
        try_this: &[
            "Set the pollers' `poll_interval_ms` to 5000: 100 ÷ 5 = 20 requests a second, e^(−1) = 37 % of \
             them empty, and a message waits 2.5 s + 40 ms on average.",
            "Set the pollers' `protocol` to `long_poll`: each request is held until a message comes (or the \
             room's hold timeout), so few answers are empty and most messages arrive one link after they are \
             posted.",
            "Add a fault that kills `chat-room` at 300 s and revives it at 301 s, and switch the sockets' \
             `jitter` off: every socket reconnects in the same second, a reconnect storm.",
        ],
        watch: &[
            "The update delay of each subscribers node (select it): mean and p99.",
            "The pollers' empty responses and poll requests a second, against the chat room's connections held.",
            "The why panel: how many polls came back empty.",
        ],
        json: shipped!("examples/scenarios/polling-vs-websockets.json"),
        lab: None,
    },
    Scenario {
        name: "upload-big-files",
        title: "Upload big files: through the app or straight to the bucket",
        topic: "File storage: object storage and pre-signed uploads",
        explanation: "Two copies of one upload path, each taking 4 uploads a second of 20 MB videos over 1 Gbit/s \
            links, sent to the bucket in 4 parts of 5 MB at once. Through the app, every file crosses the app \
            server's links in and out, 80 MB/s each way, and a worker is held for the whole upload, about 230 ms: \
            the app is busy about 23 %; with a pre-signed URL the app only signs, about 4 ms of a worker (under \
            1 % busy), and no byte of the files touches it. A user waits about 232 ms through the app and about \
            193 ms straight to the bucket, one link fewer for the file.",
        try_this: &[
            "Set both users' `rate` to 6: the app's link fills with files while the signing app stays nearly \
             idle.",
            "Set `parallel_parts` of both buckets to 1: the parts go one after another and the upload time per MB \
             grows.",
            "Set the buckets' `object_sizes` to log-uniform from 10 KB to 1 GB: most files are small, a few are \
             huge, and the huge ones hold the app's workers longest.",
        ],
        watch: &[
            "The mean time of each app server: a worker held for the whole upload, or just to sign.",
            "The uploads of each bucket, direct or through the app, and its time per MB.",
            "The app server bytes avoided on the pre-signed bucket.",
        ],
        json: shipped!("examples/scenarios/upload-big-files.json"),
        lab: None,
    },
    Scenario {
        name: "stale-registry",
        title: "A dead instance and a stale service registry",
        topic: "Architecture: service discovery",
        explanation: "Two copies of one orders service, four instances each, get 400 requests a second, and \
            instance 2 of each dies at 25.5 s. At the top callers find the instances through a service \
            registry (a heartbeat every 5 s, listed until 16 s after the last one, the callers' copy of the \
            list refreshed every 10 s): the last heartbeat was at 25 s and the registry expires it at 41 s, but \
            the copy holds it until the refresh at 50 s, so for 24.5 s every fourth request goes to a dead \
            instance, about 2,450 errors (about 900 of them after the registry had expired it), and the copy \
            drops it 25 s after its last heartbeat. At the bottom a load balancer finds the instances itself \
            (server-side discovery): it probes every 2 s and takes an instance out after 3 failed probes, at \
            30 s, so about 450 requests fail.",
        try_this: &[
            "Set the registry's `refresh_s` to 0 (no copy: every request reads the registry): the errors end \
             at the expiry, 41 s, about 1,550 of them.",
            "Set the registry's `ttl_s` to 6: it expires the instance at 31 s and the copy drops it at the \
             refresh at 40 s, about 1,450 errors.",
        ],
        watch: &[
            "The registry's stale window: its copy dropped the dead instance 25 s after its last heartbeat.",
            "The requests sent to expired instances in the registry's figures (select it).",
            "The failed requests in the time series: a long run at the top, a short one at the bottom.",
            "The why panel's dead instance finding: the calls that failed and when the copy dropped it.",
        ],
        json: shipped!("examples/scenarios/stale-registry.json"),
        lab: None,
    },
    Scenario {
        name: "monolith-vs-microservices",
        title: "Monolith vs microservices under a hot feature",
        topic: "Architecture: monolith and microservices",
        explanation: "The same shop two ways, 100 requests a second each, with search the hot feature: 40 ms \
            of CPU a request against catalog's 4 and cart's 2. At the top a monolith runs the three modules in \
            process after its own 2 ms and 1 ms of serialisation (49 ms a request, no network between modules) \
            and every copy carries every module's memory, 18 GiB, so a copy is an m7i.2xlarge; to hold the hot \
            search it runs 2 copies of everything: about 61 % busy, search about 82 % of its worker time, \
            $588.67 a month. At the bottom each module is a service and each call adds two 0.5 ms links and \
            1 ms of serialisation: catalog and cart stay at one small copy (about 25 % and 15 % busy) and only \
            search runs 3 copies, about 68 % busy, six m7i.large for $441.50 a month; before search got hot \
            (6 ms) both cost $294.34, so absorbing it costs the monolith one more 2xlarge and the services \
            two more large ones.",
        try_this: &[
            "Set the monolith's `instances` to 1: one copy cannot hold the hot search and its queue fills.",
            "Set search's `instances` to 2: search alone is offered more than its 4 workers can do, over \
             95 % busy with a queue, while catalog and cart are untouched.",
        ],
        watch: &[
            "The monolith's module share: search takes about 82 % of its workers.",
            "Each server's utilisation: the monolith about 61 %, search about 68 %, catalog about 25 %.",
            "The mean time of the monolith and of the front service.",
            "The why panel's monolith finding: scaling for search adds copies of every module.",
        ],
        json: shipped!("examples/scenarios/monolith-vs-microservices.json"),
        lab: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_parse_and_are_found_by_their_slug() {
        for s in all() {
            assert!(Topology::from_json(s.json).is_ok(), "{}", s.name);
            assert_eq!(by_name(s.name), Some(s));
        }
        assert_eq!(by_name(""), None);
        assert_eq!(by_name("Client-Server"), None, "slugs are exact");
    }
}
