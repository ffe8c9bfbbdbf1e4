//! From a clean row to a recipient: the number, the message written for that row, what it
//! costs, and when it goes out. A row that cannot be texted as the campaign says (a
//! placeholder with no value, an empty or too long message, a suppressed number, a region
//! with no known time zone) is a [`Rejection`], reported and never sent.

use std::sync::Arc;

use crate::contact::{Contact, ORG_AND_ADDRESS, concat_names};
use crate::phone;
use crate::reject::{Code, Rejection, Stage};
use crate::sms::api::{MAX_MESSAGE_CHARS, Schedule};
use crate::source::{Schema, Values};

use super::segments::{self, Segments};
use super::suppress::{Hit, Suppressions};
use super::template::{Template, find_column};
use super::window::{Placement, SendWindow};

/// Where each row's message comes from.
#[derive(Debug, Clone)]
pub enum MessageSource {
    /// `--message` / `--message-file`: a template filled from each row.
    Template(Template),
    /// `--message-column`: the text of this column, as it is.
    Column(String),
}

/// When messages go out.
#[derive(Debug, Clone, Default)]
pub enum Timing {
    /// Now.
    #[default]
    Now,
    /// `--schedule` and `--timezone`: every message at that time.
    Fixed(Schedule),
    /// `--send-window`: now if the recipient's local time is inside it, else at its next start.
    Window(SendWindow),
}

impl Timing {
    /// When a message to a recipient in `region`, composed at `now`, goes out (`None`: now;
    /// also for a fixed time that has passed).
    pub fn at(
        &self,
        region: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<Schedule>, crate::sms::window::WindowError> {
        Ok(match self {
            Timing::Now => None,
            // A campaign resumed after its time sends what is left now.
            Timing::Fixed(s) if due_ms(s).is_some_and(|due| due <= now.as_millisecond()) => None,
            Timing::Fixed(s) => Some(s.clone()),
            Timing::Window(w) => match w.place(region, now)? {
                Placement::Now => None,
                Placement::At {
                    scheduled_time,
                    time_zone,
                } => Some(Schedule {
                    time: scheduled_time,
                    zone: time_zone.to_string(),
                }),
            },
        })
    }

    /// When a send whose scheduled time has passed without it going out goes now: at the
    /// window's next opening (or now, inside it), and now for a fixed time that has passed.
    pub fn again(&self, region: &str, now: jiff::Timestamp) -> Option<Schedule> {
        self.at(region, now).ok().flatten()
    }
}

/// When a scheduled send is due, in milliseconds since the epoch (`None`: a time or zone
/// that cannot be read).
pub fn due_ms(s: &Schedule) -> Option<i64> {
    let civil: jiff::civil::DateTime = s.time.trim().replacen(' ', "T", 1).parse().ok()?;
    let zoned = civil.in_tz(&s.zone).ok()?;
    Some(zoned.timestamp().as_millisecond())
}

/// A row that will be texted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub row: u64,
    /// E.164.
    pub number: String,
    /// The number's region (ISO 3166-1 alpha-2), or "" when libphonenumber names none.
    pub region: String,
    pub message: Arc<str>,
    pub segments: Segments,
    /// When to deliver, when not now.
    pub schedule: Option<Schedule>,
}

/// The fields of the canonical contact a template may name, besides the input's columns.
pub const FIELDS: [&str; 15] = concat_names(&[
    &[
        "first_name",
        "last_name",
        "name",
        "full_name",
        "email",
        "mobile",
        "phone",
    ],
    &ORG_AND_ADDRESS,
    &["notes"],
]);

/// The value of a canonical field of `contact`, if `name` is one.
fn field(contact: &Contact, number: &str, name: &str) -> Option<String> {
    let v = match name {
        "first_name" => contact.first_name.clone(),
        "last_name" => contact.last_name.clone(),
        "name" | "full_name" => contact.display_name(),
        "email" => contact.primary_email().unwrap_or("").to_string(),
        "mobile" | "phone" => number.to_string(),
        "company" => contact.company.clone(),
        "job_title" => contact.job_title.clone(),
        "street" => contact.street.clone(),
        "city" => contact.city.clone(),
        "state" => contact.state.clone(),
        "postal_code" => contact.postal_code.clone(),
        "country" => contact.country.clone(),
        "notes" => contact.notes.clone(),
        _ => return None,
    };
    Some(v)
}

/// The placeholders of `template` that are neither a field nor a column of `columns`.
pub fn unknown_names<'t>(template: &'t Template, columns: &[&str]) -> Vec<&'t str> {
    template
        .names()
        .into_iter()
        .filter(|n| !FIELDS.contains(n) && find_column(n, columns).is_none())
        .collect()
}

/// Turns clean rows into recipients.
#[derive(Debug, Clone)]
pub struct Composer {
    pub source: MessageSource,
    pub suppressions: Suppressions,
    pub timing: Timing,
}

