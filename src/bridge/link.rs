//! [`BridgeLink`] over the browser's WebSockets (wasm32 only).
//!
//! Ownership, so that nothing leaks and nothing dangles: the link's state owns every socket
//! together with its three event handlers ([`Socket`]), and the handlers hold only a `Weak` to
//! that state, so there is no cycle. A socket and its handlers are dropped together when it
//! closes; a handler may drop itself (wasm-bindgen frees a closure's environment only after the
//! call that dropped it returns). Dropping the last `BridgeLink` closes every socket.
//!
//! Re-entrancy: no handler holds the state's `RefCell` borrow while it calls the host, so the
//! host may call the link back from any callback.

use amqp_playground_core::{SortedMap, SortedSet};
use std::cell::RefCell;
use std::fmt;
use std::rc::{Rc, Weak};

use amqp_playground_relay::control::{ConnectionText, ToBridge, ToPage, SUBPROTOCOL};
use amqp_playground_relay::frames::split_output;
use gloo_timers::callback::Timeout;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use super::socket::Socket;
use super::{
    close_status, connection_url, control_url, page_label, socket_base, token_from_query,
    verified_result, BridgeHost, BridgeStatus, CreditGate,
};

/// How often credit held back for a long queue is looked at again. A timer, not only the next
/// frame in or out: the client may be waiting for exactly that credit, and the page may have
/// nothing more to send it.
const POLL_MS: u32 = 50;

/// The page's link to `amqp-playground bridge`: a cheap handle, cloned freely; equal handles are
/// the same link. Dropping the last one closes every socket (the bridge then closes the
/// relayed clients with `320 CONNECTION_FORCED - page closed`).
#[derive(Clone)]
pub struct BridgeLink {
    shared: Rc<Shared>,
}

struct Shared {
    host: Rc<dyn BridgeHost>,
    /// `ws://host` of the server that served the page.
    base: String,
    token: String,
    state: RefCell<State>,
}

struct State {
    /// `None` once the control socket closed (or could not be made).
    control: Option<Socket>,
    /// The control socket opened (a refused one never does).
    opened: bool,
    /// The bridge said hello.
    hello: bool,
    /// Who holds the bridge, from a `busy` message.
    busy: Option<String>,
    status: BridgeStatus,
    conns: SortedMap<u64, Conn>,
    /// Verify requests not answered yet: answered with an error if the bridge goes away.
    verifying: SortedSet<u64>,
    /// The pending look at held-back credit.
    poll: Option<Timeout>,
    /// Frames received and not yet handed to the host, in arrival order: handed over in one
    /// batch per turn of the event loop, so a burst costs the page one update, not one per
    /// frame.
    inbox: Vec<(u64, Vec<u8>)>,
    /// The pending hand-over of `inbox`.
    deliver: Option<Timeout>,
}

/// One relayed client.
struct Conn {
    socket: Socket,
    peer: String,
    /// Its socket opened and the host was told.
    open: bool,
    /// The host finished its session: the socket is closing with 1000.
    finished: bool,
    gate: CreditGate,
}

impl Conn {
    fn live(&self) -> bool {
        self.open && !self.finished
    }
}

impl BridgeLink {
    /// The bridge token in the page address (`?bridge=TOKEN`), if any.
    pub fn token_from_location() -> Option<String> {
        let search = web_sys::window()?.location().search().ok()?;
        token_from_query(&search)
    }

