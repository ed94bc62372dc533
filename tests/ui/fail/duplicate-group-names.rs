use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> fast = 2: relu, fast = 2: tanh),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
