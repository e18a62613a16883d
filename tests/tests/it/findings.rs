//! The "why" findings against scripted runs, stepped the way the page steps them (a report every half second
//! into the recent window's history): a ×5 traffic spike, a server killed by hand and by the diagram's plan, a
//! cache crash. Each checks what is said (the faults named with who applied them, the losses), that the
//! figures quoted are the recent window's (the numbers the cards show), and that no two findings contradict.

use playground_core::explain::{
    By, Faults, Finding, History, Level, Recent, SATURATED, WINDOW_S, explain_run,
};
use playground_core::report::Report;
use playground_core::{FaultAction, Sim, SimTime, Topology, fixtures};

/// A run driven like the page drives it: half-second steps, a report into the history at each, faults
/// applied by hand at the clock.
struct Driver {
    topology: Topology,
    sim: Sim,
    history: History,
    hand: Vec<(SimTime, FaultAction)>,
    scenario: bool,
}

impl Driver {
    fn new(topology: Topology) -> Driver {
        let sim = Sim::new(&topology).expect("the diagram builds");
        Driver {
            topology,
            sim,
            history: History::new(),
            hand: Vec::new(),
            scenario: false,
        }
    }

    /// Runs to `t` seconds in half-second steps, recording a report at each.
    fn to(&mut self, t: f64) {
        let mut at = self.sim.now().as_secs();
        while at < t - 1e-9 {
            at = (at + 0.5).min(t);
            self.sim.run_until(SimTime::from_secs(at), u64::MAX);
            self.history.record(&self.sim.report());
        }
    }

    /// Applies a fault now, as the page's buttons do.
    fn apply(&mut self, action: FaultAction) {
        self.sim.inject(&action).expect("the fault applies");
        self.hand.push((self.sim.now(), action));
    }

    /// The report, the recent window and the findings now.
    fn now(&self) -> (Report, Recent, Vec<Finding>) {
        let report = self.sim.report();
        let recent = Recent::of(&report, Some(&self.history));
        let faults = Faults::new(&self.topology, &self.hand, report.end_s, self.scenario);
        let findings = explain_run(&self.topology, &report, &recent, &faults);
        (report, recent, findings)
    }
}

/// `0.973` → `"97 %"`, as the findings write a utilisation.
fn percent(f: f64) -> String {
    let p = f * 100.0;
    let shown = if p < 100.0 && p.round() >= 100.0 {
        99.0
    } else {
        p.round()
    };
    format!("{shown} %")
}

/// No two findings contradict: "No bottleneck" (or "No node stays saturated") never beside a saturated
/// node, a node down or a warning; every node the window calls saturated is named as the bottleneck or as
/// waiting on one, with the window's utilisation.
fn one_story(recent: &Recent, findings: &[Finding]) {
    let calm = findings
        .iter()
        .any(|f| f.text.starts_with("No bottleneck") || f.text.starts_with("No node stays"));
    if calm {
        assert!(recent.saturated().is_empty(), "{findings:#?}");
        assert!(
            findings.iter().all(|f| f.level == Level::Info),
            "{findings:#?}"
        );
    }
    for id in recent.saturated() {
        let t = &recent.nodes[id];
        let named = findings
            .iter()
            .find(|f| f.node.as_deref() == Some(id) && f.text.contains("utilisation"))
            .unwrap_or_else(|| panic!("{id} is saturated but not named: {findings:#?}"));
        assert!(
            named
                .text
                .contains(&format!("at {} utilisation", percent(t.utilization))),
            "{id}: the card's {:.3} vs {}",
            t.utilization,
            named.text
        );
    }
}

