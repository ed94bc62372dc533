//! Optimizers keep removed connections at exactly 0.0, leave frozen groups
//! untouched, and follow the pseudo-code on the torch.optim documentation pages
//! for SGD (PyTorch 2.0), AdamW (1.10) and RMSprop (1.13). Adam is AdamW with the
//! L2 term λθ added to the gradient in place of the decoupled shrink.

use nn_core::activation::{Activation, Identity, Tanh};
use nn_core::ndarray::{array, s, Array1, Array2, ArrayView2, Axis};
use nn_core::optim::{Adam, AdamW, Frozen, Optimizer, RmsProp, Sgd};
use nn_core::{Dense, DenseGroup, GroupSet, Loss, Mask, Targets};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

// ---------------------------------------------------------------------------
// Mask invariant under every optimizer
// ---------------------------------------------------------------------------

const STEPS: usize = 1_000;
const SAMPLES: usize = 16;
const BATCH: usize = 4;

/// A random layer: two groups over `inputs` inputs, masked by `Mask::random`.
#[derive(Clone, Debug)]
struct LayerCase {
    inputs: usize,
    first_outputs: usize,
    second_outputs: usize,
    density: f64,
    mask_seed: u64,
    data_seed: u64,
}

fn layer_case() -> impl Strategy<Value = LayerCase> {
    // A fifth of the cases use density 1.0, so that the unmasked path of a group
    // (every connection live) runs as well as the masked one.
    let density = prop_oneof![1 => Just(1.0), 4 => 0.02_f64..1.0];
    (
        1_usize..=6,
        1_usize..=4,
        1_usize..=4,
        density,
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(
            |(inputs, first_outputs, second_outputs, density, mask_seed, data_seed)| LayerCase {
                inputs,
                first_outputs,
                second_outputs,
                density,
                mask_seed,
                data_seed,
            },
        )
}

/// What an optimizer configuration is expected to do, stated by the test
/// rather than read from `Optimizer::TRAINABLE` or `needs_slots`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Trains and keeps one state slot per live weight.
    Stateful,
    /// Trains without state (plain SGD).
    Stateless,
    /// Never changes and computes no gradient.
    Frozen,
}

/// Checks one group after training: removed weights and their gradients are
/// +0.0 bit for bit, the optimizer state has the expected size, and live
/// weights are finite and changed (or, for `Frozen`, unchanged).
fn check_trained_group<A: Activation, O: Optimizer>(
    group: &DenseGroup<f32, A, O>,
    mask: ArrayView2<'_, bool>,
    initial: &Array2<f32>,
    kind: Kind,
) -> Result<(), TestCaseError> {
    let label = format!(
        "group `{}` with {}",
        group.name(),
        group.optimizer().describe()
    );
    let live = mask.iter().filter(|&&live| live).count();

    for ((output, input), &weight) in group.weight().indexed_iter() {
        if !mask[(output, input)] {
            prop_assert_eq!(
                weight.to_bits(),
                0.0_f32.to_bits(),
                "{}: removed weight ({}, {}) is {}",
                label,
                output,
                input,
                weight
            );
        }
    }

    if kind == Kind::Frozen {
        prop_assert_eq!(group.weight_grad().len(), 0, "{}: weight gradient", label);
    }
    for ((output, input), &grad) in group.weight_grad().indexed_iter() {
        if !mask[(output, input)] {
            prop_assert_eq!(
                grad.to_bits(),
                0.0_f32.to_bits(),
                "{}: gradient of removed weight ({}, {}) is {}",
                label,
                output,
                input,
                grad
            );
        }
    }

    let expected_state = match kind {
        Kind::Stateful => live,
        Kind::Stateless | Kind::Frozen => 0,
    };
    prop_assert_eq!(
        group.live_connections(),
        live,
        "{}: live connections",
        label
    );
    prop_assert_eq!(
        group.optimizer_state_len(),
        expected_state,
        "{}: optimizer state length",
        label
    );

    let finite = group.weight().iter().all(|w| w.is_finite());
    prop_assert!(finite, "{}: weights diverged: {:?}", label, group.weight());

    let changed = group
        .weight()
        .iter()
        .zip(initial)
        .filter(|(now, before)| now.to_bits() != before.to_bits())
        .count();
    if kind == Kind::Frozen {
        prop_assert_eq!(changed, 0, "{}: a frozen weight changed", label);
    } else if live > 0 {
        // A group whose weights are all removed still trains its bias, so
        // only groups with live weights must move one.
        prop_assert!(changed > 0, "{}: no live weight changed", label);
    }
    Ok(())
}

