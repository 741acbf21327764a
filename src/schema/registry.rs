//! The embedded schema data and the resource types built on it.
//!
//! `schemas/scim/*.json` are compiled into the binary; [`Registry::embedded`] parses them once.
//! A [`ResourceType`] ties an endpoint to its core schema and extensions, and resolves attribute
//! names (plain, dotted or URN-qualified, in any case) to their definitions.

use super::{Attribute, Schema, find};
use serde::Deserialize;
use serde_json::Value;
use std::sync::{Arc, OnceLock};

pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const SPC_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const RESOURCE_TYPE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
pub const SCHEMA_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
pub const LIST_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const BULK_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const BULK_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// The embedded schema files, by file name: `(name, contents)`.
pub const SCHEMA_FILES: &[(&str, &str)] = &[
    ("User", include_str!("../../schemas/scim/User.json")),
    ("Group", include_str!("../../schemas/scim/Group.json")),
    ("EnterpriseUser", include_str!("../../schemas/scim/EnterpriseUser.json")),
    ("ServiceProviderConfig", include_str!("../../schemas/scim/ServiceProviderConfig.json")),
    ("ResourceType", include_str!("../../schemas/scim/ResourceType.json")),
    ("Schema", include_str!("../../schemas/scim/Schema.json")),
];
const COMMON: &str = include_str!("../../schemas/scim/common-attributes.json");
const RESOURCE_TYPES: &str = include_str!("../../schemas/scim/resource-types.json");

/// A resource type (RFC 7643 §6): its endpoint, core schema and extensions.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    pub id: String,
    pub name: String,
    pub endpoint: String,
    pub description: String,
    pub core: Schema,
    /// Extensions and whether each is required.
    pub extensions: Vec<(Schema, bool)>,
    pub common: Arc<Vec<Attribute>>,
}

/// Where an attribute lives in a resource's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location<'a> {
    /// Top level: common or core-schema attribute.
    Top,
    /// Inside the extension object keyed by this URN.
    Extension(&'a str),
}

/// An attribute resolved against a resource type.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    pub location: Location<'a>,
    pub attr: &'a Attribute,
}

impl ResourceType {
    /// The kind of resource this type stores.
    pub fn is_group(&self) -> bool {
        self.core.id == GROUP_URN
    }

    /// An extension schema by URN, case-insensitively.
    pub fn extension(&self, urn: &str) -> Option<&Schema> {
        self.extensions.iter().map(|(s, _)| s).find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// Resolves a top-level attribute, optionally qualified by a schema URN (§3.10 of RFC 7644).
    pub fn resolve(&self, urn: Option<&str>, name: &str) -> Option<Resolved<'_>> {
        match urn {
            None => find(&self.common, name)
                .or_else(|| self.core.attribute(name))
                .map(|attr| Resolved { location: Location::Top, attr }),
            Some(u) if u.eq_ignore_ascii_case(&self.core.id) => {
                self.core.attribute(name).map(|attr| Resolved { location: Location::Top, attr })
            }
            Some(u) => {
                let ext = self.extension(u)?;
                let attr = ext.attribute(name)?;
                Some(Resolved { location: Location::Extension(&ext.id), attr })
            }
        }
    }

    /// Every schema URN this type knows (core first).
    pub fn schema_urns(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.core.id.as_str()).chain(self.extensions.iter().map(|(s, _)| s.id.as_str()))
    }

    /// The `ResourceType` resource of RFC 7643 §6.
    pub fn to_json(&self, base: &str) -> Value {
        serde_json::json!({
            "schemas": [RESOURCE_TYPE_URN],
            "id": self.id,
            "name": self.name,
            "endpoint": self.endpoint,
            "description": self.description,
            "schema": self.core.id,
            "schemaExtensions": self.extensions.iter()
                .map(|(s, r)| serde_json::json!({"schema": s.id, "required": r}))
                .collect::<Vec<_>>(),
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{}", self.id)},
        })
    }
}

