use super::{
    check_lr, check_non_negative, check_positive, check_unit, describe, Invalid, Optimizer,
};
use crate::scalar::Scalar;

/// Adam, as `torch.optim.Adam`: weight decay is an L2 term added to the gradient.
///
/// With g = ∇ + weight_decay·w and t the step number (from 1):
/// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
/// w ← w − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adam {
    /// Learning rate.
    pub lr: f64,
    /// Decay of the first moment; default 0.9.
    pub beta1: f64,
    /// Decay of the second moment; default 0.999.
    pub beta2: f64,
    /// Added to the denominator; default 1e-8.
    pub eps: f64,
    /// L2 penalty added to the gradient; default 0.
    pub weight_decay: f64,
    steps: u64,
}

/// AdamW, as `torch.optim.AdamW`: weight decay is decoupled from the gradient.
///
/// Each step first shrinks w ← w·(1 − lr·weight_decay), then applies the Adam
/// update to the plain gradient.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamW {
    /// Learning rate.
    pub lr: f64,
    /// Decay of the first moment; default 0.9.
    pub beta1: f64,
    /// Decay of the second moment; default 0.999.
    pub beta2: f64,
    /// Added to the denominator; default 1e-8.
    pub eps: f64,
    /// Decoupled weight decay; default 0.01, as in PyTorch.
    pub weight_decay: f64,
    steps: u64,
}

macro_rules! adam_builders {
    ($name:ident, $default_decay:expr) => {
        impl $name {
            /// The optimizer with learning rate `lr` and PyTorch's defaults otherwise.
            pub fn new(lr: f64) -> Self {
                Self {
                    lr,
                    beta1: 0.9,
                    beta2: 0.999,
                    eps: 1e-8,
                    weight_decay: $default_decay,
                    steps: 0,
                }
            }

            /// Sets both moment decays.
            pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
                self.beta1 = beta1;
                self.beta2 = beta2;
                self
            }

            /// Sets the denominator term ε.
            pub fn eps(mut self, eps: f64) -> Self {
                self.eps = eps;
                self
            }

            /// Sets the weight decay.
            pub fn weight_decay(mut self, weight_decay: f64) -> Self {
                self.weight_decay = weight_decay;
                self
            }

            /// Steps taken so far.
            pub fn steps(&self) -> u64 {
                self.steps
            }

            fn check(&self) -> Result<(), Invalid> {
                check_lr(self.lr)?;
                check_unit("beta1", self.beta1)?;
                check_unit("beta2", self.beta2)?;
                check_positive("eps", self.eps)?;
                check_non_negative("weight_decay", self.weight_decay)
            }

            fn text(&self, name: &str) -> String {
                describe(
                    name,
                    &[
                        ("lr", self.lr, f64::NAN),
                        ("beta1", self.beta1, 0.9),
                        ("beta2", self.beta2, 0.999),
                        ("eps", self.eps, 1e-8),
                        ("weight_decay", self.weight_decay, $default_decay),
                    ],
                )
            }

            fn advance<T: Scalar>(&mut self, l2: f64, shrink: f64) -> AdamStep<T> {
                self.steps += 1;
                let t = self.steps.min(i32::MAX as u64) as i32;
                let correction1 = 1.0 - self.beta1.powi(t);
                let correction2 = 1.0 - self.beta2.powi(t);
                AdamStep {
                    beta1: T::of(self.beta1),
                    one_minus_beta1: T::of(1.0 - self.beta1),
                    beta2: T::of(self.beta2),
                    one_minus_beta2: T::of(1.0 - self.beta2),
                    step_size: T::of(self.lr / correction1),
                    inv_sqrt_correction2: T::of(1.0 / correction2.sqrt()),
                    eps: T::of(self.eps),
                    l2: T::of(l2),
                    shrink: T::of(shrink),
                }
            }
        }
    };
}

adam_builders!(Adam, 0.0);
adam_builders!(AdamW, 0.01);

/// Per-step constants shared by [`Adam`] and [`AdamW`].
#[derive(Clone, Copy, Debug)]
pub struct AdamStep<T> {
    beta1: T,
    one_minus_beta1: T,
    beta2: T,
    one_minus_beta2: T,
    step_size: T,
    inv_sqrt_correction2: T,
    eps: T,
    l2: T,
    shrink: T,
}

/// First and second moment of one parameter.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments<T> {
    /// First moment m.
    pub mean: T,
    /// Second moment v.
    pub square: T,
}

#[inline(always)]
fn adam_update<T: Scalar>(step: &AdamStep<T>, slot: &mut Moments<T>, param: &mut T, grad: T) {
    let w = *param * step.shrink;
    let g = grad + step.l2 * w;
    slot.mean = step.beta1 * slot.mean + step.one_minus_beta1 * g;
    slot.square = step.beta2 * slot.square + step.one_minus_beta2 * g * g;
    let denom = slot.square.sqrt() * step.inv_sqrt_correction2 + step.eps;
    *param = w - step.step_size * slot.mean / denom;
}

impl Optimizer for Adam {
    type Slot<T: Scalar> = Moments<T>;
    type Prepared<T: Scalar> = AdamStep<T>;

    fn name(&self) -> &'static str {
        "adam"
    }

    fn describe(&self) -> String {
        self.text("adam")
    }

    fn validate(&self) -> Result<(), Invalid> {
        self.check()
    }

    fn needs_slots(&self) -> bool {
        true
    }

    fn prepare<T: Scalar>(&mut self) -> AdamStep<T> {
        self.advance(self.weight_decay, 1.0)
    }

    #[inline(always)]
    fn update<T: Scalar>(step: &AdamStep<T>, slot: &mut Moments<T>, param: &mut T, grad: T) {
        adam_update(step, slot, param, grad);
    }
}

impl Optimizer for AdamW {
    type Slot<T: Scalar> = Moments<T>;
    type Prepared<T: Scalar> = AdamStep<T>;

    fn name(&self) -> &'static str {
        "adamw"
    }

    fn describe(&self) -> String {
        self.text("adamw")
    }

    fn validate(&self) -> Result<(), Invalid> {
        self.check()
    }

    fn needs_slots(&self) -> bool {
        true
    }

    fn prepare<T: Scalar>(&mut self) -> AdamStep<T> {
        self.advance(0.0, 1.0 - self.lr * self.weight_decay)
    }

    #[inline(always)]
    fn update<T: Scalar>(step: &AdamStep<T>, slot: &mut Moments<T>, param: &mut T, grad: T) {
        adam_update(step, slot, param, grad);
    }
}
