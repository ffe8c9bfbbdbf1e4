//! Command-line definitions (clap derive): one struct per subcommand.

use clap::{Args, Parser, Subcommand};

use crate::dedupe::{DedupeBy, Keep};
use crate::source::Format;

#[derive(Debug, Parser)]
#[command(
    name = "bulkline",
    version,
    about = "Move contact lists between files and contact/SMS APIs: clean, normalize to E.164, dedupe.",
    after_help = "Exit codes: 0 all rows fine, 1 some rows rejected or failed, 2 usage or configuration error, \
                  3 fatal error (unreadable input, I/O), 4 stopped early but resumable."
)]
pub struct Cli {
    /// The config file (default: $XDG_CONFIG_HOME/bulkline/config.toml, else
    /// ~/.config/bulkline/config.toml, when it exists). `bulkline config` shows what it sets.
    #[arg(long, global = true, env = "BULKLINE_CONFIG", value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,

    /// The profile: a named account of the credentials file (`[profile.NAME]`) and its
    /// settings in the config file (default: the config file's `default_profile`, else the
    /// default profile).
    #[arg(long, global = true, env = "BULKLINE_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Trace every HTTP request (method, path, status, time, retries) and token request;
    /// -vv: their bodies too. Secrets are always redacted. To stderr, or to --log.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Append the trace to FILE (created 0600) instead of stderr; implies -v.
    #[arg(long, global = true, env = "BULKLINE_LOG", value_name = "FILE")]
    pub log: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a contact export, validate and normalize its phones to E.164, dedupe, and write
    /// the clean rows, an error report and a duplicates report.
    Clean(CleanArgs),
    /// Import a contact file into Zoho Voice, Zoho Books or Zoom Contact Center: cleaned,
    /// rate-limited, resumable, exactly once.
    Import(Box<ImportArgs>),
    /// Delete exactly the records an import created, from its checkpoint journal (resumable).
    Undo(UndoArgs),
    /// Send a bulk SMS campaign through Zoho Voice: templated, suppression-aware, at most once
    /// per recipient, resumable.
    Sms(Box<SmsArgs>),
    /// Per-recipient delivery status of a campaign: its journal joined with the SMS logs.
    SmsStatus(SmsStatusArgs),
    /// Compare a contact file with what the target holds, as `import` would write it: each
    /// row landed, differs (which fields) or missing; records no row names are extra.
    Verify(Box<VerifyArgs>),
    /// Export every record of a contact API, or the SMS logs, to CSV, JSON Lines or XLSX.
    Export(Box<ExportArgs>),
    /// Sign in: store a Zoho refresh token (from a grant code) or Zoom's server-to-server
    /// credentials in the credentials file; show or remove what is stored.
    Auth(AuthArgs),
    /// Test the credentials, the data centre and the scopes against an API with two requests
    /// (an access token and one read), and say what to fix.
    Check(CheckArgs),
    /// Print the settings in effect (config file, environment, built-in defaults) and where
    /// each comes from; secrets masked.
    Config(ConfigArgs),
    /// Print a shell completion script: `bulkline completions bash > ~/.local/share/bash-completion/completions/bulkline`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory.
    Man(ManArgs),
    /// Run the API emulator (Zoho Voice, Zoho Books, Zoom Contact Center, Zoho Voice SMS, and
    /// their OAuth servers) on 127.0.0.1 until Ctrl-C, and print the credentials it accepts.
    Sandbox(SandboxArgs),
}

