//! The built-in scenarios of the gallery: each a diagram (`examples/scenarios/<name>.json`, compiled in) plus
//! a title, the curriculum topic it teaches, a short explanation, what to try and what to watch.
//!
//! A scenario that compares variants puts them side by side in one diagram (one client per variant feeding
//! its own copy of the system), so one run shows the contrast. Every claim a text makes is checked by a
//! named test in `tests/tests/it/scenarios.rs` that runs the diagram headless.

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
    /// the diagram, topology format v1
    json: &'static str,
    /// the lab view the gallery opens with it, if any (the diagram is then variant A or the swept design)
    pub lab: Option<Lab>,
}

/// A lab view a scenario opens with: an A/B comparison against a second diagram, or a parameter sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lab {
    /// Compare the scenario's diagram (A) with variant `b` on the same seeds.
    Compare {
        /// variant B, topology format v1 (`examples/scenarios/variants/<name>-b.json`, compiled in)
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
                Topology::from_json(b)
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
    /// The scenario's diagram as shipped, in topology format v1.
    pub fn json(&self) -> &'static str {
        self.json
    }

    /// The scenario's diagram.
    pub fn topology(&self) -> Topology {
        Topology::from_json(self.json)
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
        json: include_str!("../../examples/scenarios/client-server.json"),
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
        json: include_str!("../../examples/scenarios/dns-ttl.json"),
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
        json: include_str!("../../examples/scenarios/multi-region.json"),
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
        json: include_str!("../../examples/scenarios/load-balancing.json"),
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
        json: include_str!("../../examples/scenarios/cache-patterns.json"),
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
        json: include_str!("../../examples/scenarios/browser-cache.json"),
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
        json: include_str!("../../examples/scenarios/eviction-policies.json"),
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
        json: include_str!("../../examples/scenarios/vertical-vs-horizontal.json"),
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
        json: include_str!("../../examples/scenarios/server-failure.json"),
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
        json: include_str!("../../examples/scenarios/queue-burst.json"),
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
        json: include_str!("../../examples/scenarios/pubsub-fanout.json"),
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
        json: include_str!("../../examples/scenarios/read-replicas.json"),
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
        json: include_str!("../../examples/scenarios/sharding-hot-key.json"),
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
        json: include_str!("../../examples/scenarios/hot-row-locks.json"),
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
        json: include_str!("../../examples/scenarios/retry-storm.json"),
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
        json: include_str!("../../examples/scenarios/rate-limiting.json"),
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
        json: include_str!("../../examples/scenarios/circuit-breaker.json"),
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
        json: include_str!("../../examples/scenarios/bulkhead.json"),
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
        json: include_str!("../../examples/scenarios/idempotency.json"),
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
        json: include_str!("../../examples/scenarios/tail-at-scale.json"),
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
        json: include_str!("../../examples/scenarios/sequential-vs-parallel.json"),
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
        json: include_str!("../../examples/scenarios/sql-vs-nosql.json"),
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
        json: include_str!("../../examples/scenarios/firewall.json"),
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
        json: include_str!("../../examples/scenarios/api-gateway.json"),
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
        json: include_str!("../../examples/scenarios/cap-partition.json"),
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
        json: include_str!("../../examples/scenarios/tunable-consistency.json"),
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
        json: include_str!("../../examples/scenarios/read-repair.json"),
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
        json: include_str!("../../examples/scenarios/cache-worth-it.json"),
        lab: Some(Lab::Compare {
            b: include_str!("../../examples/scenarios/variants/cache-worth-it-b.json"),
        }),
    },
    Scenario {
        name: "how-many-servers",
        title: "How many servers do I need?",
        topic: "Load balancers and reverse proxies",
        explanation: "Users send 400 requests a second through a load balancer to a pool of app server workers, \
            each request taking 20 ms on average, so the pool needs 400 × 0.02 = 8 workers' worth of work \
            every second. The Sweep view runs 4 to 16 workers: at 8 or fewer the utilisation 8 / workers \
            reaches 100 %, the queue grows without end and the p99 is over twice the lightly loaded one (the \
            knee is at 8). From 9 workers up it keeps up, and from 10 on more workers barely help.",
        try_this: &[
            "Press Run in the Sweep view and hover the points either side of the knee.",
            "Set the users' rate to 600 and sweep again: does rate × 0.02 still predict the knee?",
            "Sweep the users' rate instead, from 100 to 700, at 12 workers.",
        ],
        watch: &[
            "The app servers' utilisation: about 67 % at 12 workers (8 / 12).",
            "The end-to-end latency curve of the sweep and its knee at 8 workers.",
        ],
        json: include_str!("../../examples/scenarios/how-many-servers.json"),
        lab: Some(Lab::Sweep {
            node: "servers",
            param: "workers",
            from: 4.0,
            to: 16.0,
            points: 13,
            seeds: 5,
        }),
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
