use nn::network;

network! {
    struct Net {
        input: 6,
        output: dense(6 -> 4: identity) mask block_diagonal(blocks = 3),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
