//! Connecting to a target: the runtime, the sandbox when asked for, credentials, the token
//! provider, the paced HTTP client and the target itself. Shared by `import` and `undo`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::auth::{Credentials, DataCentre, Service, SignIn, TokenCache, TokenProvider};
use crate::cli::ApiArgs;
use crate::connectors::{SharedTarget, TargetKind};
use crate::destination::{Destination, canonical_origin};
use crate::error::{Error, Result};
use crate::http::{
    BaseUrl, ClientConfig, ConcurrencyMode, HttpClient, Rate, RetryPolicy, VendorCodes,
    build_client,
};
use crate::preflight;
use crate::sandbox::{Sandbox, SandboxConfig, seed};
use crate::scopes;

/// How far above its default rate a run probes an API that publishes no limit.
const PROBE_FACTOR: f64 = 4.0;

/// A connection to a target.
pub struct Api {
    pub runtime: tokio::runtime::Runtime,
    /// The in-process sandbox of `--sandbox`; it stops when dropped.
    pub sandbox: Option<Sandbox>,
    pub http: HttpClient,
    pub target: SharedTarget,
    /// What selects the remote data set: recorded in the journal header.
    pub params: Vec<(String, String)>,
    /// Where the run writes (host, account, data set): recorded in the journal header.
    pub destination: Destination,
    /// Books: the contact for rows that name none.
    pub default_parent: Option<String>,
    /// What the pre-flight found.
    pub checked: preflight::Checked,
}

impl Api {
    /// The target and the client that reaches it.
    pub fn remote(&self) -> crate::connectors::Remote {
        crate::connectors::Remote {
            target: Arc::clone(&self.target),
            http: self.http.clone(),
        }
    }

    /// How a run finds a row's record on this target by `by`: under the row's parent, else
    /// the default one, for a target whose records have parents.
    pub fn matching(&self, by: crate::import::MatchBy) -> crate::import::Matching {
        crate::import::Matching {
            by,
            parents: self.target.descriptor().parents,
            default_parent: self.default_parent.clone(),
        }
    }
}

/// The sandbox's credentials, as if they were in the environment.
fn sandbox_credentials(url: &str) -> Result<Credentials> {
    let lines: BTreeMap<String, String> = seed::env_lines(url)
        .into_iter()
        .filter_map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    Credentials::from_sources(|k| lines.get(k).cloned(), None, None).map_err(Error::from)
}

/// The runtime, the sandbox when asked for, the credentials and the data centre of a run.
struct Start {
    runtime: tokio::runtime::Runtime,
    sandbox: Option<Sandbox>,
    sandbox_url: Option<String>,
    credentials: Credentials,
    dc: DataCentre,
}

fn start(args: &ApiArgs) -> Result<Start> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    let sandbox = if args.sandbox {
        let sandbox = runtime
            .block_on(Sandbox::start(SandboxConfig::default()))
            .map_err(|e| Error::Internal(e.to_string()))?;
        Some(sandbox)
    } else {
        None
    };
    let sandbox_url = sandbox.as_ref().map(Sandbox::url);
    let credentials = match &sandbox_url {
        Some(url) => sandbox_credentials(url)?,
        None => Credentials::load(
            args.credentials.as_deref().map(std::path::Path::new),
            args.profile_in_force(),
        )?,
    };
    // The flag, its variable or the config file; else the data centre `auth login` stored.
    let dc: DataCentre = match (&args.dc, credentials.stored_data_centre()) {
        (Some(dc), _) => dc.parse()?,
        (None, Some(stored)) => stored.parse()?,
        (None, None) => DataCentre::default(),
    };
    Ok(Start {
        runtime,
        sandbox,
        sandbox_url,
        credentials,
        dc,
    })
}

impl Start {
    fn base_override<'a>(&'a self, args: &'a ApiArgs) -> Option<&'a str> {
        self.sandbox_url.as_deref().or(args.base_url.as_deref())
    }

    fn accounts_override<'a>(&'a self, args: &'a ApiArgs) -> Option<&'a str> {
        self.sandbox_url.as_deref().or(args.accounts_url.as_deref())
    }

