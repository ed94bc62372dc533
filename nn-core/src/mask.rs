//! Connection masks: which input→output connections of a layer exist.
//!
//! A mask has one row per output neuron of the whole layer, in group order, and
//! one column per input, the layout of PyTorch's `weight_mask`. A removed
//! connection's weight is exactly 0.0 from initialisation on, gets no update and
//! has no optimizer state.
//!
//! ```
//! use nn_core::Mask;
//!
//! let mask = Mask::cut(2, 3, &[(0, 1), (1, 2)]).unwrap();
//! assert_eq!(mask.live_count(), 4);
//! assert!(!mask.is_live(0, 1));
//! ```

use ndarray::{Array2, ArrayView2};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};

/// A boolean matrix of live connections, `[outputs, inputs]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mask {
    live: Array2<bool>,
}

impl Mask {
    /// Keeps every connection.
    pub fn full(outputs: usize, inputs: usize) -> Self {
        Self {
            live: Array2::from_elem((outputs, inputs), true),
        }
    }

    /// Wraps a boolean matrix, `true` meaning the connection exists.
    pub fn from_bools(live: Array2<bool>) -> Self {
        Self { live }
    }

    /// Builds a mask from a 0/1 matrix.
    ///
    /// **Errors** with [`Error::MaskEntry`] if an entry is neither 0 nor 1.
    pub fn from_matrix<T: Copy + Into<f64>>(matrix: ArrayView2<'_, T>) -> Result<Self> {
        let mut live = Array2::from_elem(matrix.dim(), false);
        for ((row, col), &value) in matrix.indexed_iter() {
            let value: f64 = value.into();
            live[(row, col)] = if value == 0.0 {
                false
            } else if value == 1.0 {
                true
            } else {
                return Err(Error::MaskEntry { row, col, value });
            };
        }
        Ok(Self { live })
    }

    /// Builds a mask from rows of 0/1 entries, as written in a literal or a file.
    ///
    /// **Errors** with [`Error::MaskRagged`] if rows differ in length and
    /// [`Error::MaskEntry`] for an entry other than 0 or 1.
    pub fn from_rows<R: AsRef<[u8]>>(rows: &[R]) -> Result<Self> {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut live = Array2::from_elem((rows.len(), cols), false);
        for (row, entries) in rows.iter().enumerate() {
            let entries = entries.as_ref();
            if entries.len() != cols {
                return Err(Error::MaskRagged {
                    row,
                    expected: cols,
                    found: entries.len(),
                });
            }
            for (col, &value) in entries.iter().enumerate() {
                live[(row, col)] = match value {
                    0 => false,
                    1 => true,
                    _ => {
                        return Err(Error::MaskEntry {
                            row,
                            col,
                            value: f64::from(value),
                        })
                    }
                };
            }
        }
        Ok(Self { live })
    }

    /// Keeps every connection except the listed `(output, input)` pairs.
    ///
    /// **Errors** with [`Error::MaskIndex`] if a pair is out of range.
    pub fn cut(outputs: usize, inputs: usize, pairs: &[(usize, usize)]) -> Result<Self> {
        let mut mask = Self::full(outputs, inputs);
        for &(output, input) in pairs {
            mask.set(output, input, false)?;
        }
        Ok(mask)
    }

    /// Keeps only the listed `(output, input)` pairs.
    ///
    /// **Errors** with [`Error::MaskIndex`] if a pair is out of range.
    pub fn keep(outputs: usize, inputs: usize, pairs: &[(usize, usize)]) -> Result<Self> {
        let mut mask = Self {
            live: Array2::from_elem((outputs, inputs), false),
        };
        for &(output, input) in pairs {
            mask.set(output, input, true)?;
        }
        Ok(mask)
    }

    /// Keeps `round(density · outputs · inputs)` connections (at least one), chosen
    /// uniformly by a ChaCha8 shuffle seeded with `seed`.
    ///
    /// **Errors** with [`Error::MaskDensity`] unless 0 < density ≤ 1.
    pub fn random(outputs: usize, inputs: usize, density: f64, seed: u64) -> Result<Self> {
        if !(density > 0.0 && density <= 1.0) {
            return Err(Error::MaskDensity { density });
        }
        let total = outputs * inputs;
        let kept = ((density * total as f64).round() as usize).clamp(1.min(total), total);
        let mut order: Vec<usize> = (0..total).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let mut live = Array2::from_elem((outputs, inputs), false);
        if let Some(flat) = live.as_slice_mut() {
            for &index in &order[..kept] {
                flat[index] = true;
            }
        }
        Ok(Self { live })
    }

