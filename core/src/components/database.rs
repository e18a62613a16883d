//! The database: a server preset. Its workers are the connection pool, its service time a few milliseconds
//! per query, and it calls nothing further. Its state machine is the server's.

use crate::components::ServerParams;
use crate::dist::Dist;

/// Database defaults: a pool of 10 connections, exponential queries with mean 3 ms, 1000 waiting.
pub fn default_params() -> ServerParams {
    ServerParams {
        workers: 10,
        queue_capacity: Some(1000),
        service_time: Dist::Exponential { mean_ms: 3.0 },
        error_probability: 0.0,
        speed: 1.0,
        blocking_calls: true,
    }
}
