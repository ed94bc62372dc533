//! Compares nn-core with PyTorch reference values.
//!
//! `tests/golden/grouped_masked.json` contains the inputs, initial parameters,
//! forward output, losses, gradients and trained parameters of
//! `6 -> hidden(3 relu | 2 tanh | 2 sigmoid, masked) -> output(4 identity)`,
//! computed in torch.float64 by `scripts/golden/generate.py`. Each test builds
//! the same network from `Dense` and `DenseGroup`, with each group taking its
//! rows of the `nn.Linear` weight, and runs the same computation in f64 and f32.

use nn_core::activation::{Activation, Identity, Relu, Sigmoid, Tanh};
use nn_core::ndarray::Dimension;
use nn_core::ndarray::{concatenate, s, Array, Array1, Array2, ArrayView2, ArrayViewMut2, Axis};
use nn_core::optim::{Adam, Optimizer, Sgd};
use nn_core::{
    check_input, train_step, Dense, DenseGroup, GroupVisitor, LayerVisitor, LayerVisitorMut, Loss,
    Mask, Network, Result, Scalar, Targets,
};
use serde_json::Value;

const GOLDEN: &str = include_str!("golden/grouped_masked.json");

/// Tolerance of the f64 runs, on the error scaled as in [`scaled_error`].
///
/// Both sides round every operation to binary64, but torch's matrix products
/// sum in another order, so the results differ by a few ulp. The largest error
/// measured against torch 2.15 on x86-64 was 3.3e-16. 1e-9 leaves a wide margin
/// and still fails on small formula differences, such as adding Adam's ε before
/// the bias correction (2.7e-7).
const F64_TOLERANCE: f64 = 1e-9;

/// Tolerance of the f32 runs against the same float64 reference.
///
/// Inputs and parameters are rounded to binary32 first (unit roundoff 6e-8),
/// and every product and optimizer step adds a few such errors. The largest
/// error measured on x86-64 was 2.1e-7, and 2e-6 allows for other summation
/// orders and FMA use.
const F32_TOLERANCE: f64 = 2e-6;

type Hidden<T, O> = (
    DenseGroup<T, Relu, O>,
    DenseGroup<T, Tanh, O>,
    DenseGroup<T, Sigmoid, O>,
);
type Output<T, O> = (DenseGroup<T, Identity, O>,);

/// Rows of the hidden layer that each group owns, in the order of the JSON's
/// `hidden_groups`.
const HIDDEN_GROUPS: [(&str, usize); 3] = [("relu", 3), ("tanh", 2), ("sigmoid", 2)];

/// The reference network, built by hand on the runtime.
struct Grouped<T: Scalar, O: Optimizer> {
    hidden: Dense<T, Hidden<T, O>>,
    output: Dense<T, Output<T, O>>,
    loss: Loss,
}

impl<T: Scalar, O: Optimizer> Network<T> for Grouped<T, O> {
    fn input_width(&self) -> usize {
        self.hidden.inputs()
    }

    fn output_width(&self) -> usize {
        self.output.outputs()
    }

    fn loss(&self) -> Option<Loss> {
        Some(self.loss)
    }

