//! One relayed client: its TCP socket pumped to and from its WebSocket in the page.
//!
//! The pump makes no protocol decision. It splits the client's bytes into frames and sends
//! them against the page's credit; it writes what the page sends; and when the page goes away
//! without closing the session (reload, tab closed), it closes the client itself with
//! `320 CONNECTION_FORCED - page closed`, as RabbitMQ closes clients of a node that goes down.
//!
//! Memory per client is bounded: one read buffer, at most one frame of
//! [`MAX_RELAY_FRAME`] octets held in the splitter, and nothing queued towards the page beyond
//! what the credit allows (the WebSocket send is awaited). When the client's socket is slow to
//! read, the write is awaited and the page's socket backs up instead.

use std::time::Duration;

use amqp_playground_relay::control::CLOSE_SHUTDOWN;
use amqp_playground_relay::frames::{forced_close, Splitter, Watch, BRIDGE_SHUTDOWN, PAGE_CLOSED};
use amqp_playground_relay::{control::ConnectionText, frames::FRAME_OVERHEAD_MAX, Credit};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

use amqp_playground_relay::MAX_RELAY_FRAME;

/// How long a forced close waits for the client's `close-ok` before dropping the socket.
const CLOSE_OK_WAIT: Duration = Duration::from_secs(1);

/// How a relay ended, for the log line.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    /// The page's session closed the connection (the normal end).
    PageClosedSession,
    /// The client closed its socket.
    ClientClosed,
    /// The page went away; the client got 320 (if it had opened its connection).
    PageGone,
    /// The bridge is stopping.
    Shutdown,
    /// A socket failed.
    Failed(String),
}

/// Pumps `tcp` ⇄ `ws` until one side ends.
pub async fn pump(
    mut tcp: TcpStream,
    mut ws: WebSocket,
    mut page_alive: watch::Receiver<()>,
    shutdown: tokio_util::sync::CancellationToken,
) -> Ending {
    let mut split = Splitter::new();
    let mut credit = Credit::default();
    let mut watch = Watch::default();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        // Send every whole frame the credit allows.
        while credit.available() {
            let Some(frame) = split.next_frame() else {
                break;
            };
            credit.spend();
            if let Err(e) = ws.send(Message::Binary(frame.into())).await {
                return page_gone(&mut tcp, &watch, PAGE_CLOSED, Some(e.to_string())).await;
            }
        }
        let can_read = !split.stopped()
            && credit.available()
            && split.buffered() < MAX_RELAY_FRAME + FRAME_OVERHEAD_MAX;
        tokio::select! {
            read = tcp.read(&mut buf), if can_read => match read {
                Ok(0) | Err(_) => {
                    let _ = ws
                        .send(Message::Close(Some(CloseFrame {
                            code: 1000,
                            reason: "client closed".into(),
                        })))
                        .await;
                    return Ending::ClientClosed;
                }
                Ok(n) => split.push(&buf[..n]),
            },
            msg = ws.recv() => match msg {
                Some(Ok(Message::Binary(bytes))) => {
                    watch.observe(&bytes);
                    if let Err(e) = tcp.write_all(&bytes).await {
                        let _ = ws.send(Message::Close(Some(CloseFrame {
                            code: 1000,
                            reason: "client closed".into(),
                        }))).await;
                        return Ending::Failed(format!("writing to the client: {e}"));
                    }
                }
                Some(Ok(Message::Text(text))) => match ConnectionText::from_json(text.as_str()) {
                    Ok(ConnectionText::Credit { frames }) => credit.grant(frames),
                    Err(e) => return page_gone(&mut tcp, &watch, PAGE_CLOSED, Some(e)).await,
                },
                // 1000: the page's session closed the connection and its last frames are out.
                Some(Ok(Message::Close(Some(frame)))) if frame.code == 1000 => {
                    let _ = tcp.shutdown().await;
                    return Ending::PageClosedSession;
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    return page_gone(&mut tcp, &watch, PAGE_CLOSED, None).await;
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            },
            _ = page_alive.changed() => {
                return page_gone(&mut tcp, &watch, PAGE_CLOSED, None).await;
            }
            _ = shutdown.cancelled() => {
                let _ = ws.send(Message::Close(Some(CloseFrame {
                    code: CLOSE_SHUTDOWN,
                    reason: "the bridge is stopping".into(),
                }))).await;
                forced(&mut tcp, &watch, BRIDGE_SHUTDOWN).await;
                return Ending::Shutdown;
            }
        }
    }
}

async fn page_gone(tcp: &mut TcpStream, watch: &Watch, text: &str, why: Option<String>) -> Ending {
    forced(tcp, watch, text).await;
    match why {
        Some(why) => Ending::Failed(format!("the page's socket: {why}")),
        None => Ending::PageGone,
    }
}

/// Closes a client the page can no longer serve: `connection.close 320` once its connection is
/// open (then a short wait for close-ok), a plain socket close before that.
async fn forced(tcp: &mut TcpStream, watch: &Watch, text: &str) {
    if watch.is_open() && tcp.write_all(&forced_close(text)).await.is_ok() {
        let mut buf = [0u8; 512];
        let _ = tokio::time::timeout(CLOSE_OK_WAIT, async {
            // Whatever the client sends until it closes: its close-ok (or late frames).
            loop {
                match tcp.read(&mut buf).await {
                    // connection.close-ok: class 10, method 51.
                    Ok(n) if n > 0 && !buf[..n].windows(4).any(|w| w == [0, 10, 0, 51]) => {}
                    _ => break,
                }
            }
        })
        .await;
    }
    let _ = tcp.shutdown().await;
}
