//! The tutorials as scenarios, drawn like their diagrams (same nodes, captions, keys, order).

use super::scenario::{
    ArgValue, BindingSpec, ConsumerSpec, ExchangeSpec, MessageProps, ProducerSpec, QueueSpec,
    Scenario, Settle,
};

/// Preset ids: the tutorials in order, then the features beyond them.
pub const NAMES: [&str; 15] = [
    "hello-world",
    "work-queues",
    "fair-dispatch",
    "publish-subscribe",
    "routing",
    "topics",
    "rpc",
    "publisher-confirms",
    "headers",
    "dead-lettering",
    "poison-message",
    "replay-stream",
    "alternate-exchange",
    "priority",
    "durability",
];

mod tours;

/// The preset with this id, with its walkthrough.
pub fn by_name(name: &str) -> Option<Scenario> {
    let mut scenario = topology(name)?;
    scenario.tour = tours::tour(name);
    Some(scenario)
}

/// The preset's topology and clients.
fn topology(name: &str) -> Option<Scenario> {
    match name {
        "hello-world" => Some(hello_world()),
        "work-queues" => Some(work_queues()),
        "fair-dispatch" => Some(fair_dispatch()),
        "publish-subscribe" => Some(publish_subscribe()),
        "routing" => Some(routing()),
        "topics" => Some(topics()),
        "rpc" => Some(rpc()),
        "publisher-confirms" => Some(publisher_confirms()),
        "headers" => Some(headers()),
        "dead-lettering" => Some(dead_lettering()),
        "poison-message" => Some(poison_message()),
        "replay-stream" => Some(replay_stream()),
        "alternate-exchange" => Some(alternate_exchange()),
        "priority" => Some(priority()),
        "durability" => Some(durability()),
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
        "rpc" => &[
            "The client C sends the request `30` to `rpc_queue`, saying where to answer (`reply_to`: its own callback queue) and tagging it with a fresh `correlation_id`.",
            "The server S works it out (fib(30) = 832040), publishes the answer to the default exchange with the request's `reply_to` as routing key and the same `correlation_id`, then acknowledges the request.",
            "The answer lands in the callback queue and travels back to C, which matches it to its question by the `correlation_id`: watch `replies` go up and `waiting` go down.",
        ],
        "publisher-confirms" => &[
            "P has turned on publisher confirms: the broker answers every publish with an ack once a queue has taken it. Publish and watch `confirmed` count up.",
            "`orders` holds at most 5 messages and refuses more (`x-max-length=5`, `x-overflow=reject-publish`). Stop C and publish a burst of 8: the first 5 are acked, the other 3 are nacked — P knows exactly which ones to send again.",
            "Start C again: the queue drains and new publishes are confirmed as before.",
        ],
        "headers" => &[
            "A headers exchange ignores the routing key and compares the message's headers with each binding's arguments. P sends `format=pdf, type=report`.",
            "Q1's binding says `x-match=all`: every listed header must match, so it takes pdf reports only. Q2's says `x-match=any`: one match is enough, so it takes anything pdf or any log.",
            "Publish as is (both queues). Then select P and change its headers in the inspector to `format=zip, type=log` (Q2 only) or `format=zip, type=report` (nobody); select X to test headers without publishing.",
        ],
        "dead-lettering" => &[
            "C acknowledges most tasks but fails every second one: it rejects it without requeue. `work` names `retry` as its dead-letter exchange, so a rejected task is not lost.",
            "Publish twice: the second task is dead-lettered to `retry` and waits in `wait`, whose messages live 3 s (`x-message-ttl=3000`).",
            "When the 3 s are up the task expires, and `wait`'s own dead-letter exchange `tasks` routes it back to `work` with its key: C gets it again — a retry loop built from TTL and dead-lettering alone. Each trip adds an `x-death` entry.",
        ],
        "poison-message" => &[
            "`tasks` is a quorum queue (see its badge), declared as today's tutorials do: durable, `x-queue-type=quorum`, here with `x-delivery-limit=3`. C cannot process the task it gets: every time, it rejects it with requeue.",
            "Publish once: the task keeps coming back. A quorum queue counts each return, and every redelivery carries the count in its `x-delivery-count` header — the number riding beside the token (×1, ×2, ×3).",
            "The fourth return exceeds the limit: instead of redelivering a poison message forever, the broker dead-letters it (reason `delivery_limit`) to `parking`, and it waits in `parked` for a human. Without a limit (RabbitMQ 3.x's default) the loop never ends; RabbitMQ 4 sets a default limit of 20.",
        ],
        "replay-stream" => &[
            "`events` is a stream (`x-queue-type=stream`): publishing appends to a log, and consuming removes nothing. Every consumer gets every message, each reading from its own offset — the markers under the log.",
            "Publish three times: C₁ and C₂ receive all three and C₃, which starts at offset 2, only the third — and the cells stay. Now press Stop on the three consumers and publish three more.",
            "Start them again. C₁ (`x-stream-offset=first`) replays the whole log from offset 0, C₃ (`x-stream-offset=2`) from offset 2, and C₂ (`next`) waits for what is published from now on. Each delivery carries its `x-stream-offset` header.",
            "Keep publishing: the log is cut into segments of 30 bytes (`x-stream-max-segment-size-bytes`) and keeps at most 90 bytes (`x-max-length-bytes`). When a new segment starts, the oldest whole segment is dropped — that is retention, and the first offset moves on.",
        ],
        "real-clients" => &[
            "This page is the bridge's: real AMQP programs connect to the port it printed and run on the broker in this page. `hello` is declared as today's tutorial 1 declares it (durable, quorum).",
            "In a terminal, run the tutorial's receiver and sender with AMQP_PORT set to that port: `python3 receive.py`, then `python3 send.py`. Each appears as its own node with a real badge, and \"Hello World!\" travels P → hello → C.",
            "Press Verify on RabbitMQ: what the programs did runs again on the real broker (with unique names), and both outcomes are shown side by side.",
        ],
        "alternate-exchange" => &[
            "`orders` has an alternate exchange (`alternate-exchange=unrouted`): whatever none of its bindings take goes there instead of being dropped.",
            "Publish with key `new`: it goes to `orders_new`. Publish with key `refund`: no binding matches, so it goes to `unrouted` and its queue, where C₂ sees it.",
            "P publishes with mandatory set, yet nothing comes back: the alternate exchange counts as routed. Unbind `unrouted`'s queue and publish `refund` again — now the message is returned to P.",
        ],
        "priority" => &[
            "`jobs` is a priority queue (`x-max-priority=10`). C takes one job at a time (prefetch=1) and needs 1 s for each.",
            "Stop C and publish three ordinary jobs (priority 1). Then select P, set its priority to 9 in the inspector, apply, and publish one urgent job.",
            "Start C: the urgent job is delivered first although it was published last; the others follow in their order.",
        ],
        "durability" => &[
            "`task_queue` is durable and P₁ marks its messages persistent (`delivery_mode=2`); `hello` is transient and P₂'s messages are too.",
            "Stop both consumers, publish from P₁ and from P₂, then press Restart broker.",
            "After the restart the clients connect again and declare their queues, as the tutorial programs do: `task_queue` still has its messages, `hello` comes back empty. Start the consumers to see what survived.",
        ],
        _ => &[],
    }
}

