//! System Design Playground front end: thin Yew views over `playground-core`.
//!
//! Views translate DOM events into typed actions and render state; every rule about diagrams and
//! simulations lives in the core crate.

pub mod app;
pub mod canvas;
pub mod files;
pub mod gallery;
pub mod icons;
pub mod inspector;
pub mod live;
pub mod overlay;
pub mod palette;
pub mod panic;
pub mod restore;
pub mod run;
pub mod session;
pub mod share_ui;
pub mod shell;
pub mod state;
pub mod tabs;

pub use app::App;

/// Mounts the app on the document body. Called once by the binary.
pub fn start() {
    panic::install();
    yew::Renderer::<App>::new().render();
}
