//! Queues: arguments per queue type, ready messages (per priority level), consumers.
//!
//! A queue keeps its ready copies in one `VecDeque` per priority level (one level unless
//! `x-max-priority`). Every copy gets an increasing *position* at first enqueue; a requeued copy
//! is inserted back by position, which is how RabbitMQ's classic queues put requeued messages
//! back "in their original position" (semantics §10.5). Expiry is checked only at the head
//! (§6.5), like RabbitMQ's classic queues.
//!
//! A **quorum queue** (`x-queue-type: quorum`, RabbitMQ's `rabbit_fifo`) puts requeued copies
//! elsewhere: a copy returned by a closed channel, or by nack/reject while a delivery limit is
//! in effect (and in 4.x always), goes to a *returns* queue served before everything else, in
//! return order, whatever its priority; in 3.10 a copy nacked or rejected with no limit goes
//! to the back, like a new publish. 4.3 quorum queues always have priorities 0-31 (a message
//! without one counts as 4). Each return counts
//! (`x-delivery-count`). `reject-publish` works with rabbit_fifo's soft limit: once over the
//! limit the queue refuses publishes until it has drained to 80% of it.

use std::collections::VecDeque;

use crate::consumer::Consumer;
use crate::error::{BrokerError, Resource};
use crate::message::Entry;
use crate::{ConnectionId, ExchangeName, FieldTable, FieldValue, Millis, QueueName};

/// What a full queue does with one more message (`x-overflow`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Overflow {
    /// Drop (or dead-letter) from the head.
    #[default]
    DropHead,
    /// Refuse the new message (publisher nack).
    RejectPublish,
    /// Refuse the new message and dead-letter it.
    RejectPublishDlx,
}

/// A queue's type (`x-queue-type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum QueueType {
    /// A classic queue (the default).
    #[default]
    Classic,
    /// A quorum queue: replicated in RabbitMQ, here one replica with the same rules.
    Quorum,
    /// A stream: an append-only log each consumer reads from its own offset.
    Stream,
}

impl QueueType {
    /// The `x-queue-type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueType::Classic => "classic",
            QueueType::Quorum => "quorum",
            QueueType::Stream => "stream",
        }
    }

    /// The Erlang module RabbitMQ names in its errors.
    pub(crate) fn module(self) -> &'static str {
        match self {
            QueueType::Classic => "rabbit_classic_queue",
            QueueType::Quorum => "rabbit_quorum_queue",
            QueueType::Stream => "rabbit_stream_queue",
        }
    }

    /// The arguments this type understands: only these take part in the equivalence check
    /// (`rabbit_classic_queue.erl:651-657`, `rabbit_quorum_queue.erl` `capabilities/0`).
    pub(crate) fn arguments(self) -> &'static [&'static str] {
        match self {
            QueueType::Classic => CLASSIC_ARGS,
            QueueType::Quorum => QUORUM_ARGS,
            QueueType::Stream => STREAM_ARGS,
        }
    }
}

/// A 4.3 quorum queue's priorities are 0 to this (strict, always on).
const QUORUM_MAX_PRIORITY: u8 = 31;
/// What a 4.3 quorum queue takes a message without a priority for (classic queues: 0).
const QUORUM_DEFAULT_PRIORITY: u8 = 4;

/// The default `x-delivery-limit` of a quorum queue in RabbitMQ 4.0+ (none before).
pub const DEFAULT_DELIVERY_LIMIT_4X: u64 = 20;

/// A queue's arguments as the broker uses them (validated from the declared `FieldTable`).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct QueueArgs {
    pub kind: QueueType,
    /// Quorum queues: returns allowed before the copy is dead-lettered (`delivery_limit`).
    pub delivery_limit: Option<u64>,
    /// Streams: what retention keeps.
    pub retention: crate::stream::Retention,
    pub message_ttl: Option<u64>,
    pub expires: Option<u64>,
    pub max_length: Option<u64>,
    pub max_length_bytes: Option<u64>,
    pub overflow: Overflow,
    pub dead_letter_exchange: Option<ExchangeName>,
    pub dead_letter_routing_key: Option<String>,
    pub max_priority: Option<u8>,
    /// The priority of a message published without one (4.3 quorum queues: 4).
    pub default_priority: u8,
    pub single_active_consumer: bool,
}

