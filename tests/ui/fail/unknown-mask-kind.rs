use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 2: identity) mask diagonal(width = 1),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
