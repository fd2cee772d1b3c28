//! `amqp-playground serve`: the broker core behind a real AMQP 0-9-1 port.
//!
//! ```text
//! amqp-playground serve [--amqp 127.0.0.1:5673] [--compat rabbitmq-3.10|rabbitmq-4] [--user NAME:PASS]...
//! ```
//!
//! Prints `AMQP listening on HOST:PORT` on stdout once the socket is bound (tests bind
//! `127.0.0.1:0` and read the port from that line), then one line per connection on stderr.
//! Ctrl-C or SIGTERM closes every connection with 320 CONNECTION_FORCED and exits 0.

use std::io::Write;
use std::net::SocketAddr;

use amqp_playground_core::Compat;
use amqp_playground_server::{Server, ServerConfig};

use crate::Failure;

/// Parses `serve`'s options.
pub fn parse(args: &[String]) -> Result<ServerConfig, Failure> {
    let mut config = ServerConfig::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| -> Result<String, Failure> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| Failure::Input(format!("{name} needs a value ({what})"))),
            }
        };
        match name {
            "--amqp" => {
                let v = value("HOST:PORT, e.g. 127.0.0.1:5673")?;
                config.listen = v.parse::<SocketAddr>().map_err(|_| {
                    Failure::Input(format!(
                        "--amqp {v:?} is not an address like 127.0.0.1:5673 (an IP and a port)"
                    ))
                })?;
            }
            "--compat" => {
                let v = value("rabbitmq-4 or rabbitmq-3.10")?;
                config.compat = Compat::from_name(&v).ok_or_else(|| {
                    Failure::Input(format!(
                        "unknown compat profile {v:?} (expected rabbitmq-4 or rabbitmq-3.10)"
                    ))
                })?;
            }
            "--user" => {
                let v = value("NAME:PASSWORD")?;
                match v.split_once(':') {
                    Some((user, pass)) if !user.is_empty() => {
                        config.users.push((user.to_string(), pass.to_string()))
                    }
                    _ => return Err(Failure::Input(format!("--user {v:?} is not NAME:PASSWORD"))),
                }
            }
            "--quiet" => config.log = false,
            other => {
                return Err(Failure::Input(format!(
                    "unknown option {other} for serve (expected --amqp, --compat, --user, --quiet)"
                )))
            }
        }
    }
    Ok(config)
}

/// Runs the server until Ctrl-C / SIGTERM.
pub fn run(args: &[String]) -> Result<(), Failure> {
    let config = parse(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Run(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let compat = config.compat;
        let server = Server::bind(config.clone())
            .await
            .map_err(|e| Failure::Run(format!("cannot listen on {}: {e}", config.listen)))?;
        println!("AMQP listening on {}", server.local_addr());
        let _ = std::io::stdout().flush();
        eprintln!(
            "amqp-playground serve: behaving like {} (Ctrl-C stops)",
            compat.name()
        );
        server.run(stop_signal()).await;
        eprintln!("amqp-playground serve: stopped");
        Ok(())
    })
}

/// Ctrl-C, or SIGTERM on unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
