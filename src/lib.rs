#![warn(missing_docs)]

//! `nn`: neural networks whose neurons and connections are first-class.
//!
//! This facade re-exports the runtime ([`nn_core`]) and the `network!` macro,
//! so a project depends on `nn` alone.

pub use nn_core::*;

pub use nn_macros::network;