/// How to read the input and turn its rows into contacts: shared by every command that reads a file.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// The input file: CSV, JSON (an array of objects), JSON Lines, a spreadsheet (xlsx, xlsm,
    /// xlsb, xls, ods) or vCard (.vcf); `-` reads stdin.
    pub input: String,

    /// The input format (default: from the extension, else sniffed from the content).
    #[arg(long, value_enum)]
    #[arg(help_heading = "Input")]
    pub format: Option<Format>,

    /// A spreadsheet's sheet: its name, or its position from 1 (default: the first).
    #[arg(long, value_name = "NAME|N")]
    #[arg(help_heading = "Input")]
    pub sheet: Option<String>,

    /// The input encoding, as a WHATWG label: utf-8, utf-16le, windows-1252, latin1, ...
    /// (default: detected).
    #[arg(long)]
    #[arg(help_heading = "Input")]
    pub encoding: Option<String>,

    /// Only the first N data rows (to try a list on a few rows). A journaled run records
    /// them as any other; the same command without --limit continues the same list.
    #[arg(long, value_name = "N")]
    #[arg(help_heading = "Input")]
    pub limit: Option<u64>,

    /// The CSV delimiter: , ; | or tab (default: detected).
    #[arg(long)]
    #[arg(help_heading = "Input")]
    pub delimiter: Option<String>,

    /// The region (ISO 3166-1 alpha-2, e.g. GB) of national-format numbers when a row has none.
    #[arg(long, env = "BULKLINE_DEFAULT_REGION", value_name = "RR")]
    #[arg(help_heading = "Phones")]
    pub default_region: Option<String>,

    /// A column holding each row's region (ISO alpha-2 code or country name).
    #[arg(long, value_name = "COL")]
    #[arg(help_heading = "Phones")]
    pub region_column: Option<String>,

    /// How to read digits without a + that are valid both as a national number of the row's
    /// region and as an international number that lost its + (4915123456789 in DE): reject
    /// them (phone_ambiguous), or read them as international or national numbers.
    #[arg(long, value_enum, default_value = "reject", value_name = "HOW")]
    #[arg(help_heading = "Phones")]
    pub bare_digits: crate::phone::BareDigits,

    /// What a bad number that is not the row's required phone costs: the row (reject), or
    /// only the value (drop: the row is kept without it and the warnings file lists it).
    #[arg(long, value_enum, default_value = "reject", value_name = "HOW")]
    #[arg(help_heading = "Phones")]
    pub bad_secondary: crate::transform::BadSecondary,

    /// Where to list the values --bad-secondary drop dropped: _row, _field, _value, _code,
    /// _message (default: beside the error report, its name with 'warnings' for 'errors').
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Output")]
    pub warnings: Option<String>,

    /// Map a column to a field, overriding recognition: `--map mobile="Cell #"`. Repeatable.
    /// Fields: first_name last_name full_name email mobile phone work_phone home_phone company
    /// job_title street city state postal_code country extension notes record_id parent_id
    /// (or contact_id) status is_primary_contact ignore.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    #[arg(help_heading = "Mapping")]
    pub maps: Vec<String>,

    /// A TOML mapping file: `mobile = "Cell #"`, `phone = ["Office", "Home"]`.
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Mapping")]
    pub mapping: Option<String>,

    /// What makes two rows duplicates.
    #[arg(long, value_enum, default_value = "mobile")]
    #[arg(help_heading = "Dedupe")]
    pub dedupe_by: DedupeBy,

    /// Which of a set of duplicates is kept (merge: the first, with empty fields filled from the others).
    #[arg(long, value_enum, default_value = "first")]
    #[arg(help_heading = "Dedupe")]
    pub keep: Keep,

    /// Reject rows whose required phone is not a mobile number.
    #[arg(long)]
    #[arg(help_heading = "Phones")]
    pub mobile_only: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CleanArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Where to write the clean rows (`-` for stdout, the default). The format follows the
    /// extension (.csv, .json, .jsonl), else the input's.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "CLEAN",
        default_value = "-"
    )]
    #[arg(help_heading = "Output")]
    pub output: String,

    /// Where to write the rejected rows: their columns plus _row, _stage, _field, _code, _message.
    #[arg(long, value_name = "ERRORS")]
    #[arg(help_heading = "Output")]
    pub errors: Option<String>,

    /// Where to write the dropped duplicates: their columns plus _row and _duplicate_of.
    #[arg(long, value_name = "DUPS")]
    #[arg(help_heading = "Output")]
    pub duplicates: Option<String>,

    /// Print the summary as one JSON object on stdout (instead of text on stderr).
    #[arg(long)]
    #[arg(help_heading = "Output")]
    pub json: bool,

    /// Print no summary.
    #[arg(long, short)]
    #[arg(help_heading = "Output")]
    pub quiet: bool,
}

/// Where the API is and how to reach it: shared by `import` and `undo`.
#[derive(Debug, Clone, Args)]
pub struct ApiArgs {
    /// Requests per second or minute, e.g. `50/s`, `100/m` (default: the config file's rate
    /// for the API, else the target's published limit).
    #[arg(long, env = "BULKLINE_RATE", value_name = "N/s|N/m")]
    #[arg(help_heading = "API")]
    pub rate: Option<String>,

