//! A persistent pool of worker threads for the layers' kernels.
//!
//! A training step runs many short parallel phases (a few microseconds to a
//! few milliseconds each), so the workers stay alive and spin briefly between
//! phases instead of being spawned per phase. After about 2 ms without work
//! they sleep on a condition variable. The calling thread always runs part 0
//! itself.
//!
//! Work is handed out as owned parts (views split with `split_at`), one per
//! thread, so the kernels stay in safe code. Only the job pointer crosses the
//! threads with its lifetime erased, and [`run_parts`] waits until every worker
//! has finished with it before returning.

use std::cell::UnsafeCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use arrayvec::ArrayVec;

use crate::threads::num_threads;

/// Most parts one phase is split into; more threads than this stay idle.
pub(crate) const MAX_PARTS: usize = 16;

/// How long an idle worker spins before it sleeps.
const SPIN: Duration = Duration::from_millis(2);

type Job = dyn Fn(usize) + Sync;

struct Pool {
    /// `epoch << 16 | parts`: bumped once per dispatched phase, and read in one
    /// load so a worker never pairs one phase's epoch with another's part count.
    state: AtomicU64,
    /// The current phase's job, valid while `remaining` > 0.
    job: UnsafeCell<Option<*const Job>>,
    remaining: AtomicUsize,
    panicked: AtomicBool,
    workers: AtomicUsize,
    sleepers: AtomicUsize,
    sleep_lock: Mutex<()>,
    wake: Condvar,
    /// Held by the thread that dispatches, so phases never overlap.
    dispatch: Mutex<()>,
}

// SAFETY: `job` is written only by the dispatching thread while it holds
// `dispatch` and no phase is running, and read by workers only after they
// observe the epoch bump that follows the write (release/acquire), until they
// decrement `remaining`, which the dispatcher waits for before returning.
unsafe impl Sync for Pool {}

// SAFETY: the raw job pointer is the only field that is not `Send`; see above.
unsafe impl Send for Pool {}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        state: AtomicU64::new(0),
        job: UnsafeCell::new(None),
        remaining: AtomicUsize::new(0),
        panicked: AtomicBool::new(false),
        workers: AtomicUsize::new(0),
        sleepers: AtomicUsize::new(0),
        sleep_lock: Mutex::new(()),
        wake: Condvar::new(),
        dispatch: Mutex::new(()),
    })
}

/// Number of parts a phase with `work` multiply-adds should be split into: the
/// thread count for large phases, 1 for phases too small to repay a dispatch.
pub(crate) fn parts_for(work: usize) -> usize {
    // About 50 µs of single-thread work at a few GFLOP/s; below it the handoff
    // costs more than the second core saves.
    const MIN_PARALLEL_WORK: usize = 1 << 17;
    if work < MIN_PARALLEL_WORK {
        1
    } else {
        num_threads().clamp(1, MAX_PARTS)
    }
}

/// Runs `task` once for every part, in parallel, and returns when all are done.
///
/// Part 0 runs on the calling thread. When another thread is already running a
/// phase (two networks trained from two threads), the parts run one after the
/// other on the caller instead.
pub(crate) fn run_parts<P: Send, F: Fn(P) + Sync>(parts: ArrayVec<P, MAX_PARTS>, task: F) {
    if parts.len() <= 1 {
        parts.into_iter().for_each(task);
        return;
    }
    let pool = pool();
    let Ok(_guard) = pool.dispatch.try_lock() else {
        parts.into_iter().for_each(task);
        return;
    };
    let cells: ArrayVec<Mutex<Option<P>>, MAX_PARTS> =
        parts.into_iter().map(|p| Mutex::new(Some(p))).collect();
    let job = |index: usize| {
        let part = cells[index].lock().ok().and_then(|mut cell| cell.take());
        if let Some(part) = part {
            task(part);
        }
    };
    pool.ensure_workers(cells.len() - 1);
    pool.dispatch_job(cells.len(), &job);
}

impl Pool {
    fn ensure_workers(&'static self, wanted: usize) {
        while self.workers.load(Ordering::Acquire) < wanted {
            let index = self.workers.fetch_add(1, Ordering::AcqRel) + 1;
            // The worker must treat the phase about to be dispatched as new, so it
            // starts from the state before it, not from whatever it reads later.
            let seen = self.state.load(Ordering::Acquire);
            let spawned = std::thread::Builder::new()
                .name(format!("nn-worker-{index}"))
                .spawn(move || self.work(index, seen));
            if spawned.is_err() {
                // Without the thread the parts above it run on the caller.
                self.workers.fetch_sub(1, Ordering::AcqRel);
                return;
            }
        }
    }

