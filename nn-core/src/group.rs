//! One group of a dense layer: neurons that share an activation and an optimizer.
//!
//! A group owns its weight `[outputs, inputs]` (the `nn.Linear` layout, so
//! PyTorch weights copy over one to one), its bias, its rows of the layer's mask,
//! its optimizer with that optimizer's state, and its gradient buffers.
//!
//! # Shapes
//! - input `x`: `[batch, inputs]`, shared by all groups of the layer;
//! - output block: `[batch, outputs]`, this group's columns of the layer output;
//! - forward: `y = f(x · Wᵀ + b)`.

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Zip};

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::init::Init;
use crate::mask::{LiveIndex, Mask};
use crate::optim::Optimizer;
use crate::scalar::Scalar;

/// A group of neurons inside a [`Dense`](crate::Dense) layer.
///
/// Built with [`DenseGroup::new`]. The layer allocates and initialises the
/// weights when it is built, because only then is the input width fixed.
#[derive(Clone, Debug)]
pub struct DenseGroup<T: Scalar, A: Activation, O: Optimizer> {
    name: String,
    outputs: usize,
    inputs: usize,
    activation: A,
    optimizer: O,
    init: Init,
    weight: Array2<T>,
    bias: Array1<T>,
    mask: Option<Mask>,
    live: Option<LiveIndex>,
    weight_grad: Array2<T>,
    bias_grad: Array1<T>,
    weight_slots: Vec<O::Slot<T>>,
    bias_slots: Vec<O::Slot<T>>,
    /// Pre-activations of the last forward pass, kept only for activations whose
    /// derivative needs them.
    pre_activation: Array2<T>,
}

impl<T: Scalar, A: Activation, O: Optimizer> DenseGroup<T, A, O> {
    /// A group of `outputs` neurons, named after its activation until
    /// [`named`](Self::named) gives it another name.
    pub fn new(outputs: usize, activation: A, optimizer: O) -> Self {
        Self {
            name: activation.name().to_owned(),
            outputs,
            inputs: 0,
            activation,
            optimizer,
            init: Init::Auto,
            weight: Array2::zeros((0, 0)),
            bias: Array1::zeros(0),
            mask: None,
            live: None,
            weight_grad: Array2::zeros((0, 0)),
            bias_grad: Array1::zeros(0),
            weight_slots: Vec::new(),
            bias_slots: Vec::new(),
            pre_activation: Array2::zeros((0, 0)),
        }
    }