/// A retry loop from TTL and dead-lettering: rejected tasks wait in `wait` for 3 s, then
/// expire back into `work` through `tasks`.
pub fn dead_lettering() -> Scenario {
    let mut work = queue("work", Some("work"));
    work.arguments = vec![(
        "x-dead-letter-exchange".into(),
        ArgValue::Str("retry".into()),
    )];
    let mut wait = queue("wait", Some("wait"));
    wait.arguments = vec![
        ("x-message-ttl".into(), ArgValue::Int(3_000)),
        (
            "x-dead-letter-exchange".into(),
            ArgValue::Str("tasks".into()),
        ),
    ];
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "dead-lettering".into(),
        exchanges: vec![
            exchange("tasks", "direct", Some("tasks (direct)")),
            exchange("retry", "fanout", Some("retry")),
        ],
        queues: vec![work, wait],
        bindings: vec![
            bind("tasks", "work", "task", true),
            bind("retry", "wait", "", false),
        ],
        producers: vec![producer("tasks", "task", "a task")],
        consumers: vec![ConsumerSpec {
            auto_ack: false,
            fail_every: 2,
            fail_with: Settle::Reject,
            processing_ms: 300,
            ..consumer("C", None, "work")
        }],
    }
}

/// A quorum queue with a delivery limit: a task its consumer always rejects with requeue comes
/// back with a growing `x-delivery-count`, until the limit dead-letters it to `parked`.
pub fn poison_message() -> Scenario {
    let mut tasks = quorum_queue("tasks");
    tasks.arguments.extend([
        ("x-delivery-limit".into(), ArgValue::Int(3)),
        (
            "x-dead-letter-exchange".into(),
            ArgValue::Str("parking".into()),
        ),
    ]);
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "poison-message".into(),
        exchanges: vec![exchange("parking", "fanout", Some("parking"))],
        queues: vec![tasks, queue("parked", Some("parked"))],
        bindings: vec![bind("parking", "parked", "", false)],
        producers: vec![producer("", "tasks", "a poison task")],
        consumers: vec![ConsumerSpec {
            auto_ack: false,
            prefetch: 1,
            processing_ms: 400,
            settle: Settle::RejectRequeue,
            ..consumer("C", None, "tasks")
        }],
    }
}