/// Arguments classic queues understand; only these take part in the equivalence check
/// (`rabbit_classic_queue.erl:651-657`), unknown ones are ignored.
pub(crate) const CLASSIC_ARGS: &[&str] = &[
    "x-expires",
    "x-message-ttl",
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-max-length",
    "x-max-length-bytes",
    "x-max-priority",
    "x-overflow",
    "x-queue-mode",
    "x-queue-version",
    "x-single-active-consumer",
    "x-queue-type",
    "x-queue-master-locator",
    "x-queue-leader-locator",
];

/// Arguments quorum queues understand (observed on RabbitMQ 3.10.8: `x-queue-mode` and
/// `x-queue-version` are refused at declare and ignored on redeclare).
pub(crate) const QUORUM_ARGS: &[&str] = &[
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-dead-letter-strategy",
    "x-expires",
    "x-max-length",
    "x-max-length-bytes",
    "x-max-in-memory-length",
    "x-max-in-memory-bytes",
    "x-overflow",
    "x-single-active-consumer",
    "x-queue-type",
    "x-quorum-initial-group-size",
    "x-delivery-limit",
    "x-message-ttl",
    "x-queue-leader-locator",
];

/// Arguments streams understand (observed on RabbitMQ 3.10.8).
pub(crate) const STREAM_ARGS: &[&str] = &[
    "x-queue-type",
    "x-max-length-bytes",
    "x-max-age",
    "x-stream-max-segment-size-bytes",
    "x-initial-cluster-size",
    "x-queue-leader-locator",
    "x-stream-filter-size-bytes",
];

/// Arguments only streams (or quorum queues' later versions) understand. An argument some
/// queue type understands but the declared type does not is refused "of queue type
/// rabbit_…_queue" (`rabbit_amqqueue.erl:936-948`).
const STREAM_ONLY_ARGS: &[&str] = &[
    "x-quorum-target-group-size",
    "x-max-age",
    "x-stream-max-segment-size-bytes",
    "x-initial-cluster-size",
    "x-stream-filter-size-bytes",
];

fn known_to_some_type(key: &str) -> bool {
    [CLASSIC_ARGS, QUORUM_ARGS, STREAM_ONLY_ARGS]
        .iter()
        .any(|list| list.contains(&key))
}

/// Reads `x-queue-type` (absent = classic). Streams are not modelled yet.
pub(crate) fn queue_type(
    arguments: &FieldTable,
    queue: &str,
    vhost: &str,
) -> Result<QueueType, BrokerError> {
    let Some(v) = arguments.get("x-queue-type") else {
        return Ok(QueueType::Classic);
    };
    let invalid = |reason: String| {
        BrokerError::PreconditionFailed(format!(
            "invalid arg 'x-queue-type' for {}: {reason}",
            Resource("queue", queue, vhost)
        ))
    };
    match v.as_str() {
        Some("classic") => Ok(QueueType::Classic),
        Some("quorum") => Ok(QueueType::Quorum),
        Some("stream") => Ok(QueueType::Stream),
        Some(other) => Err(invalid(format!("\"unsupported queue type '{other}'\""))),
        None => Err(invalid(format!("{{unacceptable_type,{}}}", v.type_name()))),
    }
}

/// Ten years in ms: the largest `x-expires` / `expiration` RabbitMQ accepts.
pub(crate) const MAX_EXPIRY_MS: u64 = 315_360_000_000;

