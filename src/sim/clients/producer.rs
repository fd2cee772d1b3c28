//! A producer, like the tutorials' `send.py` and `emit_log.py`: its own connection and
//! channel; it sends its properties and headers, optionally `mandatory`, by hand, in bursts
//! or at a steady rate, and in confirm mode counts the broker's publisher acks and nacks. An
//! RPC client is a producer with a callback queue (`rpc.rs`). After a refused publish it
//! connects again, as a real program restarted after the error would.

use amqp_playground_core::SortedSet;

use amqp_playground_core::{
    BasicConsume, BasicPublish, ChannelRef, ConfirmSelect, ConsumerTag, Event, ExchangeName,
    FieldTable, QueueName, Reply,
};

use super::ClientId;
use crate::scene::NodeKind;
use crate::sim::playground::{
    Arrival, Playground, PlaygroundError, PublishRequest, BURST_GAP_MS, DIRECT_REPLY_TO, HOP_MS,
};
use crate::sim::scenario::ProducerSpec;

/// A producer's connection and what it has counted.
#[derive(Clone, Default)]
pub(in crate::sim) struct Producer {
    pub(in crate::sim) channel: ChannelRef,
    pub(in crate::sim) published: u64,
    /// Confirm sequence numbers not yet acked or nacked.
    pub(in crate::sim) unconfirmed: SortedSet<u64>,
    pub(in crate::sim) confirmed: u64,
    pub(in crate::sim) nacked: u64,
    /// RPC client: correlation ids still waiting for a reply.
    pub(in crate::sim) waiting: SortedSet<String>,
    pub(in crate::sim) replies: u64,
    /// RPC client: its reply consumer.
    pub(in crate::sim) reply_tag: Option<ConsumerTag>,
}

/// A producer's timers.
#[derive(Clone)]
pub(in crate::sim) enum Wake {
    /// Publish once, then again `every` ms later (`remaining` more times, or for ever while
    /// its rate is set).
    Tick {
        /// What to publish (its producer is always named).
        request: PublishRequest,
        /// Interval, virtual ms.
        every: u64,
        /// Publishes left in a burst; `None` for a steady rate.
        remaining: Option<u32>,
    },
    /// An RPC reply reaches its client.
    Reply {
        /// Producer name.
        producer: String,
        /// Its correlation id.
        correlation_id: Option<String>,
    },
}

impl From<Wake> for super::Wake {
    fn from(wake: Wake) -> Self {
        super::Wake::Producer(wake)
    }
}

/// The interval of `producer`'s steady rate, if this is its timer.
fn steady_rate(arrival: &Arrival, producer: &str) -> Option<u64> {
    let Arrival::Wake(wake) = arrival else {
        return None;
    };
    match &**wake {
        super::Wake::Producer(Wake::Tick {
            request,
            every,
            remaining: None,
        }) if request.producer.as_deref() == Some(producer) => Some(*every),
        _ => None,
    }
}

impl Playground {
    /// Sends a message from a producer: it reaches the broker `HOP_MS` later.
    pub fn publish(&mut self, request: PublishRequest) -> Result<(), PlaygroundError> {
        let index = match &request.producer {
            Some(name) => self
                .scenario
                .producers
                .iter()
                .position(|p| &p.name == name)
                .ok_or_else(|| PlaygroundError::Unknown {
                    kind: "producer",
                    name: name.clone(),
                })?,
            None => {
                if self.scenario.producers.is_empty() {
                    return Err(PlaygroundError::Unknown {
                        kind: "producer",
                        name: "(any)".into(),
                    });
                }
                0
            }
        };
        let spec = &self.scenario.producers[index];
        let exchange = request.exchange.unwrap_or_else(|| spec.exchange.clone());
        let routing_key = request
            .routing_key
            .unwrap_or_else(|| spec.routing_key.clone());
        let body = request.body.unwrap_or_else(|| spec.body.clone());
        let mut properties = request
            .properties
            .unwrap_or_else(|| spec.properties.clone())
            .to_properties();
        self.ask(index, &mut properties)?;
        let spec = &self.scenario.producers[index];
        let mandatory = request.mandatory || spec.mandatory;
        let from = self.client_node(ClientId::Producer(index));
        let to = if exchange.is_empty() {
            self.queue_node_by_broker_name(&routing_key)
        } else {
            self.graph.find(NodeKind::Exchange, &exchange)
        };
        let publish = BasicPublish {
            channel: self.producers[index].channel,
            exchange: ExchangeName::from(exchange.as_str()),
            routing_key,
            mandatory,
            immediate: false,
            properties,
            body: body.as_str().into(),
        };
        self.producers[index].published += 1;
        self.animate_hop(from, to);
        self.send(HOP_MS, Arrival::Publish(Box::new(publish)));
        Ok(())
    }

