//! Every preset in headless Chromium: it loads, draws the tutorial's nodes, runs its guided
//! steps through `window.amqpPlayground`, shows the outcome the tutorial states in
//! `snapshot()`, and leaves a screenshot to compare with the tutorial diagram
//! (`target/screenshots/preset-<id>.png`).

use std::time::Duration;

use amqp_playground_e2e::open_playground;
use serde_json::Value;

/// One preset: the API calls of its guided steps (run with `api` bound to
/// `window.amqpPlayground`, clock paused), and what the snapshot must then say.
struct Case {
    preset: &'static str,
    steps: &'static str,
    check: fn(&Value) -> Result<(), String>,
}

fn received(snap: &Value, consumer: &str) -> u64 {
    snap["consumers"][consumer]["received"]
        .as_u64()
        .unwrap_or(u64::MAX)
}

fn expect(what: &str, got: Value, want: Value) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got}, want {want}"))
    }
}

fn receivers(snap: &Value, want: &[(&str, u64)]) -> Result<(), String> {
    for (name, n) in want {
        expect(
            &format!("consumer {name} received"),
            received(snap, name).into(),
            (*n).into(),
        )?;
    }
    Ok(())
}

const CASES: [Case; 15] = [
    Case {
        preset: "hello-world",
        steps: "api.publish({ routingKey: 'hello' });",
        check: |s| receivers(s, &[("C", 1)]),
    },
    Case {
        preset: "work-queues",
        steps: "api.publish({ count: 4 });",
        check: |s| receivers(s, &[("C1", 2), ("C2", 2)]),
    },
    Case {
        preset: "fair-dispatch",
        steps: "api.publish({ count: 8 }); api.advance(60000);",
        check: |s| {
            let (c1, c2) = (received(s, "C1"), received(s, "C2"));
            expect("all tasks done", (c1 + c2).into(), 8.into())?;
            if c2 < 2 * c1 {
                return Err(format!("the quick worker should do most: C1 {c1}, C2 {c2}"));
            }
            Ok(())
        },
    },
    Case {
        preset: "publish-subscribe",
        steps: "api.publish({});",
        check: |s| receivers(s, &[("C1", 1), ("C2", 1)]),
    },
    Case {
        preset: "routing",
        steps: "api.publish({ routingKey: 'black' }); api.publish({ routingKey: 'purple' });",
        check: |s| {
            receivers(s, &[("C1", 0), ("C2", 1)])?;
            expect("unroutable", s["unroutable"].clone(), 1.into())
        },
    },
    Case {
        preset: "topics",
        steps: "api.publish({ routingKey: 'quick.orange.rabbit' });
                api.publish({ routingKey: 'lazy.brown.fox' });",
        check: |s| receivers(s, &[("C1", 1), ("C2", 2)]),
    },
    Case {
        preset: "rpc",
        steps: "api.publish({ body: '30' });",
        check: |s| {
            expect(
                "replies",
                s["producers"]["Client"]["replies"].clone(),
                1.into(),
            )?;
            expect(
                "waiting",
                s["producers"]["Client"]["waiting"].clone(),
                0.into(),
            )?;
            expect(
                "server replied",
                s["consumers"]["S"]["replied"].clone(),
                1.into(),
            )
        },
    },
    Case {
        preset: "publisher-confirms",
        steps: "api.setConsuming('C', false); api.publish({ count: 8 });",
        check: |s| {
            expect(
                "confirmed",
                s["producers"]["P"]["confirmed"].clone(),
                5.into(),
            )?;
            expect("nacked", s["producers"]["P"]["nacked"].clone(), 3.into())?;
            expect("ready", s["queues"]["orders"]["ready"].clone(), 5.into())
        },
    },
    Case {
        preset: "headers",
        steps: "api.publish({});
                api.publish({ properties: { headers: { format: 'zip', type: 'log' } } });
                api.publish({ properties: { headers: { format: 'zip', type: 'report' } } });",
        check: |s| receivers(s, &[("C1", 1), ("C2", 2)]),
    },
    Case {
        preset: "dead-lettering",
        steps: "api.publish({ count: 2 }); api.advance(10000);",
        check: |s| {
            receivers(s, &[("C", 3)])?;
            expect("acked", s["consumers"]["C"]["acked"].clone(), 2.into())?;
            expect("refused", s["consumers"]["C"]["refused"].clone(), 1.into())
        },
    },
    Case {
        preset: "poison-message",
        steps: "api.publish({});",
        check: |s| {
            // Delivered with counts 0..3, the fourth reject passes the limit of 3.
            receivers(s, &[("C", 4)])?;
            expect("parked", s["queues"]["parked"]["ready"].clone(), 1.into())?;
            expect("tasks", s["queues"]["tasks"]["ready"].clone(), 0.into())
        },
    },
    Case {
        preset: "replay-stream",
        steps: "api.publish({ count: 3 });",
        check: |s| {
            // C3 reads from offset 2; the log keeps all three.
            receivers(s, &[("C1", 3), ("C2", 3), ("C3", 1)])?;
            expect("kept", s["queues"]["events"]["ready"].clone(), 3.into())
        },
    },
    Case {
        preset: "alternate-exchange",
        steps: "api.publish({ routingKey: 'new' }); api.publish({ routingKey: 'refund' });",
        check: |s| {
            receivers(s, &[("C1", 1), ("C2", 1)])?;
            expect("returned", s["returned"].clone(), 0.into())
        },
    },
    Case {
        preset: "priority",
        steps: "api.setConsuming('C', false);
                api.publish({ count: 3 });
                api.publish({ body: 'urgent', properties: { priority: 9 } });
                api.advance(2000);
                api.setConsuming('C', true);
                api.advance(1200);
                window.firstJob = api.snapshot().consumers.C.lastBody;",
        check: |s| receivers(s, &[("C", 4)]),
    },
    Case {
        preset: "durability",
        steps: "api.setConsuming('C1', false); api.setConsuming('C2', false);
                api.publish({ producer: 'P1', count: 3 });
                api.publish({ producer: 'P2', count: 3 });
                api.advance(5000);
                api.restart();",
        check: |s| {
            expect(
                "durable",
                s["queues"]["task_queue"]["ready"].clone(),
                3.into(),
            )?;
            expect("transient", s["queues"]["hello"]["ready"].clone(), 0.into())?;
            expect("lost", s["lostInRestart"].clone(), 3.into())?;
            expect("restarts", s["restarts"].clone(), 1.into())
        },
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_preset_runs_its_steps_and_is_screenshotted() {
    let Some((_server, browser)) =
        open_playground("every_preset_runs_its_steps_and_is_screenshotted").await
    else {
        return;
    };
    let listed = browser
        .eval("return window.amqpPlayground.listPresets();")
        .await;
    let ids: Vec<&str> = CASES.iter().map(|c| c.preset).collect();
    assert_eq!(listed, serde_json::json!(ids));

    for case in &CASES {
        let preset = case.preset;
        browser
            .eval(&format!(
                "const api = window.amqpPlayground;
                 api.loadPreset('{preset}');
                 api.pause();
                 {}
                 api.advance(10000);
                 return null;",
                case.steps
            ))
            .await;
        let snap = browser
            .eval("return window.amqpPlayground.snapshot();")
            .await;
        if let Err(e) = (case.check)(&snap) {
            panic!("{preset}: {e}\n{snap}");
        }
        if preset == "priority" {
            let first = browser.eval("return window.firstJob;").await;
            assert_eq!(first, "urgent", "the urgent job overtakes the waiting ones");
        }
        let consumers = snap["consumers"].as_object().expect("consumers").len();
        browser
            .wait_until(
                &format!("{preset} to be drawn"),
                Duration::from_secs(5),
                &format!(
                    "return document.querySelector('#preset').value === '{preset}' &&
                        document.querySelectorAll('svg.diagram g.consumer').length === {consumers};"
                ),
            )
            .await;
        // A fresh copy for the picture: the diagram as the tutorial draws it, at rest.
        browser
            .eval(&format!(
                "window.amqpPlayground.loadPreset('{preset}'); return null;"
            ))
            .await;
        browser.screenshot(&format!("preset-{preset}")).await;
    }

    // Drawn, not only counted: a stream as its log (cells that stay, a marker per reader)...
    browser
        .eval(
            "const api = window.amqpPlayground;
             api.loadPreset('replay-stream'); api.pause();
             api.publish({ count: 3 }); api.advance(10000); return null;",
        )
        .await;
    browser
        .wait_until(
            "the stream drawn as its log",
            Duration::from_secs(5),
            "const s = document.querySelector(\"g.node.stream[data-name='events']\");
             return !!s && s.dataset.next === '3' && s.querySelectorAll('.log-cell').length === 3
                 && s.querySelectorAll('.reader').length === 3
                 && !!s.querySelector('.type-badge[data-type=stream]');",
        )
        .await;
    // ... and a quorum queue's redelivery with its count beside the token.
    browser
        .eval(
            "const api = window.amqpPlayground;
             api.loadPreset('poison-message'); api.pause(); api.publish({}); return null;",
        )
        .await;
    browser
        .wait_until(
            "a redelivered token carrying its delivery count",
            Duration::from_secs(15),
            "window.amqpPlayground.advance(40);
             const t = document.querySelector('g.token-counted');
             return !!t && Number(t.dataset.deliveryCount) >= 1
                 && t.querySelector('.delivery-count').textContent.startsWith('×');",
        )
        .await;
    browser.screenshot("poison-message-redelivery").await;

    // A refused scenario leaves the current one in place, with the broker's own text.
    let refused = browser
        .eval(
            "const api = window.amqpPlayground;
             api.loadPreset('hello-world');
             try {
               api.loadScenario({ name: 'bad', queues: [{ name: 'q',
                 arguments: { 'x-message-ttl': -5 } }] });
               return 'accepted';
             } catch (e) { return String(e.message || e); }",
        )
        .await;
    let refused = refused.as_str().unwrap_or_default().to_string();
    assert!(refused.contains("PRECONDITION_FAILED"), "{refused}");
    let name = browser
        .eval("return window.amqpPlayground.exportScenario().name;")
        .await;
    assert_eq!(name, "hello-world");

    // The inspector: a queue argument typed in, refused with the broker's text, then accepted
    // (on fair-dispatch's classic `hello`, which has no arguments yet).
    browser
        .eval(
            "window.amqpPlayground.loadPreset('fair-dispatch');
             document.querySelector(\"g.pick[aria-label='queue hello']\")
               .dispatchEvent(new MouseEvent('click', { bubbles: true }));
             return null;",
        )
        .await;
    browser
        .wait_until(
            "the queue's options",
            Duration::from_secs(5),
            "return !!document.querySelector('#queue-arguments .add-arg');",
        )
        .await;
    browser
        .eval("document.querySelector('#queue-arguments .add-arg').click(); return null;")
        .await;
    browser
        .wait_until(
            "an argument row",
            Duration::from_secs(5),
            "return !!document.querySelector('#queue-arguments li input');",
        )
        .await;
    let set_argument = |value: &str| {
        format!(
            "const row = () => document.querySelector('#queue-arguments li');
             const name = row().querySelector('input');
             name.value = 'x-message-ttl';
             name.dispatchEvent(new InputEvent('input', {{ bubbles: true }}));
             const kind = row().querySelector('select');
             kind.value = 'integer';
             kind.dispatchEvent(new Event('change', {{ bubbles: true }}));
             const value = row().querySelectorAll('input')[1];
             value.value = '{value}';
             value.dispatchEvent(new InputEvent('input', {{ bubbles: true }}));
             return null;"
        )
    };
    browser.eval(&set_argument("-1")).await;
    browser
        .eval("document.querySelector('#apply-options').click(); return null;")
        .await;
    browser
        .wait_until(
            "the broker's refusal inline",
            Duration::from_secs(5),
            "const r = document.querySelector('.node-options .refusal');
             return !!r && r.textContent.includes('PRECONDITION_FAILED');",
        )
        .await;
    let args = browser
        .eval("return window.amqpPlayground.exportScenario().queues[0].arguments || null;")
        .await;
    assert_eq!(args, Value::Null, "the refused argument changed nothing");
    browser.screenshot("inspector-refusal").await;
    browser.eval(&set_argument("3000")).await;
    browser
        .eval("document.querySelector('#apply-options').click(); return null;")
        .await;
    let args = browser
        .eval("return window.amqpPlayground.exportScenario().queues[0].arguments;")
        .await;
    assert_eq!(args["x-message-ttl"], 3000, "{args}");

    // A headers binding edited in the inspector: x-match and values, typed.
    browser
        .eval("window.amqpPlayground.loadPreset('headers'); return null;")
        .await;
    browser
        .wait_until(
            "the headers diagram",
            Duration::from_secs(5),
            "return !!document.querySelector(\"g.node.queue[data-name='Q1']\");",
        )
        .await;
    browser
        .eval(
            "document.querySelector(\"g.pick[aria-label='queue Q1']\")
               .dispatchEvent(new MouseEvent('click', { bubbles: true }));
             return null;",
        )
        .await;
    browser
        .wait_until(
            "Q1's bindings",
            Duration::from_secs(5),
            "return !!document.querySelector('.edit-binding');",
        )
        .await;
    browser
        .eval("document.querySelector('.edit-binding').click(); return null;")
        .await;
    browser
        .wait_until(
            "the binding's arguments in the form",
            Duration::from_secs(5),
            "return document.querySelectorAll('#binding-arguments li').length === 3;",
        )
        .await;
    browser
        .eval(
            "const value = document.querySelectorAll('#binding-arguments li')[1]
               .querySelectorAll('input')[1];
             value.value = 'zip';
             value.dispatchEvent(new InputEvent('input', { bubbles: true }));
             return null;",
        )
        .await;
    browser
        .eval("document.querySelector('#bind-submit').click(); return null;")
        .await;
    let binding = browser
        .eval("return window.amqpPlayground.exportScenario().bindings[0];")
        .await;
    assert_eq!(binding["arguments"]["format"], "zip", "{binding}");
    assert_eq!(binding["arguments"]["x-match"], "all", "{binding}");
    let routed = browser
        .eval(
            "const api = window.amqpPlayground; api.pause();
             api.publish({ properties: { headers: { format: 'zip', type: 'report' } } });
             api.advance(10000);
             return api.snapshot().consumers.C1.received;",
        )
        .await;
    assert_eq!(routed, 1, "the edited binding routes a zip report to Q1");
    browser.screenshot("inspector-headers-binding").await;

    // A plain client script: its topology is laid out, its steps run on the virtual clock.
    let script = browser
        .eval(
            "const api = window.amqpPlayground;
             api.loadScenario({
               description: 'work queue script',
               queues: [{ name: 'tasks', durable: true }],
               steps: [
                 { publish: { exchange: '', routing_key: 'tasks', body: 'task {i}', repeat: 3 } },
                 { sleep_ms: 1000 },
                 { qos: { prefetch: 1 } },
                 { consume: { queue: 'tasks', tag: 'worker', ack: 'ack' } },
                 { sleep_ms: 5000 },
                 { cancel: { tag: 'worker' } },
                 { publish: { exchange: '', routing_key: 'tasks', body: 'late', repeat: 2 } },
                 { sleep_ms: 2000 },
                 { get: { queue: 'tasks', ack: 'ack' } }
               ]
             });
             api.pause();
             api.advance(10000);
             return api.snapshot();",
        )
        .await;
    assert_eq!(script["consumers"]["worker"]["received"], 3, "{script}");
    assert_eq!(
        script["queues"]["tasks"]["ready"], 1,
        "one late task fetched: {script}"
    );
    assert_eq!(
        script["producers"]["P"]["confirmed"], 5,
        "confirms are on: {script}"
    );
    browser.screenshot("script-work-queue").await;
    let refused = browser
        .eval(
            "try {
               window.amqpPlayground.loadScenario({ steps: [{ settle: { mode: 'maybe' } }] });
               return 'accepted';
             } catch (e) { return String(e.message || e); }",
        )
        .await;
    let refused = refused.as_str().unwrap_or_default().to_string();
    assert!(
        refused.contains("script.steps[0].settle.mode: expected ack, nack, reject"),
        "{refused}"
    );
    let name = browser
        .eval("return window.amqpPlayground.exportScenario().name;")
        .await;
    assert_eq!(name, "work queue script");

    // The tutorial 5 diagram in every look.
    browser
        .eval("window.amqpPlayground.loadPreset('topics'); return null;")
        .await;
    for look in ["classic-dark", "current", "current-dark"] {
        browser
            .eval(&format!(
                "const s = document.querySelector('#theme');
                 s.value = '{look}';
                 s.dispatchEvent(new Event('change'));
                 return null;"
            ))
            .await;
        browser
            .wait_until(
                &format!("the {look} look"),
                Duration::from_secs(5),
                &format!("return document.querySelector('#theme').value === '{look}';"),
            )
            .await;
        browser.screenshot(&format!("look-{look}")).await;
    }

    // A phone-sized window: the page reflows, the diagram scales down.
    browser
        .eval(
            "const s = document.querySelector('#theme'); s.value = 'classic';
               s.dispatchEvent(new Event('change')); return null;",
        )
        .await;
    browser
        .client
        .set_window_size(360, 800)
        .await
        .expect("resize");
    let overflow = browser
        .eval("return document.documentElement.scrollWidth - window.innerWidth;")
        .await;
    assert!(
        overflow.as_f64().unwrap_or(1.0) <= 0.0,
        "horizontal scroll at 360 px: {overflow}"
    );
    browser.screenshot("narrow-360").await;
    browser.close().await;
}
