//! A hand-written network of the shape `10 -> (5 relu, 5 sigmoid) with a mask -> 1`,
//! built on the runtime alone, the way `network!` expands.

#![allow(dead_code)]

use nn_core::activation::{Identity, Relu, Sigmoid};
use nn_core::ndarray::{ArrayView2, ArrayViewMut2};
use nn_core::optim::{Adam, Sgd};
use nn_core::{
    check_input, derive_seed, Dense, DenseGroup, LayerVisitor, LayerVisitorMut, Loss, Mask,
    Network, Result, Scalar,
};

pub type Hidden<T> = (DenseGroup<T, Relu, Adam>, DenseGroup<T, Sigmoid, Sgd>);
pub type Output<T> = (DenseGroup<T, Identity, Adam>,);

/// `10 -> hidden(5 relu @ adam, 5 sigmoid @ sgd momentum) with 30 connections cut -> 1`, MSE.
pub struct TwoLayer<T: Scalar> {
    pub hidden: Dense<T, Hidden<T>>,
    pub output: Dense<T, Output<T>>,
}

impl<T: Scalar> TwoLayer<T> {
    pub fn new(seed: u64) -> Result<Self> {
        let hidden = Dense::new(
            "hidden",
            10,
            (
                DenseGroup::new(5, Relu, Adam::new(1e-2)),
                DenseGroup::new(5, Sigmoid, Sgd::new(0.1).momentum(0.9)),
            ),
            derive_seed(seed, 0),
        )?
        .with_mask(Mask::random(10, 10, 0.7, 11)?)?;
        let output = Dense::new(
            "output",
            10,
            (DenseGroup::new(1, Identity, Adam::new(1e-2)),),
            derive_seed(seed, 1),
        )?;
        Ok(Self { hidden, output })
    }
}

impl<T: Scalar> Network<T> for TwoLayer<T> {
    fn input_width(&self) -> usize {
        10
    }

    fn output_width(&self) -> usize {
        1
    }

    fn loss(&self) -> Option<Loss> {
        Some(Loss::Mse)
    }

    fn forward(&mut self, input: ArrayView2<'_, T>) -> Result<ArrayView2<'_, T>> {
        check_input("hidden", 10, input)?;
        let hidden = self.hidden.forward(input)?;
        self.output.forward(hidden)
    }

    fn output_and_grad(&mut self) -> (ArrayView2<'_, T>, ArrayViewMut2<'_, T>) {
        self.output.output_and_delta()
    }

    fn backward(&mut self, input: ArrayView2<'_, T>) -> Result<()> {
        let (hidden, hidden_grad) = self.hidden.output_and_delta();
        self.output.backward(hidden, Some(hidden_grad))?;
        self.hidden.backward(input, None)
    }

    fn step(&mut self) {
        self.hidden.step();
        self.output.step();
    }

    fn visit_layers<V: LayerVisitor<T>>(&self, visitor: &mut V) {
        visitor.visit_layer(&self.hidden);
        visitor.visit_layer(&self.output);
    }

    fn visit_layers_mut<V: LayerVisitorMut<T>>(&mut self, visitor: &mut V) {
        visitor.visit_layer_mut(&mut self.hidden);
        visitor.visit_layer_mut(&mut self.output);
    }
}
