//! The requirements catalogue (`features/requirements.toml`): every observable obligation the
//! suite knows, with its level and the sentence it comes from, and the checks that hold the
//! features to it.
//!
//! Scenarios cite requirements by tag (`@rfc7644-3.3-created-201`). [`problems`] finds what
//! breaks the rules: a citation that is not in the catalogue, a scenario whose level tag is not
//! the strongest level it cites, a scenario that cites nothing, a requirement that needs a
//! scenario and has none. [`markdown`] renders requirement → scenarios as `docs/coverage.md`.

use super::report::Level;
use gherkin::GherkinEnv;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use cucumber::gherkin;

/// One obligation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    #[serde(deserialize_with = "level")]
    pub level: Level,
    pub quote: String,
    /// Stated as a protocol definition, without a BCP 14 keyword.
    #[serde(default)]
    pub implied: bool,
    /// The row of the external audit (`shared/spec/rfc-coverage.md`) this entry answers.
    pub audit: Option<String>,
    /// Why no scenario can check it from outside.
    pub untestable: Option<String>,
    /// What the server must offer for it to apply.
    pub conditional: Option<String>,
    /// Where a non-RFC expectation comes from.
    pub source: Option<String>,
    /// Where another profile asks the opposite (reports print it beside a failure).
    pub disagrees: Option<String>,
}

fn level<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Level, D::Error> {
    match String::deserialize(d)?.as_str() {
        "MUST" => Ok(Level::Must),
        "SHOULD" => Ok(Level::Should),
        "MAY" => Ok(Level::May),
        other => Err(serde::de::Error::custom(format!("level must be MUST, SHOULD or MAY, not '{other}'"))),
    }
}

/// Where a requirement comes from, in the order the coverage document lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Rfc7644,
    Rfc7643,
    Rfc9865,
    Rfc9967,
    RolesEntitlements,
    Okta,
    Entra,
    Ipsie,
    InteropProfile,
}

impl Source {
    pub fn title(self) -> &'static str {
        match self {
            Source::Rfc7644 => "RFC 7644 (protocol)",
            Source::Rfc7643 => "RFC 7643 (schema)",
            Source::Rfc9865 => "RFC 9865 (cursor pagination)",
            Source::Rfc9967 => "RFC 9967 (security events; asynchronous requests)",
            Source::RolesEntitlements => "SCIM Roles and Entitlements (draft-ietf-scim-roles-entitlements-01)",
            Source::Okta => "Okta (SPEC test, CRUD test, client behaviour)",
            Source::Entra => "Microsoft Entra ID (provisioning, SCIM Validator, gallery validation)",
            Source::Ipsie => "OpenID IPSIE AL SCIM 2.0 profile (draft, Sept 2026)",
            Source::InteropProfile => "SCIM interop profile (draft-zollner-scim-interop-profile-02)",
        }
    }

    /// Whether the source is an RFC (the conformance verdict) rather than a profile.
    pub fn is_rfc(self) -> bool {
        matches!(self, Source::Rfc7644 | Source::Rfc7643 | Source::Rfc9865 | Source::Rfc9967)
    }
}

/// Tag prefixes that mark a citation, with their source.
const PREFIXES: &[(&str, Source)] = &[
    ("rfc7644-", Source::Rfc7644),
    ("rfc7643-", Source::Rfc7643),
    ("rfc9865-", Source::Rfc9865),
    ("rfc9967-", Source::Rfc9967),
    ("roles-", Source::RolesEntitlements),
    ("okta-", Source::Okta),
    ("entra-", Source::Entra),
    ("msv-", Source::Entra),
    ("msl-", Source::Entra),
    ("ipsie-", Source::Ipsie),
    ("iop-", Source::InteropProfile),
];

/// Tags that look like citations but mark a feature's profile.
const PROFILE_TAGS: &[&str] = &["iop-profile", "ipsie-al1", "ipsie-al2"];

impl Requirement {
    pub fn source(&self) -> Source {
        source_of(&self.id).expect("catalogue ids are checked when parsed")
    }

    /// "RFC 7644 §3.3", or the named source of a profile expectation.
    pub fn section(&self) -> String {
        if let Some(s) = &self.source {
            return s.clone();
        }
        let (rfc, rest) = self.id.split_once('-').unwrap_or((&self.id, ""));
        let number = rfc.trim_start_matches("rfc");
        match rest.split_once('-') {
            Some((sec, _)) if sec.starts_with(|c: char| c.is_ascii_digit()) => format!("RFC {number} §{sec}"),
            _ => format!("RFC {number}"),
        }
    }

