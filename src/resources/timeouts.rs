//! The `timeouts` block: Go duration strings (`45m`, `1h30m`, `30s`), as Terraform users write them.

use std::collections::HashMap;
use std::time::Duration;

use aksnet_tfplugin::schema::{AttributeConstraint, AttributeType, Block, Description, NestedBlock};
use aksnet_tfplugin::value::Value;
use serde::{Deserialize, Serialize};

use crate::tfvalue::attribute;

/// A `timeouts` block; absent → all null.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeouts {
    pub create: Value<String>,
    pub read: Value<String>,
    pub update: Value<String>,
    pub delete: Value<String>,
}

/// Parses a Go duration: a sequence of `<number><unit>` with units h, m, s, ms.
pub fn parse_go_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("the duration is empty".into());
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("\"{s}\" is not a duration such as 30m, 1h30m or 45s"));
        }
        let n: f64 = rest[..digits]
            .parse()
            .map_err(|_| format!("\"{s}\" is not a duration such as 30m, 1h30m or 45s"))?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let secs = match &rest[..unit_len] {
            "h" => n * 3600.0,
            "m" => n * 60.0,
            "s" => n,
            "ms" => n / 1000.0,
            other => return Err(format!("\"{s}\" has unknown unit \"{other}\"; use h, m, s or ms")),
        };
        // Go caps durations near 290 years; anything beyond u64 seconds is a typo, not a panic.
        total = Duration::try_from_secs_f64(secs)
            .ok()
            .and_then(|d| total.checked_add(d))
            .ok_or_else(|| format!("\"{s}\" is too long for a timeout"))?;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

impl Timeouts {
    /// The timeout for `which`, or `default` when unset.
    pub fn get(&self, which: &str, default: Duration) -> Result<Duration, String> {
        let v = match which {
            "create" => &self.create,
            "read" => &self.read,
            "update" => &self.update,
            _ => &self.delete,
        };
        match v.as_ref_option() {
            Some(s) => parse_go_duration(s).map_err(|e| format!("timeouts.{which}: {e}")),
            None => Ok(default),
        }
    }
}

/// The `which` timeout of a resource's `timeouts` block (or `default`), recording an
/// error diagnostic when it does not parse.
pub fn resolve(
    diags: &mut aksnet_tfplugin::Diagnostics,
    timeouts: &Value<Timeouts>,
    which: &str,
    default: Duration,
) -> Option<Duration> {
    timeouts
        .as_ref_option()
        .map(|t| t.get(which, default))
        .unwrap_or(Ok(default))
        .map_err(|e| {
            diags.error(
                "Invalid Timeout",
                e,
                aksnet_tfplugin::AttributePath::new("timeouts").attribute(which.to_string()),
            )
        })
        .ok()
}

/// Validate-time check of every entry of a `timeouts` block: an error at `timeouts.<which>`
/// for each one that does not parse.
pub fn validate(diags: &mut aksnet_tfplugin::Diagnostics, timeouts: &Value<Timeouts>, default: Duration) {
    if let Some(t) = timeouts.as_ref_option() {
        for which in ["create", "read", "update", "delete"] {
            if let Err(e) = t.get(which, default) {
                diags.error(
                    "Invalid Timeout",
                    e,
                    aksnet_tfplugin::AttributePath::new("timeouts").attribute(which),
                );
            }
        }
    }
}

/// The schema block, with the defaults stated (minutes).
pub fn block(create: u64, read: u64, update: u64, delete: u64, what: &str) -> NestedBlock {
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
        assert!(parse_go_duration("1d").unwrap_err().contains("unknown unit"));
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
            assert!(parse_go_duration(s).unwrap_err().contains("too long"), "{s}");
        }
        assert_eq!(
            parse_go_duration("100000h").unwrap(),
            Duration::from_secs(360_000_000)
        );
    }
}
