//! The client against small axum servers on 127.0.0.1.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};

use super::*;

/// Serves `router` on 127.0.0.1 (a free port) for the rest of the test.
pub(crate) async fn serve(router: Router) -> BaseUrl {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    BaseUrl::parse(&format!("http://{addr}")).expect("valid base URL")
}

fn quick_retry(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(30),
        max_wait: crate::http::lockout::DEFAULT_MAX_WAIT,
    }
}

/// The codes of the test servers' API: 45 is its daily quota (as Zoho Books' is).
const CODES: VendorCodes = VendorCodes::new(&[VendorCode {
    code: "45",
    meaning: Meaning::DailyQuota,
    text: "the daily limit",
    source: Source::Page("the test API's page"),
}]);

fn client(base: BaseUrl, per_second: f64, retry: RetryPolicy, timeout: Duration) -> HttpClient {
    let mut config = ClientConfig::new(Rate::per_second(per_second).expect("valid rate"));
    config.retry = retry;
    config.codes = CODES;
    HttpClient::new(build_client(timeout).expect("client"), base, None, config)
}

/// Serves `router` and returns a client of it: 100/s, `retries` retries, 5 s timeout.
async fn served(router: Router, retries: u32) -> HttpClient {
    client(
        serve(router).await,
        100.0,
        quick_retry(retries),
        Duration::from_secs(5),
    )
}

/// A client (2 retries) of a port that was free a moment ago and has nobody listening now.
fn refused_client() -> HttpClient {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let base = BaseUrl::parse(&format!("http://{addr}")).expect("url");
    client(base, 100.0, quick_retry(2), Duration::from_secs(2))
}

/// Sends `request` `n` times at once, each from its own task; the outcomes in task order.
pub(crate) async fn send_concurrently(c: &HttpClient, n: usize, request: Request) -> Vec<Outcome> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (c, request) = (c.clone(), request.clone());
        tasks.push(tokio::spawn(async move { c.send(&request).await }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.expect("task"));
    }
    outcomes
}

/// A 429 that says to retry at once.
const RATE_LIMITED_RETRY_NOW: (StatusCode, [(&str, &str); 1], &str) =
    (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "0")], "{}");

/// Zoho Books' answer once the daily quota is used up.
const BOOKS_DAILY_QUOTA: (StatusCode, &str) = (
    StatusCode::TOO_MANY_REQUESTS,
    r#"{"code":45,"message":"You have exceeded the maximum number of API calls allowed for a day"}"#,
);

/// A client with a 100 ms timeout of a server that counts requests and answers each after
/// 400 ms; and the server's request count.
async fn slow_client(retries: u32) -> (HttpClient, Arc<AtomicUsize>) {
    let (router, hits) = counting(|_| async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        "{}".into_response()
    });
    let base = serve(router).await;
    let c = client(
        base,
        100.0,
        quick_retry(retries),
        Duration::from_millis(100),
    );
    (c, hits)
}

/// Serves `/api/item` with `answer(earlier)`, `earlier` the number of requests before this
/// one; and the count of requests.
fn counting<F, Fut>(answer: F) -> (Router, Arc<AtomicUsize>)
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let router = Router::new().route(
        "/api/item",
        any(move || answer(counter.fetch_add(1, Ordering::SeqCst))),
    );
    (router, hits)
}

