//! The `aksnet` provider: schema, configuration, and the resources and functions it serves.
//!
//! Configuration follows azurerm: each attribute falls back to its `ARM_*` environment
//! variable (config wins). Credentials are resolved lazily, on the first ARM call, so the
//! pure resource and the functions work with no Azure configuration at all.

use std::collections::HashMap;
use std::sync::Arc;

use aksnet_tfplugin::schema::{AttributeConstraint as C, AttributeType as T, Block, Description, Schema};
use aksnet_tfplugin::value::{Value, ValueEmpty};
use aksnet_tfplugin::{
    map, AttributePath, Diagnostics, DynamicDataSource, DynamicFunction, DynamicResource, Provider,
};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::arm::auth::AuthSettings;
use crate::arm::connection::Connection;
use crate::data_sources::subnet_usage::SubnetUsage;
use crate::functions;
use crate::netplan::names::{valid_subscription_id, SUBSCRIPTION_RULE};
use crate::resources::cluster_network::ClusterNetwork;
use crate::resources::node_pool::NodePool;
use crate::resources::pod_cidr_plan::PodCidrPlan;
use crate::resources::route_table::RouteTable;
use crate::tfvalue::{attribute, root_error, UserError};

type Str = Value<String>;
type Flag = Value<bool>;

/// Provider configuration; one field per schema attribute.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub(crate) subscription_id: Str,
    pub(crate) tenant_id: Str,
    pub(crate) client_id: Str,
    pub(crate) client_id_file_path: Str,
    pub(crate) client_secret: Str,
    pub(crate) client_secret_file_path: Str,
    pub(crate) client_certificate: Str,
    pub(crate) client_certificate_path: Str,
    pub(crate) client_certificate_password: Str,
    pub(crate) use_oidc: Flag,
    pub(crate) oidc_token: Str,
    pub(crate) oidc_token_file_path: Str,
    pub(crate) oidc_request_token: Str,
    pub(crate) oidc_request_url: Str,
    pub(crate) ado_pipeline_service_connection_id: Str,
    pub(crate) use_aks_workload_identity: Flag,
    pub(crate) use_msi: Flag,
    pub(crate) msi_endpoint: Str,
    pub(crate) use_cli: Flag,
    pub(crate) environment: Str,
    pub(crate) metadata_host: Str,
}

/// Attribute name, environment variables (first set wins), sensitive, description.
const STRING_SETTINGS: [(&str, &[&str], bool, &str); 17] = [
    ("subscription_id", &["ARM_SUBSCRIPTION_ID"], false, "The Azure subscription to manage resources in."),
    ("tenant_id", &["ARM_TENANT_ID"], false, "The Microsoft Entra tenant to authenticate in."),
    ("client_id", &["ARM_CLIENT_ID"], false, "Client (application) ID of the service principal or user-assigned managed identity."),
    ("client_id_file_path", &["ARM_CLIENT_ID_FILE_PATH"], false, "Path to a file holding the client ID (used when `client_id` is unset)."),
    ("client_secret", &["ARM_CLIENT_SECRET"], true, "Client secret of the service principal."),
    ("client_secret_file_path", &["ARM_CLIENT_SECRET_FILE_PATH"], false, "Path to a file holding the client secret (used when `client_secret` is unset)."),
    ("client_certificate", &["ARM_CLIENT_CERTIFICATE"], true, "A base64-encoded PKCS#12 (PFX) client certificate for the service principal."),
    ("client_certificate_path", &["ARM_CLIENT_CERTIFICATE_PATH"], false, "Path to a PKCS#12 (PFX) client certificate (used when `client_certificate` is unset)."),
    ("client_certificate_password", &["ARM_CLIENT_CERTIFICATE_PASSWORD"], true, "The password of the client certificate, if it has one."),
    ("oidc_token", &["ARM_OIDC_TOKEN"], true, "An OIDC ID token to exchange for an Azure token (workload identity federation). Requires `use_oidc`."),
    ("oidc_token_file_path", &["ARM_OIDC_TOKEN_FILE_PATH"], false, "Path to a file holding an OIDC ID token. Requires `use_oidc`."),
    ("oidc_request_token", &["ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN"], true, "Bearer token for the OIDC token request URL (GitHub Actions sets `ACTIONS_ID_TOKEN_REQUEST_TOKEN`; Azure Pipelines maps `System.AccessToken` to `SYSTEM_ACCESSTOKEN`). Requires `use_oidc`."),
    ("oidc_request_url", &["ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI"], false, "URL to request an OIDC token from (GitHub Actions sets `ACTIONS_ID_TOKEN_REQUEST_URL`, Azure Pipelines `SYSTEM_OIDCREQUESTURI`). Requires `use_oidc`."),
    ("ado_pipeline_service_connection_id", &["ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"], false, "The Azure DevOps service connection (workload identity federation) to request the pipeline's OIDC token for, from `oidc_request_url` with `oidc_request_token`, as azurerm does. Requires `use_oidc`."),
    ("msi_endpoint", &["ARM_MSI_ENDPOINT"], false, "Custom managed identity endpoint. Accepted for compatibility with azurerm; azure_identity 1.0 discovers the endpoint itself (IMDS, or App Service's `IDENTITY_ENDPOINT`), so set those variables for non-standard hosts."),
    ("environment", &["ARM_ENVIRONMENT"], false, "The Azure cloud: `public`, `usgovernment` or `china`. Defaults to `public`."),
    ("metadata_host", &["ARM_METADATA_HOSTNAME", "ARM_METADATA_HOST"], false, "Host name serving `/metadata/endpoints` for a custom cloud or the aksnet emulator; endpoints and token audience are discovered from it."),
];

