use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 1: identity),
        optim: adamw(lr = 1e-3, weight_decay = -0.01),
    }
}

fn main() {}
