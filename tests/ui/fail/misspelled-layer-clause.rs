use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 1: identity) mak banded(width = 1),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
