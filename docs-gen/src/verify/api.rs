//! A client for the two endpoints of Prometheus's HTTP API that `docs-gen verify` needs: instant
//! queries (`POST /api/v1/query`, evaluated at the current time) and the server's version
//! (`GET /api/v1/status/buildinfo`).
//!
//! Plain HTTP, blocking, bounded by timeouts. A transport failure (refused, timed out) is
//! [`Unreachable`]; an HTTP or PromQL error is the query's result, with Prometheus's own text.

use serde::Deserialize;
use std::fmt;

/// The server could not be talked to at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable(pub String);

impl fmt::Display for Unreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an instant query returned: one value per series (the last one for a range vector; the
/// scalar itself for a scalar), or Prometheus's error (`errorType: error`).
pub type QueryResponse = Result<Vec<f64>, String>;

pub struct PrometheusApi {
    base: String,
    agent: ureq::Agent,
}

/// The envelope of every API answer.
#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct QueryData {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

/// The longest answer read: a query returning more is reported as an error, not read into memory.
const MAX_BODY: u64 = 64 * 1024 * 1024;

impl PrometheusApi {
    /// A client for the server at `base` (`http://127.0.0.1:9090`, or with a path prefix).
    pub fn new(base: &str) -> PrometheusApi {
        PrometheusApi { base: base.trim_end_matches('/').to_owned(), agent: crate::http::agent() }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The server's version (`2.42.0`).
    pub fn version(&self) -> Result<String, Unreachable> {
        let url = format!("{}/api/v1/status/buildinfo", self.base);
        let not_prometheus = |why: String| Unreachable(format!("GET {url}: {why}; is this a Prometheus server?"));
        let mut response = self.agent.get(&url).call().map_err(|e| Unreachable(format!("GET {url}: {e}")))?;
        let status = response.status();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| Unreachable(format!("GET {url}: {e}")))?;
        let envelope: Envelope =
            serde_json::from_str(&body).map_err(|_| not_prometheus(format!("HTTP {status}, {}", excerpt(&body))))?;
        envelope
            .data
            .as_ref()
            .filter(|_| envelope.status == "success")
            .and_then(|d| d.get("version"))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or_else(|| not_prometheus(format!("HTTP {status}, no version in {}", excerpt(&body))))
    }

    /// Runs `expr` as an instant query at the current time.
    pub fn query(&self, expr: &str) -> Result<QueryResponse, Unreachable> {
        let url = format!("{}/api/v1/query", self.base);
        let mut response =
            self.agent.post(&url).send_form([("query", expr)]).map_err(|e| Unreachable(format!("POST {url}: {e}")))?;
        let status = response.status();
        let body = match response.body_mut().with_config().limit(MAX_BODY).read_to_string() {
            Ok(body) => body,
            Err(e @ ureq::Error::BodyExceedsLimit(_)) => return Ok(Err(e.to_string())),
            Err(e) => return Err(Unreachable(format!("POST {url}: {e}"))),
        };
        Ok(parse_query_answer(status.as_u16(), &body))
    }
}

/// Reads an answer of `/api/v1/query`.
pub fn parse_query_answer(status: u16, body: &str) -> QueryResponse {
    let Ok(envelope) = serde_json::from_str::<Envelope>(body) else {
        return Err(format!("HTTP {status}: {}", excerpt(body)));
    };
    if envelope.status != "success" {
        let error = envelope.error.unwrap_or_else(|| format!("HTTP {status}"));
        return Err(match envelope.error_type {
            Some(t) => format!("{t}: {error}"),
            None => error,
        });
    }
    let data: QueryData = envelope
        .data
        .and_then(|d| serde_json::from_value(d).ok())
        .ok_or_else(|| format!("HTTP {status}: no result in {}", excerpt(body)))?;
    let sample = |pair: &serde_json::Value| pair.get(1).and_then(|v| v.as_str()).map_or(f64::NAN, parse_value);
    match (data.result_type.as_str(), &data.result) {
        ("vector", serde_json::Value::Array(series)) => {
            Ok(series.iter().map(|s| s.get("value").map_or(f64::NAN, sample)).collect())
        }
        ("matrix", serde_json::Value::Array(series)) => Ok(series
            .iter()
            .map(|s| s.get("values").and_then(|v| v.as_array()).and_then(|v| v.last()).map_or(f64::NAN, sample))
            .collect()),
        ("scalar" | "string", pair) => Ok(vec![sample(pair)]),
        (other, _) => Err(format!("unexpected result type `{other}`")),
    }
}

/// A sample value as Prometheus writes it: `3`, `0.25`, `NaN`, `+Inf`, `-Inf`.
fn parse_value(text: &str) -> f64 {
    match text {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => text.parse().unwrap_or(f64::NAN),
    }
}

/// The start of a body, on one line, for error messages.
fn excerpt(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None if line.is_empty() => "an empty body".to_owned(),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vectors_matrices_scalars_and_errors() {
        let vector = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"outcome":"ok"},"value":[1700000000.1,"3"]},
            {"metric":{"outcome":"failed"},"value":[1700000000.1,"+Inf"]}]}}"#;
        assert_eq!(parse_query_answer(200, vector), Ok(vec![3.0, f64::INFINITY]));
        let empty = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert_eq!(parse_query_answer(200, empty), Ok(vec![]));
        let matrix = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1,"1"],[2,"2.5"]]}]}}"#;
        assert_eq!(parse_query_answer(200, matrix), Ok(vec![2.5]));
        let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1,"0.5"]}}"#;
        assert_eq!(parse_query_answer(200, scalar), Ok(vec![0.5]));
        let error = r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"}"#;
        assert_eq!(parse_query_answer(400, error), Err("bad_data: 1:5: parse error: unexpected".into()));
        assert_eq!(parse_query_answer(404, "404 page not found\n"), Err("HTTP 404: 404 page not found".into()));
        assert_eq!(parse_query_answer(502, ""), Err("HTTP 502: an empty body".into()));
    }

    #[test]
    fn nan_samples_stay_nan() {
        let vector =
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}"#;
        assert!(parse_query_answer(200, vector).unwrap()[0].is_nan());
    }
}
