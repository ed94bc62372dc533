use nn::ndarray::Array2;
use nn::{network, Network};

network! {
    /// The network from the README.
    #[derive(Debug)]
    pub struct Net {
        input: 10,
        hidden: dense(10 -> 5: relu @ adam(lr = 1e-3), 5: sigmoid @ sgd(lr = 0.01)) mask cut [(0, 3), (4, 9)],
        output: dense(10 -> 1: identity) optim adam(lr = 1e-3),
        loss: mse,
    }
}

#[test]
fn readme_network_builds() {
    let mut net = Net::new(7);
    assert_eq!(Net::INPUT, 10);
    assert_eq!(Net::OUTPUT, 1);
    let x = Array2::<f32>::ones((3, 10));
    let y = net.forward(x.view()).unwrap();
    assert_eq!(y.dim(), (3, 1));
    assert_eq!(net.hidden.relu.weight()[(0, 3)], 0.0);
    println!("{}", net.summary());
}
