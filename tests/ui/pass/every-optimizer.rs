use nn::ndarray::Array2;
use nn::{network, Network};

network! {
    // A private network with every optimizer and every keyword argument,
    // given per group with `@` and per layer with `optim`.
    struct Net {
        input: 3,
        plain: dense(3 -> 2: relu @ sgd(lr = 0.1, nesterov = false),
                     heavy = 2: relu @ sgd(lr = 0.1, momentum = 0.9, nesterov = true, weight_decay = 1e-4),
                     2: tanh @ adam(lr = 1e-3, beta1 = 0.8, beta2 = 0.99, eps = 1e-7, weight_decay = 0.01),
                     2: sigmoid @ adamw(lr = 1e-3, beta1 = 0.85, beta2 = 0.995, eps = 1e-6, weight_decay = 0.05)),
        prop: dense(8 -> 2: gelu) optim rmsprop(lr = 0.01, alpha = 0.95, eps = 1e-6, weight_decay = 1e-3,
                                                momentum = 0.5, centered = true),
        fixed: dense(2 -> 2: identity @ frozen, trained = 1: identity) optim adam(lr = 1e-3),
        loss: mse,
    }
}

fn main() {
    let mut net = Net::new(0);
    let x = Array2::<f32>::ones((2, Net::INPUT));
    let y = net.forward(x.view()).unwrap();
    assert_eq!(y.dim(), (2, 3));

    let heavy = net.plain.heavy.optimizer();
    assert_eq!(heavy.momentum, 0.9);
    assert!(heavy.nesterov);
    assert_eq!(net.plain.tanh.optimizer().beta1, 0.8);
    assert_eq!(net.plain.sigmoid.optimizer().weight_decay, 0.05);
    let prop = net.prop.gelu.optimizer();
    assert_eq!(prop.alpha, 0.95);
    assert!(prop.centered);
    assert_eq!(net.fixed.trained.optimizer().lr, 1e-3);
}
