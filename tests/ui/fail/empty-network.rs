use nn::network;

network! {
    struct Net {}
}

fn main() {}
