// This file is part of aksnet-tfplugin, added by the aksnet project (Apache-2.0): see ../NOTICE

//! Resource identity (tfplugin 6.9, Terraform >= 1.12): the identity schema a resource declares,
//! the identity data carried next to its state, and the rules the server applies to it.
//!
//! Resource identity is "a data object, determined by the provider, that is stored alongside the
//! resource state to uniquely identify a remote object"; "the identity data for a remote object
//! must not change during its lifecycle from creation to deletion, or until the provider upgrades
//! the resource identity schema" (developer.hashicorp.com/terraform/plugin/sdkv2/resources/identity).
//! proto/tfplugin6.10.proto: "When comparing identity_attributes data, differing versions should
//! always be treated as inequal." Terraform core (v1.15) only checks that an identity is known and
//! matches the schema; the SDKs enforce stability with an "Unexpected Identity Change" error, and
//! so does this server ([`changed`]), except on replace and when the prior identity is empty (all
//! attributes null), which terraform-plugin-framework#1229 also exempts.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostics;
use crate::raw::RawValue;
use crate::resource::DynamicResource;
use crate::schema::Description;
use crate::server::Server;
use crate::tfplugin6 as tf;

/// The type of an identity attribute: identity data is primitive.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IdentityType {
    /// String
    String,
    /// Number
    Number,
    /// Boolean
    Bool,
}

impl IdentityType {
    /// The cty type name, as the protocol's JSON type encoding writes it.
    pub fn cty(self) -> &'static str {
        match self {
            IdentityType::String => "string",
            IdentityType::Number => "number",
            IdentityType::Bool => "bool",
        }
    }

    fn accepts(self, v: &serde_json::Value) -> bool {
        matches!(
            (self, v),
            (_, serde_json::Value::Null)
                | (IdentityType::String, serde_json::Value::String(_))
                | (IdentityType::Number, serde_json::Value::Number(_))
                | (IdentityType::Bool, serde_json::Value::Bool(_))
        )
    }
}

/// One attribute of an identity.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IdentityAttribute {
    /// Attribute name
    pub name: String,
    /// Attribute type
    pub attr_type: IdentityType,
    /// Must be set in an `import` block's `identity` (otherwise it is optional for import: the
    /// provider can supply it)
    pub required_for_import: bool,
    /// Description (Markdown)
    pub description: Description,
}

/// A resource's identity schema: "separate from the Schema version. Any time the structure or
/// format of identity_attributes changes, this version should be incremented."
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IdentitySchema {
    /// Identity version
    pub version: i64,
    /// Attributes, in the order the documentation lists them
    pub attributes: Vec<IdentityAttribute>,
}

impl From<&IdentitySchema> for tf::ResourceIdentitySchema {
    fn from(value: &IdentitySchema) -> Self {
        Self {
            version: value.version,
            identity_attributes: value
                .attributes
                .iter()
                .map(|a| tf::resource_identity_schema::IdentityAttribute {
                    name: a.name.clone(),
                    // The JSON encoding of a cty primitive type is its quoted name.
                    r#type: format!("\"{}\"", a.attr_type.cty()).into_bytes(),
                    required_for_import: a.required_for_import,
                    optional_for_import: !a.required_for_import,
                    description: a.description.content.clone(),
                })
                .collect(),
        }
    }
}

/// Identity data: attribute name → primitive value (null when unset).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct Identity(pub BTreeMap<String, serde_json::Value>);

