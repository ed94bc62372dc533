//! Classifies MNIST's 28×28 handwritten digits with a masked hidden layer whose
//! groups differ in activation and optimizer, reading the IDX files from disk.
//!
//! ```text
//! cargo run --release --example mnist -- --data DIR [--epochs N] [--batch-size N]
//! ```
//!
//! `DIR` must contain the four MNIST files, each plain or gzip-compressed:
//! `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`
//! and `t10k-labels-idx1-ubyte`. A missing option or file exits with status 2.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use nn::datasets::read_idx;
use nn::optim::Optimizer;
use nn::{evaluate, fit_with, network, Dataset, DenseGroup, FitConfig, Scalar};

// NOTE: the optimizers and learning rates are those of the digits example, and
// the sizes and density were not tuned. They were run only on synthetic IDX
// files, so their accuracy on real MNIST is unmeasured.
network! {
    /// 784 pixels, a hidden layer of three groups whose neurons each see about
    /// a quarter of the pixels (a seeded random mask), and 10 class scores.
    struct MnistNet {
        input: 784,
        // `fixed` keeps its random initial weights: a frozen random projection
        // whose features the output layer can still use.
        hidden: dense(784 -> 256: relu @ adam(lr = 1e-3),
                             128: tanh @ sgd(lr = 0.05, momentum = 0.9, nesterov = true),
                             fixed = 64: sigmoid @ frozen)
                mask random(density = 0.25, seed = 11),
        output: dense(448 -> 10: identity) optim adam(lr = 1e-3),
        loss: softmax_cross_entropy,
    }
}

/// The four MNIST file names as distributed, without the `.gz` suffix:
/// training images and labels, then test images and labels.
const FILE_NAMES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Download instructions with the two mirrors that torchvision's `MNIST`
/// dataset class lists (`torchvision/datasets/mnist.py`).
const DOWNLOAD_HINT: &str = "Download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, \
t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from http://yann.lecun.com/exdb/mnist/ \
or its mirror https://ossci-datasets.s3.amazonaws.com/mnist/ into one directory. \
They can stay compressed.";

const USAGE: &str =
    "usage: cargo run --release --example mnist -- --data DIR [--epochs N] [--batch-size N]

options:
  --data DIR        directory that contains the four MNIST files (required)
  --epochs N        passes over the training images (default 10)
  --batch-size N    images per training step (default 64)
  -h, --help        print this help";

/// Pixels per image: 28 rows × 28 columns.
const PIXELS: usize = 28 * 28;
/// Seed of every initial weight.
const WEIGHT_SEED: u64 = 7;
/// Seed of the order in which `fit_with` visits the samples.
const SHUFFLE_SEED: u64 = 1;

/// Exit status for a missing or invalid option or missing data files, the
/// status that GNU tools and Python's `argparse` use for usage errors.
const USAGE_ERROR: u8 = 2;

/// Command-line options.
struct Options {
    data: PathBuf,
    epochs: usize,
    batch_size: usize,
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args_os().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let files = match find_files(&options.data) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    match run(&options, &files) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Parses the arguments after the program name. Returns `None` for `--help`,
/// and the message to print for an invalid or missing option.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Option<Options>, String> {
    let mut data = None;
    let mut epochs = 10;
    let mut batch_size = 64;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str().map(str::to_owned) else {
            return Err(format!("invalid argument {arg:?}: not valid UTF-8"));
        };
        // Both `--name value` and `--name=value` are accepted.
        let (name, inline_value) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name.to_owned(), Some(value.into())),
            _ => (arg, None),
        };
        let mut value = |name: &str| -> Result<OsString, String> {
            inline_value
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("missing value after `{name}`"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--data" => data = Some(PathBuf::from(value("--data")?)),
            "--epochs" => epochs = parse_count("--epochs", &value("--epochs")?)?,
            "--batch-size" => batch_size = parse_count("--batch-size", &value("--batch-size")?)?,
            other => return Err(format!("unknown option `{other}`")),
        }
    }

    let Some(data) = data else {
        return Err(format!(
            "missing `--data DIR`, the directory that contains {}.\n{DOWNLOAD_HINT}",
            FILE_NAMES.join(", ")
        ));
    };
    Ok(Some(Options {
        data,
        epochs,
        batch_size,
    }))
}

/// Parses a positive integer option value.
fn parse_count(name: &str, value: &OsString) -> Result<usize, String> {
    let text = value.to_string_lossy();
    match text.parse::<usize>() {
        Ok(count) if count > 0 => Ok(count),
        _ => Err(format!(
            "invalid value `{text}` for `{name}`; use a positive integer"
        )),
    }
}

/// Paths of the four files, in the order of [`FILE_NAMES`].
struct Files {
    train_images: PathBuf,
    train_labels: PathBuf,
    test_images: PathBuf,
    test_labels: PathBuf,
}

