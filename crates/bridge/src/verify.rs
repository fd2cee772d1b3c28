//! Verify: the page's scenario, as a client script, run on the upstream RabbitMQ.
//!
//! The page sends a client script (the `amqp-playground run` format) and runs the same script
//! on its own core; the bridge runs it here with the fidelity harness (lapin, unique names per
//! run, everything deleted afterwards) and answers with the canonical result. The bridge only
//! ever connects to the `--upstream` it was started with: the page sends a script, never an
//! address.

use amqp_playground_fidelity::run_on_rabbitmq;
use amqp_playground_script::Script;

/// The largest script the bridge accepts (a page's scenario is a few kilobytes).
pub const MAX_SCRIPT: usize = 1 << 20;

/// Runs `script` on `upstream` (blocking: call it off the async runtime). The canonical result,
/// or what went wrong in words.
pub fn run(upstream: Option<&str>, script: &str) -> Result<String, String> {
    let upstream = upstream.ok_or_else(|| {
        "this bridge has no upstream RabbitMQ: start it with --upstream amqp://guest:guest@127.0.0.1:5672/"
            .to_string()
    })?;
    if script.len() > MAX_SCRIPT {
        return Err(format!(
            "the script is {} bytes; Verify takes at most {MAX_SCRIPT}",
            script.len()
        ));
    }
    let script = Script::parse(script).map_err(|e| format!("the script is not valid: {e}"))?;
    run_on_rabbitmq(&script, &default_vhost(upstream))
        .map_err(|e| format!("on {}: {e}", redact(upstream)))
}

/// `amqp://host:5672/` and `amqp://host:5672` name the default vhost `/`, as pika and the
/// RabbitMQ tutorials read them; the URI spec (and lapin) would read the first as the empty
/// vhost `""`, which does not exist.
pub fn default_vhost(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if path.is_empty() || path == "/" {
        format!("{scheme}://{authority}/%2f")
    } else {
        url.to_string()
    }
}

/// The upstream's version, from the `server_properties` of its `connection.start` (the first
/// thing a broker sends after the protocol header); `None` if it cannot be reached within 3 s.
pub async fn upstream_version(url: &str) -> Option<String> {
    use amq_protocol::protocol::{connection, AMQPClass};
    use amq_protocol::types::AMQPValue;
    use amqp_playground_wire::codec::{decode, Frame};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let rest = url.split_once("://")?.1;
    let host_port = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host_port = host_port.split('/').next()?;
    let addr = if host_port.contains(':') {
        host_port.to_string()
    } else {
        format!("{host_port}:5672")
    };
    let probe = async {
        let mut tcp = tokio::net::TcpStream::connect(addr).await.ok()?;
        tcp.write_all(b"AMQP\x00\x00\x09\x01").await.ok()?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = tcp.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some((frame, _)) = decode(&buf, 0).ok()? {
                let Frame::Method(_, class) = frame else {
                    return None;
                };
                let AMQPClass::Connection(connection::AMQPMethod::Start(start)) = *class else {
                    return None;
                };
                return match start.server_properties.inner().get("version") {
                    Some(AMQPValue::LongString(v)) => {
                        Some(String::from_utf8_lossy(v.as_bytes()).into_owned())
                    }
                    _ => None,
                };
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(3), probe)
        .await
        .ok()
        .flatten()
}

/// The URL without its password, for messages and the page.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_path_is_the_default_vhost() {
        assert_eq!(default_vhost("amqp://g:g@h:5672/"), "amqp://g:g@h:5672/%2f");
        assert_eq!(default_vhost("amqp://g:g@h:5672"), "amqp://g:g@h:5672/%2f");
        assert_eq!(default_vhost("amqp://h/%2f"), "amqp://h/%2f");
        assert_eq!(default_vhost("amqp://h/dev"), "amqp://h/dev");
    }

    #[test]
    fn passwords_never_leave_the_bridge() {
        assert_eq!(
            redact("amqp://guest:guest@127.0.0.1:5672/"),
            "amqp://guest@127.0.0.1:5672/"
        );
        assert_eq!(redact("amqp://127.0.0.1"), "amqp://127.0.0.1");
    }

    #[test]
    fn without_an_upstream_or_with_a_bad_script_verify_says_why() {
        assert!(run(None, "{}").unwrap_err().contains("--upstream"));
        let e = run(Some("amqp://guest:guest@127.0.0.1:1/"), r#"{"steps": 3}"#).unwrap_err();
        assert!(e.starts_with("the script is not valid"), "{e}");
    }
}
