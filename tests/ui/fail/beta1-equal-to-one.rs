use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 1: identity),
        optim: adam(lr = 1e-3, beta1 = 1),
    }
}

fn main() {}
