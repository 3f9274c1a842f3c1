//! Roles and what each may do: the six roles of the design and the one permission matrix that
//! every page, API call and command checks in the app layer.
//!
//! A kind may narrow this further (who may take a transition, in which states a record is
//! editable); it never widens it. Time limits on an external auditor's access and scoping by
//! site are enforced where sessions and users live, not here.

use serde::{Deserialize, Serialize};

/// What a user is allowed to do, across all records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Manager,
    /// An internal auditor: runs the organisation's own audits and raises findings.
    Auditor,
    Contributor,
    Reader,
    /// Someone from a certification body or customer, with time-boxed read-only access.
    ExternalAuditor,
}

/// One thing a role may or may not do. The order of [`Permission::ALL`] is the column order of
/// the matrix in [`Role::may`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ReadRecords,
    CreateRecords,
    EditRecords,
    Comment,
    Attach,
    Link,
    /// Apply an electronic signature (21 CFR 11.50, 11.200).
    Sign,
    /// Confirm having read an effective document.
    Acknowledge,
    /// Read the audit trail (21 CFR 11.10(e): it must be available for review and copying).
    ReadAuditTrail,
    /// Recompute the audit trail's hash chain.
    VerifyAuditTrail,
    ManageUsers,
    ManageSettings,
    /// Start assessments, answer their checklists and take readiness snapshots.
    Assess,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Administrator,
        Role::Manager,
        Role::Auditor,
        Role::Contributor,
        Role::Reader,
        Role::ExternalAuditor,
    ];

    /// The stored and serialised form, e.g. `external_auditor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Manager => "manager",
            Self::Auditor => "auditor",
            Self::Contributor => "contributor",
            Self::Reader => "reader",
            Self::ExternalAuditor => "external_auditor",
        }
    }

    /// Reads what a person types: any case, `_` or `-` between words, surrounding spaces.
    pub fn parse(s: &str) -> Option<Role> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|r| r.as_str() == wanted)
    }

    /// For people. The auditor is labelled "internal auditor" so that it is never confused
    /// with the external auditor.
    pub fn label(self) -> &'static str {
        match self {
            Self::Administrator => "Administrator",
            Self::Manager => "Manager",
            Self::Auditor => "Internal auditor",
            Self::Contributor => "Contributor",
            Self::Reader => "Reader",
            Self::ExternalAuditor => "External auditor",
        }
    }

    /// Whether this role holds permission `p`.
    pub fn may(self, p: Permission) -> bool {
        self.row()[p as usize]
    }

    /// The permission matrix: one row per role, one column per permission, in the order of
    /// [`Permission::ALL`].
    ///
    /// Verifying the audit trail is kept to administrators: it is the check that the people
    /// who run the registers have not altered them (21 CFR 11.10(e)). Reading the trail is
    /// open to those who audit the system. External auditors see but never change anything.
    #[rustfmt::skip]
    fn row(self) -> [bool; 13] {
        const Y: bool = true;
        const N: bool = false;
        // Columns: read records, create, edit, comment, attach, link, sign, acknowledge,
        // read the audit trail, verify it, manage users, manage settings.
        match self {
            //                        read crt  edit cmnt att  link sign ack  trl  vrfy usr  set
            Self::Administrator   => [Y,   Y,   Y,   Y,   Y,   Y,   Y,   Y,   Y,   Y,   Y,   Y,   Y],
            Self::Manager         => [Y,   Y,   Y,   Y,   Y,   Y,   Y,   Y,   Y,   N,   N,   N,   Y],
            Self::Auditor         => [Y,   Y,   N,   Y,   Y,   Y,   Y,   Y,   Y,   N,   N,   N,   Y],
            Self::Contributor     => [Y,   Y,   Y,   Y,   Y,   Y,   Y,   Y,   N,   N,   N,   N,   N],
            Self::Reader          => [Y,   N,   N,   Y,   N,   N,   N,   Y,   N,   N,   N,   N,   N],
            Self::ExternalAuditor => [Y,   N,   N,   N,   N,   N,   N,   N,   Y,   N,   N,   N,   N],
        }
    }
}

impl Permission {
    pub const ALL: [Permission; 13] = [
        Permission::ReadRecords,
        Permission::CreateRecords,
        Permission::EditRecords,
        Permission::Comment,
        Permission::Attach,
        Permission::Link,
        Permission::Sign,
        Permission::Acknowledge,
        Permission::ReadAuditTrail,
        Permission::VerifyAuditTrail,
        Permission::ManageUsers,
        Permission::ManageSettings,
        Permission::Assess,
    ];

