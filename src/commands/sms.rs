//! `bulkline sms`: the command line of [`crate::sms::campaign`].

use crate::scopes::Purpose;
use std::hash::Hasher as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use siphasher::sip::SipHasher13;

use super::api::connect_sms;
use crate::cli::SmsArgs;
use crate::error::{Error, Result};
use crate::exit::Ended;
use crate::progress::ProgressMode;
use crate::sms::api::{Media, Schedule, SendOptions};
use crate::sms::campaign::{self, Settings};
use crate::sms::recipient::{Composer, MessageSource, Timing, unknown_names};
use crate::sms::summary::CampaignPlan;
use crate::sms::suppress::{ReadOptions, Suppressions};
use crate::sms::template::Template;
use crate::sms::test_ledger::TestSends;
use crate::sms::test_send;
use crate::sms::window::SendWindow;
use crate::source;

use crate::sms::SENDER_ID_MISSING;

/// The default journal: beside the input, `<input>.sms.checkpoint`.
pub fn default_checkpoint(input: &str) -> PathBuf {
    super::journal_beside(input, "sms")
}

/// A short digest of a value kept out of the journal header (a message, a callback URL that
/// may carry a key): the header only has to tell whether it changed.
fn digest(bytes: &[u8]) -> String {
    let mut h = SipHasher13::new_with_keys(0x736d_735f_6865_6164, 0x6275_6c6b_6c69_6e65);
    h.write(bytes);
    format!("sip13:{:016x}", h.finish())
}

fn usage(message: impl Into<String>) -> Error {
    Error::Usage(message.into())
}

/// The message source, and the text it is identified by in the journal.
fn message_source(args: &SmsArgs) -> Result<(MessageSource, String)> {
    if let Some(col) = &args.message_column {
        return Ok((MessageSource::Column(col.clone()), format!("column:{col}")));
    }
    let text = match (&args.message, &args.message_file) {
        (Some(t), _) => t.clone(),
        (None, Some(path)) => {
            let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                usage(format!(
                    "--message-file {path} is not UTF-8 text: save it as UTF-8"
                ))
            })?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let text = text
                .strip_suffix("\r\n")
                .or_else(|| text.strip_suffix('\n'))
                .unwrap_or(text);
            text.to_string()
        }
        (None, None) => {
            return Err(usage(
                "give the message with --message, --message-file or --message-column",
            ));
        }
    };
    if text.trim().is_empty() {
        return Err(usage("the message is empty"));
    }
    let template = Template::parse(&text).map_err(|e| usage(e.to_string()))?;
    Ok((MessageSource::Template(template), text))
}

/// Whether this run resumes a campaign: its journal (given, or the default beside the input)
/// exists and holds something, and no `--restart` starts it over.
fn resumes(args: &SmsArgs) -> bool {
    if args.journal.restart || args.api.sandbox {
        return false;
    }
    let path = match args.journal.checkpoint.as_deref() {
        Some(p) => PathBuf::from(p),
        None => default_checkpoint(&args.input.input),
    };
    std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
}

/// `--schedule` and `--timezone`, checked. A time in the past starts no campaign; a campaign
/// resumed after its time sends what is left now.
fn fixed_schedule(args: &SmsArgs) -> Result<Option<Schedule>> {
    let (Some(time), Some(zone)) = (&args.schedule, &args.timezone) else {
        return Ok(None);
    };
    let civil: jiff::civil::DateTime = time.trim().parse().map_err(|_| {
        usage(format!(
            "--schedule '{time}' must look like \"2026-12-24 09:00:00\""
        ))
    })?;
    let tz = jiff::tz::db().get(zone.trim()).map_err(|_| {
        usage(format!(
            "--timezone '{zone}' is not a time zone: give an IANA name such as Asia/Kolkata or America/New_York"
        ))
    })?;
    let at = tz
        .to_timestamp(civil)
        .map_err(|e| usage(format!("--schedule '{time}': {e}")))?;
    if at < jiff::Timestamp::now() && !resumes(args) {
        return Err(usage(format!(
            "--schedule '{time}' ({zone}) is in the past"
        )));
    }
    Ok(Some(Schedule {
        time: civil.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        zone: zone.trim().to_string(),
    }))
}

