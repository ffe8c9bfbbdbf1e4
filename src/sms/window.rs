//! `--send-window HH:MM-HH:MM`: send only at civil hours of the recipient's day.
//!
//! A recipient's local time is the time in their region's main zone ([`super::zones`]). When
//! it is inside the window the message goes now; otherwise it is scheduled for the next start
//! of the window, as a civil time (`yyyy-MM-dd HH:mm:ss`) in that zone, which is how Zoho
//! Voice takes a scheduled message.
//!
//! The window is half open, `[start, end)`, at minute resolution: `09:00-20:00` sends from
//! 09:00:00 to 19:59:59. `24:00` may end a window (`20:00-24:00`); a start later than its end
//! wraps midnight (`22:00-06:00` is 22:00 to midnight and midnight to 06:00). A start equal to
//! its end is an empty window and an error.
//!
//! Daylight saving time: a start that does not exist on the day (inside a spring-forward gap)
//! is moved forward by the gap (02:30 becomes 03:30 in New York on 2026-03-08); a start that
//! happens twice (a fall-back fold) is the first of the two. Both are jiff's "compatible"
//! disambiguation, the same as RFC 5545 and `java.time`.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, Time};

use super::zones;

/// Minutes in a day; the only end that is not a time of day (`24:00`).
const DAY: u16 = 24 * 60;

/// Why a window could not be read, or a recipient could not be placed in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("--send-window '{0}' must look like 09:00-20:00 (start-end, 24-hour HH:MM)")]
    Format(String),
    #[error(
        "--send-window '{input}': {time} is not a time of day; write 00:00 to 23:59 \
         (24:00 only as the end)"
    )]
    Time { input: String, time: String },
    #[error(
        "--send-window '{0}' is empty (start equals end); write a start and a later end such \
         as 09:00-20:00, or 00:00-24:00 to send at any hour"
    )]
    Empty(String),
    #[error("no time zone is known for region '{0}', so --send-window cannot place it")]
    UnknownRegion(String),
    #[error("--send-window cannot schedule region {region} in {zone}: {reason}")]
    Schedule {
        region: String,
        zone: &'static str,
        reason: String,
    },
}

/// A daily sending window, in minutes since local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendWindow {
    /// First minute inside the window, `0..1440`.
    start: u16,
    /// First minute after the window, `0..=1440`; never equal to `start`.
    end: u16,
}

/// When a message to one recipient goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// The recipient's local time is inside the window.
    Now,
    /// The next start of the window, as a civil time in the recipient's zone.
    At {
        /// `yyyy-MM-dd HH:mm:ss`, local time in `time_zone`.
        scheduled_time: String,
        /// IANA name of the zone.
        time_zone: &'static str,
    },
}

impl SendWindow {
    /// The first minute of the window, in minutes since midnight.
    pub fn start_minute(&self) -> u16 {
        self.start
    }

    /// The first minute after the window, in minutes since midnight (1440 for `24:00`).
    pub fn end_minute(&self) -> u16 {
        self.end
    }

    /// Whether the window wraps midnight (`22:00-06:00`).
    pub fn wraps(&self) -> bool {
        self.start > self.end
    }

    /// Whether `minute` (minutes since midnight) is inside the window.
    pub fn contains(&self, minute: u16) -> bool {
        if self.wraps() {
            minute >= self.start || minute < self.end
        } else {
            self.start <= minute && minute < self.end
        }
    }

    /// When a message to a recipient in `region` goes, at the instant `now`.
    pub fn place(&self, region: &str, now: Timestamp) -> Result<Placement, WindowError> {
        let zone =
            zones::main_zone(region).ok_or_else(|| WindowError::UnknownRegion(region.into()))?;
        let schedule_error = |reason: jiff::Error| WindowError::Schedule {
            region: region.into(),
            zone,
            reason: reason.to_string(),
        };
        let tz = jiff::tz::db().get(zone).map_err(schedule_error)?;
        let local = tz.to_datetime(now);
        if self.contains(minute_of_day(local.time())) {
            return Ok(Placement::Now);
        }
        let day = next_start_day(self, local.date(), minute_of_day(local.time()))
            .map_err(schedule_error)?;
        let start =
            Time::new(hour(self.start), minute(self.start), 0, 0).map_err(schedule_error)?;
        let scheduled = tz
            .to_zoned_datetime(day.to_datetime(start))
            .map_err(schedule_error)?
            .datetime();
        Ok(Placement::At {
            scheduled_time: format_civil(scheduled),
            time_zone: zone,
        })
    }
}

