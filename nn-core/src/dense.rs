//! A dense layer made of groups that share one input and write one output.
//!
//! The layer owns a `[batch, outputs]` output buffer. Group k writes its
//! activations into columns `offset_k..offset_k + outputs_k` of it, so the
//! concatenation of the groups costs no copy. The buffers keep the rows of the
//! largest batch seen and a smaller batch uses their first rows, so alternating
//! batch sizes (such as the short last batch of an epoch) reallocate nothing.
//!
//! ```
//! use ndarray::Array2;
//! use nn_core::activation::{Relu, Sigmoid};
//! use nn_core::optim::{Adam, Sgd};
//! use nn_core::{Dense, DenseGroup, Mask};
//!
//! let mut layer = Dense::<f32, _>::new(
//!     "hidden",
//!     10,
//!     (
//!         DenseGroup::new(5, Relu, Adam::new(1e-3)),
//!         DenseGroup::new(5, Sigmoid, Sgd::new(0.01).momentum(0.9)),
//!     ),
//!     7,
//! )?
//! .with_mask(Mask::cut(10, 10, &[(0, 3), (4, 9)])?)?;
//!
//! let y = layer.forward(Array2::ones((4, 10)).view())?;
//! assert_eq!(y.dim(), (4, 10));
//! assert_eq!(layer.0.weight()[(0, 3)], 0.0);
//! # Ok::<(), nn_core::Error>(())
//! ```

use std::ops::{Deref, DerefMut};

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::group::DenseGroup;
use crate::init::derive_seed;
use crate::mask::Mask;
use crate::optim::Optimizer;
use crate::scalar::Scalar;

/// Called once per group, in order, with shared access.
pub trait GroupVisitor<T: Scalar> {
    /// Visits one group.
    fn visit<A: Activation, O: Optimizer>(&mut self, group: &DenseGroup<T, A, O>);
}

/// Called once per group, in order, with exclusive access.
pub trait GroupVisitorMut<T: Scalar> {
    /// Visits one group.
    fn visit_mut<A: Activation, O: Optimizer>(&mut self, group: &mut DenseGroup<T, A, O>);
}

/// The groups of one layer, in output order.
///
/// Implemented for tuples of up to 12 [`DenseGroup`]s (hand-built layers), for
/// `Vec<DenseGroup<T, A, O>>` (many groups of one type), and by the structs that
/// `network!` generates, whose fields are the named groups. Visiting is
/// monomorphised, so no call is dynamically dispatched.
pub trait GroupSet<T: Scalar> {
    /// Visits every group in output order.
    fn visit<V: GroupVisitor<T>>(&self, visitor: &mut V);
    /// Visits every group in output order, mutably.
    fn visit_mut<V: GroupVisitorMut<T>>(&mut self, visitor: &mut V);
}

macro_rules! tuple_group_set {
    ($($name:ident $index:tt),+) => {
        impl<T: Scalar, $($name: GroupMember<T>),+> GroupSet<T> for ($($name,)+) {
            fn visit<V: GroupVisitor<T>>(&self, visitor: &mut V) {
                $(self.$index.accept(visitor);)+
            }
            fn visit_mut<V: GroupVisitorMut<T>>(&mut self, visitor: &mut V) {
                $(self.$index.accept_mut(visitor);)+
            }
        }
    };
}

/// A single [`DenseGroup`] of any activation and optimizer; the bound that lets
/// tuples of differently typed groups form a [`GroupSet`].
pub trait GroupMember<T: Scalar> {
    /// Passes the group to `visitor`.
    fn accept<V: GroupVisitor<T>>(&self, visitor: &mut V);
    /// Passes the group to `visitor`, mutably.
    fn accept_mut<V: GroupVisitorMut<T>>(&mut self, visitor: &mut V);
}

impl<T: Scalar, A: Activation, O: Optimizer> GroupMember<T> for DenseGroup<T, A, O> {
    fn accept<V: GroupVisitor<T>>(&self, visitor: &mut V) {
        visitor.visit(self);
    }
    fn accept_mut<V: GroupVisitorMut<T>>(&mut self, visitor: &mut V) {
        visitor.visit_mut(self);
    }
}

