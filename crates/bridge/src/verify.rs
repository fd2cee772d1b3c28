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
    run_on_rabbitmq(&script, upstream).map_err(|e| format!("on {}: {e}", redact(upstream)))
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
