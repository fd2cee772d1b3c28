//! AMQP 0-9-1 field values and tables: message headers, queue/exchange/binding arguments.
//!
//! Types are kept exactly as the client sent them, because RabbitMQ's behaviour depends on
//! them: queue-argument equivalence treats every integer width as one type but an integer and a
//! float as different (`x-message-ttl` 10 vs 10.0 → 406), and the headers exchange compares values
//! with Erlang `=:=` in 4.x (1 ≠ 1.0) but with `==` in 3.x (1 == 1.0). See [`FieldValue::matches`].
//!
//! A [`FieldTable`] keeps insertion order (a `Vec`, not a map) so that what a client sent is what
//! it gets back, and lookups take the *last* entry with a name, as RabbitMQ's map fold does for
//! duplicate header names.

use crate::Compat;

/// One AMQP field value, with its wire type.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FieldValue {
    /// `t` boolean.
    Bool(bool),
    /// `b` signed 8-bit.
    I8(i8),
    /// `B` unsigned 8-bit.
    U8(u8),
    /// `s` signed 16-bit.
    I16(i16),
    /// `u` unsigned 16-bit.
    U16(u16),
    /// `I` signed 32-bit (RabbitMQ's `signedint`).
    I32(i32),
    /// `i` unsigned 32-bit.
    U32(u32),
    /// `l` signed 64-bit (RabbitMQ's `long`).
    I64(i64),
    /// `f` 32-bit float.
    F32(f32),
    /// `d` 64-bit float.
    F64(f64),
    /// `D` decimal: `value / 10^scale`.
    Decimal {
        /// Number of decimal digits after the point.
        scale: u8,
        /// Unscaled value.
        value: u32,
    },
    /// `S` long string (bytes; usually UTF-8).
    LongString(Vec<u8>),
    /// `x` byte array.
    Bytes(Vec<u8>),
    /// `T` timestamp, seconds since the epoch.
    Timestamp(u64),
    /// `A` array.
    Array(Vec<FieldValue>),
    /// `F` nested table.
    Table(FieldTable),
    /// `V` void: a field present with no value.
    Void,
}

impl FieldValue {
    /// A long string from text.
    pub fn string(s: impl Into<String>) -> Self {
        FieldValue::LongString(s.into().into_bytes())
    }

    /// The value as an integer, if it has any integer type (all widths are one type to RabbitMQ).
    pub fn as_integer(&self) -> Option<i64> {
        match *self {
            FieldValue::I8(v) => Some(v.into()),
            FieldValue::U8(v) => Some(v.into()),
            FieldValue::I16(v) => Some(v.into()),
            FieldValue::U16(v) => Some(v.into()),
            FieldValue::I32(v) => Some(v.into()),
            FieldValue::U32(v) => Some(v.into()),
            FieldValue::I64(v) => Some(v),
            _ => None,
        }
    }

    /// The value as text, if it is a long string holding UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FieldValue::LongString(b) => std::str::from_utf8(b).ok(),
            _ => None,
        }
    }

    /// RabbitMQ's name for the value's type, as it appears in error texts
    /// (`expected integer, got longstr`, `Invalid x-match field type signedint (value 23)`).
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldValue::Bool(_) => "bool",
            FieldValue::I8(_) => "byte",
            FieldValue::U8(_) => "unsignedbyte",
            FieldValue::I16(_) => "short",
            FieldValue::U16(_) => "unsignedshort",
            FieldValue::I32(_) => "signedint",
            FieldValue::U32(_) => "unsignedint",
            FieldValue::I64(_) => "long",
            FieldValue::F32(_) => "float",
            FieldValue::F64(_) => "double",
            FieldValue::Decimal { .. } => "decimal",
            FieldValue::LongString(_) => "longstr",
            FieldValue::Bytes(_) => "binary",
            FieldValue::Timestamp(_) => "timestamp",
            FieldValue::Array(_) => "array",
            FieldValue::Table(_) => "table",
            FieldValue::Void => "void",
        }
    }

    /// Value equality as the headers exchange sees it (semantics §4.6.6): the AMQP type of the
    /// value itself is dropped, every integer width is interchangeable, and numbers compare
    /// with Erlang `=:=` (4.x: integer 1 ≠ float 1.0) or `==` (3.x profile: 1 == 1.0). Tables
    /// and arrays keep their elements' `{Type, Value}` pairs, so they compare structurally,
    /// element types included: `[1]` as a 32-bit integer is not `[1]` as a 64-bit one
    /// (observed on 3.10.8, `tests/scripts/headers-typed-values.json`).
    pub fn matches(&self, other: &FieldValue, compat: Compat) -> bool {
        use FieldValue::*;
        let loose = compat.headers_loose_number_equality();
        match (self, other) {
            (Array(_), Array(_)) | (Table(_), Table(_)) => self == other,
            (Bytes(a), Bytes(b)) | (LongString(a), LongString(b)) => a == b,
            (Void, Void) => true,
            (Bool(a), Bool(b)) => a == b,
            (Timestamp(a), Timestamp(b)) => a == b,
            (Decimal { .. }, Decimal { .. }) => self == other,
            _ => match (self.as_number(), other.as_number()) {
                (Some(Number::Int(a)), Some(Number::Int(b))) => a == b,
                (Some(Number::Float(a)), Some(Number::Float(b))) => a == b,
                (Some(Number::Int(i)), Some(Number::Float(f)))
                | (Some(Number::Float(f)), Some(Number::Int(i))) => loose && (i as f64) == f,
                _ => false,
            },
        }
    }

    fn as_number(&self) -> Option<Number> {
        match *self {
            FieldValue::F32(v) => Some(Number::Float(v.into())),
            FieldValue::F64(v) => Some(Number::Float(v)),
            _ => self.as_integer().map(Number::Int),
        }
    }
}