/// Trains a random masked two-group layer for `STEPS` steps with `optimizer`
/// in both groups, then checks each group.
fn check_mask_invariant<O: Optimizer>(
    case: &LayerCase,
    optimizer: O,
    kind: Kind,
) -> Result<(), TestCaseError> {
    let outputs = case.first_outputs + case.second_outputs;
    let mask = Mask::random(outputs, case.inputs, case.density, case.mask_seed).unwrap();
    let mut layer = Dense::<f32, _>::new(
        "masked",
        case.inputs,
        (
            DenseGroup::new(case.first_outputs, Tanh, optimizer.clone()).named("tanh"),
            DenseGroup::new(case.second_outputs, Identity, optimizer).named("identity"),
        ),
        case.data_seed,
    )
    .unwrap()
    .with_mask(mask.clone())
    .unwrap();
    let initial_first = layer.0.weight().to_owned();
    let initial_second = layer.1.weight().to_owned();

    let mut rng = ChaCha8Rng::seed_from_u64(case.data_seed);
    let features = Array2::from_shape_fn((SAMPLES, case.inputs), |_| rng.random_range(-1.0..1.0));
    let targets = Array2::from_shape_fn((SAMPLES, outputs), |_| rng.random_range(-1.0..1.0));
    for step in 0..STEPS {
        let start = (step % (SAMPLES / BATCH)) * BATCH;
        let x = features.slice(s![start..start + BATCH, ..]);
        let t = targets.slice(s![start..start + BATCH, ..]);
        layer.forward(x).unwrap();
        let (output, delta) = layer.output_and_delta();
        Loss::Mse
            .value_and_grad(output, &Targets::Values(t), delta)
            .unwrap();
        layer.backward(x, None).unwrap();
        layer.step();
    }

    let live = mask.as_array();
    let first_rows = live.slice(s![..case.first_outputs, ..]);
    let second_rows = live.slice(s![case.first_outputs.., ..]);
    check_trained_group(&layer.0, first_rows, &initial_first, kind)?;
    check_trained_group(&layer.1, second_rows, &initial_second, kind)
}

proptest! {
    // A case trains 8 configurations for 1,000 steps each, about 0.5 s in a debug
    // build on a shared 2-core machine, so 6 cases keep the file near 3 s.
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn removed_connections_stay_zero(case in layer_case()) {
        check_mask_invariant(&case, Sgd::new(0.05), Kind::Stateless)?;
        check_mask_invariant(&case, Sgd::new(0.05).momentum(0.9), Kind::Stateful)?;
        check_mask_invariant(
            &case,
            Sgd::new(0.05).momentum(0.9).nesterov(true).weight_decay(1e-3),
            Kind::Stateful,
        )?;
        check_mask_invariant(&case, Adam::new(1e-2).weight_decay(1e-3), Kind::Stateful)?;
        check_mask_invariant(&case, AdamW::new(1e-2).weight_decay(0.05), Kind::Stateful)?;
        check_mask_invariant(&case, RmsProp::new(1e-3).momentum(0.9), Kind::Stateful)?;
        check_mask_invariant(&case, RmsProp::new(1e-3).centered(true), Kind::Stateful)?;
        check_mask_invariant(&case, Frozen, Kind::Frozen)?;
    }
}

// ---------------------------------------------------------------------------
// Frozen groups
// ---------------------------------------------------------------------------

