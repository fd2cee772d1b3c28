//! Streams (`x-queue-type: stream`): an append-only log that consuming does not remove from.
//!
//! Every message gets the next *offset* (0, 1, 2, …) and the time it was written. Each
//! consumer reads from its own offset onwards (`x-stream-offset` on basic.consume: `first`,
//! `last`, `next`, a number, a timestamp or an interval such as `"1h"`), as far as its prefetch
//! allows; an ack gives that credit back and removes nothing. The log is cut into *segments*
//! of at most `x-stream-max-segment-size-bytes`; retention (`x-max-length-bytes`, `x-max-age`)
//! drops whole segments, oldest first, and is applied when a new segment starts, as RabbitMQ's
//! osiris does. Differences: one message is one chunk (RabbitMQ batches concurrent writes
//! into chunks, which `last` points at), and segment sizes count message bodies, not the
//! on-disk chunk format.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::error::{BrokerError, Resource};
use crate::message::Message;
use crate::{FieldValue, Millis};

/// RabbitMQ's default segment size (`x-stream-max-segment-size-bytes`): 500 MB.
pub const DEFAULT_SEGMENT_BYTES: u64 = 500_000_000;

/// A stream's retention settings, from its arguments.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Retention {
    /// `x-max-length-bytes`.
    pub max_bytes: Option<u64>,
    /// `x-max-age`, in ms.
    pub max_age_ms: Option<u64>,
    /// `x-stream-max-segment-size-bytes`.
    pub segment_bytes: u64,
}

/// One message in the log.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub message: Arc<Message>,
    /// Virtual ms when it was written.
    pub written: u64,
}

/// A segment: a run of consecutive offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Segment {
    /// Offset of its first message.
    pub first: u64,
    /// Messages in it.
    pub count: u64,
    /// Sum of their body sizes.
    pub bytes: u64,
    /// When its newest message was written (virtual ms).
    pub newest: u64,
}

/// The log of one stream.
#[derive(Clone, Debug, Default)]
pub(crate) struct StreamLog {
    /// Offset of `records[0]`.
    pub first: u64,
    pub records: VecDeque<Record>,
    /// Oldest first; the last one is being written.
    pub segments: VecDeque<Segment>,
    pub retention: Retention,
    /// The segments' bytes, kept as they change (retention reads it on every roll-over).
    bytes: u64,
}

impl StreamLog {
    pub fn new(retention: Retention) -> Self {
        StreamLog {
            retention,
            ..StreamLog::default()
        }
    }

    /// The offset the next message gets.
    pub fn next(&self) -> u64 {
        self.first + self.records.len() as u64
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Removes every record (queue deletion), keeping the offsets counting on.
    pub fn clear(&mut self) -> VecDeque<Record> {
        self.segments.clear();
        self.bytes = 0;
        self.first += self.records.len() as u64;
        std::mem::take(&mut self.records)
    }

    pub fn get(&self, offset: u64) -> Option<&Record> {
        let i = offset.checked_sub(self.first)?;
        self.records.get(usize::try_from(i).ok()?)
    }

    /// Appends a message; a full segment starts a new one, and retention runs then. Returns
    /// the messages retention dropped.
    pub fn append(&mut self, message: Arc<Message>, now: Millis) -> Vec<Arc<Message>> {
        let size = message.body.len() as u64;
        let offset = self.next();
        let full = self
            .segments
            .back()
            .is_none_or(|s| s.count > 0 && s.bytes + size > self.retention.segment_bytes);
        let mut dropped = Vec::new();
        if full {
            self.segments.push_back(Segment {
                first: offset,
                count: 0,
                bytes: 0,
                newest: now.0,
            });
            dropped = self.apply_retention(now);
        }
        let segment = self.segments.back_mut().expect("pushed above");
        segment.count += 1;
        segment.bytes += size;
        segment.newest = now.0;
        self.bytes += size;
        self.records.push_back(Record {
            message,
            written: now.0,
        });
        dropped
    }

    /// Drops whole closed segments, oldest first, while the log is over `x-max-length-bytes`
    /// or the segment's newest message is older than `x-max-age`.
    fn apply_retention(&mut self, now: Millis) -> Vec<Arc<Message>> {
        let mut dropped = Vec::new();
        while self.segments.len() > 1 {
            let oldest = self.segments[0];
            let too_big = self
                .retention
                .max_bytes
                .is_some_and(|max| self.bytes() > max);
            let too_old = self
                .retention
                .max_age_ms
                .is_some_and(|age| now.0.saturating_sub(oldest.newest) > age);
            if !too_big && !too_old {
                break;
            }
            self.segments.pop_front();
            self.bytes -= oldest.bytes;
            for _ in 0..oldest.count {
                if let Some(r) = self.records.pop_front() {
                    dropped.push(r.message);
                }
            }
            self.first = oldest.first + oldest.count;
        }
        dropped
    }

    /// Where a consumer with this `x-stream-offset` starts reading.
    pub fn start(&self, spec: &OffsetSpec, now: Millis) -> u64 {
        let at_or_after = |ms: u64| {
            self.records
                .iter()
                .position(|r| r.written >= ms)
                .map_or(self.next(), |i| self.first + i as u64)
        };
        match *spec {
            OffsetSpec::First => self.first,
            OffsetSpec::Last => self.next().saturating_sub(1).max(self.first),
            OffsetSpec::Next => self.next(),
            OffsetSpec::Offset(n) => n.clamp(self.first, u64::MAX),
            OffsetSpec::Timestamp(secs) => at_or_after(secs.saturating_mul(1000)),
            OffsetSpec::Interval(ms) => at_or_after(now.0.saturating_sub(ms)),
        }
    }
}

/// A stream consumer's filter (4.x: `x-stream-filter`, `x-stream-match-unfiltered`).
///
/// RabbitMQ filters whole chunks with a Bloom filter of the `x-stream-filter-value`s in them,
/// so a consumer may still get messages with other values and must filter again itself. Here
/// a chunk is one message, so the broker's filter is exact; a client that filters again (as
/// the docs ask) sees the same messages on both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamFilter {
    /// Wanted values.
    pub values: Vec<String>,
    /// Also deliver messages published without a filter value.
    pub match_unfiltered: bool,
}

