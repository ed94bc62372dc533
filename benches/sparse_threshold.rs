//! Calibrates the density below which the sparse kernel trains a masked layer
//! faster than the dense kernel.
//!
//! A 784 -> 512 relu layer (one Adam group), trained with MSE at batch 64 on
//! each kernel, over a range of mask densities. Prints one line per density:
//! `bench=sparse-threshold density=0.10 threads=1 dense_steps_per_s=... sparse_steps_per_s=... ratio=...`
//!
//! ```text
//! cargo bench --bench sparse_threshold -- [--threads N] [--batch N]
//! ```

use std::time::{Duration, Instant};

use nn::activation::Relu;
use nn::ndarray::Array2;
use nn::optim::Adam;
use nn::{Dense, DenseGroup, Kernel, Loss, Mask, Targets};

fn layer(kernel: Kernel, density: f64) -> Dense<f32, (DenseGroup<f32, Relu, Adam>,)> {
    Dense::new(
        "hidden",
        784,
        (DenseGroup::new(512, Relu, Adam::new(1e-3)).with_kernel(kernel),),
        1,
    )
    .and_then(|layer| layer.with_mask(Mask::random(512, 784, density, 2)?))
    .expect("the benchmark layer is valid")
}

/// Training steps per second, the best of five runs of about 0.2 s each.
fn steps_per_second(kernel: Kernel, density: f64, batch: usize) -> f64 {
    let mut layer = layer(kernel, density);
    let x = Array2::from_shape_fn((batch, 784), |(i, j)| ((i * 31 + j * 7) % 13) as f32 / 13.0);
    let t = Array2::from_shape_fn((batch, 512), |(i, j)| ((i + j) % 5) as f32 / 5.0);
    let mut step = || {
        layer.forward(x.view()).expect("valid input");
        let (y, delta) = layer.output_and_delta();
        Loss::Mse
            .value_and_grad(y, &Targets::Values(t.view()), delta)
            .expect("valid targets");
        layer.backward(x.view(), None).expect("matching batch");
        layer.step();
    };
    for _ in 0..5 {
        step();
    }
    let mut best: f64 = 0.0;
    for _ in 0..5 {
        let start = Instant::now();
        let mut steps = 0;
        while start.elapsed() < Duration::from_millis(200) {
            step();
            steps += 1;
        }
        best = best.max(steps as f64 / start.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let mut threads = 1;
    let mut batch = 64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => threads = args.next().and_then(|v| v.parse().ok()).unwrap_or(1),
            "--batch" => batch = args.next().and_then(|v| v.parse().ok()).unwrap_or(64),
            "--bench" => {}
            other => {
                eprintln!("error: unknown option `{other}`; use --threads N or --batch N");
                std::process::exit(2);
            }
        }
    }
    nn::set_num_threads(threads);
    for density in [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5] {
        let dense = steps_per_second(Kernel::Dense, density, batch);
        let sparse = steps_per_second(Kernel::Sparse, density, batch);
        println!(
            "bench=sparse-threshold density={density:.2} batch={batch} threads={threads} dense_steps_per_s={dense:.1} sparse_steps_per_s={sparse:.1} ratio={:.2}",
            sparse / dense
        );
    }
}
