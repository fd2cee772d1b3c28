//! Frames: splitting the byte stream, checking limits, and the AMQP 0-9-1 codec.
//!
//! ```text
//! protocol header:  'A' 'M' 'Q' 'P' 0 0 9 1                      (8 bytes, client → server, once)
//! every frame:      type:u8  channel:u16  size:u32  payload[size]  0xCE
//!                   1 = method   2 = content header   3 = content body   8 = heartbeat
//! ```
//!
//! We split frames ourselves and hand only the *payload* of a method or header frame to
//! `amq-protocol`'s parsers, for two reasons: the size is checked against `frame_max` from the
//! 7-byte header alone, before a single payload byte is buffered (a hostile `size` of 4 GiB
//! costs nothing), and every failure can be classified as RabbitMQ classifies it (a bad end
//! octet is a frame error, an undecodable method a syntax error, an unknown method "not
//! implemented"). Body payloads are returned as borrowed slices, so a body is copied exactly
//! once, into the message being assembled.
//!
//! Field tables are checked for nesting depth *before* `amq-protocol` parses them
//! ([`crate::limits::check_nesting`]): its parser recurses once per level, and a frame of
//! nested empty tables could otherwise exhaust the stack.
//!
//! Encoding never fails: frames are written into a `Vec<u8>` that grows.

use amq_protocol::frame::{gen_frame, AMQPContentHeader, AMQPFrame, WriteContext};
use amq_protocol::protocol::{basic::AMQPProperties, parse_class, AMQPClass};

use crate::limits::{check_nesting, MAX_TABLE_DEPTH};

/// `AMQP 0 0 9 1`: the only protocol header we speak (RabbitMQ also accepts a few legacy
/// ones; see the crate docs).
pub const PROTOCOL_HEADER: [u8; 8] = *b"AMQP\x00\x00\x09\x01";
/// Frame type octets.
pub const FRAME_METHOD: u8 = 1;
/// Content header frame.
pub const FRAME_HEADER: u8 = 2;
/// Content body frame.
pub const FRAME_BODY: u8 = 3;
/// Heartbeat frame.
pub const FRAME_HEARTBEAT: u8 = 8;
/// The octet every frame ends with.
pub const FRAME_END: u8 = 0xCE;
/// Type, channel and size: the bytes before a frame's payload.
pub const FRAME_HEADER_SIZE: usize = 7;
/// Header plus end octet: what `frame_max` counts besides the payload.
pub const FRAME_OVERHEAD: usize = FRAME_HEADER_SIZE + 1;

/// One decoded frame. Bodies borrow from the input buffer.
#[derive(Debug, PartialEq)]
pub enum Frame<'a> {
    /// A method and its arguments.
    Method(u16, Box<AMQPClass>),
    /// A content header: class, body size, properties.
    Header(u16, Box<AMQPContentHeader>),
    /// A slice of a content body.
    Body(u16, &'a [u8]),
    /// A heartbeat (the channel should be 0).
    Heartbeat(u16),
}

impl Frame<'_> {
    /// The channel the frame is on.
    pub fn channel(&self) -> u16 {
        match *self {
            Frame::Method(c, _) | Frame::Header(c, _) | Frame::Body(c, _) | Frame::Heartbeat(c) => {
                c
            }
        }
    }
}

