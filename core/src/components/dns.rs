//! DNS: name servers (root, TLD, authoritative; the authoritative one holds the records) and the recursive
//! resolver with its TTL cache. A resolver that misses walks root → TLD → authoritative, one request over its
//! link to each (so each step costs a round trip and the server's service time); a CNAME costs one more
//! authoritative lookup per link of the chain, an MX one more for the mail host's address. The answer is
//! cached for the record's TTL (the shortest along a chain).
//!
//! ```text
//!   client ──lookup──> resolver ──miss──> root ──> TLD ──> authoritative (──> authoritative per CNAME/MX)
//!     │ caches the answer for its remaining TTL (the browser/OS cache), then sends its requests
//! ```
//!
//! The records' content is static configuration, so the resolver reads it from the authoritative servers'
//! parameters when the diagram is built; the lookups it makes are real requests, which is what costs time.
//! GeoDNS: a record marked `geo` makes the client use the entry point nearest its region.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::components::cache::store::{Eviction, Lookup, Store};
use crate::components::cache::{CacheCounters, CacheDetail, CacheReport};
use crate::components::interface::{Build, Component, Finding, Incoming, Port, mismatch};
use crate::components::{Action, Ctx, NodeDetail, Params, check_dist, check_range};
use crate::dist::Dist;
use crate::request::Outcome;
use crate::time::SimTime;
use crate::vocab::{Choices, Term, Vocab, choices};

/// What a name server does in the resolution path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsRole {
    /// a root server: refers the resolver to the TLD's servers
    Root,
    /// a top-level-domain server (`.com`): refers the resolver to the domain's servers
    Tld,
    /// the domain's own server, holding its records
    #[default]
    Authoritative,
}

/// A DNS record type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordType {
    /// an IPv4 address
    A,
    /// an IPv6 address
    Aaaa,
    /// an alias for another name (one more lookup)
    Cname,
    /// a mail exchanger (one more lookup, for its address)
    Mx,
}

/// One record of an authoritative server.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// the name, e.g. `www.example.com`
    pub name: String,
    /// the type
    pub rtype: RecordType,
    /// the address, or the target name of a CNAME or MX
    pub value: String,
    /// how long resolvers and clients may cache it [s], default 300
    pub ttl_s: f64,
    /// GeoDNS: the answer sends each client to the entry point nearest its region, default false
    pub geo: bool,
}

/// Parses records written as in a zone file, one per line or separated by `;`:
/// `NAME TYPE VALUE [TTL_S] [geo]`, e.g. `www.example.com CNAME lb.example.net 60; lb.example.net A
/// 192.0.2.1 300 geo`. TTL defaults to 300 s.
pub fn parse_records(text: &str) -> Result<Vec<Record>, String> {
    let mut out = Vec::new();
    for (i, line) in text.split([';', '\n']).enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        let n = i + 1;
        if words.len() < 3 || words.len() > 5 {
            return Err(format!(
                "record {n} (`{}`) must read `name type value [ttl_s] [geo]`",
                line.trim()
            ));
        }
        let rtype = match words[1].to_ascii_uppercase().as_str() {
            "A" => RecordType::A,
            "AAAA" => RecordType::Aaaa,
            "CNAME" => RecordType::Cname,
            "MX" => RecordType::Mx,
            other => {
                return Err(format!(
                    "record {n}: unknown type `{other}` (A, AAAA, CNAME or MX)"
                ));
            }
        };
        let mut ttl_s = 300.0;
        let mut geo = false;
        for w in &words[3..] {
            if w.eq_ignore_ascii_case("geo") {
                geo = true;
            } else {
                ttl_s = w
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t > 0.0)
                    .ok_or_else(|| format!("record {n}: ttl `{w}` is not a positive number"))?;
                if let Some(m) =
                    crate::limits::out_of_range("ttl", ttl_s, &crate::limits::RECORD_TTL_S)
                {
                    return Err(format!("record {n}: {m}"));
                }
            }
        }
        out.push(Record {
            name: words[0].to_ascii_lowercase(),
            rtype,
            value: words[2].to_ascii_lowercase(),
            ttl_s,
            geo,
        });
    }
    Ok(out)
}

