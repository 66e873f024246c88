//! Stages 1 and 2: the catalog read from YAML ([`parse`], with [`source`] locations), resolved into
//! the validated [`model`], every rule checked ([`check`]), every error located and worded by
//! [`diag`]. [`load`] runs them.

pub mod check;
pub mod diag;
pub mod load;
pub mod model;
pub mod parse;
pub mod source;
