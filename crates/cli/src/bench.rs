//! `amqp-playground bench`: a PerfTest-like load generator for any AMQP 0-9-1 broker (ours or
//! RabbitMQ), on lapin and tokio.
//!
//! A run, in order:
//!
//! ```text
//!   setup connection: queue.declare (non-durable, auto-delete, x-expires as a safety net)
//!   consumers: connect, basic.qos, basic.consume          ← all subscribed before any publish
//!   producers: connect, confirm.select, publish …
//!   │ warm-up │ measured window │ drain │                 ← snapshots at each boundary
//!   stop consumers, close connections, queue.delete
//! ```
//!
//! The queue is deleted on every path out of the run, failures included; if the process is
//! killed, auto-delete removes it as soon as the consumers' connections drop, and `x-expires`
//! removes it if no consumer ever subscribed. Exit 0 only if every published message was
//! consumed before the drain timeout (and none was nacked).
//!
//! # Layout
//! - [`args`]: options, cross-checked into a `BenchArgs` (usage errors exit 2).
//! - [`clock`]: the send timestamp in each body.
//! - [`counters`]: per-client counters and summed snapshots.
//! - [`producer`]: a pipelined publisher with an optional confirm window and pacing.
//! - [`consumer`]: a stream consumer with pipelined (optionally batched) acks.
//! - [`histogram`]: allocation-free latency percentiles.
//! - [`report`]: the figures as text or one JSON line.

mod args;
mod clock;
mod consumer;
mod counters;
mod histogram;
mod producer;
mod report;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lapin::options::{
    BasicConsumeOptions, BasicQosOptions, ConfirmSelectOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::uri::AMQPUri;
use lapin::{Channel, Connection, ConnectionProperties};
use tokio::task::JoinHandle;

use crate::Failure;
use args::{AckMode, BenchArgs, Parsed, Stop};
use clock::Clock;
use consumer::ConsumerTask;
use counters::{ConsumerCounters, ProducerCounters, Snapshot};
use histogram::Histogram;
use producer::{Pacing, Producer};
use report::{Report, Setup};

/// Connecting (TCP + AMQP handshake) longer than this means the broker is not there.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Any single setup or teardown operation (declare, consume, close…).
const OP_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the control loop looks at the clock and the counters.
const TICK: Duration = Duration::from_millis(1);
/// Unused-queue expiry (ms): removes the queue if the bench dies before any consumer attached.
const QUEUE_EXPIRES_MS: i32 = 60_000;

/// Runs `amqp-playground bench ARGS…`.
pub(crate) fn run(args: &[String]) -> Result<(), Failure> {
    let a = match args::parse(args).map_err(Failure::Input)? {
        Parsed::Help => {
            print!("{}", args::USAGE);
            return Ok(());
        }
        Parsed::Run(a) => a,
    };
    // One worker per core the process may run on (tokio reads the affinity mask): pinned with
    // `taskset -c 1` that is one worker, beside lapin's own I/O thread per connection.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Run(format!("cannot start the tokio runtime: {e}")))?;
    let outcome = rt.block_on(bench(&a));
    // lapin's I/O threads are gone once the connections are closed; nothing left to wait for.
    rt.shutdown_timeout(Duration::from_secs(1));
    let report = outcome.map_err(Failure::Run)?;
    if a.json {
        println!("{}", report.to_json());
    } else {
        print!("{report}");
    }
    match report.problem {
        None => Ok(()),
        Some(p) => Err(Failure::Run(p)),
    }
}

/// The broker as printed: host, port and vhost, never the credentials.
fn broker_name(uri: &AMQPUri) -> String {
    let vhost = uri.vhost.replace('%', "%25").replace('/', "%2f");
    format!("{}:{}/{vhost}", uri.authority.host, uri.authority.port)
}

async fn within<T>(
    what: &str,
    f: impl std::future::Future<Output = lapin::Result<T>>,
) -> Result<T, String> {
    match tokio::time::timeout(OP_TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => Err(format!(
            "{what}: no answer within {} s",
            OP_TIMEOUT.as_secs()
        )),
    }
}

async fn connect(uri: &AMQPUri, name: String) -> Result<Connection, String> {
    let props = ConnectionProperties::default().with_connection_name(name.into());
    match tokio::time::timeout(CONNECT_TIMEOUT, Connection::connect_uri(uri.clone(), props)).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(format!("cannot connect to {}: {e}", broker_name(uri))),
        Err(_) => Err(format!(
            "cannot connect to {}: no AMQP handshake within {} s",
            broker_name(uri),
            CONNECT_TIMEOUT.as_secs()
        )),
    }
}