    /// Opens the control socket to the server that served this page. Reports
    /// [`BridgeStatus::Connecting`] before it returns, then the rest from the socket's events.
    pub fn open(token: String, host: Rc<dyn BridgeHost>) -> BridgeLink {
        let location = web_sys::window().map(|w| w.location());
        let base = location
            .map(|l| {
                socket_base(
                    &l.protocol().unwrap_or_default(),
                    &l.host().unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let shared = Rc::new(Shared {
            host,
            base,
            token,
            state: RefCell::new(State {
                control: None,
                opened: false,
                hello: false,
                busy: None,
                status: BridgeStatus::Connecting,
                conns: SortedMap::new(),
                verifying: SortedSet::new(),
                poll: None,
                inbox: Vec::new(),
                deliver: None,
            }),
        });
        shared.host.status(BridgeStatus::Connecting);
        let url = control_url(&shared.base, &shared.token, &page_id(), &label(), encode);
        match WebSocket::new(&url) {
            Ok(ws) => {
                let socket = control_socket(ws, Rc::downgrade(&shared));
                shared.state.borrow_mut().control = Some(socket);
            }
            Err(e) => shared.set_status(BridgeStatus::Refused {
                why: format!("could not open a socket to the bridge: {}", describe(&e)),
            }),
        }
        BridgeLink { shared }
    }

    /// Sends session output to client `conn`, one binary message per frame. Ignored for a
    /// connection that is not open (any more): its `lost` was or will be reported.
    pub fn send(&self, conn: u64, bytes: &[u8]) {
        {
            let state = self.shared.state.borrow();
            let Some(c) = state.conns.get(&conn).filter(|c| c.live()) else {
                return;
            };
            for frame in split_output(bytes) {
                // A failing send means the socket is closing; its close event reports it.
                if c.socket.ws.send_with_u8_array(frame).is_err() {
                    break;
                }
            }
        }
        self.shared.grant(conn, 0);
    }

    /// The host handed `frames` frames of client `conn` to its session: grants the bridge that
    /// much credit, in batches, held back while the socket's send queue is long
    /// ([`CreditGate`]).
    pub fn granted(&self, conn: u64, frames: u32) {
        self.shared.grant(conn, frames);
    }

    /// Client `conn`'s session is closed: closes its socket with 1000 once what was sent has
    /// gone (the browser sends queued messages before the close frame), and the bridge closes
    /// the client's TCP socket. Frames that still arrive are dropped; `lost` is not reported.
    pub fn finish(&self, conn: u64) {
        let mut state = self.shared.state.borrow_mut();
        if let Some(c) = state.conns.get_mut(&conn).filter(|c| !c.finished) {
            c.finished = true;
            let _ = c
                .socket
                .ws
                .close_with_code_and_reason(1000, "session closed");
        }
    }

    /// Asks the bridge to run `script` on its upstream RabbitMQ; the answer comes to
    /// [`BridgeHost::verified`] with the same `id`. An error, at once, when the link is not open.
    pub fn verify(&self, id: u64, script: String) -> Result<(), String> {
        let mut state = self.shared.state.borrow_mut();
        let control = match &state.control {
            Some(c) if state.hello && c.ws.ready_state() == WebSocket::OPEN => &c.ws,
            _ => return Err("the page is not connected to a bridge".into()),
        };
        control
            .send_with_str(&ToBridge::Verify { id, script }.to_json())
            .map_err(|e| format!("could not send to the bridge: {}", describe(&e)))?;
        state.verifying.insert(id);
        Ok(())
    }

    /// Whether the bridge said hello and its control socket is still open.
    pub fn is_open(&self) -> bool {
        let state = self.shared.state.borrow();
        state.hello
            && state
                .control
                .as_ref()
                .is_some_and(|c| c.ws.ready_state() == WebSocket::OPEN)
    }

    /// The last status reported to the host.
    pub fn status(&self) -> BridgeStatus {
        self.shared.state.borrow().status.clone()
    }
}

impl PartialEq for BridgeLink {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared)
    }
}

impl fmt::Debug for BridgeLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state.borrow();
        f.debug_struct("BridgeLink")
            .field("status", &state.status)
            .field("conns", &state.conns.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn control_socket(ws: WebSocket, weak: Weak<Shared>) -> Socket {
    let on_open = {
        let weak = weak.clone();
        move |_: Event| {
            if let Some(shared) = weak.upgrade() {
                shared.state.borrow_mut().opened = true;
            }
        }
    };
    let on_message = {
        let weak = weak.clone();
        move |e: MessageEvent| {
            if let Some(shared) = weak.upgrade() {
                shared.on_control_message(e);
            }
        }
    };
    let on_close = move |e: CloseEvent| {
        if let Some(shared) = weak.upgrade() {
            shared.on_control_close(e);
        }
    };
    Socket::new(ws, on_open, on_message, on_close)
}

impl Shared {
    /// Records `status`, then tells the host.
    fn set_status(&self, status: BridgeStatus) {
        self.state.borrow_mut().status = status.clone();
        self.host.status(status);
    }

    fn on_control_message(self: &Rc<Self>, e: MessageEvent) {
        let Some(text) = e.data().as_string() else {
            warn("bridge: ignored a binary message on the control socket");
            return;
        };
        let message = match ToPage::from_json(&text) {
            Ok(m) => m,
            Err(why) => return warn(&format!("bridge: ignored a control message: {why}")),
        };
        match message {
            ToPage::Hello {
                amqp,
                upstream,
                upstream_version,
                ..
            } => {
                self.state.borrow_mut().hello = true;
                self.set_status(BridgeStatus::Connected {
                    amqp,
                    upstream,
                    upstream_version,
                });
            }
            ToPage::Client { conn, peer } => self.open_connection(conn, peer),
            // The close (4409) follows; it reports Busy with this holder.
            ToPage::Busy { holder } => self.state.borrow_mut().busy = Some(holder),
            ToPage::Verified { id, result, error } => {
                self.state.borrow_mut().verifying.remove(&id);
                self.host.verified(id, verified_result(result, error));
            }
        }
    }

    /// The bridge is gone (stopped, busy, refused or dropped): so is every client it relayed.
    fn on_control_close(&self, e: CloseEvent) {
        let (status, lost, unanswered) = {
            let mut state = self.state.borrow_mut();
            let status = close_status(state.opened, e.code(), &e.reason(), state.busy.take());
            // Dropping them closes the sockets the bridge has not closed yet, and their handlers.
            let conns = std::mem::take(&mut state.conns);
            let lost: Vec<u64> = conns
                .iter()
                .filter(|(_, c)| c.live())
                .map(|(&conn, _)| conn)
                .collect();
            drop(conns);
            state.control = None; // this handler's own socket: freed once it returns
            state.hello = false;
            state.poll = None;
            (status, lost, std::mem::take(&mut state.verifying))
        };
        for conn in lost {
            self.host.lost(conn);
        }
        for id in unanswered {
            self.host
                .verified(id, Err("the bridge went away before it answered".into()));
        }
        self.set_status(status);
    }

    fn open_connection(self: &Rc<Self>, conn: u64, peer: String) {
        if self.state.borrow().conns.contains_key(&conn) {
            return warn(&format!(
                "bridge: client {conn} was announced twice; ignored"
            ));
        }
        let url = connection_url(&self.base, &self.token, conn, encode);
        let ws = match WebSocket::new_with_str(&url, SUBPROTOCOL) {
            Ok(ws) => ws,
            Err(e) => {
                return warn(&format!(
                    "bridge: could not open client {conn}'s socket: {}",
                    describe(&e)
                ))
            }
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        let weak = Rc::downgrade(self);
        let on_open = {
            let weak = weak.clone();
            move |_: Event| {
                if let Some(shared) = weak.upgrade() {
                    shared.on_connection_open(conn);
                }
            }
        };
        let on_message = {
            let weak = weak.clone();
            move |e: MessageEvent| {
                if let Some(shared) = weak.upgrade() {
                    shared.on_connection_message(conn, e);
                }
            }
        };
        let on_close = move |e: CloseEvent| {
            if let Some(shared) = weak.upgrade() {
                shared.on_connection_close(conn, e);
            }
        };
        let socket = Socket::new(ws, on_open, on_message, on_close);
        let c = Conn {
            socket,
            peer,
            open: false,
            finished: false,
            gate: CreditGate::default(),
        };
        self.state.borrow_mut().conns.insert(conn, c);
    }

    fn on_connection_open(&self, conn: u64) {
        let peer = {
            let mut state = self.state.borrow_mut();
            let Some(c) = state.conns.get_mut(&conn) else {
                return;
            };
            c.open = true;
            c.peer.clone()
        };
        self.host.connected(conn, peer);
    }

    fn on_connection_message(self: &Rc<Self>, conn: u64, e: MessageEvent) {
        let Some(buffer) = e.data().dyn_ref::<js_sys::ArrayBuffer>().cloned() else {
            return warn(&format!(
                "bridge: ignored a text message from client {conn}"
            ));
        };
        let schedule = {
            let mut state = self.state.borrow_mut();
            if !state.conns.get(&conn).is_some_and(Conn::live) {
                return;
            }
            state
                .inbox
                .push((conn, js_sys::Uint8Array::new(&buffer).to_vec()));
            state.deliver.is_none()
        };
        if schedule {
            let weak = Rc::downgrade(self);
            let timeout = Timeout::new(0, move || {
                if let Some(shared) = weak.upgrade() {
                    shared.deliver();
                }
            });
            self.state.borrow_mut().deliver = Some(timeout);
        }
    }

    /// Hands the inbox to the host: consecutive frames of one client as one batch.
    fn deliver(self: &Rc<Self>) {
        let inbox = {
            let mut state = self.state.borrow_mut();
            state.deliver = None; // the timeout calling us: freed once this call returns
            std::mem::take(&mut state.inbox)
        };
        let mut batches: Vec<(u64, Vec<Vec<u8>>)> = Vec::new();
        for (conn, frame) in inbox {
            match batches.last_mut() {
                Some((c, frames)) if *c == conn => frames.push(frame),
                _ => batches.push((conn, vec![frame])),
            }
        }
        for (conn, frames) in batches {
            self.host.received(conn, frames);
            self.grant(conn, 0);
        }
    }

    fn on_connection_close(self: &Rc<Self>, conn: u64, e: CloseEvent) {
        // Its last frames go to the host before the news that it left.
        if self.state.borrow().inbox.iter().any(|(c, _)| *c == conn) {
            self.deliver();
        }
        let Some(gone) = self.state.borrow_mut().conns.remove(&conn) else {
            return;
        };
        if gone.live() {
            self.host.lost(conn);
        } else if !gone.open {
            // The bridge refused it (a client that waited too long?) or the browser failed it.
            warn(&format!(
                "bridge: client {conn}'s socket closed before it opened (code {})",
                e.code()
            ));
        }
    }

    /// Adds `frames` to what `conn` is owed and sends what may go now; keeps a timer while any
    /// connection's credit is held back.
    fn grant(self: &Rc<Self>, conn: u64, frames: u32) {
        let schedule = {
            let mut state = self.state.borrow_mut();
            if let Some(c) = state.conns.get_mut(&conn).filter(|c| c.live()) {
                if let Some(credit) = c.gate.grant(frames, c.socket.ws.buffered_amount()) {
                    send_credit(&c.socket.ws, credit);
                }
            }
            state.poll.is_none() && held_back(&state)
        };
        if schedule {
            self.schedule_poll();
        }
    }

    fn schedule_poll(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let timeout = Timeout::new(POLL_MS, move || {
            if let Some(shared) = weak.upgrade() {
                shared.poll();
            }
        });
        self.state.borrow_mut().poll = Some(timeout);
    }

    fn poll(self: &Rc<Self>) {
        let again = {
            let mut state = self.state.borrow_mut();
            state.poll = None; // the timeout calling us: freed once this call returns
            for c in state.conns.values_mut().filter(|c| c.live()) {
                if let Some(credit) = c.gate.release(c.socket.ws.buffered_amount()) {
                    send_credit(&c.socket.ws, credit);
                }
            }
            held_back(&state)
        };
        if again {
            self.schedule_poll();
        }
    }
}

fn held_back(state: &State) -> bool {
    state.conns.values().any(|c| c.live() && c.gate.held_back())
}

fn send_credit(ws: &WebSocket, frames: u32) {
    // A failing send means the socket is closing; its close event reports it.
    let _ = ws.send_with_str(&ConnectionText::Credit { frames }.to_json());
}

fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

/// A fresh id for this page's control socket (the bridge only logs it).
fn page_id() -> String {
    format!("{:012x}", (js_sys::Math::random() * 2f64.powi(48)) as u64)
}

fn label() -> String {
    let title = web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.title())
        .unwrap_or_default();
    let now = js_sys::Date::new_0();
    page_label(
        &title,
        now.get_hours(),
        now.get_minutes(),
        now.get_seconds(),
    )
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}
