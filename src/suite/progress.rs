//! Live progress on stderr while the suite runs: on a terminal, one line redrawn in place with
//! the elapsed time, counts and the feature being reported; elsewhere (CI logs), a plain line
//! per feature. The final report is the same either way.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::time::Duration;

#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    passed: usize,
    failed: usize,
    feature: (usize, usize),
}

impl Progress {
    /// Progress for a run; `enabled` false prints nothing (tests, libraries).
    pub fn new(enabled: bool) -> Progress {
        let terminal = enabled && std::io::stderr().is_terminal();
        let bar = terminal.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}").expect("a valid template"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { bar, plain: enabled && !terminal, passed: 0, failed: 0, feature: (0, 0) }
    }

    pub fn feature_started(&mut self, path: &str) {
        self.feature = (0, 0);
        if let Some(bar) = &self.bar {
            bar.set_message(self.message(path));
        } else if self.plain {
            let mut err = std::io::stderr();
            let _ = write!(err, "  {path} ...");
            let _ = err.flush();
        }
    }

    pub fn scenario_done(&mut self, path: &str, failed: bool) {
        if failed {
            self.failed += 1;
            self.feature.1 += 1;
        } else {
            self.passed += 1;
            self.feature.0 += 1;
        }
        if let Some(bar) = &self.bar {
            bar.set_message(self.message(path));
        }
    }

    pub fn feature_done(&mut self) {
        if self.plain {
            eprintln!(" {} passed, {} failed", self.feature.0, self.feature.1);
        }
    }

    /// Clears the live line (the report follows).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn message(&self, path: &str) -> String {
        format!("{} scenarios done: {} passed, {} failed · {path}", self.passed + self.failed, self.passed, self.failed)
    }
}