    /// Publishes `count` copies of `request`, `BURST_GAP_MS` apart (the first now).
    pub fn publish_burst(
        &mut self,
        mut request: PublishRequest,
        count: u32,
    ) -> Result<(), PlaygroundError> {
        let index = match &request.producer {
            Some(name) => self.producer_index(name)?,
            None if !self.scenario.producers.is_empty() => 0,
            None => return self.publish(request),
        };
        request.producer = Some(self.scenario.producers[index].name.clone());
        if count > 0 {
            self.wake(
                0,
                Wake::Tick {
                    request,
                    every: BURST_GAP_MS,
                    remaining: Some(count),
                },
            );
            self.advance(0);
        }
        Ok(())
    }

    /// Makes a producer publish `per_second` messages a second on the virtual clock (0 stops).
    pub fn set_rate(&mut self, producer: &str, per_second: f64) -> Result<(), PlaygroundError> {
        self.producer_index(producer)?;
        self.transit
            .retain(|t| steady_rate(&t.arrival, producer).is_none());
        if per_second > 0.0 && per_second.is_finite() {
            let every = (1000.0 / per_second).round().max(1.0) as u64;
            self.wake(
                0,
                Wake::Tick {
                    request: PublishRequest {
                        producer: Some(producer.to_string()),
                        ..PublishRequest::default()
                    },
                    every,
                    remaining: None,
                },
            );
            self.advance(0);
        }
        Ok(())
    }

    /// The steady rate a producer publishes at (messages a second), 0 when none.
    pub fn rate(&self, producer: &str) -> f64 {
        self.transit
            .iter()
            .find_map(|t| steady_rate(&t.arrival, producer))
            .map_or(0.0, |every| 1000.0 / every as f64)
    }

