//! Activation functions, applied in place to one group's block of a layer output.
//!
//! Each activation is a small `Copy` type, so a group's forward and backward
//! loops are monomorphised and inlined. Element-wise activations implement
//! [`Elementwise`]; [`Softmax`] normalises over the group's columns of each row.
//!
//! Backward receives the pre-activation `z` only when [`Activation::NEEDS_INPUT`]
//! is true; the others derive their derivative from the output `y`, so the layer
//! does not keep a copy of `z` for them.
//!
//! ```
//! use ndarray::array;
//! use nn_core::activation::{Activation, Sigmoid};
//!
//! let mut z = array![[-1000.0_f32, 0.0, 1000.0]];
//! Sigmoid.forward(z.view_mut());
//! assert_eq!(z, array![[0.0, 0.5, 1.0]]);
//! ```

use std::fmt::Debug;

use ndarray::{ArrayView2, ArrayViewMut2, Axis, Zip};

use crate::init::InitFamily;
use crate::scalar::Scalar;

/// A function applied to a group's pre-activations, with its derivative.
pub trait Activation: Copy + Debug + Send + Sync + 'static {
    /// Whether [`backward`](Activation::backward) reads the pre-activation `z`.
    /// When false, the layer passes an empty `z` and keeps no copy.
    const NEEDS_INPUT: bool;

    /// Whether each output depends on its own input only, so that the layer may
    /// apply the function to any block of columns. False for [`Softmax`], which
    /// needs the group's whole row.
    const ELEMENTWISE: bool;

    /// Name used in summaries and messages, as written in `network!`.
    fn name(&self) -> &'static str;

    /// Weight initialisation that suits this activation.
    fn init_family(&self) -> InitFamily;

    /// Checks the activation's own parameters; `Ok` for those without any.
    fn validate(&self) -> Result<(), (&'static str, f64, &'static str)> {
        Ok(())
    }

    /// Replaces every pre-activation `z` by `f(z)`. Shape `[batch, group_outputs]`.
    fn forward<T: Scalar>(&self, z: ArrayViewMut2<'_, T>);

    /// Multiplies `grad` (dL/dy) in place by dy/dz, turning it into dL/dz.
    ///
    /// `y` is the forward output; `z` is the pre-activation when
    /// [`NEEDS_INPUT`](Activation::NEEDS_INPUT) is true and empty otherwise.
    fn backward<T: Scalar>(
        &self,
        z: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
        grad: ArrayViewMut2<'_, T>,
    );
}

/// An activation applied to each element on its own.
///
/// Implementing this gives an [`Activation`] whose loops run over the group's
/// block with `ndarray::Zip`.
pub trait Elementwise: Copy + Debug + Send + Sync + 'static {
    /// See [`Activation::NEEDS_INPUT`].
    const NEEDS_INPUT: bool;
    /// See [`Activation::name`].
    const NAME: &'static str;
    /// See [`Activation::init_family`].
    const INIT: InitFamily;

    /// f(z).
    fn value<T: Scalar>(&self, z: T) -> T;

    /// f'(z), given z (only meaningful when `NEEDS_INPUT`) and y = f(z).
    fn derivative<T: Scalar>(&self, z: T, y: T) -> T;

    /// See [`Activation::validate`].
    fn check(&self) -> Result<(), (&'static str, f64, &'static str)> {
        Ok(())
    }
}

impl<E: Elementwise> Activation for E {
    const NEEDS_INPUT: bool = E::NEEDS_INPUT;
    const ELEMENTWISE: bool = true;

    fn name(&self) -> &'static str {
        E::NAME
    }

    fn init_family(&self) -> InitFamily {
        E::INIT
    }

    fn validate(&self) -> Result<(), (&'static str, f64, &'static str)> {
        self.check()
    }

    #[inline]
    fn forward<T: Scalar>(&self, z: ArrayViewMut2<'_, T>) {
        Zip::from(z).for_each(|v| *v = self.value(*v));
    }

    #[inline]
    fn backward<T: Scalar>(
        &self,
        z: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
        grad: ArrayViewMut2<'_, T>,
    ) {
        if E::NEEDS_INPUT {
            Zip::from(grad)
                .and(z)
                .and(y)
                .for_each(|g, &z, &y| *g *= self.derivative(z, y));
        } else {
            Zip::from(grad)
                .and(y)
                .for_each(|g, &y| *g *= self.derivative(T::zero(), y));
        }
    }
}

/// f(z) = z.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Identity;

impl Elementwise for Identity {
    const NEEDS_INPUT: bool = false;
    const NAME: &'static str = "identity";
    const INIT: InitFamily = InitFamily::Glorot;

    #[inline(always)]
    fn value<T: Scalar>(&self, z: T) -> T {
        z
    }

