//! Client scripts: the headless scenario format of AMQP Playground, its canonical result, and
//! the interpreter that runs a script on a broker.
//!
//! A client script (see `scenario-script.md`) is what one AMQP client does to a broker, as
//! JSON. [`Script::parse`] turns it into typed steps, with errors that name the step, its kind
//! and the field. [`run()`] executes it on a [`Backend`] and returns a [`RunResult`], whose
//! [`RunResult::to_canonical_json`] is the text that fidelity compares: the broker core
//! ([`CoreBackend`], virtual time) and a real RabbitMQ (the `amqp-playground-fidelity` crate)
//! must print the same.
//!
//! The library does no I/O and reads no clock, so it builds for `wasm32-unknown-unknown` and the
//! web page can run scripts in the browser.
//!
//! # Layout
//! - [`script`]: the script model and its parser.
//! - [`value`]: JSON ↔ AMQP field values (script input and canonical output).
//! - [`result`]: the canonical result and its printing.
//! - [`backend`]: the [`Backend`] trait a broker implements for the interpreter.
//! - [`run`](mod@run): the interpreter (aliases, held deliveries, settle, the final drain).
//! - [`core_backend`]: [`CoreBackend`], the broker core as a backend.
//!
//! # Example
//! ```
//! use amqp_playground_script::Script;
//!
//! let script = Script::parse(r#"{"steps": [{"publish": {"exchange": "", "routing_key": "q", "body": "hi"}}]}"#)
//!     .unwrap();
//! assert_eq!(script.steps[0].kind(), "publish");
//!
//! let err = Script::parse(r#"{"steps": [{"publish": {"exchange": "", "routing_key": 42, "body": "x"}}]}"#)
//!     .unwrap_err();
//! assert_eq!(err.to_string(), r#"step 0 (publish): field "routing_key": expected a string, got 42"#);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod backend;
pub mod core_backend;
pub mod result;
pub mod run;
pub mod script;
pub mod value;

pub use backend::{AmqpError, Backend, BackendError};
pub use core_backend::{run_on_core, CoreBackend};
pub use result::{canonical_json, Message, RunResult, Scope};
pub use run::{run, RunError};
pub use script::{Script, ScriptError};