const BOOL_SETTINGS: [(&str, &str, bool, &str); 4] = [
    ("use_oidc", "ARM_USE_OIDC", false, "Authenticate with an OIDC token (workload identity federation). Defaults to `false`."),
    ("use_aks_workload_identity", "ARM_USE_AKS_WORKLOAD_IDENTITY", false, "Authenticate with AKS workload identity (`AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_FEDERATED_TOKEN_FILE`). Defaults to `false`."),
    ("use_msi", "ARM_USE_MSI", false, "Authenticate with a managed identity. Defaults to `false`."),
    ("use_cli", "ARM_USE_CLI", true, "Authenticate with the Azure CLI's signed-in account when nothing else is configured. Defaults to `true`."),
];

/// AksnetProvider serves aksnet's resources and functions.
#[derive(Debug, Default, Clone)]
pub struct AksnetProvider {
    connection: Arc<Connection>,
}

impl AksnetProvider {
    /// Builds the provider; resources share its connection.
    pub fn new() -> Self {
        Self::default()
    }
}

fn env_first(vars: &[&str]) -> Option<String> {
    vars.iter()
        .filter(|v| !v.is_empty())
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
}

/// A provider setting that cannot be resolved. Names the attribute or variable and the file,
/// never a secret's value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
enum SettingsError {
    /// A boolean environment variable that is neither true nor false.
    #[error("{var} must be true or false, got \"{value}\"")]
    Flag {
        /// The variable, e.g. `ARM_USE_CLI`.
        var: &'static str,
        /// Its value (a boolean setting is no secret).
        value: String,
    },
    /// A `*_file_path` that cannot be read.
    #[error("reading {attribute} from {path}: {cause}")]
    File {
        /// The attribute, e.g. `client_secret_file_path`.
        attribute: &'static str,
        /// The path.
        path: String,
        /// The I/O error.
        cause: String,
    },
    /// `client_certificate` is not base64 (the value is not repeated).
    #[error("client_certificate is not valid base64 ({0}); encode the PFX file with `base64 -w0`")]
    CertificateBase64(base64::DecodeError),
    /// `client_certificate_path` cannot be read.
    #[error("reading client_certificate_path {path}: {cause}")]
    CertificateFile {
        /// The path.
        path: String,
        /// The I/O error.
        cause: String,
    },
}

impl UserError for SettingsError {
    fn summary(&self) -> &'static str {
        "Invalid Provider Configuration"
    }
}

fn env_bool(var: &'static str) -> Result<Option<bool>, SettingsError> {
    match std::env::var(var).ok().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(Some(true)),
            "0" | "false" => Ok(Some(false)),
            _ => Err(SettingsError::Flag { var, value: v }),
        },
    }
}

