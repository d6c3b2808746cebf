// This file is part of the aksnet project (not derived from tf-provider); Apache-2.0, see ../LICENSE.

//! Path-aware decoding of Terraform's DynamicValues.
//!
//! A DynamicValue is first read into a [`Tree`] (msgpack or JSON), then the typed value is
//! deserialized from that tree by [`At`], a deserializer that knows where it stands: an error
//! deep inside (`node_pool[1].max_pods` is `1.5`, but the provider counts pods in whole
//! numbers) carries the attribute path down to the diagnostic, so Terraform points at the
//! line of the configuration instead of at the whole resource.
//!
//! Terraform type-checks configuration against the schema's types only: an attribute of type
//! `number` takes `1.5` or `1e30`, and cty's msgpack encoding sends an integer when the
//! number is an exact int64, a float64 when it is exactly one, and the decimal text otherwise
//! (`cty/msgpack/marshal.go`). Where the provider reads such an attribute as a whole number
//! (`i64`), the mismatch is found here, and reported by class ("a fractional number", "a
//! number beyond the 64-bit integer range"), never by echoing the value.

use std::fmt::{self, Display};

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, Visitor};
use serde::Deserialize;

use crate::attribute_path::{AttributePath, AttributePathStep};
use crate::diagnostics::Diagnostic;

/// A decoded DynamicValue, before it is given its Rust type.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tree {
    Null,
    /// A value Terraform does not know yet (msgpack extension, with or without refinements).
    Unknown,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Seq(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Terraform value")
    }
    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_none<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        Tree::deserialize(d)
    }
    /// rmp-serde hands msgpack extensions over as newtype structs; Terraform's only
    /// extension is the unknown value (type 0, or 12 with refinements).
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        de::IgnoredAny::deserialize(d)?;
        Ok(Tree::Unknown)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Tree::Int(i),
            Err(_) => Tree::UInt(v),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Tree, E> {
        Ok(Tree::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Tree, E> {
        Ok(Tree::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Tree, E> {
        Ok(Tree::Bytes(v.to_vec()))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Tree::Seq(items))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some((k, v)) = map.next_entry::<String, Tree>()? {
            entries.push((k, v));
        }
        Ok(Tree::Map(entries))
    }
}

impl Tree {
    /// What the value is, in words that never repeat it.
    fn class(&self) -> &'static str {
        match self {
            Tree::Null => "null",
            Tree::Unknown => "a value not known until apply",
            Tree::Bool(_) => "a bool",
            Tree::Int(_) => "a whole number",
            Tree::UInt(_) | Tree::Float(_) => number_class(self.as_f64()),
            Tree::Str(s) => match s.parse::<f64>() {
                // cty sends a number that no int64 or float64 holds exactly as its text.
                Ok(f)
                    if s.trim_start_matches('-')
                        .starts_with(|c: char| c.is_ascii_digit()) =>
                {
                    number_class(f)
                }
                _ => "a string",
            },
            Tree::Bytes(_) => "bytes",
            Tree::Seq(_) => "a list",
            Tree::Map(_) => "an object or map",
        }
    }

    fn as_f64(&self) -> f64 {
        match self {
            Tree::Int(i) => *i as f64,
            Tree::UInt(u) => *u as f64,
            Tree::Float(f) => *f,
            _ => f64::NAN,
        }
    }
}

/// 2^63: the first magnitude an `i64` does not hold.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

fn number_class(f: f64) -> &'static str {
    if !f.is_finite() {
        "a number that is not finite"
    } else if !(-TWO_POW_63..TWO_POW_63).contains(&f) {
        "a number beyond the 64-bit integer range (2^63)"
    } else if f.fract() != 0.0 {
        "a fractional number"
    } else {
        "a whole number"
    }
}

/// What serde's `expected` texts mean in Terraform's words.
fn expected_words(expected: &str) -> String {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" | "isize" | "usize" => {
            "a whole number".into()
        }
        "f32" | "f64" => "a number".into(),
        "a boolean" => "a bool".into(),
        "a string" | "a borrowed string" | "a char" => "a string".into(),
        "a sequence" => "a list".into(),
        e if e.starts_with("struct ") => "an object".into(),
        e => e.into(),
    }
}

/// Why a value did not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The value is of another type or class than the attribute's Rust type takes.
    Mismatch {
        /// What the attribute's Rust type takes, e.g. `a number`.
        expected: String,
        /// What the value was, e.g. `a string`.
        found: &'static str,
    },
    /// Anything else the typed value refused (its message names no configured value).
    Other(String),
    /// The bytes are not a msgpack or JSON value.
    Encoding(String),
}

