//! The headers exchange: binding arguments against message headers under an `x-match` rule
//! (semantics §4.6, `rabbit_exchange_type_headers`). Routing keys are ignored.
//!
//! ```text
//! x-match      compares                        matches when
//! all (default) arguments not starting "x-"    every compared argument matches (none: true)
//! any           arguments not starting "x-"    some compared argument matches  (none: false)
//! all-with-x    every argument but x-match     every compared argument matches
//! any-with-x    every argument but x-match     some compared argument matches
//! ```
//!
//! An argument of type void matches when the header is present, whatever its value; any other
//! argument needs the header present with an equal value — typed equality, see
//! [`FieldValue::matches`], plus the timestamp rule of §4.6.6 (4.x turns *message* timestamps
//! into milliseconds before comparing, but not binding arguments).

use super::{BindingId, Interner};
use crate::compat::Compat;
use crate::field::{FieldTable, FieldValue};

/// The `x-match` rule of a headers binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum XMatch {
    /// Every compared argument must match (the default).
    All,
    /// At least one compared argument must match.
    Any,
    /// Like `all`, but `x-` arguments other than `x-match` are compared too.
    AllWithX,
    /// Like `any`, but `x-` arguments other than `x-match` are compared too.
    AnyWithX,
}

impl XMatch {
    /// The value as a binding argument spells it.
    pub fn name(self) -> &'static str {
        match self {
            XMatch::All => "all",
            XMatch::Any => "any",
            XMatch::AllWithX => "all-with-x",
            XMatch::AnyWithX => "any-with-x",
        }
    }

    fn from_bytes(value: &[u8]) -> Option<Self> {
        match value {
            b"all" => Some(XMatch::All),
            b"any" => Some(XMatch::Any),
            b"all-with-x" => Some(XMatch::AllWithX),
            b"any-with-x" => Some(XMatch::AnyWithX),
            _ => None,
        }
    }

    /// The rule of a binding and whether `x-match` was given. Anything unparsable counts as
    /// `all`, as RabbitMQ's `parse_x_match` does for bindings older than validation.
    pub fn of(arguments: &FieldTable) -> (Self, bool) {
        match x_match_arg(arguments) {
            Some(FieldValue::LongString(v)) => (XMatch::from_bytes(v).unwrap_or(XMatch::All), true),
            Some(_) => (XMatch::All, true),
            None => (XMatch::All, false),
        }
    }

    fn requires_all(self) -> bool {
        matches!(self, XMatch::All | XMatch::AllWithX)
    }

    /// Whether a binding argument takes no part in matching.
    fn skips(self, name: &str) -> bool {
        name == "x-match" || (matches!(self, XMatch::All | XMatch::Any) && name.starts_with("x-"))
    }
}

/// `rabbit_misc:table_lookup` takes the first entry of a name (arguments are stably sorted).
fn x_match_arg(arguments: &FieldTable) -> Option<&FieldValue> {
    arguments
        .iter()
        .find(|(k, _)| *k == "x-match")
        .map(|(_, v)| v)
}

/// §3.4: `x-match` must be a longstr naming one of the four rules; absent is fine.
pub(crate) fn validate(
    _routing_key: &str,
    arguments: &FieldTable,
    _compat: Compat,
) -> Result<(), String> {
    match x_match_arg(arguments) {
        None => Ok(()),
        Some(FieldValue::LongString(v)) if XMatch::from_bytes(v).is_some() => Ok(()),
        Some(FieldValue::LongString(v)) => Err(format!(
            "Invalid x-match field value {}; expected all, any, all-with-x, or any-with-x",
            erlang_binary(v)
        )),
        Some(other) => Err(format!(
            "Invalid x-match field type {} (value {}); expected longstr",
            other.type_name(),
            erlang_value(other)
        )),
    }
}

/// A binary as Erlang's `~tp` prints it with the default (latin-1) printable range:
/// `<<"foo">>` when every byte is a printable latin-1 character, else `<<1,2>>`. UTF-8 text
/// therefore prints as itself when all its bytes are ≥ 160 (`<<"é">>`, observed on RabbitMQ
/// 3.10.8) but as numbers when a byte falls in 128..160 (`€` = `<<226,130,172>>`).
fn erlang_binary(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "<<>>".to_string();
    }
    let mut out = b"<<\"".to_vec();
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x0b => out.extend_from_slice(b"\\v"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x1b => out.extend_from_slice(b"\\e"),
            32..=126 | 160..=255 => out.push(b),
            _ => {
                let list: Vec<String> = bytes.iter().map(u8::to_string).collect();
                return format!("<<{}>>", list.join(","));
            }
        }
    }
    out.extend_from_slice(b"\">>");
    // The bytes go out as they came in; a reply text is UTF-8 here, so latin-1 bytes that
    // are not UTF-8 (a lone 0xE9) are shown as U+FFFD rather than sent raw.
    String::from_utf8_lossy(&out).into_owned()
}

