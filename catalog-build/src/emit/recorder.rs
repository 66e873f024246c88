//! One metric's recorder: its struct, label-set struct, `bind()` and bound type.
//!
//! What a recorder's code looks like depends on its [`Shape`] (instrument, number type, buckets,
//! the kinds of its labels); what the code calls things, on its [`Names`]. [`tokens`] is the one
//! place that writes the code, from both. [`super::template`] calls it once per shape with
//! placeholder names and fills in each metric's names, which is what makes catalogs of thousands
//! of metrics cheap to generate.

use super::{code, doc, ident};
use catalog_model::model::{AttributeType, Catalog, Instrument, LabelDef, LabelKind, LabelUse, Metric, NumberType};
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
    /// Each label in catalog order.
    labels: Vec<LabelShape>,
}

/// What decides a label's code: its kind and whether it may be absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct LabelShape {
    kind: FieldKind,
    optional: bool,
}

/// A label field's kind: a closed enum (of strings or integers) or an open value of a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum FieldKind {
    Closed {
        values: usize,
        int: bool,
    },
    /// A list of known values that accepts others: `Open<Enum>`.
    Open,
    Str,
    Int,
    Bool,
    Double,
    /// `string[]`, `int[]`, `bool[]`, `double[]`: a `Vec`, exported as an OpenTelemetry array.
    Array(ArrayOf),
}

/// The element type of an array attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ArrayOf {
    Str,
    Int,
    Bool,
    Double,
}

impl LabelShape {
    fn of(l: &LabelDef, usage: &LabelUse) -> LabelShape {
        let kind = match (l.values(), l.attribute_type) {
            (Some(_), _) if l.is_open_enum() => FieldKind::Open,
            (Some(v), t) => FieldKind::Closed { values: v.len(), int: t == AttributeType::Int },
            (None, AttributeType::String) => FieldKind::Str,
            (None, AttributeType::Int) => FieldKind::Int,
            (None, AttributeType::Bool) => FieldKind::Bool,
            (None, AttributeType::Double) => FieldKind::Double,
            (None, AttributeType::StringArray) => FieldKind::Array(ArrayOf::Str),
            (None, AttributeType::IntArray) => FieldKind::Array(ArrayOf::Int),
            (None, AttributeType::BoolArray) => FieldKind::Array(ArrayOf::Bool),
            (None, AttributeType::DoubleArray) => FieldKind::Array(ArrayOf::Double),
        };
        LabelShape { kind, optional: usage.is_optional() }
    }

    /// The number of values a closed label takes in a `bind()` table (one more when it may be
    /// absent), `None` for an open one.
    fn slots(self) -> Option<usize> {
        match self.kind {
            FieldKind::Closed { values, .. } => Some(values + usize::from(self.optional)),
            _ => None,
        }
    }

