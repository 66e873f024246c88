//! The `instrument` module of the generated file: the generic machinery every recorder delegates
//! to. Its size does not depend on the catalog.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `instrument`: the generic machinery every recorder delegates to, emitted once whatever the size of
/// the catalog, so that each metric needs only its names, its label set and its docs.
///
/// `bind()` tables hold, with `bound` (the builder's `bound_instruments` option), OpenTelemetry's
/// bound instruments (the attribute set is resolved once; recording is an atomic update); without
/// it, the unbound instrument with a pre-built attribute array (no attribute work per call, but the
/// SDK still looks the set up). Up-down counters have no bound form in OpenTelemetry 0.33 and always
/// use the latter. The choice is made here, at generation time, so that the consuming crate needs
/// no cargo feature of a particular name.
pub(super) fn module(bound: bool) -> TokenStream {
    // (instrument, number type, builder method, the SDK's recording method, bound form if any)
    let kinds: [(&str, &str, &str, &str, Option<&str>); 9] = [
        ("Counter", "u64", "u64_counter", "add", Some("BoundCounter")),
        ("Counter", "f64", "f64_counter", "add", Some("BoundCounter")),
        ("UpDownCounter", "i64", "i64_up_down_counter", "add", None),
        ("UpDownCounter", "f64", "f64_up_down_counter", "add", None),
        ("Histogram", "u64", "u64_histogram", "record", Some("BoundHistogram")),
        ("Histogram", "f64", "f64_histogram", "record", Some("BoundHistogram")),
        ("Gauge", "u64", "u64_gauge", "record", Some("BoundGauge")),
        ("Gauge", "i64", "i64_gauge", "record", Some("BoundGauge")),
        ("Gauge", "f64", "f64_gauge", "record", Some("BoundGauge")),
    ];
    let impls = kinds.iter().map(|&(instrument, number, builder, method, bound_form)| {
        let (instrument, number, builder, method) = (
            format_ident!("{instrument}"),
            format_ident!("{number}"),
            format_ident!("{builder}"),
            format_ident!("{method}"),
        );
        let boundaries = (instrument == "Histogram").then(|| {
            quote! {
                let builder = match boundaries {
                    ::core::option::Option::Some(b) => builder.with_boundaries(b.to_vec()),
                    ::core::option::Option::None => builder,
                };
            }
        });
        let boundaries_param = if boundaries.is_some() { quote!(boundaries) } else { quote!(_boundaries) };
        let (slot, resolve) = match bound_form.filter(|_| bound) {
            Some(bound_form) => {
                let bound_form = format_ident!("{bound_form}");
                (
                    quote! {
                        type Slot = ::opentelemetry::metrics::#bound_form<#number>;
                    },
                    quote! {
                        self.bind(attributes)
                    },
                )
            }
            None => (
                quote!(
                    type Slot = Unbound<Self>;
                ),
                quote!(Unbound(self.clone(), attributes.into())),
            ),
        };
        quote! {
            impl Instrument for ::opentelemetry::metrics::#instrument<#number> {
                type Value = #number;
                #slot
                fn build(
                    meter: &::opentelemetry::metrics::Meter,
                    name: &'static str,
                    unit: &'static str,
                    description: &'static str,
                    #boundaries_param: ::core::option::Option<&'static [f64]>,
                ) -> Self {
                    let builder = meter.#builder(name).with_unit(unit).with_description(description);
                    #boundaries
                    builder.build()
                }
                #[inline]
                fn record(&self, value: #number, attributes: &[::opentelemetry::KeyValue]) {
                    ::opentelemetry::metrics::#instrument::#method(self, value, attributes)
                }
                fn resolve(&self, attributes: &[::opentelemetry::KeyValue]) -> Self::Slot {
                    #resolve
                }
            }
        }
    });
    let forms: &[(&str, &str)] =
        if bound { &[("BoundCounter", "add"), ("BoundHistogram", "record"), ("BoundGauge", "record")] } else { &[] };
    let bound_slots = forms.iter().map(|(bound, method)| {
        let (bound, method) = (format_ident!("{bound}"), format_ident!("{method}"));
        quote! {
            impl<T: ::core::marker::Copy> Slot for ::opentelemetry::metrics::#bound<T> {
                type Value = T;
                #[inline]
                fn record(&self, value: T) {
                    ::opentelemetry::metrics::#bound::#method(self, value)
                }
            }
        }
    });
    quote! {
        /// The machinery behind every recorder: the recorders differ only in their instrument, their
        /// label set and their docs.
        pub mod instrument {
            /// An OpenTelemetry instrument a recorder can wrap.
            pub trait Instrument: ::core::clone::Clone + ::core::fmt::Debug {
                /// The number type it records.
                type Value: ::core::marker::Copy;
                /// One attribute set resolved by [`Instrument::resolve`].
                type Slot: Slot<Value = Self::Value>;
                /// Creates the instrument from `meter`.
                fn build(
                    meter: &::opentelemetry::metrics::Meter,
                    name: &'static str,
                    unit: &'static str,
                    description: &'static str,
                    boundaries: ::core::option::Option<&'static [f64]>,
                ) -> Self;
                /// Records `value` with `attributes`.
                fn record(&self, value: Self::Value, attributes: &[::opentelemetry::KeyValue]);
                /// Resolves `attributes` once, for recording without attribute work.
                fn resolve(&self, attributes: &[::opentelemetry::KeyValue]) -> Self::Slot;
            }

            /// One pre-resolved attribute set of an instrument.
            pub trait Slot: ::core::clone::Clone + ::core::fmt::Debug {
                /// The number type it records.
                type Value;
                /// Records `value` on the resolved set.
                fn record(&self, value: Self::Value);
            }

            /// A metric's label set, turned into the attributes a hand-written call would pass.
            pub trait Labels {
                /// The attribute array, built on the stack.
                type Attributes: ::core::convert::AsRef<[::opentelemetry::KeyValue]>;
                /// The attributes, in the catalog's label order.
                fn attributes(self) -> Self::Attributes;
            }

            impl Labels for () {
                type Attributes = [::opentelemetry::KeyValue; 0];
                fn attributes(self) -> Self::Attributes {
                    []
                }
            }

            /// The attributes of a label set some of whose labels may be absent: the present ones,
            /// in the catalog's order, in an array of the set's size on the stack, so that building
            /// them allocates no more than a hand-written call.
            pub struct Attributes<const N: usize> {
                attributes: [::opentelemetry::KeyValue; N],
                len: usize,
            }

            impl<const N: usize> Attributes<N> {
                /// No attributes yet. The unused places hold an empty key and value, which are
                /// `&'static str` and allocate nothing.
                pub fn new() -> Self {
                    Self { attributes: ::core::array::from_fn(|_| ::opentelemetry::KeyValue::new("", "")), len: 0 }
                }

                /// Adds an attribute; a label set pushes each of its labels at most once.
                #[inline]
                pub fn push(&mut self, attribute: ::opentelemetry::KeyValue) {
                    self.attributes[self.len] = attribute;
                    self.len += 1;
                }
            }

            impl<const N: usize> ::core::default::Default for Attributes<N> {
                fn default() -> Self {
                    Self::new()
                }
            }

            impl<const N: usize> ::core::convert::AsRef<[::opentelemetry::KeyValue]> for Attributes<N> {
                fn as_ref(&self) -> &[::opentelemetry::KeyValue] {
                    &self.attributes[..self.len]
                }
            }

            /// An instrument, or nothing when telemetry is disabled: recording then does no work at all.
            #[derive(Clone, Debug)]
            pub struct Recorder<I>(::core::option::Option<I>);

            impl<I: Instrument> Recorder<I> {
                /// Creates the instrument from `meter`.
                pub fn new(
                    meter: &::opentelemetry::metrics::Meter,
                    name: &'static str,
                    unit: &'static str,
                    description: &'static str,
                    boundaries: ::core::option::Option<&'static [f64]>,
                ) -> Self {
                    Self(::core::option::Option::Some(I::build(meter, name, unit, description, boundaries)))
                }

                /// A recorder that records nothing and builds no attributes.
                pub const fn disabled() -> Self {
                    Self(::core::option::Option::None)
                }

                /// Records `value` with the attributes of `labels`.
                #[inline(always)]
                pub fn record<L: Labels>(&self, value: I::Value, labels: L) {
                    // Kept tiny so that it inlines: when disabled, a call is one test of the option.
                    if let ::core::option::Option::Some(instrument) = &self.0 {
                        Self::record_enabled(instrument, value, labels);
                    }
                }

                fn record_enabled<L: Labels>(instrument: &I, value: I::Value, labels: L) {
                    instrument.record(value, labels.attributes().as_ref());
                }

                /// A table of `capacity` attribute sets, resolved as they are pushed.
                pub fn table(&self, capacity: usize) -> TableBuilder<'_, I> {
                    TableBuilder(self.0.as_ref().map(|instrument| (instrument, ::std::vec::Vec::with_capacity(capacity))))
                }
            }

            /// A [`Table`] being filled, one label set after the other (a `bind()` pushes every
            /// combination of its closed labels in the order its index counts them).
            pub struct TableBuilder<'i, I: Instrument>(::core::option::Option<(&'i I, ::std::vec::Vec<I::Slot>)>);

            impl<I: Instrument> TableBuilder<'_, I> {
                /// Resolves `labels` into the next slot; nothing when telemetry is disabled.
                pub fn push<L: Labels>(&mut self, labels: L) {
                    if let ::core::option::Option::Some((instrument, slots)) = &mut self.0 {
                        slots.push(instrument.resolve(labels.attributes().as_ref()));
                    }
                }

                /// The filled table.
                pub fn finish(self) -> Table<I> {
                    Table(self.0.map(|(_, slots)| slots.into_boxed_slice()))
                }
            }

            /// The pre-resolved attribute sets of a bound recorder, or nothing when telemetry is
            /// disabled.
            #[derive(Clone, Debug)]
            pub struct Table<I: Instrument>(::core::option::Option<::std::boxed::Box<[I::Slot]>>);

            impl<I: Instrument> Table<I> {
                /// Records `value` on the set at `index`.
                #[inline]
                pub fn record(&self, index: usize, value: I::Value) {
                    if let ::core::option::Option::Some(slots) = &self.0 {
                        slots[index].record(value);
                    }
                }
            }

            /// An attribute set kept beside the unbound instrument, for instruments without a bound
            /// form.
            #[derive(Clone, Debug)]
            pub struct Unbound<I>(I, ::std::boxed::Box<[::opentelemetry::KeyValue]>);

            impl<I: Instrument> Slot for Unbound<I> {
                type Value = I::Value;
                #[inline]
                fn record(&self, value: I::Value) {
                    self.0.record(value, &self.1);
                }
            }

            #(#bound_slots)*
            #(#impls)*
        }
    }
}
