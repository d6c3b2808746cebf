//! The one ARM client every resource uses: azure_core's pipeline for bearer auth and
//! transport, plus everything time-bound, which the client does itself because only it knows
//! the operation's deadline: throttling (429, and 503 with `Retry-After`) retried with jitter
//! until the deadline, other transient failures (408/5xx, dropped connections) retried a few
//! times, 409 "operation in progress" retried until the deadline, every request bounded by
//! the time left, both error shapes, `If-Match`, and LRO polling.

use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;
use azure_core::error::ErrorKind;
use azure_core::http::headers::HeaderName;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::policies::Policy;
use azure_core::http::{
    ClientOptions, Context, Method, Pipeline, PipelineSendOptions, RawResponse, Request, RetryOptions, Url,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::error::ArmError;
use super::ids::{unsafe_segment, Kind, ResourceId};
use super::models::{
    AgentPool, ArmResource, ManagedCluster, ResourceGroup, Route, RouteTable, Subnet, UsagePage,
    VirtualNetwork, VirtualNetworkUsage,
};
use super::shape;

const AZURE_ASYNC_OPERATION: HeaderName = HeaderName::from_static("azure-asyncoperation");
const LOCATION: HeaderName = HeaderName::from_static("location");
const RETRY_AFTER: HeaderName = HeaderName::from_static("retry-after");
const REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
const ETAG: HeaderName = HeaderName::from_static("etag");
const IF_MATCH: HeaderName = HeaderName::from_static("if-match");

/// Pages a list may have before the client stops following `nextLink`.
const MAX_PAGES: usize = 100;
/// Polling interval when the server sends no `Retry-After`.
const DEFAULT_POLL: Duration = Duration::from_secs(5);
/// Longest wait between polls, whatever `Retry-After` says.
const MAX_POLL: Duration = Duration::from_secs(60);
/// How long a read without a caller's deadline ([`ArmClient::get`]) may take.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// How long one attempt may go unanswered before it is abandoned and retried (within the
/// operation's deadline): a connection that hangs must not eat a 30-minute create.
const PER_TRY_TIMEOUT: Duration = Duration::from_secs(120);
/// Retries of transient failures (408, 500, 502, 503 without `Retry-After`, 504, dropped
/// connections, an attempt that got no answer). Throttling and 409 "in progress" are retried
/// until the deadline instead: they say when to come back, and coming back works.
const MAX_TRANSIENT_RETRIES: u32 = 8;
/// First back-off for transient failures and for throttling without `Retry-After`.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// Longest back-off between retries (`Retry-After` may ask for longer, up to [`MAX_POLL`]).
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Everything that can go wrong talking to ARM.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// ARM answered with an error, or an operation ended `Failed`/`Canceled`.
    #[error("{0}")]
    Arm(#[from] ArmError),
    /// The request never got an answer (DNS, TLS, connection).
    #[error("sending the request: {0}")]
    Transport(String),
    /// The call outlived its deadline (what was pending is not known: callers that wrap
    /// client calls in their own timeout produce this one).
    #[error("timed out after {0:?} waiting for ARM")]
    Timeout(Duration),
    /// ARM did not answer a request within the operation's deadline.
    #[error("timed out after {after:?}: ARM did not answer {request}")]
    RequestTimeout {
        /// The deadline that passed.
        after: Duration,
        /// Method and URL (without query), e.g. `GET https://…/routeTables/rt`.
        request: String,
    },
    /// ARM accepted a write but its long-running operation outlived the deadline.
    #[error("timed out after {after:?} waiting for the operation on {resource} to finish; ARM accepted the request and it may still complete in Azure")]
    OperationTimeout {
        /// The deadline that passed.
        after: Duration,
        /// The resource being written.
        resource: String,
    },
    /// The response was not the JSON expected.
    #[error("decoding the response: {0}")]
    Decode(String),
    /// The configuration cannot work (for example a plain `http://` endpoint).
    #[error("{0}")]
    Config(String),
    /// A typed read was given an ID of another kind than its model (a subnet ID where a
    /// cluster is read): refused before any request, since the api-version and the decoding
    /// are the model's. Names the kinds only, never the ID (it may come from configuration).
    #[error(
        "a {} ID was given where a {} is read",
        .found.display_name(),
        .expected.display_name()
    )]
    KindMismatch {
        /// The model's kind ([`ArmResource::KIND`]).
        expected: Kind,
        /// The ID's kind.
        found: Kind,
    },
    /// ARM accepted a write, and then what followed failed (polling its operation, or the
    /// final read): the resource exists in Azure, perhaps unfinished.
    #[error(transparent)]
    Accepted(Box<ClientError>),
}