impl QueueArgs {
    /// Validates `arguments` as RabbitMQ does for the queue's type (semantics §5.7).
    pub fn parse(
        arguments: &FieldTable,
        queue: &str,
        vhost: &str,
        compat: crate::Compat,
    ) -> Result<Self, BrokerError> {
        let kind = queue_type(arguments, queue, vhost)?;
        let quorum_priorities = kind == QueueType::Quorum && compat == crate::Compat::RabbitMq4;
        let invalid = |key: &str, reason: String| {
            BrokerError::PreconditionFailed(format!(
                "invalid arg '{key}' for {}: {reason}",
                Resource("queue", queue, vhost)
            ))
        };
        let integer = |key: &str| -> Result<Option<i64>, BrokerError> {
            match arguments.get(key) {
                None => Ok(None),
                Some(v) => match v.as_integer() {
                    Some(n) => Ok(Some(n)),
                    None => Err(invalid(
                        key,
                        format!("\"expected integer, got {}\"", v.type_name()),
                    )),
                },
            }
        };
        let non_negative = |key: &str| -> Result<Option<u64>, BrokerError> {
            match integer(key)? {
                Some(n) if n < 0 => Err(invalid(key, format!("{{value_negative,{n}}}"))),
                other => Ok(other.map(|n| n as u64)),
            }
        };
        let longstr = |key: &str| -> Result<Option<String>, BrokerError> {
            match arguments.get(key) {
                None => Ok(None),
                Some(FieldValue::LongString(b)) => Ok(Some(String::from_utf8_lossy(b).into())),
                Some(v) => Err(invalid(
                    key,
                    format!("{{unacceptable_type,{}}}", v.type_name()),
                )),
            }
        };
        for (key, _) in arguments.iter() {
            // 4.3: "x-max-priority applies only to classic queues and is ignored by quorum
            // queues", which always have priorities 0-31 (rabbitmq.com/docs/priority).
            let ignored = quorum_priorities && key == "x-max-priority";
            if known_to_some_type(key) && !kind.arguments().contains(&key) && !ignored {
                return Err(BrokerError::PreconditionFailed(format!(
                    "invalid arg '{key}' for {} of queue type {}",
                    Resource("queue", queue, vhost),
                    kind.module()
                )));
            }
        }
        let mut args = QueueArgs {
            kind,
            ..QueueArgs::default()
        };
        if let Some(n) = integer("x-expires")? {
            args.expires = Some(match n {
                0 => return Err(invalid("x-expires", "{value_zero,0}".into())),
                n if n < 0 => return Err(invalid("x-expires", format!("{{value_negative,{n}}}"))),
                n if n as u64 > MAX_EXPIRY_MS => {
                    return Err(invalid("x-expires", format!("{{value_too_large,{n}}}")))
                }
                n => n as u64,
            });
        }
        args.message_ttl = non_negative("x-message-ttl")?;
        if let Some(ttl) = args.message_ttl {
            if ttl > MAX_EXPIRY_MS {
                return Err(invalid(
                    "x-message-ttl",
                    format!("{{value_too_large,{ttl}}}"),
                ));
            }
        }
        args.max_length = non_negative("x-max-length")?;
        args.max_length_bytes = non_negative("x-max-length-bytes")?;
        if kind == QueueType::Stream {
            // A stream's byte limit is retention (whole segments), not an overflow limit.
            args.retention.max_bytes = args.max_length_bytes.take();
            args.retention.segment_bytes = non_negative("x-stream-max-segment-size-bytes")?
                .unwrap_or(crate::stream::DEFAULT_SEGMENT_BYTES)
                .max(1);
            if let Some(v) = arguments.get("x-max-age") {
                let text = v.as_str().ok_or_else(|| {
                    invalid(
                        "x-max-age",
                        format!("{{unacceptable_type,{}}}", v.type_name()),
                    )
                })?;
                args.retention.max_age_ms = Some(
                    crate::stream::duration_ms(text)
                        .ok_or_else(|| invalid("x-max-age", "invalid_max_age".into()))?,
                );
            }
        }
        if quorum_priorities {
            args.max_priority = Some(QUORUM_MAX_PRIORITY);
            args.default_priority = QUORUM_DEFAULT_PRIORITY;
        } else if let Some(n) = integer("x-max-priority")? {
            args.max_priority = Some(match n {
                n if n < 0 => {
                    return Err(invalid("x-max-priority", format!("{{value_negative,{n}}}")))
                }
                n if n > 255 => {
                    return Err(invalid(
                        "x-max-priority",
                        format!("{{max_value_exceeded,{n}}}"),
                    ))
                }
                n => n as u8,
            });
        }
        args.dead_letter_exchange = longstr("x-dead-letter-exchange")?.map(ExchangeName);
        args.dead_letter_routing_key = longstr("x-dead-letter-routing-key")?;
        if args.dead_letter_routing_key.is_some() && args.dead_letter_exchange.is_none() {
            return Err(invalid(
                "x-dead-letter-routing-key",
                "routing_key_but_no_dlx_defined".into(),
            ));
        }
        if let Some(v) = arguments.get("x-overflow") {
            args.overflow = match v.as_str() {
                Some("drop-head") => Overflow::DropHead,
                Some("reject-publish") => Overflow::RejectPublish,
                // rabbit_quorum_queue's overflow/3 warns and falls back to drop-head.
                Some("reject-publish-dlx") if kind == QueueType::Quorum => Overflow::DropHead,
                Some("reject-publish-dlx") => Overflow::RejectPublishDlx,
                Some(_) => return Err(invalid("x-overflow", "invalid_overflow".into())),
                None => {
                    return Err(invalid(
                        "x-overflow",
                        format!("{{unacceptable_type,{}}}", v.type_name()),
                    ))
                }
            };
        }
        if let Some(v) = arguments.get("x-single-active-consumer") {
            args.single_active_consumer = match v {
                FieldValue::Bool(b) => *b,
                other => {
                    return Err(invalid(
                        "x-single-active-consumer",
                        format!("{{unacceptable_type,{}}}", other.type_name()),
                    ))
                }
            };
        }
        if let Some(v) = arguments.get("x-dead-letter-strategy") {
            match v.as_str() {
                // at-least-once needs reject-publish (else RabbitMQ falls back to at-most-once);
                // with one replica both strategies dead-letter the same copies.
                Some("at-most-once" | "at-least-once") => {}
                Some(_) => {
                    return Err(invalid(
                        "x-dead-letter-strategy",
                        "invalid_dlx_strategy".into(),
                    ))
                }
                None => {
                    return Err(invalid(
                        "x-dead-letter-strategy",
                        format!("{{unacceptable_type,{}}}", v.type_name()),
                    ))
                }
            }
        }
        if kind == QueueType::Quorum {
            // 4.x reads a negative limit as "no limit" (and has a default of 20). 3.10 takes
            // any value without complaint (observed: -1 and 0 drop at the first return; a
            // string never dead-letters, yet returns still go to the head).
            let four = compat == crate::Compat::RabbitMq4;
            args.delivery_limit = match arguments.get("x-delivery-limit") {
                None if four => Some(DEFAULT_DELIVERY_LIMIT_4X),
                None => None,
                Some(v) => match v.as_integer() {
                    Some(n) if n >= 0 => Some(n as u64),
                    Some(_) if four => None,
                    Some(_) => Some(0),
                    None => Some(u64::MAX),
                },
            };
        }
        Ok(args)
    }
}

