//! Rules on a route table's configuration: names (I2), location (I4), read-only and
//! enumerated attributes (I1, I6), subnet IDs (I3), routes (O7, O1) and the 400-route
//! budget (C2); and, before a destroy writes anything, what stands in the way of deleting
//! the table ([`delete_blockers`]).

use std::collections::HashMap;
use std::net::IpAddr;

use super::cidr;
use super::cluster::Input;
use super::{FieldPath, Finding, RuleId};

/// Azure's per-table route limit (C2, O7).
const MAX_ROUTES: usize = 400;

/// The next hop types Azure accepts (O7).
pub(crate) const NEXT_HOPS: [&str; 5] = [
    "VirtualNetworkGateway",
    "VnetLocal",
    "Internet",
    "VirtualAppliance",
    "None",
];

/// The parts of a route table configuration the rules read.
#[derive(Debug, Clone, Default)]
pub(crate) struct RouteTableSpec {
    pub name: Option<String>,
    pub resource_group_name: Option<String>,
    pub location: Option<String>,
    /// `preserve` | `remove`.
    pub foreign_routes: Option<String>,
    /// Computed attributes the configuration sets (I1).
    pub read_only_set: Vec<&'static str>,
    /// Why each subnet ID that is not a subnet ID fails to parse (I3; the ARM layer parses).
    pub bad_subnet_ids: Vec<String>,
    /// The known declared route blocks; unknown blocks count in the budget only. `route` is
    /// a set of blocks keyed by name: a block has no position, so findings name the route.
    pub routes: Vec<RouteSpec>,
    pub declared_routes: usize,
    pub reserved_route_count: Option<i64>,
    /// Routes in Azure this table does not declare (AKS's and others').
    pub foreign: usize,
}

/// One declared route.
#[derive(Debug, Clone, Default)]
pub(crate) struct RouteSpec {
    pub name: Option<String>,
    pub address_prefix: Option<String>,
    pub next_hop_type: Option<String>,
    pub next_hop_ip_address: Input<String>,
}

/// A service tag such as `AzureCloud` or `Storage.WestEurope`.
fn is_service_tag(p: &str) -> bool {
    let mut chars = p.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
}

/// Route and table names: 1–80, start alphanumeric, end alphanumeric or `_` (ARM naming rules).
pub(crate) use super::names::valid_network_name as valid_route_name;
/// Resource group names (ARM): 1–90 letters, digits, `_`, `(`, `)`, `-`, `.`, not ending in `.`.
pub(crate) use super::names::valid_resource_group;

type Out = Vec<Finding>;

/// Every route table rule.
pub(crate) fn validate_route_table(t: &RouteTableSpec) -> Vec<Finding> {
    let mut out = Vec::new();
    table_inputs(t, &mut out);
    let mut names = HashMap::new();
    let mut prefixes = HashMap::new();
    // With one `route` block Terraform can show a route attribute's line; with more, a path
    // without an index resolves to the resource block (see [`route`]).
    let single = t.declared_routes == 1;
    for r in &t.routes {
        route(r, single, &mut names, &mut prefixes, &mut out);
    }
    c2_budget(t, &mut out);
    out
}

