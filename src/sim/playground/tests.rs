//! The engine's stories: publishes, routes, fates and the script client, end to end.

use super::super::presets;
use super::*;
use crate::anim::Leg;
use crate::sim::scenario::{Settle, Step, TxOp};

fn hello() -> Playground {
    Playground::new(presets::hello_world()).expect("hello world sets up")
}

fn counts(pg: &Playground, queue: &str) -> QueueCounts {
    pg.snapshot()
        .queues
        .into_iter()
        .find(|(q, _)| q == queue)
        .map(|(_, c)| c)
        .unwrap()
}

fn received(pg: &Playground, consumer: &str) -> u64 {
    pg.snapshot()
        .consumers
        .into_iter()
        .find(|c| c.name == consumer)
        .unwrap()
        .received
}

#[test]
fn hello_world_sets_up_a_consuming_consumer_and_an_empty_queue() {
    let pg = hello();
    let snap = pg.snapshot();
    assert_eq!(snap.now, 0);
    assert_eq!(snap.queues, vec![("hello".into(), QueueCounts::default())]);
    assert!(snap.consumers[0].consuming);
    assert!(!pg.busy());
    assert!(pg.log().any(|l| l.contains("queue `hello` declared")));
}

#[test]
fn a_publish_travels_to_the_broker_then_to_the_consumer() {
    let mut pg = hello();
    pg.publish(PublishRequest::default()).unwrap();
    assert_eq!(pg.snapshot().producers, vec![("P".into(), 1)]);
    assert_eq!(pg.tokens().len(), 1, "the token leaves P");
    pg.advance(HOP_MS - 1);
    assert!(
        !pg.log().any(|l| l.contains("published")),
        "the broker has not seen it yet"
    );
    pg.advance(1);
    assert!(pg
        .log()
        .any(|l| l.contains("message #1 delivered from `hello`")));
    assert_eq!(received(&pg, "C"), 0, "the delivery is on its way");
    assert_eq!(pg.snapshot().in_flight, 1);
    pg.advance(THROUGH_MS + HOP_MS);
    assert_eq!(received(&pg, "C"), 1);
    assert_eq!(counts(&pg, "hello"), QueueCounts::default());
    assert!(!pg.busy());
    assert!(pg.tokens().is_empty());
}

