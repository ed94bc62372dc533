//! A seeded train/test split that keeps every class's share.

use std::collections::BTreeMap;

use ndarray::Axis;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::scalar::Scalar;
use crate::train::{Dataset, TargetData};

/// Splits `data` into `(train, test)`, the same way for the same `seed`.
///
/// With class targets the split is stratified: each class's samples are
/// shuffled and `round(test_fraction · class count)` of them go to the test
/// set, so both sets keep the class proportions of `data`. Rounding is half
/// away from zero, so a class of one sample goes to the test set when
/// `test_fraction` ≥ 0.5. With value targets all samples are shuffled and
/// `round(test_fraction · samples)` go to the test set.
///
/// Both sets keep the samples in their original order. Every sample lands in
/// exactly one of them.
///
/// **Errors** with [`Error::SplitFraction`] unless `0 < test_fraction < 1`,
/// and with [`Error::EmptySplit`] when the rounding leaves the train or the
/// test set without samples (for example 0.01 of 10 samples).
pub fn stratified_split<T: Scalar>(
    data: &Dataset<T>,
    test_fraction: f64,
    seed: u64,
) -> Result<(Dataset<T>, Dataset<T>)> {
    // Written so that NaN fails too.
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::SplitFraction {
            fraction: test_fraction,
        });
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut train = Vec::with_capacity(data.len());
    let mut test = Vec::with_capacity(data.len());
    match data.targets() {
        TargetData::Classes(classes) => {
            // A BTreeMap visits the classes in a fixed order, which keeps the
            // random draws, and so the split, the same for a seed.
            let mut by_class: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for (sample, &class) in classes.iter().enumerate() {
                by_class.entry(class).or_default().push(sample);
            }
            for samples in by_class.values_mut() {
                take_test_share(samples, test_fraction, &mut rng, &mut train, &mut test);
            }
        }
        TargetData::Values(_) => {
            let mut samples: Vec<usize> = (0..data.len()).collect();
            take_test_share(&mut samples, test_fraction, &mut rng, &mut train, &mut test);
        }
    }

    for (side, indices) in [("train", &train), ("test", &test)] {
        if indices.is_empty() {
            return Err(Error::EmptySplit {
                side,
                samples: data.len(),
                fraction: test_fraction,
            });
        }
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok((select(data, &train)?, select(data, &test)?))
}

/// Shuffles `samples` and moves the test share of them to `test`, the rest to `train`.
fn take_test_share(
    samples: &mut [usize],
    test_fraction: f64,
    rng: &mut ChaCha8Rng,
    train: &mut Vec<usize>,
    test: &mut Vec<usize>,
) {
    samples.shuffle(rng);
    // The product is at most samples.len(), so the cast cannot overflow.
    let test_count = (test_fraction * samples.len() as f64).round() as usize;
    let (test_part, train_part) = samples.split_at(test_count.min(samples.len()));
    test.extend_from_slice(test_part);
    train.extend_from_slice(train_part);
}

/// Copies the rows at `indices` into a new data set.
fn select<T: Scalar>(data: &Dataset<T>, indices: &[usize]) -> Result<Dataset<T>> {
    let features = data.features().select(Axis(0), indices);
    let targets = match data.targets() {
        TargetData::Classes(classes) => {
            TargetData::Classes(indices.iter().map(|&i| classes[i]).collect())
        }
        TargetData::Values(values) => TargetData::Values(values.select(Axis(0), indices)),
    };
    Dataset::new(features, targets)
}