/// I2, I4, I6, I1, I3.
fn table_inputs(t: &RouteTableSpec, out: &mut Out) {
    if let Some(n) = t.name.as_deref().filter(|n| !valid_route_name(n)) {
        out.push(Finding::error(RuleId::I2, FieldPath::attr("name"), "Invalid Route Table Name", format!("\"{n}\" must be 1–80 characters of letters, digits, `_`, `.` or `-`, start with a letter or digit and end with a letter, digit or `_`.")));
    }
    if let Some(rg) = t
        .resource_group_name
        .as_deref()
        .filter(|n| !valid_resource_group(n))
    {
        out.push(Finding::error(RuleId::I2, FieldPath::attr("resource_group_name"), "Invalid Resource Group Name", format!("\"{rg}\" must be 1–90 characters of letters, digits, `_`, `(`, `)`, `-` or `.`, and must not end with `.`.")));
    }
    if t.location.as_deref().is_some_and(|l| l.trim().is_empty()) {
        out.push(Finding::error(
            RuleId::I4,
            FieldPath::attr("location"),
            "Invalid Location",
            "location is empty; set an Azure region such as `westeurope`.",
        ));
    }
    if let Some(mode) = t
        .foreign_routes
        .as_deref()
        .filter(|m| !["preserve", "remove"].contains(m))
    {
        out.push(Finding::error(
            RuleId::I6,
            FieldPath::attr("foreign_routes"),
            "Invalid Foreign Routes Mode",
            format!("foreign_routes is \"{mode}\"; possible values are `preserve` and `remove`."),
        ));
    }
    for name in &t.read_only_set {
        out.push(Finding::error(
            RuleId::I1,
            FieldPath::attr(name),
            "Invalid Configuration for Read-Only Attribute",
            format!("`{name}` is computed and cannot be set."),
        ));
    }
    // A bad subnet ID would otherwise surface at apply, after the table was written.
    for why in &t.bad_subnet_ids {
        out.push(Finding::error(
            RuleId::I3,
            FieldPath::attr("subnet_ids"),
            "Invalid Subnet ID",
            format!("subnet_ids: {why}"),
        ));
    }
}

