//! The canonical text of a filter: lower-case operators, single spaces, parentheses only where
//! precedence needs them, JSON-escaped strings. `parse(print(f)) == f` holds.

use super::{AttrPath, CompValue, Filter, PatchPath};
use std::fmt;

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(u) = &self.urn {
            write!(f, "{u}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(s) = &self.sub {
            write!(f, ".{s}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::Str(s) => write!(f, "{}", serde_json::Value::from(s.as_str())),
        }
    }
}

/// Binding strength: or < and < the rest.
fn level(f: &Filter) -> u8 {
    match f {
        Filter::Or(..) => 0,
        Filter::And(..) => 1,
        _ => 2,
    }
}

fn child(out: &mut fmt::Formatter<'_>, f: &Filter, min: u8) -> fmt::Result {
    if level(f) < min { write!(out, "({f})") } else { write!(out, "{f}") }
}

impl fmt::Display for Filter {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Present(p) => write!(out, "{p} pr"),
            Filter::Compare(p, op, v) => write!(out, "{p} {} {v}", op.as_str()),
            Filter::ValuePath(p, inner) => write!(out, "{p}[{inner}]"),
            Filter::Not(inner) => write!(out, "not ({inner})"),
            // Left-associative: the right operand needs parentheses at the same level.
            Filter::And(l, r) => {
                child(out, l, 1)?;
                out.write_str(" and ")?;
                child(out, r, 2)
            }
            Filter::Or(l, r) => {
                child(out, l, 0)?;
                out.write_str(" or ")?;
                child(out, r, 1)
            }
        }
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(out, "{}", self.attr)?;
        if let Some(flt) = &self.filter {
            write!(out, "[{flt}]")?;
        }
        if let Some(s) = &self.sub {
            write!(out, ".{s}")?;
        }
        Ok(())
    }
}
