//! Runs the suite against the reference server once per fault and once per smaller server, in
//! process, on loopback: what `cargo xtask faults` prints and the faults test holds. The only
//! part of `faults` that does IO.

use super::verdict::{self, Smaller, Verdict};
use crate::api::{Config, offer::Without};
use crate::app::App;
use crate::suite::{self, Report, requirements::Catalogue};
use futures::StreamExt;
use std::sync::Arc;

/// The `--without` sets tried: each feature alone, some common pairs, and everything at once.
pub const WITHOUT_SETS: &[&str] = &[
    "etag",
    "bulk",
    "sort",
    "filter",
    "patch",
    "groups",
    "enterprise",
    "cursor",
    "etag,bulk",
    "patch,bulk,etag",
    "groups,enterprise",
    "filter,sort,cursor",
    "async",
    "etag,bulk,sort,filter,patch,groups,enterprise,cursor,async",
];

/// The conformant variants tried (`serve --variant`): each alone, and all at once.
pub const VARIANT_SETS: &[&str] = &[
    "schema-subset",
    "strict-required",
    "nulls",
    "groups-no-lastmodified",
    "filter-unadvertised",
    "patch-no-content",
    "close-connections",
    "schema-subset,strict-required,nulls,groups-no-lastmodified,filter-unadvertised,patch-no-content,close-connections",
];

/// Every fault's verdict, and the result of every conformant server: the reference server,
/// each smaller one and each variant.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub verdicts: Vec<Verdict>,
    pub smaller: Vec<Smaller>,
    pub variants: Vec<Smaller>,
}

impl Matrix {
    pub fn markdown(&self) -> String {
        verdict::markdown(&self.verdicts, &self.smaller, &self.variants)
    }
}

/// Runs everything, `concurrency` suites at a time; `progress` hears each finished name.
pub async fn run_all(concurrency: usize, progress: &(dyn Fn(&str) + Sync)) -> Result<Matrix, String> {
    let cat = Catalogue::embedded();
    let faults = super::all();
    let mut verdicts: Vec<Verdict> = futures::stream::iter(faults.iter().map(|f| async move {
        let verdict = match &f.caught_by {
            Some(phase) => load_on(Some(f), phase).await.map(|r| verdict::by_load(f, &r)),
            None => {
                let mut app = App::in_memory(Config::default(), TOKEN, ADMIN);
                app.fault = Some(f);
                suite_on(app).await.map(|r| verdict::judge(f, &r, cat))
            }
        };
        progress(&f.name);
        verdict
    }))
    .buffer_unordered(concurrency.max(1))
    .collect::<Vec<_>>()
    .await
    .into_iter()
    .collect::<Result<_, _>>()?;
    verdicts.sort_by_key(|v| faults.iter().position(|f| f.name == v.fault.name));
    // Conformant servers: each is checked three times on one running server (concurrency 8,
    // 8 again, then 1), and any scenario whose outcome differs between the runs is named.
    let mut targets: Vec<(String, bool, Config, Vec<crate::variants::Variant>)> =
        vec![(String::new(), false, Config::default(), vec![])];
    for w in WITHOUT_SETS {
        targets.push(((*w).to_owned(), false, Config { without: Without::parse(w)?, ..Config::default() }, vec![]));
    }
    for v in VARIANT_SETS {
        targets.push(((*v).to_owned(), true, Config::default(), crate::variants::Variant::parse_list(v)?));
    }
    let results: Vec<(bool, Smaller)> =
        futures::stream::iter(targets.into_iter().map(|(label, is_variant, config, variants)| async move {
            let mut app = App::in_memory(config, TOKEN, ADMIN);
            app.variants = variants;
            let s = repeated(&label, app).await;
            progress(&if is_variant { format!("--variant {label}") } else { format!("--without {label}") });
            s.map(|s| (is_variant, s))
        }))
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let order = |label: &str, variant: bool| {
        if variant {
            VARIANT_SETS.iter().position(|v| *v == label)
        } else {
            std::iter::once("").chain(WITHOUT_SETS.iter().copied()).position(|w| w == label)
        }
    };
    let (mut variants, mut smaller): (Vec<_>, Vec<_>) = results.into_iter().partition(|(v, _)| *v);
    variants.sort_by_key(|(v, s)| order(&s.without, *v));
    smaller.sort_by_key(|(v, s)| order(&s.without, *v));
    let variants = variants.into_iter().map(|(_, s)| s).collect();
    let smaller = smaller.into_iter().map(|(_, s)| s).collect();
    Ok(Matrix { verdicts, smaller, variants })
}

const TOKEN: &str = "faults-scim-token";
const ADMIN: &str = "faults-admin-token";

/// One `scimcheck load` phase, small, against the reference server (with `fault` on, if any) on
/// a loopback port.
pub async fn load_on(fault: Option<&'static super::Fault>, phase: &str) -> Result<crate::load::PhaseResult, String> {
    let mut app = App::in_memory(Config::default(), TOKEN, ADMIN);
    app.fault = fault;
    let running = crate::server::spawn(Arc::new(app)).await.map_err(|e| format!("starting a server: {e}"))?;
    let mut opts = crate::load::LoadOptions::new(&running.base_url());
    opts.headers.push(("authorization".into(), format!("Bearer {TOKEN}")));
    opts.duration = std::time::Duration::from_secs(1);
    opts.max_users = 1_500;
    opts.only = vec![crate::load::phases::Phase::parse(phase)?];
    let report = crate::load::run(&opts, &crate::load::Created::default(), &|_, _, _| {}).await;
    running.stop().await;
    report?.phases.pop().ok_or_else(|| format!("the load phase {phase} did not run"))
}

/// The suite (default profile, no admin API) against `app` on a loopback port.
async fn suite_on(app: App) -> Result<Report, String> {
    let running = crate::server::spawn(Arc::new(app)).await.map_err(|e| format!("starting a server: {e}"))?;
    let mut opts = suite::RunOptions::new(&running.base_url(), Some(TOKEN));
    opts.events_poll = Some(format!("{}/Events", running.base_url()));
    let report = suite::run(opts).await;
    running.stop().await;
    report
}

/// The suite three times against one running `app` (concurrency 8, 8, then 1): the first
/// run's result, with the scenarios whose outcome was not the same every time.
async fn repeated(label: &str, app: App) -> Result<Smaller, String> {
    let running = crate::server::spawn(Arc::new(app)).await.map_err(|e| format!("starting a server: {e}"))?;
    let mut reports = Vec::new();
    for concurrency in [8, 8, 1] {
        let mut opts = suite::RunOptions::new(&running.base_url(), Some(TOKEN));
        opts.concurrency = concurrency;
        opts.events_poll = Some(format!("{}/Events", running.base_url()));
        reports.push(suite::run(opts).await?);
    }
    running.stop().await;
    let mut s = Smaller::of(label, &reports[0]);
    s.flaky = verdict::differences(&reports);
    Ok(s)
}
