use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 2: identity @ sgd(lr = 0.1))
        loss: mse,
    }
}

fn main() {}
