//! A docs page on another origin embeds the playground with `<amqp-playground>` (embed.js):
//! the scenarios play and step with captions, the page's `element.call()` gets answers over
//! postMessage, the frames size themselves, and a frame refuses pages it was not told to trust.
//!
//! The playground is served on one port and `www/docs-example.html` on another (two
//! origins), its `./embed.js` pointed at the playground as a docs author would.

use std::fs;
use std::time::Duration;

use amqp_playground_e2e::{build_site, Browser, StaticServer, Tools};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docs_page_on_another_origin_embeds_plays_steps_and_asks() {
    let Some(tools) =
        Tools::find_or_skip("a_docs_page_on_another_origin_embeds_plays_steps_and_asks")
    else {
        return;
    };
    let dist = build_site(&tools);
    let playground = StaticServer::start(&dist);
    let docs_dir =
        std::env::temp_dir().join(format!("amqp-playground-docs-{}", std::process::id()));
    fs::create_dir_all(&docs_dir).unwrap();
    let page = fs::read_to_string(dist.join("docs-example.html"))
        .expect("docs-example.html is in the built site");
    let page = page
        .replace(
            "src=\"./embed.js\"",
            &format!("src=\"{}embed.js\"", playground.url()),
        )
        .replace("href=\"./", &format!("href=\"{}", playground.url()));
    fs::write(docs_dir.join("index.html"), page).unwrap();
    let docs = StaticServer::start(&docs_dir);
    assert_ne!(docs.url(), playground.url(), "two origins");

    let browser = Browser::start(&tools).await;
    browser
        .client
        .goto(&docs.url())
        .await
        .expect("open the docs page");
    // Every element's frame comes up (lazy ones once scrolled near: the page is short enough
    // in a headless window for the first ones; scroll the rest into view).
    browser
        .eval(
            "window.__events = [];
             for (const el of document.querySelectorAll('amqp-playground')) {
                 for (const name of ['ready', 'height', 'step', 'delivered', 'returned', 'error'])
                     el.addEventListener(name, e => window.__events.push([el.id, name, e.detail]));
                 el.scrollIntoView();
             }
             return null;",
        )
        .await;
    browser
        .wait_until(
            "every embed to say it is ready",
            Duration::from_secs(30),
            "const ids = ['direct', 'fanout', 'topics', 'custom'];
             return ids.every(id => window.__events.some(e => e[0] === id && e[1] === 'ready'));",
        )
        .await;

    // The frame is the playground's origin, not the docs page's.
    let frame_src = browser
        .eval("return document.getElementById('direct').iframe.src;")
        .await;
    let frame_src = frame_src.as_str().unwrap_or_default().to_string();
    assert!(frame_src.starts_with(&playground.url()), "{frame_src}");
    assert!(
        frame_src.contains("origin=http%3A%2F%2F127.0.0.1"),
        "{frame_src}"
    );

    // Step mode: the walkthrough starts at its first caption, whose publish has happened.
    // (Chromium pauses animation frames in frames scrolled out of sight, and the clock with
    // them: look at one embed at a time.)
    browser
        .eval("document.getElementById('direct').scrollIntoView(); return null;")
        .await;
    let tour = browser
        .eval("return await document.getElementById('direct').call('tour');")
        .await;
    assert_eq!(tour["at"], 0, "{tour}");
    assert_eq!(tour["count"], 3, "{tour}");
    assert!(
        tour["caption"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Publish with key `orange`"),
        "{tour}"
    );
    browser
        .wait_until(
            "orange to reach C1",
            Duration::from_secs(20),
            "const s = await document.getElementById('direct').call('snapshot');
             return s.consumers.C1.received === 1;",
        )
        .await;
    // Next, as the reader would press it inside the frame (which lives in the element's
    // shadow root: entered through the element's `iframe` property).
    let frame = browser
        .client
        .execute("return document.getElementById('direct').iframe;", vec![])
        .await
        .expect("the frame");
    let id = frame
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(|v| v.as_str())
        .expect("a WebDriver element reference")
        .to_string();
    fantoccini::elements::Element::from_element_id(browser.client.clone(), id.into())
        .enter_frame()
        .await
        .expect("enter the embed");
    let caption = browser
        .eval("return document.querySelector('.tour-caption').innerText;")
        .await;
    assert!(
        caption
            .as_str()
            .unwrap_or_default()
            .starts_with("Step 1 of 3"),
        "{caption}"
    );
    browser.click("#tour-next").await;
    browser
        .wait_until(
            "step 2 of 3 inside the frame",
            Duration::from_secs(10),
            "return document.querySelector('.tour-caption').innerText.startsWith('Step 2 of 3');",
        )
        .await;
    browser
        .client
        .enter_parent_frame()
        .await
        .expect("back to the docs page");
    browser
        .wait_until(
            "black and green to reach C2, and the step and delivered events to arrive",
            Duration::from_secs(20),
            "const s = await document.getElementById('direct').call('snapshot');
             const ev = window.__events;
             return s.consumers.C2.received === 2 &&
                 ev.some(e => e[0] === 'direct' && e[1] === 'step' && e[2].at === 1) &&
                 ev.some(e => e[0] === 'direct' && e[1] === 'delivered' && e[2].consumer === 'C2');",
        )
        .await;
    // Back rebuilds step 1 exactly.
    let back = browser
        .eval("return await document.getElementById('direct').call('tourBack');")
        .await;
    assert_eq!(back["at"], 0, "{back}");
    let snap = browser
        .eval("return await document.getElementById('direct').call('snapshot');")
        .await;
    assert_eq!(snap["consumers"]["C2"]["received"], 0, "{snap}");

    // Auto-height: each frame took the height its content posted.
    let heights = browser
        .eval(
            "return [...document.querySelectorAll('amqp-playground')].map(el => {
                 const posted = window.__events.filter(e => e[0] === el.id && e[1] === 'height');
                 return { id: el.id, frame: el.iframe.style.height,
                          posted: posted.length ? posted[posted.length - 1][2].height : null };
             });",
        )
        .await;
    for h in heights.as_array().unwrap() {
        let posted = h["posted"]
            .as_u64()
            .unwrap_or_else(|| panic!("no height posted: {h}"));
        assert!(posted > 200, "{h}");
        assert_eq!(h["frame"], format!("{posted}px"), "{h}");
    }

    // The inline scenario was loaded into its frame, with its own walkthrough.
    let custom = browser
        .eval(
            "const el = document.getElementById('custom');
             return { name: (await el.call('exportScenario')).name, tour: await el.call('tour') };",
        )
        .await;
    assert_eq!(custom["name"], "audit-log", "{custom}");
    let code = browser
        .eval("return (await document.getElementById('custom').call('generateCode', 'pika')).files.map(f => f.name);")
        .await;
    assert_eq!(
        code,
        serde_json::json!(["P.py", "C.py"]),
        "generateCode over postMessage"
    );
    assert_eq!(custom["tour"]["count"], 2, "{custom}");
    // View mode and autoplay: the fanout example plays by itself and shows no controls.
    browser
        .eval("document.getElementById('fanout').scrollIntoView(); return null;")
        .await;
    browser
        .wait_until(
            "the fanout walkthrough to play by itself",
            Duration::from_secs(20),
            "const s = await document.getElementById('fanout').call('snapshot');
             return s.consumers.C1.received >= 1 && s.consumers.C2.received >= 1;",
        )
        .await;

    // Errors come back as rejections that say what was wrong.
    let errors = browser
        .eval(
            "const el = document.getElementById('direct');
             const out = [];
             for (const [m, args] of [['nosuch', []], ['loadPreset', ['nope']], ['tourGo', [9]]]) {
                 try { await el.call(m, ...args); out.push('no error'); }
                 catch (e) { out.push(e.message); }
             }
             return out;",
        )
        .await;
    let errors: Vec<&str> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(errors[0].contains("unknown call \"nosuch\""), "{errors:?}");
    assert!(errors[1].contains("nope"), "{errors:?}");
    assert!(errors[2].contains("there is no step 10"), "{errors:?}");

    // The page's own button asks through element.call().
    browser.click("#ask").await;
    browser
        .wait_until(
            "the docs page's answer",
            Duration::from_secs(10),
            "return document.getElementById('answer').textContent.startsWith('C1 received');",
        )
        .await;

    // A frame answers only the origins it trusts: without `origin=` the docs page is ignored;
    // with it, the same request is answered and carries the namespace and the request's id.
    let trust = browser
        .eval(&format!(
            "const ask = (src) => new Promise(resolve => {{
                 const f = document.createElement('iframe');
                 f.src = src;
                 document.body.append(f);
                 let answered = null;
                 window.addEventListener('message', e => {{
                     if (e.source === f.contentWindow && e.data && e.data.id === 'q1') answered = e.data;
                 }});
                 f.onload = () => {{
                     const t0 = Date.now();
                     const poll = setInterval(() => {{
                         f.contentWindow.postMessage({{ ns: 'amqp-playground', v: 1, id: 'q1', call: 'listPresets', args: [] }}, '*');
                         if (answered || Date.now() - t0 > 4000) {{ clearInterval(poll); resolve(answered); }}
                     }}, 250);
                 }};
             }});
             return [await ask('{base}?embed&preset=routing'),
                     await ask('{base}?embed&preset=routing&origin=' + encodeURIComponent(location.origin))];",
            base = playground.url()
        ))
        .await;
    assert_eq!(
        trust[0],
        serde_json::Value::Null,
        "an untrusted page gets no answer: {trust}"
    );
    assert_eq!(trust[1]["ns"], "amqp-playground", "{trust}");
    assert_eq!(trust[1]["id"], "q1", "{trust}");
    assert!(
        trust[1]["result"].as_array().is_some_and(|p| p.len() >= 15),
        "{trust}"
    );

    // Without scripts a reader still has the link.
    let fallback = browser
        .eval("return document.querySelector('#topics > a').getAttribute('href');")
        .await;
    assert!(
        fallback
            .as_str()
            .unwrap_or_default()
            .ends_with("?preset=topics"),
        "{fallback}"
    );

    browser.screenshot("docs-example").await;
    browser.close().await;
    let _ = fs::remove_dir_all(&docs_dir);
}
