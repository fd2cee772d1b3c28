//! The core's replies and events as frames to the client.

use amq_protocol::protocol::{basic, channel, confirm, connection, exchange, queue, tx, AMQPClass};
use amqp_playground_core::{ConnectionId, Event, Properties, Reply};

use super::{inbound, short, Phase, Session};
use crate::codec;
use crate::convert::to_amqp_properties;

/// The connection an event must be written to, if it is one a client sees (the core's
/// [`Event::recipient`]): deliveries, returns, publisher confirms, server-side cancels and
/// closes. Everything else (routing, enqueueing, acks) is the page's to animate, not the wire's.
pub fn recipient(event: &Event) -> Option<ConnectionId> {
    event.recipient()
}

impl Session {
    /// Writes what the client sees of an event [`recipient`] routed here.
    pub fn handle_event(&mut self, event: &Event) {
        if self.phase != Phase::Running {
            return;
        }
        match event {
            Event::Delivered {
                channel,
                consumer_tag: Some(tag),
                delivery_tag,
                redelivered,
                exchange,
                routing_key,
                properties,
                body,
                ..
            } => {
                let ch = channel.channel.0;
                if !self.is_open(ch) {
                    return;
                }
                let deliver = basic::AMQPMethod::Deliver(basic::Deliver {
                    consumer_tag: tag.as_str().into(),
                    delivery_tag: delivery_tag.0,
                    redelivered: *redelivered,
                    exchange: exchange.as_str().into(),
                    routing_key: routing_key.as_str().into(),
                });
                self.write_message(ch, deliver, properties, body);
            }
            Event::Returned {
                channel,
                reply_code,
                reply_text,
                exchange,
                routing_key,
                properties,
                body,
                ..
            } => {
                let ch = channel.channel.0;
                if !self.is_open(ch) {
                    return;
                }
                let ret = basic::AMQPMethod::Return(basic::Return {
                    reply_code: *reply_code,
                    reply_text: short(reply_text.clone()),
                    exchange: exchange.as_str().into(),
                    routing_key: routing_key.as_str().into(),
                });
                self.write_message(ch, ret, properties, body);
            }
            Event::PublisherAck {
                channel,
                seq,
                multiple,
            } if self.is_open(channel.channel.0) => {
                codec::write_method(
                    &mut self.out,
                    channel.channel.0,
                    AMQPClass::Basic(basic::AMQPMethod::Ack(basic::Ack {
                        delivery_tag: *seq,
                        multiple: *multiple,
                    })),
                );
            }
            Event::PublisherNack {
                channel,
                seq,
                multiple,
            } if self.is_open(channel.channel.0) => {
                codec::write_method(
                    &mut self.out,
                    channel.channel.0,
                    AMQPClass::Basic(basic::AMQPMethod::Nack(basic::Nack {
                        delivery_tag: *seq,
                        multiple: *multiple,
                        requeue: false,
                    })),
                );
            }
            Event::ConsumerCancelled {
                channel,
                consumer_tag,
                by_server: true,
                ..
            } if self.capabilities.consumer_cancel_notify && self.is_open(channel.channel.0) => {
                // Only clients that announced consumer_cancel_notify are told (RabbitMQ).
                codec::write_method(
                    &mut self.out,
                    channel.channel.0,
                    AMQPClass::Basic(basic::AMQPMethod::Cancel(basic::Cancel {
                        consumer_tag: consumer_tag.as_str().into(),
                        nowait: true,
                    })),
                );
            }
            Event::ChannelClosed {
                channel,
                code,
                text,
            } if self.is_open(channel.channel.0) => {
                // Closes the session answered itself (errors, the client's close) have already
                // changed the channel's state; this is a close the core decided on its own.
                self.send_channel_close(channel.channel.0, *code, text.clone(), 0, 0);
            }
            Event::ConnectionClosed { code, text, .. } => {
                // A close the core decided on its own (a broker restart: 320).
                self.connection = None;
                self.close_connection(*code, text.clone(), 0, 0);
            }
            _ => {}
        }
    }

    /// A content-carrying method (deliver, return, get-ok), its header and its body frames.
    fn write_message(
        &mut self,
        channel: u16,
        method: basic::AMQPMethod,
        properties: &Properties,
        body: &[u8],
    ) {
        codec::write_method(&mut self.out, channel, AMQPClass::Basic(method));
        let frame_max = self.tune.frame_max;
        codec::write_content(
            &mut self.out,
            channel,
            to_amqp_properties(properties),
            body,
            frame_max,
        );
    }

