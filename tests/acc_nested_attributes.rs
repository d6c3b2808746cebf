//! Nested attributes (issue 20) end to end with the real Terraform CLI (both versions).
//!
//! aksnet's own resources use blocks (azurerm's configuration syntax), so a test-only provider
//! built on aksnet_tfplugin serves the nested attributes: this test binary itself. Launched by
//! Terraform as a plugin (`TF_PLUGIN_MAGIC_COOKIE` set) it serves `nestedtest_thing`, whose
//! attributes nest as single (`settings`), list (`rules`), set (`members`) and map (`tags`),
//! with inner numbers read as whole numbers and inner computed attributes; otherwise it runs
//! the scenarios. `dev_overrides` maps `hashicorp/nestedtest` to a directory holding a
//! `terraform-provider-nestedtest` symlink to this binary (as tests/acc_moved.rs serves its
//! stand-in azurerm).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aksnet_acceptance::harness::{expect_eq, run_steps_with, Step};
use aksnet_acceptance::plugin_test::{self, Case};
use aksnet_acceptance::terraform::{parse_version, terraform_binaries};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const THING: &str = "nestedtest_thing.t";

/// The test-only provider.
mod nested {
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    use std::process::ExitCode;

    use aksnet_tfplugin::schema::{
        Attribute, AttributeConstraint as C, AttributeType as T, Block, Description, Schema,
    };
    use aksnet_tfplugin::value::{Value, ValueEmpty};
    use aksnet_tfplugin::{map, AttributePath, Diagnostics, DynamicResource, Provider, Resource};
    use async_trait::async_trait;
    use serde::{Deserialize, Serialize};

