//! `bench` options: parsed and cross-checked before any connection is opened, so a bad
//! combination is a usage error (exit 2) and never a half-run benchmark.

use std::time::Duration;

use lapin::uri::AMQPUri;

/// The `bench` help text (also printed by `amqp-playground bench --help`).
pub(crate) const USAGE: &str = "\
amqp-playground bench — a PerfTest-like AMQP load generator

USAGE:
    amqp-playground bench --amqp URL [OPTIONS]

Every producer and every consumer has its own connection (as in RabbitMQ's PerfTest). They
share one queue, declared non-durable and auto-delete, and deleted at the end. Each message
carries its send time in its first 8 bytes, so consumers measure end-to-end latency.

OPTIONS:
    --amqp URL              Broker, e.g. amqp://guest:guest@127.0.0.1:5672/%2f (required)
    --producers N           Producer connections (default 1)
    --consumers N           Consumer connections (default 1)
    --size BYTES            Message body size, at least 8 (default 16)
    --confirm WINDOW        Publisher confirms with at most WINDOW unconfirmed messages per
                            producer; 0 = no confirms (default 0)
    --ack auto|manual       Consumer acknowledgement mode (default auto)
    --prefetch N            basic.qos prefetch per consumer, manual ack only; 0 = unlimited
                            (default 0)
    --multi-ack-every N     Manual ack: ack every Nth delivery with multiple=true
    --rate MSGS_PER_S       Total publish rate over all producers; 0 = as fast as possible
                            (default 0)
    --duration SECONDS      Measured time after the warm-up (default 10)
    --count N               Publish N messages in total instead of running for a duration
                            (no warm-up: the whole run is measured)
    --warmup SECONDS        Duration runs: time excluded from the figures (default 1)
    --drain-timeout SECONDS How long consumers may take to receive the rest once producers
                            stop (default 10)
    --queue NAME            Queue name (default bench-<pid>-<nanos>)
    --json                  Print the figures as one JSON line instead of the report
    -h, --help              Print this help

EXIT CODES:
    0 every published message was consumed, 1 the run failed or lost messages,
    2 usage error
";

/// How consumers acknowledge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum AckMode {
    /// `basic.consume` with `no-ack`: the broker forgets a message once it is sent.
    Auto,
    /// Explicit `basic.ack`, one per delivery or one `multiple` ack every `every` deliveries.
    Manual {
        prefetch: u16,
        multi_ack_every: Option<u32>,
    },
}

/// When the producers stop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Stop {
    /// After `warmup` plus `measure`; only `measure` counts in the figures.
    After { warmup: Duration, measure: Duration },
    /// Once this many messages (in total, split over the producers) are published.
    Count(u64),
}

/// A validated `bench` invocation.
#[derive(Clone, Debug)]
pub(crate) struct BenchArgs {
    pub uri: AMQPUri,
    pub producers: u32,
    pub consumers: u32,
    pub size: usize,
    /// `None`: no publisher confirms.
    pub confirm_window: Option<u32>,
    pub ack: AckMode,
    /// Total messages per second; `None` = unlimited.
    pub rate: Option<u64>,
    pub stop: Stop,
    pub drain_timeout: Duration,
    /// `None`: a fresh `bench-<pid>-<nanos>` name.
    pub queue: Option<String>,
    pub json: bool,
}

/// What the command line asks for.
#[derive(Debug)]
pub(crate) enum Parsed {
    Help,
    Run(Box<BenchArgs>),
}

/// More than this many clients on one machine measures the machine, not the broker.
const MAX_CLIENTS: u32 = 1000;
/// RabbitMQ 4's default `max_message_size` is 16 MiB.
const MAX_SIZE: usize = 16 * 1024 * 1024;
/// Delivery tags and confirm windows beyond this are not a benchmark any more.
const MAX_WINDOW: u32 = 1_000_000;

