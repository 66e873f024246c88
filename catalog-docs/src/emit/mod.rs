//! What is generated for people and operators from a checked catalog: the Markdown reference
//! ([`markdown`]), the Prometheus rule file and its unit tests ([`rules`]), the Grafana dashboards
//! ([`grafana`]). Each reads the [`Plan`](crate::plan::Plan) and never another emitter; none fails
//! on user input.

pub mod grafana;
pub mod markdown;
pub mod rules;
