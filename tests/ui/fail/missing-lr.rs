use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 1: identity),
        optim: adam(beta1 = 0.8),
    }
}

fn main() {}
