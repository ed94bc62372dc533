use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 3: identity),
        optim: sgd(lr = 0.1),
        loss: cross_entropy,
    }
}

fn main() {}