    /// Requests in flight at once (default: sized from the rate and the API's latency).
    #[arg(long, value_name = "N")]
    #[arg(help_heading = "API")]
    pub concurrency: Option<usize>,

    /// Retries of a request that failed for a transient reason (429, 5xx, timeout).
    #[arg(long, default_value_t = 5, value_name = "N")]
    #[arg(help_heading = "API")]
    pub max_retries: u32,

    /// How long a lock-out is waited out (the API refusing every request, with a long or no
    /// Retry-After): `90s`, `15m`, `1h`. Longer, the run stops, resumable (exit 4).
    #[arg(long, env = "BULKLINE_MAX_WAIT", default_value = "15m", value_name = "DURATION", value_parser = crate::http::lockout::parse_max_wait)]
    #[arg(help_heading = "API")]
    pub max_wait: std::time::Duration,

    /// How long one request may take, in seconds, from connecting to the end of its answer.
    /// A write whose answer does not come in time may still land later: `import` waits for
    /// it (this plus --write-catch-up) before it looks for the record.
    #[arg(long, env = "BULKLINE_REQUEST_TIMEOUT", default_value_t = crate::http::DEFAULT_TIMEOUT.as_secs_f64(), value_name = "SECONDS", value_parser = parse_timeout)]
    #[arg(help_heading = "API")]
    pub request_timeout: f64,

    /// Start the built-in sandbox emulator in this process and send everything to it.
    #[arg(long)]
    #[arg(help_heading = "API")]
    pub sandbox: bool,

    /// Replace the scheme, host and port of the API (the documented paths are kept).
    #[arg(long, env = "BULKLINE_BASE_URL", value_name = "URL")]
    #[arg(help_heading = "API")]
    pub base_url: Option<String>,

    /// Replace the scheme, host and port of the OAuth token endpoint.
    #[arg(long, env = "BULKLINE_ACCOUNTS_URL", value_name = "URL")]
    #[arg(help_heading = "API")]
    pub accounts_url: Option<String>,

    /// The Zoho data centre: com, eu, in, com.au, jp, sa, com.cn, uk, ca, ae (default: the one
    /// `auth login` stored, else com).
    #[arg(long, env = "BULKLINE_DC", value_name = "DC")]
    #[arg(help_heading = "API")]
    pub dc: Option<String>,

    /// The profile (from the global `--profile`, `BULKLINE_PROFILE` or the config file's
    /// `default_profile`): see [`ApiArgs::profile_in_force`].
    #[arg(from_global)]
    pub profile: Option<String>,

    /// A TOML file with the credentials (ZOHO_CLIENT_ID = "..."); the environment wins.
    #[arg(long, env = "BULKLINE_CREDENTIALS", value_name = "FILE")]
    #[arg(help_heading = "API")]
    pub credentials: Option<String>,

    /// Where the result files kept without --errors go (`<input>.<target>.errors.csv`;
    /// default: beside the input).
    #[arg(long, env = "BULKLINE_REPORT_DIR", value_name = "DIR")]
    #[arg(help_heading = "Output")]
    pub report_dir: Option<String>,

    /// The options that pick a target's destination, each declared by its target.
    #[command(flatten)]
    pub destination: crate::flags::Declared<crate::connectors::DestinationOptions>,

    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    #[arg(help_heading = "Output")]
    pub json: bool,

    /// No progress and no summary.
    #[arg(long, short)]
    #[arg(help_heading = "Output")]
    pub quiet: bool,
}

/// A profile's name: none when blank.
pub fn named(profile: Option<&str>) -> Option<&str> {
    profile.filter(|p| !p.trim().is_empty())
}

impl ApiArgs {
    /// The profile in force: none for a blank name.
    pub fn profile_in_force(&self) -> Option<&str> {
        named(self.profile.as_deref())
    }
}

/// The journal of a run that changes remote state (`import`, `sms`).
#[derive(Debug, Clone, Args)]
pub struct JournalArgs {
    /// The checkpoint journal (default: beside the input, `<input>.<target>.checkpoint`, or
    /// `<input>.sms.checkpoint`; with --sandbox, a temporary file).
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Journal")]
    pub checkpoint: Option<String>,

    /// Start over: move an existing journal aside instead of resuming it. What it recorded is
    /// done again (sms: recipients an earlier run texted are texted again).
    #[arg(long)]
    #[arg(help_heading = "Journal")]
    pub restart: bool,
}