/// A stream read by three consumers from three offsets (first, next, 2), with small segments
/// and a byte limit so that retention shows.
pub fn replay_stream() -> Scenario {
    let mut events = queue("events", Some("events"));
    events.set_queue_type("stream");
    events.arguments.extend([
        ("x-stream-max-segment-size-bytes".into(), ArgValue::Int(30)),
        ("x-max-length-bytes".into(), ArgValue::Int(90)),
    ]);
    let reader = |name: &str, sub: &str, offset: ArgValue| ConsumerSpec {
        auto_ack: false,
        prefetch: 10,
        arguments: vec![("x-stream-offset".into(), offset)],
        ..consumer(name, Some(sub), "events")
    };
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "replay-stream".into(),
        exchanges: vec![],
        queues: vec![events],
        bindings: vec![],
        producers: vec![producer("", "events", "an event")],
        consumers: vec![
            reader("C1", "1", ArgValue::Str("first".into())),
            reader("C2", "2", ArgValue::Str("next".into())),
            reader("C3", "3", ArgValue::Int(2)),
        ],
    }
}

/// Tutorial 6: a client asks, a server answers into the client's callback queue.
pub fn rpc() -> Scenario {
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "rpc".into(),
        exchanges: vec![],
        queues: vec![
            queue("rpc_queue", Some("rpc_queue")),
            QueueSpec {
                caption: Some("reply_to=amq.gen-...".into()),
                ..server_named("callback")
            },
        ],
        bindings: vec![],
        producers: vec![ProducerSpec {
            name: "Client".into(),
            callback: Some("callback".into()),
            glyph: Some("C".into()),
            caption: Some("Client".into()),
            ..producer("", "rpc_queue", "30")
        }],
        consumers: vec![ConsumerSpec {
            auto_ack: false,
            rpc_server: true,
            processing_ms: 500,
            glyph: Some("S".into()),
            caption: Some("Server".into()),
            ..consumer("S", None, "rpc_queue")
        }],
    }
}

/// Tutorial 7: publisher confirms; a length-limited queue nacks what it refuses.
pub fn publisher_confirms() -> Scenario {
    let mut orders = queue("orders", Some("orders"));
    orders.arguments = vec![
        ("x-max-length".into(), ArgValue::Int(5)),
        ("x-overflow".into(), ArgValue::Str("reject-publish".into())),
    ];
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "publisher-confirms".into(),
        exchanges: vec![exchange("shop", "direct", Some("type=direct"))],
        queues: vec![orders],
        bindings: vec![bind("shop", "orders", "order", true)],
        producers: vec![ProducerSpec {
            confirm: true,
            ..producer("shop", "order", "an order")
        }],
        consumers: vec![consumer("C", None, "orders")],
    }
}

