//! One metric's recorder: its struct, label-set struct, `bind()` and bound type.
//!
//! What a recorder's code looks like depends on its [`Shape`] (instrument, number type, buckets,
//! the kinds of its labels); what the code calls things, on its [`Names`]. [`tokens`] is the one
//! place that writes the code, from both. [`super::template`] calls it once per shape with
//! placeholder names and fills in each metric's names, which is what makes catalogs of thousands
//! of metrics cheap to generate.

use super::{code, doc, ident};
use crate::model::{Catalog, Instrument, LabelKind, Metric, NumberType};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// Most attribute sets a `bind()` table may hold; metrics whose closed labels combine to more get
/// no `bind()`.
const MAX_BOUND_SLOTS: usize = 1024;

/// What decides the recorder's code apart from names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Shape {
    instrument: Instrument,
    number: NumberType,
    /// Bucket boundaries, as bits (they are literals in the code).
    buckets: Option<Vec<u64>>,
    /// Whether the value is a state of a value map.
    value_map: bool,
    /// Each label in catalog order: `Some(number of values)` for a closed label, `None` for a
    /// free-form one.
    labels: Vec<Option<usize>>,
}

/// Every text of the recorder that comes from the catalog, in one fixed order (see
/// [`Names::texts`]): Rust names, strings and doc comments.
#[derive(Clone, Debug)]
pub(super) struct Names {
    recorder: String,
    labels_struct: String,
    bound_struct: String,
    name: String,
    unit: String,
    description: String,
    /// The value map's enum; empty when there is none (unused).
    value_enum: String,
    recorder_doc: String,
    value_doc: String,
    labels_doc: String,
    bind_doc: String,
    bound_doc: String,
    labels: Vec<LabelNames>,
}

/// The texts of one label of the recorder.
#[derive(Clone, Debug)]
struct LabelNames {
    field: String,
    /// The closed label's enum; empty for a free-form label (unused).
    label_enum: String,
    key: String,
    doc: String,
}

impl Names {
    /// Every text, in a fixed order that depends only on the shape.
    pub(super) fn texts(&self) -> Vec<&str> {
        let mut texts = vec![
            &self.recorder,
            &self.labels_struct,
            &self.bound_struct,
            &self.name,
            &self.unit,
            &self.description,
            &self.value_enum,
            &self.recorder_doc,
            &self.value_doc,
            &self.labels_doc,
            &self.bind_doc,
            &self.bound_doc,
        ];
        for l in &self.labels {
            texts.extend([&l.field, &l.label_enum, &l.key, &l.doc]);
        }
        texts.into_iter().map(String::as_str).collect()
    }

    /// Names of the same shape where each text is `placeholder(i)`, `i` its place in
    /// [`Names::texts`]. (Texts the shape does not use, such as the enum of a free-form label,
    /// get one too: which texts are used is the shape's business, never the text's.)
    pub(super) fn placeholders(&self, placeholder: impl Fn(usize) -> String) -> Names {
        let mut i = 0;
        let mut next = |_: &str| {
            i += 1;
            placeholder(i - 1)
        };
        Names {
            recorder: next(&self.recorder),
            labels_struct: next(&self.labels_struct),
            bound_struct: next(&self.bound_struct),
            name: next(&self.name),
            unit: next(&self.unit),
            description: next(&self.description),
            value_enum: next(&self.value_enum),
            recorder_doc: next(&self.recorder_doc),
            value_doc: next(&self.value_doc),
            labels_doc: next(&self.labels_doc),
            bind_doc: next(&self.bind_doc),
            bound_doc: next(&self.bound_doc),
            labels: self
                .labels
                .iter()
                .map(|l| LabelNames {
                    field: next(&l.field),
                    label_enum: next(&l.label_enum),
                    key: next(&l.key),
                    doc: next(&l.doc),
                })
                .collect(),
        }
    }
}

