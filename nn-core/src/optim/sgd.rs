use super::{check_lr, check_non_negative, check_unit, describe, Invalid, Optimizer};
use crate::scalar::Scalar;

/// Stochastic gradient descent with optional momentum, Nesterov momentum and
/// L2 weight decay, as `torch.optim.SGD` with `dampening = 0`.
///
/// With g = ∇ + weight_decay·w and b the momentum buffer (starting at 0):
/// b ← momentum·b + g; the step direction is g + momentum·b with Nesterov and b
/// without; w ← w − lr·direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    /// Learning rate.
    pub lr: f64,
    /// Momentum factor in [0, 1); 0 (the default) disables the buffer.
    pub momentum: f64,
    /// Nesterov momentum; needs `momentum > 0`. Default false.
    pub nesterov: bool,
    /// L2 penalty added to the gradient; default 0.
    pub weight_decay: f64,
}

impl Sgd {
    /// Plain SGD with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        Self {
            lr,
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
        }
    }

    /// Sets the momentum factor.
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Switches Nesterov momentum on or off.
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }

    /// Sets the L2 weight decay.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
}

/// Per-step constants of [`Sgd`].
#[derive(Clone, Copy, Debug)]
pub struct SgdStep<T> {
    lr: T,
    momentum: T,
    weight_decay: T,
    nesterov: bool,
    has_momentum: bool,
}

impl Optimizer for Sgd {
    type Slot<T: Scalar> = T;
    type Prepared<T: Scalar> = SgdStep<T>;

    fn name(&self) -> &'static str {
        "sgd"
    }

    fn describe(&self) -> String {
        let mut text = describe(
            "sgd",
            &[
                ("lr", self.lr, f64::NAN),
                ("momentum", self.momentum, 0.0),
                ("weight_decay", self.weight_decay, 0.0),
            ],
        );
        if self.nesterov {
            text.insert_str(text.len() - 1, ", nesterov=true");
        }
        text
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_lr(self.lr)?;
        check_unit("momentum", self.momentum)?;
        check_non_negative("weight_decay", self.weight_decay)?;
        if self.nesterov && self.momentum == 0.0 {
            return Err((
                "momentum",
                self.momentum,
                "Nesterov momentum needs momentum > 0",
            ));
        }
        Ok(())
    }

    fn needs_slots(&self) -> bool {
        self.momentum != 0.0
    }

    fn prepare<T: Scalar>(&mut self) -> SgdStep<T> {
        SgdStep {
            lr: T::of(self.lr),
            momentum: T::of(self.momentum),
            weight_decay: T::of(self.weight_decay),
            nesterov: self.nesterov,
            has_momentum: self.momentum != 0.0,
        }
    }

    #[inline(always)]
    fn update<T: Scalar>(step: &SgdStep<T>, buffer: &mut T, param: &mut T, grad: T) {
        let g = grad + step.weight_decay * *param;
        let direction = if step.has_momentum {
            *buffer = step.momentum * *buffer + g;
            if step.nesterov {
                g + step.momentum * *buffer
            } else {
                *buffer
            }
        } else {
            g
        };
        *param -= step.lr * direction;
    }
}