impl Identity {
    /// Identity data from `(attribute, string)` pairs.
    pub fn strings<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
                .collect(),
        )
    }

    /// A string attribute's value; `None` when absent, null or not a string.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(serde_json::Value::as_str)
    }

    /// True when every attribute is null (what Terraform stores for an object without identity).
    pub fn is_empty(&self) -> bool {
        self.0.values().all(serde_json::Value::is_null)
    }

    /// Decodes identity data sent by Terraform; `None` (with the error recorded) when it does not
    /// match `schema`.
    pub(crate) fn decode(
        diags: &mut Diagnostics,
        schema: &IdentitySchema,
        type_name: &str,
        data: &tf::ResourceIdentityData,
    ) -> Option<Self> {
        let raw = RawValue::from(data.identity_data.clone()?);
        if raw.is_null() {
            return None;
        }
        let identity: Identity = raw.deserialize(diags)?;
        identity.conforms(diags, schema, type_name).then_some(identity)
    }

    /// True when the attributes are exactly the schema's, with values of its types; otherwise
    /// an error naming the attribute.
    fn conforms(&self, diags: &mut Diagnostics, schema: &IdentitySchema, type_name: &str) -> bool {
        let declared: HashMap<&str, IdentityType> = schema
            .attributes
            .iter()
            .map(|a| (a.name.as_str(), a.attr_type))
            .collect();
        for (name, value) in &self.0 {
            match declared.get(name.as_str()) {
                None => {
                    diags.root_error(
                        format!("Invalid Identity For {type_name}"),
                        format!(
                            "The identity has an attribute `{name}`, which identity version {} of \
                             `{type_name}` does not declare.",
                            schema.version
                        ),
                    );
                    return false;
                }
                Some(t) if !t.accepts(value) => {
                    diags.root_error(
                        format!("Invalid Identity For {type_name}"),
                        format!("The identity attribute `{name}` must be a {}.", t.cty()),
                    );
                    return false;
                }
                Some(_) => {}
            }
        }
        true
    }

    /// Checks the attributes an `import` block must set: each present, non-null and (for
    /// strings) not empty. The error names the attribute, never its value.
    pub(crate) fn check_import(
        &self,
        diags: &mut Diagnostics,
        schema: &IdentitySchema,
        type_name: &str,
    ) -> bool {
        let mut ok = true;
        for a in schema.attributes.iter().filter(|a| a.required_for_import) {
            let why = match self.0.get(&a.name) {
                None | Some(serde_json::Value::Null) => "is required to import by identity but is not set",
                Some(serde_json::Value::String(s)) if s.trim().is_empty() => "must not be empty",
                Some(_) => continue,
            };
            diags.root_error(
                "Invalid Import Identity",
                format!(
                    "`identity.{}` {why}: an `import` block's identity for `{type_name}` needs {}.",
                    a.name,
                    required_names(schema)
                ),
            );
            ok = false;
        }
        ok
    }

    /// The identity as protocol identity data (MessagePack).
    pub(crate) fn encode(&self, diags: &mut Diagnostics) -> Option<tf::ResourceIdentityData> {
        Some(tf::ResourceIdentityData {
            identity_data: Some(RawValue::serialize(diags, self)?.into()),
        })
    }
}

/// `` `a`, `b` and `c` ``: the attributes required for import.
fn required_names(schema: &IdentitySchema) -> String {
    let names: Vec<String> = schema
        .attributes
        .iter()
        .filter(|a| a.required_for_import)
        .map(|a| format!("`{}`", a.name))
        .collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => "no attribute".into(),
    }
}

/// Prior identity data sent by Terraform, decoded; `None` when absent, null or empty.
pub(crate) fn prior(
    diags: &mut Diagnostics,
    schema: Option<&IdentitySchema>,
    type_name: &str,
    data: Option<&tf::ResourceIdentityData>,
) -> Option<Identity> {
    let identity = Identity::decode(diags, schema?, type_name, data?)?;
    (!identity.is_empty()).then_some(identity)
}

