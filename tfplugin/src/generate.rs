// This file is part of the aksnet project (not in tf-provider 0.2.2): see ../NOTICE

//! Configuration from state for `terraform plan -generate-config-out` (tfplugin 6.10
//! `GenerateResourceConfig`).
//!
//! Terraform >= 1.14 asks a provider whose server capability `generate_resource_config` is true
//! to turn an imported state into configuration; without it, Terraform filters the state itself
//! (`genconfig.ExtractLegacyConfigFromState` in Terraform 1.15: computed-only and deprecated
//! attributes and empty optional strings become null). The server does the same filtering
//! after the resource has shaped the state ([`crate::Resource::generate_config`]), so every
//! resource keeps Terraform's default and a resource can fix what its own state would get wrong
//! as configuration (e.g. two forms of one value that conflict).

use serde_json::Value;

use crate::diagnostics::Diagnostics;
use crate::raw::RawValue;
use crate::resource::DynamicResource;
use crate::schema::{AttributeConstraint, Block, NestedBlock};

/// The configuration for `state`: the resource shapes it, then what no configuration may set
/// is left out. `None` with an error in `diags` when it cannot be made.
pub(crate) async fn generate(
    resource: &dyn DynamicResource,
    type_name: &str,
    block: &Block,
    diags: &mut Diagnostics,
    state: RawValue,
) -> Option<RawValue> {
    if state.deserialize::<Value>(diags)?.is_null() {
        diags.root_error(
            format!("Resource `{type_name}` cannot generate configuration from a null state"),
            "GenerateResourceConfig needs the state of the imported resource.",
        );
        return None;
    }
    let shaped = resource.generate_config(diags, state).await?;
    let mut value: Value = shaped.deserialize(diags)?;
    config_from_state(block, &mut value);
    RawValue::serialize(diags, &value)
}

/// `value` (an object of `block`'s type) with what no configuration may set made null.
pub(crate) fn config_from_state(block: &Block, value: &mut Value) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    for (name, v) in map.iter_mut() {
        if let Some(attr) = block.attributes.get(name) {
            let optional_empty_string = matches!(
                attr.constraint,
                AttributeConstraint::Optional | AttributeConstraint::OptionalComputed
            ) && v.as_str() == Some("");
            if attr.constraint == AttributeConstraint::Computed || attr.deprecated || optional_empty_string {
                *v = Value::Null;
            }
        } else if let Some(nested) = block.blocks.get(name) {
            match nested {
                NestedBlock::Single(b) | NestedBlock::Group(b) => config_from_state(b, v),
                NestedBlock::List(b) | NestedBlock::Set(b) | NestedBlock::Optional(b) => {
                    for item in v.as_array_mut().into_iter().flatten() {
                        config_from_state(b, item);
                    }
                }
                NestedBlock::Map(b) => {
                    for item in v.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                        config_from_state(b, item);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, Description};
    use serde_json::json;

    fn attr(constraint: AttributeConstraint) -> Attribute {
        Attribute {
            constraint,
            description: Description::plain("x"),
            ..Default::default()
        }
    }

    #[test]
    fn computed_only_and_empty_optional_values_are_left_out() {
        let inner = Block {
            attributes: [
                ("id".to_string(), attr(AttributeConstraint::Computed)),
                ("name".to_string(), attr(AttributeConstraint::Required)),
            ]
            .into(),
            ..Default::default()
        };
        let block = Block {
            attributes: [
                ("id".to_string(), attr(AttributeConstraint::Computed)),
                ("name".to_string(), attr(AttributeConstraint::Required)),
                ("note".to_string(), attr(AttributeConstraint::Optional)),
                ("mode".to_string(), attr(AttributeConstraint::OptionalComputed)),
            ]
            .into(),
            blocks: [("pool".to_string(), NestedBlock::List(inner))].into(),
            ..Default::default()
        };
        let mut v = json!({"id": "i", "name": "n", "note": "", "mode": "m",
            "pool": [{"id": "p", "name": "a"}]});
        config_from_state(&block, &mut v);
        assert_eq!(
            v,
            json!({"id": null, "name": "n", "note": null, "mode": "m", "pool": [{"id": null, "name": "a"}]})
        );
    }
}
