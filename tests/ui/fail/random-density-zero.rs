use nn::network;

network! {
    struct Net {
        input: 3,
        output: dense(3 -> 2: identity) mask random(density = 0),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
