//! The tutorials as scenarios, drawn like their diagrams (same nodes, captions, keys, order).

use super::scenario::{
    ArgValue, BindingSpec, ConsumerSpec, ExchangeSpec, ProducerSpec, QueueSpec, Scenario,
};

/// Preset ids, in tutorial order.
pub const NAMES: [&str; 7] = [
    "hello-world",
    "work-queues",
    "fair-dispatch",
    "publish-subscribe",
    "routing",
    "topics",
    "dead-lettering",
];

/// The preset with this id.
pub fn by_name(name: &str) -> Option<Scenario> {
    match name {
        "hello-world" => Some(hello_world()),
        "work-queues" => Some(work_queues()),
        "fair-dispatch" => Some(fair_dispatch()),
        "publish-subscribe" => Some(publish_subscribe()),
        "routing" => Some(routing()),
        "topics" => Some(topics()),
        "dead-lettering" => Some(dead_lettering()),
        _ => None,
    }
}

/// Short guided steps for a preset, in our own words: what to do and what to notice.
pub fn guide(name: &str) -> &'static [&'static str] {
    match name {
        "hello-world" => &[
            "Press Publish: P sends \"Hello World!\" through the default exchange, which hands it to the queue named by the routing key, `hello`.",
            "The consumer C is subscribed to `hello`, so the broker delivers the message straight away: watch it pass the queue and reach C.",
            "Press Stop C and publish twice: with nobody consuming, the messages wait in the queue's cells. Start C again and they flow out.",
        ],
        "work-queues" => &[
            "Publish four times: the broker deals the tasks to C₁ and C₂ in turn (round-robin), whatever each worker is doing.",
            "Stop C₂ and publish again: everything goes to C₁ until C₂ comes back.",
        ],
        "fair-dispatch" => &[
            "Both workers acknowledge each task by hand and take one at a time (prefetch=1). C₁ is slow (5 s a task), C₂ quick (0.5 s).",
            "Publish six tasks: each worker holds one unacknowledged task (the white cells); the rest wait as ready messages.",
            "Watch the counts: C₂ finishes and asks for more far more often, so it ends up doing most of the work — fair dispatch.",
        ],
        "publish-subscribe" => &[
            "Publish once: the fanout exchange copies the message to every bound queue, so both C₁ and C₂ receive it. The routing key does not matter.",
            "Each subscriber has its own server-named queue (amq.gen-…), like the tutorial's temporary queues.",
        ],
        "routing" => &[
            "Publish with key `orange`: the direct exchange sends it only to Q1, whose binding key matches exactly.",
            "Try `black` and `green`: Q2 has both bindings, so C₂ gets them.",
            "Try `purple`: no binding matches, the message is unroutable and dropped — tick mandatory to have it returned to P instead.",
        ],
        "topics" => &[
            "Publish `quick.orange.rabbit`: it reaches both queues because `*.orange.*` and `*.*.rabbit` both match — each queue still gets one copy.",
            "Try `lazy.orange.elephant` (both), `quick.orange.fox` (Q1 only), `lazy.brown.fox` (Q2 only) and `quick.brown.fox` (nobody).",
            "Select the exchange X and type keys into the topic tester to see, word by word, why each binding matches or not.",
        ],
        "dead-lettering" => &[
            "`work` has no consumer and a message TTL of 3 s (`x-message-ttl`), with `dlx` as its dead-letter exchange.",
            "Publish: the message waits in `work`; after 3 s it expires, is dead-lettered to `dlx` and lands in `parking`, where C picks it up.",
            "Select `work` to see its counts, or add a consumer to it: consumed in time, nothing expires.",
        ],
        _ => &[],
    }
}

/// Expired messages are dead-lettered to another exchange and parked for a consumer.
pub fn dead_lettering() -> Scenario {
    let mut work = queue("work", Some("work"));
    work.arguments = vec![
        ("x-message-ttl".into(), ArgValue::Int(3_000)),
        ("x-dead-letter-exchange".into(), ArgValue::Str("dlx".into())),
    ];
    Scenario {
        name: "dead-lettering".into(),
        exchanges: vec![exchange("dlx", "fanout", None)],
        queues: vec![work, queue("parking", Some("parking"))],
        bindings: vec![bind("dlx", "parking", "", false)],
        producers: vec![producer("", "work", "a task that will expire")],
        consumers: vec![consumer("C", None, "parking")],
    }
}

fn producer(exchange: &str, routing_key: &str, body: &str) -> ProducerSpec {
    ProducerSpec {
        name: "P".into(),
        exchange: exchange.into(),
        routing_key: routing_key.into(),
        body: body.into(),
    }
}

fn queue(name: &str, caption: Option<&str>) -> QueueSpec {
    QueueSpec {
        name: name.into(),
        caption: caption.map(Into::into),
        server_named: false,
        arguments: Vec::new(),
    }
}

/// A subscriber's private queue, named by the broker (tutorial 3's `amq.gen-…`).
fn server_named(handle: &str) -> QueueSpec {
    QueueSpec {
        name: handle.into(),
        caption: Some("amq.gen-...".into()),
        server_named: true,
        arguments: Vec::new(),
    }
}

