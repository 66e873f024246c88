//! What the writer writes, the reader reads back exactly: families of the types the runtime writes
//! (counter, gauge, histogram) and the unknown type, in both formats, with hostile label values and
//! help text, and every kind of float. The expected events are derived here from the formats' rules,
//! not from the crate's own name table, so that the writer's names are checked too.
//!
//! 256 cases by default (proptest's); `PROPTEST_CASES=10000` runs more.

use prometheus_exposition::{Event, FamilyType, Format, Labels, Writer, read};
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

#[derive(Debug, Clone)]
enum Point {
    Value(Value),
    Histogram { buckets: Vec<(f64, u64)>, sum: f64, count: u64 },
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

/// A histogram's point: sorted finite bounds (any, `-0` and subnormals included) with cumulative
/// counts, and the `+Inf` bucket.
fn histogram() -> impl Strategy<Value = Point> {
    (proptest::collection::vec((float().prop_filter("finite", |f| f.is_finite()), 0..1000u64), 0..6), float()).prop_map(
        |(mut buckets, sum)| {
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            buckets.dedup_by(|a, b| a.0 == b.0);
            let mut cumulative = 0;
            let mut buckets: Vec<(f64, u64)> = buckets
                .into_iter()
                .map(|(le, n)| {
                    cumulative += n;
                    (le, cumulative)
                })
                .collect();
            buckets.push((f64::INFINITY, cumulative + 1));
            Point::Histogram { buckets, sum, count: cumulative + 1 }
        },
    )
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
            _ => value().prop_map(Point::Value).boxed(),
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
    /// Name, labels, the value's bits, and whether the line had a timestamp.
    Sample(String, Vec<(String, String)>, u64, bool),
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
                Point::Value(v) => out.push(Seen::Sample(value_name.clone(), labels.clone(), bits(v.as_f64()), false)),
                Point::Histogram { buckets, sum, count } => {
                    for (bound, cumulative) in buckets {
                        let mut with_le = labels.clone();
                        with_le.push(("le".into(), format!("{:x}", bits(*bound))));
                        out.push(Seen::Sample(format!("{family}_bucket"), with_le, bits(*cumulative as f64), false));
                    }
                    out.push(Seen::Sample(format!("{family}_sum"), labels.clone(), bits(*sum), false));
                    out.push(Seen::Sample(format!("{family}_count"), labels.clone(), bits(*count as f64), false));
                }
            }
        }
    }
    out
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
                Point::Value(Value::U64(v)) => w.sample(&written, *v),
                Point::Value(Value::I64(v)) => w.sample(&written, *v),
                Point::Value(Value::F64(v)) => w.sample(&written, *v),
                Point::Histogram { buckets, sum, count } => {
                    w.histogram(&written, buckets.iter().copied(), *sum, *count)
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
                    Seen::Sample(s.name.into(), labels, bits(s.value), s.timestamp.is_some())
                }
            }));
            prop_assert!(read.is_ok(), "{:?}: {:?}\n{}", format, read, text);
            prop_assert_eq!(&seen, &expected(&families, format), "{:?}:\n{}", format, text);
            prop_assert_eq!(text.ends_with("# EOF\n"), format == Format::OpenMetrics);
        }
    }
}
