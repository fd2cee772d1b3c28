//! The page's end of `amqp-playground bridge`: real AMQP clients (pika, lapin, …) relayed into
//! the broker that runs in this tab.
//!
//! The bridge serves the page at `http://127.0.0.1:PORT/?bridge=TOKEN`. The page then opens one
//! *control* socket and, for every client the bridge announces, one *connection* socket that
//! carries that client's frames, one frame per message (the protocol is
//! `amqp_playground_relay`'s, shared with the bridge so the two ends cannot disagree):
//!
//! ```text
//!  page ── /ws/control?token&page&label ──▶ bridge   hello, client{conn}, busy, verified
//!  page ── /ws?token&conn=N (amqp) ───────▶ bridge   client N's frames ⇄ session output
//!       ◀─ binary: one frame ─────────────            (only against credit the page granted)
//!        ─ binary: one frame ─────────────▶
//!        ─ text: {"type":"credit","frames":16} ─▶
//! ```
//!
//! This module owns the sockets and nothing else: what a frame means is the business of the
//! wire session the page runs for each client. The app gives [`BridgeLink::open`] a
//! [`BridgeHost`] and hears about clients arriving, their frames and their leaving; it answers
//! with [`BridgeLink::send`], [`BridgeLink::granted`] and [`BridgeLink::finish`].
//!
//! # Layout
//! - this file: the [`BridgeHost`] interface, [`BridgeStatus`], and the pure helpers (the token
//!   in the page address, the sockets' addresses, what a closed control socket means).
//! - [`credit`]: [`CreditGate`], when to grant a connection's credit and when to hold it back.
//! - `link` (wasm32): [`BridgeLink`] over `web_sys::WebSocket`: the control socket, one socket
//!   per client, credit.
//! - `socket` (wasm32): a WebSocket and its event handlers, owned and dropped together.
//! - `inert` (native): a [`BridgeLink`] with the same methods that never connects, so the
//!   app's code needs no `cfg` of its own.
//!
//! # Example
//! ```
//! use amqp_playground_web::bridge::{close_status, token_from_query, BridgeStatus};
//!
//! assert_eq!(token_from_query("?bridge=3f9c&preset=rpc"), Some("3f9c".to_string()));
//! // A second tab is told who holds the bridge, then its socket closes with 4409.
//! let status = close_status(true, 4409, "", Some("AMQP Playground, opened 14:03:12".into()));
//! assert_eq!(
//!     status,
//!     BridgeStatus::Busy { holder: "AMQP Playground, opened 14:03:12".into() }
//! );
//! ```

pub mod credit;
#[cfg(not(all(target_arch = "wasm32", feature = "bridge")))]
mod inert;
#[cfg(all(target_arch = "wasm32", feature = "bridge"))]
mod link;
#[cfg(all(target_arch = "wasm32", feature = "bridge"))]
mod socket;

use amqp_playground_relay::control::{
    CLOSE_BUSY, CLOSE_SHUTDOWN, CONNECTION_PATH, CONTROL_PATH, TOKEN_PARAM,
};

pub use credit::CreditGate;
#[cfg(not(all(target_arch = "wasm32", feature = "bridge")))]
pub use inert::BridgeLink;
#[cfg(all(target_arch = "wasm32", feature = "bridge"))]
pub use link::BridgeLink;

/// What the page does with what comes over the bridge (implemented by the app's state).
///
/// Every call comes from a socket's event handler (never from inside a [`BridgeLink`] method,
/// except [`BridgeLink::open`]'s first `status(Connecting)`), and the link holds no borrow
/// while it calls, so a host may call the link back: `received` may `send`, `granted` and
/// `finish` at once.
pub trait BridgeHost {
    /// A real client arrived and its socket is open: run a session for it.
    fn connected(&self, conn: u64, peer: String);
    /// Frames from that client, in order (the first ever is its 8-octet protocol header):
    /// what arrived in one turn of the event loop, as one batch. Call
    /// [`BridgeLink::granted`] with their number once the session has taken them.
    fn received(&self, conn: u64, frames: Vec<Vec<u8>>);
    /// Its socket closed before the page [`finish`](BridgeLink::finish)ed it: the client left,
    /// or the bridge dropped it. Not reported for a connection the page finished.
    fn lost(&self, conn: u64);
    /// The link's state changed.
    fn status(&self, status: BridgeStatus);
    /// The answer to [`BridgeLink::verify`]: the upstream RabbitMQ's canonical result (JSON
    /// text), or why there is none.
    fn verified(&self, id: u64, result: Result<String, String>);
}

