//! Tests of the journal as a whole: open, write, kill (simulated by cutting the file), resume.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::*;

struct Fixture {
    _dir: tempfile::TempDir,
    input: PathBuf,
    journal: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("contacts.csv");
    std::fs::write(&input, b"name,mobile\nAda,+14155550100\nBob,+14155550101\n").unwrap();
    let journal = dir.path().join("contacts.csv.journal");
    Fixture {
        _dir: dir,
        input,
        journal,
    }
}

fn header_of(input: &Path) -> RunHeader {
    RunHeader::new(
        crate::fingerprint::of_input(input.to_str().unwrap(), &Default::default()).unwrap(),
        "zoho-voice",
        "import",
    )
    .param("organization_id", "42")
    .option("dedupe", "mobile")
}

/// Opens (or creates) the fixture's journal for its input, without a restart.
fn open(f: &Fixture) -> Result<(Journal, Resume), CheckpointError> {
    Journal::open_or_create(&f.journal, &header_of(&f.input), false)
}

fn reopen(f: &Fixture) -> Resume {
    let (j, r) = open(f).unwrap_or_else(|e| panic!("reopen: {e:?}"));
    j.close().unwrap();
    r
}

/// Records row `row` as created as `id`: an intent, then its outcome.
fn created(j: &Journal, row: u64, id: &str) {
    let intent = j.intent_blocking(Op::Create, &[row], None).unwrap();
    j.outcome(intent, &[RowOutcome::done(row, Action::Created, Some(id))])
        .unwrap();
}

fn done(action: Action, id: &str) -> RowState {
    RowState::Done {
        action,
        remote_id: Some(id.into()),
    }
}

#[test]
fn round_trip() {
    let f = fixture();
    let (j, r) = open(&f).unwrap();
    assert!(r.is_empty() && r.moved_aside.is_none());
    let a = j.intent_blocking(Op::Create, &[1], None).unwrap();
    let b = j.intent_blocking(Op::Update, &[2], Some("77")).unwrap();
    let c = j.intent_blocking(Op::Create, &[3], None).unwrap();
    assert_eq!((a, b, c), (1, 2, 3));
    j.outcome(a, &[RowOutcome::done(1, Action::Created, Some("100"))])
        .unwrap();
    j.outcome(b, &[RowOutcome::done(2, Action::Updated, Some("77"))])
        .unwrap();
    j.outcome(c, &[RowOutcome::failed(3, "duplicate", "already exists")])
        .unwrap();
    let stats = j.close().unwrap();
    assert_eq!(stats.records, 6);
    assert!(matches!(
        j.intent_blocking(Op::Create, &[4], None),
        Err(CheckpointError::Closed)
    ));

    let (j, r) = open(&f).unwrap();
    assert_eq!(r.records, 6);
    assert_eq!(r.state(1), Some(&done(Action::Created, "100")));
    assert_eq!(r.state(2), Some(&done(Action::Updated, "77")));
    assert!(r.is_done(1) && !r.is_done(3) && r.state(4).is_none());
    match r.state(3) {
        Some(RowState::Failed(f)) => {
            assert_eq!((&*f.code, &*f.message), ("duplicate", "already exists"))
        }
        other => panic!("{other:?}"),
    }
    let counts = r.counts();
    assert_eq!((counts.done, counts.failed, counts.in_flight), (2, 1, 0));
    assert_eq!(counts.action(Action::Created), 1);
    assert_eq!(
        r.summary(),
        "resuming: 2 done (1 created, 1 updated), 1 failed, 0 in flight"
    );
    assert_eq!(r.created(), vec![(1, "100")]);
    // Ids go on from the journal's last one.
    assert_eq!(j.intent_blocking(Op::Create, &[4], None).unwrap(), 4);
    j.close().unwrap();
}

