//! Share links end to end: a learner copies a link, another browser (its own profile, nothing
//! saved) opens the same scenario; a bad, truncated or future-version link says what is wrong,
//! loads nothing, and the learner's autosave is untouched.

use std::time::Duration;

use amqp_playground_e2e::{open_playground, Browser, Tools};

const SAVED: &str = "return localStorage.getItem('amqp-playground.scenario.v1');";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_link_opens_the_same_scenario_in_another_browser() {
    let test = "a_copied_link_opens_the_same_scenario_in_another_browser";
    let Some((server, browser)) = open_playground(test).await else {
        return;
    };
    // The learner's own scenario: the topics tutorial with one more binding, renamed, shown
    // in another look and speed, with Q1 moved by hand (as a file they made would have it).
    browser
        .eval(
            "const api = window.amqpPlayground;
             api.loadPreset('topics');
             const s = api.exportScenario();
             s.name = 'my-topics';
             s.bindings.push({ exchange: 'topic_logs', queue: 'Q1', key: 'audit.#' });
             s.view = { theme: 'current-dark', speed: 2,
                        positions: [{ kind: 'queue', name: 'Q1', x: 333, y: 222 }] };
             api.loadScenario(s);
             return null;",
        )
        .await;
    assert_eq!(
        browser
            .eval("return window.amqpPlayground.exportScenario().view;")
            .await,
        serde_json::json!({ "theme": "current-dark", "speed": 2,
                            "positions": [{ "kind": "queue", "name": "Q1", "x": 333, "y": 222 }] }),
        "the view is applied and exported again"
    );
    browser
        .wait_until(
            "the autosave",
            Duration::from_secs(5),
            "return (localStorage.getItem('amqp-playground.scenario.v1') || '').includes('my-topics');",
        )
        .await;
    browser.click("#copy-link").await;
    browser
        .wait_until(
            "the link to be shown",
            Duration::from_secs(5),
            "return !!document.getElementById('share-link');",
        )
        .await;
    let link = browser
        .eval("return document.getElementById('share-link').value;")
        .await;
    let link = link.as_str().expect("the link is shown").to_string();
    assert!(
        link.starts_with(&format!("{}#s=1.", server.url())),
        "{link}"
    );
    assert_eq!(
        browser
            .eval("return window.amqpPlayground.shareLink();")
            .await,
        link.as_str(),
        "the button and the API give the same link"
    );
    let original = browser
        .eval("return window.amqpPlayground.exportScenario();")
        .await;
    let saved = browser.eval(SAVED).await;

    // Another browser: a fresh profile with nothing saved.
    let tools = Tools::find_or_skip(test).expect("found above");
    let other = Browser::start(&tools).await;
    other.client.goto(&link).await.expect("open the link");
    other
        .wait_until(
            "the shared scenario",
            Duration::from_secs(20),
            "return !!window.amqpPlayground &&
                 window.amqpPlayground.exportScenario().name === 'my-topics';",
        )
        .await;
    let opened = other
        .eval("return window.amqpPlayground.exportScenario();")
        .await;
    assert_eq!(
        opened, original,
        "the same scenario, walkthrough, look and layout"
    );
    assert_eq!(
        other
            .eval("return document.getElementById('theme').value;")
            .await,
        "current-dark",
        "the link's look is the page's"
    );
    // An address that names its own look (a docs author's `theme=`) keeps it over the link's.
    let (base, fragment) = link.split_once('#').unwrap();
    other
        .client
        .goto(&format!("{base}?theme=classic#{fragment}"))
        .await
        .unwrap();
    other
        .wait_until(
            "the shared scenario with the address's look",
            Duration::from_secs(20),
            "return !!window.amqpPlayground &&
                 window.amqpPlayground.exportScenario().name === 'my-topics';",
        )
        .await;
    assert_eq!(
        other
            .eval("return document.getElementById('theme').value;")
            .await,
        "classic",
        "the address's theme= wins over the link's"
    );
    let drawn = other
        .eval("return document.querySelectorAll('svg.diagram .edge-label, svg.diagram text').length > 0 &&
                      document.body.innerText.includes('audit.#');")
        .await;
    assert_eq!(drawn, true, "the extra binding is drawn");
    // Opening a link saves nothing until the learner changes something.
    assert_eq!(other.eval(SAVED).await, serde_json::Value::Null);
    other.close().await;

    // Bad links, in the learner's browser: each says what is wrong; the autosave stays.
    let cut = &link[..link.len() - 6];
    for (bad, says) in [
        (format!("{}#s=1.AAAA", server.url()), "does not unpack"),
        (cut.to_string(), "cut short"),
        (format!("{}#s=9.abc", server.url()), "newer playground"),
        (
            format!("{}#s=1.a%20b", server.url()),
            "is not part of a link",
        ),
    ] {
        browser.client.goto("about:blank").await.unwrap();
        browser.client.goto(&bad).await.expect("open a bad link");
        browser
            .wait_until(
                &format!("the message for {bad}"),
                Duration::from_secs(20),
                &format!(
                    "return !!window.amqpPlayground &&
                         document.body.innerText.includes('This link cannot be opened') &&
                         document.body.innerText.includes({says:?});"
                ),
            )
            .await;
        assert_eq!(
            browser
                .eval("return window.amqpPlayground.exportScenario().name;")
                .await,
            "my-topics",
            "{bad}: the learner's own playground comes back"
        );
        assert_eq!(
            browser.eval(SAVED).await,
            saved,
            "{bad}: autosave untouched"
        );
    }
    browser.close().await;
}
