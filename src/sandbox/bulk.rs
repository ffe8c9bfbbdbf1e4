//! Bulk records for tests and benchmarks: `n` contacts in each contact API and `n` outgoing
//! messages in the SMS logs, made directly in the store (no requests), the same for the same
//! `n`. Record `i` (0-based) has the mobile `+4474005` and `i` in 5 digits (a valid UK
//! mobile; see [`mobile`] beyond 100,000) and the names `First<i>` / `Last<i>`; record 0's first name (and its logged
//! message) is a formula (`=HYPERLINK("http://x.test","Click")`), the case spreadsheet
//! exports must neutralise.

use super::seed;
use super::sms::{country_of, normalize_number};
use super::state::{BooksContactPerson, Direction, SmsMessage, Store, ZoomContact};
use super::zoho_voice::new_contact;

/// The first name of record 0: a formula a spreadsheet would run.
pub const FORMULA_NAME: &str = "=HYPERLINK(\"http://x.test\",\"Click\")";

/// The mobile of bulk record `i`: `+4474005` and `i` in 5 digits below 100,000, then
/// `+447701` and `i - 100,000` in 6 digits (valid UK mobiles too), so that a listing of up to
/// 1,100,000 records holds no number twice; beyond, the numbers repeat.
pub fn mobile(i: u64) -> String {
    match i {
        0..100_000 => format!("+4474005{i:05}"),
        _ => format!("+447701{:06}", (i - 100_000) % 1_000_000),
    }
}

/// The first name of bulk record `i`.
pub fn first_name(i: u64) -> String {
    if i == 0 {
        FORMULA_NAME.to_string()
    } else {
        format!("First{i}")
    }
}

/// Which APIs get the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apis {
    All,
    Voice,
    Books,
    Zoom,
    SmsLogs,
}

impl Apis {
    fn has(self, api: Apis) -> bool {
        self == Apis::All || self == api
    }
}

/// Adds `n` records to the APIs `apis` of `store`, created at `now_ms`.
pub fn add(store: &mut Store, apis: Apis, n: u64, now_ms: u64) {
    let book = seed::BOOKS_CONTACTS[0].0;
    for i in 0..n {
        let (first, last, mobile) = (first_name(i), format!("Last{i}"), mobile(i));
        let email = format!("person{i}@example.com");

        if apis.has(Apis::Voice) {
            let given = [
                ("first_name".to_string(), first.clone()),
                ("last_name".to_string(), last.clone()),
                ("mobile".to_string(), mobile.clone()),
                ("email".to_string(), email.clone()),
            ];
            let c = new_contact(store, given, now_ms);
            store.voice.insert(c.contact_id, c);
            store.voice_changes += 1;
        }

        if apis.has(Apis::Books) {
            let pid = store.next_person_id;
            store.next_person_id += 1;
            store.books_persons.insert(
                pid,
                BooksContactPerson {
                    contact_id: book,
                    contact_person_id: pid,
                    salutation: String::new(),
                    first_name: first.clone(),
                    last_name: last.clone(),
                    email: email.clone(),
                    phone: String::new(),
                    mobile: mobile.clone(),
                    skype: String::new(),
                    designation: String::new(),
                    department: String::new(),
                    is_primary_contact: i == 0,
                    is_added_in_portal: false,
                    is_sms_enabled: false,
                    is_whatsapp_enabled: false,
                },
            );
        }

        if apis.has(Apis::Zoom) {
            let seq = store.next_zoom_seq;
            store.next_zoom_seq += 1;
            let contact_id = store.rng.alnum(22);
            store.add_zoom_contact(
                seq,
                ZoomContact {
                    contact_id,
                    address_book_id: seed::ZOOM_ADDRESS_BOOK_ID.to_string(),
                    display_name: format!("{first} {last}"),
                    first_name: first.clone(),
                    last_name: last.clone(),
                    phone_numbers: vec![mobile.clone()],
                    emails: vec![email.clone()],
                    ..ZoomContact::default()
                },
            );
        }

        if apis.has(Apis::SmsLogs) {
            let number = normalize_number(&mobile).unwrap_or(mobile);
            let logid = store.rng.uuid();
            store.sms.push(SmsMessage {
                logid,
                country: country_of(&number).1,
                customer_number: number,
                message: if i == 0 {
                    first.clone()
                } else {
                    format!("Hello {first}")
                },
                sender_id: seed::SMS_SENDER_ID.to_string(),
                direction: Direction::Outgoing,
                status: "DELIVERED".to_string(),
                submitted_time: now_ms + i,
                scheduled_time: None,
                time_zone: None,
                multipart_count: 1,
                is_mms: false,
                mms_meta: Vec::new(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_are_valid_and_distinct_up_to_1_100_000() {
        let mut seen = std::collections::HashSet::new();
        for i in (0..1_100_000)
            .step_by(997)
            .chain([99_999, 100_000, 1_099_999])
        {
            let m = mobile(i);
            let n = crate::phone::normalize(&m, None).expect("valid");
            assert_eq!(n.e164, m);
            assert!(seen.insert(m), "{i}");
        }
        assert_eq!(mobile(1_100_000), mobile(100_000));
    }
}
