//! Known deviations: scenarios expected to fail on a given target, each with a reason (like
//! rustls's BoGo `DisabledTests`). A listed scenario that fails is an expected failure; an
//! entry that matches nothing, or whose scenario passes, is stale and fails the run, so the
//! file stays honest.
//!
//! The file is JSON: `{"expected_failures": [{"feature": "features/patch.feature",
//! "scenario": "Removing a required attribute is refused", "reason": "..."}]}`; `feature` may
//! be left out, and `scenario` may end in `*` to match a prefix.

use super::report::{Outcome, Report};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Expectation {
    #[serde(default)]
    pub feature: Option<String>,
    pub scenario: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Expectations {
    pub expected_failures: Vec<Expectation>,
}

impl Expectations {
    pub fn parse(text: &str) -> Result<Expectations, String> {
        let e: Expectations = serde_json::from_str(text).map_err(|e| format!("bad expectations file: {e}"))?;
        if let Some(bad) = e.expected_failures.iter().find(|x| x.reason.trim().is_empty()) {
            return Err(format!("the expectation for '{}' has no reason", bad.scenario));
        }
        Ok(e)
    }

    fn matches(x: &Expectation, feature_path: &str, name: &str) -> bool {
        let feature_ok = x.feature.as_deref().is_none_or(|f| feature_path.ends_with(f.trim_start_matches("./")));
        let name_ok = match x.scenario.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == x.scenario,
        };
        feature_ok && name_ok
    }

    /// Marks expected failures in the report and records stale entries.
    pub fn apply(&self, report: &mut Report) {
        for x in &self.expected_failures {
            let mut matched = 0;
            let mut passed = Vec::new();
            for s in report.scenarios.iter_mut().filter(|s| Self::matches(x, &s.path, &s.name)) {
                matched += 1;
                match &s.outcome {
                    Outcome::Failed(msg) => {
                        s.outcome = Outcome::ExpectedFailure(format!(
                            "{} (failure: {})",
                            x.reason,
                            msg.lines().next().unwrap_or("")
                        ))
                    }
                    Outcome::Passed => passed.push(s.name.clone()),
                    _ => {}
                }
            }
            if matched == 0 {
                report.stale_expectations.push(format!("'{}' matches no scenario", x.scenario));
            }
            for p in passed {
                report.stale_expectations.push(format!("'{p}' is listed as expected to fail, but it passed"));
            }
        }
    }
}
