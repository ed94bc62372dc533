//! Packed matrix product `C = A · B` or `C += A · B` whose packing buffers are
//! kept per thread, so that after a thread's first product of a given size no
//! call allocates.
//!
//! The loops block the product for the caches. A `KC × NC` block of B and an
//! `MC × KC` block of A are copied into contiguous panels. A micro-kernel then
//! multiplies one `MR`-row panel of A by one `NR`-column panel of B into an
//! `MR × NR` tile of C that stays in registers. The product runs on the calling
//! thread only, because the callers already run on the crate's thread pool.
//!
//! The micro-kernel is one generic loop, compiled once per instruction set with
//! `#[target_feature]` and chosen at run time: AVX-512, AVX2 with FMA, or the
//! baseline of the target.

use std::cell::RefCell;

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::scalar::Scalar;

/// Largest depth of a packed block. The depth is split into equal blocks of at
/// most this size, so 784 inputs make four blocks of 196 instead of three of 256
/// and a short one.
const KC: usize = 256;
/// Rows of A packed at once; an `MC × KC` block (144 KiB of f32) stays in L2.
/// On the W2 products at batch 256, on a 2-core AMD EPYC (Zen 4), 96 and 120
/// rows and KC of 128, 192 and 384 all came within 5% of this.
///
/// NOTE: at batch 64 the forward product (64×784 by 784×128) measured 61 to 79
/// GFLOP/s across runs of one build on that shared machine, against about 80
/// for `matrixmultiply` 0.3, so these sizes are not tuned for small batches.
const MC: usize = 144;
/// Columns of B packed at once; wider than every layer of the benchmarks, so B
/// is packed once per depth block.
const NC: usize = 1024;

/// Product of `a` `[m, k]` and `b` `[k, n]`, written into `c` `[m, n]`, or
/// added to it when `accumulate` is true.
///
/// # Panics
/// If the shapes do not match.
pub(crate) fn gemm<T: Scalar>(
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    c: ArrayViewMut2<'_, T>,
    accumulate: bool,
) {
    multiply(&select_kernel::<T>(), a, b, c, accumulate);
}

/// [`gemm`] with a given micro-kernel.
fn multiply<T: Scalar>(
    kernel: &Kernel<T>,
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    mut c: ArrayViewMut2<'_, T>,
    accumulate: bool,
) {
    let (m, k) = a.dim();
    let n = b.ncols();
    assert_eq!(b.nrows(), k, "inner dimensions of the product differ");
    assert_eq!(c.dim(), (m, n), "output shape of the product is wrong");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c.fill(T::zero());
        }
        return;
    }
    let operands = Operands {
        a: Matrix::of(&a),
        b: Matrix::of(&b),
        c: MatrixMut::of(&mut c),
        m,
        n,
        k,
        accumulate,
    };
    // SAFETY: the three matrices come from live views of the checked shapes, and
    // `c` is borrowed mutably, so it overlaps neither `a` nor `b`.
    unsafe { kernel.run(&operands) }
}

/// Pointer to element `[0, 0]` and the strides, in elements, of a view.
#[derive(Clone, Copy)]
struct Matrix<T> {
    ptr: *const T,
    row_stride: isize,
    col_stride: isize,
}

impl<T> Matrix<T> {
    fn of(view: &ArrayView2<'_, T>) -> Self {
        let strides = view.strides();
        Self {
            ptr: view.as_ptr(),
            row_stride: strides[0],
            col_stride: strides[1],
        }
    }

    /// # Safety
    /// `[row, col]` must lie inside the view this was made from.
    #[inline(always)]
    unsafe fn at(&self, row: usize, col: usize) -> *const T {
        let offset = row as isize * self.row_stride + col as isize * self.col_stride;
        // SAFETY: inside the view, per the contract.
        unsafe { self.ptr.offset(offset) }
    }
}

#[derive(Clone, Copy)]
struct MatrixMut<T> {
    ptr: *mut T,
    row_stride: isize,
    col_stride: isize,
}

impl<T> MatrixMut<T> {
    fn of(view: &mut ArrayViewMut2<'_, T>) -> Self {
        let strides = view.strides();
        let (row_stride, col_stride) = (strides[0], strides[1]);
        Self {
            ptr: view.as_mut_ptr(),
            row_stride,
            col_stride,
        }
    }
}

