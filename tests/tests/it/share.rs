//! Share links across crates: round trips of the examples and of generated and arbitrary diagrams, the length
//! budget, one named test per class of bad link, and property tests that feed the decoder arbitrary and
//! mutated input (it must answer every one with a diagram or a `ShareError`, never a panic).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use playground_core::fixtures;
use playground_core::resilience::{
    Backoff, BreakerParams, BreakerWindow, HedgeAfter, HedgePolicy, Jitter, RetryBudget,
    RetryPolicy,
};
use playground_core::share::{
    self, Fragment, MAX_DECOMPRESSED_BYTES, MAX_LINK_CHARS, SHARE_BUDGET_CHARS, SHARE_WARN_CHARS,
    ShareError, decode, encode, sample_diagram, share_url_fragment,
};
use playground_core::{Dist, Edge, Fault, FaultAction, Node, Position, Topology};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// A v1 link around an arbitrary payload, compressed the way `encode` does, so tests can reach the layout
/// parser behind the checksum.
fn pack(payload: &[u8]) -> String {
    format!(
        "v1.{}",
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(payload, 6))
    )
}

/// The layout bytes inside a link made by `encode`.
fn unpack(link: &str) -> Vec<u8> {
    let body = link.strip_prefix("v1.").expect("a v1 link");
    let packed = URL_SAFE_NO_PAD
        .decode(body)
        .expect("encode writes base64url");
    miniz_oxide::inflate::decompress_to_vec_zlib(&packed).expect("encode writes valid zlib")
}

/// A hand-made v1 payload: version 1, no name, default settings, one node `a` of kind `server` at (0, 0)
/// whose parameter bytes are `params` (count first), then `rest` (the edges and faults sections).
fn one_node_payload(params: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut p = vec![
        0x01, // topology version 1
        0x00, // name: literal of length 0 (text table entry 0 = "")
        0x00, // settings: nothing differs from the v1 baseline
        0x01, // one node
        0x02, b'a', 0x00, // id: literal "a" (entry 1), no counter
        0x0c, b's', b'e', b'r', b'v', b'e', b'r', // kind: literal "server" (entry 2)
        0x01, 0x00, // label: reference to entry 0 (""), no counter
        0x01, // region: reference to entry 0
        0x01, // grid 1
        0x00, 0x00, // position (0, 0)
    ];
    p.extend_from_slice(params);
    p.extend_from_slice(rest);
    p
}

/// Equality that also tells −0 from 0 (and would show any float whose bits changed): `Debug` prints them apart.
fn same(a: &Topology, b: &Topology) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

#[test]
fn examples_round_trip_through_a_share_link() {
    for t in [fixtures::mm1(), fixtures::mmc(), fixtures::three_tier()] {
        let back = decode(&share_url_fragment(&t)).expect("an example's link opens");
        assert!(same(&back, &t), "{}", t.name);
    }
}

#[test]
fn generated_diagrams_round_trip_at_every_size() {
    for (nodes, edges) in [(4, 0), (10, 30), (60, 240), (200, 800), (1000, 3000)] {
        let t = sample_diagram(nodes, edges);
        let back = decode(&encode(&t)).expect("a generated diagram's link opens");
        assert!(same(&back, &t), "{nodes} nodes");
    }
}

#[test]
fn a_60_node_240_edge_diagram_fits_the_2000_character_budget() {
    let t = sample_diagram(60, 240);
    assert_eq!((t.nodes.len(), t.edges.len()), (60, 240));
    let link = share_url_fragment(&t);
    assert!(
        link.len() <= SHARE_BUDGET_CHARS,
        "the 60-node link takes {} characters",
        link.len()
    );
}

#[test]
fn a_200_node_diagram_stays_under_the_warning_threshold() {
    let link = share_url_fragment(&sample_diagram(200, 800));
    assert!(!share::is_long(&link), "{} characters", link.len());
    assert!(link.len() <= SHARE_WARN_CHARS);
}

#[test]
fn opening_a_link_reproduces_the_run_exactly() {
    let t = fixtures::three_tier();
    let back = decode(&encode(&t)).expect("the three-tier link opens");
    let digest = |t: &Topology| {
        let report = playground_core::run(t).expect("the three-tier example runs");
        serde_json::to_string(&report).expect("a report serialises")
    };
    assert_eq!(digest(&back), digest(&t));
}

#[test]
fn the_fragment_of_a_shared_diagram_is_recognised() {
    let t = fixtures::mm1();
    let hash = share_url_fragment(&t);
    assert!(hash.starts_with("#d=v1."));
    match Fragment::parse(&hash) {
        Fragment::Diagram(payload) => assert!(same(&decode(&payload).expect("opens"), &t)),
        other => panic!("expected a diagram, got {other:?}"),
    }
}

// One named test per class of bad link: each must give its own clear error, and none may panic.