/// A DynamicValue that does not decode into the provider's type, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct DecodeError {
    /// Steps from the root, innermost last (built in reverse while the error unwinds).
    rev_steps: Vec<AttributePathStep>,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    fn mismatch(expected: impl Into<String>, found: &'static str) -> Self {
        Self {
            rev_steps: Vec::new(),
            kind: DecodeErrorKind::Mismatch {
                expected: expected.into(),
                found,
            },
        }
    }

    pub(crate) fn encoding(e: impl Display) -> Self {
        Self {
            rev_steps: Vec::new(),
            kind: DecodeErrorKind::Encoding(e.to_string()),
        }
    }

    /// The error, one step further out.
    fn at(mut self, step: AttributePathStep) -> Self {
        self.rev_steps.push(step);
        self
    }

    /// The attribute the error is about (empty: the value as a whole).
    pub fn path(&self) -> AttributePath {
        AttributePath {
            steps: self.rev_steps.iter().rev().cloned().collect(),
        }
    }

    /// The path as Terraform writes it, map keys not shown (they may be addresses).
    fn shown_path(&self) -> String {
        let mut out = String::new();
        for step in self.rev_steps.iter().rev() {
            match step {
                AttributePathStep::Attribute(name) if out.is_empty() => out.push_str(name),
                AttributePathStep::Attribute(name) => {
                    out.push('.');
                    out.push_str(name);
                }
                AttributePathStep::Key(_) => out.push_str("[(key, not shown)]"),
                AttributePathStep::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// The error as the text of a function argument's error (Terraform prefixes the
    /// parameter's name): the path inside the argument, what it must be, the class found.
    pub fn argument_message(&self) -> String {
        let shown = self.shown_path();
        let subject = if shown.is_empty() {
            String::new()
        } else {
            format!("{shown} ")
        };
        match &self.kind {
            DecodeErrorKind::Mismatch { expected, found } => {
                format!("{subject}must be {expected}, but the value is {found}")
            }
            DecodeErrorKind::Other(message) => format!("{subject}{message}"),
            DecodeErrorKind::Encoding(message) => format!("not valid msgpack or JSON: {message}"),
        }
    }

    /// The error as a diagnostic at its attribute: what the attribute needs, what it got
    /// (by class), and the fix.
    pub fn diagnostic(&self) -> Diagnostic {
        let (summary, detail) = self.summary_detail();
        Diagnostic::new(summary, detail, self.path())
    }

    /// Whether `d` reports this error already (its detail may carry a backtrace after it).
    pub(crate) fn reported_by(&self, d: &Diagnostic) -> bool {
        let (summary, detail) = self.summary_detail();
        d.summary == summary && d.attribute == self.path() && d.detail.starts_with(detail.as_str())
    }

    fn summary_detail(&self) -> (&'static str, String) {
        let shown = self.shown_path();
        let subject = if shown.is_empty() {
            "The value".to_string()
        } else {
            shown.clone()
        };
        let (summary, detail) = match &self.kind {
            DecodeErrorKind::Mismatch { expected, found } => {
                let fix = match *found {
                    "a fractional number" => format!(
                        " Write {shown_or_it} without a fractional part: this provider counts it in whole units.",
                        shown_or_it = if shown.is_empty() { "it" } else { "the value" }
                    ),
                    "a number beyond the 64-bit integer range (2^63)" | "a number that is not finite" => {
                        " Write a whole number between -9223372036854775808 and 9223372036854775807 (-2^63 to 2^63 - 1).".to_string()
                    }
                    _ => format!(" Change it to {expected}."),
                };
                let summary = if expected == "a whole number" {
                    "Invalid Number"
                } else {
                    "Invalid Value Type"
                };
                (
                    summary,
                    format!("{subject} must be {expected}, but the value is {found}.{fix}"),
                )
            }
            DecodeErrorKind::Other(message) => ("Invalid Value", format!("{subject}: {message}")),
            DecodeErrorKind::Encoding(message) => (
                "Undecodable Value",
                format!("The value Terraform sent is not valid msgpack or JSON: {message}"),
            ),
        };
        (summary, detail)
    }
}

impl Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.shown_path();
        let at = if shown.is_empty() { "value" } else { shown.as_str() };
        match &self.kind {
            DecodeErrorKind::Mismatch { expected, found } => {
                write!(f, "{at}: expected {expected}, found {found}")
            }
            DecodeErrorKind::Other(m) | DecodeErrorKind::Encoding(m) => write!(f, "{at}: {m}"),
        }
    }
}