fn consumer(name: &str, subscript: Option<&str>, queue: &str) -> ConsumerSpec {
    ConsumerSpec {
        name: name.into(),
        subscript: subscript.map(Into::into),
        queue: queue.into(),
        auto_ack: true,
        prefetch: 0,
        processing_ms: 0,
    }
}

fn bind(exchange: &str, queue: &str, key: &str, show_key: bool) -> BindingSpec {
    BindingSpec {
        exchange: exchange.into(),
        queue: queue.into(),
        key: key.into(),
        show_key,
    }
}

fn exchange(name: &str, kind: &str, caption: Option<&str>) -> ExchangeSpec {
    ExchangeSpec {
        name: name.into(),
        kind: kind.into(),
        caption: caption.map(Into::into),
    }
}

/// Tutorial 1: P → `hello` → C, through the default exchange.
pub fn hello_world() -> Scenario {
    Scenario {
        name: "hello-world".into(),
        exchanges: vec![],
        queues: vec![queue("hello", Some("hello"))],
        bindings: vec![],
        producers: vec![producer("", "hello", "Hello World!")],
        consumers: vec![consumer("C", None, "hello")],
    }
}

/// Tutorial 2: one task queue, two workers taking turns.
pub fn work_queues() -> Scenario {
    Scenario {
        name: "work-queues".into(),
        exchanges: vec![],
        queues: vec![queue("task_queue", None)],
        bindings: vec![],
        producers: vec![producer("", "task_queue", "Hello World...")],
        consumers: vec![
            consumer("C1", Some("1"), "task_queue"),
            consumer("C2", Some("2"), "task_queue"),
        ],
    }
}

/// Tutorial 2, second half: manual acks and `prefetch=1`, so a busy worker gets no new task
/// until it acknowledged the last one. C₁ is slow (5 s a task), C₂ quick (0.5 s).
pub fn fair_dispatch() -> Scenario {
    let worker = |name: &str, sub: &str, processing_ms: u64| ConsumerSpec {
        auto_ack: false,
        prefetch: 1,
        processing_ms,
        ..consumer(name, Some(sub), "hello")
    };
    Scenario {
        name: "fair-dispatch".into(),
        exchanges: vec![],
        queues: vec![queue("hello", Some("queue_name=hello"))],
        bindings: vec![],
        producers: vec![producer("", "hello", "A task...")],
        consumers: vec![worker("C1", "1", 5_000), worker("C2", "2", 500)],
    }
}

/// Tutorial 3: a fanout exchange copies every message to each subscriber's own queue.
pub fn publish_subscribe() -> Scenario {
    Scenario {
        name: "publish-subscribe".into(),
        exchanges: vec![exchange("logs", "fanout", None)],
        queues: vec![server_named("Q1"), server_named("Q2")],
        bindings: vec![bind("logs", "Q1", "", false), bind("logs", "Q2", "", false)],
        producers: vec![producer("logs", "", "info: Hello World!")],
        consumers: vec![
            consumer("C1", Some("1"), "Q1"),
            consumer("C2", Some("2"), "Q2"),
        ],
    }
}

/// Tutorial 4: a direct exchange routes by exact key; Q2 has two bindings.
pub fn routing() -> Scenario {
    keyed_exchange(
        "routing",
        exchange("direct_logs", "direct", Some("type=direct")),
        ["orange", "black", "green"],
        ("orange", "an orange message"),
    )
}

/// Tutorial 5: a topic exchange matches word patterns.
pub fn topics() -> Scenario {
    keyed_exchange(
        "topics",
        exchange("topic_logs", "topic", Some("type=topic")),
        ["*.orange.*", "*.*.rabbit", "lazy.#"],
        ("quick.orange.rabbit", "A quick orange rabbit"),
    )
}

/// The shape tutorials 4 and 5 share: P → X → Q1 [k1] → C₁, X → Q2 [k2], [k3] → C₂.
fn keyed_exchange(
    name: &str,
    x: ExchangeSpec,
    [k1, k2, k3]: [&str; 3],
    (routing_key, body): (&str, &str),
) -> Scenario {
    let xn = x.name.clone();
    Scenario {
        name: name.into(),
        queues: vec![queue("Q1", Some("Q1")), queue("Q2", Some("Q2"))],
        bindings: vec![
            bind(&xn, "Q1", k1, true),
            bind(&xn, "Q2", k2, true),
            bind(&xn, "Q2", k3, true),
        ],
        producers: vec![producer(&xn, routing_key, body)],
        consumers: vec![
            consumer("C1", Some("1"), "Q1"),
            consumer("C2", Some("2"), "Q2"),
        ],
        exchanges: vec![x],
    }
}

#[cfg(test)]
mod tests {
    //! The outcomes each tutorial states must hold in the playground.
    use super::*;
    use crate::sim::{Playground, PublishRequest};

