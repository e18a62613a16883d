//! Share links: a whole diagram (topology, seed, settings) in the URL fragment, and back.
//!
//! ```text
//!  Topology ──v1 layout──> bytes ──zlib (deflate + adler-32)──> bytes ──base64url──> "v1.<text>"
//!  (v2 layout when an edge has a call policy, v3 when one is hedged, v4 with a bandwidth)  │
//!  location.hash = "#d=v1.<text>"  <──────────────────────────────────────────────────┘
//! ```
//!
//! [`encode`] never fails. [`decode`] takes anything a user can paste and either returns the diagram or a
//! [`ShareError`] whose message tells the user what to do; it never panics, reads at most
//! [`MAX_LINK_CHARS`] characters, inflates at most [`MAX_DECOMPRESSED_BYTES`], and builds at most
//! [`MAX_DECODED_MEMORY`] of diagram. The UI should decode first and only then replace the current diagram, so
//! a bad link loses nothing. The format and the reasons behind each choice are in `docs/share-format.md`.
//!
//! Architecture invariant: a released version keeps decoding forever. `v1` is frozen (a test decodes a link
//! made when it shipped); `v2` (v1 plus edges' call policies) ships beside it and is written only for diagrams
//! that need it, so a v1 diagram's link never changes; `v3` (v2 whose policies may hold a hedge) likewise
//! only for a diagram with a hedged edge; `v4` (v3 whose per-edge objects may hold a bandwidth) only for a
//! diagram with a bandwidth on some edge; [`decode`] dispatches on the prefix.

mod extras;
mod sample;
mod v1;
mod v2;
mod v3;
mod v4;
mod wire;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

use crate::topology::Topology;

pub use sample::sample_diagram;

/// The newest share format version [`encode`] writes (v1 for a diagram without call policies and v2 for one
/// without hedges, whose links stay as they were).
pub const SHARE_VERSION: u32 = 3;

/// A 60-node, 240-edge diagram's fragment fits in this many characters [chars] (a test holds us to it).
pub const SHARE_BUDGET_CHARS: usize = 2_000;

/// Past this fragment length the UI warns that some chat apps and browsers may cut the link [chars].
pub const SHARE_WARN_CHARS: usize = 8_000;

/// Longest fragment [`decode`] reads [chars]; 1 MB, far beyond any real diagram, refused before any work.
pub const MAX_LINK_CHARS: usize = 1_000_000;

/// Most bytes decompression may produce [bytes], 4 MiB; a 200-node diagram needs about 10 KiB. It stops a
/// "zip bomb" link from taking the tab's memory.
pub const MAX_DECOMPRESSED_BYTES: usize = 4 << 20;

/// Most memory the decoded diagram may take [bytes, estimated from sizes of strings and structs], 32 MiB; with
/// back-references, a few bytes of payload can stand for much more in memory, so this is capped separately.
pub const MAX_DECODED_MEMORY: usize = 32 << 20;

/// The fragment key of a diagram: `#d=v1.…`.
pub const DIAGRAM_KEY: &str = "d";

/// The fragment key of a built-in scenario: `#scenario=three-tier`.
pub const SCENARIO_KEY: &str = "scenario";

/// deflate effort, 0–10: the maximum, since links are made on a click and a few more milliseconds buy bytes.
const COMPRESSION_LEVEL: u8 = 10;