/// A queue.
#[derive(Clone, Debug)]
pub(crate) struct Queue {
    pub name: QueueName,
    pub durable: bool,
    pub auto_delete: bool,
    pub exclusive_owner: Option<ConnectionId>,
    pub arguments: FieldTable,
    pub args: QueueArgs,
    /// Ready copies; index = priority level (highest last).
    pub levels: Vec<VecDeque<Entry>>,
    pub ready_count: usize,
    pub ready_bytes: u64,
    next_position: u64,
    /// Consumers in dispatch order: the next delivery goes to the first one with credit
    /// (and the highest consumer priority); a consumer that gets a message moves to the back.
    pub consumers: Vec<Consumer>,
    /// Ever had a consumer (auto-delete only deletes such queues, semantics §5.5).
    pub had_consumer: bool,
    /// Last use for the `x-expires` lease (consume, get, declare; not publish).
    pub last_used: Millis,
    /// Copies delivered and not yet acked, from this queue.
    pub unacked: usize,
    /// Quorum queues: returned copies, delivered before `levels` (in return order).
    pub returns: VecDeque<Entry>,
    /// Quorum queues with reject-publish: over the limit, refusing until the soft limit.
    pub rejecting: bool,
    /// Streams: the log (ready counts mirror what it retains).
    pub stream: Option<Box<crate::stream::StreamLog>>,
}