    #[inline(always)]
    fn derivative<T: Scalar>(&self, _z: T, _y: T) -> T {
        T::one()
    }
}

/// f(z) = max(z, 0). The derivative at 0 is taken as 0, as in PyTorch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relu;

impl Elementwise for Relu {
    const NEEDS_INPUT: bool = false;
    const NAME: &'static str = "relu";
    const INIT: InitFamily = InitFamily::He;

    #[inline(always)]
    fn value<T: Scalar>(&self, z: T) -> T {
        if z > T::zero() {
            z
        } else {
            T::zero()
        }
    }

    #[inline(always)]
    fn derivative<T: Scalar>(&self, _z: T, y: T) -> T {
        if y > T::zero() {
            T::one()
        } else {
            T::zero()
        }
    }
}

/// f(z) = z for z > 0, `alpha`·z otherwise. `alpha` must be finite and non-negative
/// so that the sign of y identifies the branch (PyTorch's default is 0.01).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyRelu {
    /// Slope for negative inputs.
    pub alpha: f64,
}

impl Default for LeakyRelu {
    fn default() -> Self {
        Self { alpha: 0.01 }
    }
}

impl Elementwise for LeakyRelu {
    const NEEDS_INPUT: bool = false;
    const NAME: &'static str = "leaky_relu";
    const INIT: InitFamily = InitFamily::He;

    #[inline(always)]
    fn value<T: Scalar>(&self, z: T) -> T {
        if z > T::zero() {
            z
        } else {
            T::of(self.alpha) * z
        }
    }

    #[inline(always)]
    fn derivative<T: Scalar>(&self, _z: T, y: T) -> T {
        if y > T::zero() {
            T::one()
        } else {
            T::of(self.alpha)
        }
    }

    fn check(&self) -> Result<(), (&'static str, f64, &'static str)> {
        if self.alpha.is_finite() && self.alpha >= 0.0 {
            Ok(())
        } else {
            Err(("alpha", self.alpha, "use a finite value >= 0"))
        }
    }
}

/// f(z) = z for z > 0, `alpha`·(exp(z) − 1) otherwise. `alpha` must be finite and
/// positive (PyTorch's default is 1.0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Elu {
    /// Scale of the negative branch.
    pub alpha: f64,
}

impl Default for Elu {
    fn default() -> Self {
        Self { alpha: 1.0 }
    }
}

impl Elementwise for Elu {
    const NEEDS_INPUT: bool = false;
    const NAME: &'static str = "elu";
    const INIT: InitFamily = InitFamily::He;

    #[inline(always)]
    fn value<T: Scalar>(&self, z: T) -> T {
        if z > T::zero() {
            z
        } else {
            T::of(self.alpha) * z.exp_m1()
        }
    }

    // For z <= 0, f'(z) = alpha·exp(z) = y + alpha; y > 0 only on the linear branch
    // because alpha > 0.
    #[inline(always)]
    fn derivative<T: Scalar>(&self, _z: T, y: T) -> T {
        if y > T::zero() {
            T::one()
        } else {
            y + T::of(self.alpha)
        }
    }

    fn check(&self) -> Result<(), (&'static str, f64, &'static str)> {
        if self.alpha.is_finite() && self.alpha > 0.0 {
            Ok(())
        } else {
            Err(("alpha", self.alpha, "use a finite value > 0"))
        }
    }
}

/// f(z) = 1 / (1 + exp(−z)), evaluated so that neither branch overflows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sigmoid;

/// The logistic function without overflow: exp is only taken of non-positive values.
#[inline(always)]
pub(crate) fn sigmoid<T: Scalar>(z: T) -> T {
    if z >= T::zero() {
        T::one() / (T::one() + (-z).exp())
    } else {
        let e = z.exp();
        e / (T::one() + e)
    }
}

impl Elementwise for Sigmoid {
    const NEEDS_INPUT: bool = false;
    const NAME: &'static str = "sigmoid";
    const INIT: InitFamily = InitFamily::Glorot;

    #[inline(always)]
    fn value<T: Scalar>(&self, z: T) -> T {
        sigmoid(z)
    }

    #[inline(always)]
    fn derivative<T: Scalar>(&self, _z: T, y: T) -> T {
        y * (T::one() - y)
    }
}

/// f(z) = tanh(z).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tanh;

impl Elementwise for Tanh {
    const NEEDS_INPUT: bool = false;
    const NAME: &'static str = "tanh";
    const INIT: InitFamily = InitFamily::Glorot;

    #[inline(always)]
    fn value<T: Scalar>(&self, z: T) -> T {
        z.tanh()
    }

    #[inline(always)]
    fn derivative<T: Scalar>(&self, _z: T, y: T) -> T {
        T::one() - y * y
    }
}