impl Composer {
    /// The message of one row, or why it has none.
    fn message(
        &self,
        schema: &Schema,
        values: &Values,
        contact: &Contact,
        number: &str,
    ) -> Result<String, Rejection> {
        let columns: Vec<&str> = schema.names().collect();
        let column = |name: &str| find_column(name, &columns).map(|i| values.text(i).into_owned());
        match &self.source {
            MessageSource::Template(t) => t
                .render(|name| field(contact, number, name).or_else(|| column(name)))
                .map_err(|missing| {
                    let list: Vec<String> = missing.iter().map(|m| format!("{{{m}}}")).collect();
                    let first = missing.first().cloned().unwrap_or_default();
                    Rejection::new(
                        Stage::Validate,
                        first.clone(),
                        Code::TemplateMissing,
                        format!(
                            "the message needs {}, which this row leaves empty (fill it in, or give a default such as {{{first}|there}})",
                            list.join(", ")
                        ),
                    )
                }),
            MessageSource::Column(name) => {
                let text = column(name).unwrap_or_default();
                if text.trim().is_empty() {
                    Err(Rejection::new(
                        Stage::Validate,
                        name.clone(),
                        Code::MessageEmpty,
                        format!("the message column '{name}' is empty in this row"),
                    ))
                } else {
                    Ok(text)
                }
            }
        }
    }

    /// The recipient a clean row makes, or why it cannot be texted. Suppression is left to
    /// [`Composer::suppressed`], so that a row whose earlier send is being looked for still
    /// has its message.
    pub fn compose(
        &self,
        row: u64,
        schema: &Schema,
        values: &Values,
        contact: &Contact,
        now: jiff::Timestamp,
    ) -> Result<Recipient, Rejection> {
        let Some(phone) = contact.primary_phone() else {
            return Err(Rejection::new(
                Stage::Validate,
                "",
                Code::PhoneMissing,
                "the row has no phone number to text",
            ));
        };
        let number = phone.e164.clone();
        let message = self.message(schema, values, contact, &number)?;
        let chars = message.chars().count();
        if chars > MAX_MESSAGE_CHARS {
            return Err(Rejection::new(
                Stage::Validate,
                "",
                Code::MessageTooLong,
                format!(
                    "the message has {chars} characters; the API takes at most {MAX_MESSAGE_CHARS}"
                ),
            ));
        }
        let region = phone::normalize(&number, None)
            .ok()
            .and_then(|n| n.region_code())
            .unwrap_or_default();
        let schedule = self
            .timing
            .at(&region, now)
            .map_err(|e| Rejection::new(Stage::Validate, "", Code::NoTimeZone, e.to_string()))?;
        Ok(Recipient {
            row,
            segments: segments::count(&message),
            number,
            region,
            message: Arc::from(message),
            schedule,
        })
    }

    /// Why the recipient must not be texted (the files that hold its number, an opt-out),
    /// if it must not.
    pub fn suppression(&self, r: &Recipient) -> Option<Hit> {
        self.suppressions.check(&r.number, &r.region)
    }

    /// The rejection of a suppressed recipient.
    pub fn rejection(&self, hit: &Hit) -> Rejection {
        Rejection::new(
            Stage::Validate,
            "",
            Code::Suppressed,
            self.suppressions.why(hit),
        )
    }

