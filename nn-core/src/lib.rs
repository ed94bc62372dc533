//! Runtime of `nn`: dense layers whose neurons are split into groups, each with
//! its own activation and optimizer, with connection masks that stay exact.
//!
//! The [`network!`](https://docs.rs/nn) macro generates code on top of this
//! crate, and everything here can also be used by hand:
//!
//! - [`DenseGroup`]: one group's weight `[outputs, inputs]`, bias, activation,
//!   optimizer and optimizer state, and its rows of the mask;
//! - [`Dense`]: groups side by side over one input, writing one output buffer;
//! - [`Mask`]: which connections exist; removed ones stay exactly 0.0;
//! - [`optim`]: SGD, Adam, AdamW, RMSprop and `Frozen`, one instance per group;
//! - [`datasets`]: the embedded 8×8 digits, CSV and IDX (MNIST) loaders and a
//!   stratified train/test split;
//! - [`Loss`], [`Network`], and the loops [`train_step`], [`fit`] and [`evaluate`].
//!
//! Every type is generic over the element type ([`Scalar`]: `f32` or `f64`).

#![warn(missing_docs)]

pub mod activation;
pub mod datasets;
mod dense;
mod error;
mod group;
pub mod init;
mod kernels;
mod loss;
mod mask;
mod network;
pub mod optim;
mod parallel;
mod scalar;
mod summary;
mod threads;
mod train;

pub use dense::{Dense, GroupInfo, GroupMember, GroupSet, GroupVisitor, GroupVisitorMut};
pub use error::{Error, Result};
pub use group::{DenseGroup, Kernel, SPARSE_DENSITY};
pub use init::{derive_seed, Init, InitFamily};
pub use loss::{Loss, Targets};
pub use mask::Mask;
pub use network::{check_input, LayerVisitor, LayerVisitorMut, Network};
pub use scalar::Scalar;
pub use summary::Summary;
pub use threads::{num_threads, set_num_threads};
pub use train::{evaluate, fit, fit_with, train_step, Dataset, EpochStats, FitConfig, TargetData};

/// Re-exported so that users and generated code name the same `ndarray`.
pub use ndarray;
