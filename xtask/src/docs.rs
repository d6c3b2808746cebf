//! tfplugindocs-format Markdown from the live schema (provider-conventions.md §3.3).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use aksnet::provider::AksnetProvider;
use aksnet_tfplugin::schema::{
    Attribute, AttributeConstraint, AttributeType, Block, FunctionSchema, NestedBlock, Type,
};
use aksnet_tfplugin::{Diagnostics, IdentitySchema, IdentityType, Provider};

/// Folders whose pages are all generated (stale ones are removed or reported).
const GENERATED_DIRS: [&str; 4] = [
    "docs/resources",
    "docs/data-sources",
    "docs/functions",
    "docs/guides",
];

/// Relative path → page content.
pub type Pages = BTreeMap<PathBuf, String>;

/// Renders every page.
pub fn render(root: &Path) -> Result<Pages, String> {
    let provider = AksnetProvider::new();
    let mut diags = Diagnostics::default();
    let mut pages = Pages::new();

    let schema = provider.schema(&mut diags).ok_or("provider schema failed")?;
    pages.insert("docs/index.md".into(), provider_page(root, &schema.block)?);

    let resources = provider
        .get_resources(&mut diags)
        .ok_or("listing resources failed")?;
    for (name, res) in resources.into_iter().collect::<BTreeMap<_, _>>() {
        let schema = res
            .schema(&mut diags)
            .ok_or_else(|| format!("schema of {name} failed"))?;
        pages.insert(
            format!("docs/resources/{name}.md").into(),
            resource_page(root, &name, &schema.block, res.identity_schema().as_ref())?,
        );
    }
    let data_sources = provider
        .get_data_sources(&mut diags)
        .ok_or("listing data sources failed")?;
    for (name, ds) in data_sources.into_iter().collect::<BTreeMap<_, _>>() {
        let schema = ds
            .schema(&mut diags)
            .ok_or_else(|| format!("schema of data source {name} failed"))?;
        pages.insert(
            format!("docs/data-sources/{name}.md").into(),
            data_source_page(root, &name, &schema.block)?,
        );
    }
    let functions = provider
        .get_functions(&mut diags)
        .ok_or("listing functions failed")?;
    for (name, f) in functions.into_iter().collect::<BTreeMap<_, _>>() {
        let schema = f
            .schema(&mut diags)
            .ok_or_else(|| format!("schema of {name} failed"))?;
        pages.insert(
            format!("docs/functions/{name}.md").into(),
            function_page(root, &name, &schema)?,
        );
    }
    let guides = root.join("templates/guides");
    if guides.is_dir() {
        let mut entries: Vec<_> = fs::read_dir(&guides)
            .map_err(|e| format!("reading {}: {e}", guides.display()))?
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().to_string();
            if let Some(stem) = name.strip_suffix(".md.tmpl") {
                let body = fs::read_to_string(e.path()).map_err(|err| format!("reading {name}: {err}"))?;
                pages.insert(format!("docs/guides/{stem}.md").into(), body);
            }
        }
    }
    // The rule catalog comes from netplan's rule table, never from a hand-written page.
    pages.insert(
        aksnet::netplan::catalog::CATALOG_PATH.into(),
        aksnet::netplan::catalog::markdown(),
    );
    if !diags.errors.is_empty() {
        return Err(format!(
            "schema diagnostics: {:?}",
            diags
                .errors
                .iter()
                .map(|d| d.summary.to_string())
                .collect::<Vec<_>>()
        ));
    }
    Ok(pages)
}

/// Writes pages under `root`, removing stale generated pages.
pub fn write(root: &Path, pages: &Pages) -> Result<usize, String> {
    for dir in GENERATED_DIRS {
        let _ = fs::remove_dir_all(root.join(dir));
    }
    for (path, body) in pages {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
        }
        fs::write(&full, body).map_err(|e| format!("writing {}: {e}", full.display()))?;
    }
    Ok(pages.len())
}

/// Fails when any page on disk differs from the rendered one, or is missing or stale.
pub fn check(root: &Path, pages: &Pages) -> Result<usize, String> {
    let mut problems = Vec::new();
    for (path, body) in pages {
        match fs::read_to_string(root.join(path)) {
            Ok(on_disk) if on_disk == *body => {}
            Ok(_) => problems.push(format!("{} is out of date", path.display())),
            Err(_) => problems.push(format!("{} is missing", path.display())),
        }
    }
    for dir in GENERATED_DIRS {
        for e in fs::read_dir(root.join(dir)).into_iter().flatten().flatten() {
            let rel = PathBuf::from(dir).join(e.file_name());
            if !pages.contains_key(&rel) {
                problems.push(format!("{} is not generated any more", rel.display()));
            }
        }
    }
    if problems.is_empty() {
        Ok(pages.len())
    } else {
        Err(format!(
            "docs/ is out of date; run `make docs`:\n  {}",
            problems.join("\n  ")
        ))
    }
}

