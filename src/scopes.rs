//! The OAuth scopes each API operation needs, by the names the vendors' current pages give
//! (2026), and whether a token's scope list grants them. The
//! sandbox enforces the same table, so a run that passes there asks a real account for what
//! the pages say, and `bulkline check` can name what a token lacks.

use std::fmt;

/// An API whose scopes are named separately: its name in messages, the permission each
/// operation needs, the commands that use it and where a missing scope is granted. Each API's
/// table lives beside its requests (`connectors::*::SCOPES`, `sms::api::SCOPES`).
#[derive(Debug)]
pub struct ApiScopes {
    /// The vendor's name of the API ("Zoho Books").
    pub name: &'static str,
    pub read: Need,
    pub create: Need,
    pub update: Need,
    pub delete: Need,
    /// The commands that use the API, for `check`'s report.
    pub commands: &'static [Purpose],
    /// Where the user grants a missing scope.
    pub grant: &'static str,
    /// What a write is called in messages ("a send"), when not by its operation.
    pub write_word: Option<&'static str>,
}

/// The commands that use a contacts API.
pub const CONTACT_COMMANDS: &[Purpose] = &[
    Purpose::Import,
    Purpose::Undo,
    Purpose::Export,
    Purpose::Verify,
];

/// An API: one of the [`ApiScopes`] tables.
#[derive(Clone, Copy)]
pub struct Api(&'static ApiScopes);

impl Api {
    pub const fn of(scopes: &'static ApiScopes) -> Api {
        Api(scopes)
    }

    /// The vendor's name of the API, for messages.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    pub fn scopes(self) -> &'static ApiScopes {
        self.0
    }
}

by_name!(Api);

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    Create,
    Update,
    Delete,
}

/// One permission: the scope to ask for, and every scope name that grants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// The scope the documentation (docs/auth.md) tells users to grant.
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
pub fn need(api: Api, op: Access) -> Need {
    let t = api.0;
    match op {
        Access::Read => t.read,
        Access::Create => t.create,
        Access::Update => t.update,
        Access::Delete => t.delete,
    }
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
pub fn for_command(command: Purpose, api: Api) -> Vec<Need> {
    let ops: &[Access] = match (command, api) {
        (Purpose::Sms, _) => &[Access::Create, Access::Read],
        (Purpose::Import, _) => &[Access::Read, Access::Create, Access::Update],
        (Purpose::ImportCreate, _) => &[Access::Read, Access::Create],
        (Purpose::ImportUpdate, _) => &[Access::Read, Access::Update],
        (Purpose::Undo, _) => &[Access::Read, Access::Delete],
        (Purpose::Export | Purpose::Verify | Purpose::SmsStatus, _) => &[Access::Read],
    };
    ops.iter().map(|&op| need(api, op)).collect()
}

/// The commands that use an API, for `check`'s report.
pub fn commands_of(api: Api) -> &'static [Purpose] {
    api.0.commands
}

/// A command that talks to an API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Import,
    /// `import --mode create`: no updates.
    ImportCreate,
    /// `import --mode update`: no creates.
    ImportUpdate,
    Undo,
    Export,
    Verify,
    Sms,
    SmsStatus,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Import => "import",
            Purpose::ImportCreate => "import --mode create",
            Purpose::ImportUpdate => "import --mode update",
            Purpose::Undo => "undo",
            Purpose::Export => "export",
            Purpose::Verify => "verify",
            Purpose::Sms => "sms",
            Purpose::SmsStatus => "sms-status",
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

/// The message of a write refused for the account in the middle of a run: what it needs.
pub fn refused_write(api: Api, op: Access, message: &str) -> String {
    let what = match op {
        Access::Read => "a read",
        Access::Create => "a create",
        Access::Update => "an update",
        Access::Delete => "a delete",
    };
    let what = api.scopes().write_word.unwrap_or(what);
    format!(
        "{} refused {what} for the account ({message}): it needs the scope {}; {}",
        api.name(),
        need(api, op),
        api.scopes().grant
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOICE: Api = crate::connectors::zoho_voice::DESCRIPTOR.api;
    const BOOKS: Api = crate::connectors::zoho_books::DESCRIPTOR.api;
    const ZOOM: Api = crate::connectors::zoom_cc::DESCRIPTOR.api;
    const SMS: Api = crate::sms::api::API;

    #[test]
    fn zoho_scopes_are_case_insensitive_and_all_covers_each_operation() {
        let read = need(VOICE, Access::Read);
        assert!(grants(&["zohovoice.contacts.read"], &read));
        assert!(grants(&["ZohoVoice.contacts.ALL"], &read));
        assert!(!grants(&["ZohoVoice.contacts.CREATE"], &read));
        assert!(!grants(&["ZohoVoice.sms.ALL"], &read));
        assert!(grants(&["ZohoVoice.sms.GET"], &need(SMS, Access::Read)));
        assert!(grants(
            &["ZohoBooks.fullaccess.all"],
            &need(BOOKS, Access::Delete)
        ));
    }

    #[test]
    fn zoom_granular_scopes_grant_their_operation_only() {
        let granular = ["contact_center:read:list_address_book_contacts:admin"];
        assert!(grants(&granular, &need(ZOOM, Access::Read)));
        assert!(!grants(&granular, &need(ZOOM, Access::Create)));
        let classic = ["contact_center_contact:write:admin"];
        assert!(grants(&classic, &need(ZOOM, Access::Delete)));
        assert!(!grants(&classic, &need(ZOOM, Access::Read)));
    }

    #[test]
    fn what_a_command_lacks() {
        let token = ["ZohoVoice.contacts.READ"];
        let lacks = missing(&token, &for_command(Purpose::Import, VOICE));
        let names: Vec<&str> = lacks.iter().map(|n| n.scope).collect();
        assert_eq!(
            names,
            ["ZohoVoice.contacts.CREATE", "ZohoVoice.contacts.UPDATE"]
        );
        assert!(missing(&token, &for_command(Purpose::Export, VOICE)).is_empty());
        // Create and update share the classic write scope, not the granular one.
        let lacks = missing(&[], &for_command(Purpose::Import, ZOOM));
        assert_eq!(lacks.len(), 3);
        assert_eq!(
            need(ZOOM, Access::Read).to_string(),
            "contact_center_contact:read:admin (or contact_center:read:list_address_book_contacts:admin)"
        );
    }
}