/// Features in U(−1, 1) and one regression target per sample.
fn regression_batch(samples: usize, inputs: usize, seed: u64) -> (Array2<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let features: Array2<f64> =
        Array2::from_shape_fn((samples, inputs), |_| rng.random_range(-1.0..1.0));
    let targets = features.map_axis(Axis(1), |row| row.sum().sin());
    (features, targets.insert_axis(Axis(1)))
}

/// Runs forward, MSE, backward and step through three layers.
fn train_three_layers<G1: GroupSet<f64>, G2: GroupSet<f64>, G3: GroupSet<f64>>(
    first: &mut Dense<f64, G1>,
    middle: &mut Dense<f64, G2>,
    last: &mut Dense<f64, G3>,
    features: ArrayView2<'_, f64>,
    targets: ArrayView2<'_, f64>,
) {
    let hidden = first.forward(features).unwrap();
    let hidden = middle.forward(hidden).unwrap();
    last.forward(hidden).unwrap();

    let (output, delta) = last.output_and_delta();
    Loss::Mse
        .value_and_grad(output, &Targets::Values(targets), delta)
        .unwrap();
    let (hidden, hidden_grad) = middle.output_and_delta();
    last.backward(hidden, Some(hidden_grad)).unwrap();
    let (hidden, hidden_grad) = first.output_and_delta();
    middle.backward(hidden, Some(hidden_grad)).unwrap();
    first.backward(features, None).unwrap();

    first.step();
    middle.step();
    last.step();
}

