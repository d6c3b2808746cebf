// This file is part of the aksnet project (not derived from tf-provider); Apache-2.0, see ../LICENSE.

//! Nested attributes through the protocol: a provider whose resource has attributes of
//! nested-object type (single, list, set and map nesting, with required, optional and
//! computed nested attributes) is served by the real [`Server`], and its RPCs are called the
//! way Terraform calls them: GetProviderSchema, ValidateResourceConfig, PlanResourceChange and
//! ApplyResourceChange with msgpack DynamicValues.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::schema::{Attribute, AttributeConstraint, AttributeType, Block, Description, Schema};
use crate::server::Server;
use crate::tfplugin6 as tf;
use crate::tfplugin6::provider_server::Provider as _;
use crate::value::{Value, ValueEmpty};
use crate::{AttributePath, Diagnostics, DynamicResource, Provider, Resource};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Settings {
    mode: Value<String>,
    size: Value<i64>,
    id: Value<String>,
}

#[derive(Debug, Clone, Default, PartialEq, PartialOrd, Eq, Ord, Serialize, Deserialize)]
struct Rule {
    name: Value<String>,
    priority: Value<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Thing {
    settings: Value<Settings>,
    rules: Value<Vec<Value<Rule>>>,
    members: Value<BTreeSet<Value<Rule>>>,
    tags: Value<BTreeMap<String, Value<Rule>>>,
}

fn attr(attr_type: AttributeType, constraint: AttributeConstraint) -> Attribute {
    Attribute {
        attr_type,
        description: Description::plain("test"),
        constraint,
        ..Default::default()
    }
}

fn rule_attributes() -> HashMap<String, Attribute> {
    HashMap::from([
        (
            "name".into(),
            attr(AttributeType::String, AttributeConstraint::Required),
        ),
        (
            "priority".into(),
            attr(AttributeType::Number, AttributeConstraint::Optional),
        ),
    ])
}

struct ThingResource;

#[async_trait]
impl Resource for ThingResource {
    type State<'a> = Thing;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        let settings = HashMap::from([
            (
                "mode".into(),
                attr(AttributeType::String, AttributeConstraint::Required),
            ),
            (
                "size".into(),
                attr(AttributeType::Number, AttributeConstraint::Optional),
            ),
            (
                "id".into(),
                attr(AttributeType::String, AttributeConstraint::Computed),
            ),
        ]);
        Some(Schema {
            version: 0,
            block: Block {
                attributes: HashMap::from([
                    (
                        "settings".into(),
                        attr(
                            AttributeType::AttributeSingle(settings),
                            AttributeConstraint::Required,
                        ),
                    ),
                    (
                        "rules".into(),
                        attr(
                            AttributeType::AttributeList(rule_attributes()),
                            AttributeConstraint::Optional,
                        ),
                    ),
                    (
                        "members".into(),
                        attr(
                            AttributeType::AttributeSet(rule_attributes()),
                            AttributeConstraint::Optional,
                        ),
                    ),
                    (
                        "tags".into(),
                        attr(
                            AttributeType::AttributeMap(rule_attributes()),
                            AttributeConstraint::Optional,
                        ),
                    ),
                ]),
                ..Default::default()
            },
        })
    }

    async fn read<'a>(
        &self,
        _diags: &mut Diagnostics,
        state: Thing,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(Thing, ValueEmpty)> {
        Some((state, private))
    }

    async fn plan_create<'a>(
        &self,
        _diags: &mut Diagnostics,
        mut proposed: Thing,
        _config: Thing,
        _meta: ValueEmpty,
    ) -> Option<(Thing, ValueEmpty)> {
        if let Value::Value(s) = &mut proposed.settings {
            s.id = Value::Unknown;
        }
        Some((proposed, Value::Null))
    }

    async fn plan_update<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: Thing,
        proposed: Thing,
        _config: Thing,
        _private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(Thing, ValueEmpty, Vec<AttributePath>)> {
        Some((proposed, Value::Null, vec![]))
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: Thing,
        _private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<ValueEmpty> {
        Some(Value::Null)
    }

    async fn create<'a>(
        &self,
        _diags: &mut Diagnostics,
        mut planned: Thing,
        _config: Thing,
        _private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(Thing, ValueEmpty)> {
        if let Value::Value(s) = &mut planned.settings {
            s.id = Value::Value(format!("{}-1", s.mode.as_ref().unwrap_or(&String::new())));
        }
        Some((planned, Value::Null))
    }

    async fn update<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: Thing,
        planned: Thing,
        _config: Thing,
        _private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(Thing, ValueEmpty)> {
        Some((planned, Value::Null))
    }

    async fn destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _state: Thing,
        _private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<()> {
        Some(())
    }
}