/// A headers exchange: `x-match=all` against `x-match=any`.
pub fn headers() -> Scenario {
    let args = |mode: &str, format: &str, kind: &str| {
        vec![
            ("x-match".to_string(), ArgValue::Str(mode.into())),
            ("format".to_string(), ArgValue::Str(format.into())),
            ("type".to_string(), ArgValue::Str(kind.into())),
        ]
    };
    let binding = |q: &str, arguments| BindingSpec {
        arguments,
        ..bind("documents", q, "", true)
    };
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "headers".into(),
        exchanges: vec![exchange("documents", "headers", Some("type=headers"))],
        queues: vec![queue("Q1", Some("Q1")), queue("Q2", Some("Q2"))],
        bindings: vec![
            binding("Q1", args("all", "pdf", "report")),
            binding("Q2", args("any", "pdf", "log")),
        ],
        producers: vec![ProducerSpec {
            properties: MessageProps {
                headers: vec![
                    ("format".into(), ArgValue::Str("pdf".into())),
                    ("type".into(), ArgValue::Str("report".into())),
                ],
                ..MessageProps::default()
            },
            ..producer("documents", "", "a document")
        }],
        consumers: vec![
            consumer("C1", Some("1"), "Q1"),
            consumer("C2", Some("2"), "Q2"),
        ],
    }
}

/// An alternate exchange catches what the main exchange cannot route; mandatory messages
/// come back only when even it cannot place them.
pub fn alternate_exchange() -> Scenario {
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "alternate-exchange".into(),
        exchanges: vec![
            ExchangeSpec {
                arguments: vec![(
                    "alternate-exchange".into(),
                    ArgValue::Str("unrouted".into()),
                )],
                ..exchange("orders", "direct", Some("orders (direct)"))
            },
            exchange("unrouted", "fanout", Some("unrouted (fanout)")),
        ],
        queues: vec![
            queue("orders_new", Some("orders_new")),
            queue("unrouted_orders", Some("unrouted_orders")),
        ],
        bindings: vec![
            bind("orders", "orders_new", "new", true),
            bind("unrouted", "unrouted_orders", "", false),
        ],
        producers: vec![ProducerSpec {
            mandatory: true,
            ..producer("orders", "new", "an order")
        }],
        consumers: vec![
            consumer("C1", Some("1"), "orders_new"),
            consumer("C2", Some("2"), "unrouted_orders"),
        ],
    }
}

/// A priority queue: urgent messages overtake the ones waiting.
pub fn priority() -> Scenario {
    let mut jobs = queue("jobs", Some("jobs"));
    jobs.arguments = vec![("x-max-priority".into(), ArgValue::Int(10))];
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "priority".into(),
        exchanges: vec![],
        queues: vec![jobs],
        bindings: vec![],
        producers: vec![ProducerSpec {
            properties: MessageProps {
                priority: Some(1),
                ..MessageProps::default()
            },
            ..producer("", "jobs", "a job")
        }],
        consumers: vec![ConsumerSpec {
            auto_ack: false,
            prefetch: 1,
            processing_ms: 1_000,
            ..consumer("C", None, "jobs")
        }],
    }
}

/// Durability across a broker restart: a durable queue with persistent messages beside a
/// transient one.
pub fn durability() -> Scenario {
    let persistent = MessageProps {
        delivery_mode: Some(2),
        ..MessageProps::default()
    };
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "durability".into(),
        exchanges: vec![],
        queues: vec![
            QueueSpec {
                durable: true,
                caption: Some("task_queue (durable)".into()),
                ..queue("task_queue", None)
            },
            queue("hello", Some("hello (transient)")),
        ],
        bindings: vec![],
        producers: vec![
            ProducerSpec {
                name: "P1".into(),
                properties: persistent,
                caption: Some("persistent".into()),
                ..producer("", "task_queue", "a persistent task")
            },
            ProducerSpec {
                name: "P2".into(),
                caption: Some("transient".into()),
                ..producer("", "hello", "a transient message")
            },
        ],
        consumers: vec![
            consumer("C1", Some("1"), "task_queue"),
            consumer("C2", Some("2"), "hello"),
        ],
    }
}

fn producer(exchange: &str, routing_key: &str, body: &str) -> ProducerSpec {
    ProducerSpec {
        name: "P".into(),
        exchange: exchange.into(),
        routing_key: routing_key.into(),
        body: body.into(),
        ..ProducerSpec::default()
    }
}

fn queue(name: &str, caption: Option<&str>) -> QueueSpec {
    QueueSpec {
        caption: caption.map(Into::into),
        ..QueueSpec::named(name)
    }
}

/// A queue as today's tutorials declare it: durable, `x-queue-type=quorum`.
fn quorum_queue(name: &str) -> QueueSpec {
    let mut q = queue(name, Some(name));
    q.set_queue_type("quorum");
    q
}