/// Resolves settings: config value, then environment variable, then default.
fn resolve_settings(cfg: &Config) -> Result<AuthSettings, SettingsError> {
    let get = |name: &str, v: &Str| -> Option<String> {
        v.as_ref_option().cloned().filter(|s| !s.is_empty()).or_else(|| {
            STRING_SETTINGS
                .iter()
                .find(|(n, ..)| *n == name)
                .and_then(|(_, vars, ..)| env_first(vars))
        })
    };
    let flag = |name: &str, v: &Flag| -> Result<bool, SettingsError> {
        if let Some(b) = v.as_ref_option() {
            return Ok(*b);
        }
        match BOOL_SETTINGS.iter().find(|(n, ..)| *n == name) {
            Some((_, var, default, _)) => Ok(env_bool(var)?.unwrap_or(*default)),
            None => Ok(false),
        }
    };
    let from_file = |value: Option<String>,
                     path: Option<String>,
                     attribute: &'static str|
     -> Result<Option<String>, SettingsError> {
        match (value, path) {
            (Some(v), _) => Ok(Some(v)),
            (None, Some(p)) => match std::fs::read_to_string(&p) {
                Ok(s) => Ok(Some(s.trim().to_string())),
                Err(e) => Err(SettingsError::File {
                    attribute,
                    path: p,
                    cause: e.to_string(),
                }),
            },
            (None, None) => Ok(None),
        }
    };
    Ok(AuthSettings {
        subscription_id: get("subscription_id", &cfg.subscription_id),
        tenant_id: get("tenant_id", &cfg.tenant_id),
        client_id: from_file(
            get("client_id", &cfg.client_id),
            get("client_id_file_path", &cfg.client_id_file_path),
            "client_id_file_path",
        )?,
        client_secret: from_file(
            get("client_secret", &cfg.client_secret),
            get("client_secret_file_path", &cfg.client_secret_file_path),
            "client_secret_file_path",
        )?,
        client_certificate: certificate(
            get("client_certificate", &cfg.client_certificate),
            get("client_certificate_path", &cfg.client_certificate_path),
        )?,
        client_certificate_password: get("client_certificate_password", &cfg.client_certificate_password),
        use_oidc: flag("use_oidc", &cfg.use_oidc)?,
        oidc_token: get("oidc_token", &cfg.oidc_token),
        oidc_token_file_path: get("oidc_token_file_path", &cfg.oidc_token_file_path),
        oidc_request_token: get("oidc_request_token", &cfg.oidc_request_token),
        oidc_request_url: get("oidc_request_url", &cfg.oidc_request_url),
        ado_pipeline_service_connection_id: get(
            "ado_pipeline_service_connection_id",
            &cfg.ado_pipeline_service_connection_id,
        ),
        use_aks_workload_identity: flag("use_aks_workload_identity", &cfg.use_aks_workload_identity)?,
        use_msi: flag("use_msi", &cfg.use_msi)?,
        msi_endpoint: get("msi_endpoint", &cfg.msi_endpoint),
        use_cli: flag("use_cli", &cfg.use_cli)?,
        environment: get("environment", &cfg.environment).unwrap_or_else(|| "public".into()),
        metadata_host: get("metadata_host", &cfg.metadata_host),
    })
}

/// The PFX bytes: base64 from `client_certificate`, else the file at `client_certificate_path`.
fn certificate(inline: Option<String>, path: Option<String>) -> Result<Option<Vec<u8>>, SettingsError> {
    use base64::Engine;
    match (inline, path) {
        (Some(b64), _) => base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map(Some)
            .map_err(SettingsError::CertificateBase64),
        (None, Some(p)) => match std::fs::read(&p) {
            Ok(pfx) => Ok(Some(pfx)),
            Err(e) => Err(SettingsError::CertificateFile {
                path: p,
                cause: e.to_string(),
            }),
        },
        (None, None) => Ok(None),
    }
}

fn provider_block() -> Block {
    let mut attributes = HashMap::new();
    for (name, vars, sensitive, text) in STRING_SETTINGS {
        let env = vars
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        let mut a = attribute(
            T::String,
            C::Optional,
            &format!("{text} This can also be sourced from the {env} Environment Variable."),
        );
        a.sensitive = sensitive;
        attributes.insert(name.to_string(), a);
    }
    for (name, var, _, text) in BOOL_SETTINGS {
        attributes.insert(
            name.to_string(),
            attribute(
                T::Bool,
                C::Optional,
                &format!("{text} This can also be sourced from the `{var}` Environment Variable."),
            ),
        );
    }
    Block {
        version: 1,
        attributes,
        blocks: HashMap::new(),
        description: Description::markdown(
            "The aksnet provider makes Azure Kubernetes Service networking declarative and safe: it checks address \
             plans, plugin combinations and capacity at plan time, before Azure sees them.",
        ),
        deprecated: false,
    }
}

