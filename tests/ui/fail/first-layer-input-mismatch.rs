use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(3 -> 1: identity),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
