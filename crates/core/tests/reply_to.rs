//! RPC with direct reply-to (checklist 33).

mod harness;

use amqp_playground_core::*;
use harness::World;

fn reply_consume(w: &mut World, ch: ChannelRef, no_ack: bool) -> Result<Reply, BrokerError> {
    w.run(BasicConsume {
        channel: ch,
        queue: "amq.rabbitmq.reply-to".into(),
        consumer_tag: "".into(),
        no_ack,
        exclusive: false,
        arguments: FieldTable::new(),
    })
}

#[test]
fn a_request_and_its_reply() {
    let mut w = World::new();
    w.declare("rpc_queue");
    let client = w.ch;
    reply_consume(&mut w, client, true).unwrap();
    w.publish_with(
        "",
        "rpc_queue",
        "fib 10",
        Properties {
            reply_to: Some("amq.rabbitmq.reply-to".into()),
            correlation_id: Some("c1".into()),
            ..Properties::default()
        },
    );
    let server = w.connect();
    let Reply::GetOk(request) = w.ok(BasicGet {
        channel: server,
        queue: "rpc_queue".into(),
        no_ack: true,
    }) else {
        panic!()
    };
    let reply_to = request.properties.reply_to.clone().unwrap();
    assert!(reply_to.starts_with("amq.rabbitmq.reply-to."), "{reply_to}");
    assert_eq!(
        w.ok(QueueDeclare {
            channel: server,
            queue: reply_to.as_str().into(),
            passive: true,
            ..Default::default()
        }),
        Reply::QueueDeclareOk {
            queue: reply_to.as_str().into(),
            message_count: 0,
            consumer_count: 1
        }
    );
    w.events();
    w.ok(BasicPublish {
        channel: server,
        routing_key: reply_to.clone(),
        mandatory: true,
        properties: Properties {
            correlation_id: Some("c1".into()),
            ..Properties::default()
        },
        body: "55".into(),
        ..Default::default()
    });
    let delivered: Vec<(ChannelRef, String, String)> = w
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Delivered {
                channel,
                routing_key,
                body,
                ..
            } => Some((channel, routing_key, String::from_utf8_lossy(&body).into())),
            Event::Returned { .. } => panic!("a reply to a live requester is routed"),
            _ => None,
        })
        .collect();
    assert_eq!(delivered, vec![(client, reply_to, "55".to_string())]);
}

#[test]
fn reply_to_rules() {
    let mut w = World::new();
    assert_eq!(
        w.err(BasicPublish {
            channel: w.ch,
            routing_key: "q".into(),
            properties: Properties {
                reply_to: Some("amq.rabbitmq.reply-to".into()),
                ..Properties::default()
            },
            ..Default::default()
        }),
        "PRECONDITION_FAILED - fast reply consumer does not exist"
    );
    let ch = w.open(2);
    assert_eq!(
        reply_consume(&mut w, ch, false).unwrap_err().reply_text(),
        "PRECONDITION_FAILED - reply consumer cannot acknowledge"
    );
    let ch = w.open(3);
    reply_consume(&mut w, ch, true).unwrap();
    assert_eq!(
        reply_consume(&mut w, ch, true).unwrap_err().reply_text(),
        "PRECONDITION_FAILED - reply consumer already set"
    );
    let ch = w.open(4);
    assert_eq!(
        w.err(QueueDeclare {
            channel: ch,
            queue: "amq.rabbitmq.reply-to.nobody".into(),
            ..Default::default()
        }),
        "NOT_FOUND - no queue 'amq.rabbitmq.reply-to.nobody' in vhost '/'"
    );
    let ch = w.open(5);
    assert_eq!(
        w.err(QueueBind {
            channel: ch,
            queue: "amq.rabbitmq.reply-to".into(),
            exchange: "amq.direct".into(),
            routing_key: "k".into(),
            arguments: FieldTable::new()
        }),
        "ACCESS_REFUSED - cannot bind or unbind to a volatile (direct reply-to) queue"
    );
}

#[test]
fn in_3_10_a_mandatory_reply_is_delivered_and_also_returned() {
    let mut w = World::with_compat(Compat::RabbitMq310);
    let requester = w.connect();
    reply_consume(&mut w, requester, true).unwrap();
    // An unroutable mandatory request comes back with its rewritten reply_to: the name.
    w.ok(BasicPublish {
        channel: requester,
        routing_key: "nowhere".into(),
        mandatory: true,
        properties: Properties {
            reply_to: Some("amq.rabbitmq.reply-to".into()),
            ..Properties::default()
        },
        ..Default::default()
    });
    let name = w
        .events()
        .into_iter()
        .find_map(|e| match e {
            Event::Returned { properties, .. } => properties.reply_to.clone(),
            _ => None,
        })
        .unwrap();
    w.ok(BasicPublish {
        channel: w.ch,
        routing_key: name.clone(),
        mandatory: true,
        body: "reply".into(),
        ..Default::default()
    });
    let events = w.events();
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Delivered { channel, .. } if *channel == requester)));
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Returned { routing_key, .. } if *routing_key == name)));
}