impl ClientError {
    /// What went wrong, looking through [`ClientError::Accepted`].
    pub fn cause(&self) -> &ClientError {
        match self {
            ClientError::Accepted(inner) => inner.cause(),
            e => e,
        }
    }

    /// True when ARM said 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self.cause(), ClientError::Arm(e) if e.is_not_found())
    }

    /// True for every kind of timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.cause(),
            ClientError::Timeout(_)
                | ClientError::RequestTimeout { .. }
                | ClientError::OperationTimeout { .. }
        )
    }

    /// Whether a failed write may have taken effect in Azure: ARM accepted it, or no answer
    /// came, so it is not known whether ARM received it. False only when ARM refused the
    /// request (or it was never sent). A create that may have taken effect is recorded in
    /// state, because a resource missing from state is lost to Terraform, while one recorded
    /// but absent is simply dropped at the next refresh.
    pub fn may_have_written(&self) -> bool {
        match self {
            ClientError::Accepted(_)
            | ClientError::OperationTimeout { .. }
            | ClientError::Transport(_)
            | ClientError::Timeout(_)
            | ClientError::RequestTimeout { .. } => true,
            ClientError::Arm(_)
            | ClientError::Decode(_)
            | ClientError::Config(_)
            | ClientError::KindMismatch { .. } => false,
        }
    }

    fn accepted(self) -> ClientError {
        match self {
            e @ ClientError::Accepted(_) => e,
            e => ClientError::Accepted(Box::new(e)),
        }
    }
}

/// A resource body with the ETag that came with it.
#[derive(Debug, Clone)]
pub struct Tagged<T> {
    /// The decoded body.
    pub body: T,
    /// The `ETag` header, for a later `If-Match` write; `None` when ARM sent none.
    pub etag: Option<String>,
}

/// ArmClient sends requests to one ARM endpoint with one credential.
#[derive(Debug, Clone)]
pub struct ArmClient {
    pipeline: Arc<Pipeline>,
    endpoint: Url,
}

impl ArmClient {
    /// Builds a client for `endpoint` (the resource manager URL) using `credential` for `scope`.
    /// Plain `http://` endpoints are refused: tokens never travel unencrypted. The pipeline's
    /// own retry policy is switched off whatever `options` say: a fixed retry count knows
    /// nothing of the operation's deadline, so the client retries itself (see the module docs).
    pub fn new(
        endpoint: Url,
        credential: Arc<dyn TokenCredential>,
        scope: String,
        mut options: ClientOptions,
    ) -> Result<Self, ClientError> {
        options.retry = RetryOptions::none();
        if endpoint.scheme() != "https" {
            return Err(ClientError::Config(format!(
                "the resource manager endpoint {endpoint} does not use https; aksnet refuses to send credentials over plain HTTP"
            )));
        }
        let auth: Arc<dyn Policy> = Arc::new(BearerTokenAuthorizationPolicy::new(credential, [scope]));
        let pipeline = Pipeline::new(
            Some("aksnet"),
            Some(env!("CARGO_PKG_VERSION")),
            options,
            Vec::new(),
            vec![auth],
            None,
        );
        Ok(Self {
            pipeline: Arc::new(pipeline),
            endpoint,
        })
    }

