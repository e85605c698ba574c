//! The real client behind reverse proxies. Only when the connecting peer is one of the
//! configured trusted proxies (`PORTAL_TRUSTED_PROXIES`) are `Forwarded` / `X-Forwarded-For`
//! and `X-Forwarded-Proto` read; the client is then the right-most hop that is not itself a
//! trusted proxy. Otherwise the headers are ignored, so a client cannot choose its address.
//!
//! Every rate limit, log line, session record and audit entry uses the [`ClientAddr`] this
//! middleware puts in the request's extensions.
//!
//! axum-client-ip was considered: it reads one configured header source unconditionally and
//! has no notion of a trusted-peer list or of skipping chained trusted hops, which is exactly
//! the rule needed here; `ipnet` (the CIDR type the ecosystem uses) parses the list.

use app::server_ctx::ClientAddr;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a list of addresses and CIDR blocks separated by commas or spaces.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for item in list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => item
                    .parse::<IpAddr>()
                    .map(IpNet::from)
                    .map_err(|_| format!("'{item}' is not an address or CIDR block"))?,
            };
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Whether the request came in over HTTPS, as far as this portal can tell: the trusted
/// proxy's `X-Forwarded-Proto`, else `None` (the listener itself speaks plain HTTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardedProto {
    pub https: bool,
}

/// One hop of `Forwarded: for=…` or `X-Forwarded-For`, without port and brackets.
fn parse_hop(raw: &str) -> Option<IpAddr> {
    let v = raw.trim().trim_matches('"');
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some(ip);
    }
    // IPv4 with a port.
    v.rsplit_once(':')
        .and_then(|(host, _)| host.parse::<std::net::Ipv4Addr>().ok())
        .map(IpAddr::V4)
}

/// The hops the headers list, left (client) to right (nearest proxy), and the right-most
/// protocol given. `Forwarded` (RFC 7239) wins over the `X-Forwarded-*` pair when present.
fn hops(headers: &HeaderMap) -> (Vec<Option<IpAddr>>, Option<String>) {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        let mut out = Vec::new();
        let mut proto = None;
        for element in forwarded {
            let mut hop = None;
            for pair in element.split(';') {
                if let Some((k, v)) = pair.split_once('=') {
                    match k.trim().to_ascii_lowercase().as_str() {
                        "for" => hop = Some(parse_hop(v)),
                        "proto" => proto = Some(v.trim().trim_matches('"').to_ascii_lowercase()),
                        _ => {}
                    }
                }
            }
            out.push(hop.flatten());
        }
        return (out, proto);
    }
    let out = values("x-forwarded-for")
        .iter()
        .map(|h| parse_hop(h))
        .collect();
    let proto = values("x-forwarded-proto")
        .last()
        .map(|p| p.to_ascii_lowercase());
    (out, proto)
}

/// The client address and scheme for a request from `peer` with `headers`.
pub fn resolve(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &TrustedProxies,
) -> (IpAddr, Option<ForwardedProto>) {
    let peer = canonical(peer);
    if !trusted.contains(peer) {
        return (peer, None);
    }
    let (list, proto) = hops(headers);
    let proto = proto.map(|p| ForwardedProto {
        https: p == "https",
    });
    // Walk from the nearest proxy towards the client; the first hop not trusted is the client.
    let mut client = peer;
    for hop in list.iter().rev() {
        match hop {
            Some(ip) => {
                let ip = canonical(*ip);
                client = ip;
                if !trusted.contains(ip) {
                    break;
                }
            }
            // A hop nobody can read (`unknown`, an obfuscated name): the last trusted proxy
            // is the best address known.
            None => break,
        }
    }
    (client, proto)
}

/// Puts the [`ClientAddr`] (and, behind a proxy, the [`ForwardedProto`]) in the request.
pub async fn middleware(
    State(trusted): State<Arc<TrustedProxies>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let (client, proto) = resolve(peer, req.headers(), &trusted);
        req.extensions_mut().insert(ClientAddr(client));
        if let Some(proto) = proto {
            req.extensions_mut().insert(proto);
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn headers_from_untrusted_peers_are_ignored() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").expect("list");
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            resolve(ip("203.0.113.9"), &h, &trusted),
            (ip("203.0.113.9"), None)
        );
        // No proxies configured: nobody is trusted, loopback included.
        let none = TrustedProxies::parse("").expect("empty");
        assert!(none.is_empty());
        assert_eq!(resolve(ip("127.0.0.1"), &h, &none).0, ip("127.0.0.1"));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8 ::1").expect("list");
        // The client sent its own X-Forwarded-For (6.6.6.6); nginx appended the real address.
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.7"),
            ("x-forwarded-for", "10.1.2.3"),
            ("x-forwarded-proto", "https"),
        ]);
        let (client, proto) = resolve(ip("127.0.0.1"), &h, &trusted);
        assert_eq!(client, ip("198.51.100.7"));
        assert_eq!(proto, Some(ForwardedProto { https: true }));
        // IPv4-mapped peers count as their IPv4 address.
        assert_eq!(
            resolve(ip("::ffff:127.0.0.1"), &h, &trusted).0,
            ip("198.51.100.7")
        );
    }

    #[test]
    fn forwarded_header_is_read_with_ports_and_brackets() {
        let trusted = TrustedProxies::parse("192.0.2.1").expect("list");
        let h = headers(&[(
            "forwarded",
            "for=\"[2001:db8:cafe::17]:4711\";proto=https, for=192.0.2.1:80",
        )]);
        let (client, proto) = resolve(ip("192.0.2.1"), &h, &trusted);
        assert_eq!(client, ip("2001:db8:cafe::17"));
        assert_eq!(proto, Some(ForwardedProto { https: true }));
        let unknown = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(
            resolve(ip("192.0.2.1"), &unknown, &trusted).0,
            ip("192.0.2.1")
        );
    }

    #[test]
    fn bad_lists_are_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }
}
