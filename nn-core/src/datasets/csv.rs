//! CSV files of numeric features with one integer class label per row.

use std::path::Path;

use ndarray::Array2;

use super::{count_of, read_file};
use crate::error::{Error, Result};
use crate::train::{Dataset, TargetData};

/// The column of a CSV file that contains the class label.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LabelColumn {
    /// The last column, as in the digits file and most UCI data sets.
    #[default]
    Last,
    /// The first column.
    First,
    /// The column at this 0-based index. Error messages count columns from 1,
    /// so `Index(0)` is "column 1" there.
    Index(usize),
}

/// Options of [`read_csv`].
///
/// ```
/// use nn_core::datasets::{CsvOptions, LabelColumn};
/// let options = CsvOptions { label_column: LabelColumn::First, header: true, ..CsvOptions::default() };
/// assert_eq!(options.delimiter, b',');
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// Column of the class label; default [`LabelColumn::Last`].
    pub label_column: LabelColumn,
    /// Whether the first line contains column names, which are skipped; default false.
    pub header: bool,
    /// Byte between cells; default `b','`. Use `b';'` or `b'\t'` for other dialects.
    pub delimiter: u8,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            label_column: LabelColumn::Last,
            header: false,
            delimiter: b',',
        }
    }
}

/// Reads a CSV file of numeric features and one class label per row, plain or
/// gzip-compressed.
///
/// Every column except the label column is a feature, in file order, so the
/// features have shape `[rows, columns − 1]`. Features must be finite numbers
/// that `f32` can hold. Labels must be non-negative integers and become class
/// indices; `3` and `3.0` are both class 3. Cells are trimmed of spaces and
/// tabs. Blank lines are skipped, lines may end in `\n` or `\r\n`, and a UTF-8
/// byte order mark is ignored.
///
/// The reader is for numeric tables only: it does not understand quoted cells,
/// so `"1.5"` is rejected as non-numeric, and a run of delimiters is a run of
/// empty cells, which are rejected too.
///
/// **Errors** with [`Error::CsvDelimiter`] for a delimiter that is a line
/// break or not ASCII, and with [`Error::Io`] when the file cannot be read,
/// for example when it does not exist. Content errors are
/// [`Error::DataFormat`] with the path, the line and the column (both counted
/// from 1). They cover an empty file, fewer than two columns, a label column
/// beyond the last column, and a row whose number of columns differs from the
/// first row's. They also cover an empty or non-numeric cell, a non-finite
/// feature, and a negative, fractional or non-numeric label.
pub fn read_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Dataset<f32>> {
    check_delimiter(options.delimiter)?;
    let path = path.as_ref();
    let content = read_file(path)?;
    parse_csv(&content, &path.display().to_string(), options)
}

fn check_delimiter(delimiter: u8) -> Result<()> {
    if !delimiter.is_ascii() || delimiter == b'\n' || delimiter == b'\r' {
        return Err(Error::CsvDelimiter { delimiter });
    }
    Ok(())
}

/// Parses CSV `content`; `path` names the source in error messages.
pub(super) fn parse_csv(content: &[u8], path: &str, options: &CsvOptions) -> Result<Dataset<f32>> {
    check_delimiter(options.delimiter)?;
    let content = content
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(content);
    let format_error = |location: String, expected: String, found: String| Error::DataFormat {
        path: path.to_string(),
        location,
        expected,
        found,
    };

    let mut table: Option<Table> = None;
    let mut features = Vec::new();
    let mut labels = Vec::new();
    let mut skip_header = options.header;
    for (index, line) in content.split(|&byte| byte == b'\n').enumerate() {
        let line_number = index + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|byte| byte.is_ascii_whitespace()) {
            continue;
        }
        if skip_header {
            skip_header = false;
            continue;
        }

        let cells: Vec<&[u8]> = line.split(|&byte| byte == options.delimiter).collect();
        let layout = match table {
            Some(layout) => layout,
            None => *table.insert(Table::from_first_row(
                cells.len(),
                options.label_column,
                options.delimiter,
                line_number,
                &format_error,
            )?),
        };
        if cells.len() != layout.columns {
            return Err(format_error(
                format!("line {line_number}"),
                format!(
                    "{} columns, as on line {}",
                    layout.columns, layout.first_line
                ),
                count_of(cells.len(), "column"),
            ));
        }

        for (column, cell) in cells.iter().enumerate() {
            let location = || format!("line {line_number}, column {}", column + 1);
            let text = cell_text(cell);
            if column == layout.label {
                let label = parse_label(text)
                    .map_err(|found| format_error(location(), LABEL_EXPECTED.to_string(), found))?;
                labels.push(label);
            } else {
                let value = parse_feature(text).map_err(|found| {
                    format_error(location(), FEATURE_EXPECTED.to_string(), found)
                })?;
                features.push(value);
            }
        }
    }

    let Some(table) = table else {
        // `skip_header` is still set when not even a header line was found.
        let found = if options.header && !skip_header {
            "no line after the header"
        } else {
            "no lines with content"
        };
        return Err(format_error(
            "line 1".to_string(),
            "at least one row of data".to_string(),
            found.to_string(),
        ));
    };
    let shape = (labels.len(), table.columns - 1);
    let features = Array2::from_shape_vec(shape, features)
        .expect("every accepted row adds one value per feature column");
    Dataset::new(features, TargetData::Classes(labels))
}

