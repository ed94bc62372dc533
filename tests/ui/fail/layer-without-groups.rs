use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 ->),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
