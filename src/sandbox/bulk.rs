//! Bulk records for tests and benchmarks: `n` contacts in each contact API and `n` outgoing
//! messages in the SMS logs, made directly in the store (no requests), the same for the same
//! `n`. Record `i` (0-based) has the mobile `+4474005` and `i` in 5 digits (a valid UK
//! mobile; see [`mobile`] beyond 100,000) and the names `First<i>` / `Last<i>`; record 0's first name (and its logged
//! message) is a formula (`=HYPERLINK("http://x.test","Click")`), the case spreadsheet
//! exports must neutralise.

use super::EMULATORS;
use super::emulator::BulkRecord;
use super::state::Store;

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

/// Which APIs get the records: all of them, or the one emulator named (by its name:
/// `Apis::Only(zoho_books::EMULATOR.name)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apis {
    All,
    Only(&'static str),
}

impl Apis {
    fn has(self, emulator: &str) -> bool {
        match self {
            Apis::All => true,
            Apis::Only(name) => name == emulator,
        }
    }
}

/// Adds `n` records to the APIs `apis` of `store`, created at `now_ms`: record by record, each
/// emulator in turn.
pub fn add(store: &mut Store, apis: Apis, n: u64, now_ms: u64) {
    for i in 0..n {
        let record = BulkRecord {
            i,
            first: first_name(i),
            last: format!("Last{i}"),
            mobile: mobile(i),
            email: format!("person{i}@example.com"),
        };
        for e in EMULATORS.iter().filter(|e| apis.has(e.name)) {
            e.behaviour.add_bulk(store, &record, now_ms);
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