#[test]
fn a_journal_of_another_run_is_refused() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    j.close().unwrap();
    let before = std::fs::read(&f.journal).unwrap();

    let other = header_of(&f.input).param("organization_id", "43");
    let err = Journal::open_or_create(&f.journal, &other, false).unwrap_err();
    let CheckpointError::Mismatch { mismatch, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        matches!(&mismatch.differences[..], [Difference::TargetParam { key, .. }] if key == "organization_id")
    );
    let text = err.to_string();
    assert!(
        text.contains("organization_id = 42") && text.contains("--restart"),
        "{text}"
    );

    // The input changed: refused too.
    std::fs::write(&f.input, b"name,mobile\nEve,+14155550199\n").unwrap();
    let err = open(&f).unwrap_err();
    assert!(err.to_string().contains("has changed"), "{err}");
    assert_eq!(
        std::fs::read(&f.journal).unwrap(),
        before,
        "a refused journal is untouched"
    );
    let mapped: crate::error::Error = err.into();
    assert_eq!(mapped.exit_code(), crate::error::exit::ExitCode::Usage);
}

#[test]
fn restart_moves_the_old_journal_aside() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    created(&j, 1, "9");
    j.close().unwrap();
    let old = std::fs::read(&f.journal).unwrap();

    let mut other = header_of(&f.input);
    other.mode = "upsert".into();
    let (j, r) = Journal::open_or_create(&f.journal, &other, true).unwrap();
    assert!(r.is_empty());
    let aside = r.moved_aside.clone().unwrap();
    assert_eq!(std::fs::read(&aside).unwrap(), old);
    assert_eq!(j.intent_blocking(Op::Upsert, &[1], None).unwrap(), 1);
    j.close().unwrap();
    // A second restart picks another name.
    let (j, r) = Journal::open_or_create(&f.journal, &other, true).unwrap();
    assert_ne!(r.moved_aside.unwrap(), aside);
    j.close().unwrap();
}

#[test]
fn a_torn_tail_is_cut_at_every_offset() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    created(&j, 1, "100");
    let b = j.intent_blocking(Op::Send, &[2, 3], None).unwrap();
    j.flush_blocking().unwrap();
    let before_last = std::fs::metadata(&f.journal).unwrap().len();
    j.outcome(
        b,
        &[
            RowOutcome::done(2, Action::Sent, Some("log-2")),
            RowOutcome::done(3, Action::Sent, Some("log-3")),
        ],
    )
    .unwrap();
    j.close().unwrap();
    let full = std::fs::read(&f.journal).unwrap();
    assert_eq!(reopen(&f).counts().done, 3);

    for cut in before_last..full.len() as u64 {
        std::fs::write(&f.journal, &full[..cut as usize]).unwrap();
        let (j, r) = open(&f).unwrap();
        assert_eq!(r.dropped_tail_bytes, cut - before_last, "cut at {cut}");
        assert_eq!(
            r.dropped_tail_records,
            u64::from(cut > before_last),
            "cut at {cut}"
        );
        assert_eq!(r.counts().done, 1, "cut at {cut}");
        assert_eq!(r.in_flight().len(), 1, "cut at {cut}");
        assert_eq!(r.in_flight()[0].rows, vec![2, 3]);
        assert_eq!(
            std::fs::metadata(&f.journal).unwrap().len(),
            before_last,
            "truncated"
        );
        // The journal goes on cleanly after the cut.
        j.outcome(b, &[RowOutcome::done(2, Action::Sent, Some("log-2"))])
            .unwrap();
        j.close().unwrap();
        let r = reopen(&f);
        assert_eq!(
            (r.counts().done, r.counts().in_flight, r.dropped_tail_bytes),
            (2, 1, 0)
        );
    }
}

#[test]
fn garbage_after_the_last_record_is_a_torn_tail_but_damage_in_the_middle_is_refused() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    for row in 1..=3 {
        created(&j, row, "x");
    }
    j.close().unwrap();
    let full = std::fs::read(&f.journal).unwrap();

    // Zeros after the end (a file grown but not written before a crash).
    let mut zeros = full.clone();
    zeros.extend_from_slice(&[0u8; 300]);
    zeros.push(b'\n');
    zeros.extend_from_slice(&[0u8; 30]);
    std::fs::write(&f.journal, &zeros).unwrap();
    let r = reopen(&f);
    assert_eq!((r.counts().done, r.dropped_tail_bytes), (3, 331));
    // Two damaged lines: a full one and the partial last one, both counted.
    assert_eq!(r.dropped_tail_records, 2);

    // A flipped byte in the second record, with valid records after it.
    let second = full.iter().position(|&b| b == b'\n').unwrap() + 1;
    let second = second + full[second..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut damaged = full.clone();
    damaged[second + 30] ^= 0x20;
    std::fs::write(&f.journal, &damaged).unwrap();
    let err = open(&f).unwrap_err();
    assert!(
        matches!(err, CheckpointError::Corrupt { offset, .. } if offset == second as u64),
        "{err}"
    );
    assert_eq!(std::fs::read(&f.journal).unwrap(), damaged, "left as it is");
}

