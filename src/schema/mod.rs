//! The SCIM schema model of RFC 7643 §7: attributes and their characteristics.
//!
//! The definitions themselves are data (`schemas/scim/*.json`, embedded in the binary by
//! [`registry`]); this module gives them types. Everything that behaves differently for
//! different attributes (case rules, mutability, what is returned, uniqueness) asks an
//! [`Attribute`] here rather than naming the attribute.

pub mod json_schema;
pub mod registry;

pub use registry::{Registry, ResourceType};

use serde::{Deserialize, Serialize};

/// An attribute's data type (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

/// When an attribute may be changed (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

/// When an attribute is returned (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

/// How unique a value must be (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

/// One attribute definition, with the characteristics of RFC 7643 §2.2 and §7.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: AttrType,
    pub multi_valued: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canonical_values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_exact: Option<bool>,
    pub mutability: Mutability,
    pub returned: Returned,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uniqueness: Option<Uniqueness>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_attributes: Option<Vec<Attribute>>,
}

impl Attribute {
    /// Whether string comparison on this attribute respects case (default `false`, §2.2).
    pub fn is_case_exact(&self) -> bool {
        self.case_exact.unwrap_or(false)
    }

    /// The sub-attributes of a complex attribute (empty otherwise).
    pub fn subs(&self) -> &[Attribute] {
        self.sub_attributes.as_deref().unwrap_or(&[])
    }

    /// A sub-attribute by name, case-insensitively (§2.1).
    pub fn sub(&self, name: &str) -> Option<&Attribute> {
        self.subs().iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Whether clients may never write this attribute (readOnly).
    pub fn is_read_only(&self) -> bool {
        self.mutability == Mutability::ReadOnly
    }

    /// Whether the value must be unique across the server.
    pub fn is_unique(&self) -> bool {
        matches!(self.uniqueness, Some(Uniqueness::Server | Uniqueness::Global))
    }
}

/// A schema (RFC 7643 §7): an URN and its attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub attributes: Vec<Attribute>,
}

impl Schema {
    /// A top-level attribute by name, case-insensitively.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// Finds an attribute by name, case-insensitively, in a list of definitions.
pub fn find<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}
