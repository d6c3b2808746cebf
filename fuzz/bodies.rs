//! The fuzz targets' bodies, shared by `cargo fuzz` (fuzz_targets/) and the corpus replay
//! and bounded random run in `make test` (tests/fuzz_corpus.rs). Each must never panic on
//! any input; the assertions are properties that hold for every input.

use aksnet::arm::error::ArmError;
use aksnet::arm::ids::{Kind, ResourceId};
use aksnet::arm::models::{ManagedCluster, RouteTable, VirtualNetwork};
use aksnet::functions::network_profile_errors::profile_from_json;
use aksnet::netplan::cidr;
use aksnet::netplan::planner::{plan, PlanRequest};
use aksnet::netplan::rules::validate_profile;

const KINDS: [Kind; 6] = [
    Kind::ResourceGroup,
    Kind::VirtualNetwork,
    Kind::Subnet,
    Kind::RouteTable,
    Kind::Route,
    Kind::ManagedCluster,
];

/// ARM ID and CIDR/IP parsing: parsed IDs re-parse to themselves; CIDRs overlap themselves.
pub fn ids(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    for kind in KINDS {
        if let Ok(id) = ResourceId::parse(kind, s) {
            let again = ResourceId::parse(kind, &id.path()).expect("a parsed ID re-parses");
            assert_eq!(again.path(), id.path(), "ID round trip");
        }
    }
    if let Ok(net) = cidr::parse_cidr(s) {
        assert!(cidr::overlaps(&net, &net));
        assert!(cidr::usable_subnet_ips(&net) <= cidr::size(&net));
    }
    let _ = cidr::parse_ip(s);
}

/// netplan: any JSON profile (the `network_profile_errors` function's input) is validated
/// and planned without panicking, and validation is deterministic.
pub fn netplan(data: &[u8]) {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(profile) = profile_from_json(&json) else {
        return;
    };
    assert_eq!(
        validate_profile(&profile),
        validate_profile(&profile),
        "deterministic"
    );
    let _ = plan(&PlanRequest {
        profile,
        ..Default::default()
    });
}

/// ARM responses: bodies and error bodies decode or fail cleanly; errors always carry a code.
pub fn arm_response(data: &[u8]) {
    let _ = serde_json::from_slice::<ManagedCluster>(data);
    let _ = serde_json::from_slice::<RouteTable>(data);
    let _ = serde_json::from_slice::<VirtualNetwork>(data);
    for status in [400, 404, 409, 429, 500] {
        let e = ArmError::from_body(status, data, Some("req".into()));
        assert_eq!(e.status, status);
        let _ = e.to_string();
    }
}
