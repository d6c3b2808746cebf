//! Hand-written serde models for the networking subset aksnet touches. Every struct keeps
//! the fields it does not know in `extra`, so GET → modify → PUT never drops what the
//! server sent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A reference to another resource (`{"id": ...}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubResource {
    pub id: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Microsoft.Network/routeTables`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Map<String, Value>>,
    #[serde(default)]
    pub properties: RouteTableProperties,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Route table properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTableProperties {
    #[serde(default)]
    pub routes: Vec<Route>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_bgp_route_propagation: Option<bool>,
    /// Read-only: subnets associated with the table.
    #[serde(default, skip_serializing)]
    pub subnets: Vec<SubResource>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A route inside a route table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub name: String,
    #[serde(default)]
    pub properties: RouteProperties,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Route properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteProperties {
    #[serde(default)]
    pub address_prefix: String,
    #[serde(default)]
    pub next_hop_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_hop_ip_address: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Microsoft.Network/virtualNetworks/subnets`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub properties: SubnetProperties,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Subnet properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubnetProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table: Option<SubResource>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_round_trip() {
        let raw = json!({"id": "/x", "location": "westeurope", "etag": "W/\"1\"", "type": "Microsoft.Network/routeTables",
            "properties": {"routes": [{"name": "r", "id": "/x/routes/r", "properties": {"addressPrefix": "10.0.0.0/8", "nextHopType": "None", "hasBgpOverride": false}}],
            "resourceGuid": "g", "subnets": [{"id": "/s"}]}});
        let rt: RouteTable = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(rt.properties.subnets[0].id, "/s");
        let back = serde_json::to_value(&rt).unwrap();
        assert_eq!(back["etag"], raw["etag"]);
        assert_eq!(back["properties"]["resourceGuid"], "g");
        assert_eq!(
            back["properties"]["routes"][0]["properties"]["hasBgpOverride"],
            false
        );
        assert!(
            back["properties"].get("subnets").is_none(),
            "read-only subnets are not sent back"
        );
    }
}
