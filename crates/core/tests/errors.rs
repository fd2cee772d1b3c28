//! Where errors land: channel or connection, what they close, and that nothing else changes
//! (checklist 34).

mod harness;

use amqp_playground_core::*;
use harness::World;

#[test]
fn a_second_channel_open_is_a_connection_error() {
    let mut w = World::new();
    let e = w.run(ChannelOpen { channel: w.ch }).unwrap_err();
    assert_eq!(
        (e.reply_code(), e.scope(), e.reply_text().as_str()),
        (
            504,
            ErrorScope::Connection,
            "CHANNEL_ERROR - second 'channel.open' seen"
        )
    );
    assert!(w.broker.connections().is_empty());
}

#[test]
fn a_soft_error_closes_only_its_channel_and_requeues_only_its_deliveries() {
    let mut w = World::new();
    w.declare("q");
    for b in ["a", "b"] {
        w.publish("", "q", b);
    }
    let other = w.open(2);
    w.get("q").unwrap();
    w.ok(BasicGet {
        channel: other,
        queue: "q".into(),
        no_ack: false,
    });
    w.events();
    assert_eq!(
        w.err(QueueDeclare {
            channel: other,
            queue: "missing".into(),
            passive: true,
            ..Default::default()
        }),
        "NOT_FOUND - no queue 'missing' in vhost '/'"
    );
    assert_eq!(
        w.events(),
        vec![
            Event::Requeued {
                queue: "q".into(),
                message: MessageId(2)
            },
            Event::ChannelClosed {
                channel: other,
                code: 404,
                text: "NOT_FOUND - no queue 'missing' in vhost '/'".into()
            }
        ]
    );
    let q = w.broker.queue(&"/".into(), &"q".into()).unwrap();
    assert_eq!((q.ready, q.unacked), (1, 1));
    // The connection and its other channel live on.
    assert_eq!(w.broker.connections()[0].channels.len(), 1);
    // The channel number can be opened again.
    w.ok(ChannelOpen { channel: other });
}

#[test]
fn commands_for_a_closed_connection_change_nothing() {
    let mut w = World::new();
    let conn = w.conn;
    w.ok(CloseConnection { connection: conn });
    w.events();
    let e = w
        .run(QueueDeclare {
            channel: ChannelRef::new(conn, 1),
            queue: "q".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.reply_code(), 504);
    assert_eq!(w.events(), vec![]);
    assert!(w.broker.queues().is_empty());
}

#[test]
fn reply_texts_are_cut_at_255_bytes() {
    let mut w = World::new();
    let long = "q".repeat(250);
    let text = w.err(QueueDeclare {
        channel: w.ch,
        queue: long.as_str().into(),
        passive: true,
        ..Default::default()
    });
    // RabbitMQ 3.10.8 keeps 252 bytes and appends "..." (a passive declare of a 250-byte name).
    assert_eq!(text.len(), 255);
    assert!(text.starts_with("NOT_FOUND - no queue 'qqq"));
    assert!(text.ends_with("qqq..."), "{text}");
}