/// Counts requests; answers `first` for the first `n` of them, then 200.
fn flaky(
    n: usize,
    first: impl IntoResponse + Clone + Send + Sync + 'static,
) -> (Router, Arc<AtomicUsize>) {
    counting(move |earlier| {
        let answer = if earlier < n {
            first.clone().into_response()
        } else {
            (StatusCode::OK, r#"{"code":0,"message":"success"}"#).into_response()
        };
        async move { answer }
    })
}

#[tokio::test]
async fn an_isolated_429_holds_only_the_request_it_refused() {
    let arrivals = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let log = Arc::clone(&arrivals);
    let router = Router::new().route(
        "/api/item",
        get(move || {
            let log = Arc::clone(&log);
            async move {
                let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                log.push(Instant::now());
                if log.len() == 1 {
                    (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "{}").into_response()
                } else {
                    (StatusCode::OK, "{}").into_response()
                }
            }
        }),
    );
    let base = serve(router).await;
    let c = client(base, 20.0, quick_retry(3), Duration::from_secs(5));
    let started = Instant::now();
    for outcome in send_concurrently(&c, 5, Request::get("/api/item")).await {
        assert!(outcome.is_ok(), "{outcome:?}");
    }
    // The refused request waited out its Retry-After...
    assert!(started.elapsed() >= Duration::from_secs(1));
    let arrivals = arrivals.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(arrivals.len(), 6, "5 requests + 1 retry");
    let after: Vec<Duration> = arrivals[1..]
        .iter()
        .map(|t| t.duration_since(arrivals[0]))
        .collect();
    assert!(
        after.iter().any(|d| *d >= Duration::from_millis(990)),
        "the refused request came back after its Retry-After: {after:?}"
    );
    // ...and the others went on meanwhile, at the rate that was working.
    assert!(
        after
            .iter()
            .filter(|d| **d < Duration::from_millis(900))
            .count()
            >= 3,
        "the pipe did not stop for an isolated 429: {after:?}"
    );
    assert_eq!(c.pacer().current_rate(), c.pacer().configured_rate());
}

#[tokio::test]
async fn server_errors_are_retried_for_idempotent_requests() {
    let (router, hits) = flaky(2, (StatusCode::INTERNAL_SERVER_ERROR, "oops"));
    let c = served(router, 3).await;
    let outcome = c
        .send(&Request::put("/api/item").json_value(serde_json::json!({"a": 1})))
        .await;
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retries_run_out() {
    let (router, hits) = flaky(100, (StatusCode::SERVICE_UNAVAILABLE, "down"));
    let outcome = served(router, 2)
        .await
        .send(&Request::get("/api/item"))
        .await;
    assert!(
        matches!(&outcome, Outcome::Ambiguous { reason, .. } if reason.contains("503") && reason.contains("after 2 retries")),
        "{outcome:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn ambiguous_create_is_not_retried() {
    let (router, hits) = flaky(1, (StatusCode::BAD_GATEWAY, "bad gateway"));
    let c = served(router, 5).await;
    let outcome = c
        .send(&Request::post("/api/item").json_value(serde_json::json!({"to": "+15550100"})))
        .await;
    assert!(
        matches!(&outcome, Outcome::Ambiguous { reason, lost_at: None } if reason.contains("502")),
        "an answer came: {outcome:?}"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a create must not be repeated blindly"
    );
}

#[tokio::test]
async fn documented_not_applied_status_is_retried_for_creates() {
    let (router, hits) = flaky(1, (StatusCode::SERVICE_UNAVAILABLE, "busy"));
    let mut config = ClientConfig::new(Rate::per_second(100.0).expect("rate"));
    config.retry = quick_retry(3);
    config.not_applied_statuses = vec![503];
    let c = HttpClient::new(
        build_client(Duration::from_secs(5)).expect("client"),
        serve(router).await,
        None,
        config,
    );
    assert!(c.send(&Request::post("/api/item")).await.is_ok());
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn rate_limited_create_is_retried() {
    let (router, hits) = flaky(1, RATE_LIMITED_RETRY_NOW);
    let c = served(router, 3).await;
    assert!(c.send(&Request::post("/api/item")).await.is_ok());
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "a 429 was not applied: safe to retry"
    );
}

#[tokio::test]
async fn timeouts_are_ambiguous_and_creates_not_repeated() {
    let (c, hits) = slow_client(2).await;
    let before = crate::clock::now_ms();
    let outcome = c.send(&Request::post("/api/item")).await;
    let after = crate::clock::now_ms();
    assert!(
        matches!(&outcome, Outcome::Ambiguous { reason, .. } if reason.contains("timed out")),
        "{outcome:?}"
    );
    // No answer came: when the request left, for the caller to wait out a late write.
    let Outcome::Ambiguous {
        lost_at: Some(sent),
        ..
    } = outcome
    else {
        panic!("no time for a lost answer: {outcome:?}");
    };
    assert!((before..=after).contains(&sent), "{before} {sent} {after}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let outcome = c.send(&Request::get("/api/item")).await;
    assert!(
        matches!(
            outcome,
            Outcome::Ambiguous {
                lost_at: Some(_),
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 4, "a GET is retried");
}

#[tokio::test]
async fn connection_refused_is_not_applied_and_retried() {
    let c = refused_client();
    let outcome = c.send(&Request::post("/api/item")).await;
    assert!(
        matches!(&outcome, Outcome::NotApplied { reason } if reason.contains("connect") && reason.contains("after 2 retries")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn api_errors_and_quota() {
    let router = Router::new()
        .route(
            "/voice",
            any(|| async {
                (
                    StatusCode::BAD_REQUEST,
                    r#"{"code":"INVALID_NUMBER","message":"Invalid mobile","status":"ERROR"}"#,
                )
            }),
        )
        .route("/books", any(|| async { BOOKS_DAILY_QUOTA }))
        .route(
            "/zoom",
            any(|| async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "86400")],
                    r#"{"code":429,"message":"Too many requests"}"#,
                )
            }),
        );
    let c = served(router, 3).await;
    assert_eq!(
        c.send(&Request::post("/voice")).await,
        Outcome::Permanent {
            status: 400,
            code: Some("INVALID_NUMBER".into()),
            message: "Invalid mobile".into()
        }
    );
    assert!(matches!(
        c.send(&Request::post("/books")).await,
        Outcome::QuotaExhausted { .. }
    ));
    // A day's Retry-After is a lock-out beyond --max-wait: the run stops, saying when to
    // come back.
    let outcome = c.send(&Request::get("/zoom")).await;
    assert!(
        matches!(&outcome, Outcome::QuotaExhausted { message, .. }
            if message.contains("Retry-After 86400 s") && message.contains("--max-wait")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn sends_query_form_and_multipart() {
    let router = Router::new().route(
        "/echo",
        any(
            |headers: HeaderMap, uri: axum::http::Uri, body: String| async move {
                let ctype = headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                serde_json::json!({"query": uri.query(), "ctype": ctype, "body": body}).to_string()
            },
        ),
    );
    let c = served(router, 0).await;
    let form = c
        .send(
            &Request::post("/echo")
                .query("organization_id", "42")
                .form(vec![("a".into(), "b c".into())]),
        )
        .await;
    let v: serde_json::Value = form.json().and_then(Result::ok).expect("json");
    assert_eq!(v["query"], "organization_id=42");
    assert_eq!(v["body"], "a=b+c");
    let mp = c
        .send(&Request::post("/echo").multipart(vec![
            Part::text("name", "x"),
            Part::file("file", "list.csv", b"phone\n+1".to_vec(), "text/csv"),
        ]))
        .await;
    let v: serde_json::Value = mp.json().and_then(Result::ok).expect("json");
    assert!(
        v["ctype"]
            .as_str()
            .is_some_and(|c| c.starts_with("multipart/form-data"))
    );
    assert!(
        v["body"]
            .as_str()
            .is_some_and(|b| b.contains("list.csv") && b.contains("phone"))
    );
}

/// A server that allows `limit` requests per `window` (fixed windows from its start), answers
/// 429 above that, and records arrival times.
struct WindowServer {
    base: BaseUrl,
    arrivals: Arc<Mutex<Vec<Instant>>>,
    rejected: Arc<AtomicUsize>,
}

async fn window_server(limit: usize, window: Duration, latency: Duration) -> WindowServer {
    let origin = Instant::now();
    let arrivals = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let rejected = Arc::new(AtomicUsize::new(0));
    let (log, rej) = (Arc::clone(&arrivals), Arc::clone(&rejected));
    let router = Router::new().route(
        "/api/item",
        any(move || {
            let (log, rej) = (Arc::clone(&log), Arc::clone(&rej));
            async move {
                let now = Instant::now();
                let over = {
                    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                    log.push(now);
                    let w = now.duration_since(origin).as_nanos() / window.as_nanos();
                    let same = log
                        .iter()
                        .filter(|t| t.duration_since(origin).as_nanos() / window.as_nanos() == w)
                        .count();
                    same > limit
                };
                tokio::time::sleep(latency).await;
                if over {
                    rej.fetch_add(1, Ordering::SeqCst);
                    (StatusCode::TOO_MANY_REQUESTS, "{}").into_response()
                } else {
                    (StatusCode::OK, "{}").into_response()
                }
            }
        }),
    );
    WindowServer {
        base: serve(router).await,
        arrivals,
        rejected,
    }
}

/// Sends `n` requests through `c` from many tasks and returns the achieved rate per second.
/// The tests assert that the client never causes a 429 and never goes above its rate; how
/// close it gets to the rate is a timing, measured by the throughput bench, not asserted here.
async fn blast(c: &HttpClient, server: &WindowServer, n: usize) -> f64 {
    for outcome in send_concurrently(c, n, Request::post("/api/item")).await {
        assert!(outcome.is_ok(), "{outcome:?}");
    }
    assert_eq!(
        server.rejected.load(Ordering::SeqCst),
        0,
        "the client caused a 429"
    );
    let arrivals = server
        .arrivals
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    assert_eq!(arrivals.len(), n);
    let (first, last) = (arrivals[0], arrivals[n - 1]);
    (n - 1) as f64 / last.duration_since(first).as_secs_f64()
}

/// Paces a client at `per_second` against `server` and checks it never went above that.
async fn assert_pacing(server: WindowServer, per_second: f64, n: usize) {
    let c = client(
        server.base.clone(),
        per_second,
        quick_retry(0),
        Duration::from_secs(5),
    );
    let achieved = blast(&c, &server, n).await;
    assert!(achieved <= per_second, "achieved {achieved:.2}/s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pacing_never_exceeds_20_per_second() {
    // 20/s = 2 per 100 ms window; each request takes 120 ms, so several must be in flight.
    let server = window_server(2, Duration::from_millis(100), Duration::from_millis(120)).await;
    assert_pacing(server, 20.0, 41).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pacing_never_exceeds_50_per_second() {
    let server = window_server(50, Duration::from_secs(1), Duration::from_millis(30)).await;
    assert_pacing(server, 50.0, 90).await;
}

/// The client's counters after one `send` (each test has its own client).
fn counted(c: &HttpClient) -> StatsSnapshot {
    c.stats().snapshot()
}

/// Sends `request` once; its outcome and the client's counters after it.
async fn send_counted(c: &HttpClient, request: Request) -> (Outcome, StatsSnapshot) {
    let outcome = c.send(&request).await;
    (outcome, counted(c))
}

/// The expected counters: those named, every other one zero.
macro_rules! counts {
    ($($field:ident: $n:expr),* $(,)?) => {
        StatsSnapshot { $($field: $n,)* ..StatsSnapshot::default() }
    };
}

/// One `first` answer, then 200: `request` goes through after one retry. The counters.
async fn stats_after_one_retry(
    first: impl IntoResponse + Clone + Send + Sync + 'static,
    request: Request,
) -> StatsSnapshot {
    let (router, hits) = flaky(1, first);
    let c = served(router, 3).await;
    assert!(c.send(&request).await.is_ok());
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    counted(&c)
}

#[tokio::test]
async fn stats_count_a_429_then_200() {
    let stats = stats_after_one_retry(RATE_LIMITED_RETRY_NOW, Request::post("/api/item")).await;
    assert_eq!(stats, counts!(requests: 2, retries: 1, rate_limited: 1));
}

#[tokio::test]
async fn stats_count_a_500_then_200() {
    let oops = (StatusCode::INTERNAL_SERVER_ERROR, "oops");
    let stats = stats_after_one_retry(oops, Request::get("/api/item")).await;
    assert_eq!(stats, counts!(requests: 2, retries: 1, server_errors: 1));
}

#[tokio::test]
async fn stats_are_shared_by_clones_and_add_up_over_sends() {
    // Two 503s, then 200s: the first send retries twice, the second goes through at once.
    let (router, hits) = flaky(2, (StatusCode::SERVICE_UNAVAILABLE, "busy"));
    let c = served(router, 3).await;
    let other = c.clone();
    assert!(Arc::ptr_eq(c.stats(), other.stats()));
    assert!(c.send(&Request::get("/api/item")).await.is_ok());
    assert!(other.send(&Request::get("/api/item")).await.is_ok());
    assert_eq!(hits.load(Ordering::SeqCst), 4);
    assert_eq!(
        counted(&other),
        counts!(requests: 4, retries: 2, server_errors: 2)
    );
}

#[tokio::test]
async fn stats_count_retries_that_run_out_and_unretried_creates() {
    let (router, _) = flaky(100, (StatusCode::BAD_GATEWAY, "bad gateway"));
    let c = served(router, 2).await;
    let (outcome, stats) = send_counted(&c, Request::get("/api/item")).await;
    assert!(matches!(outcome, Outcome::Ambiguous { .. }), "{outcome:?}");
    assert_eq!(stats, counts!(requests: 3, retries: 2, server_errors: 3));
    // A create that met a 5xx is not repeated: one more request, no retry.
    assert!(matches!(
        c.send(&Request::post("/api/item")).await,
        Outcome::Ambiguous { .. }
    ));
    let after = counted(&c);
    assert_eq!(
        (after.requests, after.retries, after.server_errors),
        (4, 2, 4)
    );
}

#[tokio::test]
async fn stats_count_timeouts_as_server_errors() {
    let (c, _) = slow_client(1).await;
    let (outcome, stats) = send_counted(&c, Request::get("/api/item")).await;
    assert!(matches!(outcome, Outcome::Ambiguous { .. }), "{outcome:?}");
    assert_eq!(stats, counts!(requests: 2, retries: 1, server_errors: 2));
}

#[tokio::test]
async fn stats_count_refused_connections_as_not_sent() {
    let c = refused_client();
    let (outcome, stats) = send_counted(&c, Request::post("/api/item")).await;
    assert!(matches!(outcome, Outcome::NotApplied { .. }), "{outcome:?}");
    assert_eq!(stats, counts!(retries: 2, not_sent: 3));
}

#[tokio::test]
async fn stats_count_a_daily_quota_429() {
    let c = served(
        Router::new().route("/books", any(|| async { BOOKS_DAILY_QUOTA })),
        3,
    )
    .await;
    let (outcome, stats) = send_counted(&c, Request::post("/books")).await;
    assert!(
        matches!(outcome, Outcome::QuotaExhausted { .. }),
        "{outcome:?}"
    );
    assert_eq!(stats, counts!(requests: 1, rate_limited: 1));
}
