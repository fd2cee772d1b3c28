//! Vhosts, users and permissions (403 ACCESS_REFUSED, 530 for vhost access).

mod harness;

use amqp_playground_core::*;
use harness::World;

fn config() -> Config {
    let mut config = Config::default();
    config.vhosts.push("other".into());
    config.users.push(User {
        name: "reader".into(),
        password: "pw".into(),
        permissions: vec![Permission {
            vhost: "/".into(),
            configure: "^reader-".into(),
            write: "".into(),
            read: ".*".into(),
        }],
    });
    config
}

fn connect(w: &mut World, user: &str, password: &str, vhost: &str) -> Result<Reply, BrokerError> {
    w.run(Connect {
        user: user.into(),
        password: password.into(),
        vhost: vhost.into(),
    })
}

#[test]
fn login_and_vhost_access() {
    let mut w = World::with_config(config());
    assert_eq!(
        connect(&mut w, "reader", "wrong", "/").unwrap_err().reply_text(),
        "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."
    );
    let e = connect(&mut w, "reader", "pw", "other").unwrap_err();
    assert_eq!(
        (e.reply_text().as_str(), e.scope()),
        (
            "NOT_ALLOWED - access to vhost 'other' refused for user 'reader'",
            ErrorScope::Connection
        )
    );
    assert!(matches!(
        connect(&mut w, "guest", "guest", "other"),
        Err(BrokerError::NotAllowed(_))
    ));
    // A vhost that does not exist is named as such (rabbit_reader, before any permission check).
    assert_eq!(
        connect(&mut w, "guest", "guest", "nope")
            .unwrap_err()
            .reply_text(),
        "NOT_ALLOWED - vhost nope not found"
    );
}

#[test]
fn configure_write_and_read_patterns() {
    let mut w = World::with_config(config());
    w.declare("shared");
    let Ok(Reply::Connected(conn)) = connect(&mut w, "reader", "pw", "/") else {
        panic!()
    };
    let ch = ChannelRef::new(conn, 1);
    w.ok(ChannelOpen { channel: ch });
    assert_eq!(
        w.err(QueueDeclare {
            channel: ch,
            queue: "mine".into(),
            ..Default::default()
        }),
        "ACCESS_REFUSED - access to queue 'mine' in vhost '/' refused for user 'reader'"
    );
    w.ok(ChannelOpen { channel: ch });
    w.ok(QueueDeclare {
        channel: ch,
        queue: "reader-q".into(),
        ..Default::default()
    });
    assert_eq!(
        w.err(BasicPublish {
            channel: ch,
            routing_key: "shared".into(),
            ..Default::default()
        }),
        "ACCESS_REFUSED - access to exchange 'amq.default' in vhost '/' refused for user 'reader'"
    );
    w.ok(ChannelOpen { channel: ch });
    assert!(matches!(
        w.ok(BasicGet {
            channel: ch,
            queue: "shared".into(),
            no_ack: true
        }),
        Reply::GetEmpty
    ));
}

#[test]
fn vhosts_are_separate_worlds() {
    let mut config = Config::default();
    config.vhosts.push("dev".into());
    config.users[0]
        .permissions
        .push(Permission::full("dev".into()));
    let mut w = World::with_config(config);
    w.declare("q");
    let Ok(Reply::Connected(conn)) = connect(&mut w, "guest", "guest", "dev") else {
        panic!()
    };
    let ch = ChannelRef::new(conn, 1);
    w.ok(ChannelOpen { channel: ch });
    assert_eq!(
        w.err(QueueDeclare {
            channel: ch,
            queue: "q".into(),
            passive: true,
            ..Default::default()
        }),
        "NOT_FOUND - no queue 'q' in vhost 'dev'"
    );
}
