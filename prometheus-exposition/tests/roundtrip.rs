//! What the writer writes, the reader reads back exactly: families of the types the runtime writes
//! (counter, gauge, histogram) and the unknown type, in both formats, with hostile label values and
//! help text, every kind of float, and exemplars offered on every point (read back only where
//! OpenMetrics allows them). The expected events are derived here from the formats' rules, not from
//! the crate's own name table, so that the writer's names are checked too.
//!
//! 256 cases by default (proptest's); `PROPTEST_CASES=10000` runs more.

use prometheus_exposition::{Event, Exemplar, ExemplarTooLong, FamilyType, Format, Labels, Writer, read};
use proptest::prelude::*;

/// A sample value as one of the writer's number types holds it.
#[derive(Debug, Clone, Copy)]
enum Value {
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Value {
    fn as_f64(self) -> f64 {
        match self {
            Value::U64(v) => v as f64,
            Value::I64(v) => v as f64,
            Value::F64(v) => v,
        }
    }
}

/// An exemplar offered to the writer: labels (a name may repeat, the codec keeps their order),
/// value, timestamp in seconds.
#[derive(Debug, Clone)]
struct Ex {
    labels: Vec<(String, String)>,
    value: f64,
    timestamp: Option<f64>,
}

impl Ex {
    /// OpenMetrics' measure of an exemplar's labels: the chars of their names and values.
    fn chars(&self) -> usize {
        self.labels.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum()
    }
}

#[derive(Debug, Clone)]
enum Point {
    Value(Value, Option<Ex>),
    Histogram { buckets: Vec<(f64, u64, Option<Ex>)>, sum: f64, count: u64 },
}

#[derive(Debug, Clone)]
struct Family {
    name: String,
    ty: FamilyType,
    help: String,
    points: Vec<(Vec<(String, String)>, Point)>,
}

/// Text that breaks a careless writer or reader.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(String::new()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just("\n".to_owned()),
        Just("\\n".to_owned()),
        Just("\\\"".to_owned()),
        Just("\r".to_owned()),
        Just("\t".to_owned()),
        Just(" ".to_owned()),
        Just("#".to_owned()),
        Just("# EOF".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("=".to_owned()),
        Just(",".to_owned()),
        Just("le=\"1\"} 2".to_owned()),
        Just("é ✓ 日本 \u{1F600} \u{2028} \u{0}".to_owned()),
        "[a-z]{1,8}",
        any::<String>(),
    ];
    prop_oneof![
        12 => proptest::collection::vec(piece.clone(), 0..6).prop_map(|p| p.concat()),
        1 => proptest::collection::vec(piece, 40..80).prop_map(|p| p.concat()),
    ]
}

/// Floats of every class, the awkward ones often.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(f64::MIN_POSITIVE),
        Just(5e-324),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(1e21),
        Just(0.1),
        any::<f64>(),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![any::<u64>().prop_map(Value::U64), any::<i64>().prop_map(Value::I64), float().prop_map(Value::F64),]
}

/// Maybe an exemplar: hostile label values, often too long (refused by `Exemplar::new`, so
/// written without), every kind of float as its value and timestamp (one that is not finite is
/// written without a timestamp).
fn exemplar() -> impl Strategy<Value = Option<Ex>> {
    let labels = proptest::collection::vec(("[a-zA-Z_][a-zA-Z0-9_]{0,8}", hostile()), 0..3);
    let timestamp = prop_oneof![Just(1_700_000_000.123), float()];
    proptest::option::of((labels, float(), proptest::option::of(timestamp)))
        .prop_map(|e| e.map(|(labels, value, timestamp)| Ex { labels, value, timestamp }))
}

/// A histogram's point: sorted finite bounds (any, `-0` and subnormals included) with cumulative
/// counts and maybe an exemplar, and the `+Inf` bucket. (An exemplar's value is not held to its
/// bucket: the writer leaves that to its caller, and the codec carries any value.)
fn histogram() -> impl Strategy<Value = Point> {
    let bucket = (float().prop_filter("finite", |f| f.is_finite()), 0..1000u64, exemplar());
    (proptest::collection::vec(bucket, 0..6), exemplar(), float()).prop_map(|(mut buckets, last, sum)| {
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        buckets.dedup_by(|a, b| a.0 == b.0);
        let mut cumulative = 0;
        let mut buckets: Vec<(f64, u64, Option<Ex>)> = buckets
            .into_iter()
            .map(|(le, n, exemplar)| {
                cumulative += n;
                (le, cumulative, exemplar)
            })
            .collect();
        buckets.push((f64::INFINITY, cumulative + 1, last));
        Point::Histogram { buckets, sum, count: cumulative + 1 }
    })
}

