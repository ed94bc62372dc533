use super::{
    check_lr, check_non_negative, check_positive, check_unit, describe, Invalid, Optimizer,
};
use crate::scalar::Scalar;

/// RMSprop, as `torch.optim.RMSprop`.
///
/// With g = ∇ + weight_decay·w: s ← αs + (1 − α)g². The denominator is
/// d = √s + ε, or √(s − ḡ²) + ε with `centered` (ḡ ← αḡ + (1 − α)g). Without
/// momentum w ← w − lr·g/d; with it b ← momentum·b + g/d and w ← w − lr·b.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RmsProp {
    /// Learning rate.
    pub lr: f64,
    /// Smoothing constant α; default 0.99.
    pub alpha: f64,
    /// Added to the denominator; default 1e-8.
    pub eps: f64,
    /// L2 penalty added to the gradient; default 0.
    pub weight_decay: f64,
    /// Momentum factor in [0, 1); default 0.
    pub momentum: f64,
    /// Normalise by the variance estimate instead of the raw second moment; default false.
    pub centered: bool,
}

impl RmsProp {
    /// RMSprop with learning rate `lr` and PyTorch's defaults otherwise.
    pub fn new(lr: f64) -> Self {
        Self {
            lr,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
        }
    }

    /// Sets the smoothing constant α.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Sets the denominator term ε.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// Sets the L2 weight decay.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Sets the momentum factor.
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Switches the centred variant on or off.
    pub fn centered(mut self, centered: bool) -> Self {
        self.centered = centered;
        self
    }
}

/// Per-step constants of [`RmsProp`].
#[derive(Clone, Copy, Debug)]
pub struct RmsPropStep<T> {
    lr: T,
    alpha: T,
    one_minus_alpha: T,
    eps: T,
    weight_decay: T,
    momentum: T,
    has_momentum: bool,
    centered: bool,
}

/// RMSprop state of one parameter.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RmsPropSlot<T> {
    /// Running mean of g².
    pub square: T,
    /// Running mean of g, used when centred.
    pub mean: T,
    /// Momentum buffer.
    pub buffer: T,
}

impl Optimizer for RmsProp {
    type Slot<T: Scalar> = RmsPropSlot<T>;
    type Prepared<T: Scalar> = RmsPropStep<T>;

    fn name(&self) -> &'static str {
        "rmsprop"
    }

    fn describe(&self) -> String {
        let mut text = describe(
            "rmsprop",
            &[
                ("lr", self.lr, f64::NAN),
                ("alpha", self.alpha, 0.99),
                ("eps", self.eps, 1e-8),
                ("weight_decay", self.weight_decay, 0.0),
                ("momentum", self.momentum, 0.0),
            ],
        );
        if self.centered {
            text.insert_str(text.len() - 1, ", centered=true");
        }
        text
    }

    fn validate(&self) -> Result<(), Invalid> {
        check_lr(self.lr)?;
        check_unit("alpha", self.alpha)?;
        check_positive("eps", self.eps)?;
        check_non_negative("weight_decay", self.weight_decay)?;
        check_unit("momentum", self.momentum)
    }

    fn needs_slots(&self) -> bool {
        true
    }

    fn prepare<T: Scalar>(&mut self) -> RmsPropStep<T> {
        RmsPropStep {
            lr: T::of(self.lr),
            alpha: T::of(self.alpha),
            one_minus_alpha: T::of(1.0 - self.alpha),
            eps: T::of(self.eps),
            weight_decay: T::of(self.weight_decay),
            momentum: T::of(self.momentum),
            has_momentum: self.momentum != 0.0,
            centered: self.centered,
        }
    }

    #[inline(always)]
    fn update<T: Scalar>(step: &RmsPropStep<T>, slot: &mut RmsPropSlot<T>, param: &mut T, grad: T) {
        let g = grad + step.weight_decay * *param;
        slot.square = step.alpha * slot.square + step.one_minus_alpha * g * g;
        let variance = if step.centered {
            slot.mean = step.alpha * slot.mean + step.one_minus_alpha * g;
            slot.square - slot.mean * slot.mean
        } else {
            slot.square
        };
        let denom = variance.sqrt() + step.eps;
        if step.has_momentum {
            slot.buffer = step.momentum * slot.buffer + g / denom;
            *param -= step.lr * slot.buffer;
        } else {
            *param -= step.lr * g / denom;
        }
    }
}