/// All schemas and resource types the server knows.
#[derive(Debug, Clone)]
pub struct Registry {
    pub schemas: Vec<Schema>,
    pub resource_types: Vec<ResourceType>,
    pub common: Arc<Vec<Attribute>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawResourceType {
    id: String,
    name: String,
    endpoint: String,
    description: String,
    schema: String,
    schema_extensions: Vec<RawExtension>,
}

#[derive(Deserialize)]
struct RawExtension {
    schema: String,
    required: bool,
}

#[derive(Deserialize)]
struct RawCommon {
    attributes: Vec<Attribute>,
}

impl Registry {
    /// The registry built from the embedded `schemas/scim` files (parsed once per process).
    pub fn embedded() -> Registry {
        static CELL: OnceLock<Registry> = OnceLock::new();
        CELL.get_or_init(|| Self::from_sources(SCHEMA_FILES.iter().map(|(_, s)| *s), COMMON, RESOURCE_TYPES)).clone()
    }

    /// Builds a registry from schema documents. The embedded data is checked by a unit test, so a
    /// failure here is a build defect, not an input error.
    fn from_sources<'a>(schemas: impl Iterator<Item = &'a str>, common: &str, rts: &str) -> Registry {
        let schemas: Vec<Schema> =
            schemas.map(|s| serde_json::from_str(s).expect("embedded schema is valid")).collect();
        let common: RawCommon = serde_json::from_str(common).expect("embedded common attributes are valid");
        let common = Arc::new(common.attributes);
        let raw: Vec<RawResourceType> = serde_json::from_str(rts).expect("embedded resource types are valid");
        let by_id = |urn: &str| schemas.iter().find(|s| s.id == urn).cloned().expect("resource type schema exists");
        let resource_types = raw
            .into_iter()
            .map(|r| ResourceType {
                core: by_id(&r.schema),
                extensions: r.schema_extensions.iter().map(|e| (by_id(&e.schema), e.required)).collect(),
                id: r.id,
                name: r.name,
                endpoint: r.endpoint,
                description: r.description,
                common: common.clone(),
            })
            .collect();
        Registry { schemas, resource_types, common }
    }

    /// A schema by URN, case-insensitively.
    pub fn schema(&self, urn: &str) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// A resource type by id (`User`, `Group`), case-insensitively.
    pub fn resource_type(&self, id: &str) -> Option<&ResourceType> {
        self.resource_types.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// A resource type by endpoint segment (`Users`, `Groups`); exact, as URL paths are.
    pub fn by_endpoint(&self, segment: &str) -> Option<&ResourceType> {
        self.resource_types.iter().find(|r| r.endpoint.trim_start_matches('/') == segment)
    }

    /// The `Schema` resource of RFC 7643 §7 for one schema.
    pub fn schema_json(&self, schema: &Schema, base: &str) -> Value {
        let mut v = serde_json::to_value(schema).expect("schema serialises");
        v["schemas"] = serde_json::json!([SCHEMA_URN]);
        v["meta"] = serde_json::json!({"resourceType": "Schema", "location": format!("{base}/Schemas/{}", schema.id)});
        v
    }

    /// This registry without the Group resource type and schema (`groups`) or without the
    /// enterprise User extension (`enterprise`): what a server that leaves them out declares.
    pub fn without(&self, groups: bool, enterprise: bool) -> Registry {
        let mut r = self.clone();
        if groups {
            r.resource_types.retain(|t| !t.is_group());
            r.schemas.retain(|s| s.id != GROUP_URN);
        }
        if enterprise {
            for t in &mut r.resource_types {
                t.extensions.retain(|(s, _)| s.id != ENTERPRISE_URN);
            }
            r.schemas.retain(|s| s.id != ENTERPRISE_URN);
        }
        r
    }

    /// Makes the given top-level attributes of a schema required (used by product user rules).
    pub fn require(&mut self, urn: &str, names: &[&str]) {
        let patch = |s: &mut Schema| {
            if s.id == urn {
                for a in s.attributes.iter_mut().filter(|a| names.iter().any(|n| a.name == *n)) {
                    a.required = true;
                }
            }
        };
        self.schemas.iter_mut().for_each(patch);
        self.resource_types.iter_mut().for_each(|r| patch(&mut r.core));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_parse_and_resolve() {
        let reg = Registry::embedded();
        assert_eq!(reg.schemas.len(), 6);
        let user = reg.resource_type("user").unwrap();
        assert_eq!(user.endpoint, "/Users");
        let r = user.resolve(None, "USERNAME").unwrap();
        assert_eq!(r.attr.name, "userName");
        let r =
            user.resolve(Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"), "employeenumber").unwrap();
        assert_eq!(r.location, Location::Extension(ENTERPRISE_URN));
        assert!(user.resolve(None, "employeeNumber").is_none());
        assert_eq!(user.resolve(None, "ID").unwrap().attr.name, "id");
    }
}
