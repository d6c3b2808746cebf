//! Test guards for aksnet-tfplugin's pitfalls (provider-conventions.md §1, §5): state structs in
//! lock-step with the schema, no broken nested attributes, no placeholder descriptions.

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
            "{what}.{name}: nested attributes break Terraform; use a block"
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
