//! Accepting sockets and pumping their bytes (mini-redis-shaped).
//!
//! Each accepted socket gets a reader task and a writer task; both only move bytes between the
//! socket and the hub's bounded channels. Connections are capped by a semaphore whose permit
//! travels with the reader and is returned when it ends; shutdown is one cancellation token every task
//! selects on (a token, not a broadcast: a task that starts listening after the signal still
//! sees it; with a broadcast the accept loop could miss a stop sent before it first ran).

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::hub::{Input, SocketId};

/// Bytes read from a socket at a time (one `Input::Data`).
const READ_CHUNK: usize = 64 * 1024;
/// Output chunks queued for one socket before the hub waits for its writer.
const WRITE_QUEUE: usize = 256;

/// Accepts until shutdown.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    hub: mpsc::Sender<Input>,
    max_connections: usize,
    stop: CancellationToken,
) {
    let limit = Arc::new(Semaphore::new(max_connections));
    let mut next_id: SocketId = 0;
    loop {
        let permit = tokio::select! {
            permit = limit.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => return,
            },
            _ = stop.cancelled() => return,
        };
        let (socket, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("accept failed: {e}");
                    continue;
                }
            },
            _ = stop.cancelled() => return,
        };
        let _ = socket.set_nodelay(true);
        next_id += 1;
        let id = next_id;
        let (writer_tx, writer_rx) = mpsc::channel(WRITE_QUEUE);
        if hub
            .send(Input::Accepted {
                id,
                peer,
                writer: writer_tx,
            })
            .await
            .is_err()
        {
            return;
        }
        let hub = hub.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            // The permit is returned when this task ends, whichever way it ends.
            let _permit = permit;
            connection(socket, id, hub, writer_rx, stop).await;
        });
    }
}

/// One socket: read into the hub, write what the hub sends, until either side ends.
async fn connection(
    socket: TcpStream,
    id: SocketId,
    hub: mpsc::Sender<Input>,
    mut output: mpsc::Receiver<Option<Vec<u8>>>,
    stop: CancellationToken,
) {
    let (mut reader, mut writer) = socket.into_split();
    let write = async move {
        while let Some(Some(bytes)) = output.recv().await {
            if writer.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = writer.shutdown().await;
    };
    let hub_for_reader = hub.clone();
    let read = async move {
        let mut buf = vec![0u8; READ_CHUNK];
        let mut stopping = false;
        loop {
            let n = tokio::select! {
                n = reader.read(&mut buf) => n,
                // At shutdown the hub closes sessions itself; keep reading their close-ok.
                _ = stop.cancelled(), if !stopping => {
                    stopping = true;
                    continue;
                }
            };
            let why = match n {
                Ok(0) => "client closed the socket".to_string(),
                Ok(n) => {
                    if hub_for_reader
                        .send(Input::Data(id, buf[..n].to_vec()))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    continue;
                }
                Err(e) => format!("socket error: {e}"),
            };
            let _ = hub_for_reader.send(Input::Closed(id, why)).await;
            return;
        }
    };
    // The writer ends when the hub says so (or the socket breaks); the reader ends at EOF.
    // The connection is over when the writer is done: dropping the read half then closes it.
    tokio::select! {
        _ = write => {}
        _ = async { read.await; std::future::pending::<()>().await } => {}
    }
    let _ = hub.send(Input::Closed(id, "closed".into())).await;
}
