//! The field checks the emulated contact APIs share: what they take as a phone number and as
//! an e-mail address.

/// Digits with the usual punctuation, at least 3 digits.
pub fn is_phone(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && s.chars().filter(char::is_ascii_digit).count() >= 3
}

/// `local@domain.tld`, roughly.
pub fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((l, d)) => {
            !l.is_empty()
                && d.contains('.')
                && !d.starts_with('.')
                && !d.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_emails_are_checked_roughly() {
        assert!(is_phone("+1 (201) 555-0123"));
        assert!(!is_phone("+1"));
        assert!(!is_phone("call me"));
        assert!(is_email("a@b.co"));
        assert!(!is_email("a@b"));
        assert!(!is_email("@b.co"));
    }
}
