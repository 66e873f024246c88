//! Stage 3: what is generated from a checked catalog. Emitters never see YAML and never fail on
//! user input.

pub mod grafana;
pub mod markdown;
pub mod rules;
pub mod rust;
