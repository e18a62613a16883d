//! The cost of security: a password hash's work factor is CPU time per login, so a saturated login endpoint
//! serves `workers` ÷ (service + hash time) logins a second.

use playground_core::{Topology, run};
use serde_json::json;

/// Logins at 400/s against 4 workers, every time constant (1 ms of work, links 0.5 ms): the endpoint is
/// saturated for every hash time tried, so its workers never idle and it serves exactly W ÷ (S + H) a
/// second: 4 ÷ 11 ms = 363.6/s at H = 10 ms, 4 ÷ 51 ms = 78.4/s at 50 ms, 4 ÷ 251 ms = 15.9/s at 250 ms
/// (bcrypt's cost 10 to 12, roughly). Tolerance 1 %: the window's two ends cut one service each per worker.
#[test]
fn a_saturated_login_endpoint_serves_workers_over_hash_time_logins_a_second() {
    let (workers, service_ms) = (4.0, 1.0);
    for hash_ms in [10.0, 50.0, 250.0] {
        let t = json!({
            "settings": {"seed": 1, "duration_s": 60, "warmup_s": 5, "series_interval_s": 0, "trace_capacity": 0},
            "nodes": [
                {"id": "users", "kind": "client", "params": {"rate": 400, "arrival": {"type": "constant"}}},
                {"id": "login", "kind": "server", "params": {"workers": 4, "queue_capacity": 50,
                    "service_time": {"type": "constant", "ms": service_ms}, "password_hash_ms": hash_ms}}
            ],
            "edges": [{"from": "users", "to": "login"}]
        });
        let r = run(&Topology::from_json(&t.to_string()).expect("parses")).expect("valid");
        let window = r.duration_s - r.warmup_s;
        let per_s = r.nodes["login"].served as f64 / window;
        let predicted = workers / ((service_ms + hash_ms) / 1000.0);
        assert!(
            (per_s - predicted).abs() <= 0.01 * predicted,
            "hash {hash_ms} ms: {per_s:.2} logins/s, predicted {predicted:.2}"
        );
        assert!(r.nodes["login"].utilization > 0.99, "saturated");
    }
}