/// Asks on the terminal before a large send; refuses when there is no terminal to ask on.
fn confirm_send(plan: &CampaignPlan) -> Result<bool> {
    super::confirm_on_terminal(
        &format!(
            "Send {} messages ({} segments, {} requests) to {} recipients?",
            plan.recipients, plan.segments, plan.planned_requests, plan.recipients
        ),
        &format!(
            "this sends {} messages ({} segments) to {} recipients and there is no terminal to confirm on: add --yes (check first with --dry-run)",
            plan.recipients, plan.segments, plan.recipients
        ),
    )
}

/// The `--suppress` files, read with the list's `--default-region`: a line that holds no
/// number refuses the campaign here, before anything is sent (unless
/// `--suppress-skip-unreadable`).
fn read_suppressions(
    args: &SmsArgs,
    default_region: Option<crate::region::Region>,
) -> Result<Suppressions> {
    let opts = ReadOptions {
        default_region,
        skip_unreadable: args.suppress_skip_unreadable,
    };
    let mut suppressions = Suppressions::default();
    for path in &args.suppress {
        suppressions.add_file(Path::new(path), opts)?;
    }
    Ok(suppressions)
}

// The campaign's journal keeps who was sent to.
super::runs!(SmsArgs, run, resumes: true);

pub fn run(args: &SmsArgs) -> Result<Ended> {
    super::json_owns_stdout(
        args.api.json,
        &[
            ("--report", args.report.as_deref() == Some("-")),
            ("--errors", args.errors.as_deref() == Some("-")),
        ],
    )?;
    let mut input = super::input_plan(&args.input)?;
    input.transform.mobile_only = !args.allow_landline;
    input.transform.keys_only = false;
    let (source_kind, message_id) = message_source(args)?;
    check_message_names(args, &input, &source_kind)?;
    let (schedule, window, timing) = timing_of(args)?;
    let media = read_media(args)?;
    let mut suppressions = read_suppressions(args, input.transform.default_region)?;
    // Test numbers are read before anything is asked of the API: one that cannot be read
    // stops here.
    let test_numbers = test_send::read_numbers(
        &args.test_to,
        input.transform.default_region,
        input.transform.bare_digits,
        args.allow_landline,
    )?;

    // The API is needed to send, and to read the opt-outs (a dry run too, unless told not to).
    let needs_api = !args.dry_run || !args.no_opt_out_check;
    let api = if needs_api {
        Some(connect_sms(&args.api, Some(Purpose::Sms))?)
    } else {
        None
    };
    let local_runtime;
    let runtime = match &api {
        Some(a) => &a.runtime,
        None => {
            local_runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
            &local_runtime
        }
    };
    let sender_id = sender_id_of(args, api.as_ref())?;
    if let (Some(api), false) = (&api, args.no_opt_out_check) {
        let incoming = campaign::opt_out_numbers(&api.http, runtime)?;
        suppressions.add_opt_outs(incoming.iter().map(|(n, m)| (n.as_str(), m.as_str())));
    }
    let send_options = SendOptions {
        sender_id: sender_id.clone(),
        validity_minutes: args.validity_minutes,
        status_callback: args.status_callback.clone(),
        flash: args.flash,
        media: media.clone(),
    };
    let composer = Composer {
        source: source_kind,
        suppressions,
        timing,
    };
    if let (false, Some(api)) = (test_numbers.is_empty(), &api) {
        // A test send: no journal, no run lock, no repeat guard (see `sms::test_send`).
        return send_test(args, &input, &composer, &send_options, &test_numbers, api);
    }
    // The log ids of test sends made from here: never taken for the campaign's messages.
    let test_sends = TestSends::load_or_warn(&crate::runlock::state_dir(|k| std::env::var(k).ok()));

    let (checkpoint, temp_journal) = super::journal_path(
        args.journal.checkpoint.as_deref(),
        api.as_ref().is_some_and(|a| a.sandbox.is_some()),
        "sms.checkpoint",
        || default_checkpoint(&args.input.input),
    )?;

    let texted = repeat_guard(args, api.as_ref(), runtime, &checkpoint, &test_sends)?;

    let header_options = header_options(
        args,
        message_id,
        sender_id.as_deref(),
        schedule.as_ref(),
        window.as_ref(),
        media.as_deref(),
    );

    let yes = args.yes;
    let settings = Settings {
        files: super::run_files(input, args.files(), "sms", checkpoint),
        composer,
        send_options,
        test_sends: std::sync::Arc::new(test_sends),
        batch_size: usize::from(args.batch_size),
        resend_unknown: args.resend_unknown,
        log_catch_up: std::time::Duration::from_secs_f64(args.log_catch_up),
        header_options,
        destination: api
            .as_ref()
            .map(|a| {
                a.destination
                    .clone()
                    .with("sender_id", sender_id.clone().unwrap_or_default())
            })
            .unwrap_or_default(),
        texted,
        rate: super::api::given_rate(&args.api)?.unwrap_or_else(crate::sms::api::default_rate),
        progress: ProgressMode::detect(args.api.quiet),
        confirm: Box::new(move |plan| if yes { Ok(true) } else { confirm_send(plan) }),
    };
    let mut summary = campaign::run(&settings, api.as_ref().map(|a| a.http.clone()), runtime)?;
    if temp_journal.is_some() {
        summary.kept.forget_journal();
    }
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    if args.dry_run && sender_id.is_none() && !args.api.quiet {
        crate::stop::say(&format!("note: {SENDER_ID_MISSING}"));
    }
    Ok(crate::summary::ended(&summary))
}