/// Labels with distinct names (never `le`, which the writer adds to buckets).
fn labels() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_]{0,6}", hostile(), 0..4)
        .prop_map(|m| m.into_iter().filter(|(k, _)| k != "le").collect())
}

fn family() -> impl Strategy<Value = Family> {
    let ty = prop_oneof![
        Just(FamilyType::Counter),
        Just(FamilyType::Gauge),
        Just(FamilyType::Histogram),
        Just(FamilyType::Unknown)
    ];
    (ty, "[a-zA-Z_:][a-zA-Z0-9_:]{0,12}", any::<bool>(), hostile()).prop_flat_map(|(ty, name, total, help)| {
        // The runtime's counters end in `_total`; a counter without it is exposed too.
        let name = if ty == FamilyType::Counter && total { format!("{name}_total") } else { name };
        let point = match ty {
            FamilyType::Histogram => histogram().boxed(),
            _ => (value(), exemplar()).prop_map(|(v, e)| Point::Value(v, e)).boxed(),
        };
        proptest::collection::vec((labels(), point), 0..4).prop_map(move |points| Family {
            name: name.clone(),
            ty,
            help: help.clone(),
            points,
        })
    })
}

/// An event as the reader reports it, owned; numbers as their bits (every NaN alike).
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Help(String, String),
    Type(String, String),
    Unit(String, String),
    /// Name, labels, the value's bits, whether the line had a timestamp, and its exemplar.
    Sample(String, Vec<(String, String)>, u64, bool, Option<SeenExemplar>),
}

/// An exemplar as read: labels, the value's bits, the timestamp's bits.
type SeenExemplar = (Vec<(String, String)>, u64, Option<u64>);

/// What the reader must report of `exemplar` on a line that may have one in `format`: OpenMetrics
/// only, labels of at most 128 chars (the writer is never given longer ones), a timestamp only if
/// finite.
fn seen_exemplar(exemplar: &Option<Ex>, format: Format, allowed: bool) -> Option<SeenExemplar> {
    let e = exemplar.as_ref().filter(|e| format == Format::OpenMetrics && allowed && e.chars() <= 128)?;
    Some((e.labels.clone(), bits(e.value), e.timestamp.filter(|t| t.is_finite()).map(bits)))
}

fn bits(v: f64) -> u64 {
    if v.is_nan() { f64::NAN.to_bits() } else { v.to_bits() }
}

/// A bucket's `le` as the bits of the float it denotes, so that `1e21` and `1000000000000000000000`
/// are equal.
fn le(labels: &mut [(String, String)]) {
    for (k, v) in labels {
        if k == "le" {
            *v = format!("{:x}", v.parse::<f64>().map_or(u64::MAX, bits));
        }
    }
}

/// What the reader must report for `families` in `format`, from the formats' rules.
fn expected(families: &[Family], format: Format) -> Vec<Seen> {
    let mut out = Vec::new();
    for f in families {
        let (family, kind, value_name) = match (f.ty, format) {
            (FamilyType::Counter, Format::OpenMetrics) => {
                let base = f.name.strip_suffix("_total").unwrap_or(&f.name).to_owned();
                (base.clone(), "counter", format!("{base}_total"))
            }
            (FamilyType::Counter, Format::Text) => (f.name.clone(), "counter", f.name.clone()),
            (FamilyType::Gauge, _) => (f.name.clone(), "gauge", f.name.clone()),
            (FamilyType::Histogram, _) => (f.name.clone(), "histogram", f.name.clone()),
            (_, Format::Text) => (f.name.clone(), "untyped", f.name.clone()),
            (_, Format::OpenMetrics) => (f.name.clone(), "unknown", f.name.clone()),
        };
        if !f.help.is_empty() {
            out.push(Seen::Help(family.clone(), f.help.clone()));
        }
        out.push(Seen::Type(family.clone(), kind.into()));
        for (labels, point) in &f.points {
            match point {
                Point::Value(v, exemplar) => {
                    // OpenMetrics: only a counter's `_total` line has an exemplar.
                    let exemplar = seen_exemplar(exemplar, format, f.ty == FamilyType::Counter);
                    out.push(Seen::Sample(value_name.clone(), labels.clone(), bits(v.as_f64()), false, exemplar))
                }
                Point::Histogram { buckets, sum, count } => {
                    for (bound, cumulative, exemplar) in buckets {
                        let mut with_le = labels.clone();
                        with_le.push(("le".into(), format!("{:x}", bits(*bound))));
                        let exemplar = seen_exemplar(exemplar, format, true);
                        let cumulative = bits(*cumulative as f64);
                        out.push(Seen::Sample(format!("{family}_bucket"), with_le, cumulative, false, exemplar));
                    }
                    out.push(Seen::Sample(format!("{family}_sum"), labels.clone(), bits(*sum), false, None));
                    out.push(Seen::Sample(format!("{family}_count"), labels.clone(), bits(*count as f64), false, None));
                }
            }
        }
    }
    out
}

