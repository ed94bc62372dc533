//! Mask constructors build the live sets their docs describe, and reject bad
//! input with the error variant that names the values at fault.

use nn_core::activation::{Identity, Tanh};
use nn_core::ndarray::{array, Array2};
use nn_core::optim::{Adam, Sgd};
use nn_core::{Dense, DenseGroup, Error, Mask};

/// Lists the live `(output, input)` pairs of a mask, row by row.
fn live_pairs(mask: &Mask) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for output in 0..mask.outputs() {
        for input in 0..mask.inputs() {
            if mask.is_live(output, input) {
                pairs.push((output, input));
            }
        }
    }
    pairs
}

#[test]
fn full_keeps_every_connection() {
    let mask = Mask::full(2, 3);

    assert_eq!(mask.outputs(), 2);
    assert_eq!(mask.inputs(), 3);
    assert_eq!(mask.live_count(), 6);
    assert_eq!(mask.density(), 1.0);
    assert!(mask.as_array().iter().all(|&live| live));
}

#[test]
fn from_bools_keeps_true_entries() {
    let mask = Mask::from_bools(array![[true, false], [false, true], [true, true]]);

    assert_eq!(live_pairs(&mask), [(0, 0), (1, 1), (2, 0), (2, 1)]);
    assert_eq!(mask.outputs(), 3);
    assert_eq!(mask.inputs(), 2);
}

#[test]
fn from_matrix_reads_zero_one_entries() {
    let from_f64 = Mask::from_matrix(array![[1.0_f64, 0.0, 1.0], [0.0, 0.0, 1.0]].view()).unwrap();
    let from_f32 = Mask::from_matrix(array![[1.0_f32, 0.0, 1.0], [0.0, 0.0, 1.0]].view()).unwrap();
    let from_i32 = Mask::from_matrix(array![[1_i32, 0, 1], [0, 0, 1]].view()).unwrap();

    assert_eq!(live_pairs(&from_f64), [(0, 0), (0, 2), (1, 2)]);
    assert_eq!(from_f32, from_f64);
    assert_eq!(from_i32, from_f64);
}

#[test]
fn from_matrix_rejects_fractional_entry() {
    let error = Mask::from_matrix(array![[1.0_f64, 0.5], [0.0, 1.0]].view()).unwrap_err();

    assert_eq!(
        error,
        Error::MaskEntry {
            row: 0,
            col: 1,
            value: 0.5
        }
    );
}

#[test]
fn from_matrix_rejects_nan_and_two() {
    let nan = Mask::from_matrix(array![[1.0_f64, 0.0], [f64::NAN, 1.0]].view()).unwrap_err();
    let two = Mask::from_matrix(array![[1_i32, 2], [0, 1]].view()).unwrap_err();

    // NaN never compares equal, so the variant is matched field by field.
    match nan {
        Error::MaskEntry { row, col, value } => {
            assert_eq!((row, col), (1, 0));
            assert!(value.is_nan(), "value {value} is not NaN");
        }
        other => panic!("expected Error::MaskEntry, got {other:?}"),
    }
    assert_eq!(
        two,
        Error::MaskEntry {
            row: 0,
            col: 1,
            value: 2.0
        }
    );
}

#[test]
fn from_rows_reads_literal_rows() {
    let mask = Mask::from_rows(&[[1_u8, 0, 0, 1], [0, 1, 1, 0]]).unwrap();

    assert_eq!(live_pairs(&mask), [(0, 0), (0, 3), (1, 1), (1, 2)]);
    assert_eq!(mask.outputs(), 2);
    assert_eq!(mask.inputs(), 4);
}

#[test]
fn from_rows_accepts_vec_rows() {
    let rows: Vec<Vec<u8>> = vec![vec![0, 1], vec![1, 1]];
    let mask = Mask::from_rows(&rows).unwrap();

    assert_eq!(live_pairs(&mask), [(0, 1), (1, 0), (1, 1)]);
}

