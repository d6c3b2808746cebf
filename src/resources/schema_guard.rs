//! Test guards for the provider's schemas (provider-conventions.md §1, §5): state structs in
//! lock-step with the schema, blocks rather than nested attributes (azurerm's configuration
//! syntax), no placeholder descriptions.

use std::collections::BTreeSet;

use aksnet_tfplugin::schema::{AttributeType, Block, NestedBlock};
use serde::Serialize;

/// Asserts that `state` serializes exactly the schema's attributes and blocks.
pub(crate) fn assert_state_matches<S: Serialize>(state: &S, block: &Block, what: &str) {
    let json = serde_json::to_value(state).expect("state serializes");
    let fields: BTreeSet<String> = json
        .as_object()
        .expect("state is an object")
        .keys()
        .cloned()
        .collect();
    let schema: BTreeSet<String> = block
        .attributes
        .keys()
        .chain(block.blocks.keys())
        .cloned()
        .collect();
    assert_eq!(fields, schema, "{what}: state fields and schema differ");
}

/// Asserts every attribute and block has a real description and no nested attribute type.
///
/// Nested attributes work (aksnet_tfplugin::schema, tests/acc_nested_attributes.rs); the
/// provider's resources keep blocks because module authors copy azurerm's block syntax
/// (`default_node_pool { }`), which a nested attribute would turn into `default_node_pool = { }`.
pub(crate) fn assert_well_described(block: &Block, what: &str) {
    assert!(
        is_described(&block.description.content),
        "{what}: block lacks a description"
    );
    for (name, attr) in &block.attributes {
        assert!(
            is_described(&attr.description.content),
            "{what}.{name} lacks a description"
        );
        assert!(
            !matches!(
                attr.attr_type,
                AttributeType::AttributeSingle(_)
                    | AttributeType::AttributeList(_)
                    | AttributeType::AttributeSet(_)
                    | AttributeType::AttributeMap(_)
            ),
            "{what}.{name}: a nested attribute; aksnet's resources use blocks so configuration \
             keeps azurerm's block syntax (`{name} {{ }}`, not `{name} = {{ }}`)"
        );
    }
    for (name, nested) in &block.blocks {
        let inner = match nested {
            NestedBlock::Single(b)
            | NestedBlock::List(b)
            | NestedBlock::Set(b)
            | NestedBlock::Map(b)
            | NestedBlock::Group(b)
            | NestedBlock::Optional(b) => b,
        };
        assert_well_described(inner, &format!("{what}.{name}"));
    }
}

fn is_described(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && s != "empty"
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksnet_tfplugin::schema::{Attribute, Description};

    #[test]
    #[should_panic(expected = "aksnet's resources use blocks so configuration keeps azurerm's block syntax")]
    fn a_nested_attribute_is_refused_for_azurerm_syntax() {
        let described = Description::plain("described");
        let block = Block {
            attributes: [(
                "pool".to_string(),
                Attribute {
                    attr_type: AttributeType::AttributeList(Default::default()),
                    description: described.clone(),
                    ..Default::default()
                },
            )]
            .into(),
            description: described,
            ..Default::default()
        };
        assert_well_described(&block, "aksnet_x");
    }
}
