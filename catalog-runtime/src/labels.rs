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