    /// A link to the cited section (RFCs only).
    pub fn link(&self) -> Option<String> {
        if !self.source().is_rfc() || self.source.is_some() {
            return None;
        }
        let (rfc, rest) = self.id.split_once('-')?;
        let base = format!("https://www.rfc-editor.org/rfc/{rfc}");
        Some(match rest.split_once('-') {
            Some((sec, _)) if sec.starts_with(|c: char| c.is_ascii_digit()) => format!("{base}#section-{sec}"),
            _ => base,
        })
    }

    /// The level as the RFCs spell it.
    pub fn keyword(&self) -> &'static str {
        match self.level {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

fn source_of(tag: &str) -> Option<Source> {
    if PROFILE_TAGS.contains(&tag) {
        return None;
    }
    PREFIXES.iter().find(|(p, _)| tag.starts_with(p)).map(|(_, s)| *s)
}

/// Whether a tag (without `@`) is meant as a requirement citation.
pub fn is_citation(tag: &str) -> bool {
    source_of(tag).is_some()
}

/// The parsed catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub requirements: Vec<Requirement>,
    by_id: HashMap<String, usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    req: Vec<Requirement>,
}

impl Catalogue {
    /// Parses and checks a catalogue: ids unique and with a known prefix.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let file: File = toml::from_str(text).map_err(|e| format!("requirements.toml: {e}"))?;
        let mut by_id = HashMap::new();
        for (i, r) in file.req.iter().enumerate() {
            if source_of(&r.id).is_none() {
                return Err(format!("requirement '{}' has no known source prefix (rfc7644-, okta-, …)", r.id));
            }
            if by_id.insert(r.id.clone(), i).is_some() {
                return Err(format!("requirement '{}' is listed twice", r.id));
            }
        }
        Ok(Catalogue { requirements: file.req, by_id })
    }

    /// The catalogue embedded with the features.
    pub fn embedded() -> &'static Catalogue {
        static CELL: OnceLock<Catalogue> = OnceLock::new();
        CELL.get_or_init(|| {
            let text = super::FEATURES
                .get_file("requirements.toml")
                .and_then(|f| f.contents_utf8())
                .expect("features/requirements.toml is embedded");
            Catalogue::parse(text).expect("the embedded catalogue parses (checked by cargo test)")
        })
    }

    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.by_id.get(id).map(|&i| &self.requirements[i])
    }

    /// The requirements a scenario cites, in tag order.
    pub fn cited<'a>(&'a self, tags: &'a [String]) -> impl Iterator<Item = &'a Requirement> + 'a {
        tags.iter().filter_map(|t| self.get(t))
    }
}

/// A scenario as the catalogue sees it (an outline counts once).
#[derive(Debug, Clone)]
pub struct ScenarioRef {
    pub path: String,
    pub line: usize,
    pub name: String,
    /// Feature, rule and scenario tags, without `@`.
    pub tags: Vec<String>,
}

