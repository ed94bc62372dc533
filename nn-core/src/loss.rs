//! Loss functions, each returning the mean loss of a batch and dL/dy.
//!
//! | loss | targets | value |
//! |---|---|---|
//! | [`Loss::Mse`] | values `[batch, outputs]` | mean over all elements of (y − t)² |
//! | [`Loss::SoftmaxCrossEntropy`] | class indices `[batch]` | mean over samples of logsumexp(y) − y_class |
//! | [`Loss::BinaryCrossEntropyWithLogits`] | values in [0, 1], `[batch, outputs]` | mean over all elements of max(y, 0) − y·t + ln(1 + exp(−\|y\|)) |
//!
//! The reductions match PyTorch's `reduction="mean"`. Cross-entropy takes raw
//! scores (logits), like `torch.nn.CrossEntropyLoss`, and subtracts the row
//! maximum before exponentiating, so large scores do not overflow.
//!
//! ```
//! use ndarray::array;
//! use nn_core::{Loss, Targets};
//!
//! let scores = array![[1000.0_f64, 0.0]];
//! let value = Loss::SoftmaxCrossEntropy
//!     .value(scores.view(), &Targets::Classes(&[0]))
//!     .unwrap();
//! assert!(value.abs() < 1e-12);
//! ```

use ndarray::{ArrayView2, ArrayViewMut2, Axis, Zip};

use crate::activation::sigmoid;
use crate::error::{Error, Result};
use crate::scalar::Scalar;

/// A loss function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Loss {
    /// Mean squared error, `torch.nn.MSELoss`.
    Mse,
    /// Softmax followed by negative log-likelihood of the target class,
    /// `torch.nn.CrossEntropyLoss` with class-index targets.
    SoftmaxCrossEntropy,
    /// Sigmoid followed by binary cross-entropy, `torch.nn.BCEWithLogitsLoss`.
    BinaryCrossEntropyWithLogits,
}

