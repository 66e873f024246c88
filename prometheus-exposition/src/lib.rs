//! The Prometheus exposition formats, the text format (version 0.0.4) and OpenMetrics 1.0 text, as
//! one codec: what is written here is what is read here, and a property test (`tests/`) holds the
//! two to it.
//!
//! - [`family`]: the formats, the family types, and the names a family's samples and metadata use
//!   in each format (`_total`, `_bucket`, `_created`, ...);
//! - [`write`](mod@write): escaping, float text and a line writer ([`Writer`]), which writes
//!   every byte of an exposition, OpenMetrics' exemplars ([`Exemplar`]) included;
//! - [`read`](mod@read): a streaming reader ([`read()`]) that reports metadata and samples (with
//!   their exemplars) with their line, and syntax errors with line and column.
//!
//! ```
//! use prometheus_exposition::{FamilyType, Format, Labels, Writer, read, Event};
//!
//! let mut out = Vec::new();
//! let mut w = Writer::new(&mut out, Format::OpenMetrics);
//! w.family("jobs_total", FamilyType::Counter, "Jobs done.");
//! let mut labels = Labels::new();
//! labels.push("queue", "a \"quoted\" name");
//! w.sample(&labels, 3u64);
//! w.finish();
//! let text = String::from_utf8(out).unwrap();
//! assert_eq!(
//!     text,
//!     "# HELP jobs Jobs done.\n# TYPE jobs counter\njobs_total{queue=\"a \\\"quoted\\\" name\"} 3\n# EOF\n"
//! );
//!
//! let mut values = Vec::new();
//! read(&text, |event| {
//!     if let Event::Sample(s) = event {
//!         values.push((s.name, s.labels[0].1.to_string(), s.value));
//!     }
//! })
//! .unwrap();
//! assert_eq!(values, [("jobs_total", "a \"quoted\" name".to_owned(), 3.0)]);
//! ```

#![deny(missing_docs)]

pub mod family;
pub mod read;
pub mod write;

pub use family::{FamilyType, Format, is_label_name, is_metric_name};
pub use read::{Event, ReadExemplar, Sample, SyntaxError, read};
pub use write::{
    EXEMPLAR_MAX_CHARS, Exemplar, ExemplarTooLong, Labels, Number, Writer, push_float, push_help, push_label_value,
};
