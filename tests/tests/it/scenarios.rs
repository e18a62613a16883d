//! The gallery's built-in scenarios: each parses, validates cleanly, survives a share link and has its
//! texts; and one named test per scenario runs it headless, on every seed of [`SEEDS`], and checks each claim
//! its texts make (explanation, try and watch items) as the text words it:
//!
//! - "about x", "roughly x", "some x": within [`ABOUT`] (10 %) of x, the precision a reader takes from "about".
//! - a bare number the mechanism sets in expectation ("half", "12 times"): within 4 standard errors of the
//!   run's own count (binomial or Poisson), as the theory tests do.
//! - "over", "under", "at most", "or more", "fewer", "hits most": the bound or the order itself, strictly.
//! - "several times": at least three times.
//!
//! Where a claim was false on one of these seeds, the scenario or its text was changed, never the check. The
//! ignored `scenario_seed_sweep` runs every claim on seeds 1–50 to judge how far a claim is from failing; at
//! issue 24 none failed on any of them.

use playground_core::report::Outcome;
use playground_core::report::{CacheReport, NodeReport};
use playground_core::scenarios::{Scenario, all, by_name};
use playground_core::share::{decode, share_url_fragment};
use playground_core::{Report, Topology, run, validate};

/// Seeds every effect is checked with; the texts' claims must hold for each.
pub(crate) const SEEDS: [u64; 3] = [1, 2, 3];

/// How close "about x" must be: 10 % of x.
const ABOUT: f64 = 0.10;

/// The claims of one run that failed, each with its measured value.
#[derive(Default)]
pub(crate) struct Claims {
    failed: Vec<String>,
}

impl Claims {
    /// The claims that failed, each with its measured value.
    pub(crate) fn failed(&self) -> &[String] {
        &self.failed
    }

    pub(crate) fn check(&mut self, ok: bool, what: &str, detail: String) {
        if !ok {
            self.failed.push(format!("{what}: {detail}"));
        }
    }

    /// "about `stated`": within [`ABOUT`] of it.
    pub(crate) fn about(&mut self, what: &str, measured: f64, stated: f64) {
        let ok = (measured - stated).abs() <= ABOUT * stated.abs();
        self.check(ok, what, format!("{measured:.4}, stated about {stated}"));
    }

    /// A count the mechanism sets in expectation: within 4 standard errors `se` of `expected`.
    pub(crate) fn expected(&mut self, what: &str, measured: f64, expected: f64, se: f64) {
        let ok = (measured - expected).abs() <= 4.0 * se;
        self.check(
            ok,
            what,
            format!("{measured:.4}, expected {expected:.4} ± 4 × {se:.4}"),
        );
    }

    /// "over `bound`": strictly above it.
    pub(crate) fn over(&mut self, what: &str, measured: f64, bound: f64) {
        self.check(
            measured > bound,
            what,
            format!("{measured:.4}, stated over {bound}"),
        );
    }

    /// "under `bound`": strictly below it.
    pub(crate) fn under(&mut self, what: &str, measured: f64, bound: f64) {
        self.check(
            measured < bound,
            what,
            format!("{measured:.4}, stated under {bound}"),
        );
    }

    /// "at most `bound`".
    pub(crate) fn at_most(&mut self, what: &str, measured: f64, bound: f64) {
        self.check(
            measured <= bound,
            what,
            format!("{measured:.4}, stated at most {bound}"),
        );
    }

    /// "`bound` or more".
    pub(crate) fn at_least(&mut self, what: &str, measured: f64, bound: f64) {
        self.check(
            measured >= bound,
            what,
            format!("{measured:.4}, stated at least {bound}"),
        );
    }
}

/// Runs scenario `name` on every seed of [`SEEDS`] and asserts that `claims` finds every claim true on each.
pub(crate) fn check_claims(name: &str, claims: impl Fn(&Report, &mut Claims)) {
    let mut failed = Vec::new();
    for r in reports(name) {
        let mut c = Claims::default();
        claims(&r, &mut c);
        failed.extend(
            c.failed
                .into_iter()
                .map(|f| format!("seed {}: {f}", r.seed)),
        );
    }
    assert!(
        failed.is_empty(),
        "{name}: false claims\n{}",
        failed.join("\n")
    );
}

fn scenario(name: &str) -> &'static Scenario {
    by_name(name).unwrap_or_else(|| panic!("scenario {name} exists"))
}

/// Runs scenario `name` once per seed in [`SEEDS`].
fn reports(name: &str) -> Vec<Report> {
    SEEDS.iter().map(|&seed| run_seeded(name, seed)).collect()
}

/// Scenario `name` run with `seed`.
fn run_seeded(name: &str, seed: u64) -> Report {
    let mut t = scenario(name).topology();
    t.settings.seed = seed;
    t.settings.trace_capacity = 0;
    run(&t).expect("a scenario builds")
}

fn node<'a>(r: &'a Report, id: &str) -> &'a NodeReport {
    r.nodes
        .get(id)
        .unwrap_or_else(|| panic!("node {id} is in the report"))
}

fn cache(r: &Report, id: &str) -> CacheReport {
    node(r, id)
        .cache()
        .cloned()
        .unwrap_or_else(|| panic!("{id} reports cache statistics"))
}

#[test]
fn every_scenario_parses_validates_and_has_its_texts() {
    let list = all();
    assert!(list.len() >= 6, "{} scenarios", list.len());
    let mut names: Vec<&str> = list.iter().map(|s| s.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), list.len(), "slugs are unique");
    for s in list {
        let n = s.name;
        assert!(
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{n}: a slug is lowercase words joined by hyphens"
        );
        assert!(std::ptr::eq(by_name(n).expect("found by name"), s), "{n}");
        assert!(!s.title.is_empty() && !s.topic.is_empty(), "{n}");
        let sentences = s.explanation().matches(". ").count() + 1;
        assert!(
            !s.explanation().is_empty() && sentences <= 3,
            "{n}: explanation has {sentences} sentences"
        );
        for list in [s.try_this(), s.watch()] {
            assert!((2..=4).contains(&list.len()), "{n}: 2–4 items");
            assert!(list.iter().all(|x| !x.trim().is_empty()), "{n}");
        }
        let t = Topology::from_json(s.json()).unwrap_or_else(|e| panic!("{n}: {e}"));
        let d = validate(&t);
        assert!(d.is_empty(), "{n}: {d:?}");
        assert!(!t.name.is_empty() && !t.nodes.is_empty(), "{n}");
        for v in &t.nodes {
            let p = v.position;
            assert!(
                p.x % 20.0 == 0.0 && p.y % 20.0 == 0.0 && p.x >= 0.0 && p.y >= 0.0,
                "{n}: {} sits on the 20 px grid",
                v.id
            );
            assert!(!v.label.is_empty(), "{n}: {} has a label", v.id);
        }
        let back = decode(&share_url_fragment(&t)).expect("a scenario's share link opens");
        assert_eq!(format!("{back:?}"), format!("{t:?}"), "{n}");
    }
    assert!(by_name("no-such-scenario").is_none());
}

