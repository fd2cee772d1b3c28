//! The page's limits (`sim::limits`) hold wherever a request comes from, say which limit, and
//! leave the playground as it was: nodes and bindings past the limit (a file, an edit), a
//! burst past the limit (a file), and producers that pause when the broker holds as many
//! messages as the page allows.
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use amqp_playground_web::sim::limits::{MAX_BINDINGS, MAX_BURST, MAX_HELD, MAX_NODES, MAX_RATE};
use amqp_playground_web::sim::scenario::read::scenario_from_json;
use amqp_playground_web::sim::scenario::{BindingSpec, QueueSpec};
use amqp_playground_web::sim::{presets, Edit};
use amqp_playground_web::state::{Action, PlaygroundState};
use yew::Reducible;

fn topics() -> Rc<PlaygroundState> {
    Rc::new(PlaygroundState::hello_world()).reduce(Action::LoadPreset("topics".into()))
}

#[test]
fn a_scenario_past_the_node_limit_is_refused_and_the_playground_stays() {
    let before = topics();
    let mut big = presets::by_name("topics").unwrap();
    while big.nodes() <= MAX_NODES {
        let name = format!("extra{}", big.queues.len());
        big.queues.push(QueueSpec::named(&name));
    }
    let after = before.clone().reduce(Action::LoadScenario(big));
    let why = after.error.clone().expect("refused");
    assert!(
        why.contains(&format!("at most {MAX_NODES} exchanges, queues")),
        "{why}"
    );
    assert_eq!(after.shared_scenario(), before.shared_scenario());
}

#[test]
fn an_edit_past_the_node_limit_is_refused_and_one_within_it_is_not() {
    let mut s = presets::by_name("topics").unwrap();
    while s.nodes() < MAX_NODES - 1 {
        let name = format!("extra{}", s.queues.len());
        s.queues.push(QueueSpec::named(&name));
    }
    let state = topics().reduce(Action::LoadScenario(s));
    assert_eq!(state.error, None);
    let add = |name: &str| {
        Action::Edit(Edit::AddQueue {
            name: name.into(),
            bind: None,
            with_consumer: false,
            arguments: Vec::new(),
        })
    };
    let state = state.reduce(add("the-last-one"));
    assert_eq!(state.error, None, "the {MAX_NODES}th node fits");
    let state = state.reduce(add("one-too-many"));
    assert_eq!(
        state.error.as_deref(),
        Some(
            format!(
                "no room for another queue: a playground holds at most {MAX_NODES} exchanges, \
                 queues, producers and consumers"
            )
            .as_str()
        )
    );
    assert_eq!(state.engine.borrow().scenario().nodes(), MAX_NODES);
}

#[test]
fn bindings_past_the_limit_are_refused() {
    let mut s = presets::by_name("topics").unwrap();
    while s.bindings.len() < MAX_BINDINGS {
        let key = format!("k.{}", s.bindings.len());
        s.bindings
            .push(BindingSpec::queue("topic_logs", "Q1", &key));
    }
    let state = topics().reduce(Action::LoadScenario(s.clone()));
    assert_eq!(state.error, None, "{MAX_BINDINGS} bindings fit");
    let state = state.reduce(Action::Edit(Edit::Bind {
        exchange: "topic_logs".into(),
        queue: "Q2".into(),
        key: "one.too.many".into(),
    }));
    let why = state.error.clone().expect("refused");
    assert!(why.contains(&format!("at most {MAX_BINDINGS}")), "{why}");
    assert_eq!(
        state.engine.borrow().scenario().bindings.len(),
        MAX_BINDINGS
    );
}

#[test]
fn a_burst_past_the_limit_in_a_file_names_the_limit() {
    // A walkthrough step that publishes a burst.
    let file = format!(
        r#"{{"queues": [{{"name": "q"}}],
            "tour": [{{"caption": "many", "publish": {{"routingKey": "q", "count": {}}}}}]}}"#,
        MAX_BURST + 1
    );
    assert_eq!(
        scenario_from_json(&file).unwrap_err(),
        format!("scenario.tour[0].publish.count: expected an integer 1..{MAX_BURST}")
    );
    // None at all is refused with the same words.
    let none = file.replace(&format!("{}", MAX_BURST + 1), "0");
    assert_eq!(
        scenario_from_json(&none).unwrap_err(),
        format!("scenario.tour[0].publish.count: expected an integer 1..{MAX_BURST}")
    );
}

#[test]
fn producers_pause_with_a_notice_when_the_broker_holds_the_most_messages_the_page_allows() {
    // Hello world with its consumer stopped: everything published stays in `hello`.
    let state = Rc::new(PlaygroundState::hello_world()).reduce(Action::SetConsuming {
        consumer: "C".into(),
        on: false,
    });
    // The fastest steady rate, for longer than it takes to reach the limit.
    let mut state = state.reduce(Action::SetRate(None, MAX_RATE));
    // The notice comes with the action during which the producer paused (the learner's next
    // action clears it, as any message).
    let mut notice = None;
    for _ in 0..(MAX_HELD as f64 / MAX_RATE / 10.0) as usize + 2 {
        state = state.reduce(Action::Advance(10_000));
        notice = notice.or(state.error.clone());
    }
    let held = state.engine.borrow().snapshot().queues[0].1.ready as usize;
    assert!(
        (MAX_HELD - 10..=MAX_HELD).contains(&held),
        "the queue stops at the limit: {held}"
    );
    let why = notice.expect("a notice");
    assert!(why.starts_with("publishing paused"), "{why}");
    assert!(why.contains(&MAX_HELD.to_string()), "{why}");
    // A steady rate stops there too, and starts again once there is room.
    let state = state.reduce(Action::SetRate(None, 10.0));
    let state = state.reduce(Action::Advance(5_000));
    assert_eq!(
        state.engine.borrow().snapshot().queues[0].1.ready as usize,
        held
    );
    assert_eq!(state.engine.borrow().rate("P"), 0.0, "the rate stopped");
    let state = state.reduce(Action::Edit(Edit::Purge("hello".into())));
    let state = state.reduce(Action::SetRate(None, 10.0));
    let state = state.reduce(Action::Advance(3_000));
    let ready = state.engine.borrow().snapshot().queues[0].1.ready;
    assert!((10..=30).contains(&ready), "publishing again: {ready}");
}
