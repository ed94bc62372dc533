//! A `network!` network behaves exactly like the same network built by hand on
//! the runtime, and its removed connections stay 0.0 through training.

use nn::activation::{Identity, Relu, Sigmoid, Tanh};
use nn::ndarray::{Array2, ArrayView2, ArrayViewMut2};
use nn::optim::{AdamW, Frozen, Sgd};
use nn::{
    check_input, derive_seed, network, train_step, Dense, DenseGroup, Init, LayerVisitor,
    LayerVisitorMut, Loss, Mask, Network, Targets,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

network! {
    /// A classifier with a masked hidden layer of three groups.
    pub struct Classifier {
        input: 12,
        optim: adamw(lr = 2e-3, weight_decay = 1e-4),
        hidden: dense(12 -> fast = 6: relu, 4: tanh @ sgd(lr = 0.05, momentum = 0.9, nesterov = true),
                      2: sigmoid @ frozen)
                mask random(density = 0.5, seed = 7) init he_normal,
        output: dense(12 -> 3: identity),
        loss: softmax_cross_entropy,
    }
}

type HandHidden = (
    DenseGroup<f32, Relu, AdamW>,
    DenseGroup<f32, Tanh, Sgd>,
    DenseGroup<f32, Sigmoid, Frozen>,
);

/// The same network as `Classifier`, written against the runtime alone.
struct HandBuilt {
    hidden: Dense<f32, HandHidden>,
    output: Dense<f32, (DenseGroup<f32, Identity, AdamW>,)>,
}

impl HandBuilt {
    fn new(seed: u64) -> nn::Result<Self> {
        let adamw = || AdamW::new(2e-3).weight_decay(1e-4);
        let hidden = Dense::new(
            "hidden",
            12,
            (
                DenseGroup::new(6, Relu, adamw())
                    .named("fast")
                    .with_init(Init::HeNormal),
                DenseGroup::new(4, Tanh, Sgd::new(0.05).momentum(0.9).nesterov(true))
                    .with_init(Init::HeNormal),
                DenseGroup::new(2, Sigmoid, Frozen).with_init(Init::HeNormal),
            ),
            derive_seed(seed, 0),
        )?
        .with_mask(Mask::random(12, 12, 0.5, 7)?)?;
        let output = Dense::new(
            "output",
            12,
            (DenseGroup::new(3, Identity, adamw()),),
            derive_seed(seed, 1),
        )?;
        Ok(Self { hidden, output })
    }
}

impl Network<f32> for HandBuilt {
    fn input_width(&self) -> usize {
        12
    }

    fn output_width(&self) -> usize {
        3
    }

    fn loss(&self) -> Option<Loss> {
        Some(Loss::SoftmaxCrossEntropy)
    }

    fn forward(&mut self, input: ArrayView2<'_, f32>) -> nn::Result<ArrayView2<'_, f32>> {
        check_input("hidden", 12, input)?;
        let hidden = self.hidden.forward(input)?;
        self.output.forward(hidden)
    }

    fn output_and_grad(&mut self) -> (ArrayView2<'_, f32>, ArrayViewMut2<'_, f32>) {
        self.output.output_and_delta()
    }

    fn backward(&mut self, input: ArrayView2<'_, f32>) -> nn::Result<()> {
        let (hidden, hidden_grad) = self.hidden.output_and_delta();
        self.output.backward(hidden, Some(hidden_grad))?;
        self.hidden.backward(input, None)
    }

    fn step(&mut self) {
        self.hidden.step();
        self.output.step();
    }

    fn visit_layers<V: LayerVisitor<f32>>(&self, visitor: &mut V) {
        visitor.visit_layer(&self.hidden);
        visitor.visit_layer(&self.output);
    }

    fn visit_layers_mut<V: LayerVisitorMut<f32>>(&mut self, visitor: &mut V) {
        visitor.visit_layer_mut(&mut self.hidden);
        visitor.visit_layer_mut(&mut self.output);
    }
}

fn batch(seed: u64) -> (Array2<f32>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((16, 12), |_| rng.random_range(-1.0..1.0));
    let labels = (0..16).map(|_| rng.random_range(0..3)).collect();
    (x, labels)
}

fn assert_bits_equal(what: &str, a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>) {
    assert_eq!(a.dim(), b.dim(), "{what}: shapes differ");
    for ((index, x), y) in a.indexed_iter().zip(b.iter()) {
        assert_eq!(
            x.to_bits(),
            y.to_bits(),
            "{what} differs at {index:?}: {x} vs {y}"
        );
    }
}

#[test]
fn macro_matches_hand_built_network() {
    let mut generated = Classifier::new(42);
    let mut hand = HandBuilt::new(42).unwrap();

    let (x, _) = batch(0);
    let y_generated = generated.forward(x.view()).unwrap().to_owned();
    let y_hand = hand.forward(x.view()).unwrap().to_owned();
    assert_bits_equal("initial output", y_generated.view(), y_hand.view());

    for step in 0..10 {
        let (x, labels) = batch(step + 1);
        let targets = Targets::Classes(&labels);
        let a = train_step(&mut generated, x.view(), &targets).unwrap();
        let b = train_step(&mut hand, x.view(), &targets).unwrap();
        assert_eq!(a.to_bits(), b.to_bits(), "loss of step {step}: {a} vs {b}");
    }

    let pairs = [
        (
            "hidden.fast",
            generated.hidden.fast.weight(),
            hand.hidden.0.weight(),
        ),
        (
            "hidden.tanh",
            generated.hidden.tanh.weight(),
            hand.hidden.1.weight(),
        ),
        (
            "hidden.sigmoid",
            generated.hidden.sigmoid.weight(),
            hand.hidden.2.weight(),
        ),
        (
            "output.identity",
            generated.output.identity.weight(),
            hand.output.0.weight(),
        ),
    ];
    for (what, a, b) in pairs {
        assert_bits_equal(what, a, b);
    }
    assert_eq!(
        generated.summary().to_string(),
        nn::Summary::of(&hand).to_string()
    );
}

#[test]
fn different_seeds_give_different_weights() {
    let a = Classifier::new(1);
    let b = Classifier::new(2);
    assert_ne!(a.hidden.fast.weight(), b.hidden.fast.weight());
    let c = Classifier::new(1);
    assert_eq!(a.hidden.fast.weight(), c.hidden.fast.weight());
}

network! {
    struct EveryMask {
        input: 8,
        optim: adam(lr = 0.05, weight_decay = 0.01),
        literal: dense(8 -> 4: relu) mask [
            [1, 0, 1, 0, 1, 0, 1, 0],
            [0, 1, 0, 1, 0, 1, 0, 1],
            [1, 1, 0, 0, 1, 1, 0, 0],
            [0, 0, 1, 1, 0, 0, 1, 1],
        ],
        cut: dense(4 -> 6: tanh @ sgd(lr = 0.1, momentum = 0.9, weight_decay = 0.01)) mask cut [(0, 0), (5, 3)],
        keep: dense(6 -> 6: elu(alpha = 0.5) @ rmsprop(lr = 0.01, momentum = 0.5)) mask keep [(0, 0), (1, 1), (2, 5), (3, 4), (4, 4), (5, 0)],
        random: dense(6 -> 6: gelu @ adamw(lr = 0.01)) mask random(density = 0.3, seed = 5),
        blocks: dense(6 -> 4: silu) mask block_diagonal(blocks = 2),
        band: dense(4 -> 2: identity) mask banded(width = 1),
        loss: mse,
    }
}

/// Collects, for every group, the weights at removed connections.
struct RemovedWeights(Vec<(String, f32)>);

impl LayerVisitor<f32> for RemovedWeights {
    fn visit_layer<G: nn::GroupSet<f32>>(&mut self, layer: &Dense<f32, G>) {
        struct Groups<'a>(&'a mut Vec<(String, f32)>, String);
        impl nn::GroupVisitor<f32> for Groups<'_> {
            fn visit<A: nn::activation::Activation, O: nn::optim::Optimizer>(
                &mut self,
                group: &DenseGroup<f32, A, O>,
            ) {
                let Some(mask) = group.mask() else { return };
                for ((o, i), &w) in group.weight().indexed_iter() {
                    if !mask.is_live(o, i) {
                        self.0
                            .push((format!("{}.{} ({o}, {i})", self.1, group.name()), w));
                    }
                }
            }
        }
        layer
            .groups()
            .visit(&mut Groups(&mut self.0, layer.name().to_owned()));
    }
}