/// Name-server parameters (`dns_server`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsServerParams {
    /// its place in the resolution path, default `authoritative`
    pub role: DnsRole,
    /// time to answer one query [distribution], default constant 1 ms
    pub service_time: Dist,
    /// the records it serves (authoritative servers), zone-file style (see [`parse_records`]), default
    /// `www.example.com A 192.0.2.10 300`
    pub records: String,
}

impl Default for DnsServerParams {
    fn default() -> Self {
        DnsServerParams {
            role: DnsRole::Authoritative,
            service_time: Dist::Constant { ms: 1.0 },
            records: "www.example.com A 192.0.2.10 300".into(),
        }
    }
}

impl DnsServerParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check_dist(&mut out, "service_time", &self.service_time);
        if let Err(m) = parse_records(&self.records) {
            out.push(("records".into(), m));
        }
        out
    }
}

/// Resolver parameters (`dns_resolver`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsResolverParams {
    /// names cached at most (LRU beyond); `null` = unlimited, default 10 000
    pub capacity: Option<u32>,
    /// time to look a name up in its cache [distribution], default constant 0.1 ms
    pub lookup_time: Dist,
}

impl Default for DnsResolverParams {
    fn default() -> Self {
        DnsResolverParams {
            capacity: Some(10_000),
            lookup_time: Dist::Constant { ms: 0.1 },
        }
    }
}

impl DnsResolverParams {
    /// Range problems as `(field, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check_dist(&mut out, "lookup_time", &self.lookup_time);
        if let Some(c) = self.capacity {
            check_range(&mut out, "capacity", f64::from(c));
        }
        out
    }
}

