//! The provisioning product the reference server models (see
//! `../shared/spec/provisioning-product-doc.md`): settings, the role catalogue, group-to-role
//! mappings, access computed from group memberships, and the product's stricter user rules.
//!
//! Pure: no IO. Access is *derived*: a user's assignments are the union of what their groups
//! grant, computed when asked, so every change that can affect them (membership, group
//! rename or deletion, deactivation, a new mapping) is reflected at once, and a role granted by
//! two groups stays until the last grant goes.

pub mod rules;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which rules users created or replaced through SCIM must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UserRules {
    /// RFC 7643 only: `userName` is the one required attribute.
    #[default]
    Rfc,
    /// The product's API: an email `userName`, given and family name, display name and a primary email.
    Product,
}

/// A tenant's provisioning settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub scim_enabled: bool,
    pub saml_jit_enabled: bool,
    pub saml_metadata_sync_enabled: bool,
    pub default_role: String,
    pub user_rules: UserRules,
}

impl Default for Settings {
    /// `serve` starts with SCIM on (so `check` works out of the box), hence SAML JIT off.
    fn default() -> Self {
        Settings {
            scim_enabled: true,
            saml_jit_enabled: false,
            saml_metadata_sync_enabled: false,
            default_role: "viewer".into(),
            user_rules: UserRules::Rfc,
        }
    }
}

/// Why a settings change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    /// SAML JIT cannot be turned on while SCIM stays on.
    JitWhileScim,
    UnknownRole(String),
}

impl Settings {
    /// The settings after a change. Turning SCIM on forces both SAML flags off, whatever the
    /// request says; turning SAML JIT on while SCIM is and stays on is refused.
    pub fn apply(&self, requested: &Settings) -> Result<Settings, SettingsError> {
        if !ROLES.iter().any(|(r, _)| *r == requested.default_role) {
            return Err(SettingsError::UnknownRole(requested.default_role.clone()));
        }
        let mut next = requested.clone();
        let turning_scim_on = requested.scim_enabled && !self.scim_enabled;
        if turning_scim_on {
            next.saml_jit_enabled = false;
            next.saml_metadata_sync_enabled = false;
        } else if requested.scim_enabled && (requested.saml_jit_enabled || requested.saml_metadata_sync_enabled) {
            return Err(SettingsError::JitWhileScim);
        }
        Ok(next)
    }
}

/// The fixed role catalogue: `(name, description)`.
pub const ROLES: &[(&str, &str)] = &[
    ("admin", "Full administration of the tenant, its teams and integrations"),
    ("operator", "Manages integrations and data sources; no user administration"),
    ("viewer", "Read-only access to the team's data"),
    ("access_reviewer", "Reviews and certifies access in access reviews"),
];

/// The team every tenant has.
pub const ROOT_TEAM: &str = "root";

/// One team/role assignment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Assignment {
    pub team: String,
    pub role: String,
}

/// What an IdP group grants: configured, or its own team with the default role.
pub fn grants(group_name: &str, mappings: &BTreeMap<String, Vec<Assignment>>, default_role: &str) -> Vec<Assignment> {
    match mappings.get(&group_name.to_lowercase()) {
        Some(list) => list.clone(),
        None => vec![Assignment { team: group_name.to_owned(), role: default_role.to_owned() }],
    }
}

/// An assignment with the groups that grant it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub team: String,
    pub role: String,
    pub granted_by: Vec<String>,
}

/// A user's effective access: the union over their groups, or nothing while deactivated.
pub fn access(
    active: bool,
    groups: &[String],
    mappings: &BTreeMap<String, Vec<Assignment>>,
    default_role: &str,
) -> Vec<Grant> {
    if !active {
        return Vec::new();
    }
    let mut by: BTreeMap<Assignment, Vec<String>> = BTreeMap::new();
    for g in groups {
        for a in grants(g, mappings, default_role) {
            let e = by.entry(a).or_default();
            if !e.contains(g) {
                e.push(g.clone());
            }
        }
    }
    by.into_iter()
        .map(|(a, mut granted_by)| {
            granted_by.sort();
            Grant { team: a.team, role: a.role, granted_by }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mappings() -> BTreeMap<String, Vec<Assignment>> {
        let admin = Assignment { team: "root".into(), role: "admin".into() };
        BTreeMap::from([
            ("okta admins".into(), vec![admin.clone()]),
            ("break glass".into(), vec![admin, Assignment { team: "ops".into(), role: "operator".into() }]),
        ])
    }

    #[test]
    fn a_role_granted_twice_survives_losing_one_group() {
        let both = access(true, &["Okta Admins".into(), "Break Glass".into()], &mappings(), "viewer");
        let admin = both.iter().find(|g| g.role == "admin").unwrap();
        assert_eq!(admin.granted_by, vec!["Break Glass", "Okta Admins"]);
        let one = access(true, &["Break Glass".into()], &mappings(), "viewer");
        assert!(one.iter().any(|g| g.role == "admin" && g.granted_by == vec!["Break Glass"]));
        assert!(access(true, &[], &mappings(), "viewer").is_empty());
    }

    #[test]
    fn unmapped_groups_grant_their_team_with_the_default_role() {
        let a = access(true, &["Sales".into()], &mappings(), "viewer");
        assert_eq!(a, vec![Grant { team: "Sales".into(), role: "viewer".into(), granted_by: vec!["Sales".into()] }]);
    }

    #[test]
    fn deactivated_users_have_no_access() {
        assert!(access(false, &["Okta Admins".into()], &mappings(), "viewer").is_empty());
    }

    #[test]
    fn settings_rules() {
        let off = Settings { scim_enabled: false, saml_jit_enabled: true, ..Settings::default() };
        let on = off.apply(&Settings { scim_enabled: true, saml_jit_enabled: true, ..off.clone() }).unwrap();
        assert!(on.scim_enabled && !on.saml_jit_enabled && !on.saml_metadata_sync_enabled);
        assert_eq!(on.apply(&Settings { saml_jit_enabled: true, ..on.clone() }), Err(SettingsError::JitWhileScim));
        let bad = Settings { default_role: "emperor".into(), ..on.clone() };
        assert!(matches!(on.apply(&bad), Err(SettingsError::UnknownRole(_))));
    }
}
