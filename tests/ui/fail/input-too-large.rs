use nn::network;

network! {
    struct Net {
        input: 99999999999999999999999,
        output: dense(4 -> 1: identity),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
