//! The outcome of a suite run: one [`ScenarioResult`] per scenario, the requirement level each
//! carries, and the terminal summary whose last line is `N passed, M failed, K skipped`.

use super::world::Exchange;
use serde::Serialize;
use std::io::Write;

/// A scenario's requirement level, from its `@must`, `@should` or `@may` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Must,
    Should,
    May,
}

impl Level {
    pub fn from_tags(tags: &[String]) -> Level {
        if tags.iter().any(|t| t == "must") {
            Level::Must
        } else if tags.iter().any(|t| t == "should") {
            Level::Should
        } else {
            Level::May
        }
    }
}

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

/// One scenario's result.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    pub feature: String,
    pub path: String,
    pub name: String,
    pub line: usize,
    pub tags: Vec<String>,
    pub level: Level,
    pub outcome: Outcome,
    pub transcript: Vec<Exchange>,
}

impl ScenarioResult {
    /// The RFC section or IdP behaviour the scenario cites (its first `@rfc…`/`@okta…`/… tag).
    pub fn citation(&self) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.starts_with("rfc") || t.starts_with("okta") || t.starts_with("entra") || t.starts_with("iop"))
            .map(String::as_str)
    }
}

/// Every result of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub base_url: String,
    pub scenarios: Vec<ScenarioResult>,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Passed))
    }
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped(_)))
    }
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.scenarios.iter().filter(|s| f(&s.outcome)).count()
    }
    /// Failed scenarios at a level.
    pub fn failures(&self, level: Level) -> impl Iterator<Item = &ScenarioResult> {
        self.scenarios.iter().filter(move |s| s.level == level && matches!(s.outcome, Outcome::Failed(_)))
    }
    /// Whether the run fails: a `@must` scenario failed.
    pub fn is_failure(&self) -> bool {
        self.failures(Level::Must).next().is_some()
    }

    /// The closing line, e.g. `42 passed, 0 failed, 3 skipped`.
    pub fn summary_line(&self) -> String {
        format!("{} passed, {} failed, {} skipped", self.passed(), self.failed(), self.skipped())
    }

    /// Prints failures (with the exchange that showed them), skips with reasons, a table per
    /// feature, and the closing line.
    pub fn print(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for (level, title) in
            [(Level::Must, "FAILED (MUST)"), (Level::Should, "WARNING (SHOULD)"), (Level::May, "NOTE (MAY)")]
        {
            for s in self.failures(level) {
                let Outcome::Failed(msg) = &s.outcome else { continue };
                writeln!(out, "\n{title}: {} — {} ({}:{})", s.feature, s.name, s.path, s.line)?;
                if let Some(c) = s.citation() {
                    writeln!(out, "  checks: @{c}")?;
                }
                for line in msg.lines() {
                    writeln!(out, "  {line}")?;
                }
            }
        }
        let skipped: Vec<_> = self.scenarios.iter().filter(|s| matches!(s.outcome, Outcome::Skipped(_))).collect();
        if !skipped.is_empty() {
            writeln!(out, "\nSkipped:")?;
            for s in skipped {
                if let Outcome::Skipped(r) = &s.outcome {
                    writeln!(out, "  {} — {}: {r}", s.feature, s.name)?;
                }
            }
        }
        writeln!(out, "\n{:<44} {:>6} {:>6} {:>7}", "feature", "passed", "failed", "skipped")?;
        let mut features: Vec<&str> = Vec::new();
        for s in &self.scenarios {
            if !features.contains(&s.path.as_str()) {
                features.push(&s.path);
            }
        }
        for f in features {
            let of = |p: fn(&Outcome) -> bool| self.scenarios.iter().filter(|s| s.path == f && p(&s.outcome)).count();
            writeln!(
                out,
                "{:<44} {:>6} {:>6} {:>7}",
                f,
                of(|o| matches!(o, Outcome::Passed)),
                of(|o| matches!(o, Outcome::Failed(_))),
                of(|o| matches!(o, Outcome::Skipped(_)))
            )?;
        }
        let should = self.failures(Level::Should).count();
        if should > 0 {
            writeln!(out, "\n{should} SHOULD-level scenario(s) failed (warnings; the run still passes)")?;
        }
        writeln!(out, "\n{}", self.summary_line())
    }
}
