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
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a contact export, validate and normalize its phones to E.164, dedupe, and write
    /// the clean rows, an error report and a duplicates report.
    Clean(CleanArgs),
    /// Run the API emulator (Zoho Voice, Zoho Books, Zoom Contact Center, Zoho Voice SMS, and
    /// their OAuth servers) on 127.0.0.1 until Ctrl-C, and print the credentials it accepts.
    Sandbox(SandboxArgs),
}

/// How to read the input and turn its rows into contacts: shared by every command that reads a file.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// The input file: CSV, JSON (an array of objects) or JSON Lines; `-` reads stdin.
    pub input: String,

    /// The input format (default: from the extension, else sniffed from the content).
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// The input encoding, as a WHATWG label: utf-8, utf-16le, windows-1252, latin1, ...
    /// (default: detected).
    #[arg(long)]
    pub encoding: Option<String>,

    /// The CSV delimiter: , ; | or tab (default: detected).
    #[arg(long)]
    pub delimiter: Option<String>,

    /// The region (ISO 3166-1 alpha-2, e.g. GB) of national-format numbers when a row has none.
    #[arg(long, value_name = "RR")]
    pub default_region: Option<String>,

    /// A column holding each row's region (ISO alpha-2 code or country name).
    #[arg(long, value_name = "COL")]
    pub region_column: Option<String>,

    /// Map a column to a field, overriding recognition: `--map mobile="Cell #"`. Repeatable.
    /// Fields: first_name last_name full_name email mobile phone work_phone home_phone company
    /// job_title street city state postal_code country extension notes ignore.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    pub maps: Vec<String>,

    /// A TOML mapping file: `mobile = "Cell #"`, `phone = ["Office", "Home"]`.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<String>,

    /// What makes two rows duplicates.
    #[arg(long, value_enum, default_value = "mobile")]
    pub dedupe_by: DedupeBy,

    /// Which of a set of duplicates is kept (merge: the first, with empty fields filled from the others).
    #[arg(long, value_enum, default_value = "first")]
    pub keep: Keep,

    /// Reject rows whose required phone is not a mobile number.
    #[arg(long)]
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
    pub output: String,

    /// Where to write the rejected rows: their columns plus _row, _stage, _field, _code, _message.
    #[arg(long, value_name = "ERRORS")]
    pub errors: Option<String>,

    /// Where to write the dropped duplicates: their columns plus _row and _duplicate_of.
    #[arg(long, value_name = "DUPS")]
    pub duplicates: Option<String>,

    /// Print the summary as one JSON object on stdout (instead of text on stderr).
    #[arg(long)]
    pub json: bool,

    /// Print no summary.
    #[arg(long, short)]
    pub quiet: bool,
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

    /// The share of API requests answered 500 without being applied (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub fault_rate: f64,

    /// The share of API requests applied, then answered 502 (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub ambiguous_rate: f64,

    /// A delay before every API answer, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "L")]
    pub latency_ms: u64,

    /// The lifetime of access tokens, in seconds.
    #[arg(long, default_value_t = 3600, value_name = "S")]
    pub token_ttl: u64,

    /// Zoho Books' daily request quota per organization (default: unlimited).
    #[arg(long, value_name = "N")]
    pub books_daily_quota: Option<u64>,

    /// The seed of the sandbox's random choices (faults, ids, tokens).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}
