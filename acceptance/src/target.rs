//! Where a scenario runs: a seeded [`TestEmulator`] of its own (the default, `make test`), or —
//! with `TF_ACC=1` and `ARM_*` credentials (`make testacc`) — whatever ARM endpoint those name:
//! Azure, another cloud, or an emulator through `ARM_METADATA_HOSTNAME`.
//!
//! Fixtures come from the seed files in `acceptance/seeds/`, which the emulator also loads with
//! `--seed`. Against ARM the harness PUTs them into a fresh resource group named
//! `acctest-<n>` (subscription `ARM_SUBSCRIPTION_ID`, location `ARM_TEST_LOCATION`, default
//! `westeurope`) and deletes the group when the [`Target`] drops, also when the test panics.

use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::arm::{api_version_for_id, lookup_in, missing_settings, process_env, ArmClient, Lookup};
use crate::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use crate::harness::{run_case_env, Step};

/// The subscription the seed files are written for (the emulator's sample one).
pub const SEED_SUBSCRIPTION: &str = SAMPLE_SUBSCRIPTION;
/// The resource group the seed files are written for.
pub const SEED_GROUP: &str = "acctest-fixtures";
/// The location the seed files are written for.
pub const SEED_LOCATION: &str = "westeurope";
/// Every resource group the harness creates starts with this; `make testacc-sweep` deletes them.
pub const GROUP_PREFIX: &str = "acctest-";

/// How long creating one fixture, or deleting a scenario's resource group, may take.
const FIXTURE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// `acceptance/seeds/`.
pub fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// A seed file by name (`network` is `acceptance/seeds/network.json`): `[{"id", "body"}]`.
pub fn seed(name: &str) -> Value {
    let file = seed_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", file.display()))
}

