//! SCIM filters (RFC 7644 §3.4.2.2): the typed AST, its parser, printer and evaluator.
//!
//! A filter string is parsed once at the edge ([`parse`]) into a [`Filter`]; it prints back to
//! a canonical string ([`std::fmt::Display`]) that parses to the same AST. [`eval::compile`]
//! resolves its attribute paths against a resource type (unknown attributes are
//! `invalidFilter`), and [`eval::Compiled::matches`] evaluates it on a stored record.

pub mod eval;
pub mod grammar;
mod print;
pub mod sort;

pub use grammar::{Limits, parse, parse_path, parse_with};

/// Short strings are stored inline (no allocation up to 24 bytes): most names and values are.
pub type Text = compact_str::CompactString;

/// `attrPath = [URI ":"] ATTRNAME *1subAttr`, names as written (resolved case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    pub urn: Option<Text>,
    pub attr: Text,
    pub sub: Option<Text>,
}

/// `compareOp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Lt,
    Ge,
    Le,
}

impl CompareOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Lt => "lt",
            CompareOp::Ge => "ge",
            CompareOp::Le => "le",
        }
    }

    /// Whether the operator orders values (`gt`, `ge`, `lt`, `le`).
    pub fn is_ordering(self) -> bool {
        matches!(self, CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le)
    }
}

/// `compValue = false / null / true / number / string`.
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(Text),
}

/// A parsed filter. `and` binds tighter than `or`; both are left-associative.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attrPath SP "pr"`.
    Present(AttrPath),
    /// `attrPath SP compareOp SP compValue`.
    Compare(AttrPath, CompareOp, CompValue),
    /// `attrPath "[" valFilter "]"`: some value of a multi-valued attribute matches.
    ValuePath(AttrPath, Box<Filter>),
    Not(Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

/// A PATCH path (RFC 7644 §3.5.2): `attrPath / valuePath [subAttr]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    /// The value filter of `attr[...]`, if any.
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter (`emails[type eq "work"].value`).
    pub sub: Option<Text>,
}
