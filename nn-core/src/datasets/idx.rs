//! The IDX file format of MNIST: a big-endian header, then the raw elements.
//!
//! The header is a magic number `00 00 TT DD`, where `TT` is the element type
//! (`08` for unsigned bytes) and `DD` the number of dimensions, followed by the
//! size of each dimension as a big-endian `u32`. The elements follow in
//! row-major order up to the end of the file.

use std::path::Path;

use ndarray::Array2;

use super::{count_of, read_file};
use crate::error::{Error, Result};
use crate::train::{Dataset, TargetData};

/// Element type code of unsigned bytes, the only one MNIST-style files use.
const UNSIGNED_BYTE: u8 = 0x08;

/// The role of a file in an IDX data set: the images or their labels.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// `*-idx3-ubyte`: images × rows × columns.
    Images,
    /// `*-idx1-ubyte`: one label per image.
    Labels,
}

impl Kind {
    fn dimensions(self) -> u8 {
        match self {
            Kind::Images => 3,
            Kind::Labels => 1,
        }
    }

    fn magic(self) -> u32 {
        u32::from(UNSIGNED_BYTE) << 8 | u32::from(self.dimensions())
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Images => "IDX image file",
            Kind::Labels => "IDX label file",
        }
    }
}

/// Reads an IDX image file and its IDX label file, such as MNIST's
/// `train-images-idx3-ubyte` and `train-labels-idx1-ubyte`, each plain or
/// gzip-compressed (as distributed, `.gz`).
///
/// The images must have magic number `0x00000803` (unsigned bytes, 3
/// dimensions: count, rows, columns) and the labels `0x00000801` (unsigned
/// bytes, 1 dimension: count). Each image is flattened row by row, so the
/// features have shape `[count, rows · columns]` with the raw pixel values
/// 0..=255 as `f32`; scale them before training if the network expects inputs
/// near 0..1. The labels become class indices.
///
/// **Errors** with [`Error::Io`] when a file cannot be read. Content errors
/// are [`Error::DataFormat`], which names the file, the byte offset (into the
/// decompressed content) and what the format requires there. They cover a
/// file that is empty, truncated or longer than its header declares, a wrong
/// magic number (for example when the two paths are swapped), zero rows or
/// columns, image and label files with different sample counts, and a broken
/// gzip stream.
pub fn read_idx(images: impl AsRef<Path>, labels: impl AsRef<Path>) -> Result<Dataset<f32>> {
    let images_path = images.as_ref().display().to_string();
    let labels_path = labels.as_ref().display().to_string();
    let image_content = read_file(images.as_ref())?;
    let label_content = read_file(labels.as_ref())?;

    let image_file = IdxFile::parse(&image_content, &images_path, Kind::Images)?;
    let label_file = IdxFile::parse(&label_content, &labels_path, Kind::Labels)?;
    let count = image_file.dimensions[0];
    if label_file.dimensions[0] != count {
        return Err(Error::DataFormat {
            path: labels_path,
            location: "byte offset 4".to_string(),
            expected: format!(
                "{}, one per image in `{images_path}`",
                count_of(count, "label")
            ),
            found: count_of(label_file.dimensions[0], "label"),
        });
    }

    let pixels = image_file.dimensions[1] * image_file.dimensions[2];
    let values = image_file
        .data
        .iter()
        .map(|&pixel| f32::from(pixel))
        .collect();
    let features = Array2::from_shape_vec((count, pixels), values)
        .expect("parse checked that the data is count × rows × columns bytes long");
    let classes = label_file
        .data
        .iter()
        .map(|&label| usize::from(label))
        .collect();
    Dataset::new(features, TargetData::Classes(classes))
}

/// A parsed IDX file: its dimension sizes and the bytes of its elements.
struct IdxFile<'a> {
    dimensions: Vec<usize>,
    data: &'a [u8],
}

