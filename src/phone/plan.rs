//! libphonenumber's numbering plans, compiled for the fast path: per region (or non-geographic
//! calling code), the number patterns of every type as one DFA, walked once per number.
//!
//! The rules are libphonenumber's (rlibphonenumber's `get_number_type_helper`,
//! `get_region_for_number`, `is_valid_number_for_region`), over the same metadata
//! ([`super::metadata`]); only the matching is cheaper: one table walk instead of a regex
//! search per type. A plan whose patterns do not have the shape the crate assumes
//! (`^(?:...)$`) or do not compile is not built, and its numbers take the full parser.

use rustc_hash::FxHashMap;
use std::sync::{LazyLock, OnceLock};

use regex_automata::dfa::{self, Automaton, dense};
use regex_automata::util::{start, syntax};
use regex_automata::{Anchored, Input, MatchKind};
use rlibphonenumber::{PhoneMetadata, PhoneNumberDesc, PhoneNumberType};

use super::metadata::COLLECTION;
use crate::region::Region;

type Dfa = dense::DFA<Vec<u32>>;

/// The descriptions a number is typed by, in the order libphonenumber tries them.
const GENERAL: usize = 0;
/// Premium rate, toll free, shared cost, VoIP, personal, pager, UAN, voicemail: 1..=8.
const SPECIAL: [(usize, PhoneNumberType); 8] = [
    (1, PhoneNumberType::PremiumRate),
    (2, PhoneNumberType::TollFree),
    (3, PhoneNumberType::SharedCost),
    (4, PhoneNumberType::VoIP),
    (5, PhoneNumberType::PersonalNumber),
    (6, PhoneNumberType::Pager),
    (7, PhoneNumberType::UAN),
    (8, PhoneNumberType::VoiceMail),
];
const FIXED: usize = 9;
const MOBILE: usize = 10;
const DESCS: usize = 11;

// The raw metadata's fields: the crate marks them deprecated because its own wrapper moves
// them out, but a decoded collection holds them.
#[allow(deprecated)]
fn descs(m: &PhoneMetadata) -> [Option<&PhoneNumberDesc>; DESCS] {
    [
        m.general_desc.as_ref(),
        m.premium_rate.as_ref(),
        m.toll_free.as_ref(),
        m.shared_cost.as_ref(),
        m.voip.as_ref(),
        m.personal_number.as_ref(),
        m.pager.as_ref(),
        m.uan.as_ref(),
        m.voicemail.as_ref(),
        m.fixed_line.as_ref(),
        m.mobile.as_ref(),
    ]
}

/// A bit per length in `lengths` (lengths outside 0..64 are left out).
fn length_mask(lengths: &[i32]) -> u64 {
    lengths
        .iter()
        .filter(|&&l| (0..64).contains(&l))
        .fold(0, |m, &l| m | 1 << l)
}

/// The inside of a metadata pattern, which the crate stores as `^(?:...)$`; `None` for any
/// other shape (the crate would read a short one as "match anything").
fn inner(base: &str) -> Option<&str> {
    base.strip_prefix("^(?:")?.strip_suffix(")$")
}

fn builder(kind: MatchKind) -> dense::Builder {
    let mut b = dense::Builder::new();
    b.configure(
        dense::Config::new()
            .match_kind(kind)
            .start_kind(dfa::StartKind::Anchored),
    )
    // Numbers are ASCII digits here: `\d` as [0-9] matches them exactly as Unicode `\d` does.
    .syntax(syntax::Config::new().unicode(false).utf8(false));
    b
}

/// A pattern anchored at the start only (the crate's `anchor_start`): leading digits, the
/// international prefix, the national prefix for parsing.
struct Prefix(Dfa);

impl Prefix {
    /// `None` when the metadata has no such pattern; `Err` when it cannot be compiled.
    fn of(base: Option<&str>) -> Result<Option<Prefix>, ()> {
        let Some(base) = base else { return Ok(None) };
        let inner = inner(base).ok_or(())?;
        let dfa = builder(MatchKind::LeftmostFirst)
            .build(&format!("(?:{inner})"))
            .map_err(|_| ())?;
        Ok(Some(Prefix(dfa)))
    }

