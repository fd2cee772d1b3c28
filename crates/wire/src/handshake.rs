//! The connection handshake: what the server announces (`connection.start`, `connection.tune`),
//! how a client logs in (PLAIN, AMQPLAIN), and how its tune-ok answer is checked.
//!
//! ```text
//! client                         server
//!   AMQP 0 0 9 1          →
//!                         ←      connection.start   (server properties, mechanisms)
//!   connection.start-ok   →      (mechanism, response: checked here)
//!                         ←      connection.tune    (channel_max, frame_max, heartbeat)
//!   connection.tune-ok    →      (the client's choice: checked here)
//!   connection.open       →      (vhost: the core's Connect)
//!                         ←      connection.open-ok
//! ```

use amq_protocol::protocol::connection;
use amq_protocol::types::{AMQPValue, FieldTable, LongString, ShortString};
use amqp_playground_core::Compat;

/// The smallest `frame_max` a client may choose, and the limit before tune-ok: RabbitMQ's
/// `?FRAME_MIN_SIZE` (the spec's 4096).
pub const FRAME_MIN_SIZE: u32 = 4096;

/// `connection.start` as RabbitMQ of `compat`'s version sends it.
pub fn start(compat: Compat) -> connection::Start {
    let mut capabilities = FieldTable::default();
    // RabbitMQ's rabbit_reader:server_capabilities/1, in its order (all true).
    for name in [
        "publisher_confirms",
        "exchange_exchange_bindings",
        "basic.nack",
        "consumer_cancel_notify",
        "connection.blocked",
        "consumer_priorities",
        "authentication_failure_close",
        "per_consumer_qos",
        "direct_reply_to",
    ] {
        capabilities.insert(ShortString::from(name), AMQPValue::Boolean(true));
    }
    let (version, copyright) = match compat {
        Compat::RabbitMq310 => (
            "3.10.8",
            "Copyright (c) 2007-2022 VMware, Inc. or its affiliates.",
        ),
        _ => (
            "4.1.0",
            "Copyright (c) 2007-2025 Broadcom Inc and/or its subsidiaries",
        ),
    };
    let mut props = FieldTable::default();
    let mut text = |k: &str, v: &str| {
        props.insert(
            ShortString::from(k),
            AMQPValue::LongString(LongString::from(v)),
        );
    };
    text("cluster_name", "rabbit@amqp-playground");
    text("copyright", copyright);
    text(
        "information",
        "Licensed under the MPL 2.0. Website: https://rabbitmq.com",
    );
    // RabbitMQ says `Erlang/OTP 25.2.3`; this is the one key that names us.
    text("platform", "AMQP Playground (Rust)");
    text("product", "RabbitMQ");
    text("version", version);
    props.insert(
        ShortString::from("capabilities"),
        AMQPValue::FieldTable(capabilities),
    );
    connection::Start {
        version_major: 0,
        version_minor: 9,
        server_properties: props,
        // 3.10's order. 4.x also offers ANONYMOUS (in no stable order); we do not.
        mechanisms: LongString::from("PLAIN AMQPLAIN"),
        locales: LongString::from("en_US"),
    }
}

/// What a client asked for in `connection.start-ok` that the session keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// `authentication_failure_close`: a refused login gets a `connection.close` 403 instead
    /// of a silently closed socket.
    pub authentication_failure_close: bool,
    /// `consumer_cancel_notify`: the server sends `basic.cancel` when a queue goes away.
    pub consumer_cancel_notify: bool,
    /// `connection.blocked`: the client understands `connection.blocked` / `unblocked`.
    pub connection_blocked: bool,
}

impl ClientCapabilities {
    /// Reads `client_properties.capabilities`.
    pub fn from_client_properties(props: &FieldTable) -> Self {
        let Some(AMQPValue::FieldTable(caps)) = props.inner().get("capabilities") else {
            return Self::default();
        };
        let on = |k: &str| matches!(caps.inner().get(k), Some(AMQPValue::Boolean(true)));
        ClientCapabilities {
            authentication_failure_close: on("authentication_failure_close"),
            consumer_cancel_notify: on("consumer_cancel_notify"),
            connection_blocked: on("connection.blocked"),
        }
    }
}

/// Who the client says it is, from `connection.start-ok`'s `client_properties` (what
/// RabbitMQ's management UI shows for a connection).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// `product` (pika: `Pika Python Client Library`).
    pub product: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `platform` (pika: `Python 3.11.7`).
    pub platform: Option<String>,
    /// `connection_name`, when the program set one.
    pub connection_name: Option<String>,
}