/// f(z) = ln(1 + exp(z)), computed as max(z, 0) + ln(1 + exp(−|z|)) so that
/// large inputs neither overflow nor lose the linear part.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softplus;

impl Elementwise for Softplus {
    const NEEDS_INPUT: bool = false;
    const NAME: &'static str = "softplus";
    const INIT: InitFamily = InitFamily::Glorot;

    #[inline(always)]
    fn value<T: Scalar>(&self, z: T) -> T {
        z.max(T::zero()) + (-z.abs()).exp().ln_1p()
    }

    // f'(z) = sigmoid(z) = 1 − exp(−y); expm1 keeps full precision when y is tiny.
    #[inline(always)]
    fn derivative<T: Scalar>(&self, _z: T, y: T) -> T {
        -(-y).exp_m1()
    }
}

/// f(z) = z / (1 + |z|).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softsign;

impl Elementwise for Softsign {
    const NEEDS_INPUT: bool = false;
    const NAME: &'static str = "softsign";
    const INIT: InitFamily = InitFamily::Glorot;

    #[inline(always)]
    fn value<T: Scalar>(&self, z: T) -> T {
        z / (T::one() + z.abs())
    }

    // f'(z) = 1 / (1 + |z|)² = (1 − |y|)².
    #[inline(always)]
    fn derivative<T: Scalar>(&self, _z: T, y: T) -> T {
        let s = T::one() - y.abs();
        s * s
    }
}

/// f(z) = z·Φ(z), with Φ the standard normal CDF computed through erf (the exact
/// form, PyTorch's default, not the tanh approximation).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Gelu;

impl Elementwise for Gelu {
    const NEEDS_INPUT: bool = true;
    const NAME: &'static str = "gelu";
    const INIT: InitFamily = InitFamily::He;

    #[inline(always)]
    fn value<T: Scalar>(&self, z: T) -> T {
        let half = T::of(0.5);
        half * z * (T::one() + (z * T::of(std::f64::consts::FRAC_1_SQRT_2)).erf())
    }

    // f'(z) = Φ(z) + z·φ(z), φ the standard normal density.
    #[inline(always)]
    fn derivative<T: Scalar>(&self, z: T, _y: T) -> T {
        let half = T::of(0.5);
        let cdf = half * (T::one() + (z * T::of(std::f64::consts::FRAC_1_SQRT_2)).erf());
        let pdf = T::of(0.398_942_280_401_432_7) * (-half * z * z).exp();
        cdf + z * pdf
    }
}

/// f(z) = z·sigmoid(z), also called swish.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Silu;

impl Elementwise for Silu {
    const NEEDS_INPUT: bool = true;
    const NAME: &'static str = "silu";
    const INIT: InitFamily = InitFamily::He;

    #[inline(always)]
    fn value<T: Scalar>(&self, z: T) -> T {
        z * sigmoid(z)
    }

    // f'(z) = s + z·s·(1 − s) with s = sigmoid(z).
    #[inline(always)]
    fn derivative<T: Scalar>(&self, z: T, _y: T) -> T {
        let s = sigmoid(z);
        s * (T::one() + z * (T::one() - s))
    }
}

/// Softmax over the group's columns of each row: y_i = exp(z_i − m) / Σ_j exp(z_j − m)
/// with m the row maximum, so no exponent overflows.
///
/// Only the group's own neurons take part, so a layer can hold a softmax group
/// beside groups with other activations.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softmax;

impl Activation for Softmax {
    const NEEDS_INPUT: bool = false;
    const ELEMENTWISE: bool = false;

    fn name(&self) -> &'static str {
        "softmax"
    }

    fn init_family(&self) -> InitFamily {
        InitFamily::Glorot
    }

    fn forward<T: Scalar>(&self, mut z: ArrayViewMut2<'_, T>) {
        for mut row in z.axis_iter_mut(Axis(0)) {
            let max = row.fold(T::neg_infinity(), |m, &v| m.max(v));
            let mut sum = T::zero();
            row.map_inplace(|v| {
                *v = (*v - max).exp();
                sum += *v;
            });
            let inv = T::one() / sum;
            row.map_inplace(|v| *v *= inv);
        }
    }

    // dL/dz_i = y_i · (g_i − Σ_j g_j·y_j), the Jacobian-vector product of softmax.
    fn backward<T: Scalar>(
        &self,
        _z: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
        mut grad: ArrayViewMut2<'_, T>,
    ) {
        for (mut g, y) in grad.axis_iter_mut(Axis(0)).zip(y.axis_iter(Axis(0))) {
            let dot: T = g.iter().zip(y.iter()).map(|(&g, &y)| g * y).sum();
            Zip::from(&mut g)
                .and(&y)
                .for_each(|g, &y| *g = y * (*g - dot));
        }
    }
}
