use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 18446744073709551615: relu, 1: tanh),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