    /// Serves the provider to Terraform.
    pub fn serve() -> ExitCode {
        if rustls::crypto::ring::default_provider()
            .install_default()
            .is_err()
        {
            eprintln!("nestedtest: a TLS crypto provider was already installed");
        }
        let Ok(runtime) = tokio::runtime::Builder::new_multi_thread().enable_all().build() else {
            return ExitCode::FAILURE;
        };
        match runtime.block_on(aksnet_tfplugin::serve("nestedtest", NestedTest)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("nestedtest: {e:#}");
                ExitCode::FAILURE
            }
        }
    }

    /// `settings`: single nesting; `id` is computed when the object is created.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    struct Settings {
        mode: Value<String>,
        size: Value<i64>,
        id: Value<String>,
    }

    /// An element of `rules` (list); `key` is computed from `name` at plan.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    struct Rule {
        name: Value<String>,
        priority: Value<i64>,
        key: Value<String>,
    }

    /// An element of `members` (set) and `tags` (map).
    #[derive(Debug, Clone, Default, PartialEq, PartialOrd, Eq, Ord, Serialize, Deserialize)]
    struct Member {
        name: Value<String>,
        priority: Value<i64>,
    }

    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    struct Thing {
        settings: Value<Settings>,
        rules: Value<Vec<Value<Rule>>>,
        members: Value<BTreeSet<Value<Member>>>,
        tags: Value<BTreeMap<String, Value<Member>>>,
    }

    fn attr(attr_type: T, constraint: C) -> Attribute {
        Attribute {
            attr_type,
            description: Description::plain("test"),
            constraint,
            ..Default::default()
        }
    }

    fn member() -> HashMap<String, Attribute> {
        HashMap::from([
            ("name".into(), attr(T::String, C::Required)),
            ("priority".into(), attr(T::Number, C::Optional)),
        ])
    }

    /// The rules' computed keys, from their names.
    fn with_keys(thing: &mut Thing) {
        if let Value::Value(rules) = &mut thing.rules {
            for rule in rules.iter_mut().filter_map(Value::as_mut_option) {
                rule.key = match &rule.name {
                    Value::Value(n) => Value::Value(format!("rule-{n}")),
                    _ => Value::Unknown,
                };
            }
        }
    }

    struct ThingResource;

    #[async_trait]
    impl Resource for ThingResource {
        type State<'a> = Thing;
        type PrivateState<'a> = ValueEmpty;
        type ProviderMetaState<'a> = ValueEmpty;

        fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
            let settings = HashMap::from([
                ("mode".into(), attr(T::String, C::Required)),
                ("size".into(), attr(T::Number, C::Optional)),
                ("id".into(), attr(T::String, C::Computed)),
            ]);
            let mut rule = member();
            rule.insert("key".into(), attr(T::String, C::Computed));
            Some(Schema {
                version: 0,
                block: Block {
                    attributes: HashMap::from([
                        ("settings".into(), attr(T::AttributeSingle(settings), C::Required)),
                        ("rules".into(), attr(T::AttributeList(rule), C::Optional)),
                        ("members".into(), attr(T::AttributeSet(member()), C::Optional)),
                        ("tags".into(), attr(T::AttributeMap(member()), C::Optional)),
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
            with_keys(&mut proposed);
            Some((proposed, Value::Null))
        }

        async fn plan_update<'a>(
            &self,
            _diags: &mut Diagnostics,
            prior: Thing,
            mut proposed: Thing,
            _config: Thing,
            _private: ValueEmpty,
            _meta: ValueEmpty,
        ) -> Option<(Thing, ValueEmpty, Vec<AttributePath>)> {
            // The settings' id follows its mode; Terraform proposes the prior id.
            let prior_mode = prior.settings.as_ref_option().map(|s| s.mode.clone());
            if let Value::Value(s) = &mut proposed.settings {
                if prior_mode.as_ref() != Some(&s.mode) {
                    s.id = Value::Unknown;
                }
            }
            with_keys(&mut proposed);
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
            settle(&mut planned);
            Some((planned, Value::Null))
        }

        async fn update<'a>(
            &self,
            _diags: &mut Diagnostics,
            _prior: Thing,
            mut planned: Thing,
            _config: Thing,
            _private: ValueEmpty,
            _meta: ValueEmpty,
        ) -> Option<(Thing, ValueEmpty)> {
            settle(&mut planned);
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

    /// The settings' id an apply gives: `settings-<mode>`.
    fn settle(thing: &mut Thing) {
        if let Value::Value(s) = &mut thing.settings {
            if s.id.is_unknown() {
                s.id = Value::Value(format!(
                    "settings-{}",
                    s.mode.as_ref_option().map_or("", String::as_str)
                ));
            }
        }
    }

    struct NestedTest;

    #[async_trait]
    impl Provider for NestedTest {
        type Config<'a> = ValueEmpty;
        type MetaState<'a> = ValueEmpty;

        fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
            Some(Schema {
                version: 0,
                block: Block::default(),
            })
        }

        fn get_resources(
            &self,
            _diags: &mut Diagnostics,
        ) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
            Some(map! { "thing" => ThingResource })
        }
    }
}

// ---- scenarios ----

/// `dev_overrides` for `hashicorp/nestedtest`: a directory with `terraform-provider-nestedtest`
/// linking to this binary.
fn nested_override() -> (tempfile::TempDir, Vec<(String, PathBuf)>) {
    let dir = tempfile::Builder::new()
        .prefix("aksnet-nestedtest-")
        .tempdir()
        .expect("temp dir");
    let exe = std::env::current_exe().expect("this test binary");
    std::os::unix::fs::symlink(&exe, dir.path().join("terraform-provider-nestedtest")).expect("symlink");
    let overrides = vec![("hashicorp/nestedtest".to_string(), dir.path().to_path_buf())];
    (dir, overrides)
}

/// A `nestedtest_thing` with `rule_b` as the second rule's priority, `member` as the set
/// element's priority and `tag` as the map element's; each number on its own line, so an
/// error's snippet shows which.
fn config(rule_b: &str, member: &str, tag: &str, extra_tag: bool) -> String {
    let extra = if extra_tag {
        "\n    ops = {\n      name = \"ops\"\n    }"
    } else {
        ""
    };
    format!(
        r#"
resource "nestedtest_thing" "t" {{
  settings = {{
    mode = "fast"
    size = 3
  }}
  rules = [
    {{
      name     = "a"
      priority = 1
    }},
    {{
      name     = "b"
      priority = {rule_b}
    }},
  ]
  members = [
    {{
      name     = "m"
      priority = {member}
    }},
  ]
  tags = {{
    env = {{
      name     = "prod"
      priority = {tag}
    }}{extra}
  }}
}}
"#
    )
}

/// Terraform versions that place a diagnostic inside a nested attribute's value at the
/// configuration line (1.15.5 does). Older ones (1.11.4) follow a path only through blocks and
/// show the resource without a source line for `rules[1].priority`; the detail still names it.
const FOLLOWS_NESTED_PATHS: (u32, u32) = (1, 15);

/// The steps on one Terraform: validate, plan (computed inner values), apply, re-plan empty,
/// an update, then the number errors.
fn steps(version: (u32, u32)) -> Vec<Step> {
    let good = config("2", "5", "7", false);
    let mut steps = vec![
        Step::plan(&good, |p| {
            // The computed inner attributes: the settings' id unknown until apply, the rules'
            // keys known at plan.
            let after_unknown = &p.doc["resource_changes"][0]["change"]["after_unknown"];
            expect_eq(
                "settings.id unknown at plan",
                &after_unknown["settings"]["id"],
                &json!(true),
            )?;
            expect_eq(
                "planned rules[1].key",
                p.attr(THING, "/rules/1/key")?,
                &json!("rule-b"),
            )
        }),
        Step::cli(
            &["validate", "-no-color"],
            true,
            Some("The configuration is valid"),
        ),
        Step::apply(&good, |s| {
            expect_eq(
                "settings",
                s.attr(THING, "settings")?,
                &json!({"mode": "fast", "size": 3, "id": "settings-fast"}),
            )?;
            expect_eq(
                "rules",
                s.attr(THING, "rules")?,
                &json!([{"name": "a", "priority": 1, "key": "rule-a"}, {"name": "b", "priority": 2, "key": "rule-b"}]),
            )?;
            expect_eq(
                "members",
                s.attr(THING, "members")?,
                &json!([{"name": "m", "priority": 5}]),
            )?;
            expect_eq(
                "tags",
                s.attr(THING, "tags")?,
                &json!({"env": {"name": "prod", "priority": 7}}),
            )
        }),
        // An update inside the list and a new map element keep the computed values.
        Step::apply(&config("4", "5", "7", true), |s| {
            expect_eq(
                "settings.id kept",
                s.attr(THING, "/settings/id")?,
                &json!("settings-fast"),
            )?;
            expect_eq(
                "rules[1].priority",
                s.attr(THING, "/rules/1/priority")?,
                &json!(4),
            )?;
            expect_eq(
                "tags.ops",
                s.attr(THING, "/tags/ops")?,
                &json!({"name": "ops", "priority": null}),
            )
        }),
    ];
    // A fractional number where the provider reads a whole number: an error at the attribute
    // inside the list element and inside the map element.
    let fractional = [
        (
            config("2.5", "5", "7", false),
            r"Invalid Number.*rules\[1\]\.priority must be a whole number, but the value is a fractional number\. Write the value without a fractional part",
        ),
        (
            config("2", "5", "0.5", false),
            r"Invalid Number.*tags\[\(key, not shown\)\]\.priority must be a whole number, but the value is a fractional number",
        ),
    ];
    for (config, pattern) in &fractional {
        steps.push(if version >= FOLLOWS_NESTED_PATHS {
            Step::expect_error_at(config, pattern, "priority")
        } else {
            Step::expect_error(config, pattern)
        });
    }
    // A set element has no index Terraform can follow: the error points at the set.
    steps.push(Step::expect_error_at(
        &config("2", "5.5", "7", false),
        r"Invalid Number.*members.*must be a whole number, but the value is a fractional number",
        "members",
    ));
    steps
}

fn round_trip_and_errors() {
    let (_dir, overrides) = nested_override();
    let bins = terraform_binaries().unwrap_or_else(|e| panic!("nested attributes: no Terraform: {e}"));
    for tf in &bins {
        let version = parse_version(&tf.version).unwrap_or((0, 0));
        if let Err(e) = run_steps_with(tf, Some(Path::new(BIN)), &[], &overrides, &steps(version)) {
            panic!(
                "nested attributes on Terraform {} ({}): {e}",
                tf.version,
                tf.path.display()
            );
        }
    }
}

const CASES: [Case; 1] = [(
    "nested_attributes_round_trip_and_point_at_errors",
    round_trip_and_errors,
)];

fn main() -> ExitCode {
    plugin_test::main(nested::serve, &CASES)
}
