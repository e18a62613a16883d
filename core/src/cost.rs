//! What a diagram would cost to run for a month: a dated price table (`docs/cost.md` gives its source, date
//! and what is and is not modelled), each node's monthly cost and the diagram's, and the cost per million
//! requests served.
//!
//! A node's cost has a fixed part, read from the diagram alone (instance hours, cache memory, a firewall's
//! monthly fee), and a usage part, read from a run's report (requests a month at the node's arrival rate,
//! gigabytes through a load balancer or across regions). Without a report only the fixed part is known.
//!
//! Sizing is honest about what the engine models: a server's worker is one request in service at a time, so
//! it is priced as one vCPU; `speed` s > 1 (service times divided by s) is priced as s vCPUs per worker
//! (the same capacity bought as more cores: no instance makes a core twice as fast). The vCPUs needed pick
//! the smallest size of the table that has them; past the largest, copies of it. Horizontal scaling (more
//! server cards behind a load balancer) pays each card's size plus the balancer; vertical scaling (more
//! workers, more speed) pays one bigger size. Within a family the price per vCPU is the same, so the two
//! differ by the smallest size (2 vCPUs), the rounding up to a size and the load balancer.

use serde::Serialize;

use crate::components::{Kind, Params, parse_params};
use crate::report::Report;
use crate::topology::{Node, Topology};

/// The day the prices below were taken from the providers' public pages.
pub const PRICES_AS_OF: &str = "2025-01-15";
/// Hours in a billing month (the providers' convention: 365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Seconds in a billing month.
pub const SECONDS_PER_MONTH: f64 = HOURS_PER_MONTH * 3600.0;
/// Bytes in a gigabyte as the providers bill it (10⁹).
pub const BYTES_PER_GB: f64 = 1e9;

/// One instance size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Size {
    /// the provider's name for it
    pub name: &'static str,
    /// virtual CPUs
    pub vcpu: u32,
    /// memory [GiB]
    pub memory_gib: u32,
    /// on-demand price [USD per hour]
    pub usd_per_hour: f64,
}

const fn size(name: &'static str, vcpu: u32, memory_gib: u32, usd_per_hour: f64) -> Size {
    Size {
        name,
        vcpu,
        memory_gib,
        usd_per_hour,
    }
}

/// Servers: general-purpose instances (AWS EC2 m7i, Linux, us-east-1, on demand).
pub const SERVER_SIZES: [Size; 6] = [
    size("m7i.large", 2, 8, 0.1008),
    size("m7i.xlarge", 4, 16, 0.2016),
    size("m7i.2xlarge", 8, 32, 0.4032),
    size("m7i.4xlarge", 16, 64, 0.8064),
    size("m7i.8xlarge", 32, 128, 1.6128),
    size("m7i.16xlarge", 64, 256, 3.2256),
];

/// Databases: managed PostgreSQL instances (AWS RDS db.m6i, single-AZ, us-east-1, on demand), one per
/// primary or replica of each shard.
pub const DATABASE_SIZES: [Size; 5] = [
    size("db.m6i.large", 2, 8, 0.171),
    size("db.m6i.xlarge", 4, 16, 0.342),
    size("db.m6i.2xlarge", 8, 32, 0.684),
    size("db.m6i.4xlarge", 16, 64, 1.368),
    size("db.m6i.8xlarge", 32, 128, 2.736),
];

