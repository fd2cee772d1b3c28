//! A consumer, like the tutorials' `receive.py` and `worker.py`: its own connection and
//! channel, `basic.consume` on one queue; a manual-ack consumer works `processing_ms` on each
//! delivery, then acks, nacks or rejects it (every `fail_every`-th one with `fail_with`). An
//! RPC server answers each request before settling it (`rpc.rs`).

use amqp_playground_core::{
    BasicCancel, BasicConsume, BasicQos, ChannelRef, ConsumerTag, DeliveryTag, Event, Reply,
};

use super::rpc::Request;
use super::{settle_command, ClientId};
use crate::sim::playground::{Playground, PlaygroundError};
use crate::sim::scenario::{field_table, ConsumerSpec, Settle};

/// A consumer's connection and what it has done.
#[derive(Clone, Default)]
pub(in crate::sim) struct Consumer {
    pub(in crate::sim) channel: ChannelRef,
    pub(in crate::sim) tag: Option<ConsumerTag>,
    pub(in crate::sim) received: u64,
    pub(in crate::sim) acked: u64,
    pub(in crate::sim) refused: u64,
    pub(in crate::sim) replied: u64,
    pub(in crate::sim) last_body: Option<String>,
}

/// A consumer's timers.
#[derive(Clone)]
pub(in crate::sim) enum Wake {
    /// A delivery reaches the consumer of this name (if it still exists).
    Deliver {
        /// Consumer name.
        consumer: String,
        /// Its delivery tag on the consumer's channel.
        tag: DeliveryTag,
        /// Whether the consumer must acknowledge it.
        ack: bool,
        /// An RPC request to answer (servers only).
        request: Option<Request>,
        /// The body.
        body: String,
    },
    /// A consumer is done with a delivery, after its processing time: it answers an RPC
    /// request, then settles the delivery (manual ack only).
    Done {
        /// Consumer name.
        consumer: String,
        /// The delivery to settle, `None` when auto-acked.
        tag: Option<DeliveryTag>,
        /// How.
        settle: Settle,
        /// The request to answer.
        request: Option<Request>,
    },
}

impl From<Wake> for super::Wake {
    fn from(wake: Wake) -> Self {
        super::Wake::Consumer(wake)
    }
}

impl Playground {
    /// Starts (`basic.consume`) or stops (`basic.cancel`) a consumer.
    pub fn set_consuming(&mut self, name: &str, on: bool) -> Result<(), PlaygroundError> {
        let i = self.consumer_index(name)?;
        let spec = self.scenario.consumers[i].clone();
        let channel = self.consumers[i].channel;
        match (on, self.consumers[i].tag.clone()) {
            (true, None) => {
                let queue = self.queue_name(&spec.queue)?;
                let reply = self.command(
                    &format!("start consumer `{name}`"),
                    BasicConsume {
                        channel,
                        queue,
                        consumer_tag: ConsumerTag::default(),
                        no_ack: spec.auto_ack,
                        exclusive: false,
                        arguments: field_table(&spec.arguments),
                    },
                )?;
                if let Reply::ConsumeOk { consumer_tag } = reply {
                    self.consumers[i].tag = Some(consumer_tag);
                }
                // basic.consume can deliver the backlog at once.
                self.process_events();
            }
            (false, Some(consumer_tag)) => {
                self.command(
                    &format!("stop consumer `{name}`"),
                    BasicCancel {
                        channel,
                        consumer_tag,
                    },
                )?;
                self.consumers[i].tag = None;
            }
            _ => {}
        }
        // Its last consumer gone, an auto-delete queue goes too.
        self.forget_vanished();
        Ok(())
    }

    /// A delivery on its way: it reaches the consumer when its token does.
    pub(super) fn consumer_event(&mut self, i: usize, event: &Event) {
        // The consume-ok reply (and so the tag) comes after the backlog's deliveries: the
        // channel alone says whose a delivery is.
        let Event::Delivered {
            channel,
            consumer_tag: Some(_),
            queue,
            message,
            delivery_tag,
            no_ack,
            properties,
            body,
            ..
        } = event
        else {
            return;
        };
        if *channel != self.consumers[i].channel {
            return;
        }
        let node = self.client_node(ClientId::Consumer(i));
        let arrives = self.animate_delivery(queue, *message, node);
        let text = String::from_utf8_lossy(body.as_bytes()).into_owned();
        let request = properties.reply_to.clone().map(|reply_to| Request {
            reply_to,
            correlation_id: properties.correlation_id.clone(),
            body: text.clone(),
        });
        let consumer = self.scenario.consumers[i].name.clone();
        self.wake(
            arrives,
            Wake::Deliver {
                consumer,
                tag: *delivery_tag,
                ack: !no_ack,
                request,
                body: text,
            },
        );
    }

    pub(super) fn consumer_wake(&mut self, wake: Wake) {
        match wake {
            Wake::Deliver {
                consumer,
                tag,
                ack,
                request,
                body,
            } => {
                let Some(i) = self.client_index(&consumer) else {
                    return;
                };
                self.consumers[i].received += 1;
                self.consumers[i].last_body = Some(body);
                let spec = &self.scenario.consumers[i];
                let settle = spec.settle_for(self.consumers[i].received);
                let request = request.filter(|_| spec.rpc_server);
                if ack || request.is_some() {
                    let processing = spec.processing_ms;
                    self.wake(
                        processing,
                        Wake::Done {
                            consumer,
                            tag: ack.then_some(tag),
                            settle,
                            request,
                        },
                    );
                }
            }
            Wake::Done {
                consumer,
                tag,
                settle,
                request,
            } => {
                let Some(i) = self.client_index(&consumer) else {
                    return;
                };
                if let Some(request) = request {
                    self.answer(i, request);
                }
                if let Some(tag) = tag {
                    self.settle(i, tag, settle);
                }
            }
        }
    }

    /// A consumer settles a delivery: ack, nack or reject, with or without requeue.
    fn settle(&mut self, i: usize, tag: DeliveryTag, settle: Settle) {
        let channel = self.consumers[i].channel;
        let what = format!(
            "{} from `{}`",
            settle.as_str(),
            self.scenario.consumers[i].name
        );
        if self
            .command(&what, settle_command(channel, tag, settle, false))
            .is_ok()
        {
            if settle == Settle::Ack {
                self.consumers[i].acked += 1;
            } else {
                self.consumers[i].refused += 1;
            }
        }
    }

    /// The consumer of this name, if it is still there.
    pub(in crate::sim) fn client_index(&self, consumer: &str) -> Option<usize> {
        self.scenario
            .consumers
            .iter()
            .position(|c| c.name == consumer)
    }

    pub(in crate::sim) fn consumer_index(&self, name: &str) -> Result<usize, PlaygroundError> {
        self.client_index(name)
            .ok_or_else(|| PlaygroundError::Unknown {
                kind: "consumer",
                name: name.to_string(),
            })
    }

    /// A consumer's connection with its prefetch.
    pub(in crate::sim) fn connect_consumer(
        &mut self,
        spec: &ConsumerSpec,
    ) -> Result<ChannelRef, PlaygroundError> {
        let channel = self.connect(&format!("connect `{}`", spec.name))?;
        if spec.prefetch > 0 {
            self.command(
                &format!("set prefetch of `{}`", spec.name),
                BasicQos {
                    channel,
                    prefetch_size: 0,
                    prefetch_count: spec.prefetch,
                    global: false,
                },
            )?;
        }
        Ok(channel)
    }
}
