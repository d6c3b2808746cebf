//! Release artifacts: the Registry zip layout installs from a filesystem mirror and plans,
//! with no dev_overrides. The zip is built from the test's binary with the release packager.

use std::path::Path;
use std::process::Command;

use aksnet_acceptance::terraform::{pinned, with_provider, Workdir};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");

#[test]
fn release_zip_installs_from_a_filesystem_mirror_and_plans() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let version = env!("CARGO_PKG_VERSION");
    let tf = pinned().expect("terraform");
    let wd = Workdir::new(&tf, None).expect("workdir");
    let dist = wd.path().join("dist");
    let out = Command::new(root.join("scripts/package.sh"))
        .args([BIN, version, "linux_amd64", dist.to_str().unwrap()])
        .output()
        .expect("package.sh runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let zip = format!("terraform-provider-aksnet_{version}_linux_amd64.zip");
    let sums = std::fs::read_to_string(dist.join(format!("terraform-provider-aksnet_{version}_SHA256SUMS")))
        .unwrap();
    assert!(sums.contains(&zip) && sums.contains("_manifest.json"), "{sums}");
    let manifest =
        std::fs::read_to_string(dist.join(format!("terraform-provider-aksnet_{version}_manifest.json")))
            .unwrap();
    assert!(manifest.contains("\"6.0\""), "{manifest}");

    // Packed filesystem-mirror layout: HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip
    let mirror = wd.path().join("mirror/registry.terraform.io/aksnet/aksnet");
    std::fs::create_dir_all(&mirror).unwrap();
    std::fs::copy(dist.join(&zip), mirror.join(&zip)).unwrap();
    let rc = wd.path().join("dev.tfrc");
    std::fs::write(
        &rc,
        format!("provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"aksnet/aksnet\"]\n  }}\n}}\n", wd.path().join("mirror").display()),
    )
    .unwrap();
    let config = with_provider(
        "resource \"aksnet_pod_cidr_plan\" \"x\" {\n  network_plugin = \"kubenet\"\n  address_space  = [\"10.0.0.0/16\"]\n  node_pool {\n    name       = \"system\"\n    node_count = 3\n  }\n}\n",
    )
    .replace("source = \"aksnet/aksnet\"", &format!("source  = \"aksnet/aksnet\"\n      version = \"{version}\""));
    wd.write_config(&config).unwrap();
    let init = wd.run(&["init", "-no-color", "-input=false"]).expect("init runs");
    assert_eq!(
        init.code,
        0,
        "terraform init from the mirror failed:\n{}",
        init.text()
    );
    assert!(
        init.text()
            .contains(&format!("Installed aksnet/aksnet v{version}")),
        "{}",
        init.text()
    );
    let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
    assert_eq!(plan.code, 0, "{}", plan.text());
    assert!(
        plan.text().contains("node_subnet_cidr") && !plan.text().contains("development overrides"),
        "{}",
        plan.text()
    );
}
