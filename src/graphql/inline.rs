//! Running a query on the async worker that read its request, instead of on an executor thread.
//!
//! Handing an operation to the executor threads and its answer back costs two thread wake-ups,
//! more than executing a query whose data the request already carries (`viewer` once the
//! session is cached). So a query whose document is already read and validated runs inline. A
//! resolver that needs the store cannot block an async worker: [`Context::wait`] refuses there
//! and marks the attempt, whose answer is then dropped and the operations run again on an
//! executor thread. Queries do not write, so running one twice changes nothing.
//!
//! [`Context::wait`]: crate::graphql::context::Context::wait

use std::cell::Cell;

thread_local! {
    static NEEDS_EXECUTOR: Cell<bool> = const { Cell::new(false) };
}

/// A resolver of the current inline attempt needs to block.
pub fn needs_executor() {
    NEEDS_EXECUTOR.with(|n| n.set(true));
}

/// Run `f` inline: `None` if a resolver needed to block (its result is meaningless then), or
/// if it panicked (the executor thread runs it again, and reports the panic as it does).
pub fn attempt<R>(f: impl FnOnce() -> R) -> Option<R> {
    NEEDS_EXECUTOR.with(|n| n.set(false));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    if NEEDS_EXECUTOR.with(|n| n.replace(false)) {
        return None;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attempt_that_needed_to_block_has_no_answer() {
        assert_eq!(attempt(|| 1), Some(1));
        assert_eq!(
            attempt(|| {
                needs_executor();
                2
            }),
            None
        );
        // The mark does not outlive its attempt.
        assert_eq!(attempt(|| 3), Some(3));
        assert_eq!(attempt(|| -> u8 { panic!("boom") }), None);
    }
}
