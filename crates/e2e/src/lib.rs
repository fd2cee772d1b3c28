//! End-to-end harness: build the page with Trunk, serve `dist/` on `127.0.0.1:0`, and drive
//! it in headless Chromium through chromedriver.
//!
//! Nothing here downloads anything: Trunk, chromium and chromedriver must be installed
//! (`scripts/setup.sh` does it). When they are missing the tests print a loud notice and skip,
//! unless `CI=true`, where a missing tool is a failure.
//!
//! # Layout
//! - [`Tools`]: finding trunk, chromium, chromedriver; the skip-or-fail rule.
//! - [`build_site`]: runs `trunk build --release --no-default-features` (the plain page) into
//!   `target/e2e-dist`; [`build_bridge_site`]: the bridge's page into `target/e2e-dist-bridge`.
//! - [`StaticServer`]: a tiny std-only HTTP server for `dist/`.
//! - [`Browser`]: chromedriver + a headless Chromium session (fantoccini).
//! - [`open_playground`]: all of the above, with the page open and its API mounted.
//! - [`open_bridge`]: the page served by `amqp-playground bridge` instead, holding it.
//!
//! # Example
//!
//! ```no_run
//! # async fn run() {
//! use amqp_playground_e2e::open_playground;
//!
//! let Some((_server, browser)) = open_playground("my test").await else { return };
//! let snapshot = browser.eval("return window.amqpPlayground.snapshot();").await;
//! # }
//! ```

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::{Client, ClientBuilder};

/// Flags for Debian's chromium in a container: no sandbox, GPU, network chatter or first-run UI;
/// `performance.memory` exact rather than rounded (e2e long_run.rs reports the JS heap).
const CHROMIUM_FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--window-size=1200,900",
    "--enable-precise-memory-info",
];

/// The installed programs the end-to-end tests need.
#[derive(Clone, Debug)]
pub struct Tools {
    /// `trunk`.
    pub trunk: PathBuf,
    /// The Chromium binary.
    pub chromium: PathBuf,
    /// chromedriver.
    pub chromedriver: PathBuf,
}

impl Tools {
    /// Finds the tools, or explains what is missing: in CI that panics (the suite must not pass
    /// by skipping), locally it prints a loud notice and returns `None`.
    pub fn find_or_skip(test: &str) -> Option<Tools> {
        match Tools::find() {
            Ok(tools) => Some(tools),
            Err(missing) => {
                let message = format!(
                    "end-to-end test `{test}` needs {missing}; run scripts/setup.sh \
                     (or install them by hand) and try again"
                );
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("{message} (CI=true: a missing tool is a failure)");
                }
                eprintln!("\n{bar}\nSKIPPED: {message}\n{bar}\n", bar = "!".repeat(78));
                None
            }
        }
    }

    fn find() -> Result<Tools, String> {
        let mut missing = Vec::new();
        let trunk = which("trunk");
        if trunk.is_none() {
            missing.push("`trunk` 0.21 on PATH (cargo install trunk --version 0.21.14 --locked)");
        }
        let chromium = std::env::var_os("CHROMIUM")
            .map(PathBuf::from)
            .or_else(|| which("chromium"))
            .or_else(|| which("chromium-browser"));
        if chromium.is_none() {
            missing.push("Chromium (Debian: apt-get install chromium)");
        }
        let chromedriver = std::env::var_os("CHROMEDRIVER")
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .or_else(|| which("chromedriver"));
        if chromedriver.is_none() {
            missing.push("chromedriver (Debian: apt-get install chromium-driver)");
        }
        match (trunk, chromium, chromedriver) {
            (Some(trunk), Some(chromium), Some(chromedriver)) => Ok(Tools {
                trunk,
                chromium,
                chromedriver,
            }),
            _ => Err(missing.join(", ")),
        }
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The workspace root (where `index.html` and `Trunk.toml` live).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the e2e crate sits two levels under the workspace root")
}