/// What a journaled command's options (`import`, `sms`) say of its files, as given.
pub struct FileArgs<'a> {
    pub input: &'a InputArgs,
    pub journal: &'a JournalArgs,
    pub dry_run: bool,
    pub errors: Option<&'a str>,
    pub report: Option<&'a str>,
    pub duplicates: Option<&'a str>,
    /// Where the result files kept without `--errors` go.
    pub report_dir: Option<&'a str>,
}

/// `files()` of the journaled commands' arguments, which name their file options alike.
macro_rules! files_of_args {
    ($($args:ty),+) => {$(
        impl $args {
            /// What the options say of the run's files.
            pub fn files(&self) -> FileArgs<'_> {
                FileArgs {
                    input: &self.input,
                    journal: &self.journal,
                    dry_run: self.dry_run,
                    errors: self.errors.as_deref(),
                    report: self.report.as_deref(),
                    duplicates: self.duplicates.as_deref(),
                    report_dir: self.api.report_dir.as_deref(),
                }
            }
        }
    )+};
}
files_of_args!(ImportArgs, SmsArgs);

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The API to import into.
    #[arg(long, value_enum)]
    pub to: crate::connectors::TargetKind,

    /// upsert: create new, update changed, skip identical; create: only create; update: only update.
    #[arg(long, value_enum, default_value = "upsert")]
    #[arg(help_heading = "Import")]
    pub mode: crate::import::Mode,

    /// What ties a row to an existing record.
    #[arg(long, value_enum, default_value = "mobile")]
    #[arg(help_heading = "Import")]
    pub match_by: crate::import::MatchBy,

    #[command(flatten)]
    pub journal: JournalArgs,

    /// Read the target and write the plan (to --report, else stdout), changing nothing.
    #[arg(long)]
    #[arg(help_heading = "Import")]
    pub dry_run: bool,

    /// How long, in seconds, a create may still land after the request timeout when its
    /// answer never came (a timeout, a lost connection, a killed run). Such a create is looked
    /// for on the target only once it is older than --request-timeout plus this; the run (or
    /// the resume) waits for those rows alone, and creates what is still missing.
    #[arg(long, default_value_t = crate::import::late::DEFAULT_CATCH_UP.as_secs_f64(), value_name = "SECONDS", value_parser = parse_seconds)]
    #[arg(help_heading = "Journal")]
    pub write_catch_up: f64,

    /// Read back the first N writes of a fresh run and compare them field by field with what
    /// was sent before anything else is sent; a difference stops the run (exit 3), naming the
    /// field. 0 turns it off. A resumed run does not repeat it.
    #[arg(long, default_value_t = crate::import::canary::DEFAULT_SIZE, value_name = "N")]
    pub canary: usize,

    /// Where to write rejected and refused rows (`_stage` = remote for the target's refusals).
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Output")]
    pub errors: Option<String>,

    /// Where to list the rows dropped as repeats of earlier ones: their columns plus _row and
    /// _duplicate_of (default: beside the error report, `duplicates` for `errors`; written
    /// only when a row is dropped).
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Output")]
    pub duplicates: Option<String>,

    /// Where to write the success report: _row, key, _action, _remote_id.
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Output")]
    pub report: Option<String>,

    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The API to compare with.
    #[arg(long, value_enum)]
    pub to: crate::connectors::TargetKind,

    /// What ties a row to a record on the target (as the import used).
    #[arg(long, value_enum, default_value = "mobile")]
    #[arg(help_heading = "Import")]
    pub match_by: crate::import::MatchBy,

    /// Where to write one line per row that did not land and per extra record: _row,
    /// _status, _fields, _target_id, then the input's columns.
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Output")]
    pub report: Option<String>,

    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    /// The checkpoint journal of the import to undo (the undo records its deletes in it).
    pub checkpoint: String,

    /// List what would be deleted (on stdout), delete nothing.
    #[arg(long)]
    #[arg(help_heading = "Journal")]
    pub dry_run: bool,

    /// Try again the deletes an earlier undo saw refused.
    #[arg(long)]
    #[arg(help_heading = "Journal")]
    pub restart: bool,

    /// Delete more than 100 records without asking.
    #[arg(long, short = 'y')]
    #[arg(help_heading = "Journal")]
    pub yes: bool,

    /// How long, in seconds, a create of the import whose answer never came (a killed run)
    /// may still land after the request timeout. The undo waits until such creates are older
    /// than --request-timeout plus this before it looks for them, so that none is left behind.
    #[arg(long, default_value_t = crate::import::late::DEFAULT_CATCH_UP.as_secs_f64(), value_name = "SECONDS", value_parser = parse_seconds)]
    #[arg(help_heading = "Journal")]
    pub write_catch_up: f64,

    /// Where to write the deletes the target refused: _row, _remote_id, _parent, _code,
    /// _message (default: beside the journal, `<journal>.undo.errors.csv`).
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Output")]
    pub errors: Option<String>,

    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("text").required(true).args(["message", "message_file", "message_column"])))]
