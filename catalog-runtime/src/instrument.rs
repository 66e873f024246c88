//! The machinery behind every generated recorder: recorders differ only in their instrument, their
//! label set and their docs, so everything else is here, written and tested once.
//!
//! A recorder is a [`Recorder`] over an OpenTelemetry [`Instrument`]; its label set implements
//! [`Labels`], which builds the attribute array a hand-written call would pass. `bind()` fills a
//! [`Table`] with one [`Slot`] per combination of the closed labels, each resolved when its
//! combination first records (so only what was recorded is exported): with the feature
//! `bound-instruments` (default), OpenTelemetry's bound instruments (the attribute set is resolved
//! once; recording is an atomic update); without it, the unbound instrument with a pre-built
//! attribute array ([`Unbound`]: no attribute work per call, but the SDK still looks the set up).
//! Up-down counters have no bound form in OpenTelemetry 0.33 and always use [`Unbound`].
//!
//! # String labels
//!
//! A free-form string label of a generated label set is an OpenTelemetry
//! [`StringValue`](opentelemetry::StringValue), which the attribute takes as it is given, so that
//! the generated call costs what a hand-written `KeyValue::new(key, value)` would: `"text".into()`
//! costs nothing for a `&'static str`; a `String` moves in (`id.into()`, one allocation where the
//! caller made it); an `Arc<str>` is shared (`Arc::<str>::from(id).into()` once, then a reference
//! count per clone), which suits an id recorded many times. Closed labels are enums whose values
//! are `&'static str`, so a label set of closed labels allocates nothing.

use crate::exemplar::{self, BoundExemplars, MetricExemplars};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Gauge, Histogram, Meter, UpDownCounter};
use std::sync::{Arc, OnceLock};

/// An OpenTelemetry instrument a recorder can wrap.
pub trait Instrument: Clone + std::fmt::Debug {
    /// The number type it records.
    type Value: Copy;
    /// One attribute set resolved by [`Instrument::resolve`].
    type Slot: Slot<Value = Self::Value>;
    /// Which exemplars it keeps (see [`exemplar`](crate::exemplar)).
    const EXEMPLARS: exemplar::Kind;
    /// A value as an exemplar holds it.
    fn exemplar_value(value: Self::Value) -> f64;
    /// Creates the instrument from `meter`.
    fn build(
        meter: &Meter,
        name: &'static str,
        unit: &'static str,
        description: &'static str,
        boundaries: Option<&'static [f64]>,
    ) -> Self;
    /// Records `value` with `attributes`.
    fn record(&self, value: Self::Value, attributes: &[KeyValue]);
    /// Resolves `attributes` once, for recording without attribute work.
    fn resolve(&self, attributes: &[KeyValue]) -> Self::Slot;
}

/// One pre-resolved attribute set of an instrument.
pub trait Slot: Clone + std::fmt::Debug {
    /// The number type it records.
    type Value;
    /// Records `value` on the resolved set.
    fn record(&self, value: Self::Value);
}

/// A metric's label set, turned into the attributes a hand-written call would pass.
pub trait Labels {
    /// The attribute array, built on the stack.
    type Attributes: AsRef<[KeyValue]>;
    /// The attributes, in the catalog's label order.
    fn attributes(self) -> Self::Attributes;

    /// Drops the labels unrecorded (telemetry disabled). A label set with string values drops them
    /// one by one here, so that each drop inlines and a `&'static str` costs nothing to discard:
    /// dropped whole, the set went through one out-of-line drop that tested every value.
    #[inline(always)]
    fn discard(self)
    where
        Self: Sized,
    {
    }
}

impl Labels for () {
    type Attributes = [KeyValue; 0];
    fn attributes(self) -> Self::Attributes {
        []
    }
}

/// The attributes of a label set some of whose labels may be absent: the present ones, in the
/// catalog's order, on the stack in an array of the set's size.
///
/// An `ArrayVec` (arrayvec: a well-kept crate for exactly this) leaves the unused places
/// uninitialised, so that a set of five optional labels costs no more than the attributes it
/// really has; an array of placeholder `KeyValue`s cost 20 ns more per call (measured with the
/// `optional_attributes` benchmark).
pub struct Attributes<const N: usize>(arrayvec::ArrayVec<KeyValue, N>);

impl<const N: usize> Attributes<N> {
    /// No attributes yet.
    #[inline]
    pub fn new() -> Self {
        Self(arrayvec::ArrayVec::new())
    }

