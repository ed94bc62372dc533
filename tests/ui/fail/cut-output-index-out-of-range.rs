use nn::network;

network! {
    struct Net {
        input: 3,
        output: dense(3 -> 2: identity) mask cut [(0, 1), (2, 0)],
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