/// Where the link stands, for the page to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BridgeStatus {
    /// The control socket is opening.
    Connecting,
    /// The bridge said hello: clients connecting to `amqp` reach this page.
    Connected {
        /// The AMQP address real clients connect to.
        amqp: String,
        /// The RabbitMQ that Verify runs on (without its password), if the bridge has one.
        upstream: Option<String>,
        /// Its version (`3.10.8`), when the bridge could read it.
        upstream_version: Option<String>,
    },
    /// Another tab holds the bridge; this one is not connected.
    Busy {
        /// Which tab: its label and since when.
        holder: String,
    },
    /// The control socket closed after it had opened.
    Stopped {
        /// Why, for the page.
        why: String,
    },
    /// The control socket never opened: no bridge there, or it refused the token.
    Refused {
        /// Why, for the page.
        why: String,
    },
}

/// What the page says about the link, in one line.
pub fn describe(status: &BridgeStatus) -> String {
    match status {
        BridgeStatus::Connecting => "connecting to the bridge…".into(),
        BridgeStatus::Connected {
            amqp,
            upstream,
            upstream_version,
        } => match upstream {
            Some(up) => format!(
                "bridge: real clients connect to {amqp}; Verify runs on {up}{}",
                upstream_version
                    .as_ref()
                    .map(|v| format!(" (RabbitMQ {v})"))
                    .unwrap_or_default()
            ),
            None => format!("bridge: real clients connect to {amqp}"),
        },
        BridgeStatus::Busy { holder } => format!("the bridge is held by another page: {holder}"),
        BridgeStatus::Stopped { why } => {
            format!("the bridge stopped ({why}); the scenario stays as it is")
        }
        BridgeStatus::Refused { why } => format!("no bridge: {why}"),
    }
}

/// The bridge token in a page address's query string (`location.search`, with or without its
/// `?`): the value of `bridge=`, percent-decoded. `None` when absent, empty or not valid
/// percent-encoded UTF-8.
pub fn token_from_query(query: &str) -> Option<String> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix(TOKEN_PARAM)?.strip_prefix('='))?;
    crate::page_options::decode(value).filter(|token| !token.is_empty())
}

/// `ws://host` or `wss://host` for a page served over `protocol` (`location.protocol`, with
/// its colon) from `host` (`location.host`): the sockets are on the server that served the page.
pub fn socket_base(protocol: &str, host: &str) -> String {
    let scheme = if protocol == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{host}")
}

/// The control socket's address. Every value goes through `encode` (in the page,
/// `encodeURIComponent`), so a token or title with `&`, `#` or `+` arrives as it was.
pub fn control_url(
    base: &str,
    token: &str,
    page: &str,
    label: &str,
    encode: impl Fn(&str) -> String,
) -> String {
    format!(
        "{base}{CONTROL_PATH}?token={}&page={}&label={}",
        encode(token),
        encode(page),
        encode(label)
    )
}

/// Connection `conn`'s socket address.
pub fn connection_url(
    base: &str,
    token: &str,
    conn: u64,
    encode: impl Fn(&str) -> String,
) -> String {
    format!(
        "{base}{CONNECTION_PATH}?token={}&conn={conn}",
        encode(token)
    )
}

/// How the bridge names this tab to a second one ("held by …"): the page title and the time it
/// connected. The bridge keeps 80 characters, so a long title is cut first.
pub fn page_label(title: &str, hours: u32, minutes: u32, seconds: u32) -> String {
    let title = title.trim();
    let title = if title.is_empty() {
        "AMQP Playground"
    } else {
        title
    };
    let title: String = title.chars().take(60).collect();
    format!("{title}, opened {hours:02}:{minutes:02}:{seconds:02}")
}

/// What a closed control socket means: `opened` says whether it ever opened, `code` and
/// `reason` are the close event's, `busy` the holder from a `busy` message if one came.
pub fn close_status(opened: bool, code: u16, reason: &str, busy: Option<String>) -> BridgeStatus {
    if code == CLOSE_BUSY || busy.is_some() {
        return BridgeStatus::Busy {
            holder: busy.unwrap_or_else(|| "another page".into()),
        };
    }
    if !opened {
        // A browser shows a refused handshake (HTTP 403) only as code 1006: the bridge's
        // terminal says which check failed.
        return BridgeStatus::Refused {
            why: "could not reach the bridge: it is not running, or this address's token is \
                  from an earlier run (each `amqp-playground bridge` prints a fresh address)"
                .into(),
        };
    }
    let why = match (code, reason.trim()) {
        (_, reason) if !reason.is_empty() => reason.to_string(),
        (CLOSE_SHUTDOWN, _) => "the bridge stopped".to_string(),
        (code, _) => format!("the connection to the bridge closed (code {code})"),
    };
    BridgeStatus::Stopped { why }
}

