//! A small Prometheus registry: requests by route, method and status, a
//! latency histogram per route, and the database pool's use. Kept in one
//! mutex: a few map updates per request cost far less than the request.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::Method;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default)]
pub struct Metrics {
    routes: Mutex<HashMap<String, RouteStats>>,
}

#[derive(Debug, Default)]
struct RouteStats {
    answered: HashMap<(Method, u16), u64>,
    /// Requests at or under each bound (not cumulative until rendered).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    seconds: f64,
}

impl Metrics {
    pub fn record(&self, route: &str, method: &Method, status: u16, elapsed: Duration) {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        if !routes.contains_key(route) {
            routes.insert(route.to_owned(), RouteStats::default());
        }
        let stats = routes.get_mut(route).expect("inserted above");
        *stats.answered.entry((method.clone(), status)).or_default() += 1;
        let seconds = elapsed.as_secs_f64();
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            stats.buckets[bucket] += 1;
        }
        stats.count += 1;
        stats.seconds += seconds;
    }

    /// Everything recorded, and the database pool's `(in use, max)`
    /// connections, in Prometheus' text exposition format.
    pub fn render(&self, (in_use, max): (u32, u32)) -> String {
        // Sorted, so the output is stable from one scrape to the next.
        let snapshot: BTreeMap<String, Snapshot> = {
            let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
            routes
                .iter()
                .map(|(route, stats)| (route.clone(), Snapshot::of(stats)))
                .collect()
        };
        let mut out = String::new();
        out.push_str(
            "# HELP webhook_admin_http_requests_total HTTP requests answered, by route, method and status.\n\
             # TYPE webhook_admin_http_requests_total counter\n",
        );
        for (route, stats) in &snapshot {
            for ((method, status), count) in &stats.answered {
                let _ = writeln!(
                    out,
                    "webhook_admin_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {count}",
                    escape(route),
                    escape(method)
                );
            }
        }
        out.push_str(
            "# HELP webhook_admin_http_request_duration_seconds Time to answer a request (headers ready), by route.\n\
             # TYPE webhook_admin_http_request_duration_seconds histogram\n",
        );
        for (route, stats) in &snapshot {
            let route = escape(route);
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(stats.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "webhook_admin_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "webhook_admin_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}\n\
                 webhook_admin_http_request_duration_seconds_sum{{route=\"{route}\"}} {seconds}\n\
                 webhook_admin_http_request_duration_seconds_count{{route=\"{route}\"}} {count}",
                count = stats.count,
                seconds = stats.seconds,
            );
        }
        let _ = write!(
            out,
            "# HELP webhook_admin_db_connections_in_use Database connections handed out now.\n\
             # TYPE webhook_admin_db_connections_in_use gauge\n\
             webhook_admin_db_connections_in_use {in_use}\n\
             # HELP webhook_admin_db_connections_max The database pool's size limit.\n\
             # TYPE webhook_admin_db_connections_max gauge\n\
             webhook_admin_db_connections_max {max}\n"
        );
        out
    }
}

struct Snapshot {
    answered: BTreeMap<(String, u16), u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    seconds: f64,
}

impl Snapshot {
    fn of(stats: &RouteStats) -> Snapshot {
        Snapshot {
            answered: stats
                .answered
                .iter()
                .map(|((method, status), count)| ((method.to_string(), *status), *count))
                .collect(),
            buckets: stats.buckets,
            count: stats.count,
            seconds: stats.seconds,
        }
    }
}

/// A label value as the exposition format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_cumulative_buckets_and_the_pool() {
        let metrics = Metrics::default();
        let route = "/api/v2/webhooks/{id}/";
        metrics.record(route, &Method::GET, 200, Duration::from_micros(800));
        metrics.record(route, &Method::GET, 200, Duration::from_millis(20));
        metrics.record(route, &Method::PATCH, 400, Duration::from_secs(30));
        let text = metrics.render((3, 8));
        for line in [
            r#"webhook_admin_http_requests_total{route="/api/v2/webhooks/{id}/",method="GET",status="200"} 2"#,
            r#"webhook_admin_http_requests_total{route="/api/v2/webhooks/{id}/",method="PATCH",status="400"} 1"#,
            r#"webhook_admin_http_request_duration_seconds_bucket{route="/api/v2/webhooks/{id}/",le="0.001"} 1"#,
            r#"webhook_admin_http_request_duration_seconds_bucket{route="/api/v2/webhooks/{id}/",le="0.01"} 1"#,
            r#"webhook_admin_http_request_duration_seconds_bucket{route="/api/v2/webhooks/{id}/",le="0.025"} 2"#,
            r#"webhook_admin_http_request_duration_seconds_bucket{route="/api/v2/webhooks/{id}/",le="10"} 2"#,
            r#"webhook_admin_http_request_duration_seconds_bucket{route="/api/v2/webhooks/{id}/",le="+Inf"} 3"#,
            r#"webhook_admin_http_request_duration_seconds_count{route="/api/v2/webhooks/{id}/"} 3"#,
            "webhook_admin_db_connections_in_use 3",
            "webhook_admin_db_connections_max 8",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
