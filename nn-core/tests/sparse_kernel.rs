//! The sparse kernel computes what the dense kernel computes.

use nn_core::activation::{Relu, Tanh};
use nn_core::ndarray::Array2;
use nn_core::optim::{Adam, Sgd};
use nn_core::{Dense, DenseGroup, Kernel, Loss, Mask, Targets};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

type Groups = (DenseGroup<f64, Relu, Adam>, DenseGroup<f64, Tanh, Sgd>);

fn layer(kernel: Kernel, density: f64) -> Dense<f64, Groups> {
    Dense::new(
        "hidden",
        64,
        (
            DenseGroup::new(48, Relu, Adam::new(1e-2)).with_kernel(kernel),
            DenseGroup::new(16, Tanh, Sgd::new(0.05).momentum(0.9)).with_kernel(kernel),
        ),
        3,
    )
    .unwrap()
    .with_mask(Mask::random(64, 64, density, 9).unwrap())
    .unwrap()
}

fn train(layer: &mut Dense<f64, Groups>, steps: usize, batch: usize) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut last = Array2::zeros((0, 0));
    for _ in 0..steps {
        let x = Array2::from_shape_fn((batch, 64), |_| rng.random_range(-1.0..1.0));
        let t = Array2::from_shape_fn((batch, 64), |_| rng.random_range(-1.0..1.0));
        last = layer.forward(x.view()).unwrap().to_owned();
        let (y, delta) = layer.output_and_delta();
        Loss::Mse
            .value_and_grad(y, &Targets::Values(t.view()), delta)
            .unwrap();
        let mut input_grad = Array2::zeros((batch, 64));
        layer
            .backward(x.view(), Some(input_grad.view_mut()))
            .unwrap();
        layer.step();
    }
    last
}

fn max_difference(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs() / x.abs().max(1.0))
        .fold(0.0, f64::max)
}

// Both kernels sum the same products in a different order, which moves f64
// results by about 1e-15 per step; 1e-9 after 20 steps leaves ample margin
// while a wrong index or a missed connection moves them by 1e-3 or more.
const TOLERANCE: f64 = 1e-9;

#[test]
fn sparse_matches_dense_kernel() {
    for batch in [1, 3, 8, 33] {
        let mut dense = layer(Kernel::Dense, 0.1);
        let mut sparse = layer(Kernel::Sparse, 0.1);
        assert!(!dense.0.uses_sparse_kernel());
        assert!(sparse.0.uses_sparse_kernel());
        let y_dense = train(&mut dense, 20, batch);
        let y_sparse = train(&mut sparse, 20, batch);
        let output = max_difference(&y_dense, &y_sparse);
        assert!(
            output < TOLERANCE,
            "batch {batch}: outputs differ by {output}"
        );
        let relu = max_difference(&dense.0.weight().to_owned(), &sparse.0.weight().to_owned());
        assert!(
            relu < TOLERANCE,
            "batch {batch}: relu weights differ by {relu}"
        );
        let tanh = max_difference(&dense.1.weight().to_owned(), &sparse.1.weight().to_owned());
        assert!(
            tanh < TOLERANCE,
            "batch {batch}: tanh weights differ by {tanh}"
        );
        let grads = max_difference(&dense.0.weight_grad(), &sparse.0.weight_grad());
        assert!(
            grads < TOLERANCE,
            "batch {batch}: gradients differ by {grads}"
        );
        let bias = max_difference(
            &dense
                .1
                .bias()
                .to_owned()
                .insert_axis(nn_core::ndarray::Axis(0)),
            &sparse
                .1
                .bias()
                .to_owned()
                .insert_axis(nn_core::ndarray::Axis(0)),
        );
        assert!(bias < TOLERANCE, "batch {batch}: biases differ by {bias}");
    }
}

#[test]
fn sparse_kernel_keeps_removed_zero() {
    let mut sparse = layer(Kernel::Sparse, 0.05);
    train(&mut sparse, 50, 16);
    let mask = sparse.0.mask().unwrap().clone();
    for ((o, i), &w) in sparse.0.weight().indexed_iter() {
        if !mask.is_live(o, i) {
            assert_eq!(
                w.to_bits(),
                0.0_f64.to_bits(),
                "removed weight ({o}, {i}) is {w}"
            );
        }
    }
}

#[test]
fn auto_kernel_follows_density() {
    assert!(layer(Kernel::Auto, 0.05).0.uses_sparse_kernel());
    assert!(!layer(Kernel::Auto, 0.5).0.uses_sparse_kernel());
    let unmasked = Dense::<f64, _>::new(
        "plain",
        4,
        (DenseGroup::new(2, Relu, Sgd::new(0.1)).with_kernel(Kernel::Sparse),),
        0,
    )
    .unwrap();
    assert!(
        !unmasked.0.uses_sparse_kernel(),
        "an unmasked group has no sparse form"
    );
}