const FEATURE_EXPECTED: &str = "a finite number as a feature";
const LABEL_EXPECTED: &str = "a non-negative integer class label such as 0, 1 or 2";

/// The column layout, fixed by the first row of data.
#[derive(Clone, Copy)]
struct Table {
    columns: usize,
    label: usize,
    first_line: usize,
}

impl Table {
    fn from_first_row(
        columns: usize,
        label_column: LabelColumn,
        delimiter: u8,
        line_number: usize,
        format_error: &impl Fn(String, String, String) -> Error,
    ) -> Result<Self> {
        // Splitting a non-blank line yields at least one cell, so this is a
        // single column.
        if columns < 2 {
            return Err(format_error(
                format!("line {line_number}"),
                format!(
                    "at least 2 columns (the features and the label) separated by {:?}",
                    char::from(delimiter)
                ),
                "only one column; if the file uses another separator, set \
                 `CsvOptions::delimiter` to it"
                    .to_string(),
            ));
        }
        let label = match label_column {
            LabelColumn::Last => columns - 1,
            LabelColumn::First => 0,
            LabelColumn::Index(index) => index,
        };
        if label >= columns {
            return Err(format_error(
                format!("line {line_number}"),
                format!(
                    "a label in column {} (LabelColumn::Index({label}))",
                    label.saturating_add(1)
                ),
                format!("{columns} columns"),
            ));
        }
        Ok(Self {
            columns,
            label,
            first_line: line_number,
        })
    }
}

/// Returns the cell's text without surrounding spaces and tabs, or `None` when
/// it is not UTF-8.
fn cell_text(cell: &[u8]) -> Option<&str> {
    std::str::from_utf8(cell)
        .ok()
        .map(|text| text.trim_matches([' ', '\t']))
}

/// Parses a feature, or returns a description of what the cell contains instead.
fn parse_feature(text: Option<&str>) -> std::result::Result<f32, String> {
    let text = non_empty(text)?;
    match text.parse::<f32>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(format!("`{text}`, which is not finite as an f32")),
        Err(_) => Err(format!("`{text}`")),
    }
}

/// Parses a class label, or returns a description of what the cell contains instead.
fn parse_label(text: Option<&str>) -> std::result::Result<usize, String> {
    let text = non_empty(text)?;
    if let Ok(label) = text.parse::<usize>() {
        return Ok(label);
    }
    // Tools that store labels as floats write `3.0`, which is still class 3.
    let value = match text.parse::<f64>() {
        Ok(value) if value.is_finite() => value,
        _ => return Err(format!("`{text}`")),
    };
    if value < 0.0 {
        return Err(format!("the negative label `{text}`"));
    }
    if value.fract() != 0.0 {
        return Err(format!("the fractional label `{text}`"));
    }
    // Above 2^53 an f64 no longer represents every integer exactly, so the label would be
    // rounded silently.
    if value > 9_007_199_254_740_992.0 {
        return Err(format!("the label `{text}`, which is too large"));
    }
    Ok(value as usize)
}

fn non_empty(text: Option<&str>) -> std::result::Result<&str, String> {
    match text {
        None => Err("bytes that are not valid UTF-8".to_string()),
        Some("") => Err("an empty cell".to_string()),
        Some(text) => Ok(text),
    }
}