#[test]
fn from_rows_rejects_ragged_rows() {
    let rows: Vec<Vec<u8>> = vec![vec![1, 0, 1], vec![1, 1, 1], vec![1, 0]];

    assert_eq!(
        Mask::from_rows(&rows).unwrap_err(),
        Error::MaskRagged {
            row: 2,
            expected: 3,
            found: 2
        }
    );
}

#[test]
fn from_rows_rejects_entry_two() {
    let error = Mask::from_rows(&[[1_u8, 0], [0, 2]]).unwrap_err();

    assert_eq!(
        error,
        Error::MaskEntry {
            row: 1,
            col: 1,
            value: 2.0
        }
    );
}

#[test]
fn cut_removes_listed_pairs() {
    let mask = Mask::cut(2, 3, &[(0, 1), (1, 2)]).unwrap();

    assert_eq!(live_pairs(&mask), [(0, 0), (0, 2), (1, 0), (1, 1)]);
}

#[test]
fn cut_tolerates_repeated_pair() {
    let mask = Mask::cut(2, 2, &[(1, 0), (1, 0)]).unwrap();

    assert_eq!(live_pairs(&mask), [(0, 0), (0, 1), (1, 1)]);
}

#[test]
fn keep_retains_listed_pairs_only() {
    let mask = Mask::keep(3, 2, &[(2, 1), (0, 0)]).unwrap();

    assert_eq!(live_pairs(&mask), [(0, 0), (2, 1)]);
    assert_eq!(mask.live_count(), 2);
}

#[test]
fn cut_rejects_output_out_of_range() {
    assert_eq!(
        Mask::cut(2, 3, &[(0, 0), (2, 1)]).unwrap_err(),
        Error::MaskIndex {
            output: 2,
            input: 1,
            outputs: 2,
            inputs: 3
        }
    );
}

#[test]
fn cut_rejects_input_out_of_range() {
    assert_eq!(
        Mask::cut(2, 3, &[(1, 3)]).unwrap_err(),
        Error::MaskIndex {
            output: 1,
            input: 3,
            outputs: 2,
            inputs: 3
        }
    );
}

#[test]
fn keep_rejects_pair_out_of_range() {
    assert_eq!(
        Mask::keep(4, 2, &[(3, 1), (4, 0)]).unwrap_err(),
        Error::MaskIndex {
            output: 4,
            input: 0,
            outputs: 4,
            inputs: 2
        }
    );
    assert_eq!(
        Mask::keep(4, 2, &[(0, 2)]).unwrap_err(),
        Error::MaskIndex {
            output: 0,
            input: 2,
            outputs: 4,
            inputs: 2
        }
    );
}

#[test]
fn random_keeps_rounded_count() {
    for (outputs, inputs) in [(1, 1), (3, 7), (10, 10), (16, 5)] {
        let total = outputs * inputs;
        for density in [0.1, 0.25, 0.33, 0.5, 0.7, 0.95, 1.0] {
            let mask = Mask::random(outputs, inputs, density, 42).unwrap();
            let expected = ((density * total as f64).round() as usize).max(1);

            assert_eq!(
                mask.live_count(),
                expected,
                "{outputs}x{inputs} mask at density {density}"
            );
            assert_eq!(mask.outputs(), outputs);
            assert_eq!(mask.inputs(), inputs);
        }
    }
}

#[test]
fn random_tiny_density_keeps_one() {
    let mask = Mask::random(10, 10, 1e-6, 3).unwrap();

    assert_eq!(mask.live_count(), 1);
}

#[test]
fn random_same_seed_same_mask() {
    let first = Mask::random(8, 9, 0.4, 17).unwrap();
    let second = Mask::random(8, 9, 0.4, 17).unwrap();

    assert_eq!(first, second);
}

#[test]
fn random_other_seed_other_mask() {
    let first = Mask::random(8, 9, 0.4, 17).unwrap();
    let second = Mask::random(8, 9, 0.4, 18).unwrap();

    assert_ne!(first, second);
    assert_eq!(first.live_count(), second.live_count());
}