fn texts(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| f.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The three-tier example without its planned outage: 200 req/s over three servers of 4 workers at a
/// log-normal 15 ms median (mean 15·e^(0.5²/2) = 17.0 ms), so each serves up to 4 / 17.0 ms = 235 req/s.
fn three_tier() -> Topology {
    let mut t = fixtures::three_tier();
    t.faults.clear();
    t.settings.duration_s = 40.0;
    t.settings.warmup_s = 0.0;
    t.settings.trace_capacity = 0;
    t
}

#[test]
fn a_spike_saturates_the_servers_and_the_panel_says_so_with_the_cards_numbers() {
    let mut d = Driver::new(three_tier());
    d.to(10.0);
    let (_, recent, findings) = d.now();
    // 200 req/s on 705 req/s of capacity: about 28 % busy, nothing saturated, nothing lost.
    assert!(recent.saturated().is_empty(), "{findings:#?}");
    assert!(
        findings[0].text.starts_with("No bottleneck"),
        "{}",
        texts(&findings)
    );
    one_story(&recent, &findings);

    d.apply(FaultAction::Spike {
        factor: 5.0,
        duration_s: 10.0,
    });
    d.to(17.0);
    let (report, recent, findings) = d.now();
    // 1,000 req/s on 705 req/s: every server busy all the time, queues full, requests turned away.
    for id in ["app1", "app2", "app3"] {
        let t = &recent.nodes[id];
        assert!(
            t.saturated && t.utilization >= SATURATED,
            "{id} at {}",
            t.utilization
        );
        assert!(t.dropped > 0, "{id} turned nothing away in the window");
    }
    assert!(report.requests.rejected() > 0);
    one_story(&recent, &findings);
    let all = texts(&findings);
    assert!(
        all.contains("you applied ×5 traffic at 00:10") && all.contains("in force until 00:20"),
        "{all}"
    );
    assert!(all.contains("during the ×5 spike"), "{all}");
    assert!(all.contains("turned away"), "{all}");
    assert!(!all.contains("No bottleneck"), "{all}");
    assert_eq!(findings[0].level, Level::Critical, "{all}");

    // Fifteen seconds after the spike the window is calm again: the losses are told as past, not as now.
    d.to(35.0);
    let (_, recent, findings) = d.now();
    one_story(&recent, &findings);
    assert!(recent.saturated().is_empty(), "{}", texts(&findings));
    assert!(
        findings.iter().all(|f| f.level == Level::Info),
        "{}",
        texts(&findings)
    );
    let all = texts(&findings);
    assert!(all.contains("over the run"), "{all}");
    assert!(!all.contains("spike is in force"), "{all}");
}

#[test]
fn a_server_killed_by_hand_is_down_because_you_killed_it_not_because_its_queue_was_full() {
    let mut d = Driver::new(three_tier());
    d.to(10.0);
    d.apply(FaultAction::Kill {
        node: "app2".into(),
    });
    d.to(14.0);
    let (report, recent, findings) = d.now();
    one_story(&recent, &findings);
    let all = texts(&findings);
    let down = findings
        .iter()
        .find(|f| f.node.as_deref() == Some("app2") && f.text.contains("is down"))
        .unwrap_or_else(|| panic!("{all}"));
    assert_eq!(down.level, Level::Warning);
    assert!(
        down.text
            .contains("you killed it at 00:10 (a fault applied by hand)"),
        "{}",
        down.text
    );
    assert!(!all.contains("queue was full"), "{all}");
    assert!(!all.contains("No bottleneck"), "{all}");
    // What app2 lost while down is said so, with the window's counts.
    assert!(report.nodes["app2"].dropped > 0);
    if let Some(lost) = findings
        .iter()
        .find(|f| f.node.as_deref() == Some("app2") && f.text.contains("turned away"))
    {
        let t = &recent.nodes["app2"];
        assert!(
            lost.text
                .contains(&format!("({} of {})", t.dropped, t.arrivals)),
            "{}",
            lost.text
        );
        assert!(lost.text.contains("it was down (you killed it at 00:10)"));
    }

    // Revived at 20 s: ten seconds later nothing is down, and the outage is told as past with both times.
    d.apply(FaultAction::Revive {
        node: "app2".into(),
    });
    d.to(30.0);
    let (_, recent, findings) = d.now();
    one_story(&recent, &findings);
    let all = texts(&findings);
    assert!(!all.contains("is down"), "{all}");
    assert!(
        all.contains("it was down (you killed it at 00:10 and revived it at 00:14)"),
        "{all}"
    );
}

#[test]
fn the_diagrams_own_outage_is_the_diagrams_or_the_scenarios() {
    // The shipped three-tier example kills app2 at 30 s and revives it at 45 s.
    let mut t = fixtures::three_tier();
    t.settings.trace_capacity = 0;
    let mut d = Driver::new(t);
    d.to(33.0);
    let (_, recent, findings) = d.now();
    one_story(&recent, &findings);
    let down = findings
        .iter()
        .find(|f| f.text.starts_with("app2 is down"))
        .unwrap_or_else(|| panic!("{}", texts(&findings)));
    assert!(
        down.text
            .contains("the diagram killed it at 00:30 (a fault in the plan)"),
        "{}",
        down.text
    );
    d.scenario = true;
    let (_, _, findings) = d.now();
    assert!(
        texts(&findings).contains("the scenario killed it at 00:30"),
        "{}",
        texts(&findings)
    );
    assert!(!texts(&findings).contains("you killed"));
    // The faults' authors are kept apart.
    let f = Faults::new(&d.topology, &d.hand, 33.0, true);
    assert!(f.applied().iter().all(|a| a.by == By::Plan));
}

#[test]
fn a_cache_crash_loses_the_write_behind_writes_and_its_hit_ratio_collapses() {
    // The gallery's cache patterns: the write-behind cache crashes at 45.5 s and comes back empty at 46 s.
    let s = playground_core::scenarios::by_name("cache-patterns").expect("bundled");
    let mut t = s.topology();
    t.settings.trace_capacity = 0;
    let mut d = Driver::new(t);
    d.scenario = true;
    d.to(45.0);
    let (_, recent, findings) = d.now();
    one_story(&recent, &findings);
    assert!(
        !texts(&findings).contains("lost"),
        "nothing lost before the crash: {}",
        texts(&findings)
    );
    let before = recent.nodes["behind-cache"]
        .hit_ratio()
        .expect("the cache is read");
    d.to(48.0);
    let (report, recent, findings) = d.now();
    one_story(&recent, &findings);
    let all = texts(&findings);
    let c = report.nodes["behind-cache"].cache().expect("a cache");
    assert!(c.lost_writes > 0, "write-behind loses its unflushed writes");
    let lost = findings
        .iter()
        .find(|f| f.text.starts_with("behind-cache lost"))
        .unwrap_or_else(|| panic!("{all}"));
    assert!(
        lost.text.starts_with(&format!(
            "behind-cache lost {} acknowledged writes when it crashed at 00:45 (the scenario killed it at 00:45)",
            c.lost_writes
        )),
        "{}",
        lost.text
    );
    assert_eq!(lost.level, Level::Critical);
    let t = &recent.nodes["behind-cache"];
    let (hits, misses) = t.cache.expect("a cache's window");
    let reads = hits + misses;
    let now = hits as f64 / reads as f64;
    // Before the window: the run's reads less the window's.
    let earlier = (c.hits - hits) as f64 / ((c.hits + c.misses) - reads) as f64;
    // It fell by at least 10 points and 4 standard errors of a window of that many reads.
    let se = (earlier * (1.0 - earlier) / reads as f64).sqrt();
    assert!(
        earlier - now >= 0.10 && earlier - now >= 4.0 * se,
        "{earlier:.3} → {now:.3} (se {se:.3})"
    );
    assert!((before - earlier).abs() < 0.05, "{before} vs {earlier}");
    let fell = findings
        .iter()
        .find(|f| f.text.starts_with("behind-cache's hit ratio fell"))
        .unwrap_or_else(|| panic!("{all}"));
    assert!(
        fell.text.contains(&format!(
            "fell to {} in the last 5 s ({hits} hits of {reads} reads) from {} before",
            percent(now),
            percent(earlier)
        )),
        "{}",
        fell.text
    );
    assert!(
        fell.text.contains("restarted empty after the crash"),
        "{}",
        fell.text
    );
    // The other caches crashed not at all and say nothing of the kind.
    assert!(
        !all.contains("aside-cache lost") && !all.contains("through-cache lost"),
        "{all}"
    );
}

#[test]
fn a_cache_that_does_not_crash_never_has_its_hit_ratio_fall() {
    // The same scenario without its crash: at every moment of the run, no cache's hit ratio is said to fall
    // (its hit ratio only climbs as it warms), and nothing is lost.
    let s = playground_core::scenarios::by_name("cache-patterns").expect("bundled");
    let mut t = s.topology();
    t.faults.clear();
    t.settings.trace_capacity = 0;
    let mut d = Driver::new(t);
    let mut at = 2.0 * WINDOW_S;
    while at <= 60.0 {
        d.to(at);
        let (_, recent, findings) = d.now();
        one_story(&recent, &findings);
        let all = texts(&findings);
        assert!(
            !all.contains("hit ratio fell") && !all.contains(" lost "),
            "at {at} s: {all}"
        );
        at += 2.5;
    }
}
