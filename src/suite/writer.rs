//! A cucumber writer that turns the event stream into a [`Report`] and shows [`Progress`].
//!
//! [`Progress`]: super::progress::Progress

use super::report::{Level, Outcome, Report, ScenarioResult};
use super::world::ScimWorld;
use cucumber::event::{self, Cucumber, Feature, Rule, Scenario, Step, StepError};
use cucumber::{Event, Writer, cli, gherkin, parser};
use std::any::Any;
use std::sync::{Arc, Mutex};

/// Collects results into a shared [`Report`].
#[derive(Debug)]
pub struct Collector {
    pub report: Arc<Mutex<Report>>,
    progress: super::progress::Progress,
    current: Option<ScenarioResult>,
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.progress.finish();
    }
}

impl Collector {
    pub fn new(report: Arc<Mutex<Report>>, progress: bool) -> Collector {
        Collector { report, progress: super::progress::Progress::new(progress), current: None }
    }

    fn scenario(
        &mut self,
        f: &gherkin::Feature,
        r: Option<&gherkin::Rule>,
        s: &gherkin::Scenario,
        ev: Scenario<ScimWorld>,
    ) {
        match ev {
            Scenario::Started => {
                let tags = all_tags(f, r, s);
                self.current = Some(ScenarioResult {
                    feature: f.name.clone(),
                    path: feature_path(f),
                    name: s.name.clone(),
                    line: s.position.line,
                    level: Level::from_tags(&tags),
                    tags,
                    outcome: Outcome::Passed,
                    steps: Vec::new(),
                    transcript: Vec::new(),
                    duration_ms: 0,
                });
            }
            Scenario::Step(step, ev) => self.step(&step, ev, false),
            Scenario::Background(step, ev) => self.step(&step, ev, true),
            Scenario::Hook(_, event::Hook::Failed(_, info)) => {
                self.set(Outcome::Failed(format!("a hook failed: {}", panic_text(&*info))))
            }
            Scenario::Hook(..) | Scenario::Log(_) => {}
            Scenario::Finished => {
                if let Some(res) = self.current.take() {
                    self.progress.scenario_done(&res.path, matches!(res.outcome, Outcome::Failed(_)));
                    self.report.lock().expect("report lock").scenarios.push(res);
                }
            }
        }
    }

    /// Records a step. A failed `Given` (or background) step, or one that says so, leaves the
    /// scenario inconclusive: what it needed was not established, so nothing was observed
    /// about the requirement it cites.
    fn step(&mut self, step: &gherkin::Step, ev: Step<ScimWorld>, background: bool) {
        let status = match &ev {
            Step::Started => None,
            Step::Passed(..) => Some("passed"),
            Step::Failed(..) => Some("failed"),
            Step::Skipped => Some("skipped"),
        };
        if let (Some(status), Some(cur)) = (status, self.current.as_mut()) {
            cur.steps.push(super::report::StepRecord {
                keyword: step.keyword.trim().to_owned(),
                text: step.value.clone(),
                status,
            });
        }
        match ev {
            Step::Failed(_, _, world, err) => {
                let why = match &err {
                    StepError::NotFound => "no step definition matches this step".to_owned(),
                    StepError::AmbiguousMatch(e) => format!("ambiguous step: {e}"),
                    StepError::Panic(info) => panic_text(&**info),
                };
                let said = why.strip_prefix(super::world::INCONCLUSIVE).map(str::to_owned);
                let setup = background || step.ty == gherkin::StepType::Given || said.is_some();
                let last = world.as_ref().and_then(|w| w.last.clone());
                if let (Some(w), Some(cur)) = (world, self.current.as_mut()) {
                    cur.transcript = w.transcript.clone();
                }
                let text = format!("{} {}", step.keyword.trim(), step.value);
                if setup {
                    let explicit = said.is_some();
                    let why = said.unwrap_or(why);
                    let base = self.report.lock().expect("report lock").base_url.clone();
                    let cause = match last {
                        Some(ex) if ex.status >= 400 && !explicit => super::causes::describe(&base, &ex),
                        _ => why.lines().next().unwrap_or("").to_owned(),
                    };
                    self.set(Outcome::Inconclusive(format!(
                        "{cause}\nthe step that could not be established: {text}\n{why}"
                    )));
                } else {
                    self.set(Outcome::Failed(format!("step failed: {text}\n{why}")));
                }
            }
            Step::Skipped => {
                self.set(Outcome::Failed(format!("no step definition matches: {} {}", step.keyword.trim(), step.value)))
            }
            Step::Started | Step::Passed(..) => {}
        }
    }

    /// The first failure or inconclusive step decides the outcome.
    fn set(&mut self, outcome: Outcome) {
        if let Some(cur) = self.current.as_mut()
            && matches!(cur.outcome, Outcome::Passed)
        {
            cur.outcome = outcome;
        }
    }
}

impl Writer<ScimWorld> for Collector {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<ScimWorld>>>, _: &Self::Cli) {
        let event = match event {
            Ok(e) => e.value,
            Err(e) => {
                self.report.lock().expect("report lock").scenarios.push(ScenarioResult {
                    feature: "parse error".into(),
                    path: String::new(),
                    name: e.to_string(),
                    line: 0,
                    tags: vec!["must".into()],
                    level: Level::Must,
                    outcome: Outcome::Failed(format!("a feature file could not be parsed: {e}")),
                    steps: vec![],
                    transcript: vec![],
                    duration_ms: 0,
                });
                return;
            }
        };
        match event {
            Cucumber::Feature(f, Feature::Started) => self.progress.feature_started(&feature_path(&f)),
            Cucumber::Feature(f, Feature::Scenario(s, ev)) => self.scenario(&f, None, &s, ev.event),
            Cucumber::Feature(f, Feature::Rule(r, Rule::Scenario(s, ev))) => self.scenario(&f, Some(&r), &s, ev.event),
            Cucumber::Feature(_, Feature::Finished) => self.progress.feature_done(),
            Cucumber::Finished => self.progress.finish(),
            _ => {}
        }
    }
}

/// The feature's path relative to the features root, or its name.
pub fn feature_path(f: &gherkin::Feature) -> String {
    f.path.as_ref().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|| f.name.clone())
}

/// Tags of the feature, rule and scenario, without the `@`.
pub fn all_tags(f: &gherkin::Feature, r: Option<&gherkin::Rule>, s: &gherkin::Scenario) -> Vec<String> {
    f.tags
        .iter()
        .chain(r.map(|r| &r.tags).into_iter().flatten())
        .chain(&s.tags)
        .map(|t| t.trim_start_matches('@').to_owned())
        .collect()
}

fn panic_text(info: &(dyn Any + Send)) -> String {
    let text = if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "the step panicked".to_owned()
    };
    in_words(&text)
}

/// A failed `assert_eq!` reads as its message alone: the steps' messages already say what was
/// expected and what came, so the `left == right` framing and the debug dumps are dropped.
fn in_words(text: &str) -> String {
    let Some(rest) = text.strip_prefix("assertion `left == right` failed: ") else { return text.to_owned() };
    let end = rest.rfind("\n  left: ").unwrap_or(rest.len());
    rest[..end].to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn failed_equalities_read_as_their_message() {
        let text =
            "assertion `left == right` failed: expected status 201, got 200\n> POST /Users\n  left: 200\n right: 201";
        assert_eq!(super::in_words(text), "expected status 201, got 200\n> POST /Users");
        assert_eq!(super::in_words("expected a JSON body"), "expected a JSON body");
    }
}
