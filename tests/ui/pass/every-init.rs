use nn::ndarray::Array2;
use nn::{network, Init, Network};

network! {
    pub(crate) struct Net {
        input: 4,
        optim: adam(lr = 1e-3),
        a: dense(4 -> 4: relu) init he_uniform,
        b: dense(4 -> 4: relu) init he_normal,
        c: dense(4 -> 4: tanh) init glorot_uniform,
        d: dense(4 -> 4: tanh) init glorot_normal,
        e: dense(4 -> 4: identity) init uniform(bound = 0.3),
        f: dense(4 -> 4: identity) init normal(std = 0.05),
        g: dense(4 -> 2: identity, 2: sigmoid) init zeros,
        h: dense(4 -> 1: identity),
        loss: binary_cross_entropy_with_logits,
    }
}

fn main() {
    let mut net = Net::new(0);
    let x = Array2::<f32>::ones((2, Net::INPUT));
    let y = net.forward(x.view()).unwrap();
    assert_eq!(y.dim(), (2, 1));
    assert_eq!(net.e.identity.init(), Init::Uniform(0.3));
    assert_eq!(net.f.identity.init(), Init::Normal(0.05));
    assert!(net.g.sigmoid.weight().iter().all(|&w| w == 0.0));
}
