//! A hand-built grouped, masked network learns a small regression task.

mod common;

use common::TwoLayer;
use nn_core::ndarray::{Array2, Axis};
use nn_core::{fit, Dataset, FitConfig, Network, Summary, TargetData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// y = sin(x₀) + x₁·x₂ − 0.5·x₃ on 512 samples of U(−1, 1)¹⁰; the other six inputs are noise.
fn regression_data(seed: u64) -> Dataset<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let features = Array2::from_shape_fn((512, 10), |_| rng.random_range(-1.0_f32..1.0));
    let targets = features.map_axis(Axis(1), |x| x[0].sin() + x[1] * x[2] - 0.5 * x[3]);
    let targets = targets.insert_axis(Axis(1));
    Dataset::new(features, TargetData::Values(targets)).unwrap()
}

#[test]
fn two_layer_network_learns_regression() {
    let data = regression_data(3);
    let mut network = TwoLayer::<f32>::new(5).unwrap();
    let config = FitConfig {
        epochs: 200,
        batch_size: 32,
        seed: 1,
        progress: false,
        ..FitConfig::default()
    };
    let history = fit(&mut network, &data, &config).unwrap();

    // The first epoch averages about 0.5 and a linear fit leaves about 0.03
    // (the sin and product terms), so 0.01 needs the non-linear terms fitted.
    // This seed reached about 0.004.
    let first = history.first().unwrap().loss;
    let last = history.last().unwrap().loss;
    assert!(first > 0.1, "first epoch loss {first} is suspiciously low");
    assert!(last < 0.01, "final training loss {last} is not below 0.01");

    let test = regression_data(4);
    let evaluation = nn_core::evaluate(&mut network, &test, 64).unwrap();
    assert!(
        evaluation.loss < 0.04,
        "held-out loss {} is not below 0.04",
        evaluation.loss
    );
    assert_eq!(evaluation.accuracy, None);
}

#[test]
fn removed_connections_stay_zero_after_fit() {
    let data = regression_data(3);
    let mut network = TwoLayer::<f32>::new(5).unwrap();
    let config = FitConfig {
        epochs: 20,
        progress: false,
        ..FitConfig::default()
    };
    fit(&mut network, &data, &config).unwrap();
    for (group_weight, group_mask) in [
        (network.hidden.0.weight(), network.hidden.0.mask().unwrap()),
        (network.hidden.1.weight(), network.hidden.1.mask().unwrap()),
    ] {
        for ((o, i), &w) in group_weight.indexed_iter() {
            if !group_mask.is_live(o, i) {
                assert_eq!(
                    w.to_bits(),
                    0.0_f32.to_bits(),
                    "removed weight ({o}, {i}) is {w}"
                );
            }
        }
    }
    assert_eq!(network.input_width(), 10);
    let summary = Summary::of(&network).to_string();
    assert!(summary.contains("hidden (10 ->)"), "{summary}");
    assert!(
        summary.contains("70/100") || summary.contains("/50"),
        "{summary}"
    );
}