impl Queue {
    pub fn new(
        name: QueueName,
        durable: bool,
        auto_delete: bool,
        exclusive_owner: Option<ConnectionId>,
        arguments: FieldTable,
        args: QueueArgs,
        now: Millis,
    ) -> Self {
        let levels = usize::from(args.max_priority.unwrap_or(0)) + 1;
        let (args_kind, retention) = (args.kind, args.retention.clone());
        Queue {
            name,
            durable,
            auto_delete,
            exclusive_owner,
            arguments,
            args,
            levels: (0..levels).map(|_| VecDeque::new()).collect(),
            ready_count: 0,
            ready_bytes: 0,
            next_position: 0,
            consumers: Vec::new(),
            had_consumer: false,
            last_used: now,
            unacked: 0,
            returns: VecDeque::new(),
            rejecting: false,
            stream: (args_kind == QueueType::Stream)
                .then(|| Box::new(crate::stream::StreamLog::new(retention))),
        }
    }

    pub fn kind(&self) -> QueueType {
        self.args.kind
    }

    fn level_of(&self, entry: &Entry) -> usize {
        let priority = entry
            .message
            .properties
            .priority
            .unwrap_or(self.args.default_priority);
        usize::from(priority).min(self.levels.len() - 1)
    }

    /// Gives a new copy its position (first enqueue in this queue).
    pub fn assign_position(&mut self, entry: &mut Entry) {
        entry.set_position(self.next_position);
        self.next_position += 1;
    }

    /// Appends a new copy at the tail of its priority level.
    pub fn push(&mut self, entry: Entry) {
        let level = self.level_of(&entry);
        self.ready_count += 1;
        self.ready_bytes += entry.size();
        self.levels[level].push_back(entry);
    }

    /// Puts a requeued copy back: at its original position (classic), or for a quorum queue at
    /// the back of the returns (`to_returns`) or of the queue.
    pub fn requeue(&mut self, mut entry: Entry, to_returns: bool) {
        if self.kind() == QueueType::Quorum {
            self.ready_count += 1;
            self.ready_bytes += entry.size();
            if to_returns {
                self.returns.push_back(entry);
            } else {
                self.assign_position(&mut entry);
                let level = self.level_of(&entry);
                self.levels[level].push_back(entry);
            }
            return;
        }
        let level = self.level_of(&entry);
        self.ready_count += 1;
        self.ready_bytes += entry.size();
        let deque = &mut self.levels[level];
        let pos = entry.position();
        let at = deque.partition_point(|e| e.position() < pos);
        deque.insert(at, entry);
    }

    /// The deque the next delivery comes from.
    fn head_deque(&mut self) -> Option<&mut VecDeque<Entry>> {
        if !self.returns.is_empty() {
            return Some(&mut self.returns);
        }
        self.levels.iter_mut().rev().find(|l| !l.is_empty())
    }

    pub fn pop(&mut self) -> Option<Entry> {
        let entry = self.head_deque()?.pop_front()?;
        self.ready_count -= 1;
        self.ready_bytes -= entry.size();
        Some(entry)
    }

    /// Removes the head copy if it has expired at `now`. Only the head in delivery order is
    /// looked at, as RabbitMQ's classic (and classic priority) queues do (semantics §6.5): an
    /// expired low-priority copy behind a live high-priority one stays, and stays counted.
    pub fn pop_expired(&mut self, now: Millis) -> Option<Entry> {
        let level = self.head_deque()?;
        if level.front()?.expires_at > now.0 {
            return None;
        }
        let entry = level.pop_front()?;
        self.ready_count -= 1;
        self.ready_bytes -= entry.size();
        Some(entry)
    }

    /// When the head copy expires, for `poll_timeout`.
    pub fn next_expiry(&self) -> Option<u64> {
        self.returns
            .front()
            .or_else(|| self.levels.iter().rev().find_map(|l| l.front()))
            .map(|e| e.expires_at)
            .filter(|&t| t != u64::MAX)
    }

    /// When the `x-expires` lease runs out (only while the queue has no consumers).
    pub fn lease_deadline(&self) -> Option<u64> {
        let expires = self.args.expires?;
        self.consumers
            .is_empty()
            .then(|| self.last_used.0.saturating_add(expires))
    }

    /// Over `x-max-length` / `x-max-length-bytes` (ready copies only, semantics §7.1).
    pub fn over_limit(&self) -> bool {
        self.args
            .max_length
            .is_some_and(|max| self.ready_count as u64 > max)
            || self
                .args
                .max_length_bytes
                .is_some_and(|max| self.ready_bytes > max)
    }