struct Operands<T> {
    a: Matrix<T>,
    b: Matrix<T>,
    c: MatrixMut<T>,
    m: usize,
    n: usize,
    k: usize,
    accumulate: bool,
}

/// One `MR × NR` tile of C computed from packed panels.
///
/// Arguments: depth, packed A panel (`depth × MR`), packed B panel
/// (`depth × NR`), the tile's first element, C's row and column strides, the
/// valid rows and columns of the tile, and whether to overwrite C instead of
/// adding to it.
type Tile<T> = unsafe fn(usize, *const T, *const T, *mut T, isize, isize, usize, usize, bool);

/// A micro-kernel with its tile size.
struct Kernel<T> {
    mr: usize,
    nr: usize,
    tile: Tile<T>,
}

/// Picks the micro-kernel for `T` and the running processor: the first of
/// [`available_kernels`], which lists the widest instruction set first.
fn select_kernel<T: Scalar>() -> Kernel<T> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return avx512_kernel();
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return avx2_kernel();
        }
    }
    baseline_kernel()
}

/// Lists every micro-kernel the running processor supports, the widest first.
#[cfg(test)]
fn available_kernels<T: Scalar>() -> Vec<(&'static str, Kernel<T>)> {
    let mut kernels = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            kernels.push(("avx512", avx512_kernel()));
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            kernels.push(("avx2", avx2_kernel()));
        }
    }
    kernels.push(("baseline", baseline_kernel()));
    kernels
}

/// A [`Kernel`] whose tile size is the one the tile function was compiled for.
macro_rules! kernel {
    ($tile:ident, $mr:literal x $nr:literal) => {
        Kernel {
            mr: $mr,
            nr: $nr,
            tile: $tile::<T, $mr, $nr>,
        }
    };
}

fn baseline_kernel<T: Scalar>() -> Kernel<T> {
    kernel!(baseline_tile, 4 x 8)
}

/// Tiles of 6 rows by two 512-bit registers per row: 12 accumulators, enough to
/// hide the FMA latency, with room left for the B row and the broadcast.
#[cfg(target_arch = "x86_64")]
fn avx512_kernel<T: Scalar>() -> Kernel<T> {
    if is_f32::<T>() {
        kernel!(avx512_tile, 6 x 32)
    } else {
        kernel!(avx512_tile, 6 x 16)
    }
}

/// As [`avx512_kernel`], with 256-bit registers.
#[cfg(target_arch = "x86_64")]
fn avx2_kernel<T: Scalar>() -> Kernel<T> {
    if is_f32::<T>() {
        kernel!(avx2_tile, 6 x 16)
    } else {
        kernel!(avx2_tile, 6 x 8)
    }
}

/// Returns whether `T` is `f32`. Its tiles have twice the columns of `f64`
/// tiles, so that both fill the same registers.
#[cfg(target_arch = "x86_64")]
fn is_f32<T: Scalar>() -> bool {
    std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>()
}

impl<T: Scalar> Kernel<T> {
    /// # Safety
    /// The operands must describe live, valid matrices, with `c` overlapping
    /// neither `a` nor `b`.
    unsafe fn run(&self, ops: &Operands<T>) {
        let (mr, nr) = (self.mr, self.nr);
        let nc_max = NC.min(ops.n.next_multiple_of(nr));
        let kc_max = ops.k.div_ceil(ops.k.div_ceil(KC));
        let mc_max = MC.min(ops.m.next_multiple_of(mr));
        PACKING.with(|packing| {
            let mut packing = packing.borrow_mut();
            let (packed_a, packed_b) =
                packing.split::<T>(mc_max.next_multiple_of(mr) * kc_max, nc_max * kc_max);
            for jc in (0..ops.n).step_by(NC) {
                let nc = NC.min(ops.n - jc);
                for pc in (0..ops.k).step_by(kc_max) {
                    let kc = kc_max.min(ops.k - pc);
                    let overwrite = pc == 0 && !ops.accumulate;
                    // SAFETY: the block lies inside B and the buffer holds
                    // `nc_max * kc_max` elements.
                    unsafe { pack(&ops.b.cols_block(pc, kc, jc, nc), nr, packed_b) };
                    for ic in (0..ops.m).step_by(MC) {
                        let mc = MC.min(ops.m - ic);
                        // SAFETY: as for B.
                        unsafe { pack(&ops.a.rows_block(ic, mc, pc, kc), mr, packed_a) };
                        for jr in (0..nc).step_by(nr) {
                            let cols = nr.min(nc - jr);
                            let b_panel = packed_b.wrapping_add(jr * kc);
                            for ir in (0..mc).step_by(mr) {
                                let rows = mr.min(mc - ir);
                                let c = ops.c;
                                let offset = (ic + ir) as isize * c.row_stride
                                    + (jc + jr) as isize * c.col_stride;
                                // SAFETY: both panels were packed above with zero
                                // padding to full tiles, and the tile's `rows ×
                                // cols` corner lies inside C.
                                unsafe {
                                    (self.tile)(
                                        kc,
                                        packed_a.add(ir * kc),
                                        b_panel,
                                        c.ptr.offset(offset),
                                        c.row_stride,
                                        c.col_stride,
                                        rows,
                                        cols,
                                        overwrite,
                                    )
                                }
                            }
                        }
                    }
                }
            }
        });
    }
}

