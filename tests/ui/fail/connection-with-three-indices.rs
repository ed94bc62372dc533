use nn::network;

network! {
    struct Net {
        input: 2,
        output: dense(2 -> 1: identity) mask cut [(0, 1, 2)],
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
