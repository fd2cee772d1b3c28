//! Whole AMQP frames out of a byte stream, for "one frame per WebSocket message".
//!
//! ```text
//! protocol header:  'A' 'M' 'Q' 'P' 0 0 9 1          (8 octets, once, first)
//! frame:            type:u8 channel:u16 size:u32 | payload[size] | 0xCE
//! ```
//!
//! Only sizes are read here; what a frame means is the page's session's business (it checks
//! the frame end, the type and the negotiated `frame_max`). The splitter never buffers more
//! than one frame with a payload of at most [`MAX_RELAY_FRAME`] octets:
//! a frame that announces more is handed on as its 7-byte header alone ([`Piece::Oversize`]), which is
//! exactly what the session needs to refuse it, and the stream stops there.

use amq_protocol::protocol::{connection, AMQPClass};
use amqp_playground_wire::codec::{self, FRAME_HEADER_SIZE, FRAME_METHOD, FRAME_OVERHEAD};

use crate::MAX_RELAY_FRAME;

/// The most a frame adds to its payload: the 7-byte header and the end octet.
pub const FRAME_OVERHEAD_MAX: usize = FRAME_OVERHEAD;

/// Splits a client's byte stream into relayable pieces.
#[derive(Debug, Default)]
pub struct Splitter {
    buf: Vec<u8>,
    /// The 8-octet protocol header has gone by (or the stream did not start with one).
    started: bool,
    /// An oversize frame was announced: everything after it is discarded.
    stopped: bool,
}

/// A piece of the stream to send as one WebSocket message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// A whole frame, or the protocol header (or whatever 8 octets a client opened with).
    Frame(Vec<u8>),
    /// The header of a frame larger than the bridge relays; nothing follows it.
    Oversize(Vec<u8>),
}

