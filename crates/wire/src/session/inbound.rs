//! Frames from the client once the connection is open: channel states, content assembly, and
//! each method as the core's command.
//!
//! ```text
//! channel:  (not open) --channel.open--> open --server channel.close--> closing --close-ok--> (not open)
//! content:  idle --basic.publish--> header --content header--> body --last body frame--> idle
//! ```

use amq_protocol::protocol::AMQPClass;
use amq_protocol::protocol::{access, basic, channel, confirm, connection, exchange, queue, tx};
use amqp_playground_core::{self as core, Body, Command};

use super::{publish_command, Content, Decoded, Expect, Session, WireChannel};
use crate::codec;
use crate::convert::{from_amqp_properties, from_amqp_table};

/// A `basic.publish` waiting for its content.
#[derive(Debug)]
pub(crate) struct PendingPublish {
    pub exchange: String,
    pub routing_key: String,
    pub mandatory: bool,
    pub immediate: bool,
}

/// `UNEXPECTED_FRAME` texts of RabbitMQ's `rabbit_command_assembler`.
const EXPECTED_METHOD: &str =
    "UNEXPECTED_FRAME - expected method frame, got non method frame instead";
const EXPECTED_HEADER: &str =
    "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead";
const EXPECTED_BODY: &str =
    "UNEXPECTED_FRAME - expected content body, got non content body frame instead";

impl Session {
    pub(super) fn running_frame(&mut self, frame: Decoded) -> Option<Command> {
        let channel = match &frame {
            Decoded::Method(c, _)
            | Decoded::Header(c, _)
            | Decoded::Body(c, _)
            | Decoded::Heartbeat(c) => *c,
        };
        if let Decoded::Heartbeat(c) = frame {
            if c == 0 {
                return None;
            }
            return self.close_connection(
                505,
                "UNEXPECTED_FRAME - type 8, all octets = <<>>".into(),
                0,
                0,
            );
        }
        if channel == 0 {
            return self.channel_zero(frame);
        }
        let Some(ch) = self.channels.get_mut(&channel) else {
            return self.unopened_channel(channel, frame);
        };
        if ch.closing {
            // After the server's channel.close only close-ok ends the closing state; everything
            // else on the channel is discarded (AMQP 0-9-1 §2.2.4), but a channel.open is still
            // a "second open" and the client's own close is answered (rabbit_channel's closing
            // clauses, measured on 3.10.8).
            if let Decoded::Method(_, method) = frame {
                match *method {
                    AMQPClass::Channel(channel::AMQPMethod::CloseOk(_)) => {
                        self.channels.remove(&channel);
                    }
                    AMQPClass::Channel(channel::AMQPMethod::Close(_)) => {
                        codec::write_method(
                            &mut self.out,
                            channel,
                            AMQPClass::Channel(channel::AMQPMethod::CloseOk(channel::CloseOk {})),
                        );
                    }
                    AMQPClass::Channel(channel::AMQPMethod::Open(_)) => {
                        return self.close_connection(
                            504,
                            "CHANNEL_ERROR - second 'channel.open' seen".into(),
                            20,
                            10,
                        );
                    }
                    _ => {}
                }
            }
            return None;
        }
        match std::mem::replace(&mut ch.content, Content::Idle) {
            Content::Idle => match frame {
                Decoded::Method(_, method) => self.method(channel, *method),
                _ => self.close_connection(505, EXPECTED_METHOD.into(), 0, 0),
            },
            Content::Header(publish) => match frame {
                Decoded::Header(_, _) if self.header_weight() != 0 => {
                    // The weight must be 0; RabbitMQ's assembler matches only that header.
                    self.close_connection(505, EXPECTED_HEADER.into(), 60, 40)
                }
                Decoded::Header(_, header) if header.class_id == 60 => {
                    let properties = Box::new(from_amqp_properties(&header.properties));
                    let size = header.body_size;
                    if size > self.config.max_message_size {
                        self.channel_error(
                            channel,
                            406,
                            format!(
                                "PRECONDITION_FAILED - message size {size} is larger than configured max size {}",
                                self.config.max_message_size
                            ),
                            60,
                            40,
                        );
                        return None;
                    }
                    if size == 0 {
                        return Some(self.published(channel, *publish, *properties, Body::from(&b""[..])));
                    }
                    let bytes = Vec::with_capacity(size.min(1 << 20) as usize);
                    if let Some(ch) = self.channels.get_mut(&channel) {
                        ch.content = Content::Body {
                            publish,
                            properties,
                            size,
                            bytes,
                        };
                    }
                    None
                }
                Decoded::Header(_, header) => self.close_connection(
                    505,
                    format!(
                        "UNEXPECTED_FRAME - expected content header for class 60, got one for class {} instead",
                        header.class_id
                    ),
                    60,
                    40,
                ),
                _ => self.close_connection(505, EXPECTED_HEADER.into(), 60, 40),
            },
            Content::Body {
                publish,
                properties,
                size,
                mut bytes,
            } => match frame {
                Decoded::Body(_, range) => {
                    bytes.extend_from_slice(&self.input[range]);
                    let have = bytes.len() as u64;
                    if have > size {
                        // RabbitMQ 4.2.6+ (3.10 only notices at the next frame).
                        return self.close_connection(
                            501,
                            "FRAME_ERROR - content body frame exceeds remaining content size".into(),
                            60,
                            40,
                        );
                    }
                    if have == size {
                        return Some(self.published(channel, *publish, *properties, Body::from(bytes)));
                    }
                    if let Some(ch) = self.channels.get_mut(&channel) {
                        ch.content = Content::Body {
                            publish,
                            properties,
                            size,
                            bytes,
                        };
                    }
                    None
                }
                _ => self.close_connection(505, EXPECTED_BODY.into(), 60, 40),
            },
        }
    }

