//! The OAuth scopes each API operation needs, by the names the vendors' current pages give
//! (`../shared/api/CURRENT-PAGES.md`), and whether a token's scope list grants them. The
//! sandbox enforces the same table, so a run that passes there asks a real account for what
//! the pages say, and `bulkline check` can name what a token lacks.

use std::fmt;

/// An API whose scopes are named separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// Zoho Voice contacts.
    VoiceContacts,
    /// Zoho Voice SMS (send and logs).
    VoiceSms,
    /// Zoho Books contacts and contact persons.
    Books,
    /// Zoom Contact Center address-book contacts.
    Zoom,
}

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Read,
    Create,
    Update,
    Delete,
}

/// One permission: the scope to ask for, and every scope name that grants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// The scope the README tells users to grant.
    pub scope: &'static str,
    /// Every scope that grants it (`scope` first): the `.ALL` forms, an older name, Zoom's
    /// granular scope.
    pub granted_by: &'static [&'static str],
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.granted_by {
            [_, rest @ ..] if !rest.is_empty() => {
                write!(f, "{} (or {})", self.scope, rest.join(" or "))
            }
            _ => f.write_str(self.scope),
        }
    }
}

/// The permission `op` needs on `api`.
pub fn need(api: Api, op: Op) -> Need {
    use Api::*;
    use Op::*;
    let (scope, granted_by): (&str, &[&str]) = match (api, op) {
        (VoiceContacts, Read) => (
            "ZohoVoice.contacts.READ",
            &["ZohoVoice.contacts.READ", "ZohoVoice.contacts.ALL"],
        ),
        (VoiceContacts, Create) => (
            "ZohoVoice.contacts.CREATE",
            &["ZohoVoice.contacts.CREATE", "ZohoVoice.contacts.ALL"],
        ),
        (VoiceContacts, Update) => (
            "ZohoVoice.contacts.UPDATE",
            &["ZohoVoice.contacts.UPDATE", "ZohoVoice.contacts.ALL"],
        ),
        (VoiceContacts, Delete) => (
            "ZohoVoice.contacts.DELETE",
            &["ZohoVoice.contacts.DELETE", "ZohoVoice.contacts.ALL"],
        ),
        // The logs page's current name is READ; the older page said GET.
        (VoiceSms, Read) => (
            "ZohoVoice.sms.READ",
            &[
                "ZohoVoice.sms.READ",
                "ZohoVoice.sms.GET",
                "ZohoVoice.sms.ALL",
            ],
        ),
        (VoiceSms, _) => (
            "ZohoVoice.sms.CREATE",
            &["ZohoVoice.sms.CREATE", "ZohoVoice.sms.ALL"],
        ),
        (Books, Read) => (
            "ZohoBooks.contacts.READ",
            &[
                "ZohoBooks.contacts.READ",
                "ZohoBooks.contacts.ALL",
                "ZohoBooks.fullaccess.ALL",
            ],
        ),
        (Books, Create) => (
            "ZohoBooks.contacts.CREATE",
            &[
                "ZohoBooks.contacts.CREATE",
                "ZohoBooks.contacts.ALL",
                "ZohoBooks.fullaccess.ALL",
            ],
        ),
        (Books, Update) => (
            "ZohoBooks.contacts.UPDATE",
            &[
                "ZohoBooks.contacts.UPDATE",
                "ZohoBooks.contacts.ALL",
                "ZohoBooks.fullaccess.ALL",
            ],
        ),
        (Books, Delete) => (
            "ZohoBooks.contacts.DELETE",
            &[
                "ZohoBooks.contacts.DELETE",
                "ZohoBooks.contacts.ALL",
                "ZohoBooks.fullaccess.ALL",
            ],
        ),
        // Zoom: the classic scopes, or the granular one of the operation (the Contact Center
        // spec's table of granular scopes).
        (Zoom, Read) => (
            "contact_center_contact:read:admin",
            &[
                "contact_center_contact:read:admin",
                "contact_center:read:list_address_book_contacts:admin",
            ],
        ),
        (Zoom, Create) => (
            "contact_center_contact:write:admin",
            &[
                "contact_center_contact:write:admin",
                "contact_center:write:address_book_contact:admin",
            ],
        ),
        (Zoom, Update) => (
            "contact_center_contact:write:admin",
            &[
                "contact_center_contact:write:admin",
                "contact_center:update:address_book_contact:admin",
            ],
        ),
        (Zoom, Delete) => (
            "contact_center_contact:write:admin",
            &[
                "contact_center_contact:write:admin",
                "contact_center:delete:address_book_contact:admin",
            ],
        ),
    };
    Need { scope, granted_by }
}

