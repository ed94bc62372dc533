//! The floating-point element type of every array in the runtime.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use ndarray::{LinalgScalar, ScalarOperand};
use num_traits::Float;

/// A floating-point element type: `f32` for speed, `f64` for gradient checks.
///
/// Every layer, optimizer and loss is generic over it, so the same code runs in
/// both precisions. The trait is sealed because the kernels assume IEEE-754
/// binary32 or binary64 semantics.
pub trait Scalar:
    Float
    + LinalgScalar
    + ScalarOperand
    + Default
    + Debug
    + Display
    + Sum
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Send
    + Sync
    + sealed::Sealed
    + 'static
{
    /// Converts an `f64` constant, rounding to nearest for `f32`.
    fn of(value: f64) -> Self;

    /// Widens to `f64`, exactly.
    fn as_f64(self) -> f64;

    /// The error function, erf(x) = 2/√π ∫₀ˣ exp(−t²) dt.
    fn erf(self) -> Self;
}

impl Scalar for f32 {
    #[inline(always)]
    fn of(value: f64) -> Self {
        value as f32
    }

    #[inline(always)]
    fn as_f64(self) -> f64 {
        f64::from(self)
    }

    #[inline]
    fn erf(self) -> Self {
        libm::erff(self)
    }
}

impl Scalar for f64 {
    #[inline(always)]
    fn of(value: f64) -> Self {
        value
    }

    #[inline(always)]
    fn as_f64(self) -> f64 {
        self
    }

    #[inline]
    fn erf(self) -> Self {
        libm::erf(self)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}