async fn bench(a: &BenchArgs) -> Result<Report, String> {
    let clock = Clock::start();
    let queue = a.queue.clone().unwrap_or_else(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("bench-{}-{nanos}", std::process::id())
    });
    let setup = connect(&a.uri, "amqp-playground bench setup".into()).await?;
    let setup_channel = within("channel.open", setup.create_channel()).await?;
    let mut arguments = FieldTable::default();
    arguments.insert("x-expires".into(), AMQPValue::LongInt(QUEUE_EXPIRES_MS));
    let declared = within(
        &format!("queue.declare {queue}"),
        setup_channel.queue_declare(
            queue.as_str().into(),
            QueueDeclareOptions {
                durable: false,
                auto_delete: true,
                ..Default::default()
            },
            arguments,
        ),
    )
    .await;
    let outcome = match declared {
        Ok(_) => drive(a, &queue, clock).await,
        Err(e) => Err(e),
    };
    // Delete on every path. The consumers' cancels may have auto-deleted it already, which
    // RabbitMQ answers with delete-ok anyway (`rabbit_channel`: not_found → {ok, 0}).
    if setup_channel.status().connected() {
        let deleted = within(
            &format!("queue.delete {queue}"),
            setup_channel.queue_delete(queue.as_str().into(), QueueDeleteOptions::default()),
        )
        .await;
        if let Err(e) = deleted {
            if !e.contains("NOT_FOUND") {
                eprintln!("warning: {e}");
            }
        }
    }
    let _ = within("connection.close", setup.close(200, "bench done".into())).await;
    outcome
}

/// The client connections of the run, closed whatever happens.
struct Clients {
    connections: Vec<Connection>,
}

impl Clients {
    async fn close(self) {
        for c in self.connections {
            if c.status().connected() {
                let _ = within("connection.close", c.close(200, "bench done".into())).await;
            }
        }
    }
}

async fn drive(a: &BenchArgs, queue: &str, clock: Clock) -> Result<Report, String> {
    let mut clients = Clients {
        connections: Vec::new(),
    };
    let outcome = drive_clients(a, queue, clock, &mut clients).await;
    clients.close().await;
    outcome
}

