//! Glue between Terraform values and netplan: attribute paths, diagnostics, schema helpers.

use aksnet_tfplugin::schema::{
    Attribute, AttributeConstraint, AttributeType, Block, Description, NestedBlock,
};
use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::{AttributePath, Diagnostics};
use serde::Serialize;
use serde_json::Value as Json;

use crate::functions::error::ArgumentError;
use crate::netplan::cluster::Input;
use crate::netplan::{FieldPath, Finding, RuleId, Severity, Step};

/// Converts a netplan path into a Terraform attribute path.
pub(crate) fn attribute_path(path: &FieldPath) -> AttributePath {
    let mut out = AttributePath::root();
    for step in &path.0 {
        match step {
            Step::Attr(name) => {
                out.add_attribute(*name);
            }
            Step::Index(i) => {
                out.add_index(*i as i64);
            }
            // A pool this configuration does not declare has no attribute to point at: the
            // diagnostic points at the block the path started from (or the resource).
            Step::Foreign(_) => break,
        }
    }
    out
}

/// Unknown becomes null: state may hold no unknown value, and a create that ended without
/// an answer from ARM records what it planned with the computed values it never learned.
pub(crate) fn null_if_unknown<T>(v: &mut Value<T>) {
    if matches!(v, Value::Unknown) {
        *v = Value::Null;
    }
}

/// The published rule catalog; a finding's detail ends with a link to its entry.
const CATALOG_URL: &str = "https://registry.terraform.io/providers/aksnet/aksnet/latest/docs/guides/rules";

/// Records findings as diagnostics: the summary carries the rule id, the detail the fix and
/// where the rule is explained. Addresses, ranges and resource IDs of `config` are not echoed
/// (see [`Redactions`]).
pub(crate) fn report<S: Serialize>(diags: &mut Diagnostics, findings: &[Finding], config: &S) {
    let hide = Redactions::of(config);
    for f in findings {
        let (summary, detail) = (hide.apply(&f.summary), hide.apply(&f.detail));
        report_at(
            diags,
            f.rule,
            f.severity,
            attribute_path(&f.path),
            &summary,
            &detail,
        );
    }
}

/// A typed error a user can fix, shown as one Terraform diagnostic. The layers return typed
/// errors (provider settings, timeouts, function arguments); this is where they become
/// diagnostics: the summary says what kind of input is wrong, the detail is the error's text.
pub(crate) trait UserError: std::error::Error {
    /// The diagnostic's summary, e.g. `Invalid Timeout`.
    fn summary(&self) -> &'static str;
}

/// Records `e` as an error at the attribute `path`.
pub(crate) fn error_at(diags: &mut Diagnostics, e: &dyn UserError, path: AttributePath) {
    diags.error(e.summary(), e.to_string(), path);
}

/// Records `e` as an error about the configuration as a whole.
pub(crate) fn root_error(diags: &mut Diagnostics, e: &dyn UserError) {
    diags.root_error(e.summary(), e.to_string());
}

/// Records why a provider function refuses its argument `index` (0-based); Terraform shows
/// it under the call with the argument's expression.
pub(crate) fn function_error(diags: &mut Diagnostics, index: i64, e: &ArgumentError) {
    diags.function_error(index, e.to_string());
}

/// Input values a diagnostic must not echo. Terraform does not tell providers which inputs
/// are sensitive (tfplugin6 sends configuration without marks; only a schema attribute can
/// be declared sensitive) and prints a provider's diagnostic text as it is, so a value from a
/// `sensitive = true` variable would appear in clear. The values that plausibly carry
/// something worth hiding — addresses, ranges and resource IDs (the network layout,
/// subscription IDs) — are therefore never repeated in a finding: each is replaced by
/// `(ATTRIBUTE, not shown)`, and a range's network address by `(network of ATTRIBUTE, not
/// shown)`. Terraform shows the attribute's line under the message (the literal, or the
/// expression it came from); numbers the rules compute (prefix lengths, sizes, counts,
/// limits) stay. Enumerations and names are echoed: they are needed to say what is wrong.
#[derive(Debug, Default)]
pub(crate) struct Redactions(Vec<(String, String)>);

