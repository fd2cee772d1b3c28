//! What a first visit downloads: every file the built page's `index.html` links or loads
//! (stylesheet, icon, `page.js`, the wasm-bindgen loader, the wasm) plus the HTML itself, each
//! gzipped at level 9 as a static host would serve it, must stay within issue 11's budget of
//! 350 KB. Prints the table (BENCHMARKS.md, "The page's download"). The tools worker and the
//! embed's postMessage end are not linked: the page fetches them only when needed.

use std::path::Path;
use std::process::Command;

use amqp_playground_e2e::{build_site, Tools};

/// Issue 11: "Download size stays ≤ 350 KB gzipped for the main page".
const BUDGET: usize = 350_000;

fn gzipped(path: &Path) -> usize {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .expect("gzip runs");
    assert!(out.status.success(), "gzip {}", path.display());
    out.stdout.len()
}

/// The value of attribute `name` in a tag's text (Trunk's minified HTML may leave values
/// unquoted).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}="))? + name.len() + 2;
    let value = tag[at..].trim_start_matches(['"', '\'']);
    let end = value.find(['"', '\'', ' ', '>']).unwrap_or(value.len());
    Some(value[..end].trim_start_matches('/').to_string())
}

/// The site-relative files the page loads by itself: every `<link href=…>` and every
/// `<script src=…>` (a script's own text is skipped, so markup it writes later is not one).
fn linked(html: &str) -> Vec<String> {
    let mut files = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[..close];
        if tag.starts_with("<link") {
            files.extend(attribute(tag, "href"));
        } else if tag.starts_with("<script") {
            files.extend(attribute(tag, "src"));
            // Skip the script's text and its end tag.
            match rest.find("</script>") {
                Some(end) => rest = &rest[end + "</script>".len()..],
                None => break,
            }
            continue;
        }
        rest = &rest[close + 1..];
    }
    files
}

#[test]
fn the_first_visit_downloads_at_most_350_kb_gzipped() {
    let Some(tools) = Tools::find_or_skip("download") else {
        return;
    };
    let dist = build_site(&tools);
    let html = std::fs::read_to_string(dist.join("index.html")).unwrap();
    let mut files = linked(&html);
    files.sort();
    files.dedup();
    assert!(
        files.iter().any(|f| f.ends_with("_bg.wasm")) && files.iter().any(|f| f.ends_with(".css")),
        "index.html links the wasm and the stylesheet: {files:?}"
    );
    assert!(
        !files
            .iter()
            .any(|f| f.contains("tools") || f.contains("embed-host")),
        "the tools worker and the embed host are fetched only when needed: {files:?}"
    );
    files.push("index.html".into());
    let mut total = 0;
    println!("| file | raw | gzipped |\n|---|---:|---:|");
    for file in &files {
        let path = dist.join(file);
        let raw = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{file} (linked from index.html): {e}"))
            .len();
        let gz = gzipped(&path);
        total += gz;
        println!("| {file} | {raw} B | {gz} B |");
    }
    println!("| **main page** | | **{total} B** (budget {BUDGET} B) |");
    assert!(
        total <= BUDGET,
        "the main page downloads {total} B gzipped, over the {BUDGET} B budget"
    );
}

#[test]
fn links_are_read_quoted_or_not() {
    let html = r#"<link href=/a.css rel=stylesheet><link rel="icon" href="/b.svg"><script>document.write('<script src="x.js"></' + 'script>')</script><script src=/d.js></script><link crossorigin href=/c.js rel=modulepreload>"#;
    assert_eq!(linked(html), ["a.css", "b.svg", "d.js", "c.js"]);
}