/// Where screenshots go: `target/screenshots` under the workspace root.
pub fn screenshot_dir() -> PathBuf {
    let dir = workspace_root().join("target").join("screenshots");
    fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// The exact `wasm-bindgen` version in Cargo.lock.
fn locked_wasm_bindgen(root: &Path) -> Option<String> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).ok()?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            let version = lines.next()?.trim();
            return Some(
                version
                    .strip_prefix("version = \"")?
                    .trim_end_matches('"')
                    .to_string(),
            );
        }
    }
    None
}

/// `trunk build --release --no-default-features` (the plain page) into `target/e2e-dist`,
/// returning that directory.
///
/// Built once per test process: the tests of one file run in parallel threads, and two
/// trunk builds into the same stage directory would trip over each other's files.
///
/// Trunk would download wasm-bindgen when the one on PATH differs from Cargo.lock's; this
/// checks first and fails with the install command instead, so the build never downloads.
pub fn build_site(tools: &Tools) -> PathBuf {
    static BUILT: Mutex<Option<PathBuf>> = Mutex::new(None);
    built_once(&BUILT, || build_site_now(tools, false))
}

/// The page `amqp-playground bridge` serves: built with the default `bridge` feature (the wire
/// session and Verify's runner), into `target/e2e-dist-bridge`, once per test binary.
pub fn build_bridge_site(tools: &Tools) -> PathBuf {
    static BUILT: Mutex<Option<PathBuf>> = Mutex::new(None);
    built_once(&BUILT, || build_site_now(tools, true))
}

fn built_once(cell: &Mutex<Option<PathBuf>>, build: impl FnOnce() -> PathBuf) -> PathBuf {
    let mut built = cell.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(dist) = built.as_ref() {
        return dist.clone();
    }
    let dist = build();
    *built = Some(dist.clone());
    dist
}

fn build_site_now(tools: &Tools, bridge: bool) -> PathBuf {
    let root = workspace_root();
    let wanted = locked_wasm_bindgen(&root).expect("Cargo.lock names wasm-bindgen");
    let found = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    assert!(
        found == format!("wasm-bindgen {wanted}"),
        "wasm-bindgen {wanted} must be on PATH (found: {found:?}); install it with \
         `cargo install wasm-bindgen-cli --version {wanted} --locked`"
    );
    let dist = root.join("target").join(if bridge {
        "e2e-dist-bridge"
    } else {
        "e2e-dist"
    });
    let started = Instant::now();
    let mut trunk = Command::new(&tools.trunk);
    for (name, value) in wasm_env(&root).into_iter().chain(page_env(&root)) {
        trunk.env(name, value);
    }
    // The plain page, as scripts/serve.sh builds it, has no default features (no bridge).
    trunk.args(["build", "--release"]);
    if !bridge {
        trunk.arg("--no-default-features");
    }
    trunk.arg("--dist");
    let status = trunk
        .arg(&dist)
        .current_dir(&root)
        // Trunk parses NO_COLOR as a boolean: "1" (a common value) makes it exit with an error.
        .env("NO_COLOR", "true")
        .status()
        .expect("run trunk");
    assert!(status.success(), "trunk build --release failed ({status})");
    eprintln!(
        "trunk build --release took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    dist
}

/// The variables `scripts/setup.sh` writes to `target/wasm-env.sh` when the machine builds wasm
/// with Debian's rustc-web instead of rustup (empty file otherwise). Only its simple
/// `export NAME=value` lines are read; `$PATH` in a value is expanded.
fn wasm_env(root: &Path) -> Vec<(String, String)> {
    let Ok(text) = fs::read_to_string(root.join("target").join("wasm-env.sh")) else {
        return Vec::new();
    };
    parse_exports(&text, &std::env::var("PATH").unwrap_or_default())
}

/// The page's release-build settings (`scripts/page-env.sh`: std rebuilt for size), as
/// `scripts/serve.sh` applies them.
fn page_env(root: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(root.join("scripts").join("page-env.sh"))
        .expect("scripts/page-env.sh is in the repository");
    parse_exports(&text, &std::env::var("PATH").unwrap_or_default())
}

fn parse_exports(text: &str, path: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("export "))
        .filter_map(|assignment| assignment.split_once('='))
        .map(|(name, value)| {
            let value = value.trim_matches('"').replace("$PATH", path);
            (name.to_string(), value)
        })
        .collect()
}

