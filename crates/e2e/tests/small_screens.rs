//! Small screens: at 360×740 (a phone) and 1280×720 (a laptop) the diagram is on the first
//! screen, for every preset; a screenshot of each preset at 360×740 lands in
//! `target/screenshots/small-PRESET.png`. Then one tutorial by touch on a phone: publish,
//! pause, and tap the message (its `#1` in the event log) for its history.

use std::time::Duration;

use amqp_playground_e2e::{open_playground, Browser};

/// How much of the diagram the first screen shows: (its top, the visible height, its height).
async fn diagram_on_first_screen(browser: &Browser) -> (f64, f64, f64) {
    let r = browser
        .eval(
            "window.scrollTo(0, 0);
             const r = document.querySelector('svg.diagram').getBoundingClientRect();
             return [r.top, Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0), r.height];",
        )
        .await;
    let n = |i: usize| r[i].as_f64().unwrap();
    (n(0), n(1), n(2))
}

/// The viewport itself (the window's outer size would include the browser's frame).
async fn viewport(browser: &Browser, w: u32, h: u32) {
    let metrics = serde_json::json!({
        "width": w, "height": h, "deviceScaleFactor": 1, "mobile": w < 640
    });
    browser
        .cdp("Emulation.setDeviceMetricsOverride", metrics)
        .await;
}

/// A finger's tap on the middle of the first element matching `selector`, scrolled to.
async fn tap(browser: &Browser, selector: &str) {
    let at = browser
        .eval(&format!(
            "const el = document.querySelector({});
             el.scrollIntoView({{ block: 'center' }}); // the finger scrolls there first
             const r = el.getBoundingClientRect();
             return [r.left + r.width / 2, r.top + r.height / 2];",
            serde_json::json!(selector)
        ))
        .await;
    let point = serde_json::json!([{ "x": at[0], "y": at[1] }]);
    let start = serde_json::json!({ "type": "touchStart", "touchPoints": point });
    let end = serde_json::json!({ "type": "touchEnd", "touchPoints": [] });
    browser.cdp("Input.dispatchTouchEvent", start).await;
    browser.cdp("Input.dispatchTouchEvent", end).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_preset_shows_its_diagram_on_the_first_screen_of_a_phone_and_a_laptop() {
    let Some((_server, browser)) = open_playground(
        "every_preset_shows_its_diagram_on_the_first_screen_of_a_phone_and_a_laptop",
    )
    .await
    else {
        return;
    };
    let presets = browser
        .eval("return window.amqpPlayground.listPresets();")
        .await;
    let presets: Vec<String> = presets
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let mut report = Vec::new();
    for (w, h) in [(360u32, 740u32), (1280, 720)] {
        viewport(&browser, w, h).await;
        for preset in &presets {
            let load = format!("window.amqpPlayground.loadPreset('{preset}'); return null;");
            browser.eval(&load).await;
            browser
                .wait_until(
                    "the diagram",
                    Duration::from_secs(5),
                    "return !!document.querySelector('svg.diagram g.node');",
                )
                .await;
            let (top, visible, height) = diagram_on_first_screen(&browser).await;
            let line = format!(
                "{w}x{h} {preset}: top {top:.0}, {visible:.0} of {height:.0} px on the first screen"
            );
            if w == 360 {
                browser.screenshot(&format!("small-{preset}")).await;
                // On a phone the whole diagram is on the first screen.
                assert!(visible >= height - 1.0, "{line}");
            } else {
                // On a laptop it starts there, with room to see it.
                assert!(visible >= height.min(150.0), "{line}");
            }
            report.push(line);
        }
    }
    for line in &report {
        eprintln!("{line}");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tutorial_by_touch_on_a_phone() {
    let Some((server, browser)) = open_playground("a_tutorial_by_touch_on_a_phone").await else {
        return;
    };
    viewport(&browser, 360, 740).await;
    let touch = serde_json::json!({ "enabled": true, "maxTouchPoints": 1 });
    browser
        .cdp("Emulation.setTouchEmulationEnabled", touch)
        .await;
    // Picked from a list of tutorials (a docs page's link): the routing one.
    let url = format!("{}?preset=routing", server.url());
    browser.client.goto(&url).await.unwrap();
    browser
        .wait_until(
            "the routing tutorial",
            Duration::from_secs(20),
            "return !!window.amqpPlayground
                 && !!document.querySelector('g.pick[data-name=direct_logs]');",
        )
        .await;
    // Publish, then pause while the message is on its way, by touch.
    tap(&browser, "#publish").await;
    browser
        .wait_until(
            "a message on its way",
            Duration::from_secs(5),
            "return document.querySelectorAll('circle.token').length === 1;",
        )
        .await;
    tap(&browser, "#play").await;
    browser
        .wait_until(
            "paused",
            Duration::from_secs(5),
            "return window.amqpPlayground.snapshot().playing === false;",
        )
        .await;
    // Its history: a token is a few pixels wide at this scale, so a finger taps the message's
    // `#1` in the event log.
    // The log has it once the broker has it: Step there.
    tap(&browser, "#step").await;
    browser
        .wait_until(
            "the message in the log",
            Duration::from_secs(5),
            "return !!document.querySelector(\"button.message-link[data-message='1']\");",
        )
        .await;
    tap(&browser, "button.message-link[data-message='1']").await;
    browser
        .wait_until(
            "the message's history",
            Duration::from_secs(5),
            "const h = document.querySelector('section.message-history');
             return !!h && h.textContent.includes('published to `direct_logs`');",
        )
        .await;
    browser.screenshot("touch-history").await;
    browser.close().await;
}