    pub(in crate::sim) fn producer_index(&self, name: &str) -> Result<usize, PlaygroundError> {
        self.scenario
            .producers
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| PlaygroundError::Unknown {
                kind: "producer",
                name: name.to_string(),
            })
    }

    /// Confirms and returns of its publishes, and (an RPC client) replies for it.
    pub(super) fn producer_event(&mut self, i: usize, event: &Event) {
        let own = self.producers[i].channel;
        match event {
            Event::Published {
                message,
                channel,
                seq,
                ..
            } if *channel == own => {
                let name = self.shared(*message, &self.scenario.producers[i].name, |m| {
                    m.publisher.as_ref()
                });
                self.messages.get_or_default(*message).publisher = Some(name);
                if let Some(seq) = seq {
                    self.producers[i].unconfirmed.insert(*seq);
                }
            }
            Event::PublisherAck {
                channel,
                seq,
                multiple,
            }
            | Event::PublisherNack {
                channel,
                seq,
                multiple,
            } if *channel == own => {
                let p = &mut self.producers[i];
                let done: Vec<u64> = if *multiple {
                    let upto = p.unconfirmed.iter().take_while(|s| *s <= seq);
                    upto.copied().collect()
                } else {
                    p.unconfirmed
                        .contains(seq)
                        .then_some(*seq)
                        .into_iter()
                        .collect()
                };
                for s in &done {
                    p.unconfirmed.remove(s);
                }
                let n = done.len() as u64;
                if matches!(event, Event::PublisherAck { .. }) {
                    p.confirmed += n;
                } else {
                    p.nacked += n;
                }
            }
            Event::Delivered { channel, .. } if *channel == own => self.reply_delivered(i, event),
            Event::Returned {
                channel, exchange, ..
            } if *channel == own => {
                let node = self.client_node(ClientId::Producer(i));
                self.animate_return(node, exchange);
            }
            _ => {}
        }
    }

    pub(super) fn producer_wake(&mut self, wake: Wake) {
        match wake {
            Wake::Tick {
                request,
                every,
                remaining,
            } => {
                // Past the page's limit the producer's rate or burst stops, and says why
                // (publishes still on their way to the broker count too; deliveries on their
                // way to consumers are the broker's unacked already).
                let on_the_way = self.transit.iter();
                let on_the_way = on_the_way.filter(|t| matches!(t.arrival, Arrival::Publish(_)));
                if self.broker.messages_held() + on_the_way.count() >= crate::sim::limits::MAX_HELD
                {
                    self.notice = Some(crate::sim::limits::held_notice());
                    return;
                }
                let sent = self.publish(request.clone());
                let next = match remaining {
                    None => Some(None),
                    Some(n) if n > 1 => Some(Some(n - 1)),
                    Some(_) => None,
                };
                // A producer deleted meanwhile stops its timer.
                if let (Ok(()), Some(remaining)) = (sent, next) {
                    self.wake(
                        every,
                        Wake::Tick {
                            request,
                            every,
                            remaining,
                        },
                    );
                }
            }
            Wake::Reply {
                producer,
                correlation_id,
            } => self.reply_arrived(&producer, correlation_id),
        }
    }

    /// The broker refused a publish and closed the producer's channel: it opens a fresh
    /// connection. The script's client keeps its connection (and the deliveries its other
    /// channels hold): only its `main` channel closed.
    pub(super) fn producer_refused(&mut self, i: usize) {
        if i == 0 && !self.script.channels.is_empty() {
            let _ = self.reopen_main();
        } else {
            let _ = self.reconnect_producer(i, true);
        }
    }

    /// Connects producer `i` again (after a restart or a channel error), keeping its counts.
    /// `close`: its old connection is still open (a channel error, not a restart).
    pub(in crate::sim) fn reconnect_producer(
        &mut self,
        i: usize,
        close: bool,
    ) -> Result<(), PlaygroundError> {
        let spec = self.scenario.producers[i].clone();
        if close {
            let _ = self.close_client(self.producers[i].channel, &spec.name);
        }
        let client = self.connect_producer(&spec)?;
        let p = &mut self.producers[i];
        *p = Producer {
            published: p.published,
            confirmed: p.confirmed,
            nacked: p.nacked,
            replies: p.replies,
            ..client
        };
        Ok(())
    }

    /// A producer's connection: confirm mode, and an RPC client's reply consumer (auto-ack,
    /// as tutorial 6's client reads its callback queue).
    pub(in crate::sim) fn connect_producer(
        &mut self,
        spec: &ProducerSpec,
    ) -> Result<Producer, PlaygroundError> {
        let channel = self.connect(&format!("connect `{}`", spec.name))?;
        let mut client = Producer {
            channel,
            ..Producer::default()
        };
        let undo = |pg: &mut Playground| {
            let _ = pg.close_client(channel, "");
        };
        if spec.confirm {
            if let Err(e) = self.command(
                &format!("turn on confirms for `{}`", spec.name),
                ConfirmSelect { channel },
            ) {
                undo(self);
                return Err(e);
            }
        }
        if let Some(cb) = &spec.callback {
            let queue = if cb.starts_with(DIRECT_REPLY_TO) {
                QueueName::from(DIRECT_REPLY_TO)
            } else {
                self.queue_name(cb)?
            };
            let reply = self.command(
                &format!("`{}` consumes its replies from `{cb}`", spec.name),
                BasicConsume {
                    channel,
                    queue,
                    consumer_tag: ConsumerTag::default(),
                    no_ack: true,
                    exclusive: false,
                    arguments: FieldTable::default(),
                },
            );
            match reply {
                Ok(Reply::ConsumeOk { consumer_tag }) => client.reply_tag = Some(consumer_tag),
                Ok(_) => {}
                Err(e) => {
                    undo(self);
                    return Err(e);
                }
            }
        }
        Ok(client)
    }
}
