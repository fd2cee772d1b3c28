//! Both RPC roles of tutorial 6. A server is a consumer that answers each request on the
//! default exchange to its `reply_to`, with its `correlation_id`; a client is a producer that
//! asks for the answer in its callback queue (or direct reply-to), consumes it there, and
//! counts the replies that match its own requests.

use amqp_playground_core::{BasicPublish, Event, ExchangeName, Properties};

use super::producer::Wake;
use super::ClientId;
use crate::scene::NodeKind;
use crate::sim::playground::{Arrival, Playground, PlaygroundError, DIRECT_REPLY_TO, HOP_MS};

/// An RPC request a server works on: where to answer, with which id, and the question.
#[derive(Clone, Debug)]
pub(in crate::sim) struct Request {
    pub(super) reply_to: String,
    pub(super) correlation_id: Option<String>,
    pub(super) body: String,
}

impl Playground {
    /// An RPC client's request asks for the answer in its callback queue, with a fresh id,
    /// like tutorial 6's `reply_to=callback_queue, correlation_id=uuid`; the id is then
    /// waited for.
    pub(super) fn ask(
        &mut self,
        i: usize,
        properties: &mut Properties,
    ) -> Result<(), PlaygroundError> {
        let spec = &self.scenario.producers[i];
        let Some(callback) = spec.callback.clone() else {
            return Ok(());
        };
        if properties.reply_to.is_none() {
            properties.reply_to = Some(if callback.starts_with(DIRECT_REPLY_TO) {
                DIRECT_REPLY_TO.to_string()
            } else {
                self.queue_name(&callback)?.as_str().to_string()
            });
        }
        let id = properties
            .correlation_id
            .get_or_insert_with(|| format!("{}-{}", spec.name, self.producers[i].published + 1));
        self.producers[i].waiting.insert(id.clone());
        Ok(())
    }

    /// An RPC reply delivered to the client's reply consumer, on its way to the client.
    pub(super) fn reply_delivered(&mut self, i: usize, event: &Event) {
        let Event::Delivered {
            queue,
            message,
            properties,
            ..
        } = event
        else {
            return;
        };
        let node = self.client_node(ClientId::Producer(i));
        let arrives = self.animate_delivery(queue, *message, node);
        let producer = self.scenario.producers[i].name.clone();
        self.wake(
            arrives,
            Wake::Reply {
                producer,
                correlation_id: properties.correlation_id.clone(),
            },
        );
    }

    /// A reply reached its client: tutorial 6's client ignores replies whose id it does not
    /// know.
    pub(super) fn reply_arrived(&mut self, producer: &str, correlation_id: Option<String>) {
        if let Ok(i) = self.producer_index(producer) {
            let p = &mut self.producers[i];
            if correlation_id.is_some_and(|id| p.waiting.remove(&id)) {
                p.replies += 1;
            }
        }
    }

    /// An RPC server answers: its reply goes to the default exchange with the request's
    /// `reply_to` as routing key and its `correlation_id`, and travels one hop to the broker.
    pub(super) fn answer(&mut self, i: usize, request: Request) {
        let answer = match request.body.trim().parse::<u32>() {
            Ok(n) if n <= 90 => fib(n).to_string(),
            _ => format!("re: {}", request.body),
        };
        let publish = BasicPublish {
            channel: self.consumers[i].channel,
            exchange: ExchangeName::from(""),
            routing_key: request.reply_to.clone(),
            mandatory: false,
            immediate: false,
            properties: Properties {
                correlation_id: request.correlation_id,
                ..Properties::default()
            },
            body: answer.into(),
        };
        self.consumers[i].replied += 1;
        let from = self.client_node(ClientId::Consumer(i));
        let to = self
            .queue_node_by_broker_name(&request.reply_to)
            .or_else(|| {
                // Direct reply-to: straight to the client that asked.
                let p = self.producers.iter().position(|p| {
                    p.reply_tag.is_some() && request.reply_to.starts_with(DIRECT_REPLY_TO)
                })?;
                self.graph
                    .find(NodeKind::Producer, &self.scenario.producers[p].name)
            });
        self.animate_hop(from, to);
        self.send(HOP_MS, Arrival::Publish(Box::new(publish)));
    }
}

/// Fibonacci, as tutorial 6's server computes it (iteratively: n ≤ 90 fits a u64).
fn fib(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a.saturating_add(b));
    }
    a
}
