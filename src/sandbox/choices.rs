//! The sandbox's choices where the vendors' pages are silent, in one place.
//!
//! The sandbox follows the vendors' API pages (Zoho's and Zoom's current pages, 2026, where
//! they moved on from older versions). Where they say nothing (an error code, the status that carries it, what a
//! deleted record answers, a limit, a paging detail), it still has to answer something: what
//! it answers is listed here, with the page that is silent. A run that passes against the
//! sandbox has shown nothing about these points on a real account; each is an assumption to
//! check there (a round trip, a canary, the vendor's own message quoted in a report).
//!
//! [`CHOICES`] is the table; a test holds that it names only APIs the sandbox serves.

/// One point where the sandbox decides what a silent page leaves open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The API: a target of the connectors' registry (`zoho-books`), or one of [`OTHER_APIS`].
    pub target: &'static str,
    /// What is left open.
    pub point: &'static str,
    /// What the sandbox does.
    pub sandbox: &'static str,
    /// The page (or pages) that say nothing about it.
    pub silent: &'static str,
}

/// The APIs the sandbox serves that are not targets of the registry.
pub const OTHER_APIS: [&str; 3] = ["zoho-voice-sms", "zoho-oauth", "zoom-oauth"];

const BOOKS_PAGE: &str = "Zoho Books contact persons page";
const VOICE_PAGE: &str = "Zoho Voice contacts page";
const ZOOM_PAGE: &str =
    "Zoom Contact Center address book contacts page and Zoom's Contact Center spec";
const SMS_PAGES: &str = "Zoho Voice SMS page and the current send/logs pages";

