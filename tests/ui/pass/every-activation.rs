use nn::ndarray::Array2;
use nn::{network, Network};

network! {
    /// Every activation in a group of its own. The network-wide optimizer
    /// trains every group that names none.
    #[derive(Debug, Clone)]
    #[allow(dead_code)]
    pub struct Net {
        input: 4,
        optim: sgd(lr = 0.01),
        hidden: dense(4 -> 2: identity, 2: relu, 2: leaky_relu, leaky = 2: leaky_relu(alpha = 0.2),
                      2: elu, smooth = 2: elu(alpha = 0.5), 2: sigmoid, 2: tanh),
        more: dense(16 -> 2: softplus, 2: softsign, 2: gelu, 2: silu),
        output: dense(8 -> 3: softmax),
        loss: softmax_cross_entropy,
    }
}

fn main() {
    let mut net = Net::new(0);
    let x = Array2::<f32>::ones((2, Net::INPUT));
    let y = net.forward(x.view()).unwrap();
    assert_eq!(y.dim(), (2, 3));
    assert_eq!(net.hidden.leaky.activation().alpha, 0.2);
}
