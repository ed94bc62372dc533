//! After warm-up, a training step performs no heap allocation.
//!
//! This binary installs a counting global allocator. The count is global, not
//! per thread, so allocations made by the kernel pool's worker threads are
//! caught too. For that to be exact, the binary contains a single test: no other
//! test thread runs while the counter is armed. The test must also finish within
//! 60 s, because the harness allocates when it reports a slow test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use nn::ndarray::Array2;
use nn::{network, train_step, Network, Targets};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The system allocator, counting calls while [`ARMED`] is set.
struct CountingAllocator;

static ARMED: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static REALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static DEALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn count(counter: &AtomicUsize) {
    if ARMED.load(Ordering::SeqCst) {
        counter.fetch_add(1, Ordering::SeqCst);
    }
}

// SAFETY: every call is forwarded unchanged to `System`; counting touches only
// atomics, which never allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(&ALLOCATIONS);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(&ALLOCATIONS);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(&REALLOCATIONS);
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(&DEALLOCATIONS);
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Heap calls counted between [`arm`] and [`disarm`].
#[derive(Debug, Default, PartialEq)]
struct HeapCalls {
    allocations: usize,
    reallocations: usize,
    deallocations: usize,
}

fn arm() {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    REALLOCATIONS.store(0, Ordering::SeqCst);
    DEALLOCATIONS.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
}

fn disarm() -> HeapCalls {
    ARMED.store(false, Ordering::SeqCst);
    HeapCalls {
        allocations: ALLOCATIONS.load(Ordering::SeqCst),
        reallocations: REALLOCATIONS.load(Ordering::SeqCst),
        deallocations: DEALLOCATIONS.load(Ordering::SeqCst),
    }
}

// W1 and W2 as defined in benches/workloads.rs.
network! {
    struct W1 {
        input: 10,
        hidden: dense(10 -> 5: relu @ adam(lr = 1e-3), 5: sigmoid @ sgd(lr = 1e-2, momentum = 0.9))
                mask random(density = 0.7, seed = 1234),
        output: dense(10 -> 1: identity) optim adam(lr = 1e-3),
        loss: mse,
    }
}

network! {
    struct W2 {
        input: 784,
        hidden: dense(784 -> 256: relu @ adam(lr = 1e-3), 128: tanh @ sgd(lr = 5e-2, momentum = 0.9),
                      128: sigmoid @ frozen)
                mask random(density = 0.5, seed = 1234),
        output: dense(512 -> 10: identity) optim adam(lr = 1e-3),
        loss: softmax_cross_entropy,
    }
}

/// Batch sizes of the check: the small-batch path (1) and the GEMM path (64, 256).
const BATCHES: [usize; 3] = [1, 64, 256];

/// Inputs and targets of one batch, generated before the counter is armed.
struct Batch {
    input: Array2<f32>,
    classes: Vec<usize>,
    values: Array2<f32>,
}

impl Batch {
    fn new(rng: &mut ChaCha8Rng, batch: usize, inputs: usize, outputs: usize) -> Self {
        Self {
            input: Array2::from_shape_fn((batch, inputs), |_| rng.random_range(-1.0..1.0)),
            classes: (0..batch).map(|_| rng.random_range(0..outputs)).collect(),
            values: Array2::from_shape_fn((batch, outputs), |_| rng.random_range(-1.0..1.0)),
        }
    }
}

/// Runs warm-up steps at every batch size, then counts the heap calls of one
/// more step at each size, largest first, so a buffer sized for the last
/// batch would have to grow again.
fn heap_calls_after_warm_up<N: Network<f32>>(
    network: &mut N,
    inputs: usize,
    outputs: usize,
    by_class: bool,
) -> HeapCalls {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let batches: Vec<Batch> = BATCHES
        .iter()
        .map(|&batch| Batch::new(&mut rng, batch, inputs, outputs))
        .collect();
    let step = |network: &mut N, batch: &Batch| {
        let targets = if by_class {
            Targets::Classes(&batch.classes)
        } else {
            Targets::Values(batch.values.view())
        };
        let loss = train_step(network, batch.input.view(), &targets).expect("train_step failed");
        assert!(loss.is_finite(), "loss is {loss}");
    };

    // One step per size is enough: every buffer has then reached its largest size.
    for batch in &batches {
        step(network, batch);
    }

    arm();
    for batch in batches.iter().rev() {
        step(network, batch);
    }
    step(network, &batches[1]);
    disarm()
}

#[test]
fn train_step_allocates_nothing_after_warm_up() {
    for threads in [1, 2] {
        nn::set_num_threads(threads);

        let calls = heap_calls_after_warm_up(&mut W1::new(1), 10, 1, false);
        assert_eq!(calls, HeapCalls::default(), "W1 with {threads} threads");

        let calls = heap_calls_after_warm_up(&mut W2::new(1), 784, 10, true);
        assert_eq!(calls, HeapCalls::default(), "W2 with {threads} threads");
    }
    nn::set_num_threads(0);
}
