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
/// ([`FrameError::reply_code`], [`FrameError::explanation`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A frame larger than the negotiated (or pre-tune) `frame_max`.
    #[error("frame of {size} bytes is larger than frame_max {frame_max}")]
    TooLarge {
        /// Frame type octet.
        frame_type: u8,
        /// Whole frame size (payload + 8).
        size: u64,
        /// The limit in force.
        frame_max: u32,
    },
    /// The octet after the payload is not 0xCE.
    #[error("frame end octet is {found:#04x}, not 0xce")]
    BadFrameEnd {
        /// Frame type octet.
        frame_type: u8,
        /// What was there.
        found: u8,
    },
    /// A frame type other than 1, 2, 3 and 8.
    #[error("unknown frame type {0}")]
    UnknownFrameType(u8),
    /// A method frame whose class and method ids we do not know.
    #[error("unknown method {class_id}/{method_id}")]
    UnknownMethod {
        /// Class id.
        class_id: u16,
        /// Method id.
        method_id: u16,
    },
    /// A method or header payload that does not decode (truncated, bad field type, …).
    #[error("cannot decode {what}")]
    Malformed {
        /// `method 50/10`, `content header`.
        what: String,
    },
    /// A field table nested deeper than [`MAX_TABLE_DEPTH`].
    #[error("field table nested deeper than {MAX_TABLE_DEPTH} levels")]
    TooDeep,
}

impl FrameError {
    /// The AMQP reply code: 501 FRAME_ERROR, 502 SYNTAX_ERROR or 540 NOT_IMPLEMENTED.
    pub fn reply_code(&self) -> u16 {
        match self {
            FrameError::TooLarge { .. }
            | FrameError::BadFrameEnd { .. }
            | FrameError::UnknownFrameType(_) => 501,
            FrameError::Malformed { .. } | FrameError::TooDeep => 502,
            FrameError::UnknownMethod { .. } => 540,
        }
    }

    /// The full reply text, `CODE_NAME - explanation`, in RabbitMQ's words where RabbitMQ has
    /// them (`rabbit_reader` / `rabbit_binary_parser`).
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
            FrameError::BadFrameEnd { frame_type, .. } => {
                format!(
                    "FRAME_ERROR - type {frame_type}, all octets = <<>>: frame_end_marker_invalid"
                )
            }
            FrameError::UnknownFrameType(t) => {
                format!("FRAME_ERROR - type {t}, all octets = <<>>: unknown_frame_type")
            }
            FrameError::UnknownMethod {
                class_id,
                method_id,
            } => format!("NOT_IMPLEMENTED - unknown method {{{class_id},{method_id}}}"),
            FrameError::Malformed { what } => format!("SYNTAX_ERROR - cannot decode {what}"),
            FrameError::TooDeep => {
                format!("SYNTAX_ERROR - field table nested deeper than {MAX_TABLE_DEPTH} levels")
            }
        }
    }
}

/// Decodes the frame at the start of `input`, if it is all there.
///
/// `Ok(None)`: more bytes are needed (nothing is consumed). `Ok(Some((frame, n)))`: the frame
/// and the number of bytes it took. `frame_max` limits the whole frame (payload + 8), as the
/// spec's `frame-max` does; it is checked as soon as the 7 header bytes are in.
pub fn decode(input: &[u8], frame_max: u32) -> Result<Option<(Frame<'_>, usize)>, FrameError> {
    if input.len() < FRAME_HEADER_SIZE {
        return Ok(None);
    }
    let frame_type = input[0];
    let channel = u16::from_be_bytes([input[1], input[2]]);
    let size = u32::from_be_bytes([input[3], input[4], input[5], input[6]]) as usize;
    if !matches!(
        frame_type,
        FRAME_METHOD | FRAME_HEADER | FRAME_BODY | FRAME_HEARTBEAT
    ) {
        return Err(FrameError::UnknownFrameType(frame_type));
    }
    let whole = size as u64 + FRAME_OVERHEAD as u64;
    if frame_max != 0 && whole > u64::from(frame_max) {
        return Err(FrameError::TooLarge {
            frame_type,
            size: whole,
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
            found: input[total - 1],
        });
    }
    let frame = match frame_type {
        FRAME_METHOD => Frame::Method(channel, Box::new(decode_method(payload)?)),
        FRAME_HEADER => Frame::Header(channel, Box::new(decode_header(payload)?)),
        FRAME_BODY => Frame::Body(channel, payload),
        _ => Frame::Heartbeat(channel),
    };
    Ok(Some((frame, total)))
}

fn decode_method(payload: &[u8]) -> Result<AMQPClass, FrameError> {
    if payload.len() < 4 {
        return Err(FrameError::Malformed {
            what: "method frame (shorter than its class and method ids)".into(),
        });
    }
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
    })?;
    match parse_class(payload) {
        // A method with trailing bytes is accepted, as RabbitMQ's generated decoder does.
        Ok((_, class)) => Ok(class),
        Err(_) => Err(FrameError::Malformed {
            what: format!("method {class_id}/{method_id}"),
        }),
    }
}

fn decode_header(payload: &[u8]) -> Result<AMQPContentHeader, FrameError> {
    check_nesting(crate::limits::Payload::Header(payload))?;
    match amq_protocol::frame::parsing::parse_content_header(payload) {
        Ok((_, header)) => Ok(header),
        Err(_) => Err(FrameError::Malformed {
            what: "content header".into(),
        }),
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
        // Claims 1 GiB; only the 7 header bytes are present.
        let header = [1, 0, 1, 0x40, 0, 0, 0];
        let err = decode(&header, 131_072).unwrap_err();
        assert_eq!(err.reply_code(), 501);
        assert!(
            err.reply_text().contains("frame_too_large"),
            "{}",
            err.reply_text()
        );
    }

    #[test]
    fn bad_end_octet_and_unknown_type_are_frame_errors() {
        let mut bytes = open_frame();
        *bytes.last_mut().unwrap() = 0;
        assert!(matches!(
            decode(&bytes, 0),
            Err(FrameError::BadFrameEnd { .. })
        ));
        assert_eq!(
            decode(&[9, 0, 0, 0, 0, 0, 0, 0xCE], 0),
            Err(FrameError::UnknownFrameType(9))
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
        // queue.declare with its arguments cut off.
        let err = decode(&frame(&[0, 50, 0, 10, 0, 0, 5, b'h']), 0).unwrap_err();
        assert_eq!(err.reply_code(), 502);
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
