//! What the bridge's tasks share: which page holds the bridge, and the clients waiting for it.
//!
//! One page at a time runs the relayed clients (they all talk to *its* broker): the first
//! control socket takes the bridge, a second one is told who holds it. A client that connects
//! while no page is open waits (up to [`PENDING_TIMEOUT`]) and is announced to the page that
//! opens next.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amqp_playground_relay::control::ToPage;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

/// How long a client waits for a page before the bridge drops it.
pub const PENDING_TIMEOUT: Duration = Duration::from_secs(30);
/// How many clients may wait for a page at once (more are refused at connect).
pub const MAX_PENDING: usize = 64;

/// The shared state, behind one lock that no task holds across an `.await`.
#[derive(Debug)]
pub struct Hub {
    inner: Mutex<Inner>,
    /// Log one line per page and connection on stderr.
    pub log: bool,
    /// The page address to open (for log lines that tell the learner what to do).
    pub page_url: String,
}

#[derive(Debug, Default)]
struct Inner {
    holder: Option<Holder>,
    pending: BTreeMap<u64, Pending>,
    next_conn: u64,
    next_page: u64,
}

#[derive(Debug)]
struct Holder {
    id: u64,
    label: String,
    since: Instant,
    to_page: mpsc::Sender<ToPage>,
    /// Dropped when the page lets go: every relay of that page sees its receiver close.
    alive: watch::Sender<()>,
}

/// A client waiting for the page to open its connection socket.
#[derive(Debug)]
pub struct Pending {
    /// Its socket.
    pub stream: TcpStream,
    /// Its address.
    pub peer: SocketAddr,
}

/// A page's hold on the bridge; dropping it lets go (and ends that page's relays).
#[derive(Debug)]
pub struct Hold {
    hub: Arc<Hub>,
    id: u64,
}

impl Drop for Hold {
    fn drop(&mut self) {
        let mut inner = self.hub.inner.lock().expect("hub lock");
        if inner.holder.as_ref().is_some_and(|h| h.id == self.id) {
            inner.holder = None;
        }
    }
}

impl Hub {
    /// An empty hub.
    pub fn new(log: bool, page_url: String) -> Self {
        Hub {
            inner: Mutex::new(Inner::default()),
            log,
            page_url,
        }
    }

    /// Writes a log line (stderr), if logging is on.
    pub fn log(&self, line: &str) {
        if self.log {
            eprintln!("bridge: {line}");
        }
    }

    /// A page asks to hold the bridge: the hold and the clients already waiting, or the
    /// description of the page that holds it.
    pub fn hold(
        self: &Arc<Self>,
        label: &str,
        to_page: mpsc::Sender<ToPage>,
    ) -> Result<(Hold, Vec<ToPage>), String> {
        let mut inner = self.inner.lock().expect("hub lock");
        if let Some(h) = &inner.holder {
            return Err(format!(
                "{} (connected {} s ago): close or reload that tab, or open this one there",
                h.label,
                h.since.elapsed().as_secs()
            ));
        }
        inner.next_page += 1;
        let id = inner.next_page;
        let (alive, _) = watch::channel(());
        inner.holder = Some(Holder {
            id,
            label: label.to_string(),
            since: Instant::now(),
            to_page,
            alive,
        });
        let waiting = inner
            .pending
            .iter()
            .map(|(&conn, p)| ToPage::Client {
                conn,
                peer: p.peer.to_string(),
            })
            .collect();
        Ok((
            Hold {
                hub: self.clone(),
                id,
            },
            waiting,
        ))
    }

    /// A client connected: it waits under a new number, and the holding page (if any) hears
    /// of it. `Err` when too many are waiting already.
    pub fn arrive(&self, stream: TcpStream, peer: SocketAddr) -> Result<u64, TcpStream> {
        let mut inner = self.inner.lock().expect("hub lock");
        if inner.pending.len() >= MAX_PENDING {
            return Err(stream);
        }
        inner.next_conn += 1;
        let conn = inner.next_conn;
        inner.pending.insert(conn, Pending { stream, peer });
        if let Some(h) = &inner.holder {
            // A full queue means the page is not reading its control socket; the client still
            // waits and the page sees it when it next holds the bridge.
            let _ = h.to_page.try_send(ToPage::Client {
                conn,
                peer: peer.to_string(),
            });
        }
        Ok(conn)
    }

    /// The page opened client `conn`'s socket: the client, and a receiver that closes when the
    /// page lets go of the bridge. `None` if no page holds the bridge or the client is gone.
    pub fn take(&self, conn: u64) -> Option<(Pending, watch::Receiver<()>)> {
        let mut inner = self.inner.lock().expect("hub lock");
        let alive = inner.holder.as_ref()?.alive.subscribe();
        let pending = inner.pending.remove(&conn)?;
        Some((pending, alive))
    }

    /// Drops client `conn` if it is still waiting (its wait timed out); its address if so.
    pub fn expire(&self, conn: u64) -> Option<SocketAddr> {
        let mut inner = self.inner.lock().expect("hub lock");
        inner.pending.remove(&conn).map(|p| p.peer)
    }

    /// Whether a page holds the bridge.
    pub fn held(&self) -> bool {
        self.inner.lock().expect("hub lock").holder.is_some()
    }
}
