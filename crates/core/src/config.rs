//! Broker configuration: compatibility profile, vhosts, users and their permissions, the seed
//! of the name generator.

use crate::{Compat, UserName, VhostName};

/// How the broker is set up. `Config::default()` is RabbitMQ's out-of-the-box broker: vhost
/// `/`, user `guest`/`guest` with `".*" ".*" ".*"` on it, 4.x behaviour.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Config {
    /// Which RabbitMQ to behave like.
    pub compat: Compat,
    /// Virtual hosts (each gets the predeclared exchanges).
    pub vhosts: Vec<VhostName>,
    /// Users.
    pub users: Vec<User>,
    /// Seed of the generator of server-chosen names (`amq.gen-…`, `amq.ctag-…`): the same seed
    /// gives the same names, run after run.
    pub seed: u64,
    /// Largest body accepted (RabbitMQ's `max_message_size`, 128 MiB by default).
    pub max_message_size: u64,
}

impl Default for Config {
    fn default() -> Self {
        let vhost = VhostName::from("/");
        Config {
            compat: Compat::default(),
            vhosts: vec![vhost.clone()],
            users: vec![User {
                name: UserName::from("guest"),
                password: "guest".into(),
                permissions: vec![Permission::full(vhost)],
            }],
            seed: 0x5eed_2007,
            max_message_size: 128 * 1024 * 1024,
        }
    }
}

impl Config {
    /// The default configuration with another compatibility profile.
    pub fn with_compat(compat: Compat) -> Self {
        Config {
            compat,
            ..Config::default()
        }
    }
}

/// A user and the vhosts it may use.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct User {
    /// Name.
    pub name: UserName,
    /// Password (PLAIN).
    pub password: String,
    /// One entry per vhost the user may open.
    pub permissions: Vec<Permission>,
}

/// RabbitMQ's three permission patterns on one vhost (regular expressions matched against
/// resource names; `""` matches nothing, as in RabbitMQ).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Permission {
    /// The vhost.
    pub vhost: VhostName,
    /// Create/delete queues and exchanges.
    pub configure: String,
    /// Publish to exchanges, bind queues/exchanges as destinations.
    pub write: String,
    /// Consume/get from queues, bind from exchanges as sources.
    pub read: String,
}

impl Permission {
    /// `".*" ".*" ".*"` on `vhost`.
    pub fn full(vhost: VhostName) -> Self {
        Permission {
            vhost,
            configure: ".*".into(),
            write: ".*".into(),
            read: ".*".into(),
        }
    }
}