/// Targets of one batch.
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a, T> {
    /// One row of target values per sample.
    Values(ArrayView2<'a, T>),
    /// One class index per sample.
    Classes(&'a [usize]),
}

impl<T> Targets<'_, T> {
    /// Samples covered.
    pub fn len(&self) -> usize {
        match self {
            Targets::Values(v) => v.nrows(),
            Targets::Classes(c) => c.len(),
        }
    }

    /// Whether there are no targets.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Loss {
    /// Name as written in `network!`.
    pub fn name(&self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::SoftmaxCrossEntropy => "softmax_cross_entropy",
            Loss::BinaryCrossEntropyWithLogits => "binary_cross_entropy_with_logits",
        }
    }

    /// Mean loss of `output` against `targets`.
    ///
    /// **Errors** as [`value_and_grad`](Self::value_and_grad).
    pub fn value<T: Scalar>(
        &self,
        output: ArrayView2<'_, T>,
        targets: &Targets<'_, T>,
    ) -> Result<T> {
        self.check(output, targets)?;
        Ok(self.compute(output, targets, None))
    }

    /// Mean loss, with dL/dy written into `grad` (same shape as `output`).
    ///
    /// **Errors** if the target count differs from the batch, value targets have
    /// the wrong width or are not finite, a class index is out of range, or the
    /// targets are of the wrong kind for the loss.
    pub fn value_and_grad<T: Scalar>(
        &self,
        output: ArrayView2<'_, T>,
        targets: &Targets<'_, T>,
        grad: ArrayViewMut2<'_, T>,
    ) -> Result<T> {
        self.check(output, targets)?;
        Ok(self.compute(output, targets, Some(grad)))
    }

    /// Number of correct predictions in the batch, or `None` where accuracy has no
    /// meaning (regression with MSE).
    ///
    /// Cross-entropy counts samples whose highest score is the target class;
    /// binary cross-entropy counts elements whose sign agrees with t > 0.5.
    /// Targets must have passed [`value`](Self::value) or
    /// [`value_and_grad`](Self::value_and_grad) first.
    pub fn correct<T: Scalar>(
        &self,
        output: ArrayView2<'_, T>,
        targets: &Targets<'_, T>,
    ) -> Option<(usize, usize)> {
        match (self, targets) {
            (Loss::SoftmaxCrossEntropy, Targets::Classes(classes)) => {
                let hits = output
                    .axis_iter(Axis(0))
                    .zip(classes.iter())
                    .filter(|(row, &class)| argmax(row.iter().copied()) == class)
                    .count();
                Some((hits, classes.len()))
            }
            (Loss::BinaryCrossEntropyWithLogits, Targets::Values(values)) => {
                let half = T::of(0.5);
                let hits = Zip::from(&output).and(values).fold(0, |n, &y, &t| {
                    n + usize::from((y > T::zero()) == (t > half))
                });
                Some((hits, output.len()))
            }
            _ => None,
        }
    }

    fn check<T: Scalar>(&self, output: ArrayView2<'_, T>, targets: &Targets<'_, T>) -> Result<()> {
        let (batch, width) = output.dim();
        if targets.len() != batch {
            return Err(Error::TargetCount {
                expected: batch,
                found: targets.len(),
            });
        }
        match (self, targets) {
            (Loss::SoftmaxCrossEntropy, Targets::Classes(classes)) => {
                for (sample, &class) in classes.iter().enumerate() {
                    if class >= width {
                        return Err(Error::ClassOutOfRange {
                            sample,
                            class,
                            classes: width,
                        });
                    }
                }
                Ok(())
            }
            (Loss::SoftmaxCrossEntropy, Targets::Values(_)) => Err(Error::TargetKind {
                loss: self.name(),
                expected: "one class index per sample",
                fix: "pass class labels in 0..outputs (`TargetData::Classes` to `fit`, `Targets::Classes` to `train_step`)",
            }),
            (_, Targets::Classes(_)) => Err(Error::TargetKind {
                loss: self.name(),
                expected: "target values of shape [batch, outputs]",
                fix: "pass value targets (`TargetData::Values` to `fit`, `Targets::Values` to `train_step`), one-hot encoding class labels if needed",
            }),
            (_, Targets::Values(values)) => {
                if values.ncols() != width {
                    return Err(Error::TargetWidth {
                        loss: self.name(),
                        expected: width,
                        found: values.ncols(),
                    });
                }
                for ((sample, _), &value) in values.indexed_iter() {
                    if !value.is_finite() {
                        return Err(Error::NonFiniteTarget {
                            sample,
                            value: value.as_f64(),
                        });
                    }
                }
                Ok(())
            }
        }
    }

    fn compute<T: Scalar>(
        &self,
        output: ArrayView2<'_, T>,
        targets: &Targets<'_, T>,
        grad: Option<ArrayViewMut2<'_, T>>,
    ) -> T {
        let (batch, width) = output.dim();
        match (self, targets) {
            (Loss::Mse, Targets::Values(values)) => {
                let scale = T::of(2.0 / (batch * width) as f64);
                if let Some(grad) = grad {
                    Zip::from(grad)
                        .and(&output)
                        .and(values)
                        .for_each(|g, &y, &t| *g = scale * (y - t));
                }
                let sum = Zip::from(&output)
                    .and(values)
                    .fold(0.0, |acc, &y, &t| acc + (y - t).as_f64().powi(2));
                T::of(sum / (batch * width) as f64)
            }
            (Loss::BinaryCrossEntropyWithLogits, Targets::Values(values)) => {
                let scale = T::of(1.0 / (batch * width) as f64);
                if let Some(grad) = grad {
                    Zip::from(grad)
                        .and(&output)
                        .and(values)
                        .for_each(|g, &y, &t| *g = scale * (sigmoid(y) - t));
                }
                let sum = Zip::from(&output).and(values).fold(0.0, |acc, &y, &t| {
                    let term = y.max(T::zero()) - y * t + (-y.abs()).exp().ln_1p();
                    acc + term.as_f64()
                });
                T::of(sum / (batch * width) as f64)
            }
            (Loss::SoftmaxCrossEntropy, Targets::Classes(classes)) => {
                let scale = T::of(1.0 / batch as f64);
                let mut sum = 0.0;
                let mut grad = grad;
                for (sample, row) in output.axis_iter(Axis(0)).enumerate() {
                    let max = row.fold(T::neg_infinity(), |m, &v| m.max(v));
                    let total: T = row.iter().map(|&v| (v - max).exp()).sum();
                    let log_sum = max + total.ln();
                    let class = classes[sample];
                    sum += (log_sum - row[class]).as_f64();
                    if let Some(grad) = grad.as_mut() {
                        let mut grad_row = grad.row_mut(sample);
                        Zip::from(&mut grad_row)
                            .and(&row)
                            .for_each(|g, &v| *g = scale * (v - log_sum).exp());
                        grad_row[class] -= scale;
                    }
                }
                T::of(sum / batch as f64)
            }
            // `check` rejects every other combination before `compute` runs.
            _ => T::nan(),
        }
    }
}

/// Index of the largest value; the first one on ties, 0 for an empty row.
pub(crate) fn argmax<T: Scalar>(values: impl Iterator<Item = T>) -> usize {
    let mut best = (0, T::neg_infinity());
    for (i, v) in values.enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}