#[test]
fn truncated_link_says_cut_short_at_every_length() {
    let link = encode(&fixtures::three_tier());
    for cut in 1..link.len() {
        assert_eq!(
            decode(&link[..cut]),
            Err(ShareError::Truncated),
            "cut to {cut} of {} characters",
            link.len()
        );
    }
    assert_eq!(decode(""), Err(ShareError::Empty));
    assert!(
        ShareError::Truncated
            .to_string()
            .contains("cut short — copy it again in full")
    );
}

#[test]
fn link_with_characters_outside_base64url_is_refused() {
    let link = encode(&fixtures::mm1());
    for bad in ['+', '/', '=', '%', '!', 'é'] {
        let mut altered = link.clone();
        altered.insert(10, bad);
        assert_eq!(
            decode(&altered),
            Err(ShareError::NotBase64 { at: 7 }),
            "{bad}"
        );
    }
}

#[test]
fn link_from_a_future_version_asks_for_a_newer_playground() {
    let link = encode(&fixtures::mm1()).replacen("v1.", "v5.", 1);
    let err = decode(&link).expect_err("v5 is not readable yet");
    assert_eq!(err, ShareError::NewerVersion { version: 5 });
    assert!(
        err.to_string()
            .contains("made by a newer version of the playground")
    );
}

#[test]
fn link_with_a_wrong_version_is_refused() {
    let body = encode(&fixtures::mm1());
    let body = body.trim_start_matches("v1.");
    assert_eq!(
        decode(&format!("v0.{body}")),
        Err(ShareError::UnknownVersion { version: 0 })
    );
    for prefix in ["v01.", "v1,", "V1.", "1.", "x", "v-1."] {
        assert_eq!(
            decode(&format!("{prefix}{body}")),
            Err(ShareError::NotAShareLink),
            "{prefix}"
        );
    }
}

#[test]
fn link_with_changed_characters_is_damaged() {
    let link = encode(&fixtures::three_tier());
    // Swap one character for another base64url character: still well-formed text, but the checksum (or the
    // deflate stream) no longer checks out.
    for at in [3, 4, 10, link.len() / 2, link.len() - 3] {
        let mut bytes = link.clone().into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(bytes).expect("ASCII stays ASCII");
        assert!(
            matches!(
                decode(&altered),
                Err(ShareError::Damaged | ShareError::Truncated)
            ),
            "changed character {at}: {:?}",
            decode(&altered)
        );
    }
}

#[test]
fn link_with_garbage_appended_is_refused() {
    let link = encode(&fixtures::three_tier());
    assert_eq!(
        decode(&format!("{link}AAAA")),
        Err(ShareError::Damaged),
        "bytes after the compressed stream"
    );
    assert!(matches!(
        decode(&format!("{link}&utm_source=chat")),
        Err(ShareError::NotBase64 { .. })
    ));
}

#[test]
fn garbage_after_decompression_is_refused() {
    assert!(matches!(
        decode(&pack(&[0xff; 12])),
        Err(ShareError::Garbled(_))
    ));
    assert!(matches!(
        decode(&pack(b"hello, world")),
        Err(ShareError::Garbled(_))
    ));
    assert!(matches!(decode(&pack(&[])), Err(ShareError::Garbled(_))));
    // A valid diagram followed by a stray byte.
    let mut payload = unpack(&encode(&fixtures::mm1()));
    payload.push(0);
    let err = decode(&pack(&payload)).expect_err("trailing bytes are refused");
    assert!(
        err.to_string()
            .contains("unexpected bytes follow the diagram"),
        "{err}"
    );
}

#[test]
fn oversized_decompressed_payload_is_refused() {
    let bomb = pack(&vec![0u8; MAX_DECOMPRESSED_BYTES + 1]);
    assert!(bomb.len() < 20_000, "a zip bomb is small: {}", bomb.len());
    assert_eq!(decode(&bomb), Err(ShareError::TooLarge));
}

#[test]
fn payload_that_would_expand_in_memory_is_refused() {
    // Two million nulls in a list: 2 MB of payload (under the 4 MiB cap) that would take 64 MB as JSON values.
    let n: u32 = 2_000_000;
    let mut params = vec![0x01, 0x02, b'x', 0x07];
    let mut count = n;
    while count >= 0x80 {
        params.push((count as u8) | 0x80);
        count >>= 7;
    }
    params.push(count as u8);
    params.extend(std::iter::repeat_n(0u8, n as usize));
    let payload = one_node_payload(&params, &[0x00, 0x00]);
    assert!(payload.len() < MAX_DECOMPRESSED_BYTES);
    assert_eq!(decode(&pack(&payload)), Err(ShareError::TooLarge));
}

#[test]
fn overlong_link_is_refused_before_any_work() {
    let link = format!("v1.{}", "A".repeat(MAX_LINK_CHARS));
    assert!(matches!(decode(&link), Err(ShareError::TooLong { .. })));
}

