//! `MessageEvents` levels: a wire server records deliveries (and returns and confirms) only.

use amqp_playground_core::*;

fn run(level: MessageEvents) -> Vec<&'static str> {
    let mut broker = Broker::new(Config::default());
    broker.set_message_event_level(level);
    let t = Millis(0);
    let Ok(Reply::Connected(conn)) = broker.handle(
        t,
        Command::Connect(Connect {
            user: "guest".into(),
            password: "guest".into(),
            vhost: "/".into(),
        }),
    ) else {
        panic!("connect")
    };
    let ch = ChannelRef::new(conn, 1);
    broker
        .handle(t, ChannelOpen { channel: ch }.into())
        .unwrap();
    broker
        .handle(t, ConfirmSelect { channel: ch }.into())
        .unwrap();
    let q = QueueDeclare {
        channel: ch,
        queue: "q".into(),
        ..Default::default()
    };
    broker.handle(t, q.into()).unwrap();
    let consume = BasicConsume {
        channel: ch,
        queue: "q".into(),
        consumer_tag: "c".into(),
        no_ack: false,
        exclusive: false,
        arguments: FieldTable::new(),
    };
    broker.handle(t, consume.into()).unwrap();
    broker.drain_events();
    for key in ["q", "nowhere"] {
        let publish = BasicPublish {
            channel: ch,
            routing_key: key.into(),
            mandatory: true,
            body: "x".into(),
            ..Default::default()
        };
        broker.handle(t, publish.into()).unwrap();
    }
    let ack = BasicAck {
        channel: ch,
        delivery_tag: DeliveryTag(1),
        multiple: false,
    };
    broker.handle(t, ack.into()).unwrap();
    broker
        .drain_events()
        .iter()
        .map(|e| match e {
            Event::Published { .. } => "published",
            Event::Routed { .. } => "routed",
            Event::Unroutable { .. } => "unroutable",
            Event::Enqueued { .. } => "enqueued",
            Event::Delivered { .. } => "delivered",
            Event::Returned { .. } => "returned",
            Event::PublisherAck { .. } => "confirmed",
            Event::Acked { .. } => "acked",
            _ => "other",
        })
        .collect()
}

#[test]
fn deliveries_level_keeps_what_a_client_sees() {
    assert_eq!(
        run(MessageEvents::Deliveries),
        ["delivered", "confirmed", "returned", "confirmed"]
    );
    let all = run(MessageEvents::All);
    assert!(
        all.contains(&"published") && all.contains(&"acked"),
        "{all:?}"
    );
    assert_eq!(
        run(MessageEvents::Off),
        ["confirmed", "returned", "confirmed"]
    );
}
