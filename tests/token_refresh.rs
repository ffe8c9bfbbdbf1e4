//! Tokens never stall the pipe: with access tokens that live 6 s from a token endpoint that
//! takes half a second to answer, an import at 20 requests/s keeps its rate through every
//! token refresh, counted by the second at the sandbox.

mod common;

use std::collections::BTreeMap;

use bulkline::sandbox::SandboxConfig;
use common::{Harness, Target, assert_exactly_once, rows};

/// The rate of the runs, requests per second.
const RATE: u64 = 20;
/// Rows of a run: about 18 s at the rate, so three or four tokens of 6 s.
const ROWS: u32 = 360;
/// The least share of the rate any full second may carry.
const FLOOR: f64 = 0.9;

/// The API requests of every second from the first to the last one that had any (a second
/// with none is there with 0), oldest first.
fn seconds(by_second: &BTreeMap<u64, u64>) -> Vec<u64> {
    let (Some(&first), Some(&last)) = (by_second.keys().next(), by_second.keys().next_back())
    else {
        return Vec::new();
    };
    (first..=last)
        .map(|s| by_second.get(&s).copied().unwrap_or(0))
        .collect()
}

/// The full seconds of a run: all but the first and the last, which the run starts or ends
/// within.
fn full_seconds(counts: &[u64]) -> &[u64] {
    match counts {
        [_, middle @ .., _] => middle,
        _ => &[],
    }
}

/// Requests the sandbox answered 401, on any endpoint.
fn unauthorized(h: &Harness) -> u64 {
    h.sb.stats()
        .requests
        .values()
        .filter_map(|by_status| by_status.get(&401))
        .sum()
}

fn tokens_never_stall(t: Target) {
    let h = Harness::new(SandboxConfig {
        token_ttl_secs: 6,
        // A client that waits for its new token loses half a second of requests.
        token_latency_ms: 500,
        // The sandbox enforces no rate of its own: the client's pacer sets the pace.
        rate_limit_per_sec: None,
        ..common::config()
    });
    let input = h.write_csv("in.csv", &rows(0..ROWS));
    let rate = format!("{RATE}/s");
    let run = h.import(t, &input, &h.path("x.checkpoint"), &["--rate", &rate]);
    run.assert_code(0);
    assert_eq!(run.num("created"), u64::from(ROWS), "{run}");
    assert_exactly_once(&h, t, 0..ROWS);

    let counts = seconds(&h.sb.stats().api_by_second);
    let full = full_seconds(&counts);
    eprintln!("{}: API requests per second: {counts:?}", t.name());
    assert!(
        full.len() >= 12,
        "{}: the run was too short to see refreshes: {counts:?}",
        t.name()
    );
    let floor = (RATE as f64 * FLOOR).floor() as u64;
    let slow: Vec<(usize, u64)> = full
        .iter()
        .enumerate()
        .filter(|&(_, &n)| n < floor)
        .map(|(i, &n)| (i + 1, n))
        .collect();
    assert!(
        slow.is_empty(),
        "{}: seconds below {floor} requests (second, count): {slow:?}; all: {counts:?}",
        t.name()
    );

    let (zoho, zoom) = h.sb.tokens_issued();
    let issued = if t.zoom_oauth() { zoom } else { zoho };
    assert!(
        issued >= 3,
        "{}: {issued} tokens for a run of {} s with 6-s tokens: {run}",
        t.name(),
        counts.len()
    );
    assert_eq!(
        unauthorized(&h),
        0,
        "{}: a token expired in use: {:?}",
        t.name(),
        h.sb.stats().requests
    );
}

#[test]
fn zoom_tokens_never_stall_the_pipe() {
    tokens_never_stall(Target::ZOOM);
}

#[test]
fn zoho_tokens_never_stall_the_pipe() {
    tokens_never_stall(Target::VOICE);
}

#[test]
fn full_seconds_leave_out_the_first_and_the_last() {
    let by_second = BTreeMap::from([(10, 3), (11, 20), (13, 19), (14, 5)]);
    let counts = seconds(&by_second);
    assert_eq!(counts, vec![3, 20, 0, 19, 5]);
    assert_eq!(full_seconds(&counts), &[20, 0, 19]);
    assert!(full_seconds(&[7]).is_empty());
}
