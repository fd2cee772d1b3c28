//! Limits that make hostile input cheap: the nesting depth of field tables, checked before
//! `amq-protocol` parses them.
//!
//! `amq-protocol`'s table parser recurses once per nested table or array. A 128 KiB frame can
//! hold some 18,000 levels of `F`-in-`F`, enough to exhaust a thread's stack (and a wasm
//! stack sooner). RabbitMQ (Erlang) has no such limit; we refuse tables nested deeper than
//! [`MAX_TABLE_DEPTH`] with 502 SYNTAX_ERROR — listed in the crate docs' differences. Real
//! tables are shallow: `x-death` is the deepest RabbitMQ writes (headers → array → table).
//!
//! The check walks the encoded bytes iteratively (an explicit stack of end offsets), so it
//! cannot recurse itself, and it costs one pass over the table. It only bounds depth: where it
//! finds something it cannot walk (a truncated length, an unknown type octet) it stops and
//! lets the real parser report the error.

/// Deepest nesting of tables and arrays accepted in a field table (the table itself is 1).
pub const MAX_TABLE_DEPTH: usize = 64;

/// A field table nests deeper than [`MAX_TABLE_DEPTH`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooDeep;

/// A frame payload that may contain field tables.
#[derive(Clone, Copy, Debug)]
pub enum Payload<'a> {
    /// A method's arguments (after the class and method ids).
    Method {
        /// Class id.
        class_id: u16,
        /// Method id.
        method_id: u16,
        /// The bytes after the ids.
        args: &'a [u8],
    },
    /// A content header payload.
    Header(&'a [u8]),
}

/// Refuses a payload whose field table nests deeper than [`MAX_TABLE_DEPTH`].
pub fn check_nesting(payload: Payload<'_>) -> Result<(), TooDeep> {
    let Some((bytes, at)) = table_offset(payload) else {
        return Ok(());
    };
    if table_depth_exceeds(bytes, at, MAX_TABLE_DEPTH) {
        Err(TooDeep)
    } else {
        Ok(())
    }
}

/// Where the field table of a payload starts, if it has one.
fn table_offset(payload: Payload<'_>) -> Option<(&[u8], usize)> {
    // What precedes the table, field by field: 2 = short, 1 = octet (bits), s = shortstr.
    let layout: &[u8] = match payload {
        Payload::Method {
            class_id,
            method_id,
            ..
        } => match (class_id, method_id) {
            (10, 10) => b"11",               // connection.start: version major, minor
            (10, 11) => b"",                 // connection.start-ok: client properties first
            (40, 10) => b"2ss1",             // exchange.declare
            (40, 30) | (40, 40) => b"2sss1", // exchange.bind / unbind
            (50, 10) => b"2s1",              // queue.declare
            (50, 20) => b"2sss1",            // queue.bind
            (50, 50) => b"2sss",             // queue.unbind (no nowait bit)
            (60, 20) => b"2ss1",             // basic.consume
            _ => return None,
        },
        Payload::Header(bytes) => {
            // class, weight, body size, property flags; then content-type (bit 15) and
            // content-encoding (bit 14) short strings precede headers (bit 13).
            let flags = u16::from_be_bytes([*bytes.get(12)?, *bytes.get(13)?]);
            if flags & (1 << 13) == 0 {
                return None;
            }
            let mut at = 14;
            for bit in [15, 14] {
                if flags & (1 << bit) != 0 {
                    at += 1 + *bytes.get(at)? as usize;
                }
            }
            return Some((bytes, at));
        }
    };
    let Payload::Method { args, .. } = payload else {
        unreachable!("headers returned above")
    };
    let mut at = 0usize;
    for field in layout {
        at += match field {
            b'1' => 1,
            b'2' => 2,
            _ => 1 + *args.get(at)? as usize,
        };
    }
    Some((args, at))
}

/// Whether the table encoded at `bytes[at..]` nests deeper than `max`.
fn table_depth_exceeds(bytes: &[u8], at: usize, max: usize) -> bool {
    let read_u32 = |at: usize| -> Option<usize> {
        let b = bytes.get(at..at + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let Some(len) = read_u32(at) else {
        return false;
    };
    // Each entry: (end offset, is an array).
    let mut stack: Vec<(usize, bool)> = vec![(at + 4 + len, false)];
    let mut pos = at + 4;
    while let Some(&(end, is_array)) = stack.last() {
        if pos >= end {
            stack.pop();
            pos = end;
            continue;
        }
        if !is_array {
            let Some(&key_len) = bytes.get(pos) else {
                return false;
            };
            pos += 1 + key_len as usize;
        }
        let Some(&tag) = bytes.get(pos) else {
            return false;
        };
        pos += 1;
        let fixed = match tag {
            b't' | b'b' | b'B' => 1,
            b's' | b'U' | b'u' => 2,
            b'I' | b'i' | b'f' => 4,
            b'L' | b'l' | b'd' | b'T' => 8,
            b'D' => 5,
            b'V' => 0,
            b'S' | b'x' => match read_u32(pos) {
                Some(n) => 4 + n,
                None => return false,
            },
            b'F' | b'A' => {
                let Some(n) = read_u32(pos) else {
                    return false;
                };
                stack.push((pos + 4 + n, tag == b'A'));
                if stack.len() > max {
                    return true;
                }
                pos += 4;
                continue;
            }
            _ => return false,
        };
        pos += fixed;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table holding one key `k` whose value nests `depth - 1` more tables.
    fn nested(depth: usize) -> Vec<u8> {
        let mut inner: Vec<u8> = Vec::new(); // the innermost table's entries: none
        for _ in 1..depth {
            let mut entry = vec![1, b'k', b'F'];
            entry.extend_from_slice(&(inner.len() as u32).to_be_bytes());
            entry.extend_from_slice(&inner);
            inner = entry;
        }
        let mut table = (inner.len() as u32).to_be_bytes().to_vec();
        table.extend_from_slice(&inner);
        table
    }

    #[test]
    fn depth_at_the_limit_passes_and_one_more_fails() {
        assert!(!table_depth_exceeds(
            &nested(MAX_TABLE_DEPTH),
            0,
            MAX_TABLE_DEPTH
        ));
        assert!(table_depth_exceeds(
            &nested(MAX_TABLE_DEPTH + 1),
            0,
            MAX_TABLE_DEPTH
        ));
    }

    #[test]
    fn very_deep_input_is_refused_without_recursion() {
        assert!(table_depth_exceeds(&nested(20_000), 0, MAX_TABLE_DEPTH));
    }

    #[test]
    fn queue_declare_arguments_are_found() {
        // reserved, shortstr "q", bits, then the table.
        let mut args = vec![0, 0, 1, b'q', 0];
        args.extend_from_slice(&nested(MAX_TABLE_DEPTH + 1));
        let payload = Payload::Method {
            class_id: 50,
            method_id: 10,
            args: &args,
        };
        assert_eq!(check_nesting(payload), Err(TooDeep));
    }

    #[test]
    fn truncated_input_is_left_to_the_parser() {
        assert!(!table_depth_exceeds(&[0, 0, 0, 9, 1], 0, 1));
        assert!(!table_depth_exceeds(&[0, 0], 0, 1));
    }
}
