//! The sandbox's choices where the vendors' pages are silent, gathered in one table.
//!
//! The sandbox follows the vendors' API pages (Zoho's and Zoom's current pages, 2026, where
//! they moved on from older versions). Where they say nothing (an error code, the status that carries it, what a
//! deleted record answers, a limit, a paging detail), it still has to answer something: what
//! it answers is listed here, with the page that is silent. A run that passes against the
//! sandbox has shown nothing about these points on a real account; each is an assumption to
//! check there (a round trip, a canary, the vendor's own message quoted in a report).
//!
//! Each emulator gives its rows ([`super::emulator::Emulator::choices`]); [`all`] is the
//! table, in the order of the `emulators!` line. A test holds that it names only APIs the
//! sandbox serves.

/// One point where the sandbox decides what a silent page leaves open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The API: its emulator's target in the connectors' registry, or the name of the API
    /// it serves besides.
    pub target: &'static str,
    /// What is left open.
    pub point: &'static str,
    /// What the sandbox does.
    pub sandbox: &'static str,
    /// The page (or pages) that say nothing about it.
    pub silent: &'static str,
}

/// Every choice the sandbox makes where the pages are silent, emulator by emulator.
pub fn all() -> Vec<Choice> {
    super::EMULATORS
        .iter()
        .flat_map(|e| e.choices.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_names_an_api_the_sandbox_serves_and_says_what_and_where() {
        assert!(!all().is_empty());
        for e in super::super::EMULATORS {
            for c in e.choices {
                // An emulator of a target lists its choices under the target's name; any other
                // under one name of its own.
                let own = e.target.unwrap_or(e.choices[0].target);
                assert_eq!(c.target, own, "{c:?} names no API of {}", e.name);
                for text in [c.point, c.sandbox, c.silent] {
                    assert!(!text.trim().is_empty(), "{c:?}");
                }
            }
        }
        // Every target of the registry has its choices listed.
        for t in crate::connectors::TARGETS {
            assert!(
                all().iter().any(|c| c.target == t.as_str()),
                "{t}: no choices"
            );
        }
    }
}
