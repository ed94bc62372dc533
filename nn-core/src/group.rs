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

use std::sync::OnceLock;

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

/// Implementation of a masked group's matrix products.
///
/// The dense kernel multiplies the full weight matrix, whose removed entries
/// are 0.0, with a general matrix product. The sparse kernel visits only the
/// live connections, row by row in compressed-sparse-row order, in the
/// forward pass, the weight gradient and the input gradient. It computes the
/// input gradient on one thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kernel {
    /// Sparse when the group is masked and at most [`SPARSE_DENSITY`] of its
    /// connections are live, dense otherwise.
    #[default]
    Auto,
    /// Always the dense kernel.
    Dense,
    /// The sparse kernel whenever the group is masked.
    Sparse,
}

/// Samples the sparse kernel processes together: one 512-bit vector of `f32`.
const SPARSE_CHUNK: usize = 16;

/// How many live connections ahead the sparse kernel has the CPU fetch the
/// input feature it will read. Their rows are scattered over the transposed
/// input, so waiting for each in turn would dominate the kernel.
const PREFETCH_DISTANCE: usize = 8;

/// Density at or below which [`Kernel::Auto`] picks the sparse kernel.
///
/// NOTE: measured with `cargo bench --bench sparse_threshold` on a shared
/// 2-core Zen 4 machine, where the sparse kernel trained a 784 -> 512 layer at
/// batch 64 faster than the dense kernel below a density of about 0.1 (3.3x
/// at 0.02, 1.5x at 0.05, even at 0.1). Other machines may move the crossing.
pub const SPARSE_DENSITY: f64 = 0.08;

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
    /// Live weights and their gradients gathered into contiguous buffers during
    /// a masked step, so the update loop runs over plain slices and vectorises.
    live_weights: Vec<T>,
    live_grads: Vec<T>,
    /// For a masked group and a small batch, backward keeps dL/dz and the input
    /// instead of the weight gradient, and the step computes each live
    /// connection's gradient on the fly: one pass over W instead of three.
    grad_deferred: bool,
    deferred_delta: Array2<T>,
    deferred_input: Array2<T>,
    kernel: Kernel,
    /// Whether the last backward pass left the live gradients in `live_grads`
    /// (the sparse kernel) instead of in `weight_grad`.
    grad_live: bool,
    /// The input transposed, `[inputs, batch]`, for the sparse kernel, which
    /// reads one input feature across the batch at a time.
    input_t: Array2<T>,
    /// The pre-activations, then dL/dz, transposed, `[outputs, batch]`.
    output_t: Array2<T>,
    /// dL/dx transposed, `[inputs, batch]`, for the sparse kernel.
    input_grad_t: Array2<T>,
    /// Whether the sparse kernel runs. Then `live_weights` contains the weights
    /// and `weight` is out of date: the step updates only the live values, and
    /// [`weight`](Self::weight) rebuilds the dense matrix in `snapshot` when
    /// asked, since scattering every step would cost more than the step.
    sparse: bool,
    snapshot: OnceLock<Array2<T>>,
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
            live_weights: Vec::new(),
            live_grads: Vec::new(),
            grad_deferred: false,
            deferred_delta: Array2::zeros((0, 0)),
            deferred_input: Array2::zeros((0, 0)),
            kernel: Kernel::Auto,
            grad_live: false,
            input_t: Array2::zeros((0, 0)),
            output_t: Array2::zeros((0, 0)),
            input_grad_t: Array2::zeros((0, 0)),
            sparse: false,
            snapshot: OnceLock::new(),
            pre_activation: Array2::zeros((0, 0)),
        }
    }

    /// Renames the group.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Chooses the kernel; see [`Kernel`].
    pub fn with_kernel(mut self, kernel: Kernel) -> Self {
        self.kernel = kernel;
        self
    }

    /// Changes the kernel between steps; optimizer state is kept.
    pub fn set_kernel(&mut self, kernel: Kernel) {
        self.kernel = kernel;
        self.refresh_mode();
    }

    /// Whether the products run on the sparse kernel, as [`Kernel`] decides
    /// from the request and the mask.
    pub fn uses_sparse_kernel(&self) -> bool {
        self.sparse
    }

    fn wants_sparse(&self) -> bool {
        let Some(live) = &self.live else {
            return false;
        };
        match self.kernel {
            Kernel::Dense => false,
            Kernel::Sparse => true,
            Kernel::Auto => (live.len() as f64) <= SPARSE_DENSITY * self.weight.len() as f64,
        }
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
        self.sparse = false;
        self.reset_state();
        self.snapshot = OnceLock::new();
        Ok(())
    }

    /// Restricts the group to the live connections of `mask` (its own rows) and
    /// zeroes the removed weights. The shape was checked by the layer.
    pub(crate) fn apply_mask(&mut self, mask: Mask) {
        if self.sparse {
            self.scatter_live_weights();
            self.sparse = false;
        }
        zero_removed(&mut self.weight, &mask);
        if mask.live_count() == mask.outputs() * mask.inputs() {
            self.live = None;
        } else {
            self.live = Some(LiveIndex::new(&mask));
        }
        self.mask = Some(mask);
        self.reset_state();
        self.refresh_mode();
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
        let gathered = match (&self.live, O::TRAINABLE) {
            (Some(live), true) => live.len(),
            _ => 0,
        };
        self.live_weights = vec![T::zero(); self.live.as_ref().map_or(0, LiveIndex::len)];
        self.live_grads = vec![T::zero(); gathered];
    }

    /// Moves the weights into the layout the chosen kernel reads.
    fn refresh_mode(&mut self) {
        let wanted = self.wants_sparse();
        if wanted && !self.sparse {
            self.gather_live_weights();
        } else if !wanted && self.sparse {
            self.scatter_live_weights();
        }
        self.sparse = wanted;
        self.snapshot = OnceLock::new();
    }

    fn gather_live_weights(&mut self) {
        if let Some(live) = &self.live {
            for (row, col, k) in live.entries() {
                self.live_weights[k] = self.weight[(row, col)];
            }
        }
    }

    fn scatter_live_weights(&mut self) {
        if let Some(live) = &self.live {
            for (row, col, k) in live.entries() {
                self.weight[(row, col)] = self.live_weights[k];
            }
        }
    }

    /// Builds a dense `[outputs, inputs]` matrix from compact live values.
    fn densify(&self, values: &[T]) -> Array2<T> {
        let mut dense = Array2::zeros(self.weight.dim());
        if let Some(live) = &self.live {
            for (row, col, k) in live.entries() {
                dense[(row, col)] = values[k];
            }
        }
        dense
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
        if !self.sparse {
            return self.weight.view();
        }
        self.snapshot
            .get_or_init(|| self.densify(&self.live_weights))
            .view()
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
        let mut grad = if self.grad_deferred {
            self.deferred_delta.t().dot(&self.deferred_input)
        } else if self.grad_live {
            self.densify(&self.live_grads)
        } else {
            self.weight_grad.clone()
        };
        if let (Some(mask), false) = (&self.mask, grad.is_empty()) {
            zero_removed(&mut grad, mask);
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
            zero_removed(&mut self.weight, mask);
        }
        if self.sparse {
            self.gather_live_weights();
            self.snapshot = OnceLock::new();
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
        if self.uses_sparse_kernel() {
            self.forward_sparse(x, out);
            return;
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

    /// The forward pass on the sparse kernel: for each output, the bias plus
    /// every live weight times its input feature across the batch.
    fn forward_sparse(&mut self, x: ArrayView2<'_, T>, mut out: ArrayViewMut2<'_, T>) {
        let batch = x.nrows();
        if self.input_t.dim() != (self.inputs, batch) {
            self.input_t = Array2::zeros((self.inputs, batch));
            self.output_t = Array2::zeros((self.outputs, batch));
        }
        self.input_t.assign(&x.t());
        let Some(live) = self.live.as_ref() else {
            return;
        };
        let input_t = self.input_t.view();
        let parts = parallel::parts_for(batch * live.len());
        let mut tasks = ArrayVec::<_, MAX_PARTS>::new();
        let mut rest = self.output_t.view_mut();
        for rows in parallel::split_range(self.outputs, parts) {
            let (part, next) = rest.split_at(Axis(0), rows.len());
            rest = next;
            tasks.push((rows, part));
        }
        let (weights, bias) = (self.live_weights.as_slice(), self.bias.view());
        let Some(xt) = input_t.to_slice() else {
            return;
        };
        parallel::run_parts(tasks, |(rows, mut part)| {
            // Batch chunks keep the slice of the transposed input that a chunk
            // reads small enough to stay in the core's cache across rows.
            for chunk in (0..batch).step_by(SPARSE_CHUNK) {
                let width = SPARSE_CHUNK.min(batch - chunk);
                for (local, row) in rows.clone().enumerate() {
                    let mut sums = [bias[row]; SPARSE_CHUNK];
                    for k in live.row_start[row]..live.row_start[row + 1] {
                        if let Some(&ahead) = live.cols.get(k + PREFETCH_DISTANCE) {
                            let ahead = ahead as usize * batch + chunk;
                            prefetch(&xt[ahead..ahead + width]);
                        }
                        let w = weights[k];
                        let start = live.cols[k] as usize * batch + chunk;
                        let feature = &xt[start..start + width];
                        if let Ok(feature) = <&[T; SPARSE_CHUNK]>::try_from(feature) {
                            for i in 0..SPARSE_CHUNK {
                                sums[i] += w * feature[i];
                            }
                        } else {
                            for (s, &v) in sums.iter_mut().zip(feature) {
                                *s += w * v;
                            }
                        }
                    }
                    let mut target = part.row_mut(local);
                    for (i, &value) in sums[..width].iter().enumerate() {
                        target[chunk + i] = value;
                    }
                }
            }
        });
        out.assign(&self.output_t.t());
        if A::NEEDS_INPUT {
            self.pre_activation.assign(&out);
        }
        self.activation.forward(out);
    }

    /// The weight and bias gradients on the sparse kernel, from dL/dz in
    /// `delta`: each live connection's gradient is the dot product of its
    /// output's dL/dz and its input feature across the batch.
    fn weight_grad_sparse(&mut self, delta: ArrayView2<'_, T>) {
        let batch = delta.nrows();
        let Some(live) = self.live.as_ref() else {
            return;
        };
        self.output_t.assign(&delta.t());
        let parts = parallel::parts_for(batch * live.len());
        let mut tasks = ArrayVec::<_, MAX_PARTS>::new();
        let first_row_start = |rows: &std::ops::Range<usize>| live.row_start[rows.start];
        let mut grads_rest = self.live_grads.as_mut_slice();
        let mut bias_rest = self.bias_grad.as_slice_mut().unwrap_or(&mut []);
        for rows in parallel::split_range(self.outputs, parts) {
            let count = live.row_start[rows.end] - first_row_start(&rows);
            let (grads, next) = grads_rest.split_at_mut(count);
            let (bias, bias_next) = bias_rest.split_at_mut(rows.len());
            (grads_rest, bias_rest) = (next, bias_next);
            tasks.push((rows, grads, bias));
        }
        let (input_t, delta_t) = (self.input_t.view(), self.output_t.view());
        let (Some(xt), Some(dt)) = (input_t.to_slice(), delta_t.to_slice()) else {
            return;
        };
        parallel::run_parts(tasks, |(rows, grads, bias)| {
            let first = live.row_start[rows.start];
            for (local, row) in rows.clone().enumerate() {
                bias[local] = dt[row * batch..(row + 1) * batch].iter().copied().sum();
            }
            for row in rows {
                let d = &dt[row * batch..(row + 1) * batch];
                let (start_k, end_k) = (live.row_start[row], live.row_start[row + 1]);
                for k in start_k..end_k {
                    if let Some(&ahead) = live.cols.get(k + PREFETCH_DISTANCE) {
                        prefetch(&xt[ahead as usize * batch..(ahead as usize + 1) * batch]);
                    }
                    let start = live.cols[k] as usize * batch;
                    grads[k - first] = kernels::dot(d, &xt[start..start + batch]);
                }
            }
        });
    }

    /// dL/dx on the sparse kernel: each live weight adds its output's dL/dz,
    /// scaled, to its input's row of the transposed gradient.
    ///
    /// NOTE: runs on one thread, because rows of W that share an input would
    /// write the same row of the result.
    fn input_grad_sparse(
        &mut self,
        delta: ArrayView2<'_, T>,
        mut input_grad: ArrayViewMut2<'_, T>,
        accumulate: bool,
    ) {
        let batch = delta.nrows();
        if self.output_t.dim() != (self.outputs, batch) {
            self.output_t = Array2::zeros((self.outputs, batch));
        }
        if self.input_grad_t.dim() != (self.inputs, batch) {
            self.input_grad_t = Array2::zeros((self.inputs, batch));
        }
        self.output_t.assign(&delta.t());
        self.input_grad_t.fill(T::zero());
        let Some(live) = &self.live else {
            return;
        };
        for row in 0..self.outputs {
            let d = self.output_t.row(row);
            let Some(d) = d.as_slice() else { continue };
            for k in live.row_start[row]..live.row_start[row + 1] {
                let w = self.live_weights[k];
                let mut target = self.input_grad_t.row_mut(live.cols[k] as usize);
                if let Some(target) = target.as_slice_mut() {
                    for (t, &v) in target.iter_mut().zip(d) {
                        *t += w * v;
                    }
                }
            }
        }
        if accumulate {
            input_grad += &self.input_grad_t.t();
        } else {
            input_grad.assign(&self.input_grad_t.t());
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

        let sparse = O::TRAINABLE && self.uses_sparse_kernel();
        let defer = O::TRAINABLE && !sparse && self.live.is_some() && batch <= kernels::SMALL_BATCH;
        self.grad_deferred = false;
        self.grad_live = false;

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
                if sparse {
                    return;
                }
                if !defer {
                    kernels::weight_grad(d.view(), x, dw);
                }
                db.fill(T::zero());
                for row in d.rows() {
                    db += &row;
                }
            }
        });

        if sparse {
            self.weight_grad_sparse(delta.view());
            self.grad_live = true;
        }
        if defer {
            if self.deferred_delta.dim() != delta.dim() {
                self.deferred_delta = Array2::zeros(delta.dim());
                self.deferred_input = Array2::zeros(x.dim());
            }
            self.deferred_delta.assign(&delta);
            self.deferred_input.assign(&x);
            self.grad_deferred = true;
        }

        // Input gradient, by columns of dL/dx, since every row of W adds to all of them.
        let Some((input_grad, accumulate)) = input_grad else {
            return;
        };
        if self.sparse {
            self.input_grad_sparse(delta.view(), input_grad, accumulate);
            return;
        }
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
        if self.sparse {
            self.snapshot = OnceLock::new();
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
        let deferred = self
            .grad_deferred
            .then(|| (self.deferred_delta.view(), self.deferred_input.view()));
        let grad_live = self.grad_live;
        let sparse = self.sparse;

        let mut tasks = ArrayVec::<_, MAX_PARTS>::new();
        let (mut w_rest, mut g_rest) = (weights, grads);
        let (mut b_rest, mut bg_rest) = (biases, bias_grads);
        let mut slots_rest = self.weight_slots.as_mut_slice();
        let mut bias_slots_rest = self.bias_slots.as_mut_slice();
        let mut live_w_rest = self.live_weights.as_mut_slice();
        let mut live_g_rest = self.live_grads.as_mut_slice();
        for rows in parallel::split_range(self.outputs, parts) {
            let n = rows.len();
            let (w, w_next) = w_rest.split_at_mut(n * inputs);
            let (g, g_next) = g_rest.split_at(n * inputs);
            let (b, b_next) = b_rest.split_at_mut(n);
            let (bg, bg_next) = bg_rest.split_at(n);
            let live_count = match live {
                Some(live) => live.row_start[rows.end] - live.row_start[rows.start],
                None => 0,
            };
            let slot_count = match (stateful, live) {
                (false, _) => 0,
                (true, Some(_)) => live_count,
                (true, None) => n * inputs,
            };
            let (slots, slots_next) = slots_rest.split_at_mut(slot_count);
            let (bias_slots, bias_slots_next) =
                bias_slots_rest.split_at_mut(if stateful { n } else { 0 });
            let (live_w, live_w_next) = live_w_rest.split_at_mut(live_count);
            let (live_g, live_g_next) = live_g_rest.split_at_mut(live_count);
            (w_rest, g_rest, b_rest, bg_rest) = (w_next, g_next, b_next, bg_next);
            (slots_rest, bias_slots_rest) = (slots_next, bias_slots_next);
            (live_w_rest, live_g_rest) = (live_w_next, live_g_next);
            tasks.push((rows, w, g, b, bg, slots, bias_slots, live_w, live_g));
        }
        parallel::run_parts(
            tasks,
            |(rows, w, g, b, bg, slots, bias_slots, live_w, live_g)| {
                update_all::<T, O>(&step, bias_slots, b, bg);
                let Some(live) = live else {
                    update_all::<T, O>(&step, slots, w, g);
                    return;
                };
                if sparse {
                    // The live weights are the master copy, next to their gradients.
                    update_all::<T, O>(&step, slots, live_w, live_g);
                    return;
                }
                // Row by row: gather the live weights and their gradients, update them
                // as one slice, scatter them back, all while the row is in cache.
                let first = live.row_start[rows.start];
                for (local, row) in rows.clone().enumerate() {
                    let (start, end) = (live.row_start[row], live.row_start[row + 1]);
                    let cols = &live.cols[start..end];
                    let range = start - first..end - first;
                    let w_row = &mut w[local * inputs..(local + 1) * inputs];
                    let g_row = &g[local * inputs..(local + 1) * inputs];
                    let lw = &mut live_w[range.clone()];
                    let lg = &mut live_g[range.clone()];
                    for (target, &col) in lw.iter_mut().zip(cols) {
                        *target = w_row[col as usize];
                    }
                    match deferred {
                        _ if grad_live => {}
                        Some((delta, input)) => {
                            // The gradient of (row, col) is the sum over the few samples
                            // of dL/dz[row] times x[col]; the first sample assigns.
                            for (sample, x) in input.rows().into_iter().enumerate() {
                                let d = delta[(sample, row)];
                                let Some(x) = x.to_slice() else { continue };
                                if sample == 0 {
                                    for (target, &col) in lg.iter_mut().zip(cols) {
                                        *target = d * x[col as usize];
                                    }
                                } else {
                                    for (target, &col) in lg.iter_mut().zip(cols) {
                                        *target += d * x[col as usize];
                                    }
                                }
                            }
                        }
                        None => {
                            for (target, &col) in lg.iter_mut().zip(cols) {
                                *target = g_row[col as usize];
                            }
                        }
                    }
                    let row_slots = if slots.is_empty() {
                        &mut slots[..]
                    } else {
                        &mut slots[range]
                    };
                    update_all::<T, O>(&step, row_slots, lw, lg);
                    for (&value, &col) in lw.iter().zip(cols) {
                        w_row[col as usize] = value;
                    }
                }
            },
        );
    }
}

/// Sets the entries of `matrix` at removed connections of `mask` to 0.0.
fn zero_removed<T: Scalar>(matrix: &mut Array2<T>, mask: &Mask) {
    Zip::from(matrix)
        .and(&mask.as_array())
        .for_each(|value, &live| {
            if !live {
                *value = T::zero();
            }
        });
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

/// Asks the CPU to start loading `data` into cache; a hint with no effect on
/// results, and a no-op on other architectures.
#[inline(always)]
pub(crate) fn prefetch<T>(data: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let bytes = std::mem::size_of_val(data);
        let start = data.as_ptr().cast::<i8>();
        let mut offset = 0;
        while offset < bytes {
            // SAFETY: prefetching only hints the cache and never faults; the
            // address lies inside `data`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(offset)) };
            offset += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}
