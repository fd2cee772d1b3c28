//! Every tutorial preset in headless Chromium: it loads, draws the tutorial's nodes, routes
//! its sample message as the tutorial says, and leaves a screenshot to compare with the
//! tutorial diagram (`target/screenshots/preset-<id>.png`).

use std::time::Duration;

use amqp_playground_e2e::{build_site, Browser, StaticServer, Tools};

/// Preset id, routing key to publish, and consumers expected to receive it.
const CASES: [(&str, &str, &[&str]); 7] = [
    ("hello-world", "hello", &["C"]),
    ("work-queues", "task_queue", &["C1"]),
    ("fair-dispatch", "hello", &["C1"]),
    ("publish-subscribe", "", &["C1", "C2"]),
    ("routing", "black", &["C2"]),
    ("topics", "quick.orange.rabbit", &["C1", "C2"]),
    ("dead-lettering", "work", &["C"]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_preset_loads_routes_and_is_screenshotted() {
    let Some(tools) = Tools::find_or_skip("every_preset_loads_routes_and_is_screenshotted") else {
        return;
    };
    let dist = build_site(&tools);
    let server = StaticServer::start(&dist);
    let browser = Browser::start(&tools).await;
    browser
        .client
        .goto(&server.url())
        .await
        .expect("open the page");
    browser
        .wait_until(
            "the app to mount",
            Duration::from_secs(20),
            "return !!window.amqpPlayground;",
        )
        .await;
    let listed = browser
        .eval("return window.amqpPlayground.listPresets();")
        .await;
    let ids: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    assert_eq!(listed, serde_json::json!(ids));

    for (preset, key, receivers) in CASES {
        browser
            .eval(&format!(
                "const api = window.amqpPlayground;
                 api.loadPreset('{preset}');
                 api.pause();
                 api.publish({{ routingKey: '{key}' }});
                 api.advance(10000);
                 return null;"
            ))
            .await;
        let snap = browser
            .eval("return window.amqpPlayground.snapshot();")
            .await;
        let consumers = snap["consumers"].as_object().expect("consumers");
        for (name, c) in consumers {
            let expected = u64::from(receivers.contains(&name.as_str()));
            assert_eq!(
                c["received"].as_u64(),
                Some(expected),
                "{preset}: consumer {name} after publishing `{key}`: {snap}"
            );
        }
        browser
            .wait_until(
                &format!("{preset} to be drawn"),
                Duration::from_secs(5),
                &format!(
                    "return document.querySelector('#preset').value === '{preset}' &&
                        document.querySelectorAll('svg.diagram g.consumer').length === {};",
                    consumers.len()
                ),
            )
            .await;
        browser.screenshot(&format!("preset-{preset}")).await;
    }

    // The tutorial 5 diagram in every look.
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
