//! System Design Playground core: the platform-neutral model, engine and metrics.
//!
//! Nothing in this crate touches the browser, a clock or an OS random source, so it builds for native and
//! `wasm32-unknown-unknown` alike and its results are reproducible bit for bit.

/// The product name shown in the page header and in the runner's output.
pub const PRODUCT_NAME: &str = "System Design Playground";

/// The crate version, shown in the page footer and reported by the runner.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod animation;
pub mod answered;
pub mod challenges;
mod checks;
pub mod compare;
pub mod components;
pub mod content;
pub mod cost;
pub mod curriculum;
mod digest;
pub mod dist;
pub mod editor;
pub mod explain;
pub mod fixtures;
pub mod ids;
pub mod limits;
pub mod marks;
mod metrics;
pub mod outcomes;
pub mod playback;
pub mod regions;
pub mod replicate;
pub mod report;
pub mod request;
pub mod resilience;
pub mod rng;
pub mod runner;
pub mod scenarios;
pub mod security;
pub mod share;
pub mod sim;
pub mod sorting;
pub mod stats;
pub mod sweep;
mod tagged;
pub mod time;
pub mod topology;
pub mod trace;
pub mod validate;
pub mod vocab;
pub mod waterfall;

pub use components::{Category, KINDS, Kind, KindInfo, Params, parse_params};
pub use dist::Dist;
pub use ids::{EdgeIdx, NodeIdx, RequestId};
pub use report::Report;
pub use sim::{BuildError, FaultError, MemoryUse, NodeGauge, PartitionView, RunProgress, Sim, run};
pub use time::SimTime;
pub use topology::{Edge, Fault, FaultAction, Node, Position, Settings, Topology};
pub use trace::{HopClass, HopOutcome, HopRecord, Trace};
pub use validate::{Diagnostic, Severity, Subject, validate};