    /// Adds an attribute; a label set pushes each of its labels at most once, so it never
    /// overflows (a push beyond `N` would panic, never write out of bounds).
    #[inline]
    pub fn push(&mut self, attribute: KeyValue) {
        self.0.push(attribute);
    }
}

impl<const N: usize> Default for Attributes<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> AsRef<[KeyValue]> for Attributes<N> {
    #[inline]
    fn as_ref(&self) -> &[KeyValue] {
        &self.0
    }
}

/// An instrument, or nothing when telemetry is disabled: recording then does no work at all. Built
/// by [`Telemetry`](crate::Telemetry) with exemplars on, it offers each measurement to its
/// metric's exemplars too (see [`exemplar`](crate::exemplar)).
#[derive(Clone, Debug)]
pub struct Recorder<I> {
    instrument: Option<I>,
    exemplars: Option<Arc<MetricExemplars>>,
}

impl<I: Instrument> Recorder<I> {
    /// Creates the instrument from `meter`.
    pub fn new(
        meter: &Meter,
        name: &'static str,
        unit: &'static str,
        description: &'static str,
        boundaries: Option<&'static [f64]>,
    ) -> Self {
        Self {
            instrument: Some(I::build(meter, name, unit, description, boundaries)),
            exemplars: exemplar::building(name, I::EXEMPLARS, boundaries),
        }
    }

    /// A recorder that records nothing and builds no attributes.
    pub const fn disabled() -> Self {
        Self { instrument: None, exemplars: None }
    }

    /// Whether it records (false for [`Recorder::disabled`]).
    pub const fn is_enabled(&self) -> bool {
        self.instrument.is_some()
    }

    /// Whether it offers its measurements as exemplars.
    pub const fn keeps_exemplars(&self) -> bool {
        self.exemplars.is_some()
    }

    /// Records `value` with the attributes of `labels`.
    #[inline(always)]
    pub fn record<L: Labels>(&self, value: I::Value, labels: L) {
        // Kept tiny so that it inlines: when disabled, a call is one test of the option.
        match &self.instrument {
            Some(instrument) => Self::record_enabled(instrument, self.exemplars.as_deref(), value, labels),
            None => labels.discard(),
        }
    }

    #[inline]
    fn record_enabled<L: Labels>(instrument: &I, exemplars: Option<&MetricExemplars>, value: I::Value, labels: L) {
        let attributes = labels.attributes();
        instrument.record(value, attributes.as_ref());
        // Exemplars off: one test of an empty option.
        if let Some(exemplars) = exemplars {
            exemplars.offer(I::exemplar_value(value), attributes.as_ref());
        }
    }

    /// A table of `capacity` attribute sets, resolved as they are pushed.
    pub fn table(&self, capacity: usize) -> TableBuilder<I> {
        TableBuilder(self.instrument.as_ref().map(|instrument| Slots {
            instrument: instrument.clone(),
            exemplars: self.exemplars.clone(),
            slots: Vec::with_capacity(capacity),
        }))
    }
}

/// A [`Table`] being filled, one label set after the other (a `bind()` pushes every combination of
/// its closed labels in the order its index counts them).
pub struct TableBuilder<I: Instrument>(Option<Slots<I>>);

impl<I: Instrument> TableBuilder<I> {
    /// Keeps the attributes of `labels` for the next slot, to be resolved when it first records;
    /// nothing when telemetry is disabled.
    pub fn push<L: Labels>(&mut self, labels: L) {
        if let Some(table) = &mut self.0 {
            table.slots.push(Lazy { attributes: labels.attributes().as_ref().into(), slot: OnceLock::new() });
        }
    }

    /// The filled table.
    pub fn finish(self) -> Table<I> {
        Table(self.0.map(Box::new))
    }
}

/// One combination of a bound recorder: its attributes, and the SDK's attribute set once the
/// combination has recorded.
#[derive(Clone, Debug)]
struct Lazy<I: Instrument> {
    attributes: Box<[KeyValue]>,
    slot: OnceLock<(I::Slot, Option<BoundExemplars>)>,
}