/// A block of A or B seen as `lanes` strips of `depth` elements: rows of A or
/// columns of B, which the micro-kernel reads one step of depth at a time.
struct Block<T> {
    first: *const T,
    lanes: usize,
    depth: usize,
    lane_stride: isize,
    depth_stride: isize,
}

impl<T> Matrix<T> {
    /// Rows `rows..rows + height` and columns `cols..cols + depth` of A, one
    /// lane per row.
    ///
    /// # Safety
    /// The block must lie inside the matrix.
    unsafe fn rows_block(&self, rows: usize, height: usize, cols: usize, depth: usize) -> Block<T> {
        Block {
            // SAFETY: the block's first element is inside the matrix.
            first: unsafe { self.at(rows, cols) },
            lanes: height,
            depth,
            lane_stride: self.row_stride,
            depth_stride: self.col_stride,
        }
    }

    /// Rows `rows..rows + depth` and columns `cols..cols + width` of B, one
    /// lane per column.
    ///
    /// # Safety
    /// The block must lie inside the matrix.
    unsafe fn cols_block(&self, rows: usize, depth: usize, cols: usize, width: usize) -> Block<T> {
        Block {
            // SAFETY: the block's first element is inside the matrix.
            first: unsafe { self.at(rows, cols) },
            lanes: width,
            depth,
            lane_stride: self.col_stride,
            depth_stride: self.row_stride,
        }
    }
}

/// Copies `block` into panels of `width` lanes, each stored depth step by depth
/// step (`depth × width`), and pads the last panel with zero lanes.
///
/// # Safety
/// The block must lie inside its matrix, and `out` must hold
/// `block.lanes.next_multiple_of(width) * block.depth` elements.
unsafe fn pack<T: Scalar>(block: &Block<T>, width: usize, out: *mut T) {
    let depth = block.depth;
    for (panel, first_lane) in (0..block.lanes).step_by(width).enumerate() {
        let valid = width.min(block.lanes - first_lane);
        let panel_out = out.wrapping_add(panel * width * depth);
        let source = block
            .first
            .wrapping_offset(first_lane as isize * block.lane_stride);
        // SAFETY (all three branches): lane `l < valid` at depth `p < depth` is
        // inside the block, and `p * width + l < width * depth` is inside the panel.
        if block.lane_stride == 1 {
            // A depth step of the panel is contiguous in the source.
            for p in 0..depth {
                unsafe {
                    let from = source.offset(p as isize * block.depth_stride);
                    std::ptr::copy_nonoverlapping(from, panel_out.add(p * width), valid);
                }
            }
        } else if block.depth_stride == 1 {
            // A lane is contiguous in the source: read along it.
            for l in 0..valid {
                let lane = unsafe {
                    std::slice::from_raw_parts(source.offset(l as isize * block.lane_stride), depth)
                };
                for (p, &value) in lane.iter().enumerate() {
                    unsafe { *panel_out.add(p * width + l) = value };
                }
            }
        } else {
            for p in 0..depth {
                for l in 0..valid {
                    unsafe {
                        let offset =
                            l as isize * block.lane_stride + p as isize * block.depth_stride;
                        *panel_out.add(p * width + l) = *source.offset(offset);
                    }
                }
            }
        }
        if valid < width {
            for p in 0..depth {
                for l in valid..width {
                    // SAFETY: inside the panel.
                    unsafe { *panel_out.add(p * width + l) = T::zero() };
                }
            }
        }
    }
}