#[test]
fn every_scenario_file_is_listed() {
    let dir = playground_tests::repo_root().join("examples/scenarios");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/scenarios is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    files.sort();
    let mut names: Vec<String> = all().iter().map(|s| s.name.to_string()).collect();
    names.sort();
    assert_eq!(files, names);
    // core/src/scenarios/notes.json holds the notes of exactly these scenarios.
    assert_eq!(playground_core::scenarios::noted(), names);
    for s in all() {
        let text = std::fs::read_to_string(dir.join(format!("{}.json", s.name)))
            .expect("a scenario file is readable");
        assert_eq!(
            text,
            s.json(),
            "{}: the compiled-in copy is the file",
            s.name
        );
    }
    // examples/scenarios/variants/ holds exactly the B sides of the A/B scenarios, each as compiled in.
    let mut variants: Vec<String> = std::fs::read_dir(dir.join("variants"))
        .expect("examples/scenarios/variants is readable")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    variants.sort();
    let mut listed = Vec::new();
    for s in all() {
        if let Some(playground_core::scenarios::Lab::Compare { b }) = s.lab {
            let file = format!("{}-b.json", s.name);
            let text = std::fs::read_to_string(dir.join("variants").join(&file))
                .expect("a variant file is readable");
            assert_eq!(text, b, "{}: the compiled-in B is the file", s.name);
            listed.push(file);
        }
    }
    listed.sort();
    assert_eq!(variants, listed);
}

/// Mean utilisation of node `id` over the series points in (`from_s`, `to_s`].
fn utilization_between(r: &Report, id: &str, from_s: f64, to_s: f64) -> f64 {
    let i = series_index(r, id);
    let pts: Vec<f64> = r
        .series
        .points
        .iter()
        .filter(|p| p.t_s > from_s && p.t_s <= to_s)
        .map(|p| p.nodes[i].utilization)
        .collect();
    pts.iter().sum::<f64>() / pts.len() as f64
}

fn series_index(r: &Report, id: &str) -> usize {
    r.series
        .node_ids
        .iter()
        .position(|n| n == id)
        .unwrap_or_else(|| panic!("{id} is in the series"))
}

/// The series sample of node `id` at time `t_s`.
fn sample_at(r: &Report, id: &str, t_s: f64) -> playground_core::report::NodeSample {
    let i = series_index(r, id);
    r.series
        .points
        .iter()
        .find(|p| (p.t_s - t_s).abs() < 1e-9)
        .map(|p| p.nodes[i])
        .unwrap_or_else(|| panic!("the series has a point at {t_s} s"))
}

fn messaging(r: &Report, id: &str) -> playground_core::report::MessagingReport {
    node(r, id)
        .messaging()
        .cloned()
        .unwrap_or_else(|| panic!("{id} reports messaging counts"))
}

fn database(r: &Report, id: &str) -> playground_core::report::DatabaseReport {
    node(r, id)
        .database()
        .cloned()
        .unwrap_or_else(|| panic!("{id} reports database statistics"))
}

/// A client's own end-to-end counts.
fn client(r: &Report, id: &str) -> playground_core::report::Requests {
    node(r, id)
        .requests()
        .copied()
        .unwrap_or_else(|| panic!("{id} reports its requests"))
}

fn service(r: &Report, id: &str) -> playground_core::components::server::ServiceReport {
    node(r, id)
        .service()
        .cloned()
        .unwrap_or_else(|| panic!("{id} reports its service figures"))
}

/// "Each request crosses the network twice, 20 ms there and 20 ms back, so about 40 ms of its roughly 60 ms
/// is network latency and the rest is server latency. The server has 4 workers and is busy about a quarter of
/// the time." Watch: "The web server's utilisation, about 25 %."
fn client_server(r: &Report, c: &mut Claims) {
    let l = r.latency_ms;
    c.about(
        "network part of the mean latency [ms]",
        l.network_mean,
        40.0,
    );
    c.about("mean latency [ms]", l.mean, 60.0);
    c.check(
        (l.network_mean + l.in_nodes_mean - l.mean).abs() < 1e-3 * l.mean,
        "the rest is server latency",
        format!("{l:?}"),
    );
    c.about("server utilisation", node(r, "server").utilization, 0.25);
    c.check(
        r.requests.completed() == r.requests.sent,
        "every request is answered",
        format!("{:?}", r.requests),
    );
}

#[test]
fn client_server_latency_is_two_network_legs_plus_the_server() {
    check_claims("client-server", client_server);
}

/// "walks root, TLD and authoritative servers (about 90 ms here) … With a 5 s TTL the answer runs out 12
/// times a minute, and each time the requests behind it wait for a new lookup. With a 300 s TTL the name is
/// looked up once in the run." Watch: "Arrivals at each authoritative server: one per lookup", "its misses
/// are requests that waited for a lookup", "The resolver's mean time: what one lookup costs."
fn dns_ttl(r: &Report, c: &mut Claims) {
    c.check(
        r.duration_s == 60.0,
        "a minute",
        format!("{} s", r.duration_s),
    );
    let short = node(r, "short-auth").arrivals;
    c.check(short == 12, "lookups with a 5 s TTL", format!("{short}"));
    let long = node(r, "long-auth").arrivals;
    c.check(long == 1, "lookups with a 300 s TTL", format!("{long}"));
    for side in ["short", "long"] {
        let root = node(r, &format!("{side}-root")).arrivals;
        let tld = node(r, &format!("{side}-tld")).arrivals;
        let auth = node(r, &format!("{side}-auth")).arrivals;
        c.check(
            root == auth && tld == auth,
            "every lookup walks root, TLD and authoritative",
            format!("{side}: {root} {tld} {auth}"),
        );
        let lookup = node(r, &format!("{side}-resolver")).mean_time_ms;
        c.about(&format!("{side}: one lookup [ms]"), lookup, 90.0);
        // Each lookup makes the requests behind it wait: the browser cache's misses, at least one a lookup.
        let waited = cache(r, &format!("{side}-users")).misses;
        c.check(
            waited >= auth,
            "the requests behind each lookup wait",
            format!("{side}: {waited} waited, {auth} lookups"),
        );
    }
    let waited = |side: &str| cache(r, &format!("{side}-users")).misses;
    c.check(
        waited("short") > waited("long"),
        "a short TTL makes more requests wait",
        format!("{} vs {}", waited("short"), waited("long")),
    );
    c.check(
        r.requests.completed() == r.requests.sent,
        "every request is answered",
        format!("{:?}", r.requests),
    );
}

#[test]
fn a_short_ttl_means_a_lookup_every_few_seconds_and_a_long_one_a_single_lookup() {
    check_claims("dns-ttl", dns_ttl);
}