/// In-memory cache [USD per GB-month]: an ElastiCache cache.r7g.large node ($0.219/h for 13.07 GiB) per GB,
/// 0.219 × 730 / 13.07 rounded to the cent.
pub const CACHE_USD_PER_GB_MONTH: f64 = 12.23;
/// Bytes a cache entry is priced at (key, value and overhead): 1 KiB.
pub const CACHE_ENTRY_BYTES: f64 = 1024.0;
/// The least memory a cache is billed for [GB] (an unbounded cache is billed this much too).
pub const CACHE_MIN_GB: f64 = 1.0;
/// Object storage [USD per GB-month] (S3 Standard, first 50 TB). In the table for reference: no kind stores
/// objects yet.
pub const OBJECT_STORAGE_USD_PER_GB_MONTH: f64 = 0.023;
/// A queue [USD per million API requests] (SQS standard); a message costs three (send, receive, delete).
pub const QUEUE_USD_PER_MILLION: f64 = 0.40;
/// API requests per message through a queue.
pub const QUEUE_CALLS_PER_MESSAGE: f64 = 3.0;
/// A topic [USD per million publishes] (SNS standard; deliveries to queues are free).
pub const TOPIC_USD_PER_MILLION: f64 = 0.50;
/// A stream [USD per partition-hour] (a Kinesis provisioned shard).
pub const STREAM_USD_PER_PARTITION_HOUR: f64 = 0.015;
/// A stream's puts [USD per million] (Kinesis PUT payload units).
pub const STREAM_USD_PER_MILLION: f64 = 0.014;
/// A managed API gateway [USD per million requests] (API Gateway REST API, first 333 million).
pub const GATEWAY_USD_PER_MILLION: f64 = 3.50;
/// A load balancer's hour [USD] (Application Load Balancer).
pub const LB_USD_PER_HOUR: f64 = 0.0225;
/// A load balancer's processed data [USD per GB] (the Classic Load Balancer's rate, standing in for ALB
/// capacity units, which bill mostly by connections and bytes).
pub const LB_USD_PER_GB: f64 = 0.008;
/// A web application firewall's web ACL [USD per month] (AWS WAF).
pub const WAF_USD_PER_MONTH: f64 = 5.0;
/// A web application firewall's requests [USD per million].
pub const WAF_USD_PER_MILLION: f64 = 0.60;
/// A CDN's requests [USD per million] (CloudFront HTTPS, North America: $0.01 per 10 000).
pub const CDN_USD_PER_MILLION: f64 = 1.00;
/// A hosted DNS zone [USD per month] (Route 53), for an authoritative server.
pub const DNS_ZONE_USD_PER_MONTH: f64 = 0.50;
/// DNS queries [USD per million] (Route 53 standard queries).
pub const DNS_USD_PER_MILLION: f64 = 0.40;
/// A key-value store's reads [USD per million] (DynamoDB on demand, read request units).
pub const KV_READ_USD_PER_MILLION: f64 = 0.125;
/// A key-value store's writes [USD per million] (DynamoDB on demand, write request units).
pub const KV_WRITE_USD_PER_MILLION: f64 = 0.625;
/// Data between regions [USD per GB] (EC2 inter-region transfer out, US regions).
pub const EGRESS_REGION_USD_PER_GB: f64 = 0.02;
/// Data to the internet [USD per GB] (EC2 data transfer out, first 10 TB a month).
pub const EGRESS_INTERNET_USD_PER_GB: f64 = 0.09;
/// Object storage (AWS S3 Standard, us-east-1): stored data [USD per GB-month].
pub const OBJECT_USD_PER_GB_MONTH: f64 = 0.023;
/// Object storage: PUT requests, one per part [USD per million] ($0.005 per 1,000).
pub const OBJECT_PUT_USD_PER_MILLION: f64 = 5.0;
/// Object storage: GET requests [USD per million] ($0.0004 per 1,000).
pub const OBJECT_GET_USD_PER_MILLION: f64 = 0.40;

/// A service registry's registered instance [USD per month] (AWS Cloud Map; lookups from cached copies are
/// not priced).
pub const REGISTRY_USD_PER_INSTANCE_MONTH: f64 = 0.10;

/// The smallest size with at least `vcpu` vCPUs, and how many of it; past the largest size, copies of the
/// largest.
pub fn pick_size(sizes: &[Size], vcpu: u32) -> (Size, u32) {
    let largest = sizes[sizes.len() - 1];
    match sizes.iter().find(|s| s.vcpu >= vcpu) {
        Some(&s) => (s, 1),
        None => (largest, vcpu.div_ceil(largest.vcpu)),
    }
}

/// The vCPUs of the smallest size with at least `gib` of memory (past the largest, of enough copies of it);
/// 0 for none. A monolith's instance carries every module's memory (`server/modules.rs`), which may need a
/// bigger size than its workers do.
pub fn memory_vcpus(sizes: &[Size], gib: f64) -> u32 {
    let largest = sizes[sizes.len() - 1];
    if gib <= 0.0 || !gib.is_finite() {
        return 0;
    }
    match sizes.iter().find(|s| f64::from(s.memory_gib) >= gib) {
        Some(s) => s.vcpu,
        None => largest.vcpu * (gib / f64::from(largest.memory_gib)).ceil().min(1e6) as u32,
    }
}

/// vCPUs a pool of `workers` at `speed` is priced at: ⌈workers × max(speed, 1)⌉.
pub fn vcpus(workers: u32, speed: f64) -> u32 {
    let v = (f64::from(workers) * speed.max(1.0)).ceil();
    // Both factors are capped by validation (workers ≤ 100 000, speed ≤ 1000): far inside u32.
    if v >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        v as u32
    }
}

