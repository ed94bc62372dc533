use nn::network;

network! {
    struct Net {
        input: 4,
        hidden: dense(4 -> 3: relu) optim adam(lr = 1e-3),
        output: dense(3 -> 1: identity),
    }
}

fn main() {}