/// O7 (names, prefixes, next hops) and O1 (a default route to Internet breaks UDR egress).
///
/// `route` blocks are a set (order carries no meaning, identical blocks are one): a finding
/// names the route and points at `route.<attribute>` with no index: Terraform shows that
/// attribute's line when the configuration has one `route` block (`single`), and the resource
/// block otherwise. With several blocks a finding about a route's name points at `route`
/// itself, since `route.name` would resolve to the table's own `name`.
fn route(
    r: &RouteSpec,
    single: bool,
    names: &mut HashMap<String, String>,
    prefixes: &mut HashMap<String, String>,
    out: &mut Out,
) {
    let at = |attr: &'static str| FieldPath::attr("route").then(attr);
    let at_name = || {
        if single {
            at("name")
        } else {
            FieldPath::attr("route")
        }
    };
    let label = r
        .name
        .as_deref()
        .map_or_else(|| "a route".to_string(), |n| format!("route \"{n}\""));
    if let Some(n) = r.name.as_deref() {
        if !valid_route_name(n) {
            out.push(Finding::error(RuleId::O7, at_name(), "Invalid Route Name", format!("route name \"{n}\" must be 1–80 characters of letters, digits, `_`, `.` or `-`, starting with a letter or digit.")));
        }
        // AKS names the node routes it writes for kubenet `aks-…`, and import leaves such
        // routes to AKS (foreign, not owned). Azure itself accepts the prefix: Microsoft
        // Learn's egress how-to names its firewall routes `aks-egress-fwrn` and
        // `aks-egress-fwrn-internet` (limit-egress-traffic), so this is advice, not an error.
        if n.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aks-")) {
            out.push(Finding::warning(RuleId::O7, at_name(), "Route Name In AKS's Prefix", format!("route name \"{n}\" starts with `aks-`, the prefix AKS uses for the kubenet node routes it writes. Azure accepts it and this resource owns the route, but importing the table would take it for one of AKS's routes and leave it out of the configuration; a name without the prefix avoids that.")));
        }
        // Identical blocks are one element of the set; two blocks with one name and different
        // values are two elements, and Azure keeps one route per name.
        if let Some(first) = names.insert(n.to_ascii_lowercase(), n.to_string()) {
            let which = if first == n {
                format!("route \"{n}\" is declared in two `route` blocks with different values")
            } else {
                format!(
                    "routes \"{first}\" and \"{n}\" have one name (Azure compares route names without case)"
                )
            };
            out.push(Finding::error(RuleId::O7, FieldPath::attr("route"), "Duplicate Route Name", format!("{which}; route names are unique per table. Keep one `route` block named \"{n}\", or rename the other.")));
        }
    }
    if let Some(p) = r.address_prefix.as_deref() {
        if p.contains('/') || p.parse::<IpAddr>().is_ok() {
            if let Err(e) = cidr::parse_cidr(p) {
                out.push(Finding::error(
                    RuleId::O7,
                    at("address_prefix"),
                    "Invalid Address Prefix",
                    format!("{label}: {e}; address_prefix is a CIDR or a service tag such as `AzureCloud`."),
                ));
            }
        } else if !is_service_tag(p) {
            out.push(Finding::error(
                RuleId::O7,
                at("address_prefix"),
                "Invalid Address Prefix",
                format!("{label}: \"{p}\" is neither a CIDR nor a service tag."),
            ));
        }
        let this = r.name.clone().unwrap_or_default();
        if let Some(first) = prefixes.insert(p.to_ascii_lowercase(), this.clone()) {
            out.push(Finding::error(RuleId::O7, at("address_prefix"), "Duplicate Address Prefix", format!("address_prefix {p} is routed twice (routes \"{first}\" and \"{this}\"); Azure allows one route per prefix. Remove one of the routes.")));
        }
    }
    let hop = r.next_hop_type.as_deref();
    if let Some(h) = hop.filter(|h| !NEXT_HOPS.contains(h)) {
        out.push(Finding::error(RuleId::O7, at("next_hop_type"), "Invalid Next Hop Type", format!("{label}: \"{h}\" is not a next hop type. Possible values are `VirtualNetworkGateway`, `VnetLocal`, `Internet`, `VirtualAppliance` and `None`.")));
    }
    // The address check needs a valid hop type; an invalid one is reported above.
    match (hop.filter(|h| NEXT_HOPS.contains(h)), &r.next_hop_ip_address) {
        (Some("VirtualAppliance"), Input::Unset) => out.push(Finding::error(RuleId::O7, at("next_hop_ip_address"), "Missing Next Hop IP Address", format!("{label}: next_hop_type `VirtualAppliance` needs next_hop_ip_address (the appliance's private IP); Azure rejects it otherwise (MissingNextHopIpAddress)."))),
        (Some(h), Input::Set(ip)) if h != "VirtualAppliance" => out.push(Finding::error(RuleId::O7, at("next_hop_ip_address"), "Next Hop IP Address Not Allowed", format!("{label}: next_hop_ip_address {ip} is only allowed with next_hop_type `VirtualAppliance`, not `{h}`; remove it."))),
        (_, Input::Set(ip)) if ip.parse::<IpAddr>().is_err() => out.push(Finding::error(RuleId::O7, at("next_hop_ip_address"), "Invalid Next Hop IP Address", format!("{label}: \"{ip}\" is not an IP address."))),
        _ => {}
    }
    if r.address_prefix.as_deref() == Some("0.0.0.0/0") && hop == Some("Internet") {
        out.push(Finding::warning(RuleId::O1, at("next_hop_type"), "Default Route To Internet", format!("{label}: a 0.0.0.0/0 route to `Internet` is incompatible with AKS `userDefinedRouting` egress (AKS rejects it with RouteTableInvalidNextHop); route 0.0.0.0/0 to a `VirtualAppliance` or `VirtualNetworkGateway` for UDR clusters.")));
    }
}

/// C2: declared, kept foreign and reserved routes fit in one table.
fn c2_budget(t: &RouteTableSpec, out: &mut Out) {
    let reserved = t.reserved_route_count.unwrap_or(0);
    if reserved < 0 {
        out.push(Finding::error(
            RuleId::C2,
            FieldPath::attr("reserved_route_count"),
            "Invalid Reserved Route Count",
            format!("reserved_route_count is {reserved}; it must be 0 or more."),
        ));
    }
    let declared = t.declared_routes;
    let keep_foreign = if t.foreign_routes.as_deref() == Some("remove") {
        0
    } else {
        t.foreign
    };
    let total = declared + keep_foreign + reserved.max(0) as usize;
    if total > MAX_ROUTES {
        out.push(Finding::error(
            RuleId::C2,
            FieldPath::attr("reserved_route_count"),
            "Route Table Limit",
            format!("{declared} declared + {keep_foreign} foreign + {reserved} reserved routes = {total}; an Azure route table holds at most 400 routes. Remove routes, set foreign_routes = \"remove\", or lower reserved_route_count (kubenet needs one route per node: consider Azure CNI Overlay)."),
        ));
    }
}