struct TestProvider;

#[async_trait]
impl Provider for TestProvider {
    type Config<'a> = ValueEmpty;
    type MetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 0,
            block: Block::default(),
        })
    }

    fn get_resources(&self, _diags: &mut Diagnostics) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        Some(HashMap::from([(
            "thing".to_string(),
            Box::new(ThingResource) as Box<dyn DynamicResource>,
        )]))
    }
}

fn server() -> Arc<Server> {
    Arc::new(Server::new("test".into(), Box::new(TestProvider)))
}

/// A msgpack DynamicValue from JSON; `"<unknown>"` is an unknown value (ext 0).
fn dynamic(v: &serde_json::Value) -> tf::DynamicValue {
    fn tree(v: &serde_json::Value) -> crate::decode::Tree {
        use crate::decode::Tree;
        match v {
            serde_json::Value::Null => Tree::Null,
            serde_json::Value::Bool(b) => Tree::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Tree::Int(i),
                None => Tree::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) if s == "<unknown>" => Tree::Unknown,
            serde_json::Value::String(s) => Tree::Str(s.clone()),
            serde_json::Value::Array(a) => Tree::Seq(a.iter().map(tree).collect()),
            serde_json::Value::Object(m) => Tree::Map(m.iter().map(|(k, v)| (k.clone(), tree(v))).collect()),
        }
    }
    tf::DynamicValue {
        msgpack: rmp_serde::to_vec_named(&tree(v)).unwrap(),
        json: Vec::new(),
    }
}

fn decoded(v: &tf::DynamicValue) -> Thing {
    crate::decode::from_msgpack(&v.msgpack).unwrap()
}

fn config() -> serde_json::Value {
    serde_json::json!({
        "settings": {"mode": "fast", "size": 3, "id": null},
        "rules": [{"name": "a", "priority": 1}, {"name": "b", "priority": null}],
        "members": [{"name": "m", "priority": 2}],
        "tags": {"env": {"name": "prod", "priority": null}},
    })
}

async fn plan(s: &Arc<Server>, config: &serde_json::Value) -> tf::plan_resource_change::Response {
    s.plan_resource_change(tonic::Request::new(tf::plan_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: Some(dynamic(&serde_json::Value::Null)),
        proposed_new_state: Some(dynamic(config)),
        config: Some(dynamic(config)),
        prior_private: Vec::new(),
        provider_meta: Some(dynamic(&serde_json::Value::Null)),
        prior_identity: None,
        client_capabilities: None,
    }))
    .await
    .unwrap()
    .into_inner()
}

