//! The Prometheus registry (prometheus-client): requests by route, method and
//! status, a latency histogram per route, the database pool's use, and the
//! delivery engine's metrics.
//! Every label has a bounded set of values whatever clients send: routes are
//! the router's templates (or `(unmatched)`), methods outside the standard
//! set are `OTHER`, statuses are three digits.

use std::time::Duration;

use axum::http::Method;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::server::delivery::DeliveryMetrics;

/// The exposition's media type (OpenMetrics text, which Prometheus reads).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// A request's method as a label and in the log: one of HTTP's standard
/// methods, or `OTHER` (HTTP allows any token as a method).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(clippy::upper_case_acronyms)]
pub enum MethodLabel {
    GET,
    HEAD,
    POST,
    PUT,
    PATCH,
    DELETE,
    OPTIONS,
    TRACE,
    CONNECT,
    OTHER,
}

impl MethodLabel {
    pub fn of(method: &Method) -> Self {
        match *method {
            Method::GET => MethodLabel::GET,
            Method::HEAD => MethodLabel::HEAD,
            Method::POST => MethodLabel::POST,
            Method::PUT => MethodLabel::PUT,
            Method::PATCH => MethodLabel::PATCH,
            Method::DELETE => MethodLabel::DELETE,
            Method::OPTIONS => MethodLabel::OPTIONS,
            Method::TRACE => MethodLabel::TRACE,
            Method::CONNECT => MethodLabel::CONNECT,
            _ => MethodLabel::OTHER,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    route: String,
    method: MethodLabel,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ByRoute {
    route: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    answered: Family<Answered, Counter>,
    latency: Family<ByRoute, Histogram, fn() -> Histogram>,
    connections_in_use: Gauge,
    connections_max: Gauge,
    /// The delivery engine's, in the same registry.
    pub deliveries: DeliveryMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let answered = Family::<Answered, Counter>::default();
        registry.register(
            "webhook_admin_http_requests",
            "HTTP requests answered, by route, method and status",
            answered.clone(),
        );
        let latency = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "webhook_admin_http_request_duration_seconds",
            "Time to answer a request (headers ready), by route",
            latency.clone(),
        );
        let connections_in_use = Gauge::default();
        registry.register(
            "webhook_admin_db_connections_in_use",
            "Database connections handed out now",
            connections_in_use.clone(),
        );
        let connections_max = Gauge::default();
        registry.register(
            "webhook_admin_db_connections_max",
            "The database pool's size limit",
            connections_max.clone(),
        );
        let deliveries = DeliveryMetrics::default();
        deliveries.register(&mut registry);
        Metrics {
            registry,
            answered,
            latency,
            connections_in_use,
            connections_max,
            deliveries,
        }
    }
}

impl Metrics {
    /// Counts one answered request. `route` is the router's template for it.
    pub fn record(&self, route: &str, method: MethodLabel, status: u16, elapsed: Duration) {
        self.answered
            .get_or_create(&Answered {
                route: route.to_owned(),
                method,
                status,
            })
            .inc();
        self.latency
            .get_or_create(&ByRoute {
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Everything recorded, and the database pool's `(in use, max)`
    /// connections, in the OpenMetrics text format ([`CONTENT_TYPE`]).
    pub fn render(&self, (in_use, max): (u32, u32)) -> String {
        self.connections_in_use.set(i64::from(in_use));
        self.connections_max.set(i64::from(max));
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// One sample line of the text format: its name, labels and value.
    fn parse_sample(line: &str) -> (String, HashMap<String, String>, f64) {
        let (series, value) = line.rsplit_once(' ').expect("a value after the series");
        let value = match value {
            "+Inf" => f64::INFINITY,
            value => value
                .parse()
                .unwrap_or_else(|_| panic!("bad value in {line}")),
        };
        let Some((name, labels)) = series.split_once('{') else {
            return (series.to_owned(), HashMap::new(), value);
        };
        let labels = labels.strip_suffix('}').expect("labels end with }");
        let mut parsed = HashMap::new();
        let mut rest = labels;
        while !rest.is_empty() {
            let (key, after) = rest.split_once("=\"").expect("key=\"value\"");
            let mut value = String::new();
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next().expect("a closing quote") {
                    (_, '\\') => match chars.next().expect("an escaped character").1 {
                        'n' => value.push('\n'),
                        other => value.push(other),
                    },
                    (at, '"') => break at,
                    (_, c) => value.push(c),
                }
            };
            parsed.insert(key.to_owned(), value);
            rest = after[end + 1..].trim_start_matches(',');
        }
        (name.to_owned(), parsed, value)
    }

    /// Every sample of an exposition, checking its shape on the way.
    fn samples(text: &str) -> Vec<(String, HashMap<String, String>, f64)> {
        assert!(text.ends_with("# EOF\n"), "{text}");
        text.lines()
            .filter(|line| !line.starts_with('#'))
            .map(parse_sample)
            .collect()
    }

    fn value_of(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        samples(text).into_iter().find_map(|(n, l, v)| {
            (n == name
                && l.len() == labels.len()
                && labels
                    .iter()
                    .all(|(k, want)| l.get(*k).map(String::as_str) == Some(*want)))
            .then_some(v)
        })
    }

    #[test]
    fn renders_counts_cumulative_buckets_and_the_pool() {
        let metrics = Metrics::default();
        let route = "/api/v2/webhooks/{id}/";
        metrics.record(route, MethodLabel::GET, 200, Duration::from_micros(800));
        metrics.record(route, MethodLabel::GET, 200, Duration::from_millis(20));
        metrics.record(route, MethodLabel::PATCH, 400, Duration::from_secs(30));
        metrics.record(
            "a \"quoted\"\\ route\n",
            MethodLabel::OTHER,
            404,
            Duration::ZERO,
        );
        let text = metrics.render((3, 8));
        let requests = "webhook_admin_http_requests_total";
        let with = |method, status| [("route", route), ("method", method), ("status", status)];
        assert_eq!(value_of(&text, requests, &with("GET", "200")), Some(2.0));
        assert_eq!(value_of(&text, requests, &with("PATCH", "400")), Some(1.0));
        let odd = [
            ("route", "a \"quoted\"\\ route\n"),
            ("method", "OTHER"),
            ("status", "404"),
        ];
        assert_eq!(value_of(&text, requests, &odd), Some(1.0));
        let bucket = "webhook_admin_http_request_duration_seconds_bucket";
        for (le, count) in [
            ("0.001", 1.0),
            ("0.01", 1.0),
            ("0.025", 2.0),
            ("10.0", 2.0),
            ("+Inf", 3.0),
        ] {
            assert_eq!(
                value_of(&text, bucket, &[("route", route), ("le", le)]),
                Some(count),
                "le={le} in\n{text}"
            );
        }
        let count = "webhook_admin_http_request_duration_seconds_count";
        assert_eq!(value_of(&text, count, &[("route", route)]), Some(3.0));
        assert_eq!(
            value_of(&text, "webhook_admin_db_connections_in_use", &[]),
            Some(3.0)
        );
        assert_eq!(
            value_of(&text, "webhook_admin_db_connections_max", &[]),
            Some(8.0)
        );
    }

    #[test]
    fn methods_outside_the_standard_set_are_one_label() {
        for (raw, label) in [
            ("GET", MethodLabel::GET),
            ("DELETE", MethodLabel::DELETE),
            ("get", MethodLabel::OTHER),
            ("PROPFIND", MethodLabel::OTHER),
            ("X-60-KB-OF-NOTHING", MethodLabel::OTHER),
        ] {
            assert_eq!(
                MethodLabel::of(&Method::from_bytes(raw.as_bytes()).unwrap()),
                label
            );
        }
    }
}
