//! Speed report for real clients in the page (reported, not asserted: timing on a shared
//! machine is no pass/fail signal): messages per second from a lapin producer through the
//! bridge into the page's core and back out to a lapin consumer, with the diagram animating;
//! and the page's frame times while a client publishes 1,000 msg/s.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use amqp_playground_e2e::{open_bridge, Tools};
use futures_util::StreamExt;
use lapin::options::{
    BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection, ConnectionProperties};

const FRAMES: &str = "const done = arguments[arguments.length - 1];
    const times = []; let last = null;
    function frame(t) {
      if (last !== null) times.push(t - last);
      last = t;
      if (times.length < 180) requestAnimationFrame(frame);
      else {
        times.sort((a, b) => a - b);
        const q = p => times[Math.min(times.length - 1, Math.floor(p * times.length))];
        done({ p50: q(0.5), p95: q(0.95), frames: times.length });
      }
    }
    requestAnimationFrame(frame);";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_clients_through_the_page_speed_report() {
    let Some(tools) = Tools::find_or_skip("real_clients_through_the_page_speed_report") else {
        return;
    };
    let (bridge, browser) = open_bridge(&tools, None).await;
    let url = format!("amqp://guest:guest@{}/%2f", bridge.amqp);
    let consumer = Connection::connect(&url, ConnectionProperties::default())
        .await
        .unwrap();
    let cch = consumer.create_channel().await.unwrap();
    cch.queue_declare(
        "speed".into(),
        QueueDeclareOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();
    let mut deliveries = cch
        .basic_consume(
            "speed".into(),
            "c".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..BasicConsumeOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    let received = Arc::new(AtomicU64::new(0));
    let r = received.clone();
    tokio::spawn(async move {
        while let Some(Ok(_)) = deliveries.next().await {
            r.fetch_add(1, Ordering::Relaxed);
        }
    });
    let producer = Connection::connect(&url, ConnectionProperties::default())
        .await
        .unwrap();
    let pch = producer.create_channel().await.unwrap();
    pch.confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();

    // Throughput: 3,000 messages of 16 bytes, confirms in windows of 100.
    let n = 3_000u64;
    let started = Instant::now();
    for _ in 0..n / 100 {
        let mut window = Vec::new();
        for _ in 0..100 {
            window.push(
                pch.basic_publish(
                    "".into(),
                    "speed".into(),
                    BasicPublishOptions::default(),
                    &[b'x'; 16],
                    BasicProperties::default(),
                )
                .await
                .unwrap(),
            );
        }
        for c in window {
            c.await.unwrap();
        }
    }
    while received.load(Ordering::Relaxed) < n {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not all delivered"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "bridge → page → core → consumer: {n} messages in {elapsed:.2} s = {:.0} msg/s (diagram animating)",
        n as f64 / elapsed
    );

    // Frame times while a client publishes 1,000 msg/s (10 every 10 ms).
    let publishing = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        for _ in 0..500 {
            tick.tick().await;
            for _ in 0..10 {
                let _ = pch
                    .basic_publish(
                        "".into(),
                        "speed".into(),
                        BasicPublishOptions::default(),
                        &[b'x'; 16],
                        BasicProperties::default(),
                    )
                    .await;
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let frames = browser.client.execute_async(FRAMES, vec![]).await.unwrap();
    println!(
        "frame times while a client publishes 1,000 msg/s: p50 {:.1} ms, p95 {:.1} ms over {} frames",
        frames["p50"].as_f64().unwrap_or(0.0),
        frames["p95"].as_f64().unwrap_or(0.0),
        frames["frames"]
    );
    publishing.abort();
    let idle = browser.client.execute_async(FRAMES, vec![]).await.unwrap();
    println!(
        "frame times afterwards: p50 {:.1} ms, p95 {:.1} ms",
        idle["p50"].as_f64().unwrap_or(0.0),
        idle["p95"].as_f64().unwrap_or(0.0)
    );
    assert_eq!(frames["frames"], 180);
    browser.close().await;
    bridge.stop().await.unwrap();
}
