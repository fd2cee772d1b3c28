//! Errors a command can fail with: AMQP reply codes with RabbitMQ's texts (semantics §1).
//!
//! Each variant is one AMQP reply code and carries RabbitMQ's *explanation*; `Display` prints
//! the full reply text `"<CODE_NAME> - <explanation>"`, cut to 252 bytes and `...` when over 255, as RabbitMQ's frame
//! generator does. The code decides the scope: soft errors close the channel, hard errors the
//! connection (`rabbit_binary_generator.erl:188-204`).

use std::fmt;

/// What an error closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ErrorScope {
    /// The channel the command came on (`channel.close`).
    Channel,
    /// The whole connection (`connection.close`).
    Connection,
}

/// A failed command, as RabbitMQ reports it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BrokerError {
    /// 403, channel.
    #[error("{}", reply_text("ACCESS_REFUSED", .0))]
    AccessRefused(String),
    /// 404, channel.
    #[error("{}", reply_text("NOT_FOUND", .0))]
    NotFound(String),
    /// 405, channel.
    #[error("{}", reply_text("RESOURCE_LOCKED", .0))]
    ResourceLocked(String),
    /// 406, channel.
    #[error("{}", reply_text("PRECONDITION_FAILED", .0))]
    PreconditionFailed(String),
    /// 320, connection.
    #[error("{}", reply_text("CONNECTION_FORCED", .0))]
    ConnectionForced(String),
    /// 503, connection.
    #[error("{}", reply_text("COMMAND_INVALID", .0))]
    CommandInvalid(String),
    /// 504, connection.
    #[error("{}", reply_text("CHANNEL_ERROR", .0))]
    ChannelError(String),
    /// 530, connection.
    #[error("{}", reply_text("NOT_ALLOWED", .0))]
    NotAllowed(String),
    /// 540, connection.
    #[error("{}", reply_text("NOT_IMPLEMENTED", .0))]
    NotImplemented(String),
    /// 541, connection.
    #[error("{}", reply_text("INTERNAL_ERROR", .0))]
    InternalError(String),
    /// 403 refused login: RabbitMQ closes the connection during the handshake.
    #[error("{}", reply_text("ACCESS_REFUSED", .0))]
    LoginRefused(String),
}

fn reply_text(name: &str, explanation: &str) -> String {
    let mut text = format!("{name} - {explanation}");
    // rabbit_binary_generator:amqp_exception_explanation/2: a text over 255 bytes keeps its
    // first 252 bytes and gets "..." (measured on 3.10.8; 4.x's chars_limit gives the same).
    if text.len() > 255 {
        let mut end = 252;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("...");
    }
    text
}

impl BrokerError {
    /// The AMQP reply code (403, 404, 406, …).
    pub fn reply_code(&self) -> u16 {
        match self {
            BrokerError::AccessRefused(_) | BrokerError::LoginRefused(_) => 403,
            BrokerError::NotFound(_) => 404,
            BrokerError::ResourceLocked(_) => 405,
            BrokerError::PreconditionFailed(_) => 406,
            BrokerError::ConnectionForced(_) => 320,
            BrokerError::CommandInvalid(_) => 503,
            BrokerError::ChannelError(_) => 504,
            BrokerError::NotAllowed(_) => 530,
            BrokerError::NotImplemented(_) => 540,
            BrokerError::InternalError(_) => 541,
        }
    }

    /// The full reply text, `"NOT_FOUND - no queue 'q' in vhost '/'"`, at most 255 bytes.
    pub fn reply_text(&self) -> String {
        self.to_string()
    }

    /// RabbitMQ's explanation without the code name.
    pub fn explanation(&self) -> &str {
        match self {
            BrokerError::AccessRefused(s)
            | BrokerError::LoginRefused(s)
            | BrokerError::NotFound(s)
            | BrokerError::ResourceLocked(s)
            | BrokerError::PreconditionFailed(s)
            | BrokerError::ConnectionForced(s)
            | BrokerError::CommandInvalid(s)
            | BrokerError::ChannelError(s)
            | BrokerError::NotAllowed(s)
            | BrokerError::NotImplemented(s)
            | BrokerError::InternalError(s) => s,
        }
    }

    /// Whether the error closes the channel or the whole connection (semantics §1.3).
    pub fn scope(&self) -> ErrorScope {
        match self.reply_code() {
            403 if matches!(self, BrokerError::LoginRefused(_)) => ErrorScope::Connection,
            403..=406 => ErrorScope::Channel,
            _ => ErrorScope::Connection,
        }
    }
}

/// `<kind> '<name>' in vhost '<vhost>'`, RabbitMQ's `rs/1` (semantics §1.4).
#[derive(Clone, Copy)]
pub(crate) struct Resource<'a>(pub &'a str, pub &'a str, pub &'a str);

impl fmt::Display for Resource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} '{}' in vhost '{}'", self.0, self.1, self.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_scopes_and_texts() {
        let rows = [
            (
                BrokerError::NotFound("no queue 'q' in vhost '/'".into()),
                404,
                ErrorScope::Channel,
                "NOT_FOUND - no queue 'q' in vhost '/'",
            ),
            (
                BrokerError::NotAllowed("attempt to reuse consumer tag 'a'".into()),
                530,
                ErrorScope::Connection,
                "NOT_ALLOWED - attempt to reuse consumer tag 'a'",
            ),
            (
                BrokerError::LoginRefused("x".into()),
                403,
                ErrorScope::Connection,
                "ACCESS_REFUSED - x",
            ),
            (
                BrokerError::AccessRefused("x".into()),
                403,
                ErrorScope::Channel,
                "ACCESS_REFUSED - x",
            ),
        ];
        for (error, code, scope, text) in rows {
            assert_eq!(error.reply_code(), code);
            assert_eq!(error.scope(), scope);
            assert_eq!(error.reply_text(), text);
        }
    }

    #[test]
    fn reply_text_is_cut_to_255_bytes() {
        let long = BrokerError::PreconditionFailed("é".repeat(200));
        let text = long.reply_text();
        assert!(text.len() <= 255 && text.len() >= 253, "{}", text.len());
        assert!(text.ends_with("..."), "{text}");
        assert!(text.starts_with("PRECONDITION_FAILED - é"));
    }
}
