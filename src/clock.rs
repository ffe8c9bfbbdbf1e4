//! Wall-clock time, and durations as a person reads them (dates are jiff's).

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `45s`, `1m16s`, `2h03m` (whole seconds, rounded down).
pub fn format_duration(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
    }
}

/// "1h 02m", "3m 05s", "12.0 s": a summary's duration.
pub fn duration_text(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{seconds:.1} s")
    }
}

/// How a duration option reads (`--max-wait`, `--repeat-window`): the unit of a bare number,
/// whether days and weeks are taken beside seconds, minutes and hours, and its largest value.
#[derive(Debug, Clone, Copy)]
pub struct DurationForm {
    /// Seconds in a bare number's unit (`45` for `--max-wait` is seconds).
    pub bare_secs: f64,
    /// Whether `d` and `w` (days, weeks) are units of the option.
    pub days_and_weeks: bool,
    /// The largest duration, in days.
    pub max_days: f64,
    /// Examples of the option's values, for a text that is no duration ("90s, 15m, 1h").
    pub examples: &'static str,
}

impl DurationForm {
    /// `--max-wait`: bare seconds; seconds, minutes or hours; up to 7 days.
    pub const MAX_WAIT: DurationForm = DurationForm::new(1.0, false, 7.0, "90s, 15m, 1h");
    /// `--repeat-window`: bare days; up to weeks; up to 3650 days.
    pub const REPEAT_WINDOW: DurationForm =
        DurationForm::new(86_400.0, true, 3_650.0, "7d, 36h, 90m or 0");

    /// A form whose bare number is `bare_secs` seconds and whose largest value is `max_days`.
    const fn new(
        bare_secs: f64,
        days_and_weeks: bool,
        max_days: f64,
        examples: &'static str,
    ) -> DurationForm {
        DurationForm {
            bare_secs,
            days_and_weeks,
            max_days,
            examples,
        }
    }
}

/// Reads `text` (`90s`, `15m`, `36h`, `7d`, `2w`, or a bare number in `form`'s unit; any case)
/// as a duration of `form`, or says why it is not one.
pub fn parse_duration(text: &str, form: &DurationForm) -> Result<std::time::Duration, String> {
    let t = text.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration: give e.g. {}", form.examples))?;
    let unit_secs = match (unit.trim(), form.days_and_weeks) {
        ("", _) => form.bare_secs,
        ("s" | "sec" | "secs", _) => 1.0,
        ("m" | "min" | "mins", _) => 60.0,
        ("h" | "hour" | "hours", _) => 3_600.0,
        ("d" | "day" | "days", true) => 86_400.0,
        ("w" | "week" | "weeks", true) => 604_800.0,
        (other, days_and_weeks) => {
            let units = if days_and_weeks {
                "s, m, h, d or w"
            } else {
                "s, m or h"
            };
            return Err(format!("'{text}': unknown unit '{other}' (use {units})"));
        }
    };
    let secs = value * unit_secs;
    if !secs.is_finite() || !(0.0..=form.max_days * 86_400.0).contains(&secs) {
        return Err(format!(
            "'{text}' is out of range (0 to {} days)",
            form.max_days
        ));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(12.04), "12.0 s");
        assert_eq!(duration_text(185.0), "3m 05s");
        assert_eq!(duration_text(3720.0), "1h 02m");
        assert_eq!(format_duration(std::time::Duration::from_secs(76)), "1m16s");
    }
}