    fn dispatch_job(&self, parts: usize, job: &(dyn Fn(usize) + Sync + '_)) {
        let workers = self.workers.load(Ordering::Acquire);
        let handed_out = parts.min(workers + 1);
        // SAFETY: see the `Sync` impl; the erased lifetime ends before this
        // function returns because it waits for `remaining` to reach 0.
        let erased: *const Job =
            unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync + '_), &'static Job>(job) };
        unsafe { *self.job.get() = Some(erased) };
        self.remaining.store(handed_out - 1, Ordering::Relaxed);
        self.panicked.store(false, Ordering::Relaxed);
        let epoch = (self.state.load(Ordering::Relaxed) >> 16) + 1;
        self.state
            .store(epoch << 16 | handed_out as u64, Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            let _lock = self.sleep_lock.lock();
            self.wake.notify_all();
        }

        job(0);
        // Parts that no worker exists for run here.
        for index in handed_out..parts {
            job(index);
        }
        while self.remaining.load(Ordering::Acquire) > 0 {
            std::hint::spin_loop();
        }
        unsafe { *self.job.get() = None };
        if self.panicked.load(Ordering::Relaxed) {
            panic!("a worker thread of nn panicked while running a kernel");
        }
    }

    fn work(&self, index: usize, mut seen: u64) {
        loop {
            seen = self.wait_for_phase(seen);
            let parts = (seen & 0xFFFF) as usize;
            if index < parts {
                // SAFETY: the dispatcher set `job` before bumping the epoch and
                // keeps it alive until `remaining` reaches 0 below.
                if let Some(job) = unsafe { *self.job.get() } {
                    let job = unsafe { &*job };
                    if catch_unwind(AssertUnwindSafe(|| job(index))).is_err() {
                        self.panicked.store(true, Ordering::Relaxed);
                    }
                }
                self.remaining.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }

    /// Returns the new state once it differs from `seen`: spinning first, then sleeping.
    fn wait_for_phase(&self, seen: u64) -> u64 {
        let start = Instant::now();
        loop {
            for _ in 0..64 {
                let state = self.state.load(Ordering::Acquire);
                if state != seen {
                    return state;
                }
                std::hint::spin_loop();
            }
            if start.elapsed() > SPIN {
                break;
            }
        }
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        let mut lock = self.sleep_lock.lock().unwrap_or_else(|e| e.into_inner());
        let state = loop {
            let state = self.state.load(Ordering::SeqCst);
            if state != seen {
                break state;
            }
            lock = self.wake.wait(lock).unwrap_or_else(|e| e.into_inner());
        };
        drop(lock);
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
        state
    }
}

/// Splits `0..len` into `parts` consecutive ranges whose sizes differ by at most 1.
pub(crate) fn split_range(
    len: usize,
    parts: usize,
) -> impl Iterator<Item = std::ops::Range<usize>> {
    let parts = parts.max(1);
    (0..parts).map(move |p| (p * len / parts)..((p + 1) * len / parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn every_part_runs_once() {
        crate::threads::set_num_threads(4);
        for round in 0..200 {
            let counts: Vec<AtomicUsize> = (0..MAX_PARTS).map(|_| AtomicUsize::new(0)).collect();
            let parts: ArrayVec<usize, MAX_PARTS> = (0..(round % MAX_PARTS) + 1).collect();
            let n = parts.len();
            run_parts(parts, |p| {
                counts[p].fetch_add(1, Ordering::Relaxed);
            });
            for (p, count) in counts.iter().enumerate() {
                let expected = usize::from(p < n);
                assert_eq!(
                    count.load(Ordering::Relaxed),
                    expected,
                    "round {round}, part {p}"
                );
            }
        }
    }

    #[test]
    fn ranges_cover_everything() {
        let ranges: Vec<_> = split_range(10, 3).collect();
        assert_eq!(ranges, vec![0..3, 3..6, 6..10]);
        let ranges: Vec<_> = split_range(2, 4).collect();
        assert_eq!(ranges, vec![0..0, 0..1, 1..1, 1..2]);
    }
}
