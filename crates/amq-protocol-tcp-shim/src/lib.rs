//! AMQP Playground's stand-in for crates.io's `amq-protocol-tcp`, patched in for the whole
//! workspace (`[patch.crates-io]` in the root `Cargo.toml`).
//!
//! `amq-protocol` — the AMQP 0-9-1 codec the wire crate uses — re-exports `amq-protocol-tcp`
//! (`pub use amq_protocol_tcp as tcp`) and depends on it unconditionally. That crate's `async-rs`
//! dependency does not build for `wasm32-unknown-unknown` (it defines `AsSysFd` only for unix and
//! windows), and the wire session must build there for the browser bridge. An empty crate would
//! do for the codec, but lapin — the Rust client of the fidelity suite and the load generator —
//! connects through `amq_protocol::tcp::AMQPUriTcpExt`, so natively this crate provides exactly
//! that: a plain TCP connect through lapin's runtime. No TLS: every broker the project's clients
//! talk to is on loopback, and an `amqps://` URL is refused with a clear error.
//!
//! Rejected alternatives: patching in an empty crate (breaks lapin), depending on
//! `amq-protocol-types` alone and writing the method codec by hand (the codec is exactly what we
//! want to take from a well-kept crate), a second workspace with its own lock file for the
//! lapin-based tools (`cargo run -p amqp-playground-cli -- bench` would no longer work from the
//! root).
#![forbid(unsafe_code)]

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::future::Future;
    use std::io;

    use amq_protocol_uri::{AMQPScheme, AMQPUri};
    use async_rs::traits::*;
    use async_rs::Runtime;

    pub use tcp_stream::{AsyncTcpStream, OwnedTLSConfig, TLSConfig};

    /// Connects an AMQP URI over plain TCP (the one method lapin calls).
    pub trait AMQPUriTcpExt {
        /// Opens the TCP connection to the URI's host and port; `_config` is unused (no TLS).
        fn connect_with_config_async<RK: RuntimeKit + Send + Sync>(
            &self,
            _config: TLSConfig<'_, '_, '_>,
            runtime: &Runtime<RK>,
        ) -> impl Future<Output = io::Result<AsyncTcpStream<<RK as Reactor>::TcpStream>>>
        where
            Self: Sized;
    }

    impl AMQPUriTcpExt for AMQPUri {
        fn connect_with_config_async<RK: RuntimeKit + Send + Sync>(
            &self,
            _config: TLSConfig<'_, '_, '_>,
            runtime: &Runtime<RK>,
        ) -> impl Future<Output = io::Result<AsyncTcpStream<<RK as Reactor>::TcpStream>>>
        where
            Self: Sized,
        {
            let tls = matches!(self.scheme, AMQPScheme::AMQPS);
            let addrs = runtime.to_socket_addrs((self.authority.host.clone(), self.authority.port));
            async move {
                if tls {
                    return Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        "amqps:// is not supported: AMQP Playground builds its AMQP client without TLS",
                    ));
                }
                AsyncTcpStream::connect(runtime, addrs).await
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use native::*;