#[tokio::test]
async fn schema_declares_nested_attributes_with_their_nesting_and_constraints() {
    use tf::schema::object::NestingMode;
    let resp = server()
        .get_provider_schema(tonic::Request::new(tf::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let block = resp.resource_schemas["test_thing"].block.clone().unwrap();
    let find = |name: &str| block.attributes.iter().find(|a| a.name == name).unwrap().clone();
    for (name, nesting, required) in [
        ("settings", NestingMode::Single, true),
        ("rules", NestingMode::List, false),
        ("members", NestingMode::Set, false),
        ("tags", NestingMode::Map, false),
    ] {
        let a = find(name);
        // Terraform refuses an attribute with both: "Type and NestedType cannot both be set".
        assert!(
            a.r#type.is_empty(),
            "{name} carries a type next to its nested type"
        );
        let nested = a
            .nested_type
            .unwrap_or_else(|| panic!("{name} has no nested type"));
        assert_eq!(nested.nesting, nesting as i32, "{name}");
        assert_eq!(
            (a.required, a.optional, a.computed),
            (required, !required, false),
            "{name}"
        );
        let inner: BTreeMap<_, _> = nested
            .attributes
            .iter()
            .map(|n| {
                (
                    n.name.as_str(),
                    (n.r#type.clone(), n.required, n.optional, n.computed),
                )
            })
            .collect();
        if name == "settings" {
            assert_eq!(inner["mode"], (b"\"string\"".to_vec(), true, false, false));
            assert_eq!(inner["size"], (b"\"number\"".to_vec(), false, true, false));
            assert_eq!(inner["id"], (b"\"string\"".to_vec(), false, false, true));
        } else {
            assert_eq!(inner["name"], (b"\"string\"".to_vec(), true, false, false));
            assert_eq!(inner["priority"], (b"\"number\"".to_vec(), false, true, false));
        }
    }
}

#[tokio::test]
async fn plan_and_apply_round_trip_nested_attributes() {
    let s = server();
    let config = config();
    let resp = plan(&s, &config).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let planned_value = resp.planned_state.unwrap();
    let planned = decoded(&planned_value);
    let settings = planned.settings.as_ref().unwrap();
    assert_eq!(settings.mode, Value::Value("fast".to_string()));
    assert_eq!(settings.size, Value::Value(3));
    assert_eq!(
        settings.id,
        Value::Unknown,
        "the computed nested attribute is unknown at plan"
    );
    let rules = planned.rules.as_ref().unwrap();
    assert_eq!(rules[1].as_ref().unwrap().priority, Value::Null);
    assert_eq!(planned.members.as_ref().unwrap().len(), 1);
    assert_eq!(
        planned.tags.as_ref().unwrap()["env"].as_ref().unwrap().name,
        Value::Value("prod".to_string())
    );

    let applied = s
        .apply_resource_change(tonic::Request::new(tf::apply_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: Some(dynamic(&serde_json::Value::Null)),
            planned_state: Some(planned_value),
            config: Some(dynamic(&config)),
            planned_private: Vec::new(),
            provider_meta: Some(dynamic(&serde_json::Value::Null)),
            planned_identity: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let state = decoded(&applied.new_state.unwrap());
    assert_eq!(
        state.settings.as_ref().unwrap().id,
        Value::Value("fast-1".to_string())
    );
    assert_eq!(state.rules, planned.rules);
    assert_eq!(state.tags, planned.tags);
}

fn path_of(d: &tf::Diagnostic) -> Vec<String> {
    use tf::attribute_path::step::Selector;
    d.attribute
        .as_ref()
        .map(|p| {
            p.steps
                .iter()
                .map(|s| match s.selector.as_ref().unwrap() {
                    Selector::AttributeName(n) => format!(".{n}"),
                    Selector::ElementKeyString(k) => format!("[{k:?}]"),
                    Selector::ElementKeyInt(i) => format!("[{i}]"),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn number_errors_inside_nested_attributes_name_their_path() {
    let s = server();
    for (edit, want, found) in [
        (
            serde_json::json!({"rules": [{"name": "a", "priority": 1}, {"name": "b", "priority": 1.5}]}),
            vec![".rules", "[1]", ".priority"],
            "a fractional number",
        ),
        (
            serde_json::json!({"settings": {"mode": "x", "size": 1e20, "id": null}}),
            vec![".settings", ".size"],
            "a number beyond the 64-bit integer range (2^63)",
        ),
        (
            serde_json::json!({"tags": {"env": {"name": "prod", "priority": 0.5}}}),
            vec![".tags", "[\"env\"]", ".priority"],
            "a fractional number",
        ),
        // A set element has no index Terraform can follow: the path stops at the set.
        (
            serde_json::json!({"members": [{"name": "m", "priority": 2.5}]}),
            vec![".members"],
            "a fractional number",
        ),
    ] {
        let mut config = config();
        for (k, v) in edit.as_object().unwrap() {
            config[k] = v.clone();
        }
        let resp = plan(&s, &config).await;
        assert!(resp.planned_state.is_none() || resp.planned_state.as_ref().unwrap().msgpack.is_empty());
        // Proposed state and configuration hold the same value: one diagnostic, not two.
        assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
        let d = &resp.diagnostics[0];
        assert_eq!(path_of(d), want);
        assert_eq!(d.summary, "Invalid Number");
        assert!(d.detail.contains(found), "{}", d.detail);

        let resp = s
            .validate_resource_config(tonic::Request::new(tf::validate_resource_config::Request {
                type_name: "test_thing".into(),
                config: Some(dynamic(&config)),
                client_capabilities: None,
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
        assert_eq!(path_of(&resp.diagnostics[0]), want);
    }
}

/// msgpack as Terraform writes it (unknown as extension 0).
impl Serialize for crate::decode::Tree {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use crate::decode::Tree;
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Tree::Null => s.serialize_unit(),
            Tree::Unknown => crate::utils::ExtStruct((0, serde_bytes::ByteBuf::from(vec![0]))).serialize(s),
            Tree::Bool(b) => s.serialize_bool(*b),
            Tree::Int(i) => s.serialize_i64(*i),
            Tree::UInt(u) => s.serialize_u64(*u),
            Tree::Float(f) => s.serialize_f64(*f),
            Tree::Str(v) => s.serialize_str(v),
            Tree::Bytes(b) => s.serialize_bytes(b),
            Tree::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Tree::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}