impl Redactions {
    /// The address-like strings of `config`, with the attribute each came from.
    pub(crate) fn of<S: Serialize>(config: &S) -> Self {
        let mut found = Vec::new();
        if let Ok(v) = serde_json::to_value(config) {
            collect_addresses(&v, &mut Vec::new(), &mut found);
        }
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (value, at) in found {
            if let Ok(net) = value.parse::<ipnet::IpNet>() {
                let network = net.trunc().to_string();
                if network != value {
                    pairs.push((network, format!("(network of {at}, not shown)")));
                }
            }
            pairs.push((value, format!("({at}, not shown)")));
        }
        // Longest first, so `10.0.0.10` is not replaced inside `10.0.0.100`.
        pairs.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        pairs.dedup_by(|a, b| a.0 == b.0);
        Self(pairs)
    }

    /// `text` with every redacted value (quoted or bare, as a whole token) replaced.
    pub(crate) fn apply(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (value, shown) in &self.0 {
            text = text.replace(&format!("\"{value}\""), shown);
            text = replace_token(&text, value, shown);
        }
        text
    }
}

/// An address, a range or a resource ID (or a failed attempt at one, such as `10.0.0.300`).
fn address_like(s: &str) -> bool {
    s.starts_with('/')
        || (s.chars().any(|c| c.is_ascii_digit())
            && s.contains(['.', ':'])
            && s.chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '/')))
}