async fn drive_clients(
    a: &BenchArgs,
    queue: &str,
    clock: Clock,
    clients: &mut Clients,
) -> Result<Report, String> {
    let routing_key: ShortString = queue.into();

    // Consumers first, so that no message waits in the queue for a subscriber.
    let mut consumer_parts: Vec<(Channel, lapin::Consumer)> = Vec::new();
    for i in 0..a.consumers {
        let conn = connect(&a.uri, format!("amqp-playground bench consumer {i}")).await?;
        let channel = within("channel.open", conn.create_channel()).await;
        clients.connections.push(conn);
        let channel = channel?;
        if let AckMode::Manual { prefetch, .. } = a.ack {
            if prefetch > 0 {
                within(
                    "basic.qos",
                    channel.basic_qos(prefetch, BasicQosOptions::default()),
                )
                .await?;
            }
        }
        let consumer = within(
            "basic.consume",
            channel.basic_consume(
                routing_key.clone(),
                format!("bench-consumer-{i}").into(),
                BasicConsumeOptions {
                    no_ack: a.ack == AckMode::Auto,
                    ..Default::default()
                },
                FieldTable::default(),
            ),
        )
        .await?;
        consumer_parts.push((channel, consumer));
    }
    let mut producer_channels = Vec::new();
    for i in 0..a.producers {
        let conn = connect(&a.uri, format!("amqp-playground bench producer {i}")).await?;
        let channel = within("channel.open", conn.create_channel()).await;
        clients.connections.push(conn);
        let channel = channel?;
        if a.confirm_window.is_some() {
            within(
                "confirm.select",
                channel.confirm_select(ConfirmSelectOptions::default()),
            )
            .await?;
        }
        producer_channels.push(channel);
    }

    let go_ns = clock.now_ns();
    let (warmup, measure) = match a.stop {
        Stop::After { warmup, measure } => (warmup, Some(measure)),
        Stop::Count(_) => (Duration::ZERO, None),
    };
    let warmup_end_ns = go_ns + warmup.as_nanos() as u64;
    let stop_ns = measure.map(|m| warmup_end_ns + m.as_nanos() as u64);

    let (stop_consumers, stop_rx) = tokio::sync::watch::channel(false);
    let consumer_counters: Vec<Arc<ConsumerCounters>> =
        (0..a.consumers).map(|_| Arc::default()).collect();
    let consumers: Vec<JoinHandle<Result<Histogram, String>>> = consumer_parts
        .into_iter()
        .zip(&consumer_counters)
        .map(|((channel, consumer), counters)| {
            tokio::spawn(
                ConsumerTask {
                    channel,
                    consumer,
                    ack: a.ack,
                    warmup_ns: warmup_end_ns,
                    clock,
                    counters: Arc::clone(counters),
                    stop: stop_rx.clone(),
                }
                .run(),
            )
        })
        .collect();

    let stop_producers = Arc::new(AtomicBool::new(false));
    let producer_counters: Vec<Arc<ProducerCounters>> =
        (0..a.producers).map(|_| Arc::default()).collect();
    let n = u64::from(a.producers);
    let producers: Vec<JoinHandle<Result<(), String>>> = producer_channels
        .into_iter()
        .zip(&producer_counters)
        .enumerate()
        .map(|(i, (channel, counters))| {
            let i = i as u64;
            tokio::spawn(
                Producer {
                    channel,
                    routing_key: routing_key.clone(),
                    size: a.size,
                    confirm_window: a.confirm_window,
                    // A total count is split evenly; the first producers take the remainder.
                    quota: match a.stop {
                        Stop::Count(total) => Some(total / n + u64::from(i < total % n)),
                        Stop::After { .. } => None,
                    },
                    pacing: a.rate.map(|r| Pacing {
                        per_s_num: r,
                        per_s_den: n,
                    }),
                    clock,
                    counters: Arc::clone(counters),
                    stop: Arc::clone(&stop_producers),
                }
                .run(),
            )
        })
        .collect();

    // The control loop: warm-up end, then stop (deadline, all producers done, a producer
    // failed, or Ctrl-C).
    let snapshot = |at_ns| Snapshot::take(at_ns, &producer_counters, &consumer_counters);
    let mut window_start = (warmup_end_ns == go_ns).then(|| Snapshot {
        at_ns: go_ns,
        ..Default::default()
    });
    let mut interrupted = false;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let now = clock.now_ns();
        if window_start.is_none() && now >= warmup_end_ns {
            window_start = Some(snapshot(now));
        }
        if stop_ns.is_some_and(|s| now >= s) || producers.iter().any(|p| p.is_finished()) {
            // In a --count run a producer may finish early only because its share is done.
            if stop_ns.is_some() || producers.iter().all(|p| p.is_finished()) {
                break;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(TICK) => {}
            _ = &mut ctrl_c => { interrupted = true; break; }
        }
    }
    let stopped_ns = clock.now_ns();
    stop_producers.store(true, std::sync::atomic::Ordering::Relaxed);
    let window_end = snapshot(stopped_ns);
    let window_start = window_start.unwrap_or(Snapshot {
        at_ns: go_ns,
        ..Default::default()
    });

    let mut errors = Vec::new();
    for (i, p) in producers.into_iter().enumerate() {
        match p.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(format!("producer {i}: {e}")),
            Err(e) => errors.push(format!("producer {i}: task failed: {e}")),
        }
    }

    // Drain: wait for the consumers to receive what was published (a Ctrl-C cuts it short:
    // tokio now owns SIGINT, so the default "terminate" would never come).
    let published = snapshot(0).published;
    let drain_deadline = clock.now_ns() + a.drain_timeout.as_nanos() as u64;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let s = snapshot(0);
        if s.consumed >= published
            || clock.now_ns() >= drain_deadline
            || consumers.iter().all(|c| c.is_finished())
        {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep(TICK) => {}
            _ = &mut ctrl_c => { interrupted = true; break; }
        }
    }
    let drained_ns = clock.now_ns();
    let _ = stop_consumers.send(true);
    let mut latency = Histogram::default();
    for (i, c) in consumers.into_iter().enumerate() {
        match c.await {
            Ok(Ok(h)) => latency.merge(&h),
            Ok(Err(e)) => errors.push(format!("consumer {i}: {e}")),
            Err(e) => errors.push(format!("consumer {i}: task failed: {e}")),
        }
    }
    let totals = snapshot(drained_ns);

    let problem = if !errors.is_empty() {
        Some(errors.join("; "))
    } else if interrupted {
        Some("interrupted".into())
    } else if totals.published == 0 {
        Some("nothing was published".into())
    } else if totals.nacked > 0 {
        Some(format!("the broker nacked {} messages", totals.nacked))
    } else if totals.consumed != totals.published {
        Some(format!(
            "published {} but consumed {} within the {} s drain timeout",
            totals.published,
            totals.consumed,
            a.drain_timeout.as_secs_f64()
        ))
    } else {
        None
    };
    let (prefetch, multi_ack_every) = match a.ack {
        AckMode::Auto => (None, None),
        AckMode::Manual {
            prefetch,
            multi_ack_every,
        } => (Some(prefetch), multi_ack_every),
    };
    Ok(Report {
        broker: broker_name(&a.uri),
        queue: queue.to_owned(),
        setup: Setup {
            producers: a.producers,
            consumers: a.consumers,
            size: a.size,
            confirm_window: a.confirm_window,
            ack: if a.ack == AckMode::Auto {
                "auto"
            } else {
                "manual"
            },
            prefetch,
            multi_ack_every,
            rate: a.rate,
        },
        warmup_s: warmup.as_secs_f64(),
        window: (window_start, window_end),
        consume_window: match a.stop {
            Stop::Count(_) => (window_start, totals),
            Stop::After { .. } => (window_start, window_end),
        },
        totals,
        latency_ns: latency,
        drain_s: drained_ns.saturating_sub(stopped_ns) as f64 / 1e9,
        problem,
    })
}
