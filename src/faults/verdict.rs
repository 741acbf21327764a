//! Whether a suite run caught a fault, and the table of every fault's verdict (`docs/faults.md`).
//!
//! A fault counts as caught only when a scenario that cites one of the requirements it violates
//! fails, at that requirement's level: a violated MUST must fail the run, a violated SHOULD
//! must at least warn. Scenarios that fail without citing a violated requirement are listed as
//! collateral: they show what else a defect disturbs, and never count as catching it.

use super::Fault;
use crate::suite::report::{Level, Outcome, Report};
use crate::suite::requirements::Catalogue;
use std::fmt::Write as _;

/// The suite's verdict on one fault.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub fault: &'static Fault,
    /// Failed scenarios that cite a violated requirement (`file:line name`).
    pub attributed: Vec<String>,
    /// Failed scenarios that cite none of them.
    pub collateral: Vec<String>,
    /// Caught at the level of what it violates.
    pub caught: bool,
}

/// Judges one run against the fault it ran with.
pub fn judge(fault: &'static Fault, report: &Report, cat: &Catalogue) -> Verdict {
    let violated = |t: &String| fault.violates.contains(t);
    let failed = report.scenarios.iter().filter(|s| matches!(s.outcome, Outcome::Failed(_)));
    let (mut attributed, mut collateral) = (Vec::new(), Vec::new());
    let mut strongest_caught: Option<Level> = None;
    for s in failed {
        let label = format!("{}:{} {}", s.path, s.line, s.name);
        if s.tags.iter().any(violated) {
            attributed.push(label);
            strongest_caught = Some(match strongest_caught {
                Some(Level::Must) => Level::Must,
                _ if s.level == Level::Must => Level::Must,
                Some(l) => l,
                None => s.level,
            });
        } else {
            collateral.push(label);
        }
    }
    let needs_must = fault.violates.iter().filter_map(|id| cat.get(id)).any(|r| r.level == Level::Must);
    let caught = match strongest_caught {
        None => false,
        Some(Level::Must) => true,
        Some(_) => !needs_must,
    };
    Verdict { fault, attributed, collateral, caught }
}

/// Judges a fault that `scimcheck load` catches: its phase must fail.
pub fn by_load(fault: &'static Fault, phase: &crate::load::PhaseResult) -> Verdict {
    let label = format!("`scimcheck load` {}: {}", phase.name, phase.figure);
    Verdict {
        fault,
        attributed: vec![label],
        collateral: Vec::new(),
        caught: phase.verdict == crate::load::Verdict::Fail,
    }
}

/// The result of a run on a server that offers less (`serve --without`).
#[derive(Debug, Clone)]
pub struct Smaller {
    pub without: String,
    pub passed: usize,
    /// Failed scenarios (there should be none).
    pub failed: Vec<String>,
    /// Scenarios that fail because leaving the feature out is itself below a SHOULD or a MAY
    /// (no PATCH: RFC 7644 §3.5 SHOULD; no enterprise extension: the MAY of publishing it).
    pub deviations: Vec<String>,
    /// Skip reasons with how many scenarios each skipped.
    pub skipped: Vec<(String, usize)>,
    /// Inconclusive causes with how many scenarios each left inconclusive.
    pub inconclusive: Vec<(String, usize)>,
    /// Scenarios whose outcome differed between runs (there should be none).
    pub flaky: Vec<String>,
}

impl Smaller {
    pub fn of(without: &str, report: &Report) -> Smaller {
        let skipped = report.skip_reasons();
        let (mut failed, mut deviations) = (Vec::new(), Vec::new());
        for s in report.scenarios.iter().filter(|s| matches!(s.outcome, Outcome::Failed(_))) {
            let label = format!("{}:{} {}", s.path, s.line, s.name);
            if s.tags.iter().any(|t| DEVIATIONS.iter().any(|(f, id)| without.split(',').any(|w| w == *f) && t == id)) {
                deviations.push(label);
            } else {
                failed.push(label);
            }
        }
        let inconclusive =
            crate::suite::causes::inconclusive(report).into_iter().map(|c| (c.text, c.scenarios.len())).collect();
        Smaller {
            without: without.to_owned(),
            passed: report.passed(),
            failed,
            deviations,
            skipped,
            inconclusive,
            flaky: vec![],
        }
    }
}