    /// Why the recipient must not be texted, if it must not.
    pub fn suppressed(&self, r: &Recipient) -> Option<Rejection> {
        self.suppression(r).map(|hit| self.rejection(&hit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{Phone, PhoneLabel};

    #[test]
    fn a_scheduled_send_whose_time_passed_is_placed_again() {
        let s = Schedule {
            time: "2026-06-02 09:00:00".into(),
            zone: "Europe/London".into(),
        };
        // 09:00 in London is 08:00 UTC in June.
        let due = due_ms(&s).unwrap();
        let expected: jiff::Timestamp = "2026-06-02T08:00:00Z".parse().unwrap();
        assert_eq!(due, expected.as_millisecond());
        assert_eq!(
            due_ms(&Schedule {
                time: "soon".into(),
                zone: "Europe/London".into()
            }),
            None
        );
        let before: jiff::Timestamp = "2026-06-02T07:00:00Z".parse().unwrap();
        let after: jiff::Timestamp = "2026-06-02T12:00:00Z".parse().unwrap();
        let fixed = Timing::Fixed(s.clone());
        assert_eq!(fixed.again("GB", before), Some(s.clone()));
        assert_eq!(
            fixed.again("GB", after),
            None,
            "a fixed time that passed: now"
        );
        let window = Timing::Window("09:00-10:00".parse().unwrap());
        // 12:00 UTC is 13:00 in London, after the window: tomorrow at 09:00.
        let again = window.again("GB", after).unwrap();
        assert_eq!(again.time, "2026-06-03 09:00:00");
        assert_eq!(Timing::Now.again("GB", after), None);
    }

    fn contact(first: &str, number: &str) -> Contact {
        Contact {
            first_name: first.into(),
            phones: vec![Phone {
                e164: number.into(),
                label: PhoneLabel::Mobile,
                extension: None,
                is_mobile: Some(true),
            }],
            ..Contact::default()
        }
    }

    fn composer(template: &str) -> Composer {
        Composer {
            source: MessageSource::Template(Template::parse(template).unwrap()),
            suppressions: Suppressions::default(),
            timing: Timing::Now,
        }
    }

    fn csv(header: &[&str], values: &[&str]) -> (Schema, Values) {
        (
            Schema::from_header(header.iter().copied()),
            Values::Csv(values.iter().copied().collect()),
        )
    }

    fn now() -> jiff::Timestamp {
        "2026-06-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn fields_and_columns_fill_the_template() {
        let (schema, values) = csv(&["First Name", "Order No"], &["Ann", "A-17"]);
        let c = composer("Hi {first_name|there}, order {order no} for {mobile}");
        let r = c
            .compose(3, &schema, &values, &contact("Ann", "+447400123456"), now())
            .unwrap();
        assert_eq!(&*r.message, "Hi Ann, order A-17 for +447400123456");
        assert_eq!((r.row, r.region.as_str()), (3, "GB"));
        assert_eq!(r.segments.segments, 1);
        assert_eq!(r.schedule, None);
    }

    #[test]
    fn a_missing_value_rejects_the_row_and_a_default_fills_it() {
        let (schema, values) = csv(&["First Name", "City"], &["", ""]);
        let e = composer("Hi {first_name}, see you in {city}")
            .compose(1, &schema, &values, &contact("", "+447400123456"), now())
            .unwrap_err();
        assert_eq!(e.code, Code::TemplateMissing);
        assert!(e.message.contains("{first_name}, {city}"), "{}", e.message);
        let r = composer("Hi {first_name|there}")
            .compose(1, &schema, &values, &contact("", "+447400123456"), now())
            .unwrap();
        assert_eq!(&*r.message, "Hi there");
    }

    #[test]
    fn message_columns_and_lengths() {
        let (schema, values) = csv(&["Text"], &["  "]);
        let c = Composer {
            source: MessageSource::Column("text".into()),
            ..composer("")
        };
        let e = c
            .compose(1, &schema, &values, &contact("A", "+447400123456"), now())
            .unwrap_err();
        assert_eq!(e.code, Code::MessageEmpty);
        let long = "x".repeat(MAX_MESSAGE_CHARS + 1);
        let (schema, values) = csv(&["Text"], &[long.as_str()]);
        let e = c
            .compose(1, &schema, &values, &contact("A", "+447400123456"), now())
            .unwrap_err();
        assert_eq!(e.code, Code::MessageTooLong);
    }

    #[test]
    fn unknown_placeholders_are_found() {
        let t = Template::parse("{first_name} {Order No} {typo}").unwrap();
        assert_eq!(unknown_names(&t, &["order no"]), vec!["typo"]);
    }

    #[test]
    fn suppressed_recipients_are_named() {
        let mut c = composer("x");
        let read = c.suppressions.add_text(
            "dnc.txt",
            "+447400123456\n0612345678\n",
            crate::sms::suppress::ReadOptions::default(),
        );
        assert!(read.is_ok(), "{read:?}");
        c.suppressions.add_opt_outs([("+1 4155552671", "STOP")]);
        let (schema, values) = csv(&["x"], &["y"]);
        let to = |number: &str| {
            c.compose(1, &schema, &values, &contact("A", number), now())
                .unwrap()
        };
        let listed = c.suppressed(&to("+447400123456")).unwrap();
        assert_eq!(listed.code, Code::Suppressed);
        assert_eq!(listed.message, "the number is on --suppress dnc.txt");
        // A national number of the file, read in the recipient's region.
        assert!(c.suppressed(&to("+33612345678")).is_some());
        assert!(
            c.suppressed(&to("+14155552671"))
                .is_some_and(|r| r.message.contains("opt-out"))
        );
        assert!(c.suppressed(&to("+447400123457")).is_none());
    }

    #[test]
    fn a_fixed_schedule_applies_to_every_row() {
        let (schema, values) = csv(&["x"], &["y"]);
        let s = Schedule {
            time: "2026-06-02 09:00:00".into(),
            zone: "Europe/London".into(),
        };
        let c = Composer {
            timing: Timing::Fixed(s.clone()),
            ..composer("hi")
        };
        let r = c
            .compose(1, &schema, &values, &contact("A", "+447400123456"), now())
            .unwrap();
        assert_eq!(r.schedule, Some(s));
    }
}