/// Every choice the sandbox makes where the pages are silent.
pub const CHOICES: &[Choice] = &[
    // Zoho Books.
    Choice {
        target: "zoho-books",
        point: "the code of a contact person that does not exist (update, delete, mark primary, get)",
        sandbox: "HTTP 404, code 1003 \"The contact person does not exist.\" (bulkline's undo counts 1003 and 1002 as already gone)",
        silent: "Zoho Books contact persons page; Zoho's errors page gives 1002 for \"does not exist\" in general",
    },
    Choice {
        target: "zoho-books",
        point: "the status of a parent contact that does not exist",
        sandbox: "HTTP 404, code 1002 \"Contact does not exist.\"",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "a token without the operation's scope",
        sandbox: "HTTP 401, code 57 \"You are not authorized to perform this operation\" (as public clients meet it)",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "an expired, revoked or missing access token",
        sandbox: "HTTP 401, code INVALID_OAUTHTOKEN \"invalid oauth token\" (Zoho's OAuth answer)",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "a field of the wrong type, too long, or a missing first name",
        sandbox: "HTTP 400, code 4 \"Invalid value passed for <field>\"",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "a missing or unknown organization_id",
        sandbox: "HTTP 400, code 6041",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "the per-minute limit (100 requests per organization)",
        sandbox: "HTTP 429, code 44; only requests with a valid token count",
        silent: "Zoho Books contact persons page (the limit and code are a reading of Zoho's current pages, 2026)",
    },
    Choice {
        target: "zoho-books",
        point: "the status that carries the daily quota's code 45",
        sandbox: "HTTP 429 by default (books_daily_quota_status changes it); the quota is off unless set",
        silent: "Zoho's current pages (2026): which HTTP status carries code 45 is not documented",
    },
    Choice {
        target: "zoho-books",
        point: "more than 10 requests in flight for one organization",
        sandbox: "HTTP 429, code 1070",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "per_page outside 1..=200, or a page below 1",
        sandbox: "HTTP 400, code 4 \"Invalid value passed for per_page\" (or page)",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "the first contact person of a contact",
        sandbox: "becomes the contact's primary contact person",
        silent: BOOKS_PAGE,
    },
    Choice {
        target: "zoho-books",
        point: "GET /books/v3/contacts (the organization's contacts, for the pre-flight)",
        sandbox: "answers contact_id and contact_name only, paged like the contact persons",
        silent: "Zoho Books contact persons page (the call is on Books' contacts page)",
    },
    // Zoho Voice contacts.
    Choice {
        target: "zoho-voice",
        point: "what a lock-out answers (\"lock period is 10 min\" on the call-logs page)",
        sandbox: "only when configured (`lockout`): HTTP 429 to every API request for its length, with a Retry-After of what is left, or with none (`retry_after: false`); on every API alike",
        silent: "Zoho's current pages, 2026 (the lock period is quoted from the call-logs page; no page shows its answer)",
    },
    Choice {
        target: "zoho-voice",
        point: "what a contact that does not exist (or was deleted) answers",
        sandbox: "HTTP 404, code \"404\" \"The contact does not exist or has been deleted.\" (bulkline's undo counts it as already gone)",
        silent: "Zoho Voice contacts page (errors only as \"<App Error Code>\"; Zoho's current pages, 2026: already-gone codes not documented)",
    },
    Choice {
        target: "zoho-voice",
        point: "the code of a request it refuses (bad contact JSON, a missing key, paging out of range)",
        sandbox: "HTTP 400, code \"400\" with the reason in message",
        silent: VOICE_PAGE,
    },
    Choice {
        target: "zoho-voice",
        point: "how the `contact` parameter travels on POST and PUT",
        sandbox: "taken from a form body or the query string, for both methods",
        silent: "Zoho Voice contacts page (Zoho's current pages, 2026: a form body on PUT may not arrive)",
    },
    Choice {
        target: "zoho-voice",
        point: "a rate limit for contacts",
        sandbox: "none of its own (only the global --rate-limit, answered 429 with Retry-After)",
        silent: "Zoho Voice contacts page (the call-logs page's \"30 calls per min, lock 10 min\" may hold here too)",
    },
    Choice {
        target: "zoho-voice",
        point: "an update that leaves keys out",
        sandbox: "keys not sent keep their values (first_name and mobile are still required)",
        silent: VOICE_PAGE,
    },
    Choice {
        target: "zoho-voice",
        point: "paging: `from` and `size`",
        sandbox: "`from` counts from 0 in id order; `size` 1..=50, else 400; meta.total is -1 unless totalCount=true",
        silent: VOICE_PAGE,
    },
    Choice {
        target: "zoho-voice",
        point: "a token without the operation's scope",
        sandbox: "HTTP 401, code OAUTH_SCOPE_MISMATCH \"invalid oauth scope to access this URL\"",
        silent: VOICE_PAGE,
    },
    // Zoom Contact Center.
    Choice {
        target: "zoom-cc",
        point: "a page_size above 300 (the spec's maximum) or below 1",
        sandbox: "HTTP 400, code 300 \"Invalid parameter: page_size must be between 1 and 300.\"",
        silent: "Zoom's Contact Center spec (gives the maximum, not the answer to more)",
    },
    Choice {
        target: "zoom-cc",
        point: "a next_page_token that expired (15 minutes) or belongs to another address book",
        sandbox: "HTTP 400, code 300 \"The next page token is invalid or expired.\"",
        silent: ZOOM_PAGE,
    },
    Choice {
        target: "zoom-cc",
        point: "an invalid field other than the spec's 2102 and 2104 (too many e-mails or phones, a bad type, an unknown key)",
        sandbox: "HTTP 400, code 300 naming the field",
        silent: ZOOM_PAGE,
    },
    Choice {
        target: "zoom-cc",
        point: "the default page_size",
        sandbox: "10",
        silent: ZOOM_PAGE,
    },
    Choice {
        target: "zoom-cc",
        point: "clearing a field on PATCH with \"\" or []",
        sandbox: "clears it (an empty display_name is then refused 2104, neither e-mail nor phone left 2102)",
        silent: "Zoom's Contact Center spec (neither allowed nor forbidden)",
    },
    Choice {
        target: "zoom-cc",
        point: "a token without the operation's scope",
        sandbox: "HTTP 400, code 4711 \"Invalid access token, does not contain scopes:[...]\"",
        silent: ZOOM_PAGE,
    },
    Choice {
        target: "zoom-cc",
        point: "the form of a new contact_id",
        sandbox: "22 letters and digits",
        silent: ZOOM_PAGE,
    },
    // Zoho Voice SMS (src/sandbox/sms.rs).
    Choice {
        target: "zoho-voice-sms",
        point: "error codes other than ZVSMS-4027 and ZVSMS-4038",
        sandbox: "ZVSMS-4001 missing or invalid number, ZVSMS-4002 missing message, ZVSMS-4003 message too long, ZVSMS-4005 any other bad parameter; all HTTP 400",
        silent: SMS_PAGES,
    },
    Choice {
        target: "zoho-voice-sms",
        point: "what ZVSMS-4027 means",
        sandbox: "a send with no sender id, or one the account does not have",
        silent: "the send pages (ZVSMS-4027 \"Bad Request\" is only their error sample)",
    },
    Choice {
        target: "zoho-voice-sms",
        point: "which countries a send is refused for",
        sandbox: "calling codes 7 and 98 answer ZVSMS-4038 (sms_unsupported_country_codes)",
        silent: SMS_PAGES,
    },
    Choice {
        target: "zoho-voice-sms",
        point: "the answer to a send of several numbers",
        sandbox: "one log id per number, in order (sms_answer_first_number_only names only the first)",
        silent: "the send pages (one sample, one number)",
    },
    Choice {
        target: "zoho-voice-sms",
        point: "delivery",
        sandbox: "a message is DELIVERED at once unless scheduled",
        silent: SMS_PAGES,
    },
    Choice {
        target: "zoho-voice-sms",
        point: "the time zone of the logs' fromDate and toDate, and the answer to a date alone",
        sandbox: "UTC; a date alone (no time) is refused: HTTP 400 ZVSMS-4005 naming the parameter and the form yyyy-MM-dd HH:mm:ss",
        silent: "the logs page (time zone not stated; the form is given, not the refusal)",
    },
    Choice {
        target: "zoho-voice-sms",
        point: "the answer to a send of more than 10 numbers",
        sandbox: "HTTP 400 ZVSMS-4005 \"customerNumber: Maximum allowed is 10 numbers per request (N given).\"; nothing is sent",
        silent: "the current send pages (they give the limit, not the answer)",
    },
    // OAuth.
    Choice {
        target: "zoho-oauth",
        point: "the authorization-code grant of a Self Client's grant code",
        sandbox: "one grant code (seed::GRANT_CODE), taken once: a new refresh token besides the access token; a second use answers HTTP 200 {\"error\": \"invalid_code\"}",
        silent: "Zoho's token-limits page (the token limits only; the grant-code exchange is on Zoho's OAuth pages)",
    },
    Choice {
        target: "zoho-oauth",
        point: "the answer to too many token requests",
        sandbox: "HTTP 400 {\"error\":\"Access Denied\",\"error_description\":\"You have made too many requests continuously...\"}",
        silent: "Zoho's token-limits page (gives the limit, not the answer)",
    },
    Choice {
        target: "zoho-oauth",
        point: "the scopes of an issued token",
        sandbox: "listed in the token answer's `scope` field (the pre-flight reads them)",
        silent: "Zoho's OAuth token page",
    },
    Choice {
        target: "zoom-oauth",
        point: "the answer to bad client credentials or account id",
        sandbox: "HTTP 400 {\"reason\": ..., \"error\": \"invalid_client\" | \"invalid_request\"}",
        silent: "Zoom's server-to-server OAuth page",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_names_an_api_the_sandbox_serves_and_says_what_and_where() {
        assert!(!CHOICES.is_empty());
        let targets: Vec<&str> = crate::connectors::TARGETS
            .iter()
            .map(|t| t.as_str())
            .collect();
        for c in CHOICES {
            assert!(
                targets.contains(&c.target) || OTHER_APIS.contains(&c.target),
                "{c:?} names no API the sandbox serves"
            );
            for text in [c.point, c.sandbox, c.silent] {
                assert!(!text.trim().is_empty(), "{c:?}");
            }
        }
        // Every target of the registry has its choices listed.
        for t in targets {
            assert!(CHOICES.iter().any(|c| c.target == t), "{t}: no choices");
        }
    }
}
