//! The one cross-crate test binary; each concern is a module of its own.

mod breaker;
mod cache;
mod cap;
mod cdn;
mod database;
mod determinism;
mod dns;
mod draw;
mod engine;
mod examples;
mod findings;
mod fuzz;
mod limits;
mod live;
mod messaging;
mod rate_limiter;
mod regions;
mod resilience;
mod robustness;
mod runner;
mod scenarios;
mod share;
mod theory;
mod tidy;
mod validation;
mod watch;