/// Whether a token with `scopes` has `need`. Zoho's scope names are case-insensitive
/// (`zohovoice.contacts.read` is `ZohoVoice.contacts.READ`); Zoom's are compared as they are.
pub fn grants(scopes: &[&str], need: &Need) -> bool {
    scopes.iter().any(|have| {
        need.granted_by
            .iter()
            .any(|g| have.trim().eq_ignore_ascii_case(g))
    })
}

/// The permissions a command needs on `api`, in the order it uses them.
pub fn for_command(command: Command, api: Api) -> Vec<Need> {
    let ops: &[Op] = match (command, api) {
        (Command::Sms, _) => &[Op::Create, Op::Read],
        (Command::Import, _) => &[Op::Read, Op::Create, Op::Update],
        (Command::ImportCreate, _) => &[Op::Read, Op::Create],
        (Command::ImportUpdate, _) => &[Op::Read, Op::Update],
        (Command::Undo, _) => &[Op::Read, Op::Delete],
        (Command::Export | Command::SmsStatus, _) => &[Op::Read],
    };
    ops.iter().map(|&op| need(api, op)).collect()
}

/// The commands that use an API, for `check`'s report.
pub fn commands_of(api: Api) -> &'static [Command] {
    match api {
        Api::VoiceSms => &[Command::Sms, Command::SmsStatus, Command::Export],
        _ => &[Command::Import, Command::Undo, Command::Export],
    }
}

/// A command that talks to an API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Import,
    /// `import --mode create`: no updates.
    ImportCreate,
    /// `import --mode update`: no creates.
    ImportUpdate,
    Undo,
    Export,
    Sms,
    SmsStatus,
}

impl Command {
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Import => "import",
            Command::ImportCreate => "import --mode create",
            Command::ImportUpdate => "import --mode update",
            Command::Undo => "undo",
            Command::Export => "export",
            Command::Sms => "sms",
            Command::SmsStatus => "sms-status",
        }
    }
}

/// The permissions of `needs` that a token with `scopes` lacks.
pub fn missing(scopes: &[&str], needs: &[Need]) -> Vec<Need> {
    let mut out: Vec<Need> = Vec::new();
    for n in needs {
        if !grants(scopes, n) && !out.contains(n) {
            out.push(*n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoho_scopes_are_case_insensitive_and_all_covers_each_operation() {
        let read = need(Api::VoiceContacts, Op::Read);
        assert!(grants(&["zohovoice.contacts.read"], &read));
        assert!(grants(&["ZohoVoice.contacts.ALL"], &read));
        assert!(!grants(&["ZohoVoice.contacts.CREATE"], &read));
        assert!(!grants(&["ZohoVoice.sms.ALL"], &read));
        assert!(grants(
            &["ZohoVoice.sms.GET"],
            &need(Api::VoiceSms, Op::Read)
        ));
        assert!(grants(
            &["ZohoBooks.fullaccess.all"],
            &need(Api::Books, Op::Delete)
        ));
    }

    #[test]
    fn zoom_granular_scopes_grant_their_operation_only() {
        let granular = ["contact_center:read:list_address_book_contacts:admin"];
        assert!(grants(&granular, &need(Api::Zoom, Op::Read)));
        assert!(!grants(&granular, &need(Api::Zoom, Op::Create)));
        let classic = ["contact_center_contact:write:admin"];
        assert!(grants(&classic, &need(Api::Zoom, Op::Delete)));
        assert!(!grants(&classic, &need(Api::Zoom, Op::Read)));
    }

    #[test]
    fn what_a_command_lacks() {
        let token = ["ZohoVoice.contacts.READ"];
        let lacks = missing(&token, &for_command(Command::Import, Api::VoiceContacts));
        let names: Vec<&str> = lacks.iter().map(|n| n.scope).collect();
        assert_eq!(
            names,
            ["ZohoVoice.contacts.CREATE", "ZohoVoice.contacts.UPDATE"]
        );
        assert!(missing(&token, &for_command(Command::Export, Api::VoiceContacts)).is_empty());
        // Create and update share the classic write scope, not the granular one.
        let lacks = missing(&[], &for_command(Command::Import, Api::Zoom));
        assert_eq!(lacks.len(), 3);
        assert_eq!(
            need(Api::Zoom, Op::Read).to_string(),
            "contact_center_contact:read:admin (or contact_center:read:list_address_book_contacts:admin)"
        );
    }
}
