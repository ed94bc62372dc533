/// A digits classifier: a random mask, named groups, a frozen group, a
/// network-wide optimizer, hyper-parameters and an explicit initialiser.
pub struct Digits {
    input: 64,
    scalar: f32,
    optim: adamw(lr = 2e-3, weight_decay = 1e-4),
    hidden: dense(64 -> fast = 48: relu, 24: tanh @ sgd(lr = 0.05, momentum = 0.9, nesterov = true),
                  8: sigmoid @ frozen)
            mask random(density = 0.5, seed = 7) init he_normal,
    output: dense(80 -> 10: identity),
    loss: softmax_cross_entropy,
}
