use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 1: sigmod),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