    /// The end of the leftmost-first match at the start of `digits`, as `regex` finds it.
    fn end(&self, digits: &[u8]) -> Option<usize> {
        let input = Input::new(digits).anchored(Anchored::Yes);
        self.0
            .try_search_fwd(&input)
            .ok()
            .flatten()
            .map(|m| m.offset())
    }
}

/// One region's (or non-geographic calling code's) rules.
pub struct NumberingPlan {
    pub country_code: i32,
    /// The calling code's digits.
    pub code: String,
    /// All the type patterns; pattern `i` is description `desc_of[i]`.
    types: Dfa,
    desc_of: Vec<u8>,
    /// Possible lengths per description; 0 when it lists none (any length).
    lengths: [u64; DESCS],
    general_local_only: u64,
    same_mobile_and_fixed_line: bool,
    leading_digits: Option<Prefix>,
    international_prefix: Option<Prefix>,
    national_prefix: Option<Prefix>,
    /// The national (trunk) prefix a person dials, digits only: `0`, `1` in the US, `8` in
    /// Russia; empty when the region has none.
    trunk_prefix: String,
    has_transform_rule: bool,
}

impl NumberingPlan {
    #[allow(deprecated)] // the raw metadata's fields (see `descs`)
    fn build(m: &PhoneMetadata) -> Option<NumberingPlan> {
        let country_code = m.country_code?;
        let descs = descs(m);
        let mut patterns = Vec::new();
        let mut desc_of = Vec::new();
        let mut lengths = [0u64; DESCS];
        for (i, d) in descs.iter().enumerate() {
            let Some(d) = d else { continue };
            lengths[i] = length_mask(&d.possible_length);
            if let Some(base) = &d.national_number_pattern {
                patterns.push(format!("(?:{})$", inner(base)?));
                desc_of.push(i as u8);
            }
        }
        let types = builder(MatchKind::All).build_many(&patterns).ok()?;
        Some(NumberingPlan {
            country_code,
            code: country_code.to_string(),
            types,
            desc_of,
            lengths,
            general_local_only: descs[GENERAL]
                .map(|d| length_mask(&d.possible_length_local_only))
                .unwrap_or(0),
            same_mobile_and_fixed_line: m.same_mobile_and_fixed_line_pattern(),
            leading_digits: Prefix::of(m.leading_digits.as_deref()).ok()?,
            international_prefix: Prefix::of(m.international_prefix.as_deref()).ok()?,
            national_prefix: Prefix::of(m.national_prefix_for_parsing.as_deref()).ok()?,
            trunk_prefix: m
                .national_prefix
                .as_deref()
                .unwrap_or("")
                .chars()
                .filter(char::is_ascii_digit)
                .collect(),
            has_transform_rule: !m.national_prefix_transform_rule().is_empty(),
        })
    }

    /// Whether `digits` start with the region's national (trunk) prefix.
    pub fn starts_with_trunk_prefix(&self, digits: &[u8]) -> bool {
        !self.trunk_prefix.is_empty() && digits.starts_with(self.trunk_prefix.as_bytes())
    }

    /// A bit per description whose pattern matches all of `digits` (lengths not checked).
    fn pattern_bits(&self, digits: &[u8]) -> u16 {
        let dfa = &self.types;
        let Ok(mut sid) = dfa.start_state(&start::Config::new().anchored(Anchored::Yes)) else {
            return 0;
        };
        for &b in digits {
            sid = dfa.next_state(sid, b);
            if dfa.is_dead_state(sid) {
                return 0;
            }
        }
        sid = dfa.next_eoi_state(sid);
        let mut bits = 0u16;
        if dfa.is_match_state(sid) {
            for i in 0..dfa.match_len(sid) {
                let p = dfa.match_pattern(sid, i).as_usize();
                bits |= 1 << self.desc_of[p];
            }
        }
        bits
    }

    /// A bit per description `digits` matches: length and pattern (`is_number_matching_desc`).
    fn desc_bits(&self, digits: &[u8]) -> u16 {
        let bit = 1u64.checked_shl(digits.len() as u32).unwrap_or(0);
        let mut bits = self.pattern_bits(digits);
        for (i, &mask) in self.lengths.iter().enumerate() {
            if mask != 0 && mask & bit == 0 {
                bits &= !(1 << i);
            }
        }
        bits
    }

