//! axe-core (npm, `scripts/js`) on every screen a learner meets: each preset, the four looks,
//! the inspector open, the embed, and a 360 px phone. No serious or critical violation; the
//! report lists every rule that fired (moderate and minor ones included) per screen.

use std::time::Duration;

use amqp_playground_e2e::{build_site, workspace_root, Browser, StaticServer, Tools};

/// axe's own script, installed by scripts/setup.sh.
fn axe_source() -> Option<String> {
    let path = workspace_root().join("scripts/js/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(path).ok()
}

/// Opens `query` and waits for the diagram.
async fn open(browser: &Browser, server: &StaticServer, query: &str) {
    let url = format!("{}{query}", server.url());
    browser.client.goto(&url).await.expect("open the page");
    browser
        .wait_until(
            "the diagram",
            Duration::from_secs(20),
            "return !!window.amqpPlayground && !!document.querySelector('svg.diagram g.node');",
        )
        .await;
}

/// What axe found wrong with a screen.
struct Violation {
    rule: String,
    impact: String,
    elements: usize,
    /// The first few elements' markup.
    at: String,
}

/// axe's violations on the page as it is.
async fn violations(browser: &Browser, axe: &str) -> Vec<Violation> {
    browser
        .eval(&format!("if (!window.axe) {{ {axe} }} return null;"))
        .await;
    let found = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.axe.run(document, { resultTypes: ['violations'] })
                 .then(r => done(r.violations.map(v => [v.id, v.impact || '', v.nodes.length,
                     v.nodes.slice(0, 3).map(n => n.html.slice(0, 160)).join(' | ')])))
                 .catch(e => done([['axe failed: ' + e, 'critical', 0]]));",
            vec![],
        )
        .await
        .expect("axe runs");
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Violation {
            rule: v[0].as_str().unwrap().to_string(),
            impact: v[1].as_str().unwrap().to_string(),
            elements: v[2].as_u64().unwrap() as usize,
            at: v[3].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_screen_has_a_serious_or_critical_accessibility_violation() {
    let test = "no_screen_has_a_serious_or_critical_accessibility_violation";
    let Some(tools) = Tools::find_or_skip(test) else {
        return;
    };
    let Some(axe) = axe_source() else {
        panic!("{test}: axe-core is not installed (bash scripts/setup.sh test installs it)");
    };
    let dist = build_site(&tools);
    let server = StaticServer::start(&dist);
    let browser = Browser::start(&tools).await;
    browser.client.set_window_size(1280, 720).await.unwrap();

    let presets: Vec<String> = {
        open(&browser, &server, "").await;
        let names = browser
            .eval("return window.amqpPlayground.listPresets();")
            .await;
        names
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect()
    };
    assert!(presets.len() >= 15, "{presets:?}");
    let mut screens: Vec<(String, String)> = presets
        .iter()
        .map(|p| (format!("preset {p}"), format!("?preset={p}")))
        .collect();
    for theme in ["classic", "classic-dark", "current", "current-dark"] {
        screens.push((
            format!("look {theme}"),
            format!("?preset=topics&theme={theme}"),
        ));
    }
    screens.push(("embed".into(), "?embed&preset=topics&mode=play".into()));

    let mut report = Vec::new();
    let mut serious = Vec::new();
    let mut check = |screen: &str, found: Vec<Violation>| {
        for v in &found {
            if v.impact == "serious" || v.impact == "critical" {
                serious.push(format!(
                    "{screen}: {} ({}, {} elements: {})",
                    v.rule, v.impact, v.elements, v.at
                ));
            }
        }
        report.push(format!(
            "{screen}: {}",
            if found.is_empty() {
                "no violation".to_string()
            } else {
                found
                    .iter()
                    .map(|v| format!("{} [{}] ×{}", v.rule, v.impact, v.elements))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
    };
    for (screen, query) in &screens {
        open(&browser, &server, query).await;
        check(screen, violations(&browser, &axe).await);
    }
    // The inspector open on a queue, and the same on a phone.
    open(&browser, &server, "?preset=topics").await;
    browser
        .click("svg.diagram g.pick[aria-label='queue Q1']")
        .await;
    browser
        .wait_until(
            "the inspector",
            Duration::from_secs(5),
            "return !!document.querySelector('#node-options');",
        )
        .await;
    check("inspector", violations(&browser, &axe).await);
    browser.client.set_window_size(360, 740).await.unwrap();
    open(&browser, &server, "?preset=topics").await;
    check("360 px", violations(&browser, &axe).await);

    eprintln!("AXE REPORT ({} screens)", report.len());
    for line in &report {
        eprintln!("  {line}");
    }
    browser.close().await;
    assert!(
        serious.is_empty(),
        "serious or critical violations:\n{}",
        serious.join("\n")
    );
}
