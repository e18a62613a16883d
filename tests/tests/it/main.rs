//! The one cross-crate test binary; each concern is a module of its own.

mod theory;
mod tidy;