    fn is_closed(self) -> bool {
        matches!(self.kind, FieldKind::Closed { .. })
    }
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
    /// The struct of the open labels `bind()` fixes.
    bind_labels_struct: String,
    bind_labels_doc: String,
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
            &self.bind_labels_struct,
            &self.bind_labels_doc,
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
            bind_labels_struct: next(&self.bind_labels_struct),
            bind_labels_doc: next(&self.bind_labels_doc),
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
    let Metric { name, instrument, number, unit, description, labels, value_map, rust_recorder, .. } = m;
    let defs: Vec<_> = labels.iter().map(|&l| catalog.label(l)).collect();
    let shape = Shape {
        instrument: *instrument,
        number: *number,
        // Every histogram sets its boundaries explicitly, defaults included (see `histogram_buckets`).
        buckets: m.histogram_buckets().map(|(b, _)| b.iter().map(|x| x.to_bits()).collect()),
        value_map: value_map.is_some(),
        labels: defs.iter().zip(&m.label_uses).map(|(l, u)| LabelShape::of(l, u)).collect(),
    };
    let value_doc = match (value_map, instrument) {
        (Some(_), _) => "Records the gauge's state.",
        (None, Instrument::Counter) => "Adds `value` to the counter.",
        (None, Instrument::UpDownCounter) => "Adds `value` (which may be negative) to the counter.",
        (None, Instrument::Histogram) => "Records one measurement.",
        (None, Instrument::Gauge) => "Records the gauge's current value.",
    };
    let closed: Vec<_> = defs.iter().filter(|l| l.values().is_some() && !l.is_open_enum()).collect();
    let free: Vec<_> = defs.iter().filter(|l| l.values().is_none() || l.is_open_enum()).collect();
    let slots: usize = shape.labels.iter().filter_map(|l| l.slots()).product();
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
            "Resolves the attributes once: {combos}{fixed}, for recording without attribute work. Each set \
             is resolved when it first records, so a combination never recorded is not exported (see \
             [`Table`](catalog_runtime::instrument::Table)). Bind at start-up and keep the result."
        ),
        bound_doc: format!("[`{rust_recorder}`] with its attributes resolved by [`{rust_recorder}::bind`]."),
        bind_labels_struct: m.rust_bind_labels(),
        bind_labels_doc: format!(
            "The open labels of [`{rust_recorder}`] that [`{rust_recorder}::bind`] fixes, by name: {}.",
            free.iter().map(|l| code(&l.key)).collect::<Vec<_>>().join(", ")
        ),
        labels: defs
            .iter()
            .zip(&m.label_uses)
            .map(|(l, usage)| {
                let mut extra = match &l.kind {
                    LabelKind::FreeForm { reason } if !reason.trim().is_empty() => {
                        format!("\n\nFree-form: {}", reason.trim())
                    }
                    _ => String::new(),
                };
                if l.is_open_enum() {
                    extra.push_str(&format!(
                        "\n\nOpen: one of [`{}`](super::labels::{}) (`.into()`), or any other text (`Open::new(text)`).",
                        l.rust_enum, l.rust_enum
                    ));
                }
                if l.values().is_none() && l.attribute_type == AttributeType::String {
                    extra.push_str(
                        "\n\nA `StringValue`: see [what each kind of string costs](catalog_runtime::instrument#string-labels).",
                    );
                }
                if let Some(st) = l.stability {
                    extra.push_str(&format!("\n\nStability: {}.", st.as_str()));
                }
                if let Some(d) = &l.deprecated {
                    extra.push_str(&format!("\n\nDeprecated since {}: {}", d.since, d.reason.trim()));
                }
                if usage.is_optional() {
                    extra.push_str(&format!(
                        "\n\n{}: `None` leaves the attribute out.",
                        match &usage.requirement.condition {
                            Some(c) => format!("{} ({})", usage.requirement.level.as_str(), c.trim()),
                            None => usage.requirement.level.as_str().to_owned(),
                        }
                    ));
                }
                if !usage.examples.is_empty() {
                    extra.push_str(&format!(
                        "\n\nExamples: {}.",
                        usage.examples.iter().map(|e| code(e)).collect::<Vec<_>>().join(", ")
                    ));
                }
                // The metric's brief of the attribute, where it gives one, over the definition's.
                let description = usage.brief.as_deref().unwrap_or(&l.description).trim();
                LabelNames {
                    field: l.rust_field.clone(),
                    label_enum: if l.values().is_some() { l.rust_enum.clone() } else { String::new() },
                    key: l.key.clone(),
                    doc: format!("{}: {description}{extra}", code(&l.key)),
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
        for (&l, usage) in m.labels.iter().zip(&m.label_uses) {
            let l = catalog.label(l);
            let mut values = match &l.kind {
                LabelKind::Closed(v) => v.iter().map(|v| code(&v.value)).collect::<Vec<_>>().join(", "),
                LabelKind::FreeForm { .. } => "free-form".into(),
            };
            if l.attribute_type != AttributeType::String {
                values = format!("{}, {values}", l.attribute_type.as_str());
            }
            if usage.is_optional() {
                values.push_str(", optional");
            }
            if l.prometheus_key != l.key {
                values.push_str(&format!(", Prometheus {}", code(&l.prometheus_key)));
            }
            // One line per item: a continuation line would need indenting to stay in the list.
            let description =
                usage.brief.as_deref().unwrap_or(&l.description).split_whitespace().collect::<Vec<_>>().join(" ");
            s.push_str(&format!("  * {} ({values}): {description}\n", code(&l.key)));
        }
    }
    if let Some(map) = m.value_map {
        let map = &catalog.value_maps[map];
        let listing = map.entries.iter().map(|e| format!("{}={}", e.value, e.name)).collect::<Vec<_>>().join(", ");
        s.push_str(&format!("* Values: {listing}\n"));
    }
    if let Some((list, note)) = m.buckets_listed() {
        s.push_str(&format!("* Buckets: [{list}]{note}\n"));
    }
    if catalog.tracks_status() {
        s.push_str(&format!("* Status: {}", m.status.title()));
        if let Some(r) = &m.recorded_in {
            s.push_str(&format!(", recorded in {}", code(r)));
        }
        if let Some(n) = &m.status_note {
            s.push_str(&format!(" ({})", n.trim()));
        }
    } else if let Some(r) = &m.recorded_in {
        s.push_str(&format!("* Recorded in {}", code(r)));
    }
    s.truncate(s.trim_end().len());
    s
}

impl FieldKind {
    /// Whether a value may own heap data (a `StringValue`, a `Vec`): no `Copy`, and dropped one by
    /// one when nothing is recorded.
    fn owns_text(self) -> bool {
        matches!(self, FieldKind::Str | FieldKind::Open | FieldKind::Array(_))
    }

    /// Whether a value may be a float, which has no `Eq` or `Hash`.
    fn is_float(self) -> bool {
        matches!(self, FieldKind::Double | FieldKind::Array(ArrayOf::Double))
    }
}

/// A label field's Rust type, without the `Option` of an optional label.
fn field_type(kind: FieldKind, label: &LabelNames) -> TokenStream {
    match kind {
        FieldKind::Closed { .. } => {
            let e = ident(&label.label_enum);
            quote!(super::labels::#e)
        }
        FieldKind::Open => {
            let e = ident(&label.label_enum);
            quote!(::catalog_runtime::labels::Open<super::labels::#e>)
        }
        FieldKind::Str => quote!(::opentelemetry::StringValue),
        FieldKind::Int => quote!(i64),
        FieldKind::Bool => quote!(bool),
        FieldKind::Double => quote!(f64),
        FieldKind::Array(of) => {
            let element = match of {
                ArrayOf::Str => quote!(::opentelemetry::StringValue),
                ArrayOf::Int => quote!(i64),
                ArrayOf::Bool => quote!(bool),
                ArrayOf::Double => quote!(f64),
            };
            quote!(::std::vec::Vec<#element>)
        }
    }
}

/// The field's type in a label struct: `Option<...>` when the label may be absent.
fn full_field_type(shape: LabelShape, label: &LabelNames) -> TokenStream {
    let ty = field_type(shape.kind, label);
    if shape.optional { quote!(::core::option::Option<#ty>) } else { ty }
}

/// The attribute value of `v`, a label's (present) value, as a hand-written call would pass it.
fn attribute_value(kind: FieldKind, v: TokenStream) -> TokenStream {
    match kind {
        FieldKind::Closed { int: false, .. } => quote!(#v.as_str()),
        FieldKind::Closed { int: true, .. } => quote!(#v.value()),
        FieldKind::Open | FieldKind::Str | FieldKind::Int | FieldKind::Bool | FieldKind::Double => v,
        FieldKind::Array(of) => {
            let variant = match of {
                ArrayOf::Str => quote!(String),
                ArrayOf::Int => quote!(I64),
                ArrayOf::Bool => quote!(Bool),
                ArrayOf::Double => quote!(F64),
            };
            quote!(::opentelemetry::Value::Array(::opentelemetry::Array::#variant(#v)))
        }
    }
}

/// The derives of a struct of label fields: no `Copy` where a string label is (a `StringValue` may
/// own its text), no `Eq` or `Hash` where a `double` label is.
fn label_derives(shapes: &[&LabelShape]) -> TokenStream {
    let copy = (!shapes.iter().any(|l| l.kind.owns_text())).then(|| quote!(Copy,));
    if shapes.iter().any(|l| l.kind.is_float()) {
        quote!(#[derive(Clone, #copy Debug, PartialEq)])
    } else {
        quote!(#[derive(Clone, #copy Debug, PartialEq, Eq, Hash)])
    }
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
                Some(quote!(, buckets)),
            )
        }
        None => (None, None),
    };

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
        let fields = names.labels.iter().zip(labels).map(|(l, shape)| {
            let f = ident(&l.field);
            let ty = full_field_type(*shape, l);
            let d = doc(&l.doc);
            quote! { #d pub #f: #ty, }
        });
        let n = Literal::usize_unsuffixed(labels.len());
        let sdoc = doc(&names.labels_doc);
        let derives = label_derives(&labels.iter().collect::<Vec<_>>());
        // Every attribute always present: an array. Some may be absent: the ones present, in order,
        // in an array of the same size on the stack (no allocation either way).
        let attributes = if labels.iter().any(|l| l.optional) {
            let pushes = names.labels.iter().zip(labels).map(|(l, shape)| {
                let (key, f) = (&l.key, ident(&l.field));
                if shape.optional {
                    let value = attribute_value(shape.kind, quote!(v));
                    quote! {
                        if let ::core::option::Option::Some(v) = self.#f {
                            attributes.push(::opentelemetry::KeyValue::new(#key, #value));
                        }
                    }
                } else {
                    let value = attribute_value(shape.kind, quote!(self.#f));
                    quote! { attributes.push(::opentelemetry::KeyValue::new(#key, #value)); }
                }
            });
            quote! {
                type Attributes = ::catalog_runtime::instrument::Attributes<#n>;
                #[inline]
                fn attributes(self) -> Self::Attributes {
                    let mut attributes = ::catalog_runtime::instrument::Attributes::new();
                    #(#pushes)*
                    attributes
                }
            }
        } else {
            let kvs = names.labels.iter().zip(labels).map(|(l, shape)| {
                let (key, f) = (&l.key, ident(&l.field));
                let value = attribute_value(shape.kind, quote!(self.#f));
                quote! { ::opentelemetry::KeyValue::new(#key, #value) }
            });
            quote! {
                type Attributes = [::opentelemetry::KeyValue; #n];
                #[inline]
                fn attributes(self) -> Self::Attributes {
                    [#(#kvs),*]
                }
            }
        };
        // Unrecorded (telemetry disabled), string values are dropped one by one: see
        // `Labels::discard` in the runtime.
        let discard = labels.iter().any(|l| l.kind.owns_text()).then(|| {
            let bindings = names.labels.iter().zip(labels).map(|(l, shape)| {
                let f = ident(&l.field);
                if shape.kind.owns_text() { quote!(#f) } else { quote!(#f: _) }
            });
            let drops = names.labels.iter().zip(labels).filter(|(_, s)| s.kind.owns_text()).map(|(l, _)| {
                let f = ident(&l.field);
                quote!(::core::mem::drop(#f);)
            });
            quote! {
                #[inline(always)]
                fn discard(self) {
                    let Self { #(#bindings),* } = self;
                    #(#drops)*
                }
            }
        });
        (
            Some(quote! {
                #sdoc
                #derives
                pub struct #labels_ident { #(#fields)* }

                impl ::catalog_runtime::instrument::Labels for #labels_ident {
                    #attributes
                    #discard
                }
            }),
            Some(quote!(, labels: #labels_ident)),
            quote!(labels),
        )
    };
    let bind = bind_api(shape, names, &instrument_ty, &method, &value_param, &value_expr);

    quote! {
        #item_doc
        #[derive(Clone, Debug)]
        pub struct #rec(::catalog_runtime::instrument::Recorder<#instrument_ty>);

        #labels_struct

        impl #rec {
            /// The OpenTelemetry instrument name.
            pub const NAME: &'static str = #name;
            /// The UCUM unit.
            pub const UNIT: &'static str = #unit;
            /// The instrument description.
            pub const DESCRIPTION: &'static str = #description;
            #buckets_const

            #value_doc
            #[inline(always)]
            pub fn #method(&self, #value_param #labels_param) {
                self.0.record(#value_expr, #labels_arg);
            }
        }

        // `new` and `disabled`, the same for every recorder.
        ::catalog_runtime::recorder!(#rec #boundaries);

        #bind
    }
}

/// `bind(open labels) -> {Recorder}Bound`: every combination of the closed labels resolved once
/// into a dense table indexed by the enums' discriminants (one more slot for an optional label's
/// absence), so that recording is an index and an atomic update. The open labels it fixes come in a
/// struct with named fields, so that two of them cannot be swapped.
fn bind_api(
    shape: &Shape,
    names: &Names,
    instrument_ty: &TokenStream,
    method: &TokenStream,
    value_param: &TokenStream,
    value_expr: &TokenStream,
) -> Option<TokenStream> {
    let slots: usize = shape.labels.iter().map(|l| l.slots().unwrap_or(1)).product();
    if slots > MAX_BOUND_SLOTS {
        return None;
    }
    let rec = ident(&names.recorder);
    let bound = ident(&names.bound_struct);
    // (label, shape) of the closed labels; of the open ones.
    let closed: Vec<(&LabelNames, LabelShape)> =
        names.labels.iter().zip(&shape.labels).filter(|(_, s)| s.is_closed()).map(|(l, s)| (l, *s)).collect();
    let open: Vec<(&LabelNames, LabelShape)> =
        names.labels.iter().zip(&shape.labels).filter(|(_, s)| !s.is_closed()).map(|(l, s)| (l, *s)).collect();
    let (bind_labels, bind_param, bind_fields) = if open.is_empty() {
        (None, None, None)
    } else {
        let bind_ident = ident(&names.bind_labels_struct);
        let fields = open.iter().map(|(l, s)| {
            let f = ident(&l.field);
            let ty = full_field_type(*s, l);
            let d = doc(&l.doc);
            quote! { #d pub #f: #ty, }
        });
        let derives = label_derives(&open.iter().map(|(_, s)| s).collect::<Vec<_>>());
        let sdoc = doc(&names.bind_labels_doc);
        let field_idents = open.iter().map(|(l, _)| ident(&l.field));
        (
            Some(quote! {
                #sdoc
                #derives
                pub struct #bind_ident { #(#fields)* }
            }),
            Some(quote!(, labels: #bind_ident)),
            Some(quote!(let #bind_ident { #(#field_idents),* } = labels;)),
        )
    };
    let closed_params = closed.iter().map(|(l, s)| {
        let f = ident(&l.field);
        let ty = full_field_type(*s, l);
        quote!(#f: #ty)
    });
    // Every label set, the closed labels varying in the catalog's order, the last fastest: loops
    // over the enums' `ALL` (after `None` for an optional one), nested outermost first.
    let labels_ident = ident(&names.labels_struct);
    // Each combination gets its own copy of an open string label (free for a `&'static str`).
    let fields = names.labels.iter().zip(&shape.labels).map(|(l, s)| {
        let f = ident(&l.field);
        if s.kind.owns_text() { quote!(#f: #f.clone()) } else { quote!(#f) }
    });
    let mut fill = if names.labels.is_empty() {
        quote!(table.push(());)
    } else {
        quote!(table.push(#labels_ident { #(#fields),* });)
    };
    for (l, s) in closed.iter().rev() {
        let f = ident(&l.field);
        let e = ident(&l.label_enum);
        fill = if s.optional {
            quote! {
                for #f in ::core::iter::once(::core::option::Option::None)
                    .chain(super::labels::#e::ALL.iter().copied().map(::core::option::Option::Some))
                {
                    #fill
                }
            }
        } else {
            quote!(for &#f in super::labels::#e::ALL { #fill })
        };
    }
    let n = Literal::usize_unsuffixed(slots);
    // index = Σ position_i × (product of the sizes of the labels after i), where an optional
    // label's position is 0 when absent and its discriminant + 1 when present.
    let mut stride = 1usize;
    let mut terms = Vec::new();
    for (l, s) in closed.iter().rev() {
        let f = ident(&l.field);
        let position = if s.optional {
            quote!(match #f { ::core::option::Option::None => 0, ::core::option::Option::Some(v) => v as usize + 1 })
        } else {
            quote!(#f as usize)
        };
        terms.push(if stride == 1 {
            position
        } else {
            let s = Literal::usize_unsuffixed(stride);
            quote!(#position * #s)
        });
        stride *= s.slots().unwrap_or(1);
    }
    let index = if terms.is_empty() { quote!(0) } else { quote!(#(#terms)+*) };
    let bind_doc = doc(&names.bind_doc);
    let bound_doc = doc(&names.bound_doc);
    Some(quote! {
        #bind_labels

        #bound_doc
        #[derive(Clone, Debug)]
        pub struct #bound(::catalog_runtime::instrument::Table<#instrument_ty>);

        impl #rec {
            #bind_doc
            pub fn bind(&self #bind_param) -> #bound {
                #bind_fields
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
