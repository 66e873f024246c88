//! Exemplars: a measurement kept beside a series, with the trace it was recorded in, so that a
//! dashboard can go from a slow bucket to the trace that made it while the series stay bounded.
//!
//! OpenTelemetry's Rust SDK 0.33 collects none (its issue #3369: every aggregation writes an empty
//! list, and its `Exemplar` fields are crate-private), so the runtime keeps its own store beside
//! the SDK's aggregation, and the exporters join the two by series when they export:
//!
//! - **Capture.** A recorder built by [`Telemetry`](crate::Telemetry) offers each measurement to
//!   its metric's [`MetricExemplars`], after the SDK has recorded it. The [`ExemplarFilter`] decides
//!   which are offered (OpenTelemetry's `OTEL_METRICS_EXEMPLAR_FILTER`: `trace_based`, the
//!   default, keeps only measurements made inside a sampled span of the calling thread's
//!   OpenTelemetry context; `always_on`; `always_off`, which builds recorders without a store, so a
//!   call costs one test of an empty option).
//! - **Reservoirs**, as the specification describes them: a histogram keeps one exemplar per
//!   bucket (its explicit buckets, aligned), a counter one per series; each cell samples the
//!   measurements it is offered uniformly within a collection cycle (reservoir sampling: the n-th
//!   replaces the kept one with probability 1/n, and the count starts again when an exporter
//!   collects), so that a rare measurement (the outlier in a high bucket) is kept until another
//!   lands in its bucket. Up-down counters and gauges keep none (OpenMetrics carries exemplars on
//!   counters and histogram buckets only).
//! - **What an exemplar carries**: the value, the time, the trace and span ids, and the attributes
//!   the deployment drops from the series (`drop_labels` in telemetry.toml, e.g. `correlation_id`:
//!   OTLP's `filtered_attributes`), so that a request stays findable without a series of its own.
//! - **Memory** is bounded by the metric's cardinality limit: one reservoir per series the SDK can
//!   keep, the rest sharing the overflow series' reservoir, as the SDK folds their measurements
//!   into it. (Both fill first come, first served; a race between two new series at the limit can
//!   put an exemplar beside the other series than the SDK chose, never beside a wrong bucket.)
//!
//! When the SDK collects exemplars itself, this module retires: the filter becomes the SDK's
//! `with_exemplar_filter`, the recorders stop offering (delete the two calls in `instrument`:
//! [`MetricExemplars::offer`] and the bound table's), and the exporters read `exemplars()` from the
//! SDK's points instead of [`MetricExemplars::series_of`].

use opentelemetry::trace::{SpanId, TraceContextExt as _, TraceId};
use opentelemetry::{Context, Key, KeyValue, Value};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher as _, Hash, Hasher};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use crate::catalog::MetricDescriptor;

/// The exemplar label that holds the trace id (32 lowercase hex digits), as OpenTelemetry's
/// Prometheus exporters and Grafana's `exemplarTraceIdDestinations` name it.
pub const TRACE_ID_LABEL: &str = "trace_id";
/// The exemplar label that holds the span id (16 lowercase hex digits).
pub const SPAN_ID_LABEL: &str = "span_id";

/// Which measurements may become exemplars, as OpenTelemetry names the choices
/// (`OTEL_METRICS_EXEMPLAR_FILTER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExemplarFilter {
    /// None: recorders are built without a store.
    AlwaysOff,
    /// Every measurement, in a span or not (outside a span, an exemplar has no trace).
    AlwaysOn,
    /// Measurements made inside a sampled span (OpenTelemetry's default).
    #[default]
    TraceBased,
}

impl ExemplarFilter {
    /// The name OpenTelemetry's environment variable takes.
    pub const fn as_str(self) -> &'static str {
        match self {
            ExemplarFilter::AlwaysOff => "always_off",
            ExemplarFilter::AlwaysOn => "always_on",
            ExemplarFilter::TraceBased => "trace_based",
        }
    }
}

impl fmt::Display for ExemplarFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExemplarFilter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "always_off" => Ok(ExemplarFilter::AlwaysOff),
            "always_on" => Ok(ExemplarFilter::AlwaysOn),
            "trace_based" => Ok(ExemplarFilter::TraceBased),
            other => Err(format!(
                "`{other}` is not an exemplar filter: write trace_based (the default: measurements inside a sampled \
                 span), always_on or always_off"
            )),
        }
    }
}