enum Number {
    Int(i64),
    Float(f64),
}

/// An AMQP field table: named values in the order they were given.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FieldTable(pub Vec<(String, FieldValue)>);

impl FieldTable {
    /// An empty table.
    pub fn new() -> Self {
        FieldTable(Vec::new())
    }

    /// The value of `name`; with duplicate names the last one wins, as in RabbitMQ.
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Sets `name`, replacing every earlier entry with that name.
    pub fn insert(&mut self, name: impl Into<String>, value: FieldValue) {
        let name = name.into();
        self.0.retain(|(k, _)| *k != name);
        self.0.push((name, value));
    }

    /// Removes `name` and returns its (last) value.
    pub fn remove(&mut self, name: &str) -> Option<FieldValue> {
        let found = self.get(name).cloned();
        self.0.retain(|(k, _)| k != name);
        found
    }

    /// Entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries sorted by name (RabbitMQ sorts binding arguments before comparing them, so
    /// argument order never makes two bindings different).
    pub fn sorted(&self) -> FieldTable {
        let mut entries = self.0.clone();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        FieldTable(entries)
    }
}

impl FromIterator<(String, FieldValue)> for FieldTable {
    fn from_iter<I: IntoIterator<Item = (String, FieldValue)>>(iter: I) -> Self {
        let mut table = FieldTable::new();
        for (k, v) in iter {
            table.0.push((k, v));
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::FieldValue::*;
    use super::*;

    #[test]
    fn integer_widths_are_one_type_and_floats_differ_in_4x_only() {
        let rows = [
            (I32(1), I64(1), Compat::RabbitMq4, true),
            (U8(1), I16(1), Compat::RabbitMq4, true),
            (I32(1), F64(1.0), Compat::RabbitMq4, false),
            (I32(1), F64(1.0), Compat::RabbitMq310, true),
            (FieldValue::string("1"), I32(1), Compat::RabbitMq4, false),
            (
                Bool(true),
                FieldValue::string("true"),
                Compat::RabbitMq310,
                false,
            ),
            (
                Array(vec![I8(1)]),
                Array(vec![I64(1)]),
                Compat::RabbitMq4,
                false,
            ),
            (
                Array(vec![I32(1)]),
                Array(vec![I64(1)]),
                Compat::RabbitMq310,
                false,
            ),
            (
                Array(vec![I64(1), FieldValue::string("two")]),
                Array(vec![I64(1), FieldValue::string("two")]),
                Compat::RabbitMq4,
                true,
            ),
            (Void, Void, Compat::RabbitMq4, true),
        ];
        for (a, b, compat, want) in rows {
            assert_eq!(
                a.matches(&b, compat),
                want,
                "{a:?} vs {b:?} under {compat:?}"
            );
            assert_eq!(
                b.matches(&a, compat),
                want,
                "{b:?} vs {a:?} under {compat:?}"
            );
        }
    }

    #[test]
    fn duplicate_names_resolve_to_the_last() {
        let t: FieldTable = [("a".to_string(), I32(1)), ("a".to_string(), I32(2))]
            .into_iter()
            .collect();
        assert_eq!(t.get("a"), Some(&I32(2)));
    }
}