/// A route table as Azure has it just before a destroy, and what the resource owns of it.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeleteCheck {
    /// The table's ARM ID, for the message.
    pub table: String,
    /// Names of the routes in the table.
    pub routes: Vec<String>,
    /// IDs of the subnets associated with the table.
    pub subnets: Vec<String>,
    /// Route names the resource declares (owns).
    pub owned_routes: Vec<String>,
    /// Subnet IDs the resource associated (`subnet_ids`).
    pub owned_subnets: Vec<String>,
    /// `foreign_routes = "remove"`: routes the resource does not own may go with the table.
    pub remove_foreign_routes: bool,
}

/// Every reason a destroy cannot finish, found before its first write so that a refused
/// destroy changes nothing. `Ok` holds the subnets to dissociate (the resource's own
/// associations that are still in place) before the table is deleted; `Err` says what
/// blocks the delete and the fix that works for each blocker.
///
/// Foreign routes (AKS's `aks-*` routes) block unless `foreign_routes = "remove"` opts in
/// to deleting them. Subnets associated elsewhere always block: Azure refuses to delete a
/// table a subnet still uses (`InUseRouteTableCannotBeDeleted`), and dissociating a subnet
/// this resource did not associate would change routing it does not own. Declaring such a
/// subnet in `subnet_ids` is the explicit way to let this resource take it over.
pub(crate) fn delete_blockers(c: &DeleteCheck) -> Result<Vec<String>, DeleteBlocked> {
    let lower = |v: &[String]| -> Vec<String> { v.iter().map(|x| x.to_ascii_lowercase()).collect() };
    let (owned_routes, owned_subnets) = (lower(&c.owned_routes), lower(&c.owned_subnets));
    let foreign_routes: Vec<&str> = c
        .routes
        .iter()
        .filter(|r| !c.remove_foreign_routes && !owned_routes.contains(&r.to_ascii_lowercase()))
        .map(String::as_str)
        .collect();
    let (mine, foreign_subnets): (Vec<&String>, Vec<&String>) = c
        .subnets
        .iter()
        .partition(|s| owned_subnets.contains(&s.to_ascii_lowercase()));
    if foreign_routes.is_empty() && foreign_subnets.is_empty() {
        return Ok(mine.into_iter().cloned().collect());
    }
    Err(DeleteBlocked {
        table: c.table.clone(),
        foreign_routes: foreign_routes.into_iter().map(str::to_string).collect(),
        foreign_subnets: foreign_subnets.into_iter().cloned().collect(),
    })
}

/// What stands in the way of deleting a route table ([`delete_blockers`]); its text is the
/// diagnostic's detail, with the fix for each blocker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeleteBlocked {
    /// The table's ARM ID.
    pub table: String,
    /// Routes the resource does not own and may not remove (`foreign_routes` is not `remove`).
    pub foreign_routes: Vec<String>,
    /// Subnets associated with the table outside this resource.
    pub foreign_subnets: Vec<String>,
}