    /// Whether the general pattern matches all of `digits` (lengths not checked: the crate's
    /// `is_match` on the general description).
    pub fn general_matches(&self, digits: &[u8]) -> bool {
        self.pattern_bits(digits) & 1 << GENERAL != 0
    }

    /// The type of a national significant number (`get_number_type_helper`).
    pub fn number_type(&self, nsn: &[u8]) -> PhoneNumberType {
        let bits = self.desc_bits(nsn);
        let has = |d: usize| bits & 1 << d != 0;
        if !has(GENERAL) {
            return PhoneNumberType::Unknown;
        }
        if let Some(&(_, t)) = SPECIAL.iter().find(|(d, _)| has(*d)) {
            return t;
        }
        if has(FIXED) {
            return if self.same_mobile_and_fixed_line || has(MOBILE) {
                PhoneNumberType::FixedLineOrMobile
            } else {
                PhoneNumberType::FixedLine
            };
        }
        if !self.same_mobile_and_fixed_line && has(MOBILE) {
            return PhoneNumberType::Mobile;
        }
        PhoneNumberType::Unknown
    }

    fn leading_digits_match(&self, nsn: &[u8]) -> bool {
        self.leading_digits
            .as_ref()
            .is_some_and(|p| p.end(nsn).is_some())
    }

    /// Whether `digits` start with this region's international (IDD) prefix.
    pub fn starts_with_international_prefix(&self, digits: &[u8]) -> bool {
        self.international_prefix_end(digits).is_some()
    }

    /// Where this region's international (IDD) prefix ends, when `digits` start with it (the
    /// metadata's pattern, leftmost-first as the parser's `parse_prefix_as_idd` matches it).
    pub fn international_prefix_end(&self, digits: &[u8]) -> Option<usize> {
        self.international_prefix.as_ref()?.end(digits)
    }

    /// `digits` without their national prefix, as the parser strips it
    /// (`maybe_strip_national_prefix_and_carrier_code`, then parse's check that what is left
    /// has a possible length); `None` when a transform rule would apply (left to the parser).
    pub fn strip_national_prefix<'a>(&self, digits: &'a [u8]) -> Option<&'a [u8]> {
        let Some(prefix) = self.national_prefix.as_ref().filter(|_| !digits.is_empty()) else {
            return Some(digits);
        };
        let Some(end) = prefix.end(digits) else {
            return Some(digits);
        };
        let stripped = self.stripped_at(digits, end)?;
        Some(if self.length_allows_stripping(stripped.len()) {
            stripped
        } else {
            digits
        })
    }

    /// `digits` without their national prefix, as `maybe_strip_national_prefix_and_carrier_code`
    /// strips it (no length test); `None` when a transform rule would apply.
    pub fn strip_national_prefix_only<'a>(&self, digits: &'a [u8]) -> Option<&'a [u8]> {
        let Some(prefix) = self.national_prefix.as_ref().filter(|_| !digits.is_empty()) else {
            return Some(digits);
        };
        match prefix.end(digits) {
            Some(end) => self.stripped_at(digits, end),
            None => Some(digits),
        }
    }

    /// `digits` with the national prefix that ends at `end` stripped, unless the number with
    /// it fits the general pattern and the number without does not. An empty match strips
    /// nothing, transform rule or not (none of its groups captured anything); a longer one
    /// with a transform rule may be transformed: `None`, left to the parser.
    fn stripped_at<'a>(&self, digits: &'a [u8], end: usize) -> Option<&'a [u8]> {
        if end == 0 {
            return Some(digits);
        }
        if self.has_transform_rule {
            return None;
        }
        let stripped = &digits[end..];
        // (`stripped` first: the number with the prefix need not be walked when it matches.)
        if !self.general_matches(stripped) && self.general_matches(digits) {
            return Some(digits);
        }
        Some(stripped)
    }

    /// Whether a number of `len` digits is too long for this region (`test_number_length`
    /// for an unknown type says `TooLong`).
    pub fn is_too_long(&self, len: usize) -> bool {
        let possible = self.lengths[GENERAL];
        if possible == 0 {
            return false;
        }
        if len >= 64 {
            return true;
        }
        if self.general_local_only & 1 << len != 0 {
            return false;
        }
        let max = 63 - possible.leading_zeros();
        len as u32 > max
    }

    /// parse's test of a stripped number: kept unless its length is impossible, too short or
    /// possible only locally (`test_number_length` for an unknown type).
    fn length_allows_stripping(&self, len: usize) -> bool {
        let possible = self.lengths[GENERAL];
        if possible == 0 || len >= 64 {
            return possible != 0;
        }
        let bit = 1u64 << len;
        if self.general_local_only & bit != 0 {
            return false;
        }
        let (min, max) = (possible.trailing_zeros(), 63 - possible.leading_zeros());
        let len = len as u32;
        if len == min || len > max {
            return true; // possible, or too long: both keep the stripped number
        }
        len > min && possible & bit != 0
    }
}

