use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 2: relu @ sgd(lr = 0.1), 2: relu @ adam(lr = 1e-3)),
    }
}

fn main() {}