pub struct SmsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The message: a template with `{first_name}`, `{Any Column}` and defaults such as
    /// `{first_name|there}` (`{{` and `}}` for literal braces).
    #[arg(long, value_name = "TEXT")]
    #[arg(help_heading = "Message")]
    pub message: Option<String>,

    /// The message template, from a UTF-8 file (one final newline is dropped).
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Message")]
    pub message_file: Option<String>,

    /// Each row's own message, from this column (taken as it is, not as a template).
    #[arg(long, value_name = "COL")]
    #[arg(help_heading = "Message")]
    pub message_column: Option<String>,

    /// The sender id: a short code, an alphanumeric sender or a number (20 characters at most).
    #[arg(long, value_name = "ID")]
    #[arg(help_heading = "Message")]
    pub sender_id: Option<String>,

    /// Deliver every message at this local time ("YYYY-MM-DD HH:MM:SS"), with --timezone.
    #[arg(
        long,
        value_name = "YYYY-MM-DD HH:MM:SS",
        requires = "timezone",
        conflicts_with = "send_window"
    )]
    #[arg(help_heading = "Sending")]
    pub schedule: Option<String>,

    /// The time zone of --schedule, e.g. Asia/Kolkata.
    #[arg(long, value_name = "Area/City", requires = "schedule")]
    #[arg(help_heading = "Sending")]
    pub timezone: Option<String>,

    /// Only try to deliver for this many minutes (0 to 14400).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=14_400))]
    #[arg(help_heading = "Message")]
    pub validity_minutes: Option<u32>,

    /// A URL the API calls back with each message's status.
    #[arg(long, value_name = "URL")]
    #[arg(help_heading = "Message")]
    pub status_callback: Option<String>,

    /// Send flash messages (shown at once, not stored).
    #[arg(long)]
    #[arg(help_heading = "Message")]
    pub flash: bool,

    /// Send an MMS with this file (the v2 endpoint, multipart).
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Message")]
    pub media: Option<String>,

    /// Numbers never to text: a CSV with a phone column (and a country column, if any), or
    /// one number a line. Repeatable. A national number with no region is read in each
    /// recipient's. A line that holds no number refuses the campaign.
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Recipients")]
    pub suppress: Vec<String>,

    /// Count the lines of the --suppress files that hold no number (no digits, letters, too
    /// few or too many digits, a country that names no region) and go on, instead of refusing
    /// the campaign.
    #[arg(long, requires = "suppress")]
    #[arg(help_heading = "Recipients")]
    pub suppress_skip_unreadable: bool,

    /// Do not read the opt-outs (STOP, UNSUBSCRIBE, CANCEL, END, QUIT, STOPALL) from the
    /// account's incoming SMS logs before sending.
    #[arg(long)]
    #[arg(help_heading = "Recipients")]
    pub no_opt_out_check: bool,

    /// Text each recipient only between these local times (the main time zone of the
    /// number's region), e.g. 09:00-20:00; others are scheduled into the window.
    #[arg(long, value_name = "HH:MM-HH:MM")]
    #[arg(help_heading = "Sending")]
    pub send_window: Option<String>,

    /// Numbers per send request, for recipients of the same text (1 to 10).
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=10))]
    #[arg(help_heading = "Sending")]
    pub batch_size: u16,

    /// Text numbers that are not mobiles too (by default they are rejected, phone_not_mobile).
    #[arg(long)]
    #[arg(help_heading = "Recipients")]
    pub allow_landline: bool,

    #[command(flatten)]
    pub journal: JournalArgs,

    /// Send again the sends whose outcome stays unknown: scheduled sends whose answer was lost
    /// and that the SMS logs do not show (the logs may not list scheduled sends).
    #[arg(long)]
    #[arg(help_heading = "Journal")]
    pub resend_unknown: bool,

    /// How long, in seconds, the SMS logs may take to list a send the API accepted. A send
    /// whose answer was lost and that the logs do not show once it is this old was not sent,
    /// and is sent again (a run waits out this window for such sends).
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS", value_parser = parse_seconds)]
    #[arg(help_heading = "Journal")]
    pub log_catch_up: f64,

    /// Never text a number that the account's outgoing SMS logs show got the same text within
    /// this window (7d, 36h, 90m; 0 turns the guard off). The logs are read once before
    /// sending: one request per 100 messages the account sent in the window.
    #[arg(long, default_value = "7d", value_name = "DURATION", value_parser = parse_repeat_window)]
    #[arg(help_heading = "Journal")]
    pub repeat_window: std::time::Duration,

    /// Plan only: print recipients, segments, countries, rejections and samples; send nothing.
    #[arg(long)]
    #[arg(help_heading = "Sending")]
    pub dry_run: bool,

    /// Send to more than 100 recipients without asking.
    #[arg(long, short = 'y')]
    #[arg(help_heading = "Sending")]
    pub yes: bool,

    /// Where to write rejected, suppressed and refused rows.
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Output")]
    pub errors: Option<String>,

    /// Where to list the rows dropped as repeats of earlier ones: their columns plus _row and
    /// _duplicate_of (default: beside the error report, `duplicates` for `errors`; written
    /// only when a row is dropped).
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Output")]
    pub duplicates: Option<String>,

    /// Where to write one line per recipient sent (or, in a dry run, to send): number,
    /// _action, _logid, message, _row.
    #[arg(long, value_name = "FILE")]
    #[arg(help_heading = "Output")]
    pub report: Option<String>,

    /// Send one row's message (--test-row, else the first row that makes a recipient) to this
    /// number only, now, as a test: no journal is written, and the campaign run afterwards
    /// still texts every recipient once. Repeatable (at most 10).
    #[arg(long, value_name = "NUMBER", conflicts_with_all = ["dry_run", "report", "errors"])]
    #[arg(help_heading = "Test send")]
    pub test_to: Vec<String>,

    /// The data row (1-based) whose message --test-to sends.
    #[arg(long, value_name = "N", requires = "test_to", value_parser = clap::value_parser!(u64).range(1..))]
    #[arg(help_heading = "Test send")]
    pub test_row: Option<u64>,

    #[command(flatten)]
    pub api: ApiArgs,
}

