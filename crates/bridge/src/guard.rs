//! Who may talk to the bridge: the per-run token, and the `Host` and `Origin` checks.
//!
//! WebSockets are not bound by CORS: any page the learner has open could try
//! `new WebSocket("ws://127.0.0.1:8080/ws")`. Three checks keep foreign pages out:
//! - the **token**, printed only in the bridge's own output and carried in the page address;
//! - **`Origin`**: a browser always sends it on a WebSocket; it must be the bridge's own page
//!   (or an origin given with `--allow-origin`). Clients that are not browsers send none and
//!   pass on the token alone;
//! - **`Host`** on every request, page and sockets alike: a DNS-rebinding page reaches
//!   127.0.0.1 under its own name, and its `Host` gives it away.

use std::fmt::Write as _;
use std::net::SocketAddr;

/// The checks of one bridge.
#[derive(Clone, Debug)]
pub struct Guard {
    http: SocketAddr,
    token: String,
    hosts: Vec<String>,
    origins: Vec<String>,
}

/// Why a request was refused (the text goes in the HTTP answer and the bridge's log).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

impl Guard {
    /// The checks for a bridge whose page is served on `http`, with `token` and any extra
    /// allowed origins.
    pub fn new(http: SocketAddr, token: String, extra_origins: &[String]) -> Self {
        let port = http.port();
        let mut hosts = vec![http.to_string()];
        if http.ip().is_loopback() {
            for name in ["127.0.0.1", "localhost", "[::1]"] {
                let host = format!("{name}:{port}");
                if !hosts.contains(&host) {
                    hosts.push(host);
                }
            }
        }
        let mut origins: Vec<String> = hosts.iter().map(|h| format!("http://{h}")).collect();
        origins.extend(
            extra_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_string()),
        );
        Guard {
            http,
            token,
            hosts,
            origins,
        }
    }

    /// The page's address.
    pub fn http(&self) -> SocketAddr {
        self.http
    }

    /// The token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Checks a request's `Host` header.
    pub fn check_host(&self, host: Option<&str>) -> Result<(), Refusal> {
        match host {
            Some(h) if self.hosts.iter().any(|ok| ok.eq_ignore_ascii_case(h)) => Ok(()),
            Some(h) => Err(Refusal(format!(
                "Host {h:?} is not this bridge's address (expected one of {}); \
                 a page reaching 127.0.0.1 under another name is refused (DNS rebinding)",
                self.hosts.join(", ")
            ))),
            None => Err(Refusal("no Host header".into())),
        }
    }

    /// Checks a WebSocket request's `Origin` header and token.
    pub fn check_socket(&self, origin: Option<&str>, token: Option<&str>) -> Result<(), Refusal> {
        if let Some(origin) = origin {
            if !self
                .origins
                .iter()
                .any(|ok| ok.eq_ignore_ascii_case(origin))
            {
                return Err(Refusal(format!(
                    "Origin {origin:?} may not use this bridge (allowed: {}; add one with --allow-origin)",
                    self.origins.join(", ")
                )));
            }
        }
        match token {
            Some(t) if constant_time_eq(t.as_bytes(), self.token.as_bytes()) => Ok(()),
            Some(_) => Err(Refusal(
                "wrong token: open the page address the bridge printed (its ?bridge= token changes every run)"
                    .into(),
            )),
            None => Err(Refusal(
                "no token: open the page address the bridge printed, with its ?bridge= token".into(),
            )),
        }
    }
}

/// Compares without stopping at the first difference, so timing tells nothing about the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh random token (32 hex digits) from the operating system.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut s = String::with_capacity(32);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        Guard::new(
            "127.0.0.1:8080".parse().unwrap(),
            "abc".into(),
            &["https://docs.example/".into()],
        )
    }

    #[test]
    fn hosts_are_the_bridges_own_names_only() {
        let g = guard();
        assert!(g.check_host(Some("127.0.0.1:8080")).is_ok());
        assert!(g.check_host(Some("LOCALHOST:8080")).is_ok());
        assert!(g.check_host(Some("[::1]:8080")).is_ok());
        let e = g.check_host(Some("evil.example:8080")).unwrap_err();
        assert!(e.0.contains("DNS rebinding"), "{e:?}");
        assert!(g.check_host(Some("127.0.0.1:9999")).is_err());
        assert!(g.check_host(None).is_err());
    }

    #[test]
    fn sockets_need_the_token_and_an_allowed_origin() {
        let g = guard();
        assert!(g
            .check_socket(Some("http://127.0.0.1:8080"), Some("abc"))
            .is_ok());
        assert!(g
            .check_socket(Some("https://docs.example"), Some("abc"))
            .is_ok());
        assert!(g.check_socket(None, Some("abc")).is_ok());
        let e = g
            .check_socket(Some("http://evil.example"), Some("abc"))
            .unwrap_err();
        assert!(e.0.contains("may not use this bridge"), "{e:?}");
        assert!(g
            .check_socket(Some("http://localhost:8080"), Some("abd"))
            .unwrap_err()
            .0
            .contains("wrong token"));
        assert!(g
            .check_socket(None, None)
            .unwrap_err()
            .0
            .contains("no token"));
    }

    #[test]
    fn tokens_are_fresh_hex() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