#[test]
fn a_file_that_is_not_a_journal_is_left_alone() {
    let f = fixture();
    std::fs::write(&f.journal, b"name,mobile\nAda,1\n").unwrap();
    let err = open(&f).unwrap_err();
    assert!(matches!(err, CheckpointError::NotAJournal { .. }), "{err}");
    assert_eq!(std::fs::read(&f.journal).unwrap(), b"name,mobile\nAda,1\n");
    // An empty file (e.g. touched by hand) becomes a journal.
    std::fs::write(&f.journal, b"").unwrap();
    assert!(reopen(&f).is_empty());
}

#[test]
fn one_run_at_a_time() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    let err = open(&f).unwrap_err();
    assert!(matches!(err, CheckpointError::Locked { .. }), "{err}");
    assert!(matches!(
        read_journal(&f.journal),
        Err(CheckpointError::Locked { .. })
    ));
    drop(j); // dropping the last clone closes the journal and releases the lock
    assert!(read_journal(&f.journal).is_ok());
}

/// The line of intent `id`, read through a separate handle.
fn has_intent(path: &Path, id: IntentId) -> bool {
    let text = std::fs::read_to_string(path).unwrap();
    let needle = format!("{{\"intent\":{{\"id\":{id},");
    text.lines().any(|l| {
        l.len() > 17 && l[17..].starts_with(&needle) && record::decode(l.as_bytes()).is_ok()
    })
}