/// Why a link did not open. The `Display` text is meant for the user, in lowercase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// Nothing after `#d=`.
    Empty,
    /// Longer than [`MAX_LINK_CHARS`].
    TooLong {
        /// the link's length [chars]
        chars: usize,
    },
    /// No `v<number>.` prefix: not something the Share button made.
    NotAShareLink,
    /// A `v<number>.` prefix of a version that never existed (`v0`).
    UnknownVersion {
        /// the version named
        version: u32,
    },
    /// A version newer than this build reads: the link came from a newer playground.
    NewerVersion {
        /// the version named
        version: u32,
    },
    /// A character base64url does not have, such as `+`, `/`, `%` or `=`.
    NotBase64 {
        /// position of the first bad character in the part after the version [chars]
        at: usize,
    },
    /// The link ends before the diagram does: it was cut when copied.
    Truncated,
    /// The compressed data is corrupt or its checksum does not match: some characters were changed.
    Damaged,
    /// It would inflate past [`MAX_DECOMPRESSED_BYTES`] or build more than [`MAX_DECODED_MEMORY`].
    TooLarge,
    /// It decompressed and checks out, but the bytes are not a diagram (hand-made, or a bug).
    Garbled(String),
    /// It is a diagram, but one the playground cannot show (an edge to a node that does not exist).
    InvalidTopology(String),
    /// It holds more nodes, edges or faults than a diagram may have (`docs/limits.md`); refused as soon as the
    /// count is read, before the diagram is built.
    OverLimit(String),
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShareError::Empty => write!(f, "this link holds no diagram — copy it again in full"),
            ShareError::TooLong { chars } => write!(
                f,
                "this link is too long to open ({chars} characters; the most a link may have is \
                 {MAX_LINK_CHARS})"
            ),
            ShareError::NotAShareLink => {
                write!(
                    f,
                    "this is not a playground share link — it was not made by the share button"
                )
            }
            ShareError::UnknownVersion { version } => write!(
                f,
                "this link names a format version (v{version}) that never existed — it was not made by the \
                 share button"
            ),
            ShareError::NewerVersion { version } => write!(
                f,
                "this link was made by a newer version of the playground (format v{version}; this one reads up \
                 to v{SHARE_VERSION}) — reload the page to update"
            ),
            ShareError::NotBase64 { at } => write!(
                f,
                "this link was altered on the way: it has a character a share link never has (at position \
                 {at}) — copy it again"
            ),
            ShareError::Truncated => write!(f, "this link is cut short — copy it again in full"),
            ShareError::Damaged => write!(
                f,
                "this link is damaged: some characters were changed on the way — copy it again"
            ),
            ShareError::TooLarge => write!(
                f,
                "this link unpacks to far more data than any diagram needs, so it was not opened"
            ),
            ShareError::Garbled(what) => write!(
                f,
                "this link does not hold a valid diagram ({what}) — it may have been edited by hand"
            ),
            ShareError::OverLimit(what) => write!(
                f,
                "this link holds a larger diagram than the playground opens ({what}), so it was not opened"
            ),
            ShareError::InvalidTopology(what) => {
                write!(
                    f,
                    "this link describes a diagram that cannot be shown: {what}"
                )
            }
        }
    }
}

impl std::error::Error for ShareError {}

