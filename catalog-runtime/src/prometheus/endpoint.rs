//! The `/metrics` endpoint: hyper's HTTP/1 server on a small Tokio runtime of its own, so that the
//! instrumented program needs no runtime and no scraper can take more than its share.
//!
//! - Every connection is a task, not a thread: the runtime has one worker and one blocking thread
//!   (for collecting and encoding), whatever the number of clients.
//! - A client that stops reading holds only its own connection, and only until the write timeout;
//!   one that connects and sends nothing is dropped after the header timeout.
//! - At most [`Limits::max_connections`] connections are open: a new one beyond it closes the
//!   connection that has been idle longest (no request in progress), so idle connections can never
//!   lock a scraper out; when every connection is busy, the new one is closed.
//! - At most [`Limits::max_responses`] answers are being sent at once (each holds its exposition
//!   in memory); a request beyond that gets `503` with `Retry-After`.
//! - One collection and encoding runs at a time; requests that arrive while one runs share its
//!   result.
//! - `GET` and `HEAD` on `/metrics`; `405` with `Allow` for other methods, `404` elsewhere; gzip and
//!   OpenMetrics when the client asks for them; `TCP_NODELAY` on every connection.

use super::SharedReader;
use super::exposition::{self, Format};
use super::negotiate;
use crate::exemplar::ExemplarStore;
use crate::export::OverflowWatch;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::reader::MetricReader as _;
use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The endpoint's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most.
    pub max_connections: usize,
    /// Answers being sent at once at most.
    pub max_responses: usize,
    /// How long a write may wait for a client to read before the connection is closed.
    pub write_timeout: Duration,
    /// How long a connection may take to send a request's headers, and may stay idle between
    /// requests.
    pub header_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 128,
            max_responses: 16,
            write_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(30),
        }
    }
}

/// The size of the body frames: hyper buffers a few of them, so a response counts as being sent
/// until the client has read all but its last few hundred KiB.
const FRAME: usize = 64 * 1024;

/// The name of the endpoint's threads.
pub const THREAD_NAME: &str = "metrics-http";

/// The running endpoint. Dropping it stops the server and closes every connection.
pub(crate) struct Endpoint {
    address: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Endpoint {
    /// Binds `address` (port 0 picks a free one) and serves `/metrics` from `reader`; the metrics
    /// of `meter` (the catalog's) come first where names collide.
    pub(crate) fn start(
        address: SocketAddr,
        reader: SharedReader,
        meter: &'static str,
        watch: Arc<OverflowWatch>,
        exemplars: Option<Arc<ExemplarStore>>,
        limits: Limits,
    ) -> std::io::Result<Endpoint> {
        // Bound here, so that an address in use is the caller's error at once.
        let listener = std::net::TcpListener::bind(address)?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(1)
            .thread_name(THREAD_NAME)
            .enable_io()
            .enable_time()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let scraper = Arc::new(Scraper {
            reader,
            meter,
            watch,
            exemplars,
            encoding: tokio::sync::Mutex::new(None),
            responses: Arc::new(Semaphore::new(limits.max_responses)),
            reported: Mutex::new(HashSet::new()),
        });
        let connections = Arc::new(Connections { max: limits.max_connections, ..Connections::default() });
        runtime.spawn(accept(listener, scraper, connections, limits));
        Ok(Endpoint { address, runtime: Some(runtime) })
    }

    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Drops every task: the listener and every connection close.
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

async fn accept(
    listener: tokio::net::TcpListener,
    scraper: Arc<Scraper>,
    connections: Arc<Connections>,
    limits: Limits,
) {
    let mut last_error: Option<Instant> = None;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: log at most once a minute, and do not spin.
                if last_error.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                    tracing::warn!(error = %e, "/metrics: cannot accept a connection");
                    last_error = Some(Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Some(admitted) = connections.admit() else {
            // Every connection is busy sending: this one is closed at once.
            continue;
        };
        let mut io = tokio_io_timeout::TimeoutStream::new(stream);
        io.set_write_timeout(Some(limits.write_timeout));
        // hyper's header timeout covers idle connections; this one covers a request body that
        // never ends.
        io.set_read_timeout(Some(limits.header_read_timeout));
        let io = TokioIo::new(Box::pin(io));
        let scraper = Arc::clone(&scraper);
        tokio::spawn(async move {
            let busy = Arc::clone(&admitted.busy);
            let service = hyper::service::service_fn(move |request| {
                let (scraper, busy) = (Arc::clone(&scraper), Arc::clone(&busy));
                async move { Ok::<_, Infallible>(answer(request, &scraper, busy).await) }
            });
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).keep_alive(true);
            let connection = http.serve_connection(io, service);
            tokio::select! {
                // A client that went away, or broke the protocol, is its own problem.
                _ = connection => {}
                _ = admitted.evicted.notified() => {}
            }
            drop(admitted);
        });
    }
}

/// The open connections, oldest first, and whether each has a request in progress.
#[derive(Default)]
struct Connections {
    max: usize,
    next: AtomicU64,
    open: Mutex<BTreeMap<u64, Open>>,
}

/// An open connection's requests in progress, and how to close it.
type Open = (Arc<AtomicUsize>, Arc<Notify>);

/// An open connection; dropping it forgets it.
struct Admitted {
    id: u64,
    busy: Arc<AtomicUsize>,
    evicted: Arc<Notify>,
    connections: Arc<Connections>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.connections.open.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.id);
    }
}