    /// Renames the group.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Chooses the weight initialiser; the default picks one from the activation.
    pub fn with_init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }

    /// Checks the configuration, then allocates and initialises the parameters.
    pub(crate) fn build(
        &mut self,
        layer: &str,
        inputs: usize,
        fan_out: usize,
        seed: u64,
    ) -> Result<()> {
        let invalid = |(name, value, expected): (&'static str, f64, &'static str), owner| {
            Error::InvalidParameter {
                group: self.name.clone(),
                owner,
                name,
                value,
                expected,
            }
        };
        if self.outputs == 0 {
            return Err(Error::EmptyGroup {
                layer: layer.to_owned(),
                group: self.name.clone(),
            });
        }
        self.activation
            .validate()
            .map_err(|e| invalid(e, self.activation.name()))?;
        self.optimizer
            .validate()
            .map_err(|e| invalid(e, self.optimizer.name()))?;
        self.init.validate().map_err(|e| invalid(e, "init"))?;

        self.inputs = inputs;
        self.weight = Array2::zeros((self.outputs, inputs));
        self.init.fill(
            self.activation.init_family(),
            &mut self.weight,
            fan_out,
            seed,
        );
        self.bias = Array1::zeros(self.outputs);
        if O::TRAINABLE {
            self.weight_grad = Array2::zeros((self.outputs, inputs));
            self.bias_grad = Array1::zeros(self.outputs);
        }
        self.mask = None;
        self.live = None;
        self.reset_state();
        Ok(())
    }

    /// Restricts the group to the live connections of `mask` (its own rows) and
    /// zeroes the removed weights. The shape was checked by the layer.
    pub(crate) fn apply_mask(&mut self, mask: Mask) {
        Zip::from(&mut self.weight)
            .and(&mask.as_array())
            .for_each(|w, &live| {
                if !live {
                    *w = T::zero();
                }
            });
        if mask.live_count() == mask.outputs() * mask.inputs() {
            self.live = None;
        } else {
            self.live = Some(LiveIndex::new(&mask));
        }
        self.mask = Some(mask);
        self.reset_state();
    }

    /// Clears the optimizer state, sizing it to the live connections.
    fn reset_state(&mut self) {
        let wants = O::TRAINABLE && self.optimizer.needs_slots();
        let weights = match (&self.live, wants) {
            (_, false) => 0,
            (Some(live), true) => live.len(),
            (None, true) => self.weight.len(),
        };
        self.weight_slots = vec![Default::default(); weights];
        self.bias_slots = vec![Default::default(); if wants { self.outputs } else { 0 }];
    }

    /// Group name, unique within its layer.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of neurons.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// Inputs of the layer, 0 before the layer is built.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// The activation.
    pub fn activation(&self) -> &A {
        &self.activation
    }

    /// The optimizer and its step count.
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// Mutable access to the optimizer, for example to change the learning rate
    /// between epochs. Its state is kept.
    pub fn optimizer_mut(&mut self) -> &mut O {
        &mut self.optimizer
    }

    /// The initialiser the group was built with.
    pub fn init(&self) -> Init {
        self.init
    }

    /// Weights, `[outputs, inputs]`; removed connections are exactly 0.0.
    pub fn weight(&self) -> ArrayView2<'_, T> {
        self.weight.view()
    }

    /// Biases, `[outputs]`.
    pub fn bias(&self) -> ArrayView1<'_, T> {
        self.bias.view()
    }

    /// Weight gradient of the last backward pass, 0.0 at removed connections.
    /// Empty for a frozen group, which computes none.
    pub fn weight_grad(&self) -> ArrayView2<'_, T> {
        self.weight_grad.view()
    }

    /// Bias gradient of the last backward pass; empty for a frozen group.
    pub fn bias_grad(&self) -> ArrayView1<'_, T> {
        self.bias_grad.view()
    }

    /// The group's rows of the layer mask, `None` when every connection exists.
    pub fn mask(&self) -> Option<&Mask> {
        self.mask.as_ref()
    }

    /// Existing connections.
    pub fn live_connections(&self) -> usize {
        self.live.as_ref().map_or(self.weight.len(), LiveIndex::len)
    }

    /// Connections of the unmasked group, outputs × inputs.
    pub fn total_connections(&self) -> usize {
        self.weight.len()
    }

    /// Number of per-weight optimizer slots: the live connections for a stateful
    /// optimizer, 0 for plain SGD and frozen groups.
    pub fn optimizer_state_len(&self) -> usize {
        self.weight_slots.len()
    }

    /// Replaces the weights; entries at removed connections are set to 0.0.
    ///
    /// **Errors** with [`Error::ParameterShape`] unless `weight` is `[outputs, inputs]`.
    pub fn set_weight(&mut self, weight: ArrayView2<'_, T>) -> Result<()> {
        if weight.dim() != self.weight.dim() {
            return Err(Error::ParameterShape {
                group: self.name.clone(),
                what: "weight",
                expected: self.weight.shape().to_vec(),
                found: weight.shape().to_vec(),
            });
        }
        self.weight.assign(&weight);
        if let Some(mask) = &self.mask {
            Zip::from(&mut self.weight)
                .and(&mask.as_array())
                .for_each(|w, &live| {
                    if !live {
                        *w = T::zero();
                    }
                });
        }
        Ok(())
    }

    /// Replaces the biases.
    ///
    /// **Errors** with [`Error::ParameterShape`] unless `bias` has `outputs` entries.
    pub fn set_bias(&mut self, bias: ArrayView1<'_, T>) -> Result<()> {
        if bias.len() != self.bias.len() {
            return Err(Error::ParameterShape {
                group: self.name.clone(),
                what: "bias",
                expected: vec![self.bias.len()],
                found: vec![bias.len()],
            });
        }
        self.bias.assign(&bias);
        Ok(())
    }

    /// Writes `f(x · Wᵀ + b)` into `out`, this group's block of the layer output.
    pub(crate) fn forward(&mut self, x: ArrayView2<'_, T>, mut out: ArrayViewMut2<'_, T>) {
        general_mat_mul(T::one(), &x, &self.weight.t(), T::zero(), &mut out);
        for mut row in out.rows_mut() {
            row += &self.bias;
        }
        if A::NEEDS_INPUT {
            if self.pre_activation.dim() != out.dim() {
                self.pre_activation = Array2::zeros(out.dim());
            }
            self.pre_activation.assign(&out);
        }
        self.activation.forward(out);
    }

    /// Turns `delta` from dL/dy into dL/dz in place, stores the weight and bias
    /// gradients (none when frozen), and writes or adds this group's share of
    /// dL/dx into `input_grad`.
    pub(crate) fn backward(
        &mut self,
        x: ArrayView2<'_, T>,
        y: ArrayView2<'_, T>,
        mut delta: ArrayViewMut2<'_, T>,
        input_grad: Option<(ArrayViewMut2<'_, T>, bool)>,
    ) {
        let pre = if A::NEEDS_INPUT {
            self.pre_activation.view()
        } else {
            self.pre_activation.slice(s![0..0, 0..0])
        };
        self.activation.backward(pre, y, delta.view_mut());

        if O::TRAINABLE {
            general_mat_mul(T::one(), &delta.t(), &x, T::zero(), &mut self.weight_grad);
            if let Some(mask) = &self.mask {
                Zip::from(&mut self.weight_grad)
                    .and(&mask.as_array())
                    .for_each(|g, &live| {
                        if !live {
                            *g = T::zero();
                        }
                    });
            }
            self.bias_grad.assign(&delta.sum_axis(Axis(0)));
        }

        if let Some((mut input_grad, accumulate)) = input_grad {
            let beta = if accumulate { T::one() } else { T::zero() };
            general_mat_mul(T::one(), &delta, &self.weight, beta, &mut input_grad);
        }
    }

    /// Applies one optimizer step to the live weights and the biases.
    pub(crate) fn step(&mut self) {
        if !O::TRAINABLE {
            return;
        }
        let step = self.optimizer.prepare::<T>();
        let weights = self
            .weight
            .as_slice_mut()
            .expect("group weights are allocated contiguous");
        let grads = self
            .weight_grad
            .as_slice()
            .expect("group gradients are allocated contiguous");
        match (&self.live, self.weight_slots.is_empty()) {
            (None, false) => {
                for ((w, &g), slot) in weights.iter_mut().zip(grads).zip(&mut self.weight_slots) {
                    O::update(&step, slot, w, g);
                }
            }
            (None, true) => {
                let mut unused = Default::default();
                for (w, &g) in weights.iter_mut().zip(grads) {
                    O::update(&step, &mut unused, w, g);
                }
            }
            (Some(live), stateless) => {
                let mut unused = Default::default();
                for row in 0..self.outputs {
                    let base = row * self.inputs;
                    for k in live.row_start[row]..live.row_start[row + 1] {
                        let index = base + live.cols[k] as usize;
                        let slot = if stateless {
                            &mut unused
                        } else {
                            &mut self.weight_slots[k]
                        };
                        O::update(&step, slot, &mut weights[index], grads[index]);
                    }
                }
            }
        }

        let mut unused = Default::default();
        let stateless = self.bias_slots.is_empty();
        for (i, (b, &g)) in self.bias.iter_mut().zip(&self.bias_grad).enumerate() {
            let slot = if stateless {
                &mut unused
            } else {
                &mut self.bias_slots[i]
            };
            O::update(&step, slot, b, g);
        }
    }
}
