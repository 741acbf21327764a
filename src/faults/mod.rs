//! Faults: the reference server breaking one behaviour on purpose, to test the tests (like
//! rustls's BoGo shim that misbehaves on request). `scimcheck serve --fault NAME` wraps the
//! server in a shim that rewrites requests and responses the way a server with that defect
//! would answer; `cargo xtask faults` runs the suite against every fault and checks that a
//! scenario citing a violated requirement fails.
//!
//! The faults are data (`faults.toml`: name, area, what, the requirement ids violated); their
//! behaviour is [`shim::handle`]. The core (`api`, `store`, ...) never knows a fault is on: the
//! shim sits in front of [`App::handle_clean`](crate::app::App::handle_clean).

pub mod races;
pub mod run;
pub mod shim;
pub mod verdict;

use serde::Deserialize;
use std::sync::OnceLock;

/// One fault, as `faults.toml` describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub name: String,
    pub area: String,
    pub what: String,
    /// Requirement ids (`features/requirements.toml`) a server with this fault breaks.
    pub violates: Vec<String>,
    /// The `scimcheck load` phase (its `--phase` key) that catches this fault, for defects one
    /// request at a time cannot show (races, cost by size); `None`: the suite catches it.
    #[serde(default)]
    pub caught_by: Option<String>,
}

#[derive(Deserialize)]
struct File {
    fault: Vec<Fault>,
}

/// Every fault, in file order.
pub fn all() -> &'static [Fault] {
    static CELL: OnceLock<Vec<Fault>> = OnceLock::new();
    CELL.get_or_init(|| {
        toml::from_str::<File>(include_str!("faults.toml")).expect("faults.toml parses (checked by a unit test)").fault
    })
}

/// A fault by name; the error names the choices.
pub fn named(name: &str) -> Result<&'static Fault, String> {
    all().iter().find(|f| f.name == name).ok_or_else(|| {
        format!("unknown fault '{name}'; `scimcheck serve --list-faults` lists the {} faults", all().len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::requirements::Catalogue;

    #[test]
    fn every_fault_is_implemented_and_cites_known_requirements() {
        let cat = Catalogue::embedded();
        let mut names = std::collections::HashSet::new();
        for f in all() {
            assert!(names.insert(&f.name), "fault {} is listed twice", f.name);
            assert!(!f.violates.is_empty(), "fault {} violates nothing", f.name);
            for id in &f.violates {
                assert!(cat.get(id).is_some(), "fault {} cites unknown requirement {id}", f.name);
            }
            assert!(shim::implemented(&f.name), "fault {} has no behaviour in faults::shim", f.name);
            if let Some(phase) = &f.caught_by {
                assert!(crate::load::phases::Phase::parse(phase).is_ok(), "fault {}: no load phase '{phase}'", f.name);
            }
        }
        assert!(all().len() >= 60);
    }
}