/// Why a frame could not be decoded. Each maps to the connection error RabbitMQ sends
/// ([`FrameError::reply_code`], [`FrameError::reply_text`], [`FrameError::method`]); the
/// texts are `rabbit_reader`'s, with the payload printed as Erlang prints a binary.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A payload larger than the negotiated (or pre-tune) `frame_max`.
    #[error("frame payload of {size} bytes is larger than frame_max {frame_max}")]
    TooLarge {
        /// Frame type octet.
        frame_type: u8,
        /// Payload size the frame header announced.
        size: u64,
        /// The limit in force.
        frame_max: u32,
    },
    /// The octet after the payload is not 0xCE.
    #[error("frame end octet is {found:#04x}, not 0xce")]
    BadFrameEnd {
        /// Frame type octet.
        frame_type: u8,
        /// The payload, as RabbitMQ prints it.
        octets: String,
        /// What was there.
        found: u8,
    },
    /// A frame RabbitMQ calls `unknown_frame`: a type other than 1, 2, 3 and 8, a heartbeat
    /// with a payload, a method frame shorter than its ids.
    #[error("unknown frame (type {frame_type})")]
    UnknownFrame {
        /// Frame type octet.
        frame_type: u8,
        /// The payload, as RabbitMQ prints it.
        octets: String,
    },
    /// A method frame whose class and method ids we do not know.
    #[error("unknown method {class_id}/{method_id}")]
    UnknownMethod {
        /// Class id.
        class_id: u16,
        /// Method id.
        method_id: u16,
    },
    /// Method arguments that do not decode (truncated, a bad field type, trailing bytes).
    #[error("cannot decode the arguments of method {class_id}/{method_id}")]
    BadArguments {
        /// Class id.
        class_id: u16,
        /// Method id.
        method_id: u16,
        /// The arguments, as RabbitMQ prints them (`~w`).
        octets: String,
    },
    /// Content header properties that do not decode (or bytes after them).
    #[error("cannot decode a content header")]
    BadHeader,
    /// A field table nested deeper than [`MAX_TABLE_DEPTH`].
    #[error("field table nested deeper than {MAX_TABLE_DEPTH} levels")]
    TooDeep {
        /// Class id (0 for a content header).
        class_id: u16,
        /// Method id.
        method_id: u16,
    },
}

impl FrameError {
    /// The AMQP reply code: 501 FRAME_ERROR, 502 SYNTAX_ERROR, 540 NOT_IMPLEMENTED or 541
    /// INTERNAL_ERROR.
    pub fn reply_code(&self) -> u16 {
        match self {
            FrameError::TooLarge { .. }
            | FrameError::BadFrameEnd { .. }
            | FrameError::UnknownFrame { .. }
            | FrameError::BadArguments { .. } => 501,
            FrameError::TooDeep { .. } => 502,
            FrameError::UnknownMethod { .. } => 540,
            FrameError::BadHeader => 541,
        }
    }

    /// The full reply text, `CODE_NAME - explanation`.
    pub fn reply_text(&self) -> String {
        match self {
            FrameError::TooLarge {
                frame_type,
                size,
                frame_max,
            } => format!(
                "FRAME_ERROR - type {frame_type}, all octets = <<>>: {{frame_too_large,{size},{}}}",
                frame_max.saturating_sub(FRAME_OVERHEAD as u32)
            ),
            FrameError::BadFrameEnd {
                frame_type,
                octets,
                found,
            } => format!(
                "FRAME_ERROR - type {frame_type}, {octets}: {{invalid_frame_end_marker,{found}}}"
            ),
            FrameError::UnknownFrame { frame_type, octets } => {
                format!("FRAME_ERROR - type {frame_type}, {octets}: unknown_frame")
            }
            FrameError::UnknownMethod {
                class_id,
                method_id,
            } => format!("NOT_IMPLEMENTED - unknown method {{{class_id},{method_id}}}"),
            FrameError::BadArguments { octets, .. } => {
                format!("FRAME_ERROR - cannot decode {octets}")
            }
            FrameError::BadHeader => "INTERNAL_ERROR".into(),
            FrameError::TooDeep { .. } => {
                format!("SYNTAX_ERROR - field table nested deeper than {MAX_TABLE_DEPTH} levels")
            }
        }
    }

    /// The stream is out of step after it (a size or end octet that cannot be trusted): nothing
    /// after it can be read. Other errors concern one whole frame, and reading goes on after
    /// it (so a close-ok still counts), as in RabbitMQ.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            FrameError::TooLarge { .. } | FrameError::BadFrameEnd { .. }
        )
    }

    /// The class and method the close names (0, 0 for frame-level errors).
    pub fn method(&self) -> (u16, u16) {
        match *self {
            FrameError::BadArguments {
                class_id,
                method_id,
                ..
            }
            | FrameError::TooDeep {
                class_id,
                method_id,
            } => (class_id, method_id),
            _ => (0, 0),
        }
    }
}

/// `all octets = <<...>>` or `first 16 octets = <<...>>`: how `rabbit_reader` quotes a
/// payload in a frame error (`payload_snippet/1`, Erlang's `~p`).
pub fn octets_snippet(payload: &[u8]) -> String {
    if payload.len() <= 16 {
        format!("all octets = {}", erlang_binary(payload, true))
    } else {
        format!("first 16 octets = {}", erlang_binary(&payload[..16], true))
    }
}

