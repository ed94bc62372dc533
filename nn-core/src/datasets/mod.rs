//! Data sets: an embedded real one, loaders for users' files, and a seeded
//! train/test split.
//!
//! - [`digits`]: the 8×8 handwritten digits (1,797 samples, 10 classes),
//!   compiled into the crate, so it needs no file or network;
//! - [`read_csv`]: numeric features and an integer class label per row;
//! - [`read_idx`]: the IDX format of MNIST and Fashion-MNIST;
//! - [`stratified_split`]: a train/test split that keeps every class's share.
//!
//! The loaders accept plain or gzip-compressed files. They tell the two apart
//! by the gzip magic bytes `1f 8b`, not by the file name.
//!
//! ```
//! let data = nn_core::datasets::digits()?;
//! let (train, test) = nn_core::datasets::stratified_split(&data, 0.2, 7)?;
//! assert_eq!(train.len() + test.len(), 1797);
//! # Ok::<(), nn_core::Error>(())
//! ```

mod csv;
mod digits;
mod idx;
mod split;

use std::io::Read;
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

pub use csv::{read_csv, CsvOptions, LabelColumn};
pub use digits::digits;
pub use idx::read_idx;
pub use split::stratified_split;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Formats `count` with `noun`, adding an `s` unless the count is 1.
fn count_of(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Reads a whole file, decompressing it when it starts with the gzip magic bytes.
fn read_file(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|error| Error::Io {
        path: path.display().to_string(),
        message: error.to_string(),
    })?;
    decompress_if_gzip(bytes, &path.display().to_string())
}

/// Returns `bytes` unchanged, or decompressed when they start with the gzip magic bytes.
fn decompress_if_gzip(bytes: Vec<u8>, path: &str) -> Result<Vec<u8>> {
    if bytes.starts_with(&GZIP_MAGIC) {
        gunzip(&bytes, path)
    } else {
        Ok(bytes)
    }
}

/// Decompresses a gzip file; `path` names it in error messages.
///
/// Concatenated gzip members are decoded as one stream, as `gunzip` does.
fn gunzip(bytes: &[u8], path: &str) -> Result<Vec<u8>> {
    let mut content = Vec::new();
    // On error `read_to_end` keeps what it decoded so far, which locates the damage.
    MultiGzDecoder::new(bytes)
        .read_to_end(&mut content)
        .map_err(|error| Error::DataFormat {
            path: path.to_string(),
            location: format!("decompressed byte offset {}", content.len()),
            expected: "a complete, uncorrupted gzip stream".to_string(),
            found: format!("a decoding error ({error})"),
        })?;
    Ok(content)
}
