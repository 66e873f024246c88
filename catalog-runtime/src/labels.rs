//! The enums a catalog generates for its closed labels and its gauges' states, implemented once
//! here: the generated code declares each enum with its variants and docs, and calls
//! [`label_enum!`](crate::label_enum) or [`state_enum!`](crate::state_enum) with its tables.
//!
//! A label enum is a [`LabelEnum`]: every allowed value in catalog order (`ALL`), the attribute key
//! it is exported under (`KEY`), each value's text (`as_str`, `Display`), and `FromStr` for text
//! from elsewhere (an unknown text is an [`UnknownValue`] naming the label). A label of integer
//! values also has `value()`, the number its attribute carries. A state enum (a gauge's value map)
//! has `ALL`, `value()` (the number the gauge records) and `name()` (the state as dashboards show
//! it, also its `Display`).

use std::fmt;

/// The enum of a closed label: implemented by [`label_enum!`](crate::label_enum), which also gives
/// the enum the same items as inherent ones, so that no import is needed to use them.
pub trait LabelEnum: Copy + Eq + 'static {
    /// The label's id in the catalog.
    const LABEL: &'static str;
    /// The attribute key the value is exported under.
    const KEY: &'static str;
    /// Every allowed value, in catalog order.
    const ALL: &'static [Self];
    /// The text of each value, in the order of [`LabelEnum::ALL`].
    const VALUES: &'static [&'static str];

    /// The value as text, as Prometheus shows it.
    fn as_str(self) -> &'static str;

    /// The value whose text is `s`.
    fn parse(s: &str) -> Result<Self, UnknownValue> {
        Self::ALL
            .iter()
            .zip(Self::VALUES)
            .find(|(_, text)| **text == s)
            .map(|(value, _)| *value)
            .ok_or_else(|| UnknownValue { label: Self::LABEL, value: s.into() })
    }
}

/// A string that is not an allowed value of a closed label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    /// The label's id in the catalog.
    pub label: &'static str,
    /// The rejected text.
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an allowed value of label `{}`", self.value, self.label)
    }
}

impl std::error::Error for UnknownValue {}

/// A value of an open label: one of the values the catalog knows (`Known`), or any other text
/// (`Other`), as OpenTelemetry's semantic conventions define enums (`error.type` is
/// `timeout`, `_OTHER`, or the name of the exception). [`Open::new`] turns a known text into its
/// `Known` value, so that one value has one form; a `Known` value is exported as its `'static`
/// text, without allocating.
///
/// ```
/// use catalog_runtime::labels::Open;
/// #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
/// pub enum ErrorType { Timeout, Other }
/// catalog_runtime::label_enum!(ErrorType, label = "error_type", key = "error.type", [Timeout = "timeout", Other = "_OTHER"]);
///
/// let known: Open<ErrorType> = ErrorType::Timeout.into();
/// assert_eq!(Open::new("timeout"), known);
/// let other = Open::<ErrorType>::new("java.net.UnknownHostException");
/// assert_eq!((other.as_str(), other.known()), ("java.net.UnknownHostException", None));
/// assert_eq!(opentelemetry::Value::from(other).as_str(), "java.net.UnknownHostException");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Open<E> {
    /// One of the values the catalog lists.
    Known(E),
    /// Any other text.
    Other(opentelemetry::StringValue),
}

impl<E: LabelEnum> Open<E> {
    /// `text` as a value: the known value it spells, else `Other(text)`.
    pub fn new(text: impl Into<opentelemetry::StringValue>) -> Self {
        let text = text.into();
        match E::parse(text.as_str()) {
            Ok(known) => Open::Known(known),
            Err(_) => Open::Other(text),
        }
    }

    /// The value as text, as exported.
    pub fn as_str(&self) -> &str {
        match self {
            Open::Known(e) => e.as_str(),
            Open::Other(s) => s.as_str(),
        }
    }

    /// The known value, if it is one.
    pub fn known(&self) -> Option<E> {
        match self {
            Open::Known(e) => Some(*e),
            Open::Other(_) => None,
        }
    }
}

impl<E: LabelEnum> From<E> for Open<E> {
    fn from(e: E) -> Self {
        Open::Known(e)
    }
}

impl<E: LabelEnum> From<Open<E>> for opentelemetry::Value {
    #[inline]
    fn from(v: Open<E>) -> Self {
        match v {
            Open::Known(e) => opentelemetry::Value::String(e.as_str().into()),
            Open::Other(s) => opentelemetry::Value::String(s),
        }
    }
}

impl<E: LabelEnum> fmt::Display for Open<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<E: LabelEnum> std::str::FromStr for Open<E> {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Open::new(s.to_owned()))
    }
}