/// Finds each file in `dir`, plain or with `.gz`, preferring the plain file
/// when both exist. Returns the message to print when any is missing.
fn find_files(dir: &Path) -> Result<Files, String> {
    let mut found = Vec::new();
    let mut report = Vec::new();
    for name in FILE_NAMES {
        let plain = dir.join(name);
        let gzip = dir.join(format!("{name}.gz"));
        if plain.is_file() {
            report.push(format!("  found    {}", plain.display()));
            found.push(plain);
        } else if gzip.is_file() {
            report.push(format!("  found    {}", gzip.display()));
            found.push(gzip);
        } else {
            report.push(format!("  missing  {} (or {name}.gz)", plain.display()));
        }
    }

    let [train_images, train_labels, test_images, test_labels]: [PathBuf; 4] =
        found.try_into().map_err(|_| {
            format!(
                "MNIST files not found in `{}`:\n{}\n{DOWNLOAD_HINT}",
                dir.display(),
                report.join("\n")
            )
        })?;
    Ok(Files {
        train_images,
        train_labels,
        test_images,
        test_labels,
    })
}

fn run(options: &Options, files: &Files) -> nn::Result<ExitCode> {
    let train = load(&files.train_images, &files.train_labels)?;
    let test = load(&files.test_images, &files.test_labels)?;
    for (name, data) in [("training", &train), ("test", &test)] {
        let pixels = data.features().ncols();
        if pixels != PIXELS {
            eprintln!(
                "error: the {name} images have {pixels} pixels but this network takes 28×28 = \
                 {PIXELS}; pass MNIST-format files of 28×28 images"
            );
            return Ok(ExitCode::FAILURE);
        }
    }
    println!(
        "mnist: {} training and {} test images from {}\n",
        train.len(),
        test.len(),
        options.data.display()
    );

    let mut net = MnistNet::new(WEIGHT_SEED);
    println!("{}\n", net.summary());

    let config = FitConfig {
        epochs: options.epochs,
        batch_size: options.batch_size,
        seed: SHUFFLE_SEED,
        ..FitConfig::default()
    };
    let start = Instant::now();
    let mut epoch_start = Instant::now();
    fit_with(&mut net, &train, &config, |stats| {
        let accuracy = stats.accuracy.unwrap_or(f64::NAN);
        println!(
            "epoch {:>2}: loss {:.4}, train accuracy {accuracy:.4}, {:.1} s",
            stats.epoch,
            stats.loss,
            epoch_start.elapsed().as_secs_f64()
        );
        epoch_start = Instant::now();
    })?;
    println!(
        "trained {} epochs in {:.1} s\n",
        config.epochs,
        start.elapsed().as_secs_f64()
    );

    let result = evaluate(&mut net, &test, 1000)?;
    println!("test loss: {:.4}", result.loss);
    println!("test accuracy: {:.4}", result.accuracy.unwrap_or(0.0));

    // The output layer has no mask, so the hidden groups contain every removed
    // connection.
    let hidden = &net.hidden;
    let counts = [
        removed_connections(&hidden.relu),
        removed_connections(&hidden.tanh),
        removed_connections(&hidden.fixed),
    ];
    let checked: usize = counts.iter().map(|&(checked, _)| checked).sum();
    let nonzero: usize = counts.iter().map(|&(_, nonzero)| nonzero).sum();
    if nonzero > 0 {
        eprintln!(
            "error: {nonzero} of {checked} removed connections are no longer 0.0 after training"
        );
        return Ok(ExitCode::FAILURE);
    }
    println!("removed connections checked: {checked}, all still exactly 0.0");
    Ok(ExitCode::SUCCESS)
}

/// Reads an image file and its label file and scales the pixels from 0..=255 to [0, 1].
fn load(images: &Path, labels: &Path) -> nn::Result<Dataset<f32>> {
    let data = read_idx(images, labels)?;
    Dataset::new(data.features().mapv(|v| v / 255.0), data.targets().clone())
}

/// Counts the connections `group`'s mask removes and those of them whose
/// weight is not exactly 0.0, as `(removed, nonzero)`.
fn removed_connections<T: Scalar, A: nn::activation::Activation, O: Optimizer>(
    group: &DenseGroup<T, A, O>,
) -> (usize, usize) {
    let Some(mask) = group.mask() else {
        return (0, 0);
    };
    let weight = group.weight();
    let mut removed = 0;
    let mut nonzero = 0;
    for ((output, input), &live) in mask.as_array().indexed_iter() {
        if !live {
            removed += 1;
            if weight[(output, input)] != T::zero() {
                nonzero += 1;
            }
        }
    }
    (removed, nonzero)
}
