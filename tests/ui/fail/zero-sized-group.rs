use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 2: relu, 0: tanh),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
