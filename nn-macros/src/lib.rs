//! Procedural macros of `nn`.