impl de::Error for DecodeError {
    fn custom<T: Display>(msg: T) -> Self {
        Self {
            rev_steps: Vec::new(),
            kind: DecodeErrorKind::Other(msg.to_string()),
        }
    }

    fn invalid_type(unexp: de::Unexpected, exp: &dyn de::Expected) -> Self {
        Self::mismatch(expected_words(&exp.to_string()), unexpected_class(&unexp))
    }

    fn invalid_value(unexp: de::Unexpected, exp: &dyn de::Expected) -> Self {
        Self::mismatch(expected_words(&exp.to_string()), unexpected_class(&unexp))
    }
}

fn unexpected_class(u: &de::Unexpected) -> &'static str {
    use de::Unexpected as U;
    match u {
        U::Bool(_) => "a bool",
        U::Unsigned(n) => match i64::try_from(*n) {
            Ok(_) => "a whole number out of range",
            Err(_) => number_class(*n as f64),
        },
        U::Signed(_) => "a whole number out of range",
        U::Float(f) => number_class(*f),
        U::Char(_) | U::Str(_) => "a string",
        U::Bytes(_) => "bytes",
        U::Unit | U::Option => "null",
        U::Seq => "a list",
        U::Map => "an object or map",
        _ => "a value of another type",
    }
}

/// Decodes `T` from a msgpack DynamicValue, naming the attribute of any mismatch.
pub(crate) fn from_msgpack<'de, T: Deserialize<'de>>(bytes: &[u8]) -> Result<T, DecodeError> {
    seed_from_msgpack(bytes, std::marker::PhantomData::<T>)
}

/// Decodes `T` from a JSON DynamicValue (state upgrades), naming the attribute of any mismatch.
pub(crate) fn from_json<'de, T: Deserialize<'de>>(bytes: &[u8]) -> Result<T, DecodeError> {
    seed_from_json(bytes, std::marker::PhantomData::<T>)
}

/// [`from_msgpack`] for a seed (function arguments).
pub(crate) fn seed_from_msgpack<'de, S: DeserializeSeed<'de>>(
    bytes: &[u8],
    seed: S,
) -> Result<S::Value, DecodeError> {
    let tree: Tree = rmp_serde::from_slice(bytes).map_err(DecodeError::encoding)?;
    seed.deserialize(At(&tree))
}

/// [`from_json`] for a seed (function arguments).
pub(crate) fn seed_from_json<'de, S: DeserializeSeed<'de>>(
    bytes: &[u8],
    seed: S,
) -> Result<S::Value, DecodeError> {
    let tree: Tree = serde_json::from_slice(bytes).map_err(DecodeError::encoding)?;
    seed.deserialize(At(&tree))
}

/// Name of the newtype through which [`crate::value::Value`] asks a deserializer for
/// null/unknown/value (see [`crate::value::Value`]'s `Deserialize`): [`At`] answers with
/// `visit_none` (null), `visit_unit` (unknown) or `visit_some` (a value, decoded by the same
/// deserializer so struct and map hints, and the path, are kept). Other deserializers answer
/// `visit_newtype_struct`.
pub(crate) const VALUE_TOKEN: &str = "$aksnet_tfplugin::Value";

/// Deserializer over one node of a [`Tree`]; paths are added while errors unwind.
#[derive(Clone, Copy)]
pub(crate) struct At<'t>(pub(crate) &'t Tree);

impl At<'_> {
    fn mismatch<T>(&self, expected: &str) -> Result<T, DecodeError> {
        Err(DecodeError::mismatch(expected, self.0.class()))
    }

    /// A whole number, or the class of what stands there instead.
    fn whole<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Int(i) => visitor.visit_i64(*i),
            Tree::UInt(u) => visitor.visit_u64(*u),
            // 3.0 (JSON state) is 3; fractions and magnitudes past i64 are refused by class.
            Tree::Float(f) if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(f) => {
                visitor.visit_i64(*f as i64)
            }
            _ => self.mismatch("a whole number"),
        }
    }
}

