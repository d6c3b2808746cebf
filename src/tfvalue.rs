//! Glue between Terraform values and netplan: attribute paths, diagnostics, schema helpers.

use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Description};
use tf_provider::value::Value;
use tf_provider::{AttributePath, Diagnostics};

use crate::netplan::cluster::Input;
use crate::netplan::{FieldPath, Finding, Severity, Step};

/// Converts a netplan path into a Terraform attribute path.
pub fn attribute_path(path: &FieldPath) -> AttributePath {
    let mut out = AttributePath::root();
    for step in &path.0 {
        match step {
            Step::Attr(name) => {
                out.add_attribute(*name);
            }
            Step::Index(i) => {
                out.add_index(*i as i64);
            }
        }
    }
    out
}

/// Unknown becomes null: state may hold no unknown value, and a create that ended without
/// an answer from ARM records what it planned with the computed values it never learned.
pub fn null_if_unknown<T>(v: &mut Value<T>) {
    if matches!(v, Value::Unknown) {
        *v = Value::Null;
    }
}

/// The published rule catalog; a finding's detail ends with a link to its entry.
const CATALOG_URL: &str = "https://registry.terraform.io/providers/aksnet/aksnet/latest/docs/guides/rules";

/// Records findings as diagnostics: the summary carries the rule id, the detail the fix and
/// where the rule is explained.
pub fn report(diags: &mut Diagnostics, findings: &[Finding]) {
    for f in findings {
        let summary = format!("{} ({})", f.summary, f.rule);
        let detail = format!(
            "{}\n\nRule {}: {CATALOG_URL}#{}",
            f.detail,
            f.rule,
            f.rule.to_string().to_lowercase()
        );
        let path = attribute_path(&f.path);
        match f.severity {
            Severity::Error => diags.error(summary, detail, path),
            Severity::Warning => diags.warning(summary, detail, path),
        }
    }
}

/// A Terraform value as netplan's rules take it: set, unset or known only after apply.
pub fn input<T: Clone>(v: &Value<T>) -> Input<T> {
    match v {
        Value::Value(x) => Input::Set(x.clone()),
        Value::Null => Input::Unset,
        Value::Unknown => Input::Unknown,
    }
}

/// A schema attribute with a Markdown description.
pub fn attribute(attr_type: AttributeType, constraint: AttributeConstraint, markdown: &str) -> Attribute {
    Attribute {
        attr_type,
        description: Description::markdown(markdown),
        constraint,
        sensitive: false,
        deprecated: false,
    }
}

/// Known strings of a list, skipping unknown elements (validation checks what it can).
pub fn known_strings(v: &Value<Vec<Value<String>>>) -> Vec<(usize, &str)> {
    v.as_ref_option()
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.as_ref_option().map(|s| (i, s.as_str())))
                .collect()
        })
        .unwrap_or_default()
}

/// True when the value, or any element of a list, is unknown.
pub fn list_has_unknown<T>(v: &Value<Vec<Value<T>>>) -> bool {
    match v {
        Value::Unknown => true,
        Value::Value(items) => items.iter().any(|i| i.is_unknown()),
        Value::Null => false,
    }
}
