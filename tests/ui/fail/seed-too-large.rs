use nn::network;

network! {
    struct Net {
        input: 4,
        output: dense(4 -> 1: identity) mask random(density = 0.5, seed = 9007199254740993),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