/// A field value as the Erlang term RabbitMQ holds, printed by `~tp`.
fn erlang_value(value: &FieldValue) -> String {
    match value {
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::F32(f) => erlang_float(f64::from(*f)),
        FieldValue::F64(f) => erlang_float(*f),
        FieldValue::Decimal { scale, value } => format!("{{{scale},{value}}}"),
        FieldValue::LongString(b) | FieldValue::Bytes(b) => erlang_binary(b),
        FieldValue::Timestamp(t) => t.to_string(),
        FieldValue::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|v| format!("{{{},{}}}", v.type_name(), erlang_value(v)))
                .collect();
            format!("[{}]", items.join(","))
        }
        FieldValue::Table(t) => {
            let items: Vec<String> = t
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{{{},{},{}}}",
                        erlang_binary(k.as_bytes()),
                        v.type_name(),
                        erlang_value(v)
                    )
                })
                .collect();
            format!("[{}]", items.join(","))
        }
        FieldValue::Void => "undefined".to_string(),
        other => other
            .as_integer()
            .map_or_else(String::new, |i| i.to_string()),
    }
}

/// Erlang prints floats with a `.0` even in exponent form (`1.0e20`); Rust's shortest
/// round-trip digits are the same digits.
fn erlang_float(f: f64) -> String {
    let s = format!("{f:?}");
    match s.split_once('e') {
        Some((mantissa, exp)) if !mantissa.contains('.') => format!("{mantissa}.0e{exp}"),
        _ => s,
    }
}

/// Value equality for one binding argument against one message header (§4.6.6).
fn values_equal(binding: &FieldValue, message: &FieldValue, compat: Compat) -> bool {
    // 3.13+ converts message headers through `mc`, turning timestamps into milliseconds; the
    // binding side keeps raw seconds. Both then lose their type, so a timestamp is an integer.
    // ≤3.12 compared the raw seconds. The same release switched `==` to `=:=`, so the compat
    // flag for loose numbers marks the old comparison as a whole.
    let message_scale = if compat.headers_loose_number_equality() {
        1
    } else {
        1000
    };
    let as_int = |v: &FieldValue, scale: i128| match v {
        FieldValue::Timestamp(t) => Some(i128::from(*t) * scale),
        _ => None,
    };
    match (as_int(binding, 1), as_int(message, message_scale)) {
        (None, None) => match (binding, message) {
            // Types are dropped: a byte array and a long string are both just bytes (observed
            // on 3.10.8: binding `x` "pdf" matches header `S` "pdf").
            (
                FieldValue::LongString(a) | FieldValue::Bytes(a),
                FieldValue::LongString(b) | FieldValue::Bytes(b),
            ) => a == b,
            _ => binding.matches(message, compat),
        },
        (Some(a), Some(b)) => a == b,
        (Some(i), None) => integer_equals(i, message, compat),
        (None, Some(i)) => integer_equals(i, binding, compat),
    }
}

fn integer_equals(i: i128, other: &FieldValue, compat: Compat) -> bool {
    if let Some(j) = other.as_integer() {
        return i == i128::from(j);
    }
    let float = match other {
        FieldValue::F32(f) => f64::from(*f),
        FieldValue::F64(f) => *f,
        _ => return false,
    };
    compat.headers_loose_number_equality() && (i as f64) == float
}

/// A message's headers, sorted by name with one entry per name, for binary search (explain
/// looks up arbitrary names; routing uses [`Index`]'s slots).
pub(crate) struct MessageHeaders<'a> {
    sorted: Vec<(&'a str, &'a FieldValue)>,
}

impl<'a> MessageHeaders<'a> {
    /// §4.6.7: with duplicate names 4.x keeps the last (a map fold); ≤3.12 merged the stably
    /// sorted lists, so the first one was compared.
    pub(crate) fn new(headers: Option<&'a FieldTable>, compat: Compat) -> Self {
        let mut sorted: Vec<(&str, &FieldValue)> =
            headers.map_or_else(Vec::new, |h| h.iter().collect());
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        if compat.headers_loose_number_equality() {
            sorted.dedup_by(|later, earlier| later.0 == earlier.0);
        } else {
            sorted.reverse();
            sorted.dedup_by(|earlier, later| earlier.0 == later.0);
            sorted.reverse();
        }
        MessageHeaders { sorted }
    }

    fn get(&self, name: &str) -> Option<&'a FieldValue> {
        self.sorted
            .binary_search_by(|(k, _)| (*k).cmp(name))
            .ok()
            .map(|i| self.sorted[i].1)
    }
}

/// A binding's arguments, parsed once at bind time, names numbered by the table's [`Interner`].
#[derive(Clone, Debug)]
struct Spec {
    x_match: XMatch,
    /// The arguments that take part in matching, by name id.
    compared: Vec<(u32, FieldValue)>,
}

impl Spec {
    /// `found[name]` is the message's header of that name, if any.
    fn matches(&self, found: &[Option<&FieldValue>], compat: Compat) -> bool {
        let one = |(name, want): &(u32, FieldValue)| match found[*name as usize] {
            None => false,
            Some(_) if *want == FieldValue::Void => true,
            Some(found) => values_equal(want, found, compat),
        };
        if self.x_match.requires_all() {
            self.compared.iter().all(one)
        } else {
            self.compared.iter().any(one)
        }
    }
}