#[test]
fn hand_made_payload_is_read_as_intended() {
    // The helper's bytes are the layout the format document describes; this keeps the other hand-made
    // payloads honest.
    let t = decode(&pack(&one_node_payload(&[0x00], &[0x00, 0x00]))).expect("a one-node diagram");
    assert_eq!(t.nodes, vec![Node::new("a", "server")]);
    assert!(t.edges.is_empty() && t.faults.is_empty());
}

#[test]
fn invalid_topology_edge_to_a_node_index_out_of_range() {
    // One edge from node #5 to node #0 in a one-node diagram.
    let payload = one_node_payload(&[0x00], &[0x01, 0x05, 0x00, 0x00, 0x00]);
    let err = decode(&pack(&payload)).expect_err("the edge points nowhere");
    assert!(
        matches!(&err, ShareError::InvalidTopology(m) if m.contains("node #5")),
        "{err}"
    );
}

#[test]
fn invalid_topology_duplicate_or_empty_ids_and_lost_positions() {
    let dup = Topology {
        nodes: vec![Node::new("a", "server"), Node::new("a", "database")],
        ..Topology::default()
    };
    assert!(matches!(
        decode(&encode(&dup)),
        Err(ShareError::InvalidTopology(_))
    ));
    let empty = Topology {
        nodes: vec![Node::new("", "server")],
        ..Topology::default()
    };
    assert!(matches!(
        decode(&encode(&empty)),
        Err(ShareError::InvalidTopology(_))
    ));
    let mut n = Node::new("a", "server");
    n.position.x = f64::NAN;
    let nowhere = Topology {
        nodes: vec![n],
        ..Topology::default()
    };
    assert!(matches!(
        decode(&encode(&nowhere)),
        Err(ShareError::InvalidTopology(_))
    ));
}

#[test]
fn half_built_diagrams_still_share() {
    // Unknown kinds, bad parameters and dangling edges are diagnostics for the editor, not link errors.
    let t = Topology {
        nodes: vec![
            Node::new("c", "client").with("rate", serde_json::json!(-5)),
            Node::new("x", "quantum_cache"),
        ],
        edges: vec![Edge::new("c", "nowhere")],
        ..Topology::default()
    };
    assert!(!playground_core::validate(&t).is_empty());
    assert!(same(
        &decode(&encode(&t)).expect("a half-built diagram opens"),
        &t
    ));
}

#[test]
fn every_error_message_is_lowercase_prose() {
    let errors = [
        ShareError::Empty,
        ShareError::TooLong { chars: 2_000_000 },
        ShareError::NotAShareLink,
        ShareError::UnknownVersion { version: 0 },
        ShareError::NewerVersion { version: 2 },
        ShareError::NotBase64 { at: 3 },
        ShareError::Truncated,
        ShareError::Damaged,
        ShareError::TooLarge,
        ShareError::Garbled("a number is too large".into()),
        ShareError::InvalidTopology("two nodes are called `a`".into()),
    ];
    for e in errors {
        let text = e.to_string();
        assert!(text.starts_with("this "), "{text}");
        assert!(!text.ends_with('.'), "{text}");
    }
}

// Property tests. Case counts keep the whole module to a few seconds in a debug build.

/// Finite floats, including −0, tiny and huge magnitudes, and values a person types.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        (-100_000i64..100_000, 0u32..4).prop_map(|(m, s)| m as f64 / 10f64.powi(s as i32)),
        Just(-0.0),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(|u| Value::Number(Number::from(u))),
        any::<i64>().prop_map(|i| Value::Number(Number::from(i))),
        float().prop_map(|x| Number::from_f64(x).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn dist() -> impl Strategy<Value = Dist> {
    prop_oneof![
        float().prop_map(|ms| Dist::Constant { ms }),
        float().prop_map(|mean_ms| Dist::Exponential { mean_ms }),
        (float(), float()).prop_map(|(min_ms, max_ms)| Dist::Uniform { min_ms, max_ms }),
        (float(), float()).prop_map(|(median_ms, sigma)| Dist::LogNormal { median_ms, sigma }),
        (float(), float(), float()).prop_map(|(fast_ms, slow_ms, slow_probability)| {
            Dist::Bimodal {
                fast_ms,
                slow_ms,
                slow_probability,
            }
        }),
    ]
}

/// A name: editor-style with a counter, a number alone, or anything at all.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        ("[a-z_]{1,8}-?", 0u64..300).prop_map(|(p, n)| format!("{p}{n}")),
        "[0-9]{1,20}",
        ".{0,12}",
    ]
}

