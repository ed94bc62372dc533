//! Training loops written once over the [`Network`] trait.
//!
//! ```
//! # use nn_core::{Dataset, FitConfig};
//! let config = FitConfig { epochs: 20, batch_size: 16, ..FitConfig::default() };
//! assert!(config.shuffle);
//! ```

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::loss::Targets;
use crate::network::Network;
use crate::scalar::Scalar;

/// Targets of a whole data set.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetData<T> {
    /// One class index per sample.
    Classes(Vec<usize>),
    /// One row of values per sample.
    Values(Array2<T>),
}

/// Features and targets, one row (or label) per sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<T> {
    features: Array2<T>,
    targets: TargetData<T>,
}

impl<T: Scalar> Dataset<T> {
    /// Pairs features `[samples, features]` with their targets.
    ///
    /// **Errors** with [`Error::TargetCount`] unless there is one target per row.
    pub fn new(features: Array2<T>, targets: TargetData<T>) -> Result<Self> {
        let found = match &targets {
            TargetData::Classes(c) => c.len(),
            TargetData::Values(v) => v.nrows(),
        };
        if found != features.nrows() {
            return Err(Error::TargetCount {
                expected: features.nrows(),
                found,
            });
        }
        Ok(Self { features, targets })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.features.nrows()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The feature matrix.
    pub fn features(&self) -> ArrayView2<'_, T> {
        self.features.view()
    }

    /// The targets.
    pub fn targets(&self) -> &TargetData<T> {
        &self.targets
    }

    /// The targets as passed to a loss.
    pub fn target_view(&self) -> Targets<'_, T> {
        match &self.targets {
            TargetData::Classes(c) => Targets::Classes(c),
            TargetData::Values(v) => Targets::Values(v.view()),
        }
    }
}

/// Options of [`fit`].
#[derive(Clone, Debug, PartialEq)]
pub struct FitConfig {
    /// Passes over the data; default 10.
    pub epochs: usize,
    /// Samples per step; the last batch of an epoch may be smaller. Default 32.
    pub batch_size: usize,
    /// Seed of the shuffling; default 0.
    pub seed: u64,
    /// Reshuffle the samples every epoch; default true.
    pub shuffle: bool,
    /// Show a progress bar when stderr is a terminal; default true.
    pub progress: bool,
}

impl Default for FitConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 32,
            seed: 0,
            shuffle: true,
            progress: true,
        }
    }
}

/// Mean loss and accuracy over one pass.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochStats {
    /// Epoch number, from 1; 0 for [`evaluate`].
    pub epoch: usize,
    /// Mean loss per sample.
    pub loss: f64,
    /// Fraction of correct predictions, `None` for regression losses.
    pub accuracy: Option<f64>,
}

/// Runs one training step on a batch: forward, loss, backward, optimizer step.
/// Returns the batch's mean loss before the step.
///
/// **Errors** as [`Network::forward`] and [`Network::backward_from_loss`]; the
/// network is unchanged when an error is returned.
pub fn train_step<T: Scalar, N: Network<T>>(
    network: &mut N,
    input: ArrayView2<'_, T>,
    targets: &Targets<'_, T>,
) -> Result<T> {
    network.forward(input)?;
    let loss = network.backward_from_loss(input, targets)?;
    network.step();
    Ok(loss)
}

/// Trains for `config.epochs` epochs and returns the statistics of each.
///
/// **Errors** as [`train_step`], and with [`Error::InvalidOption`] for a batch
/// size of 0. A per-sample error gives the sample's row in `data`.
pub fn fit<T: Scalar, N: Network<T>>(
    network: &mut N,
    data: &Dataset<T>,
    config: &FitConfig,
) -> Result<Vec<EpochStats>> {
    fit_with(network, data, config, |_| {})
}

/// As [`fit`], calling `on_epoch` after every epoch, for example to print it.
pub fn fit_with<T: Scalar, N: Network<T>, F: FnMut(&EpochStats)>(
    network: &mut N,
    data: &Dataset<T>,
    config: &FitConfig,
    mut on_epoch: F,
) -> Result<Vec<EpochStats>> {
    if config.batch_size == 0 {
        return Err(Error::InvalidOption {
            name: "batch_size",
            value: 0.0,
            expected: "use at least 1 sample per batch",
        });
    }
    if data.is_empty() {
        return Err(Error::EmptyBatch { context: "fit" });
    }
    let loss_fn = network.loss().ok_or(Error::NoLoss)?;
    let batches = data.len().div_ceil(config.batch_size);
    let progress = progress_bar(config, batches);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut batch = Batch::new(data, config.batch_size);
    let mut history = Vec::with_capacity(config.epochs);

    for epoch in 1..=config.epochs {
        if config.shuffle {
            order.shuffle(&mut rng);
        }
        let mut tally = Tally::default();
        for indices in order.chunks(config.batch_size) {
            batch.gather(data, indices);
            let input = batch.features.slice(ndarray::s![..indices.len(), ..]);
            let targets = batch.targets(indices.len());
            network
                .forward(input)
                .map_err(|error| to_dataset_row(error, indices))?;
            let loss = network
                .backward_from_loss(input, &targets)
                .map_err(|error| to_dataset_row(error, indices))?;
            // Counted only after the loss has checked the targets, because
            // counting zips the output with them and panics on a width mismatch.
            let correct = loss_fn.correct(network.output_and_grad().0, &targets);
            network.step();
            tally.add(loss.as_f64(), indices.len(), correct);
            progress.inc(1);
        }
        let stats = tally.finish(epoch);
        progress.set_message(format!("epoch {epoch}: loss {:.4}", stats.loss));
        on_epoch(&stats);
        history.push(stats);
    }
    progress.finish_and_clear();
    Ok(history)
}