/// An Erlang binary as `~p` (`<<"abc">>` when every byte is printable ASCII) or `~w`
/// (`<<0,50>>`) prints it. Erlang's `~p` also wraps at 80 columns and treats Latin-1 letters
/// as printable; we print such payloads as numbers on one line.
pub fn erlang_binary(bytes: &[u8], pretty: bool) -> String {
    if bytes.is_empty() {
        return "<<>>".into();
    }
    if pretty && bytes.iter().all(|b| (32..=126).contains(b)) {
        let mut s = String::from("<<\"");
        for &b in bytes {
            if b == b'"' || b == b'\\' {
                s.push('\\');
            }
            s.push(b as char);
        }
        s.push_str("\">>");
        return s;
    }
    let numbers: Vec<String> = bytes.iter().map(u8::to_string).collect();
    format!("<<{}>>", numbers.join(","))
}

/// Decodes the frame at the start of `input`, if it is all there.
///
/// `Ok(None)`: more bytes are needed (nothing is consumed). `Ok(Some((frame, n)))`: the frame
/// and the number of bytes it took. `frame_max` limits the payload as RabbitMQ does (the
/// spec's `frame-max` counts the 8 bytes of framing too; RabbitMQ allows them as a fudge): it
/// is checked as soon as the 7 header bytes are in, before any payload is buffered.
pub fn decode(input: &[u8], frame_max: u32) -> Result<Option<(Frame<'_>, usize)>, FrameError> {
    if input.len() < FRAME_HEADER_SIZE {
        return Ok(None);
    }
    let frame_type = input[0];
    let channel = u16::from_be_bytes([input[1], input[2]]);
    let size = u32::from_be_bytes([input[3], input[4], input[5], input[6]]) as usize;
    if frame_max != 0 && size as u64 > u64::from(frame_max) {
        return Err(FrameError::TooLarge {
            frame_type,
            size: size as u64,
            frame_max,
        });
    }
    let total = FRAME_HEADER_SIZE + size + 1;
    if input.len() < total {
        return Ok(None);
    }
    let payload = &input[FRAME_HEADER_SIZE..FRAME_HEADER_SIZE + size];
    if input[total - 1] != FRAME_END {
        return Err(FrameError::BadFrameEnd {
            frame_type,
            octets: octets_snippet(payload),
            found: input[total - 1],
        });
    }
    let unknown = || FrameError::UnknownFrame {
        frame_type,
        octets: octets_snippet(payload),
    };
    let frame = match frame_type {
        FRAME_METHOD if payload.len() < 4 => return Err(unknown()),
        FRAME_METHOD => Frame::Method(channel, Box::new(decode_method(payload)?)),
        FRAME_HEADER => Frame::Header(channel, Box::new(decode_header(payload)?)),
        FRAME_BODY => Frame::Body(channel, payload),
        FRAME_HEARTBEAT if payload.is_empty() => Frame::Heartbeat(channel),
        _ => return Err(unknown()),
    };
    Ok(Some((frame, total)))
}

fn decode_method(payload: &[u8]) -> Result<AMQPClass, FrameError> {
    let class_id = u16::from_be_bytes([payload[0], payload[1]]);
    let method_id = u16::from_be_bytes([payload[2], payload[3]]);
    if !known_method(class_id, method_id) {
        return Err(FrameError::UnknownMethod {
            class_id,
            method_id,
        });
    }
    check_nesting(crate::limits::Payload::Method {
        class_id,
        method_id,
        args: &payload[4..],
    })
    .map_err(|_| FrameError::TooDeep {
        class_id,
        method_id,
    })?;
    match parse_class(payload) {
        // RabbitMQ's generated decoder refuses trailing bytes too.
        Ok((&[], class)) => Ok(class),
        _ => Err(FrameError::BadArguments {
            class_id,
            method_id,
            octets: erlang_binary(&payload[4..], false),
        }),
    }
}

