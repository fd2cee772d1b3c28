//! Helpers for the tests that talk to the real RabbitMQ with pika (127.0.0.1:5672, or
//! `AMQP_HOST` / `AMQP_PORT`).
#![allow(dead_code)]

use std::process::Command;

use amqp_playground_web::sim::Scenario;

/// Runs a Python snippet with a pika `channel` open on the broker; its stdout.
pub fn with_channel(body: &str) -> String {
    let script = format!(
        "import os, pika\n\
         c = pika.BlockingConnection(pika.ConnectionParameters(host=os.environ.get('AMQP_HOST', '127.0.0.1'), port=int(os.environ.get('AMQP_PORT', '5672'))))\n\
         ch = c.channel()\n\
         {body}\n\
         c.close()\n"
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3 runs (scripts/setup.sh test installs pika)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Ready messages in each named queue, read with pika (`passive` declares).
pub fn depths(queues: &[String]) -> Vec<(String, u64)> {
    with_channel(&format!(
        "for q in {queues:?}:\n    print(q, ch.queue_declare(queue=q, passive=True).method.message_count)"
    ))
    .lines()
    .filter_map(|l| l.rsplit_once(' '))
    .map(|(q, n)| (q.to_string(), n.parse().unwrap()))
    .collect()
}

/// Deletes the scenario's named queues and its exchanges.
pub fn cleanup(s: &Scenario) {
    let queues: Vec<&str> = s
        .queues
        .iter()
        .filter(|q| !q.server_named)
        .map(|q| q.name.as_str())
        .collect();
    let exchanges: Vec<&str> = s.exchanges.iter().map(|x| x.name.as_str()).collect();
    with_channel(&format!(
        "for q in {queues:?}:\n    ch.queue_delete(queue=q)\nfor x in {exchanges:?}:\n    ch.exchange_delete(exchange=x)"
    ));
}
