//! Verify on every preset against the real RabbitMQ (127.0.0.1:5672, or `AMQP_URL`): each
//! tutorial's scenario, with its producer's message published once, as the client script
//! Verify sends, run on the core under the profile of
//! the broker in CI (3.10) and on RabbitMQ, gives no difference.
#![cfg(not(target_arch = "wasm32"))]

use amqp_playground_core::Compat;
use amqp_playground_fidelity::{broker_url, run_on_rabbitmq};
use amqp_playground_script::Script;
use amqp_playground_web::sim::replay::Input;
use amqp_playground_web::sim::{presets, verify, PublishRequest};

#[test]
fn verify_finds_no_difference_on_any_preset_under_rabbitmq_3_10() {
    let url = broker_url();
    let mut failures = Vec::new();
    for name in presets::NAMES {
        let scenario = presets::by_name(name).unwrap();
        // Its topology and consumers, and the producer's own message, as a learner's click sends.
        let publish = (!scenario.producers.is_empty())
            .then(|| (0, Input::Publish(PublishRequest::default())));
        let script = verify::script_for(&scenario, publish.as_slice(), &[]);
        assert!(
            publish.is_none() || script.json.contains("\"publish\""),
            "{name}: {}",
            script.json
        );
        let core = verify::run_on_core(&script.json, Compat::RabbitMq310).unwrap();
        let rabbit = run_on_rabbitmq(&Script::parse(&script.json).unwrap(), &url)
            .unwrap_or_else(|e| panic!("{name} on RabbitMQ: {e}"));
        for d in verify::compare(&core, &rabbit) {
            failures.push(format!(
                "{name}: {}\n  playground: {}\n  rabbitmq:   {}",
                d.section, d.playground, d.rabbitmq
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