/// What every label enum has, from its variants and their values: `ALL`, `KEY` and `as_str`
/// (inherent, and as a [`LabelEnum`]), `Display`, `FromStr`, and `value()` for a label of integer
/// values (each variant's `=> number`). The variants are listed in the enum's order:
///
/// ```
/// #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
/// pub enum Outcome { Ok, Failed }
/// catalog_runtime::label_enum!(Outcome, label = "outcome", key = "outcome", [Ok = "ok", Failed = "failed"]);
/// assert_eq!(Outcome::Failed.as_str(), "failed");
/// assert_eq!("ok".parse::<Outcome>(), Ok(Outcome::Ok));
/// assert_eq!(Outcome::KEY, "outcome");
///
/// #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
/// pub enum Status { V200, V404 }
/// catalog_runtime::label_enum!(Status, label = "status", key = "http.response.status_code", [V200 = "200" => 200, V404 = "404" => 404]);
/// assert_eq!((Status::V404.as_str(), Status::V404.value()), ("404", 404));
/// ```
#[macro_export]
macro_rules! label_enum {
    ($name:ident, label = $label:literal, key = $key:literal, [$($var:ident = $value:literal => $int:expr),* $(,)?]) => {
        $crate::label_enum!($name, label = $label, key = $key, [$($var = $value),*]);

        impl $name {
            /// The value as exported: an integer attribute.
            #[inline]
            pub const fn value(self) -> i64 {
                match self {
                    $(Self::$var => $int,)*
                }
            }
        }
    };
    ($name:ident, label = $label:literal, key = $key:literal, [$($var:ident = $value:literal),* $(,)?]) => {
        impl $crate::labels::LabelEnum for $name {
            const LABEL: &'static str = $label;
            const KEY: &'static str = $key;
            const ALL: &'static [Self] = &[$(Self::$var),*];
            const VALUES: &'static [&'static str] = &[$($value),*];
            #[inline]
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl $name {
            /// Every allowed value, in catalog order.
            pub const ALL: &'static [Self] = <Self as $crate::labels::LabelEnum>::ALL;
            /// The attribute key the value is exported under.
            pub const KEY: &'static str = <Self as $crate::labels::LabelEnum>::KEY;

            /// The value as text, as exported (for a label of integer values, as Prometheus shows
            /// it).
            #[inline]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$var => $value,)*
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::labels::UnknownValue;
            fn from_str(s: &str) -> ::core::result::Result<Self, $crate::labels::UnknownValue> {
                <Self as $crate::labels::LabelEnum>::parse(s)
            }
        }
    };
}

/// What every state enum of a gauge's value map has, from its variants, each with the number the
/// gauge records and the state's name: `ALL`, `value()`, `name()` (as dashboards show it) and
/// `Display` (the name). The variants are listed in the enum's order:
///
/// ```
/// #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
/// pub enum Breaker { Closed, HalfOpen, Open }
/// catalog_runtime::state_enum!(Breaker, [Closed = 0 => "Closed", HalfOpen = 1 => "Half-Open", Open = 2 => "Open"]);
/// assert_eq!((Breaker::HalfOpen.value(), Breaker::HalfOpen.to_string()), (1, "Half-Open".to_owned()));
/// ```
#[macro_export]
macro_rules! state_enum {
    ($name:ident, [$($var:ident = $value:expr => $state:literal),* $(,)?]) => {
        impl $name {
            /// Every state, in catalog order.
            pub const ALL: &'static [Self] = &[$(Self::$var),*];

            /// The number the gauge records for this state.
            #[inline]
            pub const fn value(self) -> i64 {
                match self {
                    $(Self::$var => $value,)*
                }
            }

            /// The state's name, as dashboards show it.
            #[inline]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$var => $state,)*
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::{LabelEnum, UnknownValue};

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    enum Code {
        Ok,
        NotFound,
    }

    crate::label_enum!(Code, label = "status_code", key = "http.response.status_code", [Ok = "200" => 200, NotFound = "404" => 404]);

    #[test]
    fn a_label_enum_from_its_tables() {
        assert_eq!(Code::ALL, [Code::Ok, Code::NotFound]);
        assert_eq!((Code::NotFound.as_str(), Code::NotFound.value()), ("404", 404));
        assert_eq!(Code::KEY, "http.response.status_code");
        assert_eq!(<Code as LabelEnum>::LABEL, "status_code");
        assert_eq!("200".parse::<Code>(), Ok(Code::Ok));
        let unknown = "500".parse::<Code>().unwrap_err();
        assert_eq!(unknown, UnknownValue { label: "status_code", value: "500".into() });
        assert_eq!(unknown.to_string(), "`500` is not an allowed value of label `status_code`");
        assert_eq!(format!("{}", Code::Ok), "200");
    }
}
