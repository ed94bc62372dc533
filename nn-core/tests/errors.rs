//! Every error a caller can trigger through the public API returns its variant
//! with the values involved, and its message names the layer or group, the
//! numbers that disagree and the fix. None of these inputs panics.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use common::TwoLayer;
use nn_core::activation::{Activation, Elu, Identity, LeakyRelu, Relu, Tanh};
use nn_core::ndarray::{array, Array2, ArrayView2, ArrayViewMut2};
use nn_core::optim::{Adam, AdamW, Frozen, Optimizer, RmsProp, Sgd};
use nn_core::{
    check_input, evaluate, fit, train_step, Dataset, Dense, DenseGroup, Error, FitConfig, Init,
    LayerVisitor, LayerVisitorMut, Loss, Network, Result, TargetData, Targets,
};
use proptest::prelude::*;

/// Asserts that `message` contains each of `parts`, one assert per part.
fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(
            message.contains(part),
            "message does not mention {part:?}: {message}"
        );
    }
}

/// `3 -> classes` identity layer named `scores`, with a loss chosen per test,
/// so that class targets, binary targets and a missing loss can be tried.
struct Scores {
    layer: Dense<f64, (DenseGroup<f64, Identity, Sgd>,)>,
    loss: Option<Loss>,
}

impl Scores {
    fn new(classes: usize, loss: Option<Loss>) -> Self {
        let layer = Dense::new(
            "scores",
            3,
            (DenseGroup::new(classes, Identity, Sgd::new(0.1)),),
            0,
        )
        .unwrap();
        Self { layer, loss }
    }
}

impl Network<f64> for Scores {
    fn input_width(&self) -> usize {
        3
    }

    fn output_width(&self) -> usize {
        self.layer.outputs()
    }

    fn loss(&self) -> Option<Loss> {
        self.loss
    }

