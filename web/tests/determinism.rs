//! Browser test of the determinism contract: the wasm build, in Chromium, computes the same report digest for
//! the shipped three-tier example as the native build pins in `playground_core::fixtures::THREE_TIER_DIGEST`.
#![cfg(target_arch = "wasm32")]

use playground_core::{Sim, SimTime, fixtures, run};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn three_tier_digest_in_the_browser_equals_the_native_digest() {
    let report = run(&fixtures::three_tier()).expect("the example builds");
    assert!(report.requests.sent > 0, "the run sent nothing");
    assert_eq!(
        report.digest(),
        fixtures::THREE_TIER_DIGEST,
        "the wasm build's numbers differ from the native build's: {}",
        report.to_table()
    );
}

#[wasm_bindgen_test]
fn frame_sized_steps_in_the_browser_give_the_same_digest() {
    // The page advances the simulation a frame at a time with an event budget; that must not change numbers.
    let mut sim = Sim::new(&fixtures::three_tier()).expect("the example builds");
    let mut t = SimTime::ZERO;
    while !sim.is_finished() {
        t = SimTime::from_nanos(t.as_nanos() + 16_700_000);
        sim.run_until(t, 500);
    }
    assert_eq!(sim.report().digest(), fixtures::THREE_TIER_DIGEST);
}