/// Refuses, before anything is sent, a message that names neither a field nor a column of the
/// input (it would reject every row), or a `--message-column` the input does not have. Only a
/// fixed header can be judged.
fn check_message_names(
    args: &SmsArgs,
    input: &super::InputPlan,
    source_kind: &MessageSource,
) -> Result<()> {
    let src = source::open(&args.input.input, &input.source)?;
    input.mapping.check_against(&src.schema())?;
    let schema = src.schema();
    let fixed_header = schema.fixed;
    drop(src);
    match &source_kind {
        MessageSource::Template(t) if fixed_header => {
            let columns: Vec<&str> = schema.names().collect();
            let unknown = unknown_names(t, &columns);
            if !unknown.is_empty() {
                return Err(usage(format!(
                    "the message uses {}, which is neither a field ({}) nor a column of the input ({})",
                    unknown
                        .iter()
                        .map(|n| format!("{{{n}}}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    crate::sms::recipient::FIELDS.join(", "),
                    columns.join(", ")
                )));
            }
        }
        MessageSource::Column(col) if fixed_header => {
            let columns: Vec<&str> = schema.names().collect();
            if crate::sms::template::find_column(col, &columns).is_none() {
                return Err(usage(format!(
                    "--message-column '{col}' is not a column of the input ({})",
                    columns.join(", ")
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

/// When the messages go out: `--schedule` (a fixed time), else `--send-window`, else now.
fn timing_of(args: &SmsArgs) -> Result<(Option<Schedule>, Option<SendWindow>, Timing)> {
    let schedule = fixed_schedule(args)?;
    let window = match &args.send_window {
        Some(text) => Some(
            text.parse::<SendWindow>()
                .map_err(|e| usage(e.to_string()))?,
        ),
        None => None,
    };
    let timing = match (&schedule, &window) {
        (Some(s), _) => Timing::Fixed(s.clone()),
        (None, Some(w)) => Timing::Window(*w),
        (None, None) => Timing::Now,
    };
    Ok((schedule, window, timing))
}

/// The file of `--media`, read once for every send.
fn read_media(args: &SmsArgs) -> Result<Option<Arc<Media>>> {
    Ok(match &args.media {
        Some(path) => {
            let data = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
            let file_name = Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "media".into());
            Some(Arc::new(Media {
                mime: Media::mime_of(&file_name).to_string(),
                file_name,
                data,
            }))
        }
        None => None,
    })
}

/// The sender id: the flag, else the one of the environment or the credentials file (the
/// sandbox's own with --sandbox). The API refuses a send without one: only a dry run goes on.
fn sender_id_of(args: &SmsArgs, api: Option<&super::api::SmsApi>) -> Result<Option<String>> {
    let sender_id = match (&args.sender_id, api) {
        (Some(id), _) => Some(id.trim().to_string()),
        (None, Some(a)) => a.sender_id.clone(),
        (None, None) => crate::auth::Credentials::load(
            args.api.credentials.as_deref().map(Path::new),
            args.api.profile_in_force(),
        )
        .ok()
        .and_then(|c| c.voice_sender_id()),
    }
    .filter(|id| !id.is_empty());
    if let Some(id) = &sender_id
        && id.chars().count() > 20
    {
        return Err(usage(format!(
            "the sender id '{id}' is longer than 20 characters"
        )));
    }
    if sender_id.is_none() && !args.dry_run {
        return Err(usage(SENDER_ID_MISSING));
    }
    Ok(sender_id)
}

/// The repeat guard: what the account's own logs say it texted in the window, from any run,
/// copy or machine; over the whole campaign when its journal lost records.
fn repeat_guard(
    args: &SmsArgs,
    api: Option<&super::api::SmsApi>,
    runtime: &tokio::runtime::Runtime,
    checkpoint: &Path,
    test_sends: &TestSends,
) -> Result<crate::sms::texted::Texted> {
    let damage = match args.dry_run {
        true => None,
        false => crate::checkpoint::mark::peek(
            &crate::runlock::state_dir(|k| std::env::var(k).ok()),
            checkpoint,
            args.journal.restart,
        ),
    };
    let repeat_window = match &damage {
        Some(d) => args.repeat_window.max(campaign_span(d.created_unix)),
        None => args.repeat_window,
    };
    Ok(match api {
        Some(api) if !repeat_window.is_zero() => runtime
            .block_on(crate::sms::texted::read(
                &api.http,
                repeat_window,
                jiff::Timestamp::now(),
                test_sends,
            ))
            .map_err(|e| {
                let stop = e.into_error();
                match stop {
                    Error::Remote(m) => Error::Remote(format!(
                        "{m} (needed for the repeat guard; --repeat-window 0 turns it off)"
                    )),
                    other => other,
                }
            })?,
        _ => crate::sms::texted::Texted::default(),
    })
}

/// The options a campaign's journal records: a re-run with other ones is another campaign.
fn header_options(
    args: &SmsArgs,
    message_id: String,
    sender_id: Option<&str>,
    schedule: Option<&Schedule>,
    window: Option<&SendWindow>,
    media: Option<&Media>,
) -> Vec<(String, String)> {
    let mut header_options = vec![
        ("message".to_string(), message_id),
        (
            "mobile_only".to_string(),
            (!args.allow_landline).to_string(),
        ),
    ];
    let mut opt = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            header_options.push((k.to_string(), v));
        }
    };
    opt("sender_id", sender_id.map(str::to_string));
    opt(
        "schedule",
        schedule.map(|s| format!("{} {}", s.time, s.zone)),
    );
    opt("send_window", window.map(ToString::to_string));
    opt(
        "validity_minutes",
        args.validity_minutes.map(|v| v.to_string()),
    );
    opt("flash", args.flash.then(|| "true".to_string()));
    opt("media", media.map(|m| digest(&m.data)));
    opt(
        "status_callback",
        args.status_callback.as_ref().map(|u| digest(u.as_bytes())),
    );
    header_options
}

/// `--test-to`: the message of one row to the test numbers only (see [`crate::sms::test_send`]).
fn send_test(
    args: &SmsArgs,
    input: &crate::input::InputPlan,
    composer: &Composer,
    options: &SendOptions,
    numbers: &[test_send::TestNumber],
    api: &super::api::SmsApi,
) -> Result<Ended> {
    test_send::check_suppressed(numbers, composer)?;
    let sample = test_send::find_row(
        &args.input.input,
        input,
        args.input.keep,
        composer,
        args.test_row,
    )?;
    let ledger = TestSends::path(&crate::runlock::state_dir(|k| std::env::var(k).ok()));
    let sent = api.runtime.block_on(test_send::send(
        &api.http, numbers, &sample, options, &ledger,
    ));
    let summary = test_send::TestSummary::new(
        &args.input.input,
        &sample,
        options.sender_id.clone(),
        sent.results,
    );
    crate::summary::print(&summary, args.api.json, args.api.quiet)?;
    match sent.stop {
        Some(e) => Err(e),
        None => Ok(crate::summary::ended(&summary)),
    }
}

/// How far back a campaign whose journal started at `created_unix` reaches, with a day to
/// spare (30 days when the start is unknown).
fn campaign_span(created_unix: u64) -> std::time::Duration {
    const DAY: u64 = 86_400;
    let now = crate::clock::now_unix();
    let secs = match created_unix {
        0 => 30 * DAY,
        t => now.saturating_sub(t) + DAY,
    };
    std::time::Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_goes_beside_the_input() {
        assert_eq!(
            default_checkpoint("data/list.csv"),
            PathBuf::from("data/list.csv.sms.checkpoint")
        );
    }

    #[test]
    fn digests_tell_values_apart() {
        assert_eq!(digest(b"Hi {first_name}"), digest(b"Hi {first_name}"));
        assert_ne!(digest(b"Hi {first_name}"), digest(b"Hi {first_name}!"));
    }
}