    fn is_open(&self, channel: u16) -> bool {
        self.channels.get(&channel).is_some_and(|c| !c.closing)
    }

    /// Writes the `-ok` method for a successful command (nothing when `nowait`).
    pub(super) fn write_reply(&mut self, channel: u16, reply: Reply, nowait: bool) {
        let method = match reply {
            Reply::NoReply | Reply::Restarted => return,
            Reply::ChannelOpenOk => {
                self.channels.insert(channel, inbound::open_channel());
                AMQPClass::Channel(channel::AMQPMethod::OpenOk(channel::OpenOk {}))
            }
            Reply::ChannelCloseOk => {
                self.channels.remove(&channel);
                AMQPClass::Channel(channel::AMQPMethod::CloseOk(channel::CloseOk {}))
            }
            Reply::GetOk(get) => {
                let get_ok = basic::AMQPMethod::GetOk(basic::GetOk {
                    delivery_tag: get.delivery_tag.0,
                    redelivered: get.redelivered,
                    exchange: get.exchange.as_str().into(),
                    routing_key: get.routing_key.as_str().into(),
                    message_count: get.message_count,
                });
                self.write_message(channel, get_ok, &get.properties, &get.body);
                return;
            }
            _ if nowait => return,
            Reply::GetEmpty => AMQPClass::Basic(basic::AMQPMethod::GetEmpty(basic::GetEmpty {})),
            Reply::ExchangeDeclareOk => {
                AMQPClass::Exchange(exchange::AMQPMethod::DeclareOk(exchange::DeclareOk {}))
            }
            Reply::ExchangeDeleteOk => {
                AMQPClass::Exchange(exchange::AMQPMethod::DeleteOk(exchange::DeleteOk {}))
            }
            Reply::ExchangeBindOk => {
                AMQPClass::Exchange(exchange::AMQPMethod::BindOk(exchange::BindOk {}))
            }
            Reply::ExchangeUnbindOk => {
                AMQPClass::Exchange(exchange::AMQPMethod::UnbindOk(exchange::UnbindOk {}))
            }
            Reply::QueueDeclareOk {
                queue,
                message_count,
                consumer_count,
            } => AMQPClass::Queue(queue::AMQPMethod::DeclareOk(queue::DeclareOk {
                queue: queue.as_str().into(),
                message_count,
                consumer_count,
            })),
            Reply::QueueBindOk => AMQPClass::Queue(queue::AMQPMethod::BindOk(queue::BindOk {})),
            Reply::QueueUnbindOk => {
                AMQPClass::Queue(queue::AMQPMethod::UnbindOk(queue::UnbindOk {}))
            }
            Reply::QueuePurgeOk { message_count } => {
                AMQPClass::Queue(queue::AMQPMethod::PurgeOk(queue::PurgeOk { message_count }))
            }
            Reply::QueueDeleteOk { message_count } => {
                AMQPClass::Queue(queue::AMQPMethod::DeleteOk(queue::DeleteOk {
                    message_count,
                }))
            }
            Reply::QosOk => AMQPClass::Basic(basic::AMQPMethod::QosOk(basic::QosOk {})),
            Reply::ConsumeOk { consumer_tag } => {
                AMQPClass::Basic(basic::AMQPMethod::ConsumeOk(basic::ConsumeOk {
                    consumer_tag: consumer_tag.as_str().into(),
                }))
            }
            Reply::CancelOk { consumer_tag } => {
                AMQPClass::Basic(basic::AMQPMethod::CancelOk(basic::CancelOk {
                    consumer_tag: consumer_tag.as_str().into(),
                }))
            }
            Reply::RecoverOk => AMQPClass::Basic(basic::AMQPMethod::RecoverOk(basic::RecoverOk {})),
            Reply::ConfirmSelectOk => {
                AMQPClass::Confirm(confirm::AMQPMethod::SelectOk(confirm::SelectOk {}))
            }
            Reply::TxSelectOk => AMQPClass::Tx(tx::AMQPMethod::SelectOk(tx::SelectOk {})),
            Reply::TxCommitOk => AMQPClass::Tx(tx::AMQPMethod::CommitOk(tx::CommitOk {})),
            Reply::TxRollbackOk => AMQPClass::Tx(tx::AMQPMethod::RollbackOk(tx::RollbackOk {})),
            Reply::Connected(_) | Reply::ConnectionCloseOk => {
                debug_assert!(false, "connection replies are handled by the session");
                AMQPClass::Connection(connection::AMQPMethod::CloseOk(connection::CloseOk {}))
            }
        };
        codec::write_method(&mut self.out, channel, method);
    }
}
