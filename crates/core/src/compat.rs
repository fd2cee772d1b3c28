//! Which RabbitMQ the core behaves like (semantics §16).
//!
//! The playground defaults to current RabbitMQ 4.x. The fidelity suite runs against the broker
//! in CI, Debian's RabbitMQ 3.10.8, with [`Compat::RabbitMq310`]. Every row of the version table
//! is one method here, so the differences live in one place.

/// A compatibility profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Compat {
    /// RabbitMQ 4.x (4.3 baseline), with the `transient_nonexcl_queues` deprecation permitted
    /// because the tutorials declare such queues.
    #[default]
    RabbitMq4,
    /// RabbitMQ 3.10 (the broker the fidelity suite compares against).
    RabbitMq310,
}

impl Compat {
    /// The profile's name on the command line (`rabbitmq-4`, `rabbitmq-3.10`).
    pub fn name(self) -> &'static str {
        match self {
            Compat::RabbitMq4 => "rabbitmq-4",
            Compat::RabbitMq310 => "rabbitmq-3.10",
        }
    }

    /// Parses a profile name as [`Compat::name`] prints it.
    pub fn from_name(name: &str) -> Option<Compat> {
        match name {
            "rabbitmq-4" => Some(Compat::RabbitMq4),
            "rabbitmq-3.10" => Some(Compat::RabbitMq310),
            _ => None,
        }
    }

    /// 4.3.5+: a topic binding key may hold at most two `#` words (406 otherwise).
    pub fn limits_topic_hashes(self) -> bool {
        self == Compat::RabbitMq4
    }

    /// ≤3.12 compared headers-exchange values with `==` (1 == 1.0); 3.13+ with `=:=`.
    pub fn headers_loose_number_equality(self) -> bool {
        self == Compat::RabbitMq310
    }

    /// ≤3.12 continued a client-supplied `x-death` header; 3.13+ starts a fresh one.
    pub fn continues_client_x_death(self) -> bool {
        self == Compat::RabbitMq310
    }

    /// ≤3.12 removed `CC` when dead-lettering with `x-dead-letter-routing-key`; 3.13+ keeps it.
    pub fn strips_cc_on_dead_letter_with_key(self) -> bool {
        self == Compat::RabbitMq310
    }

    /// 3.13+ also writes `x-last-death-{reason,queue,exchange}` when dead-lettering.
    pub fn writes_x_last_death(self) -> bool {
        self == Compat::RabbitMq4
    }

    /// 4.2+ implement direct reply-to as a volatile queue type and refuse binding it with 403;
    /// 3.x answers a bind to `amq.rabbitmq.reply-to…` like any missing queue (404).
    pub fn refuses_binding_reply_to(self) -> bool {
        self == Compat::RabbitMq4
    }

    /// 4.2+ count a reply to a live direct reply-to consumer as routed (a volatile queue);
    /// 3.x delivers it but, having routed it to no real queue, also returns it when mandatory.
    pub fn reply_to_counts_as_routed(self) -> bool {
        self == Compat::RabbitMq4
    }

    /// 4.3 treats `basic.qos(global=true)` as per-consumer; older brokers apply a channel limit.
    pub fn honours_global_qos(self) -> bool {
        self == Compat::RabbitMq310
    }

    /// 3.x answered an unknown exchange type with 503 COMMAND_INVALID (a connection error);
    /// 3.13+ with 406 PRECONDITION_FAILED.
    pub fn unknown_exchange_type_is_connection_error(self) -> bool {
        self == Compat::RabbitMq310
    }
}
