//! The three things `nn` makes easy, in order:
//! 1. remove specific connections, and they stay removed while training;
//! 2. train some neurons with a different learning rule than the others;
//! 3. give some neurons a different activation than the others.
//!
//! Run with `cargo run --example seed`.

use nn::ndarray::{s, Array2, Axis};
use nn::{fit, network, Dataset, FitConfig, Network, TargetData};

network! {
    /// Ten inputs, a hidden layer of three groups, one output.
    struct Net {
        input: 10,
        // Three groups side by side in one layer: their own activation and their
        // own optimizer each. `steady` is frozen: it keeps its initial weights.
        // `cut` removes two connections: hidden neuron 0 ← input 3, neuron 7 ← input 9.
        hidden: dense(10 -> 4: relu @ adam(lr = 1e-2),
                          4: sigmoid @ sgd(lr = 0.1, momentum = 0.9, weight_decay = 1e-3),
                          steady = 2: tanh @ frozen)
                mask cut [(0, 3), (7, 9)],
        output: dense(10 -> 1: identity) optim adam(lr = 1e-2),
        loss: mse,
    }
}

/// y = x0·x1 + sin(x2) on a fixed grid of inputs in [-1, 1].
fn data() -> nn::Result<Dataset<f32>> {
    let x = Array2::from_shape_fn((256, 10), |(i, j)| {
        let k = (i * 31 + j * 17) % 97;
        k as f32 / 48.0 - 1.0
    });
    let y = x
        .map_axis(Axis(1), |row| row[0] * row[1] + row[2].sin())
        .insert_axis(Axis(1));
    Dataset::new(x, TargetData::Values(y))
}

fn main() -> nn::Result<()> {
    let data = data()?;
    let mut net = Net::new(7);
    println!("{}\n", net.summary());

    let relu_before = net.hidden.relu.weight().to_owned();
    let steady_before = net.hidden.steady.weight().to_owned();
    let config = FitConfig {
        epochs: 100,
        batch_size: 32,
        progress: false,
        ..FitConfig::default()
    };
    let history = fit(&mut net, &data, &config)?;
    println!(
        "trained 100 epochs: loss {:.4} -> {:.4}\n",
        history[0].loss,
        history[history.len() - 1].loss
    );

    // 1. Removed connections are exactly 0.0 after training: no optimizer ever
    //    touched them, with momentum and weight decay included.
    println!("1. removed connections");
    let relu = net.hidden.relu.weight();
    let sigmoid = net.hidden.sigmoid.weight();
    // Hidden neuron 7 is row 3 of the sigmoid group (rows 4..8 of the layer).
    println!("   hidden 0 <- input 3: {}", relu[(0, 3)]);
    println!("   hidden 7 <- input 9: {}", sigmoid[(3, 9)]);
    assert_eq!(relu[(0, 3)], 0.0);
    assert_eq!(sigmoid[(3, 9)], 0.0);

    // 2. Each group learned by its own rule: the frozen group is bit for bit
    //    unchanged, the Adam group moved.
    println!("2. learning rules");
    let relu_change = (&net.hidden.relu.weight() - &relu_before)
        .mapv(f32::abs)
        .sum();
    let steady_change = (&net.hidden.steady.weight() - &steady_before)
        .mapv(f32::abs)
        .sum();
    println!("   relu group (adam):     total weight change {relu_change:.4}");
    println!("   steady group (frozen): total weight change {steady_change}");
    assert!(relu_change > 0.0);
    assert_eq!(net.hidden.steady.weight(), steady_before);

    // 3. Each group applied its own activation to its own columns of the one
    //    hidden output: relu >= 0, sigmoid in (0, 1), tanh in (-1, 1).
    println!("3. activations");
    net.forward(data.features().slice(s![..64, ..]))?;
    let hidden = net.hidden.output();
    let ranges = [("relu", 0..4), ("sigmoid", 4..8), ("tanh", 8..10)];
    for (name, columns) in ranges {
        let block = hidden.slice(s![.., columns]);
        let min = block.fold(f32::INFINITY, |m, &v| m.min(v));
        let max = block.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        println!("   {name:<8} columns: min {min:+.3}, max {max:+.3}");
    }
    Ok(())
}