/// Mean loss and accuracy on `data`, without training, in batches of `batch_size`.
///
/// **Errors** with [`Error::NoLoss`] without a loss, and as [`Network::forward`]
/// and [`crate::Loss::value`]. A per-sample error gives the sample's row in `data`.
pub fn evaluate<T: Scalar, N: Network<T>>(
    network: &mut N,
    data: &Dataset<T>,
    batch_size: usize,
) -> Result<EpochStats> {
    if batch_size == 0 {
        return Err(Error::InvalidOption {
            name: "batch_size",
            value: 0.0,
            expected: "use at least 1 sample per batch",
        });
    }
    if data.is_empty() {
        return Err(Error::EmptyBatch {
            context: "evaluate",
        });
    }
    let loss_fn = network.loss().ok_or(Error::NoLoss)?;
    let order: Vec<usize> = (0..data.len()).collect();
    let mut batch = Batch::new(data, batch_size);
    let mut tally = Tally::default();
    for indices in order.chunks(batch_size) {
        batch.gather(data, indices);
        let input = batch.features.slice(ndarray::s![..indices.len(), ..]);
        let targets = batch.targets(indices.len());
        let output = network
            .forward(input)
            .map_err(|error| to_dataset_row(error, indices))?;
        let loss = loss_fn
            .value(output, &targets)
            .map_err(|error| to_dataset_row(error, indices))?;
        tally.add(
            loss.as_f64(),
            indices.len(),
            loss_fn.correct(output, &targets),
        );
    }
    Ok(tally.finish(0))
}

/// Replaces the batch row in a per-sample error by the data set row `indices`
/// maps it to, so that the message points at a sample the caller can find.
fn to_dataset_row(error: Error, indices: &[usize]) -> Error {
    let row = |sample: usize| indices.get(sample).copied().unwrap_or(sample);
    match error {
        Error::NonFiniteInput {
            sample,
            feature,
            value,
        } => Error::NonFiniteInput {
            sample: row(sample),
            feature,
            value,
        },
        Error::NonFiniteTarget { sample, value } => Error::NonFiniteTarget {
            sample: row(sample),
            value,
        },
        Error::ClassOutOfRange {
            sample,
            class,
            classes,
        } => Error::ClassOutOfRange {
            sample: row(sample),
            class,
            classes,
        },
        other => other,
    }
}

fn progress_bar(config: &FitConfig, batches: usize) -> ProgressBar {
    if !config.progress || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new((batches * config.epochs) as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} batches, {elapsed} {msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Reusable buffers holding one batch gathered from the data set.
struct Batch<T> {
    features: Array2<T>,
    classes: Vec<usize>,
    values: Array2<T>,
    by_class: bool,
}

impl<T: Scalar> Batch<T> {
    fn new(data: &Dataset<T>, size: usize) -> Self {
        let size = size.min(data.len());
        let values = match data.targets() {
            TargetData::Values(v) => Array2::zeros((size, v.ncols())),
            TargetData::Classes(_) => Array2::zeros((0, 0)),
        };
        Self {
            features: Array2::zeros((size, data.features.ncols())),
            classes: Vec::with_capacity(size),
            values,
            by_class: matches!(data.targets(), TargetData::Classes(_)),
        }
    }

    fn gather(&mut self, data: &Dataset<T>, indices: &[usize]) {
        for (row, &index) in indices.iter().enumerate() {
            self.features.row_mut(row).assign(&data.features.row(index));
        }
        match data.targets() {
            TargetData::Classes(c) => {
                self.classes.clear();
                self.classes.extend(indices.iter().map(|&i| c[i]));
            }
            TargetData::Values(v) => {
                for (row, &index) in indices.iter().enumerate() {
                    self.values.row_mut(row).assign(&v.row(index));
                }
            }
        }
    }

    fn targets(&self, len: usize) -> Targets<'_, T> {
        if self.by_class {
            Targets::Classes(&self.classes[..len])
        } else {
            Targets::Values(self.values.slice_axis(Axis(0), (..len).into()))
        }
    }
}

#[derive(Default)]
struct Tally {
    loss_sum: f64,
    samples: usize,
    hits: usize,
    judged: usize,
    has_accuracy: bool,
}

impl Tally {
    fn add(&mut self, mean_loss: f64, samples: usize, correct: Option<(usize, usize)>) {
        self.loss_sum += mean_loss * samples as f64;
        self.samples += samples;
        if let Some((hits, judged)) = correct {
            self.has_accuracy = true;
            self.hits += hits;
            self.judged += judged;
        }
    }

    fn finish(&self, epoch: usize) -> EpochStats {
        EpochStats {
            epoch,
            loss: self.loss_sum / self.samples.max(1) as f64,
            accuracy: self
                .has_accuracy
                .then(|| self.hits as f64 / self.judged.max(1) as f64),
        }
    }
}
