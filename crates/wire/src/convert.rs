//! The broker core's values ↔ `amq-protocol`'s (the codec's, and lapin's, which re-exports
//! them): field values type for type, and basic properties field for field.

use amq_protocol::protocol::basic::AMQPProperties;
use amq_protocol::types::{
    AMQPValue, ByteArray, DecimalValue, FieldArray, LongString, ShortString,
};
use amqp_playground_core::Properties;
use amqp_playground_core::{FieldTable, FieldValue};

/// A core table as an `amq-protocol` table (kept sorted by key: order is not significant on
/// the wire for RabbitMQ except for duplicate keys, which `amq-protocol` cannot express).
pub fn to_amqp_table(table: &FieldTable) -> amq_protocol::types::FieldTable {
    let mut out = amq_protocol::types::FieldTable::default();
    for (k, v) in table.iter() {
        out.insert(ShortString::from(k), to_amqp(v));
    }
    out
}

/// A core value as a amq-protocol value.
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

/// A amq-protocol table as a core table.
pub fn from_amqp_table(table: &amq_protocol::types::FieldTable) -> FieldTable {
    table
        .inner()
        .iter()
        .map(|(k, v)| (k.to_string(), from_amqp(v)))
        .collect()
}

/// A amq-protocol value as a core value.
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

/// Core properties as `amq-protocol` properties (for deliveries, returns and get-ok).
pub fn to_amqp_properties(p: &Properties) -> AMQPProperties {
    let s = |v: &Option<String>| v.as_deref().map(ShortString::from);
    let mut out = AMQPProperties::default();
    if let Some(v) = s(&p.content_type) {
        out = out.with_content_type(v);
    }
    if let Some(v) = s(&p.content_encoding) {
        out = out.with_content_encoding(v);
    }
    if let Some(h) = &p.headers {
        out = out.with_headers(to_amqp_table(h));
    }
    if let Some(v) = p.delivery_mode {
        out = out.with_delivery_mode(v);
    }
    if let Some(v) = p.priority {
        out = out.with_priority(v);
    }
    if let Some(v) = s(&p.correlation_id) {
        out = out.with_correlation_id(v);
    }
    if let Some(v) = s(&p.reply_to) {
        out = out.with_reply_to(v);
    }
    if let Some(v) = s(&p.expiration) {
        out = out.with_expiration(v);
    }
    if let Some(v) = s(&p.message_id) {
        out = out.with_message_id(v);
    }
    if let Some(v) = p.timestamp {
        out = out.with_timestamp(v);
    }
    if let Some(v) = s(&p.kind) {
        out = out.with_type(v);
    }
    if let Some(v) = s(&p.user_id) {
        out = out.with_user_id(v);
    }
    if let Some(v) = s(&p.app_id) {
        out = out.with_app_id(v);
    }
    if let Some(v) = s(&p.cluster_id) {
        out = out.with_cluster_id(v);
    }
    out
}

/// `amq-protocol` properties (of a publish) as core properties.
pub fn from_amqp_properties(p: &AMQPProperties) -> Properties {
    let s = |v: &Option<ShortString>| v.as_ref().map(|v| v.as_str().to_owned());
    Properties {
        content_type: s(p.content_type()),
        content_encoding: s(p.content_encoding()),
        headers: p.headers().as_ref().map(from_amqp_table),
        delivery_mode: *p.delivery_mode(),
        priority: *p.priority(),
        correlation_id: s(p.correlation_id()),
        reply_to: s(p.reply_to()),
        expiration: s(p.expiration()),
        message_id: s(p.message_id()),
        timestamp: *p.timestamp(),
        kind: s(p.kind()),
        user_id: s(p.user_id()),
        app_id: s(p.app_id()),
        cluster_id: s(p.cluster_id()),
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

    #[test]
    fn properties_round_trip() {
        let p = Properties {
            content_type: Some("text/plain".into()),
            headers: Some(
                [("h".to_string(), FieldValue::I32(1))]
                    .into_iter()
                    .collect(),
            ),
            delivery_mode: Some(2),
            priority: Some(9),
            correlation_id: Some("c".into()),
            reply_to: Some("r".into()),
            expiration: Some("60000".into()),
            timestamp: Some(5),
            kind: Some("t".into()),
            ..Properties::default()
        };
        assert_eq!(from_amqp_properties(&to_amqp_properties(&p)), p);
        assert_eq!(
            to_amqp_properties(&Properties::default()),
            AMQPProperties::default()
        );
    }
}