tuple_group_set!(G0 0);
tuple_group_set!(G0 0, G1 1);
tuple_group_set!(G0 0, G1 1, G2 2);
tuple_group_set!(G0 0, G1 1, G2 2, G3 3);
tuple_group_set!(G0 0, G1 1, G2 2, G3 3, G4 4);
tuple_group_set!(G0 0, G1 1, G2 2, G3 3, G4 4, G5 5);
tuple_group_set!(G0 0, G1 1, G2 2, G3 3, G4 4, G5 5, G6 6);
tuple_group_set!(G0 0, G1 1, G2 2, G3 3, G4 4, G5 5, G6 6, G7 7);
tuple_group_set!(G0 0, G1 1, G2 2, G3 3, G4 4, G5 5, G6 6, G7 7, G8 8);
tuple_group_set!(G0 0, G1 1, G2 2, G3 3, G4 4, G5 5, G6 6, G7 7, G8 8, G9 9);
tuple_group_set!(G0 0, G1 1, G2 2, G3 3, G4 4, G5 5, G6 6, G7 7, G8 8, G9 9, G10 10);
tuple_group_set!(G0 0, G1 1, G2 2, G3 3, G4 4, G5 5, G6 6, G7 7, G8 8, G9 9, G10 10, G11 11);

impl<T: Scalar, A: Activation, O: Optimizer> GroupSet<T> for Vec<DenseGroup<T, A, O>> {
    fn visit<V: GroupVisitor<T>>(&self, visitor: &mut V) {
        self.iter().for_each(|g| visitor.visit(g));
    }
    fn visit_mut<V: GroupVisitorMut<T>>(&mut self, visitor: &mut V) {
        self.iter_mut().for_each(|g| visitor.visit_mut(g));
    }
}

/// Description of one group, as a summary row shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupInfo {
    /// Group name.
    pub name: String,
    /// Neurons.
    pub outputs: usize,
    /// First column of the group in the layer output.
    pub offset: usize,
    /// Activation name.
    pub activation: &'static str,
    /// Optimizer with its hyper-parameters.
    pub optimizer: String,
    /// Existing connections.
    pub live_connections: usize,
    /// Connections without the mask.
    pub total_connections: usize,
    /// Whether the optimizer is [`Frozen`](crate::optim::Frozen).
    pub frozen: bool,
}

/// A dense layer: groups side by side over one input, writing one output.
#[derive(Clone, Debug)]
pub struct Dense<T: Scalar, G: GroupSet<T>> {
    name: String,
    inputs: usize,
    outputs: usize,
    groups: G,
    /// Rows of the last forward pass; the buffers below may have more.
    batch: usize,
    output: Array2<T>,
    /// dL/dy, turned into dL/dz in place during backward.
    delta: Array2<T>,
}

impl<T: Scalar, G: GroupSet<T>> Dense<T, G> {
    /// Builds a layer of `inputs` inputs from its groups, initialising group `g`
    /// from `derive_seed(seed, g)`.
    ///
    /// **Errors** if `inputs` is 0, a group is empty, two groups share a name, or
    /// a hyper-parameter is out of range.
    pub fn new(name: impl Into<String>, inputs: usize, mut groups: G, seed: u64) -> Result<Self> {
        let name = name.into();
        if inputs == 0 {
            return Err(Error::ZeroSize {
                layer: name,
                what: "the input count",
            });
        }
        let mut counter = Counter::default();
        groups.visit(&mut counter);
        // An empty group is named in its own error, even when it is the only group.
        if let Some(group) = counter.empty {
            return Err(Error::EmptyGroup { layer: name, group });
        }
        if counter.outputs == 0 {
            return Err(Error::ZeroSize {
                layer: name,
                what: "the output count",
            });
        }
        if let Some(group) = counter.duplicate {
            return Err(Error::DuplicateGroup { layer: name, group });
        }
        let mut builder = Builder {
            layer: &name,
            inputs,
            fan_out: counter.outputs,
            seed,
            index: 0,
            result: Ok(()),
        };
        groups.visit_mut(&mut builder);
        builder.result?;
        Ok(Self {
            inputs,
            outputs: counter.outputs,
            groups,
            batch: 0,
            output: Array2::zeros((0, counter.outputs)),
            delta: Array2::zeros((0, counter.outputs)),
            name,
        })
    }

    /// Removes the connections that `mask` marks absent, for every group.
    ///
    /// **Errors** with [`Error::MaskShape`] unless the mask is `[outputs, inputs]`.
    pub fn with_mask(mut self, mask: Mask) -> Result<Self> {
        self.set_mask(mask)?;
        Ok(self)
    }

