//! Activations at extreme inputs in f32 and f64: exact saturation, finite
//! outputs and derivatives, softmax of huge scores, and agreement of each
//! forward pass with a plain f64 formula.

use std::any::type_name;

use nn_core::activation::{
    Activation, Elu, Gelu, Identity, LeakyRelu, Relu, Sigmoid, Silu, Softmax, Softplus, Softsign,
    Tanh,
};
use nn_core::ndarray::{array, Array2, Axis};
use nn_core::Scalar;

/// Applies `activation` to `inputs` laid out as one column, so every value is
/// its own softmax row. Returns (z, y).
fn forward_column<A: Activation, T: Scalar>(activation: A, inputs: &[T]) -> (Array2<T>, Array2<T>) {
    let z = Array2::from_shape_vec((inputs.len(), 1), inputs.to_vec()).unwrap();
    let mut y = z.clone();
    activation.forward(y.view_mut());
    (z, y)
}

/// Runs `backward` with an upstream gradient of 1, so element-wise activations
/// return f'(z). As in the layer, `z` is passed only when the activation needs it.
fn derivative_of<A: Activation, T: Scalar>(
    activation: A,
    z: &Array2<T>,
    y: &Array2<T>,
) -> Array2<T> {
    let mut grad = Array2::from_elem(y.dim(), T::one());
    let empty = Array2::<T>::zeros((0, 0));
    let pre_activation = if A::NEEDS_INPUT {
        z.view()
    } else {
        empty.view()
    };
    activation.backward(pre_activation, y.view(), grad.view_mut());
    grad
}

fn value_of<A: Activation, T: Scalar>(activation: A, z: T) -> T {
    forward_column(activation, &[z]).1[(0, 0)]
}

fn derivative_at<A: Activation, T: Scalar>(activation: A, z: T) -> T {
    let (z, y) = forward_column(activation, &[z]);
    derivative_of(activation, &z, &y)[(0, 0)]
}

/// A check to run on one activation. The method is generic, so each activation
/// keeps its own type.
trait ActivationCheck {
    fn check<A: Activation>(&mut self, activation: A);
}

/// Runs `check` on all eleven activations, with leaky_relu and elu also at
/// non-default alpha.
fn check_every_activation(check: &mut impl ActivationCheck) {
    check.check(Identity);
    check.check(Relu);
    check.check(LeakyRelu::default());
    check.check(LeakyRelu { alpha: 0.2 });
    check.check(Elu::default());
    check.check(Elu { alpha: 2.5 });
    check.check(Sigmoid);
    check.check(Tanh);
    check.check(Softplus);
    check.check(Softsign);
    check.check(Gelu);
    check.check(Silu);
    check.check(Softmax);
}

// ---------------------------------------------------------------------------
// Exact limits
// ---------------------------------------------------------------------------

fn check_sigmoid_limits<T: Scalar>() {
    let precision = type_name::<T>();
    assert_eq!(
        value_of(Sigmoid, T::of(-1000.0)),
        T::zero(),
        "sigmoid(-1000) in {precision}"
    );
    assert_eq!(
        value_of(Sigmoid, T::of(1000.0)),
        T::one(),
        "sigmoid(1000) in {precision}"
    );
    assert_eq!(
        derivative_at(Sigmoid, T::of(-1000.0)),
        T::zero(),
        "sigmoid'(-1000) in {precision}"
    );
    assert_eq!(
        derivative_at(Sigmoid, T::of(1000.0)),
        T::zero(),
        "sigmoid'(1000) in {precision}"
    );
}

fn check_softplus_limits<T: Scalar>() {
    let precision = type_name::<T>();
    assert_eq!(
        value_of(Softplus, T::of(1000.0)),
        T::of(1000.0),
        "softplus(1000) in {precision}"
    );
    assert_eq!(
        value_of(Softplus, T::of(-1000.0)),
        T::zero(),
        "softplus(-1000) in {precision}"
    );
    assert_eq!(
        derivative_at(Softplus, T::of(1000.0)),
        T::one(),
        "softplus'(1000) in {precision}"
    );
    assert_eq!(
        derivative_at(Softplus, T::of(-1000.0)),
        T::zero(),
        "softplus'(-1000) in {precision}"
    );
}

#[test]
fn sigmoid_saturates_at_extremes() {
    check_sigmoid_limits::<f32>();
    check_sigmoid_limits::<f64>();
}

#[test]
fn softplus_exact_at_extremes() {
    check_softplus_limits::<f32>();
    check_softplus_limits::<f64>();
}

// ---------------------------------------------------------------------------
// Finite outputs and derivatives
// ---------------------------------------------------------------------------

