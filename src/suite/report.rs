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
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
    /// Failed, as a known-deviations file said it would (with its reason).
    ExpectedFailure(String),
}

/// The areas the report groups scenarios into, in display order.
pub const AREAS: &[&str] = &[
    "discovery",
    "CRUD",
    "filter",
    "sort",
    "pagination",
    "projection",
    "search",
    "PATCH",
    "PUT",
    "ETag",
    "bulk",
    "errors",
    "auth",
    "Okta",
    "Entra",
    "interop profile",
    "product",
];

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
    /// The steps as they ran (none for a scenario that was skipped before running).
    pub steps: Vec<StepRecord>,
    pub transcript: Vec<Exchange>,
    /// Wall time of the scenario, in milliseconds (0 when it did not run).
    pub duration_ms: u64,
}

/// One step of a scenario and how it ended.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    pub keyword: String,
    pub text: String,
    /// `passed`, `failed` or `skipped` (not run after a failure, or no definition).
    pub status: &'static str,
}

/// What a run was: target, profile, version, when and how long.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunMeta {
    pub profile: Option<String>,
    pub tags: Option<String>,
    pub version: String,
    /// RFC 3339, UTC.
    pub started: String,
    pub duration_ms: u64,
}

impl ScenarioResult {
    /// The area the scenario belongs to: PUT for RFC 7644 §3.5.1 scenarios, else its feature's area tag.
    pub fn area(&self) -> &'static str {
        if self.tags.iter().any(|t| t.starts_with("rfc7644-3.5.1")) {
            return "PUT";
        }
        let by_tag = [
            ("discovery", "discovery"),
            ("crud", "CRUD"),
            ("filter", "filter"),
            ("sort", "sort"),
            ("pagination", "pagination"),
            ("projection", "projection"),
            ("search", "search"),
            ("patch", "PATCH"),
            ("etag", "ETag"),
            ("bulk", "bulk"),
            ("errors", "errors"),
            ("auth", "auth"),
            ("okta", "Okta"),
            ("entra", "Entra"),
            ("iop-profile", "interop profile"),
            ("product", "product"),
        ];
        // The feature's own tag comes first in `tags`.
        for t in &self.tags {
            if let Some((_, area)) = by_tag.iter().find(|(tag, _)| tag == t) {
                return area;
            }
        }
        "other"
    }

    /// The requirements the scenario cites, from the catalogue (`features/requirements.toml`).
    pub fn requirements(&self) -> Vec<&'static super::requirements::Requirement> {
        let cat = super::requirements::Catalogue::embedded();
        self.tags.iter().filter_map(|t| cat.get(t)).collect()
    }
}

/// Every result of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub base_url: String,
    pub scenarios: Vec<ScenarioResult>,
    /// Known-deviation entries that matched nothing or a scenario that passed.
    pub stale_expectations: Vec<String>,
    pub meta: RunMeta,
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
    pub fn expected_failures(&self) -> usize {
        self.count(|o| matches!(o, Outcome::ExpectedFailure(_)))
    }
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.scenarios.iter().filter(|s| f(&s.outcome)).count()
    }
    /// Failed scenarios at a level.
    pub fn failures(&self, level: Level) -> impl Iterator<Item = &ScenarioResult> {
        self.scenarios.iter().filter(move |s| s.level == level && matches!(s.outcome, Outcome::Failed(_)))
    }
    /// Whether the run fails: a `@must` scenario failed, or the known-deviations file is stale.
    pub fn is_failure(&self) -> bool {
        self.failures(Level::Must).next().is_some() || !self.stale_expectations.is_empty()
    }

    /// Why scenarios were skipped, each reason once with how many it skipped, most first.
    pub fn skip_reasons(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for s in &self.scenarios {
            if let Outcome::Skipped(why) = &s.outcome {
                match out.iter_mut().find(|(w, _)| w == why) {
                    Some((_, n)) => *n += 1,
                    None => out.push((why.clone(), 1)),
                }
            }
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
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
                for r in s.requirements() {
                    writeln!(out, "  checks {} ({}, {}): “{}”", r.id, r.keyword(), r.section(), r.quote)?;
                }
                for line in msg.lines() {
                    writeln!(out, "  {line}")?;
                }
                if let Some(last) = s.transcript.last()
                    && !msg.contains(&format!("> {} {}", last.method, last.url))
                {
                    writeln!(out, "  last exchange:")?;
                    for line in last.to_string().lines() {
                        writeln!(out, "    {line}")?;
                    }
                }
            }
        }
        let reasons = self.skip_reasons();
        if !reasons.is_empty() {
            writeln!(out, "\nSkipped:")?;
            for (why, n) in reasons {
                writeln!(out, "  {n:>3} scenario(s): {why}")?;
            }
        }
        writeln!(out, "\n{:<18} {:>6} {:>6} {:>7} {:>9}", "area", "passed", "failed", "skipped", "expected")?;
        for area in AREAS.iter().copied().chain(std::iter::once("other")) {
            let of =
                |p: fn(&Outcome) -> bool| self.scenarios.iter().filter(|s| s.area() == area && p(&s.outcome)).count();
            let total = self.scenarios.iter().filter(|s| s.area() == area).count();
            if total == 0 {
                continue;
            }
            writeln!(
                out,
                "{:<18} {:>6} {:>6} {:>7} {:>9}",
                area,
                of(|o| matches!(o, Outcome::Passed)),
                of(|o| matches!(o, Outcome::Failed(_))),
                of(|o| matches!(o, Outcome::Skipped(_))),
                of(|o| matches!(o, Outcome::ExpectedFailure(_)))
            )?;
        }
        for stale in &self.stale_expectations {
            writeln!(out, "\nSTALE EXPECTATION: {stale}")?;
        }
        let expected = self.expected_failures();
        if expected > 0 {
            writeln!(out, "\n{expected} scenario(s) failed as the known-deviations file expects")?;
        }
        let (must, should) = (self.failures(Level::Must).count(), self.failures(Level::Should).count());
        writeln!(out)?;
        if must > 0 {
            writeln!(out, "The run FAILS: {must} MUST-level scenario(s) failed.")?;
        } else if !self.stale_expectations.is_empty() {
            writeln!(out, "The run FAILS: the known-deviations file is stale.")?;
        } else {
            writeln!(out, "The run passes: no MUST-level scenario failed.")?;
        }
        if should > 0 {
            writeln!(out, "{should} SHOULD-level scenario(s) failed: warnings, which do not fail the run.")?;
        }
        writeln!(out, "\n{}", self.summary_line())
    }
}