/// A subscriber's private queue, named by the broker (tutorial 3's `amq.gen-…`).
fn server_named(handle: &str) -> QueueSpec {
    QueueSpec {
        caption: Some("amq.gen-...".into()),
        server_named: true,
        ..QueueSpec::named(handle)
    }
}

fn consumer(name: &str, subscript: Option<&str>, queue: &str) -> ConsumerSpec {
    ConsumerSpec::on(name, subscript, queue)
}

fn bind(exchange: &str, queue: &str, key: &str, show_key: bool) -> BindingSpec {
    BindingSpec {
        show_key,
        ..BindingSpec::queue(exchange, queue, key)
    }
}

fn exchange(name: &str, kind: &str, caption: Option<&str>) -> ExchangeSpec {
    ExchangeSpec {
        caption: caption.map(Into::into),
        ..ExchangeSpec::typed(name, kind)
    }
}

/// Tutorial 1: P → `hello` → C, through the default exchange. `hello` is a quorum queue, as
/// rabbitmq.com's current `send.py` declares it.
pub fn hello_world() -> Scenario {
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "hello-world".into(),
        exchanges: vec![],
        queues: vec![quorum_queue("hello")],
        bindings: vec![],
        producers: vec![producer("", "hello", "Hello World!")],
        consumers: vec![consumer("C", None, "hello")],
    }
}

/// The page `amqp-playground bridge` opens with: tutorial 1's `hello` and no simulated clients,
/// so the tutorial's own `send.py` and `receive.py` are drawn as its P and C. Not in [`NAMES`]:
/// it only makes sense with real programs coming in.
pub fn real_clients() -> Scenario {
    Scenario {
        name: "real-clients".into(),
        producers: vec![],
        consumers: vec![],
        ..hello_world()
    }
}