/// The key a hostname travels under in requests: FNV-1a of its lowercase bytes.
pub fn name_key(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What resolving a name takes and gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Answer {
    /// how long it may be cached (the shortest TTL along the chain)
    pub ttl: SimTime,
    /// authoritative lookups beyond the first (CNAME links, MX address)
    pub extra: u32,
    /// GeoDNS
    pub geo: bool,
}

/// Resolves every name of `records` to its answer; names whose chain does not end in an address (or loops)
/// are left out, so they answer NXDOMAIN.
pub(crate) fn compile_zone(records: &[Record]) -> BTreeMap<u64, Answer> {
    let mut by_name: BTreeMap<String, &Record> = BTreeMap::new();
    for r in records {
        by_name.entry(r.name.to_ascii_lowercase()).or_insert(r);
    }
    let mut zone = BTreeMap::new();
    for (name, first) in &by_name {
        let mut r = *first;
        let mut ttl = SimTime::from_secs(r.ttl_s);
        let mut extra = 0;
        let geo = r.geo;
        let resolved = loop {
            match r.rtype {
                RecordType::A | RecordType::Aaaa => break true,
                RecordType::Cname | RecordType::Mx if extra < 8 => {
                    extra += 1;
                    match by_name.get(&r.value.to_ascii_lowercase()) {
                        Some(next) => {
                            r = next;
                            ttl = ttl.min(SimTime::from_secs(r.ttl_s));
                        }
                        None => break false,
                    }
                }
                _ => break false,
            }
        };
        if resolved {
            zone.insert(name_key(name), Answer { ttl, extra, geo });
        }
    }
    zone
}

/// Packs an answer for the response: remaining TTL [ns] and the GeoDNS flag.
pub(crate) fn pack(ttl_left: SimTime, geo: bool) -> u64 {
    (ttl_left.0 << 1) | u64::from(geo)
}

/// Unpacks [`pack`].
pub(crate) fn unpack(v: u64) -> (SimTime, bool) {
    (SimTime(v >> 1), v & 1 == 1)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Free,
    /// looking in the cache; then answer (hit) or walk (miss)
    Lookup {
        hit: Option<u64>,
    },
    /// waiting for the `n`-th step of the walk
    Walk(u32),
}

#[derive(Clone, Copy, Debug)]
struct Op {
    req: u32,
    key: u64,
    token: u32,
    stage: Stage,
    epoch: u32,
}

/// The recursive resolver's state machine.
pub(crate) struct Resolver {
    store: Store,
    lookup_time: Dist,
    zone: BTreeMap<u64, Answer>,
    /// ports of the walk's steps, in order: root, TLD, authoritative (those it has edges to)
    steps: Vec<u32>,
    auth: Option<u32>,
    ops: Vec<Op>,
    free: Vec<u32>,
    epoch: u32,
    alive: bool,
    window: (SimTime, SimTime),
    /// hits, misses, evictions, expirations inside the window
    pub counters: CacheCounters,
}

impl Resolver {
    /// `ports`: the role of each outgoing edge's target (`None`: not a name server); `zone`: the records of
    /// the authoritative servers it reaches.
    pub fn new(
        p: &DnsResolverParams,
        ports: &[Option<DnsRole>],
        zone: BTreeMap<u64, Answer>,
        window: (SimTime, SimTime),
    ) -> Resolver {
        let find = |role| {
            ports
                .iter()
                .position(|r| *r == Some(role))
                .map(|i| i as u32)
        };
        let auth = find(DnsRole::Authoritative);
        let steps = [find(DnsRole::Root), find(DnsRole::Tld), auth]
            .into_iter()
            .flatten()
            .collect();
        Resolver {
            store: Store::new(p.capacity, Eviction::Lru),
            lookup_time: p.lookup_time.clone(),
            zone,
            steps,
            auth,
            ops: Vec::new(),
            free: Vec::new(),
            epoch: 0,
            alive: true,
            window,
            counters: CacheCounters::default(),
        }
    }

    /// Names cached.
    pub fn entries(&self) -> u32 {
        self.store.len()
    }

    fn counting(&self, now: SimTime) -> bool {
        now >= self.window.0 && now < self.window.1
    }

    fn release(&mut self, slot: u32) {
        let o = &mut self.ops[slot as usize];
        o.stage = Stage::Free;
        o.token = o.token.wrapping_add(1);
        self.free.push(slot);
    }

    /// A lookup of the name `key` arrives.
    pub fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, key: u64) {
        let counting = self.counting(ctx.now);
        let hit = match self.store.get(key, ctx.now) {
            Lookup::Hit { version, .. } => {
                self.counters.hits += u64::from(counting);
                Some(version)
            }
            found => {
                self.counters.misses += u64::from(counting);
                self.counters.expirations += u64::from(counting && found == Lookup::Expired);
                None
            }
        };
        let slot = self.free.pop().unwrap_or_else(|| {
            self.ops.push(Op {
                req: 0,
                key: 0,
                token: 0,
                stage: Stage::Free,
                epoch: 0,
            });
            self.ops.len() as u32 - 1
        });
        let o = &mut self.ops[slot as usize];
        o.req = req;
        o.key = key;
        o.stage = Stage::Lookup { hit };
        o.epoch = self.epoch;
        let d = self.lookup_time.sample(ctx.rng, 1.0);
        ctx.out.push(Action::ServiceDone {
            at: ctx.now.add(d),
            slot,
            token: o.token,
        });
    }

    /// The cache lookup's time is over.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        let o = self.ops[slot as usize];
        if o.token != token {
            return;
        }
        match o.stage {
            Stage::Lookup { hit: Some(geo) } => {
                // The entry may have expired during the lookup time: answer with what is left (at least 0).
                let left = self
                    .store
                    .peek(o.key, ctx.now)
                    .map_or(SimTime::ZERO, |(_, e)| e.since(ctx.now));
                ctx.out.push(Action::Answer {
                    req: o.req,
                    value: pack(left, geo == 1),
                });
                self.release(slot);
            }
            Stage::Lookup { hit: None } => self.walk(ctx, slot, 0),
            other => unreachable!("no timer runs in stage {other:?}"),
        }
    }

    /// Sends step `n` of the walk (root, TLD, authoritative, then one authoritative lookup per extra link),
    /// or answers when the walk is complete.
    fn walk(&mut self, ctx: &mut Ctx<'_>, slot: u32, n: u32) {
        let o = self.ops[slot as usize];
        let Some(auth) = self.auth else {
            ctx.out.push(Action::Fail {
                req: o.req,
                outcome: Outcome::Error,
            });
            self.release(slot);
            return;
        };
        let answer = self.zone.get(&o.key).copied();
        let total = self.steps.len() as u32 + answer.map_or(0, |a| a.extra);
        if n < total {
            let port = self.steps.get(n as usize).copied().unwrap_or(auth);
            self.ops[slot as usize].stage = Stage::Walk(n);
            ctx.out.push(Action::Forward {
                req: o.req,
                port,
                slot,
            });
            return;
        }
        match answer {
            Some(a) => {
                let d = self.store.insert(
                    o.key,
                    u64::from(a.geo),
                    ctx.now.add(a.ttl),
                    ctx.now,
                    ctx.rng,
                );
                if self.counting(ctx.now) {
                    self.counters.evictions += u64::from(d.evicted);
                    self.counters.expirations += u64::from(d.expired);
                }
                ctx.out.push(Action::Answer {
                    req: o.req,
                    value: pack(a.ttl, a.geo),
                });
            }
            // NXDOMAIN
            None => ctx.out.push(Action::Fail {
                req: o.req,
                outcome: Outcome::Error,
            }),
        }
        self.release(slot);
    }

    /// A name server answers step `n` of a walk.
    pub fn on_response(&mut self, ctx: &mut Ctx<'_>, req: u32, slot: u32, outcome: Outcome) {
        let o = self.ops[slot as usize];
        let Stage::Walk(n) = o.stage else {
            unreachable!("a response returns to a walk")
        };
        if outcome != Outcome::Ok || o.epoch != self.epoch || !self.alive {
            ctx.out.push(Action::Fail {
                req,
                outcome: Outcome::Error,
            });
            self.release(slot);
        } else {
            self.walk(ctx, slot, n + 1);
        }
    }

    /// A walk's step was lost and its client gave up.
    pub fn abandon(&mut self, slot: u32) {
        if matches!(self.ops[slot as usize].stage, Stage::Walk(_)) {
            self.release(slot);
        }
    }

    /// The resolver dies: its cache is gone; lookups it holds fail (walks when their step returns).
    pub fn kill(&mut self, ctx: &mut Ctx<'_>) {
        self.alive = false;
        self.epoch = self.epoch.wrapping_add(1);
        self.store.clear();
        for slot in 0..self.ops.len() as u32 {
            let o = self.ops[slot as usize];
            if matches!(o.stage, Stage::Lookup { .. }) {
                ctx.out.push(Action::Fail {
                    req: o.req,
                    outcome: Outcome::Error,
                });
                self.release(slot);
            }
        }
    }

    /// Back, with an empty cache.
    pub fn revive(&mut self) {
        self.alive = true;
    }
}

