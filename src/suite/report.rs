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
    /// Could not be judged: a precondition (a `Given`, a setup request, an attribute the
    /// server does not keep) was not established. Carries the cause; never a failure.
    Inconclusive(String),
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
    "events",
    "errors",
    "auth",
    "Okta",
    "Entra",
    "IPSIE",
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
    /// Said once instead of counted as skips: scenarios that apply only to scimcheck's own
    /// server (`@product`) when the target is not one.
    pub not_applicable: Option<String>,
    /// Why the run could not start (the pre-flight's line), for reports of a run that did not.
    pub not_started: Option<String>,
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
            ("events", "events"),
            ("errors", "errors"),
            ("auth", "auth"),
            ("okta", "Okta"),
            ("entra", "Entra"),
            ("ipsie", "IPSIE"),
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

    /// Whether the scenario checks an IdP's or a profile's expectation rather than an RFC
    /// requirement: it cites no RFC requirement at its own level.
    pub fn is_profile(&self) -> bool {
        let reqs = self.requirements();
        !reqs.iter().any(|r| r.source().is_rfc() && r.level == self.level) && reqs.iter().any(|r| !r.source().is_rfc())
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
    /// The report of a run that could not start (the pre-flight's line as the cause): every
    /// requested report file is still written, and says why.
    pub fn not_started(base_url: &str, profile: Option<String>, tags: Option<String>, why: &str) -> Report {
        let meta = RunMeta {
            profile,
            tags,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started: crate::clock::now(),
            not_started: Some(why.to_owned()),
            ..RunMeta::default()
        };
        Report { base_url: base_url.to_owned(), meta, ..Report::default() }
    }

    pub fn passed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Passed))
    }
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped(_)))
    }
    pub fn inconclusive(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Inconclusive(_)))
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
        self.failures(Level::Must).next().is_some()
            || !self.stale_expectations.is_empty()
            || self.meta.not_started.is_some()
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

    /// Prints the findings grouped by cause (MUST first, each with its scenarios, the
    /// requirement it breaks and the exchange that showed it), the inconclusive scenarios by
    /// cause, skips with reasons, a table per area, and the closing line.
    pub fn print(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let causes = super::causes::failures(self);
        for cause in &causes {
            let title = match cause.level {
                Level::Must => "FAILED (MUST)",
                Level::Should => "WARNING (SHOULD)",
                Level::May => "NOTE (MAY)",
            };
            let first = &self.scenarios[cause.scenarios[0]];
            if cause.scenarios.len() == 1 {
                writeln!(out, "\n{title}: {} — {} ({}:{})", first.feature, first.name, first.path, first.line)?;
            } else {
                writeln!(out, "\n{title}: one cause, {} scenarios: {}", cause.scenarios.len(), cause.text)?;
                for &i in &cause.scenarios {
                    let s = &self.scenarios[i];
                    let level = format!("{:?}", s.level).to_uppercase();
                    writeln!(out, "  - [{level}] {} — {} ({}:{})", s.feature, s.name, s.path, s.line)?;
                }
            }
            let cat = super::requirements::Catalogue::embedded();
            for id in &cause.requirements {
                if let Some(r) = cat.get(id) {
                    writeln!(out, "  checks {} ({}, {}): “{}”", r.id, r.keyword(), r.section(), r.quote)?;
                }
            }
            if let Some((id, other)) = cause.disagreement() {
                writeln!(out, "  profiles disagree on {id}: {other}")?;
            }
            let Outcome::Failed(msg) = &first.outcome else { continue };
            for line in msg.lines() {
                writeln!(out, "  {line}")?;
            }
            if let Some(last) = first.transcript.last()
                && !msg.contains(&format!("> {} {}", last.method, last.url))
            {
                writeln!(out, "  last exchange:")?;
                for line in last.to_string().lines() {
                    writeln!(out, "    {line}")?;
                }
            }
        }
        let unsure = super::causes::inconclusive(self);
        if !unsure.is_empty() {
            writeln!(out, "\nInconclusive (could not be judged; not failures), by cause:")?;
            for c in &unsure {
                writeln!(out, "  {:>3} scenario(s) could not start: {}", c.scenarios.len(), c.text)?;
                for &i in c.scenarios.iter().take(3) {
                    let s = &self.scenarios[i];
                    writeln!(out, "        {} ({}:{})", s.name, s.path, s.line)?;
                }
                if c.scenarios.len() > 3 {
                    writeln!(out, "        … and {} more", c.scenarios.len() - 3)?;
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
        writeln!(
            out,
            "\n{:<18} {:>6} {:>6} {:>12} {:>7} {:>9}",
            "area", "passed", "failed", "inconclusive", "skipped", "expected"
        )?;
        for area in AREAS.iter().copied().chain(std::iter::once("other")) {
            let of =
                |p: fn(&Outcome) -> bool| self.scenarios.iter().filter(|s| s.area() == area && p(&s.outcome)).count();
            let total = self.scenarios.iter().filter(|s| s.area() == area).count();
            if total == 0 {
                continue;
            }
            writeln!(
                out,
                "{:<18} {:>6} {:>6} {:>12} {:>7} {:>9}",
                area,
                of(|o| matches!(o, Outcome::Passed)),
                of(|o| matches!(o, Outcome::Failed(_))),
                of(|o| matches!(o, Outcome::Inconclusive(_))),
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
        if let Some(note) = &self.meta.not_applicable {
            writeln!(out, "\n{note}")?;
        }
        let must: Vec<&ScenarioResult> = self.failures(Level::Must).collect();
        let profile = must.iter().filter(|s| s.is_profile()).count();
        let rfc = must.len() - profile;
        let must_causes = causes.iter().filter(|c| c.level == Level::Must).count();
        let should = self.failures(Level::Should).count();
        writeln!(out)?;
        if !must.is_empty() {
            writeln!(
                out,
                "The run FAILS: {} MUST-level scenario(s) failed ({must_causes} cause(s)): {rfc} of an RFC requirement, {profile} of an IdP or interop profile.",
                must.len()
            )?;
        } else if !self.stale_expectations.is_empty() {
            writeln!(out, "The run FAILS: the known-deviations file is stale.")?;
        } else {
            writeln!(out, "The run passes: no MUST-level scenario failed.")?;
        }
        if should > 0 {
            writeln!(out, "{should} SHOULD-level scenario(s) failed: warnings, which do not fail the run.")?;
        }
        let n = self.inconclusive();
        if n > 0 {
            writeln!(
                out,
                "{n} scenario(s) inconclusive ({} cause(s)): what they need could not be set up, so they say nothing either way.",
                unsure.len()
            )?;
        }
        writeln!(out, "\n{}", self.summary_line())
    }
}
