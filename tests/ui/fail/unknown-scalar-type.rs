use nn::network;

network! {
    struct Net {
        input: 4,
        scalar: f16,
        output: dense(4 -> 1: identity),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