impl ScenarioRef {
    pub fn level(&self) -> Level {
        Level::from_tags(&self.tags)
    }
    fn has(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// Every scenario of the given feature sources.
pub fn scenarios(sources: &[(PathBuf, String)]) -> Result<Vec<ScenarioRef>, String> {
    let mut out = Vec::new();
    for (path, text) in sources {
        let f = gherkin::Feature::parse(text, GherkinEnv::default()).map_err(|e| format!("{}: {e}", path.display()))?;
        let path = path.to_string_lossy().into_owned();
        let mut push = |rule_tags: &[String], s: &gherkin::Scenario| {
            let tags = f.tags.iter().chain(rule_tags).chain(&s.tags).map(|t| t.trim_start_matches('@').to_owned());
            out.push(ScenarioRef {
                path: path.clone(),
                line: s.position.line,
                name: s.name.clone(),
                tags: tags.collect(),
            });
        };
        for s in &f.scenarios {
            push(&[], s);
        }
        for r in &f.rules {
            for s in &r.scenarios {
                push(&r.tags, s);
            }
        }
    }
    out.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    Ok(out)
}

/// Everything that breaks the catalogue's rules, one line each.
pub fn problems(cat: &Catalogue, scenarios: &[ScenarioRef]) -> Vec<String> {
    let mut out = Vec::new();
    for s in scenarios {
        let at = format!("{}:{} ({})", s.path, s.line, s.name);
        for t in s.tags.iter().filter(|t| is_citation(t) && cat.get(t).is_none()) {
            out.push(format!("{at}: cites @{t}, which is not in features/requirements.toml"));
        }
        let strongest = cat.cited(&s.tags).map(|r| r.level).min_by_key(|l| rank(*l));
        match strongest {
            None if !s.has("product") => out.push(format!("{at}: cites no requirement")),
            Some(l) if l != s.level() => out.push(format!(
                "{at}: tagged @{} but the strongest requirement it cites is {}",
                tag_of(s.level()),
                tag_of(l).to_uppercase()
            )),
            _ => {}
        }
    }
    for r in &cat.requirements {
        let checked = scenarios.iter().any(|s| s.has(&r.id));
        if !checked && r.untestable.is_none() && r.level != Level::May {
            out.push(format!("{} ({}): no scenario checks it and no reason says why none can", r.id, r.keyword()));
        }
    }
    out
}

fn rank(l: Level) -> u8 {
    match l {
        Level::Must => 0,
        Level::Should => 1,
        Level::May => 2,
    }
}

fn tag_of(l: Level) -> &'static str {
    match l {
        Level::Must => "must",
        Level::Should => "should",
        Level::May => "may",
    }
}

/// Counts for one source and level: requirements, checked by a scenario, untestable (with a reason).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub total: usize,
    pub checked: usize,
    pub untestable: usize,
}

/// Counts per (source, level).
pub fn tallies(cat: &Catalogue, scenarios: &[ScenarioRef]) -> Vec<((Source, Level), Tally)> {
    let mut map: Vec<((Source, Level), Tally)> = Vec::new();
    for r in &cat.requirements {
        let key = (r.source(), r.level);
        let i = match map.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                map.push((key, Tally::default()));
                map.len() - 1
            }
        };
        let t = &mut map[i].1;
        t.total += 1;
        if scenarios.iter().any(|s| s.has(&r.id)) {
            t.checked += 1;
        } else if r.untestable.is_some() {
            t.untestable += 1;
        }
    }
    map.sort_by_key(|((s, l), _)| (*s, rank(*l)));
    map
}

/// `docs/coverage.md`: the totals, then requirement → scenarios per source.
pub fn markdown(cat: &Catalogue, scenarios: &[ScenarioRef]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Requirement coverage\n");
    let _ = writeln!(
        md,
        "Generated by `cargo xtask coverage` from `features/requirements.toml` and the features' tags; \
         `cargo test` fails when this file is stale. A requirement is *checked* when a scenario cites it; \
         a scenario's level is the strongest level it cites. *Implied* marks a protocol definition the RFC \
         states without a BCP 14 keyword.\n"
    );
    let _ = writeln!(md, "| source | level | requirements | checked | untestable (with reason) | unchecked |");
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for ((src, lvl), t) in tallies(cat, scenarios) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            src.title(),
            tag_of(lvl).to_uppercase(),
            t.total,
            t.checked,
            t.untestable,
            t.total - t.checked - t.untestable
        );
    }
    let mut current = None;
    for r in &cat.requirements {
        if current != Some(r.source()) {
            current = Some(r.source());
            let _ = writeln!(md, "\n## {}\n", r.source().title());
            let _ = writeln!(md, "| requirement | level | statement | checked by |");
            let _ = writeln!(md, "|---|---|---|---|");
        }
        let checked: Vec<String> = scenarios
            .iter()
            .filter(|s| s.has(&r.id))
            .map(|s| format!("{}:{} {}", s.path, s.line, s.name.replace('|', "\\|")))
            .collect();
        let by = if !checked.is_empty() {
            checked.join("<br>")
        } else if let Some(why) = &r.untestable {
            format!("*not checkable:* {why}")
        } else {
            "**unchecked**".to_owned()
        };
        let level = if r.implied { format!("{} (implied)", r.keyword()) } else { r.keyword().to_owned() };
        let audit = r.audit.as_deref().map(|a| format!(" [{a}]")).unwrap_or_default();
        let cond = r.conditional.as_deref().map(|c| format!(" *Applies with: {c}.*")).unwrap_or_default();
        let _ = writeln!(
            md,
            "| `{}`{audit} | {level} | {}: “{}”{cond} | {by} |",
            r.id,
            r.section(),
            r.quote.replace('|', "\\|"),
        );
    }
    md
}
