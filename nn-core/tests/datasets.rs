//! The embedded digits, the stratified split, and the CSV and IDX loaders,
//! including every error case on files the tests write themselves.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use flate2::write::GzEncoder;
use flate2::Compression;
use ndarray::{array, Array2};
use nn_core::datasets::{digits, read_csv, read_idx, stratified_split, CsvOptions, LabelColumn};
use nn_core::{Dataset, Error, TargetData};

/// Samples per digit in the embedded file, counted once from its last column
/// with `zcat nn-core/data/digits.csv.gz | awk -F, '{print $NF}' | sort | uniq -c`.
const DIGIT_COUNTS: [usize; 10] = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];

/// A directory of its own under the system temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let unique = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "nn-datasets-{}-{unique}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn write(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gzip(content: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(content).unwrap();
    encoder.finish().unwrap()
}

fn classes(data: &Dataset<f32>) -> &[usize] {
    match data.targets() {
        TargetData::Classes(classes) => classes,
        TargetData::Values(_) => panic!("expected class targets"),
    }
}

fn class_counts(labels: &[usize]) -> BTreeMap<usize, usize> {
    let mut counts = BTreeMap::new();
    for &label in labels {
        *counts.entry(label).or_insert(0) += 1;
    }
    counts
}

/// Unwraps an [`Error::DataFormat`] into `(message, location)`, failing on any other result.
fn data_format_error<T: std::fmt::Debug>(result: nn_core::Result<T>) -> (String, String) {
    match result {
        Err(error @ Error::DataFormat { .. }) => {
            let message = error.to_string();
            let Error::DataFormat { location, .. } = error else {
                unreachable!()
            };
            (message, location)
        }
        other => panic!("expected Error::DataFormat, got {other:?}"),
    }
}

// ---------------------------------------------------------------- digits

#[test]
fn digits_shape_and_pixel_range() {
    let data = digits().unwrap();

    assert_eq!(data.len(), 1797);
    assert_eq!(data.features().shape(), &[1797, 64]);
    assert!(data.features().iter().all(|&v| (0.0..=16.0).contains(&v)));
    assert!(data.features().iter().all(|&v| v.fract() == 0.0));
    assert_eq!(data.features().iter().copied().fold(0.0, f32::max), 16.0);
}

#[test]
fn digits_class_counts() {
    let data = digits().unwrap();
    let counts = class_counts(classes(&data));

    assert_eq!(counts.len(), 10);
    for (digit, &expected) in DIGIT_COUNTS.iter().enumerate() {
        assert_eq!(counts.get(&digit), Some(&expected), "digit {digit}");
    }
}

