//! Object storage: an upload's body crosses the links it travels (size ÷ bandwidth + latency on an idle
//! link), big objects go up in parts several at once (each stream capped by the store's per-stream
//! throughput), pre-signed uploads take the body off the application server, and a CDN edge in front answers
//! downloads with the object. Every figure is exact arithmetic with constant sizes, latencies and service
//! times, on links kept idle (one upload at a time).

use playground_core::fixtures::{poisson_client, server};
use playground_core::topology::Edge;
use playground_core::{Dist, Report, Topology, run};
use serde_json::json;

/// One upload at a time: uploads every `every_s` seconds for `duration_s`, each link `latency_ms` one way.
fn base(every_s: f64, duration_s: f64, latency_ms: f64) -> Topology {
    let mut t = Topology::default();
    t.settings.duration_s = duration_s;
    t.settings.link.latency = Dist::Constant { ms: latency_ms };
    t.nodes = vec![
        poisson_client("c", 1.0 / every_s)
            .with("arrival", json!({"type": "constant"}))
            .with("read_fraction", json!(0.0))
            .with("size_bytes", json!(0)),
    ];
    t
}

fn store(id: &str, bytes: u32) -> playground_core::topology::Node {
    playground_core::topology::Node::new(id, "object_store")
        .with("object_sizes", json!({"type": "constant", "bytes": bytes}))
        .with("stream_mbps", json!(0.0))
        .with("part_bytes", json!(0))
        .with("request_ms", json!(10.0))
}

fn edge(from: &str, to: &str, mbps: f64) -> Edge {
    let mut e = Edge::new(from, to);
    e.bandwidth_mbps = Some(mbps);
    e
}

fn figures(r: &Report, id: &str) -> playground_core::components::ObjectStoreReport {
    r.nodes[id]
        .detail
        .as_ref()
        .and_then(|d| d.object_store())
        .expect("an object store reports its block")
        .clone()
}

/// A 1 MB object (10⁶ B) straight from its client over an idle 100 Mbit/s link of 5 ms: its body takes
/// S ÷ B + latency = 8·10⁶ bit ÷ 10⁸ bit/s + 5 ms = 85 ms, exactly (so 85 ms per MB). The upload end to end:
/// headers (0 B) 5 ms + body 85 ms + commit (`request_ms`) 10 ms + answer 5 ms = 105 ms. Uploads at 1 s, 2 s,
/// … 9 s of a 10 s run: 9, and the link carries 9 × 10⁶ body bytes.
#[test]
fn an_upload_on_an_idle_link_takes_size_over_bandwidth_plus_latency() {
    let mut t = base(1.0, 10.0, 5.0);
    t.nodes.push(store("s3", 1_000_000));
    t.edges = vec![edge("c", "s3", 100.0)];
    let r = run(&t).expect("valid");
    let o = figures(&r, "s3");
    assert_eq!(r.requests.completed(), 9, "{:?}", r.requests);
    assert_eq!(o.uploads, 9);
    assert_eq!(o.objects, 9);
    assert_eq!(o.bytes_in, 9_000_000);
    assert_eq!(o.mean_body_ms, 85.0, "{o:?}");
    assert_eq!(o.ms_per_mb, 85.0);
    assert_eq!(o.mean_upload_ms, 95.0);
    assert_eq!(r.latency_ms.mean, 105.0, "{:?}", r.latency_ms);
    let link = &r.network.as_ref().expect("network").links["c->s3"];
    assert_eq!(link.requests.bytes, 9_000_000);
    assert_eq!(o.direct_uploads, 9);
    assert_eq!(o.multipart_uploads, 0);
}