/// A number of seconds: finite, 0 to one day.
fn parse_repeat_window(text: &str) -> Result<std::time::Duration, String> {
    crate::sms::texted::parse_window(text)
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    let n: f64 = text
        .trim()
        .trim_end_matches('s')
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if n.is_finite() && (0.0..=86_400.0).contains(&n) {
        Ok(n)
    } else {
        Err(format!("'{text}': give 0 to 86400 seconds"))
    }
}

/// A request timeout in seconds: more than 0, at most one day.
fn parse_timeout(text: &str) -> Result<f64, String> {
    let n = parse_seconds(text)?;
    if n > 0.0 {
        Ok(n)
    } else {
        Err(format!("'{text}': a request needs more than 0 seconds"))
    }
}

#[derive(Debug, Clone, Args)]
pub struct SmsStatusArgs {
    /// The checkpoint journal of the campaign.
    pub checkpoint: String,

    /// Where to write the per-recipient report (CSV; `-` for stdout, the default).
    #[arg(short = 'o', long = "output", default_value = "-", value_name = "FILE")]
    pub output: String,

    /// Check every recipient the journal says was sent against the outgoing SMS logs: landed
    /// (same log id, number and text), differs (another text or number), or missing. Exit 0
    /// only when all landed.
    #[arg(long, conflicts_with = "output")]
    pub verify: bool,

