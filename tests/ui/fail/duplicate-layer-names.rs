use nn::network;

network! {
    struct Net {
        input: 4,
        hidden: dense(4 -> 4: relu),
        hidden: dense(4 -> 1: identity),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