/// One node's monthly cost [USD].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeCost {
    /// the node's id
    pub node: String,
    /// what is billed, in words: `m7i.xlarge (4 vCPU, 16 GiB) × 1`, `2.3 M requests × $3.50/M`
    pub what: String,
    /// the part the diagram decides (instances, memory, monthly fees)
    pub fixed: f64,
    /// the part the traffic decides, at the report's rates (0 without a report)
    pub usage: f64,
}

impl NodeCost {
    /// Fixed plus usage.
    pub fn total(&self) -> f64 {
        self.fixed + self.usage
    }
}

/// The diagram's monthly cost [USD].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiagramCost {
    /// per node that costs anything, in diagram order
    pub nodes: Vec<NodeCost>,
    /// data to the internet: every successful response at its client's `size_bytes`
    pub egress_internet: f64,
    /// data between regions: calls over edges whose ends are in different regions, both ways
    pub egress_regions: f64,
    /// everything
    pub total: f64,
    /// `total` over the requests served a month at the report's throughput, per million; `None` without a
    /// report or with nothing served
    pub per_million_requests: Option<f64>,
}

/// Requests a month at a node's arrival rate in `report`'s measured window.
fn per_month(arrivals: u64, report: &Report) -> f64 {
    let window = report.duration_s - report.warmup_s;
    if window > 0.0 {
        arrivals as f64 / window * SECONDS_PER_MONTH
    } else {
        0.0
    }
}

/// The clients' mean request size [bytes], weighted by rate (1 KB with no client).
fn mean_size_bytes(doc: &Topology) -> f64 {
    let (mut w, mut s) = (0.0, 0.0);
    for n in &doc.nodes {
        if let Some(Ok(Params::Client(c))) =
            Kind::from_name(&n.kind).map(|k| parse_params(k, &n.params))
        {
            w += c.rate;
            s += c.rate * f64::from(c.size_bytes);
        }
    }
    if w > 0.0 { s / w } else { 1000.0 }
}

/// The clients' read share, weighted by rate (1 with no client).
fn read_share(doc: &Topology) -> f64 {
    let (mut w, mut s) = (0.0, 0.0);
    for n in &doc.nodes {
        if let Some(Ok(Params::Client(c))) =
            Kind::from_name(&n.kind).map(|k| parse_params(k, &n.params))
        {
            w += c.rate;
            s += c.rate * c.read_fraction;
        }
    }
    if w > 0.0 { s / w } else { 1.0 }
}

fn instances(sizes: &[Size], vcpu: u32, copies: u32) -> (String, f64) {
    let (s, n) = pick_size(sizes, vcpu);
    let count = n * copies;
    (
        format!(
            "{} ({} vCPU, {} GiB) × {count}",
            s.name, s.vcpu, s.memory_gib
        ),
        s.usd_per_hour * HOURS_PER_MONTH * f64::from(count),
    )
}

/// A server's instances: `instances` copies of the size its workers need; autoscaled, that size per
/// instance-hour times the mean instances the report's fleet ran (booting and draining ones billed), or the
/// fleet it starts with when there is no report.
fn fleet_cost(
    p: &crate::components::server::ServerParams,
    fleet: Option<&crate::components::server::fleet::FleetReport>,
) -> (String, f64, f64) {
    let memory = crate::components::server::modules::memory_gib(&p.modules);
    let vcpu = vcpus(p.workers, p.speed).max(memory_vcpus(&SERVER_SIZES, memory));
    let Some(a) = &p.autoscale else {
        let (w, f) = instances(&SERVER_SIZES, vcpu, p.instances.max(1));
        return (w, f, 0.0);
    };
    let (s, n) = pick_size(&SERVER_SIZES, vcpu);
    let mean = fleet.map_or_else(
        || f64::from(p.instances.clamp(a.min.max(1), a.most())),
        |f| f.mean_instances,
    );
    (
        format!(
            "{} ({} vCPU, {} GiB) × {:.2} mean instances (autoscaled {}–{})",
            s.name,
            s.vcpu,
            s.memory_gib,
            mean * f64::from(n),
            a.min,
            a.most()
        ),
        s.usd_per_hour * HOURS_PER_MONTH * f64::from(n) * mean,
        0.0,
    )
}

/// A per-million usage line: `(what, usd)`.
fn per_million(requests: f64, usd: f64) -> (String, f64) {
    (
        format!("{:.2} M requests × ${usd:.3}/M", requests / 1e6),
        requests / 1e6 * usd,
    )
}