    /// The pre-flight of `api` through `http`: a `token` and `request` (see
    /// [`crate::preflight`]). Warns, unless quiet, when the token's scope list lacks what
    /// `command` needs beyond the read.
    #[allow(clippy::too_many_arguments)]
    fn preflight(
        &self,
        args: &ApiArgs,
        http: &HttpClient,
        api: scopes::Api,
        service: &'static Service,
        request: crate::http::Request,
        command: Option<scopes::Purpose>,
        token: preflight::Token,
    ) -> Result<preflight::Checked> {
        let probe = preflight::Probe {
            api,
            token,
            request,
            dc: (service.data_centres().is_some() && self.accounts_override(args).is_none())
                .then_some(self.dc),
            accounts: self.token_origin(args, service),
        };
        let checked = self.runtime.block_on(preflight::run(http, &probe))?;
        let lacks = command.map(|c| checked.lacks(c)).unwrap_or_default();
        if let Some(command) = command
            && !lacks.is_empty()
            && !args.quiet
        {
            let names: Vec<String> = lacks.iter().map(ToString::to_string).collect();
            crate::stop::say(&format!(
                "bulkline: warning: the access token's scopes ({}) do not include {}, which `{}` needs on {}: its first request that needs it will stop the run",
                checked.scopes().join(" "),
                names.join(", "),
                command.as_str(),
                api.name(),
            ));
        }
        Ok(checked)
    }

    /// The origin of `service`'s token endpoint: `--accounts-url` or the sandbox, else the
    /// service's own (for the run's data centre, where it has data centres).
    fn token_origin(&self, args: &ApiArgs, service: &Service) -> String {
        match self.accounts_override(args) {
            Some(url) => url.to_string(),
            None => service.token_origin(self.dc),
        }
    }

    /// Where a client signed in with `service` at `http`'s base writes: the canonical host,
    /// the accounts server that issues its tokens (it names the data centre), and the account
    /// the credentials belong to (the service's [`Service::account`] value). An access token
    /// given alone names no account.
    fn destination(&self, args: &ApiArgs, http: &HttpClient, service: &Service) -> Destination {
        let mut d = Destination::at(http.base_url().as_str());
        if let Ok(SignIn::Values(values)) = self.credentials.sign_in(service)
            && let Some(account) = values.get(service.account)
        {
            d.set(
                "accounts",
                canonical_origin(&self.token_origin(args, service)),
            );
            d.set("account", account.expose().to_string());
        }
        d
    }

    /// The paced, authenticated client of an API at `documented` (replaced by `--base-url`
    /// or the sandbox), with `service`'s tokens, at `--rate` or the API's own rate.
    fn client(
        &self,
        args: &ApiArgs,
        documented: &str,
        service: &'static Service,
        default_rate: Rate,
        published: bool,
        codes: VendorCodes,
    ) -> Result<HttpClient> {
        let base = BaseUrl::resolve(documented, self.base_override(args))?;
        let (rate, probe_to) = match given_rate(args)? {
            Some(rate) => (rate, None),
            // No published limit: start at the conservative default, and probe up to 4 times it.
            None if !published => (
                default_rate,
                Rate::per_second(default_rate.as_per_second() * PROBE_FACTOR),
            ),
            None => (default_rate, None),
        };
        let reqwest =
            build_client(request_timeout(args)).map_err(|e| Error::Internal(e.to_string()))?;
        // The sandbox's tokens are worthless outside it: they are not cached.
        let cache = match self.sandbox {
            Some(_) => None,
            None => TokenCache::default_location(|k| std::env::var(k).ok()),
        };
        let endpoint =
            BaseUrl::resolve(&service.token_origin(self.dc), self.accounts_override(args))?;
        let tokens = TokenProvider::signed_in(
            reqwest.clone(),
            service,
            self.credentials.sign_in(service)?,
            endpoint,
            cache,
        );
        let config = ClientConfig {
            rate,
            concurrency: match args.concurrency {
                Some(n) => ConcurrencyMode::Fixed(n),
                None => ConcurrencyMode::Auto,
            },
            retry: RetryPolicy {
                max_retries: args.max_retries,
                max_wait: args.max_wait,
                ..RetryPolicy::default()
            },
            not_applied_statuses: Vec::new(),
            probe_to,
            codes,
        };
        Ok(HttpClient::new(
            reqwest,
            base,
            Some(Arc::new(tokens)),
            config,
        ))
    }
}

/// `--request-timeout`: the time limit of one attempt (the default is
/// [`crate::http::DEFAULT_TIMEOUT`]).
pub fn request_timeout(args: &ApiArgs) -> std::time::Duration {
    std::time::Duration::from_secs_f64(args.request_timeout)
}

