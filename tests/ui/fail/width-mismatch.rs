use nn::network;

network! {
    struct Net {
        input: 4,
        hidden: dense(4 -> 10: relu),
        output: dense(8 -> 1: identity),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
