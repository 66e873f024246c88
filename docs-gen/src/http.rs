//! The HTTP client of every docs-gen command that talks to a server (`verify`, `live-check
//! --scrape`): one configuration, bounded in time.

use std::time::Duration;

/// The HTTP client of every docs-gen command that talks to a server (`verify`, `live-check
/// --scrape`): bounded in time, HTTP errors as answers rather than transport errors.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_global(Some(Duration::from_secs(120)))
        .user_agent(concat!("docs-gen/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}