fn read_opt(root: &Path, rel: &str) -> Result<Option<String>, String> {
    let p = root.join(rel);
    if p.exists() {
        fs::read_to_string(&p)
            .map(Some)
            .map_err(|e| format!("reading {rel}: {e}"))
    } else {
        Ok(None)
    }
}

fn front_matter(title: &str, description: &str) -> String {
    let first = description.lines().next().unwrap_or("").trim();
    format!("---\npage_title: \"{title}\"\nsubcategory: \"\"\ndescription: |-\n  {first}\n---\n\n")
}

fn example(out: &mut String, code: Option<String>) {
    if let Some(code) = code {
        out.push_str("## Example Usage\n\n```terraform\n");
        out.push_str(code.trim_end());
        out.push_str("\n```\n\n");
    }
}

fn provider_page(root: &Path, block: &Block) -> Result<String, String> {
    let mut out = front_matter("aksnet Provider", &block.description.content);
    out.push_str("# aksnet Provider\n\n");
    out.push_str(block.description.content.trim());
    out.push_str("\n\n");
    if let Some(prose) = read_opt(root, "templates/index.md.tmpl")? {
        out.push_str(prose.trim_end());
        out.push_str("\n\n");
    }
    example(&mut out, read_opt(root, "examples/provider/provider.tf")?);
    out.push_str("<!-- schema generated by tfplugindocs -->\n## Schema\n\n");
    if block.attributes.is_empty() && block.blocks.is_empty() {
        out.push_str("The provider has no configuration attributes yet.\n");
    } else {
        schema_sections(&mut out, block, "");
    }
    Ok(out)
}

fn resource_page(
    root: &Path,
    name: &str,
    block: &Block,
    identity: Option<&IdentitySchema>,
) -> Result<String, String> {
    let full = format!("aksnet_{name}");
    let mut out = front_matter(&format!("{full} Resource - aksnet"), &block.description.content);
    out.push_str(&format!(
        "# {full} (Resource)\n\n{}\n\n",
        block.description.content.trim()
    ));
    if let Some(prose) = read_opt(root, &format!("templates/resources/{name}.md.tmpl"))? {
        out.push_str(prose.trim_end());
        out.push_str("\n\n");
    }
    example(
        &mut out,
        read_opt(root, &format!("examples/resources/{full}/resource.tf"))?,
    );
    out.push_str("<!-- schema generated by tfplugindocs -->\n## Schema\n\n");
    schema_sections(&mut out, block, "");
    let import = read_opt(root, &format!("examples/resources/{full}/import.sh"))?;
    match import {
        Some(sh) => {
            out.push_str("\n## Import\n\nImport is supported using the following syntax:\n\n");
            if let Some(identity) = identity {
                identity_section(root, &mut out, &full, identity)?;
                out.push_str(
                    "The [`terraform import` command](https://developer.hashicorp.com/terraform/cli/commands/import) can be used, for example:\n\n",
                );
            }
            out.push_str("```shell\n");
            out.push_str(sh.trim_end());
            out.push_str("\n```\n");
        }
        None => out.push_str(&format!(
            "\n## Import\n\nImport is not supported: `{full}` has no Azure resource behind it.\n"
        )),
    }
    Ok(out)
}

/// The `import` block with `identity` (example `import-by-identity.tf`) and the identity schema,
/// rendered from the resource's declaration as tfplugindocs renders it.
fn identity_section(
    root: &Path,
    out: &mut String,
    full: &str,
    identity: &IdentitySchema,
) -> Result<(), String> {
    let example =
        read_opt(root, &format!("examples/resources/{full}/import-by-identity.tf"))?.ok_or_else(|| {
            format!("{full} declares an identity: add examples/resources/{full}/import-by-identity.tf")
        })?;
    out.push_str(
        "In Terraform v1.12.0 and later, the [`import` block](https://developer.hashicorp.com/terraform/language/import) can be used with the `identity` attribute, for example:\n\n```terraform\n",
    );
    out.push_str(example.trim_end());
    out.push_str("\n```\n\n<!-- schema generated by tfplugindocs -->\n### Identity Schema\n\n");
    for (title, required) in [("Required", true), ("Optional", false)] {
        let lines: Vec<String> = identity
            .attributes
            .iter()
            .filter(|a| a.required_for_import == required)
            .map(|a| {
                let t = match a.attr_type {
                    IdentityType::String => "String",
                    IdentityType::Number => "Number",
                    IdentityType::Bool => "Boolean",
                };
                format!("- `{}` ({t}) {}", a.name, a.description.content.trim())
            })
            .collect();
        if !lines.is_empty() {
            out.push_str(&format!("#### {title}\n\n{}\n\n", lines.join("\n")));
        }
    }
    Ok(())
}