fn collect_addresses(v: &Json, at: &mut Vec<PathStep>, out: &mut Vec<(String, String)>) {
    match v {
        Json::String(s) if address_like(s) => out.push((s.clone(), shown_path(at))),
        Json::Array(items) if !is_unknown(v) => {
            for (i, item) in items.iter().enumerate() {
                at.push(PathStep::Index(i));
                collect_addresses(item, at, out);
                at.pop();
            }
        }
        Json::Object(m) => {
            // A Kubernetes version (`1.27`) has the shape of an address but says nothing about
            // the network, and the version rules must be able to name it ("runs 1.26").
            for (k, item) in m.iter().filter(|(k, _)| k.as_str() != "kubernetes_version") {
                at.push(PathStep::Attr(k.clone()));
                collect_addresses(item, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Replaces `value` where it stands as a whole token (not inside a longer address); a
/// period or colon right after it, followed by no further address character, ends it.
fn replace_token(text: &str, value: &str, shown: &str) -> String {
    let part = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '/');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(value) {
        let end = i + value.len();
        let before = rest[..i].chars().next_back();
        let mut after = rest[end..].chars();
        let after_ok = match after.next() {
            None => true,
            // A period or colon right after the value ends a sentence or introduces the
            // rest of the message ("ID: reason"); inside a longer address a part follows.
            Some('.' | ':') => after.next().is_none_or(|d| !part(d)),
            Some(c) => !part(c),
        };
        out.push_str(&rest[..i]);
        if before.is_none_or(|c| !part(c)) && after_ok {
            out.push_str(shown);
        } else {
            out.push_str(value);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// One finding at a Terraform attribute path, in [`report`]'s form.
fn report_at(
    diags: &mut Diagnostics,
    rule: RuleId,
    severity: Severity,
    path: AttributePath,
    summary: &str,
    detail: &str,
) {
    let summary = format!("{summary} ({rule})");
    let detail = format!(
        "{detail}\n\nRule {rule}: {CATALOG_URL}#{}",
        rule.to_string().to_lowercase()
    );
    match severity {
        Severity::Error => diags.error(summary, detail, path),
        Severity::Warning => diags.warning(summary, detail, path),
    }
}

/// I8: reports every explicit `null` where `block` needs a value: a required attribute
/// (top level or inside a nested block) and an element of a list, set or map attribute.
/// Terraform treats `x = null` as "not set" and lets it through a required attribute, and
/// aksnet-tfplugin decodes it as [`Value::Null`], so the check walks the decoded configuration
/// against the schema: one mechanism for every resource, run at validate and again at plan
/// (values unknown at validate, such as variables, are skipped and checked when known).
pub(crate) fn report_nulls<S: Serialize>(diags: &mut Diagnostics, block: &Block, config: &S) {
    let Ok(value) = serde_json::to_value(config) else {
        return;
    };
    let mut found = Vec::new();
    nulls_in_block(block, &value, &mut Vec::new(), &mut found);
    for (steps, what) in found {
        let shown = shown_path(&steps);
        let mut path = AttributePath::root();
        for step in steps {
            match step {
                PathStep::Attr(a) => path.add_attribute(a),
                PathStep::Index(i) => path.add_index(i as i64),
                PathStep::Key(k) => path.add_key(k),
            };
        }
        let detail = match what {
            NullKind::Required => format!("{shown} is null, but it is required. Set a value; a null from a variable, a conditional or a module output counts as missing."),
            NullKind::Element => format!("{shown} is null; elements of a list, set or map must have values. Remove the element or give it a value."),
        };
        report_at(diags, RuleId::I8, Severity::Error, path, "Null Value", &detail);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathStep {
    Attr(String),
    Index(usize),
    Key(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NullKind {
    Required,
    Element,
}

fn shown_path(steps: &[PathStep]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            PathStep::Attr(a) if out.is_empty() => out.push_str(a),
            PathStep::Attr(a) => {
                out.push('.');
                out.push_str(a);
            }
            PathStep::Index(i) => out.push_str(&format!("[{i}]")),
            PathStep::Key(k) => out.push_str(&format!("[\"{k}\"]")),
        }
    }
    out
}

/// aksnet-tfplugin serializes [`Value::Unknown`] as MessagePack extension 0, which JSON writes
/// as `[0, []]`: a shape no attribute of aksnet's schemas can take (lists hold strings or
/// objects), so it marks an unknown value unambiguously.
fn is_unknown(v: &Json) -> bool {
    matches!(v.as_array().map(Vec::as_slice), Some([Json::Number(n), Json::Array(b)]) if n.as_u64() == Some(0) && b.is_empty())
}

fn field<'v>(object: &'v Json, name: &str) -> Option<&'v Json> {
    object.as_object()?.get(name)
}

fn nulls_in_block(
    block: &Block,
    value: &Json,
    at: &mut Vec<PathStep>,
    out: &mut Vec<(Vec<PathStep>, NullKind)>,
) {
    // An unknown block is checked once it is known.
    if !value.is_object() {
        return;
    }
    let mut names: Vec<&String> = block.attributes.keys().collect();
    names.sort();
    for name in names {
        let attr = &block.attributes[name];
        at.push(PathStep::Attr(name.clone()));
        match field(value, name) {
            Some(Json::Null) if attr.constraint == AttributeConstraint::Required => {
                out.push((at.clone(), NullKind::Required));
            }
            Some(v) if !is_unknown(v) => null_elements(&attr.attr_type, v, at, out),
            _ => {}
        }
        at.pop();
    }
    let mut names: Vec<&String> = block.blocks.keys().collect();
    names.sort();
    for name in names {
        let Some(v) = field(value, name) else { continue };
        at.push(PathStep::Attr(name.clone()));
        match &block.blocks[name] {
            NestedBlock::List(b) | NestedBlock::Set(b) | NestedBlock::Optional(b) => {
                if is_unknown(v) {
                    at.pop();
                    continue;
                }
                for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                    at.push(PathStep::Index(i));
                    nulls_in_block(b, item, at, out);
                    at.pop();
                }
            }
            NestedBlock::Map(b) => {
                for (k, item) in v.as_object().into_iter().flatten() {
                    at.push(PathStep::Key(k.clone()));
                    nulls_in_block(b, item, at, out);
                    at.pop();
                }
            }
            NestedBlock::Single(b) | NestedBlock::Group(b) => {
                nulls_in_block(b, v, at, out);
            }
        }
        at.pop();
    }
}

/// Null elements of collection attributes. Set elements have no index Terraform can show,
/// so a null in a set points at the set.
fn null_elements(
    ty: &AttributeType,
    value: &Json,
    at: &mut Vec<PathStep>,
    out: &mut Vec<(Vec<PathStep>, NullKind)>,
) {
    if is_unknown(value) {
        return;
    }
    match (ty, value) {
        (AttributeType::List(inner), Json::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                at.push(PathStep::Index(i));
                if item.is_null() {
                    out.push((at.clone(), NullKind::Element));
                } else {
                    null_elements(inner, item, at, out);
                }
                at.pop();
            }
        }
        (AttributeType::Set(_), Json::Array(items)) if items.iter().any(Json::is_null) => {
            out.push((at.clone(), NullKind::Element));
        }
        (AttributeType::Map(inner), Json::Object(items)) => {
            for (k, item) in items {
                at.push(PathStep::Key(k.clone()));
                if item.is_null() {
                    out.push((at.clone(), NullKind::Element));
                } else {
                    null_elements(inner, item, at, out);
                }
                at.pop();
            }
        }
        _ => {}
    }
}

/// A Terraform value as netplan's rules take it: set, unset or known only after apply.
pub(crate) fn input<T: Clone>(v: &Value<T>) -> Input<T> {
    match v {
        Value::Value(x) => Input::Set(x.clone()),
        Value::Null => Input::Unset,
        Value::Unknown => Input::Unknown,
    }
}

/// A schema attribute with a Markdown description.
pub(crate) fn attribute(
    attr_type: AttributeType,
    constraint: AttributeConstraint,
    markdown: &str,
) -> Attribute {
    Attribute {
        attr_type,
        description: Description::markdown(markdown),
        constraint,
        sensitive: false,
        deprecated: false,
    }
}

/// Known strings of a list, skipping unknown elements (validation checks what it can).
pub(crate) fn known_strings(v: &Value<Vec<Value<String>>>) -> Vec<(usize, &str)> {
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
pub(crate) fn list_has_unknown<T>(v: &Value<Vec<Value<T>>>) -> bool {
    match v {
        Value::Unknown => true,
        Value::Value(items) => items.iter().any(|i| i.is_unknown()),
        Value::Null => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::pod_cidr_plan::{NodePoolBlock, PodCidrPlan, State};

    fn null_paths(state: &State) -> Vec<String> {
        let mut diags = Diagnostics::default();
        report_nulls(&mut diags, &PodCidrPlan::block(), state);
        diags
            .errors
            .iter()
            .map(|d| {
                assert!(d.summary.ends_with("(I8)"), "{}", d.summary);
                d.detail.split(' ').next().unwrap_or_default().to_string()
            })
            .collect()
    }

    #[test]
    fn unknown_values_serialize_apart_from_nulls() {
        let v = serde_json::to_value(Value::<String>::Unknown).unwrap();
        assert!(is_unknown(&v), "{v}");
        assert!(serde_json::to_value(Value::<String>::Null).unwrap().is_null());
        assert!(!is_unknown(&serde_json::json!(["0", "1"])));
    }

    #[test]
    fn nulls_in_required_attributes_blocks_and_lists_are_found() {
        let state = State {
            network_plugin: Value::Null,
            address_space: Value::Value(vec![Value::Value("10.0.0.0/16".into()), Value::Null]),
            node_pool: Value::Value(vec![
                Value::Value(NodePoolBlock {
                    name: Value::Null,
                    node_count: Value::Value(3),
                    ..Default::default()
                }),
                Value::Unknown,
            ]),
            ..Default::default()
        };
        assert_eq!(
            null_paths(&state),
            ["address_space[1]", "network_plugin", "node_pool[0].name"]
        );
    }

    #[test]
    fn unknown_values_wait_for_plan() {
        let state = State {
            network_plugin: Value::Unknown,
            address_space: Value::Unknown,
            node_pool: Value::Value(vec![Value::Value(NodePoolBlock {
                name: Value::Unknown,
                node_count: Value::Unknown,
                ..Default::default()
            })]),
            ..Default::default()
        };
        assert!(null_paths(&state).is_empty());
    }

    #[test]
    fn kubernetes_versions_are_named_not_hidden() {
        let hide =
            Redactions::of(&serde_json::json!({"kubernetes_version": "1.26", "dns_service_ip": "1.26.0.1"}));
        assert_eq!(
            hide.apply("the cluster runs 1.26; dns 1.26.0.1"),
            "the cluster runs 1.26; dns (dns_service_ip, not shown)"
        );
    }

    #[test]
    fn addresses_ranges_and_ids_are_not_echoed() {
        let state = State {
            pod_cidr: Value::Value("10.99.77.5/16".into()),
            service_cidr: Value::Value("10.0.0.0/16".into()),
            dns_service_ip: Value::Value("10.0.0.10".into()),
            network_plugin: Value::Value("azure".into()),
            address_space: Value::Value(vec![Value::Value("10.9.0.0/16".into())]),
            ..Default::default()
        };
        let hide = Redactions::of(&state);
        assert_eq!(
            hide.apply("\"10.99.77.5/16\" has host bits set; the network address of that range is 10.99.0.0/16."),
            "(pod_cidr, not shown) has host bits set; the network address of that range is (network of pod_cidr, not shown)."
        );
        assert_eq!(
            hide.apply("service CIDR 10.0.0.0/16 overlaps 10.9.0.0/16; 10.0.0.100 and 10.0.0.10 differ; network_plugin \"azure\""),
            "service CIDR (service_cidr, not shown) overlaps (address_space[0], not shown); 10.0.0.100 and (dns_service_ip, not shown) differ; network_plugin \"azure\""
        );
        // "ID: why" is the ID, then the reason; "10.0.0.10:80" is another token.
        assert_eq!(
            hide.apply("dns 10.0.0.10: gone, 10.0.0.10:53 stays"),
            "dns (dns_service_ip, not shown): gone, 10.0.0.10:53 stays"
        );
    }
}