macro_rules! whole_numbers {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            self.whole(visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for At<'_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Null => visitor.visit_unit(),
            Tree::Unknown => visitor.visit_newtype_struct(UnknownExt),
            Tree::Bool(b) => visitor.visit_bool(*b),
            Tree::Int(i) => visitor.visit_i64(*i),
            Tree::UInt(u) => visitor.visit_u64(*u),
            Tree::Float(f) => visitor.visit_f64(*f),
            Tree::Str(s) => visitor.visit_str(s),
            Tree::Bytes(b) => visitor.visit_bytes(b),
            Tree::Seq(items) => visitor.visit_seq(SeqAt { items, next: 0 }),
            Tree::Map(entries) => visitor.visit_map(MapAt::new(entries, false)),
        }
    }

    whole_numbers!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Int(i) => visitor.visit_i64(*i),
            Tree::UInt(u) => visitor.visit_u64(*u),
            Tree::Float(f) => visitor.visit_f64(*f),
            Tree::Str(s) if self.0.class() != "a string" => match s.parse::<f64>() {
                Ok(f) => visitor.visit_f64(f),
                Err(_) => self.mismatch("a number"),
            },
            _ => self.mismatch("a number"),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Bool(b) => visitor.visit_bool(*b),
            _ => self.mismatch("a bool"),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Str(s) => visitor.visit_str(s),
            _ => self.mismatch("a string"),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Bytes(b) => visitor.visit_bytes(b),
            Tree::Str(s) => visitor.visit_str(s),
            Tree::Seq(items) => visitor.visit_seq(SeqAt { items, next: 0 }),
            _ => self.mismatch("bytes"),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Null => visitor.visit_unit(),
            _ => self.mismatch("null"),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Null => visitor.visit_unit(),
            Tree::Seq(items) if items.is_empty() => visitor.visit_unit(),
            Tree::Map(entries) if entries.is_empty() => visitor.visit_unit(),
            _ => self.mismatch("an empty object"),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        if name == VALUE_TOKEN {
            return match self.0 {
                Tree::Null => visitor.visit_none(),
                Tree::Unknown => visitor.visit_unit(),
                _ => visitor.visit_some(self),
            };
        }
        match self.0 {
            Tree::Unknown => visitor.visit_newtype_struct(UnknownExt),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Seq(items) => visitor.visit_seq(SeqAt { items, next: 0 }),
            _ => self.mismatch("a list"),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Map(entries) => visitor.visit_map(MapAt::new(entries, false)),
            _ => self.mismatch("a map"),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Map(entries) => visitor.visit_map(MapAt::new(entries, true)),
            _ => self.mismatch("an object"),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            Tree::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => self.mismatch("a string"),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }
}

/// The unknown value as rmp-serde shows a msgpack extension: a newtype over `(0, [])`, so
/// types that match on that shape (`ValueAny`) see what they would see from msgpack.
struct UnknownExt;

impl<'de> Deserializer<'de> for UnknownExt {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_seq(UnknownExtSeq(0))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct UnknownExtSeq(u8);

impl<'de> de::SeqAccess<'de> for UnknownExtSeq {
    type Error = DecodeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, DecodeError> {
        self.0 += 1;
        match self.0 {
            1 => seed.deserialize(0i8.into_deserializer()).map(Some),
            2 => seed.deserialize(de::value::BytesDeserializer::new(&[])).map(Some),
            _ => Ok(None),
        }
    }
}

struct SeqAt<'t> {
    items: &'t [Tree],
    next: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAt<'_> {
    type Error = DecodeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, DecodeError> {
        let Some(item) = self.items.get(self.next) else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        seed.deserialize(At(item))
            .map(Some)
            .map_err(|e| e.at(AttributePathStep::Index(index as i64)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

/// Entries of an object (`attributes`: steps are attribute names) or a map (steps are keys).
struct MapAt<'t> {
    entries: std::slice::Iter<'t, (String, Tree)>,
    value: Option<&'t (String, Tree)>,
    attributes: bool,
}

impl<'t> MapAt<'t> {
    fn new(entries: &'t [(String, Tree)], attributes: bool) -> Self {
        Self {
            entries: entries.iter(),
            value: None,
            attributes,
        }
    }
}

impl<'de> de::MapAccess<'de> for MapAt<'_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DecodeError> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(entry);
        seed.deserialize(entry.0.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, DecodeError> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("a map value was read before its key"));
        };
        let attributes = self.attributes;
        seed.deserialize(At(value)).map_err(|e| {
            e.at(if attributes {
                AttributePathStep::Attribute(key.clone().into())
            } else {
                AttributePathStep::Key(key.clone().into())
            })
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests;
