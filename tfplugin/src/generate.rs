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
use crate::schema::{Attribute, AttributeConstraint, AttributeType, Block, NestedBlock};

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
            attribute_from_state(attr, v);
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

/// One attribute's value as configuration: null when no configuration may set it; a nested
/// attribute's objects filtered by the same rules, level by level, as blocks are.
fn attribute_from_state(attr: &Attribute, v: &mut Value) {
    let optional_empty_string = matches!(
        attr.constraint,
        AttributeConstraint::Optional | AttributeConstraint::OptionalComputed
    ) && v.as_str() == Some("");
    if attr.constraint == AttributeConstraint::Computed || attr.deprecated || optional_empty_string {
        *v = Value::Null;
        return;
    }
    let (inner, objects): (_, Vec<&mut Value>) = match &attr.attr_type {
        AttributeType::AttributeSingle(inner) => (inner, vec![v]),
        AttributeType::AttributeList(inner) | AttributeType::AttributeSet(inner) => {
            (inner, v.as_array_mut().into_iter().flatten().collect())
        }
        AttributeType::AttributeMap(inner) => (
            inner,
            v.as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
                .collect(),
        ),
        _ => return,
    };
    for object in objects {
        for (name, inner_value) in object.as_object_mut().into_iter().flat_map(|m| m.iter_mut()) {
            if let Some(inner_attr) = inner.get(name) {
                attribute_from_state(inner_attr, inner_value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Description;
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

    #[test]
    fn computed_only_inner_attributes_of_nested_attributes_are_left_out() {
        // Every nesting, each object with a computed-only, a required and an empty optional
        // inner attribute, and one nested attribute inside another.
        let inner = || -> std::collections::HashMap<String, Attribute> {
            [
                ("id".to_string(), attr(AttributeConstraint::Computed)),
                ("name".to_string(), attr(AttributeConstraint::Required)),
                ("note".to_string(), attr(AttributeConstraint::Optional)),
            ]
            .into()
        };
        let nested = |attr_type| Attribute {
            attr_type,
            ..attr(AttributeConstraint::Optional)
        };
        let mut deep = inner();
        deep.insert("sub".into(), nested(AttributeType::AttributeList(inner())));
        let block = Block {
            attributes: [
                ("single".to_string(), nested(AttributeType::AttributeSingle(deep))),
                ("list".to_string(), nested(AttributeType::AttributeList(inner()))),
                ("set".to_string(), nested(AttributeType::AttributeSet(inner()))),
                ("map".to_string(), nested(AttributeType::AttributeMap(inner()))),
                (
                    "status".to_string(),
                    Attribute {
                        attr_type: AttributeType::AttributeSingle(inner()),
                        ..attr(AttributeConstraint::Computed)
                    },
                ),
            ]
            .into(),
            ..Default::default()
        };
        let obj = |n: &str| json!({"id": "computed", "name": n, "note": ""});
        let cfg = |n: &str| json!({"id": null, "name": n, "note": null});
        let mut single = obj("s");
        single["sub"] = json!([obj("d")]);
        let mut v = json!({
            "single": single, "list": [obj("a"), obj("b")], "set": [obj("c")],
            "map": {"k": obj("m")}, "status": obj("x")
        });
        config_from_state(&block, &mut v);
        let mut single = cfg("s");
        single["sub"] = json!([cfg("d")]);
        assert_eq!(
            v,
            json!({
                "single": single, "list": [cfg("a"), cfg("b")], "set": [cfg("c")],
                "map": {"k": cfg("m")}, "status": null
            })
        );
        // A null nested attribute stays null.
        let mut v = json!({"single": null, "list": null, "set": null, "map": null, "status": null});
        config_from_state(&block, &mut v);
        assert_eq!(
            v,
            json!({"single": null, "list": null, "set": null, "map": null, "status": null})
        );
    }
}
