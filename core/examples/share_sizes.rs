//! Prints the share-link length of generated diagrams of 10, 60 and 200 nodes, for `BENCHMARKS.md`:
//! `cargo run -p playground-core --example share_sizes`.

use playground_core::share::{
    SHARE_BUDGET_CHARS, SHARE_WARN_CHARS, sample_diagram, share_url_fragment,
};

fn main() {
    println!("| nodes | edges | JSON (compact) | fragment `#d=v1.…` | within |");
    println!("|---|---|---|---|---|");
    for (nodes, edges) in [(10, 30), (60, 240), (200, 800)] {
        let t = sample_diagram(nodes, edges);
        let json = serde_json::to_string(&t)
            .expect("a topology serialises")
            .len();
        let link = share_url_fragment(&t).chars().count();
        let within = if link <= SHARE_BUDGET_CHARS {
            "budget (2,000)"
        } else if link <= SHARE_WARN_CHARS {
            "warning threshold (8,000)"
        } else {
            "over the warning threshold"
        };
        println!(
            "| {} | {} | {json} chars | {link} chars | {within} |",
            t.nodes.len(),
            t.edges.len()
        );
    }
}
