//! `--name value` / `--name=value` options of the server subcommands (`serve`, `bridge`).

use crate::Failure;

/// Splits `args` into `(name, value)` pairs: `takes_value` lists the options that need a value
/// (with what it looks like, for the error), all others are flags (`None`).
pub fn split(
    command: &str,
    args: &[String],
    takes_value: &[(&str, &str)],
    flags: &[&str],
) -> Result<Vec<(String, Option<String>)>, Failure> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        if let Some((_, what)) = takes_value.iter().find(|(n, _)| *n == name) {
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| Failure::Input(format!("{name} needs a value ({what})")))?,
            };
            out.push((name.to_string(), Some(value)));
        } else if flags.contains(&name) {
            out.push((name.to_string(), None));
        } else {
            let known: Vec<&str> = takes_value
                .iter()
                .map(|(n, _)| *n)
                .chain(flags.iter().copied())
                .collect();
            return Err(Failure::Input(format!(
                "unknown option {name} for {command} (expected {})",
                known.join(", ")
            )));
        }
    }
    Ok(out)
}

/// Parses an `--amqp`/`--http` address.
pub fn address(name: &str, value: &str) -> Result<std::net::SocketAddr, Failure> {
    value.parse().map_err(|_| {
        Failure::Input(format!(
            "{name} {value:?} is not an address like 127.0.0.1:5673 (an IP and a port)"
        ))
    })
}

/// The multi-threaded tokio runtime the servers run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Run(format!("cannot start the runtime: {e}")))
}
