use nn::network;

network! {
    struct Net {
        input: 4,
        hidden: dense(4 -> 8: rleu, 0: tanh),
        output: dense(6 -> 1: identity) mask cut [(1, 0)],
        optim: adam(lr = -1e-3),
        loss: mean_squared,
    }
}

fn main() {}
