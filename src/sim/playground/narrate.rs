//! Narration: the event log in words, one line per broker event (and the engine's own notes),
//! and a message's history read back from it. Kept apart from the engine so that what the
//! log says can change without touching what happens.

use amqp_playground_core::{Destination, DropReason, Event, MessageId, QueueName};

use super::{Playground, LOG_LINES};

/// Most lines the live region reads out at once.
pub const NARRATION_LINES: usize = 8;

impl Playground {
    /// Logs a line stamped with the virtual time; only the latest `LOG_LINES` are kept.
    pub(in crate::sim) fn note(&mut self, line: String) {
        if self.log.len() == LOG_LINES {
            self.log.pop_front();
        }
        self.log.push_back(format!("{:>7} ms  {line}", self.now.0));
    }

    /// Everything the log says about one message, oldest first: its publish, each exchange's
    /// reasoning binding by binding, where it was queued, delivered, acked or lost.
    pub fn history(&self, message: u64) -> Vec<String> {
        let tag = format!("#{message}");
        self.log
            .iter()
            .filter(|line| {
                line.match_indices(&tag)
                    .any(|(i, _)| !line[i + tag.len()..].starts_with(|c: char| c.is_ascii_digit()))
            })
            .map(|line| line.trim().to_string())
            .collect()
    }

    /// The latest log lines, oldest first.
    pub fn log(&self) -> impl Iterator<Item = &str> {
        self.log.iter().map(String::as_str)
    }

    /// What just happened, in words, for the page's live region: the lines of the latest
    /// virtual moment (a publish, its routing with each binding's reason, the enqueue and the
    /// delivery all happen in one), oldest first, without their time stamps; at most
    /// [`NARRATION_LINES`] of them.
    pub fn narration(&self) -> String {
        let Some((latest, _)) = self.log.back().and_then(|l| split(l)) else {
            return String::new();
        };
        let mut lines: Vec<&str> = self
            .log
            .iter()
            .rev()
            .map_while(|l| {
                split(l)
                    .filter(|(at, _)| *at == latest)
                    .map(|(_, text)| text)
            })
            .collect();
        lines.reverse();
        lines.truncate(NARRATION_LINES);
        lines.join(" ")
    }
}

/// A log line's stamp and its words (`"    900 ms  message #1 …"`).
fn split(line: &str) -> Option<(&str, &str)> {
    let (at, text) = line.split_once(" ms  ")?;
    Some((at, text.trim()))
}