/// A static file server for one directory, on `127.0.0.1:0`, stopped on drop.
pub struct StaticServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl StaticServer {
    /// Serves `dir` on a free port.
    pub fn start(dir: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let (dir, flag) = (dir.to_path_buf(), stop.clone());
        thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let dir = dir.clone();
                        thread::spawn(move || serve(stream, &dir));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        StaticServer { addr, stop }
    }

    /// `http://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, dir: &Path) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Drain the headers; we never need them.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split(['?', '#'])
        .next()
        .unwrap_or("/");
    let relative = if path == "/" {
        "index.html"
    } else {
        path.trim_start_matches('/')
    };
    let file = dir.join(relative);
    let inside = file
        .canonicalize()
        .ok()
        .zip(dir.canonicalize().ok())
        .is_some_and(|(f, d)| f.starts_with(d));
    let mut stream = stream;
    let mut body = Vec::new();
    let ok = inside
        && fs::File::open(&file)
            .and_then(|mut f| f.read_to_end(&mut body))
            .is_ok();
    let head = if ok {
        format!(
            // Any origin may load the files: a docs page elsewhere imports embed.js as a module,
            // which needs CORS (static hosts such as GitHub Pages send the same header).
            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n",
            content_type(&file),
            body.len()
        )
    } else {
        body = b"not found".to_vec();
        format!(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
    };
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        // Required for WebAssembly.instantiateStreaming.
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Finds the tools (or skips, see [`Tools::find_or_skip`]), builds and serves the site, and
/// opens it in headless Chromium, returning once `window.amqpPlayground` exists. Keep the
/// server alive as long as the browser uses it.
pub async fn open_playground(test: &str) -> Option<(StaticServer, Browser)> {
    let tools = Tools::find_or_skip(test)?;
    Some(open_dist(&tools, &build_site(&tools)).await)
}

/// As [`open_playground`], with the bridge's page ([`build_bridge_site`]) served as files: no
/// bridge runs, so its relay stays unconnected.
pub async fn open_bridge_page(test: &str) -> Option<(StaticServer, Browser)> {
    let tools = Tools::find_or_skip(test)?;
    Some(open_dist(&tools, &build_bridge_site(&tools)).await)
}

/// Serves `dist` and opens it in headless Chromium, returning once the app has mounted.
async fn open_dist(tools: &Tools, dist: &Path) -> (StaticServer, Browser) {
    let server = StaticServer::start(dist);
    let browser = Browser::start(tools).await;
    browser
        .client
        .goto(&server.url())
        .await
        .expect("open the page");
    browser
        .wait_until(
            "the app to mount",
            Duration::from_secs(20),
            "return !!window.amqpPlayground;",
        )
        .await;
    (server, browser)
}

/// chromedriver plus one headless Chromium session; both end on drop.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium with a fresh profile.
    pub async fn start(tools: &Tools) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("pick a free port")
            .port();
        let driver = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port} within 20 s"
            );
            thread::sleep(Duration::from_millis(50));
        }
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let profile = std::env::temp_dir().join(format!(
            "amqp-playground-e2e-{}-{nanos}",
            std::process::id()
        ));
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": tools.chromium.display().to_string(),
                "args": args,
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("open a headless Chromium session through chromedriver");
        Browser {
            client,
            driver,
            profile,
        }
    }

    /// Runs `script` (a function body; `return` its value) in the page and returns the value.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` until it returns `true`, failing with `what` after `timeout`.
    pub async fn wait_until(&self, what: &str, timeout: Duration, script: &str) {
        let deadline = Instant::now() + timeout;
        loop {
            if self.eval(script).await == serde_json::Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A Chrome DevTools Protocol command (`Emulation.setCPUThrottlingRate`, …) through
    /// chromedriver's `goog/cdp/execute`; its result.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> serde_json::Value {
        self.client
            .issue_cmd(Cdp {
                cmd: cmd.to_string(),
                params,
            })
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    /// Clicks the first element matching the CSS `selector`.
    pub async fn click(&self, selector: &str) {
        self.client
            .find(fantoccini::Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no element matches `{selector}`: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click on `{selector}` failed: {e}"));
    }

    /// Saves a PNG screenshot of the viewport to `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("take a screenshot");
        let path = screenshot_dir().join(format!("{name}.png"));
        fs::write(&path, png).expect("write the screenshot");
        eprintln!("screenshot: {}", path.display());
        path
    }

    /// Ends the session and stops chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = fs::remove_dir_all(&self.profile);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // After a panic `close` never ran: do not leave chromedriver behind.
        let _ = self.driver.kill();
    }
}