impl StreamFilter {
    /// Reads the consume arguments; `None` when there is no `x-stream-filter`.
    pub(crate) fn from_arguments(arguments: &crate::FieldTable) -> Option<StreamFilter> {
        let values = match arguments.get("x-stream-filter")? {
            FieldValue::Array(items) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            v => vec![v.as_str()?.to_string()],
        };
        let match_unfiltered = matches!(
            arguments.get("x-stream-match-unfiltered"),
            Some(FieldValue::Bool(true))
        );
        Some(StreamFilter {
            values,
            match_unfiltered,
        })
    }

    /// Whether a message with this `x-stream-filter-value` header passes.
    pub(crate) fn passes(&self, message: &Message) -> bool {
        match message
            .properties
            .header("x-stream-filter-value")
            .and_then(|v| v.as_str())
        {
            Some(value) => self.values.iter().any(|v| v == value),
            None => self.match_unfiltered,
        }
    }
}

/// Where a stream consumer starts (`x-stream-offset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetSpec {
    /// The first message still retained.
    First,
    /// The last message written (RabbitMQ: the start of the last chunk).
    Last,
    /// Only messages written from now on (the default).
    Next,
    /// This offset (or the first retained one, if it was dropped).
    Offset(u64),
    /// The first message written at or after this time (AMQP timestamp, seconds).
    Timestamp(u64),
    /// The first message written at most this long ago (ms), e.g. `"1h"`.
    Interval(u64),
}

/// Reads `x-stream-offset`. RabbitMQ 3.10 crashes the connection (541 INTERNAL_ERROR) on a
/// value it cannot read; the core answers 406 with what was wrong instead.
pub(crate) fn offset_spec(
    value: Option<&FieldValue>,
    queue: &str,
    vhost: &str,
) -> Result<OffsetSpec, BrokerError> {
    let Some(value) = value else {
        return Ok(OffsetSpec::Next);
    };
    let refuse = || {
        BrokerError::PreconditionFailed(format!(
            "invalid x-stream-offset for {}: expected first, last, next, an offset, a timestamp or an interval such as \"1h\"",
            Resource("queue", queue, vhost)
        ))
    };
    match value {
        FieldValue::Timestamp(t) => Ok(OffsetSpec::Timestamp(*t)),
        FieldValue::LongString(_) => match value.as_str().ok_or_else(refuse)? {
            "first" => Ok(OffsetSpec::First),
            "last" => Ok(OffsetSpec::Last),
            "next" => Ok(OffsetSpec::Next),
            text => duration_ms(text)
                .map(OffsetSpec::Interval)
                .ok_or_else(refuse),
        },
        v => match v.as_integer() {
            Some(n) if n >= 0 => Ok(OffsetSpec::Offset(n as u64)),
            _ => Err(refuse()),
        },
    }
}