/// One kept measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    /// The measured value.
    pub value: f64,
    /// When it was recorded.
    pub time: SystemTime,
    /// The trace and span it was recorded in; `None` outside a sampled span (filter `always_on`).
    pub trace: Option<(TraceId, SpanId)>,
    /// The attributes of the measurement that the series does not keep (`drop_labels`), in the
    /// catalog's order.
    pub filtered_attributes: Vec<KeyValue>,
}

/// One place for an exemplar: the kept one, and how many were offered this cycle.
#[derive(Debug, Default)]
struct Cell {
    /// The cycle (high 32 bits) and the measurements offered in it (low 32 bits). Updated with a
    /// relaxed load and store: two threads offering at once may count one, which only makes the
    /// sampling a little less uniform; never a wrong exemplar.
    offered: AtomicU64,
    kept: Mutex<Option<Exemplar>>,
}

/// The exemplars of one series: one cell for a counter, one per bucket for a histogram.
#[derive(Debug)]
pub struct Reservoir {
    /// The series' attributes as the SDK keeps them (without the dropped ones), in the order given.
    attributes: Box<[KeyValue]>,
    cells: Box<[Cell]>,
}

impl Reservoir {
    fn new(attributes: Box<[KeyValue]>, cells: usize) -> Reservoir {
        Reservoir { attributes, cells: (0..cells).map(|_| Cell::default()).collect() }
    }

    /// The series' attributes (those the SDK keeps).
    pub fn attributes(&self) -> &[KeyValue] {
        &self.attributes
    }

    /// `f` of each cell's kept exemplar (with the cell's index), `None` where nothing was kept;
    /// without copying the exemplars.
    fn map_kept<T>(&self, mut f: impl FnMut(usize, &Exemplar) -> Option<T>) -> Vec<Option<T>> {
        self.cells
            .iter()
            .enumerate()
            .map(|(i, c)| c.kept.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|e| f(i, e)))
            .collect()
    }

    /// Offers a measurement to cell `i` in cycle `cycle`: kept with probability 1/n for the n-th
    /// offer of the cycle. `filtered` gives the attributes the series drop, called only to keep one.
    #[inline]
    fn offer(
        &self,
        i: usize,
        cycle: u32,
        value: f64,
        trace: Option<(TraceId, SpanId)>,
        filtered: impl FnOnce() -> Vec<KeyValue>,
    ) {
        let Some(cell) = self.cells.get(i) else { return };
        let state = cell.offered.load(Ordering::Relaxed);
        let n = if (state >> 32) as u32 == cycle { (state as u32).saturating_add(1) } else { 1 };
        cell.offered.store(u64::from(cycle) << 32 | u64::from(n), Ordering::Relaxed);
        if n > 1 && fastrand::u32(..n) != 0 {
            return;
        }
        let exemplar = Exemplar { value, time: SystemTime::now(), trace, filtered_attributes: filtered() };
        *cell.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some(exemplar);
    }
}

/// The attribute the SDK gives the overflow series.
const OVERFLOW: &str = crate::catalog::OVERFLOW_ATTRIBUTE;

/// The exemplars of one metric: a [`Reservoir`] per series, at most as many as its cardinality
/// limit lets the SDK keep, then the overflow series' reservoir.
#[derive(Debug)]
pub struct MetricExemplars {
    name: &'static str,
    filter: ExemplarFilter,
    /// A histogram's bucket boundaries (`None`: a counter, one cell).
    bounds: Option<&'static [f64]>,
    /// The attribute keys the series do not keep.
    dropped: Box<[Key]>,
    /// Reservoirs of series before the overflow series takes the rest.
    limit: usize,
    cycle: Arc<AtomicU32>,
    series: RwLock<Series>,
    overflow: Arc<Reservoir>,
}