    /// With --verify: where to write one line per recipient that did not land (CSV).
    #[arg(long, value_name = "FILE", requires = "verify")]
    pub report: Option<String>,

    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(long, value_enum)]
    pub from: crate::export::ExportFrom,

    /// The file to write: .csv, .jsonl (or .ndjson) or .xlsx; `-` writes CSV to stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: String,

    /// Only these columns, in this order (comma-separated flattened names, e.g.
    /// `first_name,last_name,mobile,contact_owner.display_value`).
    #[arg(long, value_name = "a,b,c")]
    #[arg(help_heading = "Output")]
    pub columns: Option<String>,

    /// SMS logs: the first day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    #[arg(help_heading = "Output")]
    pub from_date: Option<String>,

    /// SMS logs: the last day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    #[arg(help_heading = "Output")]
    pub to_date: Option<String>,

    /// CSV: write cells as they are, without neutralising the ones a spreadsheet would run as
    /// formulas.
    #[arg(long)]
    #[arg(help_heading = "Output")]
    pub raw: bool,

    /// CSV: no UTF-8 byte-order mark at the start of the file (a file gets one, for Excel;
    /// stdout and pipes never do).
    #[arg(long)]
    #[arg(help_heading = "Output")]
    pub no_bom: bool,

    /// With --sandbox: generated records in every API of the in-process sandbox, to try it.
    #[arg(long, default_value_t = 0, value_name = "N", requires = "sandbox")]
    #[arg(help_heading = "API")]
    pub sandbox_records: u64,

    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Print them as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write `bulkline.1` and a page per command (`bulkline-import.1`, ...) into this
    /// directory instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// `bulkline auth`: the credentials file.
#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    pub action: AuthAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum AuthAction {
    /// Get and store credentials. Zoho: exchange a grant code from the API console's Self
    /// Client for a refresh token at the account's data centre. Zoom: test and store the
    /// Server-to-Server OAuth app's account id, client id and secret.
    Login(AuthLoginArgs),
    /// What the credentials file holds for the profile, secrets masked.
    Status(AuthFileArgs),
    /// Remove stored credentials (one service's with --to, else the whole profile).
    Logout(AuthLogoutArgs),
}

/// Where the credentials file is.
#[derive(Debug, Clone, Args)]
pub struct AuthFileArgs {
    /// The credentials file (default: $XDG_CONFIG_HOME/bulkline/credentials.toml).
    #[arg(long, env = "BULKLINE_CREDENTIALS", value_name = "FILE")]
    pub credentials: Option<String>,

    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,

    /// The profile (from the global `--profile`, `BULKLINE_PROFILE` or the config file's
    /// `default_profile`): see [`AuthFileArgs::profile_in_force`].
    #[arg(from_global)]
    pub profile: Option<String>,
}

impl AuthFileArgs {
    /// The profile in force: none for a blank name.
    pub fn profile_in_force(&self) -> Option<&str> {
        named(self.profile.as_deref())
    }
}

#[derive(Debug, Clone, Args)]
pub struct AuthLoginArgs {
    /// The service: zoho (Zoho Voice, SMS and Books share one sign-in; zoho-voice,
    /// zoho-books and zoho-sms also name it) or zoom (zoom-cc).
    #[arg(long, value_name = "SERVICE")]
    pub to: String,

    /// Zoho: the grant code the API console's Self Client generated (it lives a few
    /// minutes and works once; prompted for when not given).
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,

    /// The client id (default: ZOHO_CLIENT_ID / ZOOM_CLIENT_ID, else prompted). The secret is
    /// never a flag: ZOHO_CLIENT_SECRET / ZOOM_CLIENT_SECRET, else prompted without echo (or
    /// one line of stdin when it is not a terminal).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// Zoom: the account id (default: ZOOM_ACCOUNT_ID, else prompted).
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,

    /// Zoho Books: the organization id to store with the sign-in.
    #[arg(long, value_name = "ID")]
    pub organization_id: Option<String>,

    /// Zoho: the data centre of the account (com, eu, in, com.au, jp, sa, com.cn, uk, ca,
    /// ae); stored, so later runs need no --dc.
    #[arg(long, env = "BULKLINE_DC", default_value = "com", value_name = "DC")]
    pub dc: String,

    /// Replace the scheme, host and port of the token endpoint (a proxy, or the sandbox).
    #[arg(long, env = "BULKLINE_ACCOUNTS_URL", value_name = "URL")]
    pub accounts_url: Option<String>,

    #[command(flatten)]
    pub file: AuthFileArgs,
}

#[derive(Debug, Clone, Args)]
pub struct AuthLogoutArgs {
    /// Only this service's keys: zoho or zoom (default: every key of the profile).
    #[arg(long, value_name = "SERVICE")]
    pub to: Option<String>,

