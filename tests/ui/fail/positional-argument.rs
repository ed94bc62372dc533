use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 1: identity),
        optim: adam(1e-3),
    }
}

fn main() {}