impl MetricExemplars {
    /// The metric's OpenTelemetry name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The metric's histogram boundaries, if it is a histogram.
    pub fn bounds(&self) -> Option<&'static [f64]> {
        self.bounds
    }

    /// The trace and span ids of the calling thread's context, if the filter lets a measurement
    /// be offered now; `Err(())` when it does not.
    #[inline]
    fn admit(&self) -> Result<Option<(TraceId, SpanId)>, ()> {
        Context::map_current(|cx| {
            let span = cx.span();
            let sc = span.span_context();
            let ids = || (sc.trace_id(), sc.span_id());
            match self.filter {
                ExemplarFilter::TraceBased if sc.is_valid() && sc.is_sampled() => Ok(Some(ids())),
                // Every measurement; the span's ids wherever there is a span, sampled or not.
                ExemplarFilter::AlwaysOn => Ok(sc.is_valid().then(ids)),
                _ => Err(()),
            }
        })
    }

    /// The cell of `value`: its bucket for a histogram (OpenTelemetry's and Prometheus' upper
    /// bounds are inclusive), else the one cell.
    #[inline]
    fn cell(&self, value: f64) -> usize {
        match self.bounds {
            Some(bounds) => bounds.partition_point(|b| *b < value),
            None => 0,
        }
    }

    /// Offers a measurement recorded with `attributes` (all of them, dropped ones included), on
    /// the per-call path: finds its series' reservoir.
    #[inline(never)]
    pub fn offer(&self, value: f64, attributes: &[KeyValue]) {
        if !value.is_finite() {
            return;
        }
        let Ok(trace) = self.admit() else { return };
        let reservoir = self.reservoir(attributes);
        let filtered = || self.filtered(attributes).collect();
        reservoir.offer(self.cell(value), self.cycle.load(Ordering::Relaxed), value, trace, filtered);
    }

    /// What a bound series (all of `attributes`) offers to: its reservoir and the attributes it
    /// drops.
    pub(crate) fn bind(self: &Arc<Self>, attributes: &[KeyValue]) -> BoundExemplars {
        BoundExemplars {
            metric: Arc::clone(self),
            reservoir: self.reservoir(attributes),
            filtered: self.filtered(attributes).collect(),
        }
    }

    /// The attributes of `attributes` that the series drop, which the exemplar keeps.
    fn filtered<'a>(&'a self, attributes: &'a [KeyValue]) -> impl Iterator<Item = KeyValue> + 'a {
        attributes.iter().filter(|kv| self.dropped.contains(&kv.key)).cloned()
    }

    /// The reservoir of the series `attributes` make once the dropped ones are removed: found, or
    /// made while there is room under the limit, else the overflow series'.
    fn reservoir(&self, attributes: &[KeyValue]) -> Arc<Reservoir> {
        let kept = || attributes.iter().filter(|kv| !self.dropped.contains(&kv.key));
        let hash = series_hash(kept());
        if let Some(r) = self.find(hash, kept) {
            return r;
        }
        let mut series = self.series.write().unwrap_or_else(|e| e.into_inner());
        // Made by another thread between the two locks?
        if let Some(r) = series.get(hash, kept) {
            return Arc::clone(r);
        }
        if series.count >= self.limit {
            return Arc::clone(&self.overflow);
        }
        let r = Arc::new(Reservoir::new(kept().cloned().collect(), cells(self.bounds)));
        series.map.entry(hash).or_default().push(Arc::clone(&r));
        series.count += 1;
        r
    }

    /// The reservoir of the series with exactly `attributes` (in any order), as an exporter finds
    /// the one of an SDK data point; the overflow series' for the overflow attribute.
    pub fn series_of<'k, A>(&self, attributes: impl Fn() -> A) -> Option<Arc<Reservoir>>
    where
        A: Iterator<Item = &'k KeyValue>,
    {
        if same_set(&self.overflow.attributes, attributes()) {
            return Some(Arc::clone(&self.overflow));
        }
        self.find(series_hash(attributes()), attributes)
    }

    fn find<'k, A>(&self, hash: u64, attributes: impl Fn() -> A) -> Option<Arc<Reservoir>>
    where
        A: Iterator<Item = &'k KeyValue>,
    {
        self.series.read().unwrap_or_else(|e| e.into_inner()).get(hash, attributes).cloned()
    }

    /// The exemplars of an exported point: those of the series with exactly `attributes` (in any
    /// order), one entry per cell (a histogram's buckets in order), each mapped by `f`; `None`
    /// where the cell kept nothing. For a histogram point (`bounds`), none unless its bounds are
    /// the ones the exemplars were sorted by, and each only if its value lies in its bucket (above
    /// the previous bound, at most its own). Empty when the series keeps none. What both exporters
    /// put beside the SDK's points.
    pub fn of_point<'k, A, T>(
        &self,
        attributes: impl Fn() -> A,
        bounds: Option<&[f64]>,
        mut f: impl FnMut(&Exemplar) -> T,
    ) -> Vec<Option<T>>
    where
        A: Iterator<Item = &'k KeyValue>,
    {
        if bounds.is_some() && bounds != self.bounds {
            return Vec::new();
        }
        let Some(reservoir) = self.series_of(attributes) else { return Vec::new() };
        reservoir.map_kept(|i, e| {
            let in_bucket = bounds.is_none_or(|bounds| {
                let above = if i == 0 { f64::NEG_INFINITY } else { bounds[i - 1] };
                e.value > above && e.value <= bounds.get(i).copied().unwrap_or(f64::INFINITY)
            });
            in_bucket.then(|| f(e))
        })
    }

    /// Every series' reservoir, the overflow series' last (its attribute is
    /// `otel.metric.overflow = true`).
    pub fn series(&self) -> Vec<Arc<Reservoir>> {
        let series = self.series.read().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<Arc<Reservoir>> = series.map.values().flatten().cloned().collect();
        all.push(Arc::clone(&self.overflow));
        all
    }
}

