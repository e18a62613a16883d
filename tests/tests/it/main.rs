//! The one cross-crate test binary; each concern is a module of its own.

mod breaker;
mod cache;
mod cap;
mod cdn;
mod database;
mod determinism;
mod dns;
mod engine;
mod examples;
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