/// "GeoDNS … answers each with the app in their own region, so dynamic requests never cross an ocean. Static
/// files (60 % of requests) come from the CDN edge in the user's region, which answers seven in ten or more
/// from its cache (the busier the edge, the more), and only misses travel to the origin in us-east. … the
/// Asian edge's mean time is over ten times the US edge's." Watch: "Arrivals at each app: only its own
/// region's users, in the ratio 150 : 100 : 50."
fn multi_region(r: &Report, c: &mut Claims) {
    for region in ["us", "eu", "ap"] {
        let sent = client(r, &format!("users-{region}")).sent;
        let (app, cdn) = (
            node(r, &format!("app-{region}")).arrivals,
            node(r, &format!("cdn-{region}")).arrivals,
        );
        // Every request of the region's users reaches its own app or edge (a few straddle the window's end).
        c.check(
            (app + cdn).abs_diff(sent) <= 5,
            "each region's requests stay in the region",
            format!("{region}: {sent} sent, app {app} + edge {cdn}"),
        );
        let n = sent as f64;
        c.expected(
            &format!("{region}: static share"),
            cdn as f64 / n,
            0.6,
            (0.24 / n).sqrt(),
        );
    }
    // In the ratio 150 : 100 : 50: each app gets 40 % of its region's rate over the 55 s measured.
    for (region, rate) in [("us", 150.0), ("eu", 100.0), ("ap", 50.0)] {
        let expected = rate * 0.4 * (r.duration_s - r.warmup_s);
        c.expected(
            &format!("app-{region} arrivals"),
            node(r, &format!("app-{region}")).arrivals as f64,
            expected,
            expected.sqrt(),
        );
    }
    let mut misses = 0;
    let mut busier = 1.0;
    for region in ["us", "eu", "ap"] {
        let k = cache(r, &format!("cdn-{region}"));
        c.at_least(&format!("cdn-{region} hit ratio"), k.hit_ratio, 0.7);
        c.under(
            &format!("cdn-{region} hit ratio, below the busier edge's"),
            k.hit_ratio,
            busier,
        );
        busier = k.hit_ratio;
        misses += k.misses;
    }
    let pulls = node(r, "origin").arrivals;
    c.check(
        pulls.abs_diff(misses) * 100 <= misses,
        "only misses travel to the origin",
        format!("{pulls} pulls, {misses} misses"),
    );
    let (us, ap) = (
        node(r, "cdn-us").mean_time_ms,
        node(r, "cdn-ap").mean_time_ms,
    );
    c.over("cdn-ap mean time / cdn-us mean time", ap / us, 10.0);
}

#[test]
fn geodns_keeps_users_in_their_region_and_cdn_misses_far_from_the_origin_are_slow() {
    check_claims("multi-region", multi_region);
}

/// The try item "Delete `geo` from the GeoDNS server's record: requests spread over all three regions and the
/// network part of the mean latency grows more than fivefold", on every seed.
fn multi_region_without_geo(seed: u64, c: &mut Claims) {
    let with = run_seeded("multi-region", seed);
    let mut t = scenario("multi-region").topology();
    t.settings.seed = seed;
    t.settings.trace_capacity = 0;
    let auth = t
        .nodes
        .iter_mut()
        .find(|n| n.id == "auth")
        .expect("the diagram has a GeoDNS server");
    let records = auth.params["records"]
        .as_str()
        .expect("records are text")
        .replace(" geo", "");
    auth.params.insert("records".into(), records.into());
    let without = run(&t).expect("still valid");
    c.over(
        "network part of the mean latency, without geo / with",
        without.latency_ms.network_mean / with.latency_ms.network_mean,
        5.0,
    );
    let apps: Vec<f64> = ["us", "eu", "ap"]
        .iter()
        .map(|region| without.nodes[&format!("app-{region}")].arrivals as f64)
        .collect();
    let total: f64 = apps.iter().sum();
    for (region, a) in ["us", "eu", "ap"].iter().zip(&apps) {
        c.about(
            &format!("app-{region}'s share without geo"),
            a / total,
            1.0 / 3.0,
        );
    }
}