/// A connection to the Zoho Voice SMS API.
pub struct SmsApi {
    pub runtime: tokio::runtime::Runtime,
    /// The in-process sandbox of `--sandbox`; it stops when dropped.
    pub sandbox: Option<Sandbox>,
    pub http: HttpClient,
    /// `ZOHO_VOICE_SENDER_ID` from the environment or the credentials file (the sandbox's own
    /// with `--sandbox`).
    pub sender_id: Option<String>,
    /// Where the campaign sends from (host, account); the command adds the sender.
    pub destination: Destination,
    /// What the pre-flight found.
    pub checked: preflight::Checked,
}

/// Builds the runtime and the client of the Zoho Voice SMS API from the arguments, and runs
/// the pre-flight (warning about the scopes `command` needs, if given).
/// The rate `--rate` gives (or the config file's), if any.
pub fn given_rate(args: &ApiArgs) -> Result<Option<Rate>> {
    args.rate
        .as_deref()
        .map(|text| {
            text.parse::<Rate>().map_err(|e| {
                Error::Usage(format!("--rate '{text}': {e} (give e.g. 50/s or 100/m)"))
            })
        })
        .transpose()
}

pub fn connect_sms(args: &ApiArgs, command: Option<scopes::Purpose>) -> Result<SmsApi> {
    connect_sms_with(args, command, preflight::Token::Reuse)
}

/// [`connect_sms`], with the pre-flight's `token` (a new one for `check`).
pub fn connect_sms_with(
    args: &ApiArgs,
    command: Option<scopes::Purpose>,
    token: preflight::Token,
) -> Result<SmsApi> {
    let s = start(args)?;
    let http = s.client(
        args,
        &crate::sms::api::host(s.dc, s.base_override(args).is_some())?,
        crate::sms::api::SIGNS_IN_WITH,
        crate::sms::api::default_rate(),
        false,
        crate::sms::api::CODES,
    )?;
    let checked = s.preflight(
        args,
        &http,
        crate::sms::api::API,
        crate::sms::api::SIGNS_IN_WITH,
        crate::sms::api::probe_request(jiff::Timestamp::now()),
        command,
        token,
    )?;
    let destination = s.destination(args, &http, crate::sms::api::SIGNS_IN_WITH);
    Ok(SmsApi {
        runtime: s.runtime,
        sandbox: s.sandbox,
        destination,
        http,
        sender_id: s.credentials.voice_sender_id(),
        checked,
    })
}

/// Builds the runtime, the client and the target `kind` from the arguments, and runs the
/// pre-flight (warning about the scopes `command` needs, if given). `known` holds the target
/// parameters of an earlier run (undo), which win over the arguments.
pub fn connect(
    args: &ApiArgs,
    kind: TargetKind,
    known: Option<&BTreeMap<String, String>>,
    command: Option<scopes::Purpose>,
) -> Result<Api> {
    connect_with(args, kind, known, command, preflight::Token::Reuse)
}

/// [`connect`], with the pre-flight's `token` (a new one for `check`).
pub fn connect_with(
    args: &ApiArgs,
    kind: TargetKind,
    known: Option<&BTreeMap<String, String>>,
    command: Option<scopes::Purpose>,
    token: preflight::Token,
) -> Result<Api> {
    let s = start(args)?;
    let setup = crate::connectors::Setup {
        dc: s.dc,
        base_override: s.base_override(args).is_some(),
        sandbox: s.sandbox.is_some(),
        credentials: &s.credentials,
        options: &args.destination.values,
        known,
    };
    let descriptor = kind.descriptor();
    let connected = (descriptor.connect)(&setup)?;
    let mut target = connected.target;
    let http = s.client(
        args,
        &connected.base_url,
        descriptor.oauth,
        target.default_rate(),
        target.rate_is_published(),
        descriptor.codes,
    )?;
    let checked = s.preflight(
        args,
        &http,
        descriptor.api,
        descriptor.oauth,
        target.probe(),
        command,
        token,
    )?;
    target
        .read_probe(&checked.body)
        .map_err(crate::connectors::ListError::into_error)?;
    let mut destination = s.destination(args, &http, descriptor.oauth);
    for (k, v) in &connected.params {
        destination.set(k, v.clone());
    }
    if let Some(parent) = &connected.default_parent
        && descriptor.parents
    {
        destination.set("default_parent", parent.clone());
    }
    Ok(Api {
        destination,
        runtime: s.runtime,
        sandbox: s.sandbox,
        http,
        target: SharedTarget::from(target),
        params: connected.params,
        default_parent: connected.default_parent,
        checked,
    })
}