/// A bound series' reservoir and the attributes it drops (resolved once, when it first records).
#[derive(Debug, Clone)]
pub(crate) struct BoundExemplars {
    metric: Arc<MetricExemplars>,
    reservoir: Arc<Reservoir>,
    filtered: Box<[KeyValue]>,
}

impl BoundExemplars {
    /// Offers a measurement of the bound series.
    #[inline(never)]
    pub(crate) fn offer(&self, value: f64) {
        if !value.is_finite() {
            return;
        }
        let m = &self.metric;
        let Ok(trace) = m.admit() else { return };
        self.reservoir.offer(m.cell(value), m.cycle.load(Ordering::Relaxed), value, trace, || self.filtered.to_vec());
    }
}

/// The reservoirs of a metric's series, by [`series_hash`] of their attributes.
#[derive(Debug, Default)]
struct Series {
    map: HashMap<u64, Vec<Arc<Reservoir>>, foldhash::fast::FixedState>,
    count: usize,
}

impl Series {
    /// The reservoir of the series with exactly `attributes` (in any order) and hash `hash`.
    fn get<'k, A>(&self, hash: u64, attributes: impl Fn() -> A) -> Option<&Arc<Reservoir>>
    where
        A: Iterator<Item = &'k KeyValue>,
    {
        self.map.get(&hash)?.iter().find(|r| same_set(&r.attributes, attributes()))
    }
}

/// A reservoir's cells: one per bucket of a histogram with `bounds` (the last above the last
/// bound), else one.
fn cells(bounds: Option<&[f64]>) -> usize {
    bounds.map_or(1, |b| b.len() + 1)
}

/// A hash of a set of attributes that does not depend on their order (the recorders give them in
/// the catalog's order, the SDK's data points sorted by key): the sum of each attribute's hash.
/// foldhash, because the attributes are hashed on every offered call, and SipHash's resistance to
/// chosen keys buys nothing for a map bounded by the cardinality limit.
fn series_hash<'k>(attributes: impl Iterator<Item = &'k KeyValue>) -> u64 {
    attributes
        .map(|kv| {
            let mut h = foldhash::fast::FixedState::default().build_hasher();
            hash_attribute(kv, &mut h);
            h.finish()
        })
        .fold(0, u64::wrapping_add)
}

/// Whether `b` holds exactly the attributes of `a` (keys are unique in a set).
fn same_set<'k>(a: &[KeyValue], b: impl Iterator<Item = &'k KeyValue>) -> bool {
    let mut n = 0;
    for kv in b {
        if !a.contains(kv) {
            return false;
        }
        n += 1;
    }
    n == a.len()
}

/// Hashes an attribute by its key and value (OpenTelemetry's `Value` has no `Hash`: floats).
fn hash_attribute(kv: &KeyValue, h: &mut impl Hasher) {
    kv.key.as_str().hash(h);
    match &kv.value {
        Value::Bool(b) => b.hash(h),
        Value::I64(i) => i.hash(h),
        Value::F64(f) => f.to_bits().hash(h),
        Value::String(s) => s.as_str().hash(h),
        other => other.to_string().hash(h),
    }
}

/// The exemplar store of one [`Telemetry`](crate::Telemetry): the filter, the collection cycle,
/// and a [`MetricExemplars`] for each counter and histogram of the catalog that a recorder was
/// built for.
#[derive(Debug)]
pub struct ExemplarStore {
    filter: ExemplarFilter,
    meter: &'static str,
    catalog: &'static [MetricDescriptor],
    drop_labels: Vec<String>,
    cycle: Arc<AtomicU32>,
    metrics: Mutex<HashMap<&'static str, Arc<MetricExemplars>>>,
}

/// Which instruments keep exemplars, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// None (up-down counters, gauges).
    None,
    /// One per series (counters).
    Sum,
    /// One per bucket of each series (histograms with explicit buckets).
    Histogram,
}