#[test]
fn group_commit_from_threads() {
    const THREADS: u64 = 16;
    const EACH: u64 = 25;
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    let path = Arc::new(f.journal.clone());
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let j = j.clone();
            let path = Arc::clone(&path);
            std::thread::spawn(move || {
                for k in 0..EACH {
                    let row = t * EACH + k + 1;
                    let id = j.intent_blocking(Op::Create, &[row], None).unwrap();
                    assert!(
                        has_intent(&path, id),
                        "intent {id} is in the file when acknowledged"
                    );
                    j.outcome(id, &[RowOutcome::done(row, Action::Created, Some("r"))])
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let stats = j.close().unwrap();
    assert_eq!(stats.records, 2 * THREADS * EACH);
    assert!(
        stats.syncs < THREADS * EACH,
        "intents shared syncs: {stats:?}"
    );
    let r = reopen(&f);
    assert_eq!(r.counts().done, THREADS * EACH);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_commit_from_tasks() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    let mut tasks = Vec::new();
    for row in 1..=300u64 {
        let j = j.clone();
        let path = f.journal.clone();
        tasks.push(tokio::spawn(async move {
            let id = j.intent(Op::Create, &[row], None).await.unwrap();
            assert!(has_intent(&path, id));
            j.outcome(id, &[RowOutcome::done(row, Action::Created, Some("r"))])
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    j.flush().await.unwrap();
    let stats = tokio::task::spawn_blocking(move || j.close())
        .await
        .unwrap()
        .unwrap();
    assert!(stats.syncs < 300, "{stats:?}");
    assert_eq!(reopen(&f).counts().done, 300);
}

#[test]
fn in_flight_intents_are_reported() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    let a = j.intent_blocking(Op::Create, &[1], None).unwrap();
    let b = j.intent_blocking(Op::Update, &[2], Some("55")).unwrap();
    let c = j.intent_blocking(Op::Create, &[3], None).unwrap();
    j.outcome(b, &[RowOutcome::done(2, Action::Unchanged, Some("55"))])
        .unwrap();
    drop(j); // killed here: intents 1 and 3 have no outcome
    let r = reopen(&f);
    let ids: Vec<IntentId> = r.in_flight().iter().map(|i| i.id).collect();
    assert_eq!(ids, vec![a, c]);
    assert_eq!(r.state(1), Some(&RowState::InFlight(a)));
    assert_eq!(r.counts().in_flight, 2);
    assert_eq!(r.counts().action(Action::Unchanged), 1);

    // Reconciled: row 1 was found on the target, row 3 was not and is retried.
    let (j, _) = open(&f).unwrap();
    j.outcome(a, &[RowOutcome::done(1, Action::Created, Some("101"))])
        .unwrap();
    j.outcome(c, &[RowOutcome::not_applied(3)]).unwrap();
    j.close().unwrap();
    let r = reopen(&f);
    assert!(r.in_flight().is_empty());
    assert_eq!(r.state(3), None, "pending again");
    assert_eq!(
        r.summary(),
        "resuming: 2 done (1 created, 1 unchanged), 0 failed, 0 in flight"
    );
}

#[test]
fn batch_intents_carry_per_row_results() {
    let f = fixture();
    let mut h = header_of(&f.input);
    h.mode = "sms".into();
    h.options.insert("message_sha".into(), "abc".into());
    let (j, _) = Journal::open_or_create(&f.journal, &h, false).unwrap();
    let rows: Vec<u64> = (1..=10).collect();
    let id = j.intent_blocking(Op::Send, &rows, None).unwrap();
    let mut results: Vec<RowOutcome> = (1..=7)
        .map(|r| RowOutcome::done(r, Action::Sent, Some(&format!("log-{r}"))))
        .collect();
    results.push(RowOutcome::failed(8, "landline", "not a mobile number"));
    j.outcome(id, &results).unwrap();
    j.close().unwrap();

    let (j, r) = Journal::open_or_create(&f.journal, &h, false).unwrap();
    assert_eq!(r.counts().action(Action::Sent), 7);
    assert_eq!(r.state(5), Some(&done(Action::Sent, "log-5")));
    assert!(matches!(r.state(8), Some(RowState::Failed(_))));
    // Rows 9 and 10 are not in the outcome: unknown, still in flight.
    let at_ms = r.in_flight()[0].at_ms;
    assert!(at_ms > 0, "the intent's time is kept");
    assert_eq!(
        r.in_flight(),
        &[InFlight {
            id,
            op: Op::Send,
            rows: vec![9, 10],
            remote_id: None,
            parent: None,
            at_ms,
            answered: false,
            late_from_ms: Some(at_ms),
        }]
    );
    // A later outcome of the same intent settles them.
    j.outcome(
        id,
        &[
            RowOutcome::done(9, Action::Sent, Some("log-9")),
            RowOutcome::not_applied(10),
        ],
    )
    .unwrap();
    j.close().unwrap();
    let (j, r) = Journal::open_or_create(&f.journal, &h, false).unwrap();
    assert!(r.in_flight().is_empty());
    assert_eq!((r.counts().done, r.state(10)), (8, None));
    j.close().unwrap();
}

#[test]
fn undo_reads_what_was_created_and_is_resumable() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    for (row, action) in [
        (1, Action::Created),
        (2, Action::Updated),
        (3, Action::Created),
    ] {
        let id = j.intent_blocking(Op::Upsert, &[row], None).unwrap();
        j.outcome(
            id,
            &[RowOutcome::done(row, action, Some(&format!("id{row}")))],
        )
        .unwrap();
    }
    j.close().unwrap();

    let (_import, resume) = read_journal(&f.journal).unwrap();
    let created = resume.created();
    assert_eq!(created, vec![(1, "id1"), (3, "id3")]);
    // The undo appends its deletes to the same journal.
    let (u, _, r) = Journal::open_existing(&f.journal).unwrap();
    assert_eq!(r.created().len(), 2);
    let (row, remote) = (1, "id1");
    let id = u.intent_blocking(Op::Delete, &[row], Some(remote)).unwrap();
    u.outcome(id, &[RowOutcome::done(row, Action::Deleted, Some(remote))])
        .unwrap();
    u.intent_blocking(Op::Delete, &[3], Some("id3")).unwrap();
    drop(u); // killed during the second delete

    let (u, _, r) = Journal::open_existing(&f.journal).unwrap();
    assert!(matches!(
        r.state(1),
        Some(RowState::Done {
            action: Action::Deleted,
            ..
        })
    ));
    assert_eq!(
        r.in_flight()[0].remote_id.as_deref(),
        Some("id3"),
        "to reconcile"
    );
    assert_eq!(r.undone(), 2);
    assert_eq!(r.ever_created(), vec![(1, "id1"), (3, "id3")]);
    u.close().unwrap();
}

#[test]
fn misuse_is_an_error_not_a_panic() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    assert!(matches!(
        j.intent_blocking(Op::Send, &[], None),
        Err(CheckpointError::Invalid(_))
    ));
    assert!(matches!(
        j.outcome(1, &[]),
        Err(CheckpointError::Invalid(_))
    ));
    j.close().unwrap();
    assert!(matches!(j.close(), Err(CheckpointError::Closed)));
    let secret = header_of(&f.input).option("refresh_token", "x");
    assert!(matches!(
        Journal::open_or_create(&f.journal, &secret, true),
        Err(CheckpointError::Invalid(_))
    ));
}

/// Resuming a journal of 1,000,000 intents and 1,000,000 outcomes. Timing claims live in
/// `benches/checkpoint.rs`; this prints the time (`--ignored --nocapture`).
#[test]
#[ignore = "writes a 2,000,000-record journal; run with --ignored"]
fn resume_a_million_rows() {
    const N: u64 = 1_000_000;
    let f = fixture();
    let h = header_of(&f.input);
    write_synthetic(&f.journal, &h, N).unwrap();
    let size = std::fs::metadata(&f.journal).unwrap().len();
    let start = Instant::now();
    let (j, r) = Journal::open_or_create(&f.journal, &h, false).unwrap();
    let took = start.elapsed();
    eprintln!("resumed {} records ({size} bytes) in {took:?}", r.records);
    assert_eq!(r.counts().action(Action::Created), N);
    assert_eq!(r.state(N), Some(&done(Action::Created, &format!("r{N}"))));
    assert_eq!(
        j.intent_blocking(Op::Create, &[N + 1], None).unwrap(),
        N + 1
    );
    j.close().unwrap();
}

#[test]
fn far_apart_row_numbers_are_kept() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    for row in [3, 1 << 40, u64::MAX, 2] {
        created(&j, row, "x");
    }
    j.close().unwrap();
    let r = reopen(&f);
    assert_eq!(r.counts().done, 4);
    assert!(r.is_done(1 << 40) && r.is_done(u64::MAX) && r.is_done(2) && !r.is_done(4));
    let rows: Vec<u64> = r.created().iter().map(|(row, _)| *row).collect();
    assert_eq!(rows, vec![2, 3, 1 << 40, u64::MAX]);
}

#[test]
fn keyed_intents_keep_each_rows_key_and_the_creation_time() {
    let f = fixture();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let before = now_unix();
    let (j, fresh) = open(&f).unwrap();
    assert!(fresh.created_unix >= before);
    let (a, b) = rt.block_on(async {
        let a = j
            .intent_keyed(Op::Send, &[1, 2], None, &["+14155550100", "+14155550101"])
            .await
            .unwrap();
        let b = j.intent(Op::Send, &[3], None).await.unwrap();
        // A key per row, or none.
        assert!(matches!(
            j.intent_keyed(Op::Send, &[4, 5], None, &["+1"]).await,
            Err(CheckpointError::Invalid(_))
        ));
        (a, b)
    });
    j.outcome(a, &[RowOutcome::done(1, Action::Sent, Some("log-1"))])
        .unwrap();
    j.close().unwrap();
    let r = reopen(&f);
    assert_eq!(r.key(1), Some("+14155550100"));
    assert_eq!(r.key(2), Some("+14155550101"), "in flight, and still keyed");
    assert_eq!(r.key(3), None);
    assert_eq!(r.state(2), Some(&RowState::InFlight(a)));
    assert_eq!(r.state(3), Some(&RowState::InFlight(b)));
    assert_eq!(r.created_unix, fresh.created_unix);
    let (_, read) = read_journal(&f.journal).unwrap();
    assert_eq!(read.created_unix, fresh.created_unix);
    assert_eq!(read.key(1), Some("+14155550100"));
}

#[test]
fn unknown_outcomes_close_the_request_but_keep_the_row_to_reconcile() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    let mut spec = IntentSpec::new(Op::Create, &[1]);
    spec.keys = &["+447400100001"];
    spec.parent = Some("p1");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let a = rt.block_on(j.record_intent(&spec)).unwrap();
    let b = j.intent_blocking(Op::Create, &[2], None).unwrap();
    j.outcome(a, &[RowOutcome::unknown(1)]).unwrap();
    j.close().unwrap();

    let (j, r) = open(&f).unwrap();
    let c = r.counts();
    assert_eq!((c.in_flight, c.unknown), (1, 1), "{c}");
    assert!(matches!(r.state(1), Some(RowState::Unknown(i)) if *i == a));
    assert!(matches!(r.state(2), Some(RowState::InFlight(i)) if *i == b));
    let unknown = r.in_flight().iter().find(|f| f.id == a).unwrap();
    assert!(unknown.answered);
    assert_eq!(
        unknown.late_from_ms, None,
        "a 5xx answer: nothing in transit"
    );
    let in_flight = r.in_flight().iter().find(|f| f.id == b).unwrap();
    assert_eq!(in_flight.late_from_ms, Some(in_flight.at_ms));
    assert_eq!(unknown.parent.as_deref(), Some("p1"));
    assert_eq!(r.key(1), Some("+447400100001"));
    // The reconciliation's outcome settles the unknown row.
    j.outcome(a, &[RowOutcome::done(1, Action::Created, Some("r1"))])
        .unwrap();
    j.close().unwrap();
    let (_j, r) = open(&f).unwrap();
    assert_eq!(r.counts().unknown, 0);
    assert_eq!(r.created_id(1), Some("r1"));
}

#[test]
fn a_lost_answer_keeps_when_its_request_left() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    let a = j.intent_blocking(Op::Create, &[1], None).unwrap();
    let sent = now_ms();
    j.outcome(a, &[RowOutcome::lost(1, sent)]).unwrap();
    j.close().unwrap();
    let (j, r) = open(&f).unwrap();
    assert_eq!(r.counts().unknown, 1);
    let lost = &r.in_flight()[0];
    assert!(lost.answered);
    assert_eq!(lost.late_from_ms, Some(sent));
    // Settled like any unknown row.
    j.outcome(a, &[RowOutcome::not_applied(1)]).unwrap();
    j.close().unwrap();
    let (_j, r) = open(&f).unwrap();
    assert!(r.in_flight().is_empty());
    assert_eq!(r.state(1), None);
}

#[test]
fn a_deleted_record_stays_known_as_created() {
    let f = fixture();
    let (j, _) = open(&f).unwrap();
    created(&j, 1, "r1");
    let d = j.intent_blocking(Op::Delete, &[1], Some("r1")).unwrap();
    j.outcome(d, &[RowOutcome::done(1, Action::Deleted, Some("r1"))])
        .unwrap();
    j.close().unwrap();
    let (_j, r) = open(&f).unwrap();
    assert!(r.created().is_empty());
    assert_eq!(r.ever_created(), vec![(1, "r1")]);
    assert_eq!(r.undone(), 1);
}

#[test]
fn restart_moves_aside_only_a_journal() {
    let f = fixture();
    let h = header_of(&f.input);
    std::fs::write(&f.journal, b"name,phone\nAnn,+447400100001\n").unwrap();
    let e = Journal::open_or_create(&f.journal, &h, true).unwrap_err();
    assert!(matches!(e, CheckpointError::NotAJournal { .. }), "{e}");
    assert!(!e.to_string().contains("--restart"), "{e}");
    assert_eq!(
        std::fs::read(&f.journal).unwrap(),
        b"name,phone\nAnn,+447400100001\n"
    );
}
