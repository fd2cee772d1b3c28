//! Real AMQP programs in the page: what the bridge link reports becomes actions, and what the
//! engine's sessions write goes back out through the link after every action.
//!
//! While a real client is connected the virtual clock runs at real time (its heartbeats,
//! TTLs and timeouts are real), so pausing, stepping, changing the speed and scrubbing wait
//! until it leaves; so does anything that would replace the broker under it (a preset, a
//! scenario, undo, restart). Each refusal says why.

use std::rc::Rc;

use yew::UseReducerHandle;

use super::{Action, PlaygroundState};
use crate::bridge::{BridgeHost, BridgeLink, BridgeStatus};

/// What the bridge link reports, and the link itself once opened.
#[derive(Clone, Debug, PartialEq)]
pub enum RemoteAction {
    /// The page opened the link (from `?bridge=TOKEN` in its address).
    Attach(BridgeLink),
    /// A real client arrived.
    Connected {
        /// The bridge's number for it.
        conn: u64,
        /// Its address.
        peer: String,
    },
    /// One frame from a real client.
    Frame {
        /// The bridge's number for it.
        conn: u64,
        /// The frame.
        bytes: Vec<u8>,
    },
    /// A real client's socket closed.
    Lost(u64),
    /// The link's state changed.
    Status(BridgeStatus),
    /// A Verify answer from the upstream RabbitMQ.
    Verified {
        /// The request's id.
        id: u64,
        /// The canonical result, or why there is none.
        result: Result<String, String>,
    },
}

/// Why a control is unavailable while real clients are connected.
pub(super) fn busy_reason(state: &PlaygroundState, what: &str) -> Option<String> {
    let engine = state.engine.borrow();
    let remotes = engine.remotes();
    let first = remotes.first()?;
    Some(format!(
        "{what} is unavailable while a real client is connected ({} from {}{}): the clock runs \
         at real time until it leaves",
        first.name,
        first.peer,
        match remotes.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        }
    ))
}

impl PlaygroundState {
    /// Applies what the bridge reported.
    pub(super) fn remote(&mut self, action: RemoteAction) -> Result<(), String> {
        match action {
            RemoteAction::Attach(link) => self.bridge = Some(link),
            RemoteAction::Connected { conn, peer } => {
                self.engine.borrow_mut().remote_connect(conn, &peer);
                // Real time from now on: the clock runs whatever the play button said.
                self.carry = 0.0;
            }
            RemoteAction::Frame { conn, bytes } => {
                self.engine.borrow_mut().remote_receive(conn, &bytes);
                if let Some(link) = &self.bridge {
                    link.granted(conn, 1);
                }
            }
            RemoteAction::Lost(conn) => self.engine.borrow_mut().remote_lost(conn),
            RemoteAction::Status(status) => self.bridge_status = Some(status),
            RemoteAction::Verified { id, result } => {
                self.verified = Some((id, result));
            }
        }
        Ok(())
    }

    /// Sends what the sessions wrote; closes the sockets of sessions that ended.
    pub(super) fn flush_remotes(&mut self) {
        let Some(link) = &self.bridge else { return };
        let out = self.engine.borrow_mut().take_remote_output();
        for o in out {
            if !o.bytes.is_empty() {
                link.send(o.conn, &o.bytes);
            }
            if o.closed {
                link.finish(o.conn);
            }
        }
    }
}

/// The link's callbacks, dispatched to the state.
struct Host(UseReducerHandle<PlaygroundState>);

impl BridgeHost for Host {
    fn connected(&self, conn: u64, peer: String) {
        self.0
            .dispatch(Action::Remote(RemoteAction::Connected { conn, peer }));
    }

    fn received(&self, conn: u64, frame: Vec<u8>) {
        self.0
            .dispatch(Action::Remote(RemoteAction::Frame { conn, bytes: frame }));
    }

    fn lost(&self, conn: u64) {
        self.0.dispatch(Action::Remote(RemoteAction::Lost(conn)));
    }

    fn status(&self, status: BridgeStatus) {
        self.0
            .dispatch(Action::Remote(RemoteAction::Status(status)));
    }

    fn verified(&self, id: u64, result: Result<String, String>) {
        self.0
            .dispatch(Action::Remote(RemoteAction::Verified { id, result }));
    }
}

/// Opens the bridge link when the page address carries a bridge token.
pub fn attach_bridge(state: &UseReducerHandle<PlaygroundState>) {
    if let Some(token) = BridgeLink::token_from_location() {
        let link = BridgeLink::open(token, Rc::new(Host(state.clone())));
        state.dispatch(Action::Remote(RemoteAction::Attach(link)));
    }
}