/// Finite inputs from 0 through the exp overflow points (about 88.7 in f32 and
/// 709.8 in f64) up to the largest finite value, with both signs.
///
/// The sweep reaches `T::MAX` for every activation, not only the bounded ones,
/// because with the parameters used here |f(z)| ≤ |z| + 2.5, which stays finite.
fn extreme_inputs<T: Scalar>() -> Vec<T> {
    let magnitudes = [
        T::zero(),
        T::min_positive_value(),
        T::of(1e-30),
        T::of(0.5),
        T::one(),
        T::of(20.0),
        T::of(88.0),
        T::of(89.0),
        T::of(709.0),
        T::of(710.0),
        T::of(1000.0),
        T::of(1e4),
        T::of(f64::from(f32::MAX) / 2.0),
        T::of(f64::from(f32::MAX)),
        T::max_value() / T::of(2.0),
        T::max_value(),
    ];
    magnitudes.iter().flat_map(|&m| [m, -m]).collect()
}

struct FiniteSweep<T> {
    inputs: Vec<T>,
}

impl<T: Scalar> ActivationCheck for FiniteSweep<T> {
    fn check<A: Activation>(&mut self, activation: A) {
        let (z, y) = forward_column(activation, &self.inputs);
        let derivative = derivative_of(activation, &z, &y);
        for ((&input, &output), &slope) in z.iter().zip(y.iter()).zip(derivative.iter()) {
            assert!(
                output.is_finite(),
                "{activation:?} in {}: f({:e}) = {output}",
                type_name::<T>(),
                input.as_f64()
            );
            assert!(
                slope.is_finite(),
                "{activation:?} in {}: f'({:e}) = {slope}",
                type_name::<T>(),
                input.as_f64()
            );
        }
    }
}

#[test]
fn every_activation_finite_f32() {
    check_every_activation(&mut FiniteSweep {
        inputs: extreme_inputs::<f32>(),
    });
}

#[test]
fn every_activation_finite_f64() {
    check_every_activation(&mut FiniteSweep {
        inputs: extreme_inputs::<f64>(),
    });
}

/// Checks that `low <= f(z) <= high` over the sweep, in both precisions.
fn check_bounds<A: Activation>(activation: A, low: f64, high: f64) {
    fn in_precision<A: Activation, T: Scalar>(activation: A, low: f64, high: f64) {
        let (z, y) = forward_column(activation, &extreme_inputs::<T>());
        for (&input, &output) in z.iter().zip(y.iter()) {
            assert!(
                output >= T::of(low) && output <= T::of(high),
                "{activation:?} in {}: f({:e}) = {output} is outside [{low}, {high}]",
                type_name::<T>(),
                input.as_f64()
            );
        }
    }
    in_precision::<A, f32>(activation, low, high);
    in_precision::<A, f64>(activation, low, high);
}

#[test]
fn bounded_outputs_stay_in_range() {
    check_bounds(Sigmoid, 0.0, 1.0);
    check_bounds(Tanh, -1.0, 1.0);
    check_bounds(Softsign, -1.0, 1.0);
    check_bounds(Softplus, 0.0, f64::INFINITY);
    check_bounds(Relu, 0.0, f64::INFINITY);
    check_bounds(Elu { alpha: 2.5 }, -2.5, f64::INFINITY);
    check_bounds(Softmax, 0.0, 1.0);
}

// ---------------------------------------------------------------------------
// Softmax of huge scores
// ---------------------------------------------------------------------------

fn check_softmax_huge_rows<T: Scalar>() {
    let precision = type_name::<T>();
    let max = T::max_value();
    let scores = array![
        [T::of(1e4), T::of(1e4 - 1.0), T::of(-1e4)],
        [T::of(1000.0), T::zero(), T::of(-1000.0)],
        [max, max / T::of(2.0), -max],
        [max, max, max],
        [-max, -max, -max],
        [-max, T::zero(), max],
    ];
    let mut probabilities = scores.clone();
    Softmax.forward(probabilities.view_mut());

    // Estimate: three probabilities of a few roundings each, plus two additions,
    // stay within 4 ε of 1.
    let sum_tolerance = T::of(4.0) * T::epsilon();
    for (row, (input, output)) in scores
        .axis_iter(Axis(0))
        .zip(probabilities.axis_iter(Axis(0)))
        .enumerate()
    {
        for &p in output {
            assert!(
                p.is_finite() && p >= T::zero() && p <= T::one(),
                "softmax in {precision}, row {row} {input}: probability {p}"
            );
        }
        let sum: T = output.sum();
        assert!(
            (sum - T::one()).abs() <= sum_tolerance,
            "softmax in {precision}, row {row} {input}: probabilities {output} sum to {sum}"
        );
    }

    // Scores 1e4 and 1e4 − 1 differ by exactly 1, so they split as sigmoid(±1).
    let first = probabilities[(0, 0)].as_f64();
    let expected = 1.0 / (1.0 + (-1.0_f64).exp());
    assert!(
        (first - expected).abs() <= 1e-6,
        "softmax in {precision} of [1e4, 1e4 - 1, -1e4]: first probability {first}, expected {expected}"
    );
    let uniform = T::one() / T::of(3.0);
    assert_eq!(
        probabilities.row(3),
        array![uniform, uniform, uniform],
        "softmax in {precision} of equal T::MAX scores"
    );

    let mut grad = Array2::from_shape_fn(scores.dim(), |(_, col)| T::of([1.0, -2.0, 0.5][col]));
    let empty = Array2::<T>::zeros((0, 0));
    Softmax.backward(empty.view(), probabilities.view(), grad.view_mut());
    for ((row, col), &g) in grad.indexed_iter() {
        assert!(
            g.is_finite(),
            "softmax backward in {precision}: dL/dz[{row}, {col}] = {g}"
        );
    }
}