    /// Whether one more copy of `size` bytes would exceed a limit (reject-publish check).
    pub fn would_overflow(&self, size: u64) -> bool {
        self.args
            .max_length
            .is_some_and(|max| self.ready_count as u64 + 1 > max)
            || self
                .args
                .max_length_bytes
                .is_some_and(|max| self.ready_bytes + size > max)
    }

    /// rabbit_fifo's `evaluate_limit` for reject-publish: over the limit the queue starts
    /// refusing; at or below 80% of every limit it accepts again.
    pub fn evaluate_limit(&mut self) {
        if self.kind() != QueueType::Quorum || self.args.overflow != Overflow::RejectPublish {
            return;
        }
        let below = |max: Option<u64>, n: u64| max.is_none_or(|m| n <= m * 4 / 5);
        if self.over_limit() {
            self.rejecting = true;
        } else if below(self.args.max_length, self.ready_count as u64)
            && below(self.args.max_length_bytes, self.ready_bytes)
        {
            self.rejecting = false;
        }
    }

    /// Whether a publish of `size` bytes is refused (reject-publish and reject-publish-dlx).
    pub fn refuses(&self, size: u64) -> bool {
        match (self.kind(), self.args.overflow) {
            (_, Overflow::DropHead) | (QueueType::Stream, _) => false,
            (QueueType::Quorum, _) => self.rejecting,
            (QueueType::Classic, _) => self.would_overflow(size),
        }
    }

    /// Removes every ready copy, in delivery order (a stream: its whole log).
    pub fn drain(&mut self) -> Vec<Entry> {
        if let Some(log) = &mut self.stream {
            let records = log.clear();
            self.ready_count = 0;
            self.ready_bytes = 0;
            return records
                .into_iter()
                .map(|r| Entry {
                    message: r.message,
                    expires_at: u64::MAX,
                    slot: 0,
                })
                .collect();
        }
        let mut out = Vec::with_capacity(self.ready_count);
        while let Some(e) = self.pop() {
            out.push(e);
        }
        out
    }

    pub fn is_exclusive_to_other(&self, connection: ConnectionId) -> bool {
        self.exclusive_owner
            .is_some_and(|owner| owner != connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[(&str, FieldValue)]) -> Result<QueueArgs, String> {
        let table: FieldTable = args
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        QueueArgs::parse(&table, "q", "/", crate::Compat::RabbitMq310).map_err(|e| e.reply_text())
    }

    #[test]
    fn argument_validation_texts() {
        let pf = |s: &str| format!("PRECONDITION_FAILED - invalid arg {s}");
        type Row = (Vec<(&'static str, FieldValue)>, Result<(), String>);
        let rows: Vec<Row> = vec![
            (vec![("x-message-ttl", FieldValue::I32(0))], Ok(())),
            (
                vec![("x-expires", FieldValue::I32(0))],
                Err(pf("'x-expires' for queue 'q' in vhost '/': {value_zero,0}")),
            ),
            (
                vec![("x-message-ttl", FieldValue::I32(-1))],
                Err(pf(
                    "'x-message-ttl' for queue 'q' in vhost '/': {value_negative,-1}",
                )),
            ),
            (
                vec![("x-max-priority", FieldValue::I32(300))],
                Err(pf(
                    "'x-max-priority' for queue 'q' in vhost '/': {max_value_exceeded,300}",
                )),
            ),
            (
                vec![("x-dead-letter-routing-key", FieldValue::string("k"))],
                Err(pf(
                    "'x-dead-letter-routing-key' for queue 'q' in vhost '/': routing_key_but_no_dlx_defined",
                )),
            ),
            (
                vec![("x-delivery-limit", FieldValue::I32(3))],
                Err(pf(
                    "'x-delivery-limit' for queue 'q' in vhost '/' of queue type rabbit_classic_queue",
                )),
            ),
            (vec![("x-foo", FieldValue::string("ignored"))], Ok(())),
        ];
        for (args, want) in rows {
            assert_eq!(parse(&args).map(|_| ()), want, "{args:?}");
        }
    }
}