    fn forward(&mut self, input: ArrayView2<'_, T>) -> Result<ArrayView2<'_, T>> {
        check_input("hidden", self.hidden.inputs(), input)?;
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

/// The parsed JSON file.
struct Reference {
    json: Value,
}

impl Reference {
    fn load() -> Self {
        let json: Value = serde_json::from_str(GOLDEN).expect("golden JSON is invalid");
        let reference = Self { json };
        reference.check_layout();
        reference
    }

    /// Panics unless the file describes the network that [`Grouped`] hard-codes.
    fn check_layout(&self) {
        let groups = self.get("/hidden_groups").as_array().expect("array");
        assert_eq!(groups.len(), HIDDEN_GROUPS.len(), "hidden group count");
        for (group, (activation, outputs)) in groups.iter().zip(HIDDEN_GROUPS) {
            assert_eq!(group["activation"], activation, "group {group}");
            assert_eq!(group["outputs"], outputs, "group {group}");
        }
        assert_eq!(self.get("/dtype"), "float64", "reference dtype");
    }

    fn get(&self, pointer: &str) -> &Value {
        self.json
            .pointer(pointer)
            .unwrap_or_else(|| panic!("golden JSON has no {pointer}; rerun generate.py"))
    }

    fn number(&self, pointer: &str) -> f64 {
        self.get(pointer)
            .as_f64()
            .unwrap_or_else(|| panic!("{pointer} is not a number"))
    }

    fn vector(&self, pointer: &str) -> Array1<f64> {
        let values: Vec<f64> = serde_json::from_value(self.get(pointer).clone())
            .unwrap_or_else(|e| panic!("{pointer} is not a list of numbers: {e}"));
        Array1::from(values)
    }

    fn matrix(&self, pointer: &str) -> Array2<f64> {
        let rows: Vec<Vec<f64>> = serde_json::from_value(self.get(pointer).clone())
            .unwrap_or_else(|e| panic!("{pointer} is not a list of rows: {e}"));
        let cols = rows.first().map_or(0, Vec::len);
        let flat: Vec<f64> = rows.concat();
        Array2::from_shape_vec((rows.len(), cols), flat)
            .unwrap_or_else(|e| panic!("{pointer} has rows of different lengths: {e}"))
    }

    fn classes(&self) -> Vec<usize> {
        serde_json::from_value(self.get("/classes").clone()).expect("classes are indices")
    }

    fn mask(&self) -> Mask {
        Mask::from_matrix(self.matrix("/mask").view()).expect("mask entries are 0 or 1")
    }

    /// Builds the network with the file's initial parameters, giving every group
    /// a copy of `optimizer`.
    fn build<T: Scalar, O: Optimizer>(&self, optimizer: O, loss: Loss) -> Grouped<T, O> {
        let groups = (
            DenseGroup::new(3, Relu, optimizer.clone()),
            DenseGroup::new(2, Tanh, optimizer.clone()),
            DenseGroup::new(2, Sigmoid, optimizer.clone()),
        );
        let mut hidden = Dense::new("hidden", 6, groups, 0)
            .and_then(|layer| layer.with_mask(self.mask()))
            .expect("hidden layer builds");
        let mut output = Dense::new("output", 7, (DenseGroup::new(4, Identity, optimizer),), 0)
            .expect("output layer builds");

        let weight = self.matrix("/initial/hidden/weight").mapv(T::of);
        let bias = self.vector("/initial/hidden/bias").mapv(T::of);
        hidden.0.set_weight(weight.slice(s![0..3, ..])).unwrap();
        hidden.1.set_weight(weight.slice(s![3..5, ..])).unwrap();
        hidden.2.set_weight(weight.slice(s![5..7, ..])).unwrap();
        hidden.0.set_bias(bias.slice(s![0..3])).unwrap();
        hidden.1.set_bias(bias.slice(s![3..5])).unwrap();
        hidden.2.set_bias(bias.slice(s![5..7])).unwrap();

        let weight = self.matrix("/initial/output/weight").mapv(T::of);
        let bias = self.vector("/initial/output/bias").mapv(T::of);
        output.0.set_weight(weight.view()).unwrap();
        output.0.set_bias(bias.view()).unwrap();

        Grouped {
            hidden,
            output,
            loss,
        }
    }
}

/// One layer's parameters and gradients, the groups' rows stacked in order.
struct LayerState {
    weight: Array2<f64>,
    bias: Array1<f64>,
    weight_grad: Array2<f64>,
    bias_grad: Array1<f64>,
}

#[derive(Default)]
struct StateCollector {
    weights: Vec<Array2<f64>>,
    biases: Vec<Array1<f64>>,
    weight_grads: Vec<Array2<f64>>,
    bias_grads: Vec<Array1<f64>>,
}

impl<T: Scalar> GroupVisitor<T> for StateCollector {
    fn visit<A: Activation, O: Optimizer>(&mut self, group: &DenseGroup<T, A, O>) {
        self.weights.push(group.weight().mapv(T::as_f64));
        self.biases.push(group.bias().mapv(T::as_f64));
        self.weight_grads.push(group.weight_grad().mapv(T::as_f64));
        self.bias_grads.push(group.bias_grad().mapv(T::as_f64));
    }
}

fn layer_state<T: Scalar, G: nn_core::GroupSet<T>>(layer: &Dense<T, G>) -> LayerState {
    let mut collector = StateCollector::default();
    layer.groups().visit(&mut collector);
    let stack2 = |parts: &[Array2<f64>]| {
        let views: Vec<_> = parts.iter().map(|part| part.view()).collect();
        concatenate(Axis(0), &views).expect("group blocks share the input width")
    };
    let stack1 = |parts: &[Array1<f64>]| {
        let views: Vec<_> = parts.iter().map(|part| part.view()).collect();
        concatenate(Axis(0), &views).expect("1-D blocks always concatenate")
    };
    LayerState {
        weight: stack2(&collector.weights),
        bias: stack1(&collector.biases),
        weight_grad: stack2(&collector.weight_grads),
        bias_grad: stack1(&collector.bias_grads),
    }
}

/// Returns max |actual − expected| over the largest |expected|, so that entries
/// near zero, where torch and nn-core may round a cancelling sum differently,
/// are judged on the scale of the whole array.
fn scaled_error<D: Dimension>(actual: &Array<f64, D>, expected: &Array<f64, D>) -> f64 {
    let scale = expected.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let worst = actual
        .iter()
        .zip(expected)
        .fold(0.0_f64, |m, (a, e)| m.max((a - e).abs()));
    if scale > 0.0 {
        worst / scale
    } else {
        worst
    }
}

fn assert_close<D: Dimension>(
    what: &str,
    actual: &Array<f64, D>,
    expected: &Array<f64, D>,
    tolerance: f64,
) {
    assert_eq!(actual.shape(), expected.shape(), "{what}: shape");
    let error = scaled_error(actual, expected);
    println!("{what}: scaled error {error:.3e}");
    assert!(
        error <= tolerance,
        "{what}: scaled error {error:.3e} exceeds {tolerance:.0e}\nnn-core:\n{actual:.12}\ntorch:\n{expected:.12}"
    );
}

fn assert_scalar_close(what: &str, actual: f64, expected: f64, tolerance: f64) {
    let error = (actual - expected).abs() / expected.abs();
    println!("{what}: relative error {error:.3e}");
    assert!(
        error <= tolerance,
        "{what}: nn-core {actual} and torch {expected} differ by {error:.3e} relative, over {tolerance:.0e}"
    );
}

/// Panics unless every removed connection of the hidden layer has weight and
/// gradient exactly 0.0, as the mask promises.
fn assert_removed_exactly_zero(state: &LayerState, mask: &Mask) {
    for ((output, input), &live) in mask.as_array().indexed_iter() {
        if !live {
            let weight = state.weight[(output, input)];
            let grad = state.weight_grad[(output, input)];
            assert_eq!(weight, 0.0, "weight at removed ({output}, {input})");
            assert_eq!(grad, 0.0, "gradient at removed ({output}, {input})");
        }
    }
}

fn compare_layer(
    reference: &Reference,
    prefix: &str,
    layer: &str,
    weight: &Array2<f64>,
    bias: &Array1<f64>,
    tolerance: f64,
) {
    let expected_weight = reference.matrix(&format!("{prefix}/{layer}/weight"));
    let expected_bias = reference.vector(&format!("{prefix}/{layer}/bias"));
    assert_close(
        &format!("{prefix}/{layer}/weight"),
        weight,
        &expected_weight,
        tolerance,
    );
    assert_close(
        &format!("{prefix}/{layer}/bias"),
        bias,
        &expected_bias,
        tolerance,
    );
}

/// Runs one forward and backward pass with `loss` and compares the output, the
/// loss value and every gradient with the reference under `prefix`.
fn check_gradients<T: Scalar>(loss: Loss, prefix: &str, tolerance: f64) {
    let reference = Reference::load();
    let mut network = reference.build::<T, _>(Sgd::new(0.1), loss);
    let inputs = reference.matrix("/inputs").mapv(T::of);
    let values = reference.matrix("/values").mapv(T::of);
    let classes = reference.classes();
    let targets = match loss {
        Loss::SoftmaxCrossEntropy => Targets::Classes(&classes),
        _ => Targets::Values(values.view()),
    };

    let output = network.forward(inputs.view()).unwrap().mapv(T::as_f64);
    assert_close("/output", &output, &reference.matrix("/output"), tolerance);

    let value = network.backward_from_loss(inputs.view(), &targets).unwrap();
    let expected = reference.number(&format!("{prefix}/loss"));
    assert_scalar_close(
        &format!("{prefix}/loss"),
        value.as_f64(),
        expected,
        tolerance,
    );

    let hidden = layer_state(&network.hidden);
    let output = layer_state(&network.output);
    assert_removed_exactly_zero(&hidden, &reference.mask());
    let grads = format!("{prefix}/grad");
    compare_layer(
        &reference,
        &grads,
        "hidden",
        &hidden.weight_grad,
        &hidden.bias_grad,
        tolerance,
    );
    compare_layer(
        &reference,
        &grads,
        "output",
        &output.weight_grad,
        &output.bias_grad,
        tolerance,
    );
}

/// Takes the reference's number of training steps on the cross-entropy of the
/// batch and compares the loss before each step and the parameters after the last.
fn check_training<T: Scalar, O: Optimizer>(optimizer: O, prefix: &str, tolerance: f64) {
    let reference = Reference::load();
    let mut network = reference.build::<T, _>(optimizer, Loss::SoftmaxCrossEntropy);
    let inputs = reference.matrix("/inputs").mapv(T::of);
    let classes = reference.classes();
    let targets = Targets::Classes(&classes);

    let expected_losses = reference.vector(&format!("{prefix}/losses"));
    let steps = reference.number(&format!("{prefix}/steps")) as usize;
    assert_eq!(expected_losses.len(), steps, "{prefix}: one loss per step");
    let mut losses = Vec::with_capacity(steps);
    for _ in 0..steps {
        let loss = train_step(&mut network, inputs.view(), &targets).unwrap();
        losses.push(loss.as_f64());
    }
    assert_close(
        &format!("{prefix}/losses"),
        &Array1::from(losses),
        &expected_losses,
        tolerance,
    );

    let hidden = layer_state(&network.hidden);
    let output = layer_state(&network.output);
    assert_removed_exactly_zero(&hidden, &reference.mask());
    let params = format!("{prefix}/params");
    compare_layer(
        &reference,
        &params,
        "hidden",
        &hidden.weight,
        &hidden.bias,
        tolerance,
    );
    compare_layer(
        &reference,
        &params,
        "output",
        &output.weight,
        &output.bias,
        tolerance,
    );
}

/// Builds the SGD optimizer of the reference. Panics if the file requests Nesterov momentum.
fn sgd(reference: &Reference) -> Sgd {
    assert_eq!(reference.get("/sgd/config/nesterov"), false, "SGD nesterov");
    Sgd::new(reference.number("/sgd/config/lr"))
        .momentum(reference.number("/sgd/config/momentum"))
        .weight_decay(reference.number("/sgd/config/weight_decay"))
}

/// Builds the Adam optimizer of the reference.
fn adam(reference: &Reference) -> Adam {
    Adam::new(reference.number("/adam/config/lr"))
        .betas(
            reference.number("/adam/config/betas/0"),
            reference.number("/adam/config/betas/1"),
        )
        .eps(reference.number("/adam/config/eps"))
        .weight_decay(reference.number("/adam/config/weight_decay"))
}

#[test]
fn cross_entropy_gradients_f64() {
    check_gradients::<f64>(Loss::SoftmaxCrossEntropy, "/cross_entropy", F64_TOLERANCE);
}

#[test]
fn mse_gradients_f64() {
    check_gradients::<f64>(Loss::Mse, "/mse", F64_TOLERANCE);
}

#[test]
fn sgd_momentum_steps_f64() {
    check_training::<f64, _>(sgd(&Reference::load()), "/sgd", F64_TOLERANCE);
}

#[test]
fn adam_steps_f64() {
    check_training::<f64, _>(adam(&Reference::load()), "/adam", F64_TOLERANCE);
}

#[test]
fn cross_entropy_gradients_f32() {
    check_gradients::<f32>(Loss::SoftmaxCrossEntropy, "/cross_entropy", F32_TOLERANCE);
}

#[test]
fn mse_gradients_f32() {
    check_gradients::<f32>(Loss::Mse, "/mse", F32_TOLERANCE);
}

#[test]
fn sgd_momentum_steps_f32() {
    check_training::<f32, _>(sgd(&Reference::load()), "/sgd", F32_TOLERANCE);
}

#[test]
fn adam_steps_f32() {
    check_training::<f32, _>(adam(&Reference::load()), "/adam", F32_TOLERANCE);
}