/// Any topology the editor could hold: unique non-empty node ids, finite positions, and everything else
/// arbitrary (unknown kinds, odd parameters, dangling edges, NaN-free but otherwise any floats).
fn topology() -> impl Strategy<Value = Topology> {
    let nodes =
        prop::collection::btree_set(name().prop_filter("non-empty", |s| !s.is_empty()), 0..8)
            .prop_flat_map(|ids| {
                let n = ids.len();
                (
                    Just(ids.into_iter().collect::<Vec<_>>()),
                    prop::collection::vec(
                        (
                            prop_oneof!["client", "server", "database", "load_balancer", ".{0,8}"],
                            name(),
                            ".{0,4}",
                            float(),
                            float(),
                            prop::collection::btree_map("[a-z_]{1,10}", json_value(), 0..4),
                        ),
                        n,
                    ),
                )
            })
            .prop_map(|(ids, rest)| {
                ids.into_iter()
                    .zip(rest)
                    .map(|(id, (kind, label, region, x, y, params))| Node {
                        id,
                        kind,
                        label,
                        position: Position { x, y },
                        region,
                        params: params.into_iter().collect(),
                    })
                    .collect::<Vec<_>>()
            });
    nodes.prop_flat_map(|nodes| {
        let ids: Vec<String> = nodes.iter().map(|n| n.id.clone()).collect();
        let node_ref = if ids.is_empty() {
            name().boxed()
        } else {
            prop_oneof![4 => prop::sample::select(ids), 1 => name()].boxed()
        };
        let edge = (
            node_ref.clone(),
            node_ref.clone(),
            prop_oneof![Just(String::new()), name()],
            prop::option::of(dist()),
            prop::option::of(float()),
            prop::option::of(any::<u32>()),
            (
                call_policy(),
                prop::option::weighted(0.1, hedge()),
                prop::option::weighted(0.1, float()),
            ),
        )
            .prop_map(
                |(
                    from,
                    to,
                    id,
                    latency,
                    loss,
                    weight,
                    ((timeout_ms, retry, breaker), hedge, bandwidth_mbps),
                )| {
                    Edge {
                        id,
                        from,
                        to,
                        latency,
                        loss,
                        bandwidth_mbps,
                        weight,
                        timeout_ms,
                        retry,
                        breaker,
                        hedge,
                    }
                },
            );
        let action = prop_oneof![
            node_ref.clone().prop_map(|node| FaultAction::Kill { node }),
            node_ref
                .clone()
                .prop_map(|node| FaultAction::Revive { node }),
            (node_ref, float()).prop_map(|(node, factor)| FaultAction::Slow { node, factor }),
            name().prop_map(|edge| FaultAction::CutLink { edge }),
            name().prop_map(|edge| FaultAction::HealLink { edge }),
            (float(), float())
                .prop_map(|(factor, duration_s)| FaultAction::Spike { factor, duration_s }),
        ];
        let settings = (
            any::<u64>(),
            float(),
            float(),
            any::<u32>(),
            prop::option::of((dist(), float())),
        );
        (
            Just(nodes),
            prop::collection::vec(edge, 0..10),
            prop::collection::vec((float(), action), 0..4),
            settings,
            ".{0,20}",
            0u32..3,
        )
            .prop_map(
                |(
                    nodes,
                    edges,
                    faults,
                    (seed, duration_s, loss, hop_limit, link),
                    name,
                    version,
                )| {
                    let mut t = Topology {
                        version,
                        name,
                        nodes,
                        edges,
                        faults: faults
                            .into_iter()
                            .map(|(at_s, action)| Fault { at_s, action })
                            .collect(),
                        ..Topology::default()
                    };
                    t.settings.seed = seed;
                    t.settings.duration_s = duration_s;
                    t.settings.inter_region_link.loss = loss;
                    t.settings.hop_limit = hop_limit;
                    if let Some((latency, loss)) = link {
                        t.settings.link.latency = latency;
                        t.settings.link.loss = loss;
                    }
                    t
                },
            )
    })
}

/// An edge's call policy: each part present or not, with arbitrary numbers.
fn call_policy() -> impl Strategy<Value = (Option<f64>, Option<RetryPolicy>, Option<BreakerParams>)>
{
    let backoff = prop_oneof![
        float().prop_map(|delay_ms| Backoff::Fixed { delay_ms }),
        (float(), float()).prop_map(|(base_ms, cap_ms)| Backoff::Exponential { base_ms, cap_ms }),
    ];
    let jitter = prop::sample::select(vec![
        Jitter::None,
        Jitter::Full,
        Jitter::Equal,
        Jitter::Decorrelated,
    ]);
    let retry = (
        any::<u32>(),
        backoff,
        jitter,
        prop::option::of((float(), float())),
    )
        .prop_map(|(max_attempts, backoff, jitter, budget)| RetryPolicy {
            max_attempts,
            backoff,
            jitter,
            budget: budget.map(|(ratio, burst)| RetryBudget { ratio, burst }),
        });
    let breaker = (
        any::<bool>(),
        (any::<u32>(), any::<u32>(), any::<u32>()),
        (float(), float(), float(), float()),
    )
        .prop_map(
            |(time, (window_size, minimum_calls, half_open_calls), (f, slow, slow_rate, open))| {
                BreakerParams {
                    window: if time {
                        BreakerWindow::Time
                    } else {
                        BreakerWindow::Count
                    },
                    window_size,
                    minimum_calls,
                    failure_rate: f,
                    slow_call_ms: slow,
                    slow_call_rate: slow_rate,
                    open_ms: open,
                    half_open_calls,
                }
            },
        );
    (
        prop::option::weighted(0.2, float()),
        prop::option::weighted(0.2, retry),
        prop::option::weighted(0.2, breaker),
    )
}