#[test]
fn random_covers_every_position() {
    // Over 400 seeds at density 0.5, each of the 16 positions is live about 200
    // times (binomial, σ = 10). The range 140..=260 is ±6σ, and the seeds are
    // fixed, so the check cannot flake.
    let mut hits = Array2::<usize>::zeros((4, 4));
    for seed in 0..400 {
        let mask = Mask::random(4, 4, 0.5, seed).unwrap();
        for ((output, input), &live) in mask.as_array().indexed_iter() {
            if live {
                hits[(output, input)] += 1;
            }
        }
    }

    for ((output, input), &count) in hits.indexed_iter() {
        assert!(
            (140..=260).contains(&count),
            "position ({output}, {input}) was live in {count} of 400 masks"
        );
    }
}

#[test]
fn random_rejects_invalid_density() {
    for density in [0.0, -0.0, -0.5, 1.0 + 1e-12, 2.0, f64::INFINITY] {
        assert_eq!(
            Mask::random(3, 3, density, 0).unwrap_err(),
            Error::MaskDensity { density },
            "density {density}"
        );
    }
}

#[test]
fn random_rejects_nan_density() {
    match Mask::random(3, 3, f64::NAN, 0) {
        Err(Error::MaskDensity { density }) => {
            assert!(density.is_nan(), "density {density} is not NaN")
        }
        other => panic!("expected Error::MaskDensity, got {other:?}"),
    }
}

#[test]
fn block_diagonal_square_blocks() {
    let mask = Mask::block_diagonal(4, 4, 2).unwrap();

    assert_eq!(
        live_pairs(&mask),
        [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (2, 2),
            (2, 3),
            (3, 2),
            (3, 3)
        ]
    );
}

#[test]
fn block_diagonal_rectangular_blocks() {
    // Two blocks of 2 outputs x 3 inputs.
    let wide = Mask::block_diagonal(4, 6, 2).unwrap();
    // Three blocks of 2 outputs x 1 input.
    let tall = Mask::block_diagonal(6, 3, 3).unwrap();

    assert_eq!(
        live_pairs(&wide),
        [
            (0, 0),
            (0, 1),
            (0, 2),
            (1, 0),
            (1, 1),
            (1, 2),
            (2, 3),
            (2, 4),
            (2, 5),
            (3, 3),
            (3, 4),
            (3, 5)
        ]
    );
    assert_eq!(
        live_pairs(&tall),
        [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (5, 2)]
    );
}

#[test]
fn block_diagonal_one_block_is_full() {
    assert_eq!(Mask::block_diagonal(3, 5, 1).unwrap(), Mask::full(3, 5));
}

#[test]
fn block_diagonal_rejects_zero_blocks() {
    assert_eq!(
        Mask::block_diagonal(4, 4, 0).unwrap_err(),
        Error::MaskBlocks {
            blocks: 0,
            outputs: 4,
            inputs: 4
        }
    );
}

#[test]
fn block_diagonal_rejects_non_divisor() {
    // 3 divides the 6 inputs but not the 4 outputs, 4 divides the outputs but
    // not the inputs, and 5 divides neither.
    for blocks in [3, 4, 5] {
        assert_eq!(
            Mask::block_diagonal(4, 6, blocks).unwrap_err(),
            Error::MaskBlocks {
                blocks,
                outputs: 4,
                inputs: 6
            },
            "blocks = {blocks}"
        );
    }
}

#[test]
fn banded_square_tridiagonal() {
    let mask = Mask::banded(4, 4, 1);

    assert_eq!(
        live_pairs(&mask),
        [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (1, 2),
            (2, 1),
            (2, 2),
            (2, 3),
            (3, 2),
            (3, 3)
        ]
    );
}

#[test]
fn banded_zero_width_is_diagonal() {
    let mask = Mask::banded(3, 3, 0);

    assert_eq!(live_pairs(&mask), [(0, 0), (1, 1), (2, 2)]);
}

#[test]
fn banded_wide_rectangle() {
    // c(o) = ⌊o·6/2⌋ = 3o, so output 0 is centred on input 0 and output 1 on input 3.
    let mask = Mask::banded(2, 6, 1);

    assert_eq!(live_pairs(&mask), [(0, 0), (0, 1), (1, 2), (1, 3), (1, 4)]);
}