/// Multipart: a 64 MB object in 8 parts of 8 MB, each stream capped at 100 Mbit/s by the store (a part's
/// stream takes 8·8·10⁶ ÷ 10⁸ = 640 ms), on a 1 Gbit/s link of 1 ms (a part's bits take 64 ms). With p parts
/// at once the link has room while p × 64 ms + 1 ms ≤ 640 ms, so each wave of p parts takes 640 ms and the
/// body takes ⌈8 ÷ p⌉ × 640 ms: 5 120 ms for p = 1, 2 560 for 2, 1 280 for 4 (4× faster), 640 for 8 and for 16
/// (never more parts than the object has). End to end: body + 2 ms (headers and answer; no commit time).
/// When the link is the bottleneck (p = 8 on 200 Mbit/s: a part's bits take 320 ms) the parts queue on the
/// link and the body takes S ÷ B + latency = 8 × 320 + 1 = 2 561 ms, as one stream would on that link.
#[test]
fn parallel_parts_finish_p_times_faster_while_the_link_has_room() {
    let body = |p: u32, mbps: f64| {
        let mut t = base(10.0, 60.0, 1.0);
        t.nodes.push(
            store("s3", 64_000_000)
                .with("stream_mbps", json!(100.0))
                .with("part_bytes", json!(8_000_000))
                .with("parallel_parts", json!(p))
                .with("request_ms", json!(0.0)),
        );
        t.edges = vec![edge("c", "s3", mbps)];
        let r = run(&t).expect("valid");
        let o = figures(&r, "s3");
        assert_eq!(o.uploads, 5, "{o:?}");
        assert_eq!(o.multipart_uploads, 5);
        assert_eq!(o.parts, 40);
        assert_eq!(r.latency_ms.mean, o.mean_body_ms + 2.0);
        o.mean_body_ms
    };
    assert_eq!(body(1, 1000.0), 5120.0);
    assert_eq!(body(2, 1000.0), 2560.0);
    assert_eq!(body(4, 1000.0), 1280.0);
    assert_eq!(body(8, 1000.0), 640.0);
    assert_eq!(body(16, 1000.0), 640.0);
    assert_eq!(body(8, 200.0), 2561.0);
}

/// Through the app or pre-signed. Client → app (one worker, 2 ms of CPU, empty responses) → store, and
/// client → store; every link 1 ms; client → app and client → store 100 Mbit/s, app → store 1 Gbit/s; 1 MB
/// objects, a 10 ms commit.
/// Through the app, an app worker is held for 2 (CPU) + 1 (headers to the store) + (80 + 1) (the body from
/// the client to the app) + (8 + 1) (on to the store) + 10 (commit) + 1 (answer) = 104 ms.
/// Pre-signed, for 2 + 1 + 1 (the store's URL back) = 4 ms: the app's busy time avoided is exactly 100 ms an
/// upload, and the 2 × 10⁶ bytes each upload would have brought into and out of the app. End to end:
/// through the app 1 + 104 + 1 = 106 ms; pre-signed 1 + 4 + 1 (the URL to the client) + 1 (headers to the
/// store) + 81 (body) + 10 + 1 = 99 ms. The store's own estimate of the worker time avoided, a direct
/// upload's time at the store (81 + 10 = 91 ms), is at most the true 100 ms.
#[test]
fn presigned_uploads_take_the_body_off_the_app_server() {
    let run_mode = |mode: &str| {
        let mut t = base(1.0, 10.0, 1.0);
        t.nodes.push(
            server("app", 1, None, &Dist::Constant { ms: 2.0 }).with("response_bytes", json!(0)),
        );
        t.nodes
            .push(store("s3", 1_000_000).with("upload", json!(mode)));
        t.edges = vec![
            edge("c", "app", 100.0),
            edge("app", "s3", 1000.0),
            edge("c", "s3", 100.0),
        ];
        run(&t).expect("valid")
    };
    let via = run_mode("via_app");
    let pre = run_mode("presigned");
    for r in [&via, &pre] {
        assert_eq!(r.requests.completed(), 9, "{:?}", r.requests);
    }
    assert_eq!(via.nodes["app"].mean_time_ms, 104.0);
    assert_eq!(pre.nodes["app"].mean_time_ms, 4.0);
    assert_eq!(via.latency_ms.mean, 106.0);
    assert_eq!(pre.latency_ms.mean, 99.0);
    let (vo, po) = (figures(&via, "s3"), figures(&pre, "s3"));
    assert_eq!(
        (vo.app_uploads, vo.direct_uploads, vo.presigned_urls),
        (9, 0, 0)
    );
    assert_eq!(
        (po.app_uploads, po.direct_uploads, po.presigned_urls),
        (0, 9, 9)
    );
    assert_eq!(vo.app_bytes_avoided, 0);
    assert_eq!(po.app_bytes_avoided, 2 * 9 * 1_000_000);
    assert_eq!(po.app_busy_ms_avoided, 9.0 * 91.0);
    let bytes = |r: &Report| {
        let n = &r.network.as_ref().expect("network").nodes["app"];
        (n.received, n.sent)
    };
    assert_eq!(bytes(&via), (9_000_000, 9_000_000));
    assert_eq!(bytes(&pre), (0, 0));
}