#[test]
fn softmax_huge_rows_normalised() {
    check_softmax_huge_rows::<f32>();
    check_softmax_huge_rows::<f64>();
}

// ---------------------------------------------------------------------------
// Agreement with reference formulas
// ---------------------------------------------------------------------------

/// Standard normal CDF as 1/2 + ∫₀ᶻ φ(t) dt by Simpson's rule, independent of the
/// erf that gelu uses. With 2000 intervals the error is about 1e-13 at most for |z| ≤ 3.
fn normal_cdf(z: f64) -> f64 {
    let density = |t: f64| (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let intervals = 2000;
    let h = z / f64::from(intervals);
    let mut sum = density(0.0) + density(z);
    for k in 1..intervals {
        let weight = if k % 2 == 1 { 4.0 } else { 2.0 };
        sum += weight * density(h * f64::from(k));
    }
    0.5 + sum * h / 3.0
}

const REFERENCE_POINTS: [f64; 7] = [-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 3.0];

/// Compares `activation` in precision `T` with `reference` at every reference
/// point, with error |f − r| / max(1, |r|).
fn check_reference<A: Activation, T: Scalar>(
    activation: A,
    reference: impl Fn(f64) -> f64,
    tolerance: f64,
) {
    let inputs: Vec<T> = REFERENCE_POINTS.iter().map(|&z| T::of(z)).collect();
    let (_, y) = forward_column(activation, &inputs);
    for (&z, &output) in REFERENCE_POINTS.iter().zip(y.iter()) {
        // Rounding z to T moves the exact value slightly, so compare with the
        // reference at the rounded input.
        let expected = reference(T::of(z).as_f64());
        let error = (output.as_f64() - expected).abs() / expected.abs().max(1.0);
        assert!(
            error <= tolerance,
            "{activation:?} in {}: f({z}) = {output}, reference {expected}, error {error:e}",
            type_name::<T>()
        );
    }
}

fn check_softmax_reference<T: Scalar>(tolerance: f64) {
    let scores = [-2.5, -1.0, 0.0, 0.4, 3.0];
    let row: Vec<T> = scores.iter().map(|&z| T::of(z)).collect();
    let mut probabilities = Array2::from_shape_vec((1, row.len()), row).unwrap();
    Softmax.forward(probabilities.view_mut());
    let total: f64 = scores.iter().map(|z| z.exp()).sum();
    for (&z, &p) in scores.iter().zip(probabilities.iter()) {
        let expected = z.exp() / total;
        assert!(
            (p.as_f64() - expected).abs() <= tolerance,
            "softmax in {}: probability of score {z} is {p}, reference {expected}",
            type_name::<T>()
        );
    }
}

/// Checks every activation against its textbook formula in precision `T`.
fn check_all_references<T: Scalar>(tolerance: f64) {
    check_reference::<_, T>(Identity, |z| z, tolerance);
    check_reference::<_, T>(Relu, |z| if z > 0.0 { z } else { 0.0 }, tolerance);
    check_reference::<_, T>(
        LeakyRelu::default(),
        |z| if z > 0.0 { z } else { 0.01 * z },
        tolerance,
    );
    check_reference::<_, T>(
        LeakyRelu { alpha: 0.2 },
        |z| if z > 0.0 { z } else { 0.2 * z },
        tolerance,
    );
    check_reference::<_, T>(
        Elu::default(),
        |z| if z > 0.0 { z } else { z.exp() - 1.0 },
        tolerance,
    );
    check_reference::<_, T>(
        Elu { alpha: 2.5 },
        |z| if z > 0.0 { z } else { 2.5 * (z.exp() - 1.0) },
        tolerance,
    );
    check_reference::<_, T>(Sigmoid, |z| 1.0 / (1.0 + (-z).exp()), tolerance);
    check_reference::<_, T>(
        Tanh,
        |z| (z.exp() - (-z).exp()) / (z.exp() + (-z).exp()),
        tolerance,
    );
    check_reference::<_, T>(Softplus, |z| (1.0 + z.exp()).ln(), tolerance);
    check_reference::<_, T>(Softsign, |z| z / (1.0 + z.abs()), tolerance);
    check_reference::<_, T>(Gelu, |z| z * normal_cdf(z), tolerance);
    check_reference::<_, T>(Silu, |z| z / (1.0 + (-z).exp()), tolerance);

    check_softmax_reference::<T>(tolerance);
}

#[test]
fn forward_matches_reference_f64() {
    // The reference formulas lose a few ulps in exp and ln, far below 1e-12.
    check_all_references::<f64>(1e-12);
}

#[test]
fn forward_matches_reference_f32() {
    // A few f32 ulps (about 6e-8 each) of the result.
    check_all_references::<f32>(1e-6);
}
