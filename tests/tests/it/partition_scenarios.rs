//! The vertical-partitioning scenario ("Vertical partitioning: hot columns apart"): every number its text
//! claims, on every seed of `scenarios::SEEDS`, worded as `scenarios.rs` words its claims ("about x": within
//! 10 %; "over", "under": strictly), the page arithmetic to 1 %, and each try-this change run for the effect
//! it promises.

use playground_core::Report;
use serde_json::json;

use crate::scenarios::{Claims, SEEDS, check_claims, variant};

/// Rows in each table and the preset's constants [ms]: a read's fixed cost, a page's.
const ROWS: u64 = 10_000;
const READ_MS: f64 = 0.5;
const PAGE_MS: f64 = 0.01;

/// Pages a scan of [`ROWS`] rows `width` bytes wide reads: ⌈rows ÷ ⌊8192 ÷ width⌋⌉.
fn pages(width: u64) -> u64 {
    ROWS.div_ceil(8192 / width)
}

/// "In one table an 8 KB page holds 4 rows, so a scan reads 2,500 pages and takes 0.5 + 25 = 25.5 ms, the
/// database busy about 25 % of the time; with the 200 hot bytes in a table of their own a page holds 40 rows,
/// a scan reads 250 pages and takes 3.0 ms, busy about 3 %. The 22.5 ms between them is the 2,250 pages the
/// split table does not read, at 0.01 ms a page."
///
/// The arithmetic: 2048-byte rows, ⌊8192 ÷ 2048⌋ = 4 a page, ⌈10 000 ÷ 4⌉ = 2500 pages, 0.5 + 2500 × 0.01 =
/// 25.5 ms; 200-byte rows, ⌊8192 ÷ 200⌋ = 40 a page, ⌈10 000 ÷ 40⌉ = 250 pages, 0.5 + 2.5 = 3.0 ms; the
/// difference (2500 − 250) × 0.01 = 22.5 ms. Reads only (the tables keep their 10 000 rows), constant shape
/// (a scan takes exactly its cost), 100 a second on 10 workers: 2.55 busy workers of 10 at most, so the
/// Erlang-C wait is far below 1 % of a scan, and each mean time and the difference are checked to 1 %. The
/// utilisation is 100/s × the scan ÷ 10 workers: 0.255 and 0.03, "about" within 10 %.
pub(crate) fn vertical_partition(r: &Report, c: &mut Claims) {
    let (wide, hot) = (pages(2048), pages(200));
    c.check(
        (8192 / 2048, wide, 8192 / 200, hot) == (4, 2500, 40, 250),
        "4 rows a page, 2500 pages; 40 rows a page, 250 pages",
        format!("{wide} and {hot} pages"),
    );
    let (wide_ms, hot_ms) = (
        READ_MS + PAGE_MS * wide as f64,
        READ_MS + PAGE_MS * hot as f64,
    );
    let (measured_wide, measured_hot) = (
        r.nodes["db-wide"].mean_time_ms,
        r.nodes["db-split"].mean_time_ms,
    );
    for (what, measured, stated) in [
        ("one table: mean time [ms]", measured_wide, 25.5),
        ("split: mean time [ms]", measured_hot, 3.0),
        (
            "mean time difference [ms]",
            measured_wide - measured_hot,
            22.5,
        ),
    ] {
        c.check(
            (measured - stated).abs() <= 0.01 * stated,
            what,
            format!("{measured:.4} vs {stated} (pages: {wide_ms} and {hot_ms} ms)"),
        );
    }
    c.check(
        (wide_ms - hot_ms - PAGE_MS * (wide - hot) as f64).abs() < 1e-9 && wide - hot == 2250,
        "the difference is 2250 pages at 0.01 ms",
        format!("{wide_ms} − {hot_ms}"),
    );
    c.about(
        "one table: utilisation",
        r.nodes["db-wide"].utilization,
        0.25,
    );
    c.about("split: utilisation", r.nodes["db-split"].utilization, 0.03);
}

#[test]
fn splitting_the_hot_columns_apart_cuts_a_scans_pages_tenfold() {
    check_claims("vertical-partition", vertical_partition);
}

/// Try: `hot_bytes` 1000 puts ⌊8192 ÷ 1000⌋ = 8 rows a page, ⌈10 000 ÷ 8⌉ = 1250 pages, 0.5 + 12.5 = 13 ms
/// ("about 13 ms": within 10 %). Rate 350 on the one table: 350 × 25.5 ms = 8.925 busy workers of 10 ("about
/// 90 %"), the Erlang-C wait lifts the mean "over 30 ms"; the split table at 350 a second is 350 × 3 ms ÷ 10 =
/// 0.105 busy ("about 10 %").
#[test]
fn the_vertical_partition_try_this_changes_do_what_they_say() {
    for seed in SEEDS {
        let r = variant(
            "vertical-partition",
            seed,
            "db-split",
            "hot_bytes",
            json!(1000),
        );
        assert_eq!(pages(1000), 1250);
        let m = r.nodes["db-split"].mean_time_ms;
        assert!(
            (m - 13.0).abs() <= 1.3,
            "seed {seed}: hot_bytes 1000: {m} ms"
        );
        let r = variant(
            "vertical-partition",
            seed,
            "readers-wide",
            "rate",
            json!(350),
        );
        let n = &r.nodes["db-wide"];
        assert!(
            (n.utilization - 0.9).abs() <= 0.09,
            "seed {seed}: rate 350: utilisation {}",
            n.utilization
        );
        assert!(
            n.mean_time_ms > 30.0,
            "seed {seed}: rate 350: {} ms",
            n.mean_time_ms
        );
        let r = variant(
            "vertical-partition",
            seed,
            "readers-split",
            "rate",
            json!(350),
        );
        let u = r.nodes["db-split"].utilization;
        assert!((u - 0.1).abs() <= 0.01, "seed {seed}: split at 350: {u}");
    }
}