/// The gallery's "Upload big files" (`upload-big-files`): "each taking 4 uploads a second of 20 MB videos over
/// 1 Gbit/s links, sent to the bucket in 4 parts of 5 MB at once. Through the app, every file crosses the app
/// server's links in and out, 80 MB/s each way, and a worker is held for the whole upload, about 230 ms: the
/// app is busy about 23 %; with a pre-signed URL the app only signs, about 4 ms of a worker (under 1 % busy),
/// and no byte of the files touches it. A user waits about 232 ms through the app and about 193 ms straight
/// to the bucket."
///
/// The arithmetic (uploads exactly 250 ms apart, so every link is idle when an upload starts; links 1 ms):
/// headers 1 024 B take 0.008 192 ms on a 1 Gbit/s link; a 5 MB part 40 ms. Through the app the 4 parts leave
/// the user at once and queue on the user → app link (in at the app at 41, 81, 121, 161 ms), then on the
/// app → bucket link (in at 82, 122, 162, 202 ms); each part's 400 Mbit/s stream takes 100 ms, so the body is
/// in at 202 ms. The app's worker: 2 (CPU) + 1.008 (headers on) + 202 + 20 (commit) + 4 (metadata: 1 + 2 + 1) +
/// 1 (answer) = 230.008 ms; pre-signed: 2 + 1.008 + 1 (the URL back) = 4.008 ms. Busy: 4/s × 0.230 s ÷ 4
/// workers = 23 %. A user: through the app 1.008 + 230.008 + 1.033 (the app's 4 096 B answer) = 232.05 ms;
/// pre-signed 1.008 + 4.008 + 1.033 + 1.008 (headers to the bucket) + 161 (the parts straight in: 41, 81, 121,
/// 161 ms, each stream 100 ms) + 20 + 4 + 1 = 193.06 ms. Files: 4/s × 20 MB = 80 MB/s into and out of the app;
/// the signing app carries headers only (1 024 B in, 1 024 + 4 096 B out per upload). The mean times are
/// checked to 0.01 ms (they are exact), "about" within 10 %, "under 1 %" as the bound, the bytes exactly.
pub(crate) fn upload_big_files(r: &Report, c: &mut crate::scenarios::Claims) {
    let n = &r.nodes;
    let (via, signs) = (n["app-via"].mean_time_ms, n["app-signs"].mean_time_ms);
    let headers = 1024.0 * 8.0 / 1e6;
    let body_via = 4.0 * 40.0 + 40.0 + 2.0;
    let held = 2.0 + (headers + 1.0) + body_via + 20.0 + 4.0 + 1.0;
    c.check(
        (via - held).abs() < 0.01 && (signs - (2.0 + headers + 2.0)).abs() < 0.01,
        "app worker per upload: 230.008 and 4.008 ms",
        format!("{via} and {signs}"),
    );
    c.about("through the app: worker per upload [ms]", via, 230.0);
    c.about("pre-signed: worker per upload [ms]", signs, 4.0);
    c.about("through the app: busy", n["app-via"].utilization, 0.23);
    c.check(
        n["app-signs"].utilization < 0.01,
        "pre-signed: under 1 % busy",
        format!("{}", n["app-signs"].utilization),
    );
    let net = &r.network.as_ref().expect("bandwidths").nodes;
    let secs = r.duration_s - r.warmup_s;
    c.about(
        "through the app: MB/s in",
        net["app-via"].received as f64 / secs / 1e6,
        80.0,
    );
    c.about(
        "through the app: MB/s out",
        net["app-via"].sent as f64 / secs / 1e6,
        80.0,
    );
    let a = n["app-signs"].arrivals;
    c.check(
        net["app-signs"].received == a * 1024 && net["app-signs"].sent == a * (1024 + 4096),
        "no byte of the files touches the signing app",
        format!("{:?} for {a} uploads", net["app-signs"]),
    );
    for id in ["bucket-via", "bucket-direct"] {
        let o = figures(r, id);
        c.check(
            o.parts == 4 * o.uploads && o.multipart_uploads == o.uploads && o.uploads > 0,
            "4 parts an upload",
            format!("{id}: {o:?}"),
        );
    }
    c.about("a user through the app [ms]", r.latency_ms.max, 232.0);
    c.about(
        "a user straight to the bucket [ms]",
        r.latency_ms.p50,
        193.0,
    );
}