/// The attribute sets of a bound recorder, one per combination of its closed labels, or nothing
/// when telemetry is disabled.
///
/// Each set is resolved with the SDK (OpenTelemetry's bound instrument) when its combination first
/// records, not when `bind()` is called: a resolved set is an exported series, so resolving every
/// combination up front exported each as a zero series (78 of a bound histogram's 81 series were
/// empty after 6 recordings), counted them as seen in live-check, and took the metric's
/// cardinality limit for combinations never used (binding 26 routes of 80 combinations each pushed
/// real requests into the overflow series). After the first recording a call costs what it did:
/// an atomic load that finds the set, then the bound instrument's update.
#[derive(Clone, Debug)]
pub struct Table<I: Instrument>(Option<Box<Slots<I>>>);

/// The instrument a table resolves with, its metric's exemplars, and its combinations.
#[derive(Clone, Debug)]
struct Slots<I: Instrument> {
    instrument: I,
    exemplars: Option<Arc<MetricExemplars>>,
    slots: Vec<Lazy<I>>,
}

impl<I: Instrument> Table<I> {
    /// Records `value` on the set at `index`, resolving it on its first use.
    #[inline]
    pub fn record(&self, index: usize, value: I::Value) {
        if let Some(table) = &self.0 {
            let lazy = &table.slots[index];
            let (slot, exemplars) = match lazy.slot.get() {
                Some(resolved) => resolved,
                None => Self::first(table, lazy),
            };
            slot.record(value);
            // Exemplars off: one test of an empty option.
            if let Some(exemplars) = exemplars {
                exemplars.offer(I::exemplar_value(value));
            }
        }
    }

    /// The first recording of a combination: resolves its set and finds its exemplar reservoir
    /// (once, whichever thread gets here first).
    #[cold]
    #[inline(never)]
    fn first<'t>(table: &Slots<I>, lazy: &'t Lazy<I>) -> &'t (I::Slot, Option<BoundExemplars>) {
        lazy.slot.get_or_init(|| {
            (table.instrument.resolve(&lazy.attributes), table.exemplars.as_ref().map(|e| e.bind(&lazy.attributes)))
        })
    }

    /// How many combinations it holds (0 when disabled).
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |t| t.slots.len())
    }

    /// Whether it holds no combination (true when disabled).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An attribute set kept beside the unbound instrument, for instruments without a bound form (or
/// without the feature `bound-instruments`).
#[derive(Clone, Debug)]
pub struct Unbound<I>(I, Box<[KeyValue]>);

impl<I: Instrument> Slot for Unbound<I> {
    type Value = I::Value;
    #[inline]
    fn record(&self, value: I::Value) {
        self.0.record(value, &self.1);
    }
}

/// A builder left as it is: instruments other than histograms have no boundaries.
fn no_boundaries<B>(builder: B, _: Option<&'static [f64]>) -> B {
    builder
}

/// A histogram builder with the catalog's bucket boundaries, if it gives any.
fn boundaries<'a, T>(
    builder: opentelemetry::metrics::HistogramBuilder<'a, Histogram<T>>,
    boundaries: Option<&'static [f64]>,
) -> opentelemetry::metrics::HistogramBuilder<'a, Histogram<T>> {
    match boundaries {
        Some(b) => builder.with_boundaries(b.to_vec()),
        None => builder,
    }
}

/// `impl Instrument` for one OpenTelemetry instrument type: its builder, its recording method, how
/// boundaries apply, and the slot `bind()` resolves (the bound form with the feature
/// `bound-instruments`, else [`Unbound`]).
macro_rules! instrument {
    ($instrument:ident<$number:ty>, $builder:ident, $method:ident, $boundaries:ident, $kind:expr, bound: $bound:ident) => {
        #[cfg(feature = "bound-instruments")]
        instrument!(@impl $instrument<$number>, $builder, $method, $boundaries, $kind,
            opentelemetry::metrics::$bound<$number>, |i: &Self, a: &[KeyValue]| i.bind(a));
        #[cfg(not(feature = "bound-instruments"))]
        instrument!($instrument<$number>, $builder, $method, $boundaries, $kind, unbound);
    };
    ($instrument:ident<$number:ty>, $builder:ident, $method:ident, $boundaries:ident, $kind:expr, unbound) => {
        instrument!(@impl $instrument<$number>, $builder, $method, $boundaries, $kind,
            Unbound<$instrument<$number>>, |i: &Self, a: &[KeyValue]| Unbound(i.clone(), a.into()));
    };
    (@impl $instrument:ident<$number:ty>, $builder:ident, $method:ident, $boundaries:ident, $kind:expr, $slot:ty, $resolve:expr) => {
        impl Instrument for $instrument<$number> {
            type Value = $number;
            type Slot = $slot;
            const EXEMPLARS: exemplar::Kind = $kind;
            #[inline]
            fn exemplar_value(value: $number) -> f64 {
                value as f64
            }
            fn build(
                meter: &Meter,
                name: &'static str,
                unit: &'static str,
                description: &'static str,
                bounds: Option<&'static [f64]>,
            ) -> Self {
                $boundaries(meter.$builder(name).with_unit(unit).with_description(description), bounds).build()
            }
            #[inline]
            fn record(&self, value: $number, attributes: &[KeyValue]) {
                $instrument::$method(self, value, attributes)
            }
            fn resolve(&self, attributes: &[KeyValue]) -> Self::Slot {
                let resolve: fn(&Self, &[KeyValue]) -> Self::Slot = $resolve;
                resolve(self, attributes)
            }
        }
    };
}