/// A hedge of any delay (floats of every kind, like the other policies' numbers).
fn hedge() -> impl Strategy<Value = HedgePolicy> {
    (any::<bool>(), float(), any::<bool>()).prop_map(|(fixed, v, tied)| HedgePolicy {
        after: if fixed {
            HedgeAfter::Fixed { ms: v }
        } else {
            HedgeAfter::Percentile { p: v }
        },
        tied,
    })
}

/// Links to mutate: real diagrams of a few shapes.
fn valid_links() -> Vec<String> {
    vec![
        encode(&fixtures::three_tier()),
        encode(&fixtures::mm1()),
        encode(&sample_diagram(12, 30)),
    ]
}

/// Whatever `decode` accepts must itself survive a round trip: the decoder never hands the UI something the
/// encoder cannot carry.
fn check_decoder(input: &str) -> Result<(), TestCaseError> {
    if let Ok(t) = decode(input) {
        let again = decode(&encode(&t));
        prop_assert!(again.as_ref().is_ok_and(|b| same(b, &t)), "{again:?}");
    }
    Ok(())
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn arbitrary_topologies_round_trip_bit_for_bit(t in topology()) {
        let back = decode(&encode(&t));
        prop_assert!(back.as_ref().is_ok_and(|b| same(b, &t)), "{back:?}");
    }

    #[test]
    fn arbitrary_strings_never_panic_the_decoder(s in ".{0,200}") {
        check_decoder(&s)?;
        check_decoder(&format!("v1.{s}"))?;
        check_decoder(&format!("#d=v1.{s}"))?;
        let _ = Fragment::parse(&s);
    }

    #[test]
    fn arbitrary_base64_never_panics_the_decoder(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check_decoder(&format!("v1.{}", URL_SAFE_NO_PAD.encode(&bytes)))?;
    }

    #[test]
    fn arbitrary_compressed_payloads_never_panic_the_decoder(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        check_decoder(&pack(&bytes))?;
    }

    #[test]
    fn mutated_links_never_panic_the_decoder(
        which in 0usize..3,
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 0u8..8), 0..4),
        garbage in ".{0,12}",
    ) {
        let links = valid_links();
        let link = links[which].clone();
        let mut bytes = link.into_bytes();
        for (at, bit) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
        }
        let flipped = String::from_utf8_lossy(&bytes).into_owned();
        check_decoder(&flipped)?;
        let truncated: String = flipped.chars().take(cut.index(flipped.len() + 1)).collect();
        check_decoder(&truncated)?;
        check_decoder(&format!("{flipped}{garbage}"))?;
    }

    #[test]
    fn mutated_payloads_never_panic_the_decoder(
        which in 0usize..3,
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        extra in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        // Behind the checksum: the layout parser itself must refuse nonsense without panicking.
        let mut payload = unpack(&valid_links()[which]);
        for (at, value) in flips {
            let i = at.index(payload.len());
            payload[i] = value;
        }
        check_decoder(&pack(&payload))?;
        let mut longer = payload.clone();
        longer.extend_from_slice(&extra);
        check_decoder(&pack(&longer))?;
        payload.truncate(cut.index(payload.len() + 1));
        check_decoder(&pack(&payload))?;
    }
}

/// A diagram with call policies on its edges: a retrying client, a timeout and a breaker.
fn with_policies() -> Topology {
    let mut t = fixtures::three_tier();
    t.edges[0].timeout_ms = Some(250.0);
    t.edges[0].retry = Some(RetryPolicy::default());
    t.edges[1].breaker = Some(BreakerParams {
        window: BreakerWindow::Time,
        ..BreakerParams::default()
    });
    t
}

#[test]
fn call_policies_travel_in_a_v2_link_and_plain_diagrams_keep_v1() {
    let t = with_policies();
    let link = encode(&t);
    assert!(link.starts_with("v2."), "{link}");
    assert!(same(&decode(&link).expect("a v2 link opens"), &t));
    // Without a policy the very same v1 bytes as before policies existed.
    let plain = fixtures::three_tier();
    assert!(encode(&plain).starts_with("v1."));
    let mut stripped = t.clone();
    for e in &mut stripped.edges {
        (e.timeout_ms, e.retry, e.breaker) = (None, None, None);
    }
    assert_eq!(encode(&stripped), encode(&plain));
}

/// [`with_policies`] with two hedged edges (a percentile hedge and a tied fixed one).
fn with_hedges() -> Topology {
    let mut t = with_policies();
    t.edges[0].hedge = Some(HedgePolicy::default());
    let last = t.edges.len() - 1;
    t.edges[last].hedge = Some(HedgePolicy {
        after: HedgeAfter::Fixed { ms: 12.5 },
        tied: true,
    });
    t
}

