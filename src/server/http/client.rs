//! Who a request comes from, as the sign-in throttle counts them. The TCP
//! peer, unless it is one of the `TRUSTED_PROXIES`: then the right-most
//! `X-Forwarded-For` hop that is not a trusted proxy (hops to its left were
//! written by the client and prove nothing). IPv6 clients are counted by
//! their /64, the block one subscriber line gets.

use std::net::{IpAddr, Ipv6Addr};

use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The proxies whose `X-Forwarded-For` is believed (none by default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        TrustedProxies(networks)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&ip))
    }

    /// The client's address: `peer`, or behind trusted proxies the
    /// right-most untrusted hop they forwarded for. An unreadable hop ends
    /// the walk at the last readable one.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all(X_FORWARDED_FOR)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for hop in hops.into_iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                break;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// A network in `TRUSTED_PROXIES`: `10.0.0.0/8`, `fd00::/8`, or one address.
pub fn parse_network(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is not an IP address or CIDR network"))
}

/// One `X-Forwarded-For` entry: an address, perhaps `[v6]` or with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    hop.rsplit_once(':')?.0.parse().ok()
}

/// IPv4 addresses written as IPv6 (`::ffff:a.b.c.d`) as the IPv4 they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// What failures are counted under: an IPv4 address, or an IPv6 /64.
pub fn throttle_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !(u128::MAX >> 64);
            format!("{}/64", Ipv6Addr::from(bits))
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().map(|n| parse_network(n).unwrap()).collect())
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(X_FORWARDED_FOR, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let headers = forwarded(&["198.51.100.1"]);
        assert_eq!(
            TrustedProxies::default().client_ip(ip("127.0.0.1"), &headers),
            ip("127.0.0.1")
        );
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            trusted.client_ip(ip("203.0.113.5"), &headers),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        let peer = ip("127.0.0.1");
        // The client wrote the left-most entry itself.
        let headers = forwarded(&["1.2.3.4, 198.51.100.7, 10.1.2.3"]);
        assert_eq!(trusted.client_ip(peer, &headers), ip("198.51.100.7"));
        // Several header lines are one list.
        let headers = forwarded(&["1.2.3.4", "198.51.100.7"]);
        assert_eq!(trusted.client_ip(peer, &headers), ip("198.51.100.7"));
        // Ports and brackets, as some proxies write them.
        let headers = forwarded(&["[2001:db8::1]:4711"]);
        assert_eq!(trusted.client_ip(peer, &headers), ip("2001:db8::1"));
        let headers = forwarded(&["198.51.100.7:80"]);
        assert_eq!(trusted.client_ip(peer, &headers), ip("198.51.100.7"));
        // Every hop trusted: the left-most.
        let headers = forwarded(&["10.0.0.9, 10.0.0.8"]);
        assert_eq!(trusted.client_ip(peer, &headers), ip("10.0.0.9"));
        // Nothing forwarded, or nothing readable: the proxy itself.
        assert_eq!(trusted.client_ip(peer, &HeaderMap::new()), peer);
        let headers = forwarded(&["198.51.100.7, garbage"]);
        assert_eq!(trusted.client_ip(peer, &headers), peer);
        let headers = forwarded(&["garbage, 198.51.100.7"]);
        assert_eq!(trusted.client_ip(peer, &headers), ip("198.51.100.7"));
    }

    #[test]
    fn ipv6_clients_count_by_their_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(throttle_key(ip("203.0.113.9")), "203.0.113.9");
        assert_eq!(
            throttle_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            throttle_key(ip("2001:db8:1:2::ffff")),
            throttle_key(ip("2001:db8:1:2:1::"))
        );
        assert_ne!(
            throttle_key(ip("2001:db8:1:2::1")),
            throttle_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(throttle_key(ip("::ffff:198.51.100.7")), "198.51.100.7");
    }

    #[test]
    fn networks_are_cidrs_or_single_addresses() {
        assert_eq!(
            parse_network(" 10.0.0.0/8 ").unwrap().to_string(),
            "10.0.0.0/8"
        );
        assert_eq!(
            parse_network("127.0.0.1").unwrap().to_string(),
            "127.0.0.1/32"
        );
        assert_eq!(parse_network("::1").unwrap().to_string(), "::1/128");
        assert_eq!(
            parse_network("proxy.lan").unwrap_err(),
            "\"proxy.lan\" is not an IP address or CIDR network"
        );
        assert!(parse_network("10.0.0.0/33").is_err());
    }
}