    /// Splits outputs and inputs into `blocks` equal consecutive ranges and keeps
    /// the connections from input block k to output block k only.
    ///
    /// **Errors** with [`Error::MaskBlocks`] unless `blocks` divides both sizes.
    pub fn block_diagonal(outputs: usize, inputs: usize, blocks: usize) -> Result<Self> {
        if blocks == 0 || !outputs.is_multiple_of(blocks) || !inputs.is_multiple_of(blocks) {
            return Err(Error::MaskBlocks {
                blocks,
                outputs,
                inputs,
            });
        }
        let (rows_per, cols_per) = (outputs / blocks, inputs / blocks);
        let live = Array2::from_shape_fn((outputs, inputs), |(o, i)| o / rows_per == i / cols_per);
        Ok(Self { live })
    }

    /// Keeps the connections within `width` of the diagonal: output `o` keeps input
    /// `i` when |i − c(o)| ≤ width, where c(o) = ⌊o · inputs / outputs⌋ stretches
    /// the diagonal over a rectangular layer. `width = 0` keeps the diagonal alone.
    pub fn banded(outputs: usize, inputs: usize, width: usize) -> Self {
        let live = Array2::from_shape_fn((outputs, inputs), |(o, i)| {
            let centre = o * inputs / outputs.max(1);
            i.abs_diff(centre) <= width
        });
        Self { live }
    }

    fn set(&mut self, output: usize, input: usize, value: bool) -> Result<()> {
        let (outputs, inputs) = self.live.dim();
        match self.live.get_mut((output, input)) {
            Some(entry) => {
                *entry = value;
                Ok(())
            }
            None => Err(Error::MaskIndex {
                output,
                input,
                outputs,
                inputs,
            }),
        }
    }

    /// Output neurons (rows).
    pub fn outputs(&self) -> usize {
        self.live.nrows()
    }

    /// Inputs (columns).
    pub fn inputs(&self) -> usize {
        self.live.ncols()
    }

    /// Whether the connection from `input` to `output` exists; false when out of range.
    pub fn is_live(&self, output: usize, input: usize) -> bool {
        self.live.get((output, input)).copied().unwrap_or(false)
    }

    /// Number of existing connections.
    pub fn live_count(&self) -> usize {
        self.live.iter().filter(|&&b| b).count()
    }

    /// Fraction of existing connections, in [0, 1].
    pub fn density(&self) -> f64 {
        let total = self.live.len();
        if total == 0 {
            0.0
        } else {
            self.live_count() as f64 / total as f64
        }
    }

    /// The boolean matrix.
    pub fn as_array(&self) -> ArrayView2<'_, bool> {
        self.live.view()
    }

    /// The mask of rows `start..start + len`, for one group.
    pub(crate) fn rows(&self, start: usize, len: usize) -> Mask {
        Mask {
            live: self
                .live
                .slice(ndarray::s![start..start + len, ..])
                .to_owned(),
        }
    }
}

/// The live connections of one group in compressed-sparse-row form, used to step
/// the optimizer over live weights only and to size its state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LiveIndex {
    /// `row_start[o]..row_start[o + 1]` indexes `cols` for output `o`.
    pub row_start: Vec<usize>,
    /// Input index of each live connection, row by row, ascending.
    pub cols: Vec<u32>,
}

impl LiveIndex {
    pub fn new(mask: &Mask) -> Self {
        let mut row_start = Vec::with_capacity(mask.outputs() + 1);
        let mut cols = Vec::with_capacity(mask.live_count());
        row_start.push(0);
        for row in mask.live.rows() {
            cols.extend(
                row.iter()
                    .enumerate()
                    .filter(|(_, &b)| b)
                    .map(|(i, _)| i as u32),
            );
            row_start.push(cols.len());
        }
        Self { row_start, cols }
    }

    pub fn len(&self) -> usize {
        self.cols.len()
    }

    /// Every live connection as `(row, column, index into cols)`, row by row.
    pub fn entries(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.row_start
            .windows(2)
            .enumerate()
            .flat_map(move |(row, range)| {
                (range[0]..range[1]).map(move |k| (row, self.cols[k] as usize, k))
            })
    }
}