#[test]
fn hedges_travel_in_a_v3_link_and_other_diagrams_keep_theirs() {
    let t = with_hedges();
    let link = encode(&t);
    assert!(link.starts_with("v3."), "{link}");
    assert!(same(&decode(&link).expect("a v3 link opens"), &t));
    // The same diagram without its hedges: the v2 link, byte for byte.
    let mut unhedged = t.clone();
    for e in &mut unhedged.edges {
        e.hedge = None;
    }
    assert_eq!(encode(&unhedged), encode(&with_policies()));
    assert!(FROZEN_V2 == encode(&with_policies()), "v2 writes as it did");
    // A v2 reader never takes a hedge for something else: the v3 payload under a v2 prefix is refused.
    let as_v2 = link.replacen("v3.", "v2.", 1);
    assert!(
        matches!(decode(&as_v2), Err(ShareError::Garbled(_))),
        "{:?}",
        decode(&as_v2)
    );
}

#[test]
fn bandwidths_travel_in_a_v4_link_and_other_diagrams_keep_theirs() {
    let t = with_bandwidths();
    let link = encode(&t);
    assert!(link.starts_with("v4."), "{link}");
    assert!(same(&decode(&link).expect("a v4 link opens"), &t));
    // The same diagram without its bandwidths: the v3 link, byte for byte; a bandwidth alone (no policy).
    let mut plain = t.clone();
    for e in &mut plain.edges {
        e.bandwidth_mbps = None;
    }
    assert_eq!(encode(&plain), encode(&with_hedges()));
    let mut only = with_policies();
    for e in &mut only.edges {
        (e.timeout_ms, e.retry, e.breaker, e.hedge) = (None, None, None, None);
    }
    only.edges[1].bandwidth_mbps = Some(100.0);
    let link4 = encode(&only);
    assert!(link4.starts_with("v4."), "{link4}");
    assert!(same(&decode(&link4).expect("a v4 link opens"), &only));
    // A v3 reader never takes a bandwidth for something else: the v4 payload under a v3 prefix is refused.
    let as_v3 = link.replacen("v4.", "v3.", 1);
    assert!(
        matches!(decode(&as_v3), Err(ShareError::Garbled(_))),
        "{:?}",
        decode(&as_v3)
    );
}

/// [`with_hedges`] with a bandwidth on its first edge and an unlimited (0) one on its last.
fn with_bandwidths() -> Topology {
    let mut t = with_hedges();
    t.edges[0].bandwidth_mbps = Some(12.5);
    let last = t.edges.len() - 1;
    t.edges[last].bandwidth_mbps = Some(0.0);
    t
}

/// Made by `encode(&with_bandwidths())` when v4 shipped. Architecture invariant: it decodes forever.
const FROZEN_V4: &str = "v4.eNptUstu1DAUje1JasKQVqWUaVV1oi5AQkWMKlZIUJWHygIhIeiKReokNzNmnDjYTqfTFQuQWPYT2j_pggVLPoGy4htYYWdagQS2Ivm-zj0596KP6M1IAdw1HFQ8gTRmdf0gFpLlccoEqzJQm7FxKS4Sa1AHoPRmLCuIc2ZYyjR8QndOEGbnyAvCxmZoryNSL7D5yLe3k6deNxMcKrPqgJNL4O4M7dq1hUukcK8tX33xd3-P7tjO6Ia9C08vEj1vxZ2l7uD-YL-3P9h_fowGwSLLcwVagyafb0dMKX7ABEXUTGsIolpyrWVFxzDVlISZbCpDjl9i7Z_jfkCPeF1QxQyQr2hVgeVZKJYZLiv_FC8ZXoJsTFJq8m0e90bAhBkl2QiyMSUbM3OaOKH0SIqc4GVeGft7TLiSn3O3murfJLKgjes4nAYbApg2SSarCtqmmqy9b6CBJGM1y7iZkq2e04tnkDgylCyWkHNWOfz5UPNhyfxT1A-WhBwmlVQlE9FEqrEVlHTIQ7K1TckOmX_SJj3b_b8Pb9NOVDgmFhVHWsiJe63H7atWMmUpF5aN_7gfRCkvZc7ELgnnPIQQJh33-b5PZwefzXnk5CoixOuspazKJzy3qpVprf3TfjiCfAgUh6ywSlGMa__7Tcu_BpXZXeECqN3KHIUKjJpaXinLxrIoKIncClhe_oeVrpWnfX253g-W4bC2i2lrmeimjUU3XvcdNxY-oEUjRK9khwmzdlkbTcg9_-wRQlFqp21lorRXMC4aBYkbitVkfcREkcgaKjsFITTxV0te8bIpL-wwaoOu_48rvVYjF2gdv9DaH0cLGHcnvMrlJKBugMszI9H8CMhSgF_53muK9yjulE6dfhAW_BDyt_g3HosbkA";

