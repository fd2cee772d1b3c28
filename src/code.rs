//! The scenario as programs, in the tutorials' style: one per producer and one per consumer,
//! each declaring what it uses, ready to run against a real RabbitMQ.
//!
//! ```text
//! generate(scenario, Lang::Pika)    → P.py, C1.py, …  (Python, pika 1.x)
//! generate(scenario, Lang::Amqplib) → P.js, C1.js, …  (Node, amqplib, promise API)
//! ```
//!
//! What each program declares is decided here, once for both languages ([`Plan`]): every
//! named exchange and queue of the scenario and every binding between them (declares are
//! idempotent, so the programs can start in any order, as the tutorials' own do); a
//! server-named queue only in the consumer that reads it (`queue=''`, exclusive, as tutorial
//! 3's temporary queues — a named exclusive queue likewise, since only one connection may
//! hold it); an RPC client's callback queue in the client. The broker's host and port come
//! from `AMQP_HOST` / `AMQP_PORT` (default `localhost:5672`).
//!
//! Not carried over (the page's own features, not the client's): a producer's steady rate
//! and bursts (a program publishes once, or `count` times), the editor's layout and
//! captions, broker restarts, and the walkthrough.
//!
//! # Layout
//! - `code/pika.rs`: Python with pika.
//! - `code/amqplib.rs`: Node with amqplib.

mod amqplib;
mod pika;

use crate::sim::scenario::{ArgValue, BindingSpec, ConsumerSpec, ProducerSpec, QueueSpec};
use crate::sim::Scenario;

/// A target language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Python 3 with pika.
    Pika,
    /// Node.js with amqplib.
    Amqplib,
}

impl Lang {
    /// `"pika"` or `"amqplib"`.
    pub fn parse(name: &str) -> Result<Lang, String> {
        match name {
            "pika" | "python" => Ok(Lang::Pika),
            "amqplib" | "node" => Ok(Lang::Amqplib),
            other => Err(format!(
                "no code generator for `{other}` (there are: pika, amqplib)"
            )),
        }
    }
}

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// File name (`P.py`).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// The programs for `scenario`: producers first, then consumers, each its own file.
pub fn generate(scenario: &Scenario, lang: Lang) -> Vec<File> {
    let plan = Plan::new(scenario);
    type Writer<T> = fn(&Plan, &T) -> String;
    let (ext, producer, consumer): (&str, Writer<ProducerSpec>, Writer<ConsumerSpec>) = match lang {
        Lang::Pika => ("py", pika::producer, pika::consumer),
        Lang::Amqplib => ("js", amqplib::producer, amqplib::consumer),
    };
    let mut files: Vec<File> = Vec::new();
    let mut taken = Vec::new();
    let mut name = |who: &str| {
        let base: String = who
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut candidate = format!("{base}.{ext}");
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{base}_{n}.{ext}");
            n += 1;
        }
        taken.push(candidate.clone());
        candidate
    };
    for p in &scenario.producers {
        files.push(File {
            name: name(&p.name),
            text: producer(&plan, p),
        });
    }
    for c in &scenario.consumers {
        files.push(File {
            name: name(&c.name),
            text: consumer(&plan, c),
        });
    }
    files
}

/// What the programs declare, shared by both languages.
pub(crate) struct Plan<'a> {
    pub scenario: &'a Scenario,
}

impl<'a> Plan<'a> {
    fn new(scenario: &'a Scenario) -> Plan<'a> {
        Plan { scenario }
    }

    /// Whether every program declares this queue (named and shareable), or only the
    /// consumer that reads it (server-named or exclusive).
    pub fn shared(q: &QueueSpec) -> bool {
        !q.server_named && !q.exclusive
    }

    /// The queues every program declares.
    pub fn shared_queues(&self) -> impl Iterator<Item = &'a QueueSpec> {
        self.scenario.queues.iter().filter(|q| Plan::shared(q))
    }

    /// Bindings whose ends every program knows (exchange to exchange, or to a shared queue).
    pub fn shared_bindings(&self) -> impl Iterator<Item = &'a BindingSpec> + '_ {
        self.scenario
            .bindings
            .iter()
            .filter(|b| b.to_exchange || self.queue(&b.destination).is_some_and(Plan::shared))
    }

    /// The bindings of a queue only its consumer declares.
    pub fn own_bindings(&self, queue: &'a str) -> impl Iterator<Item = &'a BindingSpec> + '_ {
        self.scenario
            .bindings
            .iter()
            .filter(move |b| !b.to_exchange && b.destination == queue)
    }

    /// A scenario queue by its handle.
    pub fn queue(&self, handle: &str) -> Option<&'a QueueSpec> {
        self.scenario.queues.iter().find(|q| q.name == handle)
    }
}

