use nn::ndarray::Array2;
use nn::{network, Network};

network! {
    #[derive(Debug)]
    struct Net {
        scalar: f64,
        input: 5,
        first: dense(5 -> wide = 6: relu @ adam(lr = 1e-3), narrow = 2: tanh @ sgd(lr = 0.05),),
        second: dense(8 -> 4: elu(alpha = 1.5)) optim adamw(lr = 1e-3),
        third: dense(4 -> 2: identity) optim sgd(lr = 0.1)
    }
}

fn main() {
    let mut net = Net::new(0);
    let x = Array2::<f64>::ones((3, Net::INPUT));
    let y = net.forward(x.view()).unwrap();
    assert_eq!(y.dim(), (3, 2));
    assert!(net.loss().is_none());
    assert_eq!(net.second.elu.activation().alpha, 1.5);
}