#[test]
fn digits_first_row_matches_file() {
    // The first line of the file is a 0.
    let data = digits().unwrap();
    let first: Vec<f32> = data.features().row(0).iter().copied().collect();

    assert_eq!(&first[..8], &[0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
    assert_eq!(classes(&data)[0], 0);
}

// ---------------------------------------------------------------- split

#[test]
fn split_is_stratified() {
    let data = digits().unwrap();
    let (train, test) = stratified_split(&data, 0.2, 3).unwrap();
    let train_counts = class_counts(classes(&train));
    let test_counts = class_counts(classes(&test));

    for (digit, &total) in DIGIT_COUNTS.iter().enumerate() {
        let expected_test = (0.2 * total as f64).round() as usize;
        assert_eq!(
            test_counts[&digit], expected_test,
            "test count of digit {digit}"
        );
        assert_eq!(
            train_counts[&digit],
            total - expected_test,
            "train count of digit {digit}"
        );
    }
    assert_eq!(train.features().ncols(), 64);
    assert_eq!(test.features().ncols(), 64);
}

#[test]
fn split_is_disjoint_and_complete() {
    // Row i of this data set is [i], so the features name the original samples.
    let n = 50;
    let features = Array2::from_shape_fn((n, 1), |(i, _)| i as f32);
    let labels = (0..n).map(|i| i % 3).collect();
    let data = Dataset::new(features, TargetData::Classes(labels)).unwrap();

    let (train, test) = stratified_split(&data, 0.3, 11).unwrap();
    let mut seen: Vec<usize> = train
        .features()
        .iter()
        .chain(test.features().iter())
        .map(|&v| v as usize)
        .collect();
    seen.sort_unstable();

    assert_eq!(seen, (0..n).collect::<Vec<_>>());
    assert_eq!(train.len() + test.len(), n);
    for (split, side) in [(&train, "train"), (&test, "test")] {
        let ids: Vec<usize> = split.features().iter().map(|&v| v as usize).collect();
        let labels = classes(split);
        for (id, &label) in ids.iter().zip(labels) {
            assert_eq!(label, id % 3, "{side} sample {id} kept its label");
        }
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "{side} keeps file order"
        );
    }
}

#[test]
fn split_is_deterministic_for_seed() {
    let data = digits().unwrap();

    let first = stratified_split(&data, 0.25, 42).unwrap();
    let again = stratified_split(&data, 0.25, 42).unwrap();
    let other = stratified_split(&data, 0.25, 43).unwrap();

    assert_eq!(first, again);
    assert_ne!(first.1, other.1);
}

#[test]
fn split_value_targets_shuffles() {
    let n = 20;
    let features = Array2::from_shape_fn((n, 2), |(i, j)| (i * 2 + j) as f64);
    let values = Array2::from_shape_fn((n, 1), |(i, _)| i as f64 * 10.0);
    let data = Dataset::new(features, TargetData::Values(values)).unwrap();

    let (train, test) = stratified_split(&data, 0.25, 5).unwrap();

    assert_eq!(test.len(), 5);
    assert_eq!(train.len(), 15);
    let TargetData::Values(test_values) = test.targets() else {
        panic!("expected value targets");
    };
    for (row, value) in test.features().rows().into_iter().zip(test_values.rows()) {
        assert_eq!(
            row[0] / 2.0 * 10.0,
            value[0],
            "targets stay with their features"
        );
    }
    let test_ids: Vec<f64> = test.features().column(0).to_vec();
    assert_ne!(
        test_ids,
        vec![0.0, 2.0, 4.0, 6.0, 8.0],
        "the split is shuffled"
    );
}

#[test]
fn split_rejects_fraction_outside_open_interval() {
    let data = digits().unwrap();

    for fraction in [0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY] {
        let result = stratified_split(&data, fraction, 0);
        assert!(
            matches!(result, Err(Error::SplitFraction { .. })),
            "fraction {fraction}"
        );
    }
    let message = stratified_split(&data, 1.5, 0).unwrap_err().to_string();
    assert!(message.contains("1.5"), "{message}");
    assert!(message.contains("(0, 1)"), "{message}");
}

#[test]
fn split_rejects_empty_side() {
    let features = Array2::<f32>::zeros((10, 1));
    let data = Dataset::new(features, TargetData::Classes(vec![0; 10])).unwrap();

    let test_empty = stratified_split(&data, 0.01, 0).unwrap_err();
    let train_empty = stratified_split(&data, 0.99, 0).unwrap_err();

    assert_eq!(
        test_empty,
        Error::EmptySplit {
            side: "test",
            samples: 10,
            fraction: 0.01
        }
    );
    assert_eq!(
        train_empty,
        Error::EmptySplit {
            side: "train",
            samples: 10,
            fraction: 0.99
        }
    );
    assert!(test_empty.to_string().contains("test set empty"));
}

#[test]
fn split_rejects_empty_dataset() {
    let data = Dataset::new(Array2::<f32>::zeros((0, 3)), TargetData::Classes(vec![])).unwrap();

    let error = stratified_split(&data, 0.5, 0).unwrap_err();

    assert!(
        matches!(error, Error::EmptySplit { samples: 0, .. }),
        "{error:?}"
    );
}

// ---------------------------------------------------------------- CSV

const SMALL_CSV: &str = "1.5,2,0\n-3,4e-1,2\n5,6.25,1\n";

#[test]
fn csv_round_trip_plain() {
    let dir = TempDir::new("csv-plain");
    let path = dir.write("small.csv", SMALL_CSV.as_bytes());

    let data = read_csv(&path, &CsvOptions::default()).unwrap();

    assert_eq!(
        data.features(),
        array![[1.5, 2.0], [-3.0, 0.4], [5.0, 6.25]]
    );
    assert_eq!(classes(&data), &[0, 2, 1]);
}

#[test]
fn csv_round_trip_gzipped() {
    let dir = TempDir::new("csv-gzip");
    // The name has no .gz on purpose: the magic bytes decide.
    let path = dir.write("small.csv", &gzip(SMALL_CSV.as_bytes()));

    let data = read_csv(&path, &CsvOptions::default()).unwrap();

    assert_eq!(
        data.features(),
        array![[1.5, 2.0], [-3.0, 0.4], [5.0, 6.25]]
    );
    assert_eq!(classes(&data), &[0, 2, 1]);
}

#[test]
fn csv_digits_file_matches_embedded() {
    let dir = TempDir::new("csv-digits");
    let path = dir.write(
        "digits.csv.gz",
        include_bytes!("../data/digits.csv.gz").as_slice(),
    );

    let from_file = read_csv(&path, &CsvOptions::default()).unwrap();

    assert_eq!(from_file, digits().unwrap());
}

#[test]
fn csv_options_label_first_header_delimiter() {
    let dir = TempDir::new("csv-options");
    let text = "\u{feff}label;a;b\r\n3;1;2\r\n\r\n 4.0 ;\t5\t; 6\r\n";
    let path = dir.write("semicolon.csv", text.as_bytes());
    let options = CsvOptions {
        label_column: LabelColumn::First,
        header: true,
        delimiter: b';',
    };

    let data = read_csv(&path, &options).unwrap();

    assert_eq!(data.features(), array![[1.0, 2.0], [5.0, 6.0]]);
    assert_eq!(classes(&data), &[3, 4]);
}

#[test]
fn csv_label_column_index() {
    let dir = TempDir::new("csv-index");
    let path = dir.write("middle.csv", b"1,7,2\n3,8,4\n");
    let options = CsvOptions {
        label_column: LabelColumn::Index(1),
        ..CsvOptions::default()
    };

    let data = read_csv(&path, &options).unwrap();

    assert_eq!(data.features(), array![[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(classes(&data), &[7, 8]);
}

/// Writes `content` and returns the message and location of the `DataFormat`
/// error that reading it with `options` must raise, after checking that the
/// message names the path.
fn csv_error(content: &str, options: &CsvOptions) -> (String, String) {
    let dir = TempDir::new("csv-error");
    let path = dir.write("bad.csv", content.as_bytes());
    let (message, location) = data_format_error(read_csv(&path, options));
    assert!(
        message.contains(&path.display().to_string()),
        "message names the path: {message}"
    );
    (message, location)
}

#[test]
fn csv_non_numeric_feature() {
    let (message, location) = csv_error("1,2,0\n3,abc,1\n", &CsvOptions::default());

    assert_eq!(location, "line 2, column 2");
    assert!(message.contains("`abc`"), "{message}");
    assert!(message.contains("finite number"), "{message}");
}

#[test]
fn csv_quoted_and_empty_cells() {
    let (message, location) = csv_error("1,\"2\",0\n", &CsvOptions::default());
    assert_eq!(location, "line 1, column 2");
    assert!(message.contains("`\"2\"`"), "{message}");

    let (message, location) = csv_error("1,,0\n", &CsvOptions::default());
    assert_eq!(location, "line 1, column 2");
    assert!(message.contains("empty cell"), "{message}");
}

#[test]
fn csv_non_finite_feature() {
    let (message, location) = csv_error("1,2,0\nnan,2,0\n", &CsvOptions::default());
    assert_eq!(location, "line 2, column 1");
    assert!(message.contains("not finite"), "{message}");

    let (_, location) = csv_error("1,1e39,0\n", &CsvOptions::default());
    assert_eq!(location, "line 1, column 2");
}

#[test]
fn csv_wrong_column_count() {
    let (message, location) = csv_error("1,2,0\n3,4,5,1\n", &CsvOptions::default());

    assert_eq!(location, "line 2");
    assert!(message.contains("3 columns, as on line 1"), "{message}");
    assert!(message.contains("found 4 columns"), "{message}");
}

#[test]
fn csv_negative_label() {
    let (message, location) = csv_error("1,2,0\n3,4,-1\n", &CsvOptions::default());

    assert_eq!(location, "line 2, column 3");
    assert!(message.contains("negative label `-1`"), "{message}");
    assert!(message.contains("non-negative integer"), "{message}");
}

#[test]
fn csv_fractional_label() {
    let (message, location) = csv_error("1,2,0.5\n", &CsvOptions::default());

    assert_eq!(location, "line 1, column 3");
    assert!(message.contains("fractional label `0.5`"), "{message}");
}

#[test]
fn csv_non_numeric_label() {
    let options = CsvOptions {
        label_column: LabelColumn::First,
        ..CsvOptions::default()
    };
    let (message, location) = csv_error("cat,1,2\n", &options);

    assert_eq!(location, "line 1, column 1");
    assert!(message.contains("`cat`"), "{message}");
}

#[test]
fn csv_float_label_accepted() {
    let dir = TempDir::new("csv-float-label");
    let path = dir.write("float.csv", b"1,3.0\n2,0\n");

    let data = read_csv(&path, &CsvOptions::default()).unwrap();

    assert_eq!(classes(&data), &[3, 0]);
}

#[test]
fn csv_empty_file() {
    let (message, location) = csv_error("", &CsvOptions::default());
    assert_eq!(location, "line 1");
    assert!(message.contains("at least one row of data"), "{message}");

    let (_, location) = csv_error("\n  \n\n", &CsvOptions::default());
    assert_eq!(location, "line 1");

    let header = CsvOptions {
        header: true,
        ..CsvOptions::default()
    };
    let (message, _) = csv_error("a,b,label\n", &header);
    assert!(message.contains("no line after the header"), "{message}");
    let (message, _) = csv_error("", &header);
    assert!(message.contains("no lines with content"), "{message}");
}

#[test]
fn csv_single_column() {
    let (message, location) = csv_error("1\n2\n", &CsvOptions::default());

    assert_eq!(location, "line 1");
    assert!(message.contains("at least 2 columns"), "{message}");
}

#[test]
fn csv_label_index_out_of_range() {
    let options = CsvOptions {
        label_column: LabelColumn::Index(5),
        ..CsvOptions::default()
    };
    let (message, location) = csv_error("1,2,3\n", &options);

    assert_eq!(location, "line 1");
    assert!(message.contains("column 6"), "{message}");
    assert!(message.contains("found 3 columns"), "{message}");
}

#[test]
fn csv_missing_file() {
    let dir = TempDir::new("csv-missing");
    let path = dir.0.join("does-not-exist.csv");

    let error = read_csv(&path, &CsvOptions::default()).unwrap_err();

    let Error::Io { path: reported, .. } = &error else {
        panic!("expected Error::Io, got {error:?}");
    };
    assert_eq!(reported, &path.display().to_string());
    assert!(error.to_string().contains("does-not-exist.csv"), "{error}");
}

#[test]
fn csv_line_break_delimiter() {
    let options = CsvOptions {
        delimiter: b'\n',
        ..CsvOptions::default()
    };

    let error = read_csv("unused.csv", &options).unwrap_err();

    assert_eq!(error, Error::CsvDelimiter { delimiter: b'\n' });
}

#[test]
fn csv_corrupt_gzip() {
    let dir = TempDir::new("csv-corrupt-gzip");
    let mut content = gzip(SMALL_CSV.as_bytes());
    let middle = content.len() / 2;
    content[middle] ^= 0xff;
    let path = dir.write("corrupt.csv.gz", &content);

    let (message, location) = data_format_error(read_csv(&path, &CsvOptions::default()));

    assert!(
        location.starts_with("decompressed byte offset"),
        "{location}"
    );
    assert!(message.contains("gzip stream"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
}

// ---------------------------------------------------------------- IDX

/// Three 2×3 images with pixels 0, 1, 2, … and their labels 7, 0, 255.
fn small_idx() -> (Vec<u8>, Vec<u8>) {
    let mut images = vec![0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3];
    images.extend(0..18u8);
    images[16 + 17] = 255;
    let labels = vec![0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 255];
    (images, labels)
}

fn check_small_idx(data: &Dataset<f32>) {
    let mut expected = Array2::from_shape_fn((3, 6), |(i, j)| (i * 6 + j) as f32);
    expected[[2, 5]] = 255.0;
    assert_eq!(data.features(), expected);
    assert_eq!(classes(data), &[7, 0, 255]);
}

#[test]
fn idx_round_trip_plain() {
    let dir = TempDir::new("idx-plain");
    let (images, labels) = small_idx();
    let images = dir.write("images-idx3-ubyte", &images);
    let labels = dir.write("labels-idx1-ubyte", &labels);

    let data = read_idx(&images, &labels).unwrap();

    check_small_idx(&data);
}

#[test]
fn idx_round_trip_gzipped() {
    let dir = TempDir::new("idx-gzip");
    let (images, labels) = small_idx();
    // Only the images are compressed, and neither name ends in .gz.
    let images = dir.write("images-idx3-ubyte", &gzip(&images));
    let labels = dir.write("labels-idx1-ubyte", &labels);

    let data = read_idx(&images, &labels).unwrap();

    check_small_idx(&data);
}

#[test]
fn idx_zero_images() {
    let dir = TempDir::new("idx-zero");
    let images = dir.write(
        "images",
        &[0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28],
    );
    let labels = dir.write("labels", &[0, 0, 8, 1, 0, 0, 0, 0]);

    let data = read_idx(&images, &labels).unwrap();

    assert_eq!(data.features().shape(), &[0, 784]);
}

/// Reads the pair with one file replaced by `content`, and returns the
/// message and location of the `DataFormat` error, after checking that the
/// message names the replaced file.
fn idx_error(images: &[u8], labels: &[u8], broken: &str) -> (String, String) {
    let dir = TempDir::new("idx-error");
    let images = dir.write("images-idx3-ubyte", images);
    let labels = dir.write("labels-idx1-ubyte", labels);
    let (message, location) = data_format_error(read_idx(&images, &labels));
    let broken_path: &Path = if broken == "images" { &images } else { &labels };
    assert!(
        message.contains(&format!("`{}`", broken_path.display())),
        "message names the {broken} file: {message}"
    );
    (message, location)
}

#[test]
fn idx_truncated_images_every_offset() {
    let (images, labels) = small_idx();

    for cut in 0..images.len() {
        let (message, location) = idx_error(&images[..cut], &labels, "images");
        let expected_offset = match cut {
            0..=3 => 0,
            4..=7 => 4,
            8..=11 => 8,
            12..=15 => 12,
            _ => 16,
        };
        assert_eq!(
            location,
            format!("byte offset {expected_offset}"),
            "cut at {cut}"
        );
        if cut > 0 {
            assert!(
                message.contains(&format!("end of file at byte offset {cut}")),
                "cut at {cut}: {message}"
            );
        }
    }
}

#[test]
fn idx_truncated_labels_every_offset() {
    let (images, labels) = small_idx();

    for cut in 0..labels.len() {
        let (message, location) = idx_error(&images, &labels[..cut], "labels");
        let expected_offset = match cut {
            0..=3 => 0,
            4..=7 => 4,
            _ => 8,
        };
        assert_eq!(
            location,
            format!("byte offset {expected_offset}"),
            "cut at {cut}"
        );
        assert!(message.contains("expected"), "cut at {cut}: {message}");
    }
}

#[test]
fn idx_truncated_gzip_every_offset() {
    let (images, labels) = small_idx();
    let compressed = gzip(&images);

    for cut in 0..compressed.len() {
        let (message, _) = idx_error(&compressed[..cut], &labels, "images");
        assert!(message.contains("expected"), "cut at {cut}: {message}");
    }
}

#[test]
fn idx_truncated_pixels_message() {
    let (images, labels) = small_idx();

    let (message, location) = idx_error(&images[..20], &labels, "images");

    assert_eq!(location, "byte offset 16");
    assert!(
        message.contains("18 bytes of data (3 images of 2×3 pixels)"),
        "{message}"
    );
    assert!(message.contains("up to byte offset 34"), "{message}");
    assert!(
        message.contains("end of file at byte offset 20"),
        "{message}"
    );
}

#[test]
fn idx_empty_file() {
    let (_, labels) = small_idx();

    let (message, location) = idx_error(&[], &labels, "images");

    assert_eq!(location, "byte offset 0");
    assert!(message.contains("an empty file"), "{message}");
    assert!(message.contains("0x00000803"), "{message}");
}

#[test]
fn idx_trailing_bytes() {
    let (mut images, mut labels) = small_idx();
    images.extend([1, 2]);

    let (message, location) = idx_error(&images, &small_idx().1, "images");
    assert_eq!(location, "byte offset 34");
    assert!(message.contains("found 2 more bytes"), "{message}");

    labels.push(0);
    let (message, location) = idx_error(&small_idx().0, &labels, "labels");
    assert_eq!(location, "byte offset 11");
    assert!(message.contains("found 1 more byte"), "{message}");
}

#[test]
fn idx_wrong_magic() {
    let (images, labels) = small_idx();

    let (message, location) = idx_error(&labels, &images, "images");
    assert_eq!(location, "byte offset 0");
    assert!(message.contains("0x00000801"), "{message}");
    assert!(message.contains("swapped"), "{message}");

    let mut not_idx = images.clone();
    not_idx[0] = b'P';
    let (message, _) = idx_error(&not_idx, &labels, "images");
    assert!(message.contains("not an IDX file"), "{message}");

    let mut floats = images.clone();
    floats[2] = 0x0d;
    let (message, _) = idx_error(&floats, &labels, "images");
    assert!(message.contains("element type 0x0d"), "{message}");

    let mut two_dimensions = labels.clone();
    two_dimensions[3] = 2;
    let (message, _) = idx_error(&images, &two_dimensions, "labels");
    assert!(message.contains("0x00000801"), "{message}");
    assert!(message.contains("2 dimensions"), "{message}");
}

#[test]
fn idx_zero_rows() {
    let (mut images, labels) = small_idx();
    images[11] = 0;

    let (message, location) = idx_error(&images, &labels, "images");

    assert_eq!(location, "byte offset 8");
    assert!(message.contains("non-zero number of rows"), "{message}");
}

#[test]
fn idx_count_mismatch() {
    let (images, _) = small_idx();
    let labels = [0, 0, 8, 1, 0, 0, 0, 2, 7, 0];

    let (message, location) = idx_error(&images, &labels, "labels");

    assert_eq!(location, "byte offset 4");
    assert!(message.contains("3 labels, one per image"), "{message}");
    assert!(message.contains("found 2 labels"), "{message}");
}

#[test]
fn idx_huge_dimensions() {
    let (_, labels) = small_idx();
    let images = [
        0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    ];

    let (message, location) = idx_error(&images, &labels, "images");

    // On 64-bit targets the product fits, so the file is merely far too short.
    assert!(
        location == "byte offset 16" || location == "byte offset 4",
        "{location}"
    );
    assert!(message.contains("4294967295 images"), "{message}");
}

#[test]
fn idx_missing_file() {
    let dir = TempDir::new("idx-missing");
    let (_, labels) = small_idx();
    let labels = dir.write("labels", &labels);
    let images = dir.0.join("missing-images");

    let error = read_idx(&images, &labels).unwrap_err();

    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    assert!(error.to_string().contains("missing-images"), "{error}");
}