/// Every plan, built on first use.
struct Plans {
    /// By [`crate::region::index`].
    by_region: Vec<Option<(usize, OnceLock<Option<NumberingPlan>>)>>,
    /// The regions with a plan (for the tests to go through).
    #[cfg(test)]
    regions: Vec<Region>,
    non_geographic: FxHashMap<i32, (usize, OnceLock<Option<NumberingPlan>>)>,
    /// The regions of each calling code (1 to 999), the main one first (the crate's order);
    /// empty for a code that is none.
    regions_of: Vec<Vec<Region>>,
}

/// Calling codes have 1 to 3 digits.
const CODES: usize = 1000;

impl Plans {
    fn regions_of(&self, cc: i32) -> Option<&[Region]> {
        let regions = self.regions_of.get(usize::try_from(cc).ok()?)?;
        (!regions.is_empty()).then_some(regions.as_slice())
    }
}

static PLANS: LazyLock<Plans> = LazyLock::new(|| {
    let mut by_region: Vec<_> = (0..crate::region::LETTER_PAIRS).map(|_| None).collect();
    #[cfg(test)]
    let mut regions = Vec::new();
    let mut non_geographic = FxHashMap::default();
    let mut regions_of = vec![std::collections::VecDeque::new(); CODES];
    for (i, m) in COLLECTION.metadata.iter().enumerate() {
        let (Some(cc), Ok(region)) = (m.country_code, Region::from_code(&m.id)) else {
            continue;
        };
        let Some(list) = usize::try_from(cc).ok().and_then(|i| regions_of.get_mut(i)) else {
            continue;
        };
        match crate::region::index(region).and_then(|at| by_region.get_mut(at)) {
            Some(slot) => {
                *slot = Some((i, OnceLock::new()));
                #[cfg(test)]
                regions.push(region);
            }
            None => {
                non_geographic.insert(cc, (i, OnceLock::new()));
            }
        }
        if m.main_country_for_code() {
            list.push_front(region);
        } else {
            list.push_back(region);
        }
    }
    Plans {
        by_region,
        #[cfg(test)]
        regions,
        non_geographic,
        regions_of: regions_of.into_iter().map(Vec::from).collect(),
    }
});

fn get(
    entry: Option<&'static (usize, OnceLock<Option<NumberingPlan>>)>,
) -> Option<&'static NumberingPlan> {
    let (i, cell) = entry?;
    cell.get_or_init(|| NumberingPlan::build(&COLLECTION.metadata[*i]))
        .as_ref()
}

/// The plan of `region`.
pub fn region(region: Region) -> Option<&'static NumberingPlan> {
    let at = crate::region::index(region)?;
    get(PLANS.by_region.get(at)?.as_ref())
}

/// The plan numbers with calling code `cc` are parsed with: its main region's, or the
/// non-geographic entity's (`get_metadata_for_region_or_calling_code`).
pub fn for_calling_code(cc: i32) -> Option<&'static NumberingPlan> {
    match PLANS.regions_of(cc)?.first()? {
        Region::World => get(PLANS.non_geographic.get(&cc)),
        &r => region(r),
    }
}

/// Whether `cc` is a calling code libphonenumber knows.
pub fn is_calling_code(cc: i32) -> bool {
    PLANS.regions_of(cc).is_some()
}

