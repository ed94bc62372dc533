//! Optimizers, one per group, each owning its group's state.
//!
//! An optimizer updates one parameter at a time through [`Optimizer::update`],
//! which the group calls for its live weights and its biases only. Removed
//! connections are never visited, so they stay exactly 0.0 and have no state,
//! whatever the momentum or weight decay.
//!
//! The update formulas follow PyTorch's `torch.optim` defaults (no dampening,
//! no AMSGrad); weight decay applies to biases as well, as it does there.
//!
//! ```
//! use nn_core::optim::{Adam, Sgd};
//!
//! let sgd = Sgd::new(0.1).momentum(0.9).nesterov(true).weight_decay(1e-4);
//! let adam = Adam::new(1e-3).betas(0.9, 0.999);
//! assert_eq!(sgd.lr, 0.1);
//! assert_eq!(adam.beta2, 0.999);
//! ```

mod adam;
mod frozen;
mod rmsprop;
mod sgd;

use std::fmt::Debug;

pub use adam::{Adam, AdamW};
pub use frozen::Frozen;
pub use rmsprop::RmsProp;
pub use sgd::Sgd;

use crate::scalar::Scalar;

/// A learning rule for one group's parameters.
pub trait Optimizer: Clone + Debug + Send + Sync + 'static {
    /// State kept per parameter, such as a momentum buffer.
    type Slot<T: Scalar>: Copy + Default + Debug + Send + Sync + 'static;

    /// Constants of one step, converted to `T` once per step instead of once per
    /// parameter.
    type Prepared<T: Scalar>: Copy + Send + Sync;

    /// False for [`Frozen`]: the group then computes no weight gradient and never
    /// calls [`update`](Optimizer::update).
    const TRAINABLE: bool = true;

    /// Name as written in `network!`.
    fn name(&self) -> &'static str;

    /// The name with its hyper-parameters, for summaries.
    fn describe(&self) -> String;

    /// Checks the hyper-parameters: `Err((name, value, valid range))` for the first bad one.
    fn validate(&self) -> Result<(), (&'static str, f64, &'static str)>;

    /// Whether this configuration keeps per-parameter state. Plain SGD without
    /// momentum does not, and then the group allocates no slots.
    fn needs_slots(&self) -> bool;

    /// Starts a step: advances step counters and converts the constants.
    fn prepare<T: Scalar>(&mut self) -> Self::Prepared<T>;

    /// Updates one parameter from its gradient.
    fn update<T: Scalar>(
        step: &Self::Prepared<T>,
        slot: &mut Self::Slot<T>,
        param: &mut T,
        grad: T,
    );
}

pub(crate) type Invalid = (&'static str, f64, &'static str);

pub(crate) fn check_lr(lr: f64) -> Result<(), Invalid> {
    if lr.is_finite() && lr > 0.0 {
        Ok(())
    } else {
        Err(("lr", lr, "use a finite learning rate > 0"))
    }
}

pub(crate) fn check_unit(name: &'static str, value: f64) -> Result<(), Invalid> {
    if (0.0..1.0).contains(&value) {
        Ok(())
    } else {
        Err((name, value, "use a value in [0, 1)"))
    }
}

pub(crate) fn check_non_negative(name: &'static str, value: f64) -> Result<(), Invalid> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err((name, value, "use a finite value >= 0"))
    }
}

pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<(), Invalid> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err((name, value, "use a finite value > 0"))
    }
}

/// Formats a hyper-parameter list, leaving out those at their default.
pub(crate) fn describe(name: &str, params: &[(&str, f64, f64)]) -> String {
    let shown: Vec<String> = params
        .iter()
        .enumerate()
        .filter(|&(i, &(_, value, default))| i == 0 || value != default)
        .map(|(_, &(key, value, _))| format!("{key}={value}"))
        .collect();
    format!("{name}({})", shown.join(", "))
}
