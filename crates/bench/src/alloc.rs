//! A counting global allocator: live bytes and the peak since the last reset, for "memory that does not grow with runs".
//!
//! The counters are the calling thread's (plain thread-local cells, no atomic instructions, so
//! counting costs a few loads and stores per allocation): the runners are single-threaded.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
}

/// The system allocator, counted. A runner installs it with
/// `#[global_allocator] static A: bench::alloc::Counting = bench::alloc::Counting;`.
pub struct Counting;

fn grew(bytes: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get().wrapping_add(bytes);
        live.set(now);
        let _ = PEAK.try_with(|peak| {
            if now > peak.get() {
                peak.set(now);
            }
        });
    });
}

fn shrank(bytes: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().wrapping_sub(bytes)));
}

fn mark_installed() {
    let _ = INSTALLED.try_with(|i| i.set(true));
}

// SAFETY: every call is forwarded to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        mark_installed();
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        mark_installed();
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

/// Whether the counting allocator is the global one (otherwise every count reads 0).
pub fn installed() -> bool {
    INSTALLED.try_with(Cell::get).unwrap_or(false)
}

/// Bytes allocated and not freed.
pub fn live() -> usize {
    LIVE.try_with(Cell::get).unwrap_or(0)
}

/// The most bytes live at once since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.try_with(Cell::get).unwrap_or(0)
}

/// Starts a new peak measurement from what is live now.
pub fn reset_peak() {
    let now = live();
    let _ = PEAK.try_with(|p| p.set(now));
}

/// Bytes as the report prints them (`12.3 MiB`, `456.7 KiB`, `89 B`).
pub fn human(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    } else if bytes >= 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{bytes:.0} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(human(89.0), "89 B");
        assert_eq!(human(2048.0), "2.0 KiB");
        assert_eq!(human(3.5 * 1024.0 * 1024.0), "3.5 MiB");
    }
}