#[test]
fn without_geodns_the_network_part_grows_more_than_fivefold() {
    let mut failed = Vec::new();
    for seed in SEEDS {
        let mut c = Claims::default();
        multi_region_without_geo(seed, &mut c);
        failed.extend(c.failed.into_iter().map(|f| format!("seed {seed}: {f}")));
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// "Round robin and random split requests evenly, so the slow server is overloaded, queues up and rejects
/// requests. Least connections and power of two choices send it fewer requests and keep p99 several times
/// lower."
fn load_balancing(r: &Report, c: &mut Claims) {
    let p99 = |lb: &str| node(r, &format!("{lb}-lb")).p99_time_ms;
    let slow = |lb: &str| node(r, &format!("{lb}-slow"));
    for even in ["rr", "rand"] {
        let total = node(r, &format!("{even}-lb")).arrivals as f64;
        for server in ["fast", "mid", "slow"] {
            let share = node(r, &format!("{even}-{server}")).arrivals as f64 / total;
            c.about(&format!("{even}: {server}'s share"), share, 1.0 / 3.0);
        }
        c.over(
            &format!("{even}: slow server utilisation"),
            slow(even).utilization,
            0.95,
        );
        c.over(
            &format!("{even}: slow server's mean queue"),
            slow(even).mean_queue,
            10.0,
        );
        c.over(
            &format!("{even}: slow server rejects"),
            slow(even).dropped as f64,
            0.0,
        );
        for smart in ["lc", "p2c"] {
            c.under(
                &format!("{smart}: slow server's requests / {even}'s"),
                slow(smart).arrivals as f64 / slow(even).arrivals as f64,
                1.0,
            );
            c.at_least(
                &format!("{even} p99 / {smart} p99"),
                p99(even) / p99(smart),
                3.0,
            );
        }
    }
}

#[test]
fn least_connections_and_power_of_two_keep_p99_below_round_robin_and_random() {
    check_claims("load-balancing", load_balancing);
}

/// "At the same load both are about 75 % busy and serve the same throughput. The big server finishes each
/// request four times sooner, so its p99 is under half the cluster's."
fn vertical_vs_horizontal(r: &Report, c: &mut Claims) {
    let big = node(r, "big");
    let lb = node(r, "h-lb");
    c.about("big server utilisation", big.utilization, 0.75);
    for i in 1..=4 {
        c.about(
            &format!("small{i} utilisation"),
            node(r, &format!("small{i}")).utilization,
            0.75,
        );
    }
    // Two independent Poisson streams of the same rate: their counts differ by about √(a + b).
    let (a, b) = (big.served as f64, lb.served as f64);
    c.expected("served, big − cluster", a - b, 0.0, (a + b).sqrt());
    c.under(
        "big p99 / cluster p99",
        big.p99_time_ms / lb.p99_time_ms,
        0.5,
    );
}

#[test]
fn one_big_server_answers_faster_than_four_small_ones_at_equal_throughput() {
    check_claims("vertical-vs-horizontal", vertical_vs_horizontal);
}

/// "App server 2 dies at 20 s. The load balancer keeps sending it a third of the requests, which fail, until
/// three health checks a second apart have failed; then it routes around it and the other two servers carry
/// the load at the same throughput. At 40 s the server comes back and rejoins after two good checks." Watch:
/// "a burst of about two seconds after 20 s, then none", "App server 2's utilisation falling to zero and
/// coming back after 40 s."
fn server_failure(r: &Report, c: &mut Claims) {
    let s = &r.series;
    let failed_at: Vec<f64> = s
        .points
        .iter()
        .filter(|p| p.outcomes[Outcome::Error] > 0)
        .map(|p| p.t_s)
        .collect();
    c.check(
        failed_at.iter().all(|&t| t > 20.0 && t <= 24.0),
        "failures only in the burst after 20 s",
        format!("{failed_at:?}"),
    );
    let burst: u64 = s.points.iter().map(|p| p.outcomes[Outcome::Error]).sum();
    // The checks run on the second, so the death at 20 s meets a failed check at once and the third fails at
    // 22 s: a third of 240 req/s fail for two seconds, a Poisson count of mean 160.
    c.expected(
        "requests failed in the burst",
        burst as f64,
        160.0,
        160f64.sqrt(),
    );
    c.check(
        node(r, "app2").dropped.abs_diff(burst) < 10,
        "the dead server failed them",
        format!("{} dropped, {burst} failed", node(r, "app2").dropped),
    );
    let rate = |from: f64, to: f64| {
        let pts: Vec<_> = s
            .points
            .iter()
            .filter(|p| p.t_s > from && p.t_s <= to)
            .collect();
        let n = pts.len() as f64;
        let total = pts
            .iter()
            .map(|p| p.outcomes[Outcome::Ok] as f64)
            .sum::<f64>();
        (total / n, total.sqrt() / n)
    };
    let ((before, se_b), (after, se_a)) = (rate(5.0, 20.0), rate(25.0, 40.0));
    c.expected(
        "throughput after − before [req/s]",
        after - before,
        0.0,
        (se_b * se_b + se_a * se_a).sqrt(),
    );
    let util = |t: f64| sample_at(r, "app2", t).utilization;
    c.check(
        (24..=40).all(|t| util(f64::from(t)) == 0.0),
        "dead and out from the third failed check to 40 s",
        String::new(),
    );
    c.check(
        util(41.0) == 0.0,
        "one good check is not enough to rejoin",
        String::new(),
    );
    c.check(
        (44..=50).all(|t| util(f64::from(t)) > 0.2),
        "back in after two good checks",
        String::new(),
    );
    c.check(
        r.requests.timed_out() + r.requests.rejected() == 0,
        "no request times out or is rejected",
        format!("{:?}", r.requests),
    );
}

#[test]
fn errors_last_only_until_the_health_checks_take_the_dead_server_out() {
    check_claims("server-failure", server_failure);
}

/// "Cache-aside deletes a key on every write and hits least; write-through stores the new value and hits more;
/// write-behind also answers writes from the cache alone, so it is fastest and sends the database the fewest
/// requests. The price: its cache crashes at 45.5 s and the writes it had not yet flushed are lost."
fn cache_patterns(r: &Report, c: &mut Claims) {
    let hit = |p: &str| cache(r, &format!("{p}-cache")).hit_ratio;
    let time = |p: &str| node(r, &format!("{p}-app")).mean_time_ms;
    let db = |p: &str| node(r, &format!("{p}-db")).arrivals as f64;
    for other in ["through", "behind"] {
        c.under(
            &format!("aside hit ratio, below {other}'s"),
            hit("aside"),
            hit(other),
        );
    }
    for other in ["aside", "through"] {
        c.under(
            &format!("behind mean time, below {other}'s"),
            time("behind"),
            time(other),
        );
        c.under(
            &format!("behind database requests, below {other}'s"),
            db("behind"),
            db(other),
        );
    }
    // Flushed every second, so what is lost is what was written since the last flush: more than nothing
    // and at most one interval's writes (200 req/s × 30 % writes = 60/s; Poisson, so 4√60 over it).
    let lost = cache(r, "behind-cache").lost_writes as f64;
    c.over("writes lost in the crash", lost, 0.0);
    c.at_most("writes lost in the crash", lost, 60.0 + 4.0 * 60f64.sqrt());
    for p in ["aside", "through"] {
        c.check(
            cache(r, &format!("{p}-cache")).lost_writes == 0,
            "only write-behind loses writes",
            p.to_string(),
        );
    }
}

#[test]
fn write_behind_is_fastest_but_loses_writes_and_cache_aside_hits_least() {
    check_claims("cache-patterns", cache_patterns);
}

/// "LFU keeps the most requested keys and hits most, LRU comes second, and FIFO and random evict popular keys
/// as readily as rare ones and hit least. Every miss is a database read, so the database behind LFU does the
/// least work."
fn eviction_policies(r: &Report, c: &mut Claims) {
    let hit = |p: &str| cache(r, &format!("{p}-cache")).hit_ratio;
    let db = |p: &str| node(r, &format!("{p}-db")).arrivals as f64;
    c.under("lru hit ratio, below lfu's", hit("lru"), hit("lfu"));
    for worst in ["fifo", "random"] {
        c.under(
            &format!("{worst} hit ratio, below lru's"),
            hit(worst),
            hit("lru"),
        );
        c.under(
            &format!("lfu database reads, below {worst}'s"),
            db("lfu"),
            db(worst),
        );
    }
    c.under("lfu database reads, below lru's", db("lfu"), db("lru"));
    for p in ["lfu", "lru", "fifo", "random"] {
        let k = cache(r, &format!("{p}-cache"));
        c.check(
            node(r, &format!("{p}-db")).arrivals.abs_diff(k.misses) * 100 <= k.misses,
            "every miss is a database read",
            format!(
                "{p}: {} reads, {} misses",
                node(r, &format!("{p}-db")).arrivals,
                k.misses
            ),
        );
    }
}

#[test]
fn lfu_beats_lru_beats_fifo_and_random_on_zipf_keys() {
    check_claims("eviction-policies", eviction_policies);
}

/// "Two order services send the same bursts, 400 orders a second for 2 s every 10 s, to identical pools of 4
/// workers that manage 200 a second. Called directly, the workers' queue overflows in every burst and over a
/// third of the orders are rejected; through a message queue every order is acknowledged at once, waits its
/// turn and is processed between bursts. … a queued order waits over a second on average before a worker
/// takes it." Watch: "The order queue's depth over time: it rises in each burst and drains before the next."
fn queue_burst(r: &Report, c: &mut Claims) {
    let direct = node(r, "direct");
    c.over(
        "share of direct orders rejected",
        direct.dropped as f64 / direct.arrivals as f64,
        1.0 / 3.0,
    );
    let q = messaging(r, "orders");
    c.check(
        q.dropped == 0,
        "the queue rejects nothing",
        format!("{q:?}"),
    );
    c.check(
        q.acknowledged == q.published,
        "every queued order is processed",
        format!("{q:?}"),
    );
    c.check(
        node(r, "workers").dropped == 0,
        "the queued workers reject nothing",
        String::new(),
    );
    c.over("mean wait in the queue [ms]", q.mean_wait_ms, 1000.0);
    c.check(
        r.finished && q.depth + q.in_flight == 0,
        "the queue is empty at the end",
        format!("{q:?}"),
    );
    // The producers are acknowledged at once: two 2 ms legs, so the only rejections are the direct ones.
    c.check(
        r.requests.rejected() == direct.dropped,
        "only the direct orders are rejected",
        format!("{:?}", r.requests),
    );
    c.under("median order latency [ms]", r.latency_ms.p50, 5.0);
    // It rises in each burst and has drained before the next one starts.
    for k in 0..6 {
        let start = 10.0 * f64::from(k);
        let peak = (1..=3)
            .map(|dt| sample_at(r, "orders", start + f64::from(dt)).queue)
            .max()
            .unwrap_or(0);
        c.over(
            &format!("queue depth in the burst at {start} s"),
            f64::from(peak),
            100.0,
        );
        let before_next = sample_at(r, "orders", start + 10.0).queue;
        c.check(
            before_next == 0,
            "drained before the next burst",
            format!("{before_next} at {} s", start + 10.0),
        );
        let rejected: u64 = r
            .series
            .points
            .iter()
            .filter(|p| p.t_s > start && p.t_s <= start + 3.0)
            .map(|p| p.outcomes[Outcome::Rejected])
            .sum();
        c.over(
            &format!("direct rejections in the burst at {start} s"),
            rejected as f64,
            0.0,
        );
    }
}

#[test]
fn a_queue_absorbs_the_burst_that_overflows_the_direct_workers() {
    check_claims("queue-burst", queue_burst);
}

/// "every subscriber gets its own copy … Analytics manages only 40 events a second against 50, so its queue
/// grows through the run while the email sender and audit log keep up, untouched by the slow subscriber.
/// Checkout is acknowledged as soon as the topic accepts the event, so its latency stays at the two network
/// legs."
fn pubsub_fanout(r: &Report, c: &mut Claims) {
    let t = messaging(r, "orders");
    c.check(
        t.consumers.len() == 3,
        "three subscribers",
        format!("{t:?}"),
    );
    for s in &t.consumers {
        c.check(
            s.delivered == t.published && s.acknowledged == t.published,
            "every subscriber gets its own copy",
            format!("{}: {s:?}, {} published", s.node, t.published),
        );
    }
    // Its queue grows through the run: deeper every ten seconds until the traffic stops.
    let depth: Vec<u32> = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
        .iter()
        .map(|&t| sample_at(r, "stats-q", t).queue)
        .collect();
    c.check(
        depth.windows(2).all(|w| w[0] < w[1]),
        "the analytics queue grows through the run",
        format!("{depth:?}"),
    );
    let (stats, email) = (messaging(r, "stats-q"), messaging(r, "email-q"));
    c.check(
        stats.acknowledged == t.published,
        "the slow subscriber catches up after the run",
        format!("{stats:?}"),
    );
    c.under("email queue's deepest", email.max_depth as f64, 30.0);
    c.under(
        "audit log's mean time [ms]",
        node(r, "audit").mean_time_ms,
        10.0,
    );
    c.check(
        (r.latency_ms.max - 4.0).abs() < 0.1,
        "checkout's latency is the two 2 ms legs",
        format!("{:?}", r.latency_ms),
    );
}

#[test]
fn a_topic_fans_every_order_out_and_a_slow_subscriber_only_delays_itself() {
    check_claims("pubsub-fanout", pubsub_fanout);
}

/// "with 2 writes per key per second about one read in three is stale (1 − e^(−2 × 0.2)). With synchronous
/// replication no read is stale, but every write waits the 200 ms for the replicas, so the database's mean time
/// goes from about 3 ms to about 23 ms." Watch: "The primary's reads (none) and the replicas' share of the
/// reads (half each)."
fn read_replicas(r: &Report, c: &mut Claims) {
    let a = database(r, "db-async");
    c.about(
        "stale share of the async reads",
        a.stale_reads as f64 / a.reads as f64,
        1.0 - (-0.4f64).exp(),
    );
    let inst = &a.shards[0].instances;
    c.check(
        inst[0].reads == 0,
        "the primary takes only writes",
        format!("{inst:?}"),
    );
    let n = (inst[1].reads + inst[2].reads) as f64;
    c.expected(
        "replica 1's share of the reads (half each)",
        inst[1].reads as f64 / n,
        0.5,
        (0.25 / n).sqrt(),
    );
    c.check(
        database(r, "db-sync").stale_reads == 0,
        "no sync read is stale",
        String::new(),
    );
    c.about(
        "async mean time [ms]",
        node(r, "db-async").mean_time_ms,
        3.0,
    );
    c.about("sync mean time [ms]", node(r, "db-sync").mean_time_ms, 23.0);
}

#[test]
fn async_replicas_serve_a_third_stale_reads_and_sync_replicas_slow_the_writes() {
    check_claims("read-replicas", read_replicas);
}

/// "Sharding by key range puts keys 0–249 on shard 0, which serves about 80 % of the queries and is busy
/// three quarters of the time, so that store's mean time is over twice the other's. A consistent-hash ring
/// scatters the hot keys; its busiest shard is the one holding key 0, with about a third of the queries."
fn sharding_hot_key(r: &Report, c: &mut Claims) {
    use playground_core::components::database::{Router, Sharding};
    let range = database(r, "db-range");
    c.about("range: shard 0's share", range.shards[0].share, 0.8);
    c.about(
        "range: shard 0's utilisation",
        range.shards[0].instances[0].utilization,
        0.75,
    );
    let ring = database(r, "db-ring");
    let hottest = (0..4)
        .max_by(|&a, &b| ring.shards[a].share.total_cmp(&ring.shards[b].share))
        .expect("4 shards");
    let key0 = Router::new(4, Sharding::Consistent, 100, 1000).shard_of(0) as usize;
    c.check(
        hottest == key0,
        "the ring's busiest shard holds key 0",
        format!("{hottest} vs {key0}"),
    );
    c.about(
        "ring: busiest shard's share",
        ring.shards[hottest].share,
        1.0 / 3.0,
    );
    let (tr, tg) = (
        node(r, "db-range").mean_time_ms,
        node(r, "db-ring").mean_time_ms,
    );
    c.over("range mean time / ring mean time", tr / tg, 2.0);
}

#[test]
fn range_sharding_makes_one_hot_shard_and_the_ring_spreads_the_hot_keys() {
    check_claims("sharding-hot-key", sharding_hot_key);
}

/// "Two copies of one API with spare capacity (70 % busy) … a spike triples the traffic for 5 s at 00:20. On
/// top, every timed-out attempt is retried while the API still works on it, so the retries alone keep it
/// saturated long after the spike is over (a metastable failure). Below, a retry budget allows retries of at
/// most 10 % of the traffic, and the API recovers." Watch: "Each API's utilisation and queue after 00:25: the
/// top one stays at 100 %, the bottom one drains."
fn retry_storm(r: &Report, c: &mut Claims) {
    for api in ["api", "api2"] {
        c.about(
            &format!("{api}: utilisation before the spike"),
            utilization_between(r, api, 5.0, 20.0),
            0.7,
        );
    }
    c.over(
        "top API utilisation after 00:25",
        utilization_between(r, "api", 25.0, r.duration_s),
        0.99,
    );
    let plain = &r.edges["plain->api"];
    c.over("top attempts per request", plain.amplification, 3.0);
    let budgeted = &r.edges["budgeted->api2"];
    c.at_most(
        "bottom retries / calls",
        budgeted.retries as f64 / budgeted.calls as f64,
        0.1,
    );
    c.over(
        "bottom retries refused by the budget",
        budgeted.budget_refused as f64,
        0.0,
    );
    // It recovers: well below the storm's 100 % after the spike (its own traffic and a few retries), its
    // queue drained.
    c.under(
        "bottom API utilisation from 00:50",
        utilization_between(r, "api2", 50.0, r.duration_s),
        0.85,
    );
    c.at_most(
        "bottom API queue at the end of the traffic",
        f64::from(sample_at(r, "api2", r.duration_s).queue),
        10.0,
    );
    c.over(
        "top API queue at the end of the traffic",
        f64::from(sample_at(r, "api", r.duration_s).queue),
        1000.0,
    );
}

#[test]
fn retries_keep_the_api_down_after_the_spike_unless_a_budget_caps_them() {
    check_claims("retry-storm", retry_storm);
}

/// "Without a breaker (top) every request holds an API worker for up to 500 ms, the queue fills and the API
/// turns requests away. With a breaker (bottom) the calls fail at once after ten failures, the API keeps its
/// workers free, and half-open trial calls close the breaker again once the database has recovered."
fn circuit_breaker(r: &Report, c: &mut Claims) {
    let (plain, guarded) = (node(r, "api"), node(r, "api2"));
    let full = (16..35)
        .map(|t| sample_at(r, "api", f64::from(t)).queue)
        .max()
        .unwrap_or(0);
    c.check(
        full == 100,
        "the top API's queue fills",
        format!("deepest {full} of 100"),
    );
    c.over("top API requests turned away", plain.dropped as f64, 1000.0);
    // Calls time out after 500 ms, so each of the eight workers times out at most twice a second: at most
    // 16 a second over the 20 s hang, plus those under way when it began. (Queries of mean 600 ms that
    // finish sooner, and the database's queue of abandoned queries, set how many: about 260.)
    let timeouts = r.edges["api-db"].timeouts as f64;
    c.over("top calls timed out", timeouts, 0.0);
    c.at_most("top calls timed out", timeouts, 16.0 * 20.0 + 8.0);
    let e = &r.edges["api2-db2"];
    c.at_least("breaker opens", e.breaker_opens as f64, 1.0);
    c.over(
        "calls failed at once by the open breaker",
        e.short_circuited as f64,
        1000.0,
    );
    // Its workers stay free: the top API is saturated through the hang, the bottom one far from it, and it
    // turns away a small part of what the top turns away.
    c.over(
        "top API utilisation during the hang",
        utilization_between(r, "api", 16.0, 35.0),
        0.99,
    );
    c.under(
        "bottom API utilisation during the hang",
        utilization_between(r, "api2", 16.0, 35.0),
        0.75,
    );
    c.under(
        "bottom API requests turned away / top's",
        guarded.dropped as f64 / plain.dropped as f64,
        0.5,
    );
    c.check(
        e.breaker_state.as_deref() == Some("closed"),
        "the breaker is closed again at the end",
        format!("{:?}", e.breaker_state),
    );
}

#[test]
fn a_breaker_keeps_the_api_free_while_its_database_hangs_and_closes_after() {
    check_claims("circuit-breaker", circuit_breaker);
}

/// "With one shared pool (top) the report calls take all 16 workers, so search requests queue behind them and
/// are turned away. With a bulkhead of 6 workers per dependency (bottom) the report calls past 6 fail fast and
/// the search requests keep being served."
fn bulkhead(r: &Report, c: &mut Claims) {
    let shared = node(r, "search").served as f64;
    let walled = node(r, "b-search").served as f64;
    c.over(
        "top API requests turned away",
        node(r, "api").dropped as f64,
        0.0,
    );
    c.over(
        "bottom search served / top search served",
        walled / shared,
        4.0,
    );
    c.over(
        "bottom report calls failed fast",
        service(r, "b-api").bulkhead_rejected as f64,
        0.0,
    );
    // Every search request that reaches the bottom search service is served (a few of its 8 workers may
    // still be busy when the window closes).
    let api = node(r, "b-api");
    let search = node(r, "b-search");
    c.check(
        search.dropped == 0 && search.arrivals - search.served <= 8,
        "every bottom search request is served",
        format!("{search:?}"),
    );
    c.under(
        "bottom API requests turned away / top's",
        api.dropped as f64,
        node(r, "api").dropped as f64,
    );
}

#[test]
fn a_bulkhead_keeps_the_search_traffic_flowing_past_slow_reports() {
    check_claims("bulkhead", bulkhead);
}

/// "The top payment service charges again for every such retry (duplicate effects); the bottom one keeps each
/// request's idempotency key for 60 s and answers a repeat from its dedupe store, so every payment is charged
/// once."
fn idempotency(r: &Report, c: &mut Claims) {
    let plain = service(r, "pay");
    let keyed = service(r, "pay2");
    c.over(
        "top duplicate charges",
        plain.duplicate_effects as f64,
        10.0,
    );
    c.check(
        keyed.duplicate_effects == 0,
        "bottom: every payment charged once",
        format!("{keyed:?}"),
    );
    c.over(
        "bottom repeats answered or refused without charging",
        (keyed.deduplicated + keyed.in_progress_conflicts) as f64,
        10.0,
    );
}

#[test]
fn idempotency_keys_charge_each_payment_once() {
    check_claims("idempotency", idempotency);
}

/// "A scraper sends 300 requests a second from one address next to 1,000 users sending 100 between them. A
/// single limit for everyone (top, a token bucket of 200/s) refuses requests at random, so the users lose half
/// of theirs with the scraper's. A limit per client address (bottom, 10/s each) refuses only the scraper's
/// excess with 429 Too Many Requests, and every user request gets through."
fn rate_limiting(r: &Report, c: &mut Claims) {
    let users = client(r, "users");
    let n = users.sent as f64;
    c.expected(
        "users' share refused by the global limit",
        users.rate_limited() as f64 / n,
        0.5,
        (0.25 / n).sqrt(),
    );
    let users = client(r, "k-users");
    c.check(
        users.rate_limited() == 0 && users.completed() == users.sent,
        "every user request gets through the per-address limit",
        format!("{users:?}"),
    );
    let scraper = client(r, "k-scraper");
    c.about(
        "scraper admitted per second",
        scraper.completed() as f64 / r.duration_s,
        10.0,
    );
}

#[test]
fn a_per_address_limit_refuses_the_scraper_and_a_global_one_the_users_too() {
    check_claims("rate-limiting", rate_limiting);
}

/// Scenario `name` run with `seed` after setting node `id`'s parameter `key` to `value` (a "try this" item).
pub(crate) fn variant(
    name: &str,
    seed: u64,
    id: &str,
    key: &str,
    value: serde_json::Value,
) -> Report {
    let mut t = scenario(name).topology();
    t.settings.seed = seed;
    t.settings.trace_capacity = 0;
    t.nodes
        .iter_mut()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("{name} has node {id}"))
        .params
        .insert(key.into(), value);
    run(&t).expect("the changed scenario still builds")
}

/// "Three databases of 100,000 rows get the same traffic, 90 % reads by key. Without an index every read
/// scans the whole table: a query takes about 50 ms on average and the database is busy about 70 % of the
/// time. With an index a query takes about 1.4 ms in SQL, and about 0.6 ms in the NoSQL key-value store"; try:
/// 150,000 rows make the scan's queue build up, 8 secondary indexes raise the indexed database's mean time.
fn sql_vs_nosql(r: &Report, c: &mut Claims) {
    for id in ["scan-db", "sql-db", "nosql-db"] {
        let d = database(r, id);
        let n = (d.reads + d.writes) as f64;
        c.expected(
            &format!("{id}'s share of reads"),
            d.reads as f64 / n,
            0.9,
            (0.09 / n).sqrt(),
        );
    }
    c.about(
        "unindexed mean time [ms]",
        node(r, "scan-db").mean_time_ms,
        50.0,
    );
    c.about(
        "unindexed utilisation",
        node(r, "scan-db").utilization,
        0.70,
    );
    c.about(
        "indexed SQL mean time [ms]",
        node(r, "sql-db").mean_time_ms,
        1.4,
    );
    c.about(
        "indexed NoSQL mean time [ms]",
        node(r, "nosql-db").mean_time_ms,
        0.6,
    );
    let bigger = variant("sql-vs-nosql", r.seed, "scan-db", "rows", 150_000.into());
    c.over(
        "the scan's mean queue with 150,000 rows, over 10 times the 100,000 rows'",
        node(&bigger, "scan-db").mean_queue,
        10.0 * node(r, "scan-db").mean_queue,
    );
    let indexes = variant("sql-vs-nosql", r.seed, "sql-db", "indexes", 8.into());
    c.over(
        "indexed SQL mean time with 8 secondary indexes [ms]",
        node(&indexes, "sql-db").mean_time_ms,
        node(r, "sql-db").mean_time_ms,
    );
}

#[test]
fn a_scan_grows_with_the_table_and_an_index_makes_a_query_cheap() {
    check_claims("sql-vs-nosql", sql_vs_nosql);
}

fn waf(r: &Report, id: &str) -> playground_core::components::waf::WafReport {
    node(r, id)
        .waf()
        .cloned()
        .unwrap_or_else(|| panic!("{id} reports a firewall's counts"))
}

/// "The attacker sends 40 requests a second from one address, some of them SQL injection or XSS payloads:
/// the signature rules block those, and once the address passes 100 requests in 10 s the rate rule lists it
/// for 60 s, so over 95 % of its requests get 403 Forbidden. The botnet sends 200 a second spread over 5,000
/// addresses, each far under the limit, and all of it reaches the app." Try: without signature rules attack
/// payloads reach the app; with 10 addresses the rate rule blocks almost all (over 90 %) of the botnet.
fn firewall(r: &Report, c: &mut Claims) {
    let w = waf(r, "waf");
    c.check(
        w.blocked_signature > 0 && w.attacks_passed == 0,
        "the signature rules block every attack payload",
        format!("{w:?}"),
    );
    c.check(
        w.blocked_rate > 0,
        "the rate rule lists the attacker",
        format!("{w:?}"),
    );
    let attacker = client(r, "attacker");
    c.over(
        "attacker's share blocked",
        attacker.blocked() as f64 / attacker.sent as f64,
        0.95,
    );
    let botnet = client(r, "botnet");
    c.check(
        botnet.blocked() == 0 && botnet.completed() == botnet.sent,
        "all the botnet's requests reach the app",
        format!("{botnet:?}"),
    );
    let users = client(r, "users");
    c.check(
        users.blocked() == 0,
        "no user is blocked",
        format!("{users:?}"),
    );
    let open = variant("firewall", r.seed, "waf", "signature_rules", false.into());
    c.over(
        "attacks passed without signature rules",
        waf(&open, "waf").attacks_passed as f64,
        0.0,
    );
    let few = variant("firewall", r.seed, "botnet", "addresses", 10.into());
    let botnet = client(&few, "botnet");
    c.over(
        "botnet's share blocked from 10 addresses",
        botnet.blocked() as f64 / botnet.sent as f64,
        0.90,
    );
}

#[test]
fn a_firewall_blocks_the_attacker_but_not_a_botnet_under_its_rate_rule() {
    check_claims("firewall", firewall);
}

/// "[The gateway] looks each request's session up in the session store, and routes GET /users to the users
/// service and POST /orders to the orders service. Its rate limit gives each API key 80 requests a second: the
/// mobile app sends 100 a second with one key, gets about 80 through and 429 Too Many Requests for the rest,
/// while the shop's 50 all pass." Try: `jwt` means no session lookups and a lower mean latency; 10 API keys
/// mean nothing refused. Watch: the session store gets one lookup per request that passed the limit.
fn api_gateway(r: &Report, c: &mut Claims) {
    let mobile = client(r, "mobile");
    c.about(
        "mobile requests through per second",
        mobile.completed() as f64 / r.duration_s,
        80.0,
    );
    c.check(
        mobile.rate_limited() + mobile.completed() == mobile.sent,
        "the mobile app's other requests get 429",
        format!("{mobile:?}"),
    );
    let shop = client(r, "shop");
    c.check(
        shop.rate_limited() == 0 && shop.completed() == shop.sent,
        "every shop request passes",
        format!("{shop:?}"),
    );
    let gw = node(r, "gw");
    let g = gw
        .gateway()
        .cloned()
        .expect("the gateway reports its counts");
    // Ports in edge order: the session store, users, orders.
    for (port, id) in [(1, "users"), (2, "orders")] {
        c.about(
            &format!("{id}'s arrivals / requests routed to it"),
            node(r, id).arrivals as f64 / g.routed.get(port).copied().unwrap_or(0).max(1) as f64,
            1.0,
        );
    }
    c.check(
        node(r, "users").arrivals > 0 && node(r, "orders").arrivals > 0,
        "GET /users reaches users and POST /orders reaches orders",
        format!("{g:?}"),
    );
    // The gateway counts a lookup when it sends it and the store when it arrives, one link later: a lookup on
    // the link as the measurement window opens or closes is in one count only (12 seeds: at most 1 apart).
    let stored = node(r, "sessions").arrivals;
    c.check(
        g.session_lookups.abs_diff(stored) <= 2 && g.session_lookups == g.auth_checks,
        "one session lookup per request that passed the limit",
        format!("{g:?}, sessions {stored}"),
    );
    let jwt = variant("api-gateway", r.seed, "gw", "auth", "jwt".into());
    let lookups = jwt
        .nodes
        .get("gw")
        .and_then(|n| n.gateway())
        .map_or(u64::MAX, |g| g.session_lookups);
    c.check(
        lookups == 0,
        "no session lookups with jwt",
        format!("{lookups}"),
    );
    c.under(
        "mean latency with jwt [ms]",
        jwt.latency_ms.mean,
        r.latency_ms.mean,
    );
    let keys = variant("api-gateway", r.seed, "mobile", "api_keys", 10.into());
    c.check(
        client(&keys, "mobile").rate_limited() == 0,
        "nothing refused with 10 API keys",
        format!("{:?}", client(&keys, "mobile")),
    );
}

#[test]
fn a_gateway_routes_authenticates_and_limits_each_api_key() {
    check_claims("api-gateway", api_gateway);
}

/// The claims of one scenario's run.
type ClaimsOf = fn(&Report, &mut Claims);

/// Every scenario's claims, by name, for the seed sweep.
const ALL_CLAIMS: &[(&str, ClaimsOf)] = &[
    ("client-server", client_server),
    ("dns-ttl", dns_ttl),
    ("multi-region", multi_region),
    ("load-balancing", load_balancing),
    ("vertical-vs-horizontal", vertical_vs_horizontal),
    ("server-failure", server_failure),
    ("cache-patterns", cache_patterns),
    ("eviction-policies", eviction_policies),
    ("queue-burst", queue_burst),
    ("pubsub-fanout", pubsub_fanout),
    ("read-replicas", read_replicas),
    ("sharding-hot-key", sharding_hot_key),
    ("retry-storm", retry_storm),
    ("circuit-breaker", circuit_breaker),
    ("bulkhead", bulkhead),
    ("idempotency", idempotency),
    ("rate-limiting", rate_limiting),
    ("tail-at-scale", crate::callplan_scenarios::tail_at_scale),
    (
        "sequential-vs-parallel",
        crate::callplan_scenarios::sequential_vs_parallel,
    ),
    ("sql-vs-nosql", sql_vs_nosql),
    ("hot-row-locks", crate::lock_scenarios::hot_row_locks),
    ("browser-cache", crate::http_cache::browser_cache),
    ("cache-levels", crate::cache_level_scenarios::cache_levels),
    ("forward-proxy", crate::cache_level_scenarios::forward_proxy),
    ("firewall", firewall),
    ("password-hashing", crate::security_cost::password_hashing),
    ("tls-termination", crate::security_cost::tls_termination),
    ("jwt-vs-session", crate::security_cost::jwt_vs_session),
    ("oauth-login", crate::security_cost::oauth_login),
    ("denormalisation", crate::database::denormalisation),
    (
        "vertical-partition",
        crate::partition_scenarios::vertical_partition,
    ),
    ("api-gateway", api_gateway),
    ("cap-partition", crate::cap_scenarios::cap_partition),
    (
        "tunable-consistency",
        crate::cap_scenarios::tunable_consistency,
    ),
    ("read-repair", crate::cap_scenarios::read_repair),
    (
        "fixed-vs-autoscaling",
        crate::autoscale::fixed_vs_autoscaling,
    ),
    ("slow-scale-out", crate::autoscale::slow_scale_out),
    ("cache-worth-it", crate::lab_scenarios::cache_worth_it),
    ("how-many-servers", crate::lab_scenarios::how_many_servers),
    ("http-vs-https", crate::connections::http_vs_https),
    ("rest-vs-graphql", crate::screens::rest_vs_graphql),
    ("webhooks-vs-polling", crate::webhooks::webhooks_vs_polling),
    (
        "saga-compensation",
        crate::event_sourcing::saga_compensation,
    ),
    ("cqrs-read-model", crate::event_sourcing::cqrs_read_model),
    ("sticky-sessions", crate::connections::sticky_sessions),
    (
        "polling-vs-websockets",
        crate::realtime::polling_vs_websockets,
    ),
    ("upload-big-files", crate::object_store::upload_big_files),
    ("stale-registry", crate::arch_scenarios::stale_registry),
    (
        "monolith-vs-microservices",
        crate::arch_scenarios::monolith_vs_microservices,
    ),
];

#[test]
fn every_scenario_has_its_claims_checked() {
    let mut names: Vec<&str> = ALL_CLAIMS.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    let mut all: Vec<&str> = all().iter().map(|s| s.name).collect();
    all.sort_unstable();
    assert_eq!(names, all);
}

/// Every claim on seeds beyond the ones the checks above use: one more seed in CI; the whole sweep with
/// `SCENARIO_SWEEP_SEEDS=50 cargo test -p playground-tests scenario_seed_sweep -- --nocapture`, which prints
/// each scenario's failing seeds (a correct engine should fail well under 1 % of the runs).
#[test]
fn scenario_seed_sweep() {
    let seeds: u64 = std::env::var("SCENARIO_SWEEP_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut failures = 0;
    let mut runs = 0;
    for (name, claims) in ALL_CLAIMS {
        let mut failed_seeds = 0;
        for seed in 4..4 + seeds {
            let r = run_seeded(name, seed);
            let mut c = Claims::default();
            claims(&r, &mut c);
            if name == &"multi-region" {
                multi_region_without_geo(seed, &mut c);
            }
            runs += 1;
            failed_seeds += usize::from(!c.failed.is_empty());
            for f in c.failed {
                println!("{name} seed {seed}: {f}");
            }
        }
        println!("{name}: {failed_seeds} of {seeds} seeds fail");
        failures += failed_seeds;
    }
    println!("{failures} failing runs of {runs}");
    // One failing run in a hundred is what 4-SE bands over a few dozen claims allow; more is a false claim.
    assert!(
        failures * 100 <= runs,
        "{failures} of {runs} runs fail a scenario's claims"
    );
}