/// A data source's page: the description, `templates/data-sources/NAME.md.tmpl`, the example
/// `examples/data-sources/aksnet_NAME/data-source.tf` and the schema (tfplugindocs layout).
fn data_source_page(root: &Path, name: &str, block: &Block) -> Result<String, String> {
    let full = format!("aksnet_{name}");
    let mut out = front_matter(
        &format!("{full} Data Source - aksnet"),
        &block.description.content,
    );
    out.push_str(&format!(
        "# {full} (Data Source)\n\n{}\n\n",
        block.description.content.trim()
    ));
    if let Some(prose) = read_opt(root, &format!("templates/data-sources/{name}.md.tmpl"))? {
        out.push_str(prose.trim_end());
        out.push_str("\n\n");
    }
    example(
        &mut out,
        read_opt(root, &format!("examples/data-sources/{full}/data-source.tf"))?,
    );
    out.push_str("<!-- schema generated by tfplugindocs -->\n## Schema\n\n");
    schema_sections(&mut out, block, "");
    Ok(out.trim_end().to_string() + "\n")
}

fn function_page(root: &Path, name: &str, f: &FunctionSchema) -> Result<String, String> {
    let mut out = front_matter(&format!("{name} function - aksnet"), &f.summary);
    out.push_str(&format!(
        "# function: {name}\n\n{}\n\n",
        f.description.content.trim()
    ));
    example(
        &mut out,
        read_opt(root, &format!("examples/functions/{name}/function.tf"))?,
    );
    let params: Vec<String> = f
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, type_name(&p.param_type)))
        .collect();
    out.push_str(&format!(
        "## Signature\n\n```text\n{name}({}) {}\n```\n\n## Arguments\n\n",
        params.join(", "),
        type_name(&f.return_type)
    ));
    for (i, p) in f.parameters.iter().enumerate() {
        out.push_str(&format!(
            "{}. `{}` ({}) {}\n",
            i + 1,
            p.name,
            title_type(&type_name(&p.param_type)),
            p.description.content.trim()
        ));
    }
    Ok(out)
}

fn type_name(t: &Type) -> String {
    match t {
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::List(i) => format!("list({})", type_name(i)),
        Type::Set(i) => format!("set({})", type_name(i)),
        Type::Map(i) => format!("map({})", type_name(i)),
        Type::Object(_) => "object".into(),
        Type::Tuple(_) => "tuple".into(),
        Type::Any => "dynamic".into(),
    }
}

fn title_type(s: &str) -> String {
    match s {
        "string" => "String".into(),
        "number" => "Number".into(),
        "bool" => "Boolean".into(),
        "dynamic" => "Dynamic".into(),
        other => other.to_string(),
    }
}

fn attr_type(t: &AttributeType) -> String {
    match t {
        AttributeType::String => "String".into(),
        AttributeType::Number => "Number".into(),
        AttributeType::Bool => "Boolean".into(),
        AttributeType::List(i) => format!("List of {}", attr_type(i)),
        AttributeType::Set(i) => format!("Set of {}", attr_type(i)),
        AttributeType::Map(i) => format!("Map of {}", attr_type(i)),
        AttributeType::Object(_) => "Object".into(),
        AttributeType::Tuple(_) => "Tuple".into(),
        _ => "Dynamic".into(),
    }
}

fn object_fields(t: &AttributeType) -> Option<&std::collections::HashMap<String, AttributeType>> {
    match t {
        AttributeType::Object(f) => Some(f),
        AttributeType::List(i) | AttributeType::Set(i) | AttributeType::Map(i) => object_fields(i),
        _ => None,
    }
}

fn inner_block(b: &NestedBlock) -> (&Block, &'static str) {
    match b {
        NestedBlock::Single(b) => (b, "Block, Required"),
        NestedBlock::List(b) => (b, "Block List"),
        NestedBlock::Set(b) => (b, "Block Set"),
        NestedBlock::Map(b) => (b, "Block Map"),
        NestedBlock::Group(b) => (b, "Block, Optional"),
        NestedBlock::Optional(b) => (b, "Block List, Max: 1"),
    }
}