/// The headers bindings in declaration order. Each message is checked against every binding, as
/// in RabbitMQ; what the index saves is the name lookups: the message's headers are placed once
/// in a slot per argument name the table uses, and each binding reads its slots directly.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    specs: Vec<(BindingId, Spec)>,
    names: Interner,
}

impl Index {
    pub(crate) fn insert(&mut self, id: BindingId, arguments: &FieldTable) {
        let (x_match, _) = XMatch::of(arguments);
        let compared = arguments
            .iter()
            .filter(|(k, _)| !x_match.skips(k))
            .map(|(k, v)| (self.names.acquire(k), v.clone()))
            .collect();
        self.specs.push((id, Spec { x_match, compared }));
    }

    pub(crate) fn remove(&mut self, id: BindingId) {
        if let Ok(i) = self.specs.binary_search_by_key(&id, |(b, _)| *b) {
            let (_, spec) = self.specs.remove(i);
            for (name, _) in spec.compared {
                self.names.release(name);
            }
        }
    }

    /// Calls `found` with every matching binding, in declaration order.
    pub(crate) fn route(
        &self,
        headers: Option<&FieldTable>,
        compat: Compat,
        mut found: impl FnMut(BindingId),
    ) {
        let mut slots: Vec<Option<&FieldValue>> = vec![None; self.names.capacity()];
        for (name, value) in headers.iter().flat_map(|h| h.iter()) {
            if let Some(id) = self.names.get(name) {
                let slot = &mut slots[id as usize];
                // The duplicate-name rule of `MessageHeaders::new`: 4.x keeps the last, 3.x
                // the first.
                if slot.is_none() || !compat.headers_loose_number_equality() {
                    *slot = Some(value);
                }
            }
        }
        for (id, spec) in &self.specs {
            if spec.matches(&slots, compat) {
                found(*id);
            }
        }
    }
}

/// What happened to one binding argument.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum HeaderOutcome {
    /// `x-match` itself is never compared.
    SkippedXMatch,
    /// An `x-` argument under `all` / `any`, which ignore them.
    SkippedX,
    /// A void argument: the header is present, which is all it asks.
    Present {
        /// The header's value in the message.
        found: FieldValue,
    },
    /// The header is present with an equal value.
    Equal {
        /// The header's value in the message.
        found: FieldValue,
    },
    /// The message has no header of this name.
    Missing,
    /// The header is present with another value (or an incomparable type).
    Unequal {
        /// The header's value in the message.
        found: FieldValue,
    },
}

impl HeaderOutcome {
    /// Whether the argument counts as matched (skipped arguments count neither way).
    pub fn is_match(&self) -> Option<bool> {
        match self {
            HeaderOutcome::SkippedXMatch | HeaderOutcome::SkippedX => None,
            HeaderOutcome::Present { .. } | HeaderOutcome::Equal { .. } => Some(true),
            HeaderOutcome::Missing | HeaderOutcome::Unequal { .. } => Some(false),
        }
    }
}

/// One binding argument against the message's headers.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HeaderCheck {
    /// The argument's name.
    pub name: String,
    /// The argument's value.
    pub expected: FieldValue,
    /// What the message had.
    pub outcome: HeaderOutcome,
}

/// A headers binding against a message, argument by argument.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HeadersExplanation {
    /// The rule in force.
    pub x_match: XMatch,
    /// Whether the binding named it (absent means `all`).
    pub x_match_given: bool,
    /// Every binding argument, sorted by name.
    pub checks: Vec<HeaderCheck>,
    /// The verdict.
    pub matched: bool,
    /// §4.6.6 applied: a timestamp was involved and 4.x compares message timestamps in
    /// milliseconds.
    pub timestamp_note: bool,
}

pub(crate) fn explain(
    arguments: &FieldTable,
    headers: Option<&FieldTable>,
    compat: Compat,
) -> HeadersExplanation {
    let (x_match, x_match_given) = XMatch::of(arguments);
    let message = MessageHeaders::new(headers, compat);
    let mut timestamp_note = false;
    let checks: Vec<HeaderCheck> = arguments
        .iter()
        .map(|(name, expected)| {
            let outcome = if name == "x-match" {
                HeaderOutcome::SkippedXMatch
            } else if x_match.skips(name) {
                HeaderOutcome::SkippedX
            } else {
                match message.get(name) {
                    None => HeaderOutcome::Missing,
                    Some(found) if *expected == FieldValue::Void => HeaderOutcome::Present {
                        found: found.clone(),
                    },
                    Some(found) => {
                        let is_ts = |v: &FieldValue| matches!(v, FieldValue::Timestamp(_));
                        timestamp_note |= (is_ts(expected) || is_ts(found))
                            && !compat.headers_loose_number_equality();
                        if values_equal(expected, found, compat) {
                            HeaderOutcome::Equal {
                                found: found.clone(),
                            }
                        } else {
                            HeaderOutcome::Unequal {
                                found: found.clone(),
                            }
                        }
                    }
                }
            };
            HeaderCheck {
                name: name.to_string(),
                expected: expected.clone(),
                outcome,
            }
        })
        .collect();
    let mut verdicts = checks.iter().filter_map(|c| c.outcome.is_match());
    let matched = if x_match.requires_all() {
        verdicts.all(|m| m)
    } else {
        verdicts.any(|m| m)
    };
    HeadersExplanation {
        x_match,
        x_match_given,
        checks,
        matched,
        timestamp_note,
    }
}

