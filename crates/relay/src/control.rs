//! The control socket's messages (JSON text, tagged by `type`) and the sockets' addresses.
//!
//! ```text
//! page → bridge   GET /ws/control?token=T&page=ID&label=TEXT      (one page holds the bridge)
//! bridge → page   {"type":"hello","bridge":"0.1.0","amqp":"127.0.0.1:5673","upstream":"amqp://guest@127.0.0.1:5672/","upstream_version":"3.10.8"}
//! bridge → page   {"type":"client","conn":7,"peer":"127.0.0.1:50412"}
//! page → bridge   GET /ws?token=T&conn=7   (subprotocol amqp: that client's frames)
//! page → bridge   {"type":"verify","id":1,"script":"{…client script…}"}
//! bridge → page   {"type":"verified","id":1,"result":"{…canonical result…}"}  or  "error":"…"
//! bridge → page   {"type":"busy","holder":"…"}   (to a second page, then the socket closes)
//! page → bridge   {"type":"credit","frames":32}  (on a connection socket, as text)
//! ```

use serde::{Deserialize, Serialize};

/// Path of the control socket.
pub const CONTROL_PATH: &str = "/ws/control";
/// Path of a connection socket.
pub const CONNECTION_PATH: &str = "/ws";
/// The WebSocket subprotocol of connection sockets (accepted and echoed; none is accepted too).
pub const SUBPROTOCOL: &str = "amqp";
/// The page address's query parameter that carries the per-run token.
pub const TOKEN_PARAM: &str = "bridge";
/// WebSocket close code: another page holds the bridge.
pub const CLOSE_BUSY: u16 = 4409;
/// WebSocket close code: the bridge is stopping.
pub const CLOSE_SHUTDOWN: u16 = 4503;

/// What the bridge tells the page on the control socket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToPage {
    /// First message: who the bridge is.
    Hello {
        /// The bridge's version.
        bridge: String,
        /// The AMQP address real clients connect to.
        amqp: String,
        /// The upstream RabbitMQ for Verify, without its password; `None` without `--upstream`.
        upstream: Option<String>,
        /// The upstream's version (`3.10.8`), as its `connection.start` says; the page runs its
        /// side of Verify with the matching compat profile. `None` when unknown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upstream_version: Option<String>,
    },
    /// A real client connected: open `/ws?conn=N` for it.
    Client {
        /// The connection's number on this bridge.
        conn: u64,
        /// The client's address.
        peer: String,
    },
    /// Another page holds this bridge (sent to the second page, then the socket closes).
    Busy {
        /// Which page: its label and when it connected.
        holder: String,
    },
    /// The answer to a [`ToBridge::Verify`].
    Verified {
        /// The request's id.
        id: u64,
        /// The canonical result from the upstream RabbitMQ (JSON text).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<String>,
        /// Why there is none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
}

/// What the page tells the bridge on the control socket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToBridge {
    /// Run a client script on the upstream RabbitMQ (unique names, deleted afterwards).
    Verify {
        /// The request's id, echoed in the answer.
        id: u64,
        /// The client script (JSON text, the `amqp-playground run` format).
        script: String,
    },
}

/// What the page sends as text on a connection socket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConnectionText {
    /// The page has handed this many more frames to its session.
    Credit {
        /// How many.
        frames: u32,
    },
}

impl ToPage {
    /// As JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("control messages always serialize")
    }

    /// From JSON text, with serde's reason when it is not a control message.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("not a bridge message: {e}"))
    }
}

impl ToBridge {
    /// As JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("control messages always serialize")
    }

    /// From JSON text, with serde's reason when it is not a control message.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("not a page message: {e}"))
    }
}

impl ConnectionText {
    /// As JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("control messages always serialize")
    }

    /// From JSON text, with serde's reason when it is not a connection message.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("not a connection message: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_the_module_docs_show() {
        let client = ToPage::Client {
            conn: 7,
            peer: "127.0.0.1:50412".into(),
        };
        assert_eq!(
            client.to_json(),
            r#"{"type":"client","conn":7,"peer":"127.0.0.1:50412"}"#
        );
        assert_eq!(ToPage::from_json(&client.to_json()), Ok(client));
        let ok = ToPage::Verified {
            id: 1,
            result: Some("{}".into()),
            error: None,
        };
        assert_eq!(ok.to_json(), r#"{"type":"verified","id":1,"result":"{}"}"#);
        assert_eq!(
            ConnectionText::from_json(r#"{"type":"credit","frames":32}"#),
            Ok(ConnectionText::Credit { frames: 32 })
        );
    }

    #[test]
    fn a_bad_message_says_what_is_wrong() {
        let e = ToBridge::from_json(r#"{"type":"connect","host":"evil.example"}"#).unwrap_err();
        assert!(e.contains("unknown variant `connect`"), "{e}");
        assert!(ToBridge::from_json("not json").is_err());
    }
}
