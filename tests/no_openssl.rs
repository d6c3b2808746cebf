//! Issue 18: the provider binary must not link the system OpenSSL, whose soname differs
//! between distributions. Reads the ELF dynamic section's DT_NEEDED entries with `readelf`.

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");

#[test]
fn provider_binary_links_no_openssl() {
    let out = std::process::Command::new("readelf")
        .args(["-d", BIN])
        .output()
        .expect("readelf runs (binutils)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dynamic = String::from_utf8_lossy(&out.stdout);
    let needed: Vec<&str> = dynamic
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split('[').nth(1)?.split(']').next())
        .collect();
    assert!(!needed.is_empty(), "no DT_NEEDED entries found:\n{dynamic}");
    let openssl: Vec<&&str> = needed
        .iter()
        .filter(|n| n.starts_with("libssl") || n.starts_with("libcrypto"))
        .collect();
    assert!(
        openssl.is_empty(),
        "the provider links OpenSSL: {openssl:?} (all: {needed:?})"
    );
}
