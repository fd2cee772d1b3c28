//! Broker throughput and memory report: `cargo run --profile bench -p amqp-playground-core --example
//! broker_throughput`. Prints a table; the targets (issue 3) are ≥ 1 million
//! publish → deliver → ack per second natively and ≤ 128 bytes per queued message beyond its
//! body. Memory is measured as the growth of the process's resident set while one queue fills
//! with 1,000,000 messages (Linux `/proc/self/statm`; elsewhere the row says so).

use std::time::Instant;

use amqp_playground_core::*;

const N: u64 = 1_000_000;

fn broker(events: bool) -> (Broker, ChannelRef) {
    let mut b = Broker::new(Config::default());
    b.set_message_events(events);
    let Ok(Reply::Connected(c)) = b.handle(
        Millis(0),
        Connect {
            user: "guest".into(),
            password: "guest".into(),
            vhost: "/".into(),
        }
        .into(),
    ) else {
        panic!("guest cannot connect")
    };
    let ch = ChannelRef::new(c, 1);
    b.handle(Millis(0), ChannelOpen { channel: ch }.into())
        .expect("channel opens");
    b.handle(
        Millis(0),
        QueueDeclare {
            channel: ch,
            queue: "q".into(),
            ..Default::default()
        }
        .into(),
    )
    .expect("queue declares");
    (b, ch)
}

fn publish(b: &mut Broker, ch: ChannelRef, body: Body) {
    b.handle(
        Millis(0),
        Command::BasicPublish(BasicPublish {
            channel: ch,
            routing_key: "q".into(),
            body,
            ..Default::default()
        }),
    )
    .expect("publish");
}

fn round_trip(events: bool) -> f64 {
    let (mut b, ch) = broker(events);
    b.handle(
        Millis(0),
        BasicConsume {
            channel: ch,
            queue: "q".into(),
            consumer_tag: "c".into(),
            no_ack: false,
            exclusive: false,
            arguments: FieldTable::new(),
        }
        .into(),
    )
    .expect("consume");
    let body: Body = "hello".into();
    let start = Instant::now();
    for tag in 1..=N {
        publish(&mut b, ch, body.clone());
        b.handle(
            Millis(0),
            Command::BasicAck(BasicAck {
                channel: ch,
                delivery_tag: DeliveryTag(tag),
                multiple: false,
            }),
        )
        .expect("ack");
        if events {
            while b.poll_event().is_some() {}
        }
    }
    N as f64 / start.elapsed().as_secs_f64()
}

fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn main() {
    println!("| measurement | result |");
    println!("|---|---|");
    for events in [false, true] {
        println!(
            "| publish → deliver → ack, 1 consumer, events {} | {:.2} M msg/s |",
            if events { "on" } else { "off" },
            round_trip(events) / 1e6
        );
    }
    let (mut b, ch) = broker(false);
    let before = resident_bytes();
    let start = Instant::now();
    for i in 0..N {
        // Distinct 8-byte bodies: nothing is shared between messages but the defaults.
        publish(&mut b, ch, format!("m{i:07}").into_bytes().into());
    }
    let rate = N as f64 / start.elapsed().as_secs_f64();
    println!(
        "| publish into a queue (1,000,000 ready) | {:.2} M msg/s |",
        rate / 1e6
    );
    match (before, resident_bytes()) {
        (Some(a), Some(z)) => {
            let per = (z.saturating_sub(a)) as f64 / N as f64;
            println!("| resident memory per queued message, incl. its 8-byte body | {per:.0} B |");
            println!(
                "| 1,000,000 small messages in one queue | {:.0} MB |",
                z.saturating_sub(a) as f64 / 1e6
            );
        }
        _ => println!("| resident memory per queued message | not measurable here |"),
    }
    let ready = b.queue(&"/".into(), &"q".into()).map(|q| q.ready);
    assert_eq!(ready, Some(N as usize));
}
