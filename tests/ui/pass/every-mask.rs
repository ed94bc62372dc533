use nn::ndarray::Array2;
use nn::{network, Network};

network! {
    /// One layer per mask form.
    pub struct Net {
        input: 3,
        optim: sgd(lr = 0.1),
        literal: dense(3 -> 2: relu) mask [
            [1, 0, 1],
            [0, 1, 1],
        ],
        cut: dense(2 -> 4: relu) mask cut [(0, 1), (3, 0)],
        keep: dense(4 -> 4: relu) mask keep [(0, 0), (1, 1), (2, 2), (3, 3)],
        random: dense(4 -> 6: relu) mask random(density = 0.5, seed = 7),
        dense_random: dense(6 -> 6: relu) mask random(density = 1),
        blocks: dense(6 -> 4: relu) mask block_diagonal(blocks = 2),
        band: dense(4 -> 4: relu) mask banded(width = 1),
        file: dense(4 -> 2: identity) mask file("tests/ui/pass/masks/file.txt"),
    }
}

fn main() {
    let mut net = Net::new(0);
    let x = Array2::<f32>::ones((2, Net::INPUT));
    let y = net.forward(x.view()).unwrap();
    assert_eq!(y.dim(), (2, 2));

    assert_eq!(net.literal.relu.weight()[(0, 1)], 0.0);
    assert_eq!(net.cut.relu.weight()[(3, 0)], 0.0);
    assert_eq!(net.keep.relu.live_connections(), 4);
    assert_eq!(net.random.relu.live_connections(), 12);
    assert_eq!(net.blocks.relu.live_connections(), 12);
    // The file's rows are `1 1 0 0` and `0, 0, 1, 1`.
    let file = net.file.identity.mask().unwrap();
    assert!(file.is_live(0, 1));
    assert!(!file.is_live(0, 2));
    assert!(!file.is_live(1, 1));
    assert!(file.is_live(1, 2));
}
