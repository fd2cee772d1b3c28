//! Frame-rate report (issues 4 and 12: ≥ 60 fps with 200 nodes and 500 messages in flight, ≥ 45 fps
//! with the CPU throttled 4× through DevTools), and the same while the held-message limit is in
//! force (issue 12). Prints p50/p95 frame intervals measured with requestAnimationFrame in
//! headless Chromium. Reported, not asserted: timing on a shared machine is not a pass/fail
//! signal.

use amqp_playground_e2e::open_playground;

/// One producer, one fanout exchange, 99 queues with a consumer each: 200 nodes.
fn big_scenario() -> serde_json::Value {
    let n = 99;
    let queues: Vec<_> = (1..=n)
        .map(|i| serde_json::json!({ "name": format!("q{i}") }))
        .collect();
    let bindings: Vec<_> = (1..=n)
        .map(|i| serde_json::json!({ "exchange": "fan", "queue": format!("q{i}"), "showKey": false }))
        .collect();
    let consumers: Vec<_> = (1..=n)
        .map(|i| serde_json::json!({ "name": format!("C{i}"), "subscript": i.to_string(), "queue": format!("q{i}") }))
        .collect();
    serde_json::json!({
        "name": "bench-200",
        "exchanges": [{ "name": "fan", "type": "fanout" }],
        "queues": queues,
        "bindings": bindings,
        "producers": [{ "name": "P", "exchange": "fan" }],
        "consumers": consumers,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frame_times_with_200_nodes_and_500_messages_in_flight() {
    let Some((_server, browser)) =
        open_playground("frame_times_with_200_nodes_and_500_messages_in_flight").await
    else {
        return;
    };
    let scenario = big_scenario().to_string();
    for throttle in [1, 4] {
        throttle_cpu(&browser, throttle).await;
        frames(&browser, &scenario, throttle).await;
    }
    throttle_cpu(&browser, 1).await;
    // Scrubbing replays the run from the start up to the chosen time: how long does a jump
    // back to the middle of this busy run take (the reducer's replay plus the redraw)?
    let seek = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const slider = document.querySelector('#timeline');
             const target = Math.round(Number(slider.max) / 20) * 10; // the slider's step is 10
             const start = performance.now();
             slider.value = String(target);
             slider.dispatchEvent(new Event('input', { bubbles: true }));
             queueMicrotask(() => done({ ms: performance.now() - start, to: target,
                                         now: window.amqpPlayground.snapshot().now }));",
            vec![],
        )
        .await
        .expect("scrub the timeline");
    eprintln!(
        "SEEK to {} ms of the 200-node run (replay + redraw): {:.1} ms",
        seek["to"],
        seek["ms"].as_f64().unwrap_or(f64::NAN)
    );
    assert_eq!(
        seek["now"], seek["to"],
        "the scrubber moved the clock: {seek}"
    );
    browser.close().await;
}

/// Slows the CPU down `rate` times, as on a school laptop (DevTools' CPU throttling); 1 is
/// full speed.
async fn throttle_cpu(browser: &amqp_playground_e2e::Browser, rate: u32) {
    browser
        .cdp(
            "Emulation.setCPUThrottlingRate",
            serde_json::json!({ "rate": rate }),
        )
        .await;
}

/// Sets the 200-node run going and measures `180 / throttle` frames of it (about the same
/// stretch of virtual time, while the messages are still in flight), printing the report.
async fn frames(browser: &amqp_playground_e2e::Browser, scenario: &str, throttle: u32) {
    let setup = format!(
        "const api = window.amqpPlayground;
         api.loadScenario({scenario});
         api.pause();
         for (let i = 0; i < 5; i++) api.publish({{}});
         api.advance(800);   // the five copies reach the exchange: 495 deliveries set off
         return api.snapshot().inFlight;"
    );
    let in_flight = browser.eval(&setup).await;
    let nodes = browser
        .eval("return document.querySelectorAll('svg.diagram g.node').length;")
        .await;
    assert_eq!(nodes, 200);
    assert!(in_flight.as_u64().unwrap_or(0) >= 495, "{in_flight}");
    // Play slowly so the messages stay in flight while frames are measured.
    let report = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const FRAMES = arguments[0];
             const api = window.amqpPlayground;
             // Time the page's own frame work by wrapping requestAnimationFrame for the app's
             // callbacks: `work` is the callback plus the microtask after it (Yew renders in a
             // microtask the dispatch queued, so it runs before ours): reducer, diff and DOM
             // writes. `whole` runs until a message task after the frame: that adds style,
             // layout and paint.
             const work = [], whole = [];
             const raf = window.requestAnimationFrame.bind(window);
             const channel = new MessageChannel();
             let started = [];
             channel.port1.onmessage = () => { whole.push(performance.now() - started.shift()); };
             window.requestAnimationFrame = cb => raf(t => {
               const start = performance.now();
               cb(t);
               if (cb.__app === false) return;
               queueMicrotask(() => work.push(performance.now() - start));
               started.push(start);
               channel.port2.postMessage(0);
             });
             api.setSpeed(0.25);
             api.play();
             const times = [];
             let last = null;
             const tokens = [];
             frame.__app = false;
             function frame(t) {
               if (last !== null) times.push(t - last);
               last = t;
               if (times.length % 30 === 0)
                 tokens.push(document.querySelectorAll('circle.token').length);
               if (times.length < FRAMES) requestAnimationFrame(frame);
               else {
                 api.pause();
                 window.requestAnimationFrame = raf;
                 times.sort((a, b) => a - b);
                 work.sort((a, b) => a - b);
                 whole.sort((a, b) => a - b);
                 const q = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
                 done({ p50: q(times, 0.5), p95: q(times, 0.95), frames: times.length,
                        work50: q(work, 0.5), work95: q(work, 0.95), worked: work.length,
                        whole50: q(whole, 0.5), whole95: q(whole, 0.95),
                        tokens: Math.min(...tokens) });
               }
             }
             requestAnimationFrame(frame);",
            vec![serde_json::json!(180 / throttle)],
        )
        .await
        .expect("measure frames");
    eprintln!(
        "FRAME TIMES at {throttle}x CPU throttle (200 nodes, >= {} tokens drawn): p50 {:.1} ms, p95 {:.1} ms over {} frames",
        report["tokens"],
        report["p50"].as_f64().unwrap_or(f64::NAN),
        report["p95"].as_f64().unwrap_or(f64::NAN),
        report["frames"]
    );
    // Where a frame's time goes: the page's own code, then the browser's style/layout/paint.
    eprintln!(
        "FRAME WORK at {throttle}x (reducer + Yew render + DOM writes): p50 {:.1} ms, p95 {:.1} ms over {} frames; \
         with style, layout and paint: p50 {:.1} ms, p95 {:.1} ms",
        report["work50"].as_f64().unwrap_or(f64::NAN),
        report["work95"].as_f64().unwrap_or(f64::NAN),
        report["worked"],
        report["whole50"].as_f64().unwrap_or(f64::NAN),
        report["whole95"].as_f64().unwrap_or(f64::NAN),
    );
}

/// While the page's held-message limit is in force (`sim::limits::MAX_HELD`): hello world's
/// consumer stopped, its producer at the fastest rate until the broker is just short of the
/// limit, then played at 8×: the producer reaches the limit and pauses. Prints the frame
/// times unthrottled and at 4×; asserts the limit holds and the learner is told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frame_times_while_publishing_is_paused_at_the_held_message_limit() {
    let Some((_server, browser)) =
        open_playground("frame_times_while_publishing_is_paused_at_the_held_message_limit").await
    else {
        return;
    };
    let held = browser
        .eval(
            "const api = window.amqpPlayground;
             api.loadPreset('hello-world');
             api.pause();
             api.setConsuming('C', false);
             api.setRate(1000);
             // Just short of the limit: playing reaches it within the first second.
             for (let i = 0; i < 99; i++) api.advance(1000);
             return api.snapshot().queues.hello.ready;",
        )
        .await;
    let held = held.as_u64().unwrap_or_else(|| panic!("{held}"));
    assert!((98_000..100_000).contains(&held), "{held}");
    for throttle in [1, 4] {
        throttle_cpu(&browser, throttle).await;
        let report = browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const FRAMES = arguments[0];
                 const api = window.amqpPlayground;
                 api.setSpeed(8);
                 api.play();
                 const times = [];
                 let last = null;
                 let told = false;
                 function frame(t) {
                   if (last !== null) times.push(t - last);
                   last = t;
                   // What the page says (before pause(), a new action, clears it).
                   if (times.length % 10 === 0 && !told)
                     told = document.body.textContent.includes('publishing paused');
                   if (times.length < FRAMES) requestAnimationFrame(frame);
                   else {
                     api.pause();
                     times.sort((a, b) => a - b);
                     const q = p => times[Math.min(times.length - 1, Math.floor(p * times.length))];
                     done({ p50: q(0.5), p95: q(0.95), frames: times.length, told,
                            ready: api.snapshot().queues.hello.ready });
                   }
                 }
                 requestAnimationFrame(frame);",
                vec![serde_json::json!(120 / throttle)],
            )
            .await
            .expect("measure frames");
        eprintln!(
            "FRAME TIMES at the held-message limit, {throttle}x CPU throttle: p50 {:.1} ms, p95 {:.1} ms over {} frames",
            report["p50"].as_f64().unwrap_or(f64::NAN),
            report["p95"].as_f64().unwrap_or(f64::NAN),
            report["frames"]
        );
        if throttle == 1 {
            assert_eq!(
                report["told"], true,
                "the page says why publishing stopped: {report}"
            );
        }
        let ready = report["ready"].as_u64().unwrap_or(0);
        assert!(
            (99_000..=100_000).contains(&ready),
            "the broker holds the limit, no more: {report}"
        );
    }
    throttle_cpu(&browser, 1).await;
    browser.close().await;
}