fn decode_header(payload: &[u8]) -> Result<AMQPContentHeader, FrameError> {
    check_nesting(crate::limits::Payload::Header(payload)).map_err(|_| FrameError::TooDeep {
        class_id: 0,
        method_id: 0,
    })?;
    match amq_protocol::frame::parsing::parse_content_header(payload) {
        Ok((&[], header)) => Ok(header),
        // RabbitMQ's channel crashes decoding such properties (or bytes after them): 541
        // INTERNAL_ERROR.
        _ => Err(FrameError::BadHeader),
    }
}

/// The methods of AMQP 0-9-1 (with RabbitMQ's extensions) that `amq-protocol` knows.
fn known_method(class_id: u16, method_id: u16) -> bool {
    match class_id {
        10 => matches!(
            method_id,
            10 | 11 | 20 | 21 | 30 | 31 | 40 | 41 | 50 | 51 | 60 | 61 | 70 | 71
        ),
        20 => matches!(method_id, 10 | 11 | 20 | 21 | 40 | 41),
        30 => matches!(method_id, 10 | 11),
        40 => matches!(method_id, 10 | 11 | 20 | 21 | 30 | 31 | 40 | 51),
        50 => matches!(method_id, 10 | 11 | 20 | 21 | 30 | 31 | 40 | 41 | 50 | 51),
        60 => matches!(
            method_id,
            10 | 11
                | 20
                | 21
                | 30
                | 31
                | 40
                | 50
                | 60
                | 70
                | 71
                | 72
                | 80
                | 90
                | 100
                | 110
                | 111
                | 120
        ),
        85 => matches!(method_id, 10 | 11),
        90 => matches!(method_id, 10 | 11 | 20 | 21 | 30 | 31),
        _ => false,
    }
}

/// Appends a method frame.
pub fn write_method(out: &mut Vec<u8>, channel: u16, method: AMQPClass) {
    write_frame(out, &AMQPFrame::Method(channel, method));
}

/// Appends a content header frame and the body, split into frames of at most `frame_max`
/// bytes (0 = unlimited). A zero-length body has no body frame.
pub fn write_content(
    out: &mut Vec<u8>,
    channel: u16,
    properties: AMQPProperties,
    body: &[u8],
    frame_max: u32,
) {
    write_frame(
        out,
        &AMQPFrame::Header(
            channel,
            AMQPContentHeader {
                class_id: 60,
                body_size: body.len() as u64,
                properties,
            },
        ),
    );
    let chunk = if frame_max == 0 {
        usize::MAX
    } else {
        (frame_max as usize).saturating_sub(FRAME_OVERHEAD).max(1)
    };
    for piece in body.chunks(chunk) {
        // Written by hand (seven header bytes, the slice, the end octet) to copy the body
        // once, straight into the output.
        out.push(FRAME_BODY);
        out.extend_from_slice(&channel.to_be_bytes());
        out.extend_from_slice(&(piece.len() as u32).to_be_bytes());
        out.extend_from_slice(piece);
        out.push(FRAME_END);
    }
}

/// Appends a heartbeat frame (channel 0).
pub fn write_heartbeat(out: &mut Vec<u8>) {
    out.extend_from_slice(&[FRAME_HEARTBEAT, 0, 0, 0, 0, 0, 0, FRAME_END]);
}