/// A producer's message properties as `(python name, javascript name, literal)`, in the
/// tutorials' order; an RPC client's `reply_to` and `correlation_id` are left out (the
/// program sets its own callback queue and a fresh id).
pub(crate) fn message_properties(
    p: &ProducerSpec,
    lang: Lang,
) -> Vec<(&'static str, &'static str, String)> {
    let m = &p.properties;
    let mut out = Vec::new();
    if let Some(d) = m.delivery_mode {
        out.push(("delivery_mode", "deliveryMode", d.to_string()));
    }
    if let Some(pr) = m.priority {
        out.push(("priority", "priority", pr.to_string()));
    }
    let rpc = p.callback.is_some();
    for (py, js, v, set_by_rpc) in [
        ("expiration", "expiration", &m.expiration, false),
        ("message_id", "messageId", &m.message_id, false),
        ("correlation_id", "correlationId", &m.correlation_id, true),
        ("reply_to", "replyTo", &m.reply_to, true),
    ] {
        if let Some(v) = v.as_ref().filter(|_| !(rpc && set_by_rpc)) {
            out.push((py, js, quote(v)));
        }
    }
    if !m.headers.is_empty() {
        out.push(("headers", "headers", table(&m.headers, lang)));
    }
    out
}

/// An argument value as a Python or JavaScript literal (both read these the same way).
pub(crate) fn literal(v: &ArgValue, lang: Lang) -> String {
    match v {
        ArgValue::Int(n) => n.to_string(),
        ArgValue::Str(s) => quote(s),
        ArgValue::Bool(b) => match (lang, b) {
            (Lang::Pika, true) => "True".into(),
            (Lang::Pika, false) => "False".into(),
            (_, b) => b.to_string(),
        },
        ArgValue::Void => match lang {
            Lang::Pika => "None".into(),
            Lang::Amqplib => "null".into(),
        },
    }
}

/// A string literal both languages read (single quotes, backslash escapes).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `{'k': v, …}` (Python) or `{'k': v, …}` (JavaScript) for arguments or headers.
pub(crate) fn table(args: &[(String, ArgValue)], lang: Lang) -> String {
    let items: Vec<String> = args
        .iter()
        .map(|(k, v)| format!("{}: {}", quote(k), literal(v, lang)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::presets;

    #[test]
    fn literals_escape_what_would_break_the_program() {
        assert_eq!(quote("it's a \\ path\n"), "'it\\'s a \\\\ path\\n'");
        assert_eq!(quote("\u{1}"), "'\\x01'");
        assert_eq!(literal(&ArgValue::Bool(true), Lang::Pika), "True");
        assert_eq!(literal(&ArgValue::Bool(true), Lang::Amqplib), "true");
        assert_eq!(literal(&ArgValue::Void, Lang::Pika), "None");
        assert_eq!(
            table(&[("x-max-length".into(), ArgValue::Int(5))], Lang::Pika),
            "{'x-max-length': 5}"
        );
    }

    #[test]
    fn every_preset_gives_one_program_per_client_in_both_languages() {
        for name in presets::NAMES {
            let s = presets::by_name(name).unwrap();
            for lang in [Lang::Pika, Lang::Amqplib] {
                let files = generate(&s, lang);
                assert_eq!(files.len(), s.producers.len() + s.consumers.len(), "{name}");
                let mut names: Vec<_> = files.iter().map(|f| f.name.clone()).collect();
                names.dedup();
                assert_eq!(names.len(), files.len(), "{name}: file names are distinct");
            }
        }
    }

    #[test]
    fn message_properties_keep_the_producers_and_leave_an_rpc_clients_own_to_it() {
        let durable = presets::durability();
        let props = message_properties(&durable.producers[0], Lang::Pika);
        assert_eq!(
            props,
            vec![("delivery_mode", "deliveryMode", "2".to_string())]
        );
        let mut rpc = presets::rpc();
        rpc.producers[0].properties.reply_to = Some("elsewhere".into());
        rpc.producers[0].properties.message_id = Some("m1".into());
        let props = message_properties(&rpc.producers[0], Lang::Amqplib);
        assert_eq!(props, vec![("message_id", "messageId", "'m1'".to_string())]);
        let files = generate(&rpc, Lang::Amqplib);
        assert!(
            files[0]
                .text
                .contains("messageId: 'm1', replyTo: callbackQueue, correlationId"),
            "{}",
            files[0].text
        );
    }

    #[test]
    fn an_unknown_language_is_named() {
        assert_eq!(
            Lang::parse("cobol").unwrap_err(),
            "no code generator for `cobol` (there are: pika, amqplib)"
        );
    }
}