/// The fragment payload for `t` (without `#d=`): `v1.` and the base64url of the zlib-compressed v1 layout.
/// Lossless: `decode(&encode(&t)) == Ok(t)` for every topology with unique non-empty node ids and finite
/// positions (what the editor makes), bit for bit in every float.
pub fn encode(t: &Topology) -> String {
    let (version, payload) = if v4::needed(t) {
        (4, v4::encode(t))
    } else if v3::needed(t) {
        (3, v3::encode(t))
    } else if v2::needed(t) {
        (2, v2::encode(t))
    } else {
        (1, v1::encode(t))
    };
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&payload, COMPRESSION_LEVEL);
    format!("v{version}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// The diagram in a fragment payload (`v1.…`, with or without a leading `#d=` or `#`). ASCII whitespace is
/// ignored, since mail and chat clients wrap long links. Never panics; see [`ShareError`] for every refusal.
pub fn decode(fragment: &str) -> Result<Topology, ShareError> {
    if fragment.len() > MAX_LINK_CHARS {
        return Err(ShareError::TooLong {
            chars: fragment.chars().count(),
        });
    }
    let text: String = fragment
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let text = text.strip_prefix('#').unwrap_or(&text);
    let text = text
        .strip_prefix(DIAGRAM_KEY)
        .and_then(|t| t.strip_prefix('='))
        .unwrap_or(text);
    if text.is_empty() {
        return Err(ShareError::Empty);
    }
    let (version, body) = split_version(text)?;
    match version {
        0 => Err(ShareError::UnknownVersion { version }),
        1..=4 => {
            let bytes = unpack(body)?;
            let t = match version {
                1 => v1::decode(&bytes, MAX_DECODED_MEMORY)?,
                2 => v2::decode(&bytes, MAX_DECODED_MEMORY)?,
                3 => v3::decode(&bytes, MAX_DECODED_MEMORY)?,
                _ => v4::decode(&bytes, MAX_DECODED_MEMORY)?,
            };
            check_structure(&t)?;
            Ok(t)
        }
        _ => Err(ShareError::NewerVersion { version }),
    }
}

/// `#d=` and [`encode`]'s payload: what the Share button puts in `location.hash`.
pub fn share_url_fragment(t: &Topology) -> String {
    format!("#{DIAGRAM_KEY}={}", encode(t))
}

/// `#scenario=<name>`, with characters outside `[A-Za-z0-9-_.~]` percent-encoded.
pub fn scenario_url_fragment(name: &str) -> String {
    let mut out = format!("#{SCENARIO_KEY}=");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a fragment is long enough for the UI to warn that it may be cut ([`SHARE_WARN_CHARS`]).
pub fn is_long(fragment: &str) -> bool {
    fragment.chars().count() > SHARE_WARN_CHARS
}

/// What a page's `location.hash` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fragment {
    /// A shared diagram: the payload to give to [`decode`] (`v1.…`), not yet checked.
    Diagram(String),
    /// A built-in scenario by name (percent-decoded), not yet looked up.
    Scenario(String),
    /// Nothing the playground knows: open the autosaved diagram or the gallery as usual.
    None,
}

impl Fragment {
    /// Reads a `location.hash` such as `#d=v1.eNo…`, `#scenario=three-tier`, or `""`. A bare `#v1.…` (the
    /// key lost in copying) is still a diagram. Anything else is [`Fragment::None`].
    pub fn parse(hash: &str) -> Fragment {
        let body = hash.strip_prefix('#').unwrap_or(hash);
        let (key, value) = body.split_once('=').unwrap_or(("", body));
        if key == DIAGRAM_KEY {
            Fragment::Diagram(value.to_string())
        } else if key == SCENARIO_KEY {
            Fragment::Scenario(percent_decode(value))
        } else if key.is_empty() && split_version(value).is_ok() {
            Fragment::Diagram(value.to_string())
        } else {
            Fragment::None
        }
    }
}

/// `%XX` sequences decoded; a malformed one, or bytes that are not UTF-8, are kept or replaced rather than
/// refused, since a scenario name is only looked up, never trusted.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| bytes.get(j).and_then(|&b| char::from(b).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                // Two hex digits make at most 255.
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `v<digits>.<rest>` split into the version and the rest. A prefix of such a header (`v`, `v1`, `v1`
/// without the dot) is a cut link; anything else is not a share link.
fn split_version(text: &str) -> Result<(u32, &str), ShareError> {
    let Some(after_v) = text.strip_prefix('v') else {
        return Err(ShareError::NotAShareLink);
    };
    let digits = after_v.bytes().take_while(u8::is_ascii_digit).count();
    let (number, rest) = after_v.split_at(digits);
    // At most 9 digits, no leading zero: `v01.` and `v99999999999.` are not versions anyone wrote.
    if digits > 9 || (digits > 1 && number.starts_with('0')) {
        return Err(ShareError::NotAShareLink);
    }
    if rest.is_empty() {
        return Err(ShareError::Truncated);
    }
    let Some(body) = rest.strip_prefix('.') else {
        return Err(ShareError::NotAShareLink);
    };
    let version = number
        .parse::<u32>()
        .map_err(|_| ShareError::NotAShareLink)?;
    Ok((version, body))
}

/// base64url, then zlib inflate capped at [`MAX_DECOMPRESSED_BYTES`], with the adler-32 checksum checked and
/// nothing allowed after the compressed stream.
fn unpack(body: &str) -> Result<Vec<u8>, ShareError> {
    if body.is_empty() {
        return Err(ShareError::Truncated);
    }
    if let Some(at) = body
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(ShareError::NotBase64 { at });
    }
    let packed = URL_SAFE_NO_PAD.decode(body).map_err(|e| match e {
        // Only the alphabet was checked above; a length of 4k+1, or stray low bits in the last character,
        // is what cutting a link at an arbitrary character produces.
        base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidLastSymbol { .. } => {
            ShareError::Truncated
        }
        base64::DecodeError::InvalidByte(at, _) => ShareError::NotBase64 { at },
        base64::DecodeError::InvalidPadding => ShareError::NotBase64 { at: body.len() },
    })?;
    inflate(&packed)
}

/// Inflates a zlib stream into at most [`MAX_DECOMPRESSED_BYTES`]. Written out rather than calling
/// `decompress_to_vec_zlib_with_limit` because that one ignores bytes after the stream's end, and a link with
/// garbage appended should not open as if it were whole.
fn inflate(input: &[u8]) -> Result<Vec<u8>, ShareError> {
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_COMPUTE_ADLER32
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let mut out = vec![
        0u8;
        input
            .len()
            .saturating_mul(4)
            .clamp(64, MAX_DECOMPRESSED_BYTES)
    ];
    let mut state = Box::<DecompressorOxide>::default();
    let mut in_pos = 0;
    let mut out_pos = 0;
    loop {
        let rest = input.get(in_pos..).unwrap_or_default();
        let (status, consumed, produced) = decompress(&mut state, rest, &mut out, out_pos, flags);
        in_pos = in_pos.saturating_add(consumed);
        out_pos = out_pos.saturating_add(produced);
        match status {
            TINFLStatus::Done => {
                if in_pos < input.len() {
                    return Err(ShareError::Damaged);
                }
                out.truncate(out_pos);
                return Ok(out);
            }
            TINFLStatus::HasMoreOutput => {
                if out.len() >= MAX_DECOMPRESSED_BYTES {
                    return Err(ShareError::TooLarge);
                }
                let grown = out.len().saturating_mul(2).min(MAX_DECOMPRESSED_BYTES);
                out.resize(grown, 0);
            }
            // The input ended before the stream did.
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                return Err(ShareError::Truncated);
            }
            _ => return Err(ShareError::Damaged),
        }
    }
}

