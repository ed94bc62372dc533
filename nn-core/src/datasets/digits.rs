//! The 8×8 handwritten digits, compiled into the crate.

use super::csv::{parse_csv, CsvOptions};
use super::gunzip;
use crate::error::Result;
use crate::train::Dataset;

/// The test set of the UCI "Optical Recognition of Handwritten Digits" data,
/// as shipped by scikit-learn 1.9.1: one row per sample, 64 pixel counts and
/// the class in the last column. Source and terms are in `data/NOTICE`.
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");

/// Name of the embedded file in error messages.
const DIGITS_SOURCE: &str = "digits.csv.gz (embedded in nn-core)";

/// Loads the 8×8 handwritten digits data set that scikit-learn ships, without
/// any file or network access.
///
/// Features have shape `[1797, 64]`: each row is an 8×8 image flattened row by
/// row. Each value is an integer in 0..=16, the number of set pixels in one
/// 4×4 block of a 32×32 bitmap, stored as `f32` without scaling (divide by 16
/// for inputs in 0..=1). Targets are the digits as class indices 0..=9, with
/// these counts:
///
/// | class | 0   | 1   | 2   | 3   | 4   | 5   | 6   | 7   | 8   | 9   |
/// |-------|-----|-----|-----|-----|-----|-----|-----|-----|-----|-----|
/// | count | 178 | 182 | 177 | 183 | 181 | 182 | 181 | 179 | 174 | 180 |
///
/// The data are the test set of the UCI Machine Learning Repository's
/// "Optical Recognition of Handwritten Digits" by E. Alpaydin and C. Kaynak;
/// `nn-core/data/NOTICE` gives the source and licence details.
///
/// Every call decompresses and parses the embedded 58 KB file again; keep the
/// returned [`Dataset`] rather than calling this in a loop.
///
/// **Errors** only if the embedded file is corrupt, which the crate's tests
/// rule out, with [`crate::Error::DataFormat`].
pub fn digits() -> Result<Dataset<f32>> {
    let content = gunzip(DIGITS_CSV_GZ, DIGITS_SOURCE)?;
    parse_csv(&content, DIGITS_SOURCE, &CsvOptions::default())
}
