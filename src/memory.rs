//! `--memory-limit`: a check that would not fit stops before it reads anything, saying how much
//! it would need; one that outgrows the limit anyway stops with a message as it passes it. The
//! system's out-of-memory killer, which gives no reason and leaves half-written outputs behind,
//! is never what ends it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};

/// Memory a check needs besides what grows with its input (the program, thread stacks, tables
/// of constant size), in bytes.
pub const BASE_NEED: u64 = 200 << 20;

/// Peak memory per byte of input CSV, in tenths of a byte: fitted to the sampled peaks of
/// `affil check --timings` in the scale script's run of 2026-12-07 (session 25: regional seed
/// 7, 204 MB of CSV, 349 MiB; twice regional, 408 MB, 587 MiB; national seed 7, 6.1 GB, 7,673
/// MiB), rounded up to lie above them (see docs/performance.md, "Memory limit"). It was 1.8
/// in session 23 (national 9.5 GiB), 2.0 in session 22 (10.7 GiB), 2.3 before (12.0 GiB), 2.8
/// before session 20 (15.1 GiB).
pub const NEED_PER_INPUT_BYTE_TENTHS: u64 = 14;

/// The peak memory a check of `input_bytes` of CSV is expected to need.
pub fn estimate(input_bytes: u64) -> u64 {
    BASE_NEED + input_bytes.saturating_mul(NEED_PER_INPUT_BYTE_TENTHS) / 10
}

/// Reads a size: a number of bytes, or with `K`, `M`, `G` or `T` (powers of 1024, as `sort -S`
/// and Docker read them; `B` or `iB` after it optional, any case): `4G`, `4096M`, `1.5GiB`.
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a size (say 4G, 4096M or 1.5G)"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit
        .strip_suffix("ib")
        .or_else(|| unit.strip_suffix('b'))
        .unwrap_or(&unit);
    let scale: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(format!("`{s}`: unknown unit (K, M, G or T)")),
    };
    let bytes = number * scale as f64;
    if !(1.0..1.0e19).contains(&bytes) {
        return Err(format!("`{s}` is not a usable memory size"));
    }
    Ok(bytes as u64)
}

/// A size in the units the messages use (KiB under 1 MiB, MiB under 1 GiB, GiB above).
pub fn show(bytes: u64) -> String {
    let mib = bytes as f64 / (1u64 << 20) as f64;
    if mib < 1.0 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else if mib < 1024.0 {
        format!("{mib:.0} MiB")
    } else {
        format!("{:.1} GiB", mib / 1024.0)
    }
}

/// Turns transparent huge pages off for this process, unless `MIMALLOC_ALLOW_THP` in the
/// environment is set (mimalloc then does what it says). mimalloc asks for huge pages on its
/// arenas, which are then made resident and zeroed 2 MiB at a time. On regional seed 12,
/// `MIMALLOC_ALLOW_THP=0` took the peak from 555 to 518 MiB, and the wall time down by 0.22 s
/// within the noise (docs/performance.md). The process's flag overrides mimalloc's requests,
/// those made before the call too (the same peak, time and huge pages as with mimalloc's own
/// option also set, tried). Call it first, before large allocations.
pub fn no_transparent_huge_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Gives the memory freed so far back to the system, from every thread's heap: called between
/// the stages, where the next stage's peak would otherwise stack on what the last one freed.
/// mimalloc (the binary's allocator) keeps freed pages for a second (its `purge_delay`), and
/// only purges when the thread that freed them allocates again, so that a stage freeing and
/// allocating in turn reuses its pages without new page faults; between stages nothing is
/// reused soon, and a rayon worker that freed a buffer may wait through the next stage.
/// Harmless under another allocator (mimalloc then holds nothing).
pub fn give_back_freed_memory() {
    rayon::broadcast(|_| give_back_freed_memory_here());
    give_back_freed_memory_here();
}

/// [`give_back_freed_memory`] from the calling thread's heap only (and the arenas): for a
/// thread inside the pool, where a broadcast would wait on workers busy elsewhere.
pub fn give_back_freed_memory_here() {
    // SAFETY: mi_collect frees the calling thread's unused pages and purges what the arenas
    // hold free; callable from any thread, at any time.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// Resident memory of this process now, in bytes (Linux; `None` elsewhere).
pub fn resident() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf only reads a system constant.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok().filter(|&p| p > 0).unwrap_or(4096))
}

/// Samples the resident memory from a thread of its own while it lives, keeping the largest
/// sample since last taken (for the meter) and handing each to a check (for the limit).
pub struct Watch {
    peak: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watch {
    /// Starts sampling every `every`, calling `check` with each sample; samples nothing where
    /// the resident memory cannot be read (see [`resident`]).
    pub fn start(every: Duration, check: impl Fn(u64) + Send + 'static) -> Watch {
        let peak = Arc::new(AtomicU64::new(resident().unwrap_or(0)));
        let done = Arc::new(AtomicBool::new(false));
        let thread = resident().is_some().then(|| {
            let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    if let Some(now) = resident() {
                        peak.fetch_max(now, Ordering::Relaxed);
                        check(now);
                    }
                    std::thread::sleep(every);
                }
            })
        });
        Watch { peak, done, thread }
    }

    /// The largest sample since the last call (or the start), now included, and a new start
    /// from now; `None` when nothing is sampled.
    pub fn take(&self) -> Option<u64> {
        self.thread.as_ref()?;
        let now = resident()?;
        Some(self.peak.swap(now, Ordering::Relaxed).max(now))
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How often the limit's watch looks at the resident memory.
const WATCH_EVERY: Duration = Duration::from_millis(20);

/// Exit code of a run stopped at its memory limit (as for any other failure).
pub const EXIT_CODE: i32 = 1;

/// Checks that a check of `input` bytes of input files fits in `limit` bytes: fails with what
/// it would need when the estimate says it does not, and otherwise watches the resident memory,
/// stopping the process with a message (exit code [`EXIT_CODE`]) the moment it passes the limit.
pub fn guard(input: u64, limit: u64) -> Result<Watch> {
    let need = estimate(input);
    let over = move |at| Error::MemoryLimit {
        limit,
        need,
        input,
        at,
    };
    if need > limit {
        return Err(over(None));
    }
    Ok(Watch::start(WATCH_EVERY, move |now| {
        if now > limit {
            eprintln!("error: {}", over(Some(now)));
            std::process::exit(EXIT_CODE);
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watch_samples_and_keeps_the_peak_since_last_taken() {
        if resident().is_none() {
            return; // nothing to sample here (not Linux)
        }
        let seen = Arc::new(AtomicU64::new(0));
        let count = Arc::clone(&seen);
        let w = Watch::start(Duration::from_millis(1), move |_| {
            count.fetch_add(1, Ordering::Relaxed);
        });
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        std::thread::sleep(Duration::from_millis(30));
        let peak = w.take().expect("sampled");
        drop(block);
        assert!(peak >= 64 << 20, "peak {peak} below the 64 MiB held");
        assert!(seen.load(Ordering::Relaxed) > 0, "the check saw no sample");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("4096M"), Ok(4 << 30));
        assert_eq!(parse_size("4gb"), Ok(4 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("512 MB"), Ok(512 << 20));
        assert_eq!(parse_size("1000000"), Ok(1_000_000));
        assert!(parse_size("4X").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("0").is_err());
    }
}