fn write_frame(out: &mut Vec<u8>, frame: &AMQPFrame) {
    let buffer = std::mem::take(out);
    let mark = buffer.len();
    match gen_frame(frame)(WriteContext::from(buffer)) {
        Ok(ctx) => *out = ctx.write,
        // Only a short string over 255 bytes can fail to encode; every string we send came
        // from a short string or is cut to 255 bytes, so this is a bug, not bad input.
        Err(e) => {
            debug_assert!(false, "frame did not encode: {e:?}");
            // The buffer was moved into the failed serializer; what it held is lost, which
            // the connection cannot recover from anyway. Keep it well-formed: nothing.
            out.truncate(mark);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amq_protocol::protocol::channel;

    fn open_frame() -> Vec<u8> {
        let mut out = Vec::new();
        write_method(
            &mut out,
            1,
            AMQPClass::Channel(channel::AMQPMethod::Open(channel::Open {})),
        );
        out
    }

    #[test]
    fn golden_channel_open() {
        // type 1, channel 1, size 5: class 20, method 10, empty shortstr; end.
        assert_eq!(open_frame(), [1, 0, 1, 0, 0, 0, 5, 0, 20, 0, 10, 0, 0xCE]);
    }

    #[test]
    fn every_split_point_needs_more_bytes() {
        let bytes = open_frame();
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut], 4096), Ok(None), "cut at {cut}");
        }
        let (frame, n) = decode(&bytes, 4096).unwrap().unwrap();
        assert_eq!(n, bytes.len());
        assert_eq!(frame.channel(), 1);
    }

    #[test]
    fn size_is_checked_from_the_header_alone() {
        // Announces a 131074-byte payload; only the 7 header bytes are present.
        let header = [1, 0, 1, 0, 2, 0, 2];
        let err = decode(&header, 131_072).unwrap_err();
        assert_eq!(err.reply_code(), 501);
        // RabbitMQ 3.10.8's exact text (the limit printed is frame_max - 8).
        assert_eq!(
            err.reply_text(),
            "FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,131074,131064}"
        );
        // A payload of exactly frame_max is accepted, as by RabbitMQ.
        let mut body = vec![3, 0, 1, 0, 0, 0x10, 0];
        body.extend(std::iter::repeat_n(b'x', 4096));
        body.push(0xCE);
        assert!(matches!(decode(&body, 4096), Ok(Some((Frame::Body(1, b), _))) if b.len() == 4096));
    }

    #[test]
    fn frame_errors_quote_the_payload_as_rabbitmq_does() {
        let heartbeat_bad_end = [8, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            decode(&heartbeat_bad_end, 0).unwrap_err().reply_text(),
            "FRAME_ERROR - type 8, all octets = <<>>: {invalid_frame_end_marker,0}"
        );
        let unknown_type = [5, 0, 0, 0, 0, 0, 3, b'a', b'b', b'c', 0xCE];
        assert_eq!(
            decode(&unknown_type, 0).unwrap_err().reply_text(),
            "FRAME_ERROR - type 5, all octets = <<\"abc\">>: unknown_frame"
        );
        let short_method = [1, 0, 1, 0, 0, 0, 2, 0, 50, 0xCE];
        assert_eq!(
            decode(&short_method, 0).unwrap_err().reply_text(),
            "FRAME_ERROR - type 1, all octets = <<0,50>>: unknown_frame"
        );
        let long = [b'A'; 20];
        assert_eq!(
            octets_snippet(&long),
            "first 16 octets = <<\"AAAAAAAAAAAAAAAA\">>"
        );
    }

    #[test]
    fn unknown_and_truncated_methods() {
        let frame = |payload: &[u8]| {
            let mut f = vec![1, 0, 1];
            f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
            f.extend_from_slice(payload);
            f.push(0xCE);
            f
        };
        let err = decode(&frame(&[3, 231, 0, 10]), 0).unwrap_err();
        assert_eq!(err.reply_code(), 540);
        // queue.declare with its arguments cut off (RabbitMQ 3.10.8's text, class 50 method 10).
        let err = decode(&frame(&[0, 50, 0, 10, 0, 0, 5, 97, 98]), 0).unwrap_err();
        assert_eq!(
            err.reply_text(),
            "FRAME_ERROR - cannot decode <<0,0,5,97,98>>"
        );
        assert_eq!(err.method(), (50, 10));
        // Trailing bytes after complete arguments are refused too (channel.open + junk).
        let err = decode(&frame(&[0, 20, 0, 10, 0, 7]), 0).unwrap_err();
        assert_eq!(err.reply_text(), "FRAME_ERROR - cannot decode <<0,7>>");
    }

    #[test]
    fn bodies_split_at_frame_max() {
        let mut out = Vec::new();
        write_content(&mut out, 3, AMQPProperties::default(), &[7u8; 25], 18);
        let (header, mut at) = decode(&out, 0).unwrap().unwrap();
        assert!(matches!(header, Frame::Header(3, ref h) if h.body_size == 25));
        let mut sizes = Vec::new();
        while at < out.len() {
            let (frame, n) = decode(&out[at..], 18).unwrap().unwrap();
            let Frame::Body(3, bytes) = frame else {
                panic!("{frame:?}")
            };
            sizes.push(bytes.len());
            at += n;
        }
        assert_eq!(sizes, [10, 10, 5]);
    }
}
