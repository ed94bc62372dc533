use nn::network;

network! {
    struct Net {
        input: 3,
        output: dense(3 -> 2: identity) mask file("tests/ui/fail/masks/short-row.txt"),
        optim: sgd(lr = 0.1),
    }
}

fn main() {}