/// A value for a sentence: `'pdf' (longstr)`, `23 (signedint)`.
fn show(value: &FieldValue) -> String {
    let text = match value {
        FieldValue::LongString(b) => format!("'{}'", String::from_utf8_lossy(b)),
        FieldValue::Void => return "no value (void)".to_string(),
        other => erlang_value(other),
    };
    format!("{text} ({})", value.type_name())
}

impl HeadersExplanation {
    pub(crate) fn sentence(&self) -> String {
        let rule = match (self.x_match, self.x_match_given) {
            (XMatch::All, false) => {
                "No x-match, so 'all' applies: every argument must match".to_string()
            }
            (XMatch::All, true) => "x-match 'all': every argument must match".to_string(),
            (XMatch::Any, _) => "x-match 'any': one matching argument is enough".to_string(),
            (XMatch::AllWithX, _) => {
                "x-match 'all-with-x': every argument, x- ones included, must match".to_string()
            }
            (XMatch::AnyWithX, _) => {
                "x-match 'any-with-x': one matching argument, x- ones included, is enough"
                    .to_string()
            }
        };
        let mut parts = Vec::new();
        let mut skipped = Vec::new();
        for c in &self.checks {
            let name = &c.name;
            match &c.outcome {
                HeaderOutcome::SkippedXMatch => {}
                HeaderOutcome::SkippedX => skipped.push(format!("'{name}'")),
                HeaderOutcome::Present { found } => parts.push(format!(
                    "'{name}' (no value: presence is enough) is present as {}",
                    show(found)
                )),
                HeaderOutcome::Equal { found } => parts.push(format!(
                    "'{name}' wants {} and the message has {}: equal",
                    show(&c.expected),
                    show(found)
                )),
                HeaderOutcome::Missing => parts.push(format!(
                    "'{name}' wants {} but the message has no '{name}' header",
                    show(&c.expected)
                )),
                HeaderOutcome::Unequal { found } => parts.push(format!(
                    "'{name}' wants {} but the message has {}: not equal",
                    show(&c.expected),
                    show(found)
                )),
            }
        }
        let mut s = format!("{rule}.");
        if !skipped.is_empty() {
            s.push_str(&format!(
                " Skipped {} (x- arguments are ignored unless x-match ends in -with-x).",
                skipped.join(", ")
            ));
        }
        if parts.is_empty() {
            s.push_str(if self.x_match.requires_all() {
                " There is nothing to compare, and 'all' of nothing is true: every message matches."
            } else {
                " There is nothing to compare, and 'any' of nothing is false: no message matches."
            });
        } else {
            s.push_str(&format!(" {}.", parts.join("; ")));
        }
        if self.timestamp_note {
            s.push_str(
                " (RabbitMQ 4 compares a message's timestamp headers in milliseconds but binding \
                 timestamps as written, so a timestamp argument only equals 0.)",
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::tests::q;
    use crate::exchange::{ExchangeKind, RoutingTable};
    use proptest::prelude::*;
    use FieldValue::*;

    fn table(entries: &[(&str, FieldValue)]) -> FieldTable {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn s(text: &str) -> FieldValue {
        FieldValue::string(text)
    }

    fn routes(binding: &FieldTable, message: Option<&FieldTable>, compat: Compat) -> bool {
        let mut t = RoutingTable::new(ExchangeKind::Headers);
        t.add(q("q"), "ignored", binding);
        let mut out = Vec::new();
        t.route(&["whatever"], message, compat, &mut out);
        let explained = t.explain(&["whatever"], message, compat)[0].matched;
        assert_eq!(
            explained,
            !out.is_empty(),
            "explain agrees with route for {binding:?} / {message:?}"
        );
        !out.is_empty()
    }

    /// §4.6.1-4.6.5: the four rules, x- skipping, void presence, and the empty cases (each
    /// row's situation was also checked on RabbitMQ 3.10.8).
    #[test]
    fn truth_table_x_match_rules() {
        let fmt_pdf = ("format", s("pdf"));
        let kind_report = ("type", s("report"));
        let msg_both = table(&[fmt_pdf.clone(), kind_report.clone()]);
        let msg_pdf = table(std::slice::from_ref(&fmt_pdf));
        let msg_zip = table(&[("format", s("zip")), kind_report.clone()]);
        let msg_x = table(&[fmt_pdf.clone(), ("x-id", I32(7))]);
        let empty = FieldTable::new();
        let rows: &[(&str, FieldTable, Option<&FieldTable>, bool)] = &[
            // all (default): every argument.
            (
                "all default",
                table(&[fmt_pdf.clone(), kind_report.clone()]),
                Some(&msg_both),
                true,
            ),
            (
                "all default, one missing",
                table(&[fmt_pdf.clone(), kind_report.clone()]),
                Some(&msg_pdf),
                false,
            ),
            (
                "all explicit, one unequal",
                table(&[("x-match", s("all")), fmt_pdf.clone(), kind_report.clone()]),
                Some(&msg_zip),
                false,
            ),
            // any: one is enough.
            (
                "any, one missing",
                table(&[("x-match", s("any")), fmt_pdf.clone(), kind_report.clone()]),
                Some(&msg_pdf),
                true,
            ),
            (
                "any, one unequal",
                table(&[("x-match", s("any")), fmt_pdf.clone(), kind_report.clone()]),
                Some(&msg_zip),
                true,
            ),
            (
                "any, none",
                table(&[("x-match", s("any")), ("format", s("doc"))]),
                Some(&msg_both),
                false,
            ),
            // Empty cases (§4.6.4): all over nothing is true, any over nothing false.
            ("all over no args", empty.clone(), None, true),
            (
                "all over no args, headers",
                empty.clone(),
                Some(&msg_both),
                true,
            ),
            (
                "explicit all over no args",
                table(&[("x-match", s("all"))]),
                None,
                true,
            ),
            (
                "any over no args",
                table(&[("x-match", s("any"))]),
                Some(&msg_both),
                false,
            ),
            (
                "all, message without headers",
                table(std::slice::from_ref(&fmt_pdf)),
                None,
                false,
            ),
            (
                "all, empty header table",
                table(std::slice::from_ref(&fmt_pdf)),
                Some(&empty),
                false,
            ),
            // §4.6.2: x- arguments skipped under all/any, compared under -with-x.
            (
                "all skips x-",
                table(&[fmt_pdf.clone(), ("x-id", I32(1))]),
                Some(&msg_pdf),
                true,
            ),
            (
                "all with only x- args is vacuous",
                table(&[("x-id", I32(1))]),
                None,
                true,
            ),
            (
                "any with only x- args is empty",
                table(&[("x-match", s("any")), ("x-id", I32(1))]),
                Some(&msg_x),
                false,
            ),
            (
                "all-with-x compares x-",
                table(&[
                    ("x-match", s("all-with-x")),
                    fmt_pdf.clone(),
                    ("x-id", I32(7)),
                ]),
                Some(&msg_x),
                true,
            ),
            (
                "all-with-x, x- unequal",
                table(&[
                    ("x-match", s("all-with-x")),
                    fmt_pdf.clone(),
                    ("x-id", I32(8)),
                ]),
                Some(&msg_x),
                false,
            ),
            (
                "all-with-x, x- missing",
                table(&[
                    ("x-match", s("all-with-x")),
                    fmt_pdf.clone(),
                    ("x-id", I32(7)),
                ]),
                Some(&msg_pdf),
                false,
            ),
            (
                "any-with-x, only x- matches",
                table(&[
                    ("x-match", s("any-with-x")),
                    ("format", s("doc")),
                    ("x-id", I32(7)),
                ]),
                Some(&msg_x),
                true,
            ),
            (
                "any skips x- even when it would match",
                table(&[
                    ("x-match", s("any")),
                    ("format", s("doc")),
                    ("x-id", I32(7)),
                ]),
                Some(&msg_x),
                false,
            ),
            (
                "all-with-x over only x-match",
                table(&[("x-match", s("all-with-x"))]),
                None,
                true,
            ),
            (
                "any-with-x over only x-match",
                table(&[("x-match", s("any-with-x"))]),
                Some(&msg_x),
                false,
            ),
            // x-match is never compared, even against a message header named x-match.
            (
                "x-match header ignored",
                table(&[("x-match", s("all-with-x"))]),
                Some(&table(&[("x-match", s("any"))])),
                true,
            ),
            // §4.6.3: void means presence.
            (
                "void, present",
                table(&[("format", Void)]),
                Some(&msg_pdf),
                true,
            ),
            (
                "void, present as void",
                table(&[("format", Void)]),
                Some(&table(&[("format", Void)])),
                true,
            ),
            (
                "void, absent",
                table(&[("format", Void)]),
                Some(&table(std::slice::from_ref(&kind_report))),
                false,
            ),
            (
                "value vs void header",
                table(&[("format", s("pdf"))]),
                Some(&table(&[("format", Void)])),
                false,
            ),
            (
                "any: void present",
                table(&[("x-match", s("any")), ("a", Void), ("b", I32(1))]),
                Some(&table(&[("a", Bool(false))])),
                true,
            ),
            // Header names are case-sensitive bytes.
            (
                "name case",
                table(&[("Format", s("pdf"))]),
                Some(&msg_pdf),
                false,
            ),
        ];
        for (what, binding, message, want) in rows {
            assert_eq!(
                routes(binding, *message, Compat::RabbitMq4),
                *want,
                "{what}"
            );
        }
    }

    /// §4.6.6: type is dropped, integer widths interchangeable; 4.x integer ≠ float, 3.x equal;
    /// strings are not numbers; message timestamps become milliseconds in 4.x only.
    #[test]
    fn truth_table_value_equality() {
        use Compat::{RabbitMq310 as V3, RabbitMq4 as V4};
        let rows: &[(FieldValue, FieldValue, Compat, bool)] = &[
            (I32(1), I64(1), V4, true),
            (U8(200), I16(200), V4, true),
            (I64(-1), U32(u32::MAX), V4, false),
            (I32(1), F64(1.0), V4, false),
            (I32(1), F64(1.0), V3, true),
            (F32(1.5), F64(1.5), V4, true),
            (s("1"), I32(1), V4, false),
            (s("1"), I32(1), V3, false),
            (Bool(true), s("true"), V4, false),
            (Bool(true), Bool(true), V4, true),
            (s("pdf"), s("pdf"), V4, true),
            (s("pdf"), s("PDF"), V4, false),
            (Bytes(b"pdf".to_vec()), s("pdf"), V3, true),
            (s("pdf"), Bytes(b"pdf".to_vec()), V4, true),
            (Bytes(b"pdf".to_vec()), Bytes(b"pdf".to_vec()), V4, true),
            (Bytes(b"pdf".to_vec()), s("pd"), V4, false),
            // Inside arrays and tables the element types are compared too (3.10.8 agrees).
            (
                Array(vec![I8(1), s("a")]),
                Array(vec![I64(1), s("a")]),
                V4,
                false,
            ),
            (
                Array(vec![I64(1), s("a")]),
                Array(vec![I64(1), s("a")]),
                V4,
                true,
            ),
            (Array(vec![I8(1)]), Array(vec![I8(1), I8(1)]), V4, false),
            (
                Table(table(&[("k", I32(1))])),
                Table(table(&[("k", I64(1))])),
                V3,
                false,
            ),
            (
                Table(table(&[("k", I64(1))])),
                Table(table(&[("k", I64(1))])),
                V4,
                true,
            ),
            // Timestamps (§4.6.6): the binding keeps seconds, the 4.x message gets milliseconds.
            (Timestamp(5), Timestamp(5), V4, false),
            (Timestamp(0), Timestamp(0), V4, true),
            (Timestamp(5), Timestamp(5), V3, true),
            (I64(5000), Timestamp(5), V4, true),
            (I64(5), Timestamp(5), V4, false),
            (I64(5), Timestamp(5), V3, true),
            (Timestamp(5000), I32(5000), V4, true),
            (Timestamp(5), F64(5.0), V3, true),
            (Timestamp(5), F64(5.0), V4, false),
            (Timestamp(5), s("5"), V4, false),
            (Timestamp(u64::MAX), Timestamp(u64::MAX), V4, false),
        ];
        for (binding, message, compat, want) in rows {
            let b = table(&[("h", binding.clone())]);
            let m = table(&[("h", message.clone())]);
            assert_eq!(
                routes(&b, Some(&m), *compat),
                *want,
                "binding {binding:?} vs header {message:?} under {compat:?}"
            );
        }
    }

    /// Unbinding releases the argument names; a re-used name slot serves the next binding.
    #[test]
    fn unbinding_releases_argument_names() {
        let mut t = RoutingTable::new(ExchangeKind::Headers);
        let a = table(&[
            ("format", s("pdf")),
            ("x-match", s("any")),
            ("lang", s("en")),
        ]);
        let b = table(&[("format", s("zip"))]);
        t.add(q("a"), "", &a);
        t.add(q("b"), "", &b);
        assert!(t.remove(&q("a"), "", &a));
        let c = table(&[("size", I32(3))]);
        t.add(q("c"), "", &c);
        let mut out = Vec::new();
        let message = table(&[("size", I64(3)), ("format", s("zip")), ("lang", s("en"))]);
        t.route(&[], Some(&message), Compat::RabbitMq4, &mut out);
        assert_eq!(out, [q("b"), q("c")]);
        assert!(t.remove(&q("b"), "", &b));
        assert!(t.remove(&q("c"), "", &c));
        let crate::exchange::Index::Headers(index) = &t.index else {
            unreachable!()
        };
        assert!(index.names.is_empty());
    }

    /// §4.6.7: duplicate header names — 4.x: the later wins; 3.x: the first.
    #[test]
    fn duplicate_header_names() {
        let binding = table(&[("a", I32(2))]);
        let message = table(&[("a", I32(1)), ("b", I32(0)), ("a", I32(2))]);
        assert!(routes(&binding, Some(&message), Compat::RabbitMq4));
        assert!(!routes(&binding, Some(&message), Compat::RabbitMq310));
    }

    /// RabbitMQ's own matcher (`rabbit_exchange_type_headers:headers_match/5`, 3.12), clause for
    /// clause: a merge walk over the binding arguments and the message headers, both sorted by
    /// name. `eq` is the value comparison of the version under test.
    fn erlang_headers_match(
        args: &FieldTable,
        data: &[(&str, &FieldValue)],
        compat: Compat,
    ) -> bool {
        #[derive(PartialEq, Clone, Copy)]
        enum Mk {
            All,
            Any,
            AllX,
            AnyX,
        }
        let mk = match args.iter().find(|(k, _)| *k == "x-match").map(|(_, v)| v) {
            Some(FieldValue::LongString(v)) if v == b"any" => Mk::Any,
            Some(FieldValue::LongString(v)) if v == b"all-with-x" => Mk::AllX,
            Some(FieldValue::LongString(v)) if v == b"any-with-x" => Mk::AnyX,
            _ => Mk::All,
        };
        let sorted = args.sorted();
        let pattern: Vec<(&str, &FieldValue)> = sorted.iter().collect();
        let (mut p, mut d) = (pattern.as_slice(), data);
        let (mut all, mut any) = (true, false);
        loop {
            if !all && matches!(mk, Mk::All | Mk::AllX) {
                return false;
            }
            if any && matches!(mk, Mk::Any | Mk::AnyX) {
                return true;
            }
            let Some(&(pk, pv)) = p.first() else {
                return if matches!(mk, Mk::All | Mk::AllX) {
                    all
                } else {
                    any
                };
            };
            if pk == "x-match" || (pk.starts_with("x-") && matches!(mk, Mk::All | Mk::Any)) {
                p = &p[1..];
                continue;
            }
            let Some(&(dk, dv)) = d.first() else {
                p = &[];
                all = false;
                continue;
            };
            if pk > dk {
                d = &d[1..];
            } else if pk < dk {
                p = &p[1..];
                all = false;
            } else {
                if *pv == FieldValue::Void || pv.matches(dv, compat) {
                    any = true;
                } else {
                    all = false;
                }
                p = &p[1..];
                d = &d[1..];
            }
        }
    }

    fn small_value() -> impl Strategy<Value = FieldValue> {
        prop::sample::select(vec![
            I32(1),
            I64(1),
            U8(2),
            F64(1.0),
            s("1"),
            s("a"),
            Bool(true),
            Void,
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Route and explain agree with RabbitMQ's merge walk for every `x-match` rule, under both
        /// profiles: 3.x walks the stably sorted headers (the first of a duplicated name is the one
        /// compared); 4.x builds a map first (the last wins).
        #[test]
        fn headers_agree_with_rabbitmqs_matcher(
            mode in prop::option::of(prop::sample::select(vec!["all", "any", "all-with-x", "any-with-x"])),
            arg_names in prop::sample::subsequence(vec!["a", "b", "c", "x-a", "x-b"], 0..5),
            arg_values in prop::collection::vec(small_value(), 5),
            headers in prop::collection::vec(
                (prop::sample::select(vec!["a", "b", "c", "x-a", "x-b", "x-match"]), small_value()),
                0..6,
            ),
            has_headers in any::<bool>(),
        ) {
            let mut args: FieldTable = arg_names.iter().zip(&arg_values).map(|(k, v)| (k.to_string(), v.clone())).collect();
            if let Some(mode) = mode {
                args.0.push(("x-match".to_string(), s(mode)));
            }
            let message: FieldTable = headers.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
            for compat in [Compat::RabbitMq310, Compat::RabbitMq4] {
                let mut data: Vec<(&str, &FieldValue)> = if has_headers { message.iter().collect() } else { Vec::new() };
                data.sort_by(|a, b| a.0.cmp(b.0));
                if compat == Compat::RabbitMq4 {
                    // A map keeps the last value of a name.
                    data.reverse();
                    data.dedup_by(|a, b| a.0 == b.0);
                    data.reverse();
                }
                let want = erlang_headers_match(&args, &data, compat);
                let got = routes(&args, has_headers.then_some(&message), compat);
                prop_assert_eq!(got, want, "{:?} vs {:?} under {:?}", args, message, compat);
            }
        }
    }

    /// §3.4 texts, verbatim from RabbitMQ (also observed on 3.10.8).
    #[test]
    fn truth_table_validation() {
        let rows: &[(FieldTable, Result<(), &str>)] = &[
            (FieldTable::new(), Ok(())),
            (table(&[("format", s("pdf"))]), Ok(())),
            (table(&[("x-match", s("all"))]), Ok(())),
            (table(&[("x-match", s("any"))]), Ok(())),
            (table(&[("x-match", s("all-with-x"))]), Ok(())),
            (table(&[("x-match", s("any-with-x"))]), Ok(())),
            (table(&[("x-match", s("foo"))]), Err("Invalid x-match field value <<\"foo\">>; expected all, any, all-with-x, or any-with-x")),
            (table(&[("x-match", s("ALL"))]), Err("Invalid x-match field value <<\"ALL\">>; expected all, any, all-with-x, or any-with-x")),
            (table(&[("x-match", s(""))]), Err("Invalid x-match field value <<>>; expected all, any, all-with-x, or any-with-x")),
            (table(&[("x-match", s("a\"b"))]), Err("Invalid x-match field value <<\"a\\\"b\">>; expected all, any, all-with-x, or any-with-x")),
            (table(&[("x-match", s("tout"))]), Err("Invalid x-match field value <<\"tout\">>; expected all, any, all-with-x, or any-with-x")),
            (table(&[("x-match", s("é"))]), Err("Invalid x-match field value <<\"é\">>; expected all, any, all-with-x, or any-with-x")),
            // Rows below down to the type errors were checked against RabbitMQ 3.10.8.
            (table(&[("x-match", s("x\u{7f}"))]), Err("Invalid x-match field value <<120,127>>; expected all, any, all-with-x, or any-with-x")),
            (table(&[("x-match", s("a\\b"))]), Err("Invalid x-match field value <<\"a\\\\b\">>; expected all, any, all-with-x, or any-with-x")),
            (table(&[("x-match", Table(table(&[("k", I32(1))])))]), Err("Invalid x-match field type table (value [{<<\"k\">>,signedint,1}]); expected longstr")),
            (table(&[("x-match", Array(vec![I32(1), s("a")]))]), Err("Invalid x-match field type array (value [{signedint,1},{longstr,<<\"a\">>}]); expected longstr")),
            (table(&[("x-match", I64(1 << 40))]), Err("Invalid x-match field type long (value 1099511627776); expected longstr")),
            (table(&[("x-match", s("€"))]), Err("Invalid x-match field value <<226,130,172>>; expected all, any, all-with-x, or any-with-x")),
            (table(&[("x-match", s("a\nb"))]), Err("Invalid x-match field value <<\"a\\nb\">>; expected all, any, all-with-x, or any-with-x")),
            (table(&[("x-match", LongString(vec![0, 255]))]), Err("Invalid x-match field value <<0,255>>; expected all, any, all-with-x, or any-with-x")),
            (table(&[("x-match", I32(23))]), Err("Invalid x-match field type signedint (value 23); expected longstr")),
            (table(&[("x-match", I64(-4))]), Err("Invalid x-match field type long (value -4); expected longstr")),
            (table(&[("x-match", Bool(true))]), Err("Invalid x-match field type bool (value true); expected longstr")),
            (table(&[("x-match", Bytes(b"all".to_vec()))]), Err("Invalid x-match field type binary (value <<\"all\">>); expected longstr")),
            (table(&[("x-match", Void)]), Err("Invalid x-match field type void (value undefined); expected longstr")),
            (table(&[("x-match", F64(1.5))]), Err("Invalid x-match field type double (value 1.5); expected longstr")),
            (table(&[("x-match", F64(1e20))]), Err("Invalid x-match field type double (value 1.0e20); expected longstr")),
            (table(&[("x-match", Array(vec![I64(1), s("a")]))]), Err("Invalid x-match field type array (value [{long,1},{longstr,<<\"a\">>}]); expected longstr")),
            (table(&[("x-match", Decimal { scale: 2, value: 314 })]), Err("Invalid x-match field type decimal (value {2,314}); expected longstr")),
        ];
        for (args, want) in rows {
            for compat in [Compat::RabbitMq4, Compat::RabbitMq310] {
                let got = RoutingTable::validate(ExchangeKind::Headers, "", args, compat);
                assert_eq!(got, want.map_err(str::to_string), "{args:?}");
            }
        }
    }

    #[test]
    fn explanations_name_every_argument() {
        let binding = table(&[
            ("x-match", s("all")),
            ("format", s("pdf")),
            ("size", I32(3)),
            ("x-trace", Void),
            ("draft", Void),
        ]);
        let message = table(&[("format", s("pdf")), ("size", F64(3.0))]);
        let e = explain(&binding.sorted(), Some(&message), Compat::RabbitMq4);
        assert!(!e.matched);
        let outcomes: Vec<(&str, &HeaderOutcome)> = e
            .checks
            .iter()
            .map(|c| (c.name.as_str(), &c.outcome))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("draft", &HeaderOutcome::Missing),
                ("format", &HeaderOutcome::Equal { found: s("pdf") }),
                ("size", &HeaderOutcome::Unequal { found: F64(3.0) }),
                ("x-match", &HeaderOutcome::SkippedXMatch),
                ("x-trace", &HeaderOutcome::SkippedX),
            ]
        );
        assert_eq!(
            e.sentence(),
            "x-match 'all': every argument must match. Skipped 'x-trace' (x- arguments are ignored \
             unless x-match ends in -with-x). 'draft' wants no value (void) but the message has no \
             'draft' header; 'format' wants 'pdf' (longstr) and the message has 'pdf' (longstr): \
             equal; 'size' wants 3 (signedint) but the message has 3.0 (double): not equal."
        );
        let e = explain(&table(&[("x-match", s("any"))]), None, Compat::RabbitMq4);
        assert!(!e.matched);
        assert!(e
            .sentence()
            .ends_with("'any' of nothing is false: no message matches."));
        let e = explain(
            &table(&[("t", Timestamp(5))]),
            Some(&table(&[("t", Timestamp(5))])),
            Compat::RabbitMq4,
        );
        assert!(!e.matched && e.timestamp_note);
    }
}