/// I3: the subscription is a GUID; a name or path would reach ARM as a URL segment and fail
/// there as `ResourceGroupNotFound` (or worse, address another path). `from` is the
/// attribute or the environment variable it came from.
fn check_subscription(diags: &mut Diagnostics, sub: &str, from: &str) -> bool {
    if valid_subscription_id(sub) {
        return true;
    }
    let summary = "Invalid Subscription ID (I3)";
    let detail = format!(
        "{from} is not a subscription ID: {SUBSCRIPTION_RULE}. (the value is not repeated, as it may be sensitive). Copy it from `az account show --query id`.\n\nRule I3: https://registry.terraform.io/providers/aksnet/aksnet/latest/docs/guides/rules#i3"
    );
    if from == "subscription_id" {
        diags.error(summary, detail, AttributePath::new("subscription_id"));
    } else {
        diags.root_error(summary, detail);
    }
    false
}

#[async_trait]
impl Provider for AksnetProvider {
    type Config<'a> = Config;
    type MetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 1,
            block: provider_block(),
        })
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::Config<'a>) -> Option<()> {
        if let Value::Value(sub) = &config.subscription_id {
            check_subscription(diags, sub, "subscription_id");
        }
        if let Value::Value(env) = &config.environment {
            if !["public", "usgovernment", "china"].contains(&env.as_str()) {
                diags.error(
                    "Invalid Environment",
                    format!("environment is \"{env}\"; possible values are `public`, `usgovernment` and `china` (use `metadata_host` for other clouds)."),
                    AttributePath::new("environment"),
                );
            }
        }
        Some(())
    }

    async fn configure<'a>(
        &self,
        diags: &mut Diagnostics,
        _terraform_version: String,
        config: Self::Config<'a>,
    ) -> Option<()> {
        match resolve_settings(&config) {
            Ok(settings) => {
                // Validate saw the configured value only if it was known then; the variable
                // may also have come from the environment.
                if let Some(sub) = &settings.subscription_id {
                    let from = if config.subscription_id.is_value() {
                        "subscription_id"
                    } else {
                        "ARM_SUBSCRIPTION_ID"
                    };
                    if !check_subscription(diags, sub, from) {
                        return None;
                    }
                }
                self.connection.configure(settings).await;
                Some(())
            }
            Err(e) => {
                root_error(diags, &e);
                None
            }
        }
    }

    fn get_resources(&self, _diags: &mut Diagnostics) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        Some(map! {
            "pod_cidr_plan" => PodCidrPlan,
            "route_table" => RouteTable::new(self.connection.clone()),
            "cluster_network" => ClusterNetwork::new(self.connection.clone()),
            "node_pool" => NodePool::new(self.connection.clone())
        })
    }

    fn get_data_sources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicDataSource>>> {
        Some(map! {
            "subnet_usage" => SubnetUsage::new(self.connection.clone())
        })
    }

    fn get_functions(&self, _diags: &mut Diagnostics) -> Option<HashMap<String, Box<dyn DynamicFunction>>> {
        Some(functions::all())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::schema_guard;

    #[test]
    fn config_matches_schema_and_is_described() {
        let block = provider_block();
        schema_guard::assert_state_matches(&Config::default(), &block, "provider");
        schema_guard::assert_well_described(&block, "provider");
        assert!(block.attributes["client_secret"].sensitive);
        assert!(block.attributes["oidc_token"].sensitive);
        assert!(block.attributes["subscription_id"]
            .description
            .content
            .contains("`ARM_SUBSCRIPTION_ID` Environment Variable"));
    }

    #[test]
    fn config_wins_over_defaults_and_secret_files_are_read() {
        let dir = std::env::temp_dir().join(format!("aksnet-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let secret = dir.join("secret");
        std::fs::write(&secret, "from-file\n").unwrap();
        let cfg = Config {
            subscription_id: Value::Value("sub-from-config".into()),
            client_secret_file_path: Value::Value(secret.display().to_string()),
            use_cli: Value::Value(false),
            environment: Value::Value("china".into()),
            ..Default::default()
        };
        let s = resolve_settings(&cfg).unwrap();
        assert_eq!(s.subscription_id.as_deref(), Some("sub-from-config"));
        assert_eq!(s.client_secret.as_deref(), Some("from-file"));
        assert!(!s.use_cli);
        assert_eq!(s.environment, "china");
        let missing = Config {
            client_secret_file_path: Value::Value("/nonexistent/aksnet".into()),
            ..Default::default()
        };
        let err = resolve_settings(&missing).unwrap_err();
        assert!(
            matches!(&err, SettingsError::File { attribute: "client_secret_file_path", path, .. } if path == "/nonexistent/aksnet"),
            "{err}"
        );
        assert!(err.to_string().contains("/nonexistent/aksnet"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
