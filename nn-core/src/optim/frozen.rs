use super::{Invalid, Optimizer};
use crate::scalar::Scalar;

/// No learning: the group's weights and biases never change, bit for bit.
///
/// A frozen group allocates no optimizer state and computes no weight or bias
/// gradient; it still passes gradients through to earlier layers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Frozen;

impl Optimizer for Frozen {
    type Slot<T: Scalar> = ();
    type Prepared<T: Scalar> = ();
    const TRAINABLE: bool = false;

    fn name(&self) -> &'static str {
        "frozen"
    }

    fn describe(&self) -> String {
        "frozen".to_owned()
    }

    fn validate(&self) -> Result<(), Invalid> {
        Ok(())
    }

    fn needs_slots(&self) -> bool {
        false
    }

    fn prepare<T: Scalar>(&mut self) {}

    #[inline(always)]
    fn update<T: Scalar>(_step: &(), _slot: &mut (), _param: &mut T, _grad: T) {}
}