/// The shape and the names of metric `m`'s recorder.
pub(super) fn describe(catalog: &Catalog, m: &Metric) -> (Shape, Names) {
    let Metric { name, instrument, number, unit, description, labels, value_map, buckets, rust_recorder, .. } = m;
    let defs: Vec<_> = labels.iter().map(|&l| catalog.label(l)).collect();
    let shape = Shape {
        instrument: *instrument,
        number: *number,
        buckets: buckets.as_ref().map(|b| b.iter().map(|x| x.to_bits()).collect()),
        value_map: value_map.is_some(),
        labels: defs.iter().map(|l| l.values().map(<[_]>::len)).collect(),
    };
    let value_doc = match (value_map, instrument) {
        (Some(_), _) => "Records the gauge's state.",
        (None, Instrument::Counter) => "Adds `value` to the counter.",
        (None, Instrument::UpDownCounter) => "Adds `value` (which may be negative) to the counter.",
        (None, Instrument::Histogram) => "Records one measurement.",
        (None, Instrument::Gauge) => "Records the gauge's current value.",
    };
    let closed: Vec<_> = defs.iter().filter(|l| l.values().is_some()).collect();
    let free: Vec<_> = defs.iter().filter(|l| l.values().is_none()).collect();
    let slots: usize = closed.iter().map(|l| l.values().map_or(1, <[_]>::len)).product();
    let combos = if closed.is_empty() {
        "one attribute set".to_owned()
    } else {
        format!(
            "one attribute set per combination of {} ({slots} in all)",
            closed.iter().map(|l| code(&l.key)).collect::<Vec<_>>().join(", ")
        )
    };
    let fixed = if free.is_empty() {
        String::new()
    } else {
        format!(
            ", with {} fixed to the values given here",
            free.iter().map(|l| code(&l.key)).collect::<Vec<_>>().join(", ")
        )
    };
    let names = Names {
        recorder: rust_recorder.clone(),
        labels_struct: m.rust_labels(),
        bound_struct: m.rust_bound(),
        name: name.clone(),
        unit: unit.clone(),
        description: description.clone(),
        value_enum: value_map.map(|v| catalog.value_maps[v].rust_enum.clone()).unwrap_or_default(),
        recorder_doc: recorder_doc(catalog, m),
        value_doc: format!("{value_doc} The unit, {}.", code(unit)),
        labels_doc: format!("The labels of [`{rust_recorder}`] ({}).", code(name)),
        bind_doc: format!(
            "Resolves the attributes once: {combos}{fixed}. Recording through the result does no attribute work \
             (with the `bound-instruments` feature, an atomic update on a pre-resolved series). Bind at start-up, \
             e.g. with the worker's namespace, and keep the result."
        ),
        bound_doc: format!("[`{rust_recorder}`] with its attributes resolved by [`{rust_recorder}::bind`]."),
        labels: defs
            .iter()
            .map(|l| {
                let extra = match &l.kind {
                    LabelKind::Closed(_) => String::new(),
                    LabelKind::FreeForm { reason } => format!("\n\nFree-form: {}", reason.trim()),
                };
                LabelNames {
                    field: l.rust_field.clone(),
                    label_enum: if l.values().is_some() { l.rust_enum.clone() } else { String::new() },
                    key: l.key.clone(),
                    doc: format!("{}: {}{extra}", code(&l.key), l.description.trim()),
                }
            })
            .collect(),
    };
    (shape, names)
}

/// The recorder's doc: what the reference says about the metric.
fn recorder_doc(catalog: &Catalog, m: &Metric) -> String {
    let mut s = format!("{}: {}\n\n", code(&m.name), m.description.trim());
    s.push_str(&format!("* Instrument: {} ({}), unit {}\n", m.instrument.as_str(), m.number.as_str(), code(&m.unit)));
    let series = m.prometheus.series.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ");
    s.push_str(&format!("* Prometheus: {series}\n"));
    if m.labels.is_empty() {
        s.push_str("* Labels: none\n");
    } else {
        s.push_str("* Labels:\n");
        for &l in &m.labels {
            let l = catalog.label(l);
            let values = match &l.kind {
                LabelKind::Closed(v) => v.iter().map(|v| code(&v.value)).collect::<Vec<_>>().join(", "),
                LabelKind::FreeForm { .. } => "free-form".into(),
            };
            // One line per item: a continuation line would need indenting to stay in the list.
            let description = l.description.split_whitespace().collect::<Vec<_>>().join(" ");
            s.push_str(&format!("  * {} ({values}): {description}\n", code(&l.key)));
        }
    }
    if let Some(map) = m.value_map {
        let map = &catalog.value_maps[map];
        let listing = map.entries.iter().map(|e| format!("{}={}", e.value, e.name)).collect::<Vec<_>>().join(", ");
        s.push_str(&format!("* Values: {listing}\n"));
    }
    if let Some(b) = &m.buckets {
        let b = b.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
        s.push_str(&format!("* Buckets: [{b}]\n"));
    }
    s.push_str(&format!("* Status: {}", m.status.title()));
    if let Some(r) = &m.recorded_in {
        s.push_str(&format!(", recorded in {}", code(r)));
    }
    if let Some(n) = &m.status_note {
        s.push_str(&format!(" ({})", n.trim()));
    }
    s
}