use exemplar::Kind::{Histogram as Buckets, None as NoExemplars, Sum};
instrument!(Counter<u64>, u64_counter, add, no_boundaries, Sum, bound: BoundCounter);
instrument!(Counter<f64>, f64_counter, add, no_boundaries, Sum, bound: BoundCounter);
instrument!(UpDownCounter<i64>, i64_up_down_counter, add, no_boundaries, NoExemplars, unbound);
instrument!(UpDownCounter<f64>, f64_up_down_counter, add, no_boundaries, NoExemplars, unbound);
instrument!(Histogram<u64>, u64_histogram, record, boundaries, Buckets, bound: BoundHistogram);
instrument!(Histogram<f64>, f64_histogram, record, boundaries, Buckets, bound: BoundHistogram);
instrument!(Gauge<u64>, u64_gauge, record, no_boundaries, NoExemplars, bound: BoundGauge);
instrument!(Gauge<i64>, i64_gauge, record, no_boundaries, NoExemplars, bound: BoundGauge);
instrument!(Gauge<f64>, f64_gauge, record, no_boundaries, NoExemplars, bound: BoundGauge);

#[cfg(feature = "bound-instruments")]
mod bound {
    use super::Slot;
    use opentelemetry::metrics::{BoundCounter, BoundGauge, BoundHistogram};

    macro_rules! slot {
        ($bound:ident, $method:ident) => {
            impl<T: Copy> Slot for $bound<T> {
                type Value = T;
                #[inline]
                fn record(&self, value: T) {
                    $bound::$method(self, value)
                }
            }
        };
    }
    slot!(BoundCounter, add);
    slot!(BoundHistogram, record);
    slot!(BoundGauge, record);
}

/// `new` and `disabled` of a generated recorder, the same for every one: the recorder is a tuple
/// struct around a [`Recorder`] with the consts `NAME`, `UNIT`, `DESCRIPTION` (and `BUCKETS` when
/// it is called with `, buckets`).
///
/// ```
/// # use opentelemetry::metrics::Counter;
/// pub struct JobsTotal(catalog_runtime::instrument::Recorder<Counter<u64>>);
/// impl JobsTotal {
///     pub const NAME: &'static str = "app.jobs.total";
///     pub const UNIT: &'static str = "{job}";
///     pub const DESCRIPTION: &'static str = "Jobs run";
/// }
/// catalog_runtime::recorder!(JobsTotal);
/// assert!(!JobsTotal::disabled().0.is_enabled());
/// ```
#[macro_export]
macro_rules! recorder {
    ($name:ident) => {
        $crate::recorder!(@impl $name, ::core::option::Option::None);
    };
    ($name:ident, buckets) => {
        $crate::recorder!(@impl $name, ::core::option::Option::Some(Self::BUCKETS));
    };
    (@impl $name:ident, $boundaries:expr) => {
        impl $name {
            /// Creates the instrument from `meter`, with the recorder's name, unit and description
            /// (and a histogram's bucket boundaries).
            pub fn new(meter: &::opentelemetry::metrics::Meter) -> Self {
                Self($crate::instrument::Recorder::new(meter, Self::NAME, Self::UNIT, Self::DESCRIPTION, $boundaries))
            }

            /// A recorder that records nothing and builds no attributes, for when telemetry is
            /// disabled.
            pub const fn disabled() -> Self {
                Self($crate::instrument::Recorder::disabled())
            }
        }
    };
}
