use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 1: identity),
        optim: frozen(lr = 0.1),
    }
}

fn main() {}
