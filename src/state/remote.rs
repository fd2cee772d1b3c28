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
use crate::sim::verify::{self, Difference};

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
    /// Frames from a real client (a batch, in order).
    Frames {
        /// The bridge's number for it.
        conn: u64,
        /// The frames.
        frames: Vec<Vec<u8>>,
    },
    /// A real client's socket closed.
    Lost(u64),
    /// The link's state changed.
    Status(BridgeStatus),
    /// Run the scenario on the upstream RabbitMQ too (request `id`).
    Verify(u64),
    /// A Verify answer from the upstream RabbitMQ.
    Verified {
        /// The request's id.
        id: u64,
        /// The canonical result, or why there is none.
        result: Result<String, String>,
    },
}

thread_local! {
    static NEXT_VERIFY: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

/// A fresh Verify request id (the button and `verify()` share the numbering).
pub fn next_verify_id() -> u64 {
    NEXT_VERIFY.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}

/// A Verify run: the script, both results and what differs.
#[derive(Clone, Debug, PartialEq)]
pub struct Verification {
    /// The request's id.
    pub id: u64,
    /// The client script both sides ran.
    pub script: String,
    /// What the scenario does that the script does not.
    pub notes: Vec<String>,
    /// The compat profile the page's side ran under (matching the upstream's version).
    pub profile: &'static str,
    /// The upstream's version, if known.
    pub upstream_version: Option<String>,
    /// The page's core's canonical result.
    pub playground: Result<String, String>,
    /// RabbitMQ's, once it answered.
    pub rabbitmq: Option<Result<String, String>>,
    /// The sections that differ (empty: the same outcome, once both are in).
    pub differences: Vec<Difference>,
}

impl Verification {
    /// Whether both sides answered.
    pub fn done(&self) -> bool {
        self.rabbitmq.is_some()
    }

    /// Both answered with results and they match.
    pub fn same(&self) -> bool {
        matches!((&self.playground, &self.rabbitmq), (Ok(_), Some(Ok(_))))
            && self.differences.is_empty()
    }
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
            RemoteAction::Frames { conn, frames } => {
                {
                    let mut engine = self.engine.borrow_mut();
                    for frame in &frames {
                        engine.remote_receive(conn, frame);
                    }
                }
                if let Some(link) = &self.bridge {
                    link.granted(conn, frames.len() as u32);
                }
            }
            RemoteAction::Lost(conn) => self.engine.borrow_mut().remote_lost(conn),
            RemoteAction::Status(status) => self.bridge_status = Some(status),
            RemoteAction::Verify(id) => return self.start_verify(id),
            RemoteAction::Verified { id, result } => self.finish_verify(id, result),
        }
        Ok(())
    }

    /// Builds the script, runs it on the page's core, and sends it to the bridge.
    fn start_verify(&mut self, id: u64) -> Result<(), String> {
        let refuse = |why: String| Err(format!("Verify on RabbitMQ: {why}"));
        // The plain page has no bridge to verify through; its download leaves Verify out.
        if cfg!(not(feature = "bridge")) {
            let _ = id;
            return refuse("this page was built without the bridge; open the page `amqp-playground bridge --upstream …` serves".into());
        }
        let (link, version) = match (&self.bridge, &self.bridge_status) {
            (
                Some(link),
                Some(BridgeStatus::Connected {
                    upstream: Some(_),
                    upstream_version,
                    ..
                }),
            ) => (link.clone(), upstream_version.clone()),
            (Some(_), Some(BridgeStatus::Connected { upstream: None, .. })) => {
                return refuse(
                    "the bridge has no upstream: start it with --upstream amqp://guest:guest@127.0.0.1:5672/"
                        .into(),
                )
            }
            _ => {
                return refuse(
                    "open the page from `amqp-playground bridge --upstream amqp://…` (it prints the address)"
                        .into(),
                )
            }
        };
        let script = {
            let engine = self.engine.borrow();
            let recording = self.recording.borrow();
            verify::script_for(engine.scenario(), recording.inputs(), engine.remote_steps())
        };
        let compat = verify::compat_for(version.as_deref());
        let playground = verify::run_on_core(&script.json, compat);
        link.verify(id, script.json.clone()).or_else(refuse)?;
        self.verification = Some(Verification {
            id,
            script: script.json,
            notes: script.notes,
            profile: compat.name(),
            upstream_version: version,
            playground,
            rabbitmq: None,
            differences: Vec::new(),
        });
        Ok(())
    }

    fn finish_verify(&mut self, id: u64, result: Result<String, String>) {
        if cfg!(not(feature = "bridge")) {
            return;
        }
        let Some(v) = self.verification.as_mut().filter(|v| v.id == id) else {
            return;
        };
        if let (Ok(ours), Ok(theirs)) = (&v.playground, &result) {
            v.differences = verify::compare(ours, theirs);
        }
        v.rabbitmq = Some(result);
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

    fn received(&self, conn: u64, frames: Vec<Vec<u8>>) {
        self.0
            .dispatch(Action::Remote(RemoteAction::Frames { conn, frames }));
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
pub fn attach_bridge(state: &UseReducerHandle<PlaygroundState>) -> bool {
    let Some(token) = BridgeLink::token_from_location() else {
        return false;
    };
    let link = BridgeLink::open(token, Rc::new(Host(state.clone())));
    state.dispatch(Action::Remote(RemoteAction::Attach(link)));
    true
}