impl<'a> IdxFile<'a> {
    /// Checks the header of `content` against `kind` and that the data has
    /// exactly the length the header declares.
    fn parse(content: &'a [u8], path: &str, kind: Kind) -> Result<Self> {
        let error = |offset: usize, expected: String, found: String| Error::DataFormat {
            path: path.to_string(),
            location: format!("byte offset {offset}"),
            expected,
            found,
        };
        let end_of_file = || {
            if content.is_empty() {
                "an empty file".to_string()
            } else {
                format!("end of file at byte offset {}", content.len())
            }
        };

        let expected_magic = || {
            format!(
                "the magic number 0x{:08x} of an {} (unsigned bytes, {})",
                kind.magic(),
                kind.name(),
                count_of(usize::from(kind.dimensions()), "dimension")
            )
        };
        let magic =
            read_u32(content, 0).ok_or_else(|| error(0, expected_magic(), end_of_file()))?;
        if magic != kind.magic() {
            return Err(error(0, expected_magic(), describe_magic(magic, kind)));
        }

        let rank = usize::from(kind.dimensions());
        let mut dimensions = Vec::with_capacity(rank);
        for index in 0..rank {
            let offset = 4 + 4 * index;
            let size = read_u32(content, offset).ok_or_else(|| {
                error(
                    offset,
                    format!(
                        "the size of dimension {} of {rank} as a 4-byte big-endian integer",
                        index + 1
                    ),
                    end_of_file(),
                )
            })?;
            // Saturates only on 16-bit targets, where the size check below then fails.
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            if kind == Kind::Images && index > 0 && size == 0 {
                let what = if index == 1 { "rows" } else { "columns" };
                return Err(error(
                    offset,
                    format!("a non-zero number of {what} per image"),
                    "0".to_string(),
                ));
            }
            dimensions.push(size);
        }

        let header_end = 4 + 4 * rank;
        let declared = describe_contents(kind, &dimensions);
        // Columns first, so that rows × columns is checked even for 0 images.
        let data_len = dimensions
            .iter()
            .rev()
            .try_fold(1usize, |product, &size| product.checked_mul(size));
        let data_end = data_len.and_then(|len| len.checked_add(header_end));
        let (Some(data_len), Some(data_end)) = (data_len, data_end) else {
            return Err(error(
                4,
                "dimension sizes whose product fits in memory".to_string(),
                declared,
            ));
        };

        if content.len() < data_end {
            return Err(error(
                header_end,
                format!(
                    "{} of data ({declared}), up to byte offset {data_end}",
                    count_of(data_len, "byte")
                ),
                end_of_file(),
            ));
        }
        if content.len() > data_end {
            return Err(error(
                data_end,
                format!("the end of the file, because the header declares {declared}"),
                count_of(content.len() - data_end, "more byte"),
            ));
        }
        Ok(Self {
            dimensions,
            data: &content[header_end..],
        })
    }
}

fn read_u32(content: &[u8], offset: usize) -> Option<u32> {
    let bytes = content.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// Describes a wrong magic number and the likely cause.
fn describe_magic(magic: u32, kind: Kind) -> String {
    let [zero_a, zero_b, element_type, rank] = magic.to_be_bytes();
    let cause = if zero_a != 0 || zero_b != 0 {
        "which is not an IDX file, because the first two bytes of one are 0".to_string()
    } else if element_type != UNSIGNED_BYTE {
        format!(
            "an IDX file of element type 0x{element_type:02x}, but only unsigned bytes (0x08) are supported"
        )
    } else {
        let other = match kind {
            Kind::Images => Kind::Labels,
            Kind::Labels => Kind::Images,
        };
        if magic == other.magic() {
            format!(
                "the magic number of an {}; check that the image and label paths are not swapped",
                other.name()
            )
        } else {
            format!(
                "an IDX file with {}",
                count_of(usize::from(rank), "dimension")
            )
        }
    };
    format!("0x{magic:08x}, {cause}")
}

fn describe_contents(kind: Kind, dimensions: &[usize]) -> String {
    match (kind, dimensions) {
        (Kind::Images, [count, rows, columns]) => {
            format!("{} of {rows}×{columns} pixels", count_of(*count, "image"))
        }
        _ => count_of(dimensions.first().copied().unwrap_or(0), "label"),
    }
}