/// Required / Optional / Read-Only bullets, then nested schemas (tfplugindocs layout).
fn schema_sections(out: &mut String, block: &Block, prefix: &str) {
    let mut groups: [(&str, Vec<String>); 3] =
        [("Required", vec![]), ("Optional", vec![]), ("Read-Only", vec![])];
    let mut nested: Vec<String> = Vec::new();
    let attrs: BTreeMap<&String, &Attribute> = block.attributes.iter().collect();
    for (name, a) in attrs {
        let group = match a.constraint {
            AttributeConstraint::Required => 0,
            AttributeConstraint::Optional | AttributeConstraint::OptionalComputed => 1,
            AttributeConstraint::Computed => 2,
        };
        let anchor = format!("{prefix}{name}");
        let mut line = format!(
            "- `{name}` ({}{}) {}",
            attr_type(&a.attr_type),
            if a.sensitive { ", Sensitive" } else { "" },
            a.description.content.trim()
        );
        if let Some(fields) = object_fields(&a.attr_type) {
            line.push_str(&format!(
                " (see [below for nested schema](#nestedatt--{}))",
                anchor.replace('.', "--")
            ));
            let mut sub = format!(
                "<a id=\"nestedatt--{}\"></a>\n### Nested Schema for `{anchor}`\n\nRead-Only:\n\n",
                anchor.replace('.', "--")
            );
            for (f, t) in fields.iter().collect::<BTreeMap<_, _>>() {
                sub.push_str(&format!("- `{f}` ({})\n", attr_type(t)));
            }
            nested.push(sub);
        }
        groups[group].1.push(line);
    }
    for (name, b) in block.blocks.iter().collect::<BTreeMap<_, _>>() {
        let (inner, kind) = inner_block(b);
        let anchor = format!("{prefix}{name}");
        let group = if matches!(b, NestedBlock::Single(_)) { 0 } else { 1 };
        groups[group].1.push(format!(
            "- `{name}` ({kind}) {} (see [below for nested schema](#nestedblock--{}))",
            inner.description.content.trim(),
            anchor.replace('.', "--")
        ));
        let mut sub = format!(
            "<a id=\"nestedblock--{}\"></a>\n### Nested Schema for `{anchor}`\n\n",
            anchor.replace('.', "--")
        );
        schema_sections(&mut sub, inner, &format!("{anchor}."));
        nested.push(sub);
    }
    for (title, lines) in groups.iter() {
        if !lines.is_empty() {
            if prefix.is_empty() {
                out.push_str(&format!("### {title}\n\n"));
            } else {
                out.push_str(&format!("{title}:\n\n"));
            }
            out.push_str(&lines.join("\n"));
            out.push_str("\n\n");
        }
    }
    for n in nested {
        out.push_str(&n);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CI's "generate" check: docs/ must equal what `make docs` renders.
    #[test]
    fn docs_are_up_to_date() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let pages = render(&root).expect("docs render");
        if let Err(e) = check(&root, &pages) {
            panic!("{e}");
        }
    }

    #[test]
    fn every_resource_has_an_example_page_and_schema() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let pages = render(&root).expect("docs render");
        let page = &pages[&PathBuf::from("docs/resources/pod_cidr_plan.md")];
        assert!(
            page.contains("## Example Usage"),
            "pod_cidr_plan page lacks an example"
        );
        assert!(page.contains("### Required") && page.contains("### Read-Only"));
        assert!(page.contains("### Nested Schema for `node_pool`"));
        assert!(
            !page.contains("(Dynamic) empty"),
            "placeholder description leaked into docs"
        );
        let rt = &pages[&PathBuf::from("docs/resources/route_table.md")];
        let identity = rt
            .find("### Identity Schema")
            .expect("route table identity schema");
        assert!(
            rt[..identity].contains("identity = {"),
            "import block example first"
        );
        assert!(rt[identity..].contains("- `subscription_id` (String)"), "{rt}");
        let np = &pages[&PathBuf::from("docs/resources/node_pool.md")];
        assert!(np.contains("- `managed_cluster_name` (String)"), "{np}");
        assert!(
            !page.contains("### Identity Schema"),
            "pod_cidr_plan has no identity"
        );
        let ds = &pages[&PathBuf::from("docs/data-sources/subnet_usage.md")];
        assert!(ds.contains("# aksnet_subnet_usage (Data Source)"), "{ds}");
        assert!(
            ds.contains("## Example Usage") && ds.contains("### Required") && ds.contains("### Read-Only")
        );
    }
}