/// Seed items moved to another subscription, resource group and location: ids that start
/// with the seeds' group are rewritten, and every `location` is replaced.
pub fn rewrite(items: &Value, subscription: &str, group: &str, location: &str) -> Value {
    let from = format!("/subscriptions/{SEED_SUBSCRIPTION}/resourceGroups/{SEED_GROUP}");
    let to = format!("/subscriptions/{subscription}/resourceGroups/{group}");
    fn walk(v: &mut Value, from: &str, to: &str, location: &str) {
        match v {
            Value::String(s) if s.starts_with(from) => *s = s.replacen(from, to, 1),
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, from, to, location)),
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if k == "location" && child.is_string() {
                        *child = json!(location);
                    } else {
                        walk(child, from, to, location);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = items.clone();
    walk(&mut out, &from, &to, location);
    out
}

/// A fresh `acctest-<n>` name (random per process, unique within it).
pub fn random_group_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(N.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    format!("{GROUP_PREFIX}{}", h.finish() % 10_000_000_000)
}

/// Drops the `id` of inline children (`properties.subnets[*].id`): the emulator needs them in
/// seeds, while ARM derives them from the parent and the name.
fn strip_child_ids(body: &mut Value) {
    let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for list in props.values_mut().filter_map(Value::as_array_mut) {
        for child in list.iter_mut().filter_map(Value::as_object_mut) {
            if child.contains_key("name") {
                child.remove("id");
            }
        }
    }
}

/// True when `TF_ACC` asks for the configured ARM endpoint.
pub fn tf_acc(get: Lookup) -> bool {
    get("TF_ACC").is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// For tests that start their own emulator: true, after printing
/// `SKIP <scenario>: needs the emulator (<why>)`, when `TF_ACC` asks for ARM.
pub fn skip_against_arm(scenario: &str, why: &str) -> bool {
    let skip = tf_acc(&process_env);
    if skip {
        println!("SKIP {scenario}: needs the emulator ({why})");
    }
    skip
}

enum Backend {
    Emulator(TestEmulator),
    Arm {
        /// Whether the scenario's resource group was (or may have been) created.
        group_created: bool,
    },
}

/// One scenario's place to run, its fixtures and its resource group.
pub struct Target {
    scenario: String,
    group: String,
    subscription: String,
    location: String,
    location_written: String,
    env: Vec<(String, String)>,
    client: ArmClient,
    backend: Backend,
}

impl Target {
    /// A scenario that runs against the emulator and against ARM, with fixtures from the
    /// named seed files. Panics when `TF_ACC` is set but settings are missing.
    pub fn new(scenario: &str, seeds: &[&str]) -> Arc<Target> {
        Arc::new(Self::with_settings(scenario, seeds, &process_env))
    }

    /// A scenario that needs the emulator (`why`: fault injection, request counters, …):
    /// `None`, after printing `SKIP <scenario>: needs the emulator (<why>)`, against ARM.
    pub fn emulator_only(scenario: &str, why: &str, seeds: &[&str]) -> Option<Arc<Target>> {
        (!skip_against_arm(scenario, why)).then(|| Self::new(scenario, seeds))
    }

    /// Like [`Target::new`], with settings from `get` instead of the process environment.
    pub fn with_settings(scenario: &str, seeds: &[&str], get: Lookup) -> Target {
        let mut items: Vec<Value> = seeds
            .iter()
            .flat_map(|s| seed(s).as_array().cloned().unwrap_or_default())
            .collect();
        // Fixtures need their group even when no seed file names it.
        let seed_group = format!("/subscriptions/{SEED_SUBSCRIPTION}/resourceGroups/{SEED_GROUP}");
        if !items.is_empty() && !items.iter().any(|i| i["id"] == json!(seed_group)) {
            items.insert(0, json!({"id": seed_group, "body": {"location": SEED_LOCATION}}));
        }
        let group = random_group_name();
        if !tf_acc(get) {
            let items = rewrite(&Value::Array(items), SEED_SUBSCRIPTION, &group, SEED_LOCATION);
            let emu = TestEmulator::start(items);
            let env = emu.env();
            let client = ArmClient::from_settings(&lookup_in(&env))
                .unwrap_or_else(|e| panic!("{scenario}: the emulator's settings: {e}"));
            return Target {
                scenario: scenario.into(),
                group,
                subscription: SEED_SUBSCRIPTION.into(),
                location: SEED_LOCATION.into(),
                location_written: "West Europe".into(),
                env,
                client,
                backend: Backend::Emulator(emu),
            };
        }
        let missing = missing_settings(get);
        if !missing.is_empty() {
            panic!(
                "{scenario}: TF_ACC is set but {} is not; unset TF_ACC to run against the emulator",
                missing.join(" ")
            );
        }
        let client = ArmClient::from_settings(get).unwrap_or_else(|e| panic!("{scenario}: {e}"));
        let written = get("ARM_TEST_LOCATION").unwrap_or_else(|| "West Europe".into());
        let location = written.to_ascii_lowercase().replace(' ', "");
        let mut target = Target {
            scenario: scenario.into(),
            group,
            subscription: client.subscription.clone(),
            location,
            location_written: written,
            env: Vec::new(),
            client,
            backend: Backend::Arm { group_created: false },
        };
        let items = rewrite(
            &Value::Array(items),
            &target.subscription,
            &target.group,
            &target.location,
        );
        // From here on a panic drops `target`, which deletes the group.
        target.create_fixtures(&items);
        target
    }

    fn create_fixtures(&mut self, items: &Value) {
        let group_id = self.group_id();
        for item in items.as_array().into_iter().flatten() {
            let id = item["id"].as_str().unwrap_or_default();
            let mut body = item.get("body").cloned().unwrap_or(json!({}));
            strip_child_ids(&mut body);
            if id.eq_ignore_ascii_case(&group_id) {
                body["tags"]["aksnet-acctest"] = json!(self.scenario);
                if let Backend::Arm { group_created } = &mut self.backend {
                    *group_created = true;
                }
            }
            let api = api_version_for_id(id)
                .unwrap_or_else(|| panic!("{}: no api-version for {id}", self.scenario));
            if let Err(e) = self
                .client
                .send_and_wait("PUT", id, api, Some(&body), FIXTURE_TIMEOUT)
            {
                panic!("{}: creating fixture {id}: {e}", self.scenario);
            }
        }
    }

    /// The scenario's name (for messages).
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// The scenario's resource group (`acctest-<n>`).
    pub fn rg(&self) -> &str {
        &self.group
    }

    /// The subscription the scenario runs in.
    pub fn subscription(&self) -> &str {
        &self.subscription
    }

    /// The location as ARM names it (`westeurope`).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The location as configurations write it (`West Europe`, or `ARM_TEST_LOCATION` as given).
    pub fn location_written(&self) -> &str {
        &self.location_written
    }

    /// `/subscriptions/{sub}/resourceGroups/{rg}`.
    pub fn group_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}",
            self.subscription, self.group
        )
    }

    /// An id in the group: `id("/providers/Microsoft.Network/routeTables/rt")`.
    pub fn id(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.group_id())
    }

    /// The environment Terraform and the provider need (against ARM: none beyond the
    /// process's own `ARM_*`).
    pub fn env(&self) -> Vec<(String, String)> {
        self.env.clone()
    }

    /// True when the scenario runs against a configured ARM endpoint (`TF_ACC=1`).
    pub fn against_arm(&self) -> bool {
        matches!(self.backend, Backend::Arm { .. })
    }

    /// The scenario's emulator (faults, inventory, counters); `None` against ARM, where
    /// scenarios that need it are skipped by [`Target::emulator_only`].
    pub fn emulator(&self) -> Option<&TestEmulator> {
        match &self.backend {
            Backend::Emulator(e) => Some(e),
            Backend::Arm { .. } => None,
        }
    }

    /// A direct ARM call, as someone else (AKS, a colleague) would make it out of band;
    /// returns at once, without waiting for a long-running operation.
    pub fn arm(&self, method: &str, id: &str, api_version: &str, body: Option<Value>) -> (u16, Value) {
        match self.client.send(method, id, api_version, body.as_ref()) {
            Ok(r) => (r.status, r.body),
            Err(e) => (0, json!({ "error": { "message": e } })),
        }
    }

    /// Like [`Target::arm`], then waits for the operation it started (PUT: returns the
    /// resource as it ends up).
    pub fn arm_wait(
        &self,
        method: &str,
        id: &str,
        api_version: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), String> {
        self.client
            .send_and_wait(method, id, api_version, body.as_ref(), FIXTURE_TIMEOUT)
    }

    /// Runs the steps on every Terraform the suite uses (see [`run_case_env`]).
    pub fn run(&self, provider: &Path, steps: Vec<Step>) {
        run_case_env(&self.scenario, provider, &self.env, steps);
    }

    /// Deletes the scenario's resource group (against ARM) and waits.
    fn cleanup(&mut self) -> Result<(), String> {
        match &mut self.backend {
            Backend::Arm { group_created } if *group_created => {
                *group_created = false;
                self.client.delete_group(&self.group, FIXTURE_TIMEOUT)
            }
            _ => Ok(()),
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Err(e) = self.cleanup() {
            // Never panic here (this may run while a failed test unwinds).
            eprintln!(
                "WARNING {}: deleting resource group {} failed: {e}; `make testacc-sweep` removes leftovers",
                self.scenario, self.group
            );
        }
    }
}

