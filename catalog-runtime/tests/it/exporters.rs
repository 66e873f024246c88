//! An exporter whose cargo feature this build lacks is never skipped: a configuration built in
//! code (telemetry.toml refuses it when it is read) makes `Telemetry::init` fail, naming the
//! feature, before anything starts. The default build has no `otlp`.

use crate::common::Demo;
use catalog_runtime::config::Exporter;
use catalog_runtime::{Telemetry, TelemetryConfig, TelemetryError};

#[test]
fn init_refuses_an_exporter_that_is_not_compiled_in() {
    let mut config = TelemetryConfig::default();
    config.exporters = vec![Exporter::Prometheus, Exporter::Otlp];
    let err = Telemetry::<Demo>::init(&config).err().expect("init refuses otlp");
    assert!(matches!(err, TelemetryError::NotCompiled(Exporter::Otlp)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "`otlp` is not compiled into this program: enable the cargo feature `otlp` of catalog-runtime \
         (catalog-runtime = { features = [\"otlp\"] }), or remove it from the configuration's exporters"
    );
}
