//! Fork-join of two independent pieces of work, for the catalogue import.
//!
//! A large import is CPU-bound and runs on a device with several cores:
//! hashing the package beside parsing it, compressing matter details beside
//! inserting provisions, building posting lists beside inserting index
//! rows. [`join`] runs one closure on a scoped thread and the other on the
//! caller's, so borrowed data needs no copying; the store connection (not
//! `Send`) always stays on the caller's thread. If no thread can be
//! started, both run on the caller's thread: slower, never wrong.

use std::sync::Mutex;

/// Runs `a` and `b` at the same time and returns both results. A panic in
/// `a` is re-raised on the caller's thread, exactly as if `a` had run there.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB,
    RA: Send,
{
    // Held in a slot so that the closure is still ours if spawning fails
    // (`spawn_scoped` consumes its argument either way).
    let slot = Mutex::new(Some(a));
    std::thread::scope(|s| {
        let spawned = std::thread::Builder::new()
            .name("zhifa-join".into())
            .spawn_scoped(s, || take(&slot).map(|a| a()));
        let rb = b();
        let ra = match spawned {
            Ok(handle) => match handle.join() {
                Ok(Some(ra)) => Some(ra),
                Ok(None) => None,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(_) => None,
        };
        // `None`: the thread never ran `a` (it could not be started), so it
        // is still in the slot; run it here.
        let ra = match ra {
            Some(ra) => ra,
            None => match take(&slot) {
                Some(a) => a(),
                // Unreachable: the slot is emptied only by the one thread
                // that then returns Some(result).
                None => unreachable_slot(),
            },
        };
        (ra, rb)
    })
}

fn take<A>(slot: &Mutex<Option<A>>) -> Option<A> {
    // A poisoned lock means the other side panicked while holding it, which
    // only `Option::take` does, and that cannot panic: take the value anyway.
    match slot.lock() {
        Ok(mut g) => g.take(),
        Err(poisoned) => poisoned.into_inner().take(),
    }
}

#[cold]
fn unreachable_slot() -> ! {
    // Invariant (see `join`): the closure is taken exactly once, and the
    // taker always produces the result.
    unreachable!("par::join: closure taken without a result")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_run_and_borrow_the_callers_data() {
        let data: Vec<u64> = (1..=1000).collect();
        let (a, b) = join(|| data.iter().sum::<u64>(), || data.iter().max().copied());
        assert_eq!(a, 500_500);
        assert_eq!(b, Some(1000));
    }

    #[test]
    fn the_two_sides_run_on_different_threads() {
        let (a, b) = join(
            || std::thread::current().id(),
            || std::thread::current().id(),
        );
        assert_ne!(a, b);
        assert_eq!(b, std::thread::current().id());
    }

    #[test]
    fn a_panic_in_the_worker_reaches_the_caller() {
        let r = std::panic::catch_unwind(|| join(|| panic!("boom"), || 1));
        assert!(r.is_err());
    }
}
