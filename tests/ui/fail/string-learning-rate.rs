use nn::network;

network! {
    struct Net {
        input: 2,
        output: dense(2 -> 1: identity),
        optim: sgd(lr = "fast"),
    }
}

fn main() {}