/// Tutorial 2: one task queue, two workers taking turns; a durable quorum queue, as the
/// current `new_task.py` declares it.
pub fn work_queues() -> Scenario {
    let mut task_queue = quorum_queue("task_queue");
    task_queue.caption = None;
    Scenario {
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
        name: "work-queues".into(),
        exchanges: vec![],
        queues: vec![task_queue],
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
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
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
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
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
        steps: Vec::new(),
        tour: Vec::new(),
        view: Default::default(),
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

    #[test]
    fn every_preset_exports_its_scenario_unchanged() {
        for name in NAMES {
            let pg = Playground::new(by_name(name).unwrap()).unwrap();
            assert_eq!(pg.scenario(), &by_name(name).unwrap(), "{name}");
        }
    }

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

    fn publisher(pg: &Playground, name: &str) -> crate::sim::playground::ProducerView {
        pg.snapshot()
            .publishers
            .into_iter()
            .find(|p| p.name == name)
            .unwrap()
    }

    fn consumer_view(pg: &Playground, name: &str) -> crate::sim::playground::ConsumerView {
        pg.snapshot()
            .consumers
            .into_iter()
            .find(|c| c.name == name)
            .unwrap()
    }

    #[test]
    fn a_rejected_task_waits_out_its_ttl_and_comes_back_for_a_retry() {
        let mut pg = Playground::new(by_name("dead-lettering").unwrap()).unwrap();
        pg.publish(PublishRequest::default()).unwrap();
        pg.publish(PublishRequest::default()).unwrap();
        pg.advance(4_000);
        let c = consumer_view(&pg, "C");
        assert_eq!((c.received, c.acked, c.refused), (2, 1, 1), "{c:?}");
        assert_eq!(pg.snapshot().queues[1].1.ready, 1, "the failed task waits");
        assert!(pg
            .log()
            .any(|l| l.contains("dead-lettered from `work` (rejected) to `retry`")));
        pg.advance(10_000);
        let c = consumer_view(&pg, "C");
        assert_eq!((c.received, c.acked, c.refused), (3, 2, 1), "{c:?}");
        assert!(pg
            .log()
            .any(|l| l.contains("dead-lettered from `wait` (expired) to `tasks`")));
        assert_eq!(pg.snapshot().queues[1].1, Default::default());
        let labels: Vec<Option<&str>> = pg
            .graph()
            .edges
            .iter()
            .map(|e| e.label.as_deref())
            .collect();
        assert_eq!(
            labels
                .iter()
                .filter(|l| **l == Some("dead letters"))
                .count(),
            2,
            "the loop is drawn: {labels:?}"
        );
    }

    #[test]
    fn a_poison_task_comes_back_counted_until_the_delivery_limit_parks_it() {
        let mut pg = Playground::new(by_name("poison-message").unwrap()).unwrap();
        pg.publish(PublishRequest::default()).unwrap();
        let mut counts = Vec::new();
        for _ in 0..200 {
            pg.advance(50);
            for sample in pg.tokens() {
                if let Some(n) = sample.tween.delivery_count {
                    if counts.last() != Some(&n) {
                        counts.push(n);
                    }
                }
            }
        }
        assert_eq!(counts, [1, 2, 3], "each redelivery carries its count");
        let c = consumer_view(&pg, "C");
        assert_eq!((c.received, c.refused), (4, 4), "{c:?}");
        let queues = pg.snapshot().queues;
        assert_eq!((queues[0].1.ready, queues[1].1.ready), (0, 1), "parked");
        assert!(pg
            .log()
            .any(|l| l.contains("dead-lettered from `tasks` (delivery_limit) to `parking`")));
        assert_eq!(pg.stream_view("tasks"), None, "a quorum queue is no log");
        let badge = pg.graph().nodes.iter().find(|n| n.name == "tasks").unwrap();
        assert_eq!(badge.badge.as_ref().map(|b| b.0.as_str()), Some("quorum"));
    }

    #[test]
    fn a_stream_replays_from_each_consumers_offset_and_drops_old_segments() {
        let mut pg = Playground::new(by_name("replay-stream").unwrap()).unwrap();
        let publish = |pg: &mut Playground, n: usize| {
            for _ in 0..n {
                pg.publish(PublishRequest::default()).unwrap();
            }
            pg.advance(5_000);
        };
        publish(&mut pg, 3);
        let received = |pg: &Playground| -> Vec<u64> {
            ["C1", "C2", "C3"]
                .iter()
                .map(|c| consumer_view(pg, c).received)
                .collect()
        };
        // C3 starts at offset 2: of the first three it sees only the third.
        assert_eq!(received(&pg), [3, 3, 1], "each reads from its own offset");
        for c in ["C1", "C2", "C3"] {
            pg.set_consuming(c, false).unwrap();
        }
        publish(&mut pg, 3);
        for c in ["C1", "C2", "C3"] {
            pg.set_consuming(c, true).unwrap();
        }
        pg.advance(5_000);
        // C1 replays 0..=5, C2 waits at 6, C3 reads 2..=5.
        assert_eq!(received(&pg), [3 + 6, 3, 1 + 4]);
        let view = pg.stream_view("events").unwrap();
        assert_eq!((view.first, view.next), (0, 6));
        assert_eq!(view.segment_starts, [0, 3]);
        let mut readers = view.readers.clone();
        readers.sort();
        assert_eq!(
            readers,
            [("C1".into(), 6), ("C2".into(), 6), ("C3".into(), 6)]
        );
        publish(&mut pg, 9);
        let view = pg.stream_view("events").unwrap();
        assert_eq!(view.next, 15);
        assert!(
            view.first > 0,
            "retention dropped the oldest segments: {view:?}"
        );
        assert!(pg.log().any(|l| l.contains("stream retention")));
        assert_eq!(pg.snapshot().queues[0].1.ready, view.next - view.first);
    }

    #[test]
    fn todays_tutorial_queues_are_quorum_queues() {
        for name in ["hello-world", "work-queues"] {
            let scenario = by_name(name).unwrap();
            assert!(
                scenario.queues[0].is_quorum() && scenario.queues[0].durable,
                "{name}"
            );
        }
        let pg = run("hello-world", &["hello"]);
        assert_eq!(received(&pg), counts(&[("C", 1)]));
    }

    #[test]
    fn rpc_answers_each_request_with_its_correlation_id() {
        let mut pg = Playground::new(by_name("rpc").unwrap()).unwrap();
        pg.publish(PublishRequest::default()).unwrap();
        pg.publish(PublishRequest {
            body: Some("10".into()),
            ..PublishRequest::default()
        })
        .unwrap();
        pg.advance(1_000);
        assert_eq!(publisher(&pg, "Client").waiting, 2);
        pg.advance(20_000);
        let client = publisher(&pg, "Client");
        assert_eq!((client.replies, client.waiting), (2, 0), "{client:?}");
        let s = consumer_view(&pg, "S");
        assert_eq!((s.received, s.acked, s.replied), (2, 2, 2));
        let callback = pg.broker_queue_name("callback").unwrap();
        assert!(callback.starts_with("amq.gen-"), "{callback}");
        assert!(pg
            .log()
            .any(|l| l.contains(&format!("published to `(default)` with key `{callback}`"))));
        let captions: Vec<Option<String>> =
            pg.graph().nodes.iter().map(|n| n.caption.clone()).collect();
        assert_eq!(captions[0].as_deref(), Some("Client"));
        assert!(captions[2]
            .as_deref()
            .is_some_and(|c| c.starts_with("reply_to=amq.gen-") && c.ends_with("...")));
        let glyphs: Vec<&str> = pg.graph().nodes.iter().map(|n| n.glyph.as_str()).collect();
        assert_eq!(glyphs, ["C", "", "", "S"]);
    }

    #[test]
    fn reply_paths_and_retry_loops_are_drawn_on_a_second_row() {
        let y = |pg: &Playground, kind, name| {
            let id = pg.graph().find(kind, name).unwrap();
            pg.layout().centers[id.0].y
        };
        use crate::scene::NodeKind::{Exchange, Producer, Queue};
        let pg = Playground::new(rpc()).unwrap();
        assert!(y(&pg, Queue, "callback") > y(&pg, Producer, "Client") + 50.0);
        assert!(y(&pg, Queue, "rpc_queue") - y(&pg, Producer, "Client") < 1.0);
        let pg = Playground::new(dead_lettering()).unwrap();
        let work = y(&pg, Queue, "work");
        assert!(y(&pg, Exchange, "retry") > work + 50.0);
        assert!(y(&pg, Queue, "wait") > work + 50.0);
        let right = pg.layout().centers.iter().map(|c| c.x).fold(0.0, f64::max);
        assert!(pg.layout().width < right + 150.0, "the canvas fits again");
    }

    #[test]
    fn rpc_works_with_direct_reply_to() {
        let mut s = by_name("rpc").unwrap();
        s.queues.pop();
        s.producers[0].callback = Some("amq.rabbitmq.reply-to".into());
        let mut pg = Playground::new(s).unwrap();
        pg.publish(PublishRequest::default()).unwrap();
        pg.advance(20_000);
        assert_eq!(publisher(&pg, "Client").replies, 1);
    }

    #[test]
    fn confirms_ack_what_the_queue_took_and_nack_what_it_refused() {
        let mut pg = Playground::new(by_name("publisher-confirms").unwrap()).unwrap();
        pg.publish_burst(PublishRequest::default(), 3).unwrap();
        pg.advance(10_000);
        let p = publisher(&pg, "P");
        assert_eq!((p.published, p.confirmed, p.nacked), (3, 3, 0));
        pg.set_consuming("C", false).unwrap();
        pg.publish_burst(PublishRequest::default(), 8).unwrap();
        pg.advance(10_000);
        let p = publisher(&pg, "P");
        assert_eq!((p.published, p.confirmed, p.nacked), (11, 8, 3));
        assert_eq!(pg.snapshot().queues[0].1.ready, 5);
    }

    #[test]
    fn headers_bindings_match_all_or_any() {
        let cases: [(&str, &str, (u64, u64)); 4] = [
            ("pdf", "report", (1, 1)),
            ("zip", "log", (0, 1)),
            ("pdf", "log", (0, 1)),
            ("zip", "report", (0, 0)),
        ];
        for (format, kind, (c1, c2)) in cases {
            let mut pg = Playground::new(by_name("headers").unwrap()).unwrap();
            pg.publish(PublishRequest {
                properties: Some(MessageProps {
                    headers: vec![
                        ("format".into(), ArgValue::Str(format.into())),
                        ("type".into(), ArgValue::Str(kind.into())),
                    ],
                    ..MessageProps::default()
                }),
                ..PublishRequest::default()
            })
            .unwrap();
            pg.advance(10_000);
            assert_eq!(
                received(&pg),
                counts(&[("C1", c1), ("C2", c2)]),
                "{format} {kind}"
            );
        }
        let pg = Playground::new(by_name("headers").unwrap()).unwrap();
        let labels: Vec<Option<&str>> = pg
            .graph()
            .edges
            .iter()
            .map(|e| e.label.as_deref())
            .collect();
        assert_eq!(labels[1], Some("all: format=pdf type=report"));
    }

    #[test]
    fn the_alternate_exchange_takes_what_no_binding_matched() {
        let mut pg = Playground::new(by_name("alternate-exchange").unwrap()).unwrap();
        for key in ["new", "refund"] {
            pg.publish(PublishRequest {
                routing_key: Some(key.into()),
                ..PublishRequest::default()
            })
            .unwrap();
        }
        pg.advance(10_000);
        assert_eq!(received(&pg), counts(&[("C1", 1), ("C2", 1)]));
        assert_eq!(
            pg.snapshot().returned,
            0,
            "the alternate exchange routed it"
        );
        pg.remove_binding(1).unwrap();
        pg.publish(PublishRequest {
            routing_key: Some("refund".into()),
            ..PublishRequest::default()
        })
        .unwrap();
        pg.advance(10_000);
        assert_eq!(pg.snapshot().returned, 1, "now nothing takes it: returned");
        assert!(pg
            .graph()
            .edges
            .iter()
            .any(|e| e.label.as_deref() == Some("alternate")));
    }

    #[test]
    fn an_urgent_job_overtakes_the_waiting_ones() {
        let mut pg = Playground::new(by_name("priority").unwrap()).unwrap();
        pg.set_consuming("C", false).unwrap();
        for _ in 0..3 {
            pg.publish(PublishRequest::default()).unwrap();
        }
        pg.publish(PublishRequest {
            body: Some("urgent".into()),
            properties: Some(MessageProps {
                priority: Some(9),
                ..MessageProps::default()
            }),
            ..PublishRequest::default()
        })
        .unwrap();
        pg.advance(2_000);
        pg.set_consuming("C", true).unwrap();
        pg.advance(THROUGH_AND_HOP);
        assert_eq!(consumer_view(&pg, "C").last_body.as_deref(), Some("urgent"));
        pg.advance(20_000);
        let c = consumer_view(&pg, "C");
        assert_eq!((c.received, c.last_body.as_deref()), (4, Some("a job")));
    }

    const THROUGH_AND_HOP: u64 =
        crate::sim::playground::THROUGH_MS + crate::sim::playground::HOP_MS;

    #[test]
    fn a_restart_keeps_persistent_messages_in_durable_queues_only() {
        let mut pg = Playground::new(by_name("durability").unwrap()).unwrap();
        pg.set_consuming("C1", false).unwrap();
        pg.set_consuming("C2", false).unwrap();
        for p in ["P1", "P2"] {
            pg.publish_burst(
                PublishRequest {
                    producer: Some(p.into()),
                    ..PublishRequest::default()
                },
                3,
            )
            .unwrap();
        }
        pg.advance(5_000);
        let ready: Vec<u64> = pg.snapshot().queues.iter().map(|(_, c)| c.ready).collect();
        assert_eq!(ready, [3, 3]);
        pg.restart().unwrap();
        let snap = pg.snapshot();
        let ready: Vec<u64> = snap.queues.iter().map(|(_, c)| c.ready).collect();
        assert_eq!(ready, [3, 0], "{snap:?}");
        assert_eq!((snap.restarts, snap.lost_in_restart), (1, 3));
        assert!(
            snap.consumers.iter().all(|c| !c.consuming),
            "stopped stay stopped"
        );
        // The clients reconnected: publishing and consuming work again.
        pg.set_consuming("C1", true).unwrap();
        pg.publish(PublishRequest {
            producer: Some("P2".into()),
            ..PublishRequest::default()
        })
        .unwrap();
        pg.set_consuming("C2", true).unwrap();
        pg.advance(10_000);
        assert_eq!(received(&pg), counts(&[("C1", 3), ("C2", 1)]));
        let glyphs: Vec<(&str, Option<&str>)> = pg
            .graph()
            .nodes
            .iter()
            .map(|n| (n.glyph.as_str(), n.subscript.as_deref()))
            .collect();
        assert_eq!(glyphs[0], ("P", Some("1")));
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