    /// The api-version pinned for a resource kind: its model's [`ArmResource::API_VERSION`]
    /// (the version of the spec in `conformance/specification`).
    pub fn api_version(kind: Kind) -> &'static str {
        match kind {
            Kind::ResourceGroup => ResourceGroup::API_VERSION,
            Kind::VirtualNetwork => VirtualNetwork::API_VERSION,
            Kind::Subnet => Subnet::API_VERSION,
            Kind::RouteTable => RouteTable::API_VERSION,
            Kind::Route => Route::API_VERSION,
            Kind::ManagedCluster => ManagedCluster::API_VERSION,
            Kind::AgentPool => AgentPool::API_VERSION,
        }
    }

    /// The request URL of `id`, built from its segments, each percent-encoded on its own
    /// (`/`, `?`, `#` and `%` included), so a name cannot add, remove or move path segments
    /// (`rg/../other` stays one segment). `.`, `..` and empty segments, which URL parsers
    /// drop or resolve, are refused.
    pub fn url(&self, id: &ResourceId) -> Result<Url, ClientError> {
        let segments = id.segments();
        if let Some((seg, why)) = segments
            .iter()
            .find_map(|seg| unsafe_segment(seg).map(|why| (seg, why)))
        {
            return Err(ClientError::Config(format!(
                "refusing to build the URL of {id}: the path segment \"{seg}\" is not usable ({why})"
            )));
        }
        // Like joining an absolute path: the endpoint's own path, if any, is replaced.
        let mut url = self.endpoint.clone();
        url.set_path("/");
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .map_err(|()| {
                ClientError::Config(format!("building the URL of {id}: the endpoint cannot be a base"))
            })?
            .pop_if_empty()
            .extend(segments);
        url.query_pairs_mut()
            .append_pair("api-version", Self::api_version(id.kind));
        Ok(url)
    }

    /// One attempt. A transport failure is [`Retry`] when the request may simply be sent
    /// again (connection or I/O), [`Final`] otherwise (a credential that cannot get a token).
    /// Logged at DEBUG (method, path, api-version, status, request ID, duration, `retry` — the
    /// retries before this attempt) and, at TRACE, with both bodies, secrets redacted.
    /// Headers are never logged: the `Authorization` header carries the token.
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        if_match: Option<&str>,
        retry: u32,
    ) -> Result<RawResponse, Attempt> {
        let started = Instant::now();
        let path = url.path().to_string();
        let api_version = url
            .query_pairs()
            .find(|(k, _)| k == "api-version")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if tracing::enabled!(tracing::Level::TRACE) {
            let shown = body
                .as_deref()
                .map(crate::logging::redacted_body)
                .unwrap_or_default();
            tracing::trace!(method = %method, path = %path, api_version = %api_version, retry, body = %shown, "ARM request body");
        }
        let mut req = Request::new(url, method);
        req.insert_header(HeaderName::from_static("accept"), "application/json");
        if let Some(b) = body {
            req.insert_header(HeaderName::from_static("content-type"), "application/json");
            req.set_body(b);
        }
        if let Some(tag) = if_match {
            req.insert_header(IF_MATCH, tag.to_string());
        }
        let opts = PipelineSendOptions {
            skip_checks: true,
            ..Default::default()
        };
        let sent = self.pipeline.send(&Context::new(), &mut req, Some(opts)).await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match sent {
            Ok(resp) => {
                let status = u16::from(resp.status());
                let request_id = header(&resp, &REQUEST_ID).unwrap_or_default();
                tracing::debug!(
                    method = %method, path = %path, api_version = %api_version, status,
                    request_id = %request_id, duration_ms, retry, "ARM request"
                );
                if tracing::enabled!(tracing::Level::TRACE) {
                    let shown = crate::logging::redacted_body(resp.body());
                    tracing::trace!(method = %method, path = %path, status, request_id = %request_id, body = %shown, "ARM response body");
                }
                Ok(resp)
            }
            Err(e) => {
                let err = ClientError::Transport(with_causes(&e));
                tracing::debug!(
                    method = %method, path = %path, api_version = %api_version, duration_ms, retry,
                    error = %err, "ARM request failed before a response"
                );
                if matches!(e.kind(), ErrorKind::Io | ErrorKind::Connection) {
                    Err(Retry(err))
                } else {
                    Err(Final(err))
                }
            }
        }
    }

    /// Sends one request and retries it until `deadline`: throttling (429, and 503 with
    /// `Retry-After`) and ARM's "another operation is in progress" conflicts for as long as
    /// the deadline allows, honouring `Retry-After` with jitter; other transient failures up to
    /// [`MAX_TRANSIENT_RETRIES`] times. No attempt outlives the deadline. Returns the first
    /// response below 400, or the error of the last one.
    async fn send_retrying(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        if_match: Option<&str>,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<RawResponse, ClientError> {
        let mut backoff = FIRST_BACKOFF;
        let mut transient = 0u32;
        let mut retries = 0u32;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(request_timeout(&method, &url, timeout));
            }
            let attempt = left.min(PER_TRY_TIMEOUT);
            let sent = tokio::time::timeout(
                attempt,
                self.send(method, url.clone(), body.clone(), if_match, retries),
            )
            .await;
            retries += 1;
            let (wait, failure) = match sent {
                Err(_) if attempt >= left => return Err(request_timeout(&method, &url, timeout)),
                // One attempt hung; the deadline leaves time for another.
                Err(_) => (None, request_timeout(&method, &url, PER_TRY_TIMEOUT)),
                Ok(Err(Retry(e))) => (None, e),
                Ok(Err(Final(e))) => return Err(e),
                Ok(Ok(resp)) => {
                    let status = u16::from(resp.status());
                    if status < 400 {
                        return Ok(resp);
                    }
                    let after = retry_after(&resp);
                    let err = to_arm_error(&resp);
                    let throttled = status == 429 || (status == 503 && after.is_some());
                    if throttled || err.is_operation_in_progress() {
                        // Until the deadline: ARM said to come back, and it will take the write.
                        let wait = jitter(after.unwrap_or(backoff).min(MAX_POLL));
                        if Instant::now() + wait >= deadline {
                            return Err(err.into());
                        }
                        tokio::time::sleep(wait).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        continue;
                    }
                    if !matches!(status, 408 | 500 | 502 | 503 | 504) {
                        return Err(err.into());
                    }
                    (after, err.into())
                }
            };
            transient += 1;
            let wait = jitter(wait.unwrap_or(backoff).min(MAX_POLL));
            if transient > MAX_TRANSIENT_RETRIES || Instant::now() + wait >= deadline {
                return Err(failure);
            }
            tokio::time::sleep(wait).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// GETs a resource as its model `T`; `Ok(None)` when it does not exist. Bounded by
    /// [`DEFAULT_READ_TIMEOUT`]; a resource's read should use [`ArmClient::get_within`] with
    /// its `timeouts.read`. An ID of another kind than `T`'s is [`ClientError::KindMismatch`].
    pub async fn get<T: ArmResource>(&self, id: &ResourceId) -> Result<Option<Tagged<T>>, ClientError> {
        self.get_within(id, DEFAULT_READ_TIMEOUT).await
    }

    /// GETs a resource as its model `T` within `timeout` (every attempt and retry included);
    /// `Ok(None)` when it does not exist. A timeout is [`ClientError::RequestTimeout`]; an ID
    /// of another kind than `T`'s is [`ClientError::KindMismatch`], before any request.
    pub async fn get_within<T: ArmResource>(
        &self,
        id: &ResourceId,
        timeout: Duration,
    ) -> Result<Option<Tagged<T>>, ClientError> {
        if id.kind != T::KIND {
            return Err(ClientError::KindMismatch {
                expected: T::KIND,
                found: id.kind,
            });
        }
        self.get_until(id, Instant::now() + timeout, timeout).await
    }

    /// GETs a resource of any kind as JSON (the api-version is the ID kind's); `Ok(None)` when
    /// it does not exist. For existence checks and tests; reads of a model use
    /// [`ArmClient::get`], which binds the kind to the model.
    pub async fn get_json(&self, id: &ResourceId) -> Result<Option<Tagged<serde_json::Value>>, ClientError> {
        self.get_until(id, Instant::now() + DEFAULT_READ_TIMEOUT, DEFAULT_READ_TIMEOUT)
            .await
    }

    async fn get_until<T: DeserializeOwned>(
        &self,
        id: &ResourceId,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<Option<Tagged<T>>, ClientError> {
        match self
            .send_retrying(Method::Get, self.url(id)?, None, None, deadline, timeout)
            .await
        {
            Ok(resp) => Ok(Some(decode_tagged(&resp, id.kind)?)),
            Err(ClientError::Arm(e)) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `VirtualNetworks_ListUsage`: per-subnet address usage of the virtual network `vnet`
    /// (`GET {vnet}/usages`), every page (`nextLink`, which must stay on this endpoint: the
    /// token is never sent elsewhere). `Ok(None)` when the VNet does not exist.
    pub async fn list_vnet_usages(
        &self,
        vnet: &ResourceId,
        timeout: Duration,
    ) -> Result<Option<Vec<VirtualNetworkUsage>>, ClientError> {
        if vnet.kind != Kind::VirtualNetwork {
            return Err(ClientError::Config(format!("{vnet} is not a virtual network")));
        }
        let deadline = Instant::now() + timeout;
        let mut url = self.url(vnet)?;
        url.path_segments_mut()
            .map_err(|()| ClientError::Config(format!("building the usages URL of {vnet}")))?
            .push("usages");
        let mut out = Vec::new();
        for _page in 0..MAX_PAGES {
            let resp = match self
                .send_retrying(Method::Get, url.clone(), None, None, deadline, timeout)
                .await
            {
                Ok(resp) => resp,
                Err(ClientError::Arm(e)) if e.is_not_found() => return Ok(None),
                Err(e) => return Err(e),
            };
            let page: UsagePage = serde_json::from_slice(resp.body())
                .map_err(|e| ClientError::Decode(format!("the usages of {vnet}: {e}")))?;
            out.extend(page.value);
            match page.next_link.filter(|l| !l.is_empty()) {
                None => return Ok(Some(out)),
                Some(next) => {
                    let next = Url::parse(&next)
                        .map_err(|e| ClientError::Decode(format!("the usages' nextLink: {e}")))?;
                    if next.origin() != self.endpoint.origin() {
                        return Err(ClientError::Decode(format!(
                            "the usages' nextLink points at {}, not at the resource manager endpoint",
                            next.origin().ascii_serialization()
                        )));
                    }
                    url = next;
                }
            }
        }
        Err(ClientError::Decode(format!(
            "the usages of {vnet} did not end after {MAX_PAGES} pages"
        )))
    }

    /// PUTs a resource and waits for its long-running operation, then returns the final GET.
    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        id: &ResourceId,
        body: &B,
        if_match: Option<&str>,
        timeout: Duration,
    ) -> Result<Tagged<T>, ClientError> {
        let deadline = Instant::now() + timeout;
        let mut value = serde_json::to_value(body)
            .map_err(|e| ClientError::Decode(format!("encoding the body of {id}: {e}")))?;
        strip_read_only(&mut value, true);
        let bytes = serde_json::to_vec(&value)
            .map_err(|e| ClientError::Decode(format!("encoding the body of {id}: {e}")))?;
        let resp = self
            .send_retrying(
                Method::Put,
                self.url(id)?,
                Some(bytes),
                if_match,
                deadline,
                timeout,
            )
            .await?;
        // From here on ARM has accepted the write: whatever fails says so.
        if matches!(u16::from(resp.status()), 200 | 201) {
            // The answer carries the resource; a malformed one is an error naming the field
            // (and request id), never a silent half-read.
            decode_tagged::<serde_json::Value>(&resp, id.kind).map_err(ClientError::accepted)?;
        }
        self.finish_put(id, &resp, deadline, timeout)
            .await
            .map_err(ClientError::accepted)
    }

    /// Waits for an accepted PUT's operation, then reads the resource.
    async fn finish_put<T: DeserializeOwned>(
        &self,
        id: &ResourceId,
        resp: &RawResponse,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<Tagged<T>, ClientError> {
        if let Some(op) = header(resp, &AZURE_ASYNC_OPERATION) {
            self.wait_async_operation(id, &op, retry_after(resp), deadline, timeout)
                .await?;
        } else if !is_terminal(&provisioning_state(resp)) {
            self.wait_provisioning(id, retry_after(resp), deadline, timeout)
                .await?;
        }
        self.get_until(id, deadline, timeout).await?.ok_or_else(|| {
            ArmError {
                status: 404,
                code: "ResourceNotFound".into(),
                subcode: None,
                message: format!("{id} was not found after it was written"),
                target: None,
                request_id: None,
            }
            .into()
        })
    }

    /// DELETEs a resource and waits until it is gone. Deleting what is already gone succeeds.
    pub async fn delete(&self, id: &ResourceId, timeout: Duration) -> Result<(), ClientError> {
        let deadline = Instant::now() + timeout;
        let resp = self
            .send_retrying(Method::Delete, self.url(id)?, None, None, deadline, timeout)
            .await?;
        if u16::from(resp.status()) != 202 {
            return Ok(());
        }
        if let Some(op) = header(&resp, &AZURE_ASYNC_OPERATION) {
            return self
                .wait_async_operation(id, &op, retry_after(&resp), deadline, timeout)
                .await;
        }
        if let Some(loc) = header(&resp, &LOCATION) {
            return self
                .wait_location(id, &loc, retry_after(&resp), deadline, timeout)
                .await;
        }
        Ok(())
    }

    /// Waits before the next poll; when the deadline comes first, the operation timed out.
    async fn pause(
        id: &ResourceId,
        first: Option<Duration>,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<(), ClientError> {
        let wait = first.unwrap_or(DEFAULT_POLL).min(MAX_POLL);
        let unfinished = || ClientError::OperationTimeout {
            after: to_millis(timeout),
            resource: id.to_string(),
        };
        let now = Instant::now();
        if now + wait >= deadline {
            tokio::time::sleep_until(deadline).await;
            return Err(unfinished());
        }
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// A poll: retried like any request, and a poll that gets no answer before the deadline
    /// means the operation did not finish in time.
    /// `n` counts the polls of this operation, from 1.
    async fn poll(
        &self,
        id: &ResourceId,
        url: Url,
        n: u32,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<RawResponse, ClientError> {
        tracing::debug!(resource = %id, poll = n, path = %url.path(), "polling a long-running ARM operation");
        match self
            .send_retrying(Method::Get, url, None, None, deadline, timeout)
            .await
        {
            Err(ClientError::RequestTimeout { .. }) => Err(ClientError::OperationTimeout {
                after: to_millis(timeout),
                resource: id.to_string(),
            }),
            r => r,
        }
    }

    fn absolute(&self, raw: &str) -> Result<Url, ClientError> {
        let url =
            Url::parse(raw).map_err(|e| ClientError::Decode(format!("operation URL \"{raw}\": {e}")))?;
        if url.scheme() != "https" {
            return Err(ClientError::Config(format!(
                "refusing to poll the non-https operation URL {url}"
            )));
        }
        Ok(url)
    }

    /// Polls an `Azure-AsyncOperation` URL (always 200; status in the body).
    async fn wait_async_operation(
        &self,
        id: &ResourceId,
        op: &str,
        mut wait: Option<Duration>,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<(), ClientError> {
        let url = self.absolute(op)?;
        let mut polls = 0;
        loop {
            Self::pause(id, wait, deadline, timeout).await?;
            polls += 1;
            let resp = self.poll(id, url.clone(), polls, deadline, timeout).await?;
            let status: OperationStatus = serde_json::from_slice(resp.body())
                .map_err(|e| ClientError::Decode(format!("operation status: {e}")))?;
            match status.status.as_str() {
                s if s.eq_ignore_ascii_case("Succeeded") => return Ok(()),
                s if is_failed(s) => return Err(operation_error(&resp, status).into()),
                _ => wait = retry_after(&resp),
            }
        }
    }

    /// Polls a `Location` URL: 202 while running, then the final status.
    async fn wait_location(
        &self,
        id: &ResourceId,
        loc: &str,
        mut wait: Option<Duration>,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<(), ClientError> {
        let url = self.absolute(loc)?;
        let mut polls = 0;
        loop {
            Self::pause(id, wait, deadline, timeout).await?;
            polls += 1;
            let resp = match self.poll(id, url.clone(), polls, deadline, timeout).await {
                Err(ClientError::Arm(e)) if e.is_not_found() => return Ok(()),
                r => r?,
            };
            match u16::from(resp.status()) {
                202 => wait = retry_after(&resp),
                _ => return Ok(()),
            }
        }
    }

    /// Polls the resource itself until its `provisioningState` is terminal.
    async fn wait_provisioning(
        &self,
        id: &ResourceId,
        mut wait: Option<Duration>,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<(), ClientError> {
        let mut polls = 0;
        loop {
            Self::pause(id, wait, deadline, timeout).await?;
            polls += 1;
            let resp = self.poll(id, self.url(id)?, polls, deadline, timeout).await?;
            let state = provisioning_state(&resp);
            if is_failed(&state) {
                return Err(ArmError {
                    status: 200,
                    code: "ProvisioningFailed".into(),
                    subcode: None,
                    message: format!("{id} ended in provisioningState {state}"),
                    target: None,
                    request_id: header(&resp, &REQUEST_ID),
                }
                .into());
            }
            if is_terminal(&state) {
                return Ok(());
            }
            wait = retry_after(&resp);
        }
    }
}

/// The outcome of one failed attempt at sending.
enum Attempt {
    Retry(ClientError),
    Final(ClientError),
}
use Attempt::{Final, Retry};

fn request_timeout(method: &Method, url: &Url, after: Duration) -> ClientError {
    let mut shown = url.clone();
    shown.set_query(None);
    ClientError::RequestTimeout {
        after: to_millis(after),
        request: format!("{method} {shown}"),
    }
}

/// Whole milliseconds, so that messages read `3.938s` rather than `3.938271979s` (callers
/// often pass the time left of a larger deadline).
fn to_millis(d: Duration) -> Duration {
    Duration::from_millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `wait` stretched by a random 0–50 % (at least 0–100 ms), so that clients throttled
/// together do not come back together.
fn jitter(wait: Duration) -> Duration {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    let fraction = (h.finish() % 10_000) as f64 / 10_000.0;
    let spread = (wait / 2).max(Duration::from_millis(100));
    wait + spread.mul_f64(fraction)
}

/// Removes what the server owns before a PUT: the ETag travels in `If-Match` instead, and
/// `name`, `type` and `provisioningState` are read-only in every spec aksnet writes. Unknown
/// fields stay, so GET → modify → PUT keeps what the server sent.
pub fn strip_read_only(v: &mut serde_json::Value, top: bool) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("etag");
            m.remove("eTag");
            m.remove("provisioningState");
            // Server-owned back-references Network marks read-only (a subnet's consumers).
            for k in [
                "ipConfigurations",
                "ipConfigurationProfiles",
                "privateEndpoints",
                "resourceNavigationLinks",
                "purpose",
                "resourceGuid",
            ] {
                m.remove(k);
            }
            if top {
                m.remove("name");
                m.remove("type");
            }
            if let Some(t) = m.get("type").and_then(|t| t.as_str()) {
                // Child resources inline (routes, subnets) carry a read-only ARM type.
                if t.contains('/') {
                    m.remove("type");
                }
            }
            for child in m.values_mut() {
                strip_read_only(child, false);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| strip_read_only(i, false)),
        _ => {}
    }
}

#[derive(Deserialize)]
struct OperationStatus {
    #[serde(default)]
    status: String,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

fn operation_error(resp: &RawResponse, status: OperationStatus) -> ArmError {
    let body = status
        .error
        .map(|e| serde_json::json!({ "error": e }))
        .unwrap_or(serde_json::json!({}));
    let mut err = ArmError::from_body(200, body.to_string().as_bytes(), header(resp, &REQUEST_ID));
    if err.code.is_empty() {
        err.code = format!("Operation{}", status.status);
        err.message = format!("the operation ended {} without an error body", status.status);
    }
    err
}

fn is_failed(s: &str) -> bool {
    s.eq_ignore_ascii_case("Failed")
        || s.eq_ignore_ascii_case("Canceled")
        || s.eq_ignore_ascii_case("Cancelled")
}

/// A missing provisioningState means Succeeded (RPC).
fn is_terminal(s: &str) -> bool {
    s.is_empty() || s.eq_ignore_ascii_case("Succeeded") || is_failed(s)
}

fn provisioning_state(resp: &RawResponse) -> String {
    serde_json::from_slice::<serde_json::Value>(resp.body())
        .ok()
        .and_then(|v| {
            v.pointer("/properties/provisioningState")
                .and_then(|s| s.as_str())
                .map(str::to_string)
        })
        .unwrap_or_default()
}

fn header(resp: &RawResponse, name: &HeaderName) -> Option<String> {
    resp.headers().get_optional_string(name)
}

/// `Retry-After` in integer seconds (ARM never sends HTTP-dates on polls).
fn retry_after(resp: &RawResponse) -> Option<Duration> {
    header(resp, &RETRY_AFTER)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

fn to_arm_error(resp: &RawResponse) -> ArmError {
    ArmError::from_body(u16::from(resp.status()), resp.body(), header(resp, &REQUEST_ID))
}

/// Decodes a GET body of `kind`: valid JSON, the shape aksnet relies on (see [`shape`]), then
/// `T`. Errors name the field at fault and the request id.
fn decode_tagged<T: DeserializeOwned>(resp: &RawResponse, kind: Kind) -> Result<Tagged<T>, ClientError> {
    let request = header(resp, &REQUEST_ID)
        .map(|r| format!(" [request id: {r}]"))
        .unwrap_or_default();
    let fail = |msg: String| ClientError::Decode(format!("{msg}{request}"));
    if resp.body().iter().all(u8::is_ascii_whitespace) {
        return Err(fail("the body is empty".into()));
    }
    let value: serde_json::Value = serde_json::from_slice(resp.body()).map_err(|e| {
        let what = if e.is_eof() {
            "the body is truncated JSON"
        } else {
            "the body is not valid JSON"
        };
        fail(format!("{what} ({e})"))
    })?;
    shape::check(kind, &value).map_err(|e| fail(e.to_string()))?;
    let etag = header(resp, &ETAG).or_else(|| {
        value
            .get("etag")
            .or_else(|| value.get("eTag"))
            .and_then(|e| e.as_str())
            .map(str::to_string)
    });
    let body = serde_json::from_value(value).map_err(|e| fail(e.to_string()))?;
    Ok(Tagged { body, etag })
}

/// An error with its causes: the pipeline wraps a credential failure (Entra's AADSTS message)
/// in a generic "will not be retried" error, which alone tells the user nothing.
fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let message = c.to_string();
        if !text.contains(&message) {
            text = format!("{text}: {message}");
        }
        cause = c.source();
    }
    text
}