/// Parses the arguments after `bench`.
pub(crate) fn parse(args: &[String]) -> Result<Parsed, String> {
    let mut uri = None;
    let mut producers = 1;
    let mut consumers = 1;
    let mut size = 16;
    let mut confirm = 0;
    let mut ack_manual = false;
    let mut prefetch = None;
    let mut multi_ack_every = None;
    let mut rate = 0;
    let mut duration = None;
    let mut count = None;
    let mut warmup = None;
    let mut drain_timeout = 10.0;
    let mut queue = None;
    let mut json = false;

    let mut it = args.iter();
    while let Some(arg) = it.next() {
        // `--name value` and `--name=value` are both accepted.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match name {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--json" => match inline {
                None => json = true,
                Some(_) => return Err("--json takes no value".into()),
            },
            "--amqp" => {
                let v = value()?;
                let parsed: AMQPUri = v
                    .parse()
                    .map_err(|e| format!("--amqp {v:?} is not an AMQP URL: {e}"))?;
                uri = Some(parsed);
            }
            "--producers" => producers = int(name, &value()?, 1, MAX_CLIENTS.into())? as u32,
            "--consumers" => consumers = int(name, &value()?, 1, MAX_CLIENTS.into())? as u32,
            "--size" => size = int(name, &value()?, 8, MAX_SIZE as u64)? as usize,
            "--confirm" => confirm = int(name, &value()?, 0, MAX_WINDOW.into())? as u32,
            "--ack" => {
                ack_manual = match value()?.as_str() {
                    "auto" => false,
                    "manual" => true,
                    other => return Err(format!("--ack must be auto or manual, got {other:?}")),
                }
            }
            "--prefetch" => prefetch = Some(int(name, &value()?, 0, u16::MAX.into())? as u16),
            "--multi-ack-every" => {
                multi_ack_every = Some(int(name, &value()?, 1, MAX_WINDOW.into())? as u32)
            }
            "--rate" => rate = int(name, &value()?, 0, 100_000_000)?,
            "--duration" => duration = Some(seconds(name, &value()?, false)?),
            "--count" => count = Some(int(name, &value()?, 1, u64::MAX >> 1)?),
            "--warmup" => warmup = Some(seconds(name, &value()?, true)?),
            "--drain-timeout" => drain_timeout = seconds(name, &value()?, true)?,
            "--queue" => {
                let v = value()?;
                if v.is_empty() || v.len() > 255 {
                    return Err("--queue needs a name of 1 to 255 bytes".into());
                }
                if v.starts_with("amq.") {
                    return Err(format!("--queue {v:?}: the amq. prefix is reserved"));
                }
                queue = Some(v);
            }
            other if other.starts_with('-') => {
                return Err(format!("bench: unknown option {other} (see bench --help)"))
            }
            other => {
                return Err(format!(
                    "bench: unexpected argument {other:?} (see bench --help)"
                ))
            }
        }
    }

    let uri = uri.ok_or("bench needs --amqp URL (e.g. amqp://guest:guest@127.0.0.1:5672/%2f)")?;
    if !ack_manual {
        if prefetch.is_some() {
            return Err(
                "--prefetch applies to --ack manual (auto-ack consumers have no window)".into(),
            );
        }
        if multi_ack_every.is_some() {
            return Err("--multi-ack-every applies to --ack manual".into());
        }
    }
    let prefetch = prefetch.unwrap_or(0);
    if let Some(n) = multi_ack_every {
        // The broker stops delivering at `prefetch` unacked messages: a larger batch would
        // wait forever for its Nth delivery.
        if prefetch != 0 && n > u32::from(prefetch) {
            return Err(format!(
                "--multi-ack-every {n} is larger than --prefetch {prefetch}: the consumer would stall"
            ));
        }
    }
    let stop = match (duration, count) {
        (Some(_), Some(_)) => return Err("give --duration or --count, not both".into()),
        (_, Some(n)) => {
            if warmup.is_some() {
                return Err(
                    "--warmup applies to --duration runs (a --count run is measured whole)".into(),
                );
            }
            Stop::Count(n)
        }
        (d, None) => Stop::After {
            warmup: Duration::from_secs_f64(warmup.unwrap_or(1.0)),
            measure: Duration::from_secs_f64(d.unwrap_or(10.0)),
        },
    };
    Ok(Parsed::Run(Box::new(BenchArgs {
        uri,
        producers,
        consumers,
        size,
        confirm_window: (confirm > 0).then_some(confirm),
        ack: if ack_manual {
            AckMode::Manual {
                prefetch,
                multi_ack_every,
            }
        } else {
            AckMode::Auto
        },
        rate: (rate > 0).then_some(rate),
        stop,
        drain_timeout: Duration::from_secs_f64(drain_timeout),
        queue,
        json,
    })))
}