impl ClientInfo {
    /// Reads the string properties (long or short strings; anything else is ignored).
    pub fn from_client_properties(props: &FieldTable) -> Self {
        let text = |k: &str| match props.inner().get(k) {
            Some(AMQPValue::LongString(s)) => {
                Some(String::from_utf8_lossy(s.as_bytes()).into_owned())
            }
            Some(AMQPValue::ShortString(s)) => Some(s.as_str().to_string()),
            _ => None,
        };
        ClientInfo {
            product: text("product"),
            version: text("version"),
            platform: text("platform"),
            connection_name: text("connection_name"),
        }
    }
}

/// User name and password from a `connection.start-ok`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// Mechanism used (`PLAIN`, `AMQPLAIN`).
    pub mechanism: &'static str,
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

/// Why a login failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginError {
    /// RabbitMQ's explanation (what it sends with 403, or logs).
    pub why: String,
    /// The credentials were read and refused (a 403 for clients with
    /// `authentication_failure_close`); otherwise the response itself was bad (a silent close).
    pub refused: bool,
}

impl LoginError {
    fn bad(why: String) -> Self {
        LoginError {
            why,
            refused: false,
        }
    }
}

/// Decodes the mechanism's response (RabbitMQ's `rabbit_auth_mechanism_plain` /
/// `_amqplain`).
pub fn credentials(mechanism: &str, response: &[u8]) -> Result<Credentials, LoginError> {
    match mechanism {
        "PLAIN" => {
            // NUL authcid NUL passwd: RabbitMQ supports no authzid
            // (rabbit_auth_mechanism_plain:extract_elem/1).
            let mut parts = response.split(|&b| b == 0);
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some([]), Some(user), Some(password), None) => Ok(Credentials {
                    mechanism: "PLAIN",
                    user: String::from_utf8_lossy(user).into_owned(),
                    password: String::from_utf8_lossy(password).into_owned(),
                }),
                _ => Err(LoginError::bad(format!(
                    "response {} invalid",
                    crate::codec::erlang_binary(response, true)
                ))),
            }
        }
        "AMQPLAIN" => {
            // A field table without its length prefix: LOGIN and PASSWORD.
            let mut table = (response.len() as u32).to_be_bytes().to_vec();
            table.extend_from_slice(response);
            let table = if crate::limits::check_nesting(crate::limits::Payload::Method {
                class_id: 10,
                method_id: 11,
                args: &table,
            })
            .is_ok()
            {
                amq_protocol::types::parsing::parse_field_table(&table[..])
                    .ok()
                    .map(|(_, t)| t)
            } else {
                None
            };
            let field = |t: &FieldTable, k: &str| match t.inner().get(k) {
                Some(AMQPValue::LongString(s)) => {
                    Some(String::from_utf8_lossy(s.as_bytes()).into_owned())
                }
                Some(AMQPValue::ShortString(s)) => Some(s.as_str().to_owned()),
                _ => None,
            };
            match table
                .as_ref()
                .and_then(|t| Some((field(t, "LOGIN")?, field(t, "PASSWORD")?)))
            {
                Some((user, password)) => Ok(Credentials {
                    mechanism: "AMQPLAIN",
                    user,
                    password,
                }),
                None => Err(LoginError::bad(
                    "AMQPLAIN auth info is missing LOGIN or PASSWORD field".into(),
                )),
            }
        }
        other => Err(LoginError::bad(format!(
            "unknown authentication mechanism '{other}'"
        ))),
    }
}

/// The explanation RabbitMQ gives a refused login (wrong user or password, or a loopback-only
/// user from elsewhere): deliberately the same for every cause.
pub fn login_refused(mechanism: &str) -> String {
    format!(
        "Login was refused using authentication mechanism {mechanism}. For details see the broker logfile."
    )
}

/// Limits the server proposes in `connection.tune`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tune {
    /// Highest channel number (RabbitMQ's default 2047).
    pub channel_max: u16,
    /// Largest frame (RabbitMQ's default 131072).
    pub frame_max: u32,
    /// Heartbeat interval in seconds (RabbitMQ's default 60; 0 = none).
    pub heartbeat: u16,
}

impl Default for Tune {
    fn default() -> Self {
        Tune {
            channel_max: 2047,
            frame_max: 131_072,
            heartbeat: 60,
        }
    }
}