impl std::fmt::Display for DeleteBlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cannot be deleted yet; nothing was changed (no subnet dissociated, no route removed).",
            self.table
        )?;
        if !self.foreign_routes.is_empty() {
            write!(
                f,
                "\n- It holds {} route(s) this resource does not own ({}). AKS writes `aks-*` routes for a kubenet cluster whose nodes route through this table; deleting them breaks that cluster's pod traffic. Delete or migrate the cluster first (AKS then removes its routes), or set foreign_routes = \"remove\" and apply to delete them with the table.",
                self.foreign_routes.len(),
                self.foreign_routes.join(", ")
            )?;
        }
        if !self.foreign_subnets.is_empty() {
            write!(
                f,
                "\n- Subnet(s) associated with it outside this resource: {}. Azure refuses to delete a route table a subnet still uses (InUseRouteTableCannotBeDeleted), and aksnet does not dissociate subnets it did not associate. Dissociate them where they were associated (for example remove the azurerm_subnet_route_table_association), or add them to subnet_ids and apply so that this resource owns the association and removes it on destroy. foreign_routes does not apply to subnets.",
                self.foreign_subnets.join(", ")
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for DeleteBlocked {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_delete_blocker_is_named_with_its_fix() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let mut c = DeleteCheck {
            table: "/rt".into(),
            routes: s(&["default", "aks-node-0"]),
            subnets: s(&["/vnet/subnets/Nodes", "/vnet/subnets/other"]),
            owned_routes: s(&["DEFAULT"]),
            owned_subnets: s(&["/vnet/subnets/nodes"]),
            remove_foreign_routes: false,
        };
        let why = delete_blockers(&c).unwrap_err().to_string();
        assert!(why.contains("nothing was changed"), "{why}");
        assert!(
            why.contains("1 route(s) this resource does not own (aks-node-0)"),
            "{why}"
        );
        assert!(why.contains("foreign_routes = \"remove\""), "{why}");
        assert!(
            why.contains("outside this resource: /vnet/subnets/other."),
            "{why}"
        );
        assert!(why.contains("add them to subnet_ids"), "{why}");
        assert!(
            !why.contains("/vnet/subnets/Nodes"),
            "own subnets are no blocker: {why}"
        );
        // The route opt-in removes the route blocker only: a foreign association still blocks.
        c.remove_foreign_routes = true;
        let why = delete_blockers(&c).unwrap_err().to_string();
        assert!(
            !why.contains("aks-node-0") && why.contains("/vnet/subnets/other"),
            "{why}"
        );
        c.subnets.pop();
        assert_eq!(delete_blockers(&c), Ok(s(&["/vnet/subnets/Nodes"])));
        c.remove_foreign_routes = false;
        c.routes.pop();
        assert_eq!(delete_blockers(&c), Ok(s(&["/vnet/subnets/Nodes"])));
        c.subnets.clear();
        assert_eq!(delete_blockers(&c), Ok(vec![]));
    }

    fn route(name: &str, prefix: &str, hop: &str, ip: Option<&str>) -> RouteSpec {
        RouteSpec {
            name: Some(name.into()),
            address_prefix: Some(prefix.into()),
            next_hop_type: Some(hop.into()),
            next_hop_ip_address: ip.map_or(Input::Unset, |ip| Input::Set(ip.into())),
        }
    }

    fn table(routes: Vec<RouteSpec>) -> RouteTableSpec {
        RouteTableSpec {
            name: Some("rt".into()),
            resource_group_name: Some("rg".into()),
            location: Some("westeurope".into()),
            declared_routes: routes.len(),
            routes,
            ..Default::default()
        }
    }

    fn errors(t: &RouteTableSpec) -> Vec<String> {
        validate_route_table(t)
            .iter()
            .filter(|f| f.is_error())
            .map(|f| format!("{} ({}): {} @ {}", f.summary, f.rule, f.detail, f.path))
            .collect()
    }

    #[test]
    fn next_hop_ip_pairs_with_virtual_appliance_only() {
        assert!(errors(&table(vec![route(
            "fw",
            "0.0.0.0/0",
            "VirtualAppliance",
            Some("10.0.0.4")
        )]))
        .is_empty());
        let e = errors(&table(vec![route("fw", "0.0.0.0/0", "VirtualAppliance", None)]));
        assert!(
            e[0].contains("Missing Next Hop IP Address") && e[0].contains("next_hop_ip_address"),
            "{e:?}"
        );
        let e = errors(&table(vec![route(
            "net",
            "0.0.0.0/0",
            "Internet",
            Some("10.0.0.4"),
        )]));
        assert!(e[0].contains("only allowed"), "{e:?}");
        let mut unknown = route("fw", "0.0.0.0/0", "VirtualAppliance", None);
        unknown.next_hop_ip_address = Input::Unknown;
        assert!(
            errors(&table(vec![unknown])).is_empty(),
            "an address known after apply is not missing"
        );
    }

    #[test]
    fn names_and_prefixes_are_unique_and_valid() {
        let e = errors(&table(vec![
            route("a", "10.0.0.0/8", "None", None),
            route("A", "10.1.0.0/16", "None", None),
        ]));
        assert!(e.iter().any(|x| x.contains("Duplicate Route Name (O7)")), "{e:?}");
        let e = errors(&table(vec![
            route("a", "10.0.0.0/8", "None", None),
            route("b", "10.0.0.0/8", "None", None),
        ]));
        assert!(e.iter().any(|x| x.contains("Duplicate Address Prefix")), "{e:?}");
        let e = errors(&table(vec![route("-bad", "10.0.0.1/8", "Nowhere", None)]));
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(errors(&table(vec![route(
            "storage",
            "Storage.WestEurope",
            "Internet",
            None
        )]))
        .is_empty());
    }

    #[test]
    fn group_location_and_ids_are_checked() {
        let mut t = table(vec![route(
            "fw",
            "0.0.0.0/0",
            "virtualappliance",
            Some("10.0.0.4"),
        )]);
        t.resource_group_name = Some("rg.".into());
        t.location = Some(" ".into());
        t.bad_subnet_ids = vec!["parsing Subnet ID \"nodes\"".into()];
        let e = errors(&t);
        assert_eq!(e.len(), 4, "an invalid hop type is one error, not two: {e:?}");
        for want in [
            "Invalid Next Hop Type (O7)",
            "Invalid Resource Group Name (I2)",
            "Invalid Location (I4)",
            "Invalid Subnet ID (I3): subnet_ids: parsing Subnet ID \"nodes\"",
        ] {
            assert!(e.iter().any(|x| x.starts_with(want)), "{want}: {e:?}");
        }
        assert!(valid_resource_group("acctest-(fixtures)_1.x"));
        assert!(valid_resource_group("rg-ünïcode"));
        assert!(!valid_resource_group(&"r".repeat(91)));
        assert!(!valid_resource_group("rg/x"));
        assert!(!valid_resource_group(""));
    }

    #[test]
    fn the_aks_route_prefix_is_a_warning_not_an_error() {
        // Microsoft Learn, limit-egress-traffic: FW_ROUTE_NAME_1 `aks-egress-fwrn` (0.0.0.0/0 to
        // the firewall), FW_ROUTE_NAME_2 `aks-egress-fwrn-internet`: Azure accepts the prefix.
        let t = table(vec![
            route(
                "aks-egress-fwrn",
                "0.0.0.0/0",
                "VirtualAppliance",
                Some("10.42.2.4"),
            ),
            route("AKS-egress-fwrn-internet", "20.0.0.4/32", "Internet", None),
        ]);
        assert!(errors(&t).is_empty(), "{:?}", errors(&t));
        let f = validate_route_table(&t);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f.iter()
                .all(|x| !x.is_error() && x.rule == RuleId::O7 && x.summary == "Route Name In AKS's Prefix"),
            "{f:?}"
        );
        assert!(
            validate_route_table(&table(vec![route("aksroute", "10.244.0.0/24", "None", None)])).is_empty()
        );
    }

    #[test]
    fn route_budget_counts_declared_foreign_and_reserved() {
        let mut t = table(vec![route("a", "10.0.0.0/8", "None", None)]);
        t.reserved_route_count = Some(300);
        t.foreign = 99;
        assert!(errors(&t).is_empty());
        t.foreign = 100;
        let e = errors(&t);
        assert!(
            e[0].contains("1 declared + 100 foreign + 300 reserved routes = 401"),
            "{e:?}"
        );
        t.foreign_routes = Some("remove".into());
        assert!(errors(&t).is_empty());
    }

    #[test]
    fn a_default_route_to_internet_is_a_warning() {
        let f = validate_route_table(&table(vec![route("out", "0.0.0.0/0", "Internet", None)]));
        assert_eq!(f.len(), 1);
        assert!(!f[0].is_error() && f[0].rule == RuleId::O1, "{f:?}");
    }
}
