//! The binary turns transparent huge pages off for its process (`affil::memory::
//! no_transparent_huge_pages`, the first call of `main`): a file of its own, since the setting
//! holds for the whole test process.

use affil::memory::no_transparent_huge_pages;

/// Whether transparent huge pages are off for this process (Linux; `None` elsewhere).
fn transparent_huge_pages_off() -> Option<bool> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl with PR_GET_THP_DISABLE only reads a flag of this process.
        let flag = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        (flag >= 0).then_some(flag == 1)
    }
    #[cfg(not(target_os = "linux"))]
    None
}

#[test]
fn transparent_huge_pages_are_turned_off_unless_the_environment_decides() {
    let Some(before) = transparent_huge_pages_off() else {
        return; // not Linux: nothing to turn off
    };
    no_transparent_huge_pages();
    let after = transparent_huge_pages_off();
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        // mimalloc follows the variable; the call leaves the process as it was.
        assert_eq!(after, Some(before));
    } else {
        assert_eq!(after, Some(true));
    }
}