#[test]
fn banded_tall_rectangle() {
    // c(o) = ⌊o·2/6⌋, so outputs 0..3 are centred on input 0 and 3..6 on input 1.
    let mask = Mask::banded(6, 2, 0);

    assert_eq!(
        live_pairs(&mask),
        [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 1)]
    );
}

#[test]
fn banded_wide_band_is_full() {
    assert_eq!(Mask::banded(3, 4, 4), Mask::full(3, 4));
}

#[test]
fn is_live_out_of_range_false() {
    let mask = Mask::full(2, 2);

    assert!(!mask.is_live(2, 0));
    assert!(!mask.is_live(0, 2));
}

#[test]
fn with_mask_splits_rows_by_group() {
    let mask =
        Mask::from_rows(&[[1_u8, 0, 1], [1, 1, 1], [0, 0, 1], [0, 1, 0], [1, 1, 0]]).unwrap();
    let layer = Dense::<f64, _>::new(
        "hidden",
        3,
        (
            DenseGroup::new(2, Tanh, Adam::new(1e-3)),
            DenseGroup::new(3, Identity, Sgd::new(0.1)),
        ),
        9,
    )
    .unwrap()
    .with_mask(mask)
    .unwrap();

    let first = layer.0.mask().unwrap();
    let second = layer.1.mask().unwrap();
    assert_eq!(live_pairs(first), [(0, 0), (0, 2), (1, 0), (1, 1), (1, 2)]);
    assert_eq!(live_pairs(second), [(0, 2), (1, 1), (2, 0), (2, 1)]);
    assert_eq!(layer.0.live_connections(), 5);
    assert_eq!(layer.1.live_connections(), 4);
    assert_eq!(layer.0.weight()[(0, 1)].to_bits(), 0.0_f64.to_bits());
    assert_eq!(layer.1.weight()[(0, 0)].to_bits(), 0.0_f64.to_bits());
    assert_eq!(layer.1.weight()[(2, 2)].to_bits(), 0.0_f64.to_bits());
}

#[test]
fn with_mask_rejects_wrong_shape() {
    let layer = Dense::<f32, _>::new(
        "hidden",
        4,
        (
            DenseGroup::new(2, Tanh, Sgd::new(0.1)),
            DenseGroup::new(1, Identity, Sgd::new(0.1)),
        ),
        0,
    )
    .unwrap();

    let error = layer.with_mask(Mask::full(4, 3)).unwrap_err();

    assert_eq!(
        error,
        Error::MaskShape {
            layer: "hidden".to_owned(),
            rows: 3,
            cols: 4,
            found_rows: 4,
            found_cols: 3
        }
    );
    let message = error.to_string();
    assert!(message.contains("`hidden`"), "{message}");
    assert!(message.contains("4x3"), "{message}");
    assert!(message.contains("build a 3x4 mask"), "{message}");
}

#[test]
fn mask_errors_name_values_and_fix() {
    let entry = Mask::from_rows(&[[1_u8, 5]]).unwrap_err().to_string();
    let ragged = Mask::from_rows(&[vec![1_u8, 0], vec![1]])
        .unwrap_err()
        .to_string();
    let index = Mask::cut(2, 3, &[(2, 0)]).unwrap_err().to_string();
    let density = Mask::random(2, 2, 1.5, 0).unwrap_err().to_string();
    let blocks = Mask::block_diagonal(4, 6, 4).unwrap_err().to_string();

    assert!(entry.contains("entry 5 at row 0, column 1"), "{entry}");
    assert!(entry.contains("use 0 to remove"), "{entry}");
    assert!(ragged.contains("row 1 has 1 entries"), "{ragged}");
    assert!(ragged.contains("row 0 has 2"), "{ragged}");
    assert!(index.contains("(2, 0)"), "{index}");
    assert!(index.contains("use output < 2 and input < 3"), "{index}");
    assert!(density.contains("1.5"), "{density}");
    assert!(density.contains("(0, 1]"), "{density}");
    assert!(blocks.contains("blocks = 4"), "{blocks}");
    assert!(blocks.contains("4 outputs"), "{blocks}");
    assert!(blocks.contains("6 inputs"), "{blocks}");
}