/// The scenarios whose outcome (passed, failed, skipped, inconclusive) is not the same in
/// every report, each with the outcomes seen.
pub fn differences(reports: &[Report]) -> Vec<String> {
    let kind = |o: &Outcome| match o {
        Outcome::Passed => "passed",
        Outcome::Failed(_) => "failed",
        Outcome::Skipped(_) => "skipped",
        Outcome::Inconclusive(_) => "inconclusive",
        Outcome::ExpectedFailure(_) => "expected",
    };
    let mut seen: std::collections::BTreeMap<String, Vec<&str>> = std::collections::BTreeMap::new();
    for r in reports {
        for s in &r.scenarios {
            seen.entry(format!("{}:{} {}", s.path, s.line, s.name)).or_default().push(kind(&s.outcome));
        }
    }
    seen.into_iter()
        .filter(|(_, kinds)| kinds.len() != reports.len() || kinds.iter().any(|k| *k != kinds[0]))
        .map(|(name, kinds)| format!("{name} ({})", kinds.join(", ")))
        .collect()
}

/// What leaving a feature out breaks by itself: `(feature, requirement id)`.
const DEVIATIONS: &[(&str, &str)] =
    &[("patch", "rfc7644-3.5-patch-supported"), ("enterprise", "rfc7643-4.3-enterprise")];

/// `docs/faults.md`.
pub fn markdown(verdicts: &[Verdict], smaller: &[Smaller], variants: &[Smaller]) -> String {
    let mut md = String::new();
    let caught = verdicts.iter().filter(|v| v.caught).count();
    let _ = writeln!(md, "# The suite against a reference server that breaks one rule\n");
    let _ = writeln!(
        md,
        "Generated by `cargo xtask faults`: the suite run once per fault (`scimcheck serve --fault NAME`) and once per \
         smaller server (`scimcheck serve --without LIST`). A fault is *caught* when a scenario citing a requirement it \
         violates fails at that requirement's level (a MUST fails the run, a SHOULD warns). *Collateral* scenarios \
         failed without citing a violated requirement. Faults of the area *load* (races, cost by size) cannot be \
         seen one request at a time: the `scimcheck load` phase named in *by* must fail for them.\n"
    );
    let _ = writeln!(md, "**{caught} of {} faults caught and attributed.**\n", verdicts.len());
    let _ = writeln!(md, "| fault | area | what | violates | caught | by | collateral |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for v in verdicts {
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            v.fault.name,
            v.fault.area,
            v.fault.what.replace('|', "\\|"),
            v.fault.violates.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(" "),
            if v.caught { "yes" } else { "**no**" },
            cell(&v.attributed),
            cell(&v.collateral),
        );
    }
    let _ = writeln!(md, "\n## Smaller servers\n");
    let _ = writeln!(
        md,
        "Each run three times against one running server (concurrency 8, 8, then 1); *differing* lists any scenario \
         whose outcome was not the same every time. The first row is the reference server itself.\n"
    );
    conformant_table(&mut md, "--without", smaller);
    let _ = writeln!(md, "\n## Stricter or different, still conformant servers\n");
    let _ = writeln!(
        md,
        "`scimcheck serve --variant NAME` differs from the reference server the way real servers do without breaking \
         RFC 7643/7644 (`src/variants.rs`): {}. Each must come out with 0 failures; what it does not keep is \
         inconclusive, with the reason.\n",
        crate::variants::Variant::ALL.map(|v| format!("`{}` {}", v.name(), v.what())).join("; ")
    );
    conformant_table(&mut md, "--variant", variants);
    md
}

fn conformant_table(md: &mut String, flag: &str, rows: &[Smaller]) {
    let _ = writeln!(
        md,
        "| {flag} | passed | failed | differing | warned for leaving it out | inconclusive (cause: scenarios) | skipped (reason: scenarios) |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for s in rows {
        let list = |v: &[(String, usize)]| {
            v.iter().map(|(w, n)| format!("{w}: {n}")).collect::<Vec<_>>().join("<br>").replace('|', "\\|")
        };
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            if s.without.is_empty() { "(nothing)" } else { &s.without },
            s.passed,
            if s.failed.is_empty() { "0".to_owned() } else { cell(&s.failed) },
            if s.flaky.is_empty() { "0".to_owned() } else { cell(&s.flaky) },
            cell(&s.deviations),
            list(&s.inconclusive),
            list(&s.skipped),
        );
    }
}

fn cell(items: &[String]) -> String {
    if items.is_empty() {
        return "–".to_owned();
    }
    let shown: Vec<String> = items.iter().take(4).map(|s| s.replace('|', "\\|")).collect();
    let more = if items.len() > 4 { format!("<br>… and {} more", items.len() - 4) } else { String::new() };
    format!("{}{more}", shown.join("<br>"))
}
