//! `rabbit-run FILE.json...`: runs client scripts against the real RabbitMQ (`AMQP_URL`, default
//! guest@127.0.0.1:5672) and prints each canonical result. Used to learn RabbitMQ's answer when
//! writing a fidelity script.

use std::process::ExitCode;

use amqp_playground_fidelity::{broker_url, run_on_rabbitmq};
use amqp_playground_script::Script;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() || files.iter().any(|f| f == "--help" || f == "-h") {
        eprintln!("usage: rabbit-run FILE.json...  (runs on $AMQP_URL or the local RabbitMQ)");
        return ExitCode::from(2);
    }
    let url = broker_url();
    let mut code = ExitCode::SUCCESS;
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{file}: {e}");
                code = ExitCode::from(2);
                continue;
            }
        };
        let script = match Script::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{file}: {e}");
                code = ExitCode::from(2);
                continue;
            }
        };
        match run_on_rabbitmq(&script, &url) {
            Ok(json) => print!("{json}"),
            Err(e) => {
                eprintln!("{file}: {e}");
                code = ExitCode::FAILURE;
            }
        }
    }
    code
}
