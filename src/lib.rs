#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub use nn_core::*;

/// Defines a network of grouped dense layers, checked at compile time.
///
/// The grammar, with an example of every form, is in the crate documentation
/// above (the README). The macro generates the network struct, one struct per
/// layer with a public field per group, constructors, `summary()`, and an
/// implementation of [`Network`].
pub use nn_macros::network;
