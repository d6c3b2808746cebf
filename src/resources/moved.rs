//! State moves from azurerm (`moved { from = azurerm_… to = aksnet_… }`, Terraform ≥ 1.8):
//! what is shared by the per-resource translations in `<resource>/moved_from_azurerm.rs`.
//! Pure: the JSON state azurerm wrote in, values or a typed error out, no I/O.
//!
//! Terraform hands the target provider the source state as the source provider stored it
//! (MoveResourceState, proto/tfplugin6.10.proto: "The raw state of the resource being moved.
//! Only the json field is populated") with the source type, provider address and schema
//! version; the target answers with its own state, which Terraform then refreshes
//! (ReadResource) before it plans. So a translation carries what the user configured under
//! azurerm and leaves what azurerm's state lacks to that read.

use std::collections::BTreeMap;

use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::{Diagnostics, MoveSource};
use serde_json::Value as Json;
use thiserror::Error;

/// The provider moves are taken from, on any registry host.
pub(crate) const AZURERM: &str = "hashicorp/azurerm";

/// Why a move cannot be translated. Messages name types, providers, versions and
/// attribute names, never a value from the state.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub(crate) enum MoveError {
    #[error(
        "{target} takes moves from {supported} (provider hashicorp/azurerm) only, not from {source_type} of \
         provider {provider}. To hand the object over, replace the moved block with a removed block (lifecycle \
         {{ destroy = false }}) and an import block for {target}."
    )]
    UnsupportedSource {
        target: String,
        supported: &'static str,
        source_type: String,
        provider: String,
    },
    #[error(
        "{source_type} schema version {version} is not one aksnet translates: it knows schema version {known} \
         ({why}). An older version is upgraded by azurerm itself: run terraform apply -refresh-only with the \
         azurerm provider first, then move. A newer one comes from an azurerm release newer than this aksnet \
         knows: hand the object over with a removed block (lifecycle {{ destroy = false }}) and an import block \
         for {target} instead."
    )]
    UnsupportedVersion {
        source_type: String,
        version: i64,
        known: i64,
        why: &'static str,
        target: String,
    },
    #[error(
        "the {source_type} state to move has no {attribute}, which azurerm always records; refresh it with the \
         azurerm provider (terraform apply -refresh-only), or hand the object over with removed and import blocks"
    )]
    Missing {
        source_type: String,
        attribute: &'static str,
    },
}

impl MoveError {
    /// Reports the error as one diagnostic.
    pub(crate) fn report(&self, diags: &mut Diagnostics) {
        let summary = match self {
            MoveError::UnsupportedSource { .. } => "Unsupported Resource Move",
            MoveError::UnsupportedVersion { .. } => "Unsupported Source Schema Version",
            MoveError::Missing { .. } => "Incomplete Source State",
        };
        diags.root_error(summary, self.to_string());
    }
}

/// Checks that `source` is `source_type` of azurerm at schema version `known`.
pub(crate) fn check(
    source: &MoveSource,
    source_type: &'static str,
    known: i64,
    why: &'static str,
) -> Result<(), MoveError> {
    let from_azurerm = source.provider_address.trim_end_matches('/').ends_with(AZURERM);
    if !from_azurerm || source.type_name != source_type {
        return Err(MoveError::UnsupportedSource {
            target: source.target_type_name.clone(),
            supported: source_type,
            source_type: source.type_name.clone(),
            provider: source.provider_address.clone(),
        });
    }
    if source.schema_version != known {
        return Err(MoveError::UnsupportedVersion {
            source_type: source.type_name.clone(),
            version: source.schema_version,
            known,
            why,
            target: source.target_type_name.clone(),
        });
    }
    Ok(())
}

/// A required string of the source state.
pub(crate) fn required(
    source: &MoveSource,
    obj: &Json,
    key: &'static str,
) -> Result<Value<String>, MoveError> {
    match text(&obj[key]) {
        Value::Value(v) => Ok(Value::Value(v)),
        _ => Err(MoveError::Missing {
            source_type: source.type_name.clone(),
            attribute: key,
        }),
    }
}

/// A string as the SDKv2 stores it: `""` is unset.
pub(crate) fn text(v: &Json) -> Value<String> {
    match v.as_str() {
        Some(s) if !s.is_empty() => Value::Value(s.to_string()),
        _ => Value::Null,
    }
}

