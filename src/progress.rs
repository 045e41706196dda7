//! Progress bars on stderr for long stages.
//!
//! Off by default, so that the library and its tests print nothing; the binary turns them on.
//! Even then a bar shows only on a terminal (indicatif hides it otherwise) and only once its
//! stage has run for a second, so short runs and piped runs stay quiet.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// How long a stage runs before its bar appears.
const REVEAL_AFTER: Duration = Duration::from_secs(1);

/// Turns progress bars on or off for the whole process.
pub fn enable(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// The bar of one stage; cleared when dropped.
pub struct Stage {
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
}

/// Starts the bar of a stage counting `total` units of `unit` (`rows`, `pairs`, ...).
pub fn stage(name: &str, total: u64, unit: &str) -> Stage {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    let template = format!("{name:>9} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} ({{eta}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    Stage {
        bar,
        started: Instant::now(),
        shown: AtomicBool::new(false),
    }
}

impl Stage {
    /// Counts `n` more units done.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
        if !self.shown.load(Ordering::Relaxed)
            && ENABLED.load(Ordering::Relaxed)
            && self.started.elapsed() >= REVEAL_AFTER
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
