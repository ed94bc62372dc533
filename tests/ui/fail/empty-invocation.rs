use nn::network;

network! {}

fn main() {}