/// Minutes since midnight of a time of day (seconds dropped).
fn minute_of_day(time: Time) -> u16 {
    // hour() is 0..=23 and minute() 0..=59, so neither is negative.
    u16::from(time.hour().unsigned_abs()) * 60 + u16::from(time.minute().unsigned_abs())
}

/// The hour of a minute of the day below 1440.
fn hour(minute_of_day: u16) -> i8 {
    (minute_of_day / 60) as i8
}

/// The minute within the hour of a minute of the day.
fn minute(minute_of_day: u16) -> i8 {
    (minute_of_day % 60) as i8
}

/// The day of the next start of `window`, seen at minute `now` of `today` (outside the
/// window): today when the start is still ahead, else tomorrow.
fn next_start_day(window: &SendWindow, today: Date, now: u16) -> Result<Date, jiff::Error> {
    if now < window.start {
        Ok(today)
    } else {
        today.tomorrow()
    }
}

/// `yyyy-MM-dd HH:mm:ss`.
fn format_civil(dt: jiff::civil::DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Reads `H:MM` or `HH:MM` as minutes since midnight, up to and including 24:00; `None` when
/// it is not of that shape. The range is checked by the caller.
fn parse_hhmm(text: &str) -> Option<(u16, u16)> {
    let (h, m) = text.trim().split_once(':')?;
    let digits =
        |s: &str, lens: &[usize]| lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h, &[1, 2]) || !digits(m, &[2]) {
        return None;
    }
    Some((h.parse().ok()?, m.parse().ok()?))
}

/// Minutes since midnight of `(hour, minute)` when it is a time of day, or `24:00` and
/// `end_of_day` is allowed.
fn to_minutes((h, m): (u16, u16), end_of_day: bool) -> Option<u16> {
    match (h, m) {
        (0..=23, 0..=59) => Some(h * 60 + m),
        (24, 0) if end_of_day => Some(DAY),
        _ => None,
    }
}

impl FromStr for SendWindow {
    type Err = WindowError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let format = || WindowError::Format(input.to_string());
        let (start_text, end_text) = input.split_once('-').ok_or_else(format)?;
        let start_hm = parse_hhmm(start_text).ok_or_else(format)?;
        let end_hm = parse_hhmm(end_text).ok_or_else(format)?;
        let bad_time = |text: &str| WindowError::Time {
            input: input.to_string(),
            time: text.trim().to_string(),
        };
        let start = to_minutes(start_hm, false).ok_or_else(|| bad_time(start_text))?;
        let end = to_minutes(end_hm, true).ok_or_else(|| bad_time(end_text))?;
        // 00:00-24:00 is the whole day; X-24:00 and X-00:00 both end at midnight.
        if start == end {
            return Err(WindowError::Empty(input.to_string()));
        }
        Ok(SendWindow { start, end })
    }
}

