//! The part of the IPSIE profile one scenario at a time cannot show: at least 25 requests per
//! second per tenant. An IPSIE run (`--profile ipsie-al1` or `ipsie-al2`) also runs
//! `scimcheck load`'s sustained phase (the IdPs' request mix, paced at 25 req/s for 10 s) and
//! adds its verdict to the report as one more scenario, so the profile has one verdict. A target
//! off this machine is only put under load with `--i-accept-load`; without it the result is
//! inconclusive, with the reason.

use super::report::{Level, Outcome, ScenarioResult};
use std::time::Duration;

/// The report line of the throughput requirement for a run against `opts`.
pub async fn throughput(opts: &super::RunOptions) -> ScenarioResult {
    let mut load = crate::load::LoadOptions::new(&opts.base_url);
    load.headers = opts.headers.clone();
    load.insecure = opts.insecure;
    load.rate = 25.0;
    load.duration = Duration::from_secs(10);
    load.max_users = 200;
    load.accept_remote = opts.accept_load;
    load.only = vec![crate::load::phases::Phase::Sustained];
    let mut figure = String::new();
    let outcome = match crate::load::check_target(&opts.base_url, opts.accept_load) {
        Err(_) => Outcome::Inconclusive(
            "the target is not on this machine, so the 25 req/s IPSIE asks for was not measured; pass --i-accept-load to measure it"
                .into(),
        ),
        Ok(()) => match crate::load::run(&load, &crate::load::Created::default(), &|_, _, _| {}).await {
            Err(e) => Outcome::Inconclusive(format!("the load phase could not run: {e}")),
            Ok(report) => match report.phases.first().inspect(|p| figure = p.figure.clone()) {
                None => Outcome::Inconclusive("the load phase did not run".into()),
                Some(p) if p.verdict == crate::load::Verdict::Fail => Outcome::Failed(format!(
                    "expected 25 requests/s sustained with under 1% errors, got {}\n{}",
                    p.figure, p.detail
                )),
                Some(p) if p.verdict == crate::load::Verdict::Skip => {
                    Outcome::Inconclusive(format!("the load phase was skipped: {}", p.detail))
                }
                Some(_) => Outcome::Passed,
            },
        },
    };
    ScenarioResult {
        feature: "IPSIE: load".into(),
        path: "features/ipsie.feature".into(),
        name: "IPSIE: at least 25 requests per second per tenant (scimcheck load, sustained phase)".into(),
        line: 0,
        tags: vec!["ipsie".into(), "ipsie-al1".into(), "ipsie-throughput".into(), "must".into()],
        level: Level::Must,
        steps: vec![super::report::StepRecord {
            keyword: "Then".into(),
            text: format!(
                "scimcheck load's sustained phase, 25 req/s for 10 s: {}",
                if figure.is_empty() { "not run" } else { figure.as_str() }
            ),
            status: match &outcome {
                Outcome::Passed => "passed",
                Outcome::Failed(_) => "failed",
                _ => "skipped",
            },
        }],
        outcome,
        transcript: vec![],
        duration_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_target_off_this_machine_is_not_loaded_without_consent() {
        // Nothing is sent: the target check refuses before any request.
        let opts = crate::suite::RunOptions::new("https://scim.example.com/scim/v2", Some("t"));
        let r = super::throughput(&opts).await;
        assert!(
            matches!(&r.outcome, super::Outcome::Inconclusive(why) if why.contains("--i-accept-load")),
            "{:?}",
            r.outcome
        );
        assert!(r.tags.iter().any(|t| t == "ipsie-throughput") && r.level == super::Level::Must);
    }
}