/// Records "Unexpected Identity Change" when `new` differs from a non-empty `prior`, naming the
/// attributes that differ (not their values: they hold subscription IDs and names from
/// configuration). Returns true when it did.
pub(crate) fn changed(
    diags: &mut Diagnostics,
    during: &str,
    type_name: &str,
    prior: Option<&Identity>,
    new: &Identity,
) -> bool {
    let Some(prior) = prior.filter(|p| !p.is_empty()) else {
        return false;
    };
    if prior == new {
        return false;
    }
    let differ: Vec<String> = prior
        .0
        .keys()
        .chain(new.0.keys())
        .filter(|k| prior.0.get(*k) != new.0.get(*k))
        .map(|k| format!("`{k}`"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    diags.root_error(
        "Unexpected Identity Change",
        format!(
            "During {during}, the provider computed a different identity for this `{type_name}` than \
             the one stored for it ({} differ). An identity never changes while the object exists: \
             the object in Azure is not the one this resource instance was tracking. If it was \
             recreated under another name or resource group, remove it from the state \
             (`terraform state rm`) and import it again.",
            differ.join(", ")
        ),
    );
    true
}

/// UpgradeResourceIdentity: the stored identity at the current version passes through (after a
/// check against the schema); any other version is an error, since no resource has changed its
/// identity schema yet.
pub(crate) fn upgrade(
    diags: &mut Diagnostics,
    schema: Option<&IdentitySchema>,
    type_name: &str,
    version: i64,
    raw: Option<tf::RawState>,
) -> Option<tf::ResourceIdentityData> {
    let Some(schema) = schema else {
        diags.root_error(
            format!("Resource `{type_name}` has no identity"),
            format!(
                "The state holds identity data (version {version}) for `{type_name}`, but this provider \
                 declares no identity schema for it, so there is nothing to upgrade it to. Remove the \
                 identity from the state or use the provider version that wrote it."
            ),
        );
        return None;
    };
    if version != schema.version {
        diags.root_error(
            format!("Unsupported Identity Version For {type_name}"),
            format!(
                "The state holds identity version {version} for `{type_name}`; this provider writes \
                 identity version {} and knows no upgrade from version {version}. Use the provider \
                 version that wrote this state, or remove the resource from the state and import it \
                 again.",
                schema.version
            ),
        );
        return None;
    }
    let json = raw.map(|r| r.json).unwrap_or_default();
    let identity: Identity = RawValue::Json(json).deserialize(diags)?;
    if !identity.conforms(diags, schema, type_name) {
        return None;
    }
    identity.encode(diags)
}

// ---- What the server sends back, RPC by RPC (called from tf6provider.rs) ----

/// GetResourceIdentitySchemas: every resource that declares an identity.
pub(crate) fn schemas(server: &Server) -> HashMap<String, tf::ResourceIdentitySchema> {
    server
        .resources
        .iter()
        .filter_map(|(name, (resource, _))| Some((name.clone(), (&resource.identity_schema()?).into())))
        .collect()
}

fn resource<'a>(server: &'a Server, type_name: &str) -> Option<&'a dyn DynamicResource> {
    server.resources.get(type_name).map(|(r, _)| r.as_ref())
}

/// The identity of a non-null state, when the resource declares one and can tell it.
fn of_state(
    diags: &mut Diagnostics,
    resource: &dyn DynamicResource,
    state: Option<&tf::DynamicValue>,
) -> Option<Identity> {
    let raw = RawValue::from(state?.clone());
    if raw.is_null() {
        return None;
    }
    resource.identity(diags, &raw)
}

/// ReadResource's `new_identity`: the identity of the refreshed state, which must equal the
/// current one (none when the object is gone).
pub(crate) fn after_read(
    diags: &mut Diagnostics,
    server: &Server,
    type_name: &str,
    current: Option<&tf::ResourceIdentityData>,
    new_state: Option<&tf::DynamicValue>,
) -> Option<tf::ResourceIdentityData> {
    let resource = resource(server, type_name)?;
    let schema = resource.identity_schema()?;
    let prior = prior(diags, Some(&schema), type_name, current);
    let new_state = new_state.filter(|s| !RawValue::from((*s).clone()).is_null())?;
    match of_state(diags, resource, Some(new_state)) {
        Some(new) if !changed(diags, "refresh", type_name, prior.as_ref(), &new) => new.encode(diags),
        _ => prior?.encode(diags),
    }
}

