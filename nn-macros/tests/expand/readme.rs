/// The network of the README: two layers, one masked with two groups.
pub struct Net {
    input: 10,
    hidden: dense(10 -> 5: relu @ adam(lr = 1e-3), 5: sigmoid @ sgd(lr = 0.01)) mask cut [(0, 3), (4, 9)],
    output: dense(10 -> 1: identity) optim adam(lr = 1e-3),
    loss: mse,
}
