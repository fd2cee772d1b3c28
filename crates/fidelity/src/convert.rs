//! The broker core's field values ↔ lapin's `AMQPValue`, type for type.

use amqp_playground_core::{FieldTable, FieldValue};
use lapin::types::{AMQPValue, ByteArray, DecimalValue, FieldArray, LongString, ShortString};

/// A core table as a lapin table (lapin keeps tables sorted by key; order is not significant
/// on the wire for RabbitMQ except for duplicate keys, which lapin cannot express).
pub fn to_amqp_table(table: &FieldTable) -> lapin::types::FieldTable {
    let mut out = lapin::types::FieldTable::default();
    for (k, v) in table.iter() {
        out.insert(ShortString::from(k), to_amqp(v));
    }
    out
}

/// A core value as a lapin value.
pub fn to_amqp(value: &FieldValue) -> AMQPValue {
    match value {
        FieldValue::Bool(b) => AMQPValue::Boolean(*b),
        FieldValue::I8(v) => AMQPValue::ShortShortInt(*v),
        FieldValue::U8(v) => AMQPValue::ShortShortUInt(*v),
        FieldValue::I16(v) => AMQPValue::ShortInt(*v),
        FieldValue::U16(v) => AMQPValue::ShortUInt(*v),
        FieldValue::I32(v) => AMQPValue::LongInt(*v),
        FieldValue::U32(v) => AMQPValue::LongUInt(*v),
        FieldValue::I64(v) => AMQPValue::LongLongInt(*v),
        FieldValue::F32(v) => AMQPValue::Float(*v),
        FieldValue::F64(v) => AMQPValue::Double(*v),
        FieldValue::Decimal { scale, value } => AMQPValue::DecimalValue(DecimalValue {
            scale: *scale,
            value: *value,
        }),
        FieldValue::LongString(b) => AMQPValue::LongString(LongString::from(b.clone())),
        FieldValue::Bytes(b) => AMQPValue::ByteArray(ByteArray::from(b.clone())),
        FieldValue::Timestamp(t) => AMQPValue::Timestamp(*t),
        FieldValue::Array(items) => AMQPValue::FieldArray(FieldArray::from(
            items.iter().map(to_amqp).collect::<Vec<_>>(),
        )),
        FieldValue::Table(t) => AMQPValue::FieldTable(to_amqp_table(t)),
        FieldValue::Void => AMQPValue::Void,
    }
}

/// A lapin table as a core table.
pub fn from_amqp_table(table: &lapin::types::FieldTable) -> FieldTable {
    table
        .inner()
        .iter()
        .map(|(k, v)| (k.to_string(), from_amqp(v)))
        .collect()
}

/// A lapin value as a core value.
pub fn from_amqp(value: &AMQPValue) -> FieldValue {
    match value {
        AMQPValue::Boolean(b) => FieldValue::Bool(*b),
        AMQPValue::ShortShortInt(v) => FieldValue::I8(*v),
        AMQPValue::ShortShortUInt(v) => FieldValue::U8(*v),
        AMQPValue::ShortInt(v) => FieldValue::I16(*v),
        AMQPValue::ShortUInt(v) => FieldValue::U16(*v),
        AMQPValue::LongInt(v) => FieldValue::I32(*v),
        AMQPValue::LongUInt(v) => FieldValue::U32(*v),
        AMQPValue::LongLongInt(v) => FieldValue::I64(*v),
        AMQPValue::Float(v) => FieldValue::F32(*v),
        AMQPValue::Double(v) => FieldValue::F64(*v),
        AMQPValue::DecimalValue(d) => FieldValue::Decimal {
            scale: d.scale,
            value: d.value,
        },
        AMQPValue::ShortString(s) => FieldValue::string(s.as_str()),
        AMQPValue::LongString(s) => FieldValue::LongString(s.as_bytes().to_vec()),
        AMQPValue::FieldArray(a) => FieldValue::Array(a.as_slice().iter().map(from_amqp).collect()),
        AMQPValue::Timestamp(t) => FieldValue::Timestamp(*t),
        AMQPValue::FieldTable(t) => FieldValue::Table(from_amqp_table(t)),
        AMQPValue::ByteArray(b) => FieldValue::Bytes(b.as_slice().to_vec()),
        AMQPValue::Void => FieldValue::Void,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips() {
        let values = vec![
            FieldValue::Bool(true),
            FieldValue::I8(-1),
            FieldValue::U8(1),
            FieldValue::I16(-2),
            FieldValue::U16(2),
            FieldValue::I32(-3),
            FieldValue::U32(3),
            FieldValue::I64(-4),
            FieldValue::F32(0.5),
            FieldValue::F64(0.25),
            FieldValue::Decimal {
                scale: 2,
                value: 150,
            },
            FieldValue::string("s"),
            FieldValue::Bytes(vec![0, 255]),
            FieldValue::Timestamp(7),
            FieldValue::Array(vec![FieldValue::I64(1), FieldValue::Void]),
            FieldValue::Table(
                [("k".to_string(), FieldValue::Bool(false))]
                    .into_iter()
                    .collect(),
            ),
            FieldValue::Void,
        ];
        for v in values {
            assert_eq!(from_amqp(&to_amqp(&v)), v);
        }
    }
}