/// A node's monthly cost: the fixed part from its parameters, the usage part from `report` when given.
/// `None` for a node that costs nothing here (a client, a resolver, a rate limiter) or whose parameters do
/// not parse.
pub fn node_cost(doc: &Topology, node: &Node, report: Option<&Report>) -> Option<NodeCost> {
    let kind = Kind::from_name(&node.kind)?;
    let params = parse_params(kind, &node.params).ok()?;
    let monthly = report
        .and_then(|r| r.nodes.get(&node.id).map(|n| per_month(n.arrivals, r)))
        .unwrap_or(0.0);
    let (what, fixed, usage): (String, f64, f64) = match params {
        Params::Server(p) => {
            let fleet = report.and_then(|r| r.nodes.get(&node.id)?.detail.as_ref()?.fleet());
            fleet_cost(&p, fleet)
        }
        Params::Database(p) => {
            let copies = p.shards.max(1) * (1 + p.replicas);
            let (w, f) = instances(&DATABASE_SIZES, vcpus(p.workers, p.speed), copies);
            (w, f, 0.0)
        }
        Params::Cache(p) => {
            let gb = p.capacity.map_or(CACHE_MIN_GB, |c| {
                (f64::from(c) * CACHE_ENTRY_BYTES / BYTES_PER_GB).max(CACHE_MIN_GB)
            });
            (
                format!("{gb:.3} GB of cache × ${CACHE_USD_PER_GB_MONTH}/GB-month"),
                gb * CACHE_USD_PER_GB_MONTH,
                0.0,
            )
        }
        Params::CdnEdge(_) => {
            let (w, u) = per_million(monthly, CDN_USD_PER_MILLION);
            (w, 0.0, u)
        }
        Params::Queue(_) => {
            let (w, u) = per_million(monthly * QUEUE_CALLS_PER_MESSAGE, QUEUE_USD_PER_MILLION);
            (w, 0.0, u)
        }
        Params::Topic(_) => {
            let (w, u) = per_million(monthly, TOPIC_USD_PER_MILLION);
            (w, 0.0, u)
        }
        Params::Stream(p) => {
            let fixed = f64::from(p.partitions) * STREAM_USD_PER_PARTITION_HOUR * HOURS_PER_MONTH;
            let (w, u) = per_million(monthly, STREAM_USD_PER_MILLION);
            (format!("{} partitions, {w}", p.partitions), fixed, u)
        }
        Params::ApiGateway(_) => {
            let (w, u) = per_million(monthly, GATEWAY_USD_PER_MILLION);
            (w, 0.0, u)
        }
        Params::Waf(_) => {
            let (w, u) = per_million(monthly, WAF_USD_PER_MILLION);
            (format!("web ACL, {w}"), WAF_USD_PER_MONTH, u)
        }
        Params::LoadBalancer(_) => {
            let gb = monthly * 2.0 * mean_size_bytes(doc) / BYTES_PER_GB;
            (
                format!("{gb:.1} GB processed"),
                LB_USD_PER_HOUR * HOURS_PER_MONTH,
                gb * LB_USD_PER_GB,
            )
        }
        Params::DnsServer(_) => {
            let (w, u) = per_million(monthly, DNS_USD_PER_MILLION);
            (format!("hosted zone, {w}"), DNS_ZONE_USD_PER_MONTH, u)
        }
        Params::KvStore(_) => {
            let r = read_share(doc);
            let usd = r * KV_READ_USD_PER_MILLION + (1.0 - r) * KV_WRITE_USD_PER_MILLION;
            let (w, u) = per_million(monthly, usd);
            (w, 0.0, u)
        }
        // A webhook provider is an outside party (a payment provider): not the site's bill.
        Params::WebhookProvider(_) => return None,
        Params::ObjectStore(p) => object_store_cost(&p, node, report),
        Params::ServiceRegistry(_) => {
            let n = doc.edges.iter().filter(|e| e.from == node.id).count() as f64;
            (
                format!("{n} instances × ${REGISTRY_USD_PER_INSTANCE_MONTH:.2}/month"),
                n * REGISTRY_USD_PER_INSTANCE_MONTH,
                0.0,
            )
        }
        // A forward proxy sits on the users' side: not the site's bill.
        Params::Client(_)
        | Params::DnsResolver(_)
        | Params::RateLimiter(_)
        | Params::ForwardProxy(_) => return None,
        // A saga's steps and a projection's events are billed where they run: the services and the stream.
        Params::Saga(_) | Params::Projection(_) => return None,
        // Subscribers are the users' devices; an event feed is not in the dated price table.
        Params::Subscribers(_) | Params::EventFeed(_) => return None,
    };
    Some(NodeCost {
        node: node.id.clone(),
        what,
        fixed,
        usage: if report.is_some() { usage } else { 0.0 },
    })
}

