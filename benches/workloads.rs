//! Training throughput of the peer workloads W1, W2 and W3, in samples per second.
//!
//! The workloads, the data and the timing method follow the PyTorch and JAX
//! reference scripts, so the lines can be compared side by side:
//! - W1 seed-tiny: 10 -> (5 relu @ adam | 5 sigmoid @ sgd momentum), 70% density -> 1, MSE;
//! - W2 mnist-mlp: 784 -> (256 relu @ adam | 128 tanh @ sgd momentum | 128 sigmoid frozen),
//!   50% density -> 10, softmax cross-entropy;
//! - W3 sparse-wide: 4096 -> 4096 relu @ sgd, 5% density, MSE against a random target.
//!
//! Each step is forward, loss, backward and optimizer step on one batch of
//! random normal inputs, cycling through 16 pre-generated batches. After a
//! warm-up of at least 0.5 s and 10 steps, the steps per repetition are
//! calibrated to about 0.3 s; the reported rate is the median of 7 repetitions.
//!
//! ```text
//! cargo bench --bench workloads -- [--workload W1|W2|W3] [--batch N] [--threads N] [--reps N]
//! ```
//! Without `--workload` or `--batch`, every workload runs at the peers' batch sizes.
//! Output, one line per result:
//! `workload=W2 impl=nn batch=64 threads=2 samples_per_s=... min_samples_per_s=... max_samples_per_s=... reps=7 steps_per_rep=...`

use std::time::{Duration, Instant};

use nn::ndarray::Array2;
use nn::{network, train_step, Network, Targets};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

network! {
    struct W1 {
        input: 10,
        hidden: dense(10 -> 5: relu @ adam(lr = 1e-3), 5: sigmoid @ sgd(lr = 1e-2, momentum = 0.9))
                mask random(density = 0.7, seed = 1234),
        output: dense(10 -> 1: identity) optim adam(lr = 1e-3),
        loss: mse,
    }
}

network! {
    struct W2 {
        input: 784,
        hidden: dense(784 -> 256: relu @ adam(lr = 1e-3), 128: tanh @ sgd(lr = 5e-2, momentum = 0.9),
                      128: sigmoid @ frozen)
                mask random(density = 0.5, seed = 1234),
        output: dense(512 -> 10: identity) optim adam(lr = 1e-3),
        loss: softmax_cross_entropy,
    }
}

network! {
    struct W3 {
        input: 4096,
        hidden: dense(4096 -> 4096: relu @ sgd(lr = 1e-2)) mask random(density = 0.05, seed = 1234),
        loss: mse,
    }
}

/// Targets of one pre-generated batch.
enum BatchTargets {
    Classes(Vec<usize>),
    Values(Array2<f32>),
}

struct Batch {
    input: Array2<f32>,
    targets: BatchTargets,
}

impl Batch {
    fn targets(&self) -> Targets<'_, f32> {
        match &self.targets {
            BatchTargets::Classes(c) => Targets::Classes(c),
            BatchTargets::Values(v) => Targets::Values(v.view()),
        }
    }
}

fn normal(rng: &mut ChaCha8Rng) -> f32 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

/// 16 batches of random normal inputs; class targets when `classes` is given,
/// otherwise random normal values of width `outputs`.
fn batches(batch: usize, inputs: usize, outputs: usize, classes: bool) -> Vec<Batch> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    (0..16)
        .map(|_| {
            let input = Array2::from_shape_fn((batch, inputs), |_| normal(&mut rng));
            let targets = if classes {
                BatchTargets::Classes((0..batch).map(|_| rng.random_range(0..outputs)).collect())
            } else {
                BatchTargets::Values(Array2::from_shape_fn((batch, outputs), |_| {
                    normal(&mut rng)
                }))
            };
            Batch { input, targets }
        })
        .collect()
}

struct Options {
    workload: Option<String>,
    batch: Option<usize>,
    threads: usize,
    reps: usize,
    rep_seconds: f64,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        workload: None,
        batch: None,
        threads: nn::num_threads(),
        reps: 7,
        rep_seconds: 0.3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("missing value after `{name}`"))
        };
        match arg.as_str() {
            "--workload" => options.workload = Some(value("--workload")?.to_uppercase()),
            "--batch" => options.batch = Some(parse_number(&value("--batch")?, "--batch")?),
            "--threads" => options.threads = parse_number(&value("--threads")?, "--threads")?,
            "--reps" => options.reps = parse_number(&value("--reps")?, "--reps")?,
            "--rep-s" => {
                options.rep_seconds = value("--rep-s")?
                    .parse()
                    .map_err(|_| "invalid value for `--rep-s`: expected seconds".to_owned())?
            }
            // `cargo bench` passes `--bench` to harness-less benchmarks.
            "--bench" => {}
            other => {
                return Err(format!(
                    "unknown option `{other}`; see the file's header for the options"
                ))
            }
        }
    }
    if options.threads == 0 || options.reps == 0 {
        return Err("`--threads` and `--reps` must be at least 1".to_owned());
    }
    Ok(options)
}

fn parse_number(text: &str, name: &str) -> Result<usize, String> {
    text.parse()
        .map_err(|_| format!("invalid value `{text}` for `{name}`: expected a positive integer"))
}

/// Runs warm-up, calibration and the timed repetitions; prints one result line.
fn measure<N: Network<f32>>(workload: &str, network: &mut N, data: &[Batch], options: &Options) {
    let batch = data[0].input.nrows();
    let mut index = 0;
    let mut step = |network: &mut N| {
        let b = &data[index % data.len()];
        index += 1;
        train_step(network, b.input.view(), &b.targets()).expect("benchmark step failed");
    };

    let start = Instant::now();
    let mut warm = 0;
    while warm < 10 || start.elapsed() < Duration::from_millis(500) {
        step(network);
        warm += 1;
    }
    let calibration = (warm / 4).max(3);
    let start = Instant::now();
    for _ in 0..calibration {
        step(network);
    }
    let per_step = start.elapsed().as_secs_f64() / calibration as f64;
    let steps = ((options.rep_seconds / per_step.max(1e-9)) as usize).max(3);

    let mut rates = Vec::with_capacity(options.reps);
    for _ in 0..options.reps {
        let start = Instant::now();
        for _ in 0..steps {
            step(network);
        }
        rates.push((steps * batch) as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "workload={workload} impl=nn batch={batch} threads={} samples_per_s={:.1} min_samples_per_s={:.1} max_samples_per_s={:.1} reps={} steps_per_rep={steps}",
        options.threads,
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1],
        options.reps,
    );
}

fn main() {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    };
    nn::set_num_threads(options.threads);
    let plan: [(&str, &[usize]); 3] = [("W1", &[1, 32]), ("W2", &[1, 64, 256]), ("W3", &[64])];
    for (workload, default_batches) in plan {
        if options.workload.as_deref().is_some_and(|w| w != workload) {
            continue;
        }
        let batches_to_run: Vec<usize> = match options.batch {
            Some(b) => vec![b],
            None => default_batches.to_vec(),
        };
        for batch in batches_to_run {
            match workload {
                "W1" => measure(
                    workload,
                    &mut W1::new(1),
                    &batches(batch, 10, 1, false),
                    &options,
                ),
                "W2" => measure(
                    workload,
                    &mut W2::new(1),
                    &batches(batch, 784, 10, true),
                    &options,
                ),
                _ => measure(
                    workload,
                    &mut W3::new(1),
                    &batches(batch, 4096, 4096, false),
                    &options,
                ),
            }
        }
    }
}