/// What the editor cannot show no matter what the user does next: empty or repeated node ids (cards are
/// selected and connected by id) and positions that are not finite numbers (the card would be nowhere). Other
/// problems — unknown kinds, bad parameters, dangling edges — are diagnostics the editor shows, as for a
/// diagram loaded from JSON, so a half-built diagram still shares.
pub(crate) fn check_structure(t: &Topology) -> Result<(), ShareError> {
    if let Some(m) = crate::limits::check_counts(t.nodes.len(), t.edges.len(), t.faults.len()) {
        return Err(ShareError::OverLimit(m));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, n) in t.nodes.iter().enumerate() {
        if n.id.is_empty() {
            return Err(ShareError::InvalidTopology(format!("node #{i} has no id")));
        }
        if !seen.insert(n.id.as_str()) {
            return Err(ShareError::InvalidTopology(format!(
                "two nodes are called `{}`",
                n.id
            )));
        }
        if !(n.position.x.is_finite() && n.position.y.is_finite()) {
            return Err(ShareError::InvalidTopology(format!(
                "node `{}` has no valid position",
                n.id
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn examples_round_trip_exactly() {
        for t in [fixtures::mm1(), fixtures::mmc(), fixtures::three_tier()] {
            let link = encode(&t);
            assert!(link.starts_with("v1."), "{link}");
            assert_eq!(decode(&link), Ok(t.clone()), "{}", t.name);
            assert_eq!(decode(&share_url_fragment(&t)), Ok(t));
        }
    }

    #[test]
    fn empty_diagram_round_trips() {
        let t = Topology::default();
        assert_eq!(decode(&encode(&t)), Ok(t));
    }

    #[test]
    fn version_prefixes_are_classified() {
        assert_eq!(decode(""), Err(ShareError::Empty));
        assert_eq!(decode("#d="), Err(ShareError::Empty));
        assert_eq!(decode("v"), Err(ShareError::Truncated));
        assert_eq!(decode("v1"), Err(ShareError::Truncated));
        assert_eq!(decode("v1."), Err(ShareError::Truncated));
        assert_eq!(
            decode("v0.eJwDAAAAAAE"),
            Err(ShareError::UnknownVersion { version: 0 })
        );
        assert_eq!(
            decode("v5.AAAA"),
            Err(ShareError::NewerVersion { version: 5 })
        );
        assert_eq!(
            decode("v999999999.x"),
            Err(ShareError::NewerVersion {
                version: 999_999_999
            })
        );
        assert_eq!(decode("v01.AAAA"), Err(ShareError::NotAShareLink));
        assert_eq!(decode("v1x.AAAA"), Err(ShareError::NotAShareLink));
        assert_eq!(decode("hello"), Err(ShareError::NotAShareLink));
    }

    #[test]
    fn whitespace_from_wrapped_links_is_ignored() {
        let t = fixtures::three_tier();
        let link = encode(&t);
        let (a, b) = link.split_at(link.len() / 2);
        assert_eq!(decode(&format!(" {a}\n  {b}\r\n")), Ok(t));
    }

    #[test]
    fn fragments_are_told_apart() {
        assert_eq!(Fragment::parse(""), Fragment::None);
        assert_eq!(Fragment::parse("#"), Fragment::None);
        assert_eq!(
            Fragment::parse("#d=v1.abc"),
            Fragment::Diagram("v1.abc".into())
        );
        assert_eq!(
            Fragment::parse("#v1.abc"),
            Fragment::Diagram("v1.abc".into())
        );
        assert_eq!(Fragment::parse("#d="), Fragment::Diagram(String::new()));
        assert_eq!(
            Fragment::parse("#scenario=three-tier"),
            Fragment::Scenario("three-tier".into())
        );
        assert_eq!(
            Fragment::parse(&scenario_url_fragment("cache & db/ü")),
            Fragment::Scenario("cache & db/ü".into())
        );
        assert_eq!(
            Fragment::parse("#scenario=%zz%4"),
            Fragment::Scenario("%zz%4".into())
        );
        assert_eq!(Fragment::parse("#section-2"), Fragment::None);
        assert_eq!(Fragment::parse("#x=v1.abc"), Fragment::None);
    }

    #[test]
    fn long_links_are_flagged_past_the_warning_threshold() {
        assert!(!is_long(&"a".repeat(SHARE_WARN_CHARS)));
        assert!(is_long(&"a".repeat(SHARE_WARN_CHARS + 1)));
    }

    /// Version 1 as released. This literal was produced once by `encode` from the topology below and pasted
    /// here; it must never be regenerated or edited. Links already shared in chats, docs and bookmarks carry
    /// exactly these bytes, and they have to keep opening to the same diagram after every change to the
    /// encoder, the layout code or the dependencies. If this test fails, the change broke released links: fix
    /// the decoder (or put the change in a new version), never this string.
    const FROZEN_V1: &str = "v1.eNoVjj1Ow0AYRPfP9hKhJI4iFAUkIkSRBgkETSpAQtyA2qztD2sVe9es1yGm8h3SUuCSW0SipuICQMUBOAD2tDN68_Do1uhnULPV2YZ6W48T8Y0RqnuDi_Mun5dsN0olKItZGuLdAswKDGVxiOg01SIOQpEKFYHxhrGwIhQF9O7aVYEQ4td5PnMmN1qp9zcoZj8vG-T7DEp_zOenc9x88OMaE8KNsEDXUwMt78GIyEqtnIbgYWG7KqncPaNLFQdGh1KRSWchIwiszIDTUQaxFCrICjroFTLJhNNgbqsc3HGqk0Bpk4m0_6TNsvWijHKlLXgexQwT7JK180s5JksPHTyWUEIQiVxE0lZo3B3o0rZop_6jDsIEEUwoYb1EKzjxOdsfTvq5kZkwFSKwg66OqLNtV80hXaDaIfT-1cXky2UL9A__KWVS";

    /// The diagram `FROZEN_V1` was made from, touching every part of the layout: one node of each kind,
    /// non-default settings (one float stored raw), a fractional and a negative position, labels with and
    /// without counters and beyond ASCII, parameters of every JSON type (integer, negative, float, integral
    /// float, null, bool, string, list, object), edge ids in all four modes, every link override, an edge to
    /// a node that does not exist, and every fault type.
    fn frozen_v1_topology() -> Topology {
        use crate::dist::Dist;
        use crate::topology::{Edge, Fault, FaultAction, Node, Position};
        use serde_json::json;
        let mut t = Topology {
            name: "Frozen v1".into(),
            ..Topology::default()
        };
        t.settings.seed = 7;
        t.settings.duration_s = 30.0;
        t.settings.link.latency = Dist::Uniform {
            min_ms: 0.3,
            max_ms: 0.7,
        };
        t.settings.inter_region_link.loss = 0.1 + 0.2;
        t.settings.hop_limit = 8;
        let mut users = Node::new("client1", "client")
            .with("rate", json!(120))
            .with("read_fraction", json!(0.9));
        users.label = "Users".into();
        users.position = Position { x: 40.0, y: 200.0 };
        let mut lb = Node::new("lb1", "load_balancer").with("strategy", json!("round_robin"));
        lb.position = Position { x: 240.0, y: 200.0 };
        let mut app = Node::new("server2", "server")
            .with("workers", json!(4))
            .with(
                "service_time",
                json!({"type": "log_normal", "median_ms": 15, "sigma": 0.5}),
            );
        app.label = "App 3".into();
        app.region = "eu".into();
        app.position = Position { x: 440.5, y: 180.0 };
        let mut db = Node::new("db", "database")
            .with("queue_capacity", json!(null))
            .with("timeout_ms", json!(2000.0))
            .with("note", json!([1, -2, true, false, "x", 1.5e-7, {"k": []}]));
        db.label = "Données ✓".into();
        db.position = Position { x: 640.0, y: -20.0 };
        t.nodes = vec![users, lb, app, db];
        let mut e1 = Edge::new("client1", "lb1");
        e1.id = "client1-lb1".into();
        let mut e2 = Edge::new("lb1", "server2");
        e2.weight = Some(3);
        let mut e3 = Edge::new("server2", "db");
        e3.id = "primary".into();
        e3.latency = Some(Dist::Constant { ms: 2.0 });
        e3.loss = Some(0.01);
        let mut e4 = Edge::new("client1", "server2");
        e4.id = "client1->server2".into();
        let mut e5 = Edge::new("server2", "gone-9");
        e5.id = "e5".into();
        t.edges = vec![e1, e2, e3, e4, e5];
        t.faults = vec![
            Fault {
                at_s: 10.0,
                action: FaultAction::Kill {
                    node: "server2".into(),
                },
            },
            Fault {
                at_s: 12.5,
                action: FaultAction::CutLink {
                    edge: "primary".into(),
                },
            },
            Fault {
                at_s: 20.0,
                action: FaultAction::Slow {
                    node: "db".into(),
                    factor: 3.0,
                },
            },
            Fault {
                at_s: 25.0,
                action: FaultAction::Revive {
                    node: "server2".into(),
                },
            },
            Fault {
                at_s: 27.0,
                action: FaultAction::HealLink {
                    edge: "primary".into(),
                },
            },
        ];
        t
    }

    #[test]
    fn frozen_v1_link_decodes_forever() {
        let t = frozen_v1_topology();
        assert_eq!(decode(FROZEN_V1), Ok(t.clone()));
        // The float stored raw must come back with the very same bits, not merely an equal value.
        let back = decode(FROZEN_V1).map(|b| b.settings.inter_region_link.loss.to_bits());
        assert_eq!(back, Ok((0.1f64 + 0.2).to_bits()));
    }
}