fn int(name: &str, v: &str, min: u64, max: u64) -> Result<u64, String> {
    match v.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "{name} must be an integer from {min} to {max}, got {v:?}"
        )),
    }
}

/// Seconds as a decimal number; a day at most, so `Duration::from_secs_f64` cannot panic.
fn seconds(name: &str, v: &str, zero_ok: bool) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(s) if s.is_finite() && s <= 86_400.0 && (s > 0.0 || (zero_ok && s == 0.0)) => Ok(s),
        _ => Err(format!(
            "{name} must be a number of seconds ({} to 86400), got {v:?}",
            if zero_ok { "0" } else { "more than 0" }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(line: &str) -> Result<BenchArgs, String> {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        match parse(&args)? {
            Parsed::Run(a) => Ok(*a),
            Parsed::Help => Err("help".into()),
        }
    }

    const URL: &str = "--amqp amqp://127.0.0.1:5672/%2f";

    #[test]
    fn defaults_are_perftest_like() {
        let a = parse_str(URL).unwrap();
        assert_eq!((a.producers, a.consumers, a.size), (1, 1, 16));
        assert_eq!(a.confirm_window, None);
        assert_eq!(a.ack, AckMode::Auto);
        assert_eq!(a.rate, None);
        assert_eq!(
            a.stop,
            Stop::After {
                warmup: Duration::from_secs(1),
                measure: Duration::from_secs(10)
            }
        );
    }

    #[test]
    fn manual_ack_with_confirms_and_inline_values() {
        let a = parse_str(&format!(
            "{URL} --confirm=100 --ack manual --prefetch 100 --multi-ack-every 10 --count 5"
        ))
        .unwrap();
        assert_eq!(a.confirm_window, Some(100));
        assert_eq!(
            a.ack,
            AckMode::Manual {
                prefetch: 100,
                multi_ack_every: Some(10)
            }
        );
        assert_eq!(a.stop, Stop::Count(5));
    }

    #[test]
    fn bad_combinations_are_usage_errors() {
        for (line, needle) in [
            ("", "needs --amqp"),
            ("--amqp", "needs a value"),
            ("--amqp not-a-url", "not an AMQP URL"),
            (&format!("{URL} --size 4"), "--size must be"),
            (&format!("{URL} --producers 0"), "--producers must be"),
            (&format!("{URL} --rate fast"), "--rate must be"),
            (&format!("{URL} --ack maybe"), "auto or manual"),
            (&format!("{URL} --prefetch 10"), "applies to --ack manual"),
            (
                &format!("{URL} --ack manual --prefetch 5 --multi-ack-every 10"),
                "stall",
            ),
            (&format!("{URL} --duration 5 --count 5"), "not both"),
            (&format!("{URL} --count 5 --warmup 1"), "--warmup applies"),
            (&format!("{URL} --duration -1"), "--duration must be"),
            (&format!("{URL} --duration NaN"), "--duration must be"),
            (&format!("{URL} --queue amq.x"), "reserved"),
            (
                &format!("{URL} --frobnicate"),
                "unknown option --frobnicate",
            ),
            (&format!("{URL} extra"), "unexpected argument"),
        ] {
            let err = parse_str(line).expect_err(line);
            assert!(err.contains(needle), "{line:?}: {err}");
        }
    }
}
