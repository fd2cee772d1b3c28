//! JSON ↔ AMQP field values, in both directions.
//!
//! Script input (scenario-script.md): strings are long strings, integers are signed 64-bit,
//! booleans are booleans, JSON floats are AMQP decimals (what RabbitMQ clients send for a
//! fractional number), arrays are arrays, objects are field tables and `null` is void. Two
//! tagged objects make the canonical output readable back in: `{"$decimal": "1.5"}` and
//! `{"$bytes": base64}`. Two more pick a wire type a test needs: `{"$double": 1.0}` (AMQP
//! double, e.g. to show 3.x headers matching 1 == 1.0) and `{"$signedint": 5}` (32-bit,
//! RabbitMQ's `signedint`, e.g. to show integer widths are equivalent). `{"$timestamp": 60}`
//! is an AMQP timestamp in seconds (a stream's `x-stream-offset` from a point in time; the
//! core's clock starts at 0).
//!
//! Canonical output loses the integer width on purpose: the two sides of a fidelity comparison
//! (our core and a real client library) may pick different widths for the same number, and
//! RabbitMQ itself treats every width as one type. Timestamps print as `"<timestamp>"` because
//! they come from the broker's clock.

use amqp_playground_core::{FieldTable, FieldValue};
use serde_json::{Map, Value};

/// How a JSON value failed to become a field value: the path inside it and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError {
    /// Where inside the value, e.g. `["a"][2]`; empty at the top.
    pub path: String,
    /// What was wrong.
    pub message: String,
}

/// A script value as a field value.
pub fn field_value_from_json(value: &Value) -> Result<FieldValue, ValueError> {
    convert(value, &mut String::new())
}

/// A script object as a field table (keys keep the script's order).
pub fn field_table_from_json(value: &Value) -> Result<FieldTable, ValueError> {
    match value {
        Value::Object(map) => table_from_map(map, &mut String::new()),
        other => Err(ValueError {
            path: String::new(),
            message: format!("expected an object, got {}", describe(other)),
        }),
    }
}

fn table_from_map(map: &Map<String, Value>, path: &mut String) -> Result<FieldTable, ValueError> {
    let mut table = FieldTable::new();
    for (key, v) in map {
        let len = path.len();
        path.push_str(&format!("[{key:?}]"));
        let fv = convert(v, path)?;
        path.truncate(len);
        table.0.push((key.clone(), fv));
    }
    Ok(table)
}

fn convert(value: &Value, path: &mut String) -> Result<FieldValue, ValueError> {
    Ok(match value {
        Value::Null => FieldValue::Void,
        Value::Bool(b) => FieldValue::Bool(*b),
        Value::String(s) => FieldValue::string(s.as_str()),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                FieldValue::I64(i)
            } else if n.is_u64() {
                return Err(ValueError {
                    path: path.clone(),
                    message: format!("integer {n} does not fit a signed 64-bit field"),
                });
            } else {
                decimal_from_text(&n.to_string()).ok_or_else(|| ValueError {
                    path: path.clone(),
                    message: format!("number {n} cannot be an AMQP decimal (at most 9 digits, 255 places, not negative)"),
                })?
            }
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                out.push(convert(item, path)?);
                path.truncate(len);
            }
            FieldValue::Array(out)
        }
        Value::Object(map) => {
            if let Some(tagged) = tagged_value(map, path)? {
                tagged
            } else {
                FieldValue::Table(table_from_map(map, path)?)
            }
        }
    })
}

/// `{"$decimal": "1.5"}` and `{"$bytes": "..."}`, as canonical output prints them.
fn tagged_value(map: &Map<String, Value>, path: &str) -> Result<Option<FieldValue>, ValueError> {
    if map.len() != 1 {
        return Ok(None);
    }
    let (key, v) = map.iter().next().expect("one entry");
    let err = |message: String| ValueError {
        path: path.to_string(),
        message,
    };
    match (key.as_str(), v) {
        ("$decimal", Value::String(s)) => decimal_from_text(s)
            .map(Some)
            .ok_or_else(|| err(format!("invalid $decimal {s:?}"))),
        ("$bytes", Value::String(s)) => base64_decode(s)
            .map(|b| Some(FieldValue::Bytes(b)))
            .ok_or_else(|| err(format!("invalid base64 in $bytes: {s:?}"))),
        ("$decimal" | "$bytes", other) => Err(err(format!(
            "{key} expects a string, got {}",
            describe(other)
        ))),
        ("$double", Value::Number(n)) => n
            .as_f64()
            .map(|f| Some(FieldValue::F64(f)))
            .ok_or_else(|| err(format!("invalid $double {n}"))),
        ("$signedint", Value::Number(n)) => n
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .map(|i| Some(FieldValue::I32(i)))
            .ok_or_else(|| err(format!("$signedint {n} is not a 32-bit signed integer"))),
        ("$timestamp", Value::Number(n)) => n
            .as_u64()
            .map(|t| Some(FieldValue::Timestamp(t)))
            .ok_or_else(|| err(format!("$timestamp {n} is not a whole number of seconds"))),
        ("$double" | "$signedint" | "$timestamp", other) => Err(err(format!(
            "{key} expects a number, got {}",
            describe(other)
        ))),
        _ => Ok(None),
    }
}

