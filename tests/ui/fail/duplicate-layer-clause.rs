use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 1: identity) mask banded(width = 1) mask banded(width = 2),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