    #[command(flatten)]
    pub file: AuthFileArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The API to check.
    #[arg(long, value_enum)]
    pub to: CheckTo,

    /// Also write: create one probe record (first name bulkline-probe, a fictitious number),
    /// read it back, update it, read it back, delete it and confirm it is gone, comparing each
    /// answer field by field. Leaves nothing behind (a probe a killed check left is removed
    /// by the next one).
    #[arg(long)]
    pub write: bool,

    #[command(flatten)]
    pub api: ApiArgs,
}

crate::targets_and! {
    /// An API `check` can test: a target of the registry, or the SMS API.
    pub enum CheckTo {
        Sms = crate::sms::API,
        crate::sms::API_ABOUT
    }
}

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,

    /// A global limit on API requests, e.g. `10/s` (or just `10`); refused requests get 429
    /// with Retry-After.
    #[arg(long, value_name = "N/s")]
    pub rate_limit: Option<String>,

    /// A server-side window: at most N API requests in any sliding second, every request
    /// that reaches the sandbox counted (refused ones too); 429 with Retry-After beyond.
    #[arg(long, value_name = "N")]
    pub rate_window: Option<u32>,

    /// The share of API requests answered 500 without being applied (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub fault_rate: f64,

    /// The share of API requests applied, then answered 502 (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub ambiguous_rate: f64,

    /// A delay before every API answer, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "L")]
    pub latency_ms: u64,

    /// Apply every contact write (create, update, delete) this many milliseconds after it
    /// arrives, and answer it then: the change lands when the delay is over even if the client
    /// has gone (timed out or killed), as on a slow network or a busy server.
    #[arg(long, alias = "write-delay", default_value_t = 0, value_name = "MS")]
    pub write_delay_ms: u64,

    /// The lifetime of access tokens, in seconds.
    #[arg(long, default_value_t = 3600, value_name = "S")]
    pub token_ttl: u64,

    /// The options each emulator declares (its limits, its tokens' scopes).
    #[command(flatten)]
    pub emulators: crate::flags::Declared<crate::sandbox::config::EmulatorOptions>,

    /// The seed of the sandbox's random choices (faults, ids, tokens).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Start with this many generated records in every contact API and in the SMS logs
    /// (for trying exports and measuring them).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub records: u64,
}

/// Options of the shared groups that a command does not use: hidden from its help (still
/// accepted, so that a shared alias or script does not break).
const UNUSED: [(&str, &[&str]); 4] = [
    ("undo", &["report_dir"]),
    ("sms-status", &["report_dir", "concurrency"]),
    ("export", &["report_dir"]),
    (
        "check",
        &[
            "report_dir",
            "rate",
            "concurrency",
            "max_retries",
            "max_wait",
            "quiet",
        ],
    ),
];

/// Commands that take no target: the targets' destination options are hidden from their help.
const NO_DESTINATION: [&str; 3] = ["undo", "sms-status", "sms"];

/// The command line: the derived definition, with each command's examples, the options it
/// does not use hidden, and the input of `import` and `sms` described as what they take.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    for name in crate::examples::commands() {
        if let Some(text) = crate::examples::of(name).filter(|_| name != "bulkline") {
            cmd = cmd.mut_subcommand(name, |c| c.after_help(text));
        }
    }
    let destination = <crate::connectors::DestinationOptions as crate::flags::FlagSource>::flags();
    let destination_ids: Vec<&str> = destination.iter().map(|f| f.id).collect();
    let hidden = UNUSED
        .iter()
        .map(|(name, ids)| (*name, ids.to_vec()))
        .chain(
            NO_DESTINATION
                .iter()
                .map(|name| (*name, destination_ids.clone())),
        );
    for (name, args) in hidden {
        cmd = cmd.mut_subcommand(name, |mut c| {
            for id in args {
                c = c.mut_arg(id, |a| a.hide(true));
            }
            c
        });
    }
    // A journaled run needs a file: its journal identifies the file it belongs to.
    for name in ["import", "sms"] {
        cmd = cmd.mut_subcommand(name, |c| {
            c.mut_arg("input", |a| {
                a.help("The input file: CSV, JSON (an array of objects), JSON Lines, a spreadsheet (xlsx, xlsm, xlsb, xls, ods) or vCard (.vcf). A file, not stdin: the journal identifies the file it belongs to")
            })
        });
    }
    cmd
}
