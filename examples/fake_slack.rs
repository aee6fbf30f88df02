//! The tests' fake Slack as a process of its own, for `make bench`
//! (scripts/bench.py): `fake_slack [ADDRESS] [RATE BURST]` answers every
//! post `ok`, or 429 past RATE posts a second per webhook with bursts of
//! BURST, and lists what arrived at `GET /_fake/arrivals`
//! (`[path, text, µs since the epoch, refused]`; `GET /_fake/count`: how
//! many); `POST /_fake/reset`
//! forgets it.

#[allow(dead_code)]
#[path = "../tests/api/support/fake_slack.rs"]
mod fake_slack;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let address = args.first().map_or("127.0.0.1:0", String::as_str);
    let slack = fake_slack::FakeSlack::start_on(address).await;
    if let [_, rate, burst] = args.as_slice() {
        slack.limit(rate.parse().expect("RATE"), burst.parse().expect("BURST"));
    }
    println!("listening on {}", slack.base);
    std::future::pending::<()>().await;
}
