//! The `timeouts` block: Go duration strings (`45m`, `1h30m`, `30s`), as Terraform users write them.

use std::collections::HashMap;
use std::time::Duration;

use aksnet_tfplugin::schema::{AttributeConstraint, AttributeType, Block, Description, NestedBlock};
use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::AttributePath;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::tfvalue::{attribute, error_at, UserError};

/// A `timeouts` block; absent → all null.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Timeouts {
    pub create: Value<String>,
    pub read: Value<String>,
    pub update: Value<String>,
    pub delete: Value<String>,
}

/// A duration that is not a Go duration ([`parse_go_duration`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
enum DurationError {
    /// An empty string.
    #[error("the duration is empty")]
    Empty,
    /// Not `<number><unit>…`.
    #[error("\"{0}\" is not a duration such as 30m, 1h30m or 45s")]
    Malformed(String),
    /// A unit other than h, m, s, ms.
    #[error("\"{input}\" has unknown unit \"{unit}\"; use h, m, s or ms")]
    Unit {
        /// The duration, trimmed.
        input: String,
        /// The unit found.
        unit: String,
    },
    /// More than a `Duration` holds.
    #[error("\"{0}\" is too long for a timeout")]
    TooLong(String),
}

/// An entry of a `timeouts` block that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("timeouts.{which}: {source}")]
struct TimeoutError {
    /// `create`, `read`, `update` or `delete`.
    pub which: String,
    /// What is wrong with the duration.
    pub source: DurationError,
}

impl UserError for TimeoutError {
    fn summary(&self) -> &'static str {
        "Invalid Timeout"
    }
}

/// Parses a Go duration: a sequence of `<number><unit>` with units h, m, s, ms.
fn parse_go_duration(s: &str) -> Result<Duration, DurationError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DurationError::Empty);
    }
    let malformed = || DurationError::Malformed(s.to_string());
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(malformed());
        }
        let n: f64 = rest[..digits].parse().map_err(|_| malformed())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let secs = match &rest[..unit_len] {
            "h" => n * 3600.0,
            "m" => n * 60.0,
            "s" => n,
            "ms" => n / 1000.0,
            other => {
                return Err(DurationError::Unit {
                    input: s.to_string(),
                    unit: other.to_string(),
                })
            }
        };
        // Go caps durations near 290 years; anything beyond u64 seconds is a typo, not a panic.
        total = Duration::try_from_secs_f64(secs)
            .ok()
            .and_then(|d| total.checked_add(d))
            .ok_or_else(|| DurationError::TooLong(s.to_string()))?;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

impl Timeouts {
    /// The timeout for `which`, or `default` when unset.
    fn get(&self, which: &str, default: Duration) -> Result<Duration, TimeoutError> {
        let v = match which {
            "create" => &self.create,
            "read" => &self.read,
            "update" => &self.update,
            _ => &self.delete,
        };
        match v.as_ref_option() {
            Some(s) => parse_go_duration(s).map_err(|source| TimeoutError {
                which: which.to_string(),
                source,
            }),
            None => Ok(default),
        }
    }
}

/// The `which` timeout of a resource's `timeouts` block (or `default`), recording an
/// error diagnostic when it does not parse.
pub(crate) fn resolve(
    diags: &mut aksnet_tfplugin::Diagnostics,
    timeouts: &Value<Timeouts>,
    which: &str,
    default: Duration,
) -> Option<Duration> {
    timeouts
        .as_ref_option()
        .map(|t| t.get(which, default))
        .unwrap_or(Ok(default))
        .map_err(|e| error_at(diags, &e, at(which)))
        .ok()
}

/// Validate-time check of every entry of a `timeouts` block: an error at `timeouts.<which>`
/// for each one that does not parse.
pub(crate) fn validate(
    diags: &mut aksnet_tfplugin::Diagnostics,
    timeouts: &Value<Timeouts>,
    default: Duration,
) {
    if let Some(t) = timeouts.as_ref_option() {
        for which in ["create", "read", "update", "delete"] {
            if let Err(e) = t.get(which, default) {
                error_at(diags, &e, at(which));
            }
        }
    }
}

fn at(which: &str) -> AttributePath {
    AttributePath::new("timeouts").attribute(which.to_string())
}

/// The schema block, with the defaults stated (minutes).
pub(crate) fn block(create: u64, read: u64, update: u64, delete: u64, what: &str) -> NestedBlock {
    let a = |name: &str, mins: u64| {
        (
            name.to_string(),
            attribute(AttributeType::String, AttributeConstraint::Optional, &format!("Used when {name_ing} the {what}, as a duration such as `30m` or `1h30m`. Defaults to `{mins}m`.", name_ing = ing(name))),
        )
    };
    NestedBlock::Group(Block {
        version: 1,
        attributes: HashMap::from([
            a("create", create),
            a("read", read),
            a("update", update),
            a("delete", delete),
        ]),
        blocks: HashMap::new(),
        description: Description::markdown("How long each operation may take before aksnet stops waiting."),
        deprecated: false,
    })
}

fn ing(verb: &str) -> &'static str {
    match verb {
        "create" => "creating",
        "read" => "reading",
        "update" => "updating",
        _ => "deleting",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_go_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_go_duration("45s").unwrap(), Duration::from_secs(45));
        assert_eq!(parse_go_duration("1.5h").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_go_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_go_duration("10").is_err());
        let err = parse_go_duration("1d").unwrap_err();
        assert_eq!(
            err,
            DurationError::Unit {
                input: "1d".into(),
                unit: "d".into()
            }
        );
        assert!(err.to_string().contains("unknown unit"), "{err}");
        assert!(parse_go_duration("").is_err());
    }

    /// Regression: durations beyond u64 seconds panicked in `Duration::from_secs_f64`, which
    /// killed the provider during validation ("Request cancelled" in Terraform).
    #[test]
    fn huge_durations_are_errors_not_panics() {
        for s in [
            "99999999999999999999h",
            "99999999999999999999999s",
            "1h99999999999999999999h",
        ] {
            assert_eq!(
                parse_go_duration(s),
                Err(DurationError::TooLong(s.to_string())),
                "{s}"
            );
        }
        assert_eq!(
            parse_go_duration("100000h").unwrap(),
            Duration::from_secs(360_000_000)
        );
    }
}