#[test]
fn frozen_v4_link_decodes_forever() {
    assert!(same(
        &decode(FROZEN_V4).expect("the frozen v4 link opens"),
        &with_bandwidths()
    ));
    assert!(
        FROZEN_V4 == encode(&with_bandwidths()),
        "v4 writes as it did"
    );
}

/// Made by `encode(&with_policies())` when v2 shipped. Architecture invariant: it decodes forever.
const FROZEN_V2: &str = "v2.eNptUs1u1DAQjuNNapY0rcpSbVdVN-oBJFTEquKEBFX5UTkgTnBOnWSya9axg-10uz1xAIljH6F9kx44cOQVyoln4ISdbQUStRVpfj5_M_NN0Gf0bqIAHhoGKplBltC6fpJwSYsko5yKHNROYhzEZRIN6giU3kmkgKSghmZUwxf04Az59BJ5YbexCO11eOaFFo8CeztF5kU5ZyDMwBGn18TRgm15efWaqfu-fT548299j-zbyuiuvasvr4Cet-FOLxo9Hh32D0eHr0_RKFyjRaFAa9D46_2YKsWOKCeImHkNYVxLprUUZApzTXA3l40w-PStr4NLfxiSE1aXRFED-DsaKLB9lormhkkRnPs9wyqQjUkrjX-s-P0JUG4maT6BfErw9sKdp04oPZG8wP46E8aOR7l78mvpXiP-B-FVbVzF8Tzc5kC1SXMpBLRFNd782EADaU5rmjMzx7t9pxfLIXXNELxWQcGocPwrXc3GFQ3O0TDscTlOhVQV5fFMqqkVFHfwU7y7R_A-XnnRgl4d3Bzz90gnLl0nltWPNZczZ20lrVUrmdGMcdtN8HwYxhmrZEH5Ae4ueQghH3fcFwQBWRz_YsnDZ7cR9j2_q8CouWXPaD6VZUlw7BZp2YNPG5EdsrW-3RmG63Bc299LGEZ5lDXFGIwXfWDGyhmSsuG8X9HjlFq_qo3G-FFw8QyhOLM7s8MS0i8p442C1ElrJ9uaUF6msgZhteRc42BQMcGqprryu3GbdPV_3uq3k7pEG_iNNv8GWsIkmjFRyFlI3BrWF06q2Qng3h-ingPP";

#[test]
fn frozen_v2_link_decodes_forever() {
    assert!(same(
        &decode(FROZEN_V2).expect("the frozen v2 link opens"),
        &with_policies()
    ));
}

/// A value of the policy column as its bytes spell it, read by the grammar of `docs/share-format.md` alone
/// (independently of the decoder): texts stay as what the bytes say (a literal's bytes, or a table
/// reference's index), numbers become their value, whatever their spelling (an integer or a float tag,
/// a long or short decimal form, an over-long varint).
#[derive(Debug, PartialEq)]
enum Spelled {
    Null,
    Bool(bool),
    Number(f64),
    Literal(Vec<u8>),
    Reference(u64),
    Array(Vec<Spelled>),
    /// entries sorted by key, so field order does not matter
    Object(Vec<(Box<Spelled>, Spelled)>),
}

/// Reads the bytes at `at` by the documented primitives; `None` past the end or on a byte the grammar has
/// no meaning for.
struct Spelling<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Spelling<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    /// Unsigned LEB128, at most 10 bytes.
    fn varint(&mut self) -> Option<u64> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(7 * i)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn text(&mut self) -> Option<Spelled> {
        let v = self.varint()?;
        if v & 1 == 1 {
            return Some(Spelled::Reference(v >> 1));
        }
        let len = usize::try_from(v >> 1).ok()?;
        let end = self.at.checked_add(len)?;
        let lit = self.bytes.get(self.at..end)?.to_vec();
        self.at = end;
        Some(Spelled::Literal(lit))
    }

    /// varint zigzag(m) << 4 | s: m · 10^-s (s ≤ 14), or s = 15 and 8 little-endian IEEE-754 bytes.
    fn float(&mut self) -> Option<f64> {
        let v = self.varint()?;
        let s = v & 15;
        if s == 15 {
            let raw: [u8; 8] = self.bytes.get(self.at..self.at + 8)?.try_into().ok()?;
            self.at += 8;
            return Some(f64::from_le_bytes(raw));
        }
        let z = v >> 4;
        let m = (z >> 1) as i64 ^ -((z & 1) as i64);
        format!("{m}e-{s}").parse().ok()
    }

    fn value(&mut self, depth: u32) -> Option<Spelled> {
        if depth > 32 {
            return None;
        }
        Some(match self.byte()? {
            0 => Spelled::Null,
            1 => Spelled::Bool(false),
            2 => Spelled::Bool(true),
            3 => Spelled::Number(self.varint()? as f64),
            4 => Spelled::Number(-(self.varint()? as f64) - 1.0),
            5 => Spelled::Number(self.float()?),
            6 => self.text()?,
            7 => {
                let n = self.varint()?;
                let mut items = Vec::new();
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Spelled::Array(items)
            }
            8 => self.object(depth + 1)?,
            _ => return None,
        })
    }

    fn object(&mut self, depth: u32) -> Option<Spelled> {
        let n = self.varint()?;
        let mut entries = Vec::new();
        for _ in 0..n {
            let key = self.text()?;
            entries.push((Box::new(key), self.value(depth)?));
        }
        entries.sort_by(|a, b| format!("{:?}", a.0).cmp(&format!("{:?}", b.0)));
        Some(Spelled::Object(entries))
    }

    /// The whole column: `count k · k×(varint edge index · object)`, nothing after it.
    fn column(&mut self) -> Option<Vec<(u64, Spelled)>> {
        let k = self.varint()?;
        let mut out = Vec::new();
        for _ in 0..k {
            let edge = self.varint()?;
            out.push((edge, self.object(0)?));
        }
        (self.at == self.bytes.len()).then_some(out)
    }
}

