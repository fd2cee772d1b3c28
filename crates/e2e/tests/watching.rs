//! Watching in headless Chromium: every way a message can end without a consumer has its
//! own labelled effect on the diagram (unroutable, returned, expired, dropped,
//! dead-lettered), and queues show their depth past five cells in words.

use std::collections::BTreeMap;
use std::time::Duration;

use amqp_playground_e2e::open_playground;

const SCENARIO: &str = r#"{
  "name": "fates",
  "exchanges": [
    { "name": "x", "type": "direct", "caption": "type=direct" },
    { "name": "dlx", "type": "fanout" }
  ],
  "queues": [
    { "name": "ttl", "caption": "ttl (TTL 300 ms)", "arguments": { "x-message-ttl": 300 } },
    { "name": "small", "caption": "small (max 1)", "arguments": { "x-max-length": 1 } },
    { "name": "retry", "caption": "retry (TTL, DLX)", "arguments": { "x-message-ttl": 300, "x-dead-letter-exchange": "dlx" } },
    { "name": "dead", "caption": "dead" },
    { "name": "deep", "caption": "deep" }
  ],
  "bindings": [
    { "exchange": "x", "queue": "ttl", "key": "t" },
    { "exchange": "x", "queue": "small", "key": "s" },
    { "exchange": "x", "queue": "retry", "key": "r" },
    { "exchange": "dlx", "queue": "dead", "key": "" },
    { "exchange": "x", "queue": "deep", "key": "d" }
  ],
  "producers": [{ "name": "P", "exchange": "x", "routingKey": "t" }],
  "consumers": []
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fate_has_its_own_labelled_effect() {
    let Some((_server, browser)) = open_playground("each_fate_has_its_own_labelled_effect").await
    else {
        return;
    };
    browser
        .eval(&format!(
            "const api = window.amqpPlayground;
             api.loadScenario({SCENARIO});
             api.pause();
             for (const key of ['t', 's', 's', 'r', 'none']) api.publish({{ routingKey: key }});
             api.publish({{ routingKey: 'none', mandatory: true }});
             api.publish({{ routingKey: 'd', count: 7 }});
             return null;"
        ))
        .await;
    // Walk the clock in small steps and note every fate drawn, with its label.
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut best = 0;
    for _ in 0..160 {
        browser
            .eval("window.amqpPlayground.advance(40); return null;")
            .await;
        tokio::time::sleep(Duration::from_millis(15)).await;
        let fates = browser
            .eval(
                "return [...document.querySelectorAll('g.token.fate')]
                     .map(g => [g.dataset.fate, g.querySelector('text').textContent]);",
            )
            .await;
        let fates = fates.as_array().cloned().unwrap_or_default();
        for f in &fates {
            seen.insert(
                f[0].as_str().unwrap_or("").to_string(),
                f[1].as_str().unwrap_or("").to_string(),
            );
        }
        let kinds: std::collections::BTreeSet<&str> =
            fates.iter().filter_map(|f| f[0].as_str()).collect();
        if kinds.len() > best {
            best = kinds.len();
            browser.screenshot("watching-fates").await;
        }
    }
    let expected = [
        ("dead-lettered", "☠ dead-lettered"),
        ("dropped", "↓ dropped"),
        ("expired", "◔ expired"),
        ("returned", "↩ returned"),
        ("unroutable", "✕ unroutable"),
    ];
    for (fate, label) in expected {
        assert_eq!(
            seen.get(fate).map(String::as_str),
            Some(label),
            "{fate}: {seen:?}"
        );
    }
    let snap = browser
        .eval("return window.amqpPlayground.snapshot();")
        .await;
    assert_eq!(snap["queues"]["deep"]["ready"], 7, "{snap}");
    assert_eq!(snap["queues"]["dead"]["ready"], 1, "{snap}");
    assert_eq!(snap["returned"], 1, "{snap}");
    // Past five cells the depth is written out.
    let depth = browser
        .eval("return document.querySelector('g.queue[data-name=deep] text.depth').textContent;")
        .await;
    assert_eq!(depth, "7 messages");
    browser.close().await;
}
