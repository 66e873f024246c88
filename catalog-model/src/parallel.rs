//! Work shared out among the machine's cores, for the stages whose cost grows with the catalog.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of each item, in order, with the items shared out among the machine's cores; each core's
/// calls share one `state`, made by `init`. A panic in `f` is resumed on the caller's thread.
pub fn map_parallel<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(items.len());
    if threads <= 1 {
        let mut state = init();
        return items.iter().map(|item| f(&mut state, item)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut state = init();
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { return done };
                        done.push((i, f(&mut state, item)));
                    }
                })
            })
            .collect();
        for worker in workers {
            match worker.join() {
                Ok(done) => done.into_iter().for_each(|(i, r)| results[i] = Some(r)),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    results.into_iter().map(|r| r.expect("every item is mapped once")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parallel_map_keeps_the_order_and_the_panics() {
        let items: Vec<usize> = (0..100).collect();
        assert_eq!(super::map_parallel(&items, || (), |_, i| i * 2), (0..200).step_by(2).collect::<Vec<_>>());
        assert_eq!(super::map_parallel(&[] as &[usize], || (), |_, i| *i), Vec::<usize>::new());
        let panic =
            std::panic::catch_unwind(|| super::map_parallel(&items, || (), |_, &i| assert!(i != 57, "item {i}")));
        let message = panic.expect_err("the panic reaches the caller");
        assert_eq!(message.downcast_ref::<String>().map(String::as_str), Some("item 57"));
    }

    #[test]
    fn each_core_keeps_its_state() {
        let items: Vec<usize> = (0..1000).collect();
        // Each state is its core's thread and how many items that core has done so far.
        let calls = super::map_parallel(
            &items,
            || (std::thread::current().id(), 0usize),
            |(core, done), _| {
                *done += 1;
                (*core, *done)
            },
        );
        let mut by_core = std::collections::HashMap::<_, Vec<usize>>::new();
        calls.into_iter().for_each(|(core, done)| by_core.entry(core).or_default().push(done));
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert!((1..=cores).contains(&by_core.len()), "{} states for {cores} cores", by_core.len());
        for done in by_core.values_mut() {
            done.sort_unstable();
            assert_eq!(*done, (1..=done.len()).collect::<Vec<_>>(), "a state was shared or made twice");
        }
        assert_eq!(by_core.values().map(Vec::len).sum::<usize>(), 1000);
    }
}
