use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> r#fn = 1: identity),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