    fn forward(&mut self, input: ArrayView2<'_, f64>) -> Result<ArrayView2<'_, f64>> {
        check_input("scores", 3, input)?;
        self.layer.forward(input)
    }

    fn output_and_grad(&mut self) -> (ArrayView2<'_, f64>, ArrayViewMut2<'_, f64>) {
        self.layer.output_and_delta()
    }

    fn backward(&mut self, input: ArrayView2<'_, f64>) -> Result<()> {
        self.layer.backward(input, None)
    }

    fn step(&mut self) {
        self.layer.step();
    }

    fn visit_layers<V: LayerVisitor<f64>>(&self, visitor: &mut V) {
        visitor.visit_layer(&self.layer);
    }

    fn visit_layers_mut<V: LayerVisitorMut<f64>>(&mut self, visitor: &mut V) {
        visitor.visit_layer_mut(&mut self.layer);
    }
}

fn quiet_fit(batch_size: usize) -> FitConfig {
    FitConfig {
        epochs: 2,
        batch_size,
        progress: false,
        ..FitConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Input batches
// ---------------------------------------------------------------------------

#[test]
fn input_width_names_layer() {
    let mut network = TwoLayer::<f64>::new(0).unwrap();

    let error = network.forward(Array2::zeros((4, 9)).view()).unwrap_err();

    assert_eq!(
        error,
        Error::InputWidth {
            layer: "hidden".to_owned(),
            expected: 10,
            found: 9
        }
    );
    assert_mentions(
        &error.to_string(),
        &["`hidden`", "expects 10", "has 9", "shape [batch, 10]"],
    );
}

#[test]
fn dense_forward_rejects_width() {
    let mut layer =
        Dense::<f32, _>::new("encoder", 5, (DenseGroup::new(2, Tanh, Sgd::new(0.1)),), 0).unwrap();

    let error = layer.forward(Array2::zeros((3, 6)).view()).unwrap_err();

    assert_eq!(
        error,
        Error::InputWidth {
            layer: "encoder".to_owned(),
            expected: 5,
            found: 6
        }
    );
    assert_mentions(&error.to_string(), &["`encoder`", "expects 5", "has 6"]);
}

#[test]
fn empty_batch_rejected() {
    let mut network = TwoLayer::<f64>::new(0).unwrap();
    let mut layer =
        Dense::<f64, _>::new("encoder", 10, (DenseGroup::new(2, Tanh, Sgd::new(0.1)),), 0).unwrap();

    let network_error = network.forward(Array2::zeros((0, 10)).view()).unwrap_err();
    let layer_error = layer.forward(Array2::zeros((0, 10)).view()).unwrap_err();

    assert_eq!(
        network_error,
        Error::EmptyBatch {
            context: "Network::forward"
        }
    );
    assert_eq!(
        layer_error,
        Error::EmptyBatch {
            context: "Dense::forward"
        }
    );
    assert_mentions(
        &network_error.to_string(),
        &["`Network::forward`", "no samples", "pass at least one row"],
    );
}

#[test]
fn empty_dataset_rejected_by_fit() {
    let mut network = TwoLayer::<f64>::new(0).unwrap();
    let data = Dataset::new(
        Array2::zeros((0, 10)),
        TargetData::Values(Array2::zeros((0, 1))),
    )
    .unwrap();

    assert_eq!(
        fit(&mut network, &data, &quiet_fit(8)).unwrap_err(),
        Error::EmptyBatch { context: "fit" }
    );
    assert_eq!(
        evaluate(&mut network, &data, 8).unwrap_err(),
        Error::EmptyBatch {
            context: "evaluate"
        }
    );
}

#[test]
fn nan_input_reports_position() {
    let mut network = TwoLayer::<f64>::new(0).unwrap();
    let mut input = Array2::<f64>::zeros((4, 10));
    input[(2, 7)] = f64::NAN;
    // A later bad value must not hide the first one.
    input[(3, 0)] = f64::INFINITY;

    let error = network.forward(input.view()).unwrap_err();

    match &error {
        Error::NonFiniteInput {
            sample,
            feature,
            value,
        } => {
            assert_eq!((*sample, *feature), (2, 7));
            assert!(value.is_nan(), "value {value} is not NaN");
        }
        other => panic!("expected Error::NonFiniteInput, got {other:?}"),
    }
    assert_mentions(
        &error.to_string(),
        &["NaN", "sample 2, feature 7", "remove or impute"],
    );
}

#[test]
fn infinite_input_reports_position() {
    let mut network = TwoLayer::<f32>::new(0).unwrap();
    let mut input = Array2::<f32>::ones((3, 10));
    input[(1, 4)] = f32::NEG_INFINITY;

    let error = network.forward(input.view()).unwrap_err();

    assert_eq!(
        error,
        Error::NonFiniteInput {
            sample: 1,
            feature: 4,
            value: f64::NEG_INFINITY
        }
    );
    assert_mentions(&error.to_string(), &["-inf", "sample 1, feature 4"]);
}

#[test]
fn huge_finite_input_accepted() {
    // check_input sums v·0 to detect non-finite values. f32::MAX·0 is 0, so the
    // largest finite values must still pass.
    let mut network = TwoLayer::<f32>::new(0).unwrap();
    let input = Array2::<f32>::from_elem((2, 10), f32::MAX);

    assert!(network.forward(input.view()).is_ok());
}

#[test]
fn fit_reports_dataset_row_of_nan() {
    let mut network = TwoLayer::<f64>::new(0).unwrap();
    let mut features = Array2::<f64>::zeros((64, 10));
    features[(37, 2)] = f64::NAN;
    let data = Dataset::new(features, TargetData::Values(Array2::zeros((64, 1)))).unwrap();

    let error = fit(&mut network, &data, &quiet_fit(16)).unwrap_err();

    match error {
        Error::NonFiniteInput {
            sample,
            feature,
            value,
        } => {
            assert_eq!(sample, 37, "the row must index the data set, not the batch");
            assert_eq!(feature, 2);
            assert!(value.is_nan(), "value {value} is not NaN");
        }
        other => panic!("expected Error::NonFiniteInput, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------

#[test]
fn dataset_rejects_label_count() {
    let error = Dataset::new(
        Array2::<f64>::zeros((4, 3)),
        TargetData::Classes(vec![0, 1, 2]),
    )
    .unwrap_err();

    assert_eq!(
        error,
        Error::TargetCount {
            expected: 4,
            found: 3
        }
    );
    assert_mentions(
        &error.to_string(),
        &[
            "3 targets",
            "batch of 4 samples",
            "exactly one target per input row",
        ],
    );
}

#[test]
fn train_step_rejects_label_count() {
    let mut network = Scores::new(3, Some(Loss::SoftmaxCrossEntropy));

    let error = train_step(
        &mut network,
        Array2::zeros((4, 3)).view(),
        &Targets::Classes(&[0, 1, 2, 0, 1]),
    )
    .unwrap_err();

    assert_eq!(
        error,
        Error::TargetCount {
            expected: 4,
            found: 5
        }
    );
}

#[test]
fn class_index_out_of_range() {
    let mut network = Scores::new(3, Some(Loss::SoftmaxCrossEntropy));

    let error = train_step(
        &mut network,
        Array2::zeros((2, 3)).view(),
        &Targets::Classes(&[0, 3]),
    )
    .unwrap_err();

    assert_eq!(
        error,
        Error::ClassOutOfRange {
            sample: 1,
            class: 3,
            classes: 3
        }
    );
    assert_mentions(
        &error.to_string(),
        &["class index 3", "sample 1", "3 classes", "0..3"],
    );
}

#[test]
fn value_targets_wrong_width() {
    let mut network = TwoLayer::<f64>::new(0).unwrap();
    let targets = Array2::<f64>::zeros((4, 2));

    let error = train_step(
        &mut network,
        Array2::zeros((4, 10)).view(),
        &Targets::Values(targets.view()),
    )
    .unwrap_err();

    assert_eq!(
        error,
        Error::TargetWidth {
            loss: "mse",
            expected: 1,
            found: 2
        }
    );
    assert_mentions(
        &error.to_string(),
        &[
            "`mse`",
            "1 network outputs",
            "2 columns",
            "shape [batch, 1]",
        ],
    );
}

#[test]
fn value_targets_not_finite() {
    let mut network = TwoLayer::<f64>::new(0).unwrap();
    let mut targets = Array2::<f64>::zeros((4, 1));
    targets[(2, 0)] = f64::INFINITY;

    let error = train_step(
        &mut network,
        Array2::zeros((4, 10)).view(),
        &Targets::Values(targets.view()),
    )
    .unwrap_err();

    assert_eq!(
        error,
        Error::NonFiniteTarget {
            sample: 2,
            value: f64::INFINITY
        }
    );
    assert_mentions(
        &error.to_string(),
        &["inf", "sample 2", "clean the targets"],
    );
}

#[test]
fn value_targets_nan() {
    let mut network = Scores::new(2, Some(Loss::BinaryCrossEntropyWithLogits));
    let targets = array![[0.0, 1.0], [f64::NAN, 0.0]];

    let error = train_step(
        &mut network,
        Array2::zeros((2, 3)).view(),
        &Targets::Values(targets.view()),
    )
    .unwrap_err();

    match error {
        Error::NonFiniteTarget { sample, value } => {
            assert_eq!(sample, 1);
            assert!(value.is_nan(), "value {value} is not NaN");
        }
        other => panic!("expected Error::NonFiniteTarget, got {other:?}"),
    }
}

#[test]
fn wrong_target_kind_per_loss() {
    let mut regression = TwoLayer::<f64>::new(0).unwrap();
    let mut classifier = Scores::new(3, Some(Loss::SoftmaxCrossEntropy));
    let mut binary = Scores::new(2, Some(Loss::BinaryCrossEntropyWithLogits));
    let values = Array2::<f64>::zeros((2, 3));

    let mse = train_step(
        &mut regression,
        Array2::zeros((2, 10)).view(),
        &Targets::Classes(&[0, 0]),
    )
    .unwrap_err();
    let cross_entropy = train_step(
        &mut classifier,
        Array2::zeros((2, 3)).view(),
        &Targets::Values(values.view()),
    )
    .unwrap_err();
    let bce = train_step(
        &mut binary,
        Array2::zeros((2, 3)).view(),
        &Targets::Classes(&[0, 1]),
    )
    .unwrap_err();

    assert!(
        matches!(mse, Error::TargetKind { loss: "mse", .. }),
        "{mse:?}"
    );
    assert!(
        matches!(
            cross_entropy,
            Error::TargetKind {
                loss: "softmax_cross_entropy",
                ..
            }
        ),
        "{cross_entropy:?}"
    );
    assert!(
        matches!(
            bce,
            Error::TargetKind {
                loss: "binary_cross_entropy_with_logits",
                ..
            }
        ),
        "{bce:?}"
    );
    assert_mentions(
        &mse.to_string(),
        &[
            "`mse`",
            "pass value targets",
            "`TargetData::Values`",
            "`Targets::Values`",
        ],
    );
    assert_mentions(
        &cross_entropy.to_string(),
        &[
            "`softmax_cross_entropy`",
            "pass class labels",
            "`TargetData::Classes`",
            "`Targets::Classes`",
        ],
    );
}

#[test]
fn rejected_step_leaves_weights() {
    let mut network = TwoLayer::<f64>::new(0).unwrap();
    let before = network.hidden.0.weight().to_owned();
    let targets = Array2::<f64>::zeros((4, 2));

    let result = train_step(
        &mut network,
        Array2::ones((4, 10)).view(),
        &Targets::Values(targets.view()),
    );

    assert!(result.is_err());
    assert_eq!(network.hidden.0.weight(), before);
}

#[test]
fn fit_binary_targets_wrong_width() {
    // fit counts correct predictions for binary cross-entropy, which zips the
    // output with the targets, so the width must be checked before counting.
    let mut network = Scores::new(2, Some(Loss::BinaryCrossEntropyWithLogits));
    let data = Dataset::new(
        Array2::zeros((8, 3)),
        TargetData::Values(Array2::zeros((8, 3))),
    )
    .unwrap();

    let result = catch_unwind(AssertUnwindSafe(|| fit(&mut network, &data, &quiet_fit(4))));

    let error = result.expect("fit panicked").unwrap_err();
    assert_eq!(
        error,
        Error::TargetWidth {
            loss: "binary_cross_entropy_with_logits",
            expected: 2,
            found: 3
        }
    );
}

#[test]
fn fit_reports_dataset_row_of_label() {
    let mut network = Scores::new(3, Some(Loss::SoftmaxCrossEntropy));
    let mut labels = vec![0; 40];
    labels[29] = 7;
    let data = Dataset::new(Array2::zeros((40, 3)), TargetData::Classes(labels)).unwrap();

    let error = fit(&mut network, &data, &quiet_fit(8)).unwrap_err();

    assert_eq!(
        error,
        Error::ClassOutOfRange {
            sample: 29,
            class: 7,
            classes: 3
        }
    );
}

#[test]
fn evaluate_reports_dataset_rows() {
    let mut network = TwoLayer::<f64>::new(0).unwrap();
    let mut features = Array2::<f64>::zeros((32, 10));
    features[(21, 9)] = f64::INFINITY;
    let bad_features = Dataset::new(features, TargetData::Values(Array2::zeros((32, 1)))).unwrap();
    let mut targets = Array2::<f64>::zeros((32, 1));
    targets[(13, 0)] = f64::NEG_INFINITY;
    let bad_targets = Dataset::new(Array2::zeros((32, 10)), TargetData::Values(targets)).unwrap();

    let input_error = evaluate(&mut network, &bad_features, 8).unwrap_err();
    let target_error = evaluate(&mut network, &bad_targets, 8).unwrap_err();

    assert_eq!(
        input_error,
        Error::NonFiniteInput {
            sample: 21,
            feature: 9,
            value: f64::INFINITY
        }
    );
    assert_eq!(
        target_error,
        Error::NonFiniteTarget {
            sample: 13,
            value: f64::NEG_INFINITY
        }
    );
}

// ---------------------------------------------------------------------------
// Networks without a loss
// ---------------------------------------------------------------------------

#[test]
fn no_loss_rejects_training() {
    let mut network = Scores::new(2, None);
    let input = Array2::<f64>::zeros((2, 3));
    let values = Array2::<f64>::zeros((2, 2));
    let data = Dataset::new(input.clone(), TargetData::Values(values.clone())).unwrap();

    let step = train_step(&mut network, input.view(), &Targets::Values(values.view()));
    let fitted = fit(&mut network, &data, &quiet_fit(2));
    let evaluated = evaluate(&mut network, &data, 2);

    assert_eq!(step.unwrap_err(), Error::NoLoss);
    assert_eq!(fitted.unwrap_err(), Error::NoLoss);
    assert_eq!(evaluated.unwrap_err(), Error::NoLoss);
    assert_mentions(
        &Error::NoLoss.to_string(),
        &["no loss function", "add a loss", "`loss: mse`"],
    );
}

#[test]
fn no_loss_still_predicts() {
    let mut network = Scores::new(2, None);

    let output = network.predict(Array2::ones((2, 3)).view()).unwrap();

    assert_eq!(output.dim(), (2, 2));
}

// ---------------------------------------------------------------------------
// Layer construction
// ---------------------------------------------------------------------------

#[test]
fn empty_group_names_group() {
    let error = Dense::<f32, _>::new(
        "hidden",
        3,
        (
            DenseGroup::new(2, Tanh, Sgd::new(0.1)).named("wide"),
            DenseGroup::new(0, Relu, Sgd::new(0.1)).named("empty"),
        ),
        0,
    )
    .unwrap_err();

    assert_eq!(
        error,
        Error::EmptyGroup {
            layer: "hidden".to_owned(),
            group: "empty".to_owned()
        }
    );
    assert_mentions(
        &error.to_string(),
        &[
            "`empty`",
            "`hidden`",
            "0 neurons",
            "give it at least one or remove it",
        ],
    );
}

#[test]
fn layer_without_outputs_rejected() {
    let single = Dense::<f32, _>::new("hidden", 3, (DenseGroup::new(0, Relu, Sgd::new(0.1)),), 0)
        .unwrap_err();
    let none =
        Dense::<f32, Vec<DenseGroup<f32, Relu, Sgd>>>::new("hidden", 3, Vec::new(), 0).unwrap_err();

    assert_eq!(
        single,
        Error::EmptyGroup {
            layer: "hidden".to_owned(),
            group: "relu".to_owned(),
        }
    );
    let expected = Error::ZeroSize {
        layer: "hidden".to_owned(),
        what: "the output count",
    };
    assert_eq!(none, expected);
    assert_mentions(
        &expected.to_string(),
        &["output count of layer `hidden` is 0", "at least one"],
    );
}

#[test]
fn zero_inputs_rejected() {
    let error = Dense::<f32, _>::new("hidden", 0, (DenseGroup::new(2, Relu, Sgd::new(0.1)),), 0)
        .unwrap_err();

    assert_eq!(
        error,
        Error::ZeroSize {
            layer: "hidden".to_owned(),
            what: "the input count"
        }
    );
    assert_mentions(
        &error.to_string(),
        &["input count of layer `hidden` is 0", "at least one input"],
    );
}

#[test]
fn duplicate_group_names_rejected() {
    let named = Dense::<f32, _>::new(
        "hidden",
        3,
        (
            DenseGroup::new(2, Tanh, Sgd::new(0.1)).named("same"),
            DenseGroup::new(1, Relu, Adam::new(1e-3)).named("other"),
            DenseGroup::new(2, Relu, Sgd::new(0.1)).named("same"),
        ),
        0,
    )
    .unwrap_err();
    // Unnamed groups are named after their activation, so two relu groups clash.
    let unnamed = Dense::<f32, _>::new(
        "hidden",
        3,
        (
            DenseGroup::new(2, Relu, Sgd::new(0.1)),
            DenseGroup::new(2, Relu, Adam::new(1e-3)),
        ),
        0,
    )
    .unwrap_err();

    assert_eq!(
        named,
        Error::DuplicateGroup {
            layer: "hidden".to_owned(),
            group: "same".to_owned()
        }
    );
    assert_eq!(
        unnamed,
        Error::DuplicateGroup {
            layer: "hidden".to_owned(),
            group: "relu".to_owned()
        }
    );
    assert_mentions(
        &named.to_string(),
        &["`hidden`", "two groups named `same`", "own name"],
    );
}

/// Builds a one-group layer with the group named `g` and returns its error.
fn build_error<A: Activation, O: Optimizer>(activation: A, optimizer: O) -> Error {
    Dense::<f64, _>::new(
        "layer",
        2,
        (DenseGroup::new(1, activation, optimizer).named("g"),),
        0,
    )
    .unwrap_err()
}

/// Checks an `InvalidParameter` error field by field, NaN included, and its message.
fn assert_invalid(error: Error, owner: &str, name: &str, value: f64) {
    match &error {
        Error::InvalidParameter {
            group,
            owner: found_owner,
            name: found_name,
            value: found_value,
            expected,
        } => {
            assert_eq!(group, "g");
            assert_eq!(*found_owner, owner);
            assert_eq!(*found_name, name);
            assert!(
                found_value.to_bits() == value.to_bits()
                    || (found_value.is_nan() && value.is_nan()),
                "{owner} {name}: value {found_value}, expected {value}"
            );
            assert_mentions(&error.to_string(), &[expected]);
        }
        other => panic!("{owner} {name}: expected Error::InvalidParameter, got {other:?}"),
    }
    assert_mentions(
        &error.to_string(),
        &[owner, &format!("`{name}` = {value}"), "group `g`"],
    );
}

#[test]
fn learning_rate_zero_or_nan() {
    for lr in [0.0, -0.1, f64::NAN, f64::INFINITY] {
        assert_invalid(build_error(Tanh, Sgd::new(lr)), "sgd", "lr", lr);
        assert_invalid(build_error(Tanh, Adam::new(lr)), "adam", "lr", lr);
        assert_invalid(build_error(Tanh, AdamW::new(lr)), "adamw", "lr", lr);
        assert_invalid(build_error(Tanh, RmsProp::new(lr)), "rmsprop", "lr", lr);
    }
}

#[test]
fn beta_outside_unit_interval() {
    for beta in [1.0, 1.5, -0.1, f64::NAN] {
        assert_invalid(
            build_error(Tanh, Adam::new(1e-3).betas(beta, 0.999)),
            "adam",
            "beta1",
            beta,
        );
        assert_invalid(
            build_error(Tanh, AdamW::new(1e-3).betas(0.9, beta)),
            "adamw",
            "beta2",
            beta,
        );
        assert_invalid(
            build_error(Tanh, RmsProp::new(1e-3).alpha(beta)),
            "rmsprop",
            "alpha",
            beta,
        );
        assert_invalid(
            build_error(Tanh, Sgd::new(0.1).momentum(beta)),
            "sgd",
            "momentum",
            beta,
        );
    }
}

#[test]
fn weight_decay_negative() {
    assert_invalid(
        build_error(Tanh, Sgd::new(0.1).weight_decay(-1e-4)),
        "sgd",
        "weight_decay",
        -1e-4,
    );
    assert_invalid(
        build_error(Tanh, Adam::new(0.1).weight_decay(-0.5)),
        "adam",
        "weight_decay",
        -0.5,
    );
    assert_invalid(
        build_error(Tanh, AdamW::new(0.1).weight_decay(-0.01)),
        "adamw",
        "weight_decay",
        -0.01,
    );
    assert_invalid(
        build_error(Tanh, RmsProp::new(0.1).weight_decay(-2.0)),
        "rmsprop",
        "weight_decay",
        -2.0,
    );
}

#[test]
fn eps_not_positive() {
    assert_invalid(
        build_error(Tanh, Adam::new(0.1).eps(0.0)),
        "adam",
        "eps",
        0.0,
    );
    assert_invalid(
        build_error(Tanh, RmsProp::new(0.1).eps(-1e-8)),
        "rmsprop",
        "eps",
        -1e-8,
    );
}

#[test]
fn nesterov_without_momentum() {
    let error = build_error(Tanh, Sgd::new(0.1).nesterov(true));

    assert_invalid(error.clone(), "sgd", "momentum", 0.0);
    assert_mentions(
        &error.to_string(),
        &["Nesterov momentum needs momentum > 0"],
    );
}

#[test]
fn activation_alpha_invalid() {
    assert_invalid(
        build_error(LeakyRelu { alpha: -0.1 }, Sgd::new(0.1)),
        "leaky_relu",
        "alpha",
        -0.1,
    );
    assert_invalid(
        build_error(Elu { alpha: 0.0 }, Sgd::new(0.1)),
        "elu",
        "alpha",
        0.0,
    );
}

#[test]
fn init_bound_negative() {
    let error = Dense::<f64, _>::new(
        "layer",
        2,
        (DenseGroup::new(1, Tanh, Sgd::new(0.1))
            .named("g")
            .with_init(Init::Uniform(-1.0)),),
        0,
    )
    .unwrap_err();

    assert_invalid(error, "init", "bound", -1.0);
}

#[test]
fn frozen_group_needs_no_checks() {
    assert!(Dense::<f64, _>::new("layer", 2, (DenseGroup::new(1, Tanh, Frozen),), 0).is_ok());
}

// ---------------------------------------------------------------------------
// Parameters and backward
// ---------------------------------------------------------------------------

#[test]
fn set_weight_wrong_shape() {
    let mut layer = Dense::<f64, _>::new(
        "layer",
        3,
        (DenseGroup::new(2, Tanh, Sgd::new(0.1)).named("g"),),
        0,
    )
    .unwrap();
    let before = layer.0.weight().to_owned();

    let error = layer
        .0
        .set_weight(Array2::zeros((3, 2)).view())
        .unwrap_err();

    assert_eq!(
        error,
        Error::ParameterShape {
            group: "g".to_owned(),
            what: "weight",
            expected: vec![2, 3],
            found: vec![3, 2]
        }
    );
    assert_mentions(
        &error.to_string(),
        &["weight of group `g`", "shape [2, 3]", "shape [3, 2]"],
    );
    assert_eq!(layer.0.weight(), before);
}

#[test]
fn set_bias_wrong_length() {
    let mut layer = Dense::<f64, _>::new(
        "layer",
        3,
        (DenseGroup::new(2, Tanh, Sgd::new(0.1)).named("g"),),
        0,
    )
    .unwrap();

    let error = layer.0.set_bias(array![1.0, 2.0, 3.0].view()).unwrap_err();

    assert_eq!(
        error,
        Error::ParameterShape {
            group: "g".to_owned(),
            what: "bias",
            expected: vec![2],
            found: vec![3]
        }
    );
    assert_mentions(&error.to_string(), &["bias of group `g`", "[2]", "[3]"]);
}

#[test]
fn fit_batch_size_zero() {
    let mut network = TwoLayer::<f64>::new(0).unwrap();
    let data = Dataset::new(
        Array2::zeros((4, 10)),
        TargetData::Values(Array2::zeros((4, 1))),
    )
    .unwrap();

    let fitted = fit(&mut network, &data, &quiet_fit(0)).unwrap_err();
    let evaluated = evaluate(&mut network, &data, 0).unwrap_err();

    let expected = Error::InvalidOption {
        name: "batch_size",
        value: 0.0,
        expected: "use at least 1 sample per batch",
    };
    assert_eq!(fitted, expected);
    assert_eq!(evaluated, expected);
    assert_mentions(
        &fitted.to_string(),
        &["`batch_size` = 0", "use at least 1 sample per batch"],
    );
}

fn small_layer() -> Dense<f64, (DenseGroup<f64, Tanh, Sgd>,)> {
    Dense::new("layer", 3, (DenseGroup::new(2, Tanh, Sgd::new(0.1)),), 0).unwrap()
}

#[test]
fn backward_batch_mismatch() {
    let mut layer = small_layer();
    layer.forward(Array2::ones((4, 3)).view()).unwrap();

    let error = layer
        .backward(Array2::ones((5, 3)).view(), None)
        .unwrap_err();

    assert_eq!(
        error,
        Error::BatchMismatch {
            layer: "layer".to_owned(),
            what: "the input",
            expected: vec![4, 3],
            found: vec![5, 3]
        }
    );
    assert_mentions(
        &error.to_string(),
        &[
            "`layer`",
            "shape [5, 3]",
            "expects [4, 3]",
            "batch that was passed to forward",
        ],
    );
}

#[test]
fn backward_input_gradient_mismatch() {
    let mut layer = small_layer();
    let x = Array2::<f64>::ones((4, 3));
    let mut input_grad = Array2::<f64>::zeros((4, 2));
    layer.forward(x.view()).unwrap();

    let error = layer
        .backward(x.view(), Some(input_grad.view_mut()))
        .unwrap_err();

    assert_eq!(
        error,
        Error::BatchMismatch {
            layer: "layer".to_owned(),
            what: "the input gradient",
            expected: vec![4, 3],
            found: vec![4, 2]
        }
    );
}

#[test]
fn backward_before_forward_rejected() {
    let mut layer = small_layer();

    let error = layer
        .backward(Array2::ones((2, 3)).view(), None)
        .unwrap_err();

    assert!(
        matches!(error, Error::BatchMismatch { ref found, .. } if found == &[2, 3]),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------
// No panics on malformed input
// ---------------------------------------------------------------------------

/// A batch of any shape, possibly with one non-finite value, and targets of
/// any shape.
#[derive(Clone, Debug)]
struct BadBatch {
    rows: usize,
    cols: usize,
    poison: Option<(usize, usize, f64)>,
    target_rows: usize,
    target_cols: usize,
}

fn bad_batch() -> impl Strategy<Value = BadBatch> {
    let poison = prop::option::of((
        0_usize..6,
        0_usize..12,
        prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
    ));
    (0_usize..6, 0_usize..12, poison, 0_usize..6, 0_usize..3).prop_map(
        |(rows, cols, poison, target_rows, target_cols)| BadBatch {
            rows,
            cols,
            poison,
            target_rows,
            target_cols,
        },
    )
}

proptest! {
    #[test]
    fn malformed_batches_never_panic(batch in bad_batch()) {
        let mut input = Array2::<f64>::zeros((batch.rows, batch.cols));
        let mut poisoned = false;
        if let Some((row, col, value)) = batch.poison {
            if row < batch.rows && col < batch.cols {
                input[(row, col)] = value;
                poisoned = true;
            }
        }
        let targets = Array2::<f64>::zeros((batch.target_rows, batch.target_cols));
        let valid_input = batch.cols == 10 && batch.rows > 0 && !poisoned;
        let valid_targets = batch.target_rows == batch.rows && batch.target_cols == 1;

        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let mut network = TwoLayer::<f64>::new(0).unwrap();
            let forward = network.forward(input.view()).map(|_| ());
            let step = train_step(&mut network, input.view(), &Targets::Values(targets.view()));
            let mut layer = small_layer();
            let backward = layer.backward(input.view(), None);
            (forward, step.map(|_| ()), backward)
        }));

        prop_assert!(outcome.is_ok(), "a call panicked on {:?}", batch);
        let (forward, step, backward) = outcome.unwrap();
        prop_assert_eq!(forward.is_ok(), valid_input, "forward: {:?}", forward);
        prop_assert_eq!(step.is_ok(), valid_input && valid_targets, "train_step: {:?}", step);
        // Before any forward pass the layer expects a batch of 0 rows, which
        // forward itself never accepts, so only that shape may pass.
        if (batch.rows, batch.cols) != (0, 3) {
            prop_assert!(backward.is_err(), "backward before forward accepted {:?}", batch);
        }
    }
}
