use nn::network;

network! {
    struct Net {
        input: 4,
        loss: dense(4 -> 2: relu @ sgd(lr = 0.1)),
    }
}

fn main() {}
