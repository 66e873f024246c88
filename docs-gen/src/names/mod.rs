//! The naming rules, in one place: what Prometheus calls a metric's series and an attribute
//! ([`prometheus`], after Prometheus's OTLP translation), and the Rust identifiers of the generated
//! code ([`rust`]).

pub mod prometheus;
pub mod rust;