/// A whole number; absent, null or not an integer is unset.
pub(crate) fn number(v: &Json) -> Value<i64> {
    v.as_i64().map_or(Value::Null, Value::Value)
}

/// A number where the SDKv2's zero means unset (counts and sizes azurerm defaults to 0).
pub(crate) fn positive(v: &Json) -> Value<i64> {
    match v.as_i64() {
        Some(n) if n > 0 => Value::Value(n),
        _ => Value::Null,
    }
}

/// A list or set of strings; empty is unset (the SDKv2 stores unset lists as `[]`).
pub(crate) fn strings(v: &Json) -> Value<Vec<Value<String>>> {
    let items: Vec<Value<String>> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().filter(|s| !s.is_empty()))
        .map(|s| Value::Value(s.to_string()))
        .collect();
    if items.is_empty() {
        Value::Null
    } else {
        Value::Value(items)
    }
}

/// A string map; empty is unset (azurerm stores `tags = {}` when none are set).
pub(crate) fn string_map(v: &Json) -> Value<BTreeMap<String, Value<String>>> {
    let map: BTreeMap<String, Value<String>> = v
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or(Value::Null, |s| Value::Value(s.to_string())),
            )
        })
        .collect();
    if map.is_empty() {
        Value::Null
    } else {
        Value::Value(map)
    }
}

/// The object of a block the SDKv2 stores as a list of at most one (`MaxItems: 1`).
pub(crate) fn first(v: &Json) -> Option<&Json> {
    v.as_array().and_then(|a| a.first()).filter(|o| o.is_object())
}

/// The `timeouts` block, kept as azurerm recorded it (the same four Go durations).
pub(crate) fn timeouts(v: &Json) -> Value<crate::resources::timeouts::Timeouts> {
    match v.as_object() {
        Some(t) if t.values().any(|x| x.as_str().is_some_and(|s| !s.is_empty())) => {
            Value::Value(crate::resources::timeouts::Timeouts {
                create: text(&v["create"]),
                read: text(&v["read"]),
                update: text(&v["update"]),
                delete: text(&v["delete"]),
            })
        }
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn source(provider: &str, type_name: &str, version: i64) -> MoveSource {
        MoveSource {
            provider_address: provider.into(),
            type_name: type_name.into(),
            schema_version: version,
            state: json!({}),
            target_type_name: "aksnet_route_table".into(),
        }
    }

    #[test]
    fn only_azurerm_at_the_known_version_passes() {
        let ok = source(
            "registry.terraform.io/hashicorp/azurerm",
            "azurerm_route_table",
            0,
        );
        assert_eq!(check(&ok, "azurerm_route_table", 0, "x"), Ok(()));
        let tofu = source(
            "registry.opentofu.org/hashicorp/azurerm",
            "azurerm_route_table",
            0,
        );
        assert_eq!(check(&tofu, "azurerm_route_table", 0, "x"), Ok(()));
        let other = source("registry.terraform.io/azure/azapi", "azapi_resource", 2);
        let e = check(&other, "azurerm_route_table", 0, "x").unwrap_err();
        assert!(matches!(e, MoveError::UnsupportedSource { .. }));
        assert!(e
            .to_string()
            .contains("aksnet_route_table takes moves from azurerm_route_table"));
        assert!(e
            .to_string()
            .contains("not from azapi_resource of provider registry.terraform.io/azure/azapi"));
        let newer = source(
            "registry.terraform.io/hashicorp/azurerm",
            "azurerm_route_table",
            1,
        );
        let e = check(&newer, "azurerm_route_table", 0, "azurerm 3.x and 4.x").unwrap_err();
        assert!(
            e.to_string().starts_with("azurerm_route_table schema version 1 is not one aksnet translates: it knows schema version 0 (azurerm 3.x and 4.x)"),
            "{e}"
        );
        let mut diags = Diagnostics::default();
        e.report(&mut diags);
        assert_eq!(diags.errors.len(), 1);
    }

    #[test]
    fn sdk_zero_values_are_unset() {
        assert_eq!(text(&json!("")), Value::Null);
        assert_eq!(positive(&json!(0)), Value::Null);
        assert_eq!(number(&json!(0)), Value::Value(0));
        assert_eq!(strings(&json!([])), Value::Null);
        assert_eq!(string_map(&json!({})), Value::Null);
        assert_eq!(timeouts(&Json::Null), Value::Null);
        assert_eq!(first(&json!([])), None);
    }
}
