//! Freed memory goes back to the system when the pipeline asks at a stage's end
//! (`affil::memory::give_back_freed_memory`). A file of its own, so that its process has no
//! other test allocating beside it while the resident memory is read.

use affil::memory::{give_back_freed_memory, resident};

#[test]
fn freed_pages_stay_until_given_back() {
    if resident().is_none() {
        return; // nothing to measure here (not Linux)
    }
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        // The test reads mimalloc's default delay; a delay set outside decides otherwise.
        eprintln!("MIMALLOC_PURGE_DELAY is set: nothing to check");
        return;
    }
    const SIZE: usize = 256 << 20;
    let mib = |b: u64| b >> 20;
    let before = resident().unwrap();
    // SAFETY: mimalloc's own allocation, written within its size, freed once.
    let held = unsafe {
        let p = libmimalloc_sys::mi_malloc(SIZE).cast::<u8>();
        assert!(!p.is_null());
        for i in (0..SIZE).step_by(4096) {
            p.add(i).write_volatile(1);
        }
        let held = resident().unwrap();
        libmimalloc_sys::mi_free(p.cast());
        held
    };
    let freed = resident().unwrap();
    give_back_freed_memory();
    let given = resident().unwrap();
    println!(
        "before {} MiB, held {} MiB, freed {} MiB, given back {} MiB",
        mib(before),
        mib(held),
        mib(freed),
        mib(given)
    );
    assert!(
        held >= before + SIZE as u64 / 2,
        "the block was not resident"
    );
    // Kept after the free (mimalloc's purge delay), gone once given back.
    assert!(
        freed >= held - SIZE as u64 / 4,
        "returned before it was asked"
    );
    assert!(given + SIZE as u64 / 2 <= freed, "not given back");
}