/// Labels as the writer takes them.
fn labels_of(pairs: &[(String, String)]) -> Labels {
    let mut labels = Labels::new();
    for (k, v) in pairs {
        labels.push(k, v);
    }
    labels
}

/// `Exemplar::new`'s answer for `e`'s labels, checked against OpenMetrics' limit.
fn exemplar_of<'a>(e: &Ex, labels: &'a Labels) -> Option<Exemplar<'a>> {
    assert_eq!(labels.chars(), e.chars(), "{e:?}");
    match Exemplar::new(labels, e.value, e.timestamp) {
        Ok(exemplar) => Some(exemplar),
        Err(ExemplarTooLong { chars }) => {
            assert!(chars > 128 && chars == e.chars(), "{chars}: {e:?}");
            None
        }
    }
}

fn write(families: &[Family], format: Format) -> String {
    let mut out = Vec::new();
    let mut w = Writer::new(&mut out, format);
    let mut written = Labels::new();
    for f in families {
        w.family(&f.name, f.ty, &f.help);
        for (labels, point) in &f.points {
            written.clear();
            for (k, v) in labels {
                written.push(k, v);
            }
            match point {
                Point::Value(v, e) => {
                    let e_labels = e.as_ref().map(|e| labels_of(&e.labels));
                    let exemplar = e.as_ref().zip(e_labels.as_ref()).and_then(|(e, l)| exemplar_of(e, l));
                    // No exemplar goes through `sample`, the form the runtime's other calls use.
                    match (*v, exemplar) {
                        (Value::U64(v), None) => w.sample(&written, v),
                        (Value::I64(v), None) => w.sample(&written, v),
                        (Value::F64(v), None) => w.sample(&written, v),
                        (Value::U64(v), e) => w.sample_with_exemplar(&written, v, e),
                        (Value::I64(v), e) => w.sample_with_exemplar(&written, v, e),
                        (Value::F64(v), e) => w.sample_with_exemplar(&written, v, e),
                    }
                }
                Point::Histogram { buckets, sum, count } if buckets.iter().all(|b| b.2.is_none()) => {
                    w.histogram(&written, buckets.iter().map(|b| (b.0, b.1)), *sum, *count)
                }
                Point::Histogram { buckets, sum, count } => {
                    let e_labels: Vec<Option<Labels>> =
                        buckets.iter().map(|b| b.2.as_ref().map(|e| labels_of(&e.labels))).collect();
                    let buckets = buckets.iter().zip(&e_labels).map(|((le, cumulative, e), l)| {
                        (*le, *cumulative, e.as_ref().zip(l.as_ref()).and_then(|(e, l)| exemplar_of(e, l)))
                    });
                    w.histogram_with_exemplars(&written, buckets, *sum, *count)
                }
            }
        }
    }
    w.finish();
    String::from_utf8(out).expect("the writer writes UTF-8")
}

proptest! {
    #[test]
    fn what_is_written_is_read_back_exactly(families in proptest::collection::vec(family(), 0..5)) {
        for format in Format::ALL {
            let text = write(&families, format);
            let mut seen = Vec::new();
            let read = read(&text, |event| seen.push(match event {
                Event::Help { name, text, .. } => Seen::Help(name.into(), text.into_owned()),
                Event::Type { name, kind, .. } => Seen::Type(name.into(), kind.into()),
                Event::Unit { name, unit, .. } => Seen::Unit(name.into(), unit.into()),
                Event::Sample(s) => {
                    let mut labels: Vec<(String, String)> =
                        s.labels.into_iter().map(|(k, v)| (k.to_owned(), v.into_owned())).collect();
                    le(&mut labels);
                    let exemplar = s.exemplar.map(|e| {
                        let labels = e.labels.into_iter().map(|(k, v)| (k.to_owned(), v.into_owned())).collect();
                        (labels, bits(e.value), e.timestamp.map(bits))
                    });
                    Seen::Sample(s.name.into(), labels, bits(s.value), s.timestamp.is_some(), exemplar)
                }
            }));
            prop_assert!(read.is_ok(), "{:?}: {:?}\n{}", format, read, text);
            prop_assert_eq!(&seen, &expected(&families, format), "{:?}:\n{}", format, text);
            prop_assert_eq!(text.ends_with("# EOF\n"), format == Format::OpenMetrics);
        }
    }
}