/// One line of the event log.
pub(super) fn describe(event: &Event) -> String {
    match event {
        Event::ConnectionOpened { connection, .. } => format!("connection {} opened", connection.0),
        Event::ChannelOpened { channel } => {
            format!(
                "channel {}/{} opened",
                channel.connection.0, channel.channel.0
            )
        }
        Event::QueueDeclared { queue, .. } => format!("queue `{queue}` declared"),
        Event::ExchangeDeclared { exchange, kind, .. } => {
            format!("{kind} exchange `{exchange}` declared")
        }
        Event::Bound {
            source,
            destination,
            routing_key,
            ..
        } => format!(
            "`{source}` bound to {} with key `{routing_key}`",
            destination_text(destination)
        ),
        Event::ConsumerStarted {
            consumer_tag,
            queue,
            ..
        } => format!("consumer `{consumer_tag}` started on `{queue}`"),
        Event::ConsumerCancelled {
            consumer_tag,
            queue,
            ..
        } => format!("consumer `{consumer_tag}` on `{queue}` cancelled"),
        Event::Published {
            message,
            exchange,
            routing_key,
            ..
        } => format!(
            "message #{} published to `{}` with key `{routing_key}`",
            message.0,
            if exchange.as_str().is_empty() {
                "(default)"
            } else {
                exchange.as_str()
            }
        ),
        Event::Routed {
            message, queues, ..
        } => {
            let names: Vec<&str> = queues.iter().map(QueueName::as_str).collect();
            format!("message #{} routed to {}", message.0, names.join(", "))
        }
        Event::Unroutable { message, .. } => {
            format!("message #{} unroutable: no queue took it", message.0)
        }
        Event::Enqueued { queue, message } => {
            format!("message #{} enqueued in `{queue}`", message.0)
        }
        Event::Delivered {
            queue,
            message,
            consumer_tag,
            redelivered,
            ..
        } => {
            let again = if *redelivered { " (redelivered)" } else { "" };
            match consumer_tag {
                Some(tag) => format!(
                    "message #{} delivered from `{queue}` to `{tag}`{again}",
                    message.0
                ),
                None => format!("message #{} fetched from `{queue}`{again}", message.0),
            }
        }
        Event::Acked { message, .. } => format!("message #{} acknowledged", message.0),
        Event::ConnectionClosed {
            connection,
            code,
            text,
        } => format!("connection {} closed: {code} {text}", connection.0),
        Event::ChannelClosed {
            channel,
            code,
            text,
        } => format!(
            "channel {}/{} closed: {code} {text}",
            channel.connection.0, channel.channel.0
        ),
        Event::ExchangeDeleted { exchange, .. } => format!("exchange `{exchange}` deleted"),
        Event::QueueDeleted {
            queue, messages, ..
        } => format!(
            "queue `{queue}` deleted with {} ready messages",
            messages.len()
        ),
        Event::QueuePurged { queue, messages } => {
            format!("queue `{queue}` purged of {} messages", messages.len())
        }
        Event::Unbound {
            source,
            destination,
            routing_key,
            ..
        } => format!(
            "`{source}` unbound from {} (key `{routing_key}`)",
            destination_text(destination)
        ),
        Event::ConsumerActivated {
            consumer_tag,
            queue,
            ..
        } => format!("consumer `{consumer_tag}` is now the active one on `{queue}`"),
        Event::Returned {
            message,
            reply_code,
            reply_text,
            ..
        } => format!(
            "message #{} returned to its publisher: {reply_code} {reply_text}",
            message.0
        ),
        Event::Nacked {
            message, requeue, ..
        }
        | Event::Rejected {
            message, requeue, ..
        } => format!(
            "message #{} refused by its consumer{}",
            message.0,
            if *requeue { ", requeued" } else { "" }
        ),
        Event::Requeued { queue, message } => {
            format!("message #{} back in `{queue}`", message.0)
        }
        Event::Expired { queue, message } => {
            format!("message #{} expired in `{queue}`", message.0)
        }
        Event::DeadLettered {
            queue,
            message,
            reason,
            dead_letter_exchange,
            ..
        } => format!(
            "message #{} dead-lettered from `{queue}` ({}) to `{dead_letter_exchange}`",
            message.0,
            reason.as_str()
        ),
        Event::Dropped {
            queue,
            message,
            reason,
        } => {
            let why = match reason {
                DropReason::Overflow => " (queue full)",
                DropReason::Rejected => " (rejected, no dead-letter exchange)",
                DropReason::DeadLetterCycle => " (dead-letter cycle)",
                DropReason::DeadLetterUnroutable => " (the dead-letter exchange routed it nowhere)",
                DropReason::QueueGone => " (its queue is gone)",
                DropReason::Restart => " (not persistent)",
                DropReason::DeliveryLimit => " (delivery limit exceeded, no dead-letter exchange)",
                DropReason::Retention => " (stream retention dropped its segment)",
            };
            format!("message #{} dropped from `{queue}`{why}", message.0)
        }
        Event::Restarted => "broker restarted: only durable things and persistent messages in durable queues are left".to_string(),
        Event::PublisherAck { seq, multiple, .. } => format!(
            "publisher confirm: ack for #{seq}{}",
            if *multiple { " and all before" } else { "" }
        ),
        Event::PublisherNack { seq, multiple, .. } => format!(
            "publisher confirm: nack for #{seq}{}",
            if *multiple { " and all before" } else { "" }
        ),
    }
}

/// The message an event is about, if any.
pub(super) fn message_of(event: &Event) -> Option<MessageId> {
    match event {
        Event::Published { message, .. }
        | Event::Routed { message, .. }
        | Event::Unroutable { message, .. }
        | Event::Returned { message, .. }
        | Event::Enqueued { message, .. }
        | Event::Delivered { message, .. }
        | Event::Acked { message, .. }
        | Event::Nacked { message, .. }
        | Event::Rejected { message, .. }
        | Event::Requeued { message, .. }
        | Event::Expired { message, .. }
        | Event::DeadLettered { message, .. }
        | Event::Dropped { message, .. } => Some(*message),
        _ => None,
    }
}

fn destination_text(d: &Destination) -> String {
    match d {
        Destination::Queue(q) => format!("queue `{q}`"),
        Destination::Exchange(x) => format!("exchange `{x}`"),
    }
}