    /// The weight field of the content header being handled (`amq-protocol` drops it).
    fn header_weight(&self) -> u16 {
        let at = self.payload.start + 2;
        self.input
            .get(at..at + 2)
            .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]))
    }

    /// A publish whose content is complete: the core's command (no reply; errors close).
    fn published(
        &mut self,
        channel: u16,
        publish: PendingPublish,
        properties: core::Properties,
        body: Body,
    ) -> Command {
        self.expect = Some(Expect::Method {
            channel,
            class_id: 60,
            method_id: 40,
            nowait: true,
        });
        publish_command(self.channel_ref(channel), publish, properties, body)
    }

    /// Channel 0 after the handshake: only `connection.close` / `close-ok` and
    /// `update-secret`.
    fn channel_zero(&mut self, frame: Decoded) -> Option<Command> {
        use connection::AMQPMethod as M;
        let Decoded::Method(_, method) = frame else {
            let text = format!(
                "UNEXPECTED_FRAME - type {}, {}",
                frame.type_octet(),
                codec::octets_snippet(&self.input[self.payload.clone()])
            );
            return self.close_connection(505, text, 0, 0);
        };
        match *method {
            AMQPClass::Connection(M::Close(_)) => {
                let connection = self.connection?;
                self.expect = Some(Expect::ClientClose);
                Some(core::CloseConnection { connection }.into())
            }
            AMQPClass::Connection(M::UpdateSecret(_)) => {
                // No credential expiry is modelled: the new secret is accepted as is.
                codec::write_method(
                    &mut self.out,
                    0,
                    AMQPClass::Connection(M::UpdateSecretOk(connection::UpdateSecretOk {})),
                );
                None
            }
            other => {
                let (class_id, method_id) = super::ids(&other);
                self.close_connection(
                    504,
                    "CHANNEL_ERROR - unexpected method in connection state running".into(),
                    class_id,
                    method_id,
                )
            }
        }
    }

    /// A frame on a channel that is not open: only `channel.open` is allowed there.
    fn unopened_channel(&mut self, channel: u16, frame: Decoded) -> Option<Command> {
        match frame {
            Decoded::Method(_, method)
                if matches!(*method, AMQPClass::Channel(channel::AMQPMethod::Open(_))) =>
            {
                let max = self.tune.channel_max;
                if max != 0 && self.channels.len() >= usize::from(max) {
                    return self.close_connection(
                        530,
                        format!(
                            "NOT_ALLOWED - number of channels opened ({}) has reached the negotiated channel_max ({max})",
                            self.channels.len()
                        ),
                        0,
                        0,
                    );
                }
                self.expect = Some(Expect::Method {
                    channel,
                    class_id: 20,
                    method_id: 10,
                    nowait: false,
                });
                Some(
                    core::ChannelOpen {
                        channel: self.channel_ref(channel),
                    }
                    .into(),
                )
            }
            Decoded::Method(_, method) => {
                let (class_id, method_id) = super::ids(&method);
                self.close_connection(
                    504,
                    "CHANNEL_ERROR - expected 'channel.open'".into(),
                    class_id,
                    method_id,
                )
            }
            _ => self.close_connection(505, EXPECTED_METHOD.into(), 0, 0),
        }
    }

    /// A method on an open channel with no content in progress.
    fn method(&mut self, channel: u16, method: AMQPClass) -> Option<Command> {
        let (class_id, method_id) = super::ids(&method);
        let ch = self.channel_ref(channel);
        let mut nowait = false;
        let command: Command = match method {
            AMQPClass::Channel(m) => match m {
                // A second open: the core answers 504 "second 'channel.open' seen".
                channel::AMQPMethod::Open(_) => core::ChannelOpen { channel: ch }.into(),
                channel::AMQPMethod::Close(_) => core::ChannelClose { channel: ch }.into(),
                // Unsolicited: the server sent no close and no flow.
                channel::AMQPMethod::CloseOk(_) | channel::AMQPMethod::FlowOk(_) => {
                    return self.invalid(class_id, method_id)
                }
                channel::AMQPMethod::Flow(f) => {
                    // rabbit_channel: flow(active=true) is acknowledged; pausing deliveries
                    // from the client side is not implemented by RabbitMQ either.
                    if f.active {
                        codec::write_method(
                            &mut self.out,
                            channel,
                            AMQPClass::Channel(channel::AMQPMethod::FlowOk(channel::FlowOk {
                                active: true,
                            })),
                        );
                        return None;
                    }
                    return self.close_connection(
                        540,
                        "NOT_IMPLEMENTED - active=false".into(),
                        20,
                        20,
                    );
                }
                channel::AMQPMethod::OpenOk(_) => return self.invalid(class_id, method_id),
            },
            AMQPClass::Access(access::AMQPMethod::Request(_)) => {
                // Deprecated in 0-9-1; RabbitMQ answers request-ok and ignores the realm.
                codec::write_method(
                    &mut self.out,
                    channel,
                    AMQPClass::Access(access::AMQPMethod::RequestOk(access::RequestOk {})),
                );
                return None;
            }
            AMQPClass::Exchange(m) => match m {
                exchange::AMQPMethod::Declare(d) => {
                    nowait = d.nowait;
                    core::ExchangeDeclare {
                        channel: ch,
                        exchange: d.exchange.as_str().into(),
                        kind: d.kind.as_str().into(),
                        passive: d.passive,
                        durable: d.durable,
                        auto_delete: d.auto_delete,
                        internal: d.internal,
                        arguments: from_amqp_table(&d.arguments),
                    }
                    .into()
                }
                exchange::AMQPMethod::Delete(d) => {
                    nowait = d.nowait;
                    core::ExchangeDelete {
                        channel: ch,
                        exchange: d.exchange.as_str().into(),
                        if_unused: d.if_unused,
                    }
                    .into()
                }
                exchange::AMQPMethod::Bind(b) => {
                    nowait = b.nowait;
                    core::ExchangeBind {
                        channel: ch,
                        destination: b.destination.as_str().into(),
                        source: b.source.as_str().into(),
                        routing_key: b.routing_key.as_str().into(),
                        arguments: from_amqp_table(&b.arguments),
                    }
                    .into()
                }
                exchange::AMQPMethod::Unbind(b) => {
                    nowait = b.nowait;
                    core::ExchangeUnbind {
                        channel: ch,
                        destination: b.destination.as_str().into(),
                        source: b.source.as_str().into(),
                        routing_key: b.routing_key.as_str().into(),
                        arguments: from_amqp_table(&b.arguments),
                    }
                    .into()
                }
                _ => return self.invalid(class_id, method_id),
            },
            AMQPClass::Queue(m) => match m {
                queue::AMQPMethod::Declare(d) => {
                    nowait = d.nowait;
                    core::QueueDeclare {
                        channel: ch,
                        queue: d.queue.as_str().into(),
                        passive: d.passive,
                        durable: d.durable,
                        exclusive: d.exclusive,
                        auto_delete: d.auto_delete,
                        arguments: from_amqp_table(&d.arguments),
                    }
                    .into()
                }
                queue::AMQPMethod::Bind(b) => {
                    nowait = b.nowait;
                    core::QueueBind {
                        channel: ch,
                        queue: b.queue.as_str().into(),
                        exchange: b.exchange.as_str().into(),
                        routing_key: b.routing_key.as_str().into(),
                        arguments: from_amqp_table(&b.arguments),
                    }
                    .into()
                }
                queue::AMQPMethod::Unbind(b) => core::QueueUnbind {
                    channel: ch,
                    queue: b.queue.as_str().into(),
                    exchange: b.exchange.as_str().into(),
                    routing_key: b.routing_key.as_str().into(),
                    arguments: from_amqp_table(&b.arguments),
                }
                .into(),
                queue::AMQPMethod::Purge(p) => {
                    nowait = p.nowait;
                    core::QueuePurge {
                        channel: ch,
                        queue: p.queue.as_str().into(),
                    }
                    .into()
                }
                queue::AMQPMethod::Delete(d) => {
                    nowait = d.nowait;
                    core::QueueDelete {
                        channel: ch,
                        queue: d.queue.as_str().into(),
                        if_unused: d.if_unused,
                        if_empty: d.if_empty,
                    }
                    .into()
                }
                _ => return self.invalid(class_id, method_id),
            },
            AMQPClass::Basic(m) => match m {
                basic::AMQPMethod::Qos(q) => core::BasicQos {
                    channel: ch,
                    prefetch_size: self.qos_prefetch_size,
                    prefetch_count: q.prefetch_count,
                    global: q.global,
                }
                .into(),
                basic::AMQPMethod::Consume(c) => {
                    nowait = c.nowait;
                    // no_local is ignored, as by RabbitMQ.
                    core::BasicConsume {
                        channel: ch,
                        queue: c.queue.as_str().into(),
                        consumer_tag: c.consumer_tag.as_str().into(),
                        no_ack: c.no_ack,
                        exclusive: c.exclusive,
                        arguments: from_amqp_table(&c.arguments),
                    }
                    .into()
                }
                basic::AMQPMethod::Cancel(c) => {
                    nowait = c.nowait;
                    core::BasicCancel {
                        channel: ch,
                        consumer_tag: c.consumer_tag.as_str().into(),
                    }
                    .into()
                }
                basic::AMQPMethod::Publish(p) => {
                    if let Some(wire) = self.channels.get_mut(&channel) {
                        wire.content = Content::Header(Box::new(PendingPublish {
                            exchange: p.exchange.as_str().into(),
                            routing_key: p.routing_key.as_str().into(),
                            mandatory: p.mandatory,
                            immediate: p.immediate,
                        }));
                    }
                    return None;
                }
                basic::AMQPMethod::Get(g) => core::BasicGet {
                    channel: ch,
                    queue: g.queue.as_str().into(),
                    no_ack: g.no_ack,
                }
                .into(),
                basic::AMQPMethod::Ack(a) => core::BasicAck {
                    channel: ch,
                    delivery_tag: core::DeliveryTag(a.delivery_tag),
                    multiple: a.multiple,
                }
                .into(),
                basic::AMQPMethod::Nack(n) => core::BasicNack {
                    channel: ch,
                    delivery_tag: core::DeliveryTag(n.delivery_tag),
                    multiple: n.multiple,
                    requeue: n.requeue,
                }
                .into(),
                basic::AMQPMethod::Reject(r) => core::BasicReject {
                    channel: ch,
                    delivery_tag: core::DeliveryTag(r.delivery_tag),
                    requeue: r.requeue,
                }
                .into(),
                basic::AMQPMethod::Recover(r) => core::BasicRecover {
                    channel: ch,
                    requeue: r.requeue,
                }
                .into(),
                basic::AMQPMethod::RecoverAsync(r) => {
                    // Deprecated; RabbitMQ recovers and sends nothing back.
                    nowait = true;
                    core::BasicRecover {
                        channel: ch,
                        requeue: r.requeue,
                    }
                    .into()
                }
                _ => return self.invalid(class_id, method_id),
            },
            AMQPClass::Confirm(confirm::AMQPMethod::Select(s)) => {
                nowait = s.nowait;
                core::ConfirmSelect { channel: ch }.into()
            }
            AMQPClass::Tx(m) => match m {
                tx::AMQPMethod::Select(_) => core::TxSelect { channel: ch }.into(),
                tx::AMQPMethod::Commit(_) => core::TxCommit { channel: ch }.into(),
                tx::AMQPMethod::Rollback(_) => core::TxRollback { channel: ch }.into(),
                _ => return self.invalid(class_id, method_id),
            },
            _ => return self.invalid(class_id, method_id),
        };
        self.expect = Some(Expect::Method {
            channel,
            class_id,
            method_id,
            nowait,
        });
        Some(command)
    }

    /// A method only a server sends (`basic.deliver`, `queue.declare-ok`, …), an unsolicited
    /// `-ok`, or a connection method on a channel: RabbitMQ's 503 "unimplemented method".
    fn invalid(&mut self, class_id: u16, method_id: u16) -> Option<Command> {
        self.close_connection(
            503,
            "COMMAND_INVALID - unimplemented method".into(),
            class_id,
            method_id,
        )
    }
}

/// A freshly opened channel: open, no content in progress.
pub(super) fn open_channel() -> WireChannel {
    WireChannel {
        closing: false,
        content: Content::Idle,
    }
}
