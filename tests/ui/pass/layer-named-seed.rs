//! A layer named like the constructor's `seed` parameter still builds.
use nn::ndarray::Array2;
use nn::{network, Network};

network! {
    struct Net {
        input: 3,
        seed: dense(3 -> 2: relu @ sgd(lr = 0.1)),
        output: dense(2 -> 1: identity @ sgd(lr = 0.1)),
    }
}

fn main() {
    let mut net = Net::new(0);
    let y = net.forward(Array2::<f32>::ones((1, 3)).view()).unwrap();
    assert_eq!(y.dim(), (1, 1));
}
