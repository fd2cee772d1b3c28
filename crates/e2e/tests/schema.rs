//! The published JSON Schema (`www/scenario.schema.json`, at the site root) describes what the
//! page writes: every preset's `exportScenario()` validates against it, and so does the docs
//! example's inline scenario. A small validator for the keywords the schema uses (type,
//! required, properties, additionalProperties, items, enum, const, oneOf, minimum, maximum,
//! $ref) runs in the page, and unknown keys are refused so the schema cannot fall behind.

use amqp_playground_e2e::open_playground;

const VALIDATOR: &str = r#"
const schema = await (await fetch('scenario.schema.json')).json();
const resolve = (s) => s.$ref ? resolve(s.$ref.split('/').slice(1).reduce((o, k) => o[k], schema)) : s;
const typeOf = (v) => v === null ? 'null' : Array.isArray(v) ? 'array'
    : (typeof v === 'number' && Number.isInteger(v)) ? 'integer' : typeof v;
function check(v, s, path, errors) {
  s = resolve(s);
  if (s.const !== undefined && v !== s.const) errors.push(`${path}: not ${s.const}`);
  if (s.enum && !s.enum.includes(v)) errors.push(`${path}: ${v} not in ${s.enum}`);
  if (s.type) {
    const types = [].concat(s.type), t = typeOf(v);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) errors.push(`${path}: ${t}, expected ${types}`);
  }
  if (s.minimum !== undefined && v < s.minimum) errors.push(`${path}: below ${s.minimum}`);
  if (s.maximum !== undefined && v > s.maximum) errors.push(`${path}: above ${s.maximum}`);
  if (s.oneOf) {
    const ok = s.oneOf.filter((o) => { const e = []; check(v, o, path, e); return e.length === 0; });
    if (ok.length !== 1) errors.push(`${path}: matches ${ok.length} of oneOf`);
  }
  if (typeOf(v) === 'object') {
    for (const r of s.required || []) if (!(r in v)) errors.push(`${path}.${r}: missing`);
    for (const [k, x] of Object.entries(v)) {
      if (s.properties && k in s.properties) check(x, s.properties[k], `${path}.${k}`, errors);
      else if (s.additionalProperties) check(x, s.additionalProperties, `${path}.${k}`, errors);
      else if (s.properties) errors.push(`${path}.${k}: not in the schema`);
    }
  }
  if (typeOf(v) === 'array' && s.items) v.forEach((x, i) => check(x, s.items, `${path}[${i}]`, errors));
  return errors;
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exported_scenario_validates_against_the_published_schema() {
    let Some((_server, browser)) =
        open_playground("every_exported_scenario_validates_against_the_published_schema").await
    else {
        return;
    };
    let result = browser
        .eval(&format!(
            "{VALIDATOR}
             const api = window.amqpPlayground;
             const errors = [];
             let checked = 0;
             for (const name of api.listPresets()) {{
                 api.loadPreset(name);
                 check(api.exportScenario(), schema, name, errors);
                 checked += 1;
             }}
             // A broken export must be caught: the validator is not a no-op.
             const broken = check({{ version: 1, queues: [{{ name: 7, shiny: true }}] }}, schema, 'broken', []);
             return {{ checked, errors, broken }};"
        ))
        .await;
    assert_eq!(result["errors"], serde_json::json!([]), "{result}");
    assert!(result["checked"].as_u64().unwrap_or(0) >= 15, "{result}");
    let broken = result["broken"].to_string();
    assert!(
        broken.contains("broken.queues[0].name: integer, expected string"),
        "{broken}"
    );
    assert!(
        broken.contains("broken.queues[0].shiny: not in the schema"),
        "{broken}"
    );
    browser.close().await;
}