/// The policy column of a v2 payload whose v1 part is `v1_len` bytes, as its bytes spell it.
fn spelled_column(payload: &[u8], v1_len: usize) -> Option<Vec<(u64, Spelled)>> {
    Spelling {
        bytes: payload.get(v1_len..)?,
        at: 0,
    }
    .column()
}

#[test]
fn a_garbled_policy_column_is_refused_not_misread() {
    let t = with_policies();
    let payload = |link: &str| {
        let body = link.strip_prefix("v2.").expect("a v2 link");
        let packed = URL_SAFE_NO_PAD.decode(body).expect("base64url");
        miniz_oxide::inflate::decompress_to_vec_zlib(&packed).expect("zlib")
    };
    let repack = |p: &[u8]| {
        format!(
            "v2.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec_zlib(p, 6))
        )
    };
    let good = payload(&encode(&t));
    let strip = |t: &Topology| {
        let mut plain = t.clone();
        for e in &mut plain.edges {
            (e.timeout_ms, e.retry, e.breaker) = (None, None, None);
        }
        plain
    };
    let v1_len = unpack(&encode(&strip(&t))).len();
    // Every truncation of the policy column is refused.
    for cut in v1_len..good.len() {
        assert!(decode(&repack(&good[..cut])).is_err(), "cut at {cut}");
    }
    // Every byte of the column changed by each single-bit flip and to each of the values 0–15 (every value
    // tag, every small count and index): refused, or read as exactly the diagram those
    // bytes spell. The check for the second: the decoded diagram differs from `t` only in its policies, and
    // its policies, encoded again, spell what the changed bytes spell, read by the grammar alone
    // (`Spelling`): the same edges, keys, texts and numbers. A skipped byte, a value read into the wrong
    // field or edge, a number read wrongly or a field filled in by default would each spell differently.
    // (Re-encoding need not give the same bytes: an integer in a float field, a long decimal form or an
    // over-long varint are other spellings of the same number, which the decoder accepts.)
    assert!(
        spelled_column(&good, v1_len).is_some(),
        "the reader reads the real column"
    );
    let (mut refused, mut read) = (0, 0);
    for i in v1_len..good.len() {
        let flips = (0..8).map(|bit| good[i] ^ (1 << bit));
        let small = (0..16).filter(|&v| v != good[i] && (v ^ good[i]).count_ones() > 1);
        for b in flips.chain(small) {
            let mut p = good.clone();
            p[i] = b;
            match decode(&repack(&p)) {
                Err(_) => refused += 1,
                Ok(back) => {
                    read += 1;
                    assert!(
                        same(&strip(&back), &strip(&t)),
                        "byte {i} = {b:#04x} changed the diagram, not only its policies"
                    );
                    let again = payload(&encode(&back));
                    assert_eq!(&again[..v1_len], &good[..v1_len], "byte {i} = {b:#04x}");
                    let spelled = spelled_column(&p, v1_len);
                    assert!(
                        spelled.is_some(),
                        "byte {i} = {b:#04x}: the decoder accepted bytes the grammar does not allow"
                    );
                    assert_eq!(
                        spelled_column(&again, v1_len),
                        spelled,
                        "byte {i} = {b:#04x} was misread: {:?}",
                        back.edges
                    );
                }
            }
        }
    }
    // Most changes break the structure; the rest are other numbers or names in the same places.
    assert!(refused > read, "{refused} refused, {read} read");
    // A policy naming an edge the link does not have.
    let mut p = good[..v1_len].to_vec();
    p.extend_from_slice(&[0x01, 0x63, 0x00]);
    let err = decode(&repack(&p)).expect_err("edge #99 does not exist");
    assert!(err.to_string().contains("edge #99"), "{err}");
}