    fn run(name: &str, keys: &[&str]) -> Playground {
        let mut pg = Playground::new(by_name(name).unwrap()).unwrap();
        for key in keys {
            pg.publish(PublishRequest {
                routing_key: Some((*key).to_string()),
                ..PublishRequest::default()
            })
            .unwrap();
        }
        pg.advance(10_000);
        pg
    }

    fn received(pg: &Playground) -> Vec<(String, u64)> {
        pg.snapshot()
            .consumers
            .into_iter()
            .map(|c| (c.name, c.received))
            .collect()
    }

    fn counts(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(n, c)| (n.to_string(), *c)).collect()
    }

    #[test]
    fn every_listed_preset_exists_under_its_own_name_with_a_guide() {
        for name in NAMES {
            assert_eq!(by_name(name).map(|s| s.name), Some(name.to_string()));
            assert!(!guide(name).is_empty(), "{name} has no guided steps");
        }
        assert!(by_name("nope").is_none());
    }

    #[test]
    fn work_queues_deal_tasks_round_robin() {
        let pg = run("work-queues", &["task_queue"; 4]);
        assert_eq!(received(&pg), counts(&[("C1", 2), ("C2", 2)]));
    }

    #[test]
    fn fair_dispatch_gives_the_quick_worker_more_tasks() {
        let mut pg = Playground::new(by_name("fair-dispatch").unwrap()).unwrap();
        for _ in 0..8 {
            pg.publish(PublishRequest::default()).unwrap();
        }
        pg.advance(2_000);
        let q = pg.snapshot().queues[0].1;
        assert_eq!(q.unacked, 2, "one task in hand per worker: {q:?}");
        assert!(q.ready >= 5, "the rest wait in the queue: {q:?}");
        pg.advance(60_000);
        let got = received(&pg);
        assert_eq!(got.iter().map(|(_, n)| n).sum::<u64>(), 8);
        assert!(got[1].1 >= 2 * got[0].1, "C2 is quicker: {got:?}");
        let snap = pg.snapshot();
        assert!(snap.consumers.iter().all(|c| c.acked == c.received));
        assert_eq!(snap.queues[0].1, Default::default());
        let labels: Vec<Option<String>> =
            pg.graph().edges.iter().map(|e| e.label.clone()).collect();
        assert_eq!(labels[1].as_deref(), Some("prefetch=1"));
    }

    #[test]
    fn an_expired_message_is_dead_lettered_into_the_parking_queue() {
        let mut pg = Playground::new(by_name("dead-lettering").unwrap()).unwrap();
        pg.publish(PublishRequest::default()).unwrap();
        pg.advance(2_000);
        assert_eq!(pg.snapshot().queues[0].1.ready, 1, "waiting in work");
        pg.advance(10_000);
        assert_eq!(received(&pg), counts(&[("C", 1)]));
        assert_eq!(pg.snapshot().queues[0].1, Default::default());
        assert!(pg.log().any(|l| l.contains("expired in `work`")));
        assert!(pg
            .log()
            .any(|l| l.contains("dead-lettered from `work` (expired) to `dlx`")));
        let labels: Vec<Option<&str>> = pg
            .graph()
            .edges
            .iter()
            .map(|e| e.label.as_deref())
            .collect();
        assert!(labels.contains(&Some("dead letters")), "{labels:?}");
    }

    #[test]
    fn publish_subscribe_copies_every_message_to_every_subscriber() {
        let pg = run("publish-subscribe", &["", "anything"]);
        assert_eq!(received(&pg), counts(&[("C1", 2), ("C2", 2)]));
        let captions: Vec<String> = pg
            .graph()
            .nodes
            .iter()
            .filter_map(|n| n.caption.clone())
            .collect();
        assert_eq!(captions.len(), 2);
        assert!(
            captions
                .iter()
                .all(|c| c.starts_with("amq.gen-") && c.ends_with("...")),
            "{captions:?}"
        );
    }

    #[test]
    fn routing_delivers_by_exact_key() {
        assert_eq!(
            received(&run("routing", &["orange"])),
            counts(&[("C1", 1), ("C2", 0)])
        );
        assert_eq!(
            received(&run("routing", &["black", "green"])),
            counts(&[("C1", 0), ("C2", 2)])
        );
        let pg = run("routing", &["purple"]);
        assert_eq!(received(&pg), counts(&[("C1", 0), ("C2", 0)]));
        assert_eq!(pg.snapshot().unroutable, 1);
    }

    #[test]
    fn topics_match_word_patterns_as_the_tutorial_says() {
        let cases: [(&str, (u64, u64)); 6] = [
            ("quick.orange.rabbit", (1, 1)),
            ("lazy.orange.elephant", (1, 1)),
            ("quick.orange.fox", (1, 0)),
            ("lazy.brown.fox", (0, 1)),
            ("lazy.pink.rabbit", (0, 1)), // matches two Q2 bindings, delivered once
            ("quick.brown.fox", (0, 0)),
        ];
        for (key, (c1, c2)) in cases {
            assert_eq!(
                received(&run("topics", &[key])),
                counts(&[("C1", c1), ("C2", c2)]),
                "{key}"
            );
        }
    }
}
