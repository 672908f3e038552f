//! Who may do what: staff roles and API token scopes mapped onto one list of permissions, so the
//! console and the merchant API ask the same question ("may this caller pay money out?").

use crate::api_tokens::Scope;

/// Something a caller may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// See payments, refunds, links, events and the audit log (never a payout URL).
    View,
    /// Download the CSV exports.
    Export,
    /// Capture and void; lift a checkout's card-testing lock.
    Operate,
    /// Create checkouts (API only).
    Collect,
    /// Send money out: refunds, refund links, device refunds; let a locked payout link take
    /// cards again.
    Payout,
    /// Stop money going out: cancel a payout link or a device refund, reverse a device refund.
    StopPayout,
    /// See the URL of a payout link (whoever holds it can be paid).
    SeePayoutLinks,
    /// Approve a payout another staff member asked for (four eyes).
    Approve,
    /// Manage staff roles and deployment settings.
    Administer,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::View => "view",
            Permission::Export => "export",
            Permission::Operate => "operate",
            Permission::Collect => "collect",
            Permission::Payout => "payout",
            Permission::StopPayout => "stop payout",
            Permission::SeePayoutLinks => "see payout links",
            Permission::Approve => "approve",
            Permission::Administer => "administer",
        }
    }
}

/// A staff member's role. Each role holds every permission of the one before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Sees everything except payout URLs; changes nothing.
    Viewer,
    /// A viewer who also captures, voids, exports and stops payouts (never starts one).
    Operator,
    /// An operator who also refunds, issues payout links and device refunds, and approves others'.
    Refunder,
    /// A refunder who also manages staff roles.
    Admin,
    /// A value this version does not know (written by a newer one): no permission at all.
    Unknown(String),
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Operator, Role::Refunder, Role::Admin];

    pub fn as_str(&self) -> &str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Refunder => "refunder",
            Role::Admin => "admin",
            Role::Unknown(other) => other,
        }
    }

    /// A known role by name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == name.trim().to_ascii_lowercase())
    }

    /// Whether this role may do `permission`.
    pub fn permits(&self, permission: Permission) -> bool {
        use Permission::*;
        let rank = match self {
            Role::Viewer => 0,
            Role::Operator => 1,
            Role::Refunder => 2,
            Role::Admin => 3,
            Role::Unknown(_) => return false,
        };
        let needed = match permission {
            View => 0,
            Export | Operate | StopPayout => 1,
            Payout | SeePayoutLinks | Approve => 2,
            Administer => 3,
            // Checkouts are created by the merchant's systems, never by a person.
            Collect => return false,
        };
        rank >= needed
    }
}

impl From<String> for Role {
    fn from(name: String) -> Role {
        Role::parse(&name).unwrap_or(Role::Unknown(name))
    }
}

impl Permission {
    /// The token scope that grants this permission (`read`: any scope views); `None`: no token
    /// may (approving and administering are for people).
    pub fn scope(self) -> Option<Scope> {
        use Permission::*;
        match self {
            View => Some(Scope::Read),
            Collect | Operate | Export => Some(Scope::Payments),
            Payout | StopPayout | SeePayoutLinks => Some(Scope::Refunds),
            Approve | Administer => None,
        }
    }
}

impl Scope {
    /// Whether a token scope grants `permission`: every scope views; `payments` collects and
    /// operates; `refunds` pays out, stops payouts and sees payout URLs.
    pub fn permits(self, permission: Permission) -> bool {
        match permission.scope() {
            Some(Scope::Read) => true,
            Some(scope) => scope == self,
            None => false,
        }
    }
}

/// Whether a token with the scopes listed in `granted` (`payments,refunds`) has `permission`.
pub fn scopes_permit(granted: &str, permission: Permission) -> bool {
    granted
        .split(',')
        .filter_map(Scope::parse)
        .any(|scope| scope.permits(permission))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_holds_the_permissions_of_the_one_before() {
        use Permission::*;
        let all = [
            View,
            Export,
            Operate,
            Collect,
            Payout,
            StopPayout,
            SeePayoutLinks,
            Approve,
            Administer,
        ];
        let granted = |role: &Role| -> Vec<Permission> {
            all.into_iter().filter(|p| role.permits(*p)).collect()
        };
        assert_eq!(granted(&Role::Viewer), vec![View]);
        assert_eq!(
            granted(&Role::Operator),
            vec![View, Export, Operate, StopPayout]
        );
        assert_eq!(
            granted(&Role::Refunder),
            vec![
                View,
                Export,
                Operate,
                Payout,
                StopPayout,
                SeePayoutLinks,
                Approve
            ]
        );
        assert_eq!(
            granted(&Role::Admin),
            vec![
                View,
                Export,
                Operate,
                Payout,
                StopPayout,
                SeePayoutLinks,
                Approve,
                Administer
            ]
        );
        assert!(granted(&Role::Unknown("owner".into())).is_empty());
    }

    #[test]
    fn roles_parse_by_name_and_unknown_names_keep_their_text() {
        assert_eq!(Role::parse(" Refunder "), Some(Role::Refunder));
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::from("root".to_string()), Role::Unknown("root".into()));
    }

    #[test]
    fn token_scopes_map_onto_the_same_permissions() {
        assert!(scopes_permit("read", Permission::View));
        assert!(!scopes_permit("read", Permission::SeePayoutLinks));
        assert!(!scopes_permit("payments", Permission::Payout));
        assert!(scopes_permit("payments,refunds", Permission::Payout));
        assert!(scopes_permit("refunds", Permission::StopPayout));
        assert!(!scopes_permit("payments", Permission::StopPayout));
        assert!(scopes_permit("refunds", Permission::SeePayoutLinks));
        assert!(!scopes_permit("payments,refunds,read", Permission::Approve));
        assert!(!scopes_permit("", Permission::View));
    }
}