impl Component for Resolver {
    fn build(b: &Build<'_>) -> Result<Resolver, String> {
        let Params::DnsResolver(p) = b.params else {
            return Err(mismatch("dns resolver", b.params));
        };
        let role = |t: &Port<'_>| match t.params {
            Params::DnsServer(d) => Some(d.role),
            _ => None,
        };
        let roles: Vec<Option<DnsRole>> = b.ports.iter().map(role).collect();
        let records: Vec<Record> = b
            .ports
            .iter()
            .filter(|t| role(t) == Some(DnsRole::Authoritative))
            .filter_map(|t| match t.params {
                // Checked by validation, so an error here cannot happen; it would mean no records.
                Params::DnsServer(d) => parse_records(&d.records).ok(),
                _ => None,
            })
            .flatten()
            .collect();
        Ok(Resolver::new(p, &roles, compile_zone(&records), b.window))
    }

    fn check(b: &Build<'_>) -> Vec<Finding> {
        let authoritative = b
            .ports
            .iter()
            .any(|t| matches!(t.params, Params::DnsServer(d) if d.role == DnsRole::Authoritative));
        if authoritative {
            Vec::new()
        } else {
            vec![Finding {
                warning: true,
                field: None,
                text: " has no authoritative nameserver: its lookups fail".into(),
            }]
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool {
        Resolver::on_request(self, ctx, req, inc.key);
        false
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        slot: u32,
        outcome: Outcome,
        _version: u64,
    ) {
        Resolver::on_response(self, ctx, req, slot, outcome);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, slot: u32, token: u32) {
        Resolver::on_timer(self, ctx, slot, token);
    }

    fn abandon(&mut self, _ctx: &mut Ctx<'_>, _req: u32, slot: u32) {
        Resolver::abandon(self, slot);
    }

    fn kill(&mut self, ctx: &mut Ctx<'_>) {
        Resolver::kill(self, ctx);
    }

    fn revive(&mut self, _ctx: &mut Ctx<'_>) {
        Resolver::revive(self);
    }

    fn detail(&self, _now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        Some(NodeDetail::Cache(CacheDetail {
            cache: CacheReport::new(&self.counters, self.entries()),
        }))
    }
}

impl Choices for DnsRole {
    const ALL: &'static [DnsRole] = &[DnsRole::Root, DnsRole::Tld, DnsRole::Authoritative];
    fn label(self) -> Option<&'static str> {
        matches!(self, DnsRole::Tld).then_some("TLD")
    }
}