/// An object store's month: the objects the run stored (each of the size law's mean) held for the month,
/// a PUT per part and a GET per download at the run's rates. Egress of downloads is not priced here.
fn object_store_cost(
    p: &crate::components::ObjectStoreParams,
    node: &Node,
    report: Option<&Report>,
) -> (String, f64, f64) {
    let Some((o, r)) = report.and_then(|r| {
        let o = r.nodes.get(&node.id)?.detail.as_ref()?.object_store()?;
        Some((o, r))
    }) else {
        return ("storage and requests (run it to see)".into(), 0.0, 0.0);
    };
    let gb = o.objects as f64 * p.object_sizes.mean() / BYTES_PER_GB;
    let puts = per_month(o.parts, r);
    let gets = per_month(o.downloads, r);
    (
        format!(
            "{gb:.3} GB stored, {:.2} M PUTs, {:.2} M GETs",
            puts / 1e6,
            gets / 1e6
        ),
        0.0,
        gb * OBJECT_USD_PER_GB_MONTH
            + puts / 1e6 * OBJECT_PUT_USD_PER_MILLION
            + gets / 1e6 * OBJECT_GET_USD_PER_MILLION,
    )
}

/// The diagram's monthly cost: every node's, and egress when a report gives the traffic.
pub fn diagram_cost(doc: &Topology, report: Option<&Report>) -> DiagramCost {
    let nodes: Vec<NodeCost> = doc
        .nodes
        .iter()
        .filter_map(|n| node_cost(doc, n, report))
        .collect();
    let size = mean_size_bytes(doc);
    let (mut egress_internet, mut egress_regions) = (0.0, 0.0);
    if let Some(r) = report {
        let served = r.throughput_rps * SECONDS_PER_MONTH;
        egress_internet = served * size / BYTES_PER_GB * EGRESS_INTERNET_USD_PER_GB;
        for e in &doc.edges {
            let (Some(a), Some(b)) = (doc.node(&e.from), doc.node(&e.to)) else {
                continue;
            };
            if a.region == b.region {
                continue;
            }
            // The callee's arrivals, split evenly over the edges that reach it.
            let incoming = doc.edges.iter().filter(|x| x.to == e.to).count().max(1);
            let arrivals = r.nodes.get(&e.to).map_or(0, |n| n.arrivals);
            let calls = per_month(arrivals, r) / incoming as f64;
            egress_regions += calls * 2.0 * size / BYTES_PER_GB * EGRESS_REGION_USD_PER_GB;
        }
    }
    let total = nodes.iter().map(NodeCost::total).sum::<f64>() + egress_internet + egress_regions;
    let per_million_requests = report
        .map(|r| r.throughput_rps * SECONDS_PER_MONTH / 1e6)
        .filter(|m| *m > 0.0)
        .map(|m| total / m);
    DiagramCost {
        nodes,
        egress_internet,
        egress_regions,
        total,
        per_million_requests,
    }
}

/// Dollars as the page shows them: `$147.17`, `$12,345`.
pub fn usd(v: f64) -> String {
    if v >= 10_000.0 {
        let whole = v.round() as u64;
        let s = whole.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        format!("${out}")
    } else {
        format!("${v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_picked_by_vcpus_and_repeat_past_the_largest() {
        assert_eq!(pick_size(&SERVER_SIZES, 1).0.name, "m7i.large");
        assert_eq!(pick_size(&SERVER_SIZES, 4).0.name, "m7i.xlarge");
        assert_eq!(pick_size(&SERVER_SIZES, 5).0.name, "m7i.2xlarge");
        assert_eq!(pick_size(&SERVER_SIZES, 130), (SERVER_SIZES[5], 3));
        assert_eq!(vcpus(4, 1.0), 4);
        assert_eq!(vcpus(4, 0.5), 4);
        assert_eq!(vcpus(3, 1.5), 5);
        // Within the family every size costs the same per vCPU, so vertical and horizontal differ only by
        // the size granularity and the balancer.
        for s in SERVER_SIZES {
            assert!((s.usd_per_hour / f64::from(s.vcpu) - 0.0504).abs() < 1e-12);
        }
        assert_eq!(usd(147.168), "$147.17");
        assert_eq!(usd(12_345.6), "$12,346");
    }
}
