//! The HTTP side: the built page, the control socket and the connection sockets.
//!
//! Every request passes the `Host` check first; sockets also need the token and an allowed
//! `Origin` ([`crate::guard`]). A refusal is an HTTP 403 whose body says why (a browser shows
//! only a failed socket, so the bridge also logs it).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use amqp_playground_relay::control::{
    ToBridge, ToPage, CLOSE_BUSY, CLOSE_SHUTDOWN, CONNECTION_PATH, CONTROL_PATH, SUBPROTOCOL,
};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::mpsc;
use tower_http::services::{ServeDir, ServeFile};

use crate::guard::Guard;
use crate::hub::Hub;
use crate::{relay, verify};

/// What the handlers share.
#[derive(Clone)]
pub struct App {
    /// The page and clients.
    pub hub: Arc<Hub>,
    /// The checks.
    pub guard: Arc<Guard>,
    /// The upstream RabbitMQ for Verify (with its password: never sent to the page).
    pub upstream: Option<String>,
    /// The AMQP address, for the page's hello.
    pub amqp: String,
    /// The upstream's version, read when the bridge started.
    pub upstream_version: Option<String>,
    /// Stops everything.
    pub shutdown: tokio_util::sync::CancellationToken,
}

/// The router: sockets, then the page's files from `dist`.
pub fn router(app: App, dist: PathBuf) -> Router {
    let files = ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .route(CONTROL_PATH, get(control))
        .route(CONNECTION_PATH, get(connection))
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(app.clone(), check_host))
        .with_state(app)
}

fn refuse(hub: &Hub, status: StatusCode, why: String) -> Response {
    hub.log(&format!("refused a request: {why}"));
    (status, why).into_response()
}

async fn check_host(State(app): State<App>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    match app.guard.check_host(host) {
        Ok(()) => next.run(request).await,
        Err(r) => refuse(&app.hub, StatusCode::FORBIDDEN, r.0),
    }
}

fn check_socket(
    app: &App,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<(), Box<Response>> {
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    app.guard
        .check_socket(origin, query.get("token").map(String::as_str))
        .map_err(|r| Box::new(refuse(&app.hub, StatusCode::FORBIDDEN, r.0)))
}

/// A page's label for the "held by" message: printable, at most 80 characters.
fn label_of(query: &HashMap<String, String>) -> String {
    let label: String = query
        .get("label")
        .map(String::as_str)
        .unwrap_or("a page")
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    if label.is_empty() {
        "a page".into()
    } else {
        label
    }
}

async fn control(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    if let Err(refused) = check_socket(&app, &headers, &query) {
        return *refused;
    }
    let label = label_of(&query);
    ws.on_upgrade(move |socket| control_session(app, socket, label))
}

async fn control_session(app: App, mut ws: WebSocket, label: String) {
    let (to_page, mut outbox) = mpsc::channel::<ToPage>(256);
    let (hold, waiting) = match app.hub.hold(&label, to_page.clone()) {
        Ok(held) => held,
        Err(holder) => {
            app.hub
                .log(&format!("{label} asked for the bridge; held by {holder}"));
            let _ = ws
                .send(Message::Text(ToPage::Busy { holder }.to_json().into()))
                .await;
            let _ = ws
                .send(Message::Close(Some(CloseFrame {
                    code: CLOSE_BUSY,
                    reason: "another page holds this bridge".into(),
                })))
                .await;
            return;
        }
    };
    app.hub.log(&format!("page connected: {label}"));
    let hello = ToPage::Hello {
        bridge: env!("CARGO_PKG_VERSION").to_string(),
        amqp: app.amqp.clone(),
        upstream: app.upstream.as_deref().map(verify::redact),
        upstream_version: app.upstream_version.clone(),
    };
    let mut first = vec![hello];
    first.extend(waiting);
    for m in first {
        if ws.send(Message::Text(m.to_json().into())).await.is_err() {
            return;
        }
    }
    let shutdown = app.shutdown.clone();
    let mut verifying = false;
    loop {
        tokio::select! {
            out = outbox.recv() => {
                let Some(out) = out else { break };
                if matches!(out, ToPage::Verified { .. }) {
                    verifying = false;
                }
                if ws.send(Message::Text(out.to_json().into())).await.is_err() {
                    break;
                }
            }
            msg = ws.recv() => match msg {
                Some(Ok(Message::Text(text))) => match ToBridge::from_json(text.as_str()) {
                    Ok(ToBridge::Verify { id, .. }) if verifying => {
                        let error = Some("a Verify is already running; wait for its result".into());
                        let _ = to_page.try_send(ToPage::Verified { id, result: None, error });
                    }
                    Ok(ToBridge::Verify { id, script }) => {
                        verifying = true;
                        let upstream = app.upstream.clone();
                        let to_page = to_page.clone();
                        // The fidelity harness runs its own runtime: a plain thread, not ours.
                        std::thread::spawn(move || {
                            let (result, error) = match verify::run(upstream.as_deref(), &script) {
                                Ok(r) => (Some(r), None),
                                Err(e) => (None, Some(e)),
                            };
                            let _ = to_page.blocking_send(ToPage::Verified { id, result, error });
                        });
                    }
                    Err(e) => app.hub.log(&format!("{label}: ignored a message: {e}")),
                },
                Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            },
            _ = shutdown.cancelled() => {
                let _ = ws.send(Message::Close(Some(CloseFrame {
                    code: CLOSE_SHUTDOWN,
                    reason: "the bridge is stopping".into(),
                }))).await;
                break;
            }
        }
    }
    drop(hold);
    app.hub.log(&format!("page gone: {label}"));
}

async fn connection(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    if let Err(refused) = check_socket(&app, &headers, &query) {
        return *refused;
    }
    let Some(conn) = query.get("conn").and_then(|c| c.parse::<u64>().ok()) else {
        return refuse(
            &app.hub,
            StatusCode::BAD_REQUEST,
            "no conn=N in the address".into(),
        );
    };
    let Some((pending, alive)) = app.hub.take(conn) else {
        return refuse(
            &app.hub,
            StatusCode::NOT_FOUND,
            format!("no client {conn} is waiting (it left, or the page does not hold the bridge)"),
        );
    };
    let hub = app.hub.clone();
    let shutdown = app.shutdown.clone();
    // Subprotocol `amqp` when the page asks for it; none is accepted too.
    ws.protocols([SUBPROTOCOL])
        .max_message_size(amqp_playground_relay::MAX_RELAY_FRAME + 64)
        .on_upgrade(move |socket| async move {
            hub.log(&format!(
                "connection {conn} from {} relayed to the page",
                pending.peer
            ));
            let ending = relay::pump(pending.stream, socket, alive, shutdown).await;
            hub.log(&format!(
                "connection {conn} from {} ended: {ending:?}",
                pending.peer
            ));
        })
}