/// Deletes every resource group whose name starts with `prefix` (case-insensitive) and
/// waits for all of them; returns their names.
pub fn sweep(client: &ArmClient, prefix: &str) -> Result<Vec<String>, String> {
    let want = prefix.to_ascii_lowercase();
    let mut started = Vec::new();
    for g in client.resource_groups()? {
        let name = g["name"].as_str().unwrap_or_default().to_string();
        if !name.to_ascii_lowercase().starts_with(&want) {
            continue;
        }
        let id = format!("/subscriptions/{}/resourceGroups/{name}", client.subscription);
        let r = client.send("DELETE", &id, crate::arm::RESOURCES_API, None)?;
        match r.status {
            404 => continue,
            s if s >= 300 && s != 202 => {
                return Err(format!("DELETE {id}: HTTP {s} {}", r.body));
            }
            _ => started.push((name, r)),
        }
    }
    let mut errors = Vec::new();
    let mut done = Vec::new();
    for (name, r) in started {
        match client.wait(&r, FIXTURE_TIMEOUT) {
            Ok(()) => done.push(name),
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(done)
    } else {
        Err(errors.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_move_to_the_scenarios_group_and_location() {
        let items = seed("network");
        let moved = rewrite(&items, "sub-1", "acctest-42", "northeurope");
        assert_eq!(moved[0]["id"], "/subscriptions/sub-1/resourceGroups/acctest-42");
        assert_eq!(moved[1]["body"]["location"], "northeurope");
        assert_eq!(
            moved[1]["body"]["properties"]["subnets"][0]["id"],
            "/subscriptions/sub-1/resourceGroups/acctest-42/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes"
        );
        assert!(!moved.to_string().contains(SEED_GROUP));
    }

    #[test]
    fn inline_children_lose_their_ids_for_arm() {
        let mut vnet = seed("network")[1]["body"].clone();
        strip_child_ids(&mut vnet);
        assert_eq!(
            vnet["properties"]["subnets"][0],
            json!({"name": "nodes", "properties": {"addressPrefix": "10.0.1.0/24"}})
        );
    }

    #[test]
    fn group_names_are_prefixed_and_differ() {
        let (a, b) = (random_group_name(), random_group_name());
        assert!(a.starts_with(GROUP_PREFIX) && b.starts_with(GROUP_PREFIX));
        assert_ne!(a, b);
    }

    #[test]
    fn every_seed_file_is_in_the_seed_groups() {
        let prefix = format!("/subscriptions/{SEED_SUBSCRIPTION}/resourceGroups/{SEED_GROUP}");
        for entry in std::fs::read_dir(seed_dir()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            for item in seed(&name).as_array().unwrap() {
                let id = item["id"].as_str().unwrap();
                assert!(id.starts_with(&prefix), "{name}: {id}");
                assert!(api_version_for_id(id).is_some(), "{name}: {id}");
            }
        }
    }
}