impl fmt::Display for SendWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(text: &str) -> SendWindow {
        text.parse().expect("a valid window")
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("a valid timestamp")
    }

    fn at(scheduled_time: &str, time_zone: &'static str) -> Placement {
        Placement::At {
            scheduled_time: scheduled_time.to_string(),
            time_zone,
        }
    }

    #[test]
    fn parses_and_displays() {
        let w = window("09:00-20:00");
        assert_eq!((w.start_minute(), w.end_minute()), (540, 1200));
        assert_eq!(w.to_string(), "09:00-20:00");
        assert_eq!(window("9:05-17:30").to_string(), "09:05-17:30");
        assert_eq!(window(" 08:00 - 21:00 ").to_string(), "08:00-21:00");
        assert_eq!(window("20:00-24:00").end_minute(), 1440);
        assert_eq!(window("20:00-24:00").to_string(), "20:00-24:00");
        assert_eq!(window("00:00-24:00").to_string(), "00:00-24:00");
        assert_eq!(window("23:59-24:00").start_minute(), 1439);
        let wrap = window("22:00-06:00");
        assert!(wrap.wraps());
        assert_eq!(wrap.to_string(), "22:00-06:00");
        assert!(window("22:00-00:00").wraps());
    }

    #[test]
    fn parse_errors_say_what_to_write() {
        let err = "9-20".parse::<SendWindow>().unwrap_err();
        assert_eq!(err, WindowError::Format("9-20".into()));
        assert_eq!(
            err.to_string(),
            "--send-window '9-20' must look like 09:00-20:00 (start-end, 24-hour HH:MM)"
        );
        for text in [
            "",
            "09:00",
            "09:00-",
            "-20:00",
            "09:00-20:00-21:00",
            "0900-2000",
            "09:0-20:00",
            "009:00-20:00",
            "09:000-20:00",
            "+9:00-20:00",
            "09:00–20:00",
            "9h-20h",
            "aa:bb-cc:dd",
        ] {
            assert!(
                matches!(text.parse::<SendWindow>(), Err(WindowError::Format(_))),
                "{text:?}"
            );
        }
        for (text, time) in [
            ("24:00-06:00", "24:00"),
            ("25:00-06:00", "25:00"),
            ("09:60-20:00", "09:60"),
            ("09:00-24:01", "24:01"),
            ("09:00-99:99", "99:99"),
        ] {
            let err = text.parse::<SendWindow>().unwrap_err();
            assert_eq!(
                err,
                WindowError::Time {
                    input: text.into(),
                    time: time.into()
                },
                "{text}"
            );
            assert!(err.to_string().contains("00:00 to 23:59"), "{err}");
        }
        for text in ["09:00-09:00", "9:00-09:00", "00:00-00:00"] {
            let err = text.parse::<SendWindow>().unwrap_err();
            assert_eq!(err, WindowError::Empty(text.into()));
            assert!(err.to_string().contains("09:00-20:00"), "{err}");
        }
    }

    #[test]
    fn contains_is_start_inclusive_end_exclusive() {
        let w = window("09:00-20:00");
        assert!(!w.contains(539));
        assert!(w.contains(540));
        assert!(w.contains(1199));
        assert!(!w.contains(1200));
        let wrap = window("22:00-06:00");
        assert!(wrap.contains(1320));
        assert!(wrap.contains(1439));
        assert!(wrap.contains(0));
        assert!(wrap.contains(359));
        assert!(!wrap.contains(360));
        assert!(!wrap.contains(1319));
        let all = window("00:00-24:00");
        assert!((0..1440).all(|m| all.contains(m)));
    }

    /// Asserts each placement, written "WINDOW REGION NOW -> EXPECTED": EXPECTED is "now", or
    /// the local time and the zone of the start the message waits for.
    fn assert_places(cases: &[&'static str]) {
        for &case in cases {
            let (given, expected) = case.split_once(" -> ").expect("an arrow");
            let [w, region, now] = given.split(' ').collect::<Vec<_>>()[..] else {
                panic!("{case}: want WINDOW REGION NOW");
            };
            let expected = match expected.rsplit_once(' ') {
                Some((start, zone)) => at(start, zone),
                None => {
                    assert_eq!(expected, "now", "{case}");
                    Placement::Now
                }
            };
            assert_eq!(window(w).place(region, ts(now)), Ok(expected), "{case}");
        }
    }

    #[test]
    fn inside_the_window_sends_now() {
        assert_places(&[
            // 12:00 in London (GMT in January).
            "09:00-20:00 GB 2026-01-15T12:00:00Z -> now",
            // Start inclusive: 09:00:00 exactly.
            "09:00-20:00 GB 2026-01-15T09:00:00Z -> now",
            // 19:59:59 is still inside.
            "09:00-20:00 GB 2026-01-15T19:59:59Z -> now",
        ]);
    }

    #[test]
    fn before_the_start_waits_for_today() {
        assert_places(&[
            "09:00-20:00 GB 2026-01-15T06:10:00Z -> 2026-01-15 09:00:00 Europe/London",
            "09:00-20:00 GB 2026-01-15T08:59:59Z -> 2026-01-15 09:00:00 Europe/London",
        ]);
    }

    #[test]
    fn at_or_after_the_end_waits_for_tomorrow() {
        assert_places(&[
            // End exclusive: 20:00:00 exactly is outside.
            "09:00-20:00 GB 2026-01-15T20:00:00Z -> 2026-01-16 09:00:00 Europe/London",
            "09:00-20:00 GB 2026-01-15T23:59:00Z -> 2026-01-16 09:00:00 Europe/London",
            // Across a month and a year end.
            "09:00-20:00 GB 2026-12-31T21:00:00Z -> 2027-01-01 09:00:00 Europe/London",
        ]);
    }

    #[test]
    fn a_window_that_wraps_midnight() {
        assert_places(&[
            "22:00-06:00 GB 2026-01-15T22:00:00Z -> now",
            "22:00-06:00 GB 2026-01-15T23:30:00Z -> now",
            "22:00-06:00 GB 2026-01-16T00:00:00Z -> now",
            "22:00-06:00 GB 2026-01-16T05:59:59Z -> now",
            // From the end (06:00, exclusive) to the start, the next start is the same day.
            "22:00-06:00 GB 2026-01-16T06:00:00Z -> 2026-01-16 22:00:00 Europe/London",
            "22:00-06:00 GB 2026-01-16T12:00:00Z -> 2026-01-16 22:00:00 Europe/London",
            "22:00-06:00 GB 2026-01-16T21:59:59Z -> 2026-01-16 22:00:00 Europe/London",
        ]);
    }

    #[test]
    fn a_window_ending_at_midnight() {
        assert_places(&[
            "20:00-24:00 GB 2026-01-15T23:59:59Z -> now",
            "20:00-24:00 GB 2026-01-16T00:00:00Z -> 2026-01-16 20:00:00 Europe/London",
        ]);
    }

    #[test]
    fn the_local_date_is_not_the_utc_date() {
        assert_places(&[
            // 23:30 UTC on March 1 is 08:30 on March 2 in Tokyo (UTC+9).
            "09:00-20:00 JP 2026-03-01T23:30:00Z -> 2026-03-02 09:00:00 Asia/Tokyo",
            // 01:30 UTC on March 2 is 20:30 on March 1 in New York (UTC-5).
            "09:00-20:00 US 2026-03-02T01:30:00Z -> 2026-03-02 09:00:00 America/New_York",
        ]);
    }

    #[test]
    fn us_recipients_use_new_york_time() {
        assert_places(&[
            // 13:30 UTC is 08:30 in New York in winter (EST, UTC-5)...
            "09:00-20:00 US 2026-01-15T13:30:00Z -> 2026-01-15 09:00:00 America/New_York",
            // ... and 09:30 in summer (EDT, UTC-4).
            "09:00-20:00 US 2026-07-15T13:30:00Z -> now",
            "09:00-20:00 us 2026-07-15T13:30:00Z -> now",
        ]);
    }

    #[test]
    fn a_start_in_the_spring_forward_gap_moves_past_it() {
        // New York skips 02:00-03:00 on 2026-03-08 (EST -> EDT at 07:00 UTC).
        assert_places(&[
            // 01:00 EST, before the gap: today at 02:30, which does not exist, so 03:30 EDT.
            "02:30-05:00 US 2026-03-08T06:00:00Z -> 2026-03-08 03:30:00 America/New_York",
            // 03:10 EDT, just after the gap: inside the window.
            "02:30-05:00 US 2026-03-08T07:10:00Z -> now",
        ]);
        // Every minute of the transition day places without an error, at a valid time.
        let w = window("09:00-20:00");
        let day_start = ts("2026-03-08T05:00:00Z");
        for minute in 0..(24 * 60) {
            let now = day_start
                .checked_add(jiff::SignedDuration::from_mins(minute))
                .expect("in range");
            match w.place("US", now) {
                Ok(Placement::Now) => {}
                Ok(Placement::At {
                    scheduled_time,
                    time_zone,
                }) => {
                    assert_eq!(time_zone, "America/New_York");
                    assert!(
                        scheduled_time == "2026-03-08 09:00:00"
                            || scheduled_time == "2026-03-09 09:00:00",
                        "{now}: {scheduled_time}"
                    );
                }
                Err(err) => panic!("{now}: {err}"),
            }
        }
    }

    #[test]
    fn a_start_in_the_fall_back_fold_is_kept() {
        // New York repeats 01:00-02:00 on 2026-11-01; the civil time is the same either way.
        assert_places(&[
            "01:30-05:00 US 2026-11-01T04:00:00Z -> 2026-11-01 01:30:00 America/New_York",
        ]);
    }

    #[test]
    fn regions_with_no_zone_are_errors() {
        let w = window("09:00-20:00");
        let now = ts("2026-01-15T12:00:00Z");
        for region in ["001", "ZZ", ""] {
            let err = w.place(region, now).unwrap_err();
            assert_eq!(err, WindowError::UnknownRegion(region.into()));
            assert!(err.to_string().contains(&format!("'{region}'")), "{err}");
        }
    }

    #[test]
    fn the_extremes_of_time_do_not_panic() {
        let w = window("09:00-20:00");
        for now in [Timestamp::MIN, Timestamp::MAX, Timestamp::UNIX_EPOCH] {
            for region in ["US", "JP", "KI", "WS", "NZ"] {
                // Either a placement or an error; the point is no panic.
                let _ = w.place(region, now);
            }
        }
    }
}
