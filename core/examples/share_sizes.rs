//! Prints the share-link length of generated diagrams of 10, 60, 200 and 1,000 nodes, for `BENCHMARKS.md`:
//! `cargo run -p playground-core --example share_sizes`. For comparison it also prints what the plain JSON
//! would take, raw and compressed the same way, which is what the binary layout has to beat.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use playground_core::share::{
    SHARE_BUDGET_CHARS, SHARE_WARN_CHARS, sample_diagram, share_url_fragment,
};

fn main() {
    println!(
        "| nodes | edges | JSON | JSON + zlib + base64url | fragment `#d=v1.…` | against the limits |"
    );
    println!("|---|---|---|---|---|---|");
    for (nodes, edges) in [(10, 30), (60, 240), (200, 800), (1000, 4000)] {
        let t = sample_diagram(nodes, edges);
        let json = serde_json::to_string(&t).expect("a topology serialises");
        let json_zlib = URL_SAFE_NO_PAD
            .encode(miniz_oxide::deflate::compress_to_vec_zlib(
                json.as_bytes(),
                10,
            ))
            .len();
        let link = share_url_fragment(&t).chars().count();
        let verdict = if link <= SHARE_BUDGET_CHARS {
            "within the 2,000 budget"
        } else if link <= SHARE_WARN_CHARS {
            "over 2,000, no warning (≤ 8,000)"
        } else {
            "opens; the UI warns (> 8,000)"
        };
        println!(
            "| {} | {} | {} chars | {json_zlib} chars | **{link} chars** | {verdict} |",
            t.nodes.len(),
            t.edges.len(),
            json.len()
        );
    }
}