fn same_bits(left: &[f64], right: &[f64]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn frozen_group_unchanged_beside_adamw() {
    let mut first =
        Dense::<f64, _>::new("first", 3, (DenseGroup::new(4, Tanh, Sgd::new(0.05)),), 1).unwrap();
    let mut middle = Dense::<f64, _>::new(
        "middle",
        4,
        (
            DenseGroup::new(3, Tanh, Frozen).named("frozen"),
            DenseGroup::new(2, Tanh, AdamW::new(0.01).weight_decay(0.1)).named("adamw"),
        ),
        2,
    )
    .unwrap()
    .with_mask(Mask::cut(5, 4, &[(0, 1), (2, 3), (4, 0)]).unwrap())
    .unwrap();
    let mut last = Dense::<f64, _>::new(
        "last",
        5,
        (DenseGroup::new(1, Identity, Adam::new(0.01)),),
        3,
    )
    .unwrap();
    // Non-zero biases, so that any weight decay reaching them would show.
    middle.0.set_bias(array![0.3, -0.7, 1.1].view()).unwrap();

    let frozen_weight = middle.0.weight().to_owned();
    let frozen_bias = middle.0.bias().to_owned();
    let adamw_weight = middle.1.weight().to_owned();
    let first_weight = first.0.weight().to_owned();
    let last_weight = last.0.weight().to_owned();

    let (features, targets) = regression_batch(8, 3, 4);
    for _ in 0..500 {
        train_three_layers(
            &mut first,
            &mut middle,
            &mut last,
            features.view(),
            targets.view(),
        );
    }

    let frozen = &middle.0;
    assert!(
        same_bits(
            frozen.weight().as_slice().unwrap(),
            frozen_weight.as_slice().unwrap()
        ),
        "frozen weights changed: {} -> {}",
        frozen_weight,
        frozen.weight()
    );
    assert!(
        same_bits(
            frozen.bias().as_slice().unwrap(),
            frozen_bias.as_slice().unwrap()
        ),
        "frozen biases changed: {} -> {}",
        frozen_bias,
        frozen.bias()
    );
    assert_eq!(frozen.weight_grad().len(), 0);
    assert_eq!(frozen.bias_grad().len(), 0);
    assert_eq!(frozen.optimizer_state_len(), 0);
    assert_ne!(
        middle.1.weight(),
        adamw_weight,
        "the AdamW neighbour did not train"
    );
    assert_ne!(last.0.weight(), last_weight, "the next layer did not train");
    assert_ne!(
        first.0.weight(),
        first_weight,
        "the earlier layer did not train"
    );
}

#[test]
fn frozen_layer_still_trains_earlier() {
    // The middle layer is frozen as a whole, so every change in the first
    // layer comes from gradient passed through frozen weights.
    let mut first =
        Dense::<f64, _>::new("first", 3, (DenseGroup::new(4, Tanh, Sgd::new(0.05)),), 5).unwrap();
    let mut middle = Dense::<f64, _>::new(
        "middle",
        4,
        (DenseGroup::new(3, Tanh, Frozen).named("frozen"),),
        6,
    )
    .unwrap();
    let mut last =
        Dense::<f64, _>::new("last", 3, (DenseGroup::new(1, Identity, Frozen),), 7).unwrap();
    let first_weight = first.0.weight().to_owned();
    let middle_weight = middle.0.weight().to_owned();

    let (features, targets) = regression_batch(8, 3, 8);
    for _ in 0..20 {
        train_three_layers(
            &mut first,
            &mut middle,
            &mut last,
            features.view(),
            targets.view(),
        );
    }

    assert_ne!(
        first.0.weight(),
        first_weight,
        "the earlier layer did not train"
    );
    assert_eq!(middle.0.weight(), middle_weight);
}

#[test]
fn frozen_group_input_gradient_exact() {
    let mut layer = Dense::<f64, _>::new(
        "layer",
        3,
        (
            DenseGroup::new(2, Identity, Frozen).named("frozen"),
            DenseGroup::new(1, Identity, AdamW::new(0.01)).named("adamw"),
        ),
        11,
    )
    .unwrap();
    let x = array![[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]];
    // The AdamW column of dL/dy is zero, so dL/dx comes from the frozen group alone.
    let delta = array![[0.2, -0.4, 0.0], [-1.0, 0.3, 0.0]];
    let frozen_weight = layer.0.weight().to_owned();

    layer.forward(x.view()).unwrap();
    layer.output_and_delta().1.assign(&delta);
    let mut input_grad = Array2::<f64>::zeros((2, 3));
    layer
        .backward(x.view(), Some(input_grad.view_mut()))
        .unwrap();

    // dL/dx[b, i] = Σ_o dL/dz[b, o] · W[o, i] over the frozen group's rows.
    for b in 0..2 {
        for i in 0..3 {
            let expected: f64 = (0..2).map(|o| delta[(b, o)] * frozen_weight[(o, i)]).sum();
            assert!(
                (input_grad[(b, i)] - expected).abs() <= 1e-12,
                "dL/dx[{b}, {i}] = {} but Σ δ·W = {expected}",
                input_grad[(b, i)]
            );
        }
    }
    assert!(
        input_grad.iter().any(|&g| g != 0.0),
        "the frozen group passed no gradient: {input_grad}"
    );
}

// ---------------------------------------------------------------------------
// Updates against torch.optim's published algorithms
// ---------------------------------------------------------------------------

// The implementation and the references evaluate the same formulas in another
// order, for example Adam's lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε) against
// lr · m̂ / (√v̂ + ε). They therefore differ by a few f64 roundings per step,
// about 1e-15 relative over 8 steps. A wrong formula moves a parameter by at
// least lr · 1e-3 ≈ 1e-5 here, so 1e-12 separates the two by seven orders.
const TOLERANCE: f64 = 1e-12;

/// One parameter's update rule, written from the pseudo-code in torch.optim's
/// documentation. Each instance keeps the state of one parameter.
trait Reference: Clone {
    /// Returns θ_t from θ_{t−1} and the gradient g_t.
    fn step(&mut self, theta: f64, grad: f64) -> f64;
}

/// torch.optim.SGD with dampening τ = 0 and maximize = false.
#[derive(Clone)]
struct SgdReference {
    lr: f64,
    momentum: f64,
    weight_decay: f64,
    nesterov: bool,
    buffer: Option<f64>,
}

impl SgdReference {
    fn new(lr: f64, momentum: f64, weight_decay: f64, nesterov: bool) -> Self {
        Self {
            lr,
            momentum,
            weight_decay,
            nesterov,
            buffer: None,
        }
    }
}

impl Reference for SgdReference {
    fn step(&mut self, theta: f64, grad: f64) -> f64 {
        let mut g = grad;
        if self.weight_decay != 0.0 {
            g += self.weight_decay * theta;
        }
        if self.momentum != 0.0 {
            // torch starts the buffer at g_1, then b_t = μ·b_{t−1} + (1 − τ)·g_t.
            let buffer = match self.buffer {
                Some(previous) => self.momentum * previous + g,
                None => g,
            };
            self.buffer = Some(buffer);
            g = if self.nesterov {
                g + self.momentum * buffer
            } else {
                buffer
            };
        }
        theta - self.lr * g
    }
}

/// torch.optim.Adam (`decoupled = false`, amsgrad = false) and torch.optim.AdamW
/// (`decoupled = true`).
#[derive(Clone)]
struct AdamReference {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    m: f64,
    v: f64,
    t: i32,
}

impl AdamReference {
    fn new(lr: f64, betas: (f64, f64), eps: f64, weight_decay: f64, decoupled: bool) -> Self {
        Self {
            lr,
            beta1: betas.0,
            beta2: betas.1,
            eps,
            weight_decay,
            decoupled,
            m: 0.0,
            v: 0.0,
            t: 0,
        }
    }
}

impl Reference for AdamReference {
    fn step(&mut self, theta: f64, grad: f64) -> f64 {
        self.t += 1;
        let mut theta = theta;
        let mut g = grad;
        if self.decoupled {
            theta -= self.lr * self.weight_decay * theta;
        } else if self.weight_decay != 0.0 {
            g += self.weight_decay * theta;
        }
        self.m = self.beta1 * self.m + (1.0 - self.beta1) * g;
        self.v = self.beta2 * self.v + (1.0 - self.beta2) * g * g;
        let m_hat = self.m / (1.0 - self.beta1.powi(self.t));
        let v_hat = self.v / (1.0 - self.beta2.powi(self.t));
        theta - self.lr * m_hat / (v_hat.sqrt() + self.eps)
    }
}

/// torch.optim.RMSprop.
#[derive(Clone)]
struct RmsPropReference {
    lr: f64,
    alpha: f64,
    eps: f64,
    weight_decay: f64,
    momentum: f64,
    centered: bool,
    v: f64,
    g_ave: f64,
    b: f64,
}

impl RmsPropReference {
    fn new(
        lr: f64,
        alpha: f64,
        eps: f64,
        weight_decay: f64,
        momentum: f64,
        centered: bool,
    ) -> Self {
        Self {
            lr,
            alpha,
            eps,
            weight_decay,
            momentum,
            centered,
            v: 0.0,
            g_ave: 0.0,
            b: 0.0,
        }
    }
}

impl Reference for RmsPropReference {
    fn step(&mut self, theta: f64, grad: f64) -> f64 {
        let mut g = grad;
        if self.weight_decay != 0.0 {
            g += self.weight_decay * theta;
        }
        self.v = self.alpha * self.v + (1.0 - self.alpha) * g * g;
        let mut v_tilde = self.v;
        if self.centered {
            self.g_ave = self.alpha * self.g_ave + (1.0 - self.alpha) * g;
            v_tilde -= self.g_ave * self.g_ave;
        }
        if self.momentum > 0.0 {
            self.b = self.momentum * self.b + g / (v_tilde.sqrt() + self.eps);
            theta - self.lr * self.b
        } else {
            theta - self.lr * g / (v_tilde.sqrt() + self.eps)
        }
    }
}

/// A frozen parameter: θ_t = θ_{t−1}.
#[derive(Clone)]
struct FrozenReference;

impl Reference for FrozenReference {
    fn step(&mut self, theta: f64, _grad: f64) -> f64 {
        theta
    }
}

fn assert_close(found: f64, expected: f64, context: &str) {
    let bound = TOLERANCE * expected.abs().max(1.0);
    assert!(
        (found - expected).abs() <= bound,
        "{context}: found {found}, reference {expected}, difference {:e}",
        (found - expected).abs()
    );
}

/// Feeds `STEP_COUNT` steps of random gradients, with one all-zero step and one
/// large step among them, to three parameters through `prepare` and `update`,
/// and compares every parameter after every step with the reference.
fn assert_update_matches<O: Optimizer, R: Reference>(mut optimizer: O, reference: R) {
    const STEP_COUNT: usize = 8;
    let label = optimizer.describe();
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut params = [0.5, -1.25, 2.0];
    let mut expected = params;
    let mut slots = [O::Slot::<f64>::default(); 3];
    let mut references = [reference.clone(), reference.clone(), reference];

    for step in 1..=STEP_COUNT {
        let grads: [f64; 3] = match step {
            3 => [0.0; 3],
            5 => [40.0, -25.0, 10.0],
            _ => std::array::from_fn(|_| rng.random_range(-2.0..2.0)),
        };
        let prepared = optimizer.prepare::<f64>();
        for i in 0..3 {
            O::update(&prepared, &mut slots[i], &mut params[i], grads[i]);
            expected[i] = references[i].step(expected[i], grads[i]);
            assert_close(
                params[i],
                expected[i],
                &format!("{label}, step {step}, parameter {i}"),
            );
        }
    }
}

/// Trains a 2-input, 2-output identity layer with connection (1, 0) removed and
/// compares weights and biases with the reference after every step. Each step
/// writes dL/dy = δ by hand, so the weight gradient δ·x and the bias gradient δ
/// are known exactly.
fn assert_layer_matches<O: Optimizer, R: Reference>(optimizer: O, reference: R) {
    const STEP_COUNT: usize = 8;
    let label = optimizer.describe();
    let mut layer = Dense::<f64, _>::new("layer", 2, (DenseGroup::new(2, Identity, optimizer),), 0)
        .unwrap()
        .with_mask(Mask::cut(2, 2, &[(1, 0)]).unwrap())
        .unwrap();
    layer
        .0
        .set_weight(array![[0.5, -0.25], [9.0, 1.5]].view())
        .unwrap();
    layer.0.set_bias(array![0.1, -0.2].view()).unwrap();

    // Powers of two, so that δ·x is exact and equals the gradient given to the reference.
    let x = array![[1.0, -2.0]];
    let mut weights = [0.5, -0.25, 1.5];
    let mut biases = [0.1, -0.2];
    let mut weight_references = [reference.clone(), reference.clone(), reference.clone()];
    let mut bias_references = [reference.clone(), reference];
    let mut rng = ChaCha8Rng::seed_from_u64(5);

    for step in 1..=STEP_COUNT {
        let delta = Array1::from_shape_fn(2, |_| rng.random_range(-1.0..1.0));
        layer.forward(x.view()).unwrap();
        layer.output_and_delta().1.row_mut(0).assign(&delta);
        layer.backward(x.view(), None).unwrap();
        layer.step();

        let weight_grads = [
            delta[0] * x[(0, 0)],
            delta[0] * x[(0, 1)],
            delta[1] * x[(0, 1)],
        ];
        for k in 0..3 {
            weights[k] = weight_references[k].step(weights[k], weight_grads[k]);
        }
        for o in 0..2 {
            biases[o] = bias_references[o].step(biases[o], delta[o]);
        }

        let weight = layer.0.weight();
        let bias = layer.0.bias();
        assert_close(
            weight[(0, 0)],
            weights[0],
            &format!("{label}, step {step}, w[0, 0]"),
        );
        assert_close(
            weight[(0, 1)],
            weights[1],
            &format!("{label}, step {step}, w[0, 1]"),
        );
        assert_close(
            weight[(1, 1)],
            weights[2],
            &format!("{label}, step {step}, w[1, 1]"),
        );
        assert_close(bias[0], biases[0], &format!("{label}, step {step}, b[0]"));
        assert_close(bias[1], biases[1], &format!("{label}, step {step}, b[1]"));
        assert_eq!(
            weight[(1, 0)].to_bits(),
            0.0_f64.to_bits(),
            "{label}, step {step}: removed weight is {}",
            weight[(1, 0)]
        );
    }
}

#[test]
fn sgd_plain_matches_torch() {
    assert_update_matches(Sgd::new(0.1), SgdReference::new(0.1, 0.0, 0.0, false));
    assert_layer_matches(Sgd::new(0.1), SgdReference::new(0.1, 0.0, 0.0, false));
}

#[test]
fn sgd_weight_decay_matches_torch() {
    let optimizer = Sgd::new(0.1).weight_decay(0.05);
    let reference = SgdReference::new(0.1, 0.0, 0.05, false);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn sgd_momentum_matches_torch() {
    let optimizer = Sgd::new(0.1).momentum(0.9);
    let reference = SgdReference::new(0.1, 0.9, 0.0, false);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn sgd_nesterov_matches_torch() {
    let optimizer = Sgd::new(0.05)
        .momentum(0.8)
        .nesterov(true)
        .weight_decay(0.01);
    let reference = SgdReference::new(0.05, 0.8, 0.01, true);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn adam_defaults_match_torch() {
    let optimizer = Adam::new(0.01);
    let reference = AdamReference::new(0.01, (0.9, 0.999), 1e-8, 0.0, false);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn adam_weight_decay_matches_torch() {
    let optimizer = Adam::new(0.01).betas(0.8, 0.95).eps(1e-3).weight_decay(0.1);
    let reference = AdamReference::new(0.01, (0.8, 0.95), 1e-3, 0.1, false);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn adamw_defaults_match_torch() {
    // torch.optim.AdamW's default weight decay is 0.01.
    let optimizer = AdamW::new(0.01);
    let reference = AdamReference::new(0.01, (0.9, 0.999), 1e-8, 0.01, true);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn adamw_strong_decay_matches_torch() {
    let optimizer = AdamW::new(0.02).betas(0.85, 0.99).weight_decay(0.5);
    let reference = AdamReference::new(0.02, (0.85, 0.99), 1e-8, 0.5, true);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn rmsprop_defaults_match_torch() {
    let optimizer = RmsProp::new(0.01);
    let reference = RmsPropReference::new(0.01, 0.99, 1e-8, 0.0, 0.0, false);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn rmsprop_weight_decay_matches_torch() {
    let optimizer = RmsProp::new(0.01).alpha(0.9).weight_decay(0.05);
    let reference = RmsPropReference::new(0.01, 0.9, 1e-8, 0.05, 0.0, false);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn rmsprop_momentum_matches_torch() {
    let optimizer = RmsProp::new(0.01).momentum(0.9);
    let reference = RmsPropReference::new(0.01, 0.99, 1e-8, 0.0, 0.9, false);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn rmsprop_centered_matches_torch() {
    let optimizer = RmsProp::new(0.01).centered(true);
    let reference = RmsPropReference::new(0.01, 0.99, 1e-8, 0.0, 0.0, true);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn rmsprop_centered_momentum_matches_torch() {
    let optimizer = RmsProp::new(0.01)
        .centered(true)
        .momentum(0.5)
        .eps(1e-4)
        .weight_decay(0.02);
    let reference = RmsPropReference::new(0.01, 0.99, 1e-4, 0.02, 0.5, true);
    assert_update_matches(optimizer, reference.clone());
    assert_layer_matches(optimizer, reference);
}

#[test]
fn frozen_update_changes_nothing() {
    assert_update_matches(Frozen, FrozenReference);
    assert_layer_matches(Frozen, FrozenReference);
}