/// `"7D"`, `"1h"`, `"30m"`, `"10s"` (also `Y` years, `M` months) in ms, as RabbitMQ reads
/// `x-max-age` (`rabbit_amqqueue:check_max_age/1`).
pub(crate) fn duration_ms(text: &str) -> Option<u64> {
    let unit = text.chars().last()?;
    let number: u64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    let secs = match unit {
        'Y' => 365 * 24 * 3600,
        'M' => 30 * 24 * 3600,
        'D' => 24 * 3600,
        'h' => 3600,
        'm' => 60,
        's' => 1,
        _ => return None,
    };
    number.checked_mul(secs * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Body, Origin};
    use crate::{ExchangeName, MessageId};

    fn message(id: u64, body: &str) -> Arc<Message> {
        Arc::new(Message {
            id: MessageId(id),
            origin: Arc::new(Origin {
                exchange: ExchangeName(String::new()),
                keys: vec!["s".into()],
                visible: 1,
                deaths: vec![],
            }),
            properties: Arc::default(),
            body: Body::from(body),
        })
    }

    #[test]
    fn durations_read_as_rabbitmq_reads_max_age() {
        assert_eq!(duration_ms("1h"), Some(3_600_000));
        assert_eq!(duration_ms("7D"), Some(604_800_000));
        assert_eq!(duration_ms("10s"), Some(10_000));
        for bad in ["", "h", "1x", "-1h", "1.5h", "1 h"] {
            assert_eq!(duration_ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn retention_drops_whole_segments_when_a_new_one_starts() {
        let mut log = StreamLog::new(Retention {
            max_bytes: Some(10),
            max_age_ms: None,
            segment_bytes: 4,
        });
        let mut dropped = Vec::new();
        for i in 0..8 {
            // Two 2-byte messages per segment.
            dropped.extend(log.append(message(i, "ab"), Millis(i)));
        }
        // Segments [0,1] [2,3] [4,5] [6,7]: when the fourth started the log held 12 bytes, over
        // 10, so the oldest segment went (and only it: 8 bytes left).
        assert_eq!(log.bytes(), 12);
        assert_eq!(log.first, 2);
        assert_eq!(dropped.iter().map(|m| m.id.0).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(log.next(), 8);
        assert!(log.get(log.first).is_some() && log.get(log.first - 1).is_none());
    }

    #[test]
    fn age_retention_keeps_the_segment_being_written() {
        let mut log = StreamLog::new(Retention {
            max_bytes: None,
            max_age_ms: Some(1_000),
            segment_bytes: 2,
        });
        log.append(message(0, "ab"), Millis(0));
        log.append(message(1, "ab"), Millis(500));
        assert_eq!(
            log.first, 0,
            "the segment of message 0 is 500 ms old at the roll-over"
        );
        log.append(message(2, "ab"), Millis(5_000));
        assert_eq!(log.first, 2, "both older segments are past 1 s");
        assert_eq!(log.segments.len(), 1);
    }

    #[test]
    fn offset_specs_choose_where_a_consumer_starts() {
        let mut log = StreamLog::new(Retention {
            segment_bytes: DEFAULT_SEGMENT_BYTES,
            ..Retention::default()
        });
        for i in 0..5 {
            log.append(message(i, "m"), Millis(i * 1_000));
        }
        let now = Millis(4_500);
        let start = |spec| log.start(&spec, now);
        assert_eq!(start(OffsetSpec::First), 0);
        assert_eq!(start(OffsetSpec::Last), 4);
        assert_eq!(start(OffsetSpec::Next), 5);
        assert_eq!(start(OffsetSpec::Offset(2)), 2);
        assert_eq!(start(OffsetSpec::Offset(99)), 99);
        assert_eq!(start(OffsetSpec::Timestamp(3)), 3);
        assert_eq!(start(OffsetSpec::Interval(2_000)), 3);
        assert_eq!(start(OffsetSpec::Interval(60_000)), 0);
        let parse = |v: FieldValue| offset_spec(Some(&v), "s", "/").map_err(|e| e.reply_text());
        assert_eq!(parse(FieldValue::string("first")), Ok(OffsetSpec::First));
        assert_eq!(
            parse(FieldValue::string("1h")),
            Ok(OffsetSpec::Interval(3_600_000))
        );
        assert_eq!(parse(FieldValue::I64(7)), Ok(OffsetSpec::Offset(7)));
        assert_eq!(
            parse(FieldValue::Timestamp(9)),
            Ok(OffsetSpec::Timestamp(9))
        );
        assert!(parse(FieldValue::string("bogus"))
            .unwrap_err()
            .contains("x-stream-offset"));
        assert!(parse(FieldValue::I64(-1)).is_err());
    }
}
