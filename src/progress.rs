//! Progress bars on stderr for long stages.
//!
//! Off by default, so that the library and its tests print nothing; the binary turns them on.
//! Even then a bar shows only on a terminal (indicatif hides it otherwise) and only once its
//! stage has run for a second, so short runs and piped runs stay quiet. One stage runs at a
//! time: [`stage`] starts its bar, [`inc`] advances it from anywhere in the stage (any thread),
//! and dropping the returned guard clears it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// The bar of the running stage, when it started, and whether it was revealed.
static CURRENT: Mutex<Option<(ProgressBar, Instant, bool)>> = Mutex::new(None);

/// How long a stage runs before its bar appears (`AFFIL_PROGRESS_AFTER_MS` overrides it, for
/// tests and for watching short runs).
fn reveal_after() -> Duration {
    static AFTER: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *AFTER.get_or_init(|| {
        std::env::var("AFFIL_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(Duration::from_secs(1), Duration::from_millis)
    })
}

/// Turns progress bars on or off for the whole process.
pub fn enable(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Clears the stage's bar when dropped.
pub struct StageGuard;

impl Drop for StageGuard {
    fn drop(&mut self) {
        if let Ok(mut cur) = CURRENT.lock() {
            if let Some((bar, _, _)) = cur.take() {
                bar.finish_and_clear();
            }
        }
    }
}

/// Starts the bar of a stage counting `total` units of `unit` (`rows`, `pairs`, ...).
pub fn stage(name: &str, total: u64, unit: &str) -> StageGuard {
    if ENABLED.load(Ordering::Relaxed) {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let template = if unit == "bytes" {
            format!("{name:>10} [{{bar:30}}] {{bytes}}/{{total_bytes}} ({{eta}})")
        } else {
            format!("{name:>10} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} ({{eta}})")
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        if let Ok(mut cur) = CURRENT.lock() {
            *cur = Some((bar, Instant::now(), false));
        }
    }
    StageGuard
}

/// Adds `n` units to the running stage's total (work found on the way).
pub fn grow(n: u64) {
    if !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    if let Ok(cur) = CURRENT.lock() {
        if let Some((bar, _, _)) = cur.as_ref() {
            bar.inc_length(n);
        }
    }
}

/// Counts `n` more units of the running stage done.
pub fn inc(n: u64) {
    if !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    let Ok(mut cur) = CURRENT.lock() else { return };
    if let Some((bar, started, revealed)) = cur.as_mut() {
        bar.inc(n);
        if !*revealed && started.elapsed() >= reveal_after() {
            // indicatif keeps it hidden when stderr is not a terminal.
            bar.set_draw_target(ProgressDrawTarget::stderr());
            *revealed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_bars_cost_nothing_and_keep_no_state() {
        enable(false);
        let g = stage("test", 10, "units");
        inc(5);
        assert!(CURRENT.lock().unwrap().is_none());
        drop(g);
    }
}
