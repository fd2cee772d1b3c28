//! What a first visit downloads: every file the built page's `index.html` links (stylesheet,
//! icon, the wasm-bindgen loader and its snippets, the wasm) plus the HTML itself, each
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

/// The site-relative targets of the `<link href=…>` tags (Trunk's minified HTML may leave
/// attribute values unquoted).
fn linked(html: &str) -> Vec<String> {
    html.split("<link")
        .skip(1)
        .filter_map(|tag| {
            let tag = &tag[..tag.find('>')?];
            let value = &tag[tag.find("href=")? + 5..];
            let value = value.trim_start_matches(['"', '\'']);
            let end = value.find(['"', '\'', ' ', '>']).unwrap_or(value.len());
            Some(value[..end].trim_start_matches('/').to_string())
        })
        .collect()
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
        !files.iter().any(|f| f.contains("tools") || f.contains("embed-host")),
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
    let html = r#"<link href=/a.css rel=stylesheet><link rel="icon" href="/b.svg"><link crossorigin href=/c.js rel=modulepreload>"#;
    assert_eq!(linked(html), ["a.css", "b.svg", "c.js"]);
}
