//! Names are types: a queue name is not an exchange name is not a consumer tag.
//!
//! Every name is a `String` underneath (AMQP short strings are at most 255 bytes; validation of
//! that lives where the name enters the broker). Virtual time and the ids of connections,
//! channels and deliveries are newtypes too, so that no bare integer crosses the public API.

use std::fmt;

macro_rules! string_name {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub struct $name(pub String);

        impl $name {
            /// The name as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Derived `Ord` on the inner `String` equals `str`'s, as `Borrow` requires; it lets
        // maps keyed by names be searched with a plain `&str`, without allocating.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_string())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }
    };
}

string_name!(
    /// A queue's name (`hello`, `amq.gen-…`).
    QueueName
);
string_name!(
    /// An exchange's name; `""` is the default exchange.
    ExchangeName
);
string_name!(
    /// A consumer tag, unique per channel (`amq.ctag-…` when the server picks it).
    ConsumerTag
);
string_name!(
    /// A virtual host's name (`/`).
    VhostName
);
string_name!(
    /// A user's name (`guest`).
    UserName
);

/// Virtual time in milliseconds. The core never reads a clock: every call that can let time
/// pass takes `now` as an argument.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Millis(pub u64);

impl Millis {
    /// `self + ms`, saturating.
    pub fn plus(self, ms: u64) -> Millis {
        Millis(self.0.saturating_add(ms))
    }
}

/// A client connection, numbered by the broker from 1 in the order they open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConnectionId(pub u64);

/// A channel number within a connection (1..=65535; 0 is the connection itself on the wire).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChannelId(pub u16);

/// One channel of one connection: where a command comes from and a delivery goes to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChannelRef {
    /// The connection.
    pub connection: ConnectionId,
    /// The channel number on it.
    pub channel: ChannelId,
}

impl ChannelRef {
    /// Channel `channel` of connection `connection`.
    pub fn new(connection: ConnectionId, channel: u16) -> Self {
        ChannelRef {
            connection,
            channel: ChannelId(channel),
        }
    }
}

impl fmt::Display for ChannelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.connection.0, self.channel.0)
    }
}

/// A delivery tag: per channel, from 1, shared by consumer deliveries and basic.get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DeliveryTag(pub u64);

/// The broker's own id for one published message, shared by all its copies, so the UI can
/// follow it through routing, queues, dead-lettering and delivery. Assigned from 1 in publish
/// order (deterministic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MessageId(pub u64);

/// Where a binding leads: a queue, or another exchange (exchange-to-exchange binding).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Destination {
    /// A queue.
    Queue(QueueName),
    /// An exchange.
    Exchange(ExchangeName),
}
