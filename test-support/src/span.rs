//! A span context of fixed ids made current, for tests and benchmarks of exemplars: what a
//! measurement made inside a span of a real tracer sees, without a tracer.

use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState};
use opentelemetry::{Context, ContextGuard};

/// The trace id of [`enter`]'s span (W3C trace context's example).
pub const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
/// The span id of [`enter`]'s span.
pub const SPAN_ID: &str = "00f067aa0ba902b7";

/// The span context with [`TRACE_ID`] and [`SPAN_ID`], sampled or not.
pub fn context(sampled: bool) -> SpanContext {
    let flags = if sampled { TraceFlags::SAMPLED } else { TraceFlags::default() };
    SpanContext::new(
        TraceId::from_hex(TRACE_ID).expect("a trace id"),
        SpanId::from_hex(SPAN_ID).expect("a span id"),
        flags,
        false,
        TraceState::default(),
    )
}

/// Makes that span the calling thread's current one until the guard drops.
pub fn enter(sampled: bool) -> ContextGuard {
    Context::new().with_remote_span_context(context(sampled)).attach()
}