/// A `verified` message as the host's `Result`.
pub fn verified_result(result: Option<String>, error: Option<String>) -> Result<String, String> {
    match (result, error) {
        (_, Some(error)) => Err(error),
        (Some(result), None) => Ok(result),
        (None, None) => Err("the bridge answered Verify with neither a result nor an error".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_the_decoded_bridge_parameter() {
        let cases: &[(&str, Option<&str>)] = &[
            ("?bridge=3f9c", Some("3f9c")),
            ("bridge=3f9c", Some("3f9c")),
            ("?preset=rpc&bridge=a%2Bb%26c&embed", Some("a+b&c")),
            ("?bridge=a+b", Some("a b")),
            ("?bridge=", None),
            ("?bridge", None),
            ("?bridges=x", None),
            ("?bridge=%zz", None),
            ("?bridge=%E2%82", None), // cut in the middle of a UTF-8 sequence
            ("", None),
            ("?preset=rpc", None),
            ("?bridge=first&bridge=second", Some("first")),
        ];
        for (query, token) in cases {
            assert_eq!(
                token_from_query(query).as_deref(),
                *token,
                "query {query:?}"
            );
        }
    }

    #[test]
    fn socket_addresses_encode_every_value() {
        let encode = |s: &str| s.replace('&', "%26").replace(' ', "%20");
        let base = socket_base("http:", "127.0.0.1:15673");
        assert_eq!(base, "ws://127.0.0.1:15673");
        assert_eq!(socket_base("https:", "example.test"), "wss://example.test");
        assert_eq!(
            control_url(&base, "t&k", "p1", "My tab, opened 10:00:00", encode),
            "ws://127.0.0.1:15673/ws/control?token=t%26k&page=p1&label=My%20tab,%20opened%2010:00:00"
        );
        assert_eq!(
            connection_url(&base, "t&k", 7, encode),
            "ws://127.0.0.1:15673/ws?token=t%26k&conn=7"
        );
    }

    #[test]
    fn the_label_names_the_tab_and_its_time() {
        assert_eq!(
            page_label("AMQP Playground", 9, 5, 3),
            "AMQP Playground, opened 09:05:03"
        );
        assert_eq!(
            page_label("  ", 23, 59, 59),
            "AMQP Playground, opened 23:59:59"
        );
        let long = "é".repeat(100);
        let label = page_label(&long, 0, 0, 0);
        assert_eq!(label.chars().count(), 60 + ", opened 00:00:00".len());
    }

    #[test]
    fn a_closed_control_socket_says_why() {
        let busy = |holder: &str| BridgeStatus::Busy {
            holder: holder.into(),
        };
        let stopped = |why: &str| BridgeStatus::Stopped { why: why.into() };
        assert_eq!(
            close_status(true, 4409, "x", Some("tab A".into())),
            busy("tab A")
        );
        assert_eq!(close_status(true, 4409, "", None), busy("another page"));
        assert_eq!(
            close_status(true, 1006, "", Some("tab A".into())),
            busy("tab A")
        );
        assert!(matches!(
            close_status(false, 1006, "", None),
            BridgeStatus::Refused { .. }
        ));
        assert_eq!(
            close_status(true, 4503, "the bridge is stopping", None),
            stopped("the bridge is stopping")
        );
        assert_eq!(
            close_status(true, 4503, "", None),
            stopped("the bridge stopped")
        );
        assert_eq!(
            close_status(true, 1006, "", None),
            stopped("the connection to the bridge closed (code 1006)")
        );
    }

    #[test]
    fn a_verified_message_becomes_a_result() {
        assert_eq!(verified_result(Some("{}".into()), None), Ok("{}".into()));
        assert_eq!(
            verified_result(None, Some("no upstream".into())),
            Err("no upstream".into())
        );
        assert_eq!(
            verified_result(Some("{}".into()), Some("late".into())),
            Err("late".into())
        );
        assert!(verified_result(None, None).is_err());
    }
}