    /// Replaces the mask, zeroing removed weights and clearing optimizer state.
    ///
    /// **Errors** with [`Error::MaskShape`] unless the mask is `[outputs, inputs]`.
    pub fn set_mask(&mut self, mask: Mask) -> Result<()> {
        if (mask.outputs(), mask.inputs()) != (self.outputs, self.inputs) {
            return Err(Error::MaskShape {
                layer: self.name.clone(),
                rows: self.outputs,
                cols: self.inputs,
                found_rows: mask.outputs(),
                found_cols: mask.inputs(),
            });
        }
        self.groups.visit_mut(&mut MaskSplitter {
            mask: &mask,
            offset: 0,
        });
        Ok(())
    }

    /// Layer name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Input width.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Output width, the sum of the group sizes.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The groups.
    pub fn groups(&self) -> &G {
        &self.groups
    }

    /// The groups, mutably.
    pub fn groups_mut(&mut self) -> &mut G {
        &mut self.groups
    }

    /// One entry per group, in output order.
    pub fn group_infos(&self) -> Vec<GroupInfo> {
        let mut collector = InfoCollector::default();
        self.groups.visit(&mut collector);
        collector.infos
    }

    /// The output of the last forward pass, `[batch, outputs]`.
    pub fn output(&self) -> ArrayView2<'_, T> {
        self.output.slice(s![..self.batch, ..])
    }

    /// The output of the last forward pass and the buffer for dL/dy, which the
    /// next layer's backward (or the loss) fills before this layer's backward.
    pub fn output_and_delta(&mut self) -> (ArrayView2<'_, T>, ArrayViewMut2<'_, T>) {
        (
            self.output.slice(s![..self.batch, ..]),
            self.delta.slice_mut(s![..self.batch, ..]),
        )
    }

    /// Computes the output for a batch `x` of shape `[batch, inputs]`.
    ///
    /// **Errors** with [`Error::InputWidth`] if `x` has the wrong number of
    /// columns and [`Error::EmptyBatch`] if it has no rows.
    pub fn forward(&mut self, x: ArrayView2<'_, T>) -> Result<ArrayView2<'_, T>> {
        if x.ncols() != self.inputs {
            return Err(Error::InputWidth {
                layer: self.name.clone(),
                expected: self.inputs,
                found: x.ncols(),
            });
        }
        if x.nrows() == 0 {
            return Err(Error::EmptyBatch {
                context: "Dense::forward",
            });
        }
        let batch = x.nrows();
        if self.output.nrows() < batch {
            self.output = Array2::zeros((batch, self.outputs));
            self.delta = Array2::zeros((batch, self.outputs));
        }
        self.batch = batch;
        self.groups.visit_mut(&mut Forward {
            x,
            out: self.output.slice_mut(s![..batch, ..]),
            offset: 0,
        });
        Ok(self.output())
    }

    /// Backpropagates the dL/dy that the caller wrote through
    /// [`output_and_delta`](Self::output_and_delta): stores each group's weight
    /// and bias gradients and, when `input_grad` is given, overwrites it with dL/dx.
    ///
    /// `x` must be the input of the last forward pass. Pass `None` for the first
    /// layer, because no earlier layer uses its input gradient.
    ///
    /// **Errors** with [`Error::BatchMismatch`] if `x` or `input_grad` do not
    /// match the last forward pass.
    pub fn backward(
        &mut self,
        x: ArrayView2<'_, T>,
        input_grad: Option<ArrayViewMut2<'_, T>>,
    ) -> Result<()> {
        let batch = self.batch;
        let expected = (batch, self.inputs);
        if x.dim() != expected {
            return Err(self.batch_mismatch("the input", x.dim()));
        }
        if let Some(grad) = &input_grad {
            if grad.dim() != expected {
                return Err(self.batch_mismatch("the input gradient", grad.dim()));
            }
        }
        self.groups.visit_mut(&mut Backward {
            x,
            y: self.output.slice(s![..batch, ..]),
            delta: self.delta.slice_mut(s![..batch, ..]),
            input_grad,
            offset: 0,
        });
        Ok(())
    }

    fn batch_mismatch(&self, what: &'static str, found: (usize, usize)) -> Error {
        Error::BatchMismatch {
            layer: self.name.clone(),
            what,
            expected: vec![self.batch, self.inputs],
            found: vec![found.0, found.1],
        }
    }

    /// Applies each group's optimizer to its gradients of the last backward pass.
    pub fn step(&mut self) {
        self.groups.visit_mut(&mut Stepper);
    }
}

