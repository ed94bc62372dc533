//! The three matrix products of a dense layer, with a direct path for small
//! batches.
//!
//! With a batch of a few samples, a general matrix product spends most of its
//! time packing the weight matrix, so up to [`SMALL_BATCH`] samples the
//! products run as dot products and `axpy` loops over the contiguous weight
//! rows instead. Larger batches go through the packed GEMM of [`gemm`], which
//! reuses per-thread packing buffers, so a training step allocates nothing once
//! every thread has seen the step's largest product.

mod gemm;

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Zip};

use crate::scalar::Scalar;

/// Largest batch that takes the dot-product path; measured on W2-sized layers,
/// where GEMM overtakes the direct loops between 4 and 8 samples.
///
/// NOTE: measured against `matrixmultiply`, before [`gemm`] replaced it; the
/// crossover has not been measured again.
pub(crate) const SMALL_BATCH: usize = 4;

/// out = x · wᵀ + b, with x `[batch, inputs]`, w `[rows, inputs]`, b `[rows]`,
/// out `[batch, rows]`.
pub(crate) fn affine<T: Scalar>(
    x: ArrayView2<'_, T>,
    w: ArrayView2<'_, T>,
    b: ArrayView1<'_, T>,
    mut out: ArrayViewMut2<'_, T>,
) {
    if x.nrows() <= SMALL_BATCH {
        if let Some(()) = affine_small(x, w, b, out.view_mut()) {
            return;
        }
    }
    gemm::gemm(x, w.t(), out.view_mut(), false);
    for mut row in out.rows_mut() {
        row += &b;
    }
}

fn affine_small<T: Scalar>(
    x: ArrayView2<'_, T>,
    w: ArrayView2<'_, T>,
    b: ArrayView1<'_, T>,
    mut out: ArrayViewMut2<'_, T>,
) -> Option<()> {
    for (x_row, mut out_row) in x.rows().into_iter().zip(out.rows_mut()) {
        let x_row = x_row.to_slice()?;
        for ((o, w_row), &bias) in w.rows().into_iter().enumerate().zip(&b) {
            out_row[o] = dot(x_row, w_row.to_slice()?) + bias;
        }
    }
    Some(())
}

/// dw = deltaᵀ · x, with delta `[batch, rows]`, x `[batch, inputs]`, dw `[rows, inputs]`.
pub(crate) fn weight_grad<T: Scalar>(
    delta: ArrayView2<'_, T>,
    x: ArrayView2<'_, T>,
    mut dw: ArrayViewMut2<'_, T>,
) {
    if x.nrows() <= SMALL_BATCH && x.rows().into_iter().all(|r| r.as_slice().is_some()) {
        for (o, mut dw_row) in dw.rows_mut().into_iter().enumerate() {
            dw_row.fill(T::zero());
            for (x_row, d_row) in x.rows().into_iter().zip(delta.rows()) {
                axpy(d_row[o], x_row, dw_row.view_mut());
            }
        }
        return;
    }
    gemm::gemm(delta.t(), x, dw, false);
}

/// dx = delta · w, or dx += delta · w when `accumulate`, with delta `[batch, rows]`,
/// w `[rows, columns]`, dx `[batch, columns]`.
pub(crate) fn input_grad<T: Scalar>(
    delta: ArrayView2<'_, T>,
    w: ArrayView2<'_, T>,
    mut dx: ArrayViewMut2<'_, T>,
    accumulate: bool,
) {
    if delta.nrows() <= SMALL_BATCH {
        for (d_row, mut dx_row) in delta.rows().into_iter().zip(dx.rows_mut()) {
            if !accumulate {
                dx_row.fill(T::zero());
            }
            for (&d, w_row) in d_row.iter().zip(w.rows()) {
                axpy(d, w_row, dx_row.view_mut());
            }
        }
        return;
    }
    gemm::gemm(delta, w, dx, accumulate);
}

/// y += a · x.
#[inline]
fn axpy<T: Scalar>(a: T, x: ArrayView1<'_, T>, mut y: ArrayViewMut1<'_, T>) {
    if a == T::zero() {
        return;
    }
    match (x.as_slice(), y.as_slice_mut()) {
        (Some(x), Some(y)) => {
            for (y, &x) in y.iter_mut().zip(x) {
                *y += a * x;
            }
        }
        _ => Zip::from(y).and(x).for_each(|y, &x| *y += a * x),
    }
}

/// Dot product with sixteen independent sums, so the compiler can keep them in
/// vector registers (it may not reorder a single floating-point sum).
#[inline]
pub(crate) fn dot<T: Scalar>(a: &[T], b: &[T]) -> T {
    const LANES: usize = 16;
    let mut sums = [T::zero(); LANES];
    let chunks = a.len() / LANES * LANES;
    for (ca, cb) in a[..chunks]
        .chunks_exact(LANES)
        .zip(b[..chunks].chunks_exact(LANES))
    {
        for i in 0..LANES {
            sums[i] += ca[i] * cb[i];
        }
    }
    let mut total = T::zero();
    for s in sums {
        total += s;
    }
    for (&x, &y) in a[chunks..].iter().zip(&b[chunks..]) {
        total += x * y;
    }
    total
}