impl ExemplarStore {
    /// A store for the catalog `metrics` of meter `meter`, keeping on each exemplar the attributes
    /// in `drop_labels` (which the series drop). `None` when the filter is `always_off`.
    pub fn new(
        filter: ExemplarFilter,
        meter: &'static str,
        metrics: &'static [MetricDescriptor],
        drop_labels: &[String],
    ) -> Option<Arc<ExemplarStore>> {
        (filter != ExemplarFilter::AlwaysOff).then(|| {
            Arc::new(ExemplarStore {
                filter,
                meter,
                catalog: metrics,
                drop_labels: drop_labels.to_vec(),
                cycle: Arc::new(AtomicU32::new(0)),
                metrics: Mutex::new(HashMap::new()),
            })
        })
    }

    /// The filter.
    pub fn filter(&self) -> ExemplarFilter {
        self.filter
    }

    /// The meter whose metrics it keeps exemplars of.
    pub fn meter(&self) -> &'static str {
        self.meter
    }

    /// The exemplars of the metric named `name` (OpenTelemetry name), if a recorder keeps any.
    pub fn metric(&self, name: &str) -> Option<Arc<MetricExemplars>> {
        self.metrics.lock().unwrap_or_else(|e| e.into_inner()).get(name).cloned()
    }

    /// The exemplars of the catalog's metric `name`, made on first use, for a recorder of `kind`
    /// with histogram boundaries `bounds` (`None` without explicit boundaries: the SDK's own, which
    /// the runtime does not know, so no bucket exemplars).
    fn for_recorder(
        &self,
        name: &'static str,
        kind: Kind,
        bounds: Option<&'static [f64]>,
    ) -> Option<Arc<MetricExemplars>> {
        let bounds = match (kind, bounds) {
            (Kind::None, _) | (Kind::Histogram, None) => return None,
            (Kind::Sum, _) => None,
            (Kind::Histogram, Some(b)) => Some(b),
        };
        let m = self.catalog.iter().find(|m| m.name == name)?;
        let mut metrics = self.metrics.lock().unwrap_or_else(|e| e.into_inner());
        let exemplars = metrics.entry(m.name).or_insert_with(|| {
            let dropped: Box<[Key]> = m
                .label_keys
                .iter()
                .filter(|k| self.drop_labels.iter().any(|d| d == *k))
                .map(|k| Key::from_static_str(k))
                .collect();
            Arc::new(MetricExemplars {
                name: m.name,
                filter: self.filter,
                bounds,
                dropped,
                // The SDK keeps `limit` attribute sets, then folds new ones into the overflow
                // series (opentelemetry_sdk 0.33, `ValueMap::is_under_cardinality_limit`).
                limit: m.cardinality_limit,
                cycle: Arc::clone(&self.cycle),
                series: RwLock::new(Series::default()),
                overflow: Arc::new(Reservoir::new(Box::new([KeyValue::new(OVERFLOW, true)]), cells(bounds))),
            })
        });
        Some(Arc::clone(exemplars))
    }

    /// Starts a new collection cycle: an exporter has collected, so each cell samples afresh
    /// (what it kept stays until a newer measurement replaces it).
    pub fn next_cycle(&self) {
        self.cycle.fetch_add(1, Ordering::Relaxed);
    }

    /// Runs `build` (a catalog's `Metrics::new`) so that the recorders it builds offer their
    /// measurements to this store.
    pub fn scope<T>(self: &Arc<Self>, build: impl FnOnce() -> T) -> T {
        struct Restore(Option<Arc<ExemplarStore>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                BUILDING.with(|b| *b.borrow_mut() = self.0.take());
            }
        }
        let _restore = Restore(BUILDING.with(|b| b.borrow_mut().replace(Arc::clone(self))));
        build()
    }
}

thread_local! {
    /// The store whose [`ExemplarStore::scope`] is running on this thread: recorders built inside
    /// it offer to it. (The generated `Metrics::new(meter)` takes only the meter, the one thing an
    /// OpenTelemetry instrument needs; the store is the runtime's, so it travels beside.)
    static BUILDING: std::cell::RefCell<Option<Arc<ExemplarStore>>> = const { std::cell::RefCell::new(None) };
}

/// The exemplars of metric `name` in the store being built with, if any (see
/// [`ExemplarStore::scope`]).
pub(crate) fn building(name: &'static str, kind: Kind, bounds: Option<&'static [f64]>) -> Option<Arc<MetricExemplars>> {
    BUILDING.with(|b| b.borrow().as_ref().and_then(|s| s.for_recorder(name, kind, bounds)))
}
