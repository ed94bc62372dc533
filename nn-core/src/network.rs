//! The `Network` trait: what `fit`, `evaluate` and `summary` need of a network.
//!
//! `network!` implements it for every generated struct; hand-built networks
//! implement the seven required methods by chaining their [`Dense`] layers, as
//! the crate's tests show. The contract of one training step:
//!
//! 1. [`forward`](Network::forward) runs every layer and keeps what backward needs;
//! 2. the loss writes dL/dy into the buffer from
//!    [`output_and_grad`](Network::output_and_grad);
//! 3. [`backward`](Network::backward), given the same input, fills every group's
//!    gradients, last layer first;
//! 4. [`step`](Network::step) applies each group's optimizer.
//!
//! Gradients are overwritten by each backward pass, not accumulated.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use crate::dense::{Dense, GroupSet};
use crate::error::{Error, Result};
use crate::loss::{Loss, Targets};
use crate::scalar::Scalar;

/// Called once per layer, input side first.
pub trait LayerVisitor<T: Scalar> {
    /// Visits one layer.
    fn visit_layer<G: GroupSet<T>>(&mut self, layer: &Dense<T, G>);
}

/// Called once per layer, input side first, with exclusive access.
pub trait LayerVisitorMut<T: Scalar> {
    /// Visits one layer.
    fn visit_layer_mut<G: GroupSet<T>>(&mut self, layer: &mut Dense<T, G>);
}

/// A trainable chain of dense layers.
pub trait Network<T: Scalar = f32> {
    /// Features per input sample.
    fn input_width(&self) -> usize;

    /// Values per output sample.
    fn output_width(&self) -> usize;

    /// The loss the network trains with; `None` for inference-only networks.
    fn loss(&self) -> Option<Loss>;

    /// Runs the network on `input` (`[batch, input_width]`) and keeps the
    /// activations that [`backward`](Network::backward) needs.
    ///
    /// **Errors** if the input has the wrong width, no rows, or a non-finite value.
    fn forward(&mut self, input: ArrayView2<'_, T>) -> Result<ArrayView2<'_, T>>;

    /// The output of the last forward pass and the buffer that receives dL/dy.
    fn output_and_grad(&mut self) -> (ArrayView2<'_, T>, ArrayViewMut2<'_, T>);

    /// Backpropagates the gradient in the [`output_and_grad`](Network::output_and_grad)
    /// buffer. `input` must be the batch of the last forward pass.
    fn backward(&mut self, input: ArrayView2<'_, T>) -> Result<()>;

    /// Applies every group's optimizer once.
    fn step(&mut self);

    /// Visits every layer, input side first.
    fn visit_layers<V: LayerVisitor<T>>(&self, visitor: &mut V);

    /// Visits every layer mutably, input side first.
    fn visit_layers_mut<V: LayerVisitorMut<T>>(&mut self, visitor: &mut V);

    /// Computes the loss of the last forward output against `targets` and
    /// backpropagates it. Returns the mean loss of the batch.
    ///
    /// **Errors** with [`Error::NoLoss`] without a loss, and as
    /// [`Loss::value_and_grad`] for bad targets.
    fn backward_from_loss(
        &mut self,
        input: ArrayView2<'_, T>,
        targets: &Targets<'_, T>,
    ) -> Result<T> {
        let loss = self.loss().ok_or(Error::NoLoss)?;
        let (output, grad) = self.output_and_grad();
        let value = loss.value_and_grad(output, targets, grad)?;
        self.backward(input)?;
        Ok(value)
    }

    /// Runs the network and returns a copy of its output.
    fn predict(&mut self, input: ArrayView2<'_, T>) -> Result<Array2<T>> {
        Ok(self.forward(input)?.to_owned())
    }
}

/// Checks a batch at the network boundary: width, at least one row, and only
/// finite values. Generated and hand-built networks call it at the start of
/// [`Network::forward`], so the layers' hot loops need no checks.
///
/// **Errors** with [`Error::InputWidth`], [`Error::EmptyBatch`] or
/// [`Error::NonFiniteInput`] (the first offending value).
pub fn check_input<T: Scalar>(layer: &str, width: usize, input: ArrayView2<'_, T>) -> Result<()> {
    if input.ncols() != width {
        return Err(Error::InputWidth {
            layer: layer.to_owned(),
            expected: width,
            found: input.ncols(),
        });
    }
    if input.nrows() == 0 {
        return Err(Error::EmptyBatch {
            context: "Network::forward",
        });
    }
    // One pass summing everything finds NaN/inf cheaply; only then look for where.
    let sum: T = input.iter().fold(T::zero(), |acc, &v| acc + v * T::zero());
    if !sum.is_finite() {
        if let Some(((sample, feature), &value)) =
            input.indexed_iter().find(|(_, v)| !v.is_finite())
        {
            return Err(Error::NonFiniteInput {
                sample,
                feature,
                value: value.as_f64(),
            });
        }
    }
    Ok(())
}