impl DnsResolverParams {
    /// How the inspector names a resolver's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("capacity", "Names cached")
                .integer()
                .empty("unlimited"),
            Term::new("lookup_time", "Lookup time").family(&Dist::FAMILY),
        ],
    };
}

impl DnsServerParams {
    /// How the inspector names a name server's parameters.
    pub const VOCAB: Vocab = Vocab {
        terms: &[
            Term::new("role", "Role").choices(choices::<DnsRole>),
            Term::new("records", "Records").text("www.example.com A 192.0.2.10 300", true),
            Term::new("service_time", "Answer time").family(&Dist::FAMILY),
        ],
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, rtype: RecordType, value: &str, ttl_s: f64) -> Record {
        Record {
            name: name.into(),
            rtype,
            value: value.into(),
            ttl_s,
            geo: false,
        }
    }

    #[test]
    fn cname_chains_and_mx_cost_extra_lookups_and_take_the_shortest_ttl() {
        let zone = compile_zone(&[
            rec(
                "www.example.com",
                RecordType::Cname,
                "web.example.com",
                300.0,
            ),
            rec(
                "web.example.com",
                RecordType::Cname,
                "lb.example.net",
                600.0,
            ),
            rec("lb.example.net", RecordType::A, "192.0.2.1", 60.0),
            rec("example.com", RecordType::Mx, "mail.example.com", 3600.0),
            rec("mail.example.com", RecordType::Aaaa, "2001:db8::1", 3600.0),
            rec(
                "loop.example.com",
                RecordType::Cname,
                "loop.example.com",
                60.0,
            ),
            rec(
                "dangling.example.com",
                RecordType::Cname,
                "nowhere.example",
                60.0,
            ),
        ]);
        let www = zone[&name_key("WWW.example.com")];
        assert_eq!((www.extra, www.ttl), (2, SimTime::from_secs(60.0)));
        assert_eq!(zone[&name_key("example.com")].extra, 1);
        assert_eq!(zone[&name_key("lb.example.net")].extra, 0);
        assert!(!zone.contains_key(&name_key("loop.example.com")));
        assert!(!zone.contains_key(&name_key("dangling.example.com")));
    }

    #[test]
    fn records_parse_like_a_zone_file_and_errors_say_which() {
        let r = parse_records(
            "www.example.com CNAME lb.example.net 60;\n lb.example.net a 192.0.2.1 geo",
        )
        .expect("valid records");
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].rtype, r[0].ttl_s), (RecordType::Cname, 60.0));
        assert_eq!(
            (r[1].rtype, r[1].ttl_s, r[1].geo),
            (RecordType::A, 300.0, true)
        );
        assert!(
            parse_records("x TXT y")
                .expect_err("bad type")
                .contains("record 1")
        );
        assert!(
            parse_records("a A b; c A d -1")
                .expect_err("bad ttl")
                .contains("record 2")
        );
        assert!(parse_records("lonely").is_err());
    }

    #[test]
    fn packing_round_trips() {
        assert_eq!(
            unpack(pack(SimTime(123_456), true)),
            (SimTime(123_456), true)
        );
        assert_eq!(unpack(pack(SimTime(7), false)), (SimTime(7), false));
    }
}
