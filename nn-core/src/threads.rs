//! How many threads the layers' kernels use.
//!
//! The default is the number of cores (`std::thread::available_parallelism`),
//! or the value of the `NN_NUM_THREADS` environment variable when it is set to
//! a positive integer. [`set_num_threads`] overrides both for the process.

use std::sync::atomic::{AtomicUsize, Ordering};

/// 0 until the first read or write, so the environment is read lazily.
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Threads the kernels use, at least 1.
pub fn num_threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => {
            let threads = default_threads();
            THREADS.store(threads, Ordering::Relaxed);
            threads
        }
        n => n,
    }
}

/// Sets the threads the kernels use; 0 restores the default.
pub fn set_num_threads(threads: usize) {
    let threads = if threads == 0 {
        default_threads()
    } else {
        threads
    };
    THREADS.store(threads, Ordering::Relaxed);
}

fn default_threads() -> usize {
    std::env::var("NN_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
