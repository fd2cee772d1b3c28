//! Tutorial 1 end to end: the page built by Trunk, in headless Chromium, publishes through the
//! broker core compiled to wasm and delivers to the consumer.

use std::time::Duration;

use amqp_playground_e2e::open_playground;
use fantoccini::Locator;

const SNAPSHOT: &str = "return window.amqpPlayground.snapshot();";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_world_publish_reaches_the_consumer() {
    let Some((_server, browser)) =
        open_playground("hello_world_publish_reaches_the_consumer").await
    else {
        return;
    };
    let c = &browser.client;
    browser
        .wait_until(
            "the app to mount",
            Duration::from_secs(20),
            "return !!document.querySelector('#publish') && !!window.amqpPlayground;",
        )
        .await;

    // The tutorial diagram: P → hello → C, left to right, in the classic colours.
    let nodes = browser
        .eval(
            "return [...document.querySelectorAll('svg.diagram g.node')].map(g => {
                 const s = g.querySelector('ellipse, rect');
                 return [g.dataset.kind, g.dataset.name, s.getAttribute('fill'),
                         g.getBoundingClientRect().x];
             });",
        )
        .await;
    let nodes = nodes.as_array().expect("an array of nodes");
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    let kinds: Vec<(&str, &str, &str)> = nodes
        .iter()
        .map(|n| {
            (
                n[0].as_str().unwrap(),
                n[1].as_str().unwrap(),
                n[2].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("producer", "P", "#00ffff"),
            ("queue", "hello", "#ff0000"),
            ("consumer", "C", "#33ccff")
        ]
    );
    let xs: Vec<f64> = nodes.iter().map(|n| n[3].as_f64().unwrap()).collect();
    assert!(xs[0] < xs[1] && xs[1] < xs[2], "left to right: {xs:?}");
    let caption = c
        .find(Locator::Css("g.queue[data-name='hello'] text.caption"))
        .await
        .expect("the queue's caption")
        .text()
        .await
        .unwrap();
    assert_eq!(caption, "hello");

    // Publish with the button: a token leaves P, and on the running clock the message reaches
    // C through the broker.
    browser.click("#publish").await;
    browser
        .wait_until(
            "a message token on the diagram",
            Duration::from_secs(5),
            "return document.querySelectorAll('svg.diagram circle.token').length > 0;",
        )
        .await;
    browser
        .wait_until(
            "consumer C to receive the message",
            Duration::from_secs(15),
            "return window.amqpPlayground.snapshot().consumers.C.received === 1;",
        )
        .await;
    let snap = browser.eval(SNAPSHOT).await;
    assert_eq!(snap["queues"]["hello"]["ready"], 0, "{snap}");
    assert_eq!(snap["queues"]["hello"]["unacked"], 0, "{snap}");
    assert_eq!(snap["producers"]["P"]["published"], 1, "{snap}");
    browser
        .wait_until(
            "the page to show the count",
            Duration::from_secs(5),
            "return document.querySelector('g.consumer[data-name=C] text.counter')
                 .textContent === '1 received';",
        )
        .await;
    browser.screenshot("hello-world").await;

    // Without a consumer the queue fills: two messages wait in two cells.
    browser
        .eval(
            "const api = window.amqpPlayground;
             api.setConsuming('C', false);
             api.publish({ body: 'one' });
             api.publish({ routingKey: 'hello', body: 'two' });
             api.advance(5000);
             return null;",
        )
        .await;
    browser
        .wait_until(
            "two filled cells in the queue",
            Duration::from_secs(5),
            "const q = document.querySelector('g.queue[data-name=hello]');
             return q.dataset.ready === '2' && q.querySelectorAll('rect.cell-message').length === 2;",
        )
        .await;
    let snap = browser.eval(SNAPSHOT).await;
    assert_eq!(snap["queues"]["hello"]["ready"], 2, "{snap}");
    assert_eq!(snap["consumers"]["C"]["received"], 1, "{snap}");
    browser.screenshot("hello-world-queued").await;

    // Starting the consumer again drains the backlog into C.
    browser
        .click("button.consumer-switch[data-consumer='C']")
        .await;
    browser
        .wait_until(
            "the backlog to reach C",
            Duration::from_secs(15),
            "const s = window.amqpPlayground.snapshot();
             return s.consumers.C.received === 3 && s.queues.hello.ready === 0;",
        )
        .await;

    // Bad input is refused with a clear error, and changes nothing.
    let refused = browser
        .eval(
            "try { window.amqpPlayground.publish({ routingKey: 42 }); return 'accepted'; }
             catch (e) { return e.message; }",
        )
        .await;
    assert_eq!(refused, "publish(spec): `routingKey` must be a string");
    browser.close().await;
}
