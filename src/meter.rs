//! Per-stage cost of a run: wall time, CPU time and peak resident memory of each stage.
//!
//! CPU time comes from `getrusage`; the per-stage memory peak from the resident memory sampled
//! every few milliseconds by a thread of the meter's own. The kernel's own high-water mark
//! (`VmHWM`, `ru_maxrss`, what `/usr/bin/time` reports) is not updated when memory is given back
//! with `madvise`, as the allocator does, and missed gigabytes of the national run's peak; it is
//! the figure only where there is no `/proc` to sample (the process's peak so far).

use std::time::{Duration, Instant};

use serde::Serialize;

/// The cost of one stage.
#[derive(Clone, Debug, Serialize)]
pub struct StageCost {
    /// Stage name (`load`, `normalize`, ...).
    pub stage: &'static str,
    /// Wall time.
    pub wall: Duration,
    /// User plus system CPU time of all threads.
    pub cpu: Duration,
    /// Peak resident memory during the stage, in bytes (0 when unknown).
    pub peak_rss: u64,
}

/// Measures consecutive stages.
pub struct Meter {
    started: Instant,
    cpu_at_start: Duration,
    costs: Vec<StageCost>,
    sampler: crate::memory::Watch,
}

/// How often the resident memory is sampled: a gigabyte takes far longer to fill.
const SAMPLE_EVERY: Duration = Duration::from_millis(5);

impl Default for Meter {
    fn default() -> Self {
        Meter::start()
    }
}

impl Meter {
    /// Starts measuring the first stage.
    pub fn start() -> Meter {
        Meter {
            started: Instant::now(),
            cpu_at_start: cpu_time(),
            costs: Vec::new(),
            sampler: crate::memory::Watch::start(SAMPLE_EVERY, |_| {}),
        }
    }

    /// Closes the current stage under `stage` and starts the next one.
    pub fn lap(&mut self, stage: &'static str) {
        let cpu = cpu_time();
        self.costs.push(StageCost {
            stage,
            wall: self.started.elapsed(),
            cpu: cpu.saturating_sub(self.cpu_at_start),
            peak_rss: self.sampler.take().unwrap_or_else(peak_rss),
        });
        self.started = Instant::now();
        self.cpu_at_start = cpu_time();
    }

    /// The stages measured so far.
    pub fn costs(&self) -> &[StageCost] {
        &self.costs
    }

    /// Takes the stages measured so far.
    pub fn into_costs(mut self) -> Vec<StageCost> {
        std::mem::take(&mut self.costs)
    }
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

fn rusage() -> Option<libc::rusage> {
    // SAFETY: getrusage only writes into the struct it is given.
    unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        (libc::getrusage(libc::RUSAGE_SELF, &mut u) == 0).then_some(u)
    }
}

/// User plus system CPU time of the process so far.
pub fn cpu_time() -> Duration {
    rusage().map_or(Duration::ZERO, |u| {
        timeval(u.ru_utime) + timeval(u.ru_stime)
    })
}

/// The kernel's peak resident memory of the process so far, in bytes (see the module's note).
pub fn peak_rss() -> u64 {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(kb) = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            return kb * 1024;
        }
    }
    rusage().map_or(0, |u| u.ru_maxrss.max(0) as u64 * 1024)
}

/// A table of stage costs for the terminal: stage, wall, CPU, peak RSS.
pub fn table(costs: &[StageCost]) -> String {
    let mut out = format!(
        "{:<10} {:>9} {:>9} {:>12}\n",
        "stage", "wall, s", "CPU, s", "peak RSS, MB"
    );
    let mut wall = Duration::ZERO;
    let mut cpu = Duration::ZERO;
    let mut peak = 0;
    for c in costs {
        wall += c.wall;
        cpu += c.cpu;
        peak = peak.max(c.peak_rss);
        out.push_str(&format!(
            "{:<10} {:>9.3} {:>9.3} {:>12.0}\n",
            c.stage,
            c.wall.as_secs_f64(),
            c.cpu.as_secs_f64(),
            c.peak_rss as f64 / 1_048_576.0
        ));
    }
    out.push_str(&format!(
        "{:<10} {:>9.3} {:>9.3} {:>12.0}",
        "total",
        wall.as_secs_f64(),
        cpu.as_secs_f64(),
        peak as f64 / 1_048_576.0
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_measured_in_order_with_cpu_time() {
        let mut m = Meter::start();
        let mut x = 0u64;
        for i in 0..3_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        m.lap("spin");
        let v: Vec<u8> = vec![1; 32 << 20];
        std::hint::black_box(&v);
        m.lap("alloc");
        let c = m.costs();
        assert_eq!(
            c.iter().map(|c| c.stage).collect::<Vec<_>>(),
            ["spin", "alloc"]
        );
        assert!(c[0].wall > Duration::ZERO);
        if cfg!(target_os = "linux") {
            assert!(
                c[1].peak_rss >= 32 << 20,
                "peak {} below 32 MiB",
                c[1].peak_rss
            );
        }
        let t = table(c);
        assert!(
            t.starts_with("stage")
                && t.contains("alloc")
                && t.ends_with(|c: char| c.is_ascii_digit())
        );
    }
}