/// The recorder's items: its struct, the label-set struct and its attributes, the methods, and
/// `bind()` with the bound type.
pub(super) fn tokens(shape: &Shape, names: &Names) -> TokenStream {
    let Shape { instrument, number, buckets, value_map, labels } = shape;
    let rec = ident(&names.recorder);
    let labels_ident = ident(&names.labels_struct);
    let (name, unit, description) = (&names.name, &names.unit, &names.description);
    let ty = match number {
        NumberType::U64 => quote!(u64),
        NumberType::I64 => quote!(i64),
        NumberType::F64 => quote!(f64),
    };
    let (instrument_ty, method) = match instrument {
        Instrument::Counter => (quote!(Counter), quote!(add)),
        Instrument::UpDownCounter => (quote!(UpDownCounter), quote!(add)),
        Instrument::Histogram => (quote!(Histogram), quote!(record)),
        Instrument::Gauge => (quote!(Gauge), quote!(record)),
    };
    let instrument_ty = quote!(::opentelemetry::metrics::#instrument_ty<#ty>);
    let (buckets_const, boundaries) = match buckets {
        Some(b) => {
            let b = b.iter().map(|x| Literal::f64_suffixed(f64::from_bits(*x)));
            (
                Some(quote! {
                    /// The histogram's bucket boundaries.
                    pub const BUCKETS: &'static [f64] = &[#(#b),*];
                }),
                quote!(::core::option::Option::Some(Self::BUCKETS)),
            )
        }
        None => (None, quote!(::core::option::Option::None)),
    };
    let borrowed = labels.iter().any(Option::is_none);
    let lifetime = borrowed.then(|| quote!(<'a>));
    let anon = borrowed.then(|| quote!(<'_>));

    // The value parameter: a state enum for value-mapped gauges, else the number.
    let (value_param, value_expr) = if *value_map {
        let e = ident(&names.value_enum);
        let cast = match number {
            NumberType::I64 => quote!(state.value()),
            _ => quote!(state.value() as #ty),
        };
        (quote!(state: super::values::#e), cast)
    } else {
        (quote!(value: #ty), quote!(value))
    };
    let value_doc = doc(&names.value_doc);
    let item_doc = doc(&names.recorder_doc);

    let (labels_struct, labels_param, labels_arg) = if labels.is_empty() {
        (None, None, quote!(()))
    } else {
        let fields = names.labels.iter().zip(labels).map(|(l, closed)| {
            let f = ident(&l.field);
            let ty = if closed.is_none() {
                quote!(&'a str)
            } else {
                let e = ident(&l.label_enum);
                quote!(super::labels::#e)
            };
            let d = doc(&l.doc);
            quote! { #d pub #f: #ty, }
        });
        let kvs = names.labels.iter().zip(labels).map(|(l, closed)| {
            let (key, f) = (&l.key, ident(&l.field));
            if closed.is_none() {
                quote! { ::opentelemetry::KeyValue::new(#key, ::std::string::String::from(self.#f)) }
            } else {
                quote! { ::opentelemetry::KeyValue::new(#key, self.#f.as_str()) }
            }
        });
        let n = Literal::usize_unsuffixed(labels.len());
        let sdoc = doc(&names.labels_doc);
        (
            Some(quote! {
                #sdoc
                #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
                pub struct #labels_ident #lifetime { #(#fields)* }

                impl super::instrument::Labels for #labels_ident #anon {
                    type Attributes = [::opentelemetry::KeyValue; #n];
                    fn attributes(self) -> Self::Attributes {
                        [#(#kvs),*]
                    }
                }
            }),
            Some(quote!(, labels: #labels_ident #anon)),
            quote!(labels),
        )
    };
    let bind = bind_api(shape, names, &instrument_ty, &method, &value_param, &value_expr);

    quote! {
        #item_doc
        #[derive(Clone, Debug)]
        pub struct #rec(super::instrument::Recorder<#instrument_ty>);

        #labels_struct

        impl #rec {
            /// The OpenTelemetry instrument name.
            pub const NAME: &'static str = #name;
            /// The UCUM unit.
            pub const UNIT: &'static str = #unit;
            /// The instrument description.
            pub const DESCRIPTION: &'static str = #description;
            #buckets_const

            /// Creates the instrument from `meter`.
            pub fn new(meter: &::opentelemetry::metrics::Meter) -> Self {
                Self(super::instrument::Recorder::new(meter, Self::NAME, Self::UNIT, Self::DESCRIPTION, #boundaries))
            }

            /// A recorder that records nothing and builds no attributes.
            pub const fn disabled() -> Self {
                Self(super::instrument::Recorder::disabled())
            }

            #value_doc
            #[inline(always)]
            pub fn #method(&self, #value_param #labels_param) {
                self.0.record(#value_expr, #labels_arg);
            }
        }

        #bind
    }
}

/// `bind(free-form labels) -> {Recorder}Bound`: every combination of the closed labels resolved
/// once into a dense table indexed by the enums' discriminants, so that recording is an index and
/// an atomic update.
fn bind_api(
    shape: &Shape,
    names: &Names,
    instrument_ty: &TokenStream,
    method: &TokenStream,
    value_param: &TokenStream,
    value_expr: &TokenStream,
) -> Option<TokenStream> {
    let slots: usize = shape.labels.iter().map(|l| l.unwrap_or(1)).product();
    if slots > MAX_BOUND_SLOTS {
        return None;
    }
    let rec = ident(&names.recorder);
    let bound = ident(&names.bound_struct);
    // (label, number of values) of the closed labels; the free-form labels.
    let closed: Vec<(&LabelNames, usize)> =
        names.labels.iter().zip(&shape.labels).filter_map(|(l, n)| n.map(|n| (l, n))).collect();
    let free: Vec<&LabelNames> =
        names.labels.iter().zip(&shape.labels).filter(|(_, n)| n.is_none()).map(|(l, _)| l).collect();
    let free_params = free.iter().map(|l| {
        let f = ident(&l.field);
        quote!(#f: &str)
    });
    let closed_params = closed.iter().map(|(l, _)| {
        let f = ident(&l.field);
        let e = ident(&l.label_enum);
        quote!(#f: super::labels::#e)
    });
    // Every label set, the closed labels varying in the catalog's order, the last fastest: loops
    // over the enums' `ALL`, nested outermost first.
    let labels_ident = ident(&names.labels_struct);
    let fields = names.labels.iter().map(|l| ident(&l.field));
    let mut fill = if names.labels.is_empty() {
        quote!(table.push(());)
    } else {
        quote!(table.push(#labels_ident { #(#fields),* });)
    };
    for (l, _) in closed.iter().rev() {
        let f = ident(&l.field);
        let e = ident(&l.label_enum);
        fill = quote!(for &#f in super::labels::#e::ALL { #fill });
    }
    let n = Literal::usize_unsuffixed(slots);
    // index = Σ discriminant_i × (product of the sizes of the labels after i).
    let mut stride = 1usize;
    let mut terms = Vec::new();
    for (l, n) in closed.iter().rev() {
        let f = ident(&l.field);
        terms.push(if stride == 1 {
            quote!(#f as usize)
        } else {
            let s = Literal::usize_unsuffixed(stride);
            quote!(#f as usize * #s)
        });
        stride *= n;
    }
    let index = if terms.is_empty() { quote!(0) } else { quote!(#(#terms)+*) };
    let bind_doc = doc(&names.bind_doc);
    let bound_doc = doc(&names.bound_doc);
    Some(quote! {
        #bound_doc
        #[derive(Clone, Debug)]
        pub struct #bound(super::instrument::Table<#instrument_ty>);

        impl #rec {
            #bind_doc
            pub fn bind(&self #(, #free_params)*) -> #bound {
                let mut table = self.0.table(#n);
                #fill
                #bound(table.finish())
            }
        }

        impl #bound {
            /// Records through the pre-resolved attribute set of these label values.
            #[inline]
            pub fn #method(&self, #value_param #(, #closed_params)*) {
                self.0.record(#index, #value_expr);
            }
        }
    })
}