/// The plan of the region `cc` + `nsn` belongs to (`get_region_for_number`) and the number's
/// type in it: `Ok(None)` when it belongs to none, `Err(())` when a plan it needs could not
/// be built.
fn typed(cc: i32, nsn: &[u8]) -> Result<Option<(&'static NumberingPlan, PhoneNumberType)>, ()> {
    let Some(regions) = PLANS.regions_of(cc) else {
        return Ok(None);
    };
    if let [only] = regions {
        let plan = match only {
            Region::World => get(PLANS.non_geographic.get(&cc)),
            &r => region(r),
        }
        .ok_or(())?;
        return Ok(Some((plan, plan.number_type(nsn))));
    }
    for &r in regions {
        let plan = region(r).ok_or(())?;
        if plan.leading_digits_match(nsn) {
            return Ok(Some((plan, plan.number_type(nsn))));
        }
        let t = plan.number_type(nsn);
        if t != PhoneNumberType::Unknown {
            return Ok(Some((plan, t)));
        }
    }
    Ok(None)
}

/// The type libphonenumber gives `cc` + `nsn` (`get_number_type`); `None` when a plan it
/// needs could not be built.
pub fn number_type(cc: i32, nsn: &[u8]) -> Option<PhoneNumberType> {
    Some(match typed(cc, nsn).ok()? {
        Some((_, t)) => t,
        None => PhoneNumberType::Unknown,
    })
}

/// Whether libphonenumber calls `cc` + `nsn` valid (`is_valid_number`); `None` when a plan it
/// needs could not be built.
pub fn is_valid(cc: i32, nsn: &[u8]) -> Option<bool> {
    Some(match typed(cc, nsn).ok()? {
        Some((plan, t)) => plan.country_code == cc && t != PhoneNumberType::Unknown,
        None => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rlibphonenumber::{PhoneNumber, PhoneNumberUtil};

    fn util() -> PhoneNumberUtil {
        super::super::metadata::util().expect("util")
    }

    #[test]
    fn every_plan_builds() {
        let mut failed = Vec::new();
        for r in &PLANS.regions {
            if region(*r).is_none() {
                failed.push(r.as_region_str().as_str().to_string());
            }
        }
        for cc in PLANS.non_geographic.keys() {
            if for_calling_code(*cc).is_none() {
                failed.push(cc.to_string());
            }
        }
        assert!(failed.is_empty(), "{failed:?}");
    }

    #[test]
    fn regions_per_calling_code_are_the_crates() {
        let u = util();
        for (cc, regions) in PLANS.regions_of.iter().enumerate() {
            let theirs: Vec<Region> = u
                .get_regions_for_country_calling_code(cc as i32)
                .map(|r| r.collect())
                .unwrap_or_default();
            assert_eq!(regions, &theirs, "{cc}");
        }
        assert!(u.get_supported_calling_codes().all(|cc| cc < CODES as i32));
    }

    /// Types and validity agree with the crate on every example number and on numbers near
    /// them (last digits changed, digits added or removed).
    #[test]
    fn types_agree_with_the_crate() {
        let u = util();
        let mut checked = 0;
        for &r in &PLANS.regions {
            for t in super::super::metadata::TYPES {
                let Ok(n) = u.get_example_number_for_type_and_region(r, t) else {
                    continue;
                };
                let nsn = n.national_number.to_string();
                let mut variants = vec![nsn.clone(), format!("{nsn}0"), nsn[1..].to_string()];
                for d in 0..10u8 {
                    let mut v = nsn.clone().into_bytes();
                    let last = v.len() - 1;
                    v[last] = b'0' + d;
                    v[0] = b'1' + d % 9;
                    variants.push(String::from_utf8(v).unwrap());
                }
                for v in variants {
                    if v.is_empty() || v.starts_with('0') {
                        continue;
                    }
                    let number = PhoneNumber {
                        country_code: n.country_code,
                        national_number: v.parse().unwrap(),
                        ..PhoneNumber::default()
                    };
                    assert_eq!(
                        is_valid(n.country_code, v.as_bytes()),
                        Some(u.is_valid_number(&number)),
                        "+{} {v} ({r:?} {t:?})",
                        n.country_code
                    );
                    assert_eq!(
                        number_type(n.country_code, v.as_bytes()),
                        Some(u.get_number_type(&number)),
                        "+{} {v} ({r:?})",
                        n.country_code
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }
}
