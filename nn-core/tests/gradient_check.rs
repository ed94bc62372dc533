//! Central-difference checks, in f64, of every analytic gradient in the runtime:
//! each activation's backward, each loss's gradient, a masked layer of mixed
//! groups, and the two-layer network of `common`.
//!
//! Run with `-- --nocapture` to see the max error of each check.

mod common;

use std::fmt::Display;

use common::TwoLayer;
use nn_core::activation::{
    Activation, Elu, Gelu, Identity, LeakyRelu, Relu, Sigmoid, Silu, Softmax, Softplus, Softsign,
    Tanh,
};
use nn_core::ndarray::{Array1, Array2};
use nn_core::optim::{Optimizer, Sgd};
use nn_core::{Dense, DenseGroup, Loss, Mask, Network, Targets};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Step h: truncation (~h²·f'''/6 ≈ 1e-11) and rounding (~1e-16·|L|/h ≈ 1e-10) both stay far below the tolerance.
const STEP: f64 = 1e-5;

/// Tolerance: correct derivatives leave errors of at most about 1e-10 here, while a gelu density constant only 2% off gives 4e-3.
const TOLERANCE: f64 = 1e-6;

/// |a − n| / max(1, |a|, |n|): relative for large gradients, absolute for small ones.
fn scaled_error(analytic: f64, numeric: f64) -> f64 {
    let error = (analytic - numeric).abs() / 1.0_f64.max(analytic.abs()).max(numeric.abs());
    // Every comparison with NaN is false, so a NaN would never count as the max error.
    if error.is_nan() {
        f64::INFINITY
    } else {
        error
    }
}

/// (L(+h) − L(−h)) / 2h, where `objective_at(offset)` evaluates L with one value
/// moved by `offset`.
fn central_difference(mut objective_at: impl FnMut(f64) -> f64) -> f64 {
    (objective_at(STEP) - objective_at(-STEP)) / (2.0 * STEP)
}

/// Max error over a set of comparisons, with the entry where it occurred.
struct MaxError {
    value: f64,
    entry: String,
    compared: usize,
}

impl MaxError {
    fn new() -> Self {
        Self {
            value: 0.0,
            entry: String::from("none"),
            compared: 0,
        }
    }

    fn record(&mut self, entry: impl Display, analytic: f64, numeric: f64) {
        let error = scaled_error(analytic, numeric);
        if error > self.value || self.compared == 0 {
            self.value = error;
            self.entry = format!("{entry} (analytic {analytic:.9e}, numeric {numeric:.9e})");
        }
        self.compared += 1;
    }

    fn assert_within_tolerance(&self, what: &str) {
        println!(
            "{what}: max error {:.2e} over {} entries",
            self.value, self.compared
        );
        assert!(self.compared > 0, "{what}: no gradient entry was compared");
        assert!(
            self.value <= TOLERANCE,
            "{what}: max error {:.3e} exceeds tolerance {TOLERANCE:e} at {}",
            self.value,
            self.entry
        );
    }
}

fn uniform(rng: &mut ChaCha8Rng, shape: (usize, usize), low: f64, high: f64) -> Array2<f64> {
    Array2::from_shape_fn(shape, |_| rng.random_range(low..high))
}

fn random_vector(rng: &mut ChaCha8Rng, len: usize, scale: f64) -> Array1<f64> {
    Array1::from_shape_fn(len, |_| rng.random_range(-scale..scale))
}

/// Values with magnitude in [0.1, 3) and a random sign, so a step of `STEP`
/// never crosses the kink at 0 of relu, leaky_relu and elu.
fn away_from_zero(rng: &mut ChaCha8Rng, shape: (usize, usize)) -> Array2<f64> {
    Array2::from_shape_fn(shape, |_| {
        let magnitude = rng.random_range(0.1..3.0);
        if rng.random_bool(0.5) {
            magnitude
        } else {
            -magnitude
        }
    })
}

// ---------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------

/// L = Σ upstream ⊙ f(z).
fn activation_objective<A: Activation>(
    activation: A,
    z: &Array2<f64>,
    upstream: &Array2<f64>,
) -> f64 {
    let mut y = z.clone();
    activation.forward(y.view_mut());
    (&y * upstream).sum()
}

/// Compares `backward` with central differences of L = Σ upstream ⊙ f(z) over
/// every entry of `z`. A random `upstream` makes softmax's off-diagonal
/// Jacobian terms count.
fn check_activation<A: Activation>(activation: A, z: &Array2<f64>, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let upstream = uniform(&mut rng, z.dim(), -1.0, 1.0);

    let mut y = z.clone();
    activation.forward(y.view_mut());
    let mut analytic = upstream.clone();
    // As in the layer, activations without `NEEDS_INPUT` get an empty `z`, so a
    // derivative that reads `z` without declaring it fails here.
    let empty = Array2::<f64>::zeros((0, 0));
    let pre_activation = if A::NEEDS_INPUT {
        z.view()
    } else {
        empty.view()
    };
    activation.backward(pre_activation, y.view(), analytic.view_mut());

    let mut errors = MaxError::new();
    for ((row, col), &gradient) in analytic.indexed_iter() {
        let numeric = central_difference(|offset| {
            let mut moved = z.clone();
            moved[(row, col)] += offset;
            activation_objective(activation, &moved, &upstream)
        });
        errors.record(format_args!("z[{row}, {col}]"), gradient, numeric);
    }
    errors.assert_within_tolerance(&format!("{activation:?} backward"));
}

fn activation_input(seed: u64) -> Array2<f64> {
    away_from_zero(&mut ChaCha8Rng::seed_from_u64(seed), (4, 5))
}

#[test]
fn identity_backward_matches_differences() {
    check_activation(Identity, &activation_input(1), 101);
}

#[test]
fn relu_backward_matches_differences() {
    check_activation(Relu, &activation_input(2), 102);
}

#[test]
fn leaky_relu_backward_matches_differences() {
    check_activation(LeakyRelu::default(), &activation_input(3), 103);
    check_activation(LeakyRelu { alpha: 0.3 }, &activation_input(3), 103);
}

#[test]
fn elu_backward_matches_differences() {
    check_activation(Elu::default(), &activation_input(4), 104);
    check_activation(Elu { alpha: 0.4 }, &activation_input(4), 104);
    check_activation(Elu { alpha: 2.5 }, &activation_input(4), 104);
}

#[test]
fn sigmoid_backward_matches_differences() {
    check_activation(Sigmoid, &activation_input(5), 105);
}

#[test]
fn tanh_backward_matches_differences() {
    check_activation(Tanh, &activation_input(6), 106);
}

#[test]
fn softplus_backward_matches_differences() {
    check_activation(Softplus, &activation_input(7), 107);
}

#[test]
fn softsign_backward_matches_differences() {
    check_activation(Softsign, &activation_input(8), 108);
}

#[test]
fn gelu_backward_matches_differences() {
    check_activation(Gelu, &activation_input(9), 109);
}

#[test]
fn silu_backward_matches_differences() {
    check_activation(Silu, &activation_input(10), 110);
}

#[test]
fn softmax_backward_matches_differences() {
    check_activation(Softmax, &activation_input(11), 111);

    // Spread-out scores put some probabilities near 0 and one near 1.
    let spread = uniform(&mut ChaCha8Rng::seed_from_u64(12), (4, 5), -8.0, 8.0);
    check_activation(Softmax, &spread, 112);
}

// ---------------------------------------------------------------------------
// Losses
// ---------------------------------------------------------------------------

/// Compares `value_and_grad` with central differences of `value` over every
/// output entry.
fn check_loss(loss: Loss, output: &Array2<f64>, targets: &Targets<'_, f64>) {
    let mut analytic = Array2::zeros(output.dim());
    let value = loss
        .value_and_grad(output.view(), targets, analytic.view_mut())
        .unwrap();
    let plain_value = loss.value(output.view(), targets).unwrap();
    assert_eq!(
        value, plain_value,
        "{loss:?}: value_and_grad and value disagree"
    );

    let mut errors = MaxError::new();
    for ((row, col), &gradient) in analytic.indexed_iter() {
        let numeric = central_difference(|offset| {
            let mut moved = output.clone();
            moved[(row, col)] += offset;
            loss.value(moved.view(), targets).unwrap()
        });
        errors.record(format_args!("output[{row}, {col}]"), gradient, numeric);
    }
    errors.assert_within_tolerance(&format!("{loss:?} gradient"));
}

#[test]
fn mse_gradient_matches_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let output = uniform(&mut rng, (4, 3), -2.0, 2.0);
    let values = uniform(&mut rng, (4, 3), -2.0, 2.0);
    check_loss(Loss::Mse, &output, &Targets::Values(values.view()));
}

#[test]
fn cross_entropy_gradient_matches_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    let output = uniform(&mut rng, (5, 4), -3.0, 3.0);
    let classes = [0, 3, 1, 3, 2];
    check_loss(
        Loss::SoftmaxCrossEntropy,
        &output,
        &Targets::Classes(&classes),
    );
}

#[test]
fn binary_cross_entropy_gradient_matches_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let output = uniform(&mut rng, (4, 3), -4.0, 4.0);
    // Hard 0/1 labels and soft targets both appear.
    let mut values = uniform(&mut rng, (4, 3), 0.0, 1.0);
    values[(0, 0)] = 0.0;
    values[(1, 1)] = 1.0;
    values[(2, 2)] = 1.0;
    values[(3, 0)] = 0.0;
    check_loss(
        Loss::BinaryCrossEntropyWithLogits,
        &output,
        &Targets::Values(values.view()),
    );
}

// ---------------------------------------------------------------------------
// Group parameters, shared by the layer and network checks
// ---------------------------------------------------------------------------

/// Errors of one model's parameter gradients, gathered over its groups.
struct ParameterErrors {
    weight: MaxError,
    bias: MaxError,
    removed: usize,
    /// Removed connections whose gradient is not exactly 0.0.
    nonzero_removed: Vec<String>,
}

impl ParameterErrors {
    fn new() -> Self {
        Self {
            weight: MaxError::new(),
            bias: MaxError::new(),
            removed: 0,
            nonzero_removed: Vec::new(),
        }
    }
}

/// Compares the stored weight and bias gradients of the group that `select`
/// returns with central differences of `objective`.
///
/// Must run after a backward pass and before the next one. `objective` may run
/// forward passes, because they leave the stored gradients alone.
fn check_group<M, A: Activation, O: Optimizer>(
    model: &mut M,
    group_name: &str,
    select: fn(&mut M) -> &mut DenseGroup<f64, A, O>,
    objective: fn(&mut M) -> f64,
    errors: &mut ParameterErrors,
) {
    let group = select(model);
    let weight = group.weight().to_owned();
    let bias = group.bias().to_owned();
    let weight_grad = group.weight_grad().to_owned();
    let bias_grad = group.bias_grad().to_owned();
    let mask = group.mask().cloned();

    for ((output, input), &gradient) in weight_grad.indexed_iter() {
        let live = mask.as_ref().is_none_or(|m| m.is_live(output, input));
        if !live {
            errors.removed += 1;
            if gradient != 0.0 {
                errors.nonzero_removed.push(format!(
                    "{group_name} weight[{output}, {input}] = {gradient:e}"
                ));
            }
            continue;
        }
        let numeric = central_difference(|offset| {
            let mut moved = weight.clone();
            moved[(output, input)] += offset;
            select(model).set_weight(moved.view()).unwrap();
            objective(model)
        });
        select(model).set_weight(weight.view()).unwrap();
        errors.weight.record(
            format_args!("{group_name} weight[{output}, {input}]"),
            gradient,
            numeric,
        );
    }

    for (output, &gradient) in bias_grad.indexed_iter() {
        let numeric = central_difference(|offset| {
            let mut moved = bias.clone();
            moved[output] += offset;
            select(model).set_bias(moved.view()).unwrap();
            objective(model)
        });
        select(model).set_bias(bias.view()).unwrap();
        errors.bias.record(
            format_args!("{group_name} bias[{output}]"),
            gradient,
            numeric,
        );
    }
}

/// Sets a group's weights and biases to U(−scale, scale). The mask keeps
/// removed weights at 0.0.
fn randomize_group<A: Activation, O: Optimizer>(
    group: &mut DenseGroup<f64, A, O>,
    rng: &mut ChaCha8Rng,
    scale: f64,
) {
    let weight = uniform(rng, group.weight().dim(), -scale, scale);
    group.set_weight(weight.view()).unwrap();
    let bias = random_vector(rng, group.outputs(), scale);
    group.set_bias(bias.view()).unwrap();
}

// ---------------------------------------------------------------------------
// A masked layer of mixed groups
// ---------------------------------------------------------------------------

/// Four activations side by side: softmax couples its own columns only, and
/// gelu and silu read the stored pre-activation in backward.
type MixedGroups = (
    DenseGroup<f64, Tanh, Sgd>,
    DenseGroup<f64, Softmax, Sgd>,
    DenseGroup<f64, Gelu, Sgd>,
    DenseGroup<f64, Silu, Sgd>,
);

/// A layer, its input batch and the fixed coefficients `upstream` of L = Σ upstream ⊙ y.
struct MixedLayerCase {
    layer: Dense<f64, MixedGroups>,
    input: Array2<f64>,
    upstream: Array2<f64>,
}

const MIXED_INPUTS: usize = 7;
const MIXED_OUTPUTS: usize = 12;
const MIXED_BATCH: usize = 5;

fn mixed_layer_case() -> MixedLayerCase {
    let groups = (
        DenseGroup::new(3, Tanh, Sgd::new(0.1)),
        DenseGroup::new(4, Softmax, Sgd::new(0.1)),
        DenseGroup::new(3, Gelu, Sgd::new(0.1)),
        DenseGroup::new(2, Silu, Sgd::new(0.1)),
    );
    let mask = Mask::random(MIXED_OUTPUTS, MIXED_INPUTS, 0.6, 17).unwrap();
    let mut layer = Dense::new("mixed", MIXED_INPUTS, groups, 5)
        .unwrap()
        .with_mask(mask)
        .unwrap();

    let mut rng = ChaCha8Rng::seed_from_u64(31);
    randomize_group(&mut layer.0, &mut rng, 0.8);
    randomize_group(&mut layer.1, &mut rng, 0.8);
    randomize_group(&mut layer.2, &mut rng, 0.8);
    randomize_group(&mut layer.3, &mut rng, 0.8);
    let input = uniform(&mut rng, (MIXED_BATCH, MIXED_INPUTS), -1.0, 1.0);
    let upstream = uniform(&mut rng, (MIXED_BATCH, MIXED_OUTPUTS), -1.0, 1.0);
    MixedLayerCase {
        layer,
        input,
        upstream,
    }
}

fn mixed_layer_objective(case: &mut MixedLayerCase) -> f64 {
    let output = case.layer.forward(case.input.view()).unwrap();
    (&output * &case.upstream).sum()
}

/// Counts removed and live connections in a group's rows of the mask.
fn removed_and_live(mask: Option<&Mask>) -> (usize, usize) {
    let mask = mask.expect("every group of the mixed layer has mask rows");
    let removed = mask.as_array().iter().filter(|&&live| !live).count();
    (removed, mask.live_count())
}

#[test]
fn masked_mixed_layer_gradients() {
    let mut case = mixed_layer_case();

    // The check is only meaningful if every group has both kinds of connection.
    for (name, counts) in [
        ("tanh", removed_and_live(case.layer.0.mask())),
        ("softmax", removed_and_live(case.layer.1.mask())),
        ("gelu", removed_and_live(case.layer.2.mask())),
        ("silu", removed_and_live(case.layer.3.mask())),
    ] {
        assert!(counts.0 > 0, "{name} group has no removed connection");
        assert!(counts.1 > 0, "{name} group has no live connection");
    }

    // A stale value shows whether backward overwrites the input gradient or adds to it.
    let mut input_grad = Array2::from_elem((MIXED_BATCH, MIXED_INPUTS), 7.0);
    case.layer.forward(case.input.view()).unwrap();
    let (_, mut delta) = case.layer.output_and_delta();
    delta.assign(&case.upstream);
    case.layer
        .backward(case.input.view(), Some(input_grad.view_mut()))
        .unwrap();

    let mut errors = ParameterErrors::new();
    check_group(
        &mut case,
        "tanh",
        |c| &mut c.layer.0,
        mixed_layer_objective,
        &mut errors,
    );
    check_group(
        &mut case,
        "softmax",
        |c| &mut c.layer.1,
        mixed_layer_objective,
        &mut errors,
    );
    check_group(
        &mut case,
        "gelu",
        |c| &mut c.layer.2,
        mixed_layer_objective,
        &mut errors,
    );
    check_group(
        &mut case,
        "silu",
        |c| &mut c.layer.3,
        mixed_layer_objective,
        &mut errors,
    );

    let mut input_errors = MaxError::new();
    let input = case.input.clone();
    for ((sample, feature), &gradient) in input_grad.indexed_iter() {
        let numeric = central_difference(|offset| {
            case.input.assign(&input);
            case.input[(sample, feature)] += offset;
            mixed_layer_objective(&mut case)
        });
        input_errors.record(format_args!("x[{sample}, {feature}]"), gradient, numeric);
    }
    case.input.assign(&input);

    errors
        .weight
        .assert_within_tolerance("mixed layer live weights");
    assert!(
        errors.nonzero_removed.is_empty(),
        "removed connections have nonzero gradients: {:?}",
        errors.nonzero_removed
    );
    assert!(errors.removed > 0, "no removed connection was checked");
    errors.bias.assert_within_tolerance("mixed layer biases");
    input_errors.assert_within_tolerance("mixed layer input");
}

// ---------------------------------------------------------------------------
// The two-layer network
// ---------------------------------------------------------------------------

/// A network with random biases, its input batch and its MSE targets.
struct NetworkCase {
    network: TwoLayer<f64>,
    input: Array2<f64>,
    targets: Array2<f64>,
}

fn network_objective(case: &mut NetworkCase) -> f64 {
    let output = case.network.forward(case.input.view()).unwrap();
    Loss::Mse
        .value(output, &Targets::Values(case.targets.view()))
        .unwrap()
}

#[test]
fn two_layer_network_gradients() {
    let mut network = TwoLayer::<f64>::new(9).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    // Biases start at 0; random ones make the bias gradients non-trivial.
    let hidden_relu_bias = random_vector(&mut rng, 5, 0.5);
    let hidden_sigmoid_bias = random_vector(&mut rng, 5, 0.5);
    let output_bias = random_vector(&mut rng, 1, 0.5);
    network.hidden.0.set_bias(hidden_relu_bias.view()).unwrap();
    network
        .hidden
        .1
        .set_bias(hidden_sigmoid_bias.view())
        .unwrap();
    network.output.0.set_bias(output_bias.view()).unwrap();
    let input = uniform(&mut rng, (6, 10), -1.0, 1.0);
    let targets = uniform(&mut rng, (6, 1), -1.0, 1.0);

    // Relu has a kink at z = 0, and one step moves z by at most STEP·max(1, |x|) = 1e-5.
    let relu = &network.hidden.0;
    let pre_activation = input.dot(&relu.weight().t()) + relu.bias();
    let nearest_kink = pre_activation
        .iter()
        .fold(f64::INFINITY, |m, &z| m.min(z.abs()));
    assert!(
        nearest_kink > 1e-3,
        "a relu pre-activation is {nearest_kink:e} from 0, too close for central differences"
    );

    let mut case = NetworkCase {
        network,
        input,
        targets,
    };
    // Two passes, because gradients must be overwritten by each backward, not summed.
    for _ in 0..2 {
        case.network.forward(case.input.view()).unwrap();
        case.network
            .backward_from_loss(case.input.view(), &Targets::Values(case.targets.view()))
            .unwrap();
    }

    let mut errors = ParameterErrors::new();
    check_group(
        &mut case,
        "hidden relu",
        |c| &mut c.network.hidden.0,
        network_objective,
        &mut errors,
    );
    check_group(
        &mut case,
        "hidden sigmoid",
        |c| &mut c.network.hidden.1,
        network_objective,
        &mut errors,
    );
    check_group(
        &mut case,
        "output identity",
        |c| &mut c.network.output.0,
        network_objective,
        &mut errors,
    );

    errors
        .weight
        .assert_within_tolerance("two-layer network live weights");
    assert!(
        errors.nonzero_removed.is_empty(),
        "removed connections have nonzero gradients: {:?}",
        errors.nonzero_removed
    );
    assert!(errors.removed > 0, "no removed connection was checked");
    errors
        .bias
        .assert_within_tolerance("two-layer network biases");
}
