use nn::network;

network! {
    struct Net {
        input: 3,
        output: dense(3 -> 2: identity) mask [
            [1, 0, 1],
            [0, 1],
        ],
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