impl Connections {
    /// A place for a new connection: at the limit, the longest-idle connection is closed to make
    /// one; `None` when every open connection is busy.
    fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.len() >= self.max {
            let idle = open.iter().find(|(_, (busy, _))| busy.load(Ordering::Acquire) == 0).map(|(id, _)| *id)?;
            if let Some((_, evicted)) = open.remove(&idle) {
                evicted.notify_one();
            }
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (busy, evicted) = (Arc::new(AtomicUsize::new(0)), Arc::new(Notify::new()));
        open.insert(id, (Arc::clone(&busy), Arc::clone(&evicted)));
        Some(Admitted { id, busy, evicted, connections: Arc::clone(self) })
    }
}

/// Collection and encoding, one at a time, with the last result for requests that arrived while it
/// ran.
struct Scraper {
    reader: SharedReader,
    meter: &'static str,
    watch: Arc<OverflowWatch>,
    /// The recorders' exemplars, written beside the SDK's points in OpenMetrics.
    exemplars: Option<Arc<ExemplarStore>>,
    encoding: tokio::sync::Mutex<Option<Encoded>>,
    responses: Arc<Semaphore>,
    /// The repairs already logged: each is logged once.
    reported: Mutex<HashSet<String>>,
}

/// An encoded exposition, and when it was finished.
#[derive(Clone)]
struct Encoded {
    format: Format,
    gzip: bool,
    finished: Instant,
    body: Bytes,
}

impl Scraper {
    /// The exposition in `format`, gzipped if asked: from an encoding that finished after `asked`,
    /// or a new one.
    async fn exposition(self: &Arc<Self>, format: Format, gzip: bool, asked: Instant) -> Result<Bytes, String> {
        let mut last = self.encoding.lock().await;
        if let Some(e) = last.as_ref().filter(|e| e.format == format && e.gzip == gzip && e.finished >= asked) {
            return Ok(e.body.clone());
        }
        let me = Arc::clone(self);
        let body = tokio::task::spawn_blocking(move || me.encode(format, gzip))
            .await
            .map_err(|e| format!("encoding failed: {e}"))??;
        *last = Some(Encoded { format, gzip, finished: Instant::now(), body: body.clone() });
        Ok(body)
    }

    fn encode(&self, format: Format, gzip: bool) -> Result<Bytes, String> {
        let mut rm = ResourceMetrics::default();
        self.reader.collect(&mut rm).map_err(|e| format!("collecting the metrics failed: {e}"))?;
        // Also starts the exemplars' next sampling cycle.
        self.watch.check(&rm);
        let mut text = Vec::new();
        let repairs = exposition::encode_with_exemplars(&rm, format, self.meter, self.exemplars.as_deref(), &mut text);
        if !repairs.is_empty() {
            let mut reported = self.reported.lock().unwrap_or_else(|e| e.into_inner());
            for repair in repairs {
                let message = repair.to_string();
                if reported.insert(message.clone()) {
                    tracing::warn!(repair = %message, "/metrics: the exposition was repaired to stay valid");
                }
            }
        }
        if !gzip {
            return Ok(Bytes::from(text));
        }
        let mut encoder =
            flate2::write::GzEncoder::new(Vec::with_capacity(text.len() / 8), flate2::Compression::fast());
        encoder.write_all(&text).map_err(|e| format!("gzip failed: {e}"))?;
        Ok(Bytes::from(encoder.finish().map_err(|e| format!("gzip failed: {e}"))?))
    }
}

/// The answer to one request.
async fn answer(request: Request<Incoming>, scraper: &Arc<Scraper>, busy: Arc<AtomicUsize>) -> Response<Payload> {
    let asked = Instant::now();
    let guard = InProgress::new(busy);
    if request.uri().path() != "/metrics" {
        return plain(StatusCode::NOT_FOUND, "not found: the metrics are at /metrics\n", guard);
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response =
            plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed: /metrics answers GET and HEAD\n", guard);
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let Ok(permit) = Arc::clone(&scraper.responses).try_acquire_owned() else {
        let mut response =
            plain(StatusCode::SERVICE_UNAVAILABLE, "too many answers in progress: retry in a second\n", guard);
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    let text = |name| request.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let format = negotiate::format(text(header::ACCEPT));
    let gzip = negotiate::gzip(text(header::ACCEPT_ENCODING));
    match scraper.exposition(format, gzip, asked).await {
        Ok(body) => {
            let mut response = Response::new(Payload { body, permit: Some(permit), _guard: guard });
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
            headers.insert(header::VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
            if gzip {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            response
        }
        Err(e) => {
            tracing::warn!(error = %e, "/metrics: no exposition");
            plain(StatusCode::SERVICE_UNAVAILABLE, &format!("{e}\n"), guard)
        }
    }
}

fn plain(status: StatusCode, text: &str, guard: InProgress) -> Response<Payload> {
    let mut response = Response::new(Payload { body: Bytes::from(text.to_owned()), permit: None, _guard: guard });
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// A request in progress on its connection, until its answer is sent (or given up).
struct InProgress(Arc<AtomicUsize>);

impl InProgress {
    fn new(busy: Arc<AtomicUsize>) -> Self {
        busy.fetch_add(1, Ordering::AcqRel);
        InProgress(busy)
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body handed to hyper in frames of [`FRAME`] bytes (slices of one buffer, shared by
/// every answer of the same encoding), holding its place among the answers being sent until hyper
/// has taken the last frame.
struct Payload {
    body: Bytes,
    permit: Option<OwnedSemaphorePermit>,
    _guard: InProgress,
}

impl Body for Payload {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.body.is_empty() {
            this.permit.take();
            return Poll::Ready(None);
        }
        let frame = this.body.split_to(this.body.len().min(FRAME));
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.body.len() as u64)
    }
}