/// The scenario's claims on every seed the suite uses.
#[test]
fn uploading_straight_to_the_bucket_takes_the_files_off_the_app() {
    crate::scenarios::check_claims("upload-big-files", upload_big_files);
}

/// Downloads carry the object. Reads of one 1 MB key (10⁶ B), one a second for 10 s (9 reads), on 100 Mbit/s
/// links: through an app server (whose own `response_bytes` are 4 096) every answer still carries the 10⁶ B
/// object on both links back; through a CDN edge in front the first read misses and fetches the object from
/// the bucket once, every later one is a hit answered at the edge with the same 10⁶ B, so the user's link
/// carries 9 × 10⁶ B back and the bucket's only 10⁶ B (the bucket counts 1 download).
#[test]
fn downloads_carry_the_object_and_a_cdn_copy_carries_it_too() {
    let reads = |t: &mut Topology| {
        t.nodes[0] = t.nodes[0]
            .clone()
            .with("read_fraction", json!(1.0))
            .with("keys", json!({"type": "uniform", "count": 1}));
    };
    let mut t = base(1.0, 10.0, 1.0);
    reads(&mut t);
    t.nodes
        .push(server("app", 1, None, &Dist::Constant { ms: 2.0 }));
    t.nodes.push(store("s3", 1_000_000));
    t.edges = vec![edge("c", "app", 100.0), edge("app", "s3", 100.0)];
    let r = run(&t).expect("valid");
    let links = &r.network.as_ref().expect("network").links;
    assert_eq!(r.requests.completed(), 9);
    assert_eq!(links["c->app"].responses.bytes, 9_000_000);
    assert_eq!(links["app->s3"].responses.bytes, 9_000_000);
    let o = figures(&r, "s3");
    assert_eq!((o.downloads, o.bytes_out), (9, 9_000_000));

    let mut t = base(1.0, 10.0, 1.0);
    reads(&mut t);
    t.nodes[0] = t.nodes[0].clone().with("static_fraction", json!(1.0));
    t.nodes
        .push(playground_core::topology::Node::new("cdn", "cdn_edge"));
    t.nodes.push(store("s3", 1_000_000));
    t.edges = vec![edge("c", "cdn", 100.0), edge("cdn", "s3", 100.0)];
    let r = run(&t).expect("valid");
    let links = &r.network.as_ref().expect("network").links;
    assert_eq!(r.requests.completed(), 9);
    let cdn = r.nodes["cdn"]
        .cache()
        .expect("a CDN edge reports its cache");
    assert_eq!((cdn.hits, cdn.misses), (8, 1));
    assert_eq!(links["c->cdn"].responses.bytes, 9_000_000);
    assert_eq!(links["cdn->s3"].responses.bytes, 1_000_000);
    let o = figures(&r, "s3");
    assert_eq!((o.downloads, o.bytes_out), (1, 1_000_000));
}

/// The "why" panel on the scenario: the bucket behind the streaming app says its 239 uploads of 20 MB (4 780
/// MB, uploads every 250 ms over 60 s less the last one still in flight at the end) passed through the app,
/// with the app's 230 ms a worker an upload; the pre-signed bucket says the app only signed them and did not
/// carry 2 × 4 780 = 9 560 MB. Counts exact (constant arrivals), the times as the node reports them.
#[test]
fn the_why_panel_names_uploads_through_the_app_and_the_signing_app() {
    let s = playground_core::scenarios::by_name("upload-big-files").expect("scenario");
    let t = s.topology();
    let r = run(&t).expect("valid");
    let text: Vec<String> = playground_core::explain::explain(&t, &r)
        .into_iter()
        .map(|f| f.text)
        .collect();
    let all = text.join("\n");
    assert!(
        all.contains(
            "bucket-via: 239 uploads (4780.0 MB) passed through the app server (app-via holds a worker 230 ms \
             an upload, busy 23 %)"
        ),
        "{all}"
    );
    assert!(
        all.contains("bucket-direct: the app only signed 239 uploads (pre-signed URLs)")
            && all.contains("9560.0 MB the app did not carry"),
        "{all}"
    );
    // Without an object store nothing of the kind is said.
    let plain = run(&playground_core::fixtures::three_tier()).expect("valid");
    assert!(
        !playground_core::explain::explain(&playground_core::fixtures::three_tier(), &plain)
            .iter()
            .any(|f| f.text.contains("pre-signed")),
    );
}
