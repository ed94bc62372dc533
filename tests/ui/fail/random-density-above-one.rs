use nn::network;

network! {
    struct Net {
        input: 3,
        output: dense(3 -> 2: identity) mask random(density = 1.5, seed = 3),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