#[test]
fn every_mask_form_stays_zero() {
    let mut network = EveryMask::new(3);
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let x = Array2::from_shape_fn((32, 8), |_| rng.random_range(-1.0..1.0));
    let t = Array2::from_shape_fn((32, 2), |_| rng.random_range(-1.0..1.0));
    let mut first = None;
    let mut last = 0.0;
    for _ in 0..200 {
        last = train_step(&mut network, x.view(), &Targets::Values(t.view())).unwrap();
        first.get_or_insert(last);
    }
    assert!(
        last < first.unwrap(),
        "loss did not fall: {first:?} -> {last}"
    );

    let mut removed = RemovedWeights(Vec::new());
    network.visit_layers(&mut removed);
    // literal 16, cut 2, keep 36 - 6, random 36 - round(0.3 * 36), two 2x3 blocks
    // of a 4x6 layer 12, and the band of width 1 keeps 2 + 3 of 8.
    let expected_removed = 16 + 2 + (36 - 6) + (36 - 11) + 12 + 3;
    assert_eq!(removed.0.len(), expected_removed);
    for (place, w) in removed.0 {
        assert_eq!(
            w.to_bits(),
            0.0_f32.to_bits(),
            "removed weight {place} is {w}"
        );
    }
    let summary = network.summary().to_string();
    assert!(summary.contains("16/32"), "{summary}");
    assert!(summary.contains("11/36"), "{summary}");
}
