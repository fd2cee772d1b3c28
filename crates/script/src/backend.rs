//! What a runner needs from a broker: the [`Backend`] trait.
//!
//! The step semantics (aliases, held deliveries, settle order, the final drain, error
//! bookkeeping) live once, in [`crate::run()`]; a backend only speaks AMQP. Two backends exist:
//! [`crate::CoreBackend`] drives the broker core in virtual time, and the fidelity crate's
//! backend drives a real RabbitMQ through lapin. Because both sit under the same interpreter,
//! a difference in their results is a difference in broker behaviour, not in bookkeeping.
//!
//! Channel lifecycle is the backend's job: a channel is opened on its first use (with
//! `confirm.select` when confirms are on) and reopened on the next use after it was closed by an
//! error or a `close_channel`; likewise connections.

use amqp_playground_core::FieldTable;

use crate::result::{Message, Scope};
use crate::script::{
    BindingDecl, ChannelName, ConsumeAck, ExchangeDecl, Properties, QueueDecl, TxOp,
};

/// An error the broker answered with (channel.close or connection.close).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmqpError {
    /// Which closed.
    pub scope: Scope,
    /// Reply code.
    pub reply_code: u16,
    /// Reply text.
    pub reply_text: String,
}

/// Why a backend call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The broker refused the operation; the script goes on.
    #[error("broker error {}: {}", .0.reply_code, .0.reply_text)]
    Amqp(AmqpError),
    /// The runner itself failed (lost socket, timeout, a broker that broke the protocol); the
    /// run stops.
    #[error("{0}")]
    Harness(String),
}

/// queue.declare-ok.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclareOk {
    /// The queue's name (the generated one for a server-named queue).
    pub name: String,
    /// Ready messages.
    pub message_count: u32,
    /// Consumers.
    pub consumer_count: u32,
}

/// One message to publish, names already resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct OutgoingMessage {
    /// Exchange.
    pub exchange: String,
    /// Routing key.
    pub routing_key: String,
    /// Body.
    pub body: Vec<u8>,
    /// Headers.
    pub headers: Option<FieldTable>,
    /// Properties.
    pub properties: Properties,
    /// mandatory flag.
    pub mandatory: bool,
    /// immediate flag.
    pub immediate: bool,
}

/// How the broker confirmed a publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// basic.ack.
    Ack,
    /// basic.nack.
    Nack,
    /// Confirms are off.
    NotRequested,
}

/// What came back for one publish.
#[derive(Clone, Debug, PartialEq)]
pub struct PublishOutcome {
    /// The confirm.
    pub confirm: Confirm,
    /// The basic.return, if any: (reply code, reply text, message).
    pub returned: Option<(u16, String, Message)>,
}

/// basic.get-ok.
#[derive(Clone, Debug, PartialEq)]
pub struct GetOk {
    /// Delivery tag on the channel.
    pub delivery_tag: u64,
    /// The message.
    pub message: Message,
    /// Messages left in the queue.
    pub message_count: u32,
}

/// A basic.deliver to one of the script's consumers.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerDelivery {
    /// The consumer's channel.
    pub channel: ChannelName,
    /// The consumer tag.
    pub consumer_tag: String,
    /// Delivery tag on the channel.
    pub delivery_tag: u64,
    /// The message.
    pub message: Message,
}

/// Shorthand for backend results.
pub type BackendResult<T> = Result<T, BackendError>;

/// One broker a script can run on. Names are passed resolved (aliases replaced).
pub trait Backend {
    /// Called once before anything else.
    fn set_confirm(&mut self, confirm: bool);
    /// exchange.declare.
    fn declare_exchange(&mut self, ch: &ChannelName, decl: &ExchangeDecl) -> BackendResult<()>;
    /// queue.declare (`decl.name` is the name to declare, `""` for a server-named queue).
    fn declare_queue(&mut self, ch: &ChannelName, decl: &QueueDecl) -> BackendResult<DeclareOk>;
    /// queue.bind / exchange.bind.
    fn bind(&mut self, ch: &ChannelName, binding: &BindingDecl) -> BackendResult<()>;
    /// queue.unbind / exchange.unbind.
    fn unbind(&mut self, ch: &ChannelName, binding: &BindingDecl) -> BackendResult<()>;
    /// queue.delete; returns the deleted message count.
    fn delete_queue(
        &mut self,
        ch: &ChannelName,
        queue: &str,
        if_unused: bool,
        if_empty: bool,
    ) -> BackendResult<u32>;
    /// exchange.delete.
    fn delete_exchange(
        &mut self,
        ch: &ChannelName,
        exchange: &str,
        if_unused: bool,
    ) -> BackendResult<()>;
    /// queue.purge; returns the purged count.
    fn purge(&mut self, ch: &ChannelName, queue: &str) -> BackendResult<u32>;
    /// basic.publish, waiting for its confirm when confirms are on.
    fn publish(&mut self, ch: &ChannelName, msg: &OutgoingMessage)
        -> BackendResult<PublishOutcome>;
    /// basic.get.
    fn get(&mut self, ch: &ChannelName, queue: &str, no_ack: bool) -> BackendResult<Option<GetOk>>;
    /// basic.ack.
    fn ack(&mut self, ch: &ChannelName, tag: u64, multiple: bool) -> BackendResult<()>;
    /// basic.nack.
    fn nack(
        &mut self,
        ch: &ChannelName,
        tag: u64,
        multiple: bool,
        requeue: bool,
    ) -> BackendResult<()>;
    /// basic.reject.
    fn reject(&mut self, ch: &ChannelName, tag: u64, requeue: bool) -> BackendResult<()>;
    /// basic.qos.
    fn qos(
        &mut self,
        ch: &ChannelName,
        prefetch_size: u32,
        prefetch: u16,
        global: bool,
    ) -> BackendResult<()>;
    /// basic.consume. With [`ConsumeAck::Ack`] the backend acks every delivery as soon as it
    /// arrives; otherwise it only reports deliveries through [`Backend::take_deliveries`].
    fn consume(
        &mut self,
        ch: &ChannelName,
        queue: &str,
        tag: &str,
        ack: ConsumeAck,
        exclusive: bool,
        arguments: &FieldTable,
    ) -> BackendResult<()>;
    /// basic.cancel.
    fn cancel(&mut self, ch: &ChannelName, tag: &str) -> BackendResult<()>;
    /// basic.recover.
    fn recover(&mut self, ch: &ChannelName, requeue: bool) -> BackendResult<()>;
    /// tx.select / tx.commit / tx.rollback / confirm.select.
    fn tx(&mut self, ch: &ChannelName, op: TxOp) -> BackendResult<()>;
    /// channel.close (a no-op for a channel that is not open).
    fn close_channel(&mut self, ch: &ChannelName) -> BackendResult<()>;
    /// connection.close (a no-op for a connection that is not open).
    fn close_connection(&mut self, connection: &str) -> BackendResult<()>;
    /// Every open channel of every connection (connections stay open).
    fn open_channels(&self) -> Vec<ChannelName>;
    /// Let `ms` milliseconds pass.
    fn sleep(&mut self, ms: u64) -> BackendResult<()>;
    /// Wait until deliveries already on their way have arrived (a real broker pushes them
    /// asynchronously; the core has delivered everything by the time a call returns).
    fn settle_down(&mut self) -> BackendResult<()>;
    /// Consumer deliveries received since the last call, in arrival order.
    fn take_deliveries(&mut self) -> Vec<ConsumerDelivery>;
}