/// Parses `"12.50"` into an AMQP decimal (scale = digits after the point).
pub fn decimal_from_text(s: &str) -> Option<FieldValue> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let value: u32 = digits.parse().ok()?;
    let scale = u8::try_from(frac.len()).ok()?;
    Some(FieldValue::Decimal { scale, value })
}

/// An AMQP decimal as text, e.g. scale 2, value 1250 → `"12.50"`.
pub fn decimal_to_text(scale: u8, value: u32) -> String {
    let digits = value.to_string();
    let scale = usize::from(scale);
    if scale == 0 {
        return digits;
    }
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (i, f) = padded.split_at(padded.len() - scale);
    format!("{i}.{f}")
}

/// A field value in canonical output form.
pub fn field_value_to_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Bool(b) => Value::Bool(*b),
        FieldValue::I8(_)
        | FieldValue::U8(_)
        | FieldValue::I16(_)
        | FieldValue::U16(_)
        | FieldValue::I32(_)
        | FieldValue::U32(_)
        | FieldValue::I64(_) => Value::from(value.as_integer().expect("integer variant")),
        FieldValue::F32(f) => float_to_json(f64::from(*f)),
        FieldValue::F64(f) => float_to_json(*f),
        FieldValue::Decimal { scale, value } => {
            tagged("$decimal", Value::String(decimal_to_text(*scale, *value)))
        }
        FieldValue::LongString(bytes) => bytes_to_json(bytes),
        FieldValue::Bytes(bytes) => tagged("$bytes", Value::String(base64_encode(bytes))),
        FieldValue::Timestamp(_) => Value::String("<timestamp>".into()),
        FieldValue::Array(items) => Value::Array(items.iter().map(field_value_to_json).collect()),
        FieldValue::Table(t) => field_table_to_json(t),
        FieldValue::Void => Value::Null,
    }
}

/// A field table in canonical output form (an object; the printer sorts the keys).
pub fn field_table_to_json(table: &FieldTable) -> Value {
    let mut map = Map::new();
    // Later duplicates win, as RabbitMQ's map fold does.
    for (k, v) in table.iter() {
        map.insert(k.to_string(), field_value_to_json(v));
    }
    Value::Object(map)
}

/// A body or string: text when it is UTF-8, `{"$bytes": base64}` otherwise.
pub fn bytes_to_json(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(s) => Value::String(s.to_string()),
        Err(_) => tagged("$bytes", Value::String(base64_encode(bytes))),
    }
}

fn float_to_json(f: f64) -> Value {
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(format!("{f}")))
}

fn tagged(key: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), v);
    Value::Object(m)
}

/// A short description of a JSON value for error messages: the value itself when short
/// (`42`, `"x"`, `true`), else its kind.
pub fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 40 {
        text
    } else {
        match value {
            Value::String(_) => "a long string".into(),
            Value::Array(a) => format!("an array of {} items", a.len()),
            Value::Object(_) => "an object".into(),
            _ => "a long number".into(),
        }
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional); `None` on any invalid character.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_every_length() {
        for len in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 200) as u8).collect();
            let text = base64_encode(&bytes);
            assert_eq!(text.len() % 4, 0);
            assert_eq!(base64_decode(&text), Some(bytes));
        }
        assert_eq!(base64_encode(b"hi"), "aGk=");
        assert_eq!(base64_decode("a!=="), None);
    }

    #[test]
    fn decimals_print_with_their_scale() {
        let rows = [
            ("1.5", 1, 15),
            ("0.05", 2, 5),
            ("12", 0, 12),
            ("12.50", 2, 1250),
        ];
        for (text, scale, value) in rows {
            assert_eq!(
                decimal_from_text(text),
                Some(FieldValue::Decimal { scale, value })
            );
            assert_eq!(decimal_to_text(scale, value), text);
        }
        assert_eq!(decimal_from_text("-1.5"), None);
        assert_eq!(decimal_from_text("1e5"), None);
    }
}