#[test]
fn without_a_consumer_messages_wait_in_the_queue_until_one_starts() {
    let mut pg = hello();
    pg.set_consuming("C", false).unwrap();
    pg.publish(PublishRequest::default()).unwrap();
    pg.publish(PublishRequest {
        body: Some("again".into()),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(5_000);
    assert_eq!(
        counts(&pg, "hello"),
        QueueCounts {
            ready: 2,
            unacked: 0
        }
    );
    assert_eq!(received(&pg, "C"), 0);
    pg.set_consuming("C", true).unwrap();
    assert_eq!(
        counts(&pg, "hello").ready,
        0,
        "the backlog is delivered at once"
    );
    assert_eq!(pg.tokens().len(), 2, "both tokens leave the queue");
    pg.advance(THROUGH_MS + HOP_MS);
    assert_eq!(received(&pg, "C"), 2);
}

#[test]
fn step_runs_one_arrival_at_a_time() {
    let mut pg = hello();
    pg.publish(PublishRequest::default()).unwrap();
    assert!(pg.step());
    assert_eq!(pg.now(), Millis(HOP_MS));
    assert!(pg.step());
    assert_eq!(pg.now(), Millis(2 * HOP_MS + THROUGH_MS));
    assert_eq!(received(&pg, "C"), 1);
    assert!(!pg.step());
}

#[test]
fn unknown_names_are_refused_with_the_name() {
    let mut pg = hello();
    let err = pg
        .publish(PublishRequest {
            producer: Some("Q".into()),
            ..PublishRequest::default()
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "no producer named `Q` in this scenario");
    assert!(pg.set_consuming("nobody", true).is_err());
    assert_eq!(pg.snapshot().producers, vec![("P".into(), 0)]);
}

#[test]
fn a_publish_to_a_missing_exchange_is_the_brokers_404() {
    let mut pg = hello();
    pg.publish(PublishRequest {
        exchange: Some("nope".into()),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(HOP_MS);
    assert!(
        pg.log()
            .any(|l| l.contains("NOT_FOUND - no exchange 'nope' in vhost '/'")),
        "{:?}",
        pg.log().collect::<Vec<_>>()
    );
}

#[test]
fn a_routed_message_takes_the_binding_that_matched_then_waits_its_turn() {
    let mut pg = Playground::new(presets::routing()).unwrap();
    pg.publish(PublishRequest {
        routing_key: Some("green".into()),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(HOP_MS);
    // P→X is edge 0; X→Q2 [black] is 2, [green] 3; Q2→C2 is 5.
    let legs: Vec<Vec<Leg>> = pg
        .tokens_at((HOP_MS + HOP_MS / 2) as f64)
        .iter()
        .map(|s| s.tween.legs.clone())
        .collect();
    assert_eq!(legs, vec![vec![Leg::Edge(3)]]);
    let later: Vec<Vec<Leg>> = pg
        .tokens_at((2 * HOP_MS + 1) as f64)
        .iter()
        .map(|s| s.tween.legs.clone())
        .collect();
    let q2 = pg.graph().find(NodeKind::Queue, "Q2").unwrap();
    assert_eq!(later, vec![vec![Leg::Across(q2), Leg::Edge(5)]]);
    assert!(pg
        .log()
        .any(|l| l.contains("why (message #1 at `direct_logs`)") && l.contains("green")));
    pg.advance(HOP_MS + THROUGH_MS + HOP_MS - 1);
    assert_eq!(received(&pg, "C2"), 0);
    pg.advance(1);
    assert_eq!(received(&pg, "C2"), 1);
}

#[test]
fn an_unroutable_message_ends_at_the_exchange_with_its_fate_shown() {
    let mut pg = Playground::new(presets::routing()).unwrap();
    pg.publish(PublishRequest {
        routing_key: Some("purple".into()),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(HOP_MS + 1);
    let x = pg.graph().find(NodeKind::Exchange, "direct_logs").unwrap();
    let fates: Vec<(Vec<Leg>, Option<&str>)> = pg
        .tokens()
        .iter()
        .map(|s| (s.tween.legs.clone(), s.tween.fate))
        .collect();
    assert_eq!(fates, vec![(vec![Leg::Stay(x)], Some("unroutable"))]);
    assert_eq!(pg.snapshot().unroutable, 1);
    // With the default exchange the fate shows at P: no exchange is drawn.
    let mut pg = hello();
    pg.publish(PublishRequest {
        routing_key: Some("nowhere".into()),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(HOP_MS);
    let p = pg.graph().find(NodeKind::Producer, "P").unwrap();
    assert_eq!(pg.tokens()[0].tween.legs, vec![Leg::Stay(p)]);
}

#[test]
fn the_topic_tester_explains_each_binding() {
    let pg = Playground::new(presets::topics()).unwrap();
    let verdicts = pg.explain("topic_logs", "lazy.orange.elephant");
    let matched: Vec<bool> = verdicts.iter().map(|(m, _)| *m).collect();
    assert_eq!(matched, [true, false, true]);
    assert!(verdicts[2].1.contains("lazy.#"), "{}", verdicts[2].1);
    assert!(pg.explain("no_such_exchange", "x").is_empty());
}

#[test]
fn a_mandatory_unroutable_message_travels_back_to_its_publisher() {
    let mut pg = Playground::new(presets::routing()).unwrap();
    pg.publish(PublishRequest {
        routing_key: Some("purple".into()),
        mandatory: true,
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(HOP_MS);
    let returned: Vec<(Vec<Leg>, Option<&str>)> = pg
        .tokens_at((HOP_MS + HOP_MS / 2) as f64)
        .iter()
        .filter(|s| s.tween.fate == Some("returned"))
        .map(|s| (s.tween.legs.clone(), s.tween.fate))
        .collect();
    assert_eq!(returned, vec![(vec![Leg::Back(0)], Some("returned"))]);
    let snap = pg.snapshot();
    assert_eq!((snap.unroutable, snap.returned), (1, 1));
    // Half way back, the token is half way between X and P.
    let sample = &pg.tokens_at((HOP_MS + HOP_MS / 2) as f64)[1];
    let p = sample.tween.point_at(pg.layout(), sample.progress);
    let edge = &pg.layout().edges[0];
    assert!(p.distance(edge.path.at(0.5)) < 1e-6);
}

#[test]
fn bursts_and_steady_rates_publish_on_the_virtual_clock() {
    let mut pg = hello();
    pg.publish_burst(PublishRequest::default(), 5).unwrap();
    assert_eq!(
        pg.snapshot().producers,
        vec![("P".into(), 1)],
        "the first goes now"
    );
    pg.advance(4 * BURST_GAP_MS);
    assert_eq!(pg.snapshot().producers, vec![("P".into(), 5)]);
    pg.advance(10_000);
    assert_eq!(received(&pg, "C"), 5);

    pg.set_rate("P", 4.0).unwrap();
    assert_eq!(pg.rate("P"), 4.0);
    pg.advance(1_000);
    // Now, +250, +500, +750, +1000: five more.
    assert_eq!(pg.snapshot().producers, vec![("P".into(), 10)]);
    pg.set_rate("P", 0.0).unwrap();
    assert_eq!(pg.rate("P"), 0.0);
    pg.advance(5_000);
    assert_eq!(pg.snapshot().producers, vec![("P".into(), 10)]);
    assert!(pg.set_rate("nobody", 1.0).is_err());
    assert!(!pg.busy());
}

#[test]
fn a_message_history_tells_its_whole_trip_with_reasons() {
    let mut pg = Playground::new(presets::topics()).unwrap();
    pg.publish(PublishRequest {
        routing_key: Some("quick.orange.fox".into()),
        ..PublishRequest::default()
    })
    .unwrap();
    pg.advance(HOP_MS + HOP_MS / 2);
    let ids: Vec<Option<u64>> = pg.tokens().iter().map(|s| s.tween.message).collect();
    assert_eq!(ids, vec![Some(1)], "the routed token knows its message");
    pg.advance(10_000);
    let history = pg.history(1);
    let text = history.join("\n");
    assert!(
        text.contains("message #1 published to `topic_logs`"),
        "{text}"
    );
    assert!(
        text.contains("why (message #1 at `topic_logs`): Binding key '*.orange.*' matches"),
        "{text}"
    );
    assert!(text.contains("'*.*.rabbit' does not match"), "{text}");
    assert!(text.contains("message #1 delivered from `Q1`"), "{text}");
    assert!(!text.contains("Q2`"), "{text}");
    assert!(pg.history(11).is_empty());
}

/// A script on one queue `jobs`, run by the script's own client.
fn script_of(steps: Vec<Step>) -> Playground {
    Playground::new(Scenario {
        name: "script".into(),
        queues: vec![crate::sim::scenario::QueueSpec::named("jobs")],
        steps,
        ..Scenario::default()
    })
    .unwrap()
}

fn put(body: &str) -> Step {
    Step::Publish {
        exchange: String::new(),
        routing_key: "jobs".into(),
        body: body.into(),
        properties: MessageProps::default(),
        mandatory: false,
        repeat: 1,
    }
}

fn get(ack: Option<Settle>, hold: bool, channel: &str) -> Step {
    Step::Get {
        queue: "jobs".into(),
        settle: ack,
        drain: false,
        hold,
        channel: channel.into(),
    }
}

fn hold(channel: &str) -> Step {
    get(None, true, channel)
}

fn settle(settle: Settle, multiple: bool) -> Step {
    Step::Settle {
        channel: "main".into(),
        settle,
        multiple,
        tag: None,
    }
}

/// The ready messages of `queue`: body and redelivered flag, head first.
fn ready(pg: &Playground, queue: &str) -> Vec<(String, bool)> {
    let name = pg.queue_name(queue).unwrap();
    pg.broker
        .ready_messages(&VhostName::from("/"), &name)
        .into_iter()
        .map(|m| {
            let body = String::from_utf8_lossy(m.body.as_bytes()).into_owned();
            (body, m.redelivered)
        })
        .collect()
}

fn unacked(n: u64, ready: u64) -> QueueCounts {
    QueueCounts { ready, unacked: n }
}

#[test]
fn held_gets_stay_unacked_until_a_settle_nack_requeues_them_redelivered() {
    let mut pg = script_of(vec![
        put("a"),
        put("b"),
        Step::Sleep(2_000),
        hold("main"),
        hold("main"),
        Step::Sleep(1_000),
        settle(Settle::NackRequeue, false),
    ]);
    pg.advance(2_500);
    assert_eq!(counts(&pg, "jobs"), unacked(2, 0), "both held on `main`");
    pg.advance(1_000);
    assert_eq!(counts(&pg, "jobs"), unacked(0, 2));
    assert_eq!(
        ready(&pg, "jobs"),
        vec![("a".into(), true), ("b".into(), true)],
        "back in their places, marked redelivered"
    );
    let log: Vec<&str> = pg.log().collect();
    assert_eq!(
        log.iter()
            .filter(|l| l.contains("refused by its consumer, requeued"))
            .count(),
        2,
        "one nack per held delivery: {log:?}"
    );
    assert!(log.iter().any(|l| l.contains("message #1 back in `jobs`")));
}

#[test]
fn settle_multiple_acks_every_held_delivery_with_one_call_on_the_last_tag() {
    let mut pg = script_of(vec![
        put("a"),
        put("b"),
        put("c"),
        Step::Sleep(2_000),
        hold("main"),
        hold("main"),
        settle(Settle::Ack, true),
        hold("main"),
    ]);
    pg.advance(5_000);
    assert_eq!(
        counts(&pg, "jobs"),
        unacked(1, 0),
        "only the last get is held"
    );
    let acks = pg.log().filter(|l| l.ends_with("acknowledged")).count();
    assert_eq!(acks, 2);
}

#[test]
fn settling_an_unknown_tag_is_the_brokers_406_and_the_script_goes_on() {
    let mut pg = script_of(vec![
        put("a"),
        put("b"),
        Step::Sleep(2_000),
        hold("main"),
        Step::Settle {
            channel: "main".into(),
            settle: Settle::Ack,
            multiple: false,
            tag: Some(99),
        },
        get(Some(Settle::Ack), false, "main"),
        put("c"),
    ]);
    pg.advance(6_000);
    let log: Vec<&str> = pg.log().collect();
    assert!(
        log.iter()
            .any(|l| l.contains("script step refused") && l.contains("PRECONDITION_FAILED")),
        "{log:?}"
    );
    // The error closed `main`, requeueing `a`; the next get took `a` again and acked it,
    // and P published `c` on its fresh channel.
    assert_eq!(counts(&pg, "jobs"), unacked(0, 2));
    assert_eq!(
        ready(&pg, "jobs"),
        vec![("b".into(), false), ("c".into(), false)]
    );
}

#[test]
fn close_channel_returns_what_it_held_to_the_queue() {
    let mut pg = script_of(vec![
        put("a"),
        put("b"),
        Step::Sleep(2_000),
        hold("side"),
        hold("main"),
        Step::Sleep(1_000),
        Step::CloseChannel("side".into()),
        Step::Sleep(1_000),
        Step::CloseChannel("main".into()),
        put("c"),
        Step::Sleep(2_000),
    ]);
    pg.advance(2_500);
    assert_eq!(counts(&pg, "jobs"), unacked(2, 0));
    pg.advance(1_000);
    assert_eq!(counts(&pg, "jobs"), unacked(1, 1), "`side` gave `a` back");
    assert_eq!(ready(&pg, "jobs"), vec![("a".into(), true)]);
    pg.advance(5_000);
    // Closing `main` gave `b` back; P went on publishing on a fresh channel.
    assert_eq!(counts(&pg, "jobs"), unacked(0, 3));
    assert_eq!(
        ready(&pg, "jobs"),
        vec![("a".into(), true), ("b".into(), true), ("c".into(), false)]
    );
    assert!(pg.log().any(|l| l.contains("opened")));
}

#[test]
fn recover_requeues_the_held_deliveries() {
    let mut pg = script_of(vec![
        put("a"),
        Step::Sleep(2_000),
        hold("main"),
        Step::Recover {
            channel: "main".into(),
            requeue: true,
        },
        Step::Sleep(500),
        settle(Settle::Ack, false),
    ]);
    pg.advance(5_000);
    assert_eq!(counts(&pg, "jobs"), unacked(0, 1));
    assert_eq!(ready(&pg, "jobs"), vec![("a".into(), true)]);
    assert!(
        !pg.log().any(|l| l.contains("script step refused")),
        "nothing left to settle after the recover"
    );
}

#[test]
fn a_rolled_back_transaction_discards_its_publishes_and_a_commit_keeps_them() {
    let tx = |op| Step::Tx {
        channel: "main".into(),
        op,
    };
    let mut pg = script_of(vec![
        tx(TxOp::Select),
        put("a"),
        tx(TxOp::Rollback),
        put("b"),
        tx(TxOp::Commit),
        Step::Sleep(2_000),
    ]);
    pg.advance(10_000);
    assert_eq!(ready(&pg, "jobs"), vec![("b".into(), false)]);
    assert!(!pg.log().any(|l| l.contains("script step refused")));
}

#[test]
fn tx_select_on_a_confirm_channel_is_refused_by_the_broker() {
    let mut pg = Playground::new(Scenario {
        name: "script".into(),
        queues: vec![crate::sim::scenario::QueueSpec::named("jobs")],
        producers: vec![crate::sim::scenario::ProducerSpec {
            name: "P".into(),
            confirm: true,
            ..Default::default()
        }],
        steps: vec![Step::Tx {
            channel: "other".into(),
            op: TxOp::Select,
        }],
        ..Scenario::default()
    })
    .unwrap();
    pg.advance(1_000);
    assert!(
        pg.log()
            .any(|l| l.contains("script step refused") && l.contains("PRECONDITION_FAILED")),
        "{:?}",
        pg.log().collect::<Vec<_>>()
    );
}

#[test]
fn held_delivery_steps_leave_the_queue_as_the_headless_runner_does() {
    // The same client script, once as JSON for `amqp-playground run`'s runner on the
    // core, once as the steps `loadScenario` makes of it.
    let json = r#"{"confirm": false, "queues": [{"name": "jobs"}], "steps": [
        {"publish": {"exchange": "", "routing_key": "jobs", "body": "m{i}", "repeat": 4}},
        {"sleep_ms": 2000},
        {"get": {"queue": "jobs", "ack": "hold"}},
        {"get": {"queue": "jobs", "ack": "hold"}},
        {"settle": {"mode": "nack", "requeue": true}},
        {"get": {"queue": "jobs", "ack": "hold", "channel": "side"}},
        {"close_channel": {"channel": "side"}},
        {"get": {"queue": "jobs", "ack": "ack"}},
        {"get": {"queue": "jobs", "ack": "hold"}},
        {"recover": {"requeue": true}},
        {"get": {"queue": "jobs", "ack": "hold"}},
        {"get": {"queue": "jobs", "ack": "hold"}},
        {"settle": {"mode": "ack", "multiple": true}},
        {"get": {"queue": "jobs", "ack": "reject", "requeue": true}},
        {"tx": {"op": "select"}},
        {"publish": {"exchange": "", "routing_key": "jobs", "body": "rolled back"}},
        {"tx": {"op": "rollback"}},
        {"publish": {"exchange": "", "routing_key": "jobs", "body": "kept"}},
        {"tx": {"op": "commit"}},
        {"sleep_ms": 2000}
    ]}"#;
    let script = amqp_playground_script::Script::parse(json).unwrap();
    let mut backend = amqp_playground_script::CoreBackend::new(Default::default());
    let headless = amqp_playground_script::run(&script, &mut backend).unwrap();
    let expected: Vec<(String, bool)> = headless.queues["jobs"]
        .as_ref()
        .unwrap()
        .iter()
        .map(|m| (String::from_utf8_lossy(&m.body).into_owned(), m.redelivered))
        .collect();
    assert!(headless.errors.is_empty(), "{:?}", headless.errors);

    let tx = |op| Step::Tx {
        channel: "main".into(),
        op,
    };
    let mut pg = script_of(vec![
        Step::Publish {
            exchange: String::new(),
            routing_key: "jobs".into(),
            body: "m{i}".into(),
            properties: MessageProps::default(),
            mandatory: false,
            repeat: 4,
        },
        Step::Sleep(2_000),
        hold("main"),
        hold("main"),
        settle(Settle::NackRequeue, false),
        hold("side"),
        Step::CloseChannel("side".into()),
        get(Some(Settle::Ack), false, "main"),
        hold("main"),
        Step::Recover {
            channel: "main".into(),
            requeue: true,
        },
        hold("main"),
        hold("main"),
        settle(Settle::Ack, true),
        get(Some(Settle::RejectRequeue), false, "main"),
        tx(TxOp::Select),
        put("rolled back"),
        tx(TxOp::Rollback),
        put("kept"),
        tx(TxOp::Commit),
        Step::Sleep(2_000),
    ]);
    pg.advance(20_000);
    assert!(
        !pg.log().any(|l| l.contains("refused:")),
        "{:?}",
        pg.log().collect::<Vec<_>>()
    );
    assert_eq!(counts(&pg, "jobs").unacked, 0);
    assert_eq!(ready(&pg, "jobs"), expected);
    assert_eq!(
        expected,
        vec![("m4".into(), true), ("kept".into(), false)],
        "the story: m1 acked after `side` closed, m2 and m3 acked after the recover, m4 \
         rejected back, the rolled-back publish gone"
    );
}

#[test]
fn a_scripted_scenario_runs_its_steps_on_the_virtual_clock() {
    use crate::sim::scenario::{ConsumerSpec, QueueSpec};
    let publish = |body: &str, repeat| Step::Publish {
        exchange: String::new(),
        routing_key: "jobs".into(),
        body: body.into(),
        properties: MessageProps::default(),
        mandatory: false,
        repeat,
    };
    let scenario = Scenario {
        name: "script".into(),
        queues: vec![QueueSpec::named("jobs")],
        steps: vec![
            publish("job {i}", 3),
            Step::Sleep(2_000),
            Step::Count("jobs".into()),
            Step::Consume(ConsumerSpec::on("worker", None, "jobs")),
            Step::Sleep(5_000),
            Step::Cancel("worker".into()),
            publish("late", 1),
            Step::Edit(Edit::DeclareQueue(QueueSpec::named("extra"))),
        ],
        ..Scenario::default()
    };
    let mut pg = Playground::new(scenario).unwrap();
    assert!(pg.scenario().consumers.is_empty(), "nothing ran yet");
    pg.advance(1_500);
    assert_eq!(pg.snapshot().queues[0].1.ready, 3, "published, no consumer");
    pg.advance(10_000);
    let snap = pg.snapshot();
    assert_eq!(snap.consumers[0].received, 3);
    assert!(!snap.consumers[0].consuming, "cancelled");
    assert_eq!(snap.queues[0].1.ready, 1, "`late` waits");
    assert_eq!(snap.queues.len(), 2, "`extra` declared by a step");
    assert_eq!(snap.consumers[0].last_body.as_deref(), Some("job 3"));
    assert!(pg
        .log()
        .any(|l| l.contains("count: `jobs` has 3 ready, 0 unacked")));
    pg.run_step(Step::Get {
        queue: "jobs".into(),
        settle: Some(Settle::Ack),
        drain: false,
        hold: false,
        channel: "main".into(),
    });
    assert_eq!(pg.snapshot().queues[0].1.ready, 0, "`late` fetched");
    for body in ["a", "b", "c"] {
        pg.run_step(publish(body, 1));
    }
    pg.advance(HOP_MS);
    pg.run_step(Step::Get {
        queue: "jobs".into(),
        settle: Some(Settle::NackRequeue),
        drain: false,
        hold: false,
        channel: "main".into(),
    });
    assert_eq!(pg.snapshot().queues[0].1.ready, 3, "nacked back");
    pg.run_step(Step::Get {
        queue: "jobs".into(),
        settle: Some(Settle::Ack),
        drain: true,
        hold: false,
        channel: "main".into(),
    });
    assert_eq!(pg.snapshot().queues[0].1, QueueCounts::default(), "drained");
    pg.run_step(publish("d", 1));
    pg.advance(HOP_MS);
    pg.apply(Edit::Purge("jobs".into())).unwrap();
    assert_eq!(pg.snapshot().queues[0].1.ready, 0);
}

#[test]
fn every_preset_sets_up_and_routes_its_sample_message() {
    for name in presets::NAMES {
        let mut pg = Playground::new(presets::by_name(name).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        pg.publish(PublishRequest::default()).unwrap();
        pg.advance(10_000);
        let total: u64 = pg.snapshot().consumers.iter().map(|c| c.received).sum();
        assert!(total >= 1, "{name}: {:?}", pg.snapshot());
    }
}

#[test]
fn a_scenario_s_view_places_the_nodes_it_names_and_ignores_the_rest() {
    let mut scenario = presets::by_name("hello-world").unwrap();
    let at = crate::scene::Point { x: 400.0, y: 250.0 };
    scenario.view.positions = vec![
        (NodeKind::Queue, "hello".into(), at),
        (
            NodeKind::Queue,
            "not-here".into(),
            crate::scene::Point { x: 1.0, y: 1.0 },
        ),
    ];
    let pg = Playground::new(scenario).unwrap();
    let i = pg
        .graph()
        .nodes
        .iter()
        .position(|n| n.kind == NodeKind::Queue && n.name == "hello")
        .unwrap();
    assert_eq!(pg.layout().centers[i], at, "drawn where the view put it");
    assert_eq!(
        pg.moved_nodes(),
        [(NodeKind::Queue, "hello".to_string(), at)],
        "kept as moved by hand; the unknown node is ignored"
    );
    assert!(
        pg.scenario().view.is_empty(),
        "the engine keeps no view of its own"
    );
}

#[test]
fn a_long_run_forgets_the_oldest_messages_half_at_a_time() {
    let mut pg = hello();
    let keep = crate::sim::limits::TRACKED_MESSAGES as u64;
    for id in 1..2 * keep {
        pg.messages.get_or_default(MessageId(id)).routing_key = Rc::from("hello");
        pg.arrives_in_queue
            .insert((MessageId(id), QueueName::from("hello")), 1);
        pg.forget_old_messages(MessageId(id));
    }
    assert_eq!(
        pg.messages.len() as u64,
        2 * keep - 1,
        "nothing forgotten yet"
    );
    pg.messages.get_or_default(MessageId(2 * keep)).routing_key = Rc::from("hello");
    pg.forget_old_messages(MessageId(2 * keep));
    assert_eq!(pg.messages.len() as u64, keep + 1, "the newest kept");
    assert_eq!(pg.messages.iter().next().map(|(m, _)| m.0), Some(keep));
    assert_eq!(
        pg.arrives_in_queue.len() as u64,
        keep,
        "the copies' arrival times too"
    );
}

#[test]
fn a_steady_producers_messages_share_their_routing_key_and_publisher() {
    let mut pg = hello();
    pg.publish_burst(PublishRequest::default(), 3).unwrap();
    pg.advance(2_000);
    let facts: Vec<&MessageFacts> = pg.messages.values().collect();
    assert_eq!(facts.len(), 3, "one entry a message");
    for f in &facts {
        assert_eq!(&*f.routing_key, "hello");
        assert_eq!(f.publisher.as_deref(), Some("P"));
    }
    assert!(Rc::ptr_eq(&facts[0].routing_key, &facts[2].routing_key));
    assert!(Rc::ptr_eq(
        facts[0].publisher.as_ref().unwrap(),
        facts[2].publisher.as_ref().unwrap()
    ));
}

#[test]
fn a_checkpoint_keeps_the_facts_of_the_messages_still_held_and_only_those() {
    let mut pg = hello();
    pg.publish_burst(PublishRequest::default(), 3).unwrap();
    pg.advance(5_000);
    pg.set_consuming("C", false).unwrap();
    pg.publish_burst(PublishRequest::default(), 2).unwrap();
    pg.advance(5_000);
    assert_eq!(counts(&pg, "hello").ready, 2, "two held, three consumed");
    let ids: Vec<MessageId> = pg.messages.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 5);
    let copy = pg.checkpoint().expect("no real clients");
    let kept: Vec<(MessageId, String)> = copy
        .messages
        .iter()
        .map(|(id, f)| (*id, f.routing_key.to_string()))
        .collect();
    assert_eq!(
        kept,
        [(ids[3], "hello".to_string()), (ids[4], "hello".to_string())],
        "the held messages' facts, not the consumed ones'"
    );
}