/// PlanResourceChange's `planned_identity`: the prior identity on update (which the planned
/// state must not contradict) and destroy; on create or replace whatever the planned state
/// already tells (Terraform allows it to change, or be unknown, then).
pub(crate) fn planned(
    diags: &mut Diagnostics,
    server: &Server,
    type_name: &str,
    prior_identity: Option<&tf::ResourceIdentityData>,
    planned_state: Option<&tf::DynamicValue>,
    replace: bool,
) -> Option<tf::ResourceIdentityData> {
    let resource = resource(server, type_name)?;
    let schema = resource.identity_schema()?;
    let prior = prior(diags, Some(&schema), type_name, prior_identity);
    let planned_state = planned_state.filter(|s| !RawValue::from((*s).clone()).is_null());
    let Some(planned_state) = planned_state else {
        // Destroy: the identity stays what it was until the object is gone.
        return prior?.encode(diags);
    };
    let computed = of_state(diags, resource, Some(planned_state));
    if replace {
        return computed?.encode(diags);
    }
    match (prior, computed) {
        (Some(p), Some(c)) => {
            changed(diags, "planning", type_name, Some(&p), &c);
            p.encode(diags)
        }
        (Some(p), None) => p.encode(diags),
        (None, Some(c)) => c.encode(diags),
        (None, None) => None,
    }
}

/// ApplyResourceChange's `new_identity`: the identity of the new state, which must equal the
/// planned one when there was one (none after destroy).
pub(crate) fn applied(
    diags: &mut Diagnostics,
    server: &Server,
    type_name: &str,
    planned_identity: Option<&tf::ResourceIdentityData>,
    new_state: Option<&tf::DynamicValue>,
) -> Option<tf::ResourceIdentityData> {
    let resource = resource(server, type_name)?;
    let schema = resource.identity_schema()?;
    let planned = prior(diags, Some(&schema), type_name, planned_identity);
    let new_state = new_state.filter(|s| !RawValue::from((*s).clone()).is_null())?;
    match of_state(diags, resource, Some(new_state)) {
        Some(new) if !changed(diags, "apply", type_name, planned.as_ref(), &new) => new.encode(diags),
        _ => planned?.encode(diags),
    }
}

/// ImportResourceState: the ID to import. An `import` block with `identity` arrives with an
/// empty `id` and the identity: it is checked against the identity schema (attributes required
/// for import set and not empty), then the resource turns it into its import ID.
pub(crate) async fn import_id(
    diags: &mut Diagnostics,
    server: &Server,
    type_name: &str,
    id: String,
    identity: Option<&tf::ResourceIdentityData>,
) -> Option<String> {
    let given = identity.filter(|i| {
        i.identity_data
            .as_ref()
            .is_some_and(|d| !RawValue::from(d.clone()).is_null())
    });
    let Some(given) = given.filter(|_| id.is_empty()) else {
        return Some(id);
    };
    let resource = resource(server, type_name)?;
    let Some(schema) = resource.identity_schema() else {
        diags.root_error(
            format!("Resource `{type_name}` has no identity"),
            format!("`{type_name}` declares no identity schema: import it with `id` instead of `identity`."),
        );
        return None;
    };
    let identity = Identity::decode(diags, &schema, type_name, given)?;
    if !identity.check_import(diags, &schema, type_name) {
        return None;
    }
    resource.import_id(diags, &identity).await
}

/// MoveResourceState's `target_identity`: the identity of the translated state, so the moved
/// object has its identity in state from the move on (Terraform >= 1.12), as after an import.
/// The source's identity is another provider's and is not read.
pub(crate) fn moved(
    diags: &mut Diagnostics,
    server: &Server,
    type_name: &str,
    target_state: Option<&tf::DynamicValue>,
) -> Option<tf::ResourceIdentityData> {
    let resource = resource(server, type_name)?;
    of_state(diags, resource, target_state)?.encode(diags)
}

/// ImportResourceState's identity of an imported object.
pub(crate) fn imported(
    diags: &mut Diagnostics,
    server: &Server,
    type_name: &str,
    state: &tf::DynamicValue,
) -> Option<tf::ResourceIdentityData> {
    let resource = resource(server, type_name)?;
    of_state(diags, resource, Some(state))?.encode(diags)
}