    /// The serialised form, e.g. `read_audit_trail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadRecords => "read_records",
            Self::CreateRecords => "create_records",
            Self::EditRecords => "edit_records",
            Self::Comment => "comment",
            Self::Attach => "attach",
            Self::Link => "link",
            Self::Sign => "sign",
            Self::Acknowledge => "acknowledge",
            Self::ReadAuditTrail => "read_audit_trail",
            Self::VerifyAuditTrail => "verify_audit_trail",
            Self::ManageUsers => "manage_users",
            Self::ManageSettings => "manage_settings",
            Self::Assess => "assess",
        }
    }

    /// For people, e.g. on the roles page.
    pub fn label(self) -> &'static str {
        match self {
            Self::ReadRecords => "Read records",
            Self::CreateRecords => "Create records",
            Self::EditRecords => "Edit records",
            Self::Comment => "Comment",
            Self::Attach => "Attach files",
            Self::Link => "Link records and clauses",
            Self::Sign => "Sign electronically",
            Self::Acknowledge => "Acknowledge documents",
            Self::ReadAuditTrail => "Read the audit trail",
            Self::VerifyAuditTrail => "Verify the audit trail",
            Self::ManageUsers => "Manage users",
            Self::ManageSettings => "Manage settings",
            Self::Assess => "Assess against standards",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::Permission::*;
    use super::*;

    /// The matrix as the design states it, written out independently of [`Role::row`]: every
    /// permission not listed for a role is refused.
    const EXPECTED: [(Role, &[Permission]); 6] = [
        (
            Role::Administrator,
            &[
                ReadRecords,
                CreateRecords,
                EditRecords,
                Comment,
                Attach,
                Link,
                Sign,
                Acknowledge,
                ReadAuditTrail,
                VerifyAuditTrail,
                ManageUsers,
                ManageSettings,
                Assess,
            ],
        ),
        (
            Role::Manager,
            &[
                ReadRecords,
                CreateRecords,
                EditRecords,
                Comment,
                Attach,
                Link,
                Sign,
                Acknowledge,
                ReadAuditTrail,
                Assess,
            ],
        ),
        (
            Role::Auditor,
            &[
                ReadRecords,
                CreateRecords,
                Comment,
                Attach,
                Link,
                Sign,
                Acknowledge,
                ReadAuditTrail,
                Assess,
            ],
        ),
        (
            Role::Contributor,
            &[
                ReadRecords,
                CreateRecords,
                EditRecords,
                Comment,
                Attach,
                Link,
                Sign,
                Acknowledge,
            ],
        ),
        (Role::Reader, &[ReadRecords, Comment, Acknowledge]),
        (Role::ExternalAuditor, &[ReadRecords, ReadAuditTrail]),
    ];

    #[test]
    fn every_cell_of_the_matrix_matches_the_design() {
        let mut cells = 0;
        for (role, granted) in EXPECTED {
            for p in Permission::ALL {
                assert_eq!(
                    role.may(p),
                    granted.contains(&p),
                    "{} / {}",
                    role.as_str(),
                    p.as_str()
                );
                cells += 1;
            }
        }
        assert_eq!(cells, 78);
        let roles: Vec<Role> = EXPECTED.iter().map(|(r, _)| *r).collect();
        assert_eq!(roles, Role::ALL);
    }

    #[test]
    fn the_matrix_columns_follow_the_order_of_all() {
        for (i, p) in Permission::ALL.into_iter().enumerate() {
            assert_eq!(p as usize, i, "{}", p.as_str());
        }
    }

    #[test]
    fn only_administrators_verify_the_trail_or_manage_users_and_settings() {
        for p in [VerifyAuditTrail, ManageUsers, ManageSettings] {
            let holders: Vec<Role> = Role::ALL.into_iter().filter(|r| r.may(p)).collect();
            assert_eq!(holders, [Role::Administrator], "{}", p.as_str());
        }
    }

    #[test]
    fn an_external_auditor_changes_nothing() {
        let held: Vec<Permission> = Permission::ALL
            .into_iter()
            .filter(|p| Role::ExternalAuditor.may(*p))
            .collect();
        assert_eq!(held, [ReadRecords, ReadAuditTrail]);
    }

    #[test]
    fn roles_parse_from_what_people_type() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(Role::parse(&r.as_str().to_uppercase()), Some(r));
        }
        assert_eq!(Role::parse("external-auditor"), Some(Role::ExternalAuditor));
        assert_eq!(
            Role::parse(" External_Auditor "),
            Some(Role::ExternalAuditor)
        );
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse(""), None);
        assert_eq!(Role::parse("external auditor"), None);
    }

    #[test]
    fn serialised_forms_are_the_as_str_forms() {
        for r in Role::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
            let back: Role = serde_json::from_value(r.as_str().into()).unwrap();
            assert_eq!(back, r);
        }
        for p in Permission::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(Role::Administrator.label(), "Administrator");
        assert_eq!(Role::Auditor.label(), "Internal auditor");
        assert_eq!(Role::ExternalAuditor.label(), "External auditor");
        assert_eq!(ReadAuditTrail.label(), "Read the audit trail");
    }
}