/// `amqp-playground bridge` on free ports serving the built page (with `upstream` for
/// Verify), and Chromium holding it: returns once the page says it holds the bridge.
pub async fn open_bridge(
    tools: &Tools,
    upstream: Option<&str>,
) -> (amqp_playground_bridge::BridgeHandle, Browser) {
    let dist = build_bridge_site(tools);
    let bridge = amqp_playground_bridge::spawn(amqp_playground_bridge::BridgeConfig {
        amqp: "127.0.0.1:0".parse().unwrap(),
        http: "127.0.0.1:0".parse().unwrap(),
        dist,
        upstream: upstream.map(str::to_string),
        log: false,
        ..amqp_playground_bridge::BridgeConfig::default()
    })
    .await
    .expect("the bridge starts");
    let browser = Browser::start(tools).await;
    browser
        .client
        .goto(&bridge.page_url)
        .await
        .expect("open the page");
    browser
        .wait_until(
            "the page to hold the bridge",
            Duration::from_secs(30),
            "const s = window.amqpPlayground && window.amqpPlayground.snapshot();
             return !!s && (s.bridge || '').includes('real clients connect to');",
        )
        .await;
    (bridge, browser)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasm_env_reads_exports_and_expands_path() {
        let text =
            "# comment\nexport PATH=\"/usr/bin:$PATH\"\nexport RUSTC_BOOTSTRAP=1\nnot an export\n";
        assert_eq!(
            parse_exports(text, "/bin"),
            [
                ("PATH".to_string(), "/usr/bin:/bin".to_string()),
                ("RUSTC_BOOTSTRAP".to_string(), "1".to_string())
            ]
        );
        assert!(parse_exports("", "/bin").is_empty());
    }

    #[test]
    fn served_files_get_the_types_browsers_need() {
        assert_eq!(content_type(Path::new("a_bg.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x.js")), "text/javascript");
    }

    #[test]
    fn the_static_server_serves_files_and_refuses_escapes() {
        let dir = std::env::temp_dir().join(format!("e2e-static-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        let server = StaticServer::start(&dir);
        let get = |path: &str| {
            let mut s = TcpStream::connect(server.addr).unwrap();
            write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        };
        let index = get("/");
        assert!(index.starts_with("HTTP/1.1 200 OK"), "{index}");
        assert!(index.ends_with("<p>hi</p>"), "{index}");
        assert!(get("/../Cargo.toml").starts_with("HTTP/1.1 404"));
        assert!(get("/missing.js").starts_with("HTTP/1.1 404"));
        drop(server);
        let _ = fs::remove_dir_all(&dir);
    }
}

/// chromedriver's own endpoint for DevTools commands.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
