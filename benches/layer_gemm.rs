//! Matrix-product rate of the first W2 layer: 784 -> 512 in three groups (256
//! relu @ adam, 128 tanh @ sgd, 128 sigmoid frozen), 50% mask, one forward and
//! one backward pass per step, built through the public `Dense` API.
//!
//! A step counts 2·B·784·512 FLOP for the forward product and 2·B·784·384 for
//! the weight gradient: the 128 frozen rows compute none, and as the first layer
//! it computes no input gradient. The mask saves nothing, because the products
//! are dense. Activations, bias sums and the optimizer step are not counted, and
//! the optimizer step is not run. After a warm-up of at least 0.3 s, the steps
//! per repetition are calibrated to about 0.2 s. The reported rate is the median
//! of the repetitions, with the slowest and fastest beside it.
//!
//! ```text
//! cargo bench --bench layer_gemm -- [--batch N] [--threads N] [--reps N]
//! ```
//! Without `--threads`, it runs at 1 and 2 threads. Output, one line per result:
//! `bench=layer-gemm batch=256 threads=2 gflops=... min_gflops=... max_gflops=... reps=7 steps_per_rep=...`

use std::time::{Duration, Instant};

use nn::activation::{Relu, Sigmoid, Tanh};
use nn::ndarray::Array2;
use nn::optim::{Adam, Frozen, Sgd};
use nn::{Dense, DenseGroup, GroupSet, Mask};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const INPUTS: usize = 784;
const OUTPUTS: usize = 512;
/// Rows of the trainable groups, the only ones with a weight gradient.
const TRAINABLE_OUTPUTS: usize = 384;

struct Options {
    batch: usize,
    threads: Vec<usize>,
    reps: usize,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        batch: 256,
        threads: vec![1, 2],
        reps: 7,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let text = args
                .next()
                .ok_or_else(|| format!("missing value after `{name}`"))?;
            match text.parse() {
                Ok(value) if value > 0 => Ok(value),
                _ => Err(format!(
                    "invalid value `{text}` for `{name}`: expected a positive integer"
                )),
            }
        };
        match arg.as_str() {
            "--batch" => options.batch = number("--batch")?,
            "--threads" => options.threads = vec![number("--threads")?],
            "--reps" => options.reps = number("--reps")?,
            // `cargo bench` passes `--bench` to harness-less benchmarks.
            "--bench" => {}
            other => {
                return Err(format!(
                    "unknown option `{other}`; see the file's header for the options"
                ))
            }
        }
    }
    Ok(options)
}

fn build_layer() -> nn::Result<Dense<f32, impl GroupSet<f32>>> {
    Dense::new(
        "hidden",
        INPUTS,
        (
            DenseGroup::new(256, Relu, Adam::new(1e-3)),
            DenseGroup::new(128, Tanh, Sgd::new(5e-2).momentum(0.9)),
            DenseGroup::new(128, Sigmoid, Frozen),
        ),
        1,
    )?
    .with_mask(Mask::random(OUTPUTS, INPUTS, 0.5, 1234)?)
}

/// Times forward + backward at `threads` threads and prints one result line.
fn measure(batch: usize, threads: usize, reps: usize) -> nn::Result<()> {
    nn::set_num_threads(threads);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let input = Array2::from_shape_fn((batch, INPUTS), |_| rng.random_range(-1.0f32..1.0));
    let output_grad = Array2::from_shape_fn((batch, OUTPUTS), |_| rng.random_range(-0.01f32..0.01));
    let mut layer = build_layer()?;
    let mut step = || -> nn::Result<()> {
        layer.forward(input.view())?;
        layer.output_and_delta().1.assign(&output_grad);
        layer.backward(input.view(), None)
    };

    let start = Instant::now();
    let mut warm = 0;
    while warm < 5 || start.elapsed() < Duration::from_millis(300) {
        step()?;
        warm += 1;
    }
    let calibration = (warm / 4).max(3);
    let start = Instant::now();
    for _ in 0..calibration {
        step()?;
    }
    let per_step = start.elapsed().as_secs_f64() / calibration as f64;
    let steps = ((0.2 / per_step.max(1e-9)) as usize).max(3);

    let flop_per_step = 2.0 * (batch * INPUTS) as f64 * (OUTPUTS + TRAINABLE_OUTPUTS) as f64;
    let mut rates = Vec::with_capacity(reps);
    for _ in 0..reps {
        let start = Instant::now();
        for _ in 0..steps {
            step()?;
        }
        rates.push(flop_per_step * steps as f64 / start.elapsed().as_secs_f64() / 1e9);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "bench=layer-gemm batch={batch} threads={threads} gflops={:.1} min_gflops={:.1} max_gflops={:.1} reps={reps} steps_per_rep={steps}",
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1],
    );
    Ok(())
}

fn main() {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    };
    for &threads in &options.threads {
        if let Err(error) = measure(options.batch, threads, options.reps) {
            eprintln!("error: the layer benchmark failed: {error}");
            std::process::exit(1);
        }
    }
}
