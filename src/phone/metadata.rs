//! libphonenumber's metadata: the numbering plans of every region and non-geographic calling
//! code, as rlibphonenumber 2.2.15 carries them (metadata 9.0.42).
//!
//! The crate keeps its copy private, so `data/phone-metadata.bin` is that same file
//! (rlibphonenumber's `src/generated/metadata/metadata.bin`, Apache-2.0), and both the full
//! parser ([`util`]) and the compiled plans of the fast path ([`super::plan`]) are built from
//! it: the two can never read different rules. Upgrading rlibphonenumber means copying its
//! `metadata.bin` here again (the version is pinned in Cargo.toml for that reason).

use std::sync::LazyLock;

use prost::Message;
use rlibphonenumber::{PhoneMetadataCollection, PhoneNumberUtil};

static BYTES: &[u8] = include_bytes!("../../data/phone-metadata.bin");

/// The decoded metadata (empty if it could not be decoded: every number then takes the
/// crate's own util and its built-in copy).
pub static COLLECTION: LazyLock<PhoneMetadataCollection> =
    LazyLock::new(|| PhoneMetadataCollection::decode(BYTES).unwrap_or_default());

/// A phone-number utility over this metadata, or `None` if it could not be built.
pub fn util() -> Option<PhoneNumberUtil> {
    if COLLECTION.metadata.is_empty() {
        return None;
    }
    PhoneNumberUtil::new_for_metadata(COLLECTION.clone()).ok()
}

/// Every number type a region's metadata describes, for tests that walk them all.
#[cfg(test)]
pub(super) const TYPES: [rlibphonenumber::PhoneNumberType; 10] = {
    use rlibphonenumber::PhoneNumberType as T;
    [
        T::FixedLine,
        T::Mobile,
        T::TollFree,
        T::PremiumRate,
        T::SharedCost,
        T::VoIP,
        T::PersonalNumber,
        T::Pager,
        T::UAN,
        T::VoiceMail,
    ]
};

#[cfg(test)]
mod tests {
    use super::*;
    use rlibphonenumber::PhoneNumberFormat;

    /// The copy is the crate's own: a util over it answers as the crate's built-in one on
    /// every region's example numbers of every type, and knows the same regions and codes.
    #[test]
    fn the_copy_is_the_crates_metadata() {
        assert!(
            COLLECTION.metadata.len() > 240,
            "{}",
            COLLECTION.metadata.len()
        );
        let ours = util().expect("a util over the copied metadata");
        let theirs = PhoneNumberUtil::new().expect("the crate's util");
        let mut regions: Vec<_> = ours.get_supported_regions().collect();
        let mut builtin: Vec<_> = theirs.get_supported_regions().collect();
        regions.sort_by_key(|r| r.as_region_str().as_str().to_string());
        builtin.sort_by_key(|r| r.as_region_str().as_str().to_string());
        assert_eq!(regions, builtin);
        let codes: Vec<i32> = ours.get_supported_calling_codes().collect();
        assert_eq!(
            codes,
            theirs.get_supported_calling_codes().collect::<Vec<_>>()
        );
        let mut checked = 0;
        for r in regions {
            for t in TYPES {
                let a = ours.get_example_number_for_type_and_region(r, t).ok();
                let b = theirs.get_example_number_for_type_and_region(r, t).ok();
                assert_eq!(a, b, "{r:?} {t:?}");
                if let Some(n) = a {
                    let national = ours.format(&n, PhoneNumberFormat::National).to_string();
                    assert_eq!(
                        national,
                        theirs.format(&n, PhoneNumberFormat::National).to_string()
                    );
                    assert_eq!(ours.get_number_type(&n), theirs.get_number_type(&n));
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }
}
