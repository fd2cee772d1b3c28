//! The relay protocol between `amqp-playground bridge` (native) and the page (wasm): how a
//! real AMQP client's bytes reach the wire session that runs in the browser, and back.
//!
//! # Contract
//!
//! - **Sans-IO, shared by both ends.** The bridge (tokio, axum) and the page (web-sys) both
//!   speak through these types, so the two ends cannot disagree on a message. It builds for
//!   `wasm32-unknown-unknown`.
//! - **Two kinds of WebSocket.** One *control* socket per page (`/ws/control`, JSON text
//!   messages, [`control`]) announces clients, carries Verify requests and tells a second page
//!   that the bridge is taken. One *connection* socket per relayed AMQP client (`/ws`,
//!   subprotocol `amqp`) carries that client's bytes, **one AMQP frame per binary message**
//!   both ways (the practice of LavinMQ and CloudAMQP's relay; [`frames`] splits them).
//! - **Credit, not buffers.** The browser's WebSocket has no back-pressure of its own (every
//!   message is queued for JavaScript), so the bridge sends a connection's frames only against
//!   credit the page granted ([`Credit`]): it stops reading the client's TCP socket when the
//!   credit runs out, and the kernel slows the client. Nothing is dropped and every buffer is
//!   bounded by [`MAX_RELAY_FRAME`] × the credit window.
//! - **The page decides the protocol.** The bridge never interprets a frame beyond its size
//!   and, for the forced close when the page goes away, whether `connection.open-ok` went by
//!   ([`frames::Watch`]).
//!
//! ```text
//!  pika ──TCP──▶ bridge ──/ws?conn=7 (one frame per message, against credit)──▶ page: Session ─▶ core
//!       ◀──TCP── bridge ◀──/ws?conn=7 (one frame per message)───────────────── page
//!                bridge ◀──/ws/control (JSON: client 7 arrived, verify, busy)──▶ page
//! ```
//!
//! # Layout
//! - [`control`]: the control socket's messages, and the query strings of both sockets.
//! - [`frames`]: splitting a byte stream into whole AMQP frames, with the size cap, and the
//!   watch for `connection.open-ok`; the forced `connection.close` the bridge writes itself.
//! - [`Credit`]: the flow-control window.
//!
//! # Example
//! ```
//! use amqp_playground_relay::frames::Splitter;
//!
//! let mut split = Splitter::new();
//! split.push(b"AMQP\x00\x00\x09\x01\x08\x00\x00\x00\x00\x00\x00");
//! assert_eq!(split.next_frame().unwrap().len(), 8); // the protocol header
//! split.push(&[0xCE]);
//! assert_eq!(split.next_frame().unwrap(), vec![8, 0, 0, 0, 0, 0, 0, 0xCE]); // a heartbeat
//! assert!(split.next_frame().is_none());
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod control;
pub mod frames;

/// The largest frame payload the bridge relays whole: RabbitMQ's default `frame_max` (131,072),
/// which is also the most our sessions negotiate. A client announcing a bigger frame gets only its
/// 7-byte header relayed, and the page's session answers as RabbitMQ does (`501 FRAME_ERROR -
/// … frame_too_large`); the bridge then reads nothing more from it.
pub const MAX_RELAY_FRAME: usize = 131_072;

/// Frames the page grants a new connection before it has read any.
pub const INITIAL_CREDIT: u32 = 64;

/// Credit for one connection: how many frames the bridge may still send the page.
///
/// The page grants credit as it hands frames to its session; the bridge spends one per frame
/// and waits when it has none. A window of [`INITIAL_CREDIT`] frames keeps a publishing client
/// busy without letting a flood queue up in the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Credit(u32);

impl Default for Credit {
    fn default() -> Self {
        Credit(INITIAL_CREDIT)
    }
}

impl Credit {
    /// Whether a frame may be sent now.
    pub fn available(&self) -> bool {
        self.0 > 0
    }

    /// Spends one frame's credit; false (and nothing spent) when there is none.
    pub fn spend(&mut self) -> bool {
        if self.0 == 0 {
            return false;
        }
        self.0 -= 1;
        true
    }

    /// Adds credit the page granted, capped so that a confused page cannot open the window
    /// beyond what the bridge is willing to buffer.
    pub fn grant(&mut self, frames: u32) {
        self.0 = self.0.saturating_add(frames).min(INITIAL_CREDIT * 4);
    }

    /// Frames that may still be sent.
    pub fn frames(&self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_is_spent_one_frame_at_a_time_and_granted_up_to_a_cap() {
        let mut c = Credit::default();
        for _ in 0..INITIAL_CREDIT {
            assert!(c.spend());
        }
        assert!(!c.available());
        assert!(!c.spend());
        c.grant(10);
        assert_eq!(c.frames(), 10);
        c.grant(u32::MAX);
        assert_eq!(c.frames(), INITIAL_CREDIT * 4);
    }
}
