//! `bulkline sandbox`: run the API emulator in the foreground until Ctrl-C.

use crate::cli::SandboxArgs;
use crate::error::{Error, Result};
use crate::exit::Ended;
use crate::sandbox::{Sandbox, SandboxConfig, SandboxError, seed};

/// Parses a rate such as `10/s`, `2.5/s` or `10` (per second).
pub fn parse_rate(s: &str) -> Result<f64> {
    let t = s.trim();
    let n = t
        .strip_suffix("/s")
        .or_else(|| t.strip_suffix("/sec"))
        .unwrap_or(t)
        .trim();
    match n.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(Error::Usage(format!(
            "--rate-limit '{s}' is not a rate: give requests per second, such as 10/s"
        ))),
    }
}

/// The sandbox configuration the arguments ask for.
pub fn config_from_args(args: &SandboxArgs) -> Result<SandboxConfig> {
    let defaults = SandboxConfig::default();
    let config = SandboxConfig {
        port: args.port,
        rate_limit_per_sec: args.rate_limit.as_deref().map(parse_rate).transpose()?,
        rate_window_per_sec: args.rate_window,
        fault_rate: args.fault_rate,
        ambiguous_rate: args.ambiguous_rate,
        latency_ms: args.latency_ms,
        write_delay_ms: args.write_delay_ms,
        token_ttl_secs: args.token_ttl,
        seed: args.seed,
        ..defaults
    }
    .with_options(&args.emulators.values)
    .map_err(|e| Error::Usage(e.to_string()))?;
    config.validate().map_err(|e| Error::Usage(e.to_string()))?;
    Ok(config)
}

// An emulator starts afresh: nothing to go on from (and it fails with no resumable error).
super::runs!(SandboxArgs, run, resumes: false);

/// Runs the sandbox until Ctrl-C.
pub fn run(args: &SandboxArgs) -> Result<Ended> {
    let config = config_from_args(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(serve(config, args.records))
}

async fn serve(config: SandboxConfig, records: u64) -> Result<Ended> {
    let sandbox = Sandbox::start(config).await.map_err(|e| match e {
        SandboxError::Bind { .. } => Error::Usage(format!("{e} (try another --port, or 0)")),
        other => Error::Usage(other.to_string()),
    })?;
    sandbox.add_bulk_records(records);
    let url = sandbox.url();
    let mut banner = format!("bulkline sandbox listening on {url}\n");
    if records > 0 {
        banner.push_str(&format!(
            "holding {records} generated records in each API (and in the SMS logs)\n"
        ));
    }
    banner.push_str(
        "\nSandbox credentials (they unlock nothing but this sandbox); paste into your shell:\n",
    );
    for line in seed::env_lines(&url) {
        banner.push_str(&format!("export {line}\n"));
    }
    banner.push_str(&format!(
        "\nAdmin: GET {url}/_sandbox/state, POST {url}/_sandbox/config, POST {url}/_sandbox/reset\nPress Ctrl-C to stop.\n"
    ));
    // A reader that took the first lines and went away (`| head -1` for the URL) does not
    // stop the sandbox: it serves until Ctrl-C.
    crate::stdout::tolerate_closed(crate::stdout::write(&banner))?;
    let signal = tokio::signal::ctrl_c().await;
    crate::stop::say("bulkline sandbox: stopping");
    let stopped = sandbox.shutdown().await;
    signal.map_err(|e| Error::Internal(format!("cannot wait for Ctrl-C: {e}")))?;
    stopped.map_err(|e| Error::Internal(e.to_string()))?;
    Ok(Ended::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse() {
        assert_eq!(parse_rate("10/s").ok(), Some(10.0));
        assert_eq!(parse_rate(" 2.5 ").ok(), Some(2.5));
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("fast").is_err());
    }
}
