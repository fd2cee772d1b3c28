//! A page built without the `bridge` feature has no AMQP wire session: the codec and the
//! session are the largest part of the page download, and only `amqp-playground bridge` can
//! relay a real client here — and it serves a build with the feature. Should a client reach
//! such a page anyway, its session is closed at once and the page says why; this module gives
//! the engine the same calls as the wire's [`Session`] for that.

use amqp_playground_core::{
    Broker, BrokerError, Command, Compat, ConnectionId, Event, Millis, Reply,
};

/// Why a real client cannot run here.
pub(in crate::sim) const NO_WIRE: &str =
    "this page was built without the bridge feature; open the \
    address `amqp-playground bridge` prints (it serves a build with it)";

/// Who a real client says it is: nothing is ever read here.
#[derive(Debug, Default)]
pub(in crate::sim) struct ClientInfo {
    pub product: Option<String>,
    pub version: Option<String>,
    pub connection_name: Option<String>,
}

/// What the wire's session is configured with (only what the engine sets).
pub(in crate::sim) struct SessionConfig {
    pub compat: Compat,
    pub peer_is_loopback: bool,
}

impl SessionConfig {
    pub fn for_compat(compat: Compat) -> Self {
        SessionConfig {
            compat,
            peer_is_loopback: true,
        }
    }
}

/// A session that is closed from the start: nothing in, nothing out.
#[derive(Debug, Default)]
pub(in crate::sim) struct Session {
    client: ClientInfo,
}

impl Session {
    pub fn new(_now: Millis, config: SessionConfig) -> Self {
        let _ = (config.compat, config.peer_is_loopback);
        Session::default()
    }
    pub fn client(&self) -> &ClientInfo {
        &self.client
    }
    pub fn open_channels(&self) -> usize {
        0
    }
    pub fn connection(&self) -> Option<ConnectionId> {
        None
    }
    pub fn poll_timeout(&self) -> Option<Millis> {
        None
    }
    pub fn is_closed(&self) -> bool {
        true
    }
    pub fn receive(&mut self, _bytes: &[u8]) {}
    pub fn take_output(&mut self) -> Vec<u8> {
        Vec::new()
    }
    pub fn connection_lost(&mut self) -> Option<Command> {
        None
    }
    pub fn poll_command(&mut self, _now: Millis, _broker: &Broker) -> Option<Command> {
        None
    }
    pub fn handle_result(&mut self, _result: Result<Reply, BrokerError>) {}
    pub fn handle_event(&mut self, _event: &Event) {}
    pub fn handle_timeout(&mut self, _now: Millis) {}
}
