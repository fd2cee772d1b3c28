//! What the fidelity tests share: the client scripts of `tests/scripts` and their pending lists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use amqp_playground_script::Script;

/// `tests/scripts` at the repository root.
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scripts")
}

/// Every `*.json` script, sorted by file name, parsed (a malformed script fails the test).
pub fn scripts() -> Vec<(String, Script)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scripts_dir())
        .expect("tests/scripts exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("readable script");
            let script = Script::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, script)
        })
        .collect()
}

/// The `- \`name.json\`: reason` lines of a pending list in `tests/scripts` (none if absent).
pub fn pending(file: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(scripts_dir().join(file)).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("- `")?;
            let (name, reason) = rest.split_once('`')?;
            Some((
                name.to_string(),
                reason.trim_start_matches(':').trim().to_string(),
            ))
        })
        .collect()
}