impl Splitter {
    /// An empty splitter at the start of a connection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends bytes read from the socket.
    pub fn push(&mut self, bytes: &[u8]) {
        if !self.stopped {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes held that do not make a whole piece yet.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether an oversize frame ended the stream.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// The next whole piece, if the buffer holds one.
    pub fn next_piece(&mut self) -> Option<Piece> {
        if self.stopped {
            return None;
        }
        if !self.started {
            // The first 8 octets go as they are: a protocol header, or garbage the session
            // answers with RabbitMQ's header.
            if self.buf.len() < 8 {
                return None;
            }
            self.started = true;
            return Some(Piece::Frame(self.buf.drain(..8).collect()));
        }
        if self.buf.len() < FRAME_HEADER_SIZE {
            return None;
        }
        let size =
            u32::from_be_bytes([self.buf[3], self.buf[4], self.buf[5], self.buf[6]]) as usize;
        if size > MAX_RELAY_FRAME {
            self.stopped = true;
            let header = self.buf[..FRAME_HEADER_SIZE].to_vec();
            self.buf = Vec::new();
            return Some(Piece::Oversize(header));
        }
        let whole = size + FRAME_OVERHEAD;
        if self.buf.len() < whole {
            return None;
        }
        Some(Piece::Frame(self.buf.drain(..whole).collect()))
    }

    /// [`Splitter::next_piece`]'s bytes, whichever kind.
    pub fn next_frame(&mut self) -> Option<Vec<u8>> {
        self.next_piece().map(|p| match p {
            Piece::Frame(b) | Piece::Oversize(b) => b,
        })
    }
}

/// Splits the page's output (whole frames, as the session writes them) into single frames.
/// The page's side never starts with a protocol header except when refusing one, and then it
/// is the whole output.
pub fn split_output(out: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut rest = out;
    if rest.starts_with(b"AMQP") && rest.len() >= 8 {
        pieces.push(&rest[..8]);
        rest = &rest[8..];
    }
    while rest.len() >= FRAME_HEADER_SIZE {
        let size = u32::from_be_bytes([rest[3], rest[4], rest[5], rest[6]]) as usize;
        let whole = (size + FRAME_OVERHEAD).min(rest.len());
        pieces.push(&rest[..whole]);
        rest = &rest[whole..];
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Watches the frames the page sends a client for `connection.open-ok`: from then on the client
/// is in the running state, and the bridge must close it with `connection.close` (not a bare
/// socket close) if the page goes away.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    open: bool,
}

impl Watch {
    /// Looks at one frame the page sent.
    pub fn observe(&mut self, frame: &[u8]) {
        // connection.open-ok is class 10, method 41, on channel 0.
        if frame.len() >= 11
            && frame[0] == FRAME_METHOD
            && frame[1..3] == [0, 0]
            && frame[7..11] == [0, 10, 0, 41]
        {
            self.open = true;
        }
    }

    /// Whether the connection reached `connection.open-ok`.
    pub fn is_open(&self) -> bool {
        self.open
    }
}

/// The text a relayed client gets when the page that ran it closed or reloaded.
pub const PAGE_CLOSED: &str = "CONNECTION_FORCED - page closed";

/// The text relayed clients get when the bridge itself stops (RabbitMQ's at shutdown).
pub const BRIDGE_SHUTDOWN: &str =
    "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'";

/// The `connection.close` the bridge writes itself when the page is gone: code 320
/// CONNECTION_FORCED with `text`.
pub fn forced_close(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    codec::write_method(
        &mut out,
        0,
        AMQPClass::Connection(connection::AMQPMethod::Close(connection::Close {
            reply_code: 320,
            reply_text: text.into(),
            class_id: 0,
            method_id: 0,
        })),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![kind, 0, 1];
        f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        f.extend_from_slice(payload);
        f.push(0xCE);
        f
    }

    #[test]
    fn every_split_point_gives_the_same_frames() {
        let mut stream = b"AMQP\x00\x00\x09\x01".to_vec();
        let a = frame(1, &[0, 10, 0, 11, 1, 2, 3]);
        let b = frame(3, b"hello");
        stream.extend_from_slice(&a);
        stream.extend_from_slice(&b);
        for cut in 0..=stream.len() {
            let mut s = Splitter::new();
            let mut got = Vec::new();
            s.push(&stream[..cut]);
            while let Some(f) = s.next_frame() {
                got.push(f);
            }
            s.push(&stream[cut..]);
            while let Some(f) = s.next_frame() {
                got.push(f);
            }
            assert_eq!(
                got,
                vec![stream[..8].to_vec(), a.clone(), b.clone()],
                "cut {cut}"
            );
            assert_eq!(s.buffered(), 0);
        }
    }

    #[test]
    fn an_oversize_frame_is_relayed_as_its_header_and_ends_the_stream() {
        let mut s = Splitter::new();
        s.push(b"AMQP\x00\x00\x09\x01");
        s.next_frame();
        let mut header = vec![3, 0, 1];
        header.extend_from_slice(&(MAX_RELAY_FRAME as u32 + 1).to_be_bytes());
        s.push(&header);
        s.push(&[0; 100]);
        assert_eq!(s.next_piece(), Some(Piece::Oversize(header)));
        s.push(&[1; 100]);
        assert!(s.stopped());
        assert_eq!(s.next_piece(), None);
        assert_eq!(s.buffered(), 0);
    }

    #[test]
    fn the_largest_relayed_frame_fits_exactly() {
        let mut s = Splitter::new();
        s.push(b"AMQP\x00\x00\x09\x01");
        s.next_frame();
        let f = frame(3, &vec![7; MAX_RELAY_FRAME]);
        s.push(&f);
        assert_eq!(s.next_piece(), Some(Piece::Frame(f)));
    }

    #[test]
    fn the_pages_output_splits_into_its_frames() {
        let a = frame(1, &[0, 10, 0, 10]);
        let b = frame(8, &[]);
        let out = [a.clone(), b.clone()].concat();
        assert_eq!(split_output(&out), vec![&a[..], &b[..]]);
        assert_eq!(
            split_output(b"AMQP\x00\x00\x09\x01"),
            vec![&b"AMQP\x00\x00\x09\x01"[..]]
        );
    }

    #[test]
    fn open_ok_is_seen_and_the_forced_close_is_a_320_on_channel_0() {
        let mut w = Watch::default();
        w.observe(&frame(1, &[0, 10, 0, 31]));
        assert!(!w.is_open());
        let mut open_ok = frame(1, &[0, 10, 0, 41, 0]);
        open_ok[1..3].copy_from_slice(&[0, 0]);
        w.observe(&open_ok);
        assert!(w.is_open());

        let close = forced_close(PAGE_CLOSED);
        assert_eq!(&close[..3], &[1, 0, 0]);
        assert_eq!(&close[7..13], &[0, 10, 0, 50, 1, 64]); // close, reply code 320
        assert!(close
            .windows(PAGE_CLOSED.len())
            .any(|w| w == PAGE_CLOSED.as_bytes()));
    }
}