/// Checks the client's `connection.tune-ok` against what the server proposed, as
/// `rabbit_reader:validate_negotiated_integer_value/3` does; the error is RabbitMQ's
/// explanation for the log (RabbitMQ sends no frame). `0` means "no limit" to the client,
/// which is above any server limit.
pub fn check_tune_ok(server: Tune, ok: &connection::TuneOk) -> Result<Tune, String> {
    let frame_max = ok.frame_max;
    if frame_max != 0 && frame_max < FRAME_MIN_SIZE {
        return Err(format!(
            "negotiated frame_max = {frame_max} is lower than the minimum allowed value ({FRAME_MIN_SIZE})"
        ));
    }
    if server.frame_max != 0 && (frame_max == 0 || frame_max > server.frame_max) {
        return Err(format!(
            "negotiated frame_max = {frame_max} is higher than the maximum allowed value ({})",
            server.frame_max
        ));
    }
    let channel_max = ok.channel_max;
    if server.channel_max != 0 && (channel_max == 0 || channel_max > server.channel_max) {
        let detail = if channel_max == 0 { " (no limit)" } else { "" };
        return Err(format!(
            "negotiated channel_max = {channel_max}{detail} is higher than the maximum allowed value ({})",
            server.channel_max
        ));
    }
    Ok(Tune {
        channel_max,
        frame_max,
        heartbeat: ok.heartbeat,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_info_reads_the_programs_own_words() {
        let mut props = FieldTable::default();
        props.insert(
            "product".into(),
            AMQPValue::LongString("Pika Python Client Library".into()),
        );
        props.insert("version".into(), AMQPValue::LongString("1.3.2".into()));
        props.insert(
            "connection_name".into(),
            AMQPValue::ShortString("worker-1".into()),
        );
        props.insert("platform".into(), AMQPValue::Boolean(true));
        let info = ClientInfo::from_client_properties(&props);
        assert_eq!(info.product.as_deref(), Some("Pika Python Client Library"));
        assert_eq!(info.version.as_deref(), Some("1.3.2"));
        assert_eq!(info.connection_name.as_deref(), Some("worker-1"));
        assert_eq!(info.platform, None);
    }

    #[test]
    fn plain_and_amqplain_responses() {
        let c = credentials("PLAIN", b"\0guest\0secret").unwrap();
        assert_eq!((c.user.as_str(), c.password.as_str()), ("guest", "secret"));
        assert!(credentials("PLAIN", b"guest").is_err());
        // An authzid is refused, as by RabbitMQ.
        assert!(credentials("PLAIN", b"guest\0guest\0guest").is_err());
        // LOGIN S "guest", PASSWORD S "guest"
        let mut t = Vec::new();
        for (k, v) in [("LOGIN", "guest"), ("PASSWORD", "pw")] {
            t.push(k.len() as u8);
            t.extend_from_slice(k.as_bytes());
            t.push(b'S');
            t.extend_from_slice(&(v.len() as u32).to_be_bytes());
            t.extend_from_slice(v.as_bytes());
        }
        let c = credentials("AMQPLAIN", &t).unwrap();
        assert_eq!((c.user.as_str(), c.password.as_str()), ("guest", "pw"));
        assert!(credentials("AMQPLAIN", b"\x01").is_err());
        assert_eq!(
            credentials("FOO", b"").unwrap_err().why,
            "unknown authentication mechanism 'FOO'"
        );
    }

    #[test]
    fn tune_ok_truth_table() {
        let server = Tune::default();
        let ok = |channel_max, frame_max| connection::TuneOk {
            channel_max,
            frame_max,
            heartbeat: 0,
        };
        assert!(check_tune_ok(server, &ok(2047, 131_072)).is_ok());
        assert!(check_tune_ok(server, &ok(1, 4096)).is_ok());
        assert_eq!(
            check_tune_ok(server, &ok(2047, 4095)).unwrap_err(),
            "negotiated frame_max = 4095 is lower than the minimum allowed value (4096)"
        );
        assert_eq!(
            check_tune_ok(server, &ok(2047, 131_073)).unwrap_err(),
            "negotiated frame_max = 131073 is higher than the maximum allowed value (131072)"
        );
        assert!(check_tune_ok(server, &ok(0, 131_072)).is_err());
        assert!(check_tune_ok(server, &ok(2048, 131_072)).is_err());
    }
}
