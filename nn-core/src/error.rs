//! The one error type of the runtime.

use thiserror::Error;

/// Everything a caller can get wrong, with the values involved and the fix.
///
/// Library code returns these instead of panicking on user data. Each message
/// names the layer, group or value at fault.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The input batch has the wrong number of columns for a layer.
    #[error(
        "layer `{layer}` expects {expected} input features per sample but the batch has {found}; \
         pass an array of shape [batch, {expected}]"
    )]
    InputWidth {
        /// Layer that rejected the input.
        layer: String,
        /// Inputs the layer was built for.
        expected: usize,
        /// Columns of the batch.
        found: usize,
    },

    /// A batch has no rows.
    #[error("the batch passed to `{context}` has no samples; pass at least one row")]
    EmptyBatch {
        /// Function that received the batch.
        context: &'static str,
    },

    /// The input contains NaN or infinity.
    #[error(
        "input value {value} at sample {sample}, feature {feature} is not finite; \
         remove or impute NaN and infinite values before passing the batch"
    )]
    NonFiniteInput {
        /// Row of the offending value.
        sample: usize,
        /// Column of the offending value.
        feature: usize,
        /// The value, NaN or ±inf.
        value: f64,
    },

    /// The number of targets differs from the number of input samples.
    #[error(
        "got {found} targets for a batch of {expected} samples; pass exactly one target per input row"
    )]
    TargetCount {
        /// Samples in the batch.
        expected: usize,
        /// Targets passed.
        found: usize,
    },

    /// Value targets have the wrong number of columns.
    #[error(
        "loss `{loss}` compares {expected} network outputs per sample but the targets have {found} \
         columns; pass targets of shape [batch, {expected}]"
    )]
    TargetWidth {
        /// Loss that needs the targets.
        loss: &'static str,
        /// Outputs of the network.
        expected: usize,
        /// Columns of the targets.
        found: usize,
    },

    /// A class index is not below the number of classes.
    #[error(
        "class index {class} of sample {sample} is out of range for {classes} classes; \
         labels must be in 0..{classes}"
    )]
    ClassOutOfRange {
        /// Sample whose label is wrong.
        sample: usize,
        /// The label.
        class: usize,
        /// Number of network outputs, one per class.
        classes: usize,
    },

    /// A target value is NaN or infinite.
    #[error("target value {value} of sample {sample} is not finite; clean the targets first")]
    NonFiniteTarget {
        /// Sample whose target is wrong.
        sample: usize,
        /// The value.
        value: f64,
    },

    /// The targets are of the wrong kind for the loss.
    #[error("loss `{loss}` needs {expected}; {fix}")]
    TargetKind {
        /// The loss.
        loss: &'static str,
        /// Description of the targets the loss needs.
        expected: &'static str,
        /// How to provide it.
        fix: &'static str,
    },

    /// Training was requested on a network without a loss function.
    #[error("the network has no loss function, so it cannot be trained; add a loss, for example `loss: mse`")]
    NoLoss,

    /// A mask does not have one row per output and one column per input.
    #[error(
        "mask of layer `{layer}` is {found_rows}x{found_cols} but the layer has {rows} outputs and \
         {cols} inputs; build a {rows}x{cols} mask (rows are outputs, columns are inputs)"
    )]
    MaskShape {
        /// Layer the mask was given to.
        layer: String,
        /// Outputs of the layer.
        rows: usize,
        /// Inputs of the layer.
        cols: usize,
        /// Rows of the mask.
        found_rows: usize,
        /// Columns of the mask.
        found_cols: usize,
    },

    /// A mask matrix has rows of different lengths.
    #[error("mask row {row} has {found} entries but row 0 has {expected}; give every row the same length")]
    MaskRagged {
        /// The row that differs.
        row: usize,
        /// Length of the first row.
        expected: usize,
        /// Length of this row.
        found: usize,
    },

    /// A mask matrix entry is neither 0 nor 1.
    #[error("mask entry {value} at row {row}, column {col} is invalid; use 0 to remove a connection and 1 to keep it")]
    MaskEntry {
        /// Row of the entry.
        row: usize,
        /// Column of the entry.
        col: usize,
        /// The entry.
        value: f64,
    },

    /// A `cut` or `keep` pair names a connection outside the layer.
    #[error(
        "connection ({output}, {input}) is out of range for a mask with {outputs} outputs and \
         {inputs} inputs; use output < {outputs} and input < {inputs}"
    )]
    MaskIndex {
        /// Output index of the pair.
        output: usize,
        /// Input index of the pair.
        input: usize,
        /// Outputs of the mask.
        outputs: usize,
        /// Inputs of the mask.
        inputs: usize,
    },

    /// A random mask's density is outside (0, 1].
    #[error("mask density {density} is invalid; use a value in (0, 1]")]
    MaskDensity {
        /// The density.
        density: f64,
    },

    /// A block-diagonal mask's block count does not divide both sizes.
    #[error(
        "block_diagonal(blocks = {blocks}) needs a block count that divides both the {outputs} \
         outputs and the {inputs} inputs; use a common divisor"
    )]
    MaskBlocks {
        /// Requested blocks.
        blocks: usize,
        /// Outputs of the mask.
        outputs: usize,
        /// Inputs of the mask.
        inputs: usize,
    },

    /// A layer or mask was given a size of zero.
    #[error("{what} of layer `{layer}` is 0; every layer needs at least one input and one output")]
    ZeroSize {
        /// Layer at fault.
        layer: String,
        /// The size that is zero.
        what: &'static str,
    },

    /// A group has no neurons.
    #[error("group `{group}` of layer `{layer}` has 0 neurons; give it at least one or remove it")]
    EmptyGroup {
        /// Layer of the group.
        layer: String,
        /// The group.
        group: String,
    },

    /// Two groups of one layer have the same name.
    #[error("layer `{layer}` has two groups named `{group}`; give each group its own name")]
    DuplicateGroup {
        /// Layer of the groups.
        layer: String,
        /// The repeated name.
        group: String,
    },

    /// An optimizer, activation or initialiser parameter is out of range.
    #[error("{owner} parameter `{name}` = {value} of group `{group}` is invalid; {expected}")]
    InvalidParameter {
        /// Group that owns the parameter.
        group: String,
        /// Optimizer, activation or initialiser name.
        owner: &'static str,
        /// Parameter name.
        name: &'static str,
        /// The value.
        value: f64,
        /// The valid range.
        expected: &'static str,
    },

    /// Weights or biases passed to a group have the wrong shape.
    #[error(
        "{what} of group `{group}` must have shape {expected:?} but the array has shape {found:?}"
    )]
    ParameterShape {
        /// The group.
        group: String,
        /// `weight` or `bias`.
        what: &'static str,
        /// The group's shape.
        expected: Vec<usize>,
        /// The array's shape.
        found: Vec<usize>,
    },

    /// Backward received arrays that do not match the last forward pass.
    #[error(
        "layer `{layer}` received {what} of shape {found:?} but its last forward pass expects \
         {expected:?}; call backward with the batch that was passed to forward"
    )]
    BatchMismatch {
        /// The layer.
        layer: String,
        /// Which array.
        what: &'static str,
        /// Shape from the last forward pass.
        expected: Vec<usize>,
        /// Shape received.
        found: Vec<usize>,
    },

    /// A training option is out of range.
    #[error("training option `{name}` = {value} is invalid; {expected}")]
    InvalidOption {
        /// Option name.
        name: &'static str,
        /// The value.
        value: f64,
        /// The valid range.
        expected: &'static str,
    },

    /// A data file could not be opened or read.
    #[error("failed to read `{path}`: {message}; check that the file exists and is readable")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message, stored as text so that the error stays `Clone`.
        message: String,
    },

    /// A data file's content does not match its format.
    #[error("invalid data in `{path}` at {location}: expected {expected}, found {found}")]
    DataFormat {
        /// The file, or the name of an embedded data set.
        path: String,
        /// Where the problem is: `line L, column C` (both counted from 1) in a
        /// CSV file, `byte offset N` (from 0, into the decompressed content) in
        /// an IDX file, or `decompressed byte offset N` where gzip decoding failed.
        location: String,
        /// What the format requires there.
        expected: String,
        /// What the file contains instead.
        found: String,
    },

    /// A CSV delimiter that cannot separate cells.
    #[error(
        "CSV delimiter byte 0x{delimiter:02x} is invalid; use an ASCII character other than a \
         line break, such as b',', b';' or b'\\t'"
    )]
    CsvDelimiter {
        /// The delimiter byte.
        delimiter: u8,
    },

    /// A train/test split fraction outside (0, 1).
    #[error("test fraction {fraction} is invalid; use a value in (0, 1), for example 0.2")]
    SplitFraction {
        /// The fraction.
        fraction: f64,
    },

    /// A train/test split that would leave one side without samples.
    #[error(
        "splitting {samples} samples with test fraction {fraction} leaves the {side} set empty; \
         choose a fraction that puts at least one sample on each side"
    )]
    EmptySplit {
        /// `train` or `test`.
        side: &'static str,
        /// Samples in the data set.
        samples: usize,
        /// The fraction.
        fraction: f64,
    },
}

/// The runtime's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
