//! User permissions: RabbitMQ's configure / write / read regular expressions per vhost.
//!
//! A pattern matches anywhere in the name unless anchored (Erlang `re:run`), and the empty
//! pattern matches nothing. The default exchange is checked under the name `amq.default`. The
//! patterns are matched by the `pattern` module, on bytes, like Erlang's `re` without `unicode`.

use crate::broker::Broker;
use crate::error::{BrokerError, Resource};
use crate::pattern::Pattern;
use crate::ChannelRef;

/// Which of the three permissions an operation needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    Configure,
    Write,
    Read,
}

/// Whether `pattern` allows `name`.
pub(crate) fn allows(pattern: &str, name: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    if pattern == ".*" {
        return true;
    }
    // An invalid pattern grants nothing (RabbitMQ refuses to store one), and so does one
    // outside the subset `pattern` implements.
    Pattern::new(pattern).is_ok_and(|p| p.is_match(name))
}

impl Broker {
    /// 403 `access to <kind> '<name>' in vhost '<v>' refused for user '<u>'` unless the
    /// channel's user has `access` on the resource.
    pub(crate) fn check_permission(
        &self,
        ch: ChannelRef,
        access: Access,
        kind: &str,
        name: &str,
    ) -> Result<(), BrokerError> {
        let conn = self.connection(ch.connection)?;
        let name = if kind == "exchange" && name.is_empty() {
            "amq.default"
        } else {
            name
        };
        let granted = self
            .config
            .users
            .iter()
            .find(|u| u.name == conn.user)
            .and_then(|u| u.permissions.iter().find(|p| p.vhost == conn.vhost))
            .is_some_and(|p| {
                let pattern = match access {
                    Access::Configure => &p.configure,
                    Access::Write => &p.write,
                    Access::Read => &p.read,
                };
                allows(pattern, name)
            });
        if granted {
            Ok(())
        } else {
            Err(BrokerError::AccessRefused(format!(
                "access to {} refused for user '{}'",
                Resource(kind, name, conn.vhost.as_str()),
                conn.user
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::allows;

    #[test]
    fn patterns_match_like_erlang_re_run() {
        let rows = [
            (".*", "anything", true),
            ("", "anything", false),
            ("^amq\\.gen", "amq.gen-abc", true),
            ("^amq\\.gen", "x-amq.gen", false),
            ("logs", "app-logs-1", true),
            ("^logs$", "app-logs", false),
            ("[", "x", false),
            ("^(logs|events)\\.", "events.eu", true),
            ("^[a-z]+-\\d{1,3}$", "worker-12", true),
            ("^[a-z]+-\\d{1,3}$", "worker-1234", false),
            // Valid PCRE outside the supported subset grants nothing.
            ("(?i)^logs", "logs", false),
            ("^(?!amq\\.)", "mine", false),
        ];
        for (pattern, name, want) in rows {
            assert_eq!(allows(pattern, name), want, "{pattern:?} on {name:?}");
        }
    }
}