/// Computes one tile; see [`Tile`] for the arguments.
///
/// # Safety
/// `a` contains `depth × MR` and `b` `depth × NR` elements, and the `rows × cols`
/// corner of the tile at `c` with the given strides lies inside C.
#[inline(always)]
unsafe fn tile<T: Scalar, const MR: usize, const NR: usize, const FUSED: bool>(
    depth: usize,
    a: *const T,
    b: *const T,
    c: *mut T,
    row_stride: isize,
    col_stride: isize,
    rows: usize,
    cols: usize,
    overwrite: bool,
) {
    let mut sums = [[T::zero(); NR]; MR];
    for p in 0..depth {
        // SAFETY: step `p` lies inside the packed panels, per the contract. The
        // array reads are aligned for `T` because the buffers are 64-byte aligned
        // and every step starts at a multiple of MR or NR elements.
        let (a_row, b_row) = unsafe {
            (
                &*(a.add(p * MR) as *const [T; MR]),
                &*(b.add(p * NR) as *const [T; NR]),
            )
        };
        for i in 0..MR {
            for j in 0..NR {
                sums[i][j] = if FUSED {
                    a_row[i].mul_add(b_row[j], sums[i][j])
                } else {
                    sums[i][j] + a_row[i] * b_row[j]
                };
            }
        }
    }

    if rows == MR && cols == NR && col_stride == 1 {
        for (i, sums) in sums.iter().enumerate() {
            // SAFETY: a full tile lies inside C, per the contract.
            let row =
                unsafe { std::slice::from_raw_parts_mut(c.offset(i as isize * row_stride), NR) };
            if overwrite {
                row.copy_from_slice(sums);
            } else {
                for (out, &sum) in row.iter_mut().zip(sums) {
                    *out += sum;
                }
            }
        }
        return;
    }
    for i in 0..rows {
        for j in 0..cols {
            // SAFETY: `[i, j]` is in the valid corner, per the contract.
            unsafe {
                let out = c.offset(i as isize * row_stride + j as isize * col_stride);
                *out = if overwrite {
                    sums[i][j]
                } else {
                    *out + sums[i][j]
                };
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn avx512_tile<T: Scalar, const MR: usize, const NR: usize>(
    depth: usize,
    a: *const T,
    b: *const T,
    c: *mut T,
    row_stride: isize,
    col_stride: isize,
    rows: usize,
    cols: usize,
    overwrite: bool,
) {
    // SAFETY: forwarded contract; the caller checked that the CPU has AVX-512F.
    unsafe {
        tile::<T, MR, NR, true>(
            depth, a, b, c, row_stride, col_stride, rows, cols, overwrite,
        )
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_tile<T: Scalar, const MR: usize, const NR: usize>(
    depth: usize,
    a: *const T,
    b: *const T,
    c: *mut T,
    row_stride: isize,
    col_stride: isize,
    rows: usize,
    cols: usize,
    overwrite: bool,
) {
    // SAFETY: forwarded contract; the caller checked that the CPU has AVX2 and FMA.
    unsafe {
        tile::<T, MR, NR, true>(
            depth, a, b, c, row_stride, col_stride, rows, cols, overwrite,
        )
    }
}

/// Tile without fused multiply-add, which the baseline target may lack (a
/// software `fma` would be far slower than a separate multiply and add).
unsafe fn baseline_tile<T: Scalar, const MR: usize, const NR: usize>(
    depth: usize,
    a: *const T,
    b: *const T,
    c: *mut T,
    row_stride: isize,
    col_stride: isize,
    rows: usize,
    cols: usize,
    overwrite: bool,
) {
    // SAFETY: forwarded contract.
    unsafe {
        tile::<T, MR, NR, false>(
            depth, a, b, c, row_stride, col_stride, rows, cols, overwrite,
        )
    }
}

thread_local! {
    static PACKING: RefCell<PackingBuffer> = const { RefCell::new(PackingBuffer(Vec::new())) };
}

/// 64 bytes aligned to 64, the unit of the packing buffer, so every panel
/// starts on a cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct CacheLine([u8; 64]);

/// A thread's packing storage. It only grows, so a thread allocates again only
/// for a product with larger blocks than any before.
struct PackingBuffer(Vec<CacheLine>);

impl PackingBuffer {
    /// Splits the buffer into a region of `a_len` and one of `b_len` elements of
    /// `T`, both starting on a cache line, growing it first if needed.
    fn split<T: Scalar>(&mut self, a_len: usize, b_len: usize) -> (*mut T, *mut T) {
        let lines = |len: usize| (len * std::mem::size_of::<T>()).div_ceil(64);
        let needed = lines(a_len) + lines(b_len);
        if self.0.len() < needed {
            self.0 = vec![CacheLine([0; 64]); needed];
        }
        let base = self.0.as_mut_ptr();
        // `T` is `f32` or `f64` (`Scalar` is sealed), so any bytes are a valid
        // value and its alignment divides 64.
        (
            base.cast::<T>(),
            base.wrapping_add(lines(a_len)).cast::<T>(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{s, Array2, ShapeBuilder};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random<T: Scalar>(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> Array2<T> {
        Array2::from_shape_fn((rows, cols), |_| T::of(rng.random_range(-1.0..1.0)))
    }

    fn naive<T: Scalar>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Array2<f64> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            (0..a.ncols())
                .map(|p| a[(i, p)].as_f64() * b[(p, j)].as_f64())
                .sum()
        })
    }

    fn assert_close<T: Scalar>(found: ArrayView2<'_, T>, expected: &Array2<f64>, context: &str) {
        let tolerance = if std::mem::size_of::<T>() == 4 {
            1e-4
        } else {
            1e-12
        };
        for ((index, &value), &wanted) in found.indexed_iter().zip(expected) {
            let scale = 1.0 + wanted.abs();
            assert!(
                (value.as_f64() - wanted).abs() <= tolerance * scale * 30.0,
                "{context}: element {index:?} is {value}, expected {wanted}"
            );
        }
    }

    /// Shapes around the tile and block edges: below, at and past MR, NR, KC, MC.
    const SHAPES: [(usize, usize, usize); 9] = [
        (1, 1, 1),
        (5, 7, 3),
        (6, 32, 128),
        (7, 33, 129),
        (13, 17, 300),
        (96, 64, 128),
        (97, 65, 257),
        (200, 10, 512),
        (64, 1030, 20),
    ];

    fn check_shapes<T: Scalar>() {
        for (name, kernel) in available_kernels::<T>() {
            check_kernel(name, &kernel);
        }
    }

    fn check_kernel<T: Scalar>(name: &str, kernel: &Kernel<T>) {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for (m, n, k) in SHAPES {
            let a = random::<T>(&mut rng, m, k);
            let b = random::<T>(&mut rng, k, n);
            let expected = naive(a.view(), b.view());

            let mut c = random::<T>(&mut rng, m, n);
            multiply(kernel, a.view(), b.view(), c.view_mut(), false);
            assert_close(c.view(), &expected, &format!("{name}: {m}x{k} by {k}x{n}"));

            // Transposed operands, as the layers pass them: A = Δᵀ, B = Wᵀ.
            let a_t = a.t().to_owned();
            let b_t = b.t().to_owned();
            let mut c = Array2::zeros((m, n));
            multiply(kernel, a_t.t(), b_t.t(), c.view_mut(), false);
            assert_close(
                c.view(),
                &expected,
                &format!("{name}: {m}x{k} by {k}x{n}, transposed"),
            );

            // Column-major output and accumulation into a sliced view.
            let start = random::<T>(&mut rng, m, n);
            let mut wide = Array2::zeros((m, n + 3).f());
            wide.slice_mut(s![.., 2..n + 2]).assign(&start);
            multiply(
                kernel,
                a.view(),
                b.view(),
                wide.slice_mut(s![.., 2..n + 2]),
                true,
            );
            let expected_sum = &expected + &start.mapv(|v| v.as_f64());
            assert_close(
                wide.slice(s![.., 2..n + 2]),
                &expected_sum,
                &format!("{name}: {m}x{k} by {k}x{n}, accumulated"),
            );
        }
    }

    #[test]
    fn products_match_naive_f32() {
        check_shapes::<f32>();
    }

    #[test]
    fn products_match_naive_f64() {
        check_shapes::<f64>();
    }

    #[test]
    fn empty_depth_zeroes_or_keeps_output() {
        let a = Array2::<f32>::zeros((3, 0));
        let b = Array2::<f32>::zeros((0, 4));
        let mut c = Array2::<f32>::ones((3, 4));
        gemm(a.view(), b.view(), c.view_mut(), true);
        assert!(c.iter().all(|&v| v == 1.0));
        gemm(a.view(), b.view(), c.view_mut(), false);
        assert!(c.iter().all(|&v| v == 0.0));
    }
}
