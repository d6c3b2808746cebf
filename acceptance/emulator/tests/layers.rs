//! The emulator's modules point only downward: every `crate::` path in `src/` names a module
//! of a lower layer (issue 14: `arm` ↔ `aks` ↔ `network` and `store` → `aks` were a loop).

use std::collections::BTreeSet;
use std::path::Path;

/// Bottom first. A module may use modules of lower layers only, never its own layer or above.
const LAYERS: &[&[&str]] = &[
    &["ids", "tls", "options", "entra"],
    &["wire"],
    &["store"],
    &["network", "aks_checks", "agent_pools"],
    &["aks"],
    &["lro"],
    &["arm", "cli"],
    // The crate root (the HTTPS server and the items it re-exports) and the binary.
    &["lib", "main"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The modules `code` names through `crate::a::…` or `crate::{a, b::…}`; an item of the
/// crate root (`crate::Options`) counts as `lib`.
fn crate_refs(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let module_or_root = |name: String| {
        if modules.contains(&name) {
            name
        } else {
            "lib".to_string()
        }
    };
    let mut out = BTreeSet::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            let rest = &line[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or("");
                out.extend(
                    group
                        .split(',')
                        .map(|p| ident(p.trim()))
                        .filter(|n| !n.is_empty())
                        .map(module_or_root),
                );
            } else {
                out.insert(module_or_root(ident(rest)));
            }
        }
    }
    out
}

#[test]
fn modules_point_only_downward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&src)
        .expect("src/ is readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| {
            let stem = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            (stem, std::fs::read_to_string(&p).expect("source is readable"))
        })
        .collect();
    files.sort();
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let unplaced: Vec<&String> = modules.iter().filter(|m| layer(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "modules with no layer in LAYERS (place them): {unplaced:?}"
    );

    let mut edges = BTreeSet::new();
    let mut upward = Vec::new();
    for (module, code) in &files {
        for used in crate_refs(code, &modules) {
            if used == *module {
                continue;
            }
            let (from, to) = (layer(module).unwrap_or(0), layer(&used).unwrap_or(usize::MAX));
            if to >= from {
                upward.push(format!("{module} (layer {from}) uses {used} (layer {to})"));
            }
            edges.insert((module.clone(), used));
        }
    }
    assert!(
        upward.is_empty(),
        "imports that do not point downward:\n{}",
        upward.join("\n")
    );
    // The reading itself works: the edges the design rests on are seen.
    for (from, to) in [
        ("arm", "agent_pools"),
        ("arm", "lro"),
        ("lro", "aks"),
        ("aks", "network"),
        ("network", "store"),
    ] {
        assert!(
            edges.contains(&(from.to_string(), to.to_string())),
            "expected {from} → {to} in {edges:?}"
        );
    }
}

#[test]
fn reads_grouped_and_root_paths() {
    let modules: BTreeSet<String> = ["aks", "network", "lib"].iter().map(|s| s.to_string()).collect();
    let refs = crate_refs(
        "use crate::{aks, network::x, Options};\n// crate::nothing\nlet a = crate::aks::f();",
        &modules,
    );
    assert_eq!(
        refs,
        ["aks", "lib", "network"].iter().map(|s| s.to_string()).collect()
    );
}
