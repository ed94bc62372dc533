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

use arrayvec::ArrayVec;
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Zip};

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::init::Init;
use crate::kernels;
use crate::mask::{LiveIndex, Mask};
use crate::optim::Optimizer;
use crate::parallel::{self, MAX_PARTS};
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

    /// A copy of the weight gradient of the last backward pass, 0.0 at removed
    /// connections. Empty for a frozen group, which computes none.
    ///
    /// The backward pass leaves the gradient of removed connections in its
    /// buffer, because the optimizer never reads them, so this masks a copy.
    pub fn weight_grad(&self) -> Array2<T> {
        let mut grad = self.weight_grad.clone();
        if let (Some(mask), false) = (&self.mask, grad.is_empty()) {
            Zip::from(&mut grad)
                .and(&mask.as_array())
                .for_each(|g, &live| {
                    if !live {
                        *g = T::zero();
                    }
                });
        }
        grad
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
    ///
    /// Large groups are split by rows of W, one part per thread; each part
    /// writes its own columns of `out`.
    pub(crate) fn forward(&mut self, x: ArrayView2<'_, T>, mut out: ArrayViewMut2<'_, T>) {
        if A::NEEDS_INPUT && self.pre_activation.dim() != out.dim() {
            self.pre_activation = Array2::zeros(out.dim());
        }
        let parts = parallel::parts_for(x.nrows() * self.inputs * self.outputs);
        let activation = self.activation;
        let mut tasks = ArrayVec::<_, MAX_PARTS>::new();
        let mut weight = self.weight.view();
        let mut bias = self.bias.view();
        let mut block = out.view_mut();
        let mut pre = self.pre_activation.view_mut();
        for rows in parallel::split_range(self.outputs, parts) {
            let (w, w_rest) = weight.split_at(Axis(0), rows.len());
            let (b, b_rest) = bias.split_at(Axis(0), rows.len());
            let (o, o_rest) = block.split_at(Axis(1), rows.len());
            let p = if A::NEEDS_INPUT {
                let (p, p_rest) = pre.split_at(Axis(1), rows.len());
                pre = p_rest;
                Some(p)
            } else {
                None
            };
            (weight, bias, block) = (w_rest, b_rest, o_rest);
            tasks.push((w, b, o, p));
        }
        parallel::run_parts(tasks, |(w, b, mut o, pre)| {
            kernels::affine(x, w, b, o.view_mut());
            if let Some(mut pre) = pre {
                pre.assign(&o);
            }
            if A::ELEMENTWISE {
                activation.forward(o);
            }
        });
        if !A::ELEMENTWISE {
            self.activation.forward(out);
        }
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
        let batch = x.nrows();
        let empty = self.pre_activation.slice(s![0..0, 0..0]);
        if !A::ELEMENTWISE {
            let pre = if A::NEEDS_INPUT {
                self.pre_activation.view()
            } else {
                empty
            };
            self.activation.backward(pre, y, delta.view_mut());
        }

        // Derivative and weight gradient, by rows of W.
        let work = if O::TRAINABLE {
            batch * self.inputs * self.outputs
        } else {
            batch * self.outputs
        };
        let parts = parallel::parts_for(work);
        let activation = self.activation;
        let mut tasks = ArrayVec::<_, MAX_PARTS>::new();
        let mut d_rest = delta.view_mut();
        let mut y_rest = y;
        let mut pre_rest = if A::NEEDS_INPUT {
            self.pre_activation.view()
        } else {
            empty
        };
        let mut dw_rest = self.weight_grad.view_mut();
        let mut db_rest = self.bias_grad.view_mut();
        for rows in parallel::split_range(self.outputs, parts) {
            let n = rows.len();
            let (d, d_next) = d_rest.split_at(Axis(1), n);
            let (y_part, y_next) = y_rest.split_at(Axis(1), n);
            let pre_part = if A::NEEDS_INPUT {
                let (p, p_next) = pre_rest.split_at(Axis(1), n);
                pre_rest = p_next;
                p
            } else {
                pre_rest
            };
            let grads = if O::TRAINABLE {
                let (dw, dw_next) = dw_rest.split_at(Axis(0), n);
                let (db, db_next) = db_rest.split_at(Axis(0), n);
                dw_rest = dw_next;
                db_rest = db_next;
                Some((dw, db))
            } else {
                None
            };
            (d_rest, y_rest) = (d_next, y_next);
            tasks.push((d, y_part, pre_part, grads));
        }
        parallel::run_parts(tasks, |(mut d, y, pre, grads)| {
            if A::ELEMENTWISE {
                activation.backward(pre, y, d.view_mut());
            }
            if let Some((dw, mut db)) = grads {
                kernels::weight_grad(d.view(), x, dw);
                db.fill(T::zero());
                for row in d.rows() {
                    db += &row;
                }
            }
        });

        // Input gradient, by columns of dL/dx, since every row of W adds to all of them.
        let Some((input_grad, accumulate)) = input_grad else {
            return;
        };
        let parts = parallel::parts_for(batch * self.inputs * self.outputs);
        let delta = delta.view();
        let mut tasks = ArrayVec::<_, MAX_PARTS>::new();
        let mut dx_rest = input_grad;
        let mut w_rest = self.weight.view();
        for columns in parallel::split_range(self.inputs, parts) {
            let (dx, dx_next) = dx_rest.split_at(Axis(1), columns.len());
            let (w, w_next) = w_rest.split_at(Axis(1), columns.len());
            (dx_rest, w_rest) = (dx_next, w_next);
            tasks.push((dx, w));
        }
        parallel::run_parts(tasks, |(dx, w)| {
            kernels::input_grad(delta, w, dx, accumulate)
        });
    }

    /// Applies one optimizer step to the live weights and the biases.
    pub(crate) fn step(&mut self) {
        if !O::TRAINABLE {
            return;
        }
        let step = self.optimizer.prepare::<T>();
        let inputs = self.inputs;
        let live = self.live.as_ref();
        let parts = parallel::parts_for(self.live_connections() * 8);
        let weights = self
            .weight
            .as_slice_mut()
            .expect("group weights are allocated contiguous");
        let grads = self
            .weight_grad
            .as_slice()
            .expect("group gradients are allocated contiguous");
        let biases = self
            .bias
            .as_slice_mut()
            .expect("group biases are allocated contiguous");
        let bias_grads = self
            .bias_grad
            .as_slice()
            .expect("group gradients are allocated contiguous");
        let stateful = !self.weight_slots.is_empty();

        let mut tasks = ArrayVec::<_, MAX_PARTS>::new();
        let (mut w_rest, mut g_rest) = (weights, grads);
        let (mut b_rest, mut bg_rest) = (biases, bias_grads);
        let mut slots_rest = self.weight_slots.as_mut_slice();
        let mut bias_slots_rest = self.bias_slots.as_mut_slice();
        for rows in parallel::split_range(self.outputs, parts) {
            let n = rows.len();
            let (w, w_next) = w_rest.split_at_mut(n * inputs);
            let (g, g_next) = g_rest.split_at(n * inputs);
            let (b, b_next) = b_rest.split_at_mut(n);
            let (bg, bg_next) = bg_rest.split_at(n);
            let slot_count = match live {
                Some(live) => live.row_start[rows.end] - live.row_start[rows.start],
                None => n * inputs,
            };
            let (slots, slots_next) = if stateful {
                slots_rest.split_at_mut(slot_count)
            } else {
                slots_rest.split_at_mut(0)
            };
            let (bias_slots, bias_slots_next) = if stateful {
                bias_slots_rest.split_at_mut(n)
            } else {
                bias_slots_rest.split_at_mut(0)
            };
            (w_rest, g_rest, b_rest, bg_rest) = (w_next, g_next, b_next, bg_next);
            (slots_rest, bias_slots_rest) = (slots_next, bias_slots_next);
            tasks.push((rows, w, g, b, bg, slots, bias_slots));
        }
        parallel::run_parts(tasks, |(rows, w, g, b, bg, slots, bias_slots)| {
            update_all::<T, O>(&step, bias_slots, b, bg);
            match live {
                None => update_all::<T, O>(&step, slots, w, g),
                Some(live) => {
                    let first = live.row_start[rows.start];
                    let mut unused = Default::default();
                    for (local, row) in rows.clone().enumerate() {
                        let base = local * inputs;
                        for k in live.row_start[row]..live.row_start[row + 1] {
                            let index = base + live.cols[k] as usize;
                            let slot = if slots.is_empty() {
                                &mut unused
                            } else {
                                &mut slots[k - first]
                            };
                            O::update(&step, slot, &mut w[index], g[index]);
                        }
                    }
                }
            }
        });
    }
}

/// Updates every parameter of `params` from `grads`; `slots` is empty for a
/// stateless optimizer and as long as `params` otherwise.
#[inline]
fn update_all<T: Scalar, O: Optimizer>(
    step: &O::Prepared<T>,
    slots: &mut [O::Slot<T>],
    params: &mut [T],
    grads: &[T],
) {
    if slots.is_empty() {
        let mut unused = Default::default();
        for (w, &g) in params.iter_mut().zip(grads) {
            O::update(step, &mut unused, w, g);
        }
    } else {
        for ((w, &g), slot) in params.iter_mut().zip(grads).zip(slots) {
            O::update(step, slot, w, g);
        }
    }
}