impl<T: Scalar, G: GroupSet<T>> Deref for Dense<T, G> {
    type Target = G;

    fn deref(&self) -> &G {
        &self.groups
    }
}

impl<T: Scalar, G: GroupSet<T>> DerefMut for Dense<T, G> {
    fn deref_mut(&mut self) -> &mut G {
        &mut self.groups
    }
}

#[derive(Default)]
struct Counter {
    outputs: usize,
    names: Vec<String>,
    duplicate: Option<String>,
    empty: Option<String>,
}

impl<T: Scalar> GroupVisitor<T> for Counter {
    fn visit<A: Activation, O: Optimizer>(&mut self, group: &DenseGroup<T, A, O>) {
        self.outputs += group.outputs();
        if group.outputs() == 0 && self.empty.is_none() {
            self.empty = Some(group.name().to_owned());
        }
        if self.names.iter().any(|n| n == group.name()) && self.duplicate.is_none() {
            self.duplicate = Some(group.name().to_owned());
        }
        self.names.push(group.name().to_owned());
    }
}

struct Builder<'a> {
    layer: &'a str,
    inputs: usize,
    fan_out: usize,
    seed: u64,
    index: usize,
    result: Result<()>,
}

impl<T: Scalar> GroupVisitorMut<T> for Builder<'_> {
    fn visit_mut<A: Activation, O: Optimizer>(&mut self, group: &mut DenseGroup<T, A, O>) {
        if self.result.is_ok() {
            let seed = derive_seed(self.seed, self.index);
            self.result = group.build(self.layer, self.inputs, self.fan_out, seed);
        }
        self.index += 1;
    }
}

struct MaskSplitter<'a> {
    mask: &'a Mask,
    offset: usize,
}

impl<T: Scalar> GroupVisitorMut<T> for MaskSplitter<'_> {
    fn visit_mut<A: Activation, O: Optimizer>(&mut self, group: &mut DenseGroup<T, A, O>) {
        group.apply_mask(self.mask.rows(self.offset, group.outputs()));
        self.offset += group.outputs();
    }
}

#[derive(Default)]
struct InfoCollector {
    infos: Vec<GroupInfo>,
    offset: usize,
}

impl<T: Scalar> GroupVisitor<T> for InfoCollector {
    fn visit<A: Activation, O: Optimizer>(&mut self, group: &DenseGroup<T, A, O>) {
        self.infos.push(GroupInfo {
            name: group.name().to_owned(),
            outputs: group.outputs(),
            offset: self.offset,
            activation: group.activation().name(),
            optimizer: group.optimizer().describe(),
            live_connections: group.live_connections(),
            total_connections: group.total_connections(),
            frozen: !O::TRAINABLE,
        });
        self.offset += group.outputs();
    }
}

struct Forward<'a, T> {
    x: ArrayView2<'a, T>,
    out: ArrayViewMut2<'a, T>,
    offset: usize,
}

impl<T: Scalar> GroupVisitorMut<T> for Forward<'_, T> {
    fn visit_mut<A: Activation, O: Optimizer>(&mut self, group: &mut DenseGroup<T, A, O>) {
        let end = self.offset + group.outputs();
        group.forward(self.x, self.out.slice_mut(s![.., self.offset..end]));
        self.offset = end;
    }
}

struct Backward<'a, T> {
    x: ArrayView2<'a, T>,
    y: ArrayView2<'a, T>,
    delta: ArrayViewMut2<'a, T>,
    input_grad: Option<ArrayViewMut2<'a, T>>,
    offset: usize,
}

impl<T: Scalar> GroupVisitorMut<T> for Backward<'_, T> {
    fn visit_mut<A: Activation, O: Optimizer>(&mut self, group: &mut DenseGroup<T, A, O>) {
        let end = self.offset + group.outputs();
        let columns = s![.., self.offset..end];
        let input_grad = self
            .input_grad
            .as_mut()
            .map(|grad| (grad.view_mut(), self.offset > 0));
        group.backward(
            self.x,
            self.y.slice(columns),
            self.delta.slice_mut(columns),
            input_grad,
        );
        self.offset = end;
    }
}

struct Stepper;

impl<T: Scalar> GroupVisitorMut<T> for Stepper {
    fn visit_mut<A: Activation, O: Optimizer>(&mut self, group: &mut DenseGroup<T, A, O>) {
        group.step();
    }
}
