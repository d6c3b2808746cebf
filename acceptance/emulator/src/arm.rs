//! Resource manager's request handling, the top of the emulator's layers (only the HTTPS
//! server in `lib.rs` sits above): auth, api-versions, faults, resource groups, PUT/GET/DELETE
//! with ETags and preconditions, routed to the resource kinds (`network`, `aks`,
//! `agent_pools`) and to long-running operations (`lro`).

use std::time::Instant;

use serde_json::{json, Map, Value};

use crate::ids::{api_version_for, key, Target};
use crate::lro::{busy_reply, lock_key, op_url, operation, start_op};
use crate::options::Options;
use crate::store::{child_array_name, split_child, Fault, OpKind, Store, Stored};
use crate::wire::{
    aks_etag, aks_throttled, arm_throttled, etag, etag_field, etag_for, etag_of, flat_sub, header_of, is_aks,
    wrapped, Reply,
};
use crate::{agent_pools, aks, lro, network};

/// A resource-manager request, already read.
pub(crate) struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub api_version: Option<&'a str>,
    pub authorization: Option<&'a str>,
    pub if_match: Option<&'a str>,
    pub if_none_match: Option<&'a str>,
    pub body: &'a [u8],
}

/// `None` means: drop the connection.
pub(crate) fn handle(store: &mut Store, opts: &Options, base: &str, req: &Request) -> Option<Reply> {
    let now = Instant::now();
    match req.method {
        "GET" => store.counters.reads += 1,
        _ => {
            store.counters.writes += 1;
            store
                .counters
                .write_log
                .push(format!("{} {}", req.method, req.path));
        }
    }
    if store.down {
        return None;
    }
    let mut outage = false;
    if let Some(f) = store.take_fault(req.method, req.path, false) {
        if !f.outage {
            return fault_reply(&f, req);
        }
        outage = true;
    }
    let reply = answer(store, opts, base, req, now);
    if outage {
        store.down = true;
    }
    reply
}

/// The answer to a request that no fault intercepted.
fn answer(store: &mut Store, opts: &Options, base: &str, req: &Request, now: Instant) -> Option<Reply> {
    if let (Some(limit), true) = (opts.writes_per_second, req.method != "GET") {
        // A one-second sliding window, like ARM's per-subscription write buckets.
        while store
            .recent_writes
            .front()
            .is_some_and(|t| now.duration_since(*t).as_millis() >= 1000)
        {
            store.recent_writes.pop_front();
        }
        if store.recent_writes.len() >= limit as usize {
            store.counters.throttled += 1;
            return Some(arm_throttled(req.path, req.method, 1));
        }
        store.recent_writes.push_back(now);
    }
    let token_ok = req
        .authorization
        .and_then(|h| h.strip_prefix("Bearer "))
        .is_some_and(|t| store.token_valid(t.trim()));
    if !token_ok {
        let why = if req.authorization.is_none() {
            "Authentication failed. The 'Authorization' header is missing."
        } else {
            "Authentication failed. The access token is not valid."
        };
        return Some(wrapped(401, if req.authorization.is_none() { "AuthenticationFailed" } else { "InvalidAuthenticationToken" }, why).header("WWW-Authenticate", "Bearer authorization_uri=\"https://login.microsoftonline.com/common\", error=\"invalid_token\""));
    }
    if let Some(sub) = resource_group_list(req.path).filter(|_| req.method == "GET") {
        return Some(list_groups(store, &sub, req.api_version));
    }
    // VirtualNetworks_ListUsage: the VNet's path plus `/usages` (a path no resource has: a
    // child named `usages` comes after its type segment and parses as a resource).
    let usages = req.method == "GET"
        && Target::parse(req.path).is_none()
        && req
            .path
            .rsplit_once('/')
            .is_some_and(|(_, last)| last.eq_ignore_ascii_case("usages"));
    let path = if usages {
        req.path.rsplit_once('/').map_or(req.path, |(vnet, _)| vnet)
    } else {
        req.path
    };
    let Some(target) = Target::parse(path) else {
        return Some(wrapped(
            400,
            "InvalidRequestUri",
            &format!("The request uri '{}' is not valid.", req.path),
        ));
    };
    let served = api_version_for(target.namespace());
    match (served, req.api_version) {
        (Some(v), Some(asked)) if v == asked => {}
        (Some(v), asked) => {
            return Some(wrapped(
                400,
                "NoRegisteredProviderFound",
                &format!(
                    "No registered resource provider found for location 'westeurope' and API version '{}' for type '{}'. The supported api-versions are '{v}'.",
                    asked.unwrap_or(""),
                    target.type_name().rsplit('/').next().unwrap_or("")
                ),
            ))
        }
        (None, _) => return Some(wrapped(404, "InvalidResourceNamespace", &format!("The resource namespace '{}' is invalid.", target.namespace()))),
    }
    lro::settle(store, now);
    if usages {
        let is_vnet = target
            .type_name()
            .eq_ignore_ascii_case("Microsoft.Network/virtualNetworks");
        return Some(match (is_vnet, lookup(store, &target)) {
            (true, Some(vnet)) => network::list_usage(&vnet),
            (true, None) => not_found(&target),
            (false, _) => wrapped(
                400,
                "InvalidRequestUri",
                &format!("The request uri '{}' is not valid.", req.path),
            ),
        });
    }
    let reply = match (&target, req.method) {
        (Target::Operation { id, result, .. }, "GET") => {
            store.counters.polls += 1;
            store.counters.reads -= 1;
            operation(store, id, *result, now)
        }
        (Target::ResourceGroup { .. }, "PUT") => put_group(store, &target, req),
        (t, "PUT") if agent_pools::is_agent_pool(t) => {
            put_agent_pool(store, opts, base, t, req, now).unwrap_or_else(|r| r)
        }
        (t, "GET") if agent_pools::is_agent_pool(t) => get_agent_pool(store, t),
        (t, "DELETE") if agent_pools::is_agent_pool(t) => {
            delete_agent_pool(store, opts, base, t, req, now).unwrap_or_else(|r| r)
        }
        (Target::Resource { .. }, "PUT") => put_resource(store, opts, base, &target, req, now),
        (_, "GET") => get(store, &target),
        (_, "DELETE") => delete(store, opts, base, &target, req, now),
        (_, "PATCH") => wrapped(
            405,
            "MethodNotAllowed",
            "PATCH is not supported by aksnet-emulator; use PUT.",
        ),
        _ => wrapped(405, "MethodNotAllowed", "The requested method is not allowed."),
    };
    Some(reply)
}

/// True for a path into Microsoft.ContainerService.
fn aks_path(path: &str) -> bool {
    path.to_ascii_lowercase()
        .contains("/providers/microsoft.containerservice/")
}

fn fault_reply(f: &Fault, req: &Request) -> Option<Reply> {
    if f.drop {
        return None;
    }
    if f.hang {
        let mut r = Reply::empty(200);
        r.hang = true;
        return Some(r);
    }
    if let Some(raw) = &f.body {
        let mut r = Reply::empty(if f.status == 0 { 200 } else { f.status });
        r.raw = Some(raw.clone());
        if let Some(s) = f.retry_after {
            r = r.header("Retry-After", s.to_string());
        }
        return Some(r);
    }
    let status = if f.status == 0 { 500 } else { f.status };
    // Who answers: Resource Manager itself (the default, ARM's wrapped body) or the resource
    // provider (`source: "rp"`: for AKS its flat body with `subcode`). A 429 without a code
    // gets the real throttling answer of that layer.
    let rp_aks = f.source.eq_ignore_ascii_case("rp") && aks_path(req.path);
    if status == 429 && f.code.is_empty() && f.body.is_none() {
        let secs = f.retry_after.unwrap_or(1);
        return Some(if rp_aks {
            aks_throttled(req.path, req.method, secs)
        } else {
            arm_throttled(req.path, req.method, secs)
        });
    }
    let code = if f.code.is_empty() {
        "InternalServerError"
    } else {
        &f.code
    };
    if rp_aks {
        let message = if f.message.is_empty() {
            "Injected by aksnet-emulator."
        } else {
            &f.message
        };
        let mut r = flat_sub(status, code, &f.subcode, message, "");
        if let Some(s) = f.retry_after {
            r = r.header("Retry-After", s.to_string());
        }
        return Some(r);
    }
    let message = if f.message.is_empty() {
        "Injected by aksnet-emulator."
    } else {
        &f.message
    };
    let mut r = wrapped(status, code, message);
    if let Some(s) = f.retry_after {
        r = r.header("Retry-After", s.to_string());
    }
    Some(r)
}

fn not_found(target: &Target) -> Reply {
    let ty = target.type_name();
    match target {
        Target::ResourceGroup { rg, .. } => wrapped(404, "ResourceGroupNotFound", &format!("Resource group '{rg}' could not be found.")),
        Target::Resource { rg, .. } => wrapped(404, "ResourceNotFound", &format!("The Resource '{ty}/{}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", target.name())),
        Target::Operation { .. } => wrapped(404, "NotFound", "The operation was not found."),
    }
}

fn parse_body(req: &Request) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(req.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(wrapped(
            400,
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: expected a JSON object.",
        )),
        Err(e) => Err(wrapped(
            400,
            "InvalidRequestContent",
            &format!("The request content was invalid and could not be deserialized: {e}"),
        )),
    }
}

/// `/subscriptions/{sub}/resourcegroups` (any casing): the subscription.
fn resource_group_list(path: &str) -> Option<String> {
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    (seg.len() == 3
        && seg[0].eq_ignore_ascii_case("subscriptions")
        && !seg[1].is_empty()
        && seg[2].eq_ignore_ascii_case("resourceGroups"))
    .then(|| seg[1].to_string())
}

/// `ResourceGroups_List`: every group of the subscription (ARM's `nextLink` paging is never needed).
fn list_groups(store: &mut Store, sub: &str, api_version: Option<&str>) -> Reply {
    let served = api_version_for("Microsoft.Resources").unwrap_or("");
    if api_version != Some(served) {
        return wrapped(
            400,
            "NoRegisteredProviderFound",
            &format!(
                "No registered resource provider found for location 'westeurope' and API version '{}' for type 'resourceGroups'. The supported api-versions are '{served}'.",
                api_version.unwrap_or("")
            ),
        );
    }
    lro::settle(store, Instant::now());
    let prefix = format!("{}/resourcegroups/", key(&format!("/subscriptions/{sub}")));
    let groups: Vec<Value> = store
        .resources
        .iter()
        .filter(|(k, _)| k.strip_prefix(&prefix).is_some_and(|rest| !rest.contains('/')))
        .map(|(_, s)| s.body.clone())
        .collect();
    Reply::json(200, json!({"value": groups}))
}

/// True while a DELETE of the group is running (ARM refuses writes into it with 409).
fn group_being_deleted(store: &Store, target: &Target) -> Option<Reply> {
    let (sub, rg) = match target {
        Target::ResourceGroup { sub, rg } | Target::Resource { sub, rg, .. } => (sub, rg),
        Target::Operation { .. } => return None,
    };
    let group = Target::ResourceGroup {
        sub: sub.clone(),
        rg: rg.clone(),
    };
    let state = store
        .resources
        .get(&key(&group.id()))?
        .body
        .pointer("/properties/provisioningState")
        .and_then(Value::as_str)?;
    (state == "Deleting").then(|| {
        wrapped(
            409,
            "ResourceGroupBeingDeleted",
            &format!(
                "The resource group '{rg}' is in deprovisioning state and cannot perform this operation."
            ),
        )
    })
}

fn put_group(store: &mut Store, target: &Target, req: &Request) -> Reply {
    if let Some(r) = group_being_deleted(store, target) {
        return r;
    }
    let body = match parse_body(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(location) = body.get("location").and_then(Value::as_str) else {
        return wrapped(
            400,
            "LocationRequired",
            "The location property is required for this definition.",
        );
    };
    let k = key(&target.id());
    let existed = store.resources.contains_key(&k);
    let out = json!({
        "id": target.id(), "name": target.name(), "type": "Microsoft.Resources/resourceGroups",
        "location": location, "tags": body.get("tags").cloned().unwrap_or(json!({})),
        "properties": {"provisioningState": "Succeeded"}
    });
    store.resources.insert(
        k,
        Stored {
            id: target.id(),
            body: out.clone(),
        },
    );
    store.save();
    Reply::json(if existed { 200 } else { 201 }, out)
}

/// The stored body of a target (for children: the element in the parent), rendered.
fn lookup(store: &Store, target: &Target) -> Option<Value> {
    store.body(&key(&target.id())).map(|b| render(store, b))
}

/// Fills computed back-references (route table → associated subnets).
fn render(store: &Store, body: &Value) -> Value {
    let mut out = body.clone();
    if network::is_route_table(&out) {
        let id = out.get("id").and_then(Value::as_str).unwrap_or("").to_string();
        let subnets = network::subnets_using_route_table(store, &id);
        if let Some(props) = out.get_mut("properties").and_then(Value::as_object_mut) {
            if subnets.is_empty() {
                props.remove("subnets");
            } else {
                props.insert(
                    "subnets".into(),
                    Value::Array(subnets.into_iter().map(|s| json!({"id": s})).collect()),
                );
            }
        }
    }
    out
}

fn get(store: &Store, target: &Target) -> Reply {
    match lookup(store, target) {
        Some(body) => {
            let tag = etag_of(&body);
            let r = Reply::json(200, body);
            match tag {
                Some(t) => r.header("ETag", t),
                None => r,
            }
        }
        None => not_found(target),
    }
}

fn precondition(existing: Option<&Value>, req: &Request) -> Result<(), Reply> {
    let current = existing.and_then(etag_of);
    let current = current.as_deref();
    let fail = |m: &str| Err(wrapped(412, "PreconditionFailed", m));
    if let Some(want) = req.if_match {
        match current {
            None => return fail("The resource does not exist, so If-Match cannot match."),
            Some(_) if want.trim() == "*" => {}
            Some(cur) if cur == want.trim() => {}
            Some(_) => return fail("The condition specified using HTTP conditional header(s) is not met: the ETag does not match."),
        }
    }
    if req.if_none_match.map(str::trim) == Some("*") && existing.is_some() {
        return fail("The resource already exists and If-None-Match is '*'.");
    }
    Ok(())
}

fn put_resource(
    store: &mut Store,
    opts: &Options,
    base: &str,
    target: &Target,
    req: &Request,
    now: Instant,
) -> Reply {
    let Some(parent) = target.parent() else {
        return not_found(target);
    };
    if lookup(store, &parent).is_none() {
        return match parent {
            Target::ResourceGroup { rg, .. } => wrapped(
                404,
                "ResourceGroupNotFound",
                &format!("Resource group '{rg}' could not be found."),
            ),
            _ => wrapped(
                404,
                "ParentResourceNotFound",
                &format!(
                    "Can not perform requested operation on nested resource. Parent resource '{}' not found.",
                    parent.name()
                ),
            ),
        };
    }
    if let Some(r) = group_being_deleted(store, target) {
        return r;
    }
    let ns = target.namespace().to_string();
    if let Some((op_id, _)) = store.busy(&lock_key(target)) {
        return busy_reply(target, base, &op_id.clone(), &ns);
    }
    let existing = lookup(store, target);
    if let Err(r) = precondition(existing.as_ref(), req) {
        return r;
    }
    let body = match parse_body(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let prepared = if is_aks(target) {
        aks::prepare(store, target, body, existing.as_ref())
    } else {
        network::prepare(store, target, body, existing.as_ref()).map(|b| (b, None))
    };
    let (mut out, lro_failure) = match prepared {
        Ok(v) => v,
        Err(r) => return r,
    };
    let tag = etag_for(target);
    // ARM keeps the casing a resource was created with, however a later request spells it.
    let kept = |field: &str, fallback: String| {
        existing
            .as_ref()
            .and_then(|e| e.get(field))
            .and_then(Value::as_str)
            .map_or(fallback, str::to_string)
    };
    out.insert("id".into(), Value::from(kept("id", target.id())));
    out.insert("name".into(), Value::from(kept("name", target.name())));
    out.insert("type".into(), Value::from(target.type_name()));
    out.insert(etag_field(target).into(), Value::from(tag.clone()));
    let props = out.entry("properties").or_insert_with(|| json!({}));
    if let Some(p) = props.as_object_mut() {
        let state = if is_aks(target) {
            if existing.is_some() {
                "Updating"
            } else {
                "Creating"
            }
        } else {
            "Updating"
        };
        p.insert("provisioningState".into(), Value::from(state));
        // A cluster-level operation gives every agent pool a new eTag too (use-etags: "When
        // you perform a cluster level operation, both the cluster level eTag and agent pool
        // eTag are updated"; an agent pool operation restores the others, see put_agent_pool).
        if is_aks(target) {
            for pool in p
                .get_mut("agentPoolProfiles")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                pool["eTag"] = Value::from(aks_etag());
            }
        }
    }
    let out = Value::Object(out);
    if let Err(r) = write(store, target, out.clone()) {
        return r;
    }
    if is_aks(target) {
        let mut cluster = out.clone();
        if let Some(mc) = aks::node_resource_group(&cluster) {
            cluster["properties"]["nodeResourceGroup"] = Value::from(mc);
        }
        if let Some(old) = &existing {
            aks::leave_kubenet(store, old, &cluster);
        }
        aks::reconcile_kubenet_routes(store, &cluster);
        // Addresses are taken when the operation ends (lro::settle → aks::settle_ips).
        let _ = write(store, target, cluster);
    }
    let op = start_op(store, opts, target, OpKind::Put, now);
    if let (Some(err), Some(o)) = (lro_failure, store.ops.get_mut(&op)) {
        o.failure = Some(err);
    }
    store.save();
    Reply::json(if existing.is_some() { 200 } else { 201 }, render(store, &out))
        .header("Azure-AsyncOperation", op_url(base, target, &ns, &op, false))
        .header("Retry-After", opts.retry_after_secs().to_string())
        .header("ETag", tag)
}

/// The cluster of an agent pool target, as stored.
fn pool_cluster(store: &Store, target: &Target) -> Result<(Target, Value), Reply> {
    let cluster_t = target.parent().ok_or_else(|| not_found(target))?;
    match lookup(store, &cluster_t) {
        Some(c) => Ok((cluster_t, c)),
        None => Err(wrapped(
            404,
            "ParentResourceNotFound",
            &format!(
                "Can not perform requested operation on nested resource. Parent resource '{}' not found.",
                cluster_t.name()
            ),
        )),
    }
}

fn get_agent_pool(store: &Store, target: &Target) -> Reply {
    match pool_cluster(store, target) {
        Ok((_, cluster)) => match agent_pools::render(&cluster, target) {
            Some(pool) => Reply::json(200, pool),
            None => not_found(target),
        },
        Err(r) => r,
    }
}

/// Applies a change to pool `target` (`request`: its cluster as it is to be) as a cluster PUT
/// (same checks, same operation); `Err` with the cluster's refusal. When accepted, the eTags
/// the pool operation does not change go back to those of `before` (see `keep_other_etags`).
fn apply_to_cluster(
    store: &mut Store,
    opts: &Options,
    base: &str,
    (target, cluster_t, before, request): (&Target, &Target, &Value, Value),
    req: &Request,
    now: Instant,
) -> Result<Reply, Reply> {
    let bytes = serde_json::to_vec(&request).unwrap_or_default();
    let path = cluster_t.id();
    let inner = Request {
        method: "PUT",
        path: &path,
        api_version: req.api_version,
        authorization: req.authorization,
        if_match: None,
        if_none_match: None,
        body: &bytes,
    };
    let reply = put_resource(store, opts, base, cluster_t, &inner, now);
    if reply.status >= 300 {
        return Err(reply);
    }
    keep_other_etags(store, cluster_t, before, &target.name());
    Ok(reply)
}

fn put_agent_pool(
    store: &mut Store,
    opts: &Options,
    base: &str,
    target: &Target,
    req: &Request,
    now: Instant,
) -> Result<Reply, Reply> {
    let (cluster_t, cluster) = pool_cluster(store, target)?;
    let existing = agent_pools::render(&cluster, target);
    precondition(existing.as_ref(), req)?;
    let request = agent_pools::cluster_with(&cluster, &target.name(), &parse_body(req)?)?;
    let change = (target, &cluster_t, &cluster, request);
    let reply = apply_to_cluster(store, opts, base, change, req, now)?;
    let pool = lookup(store, &cluster_t)
        .and_then(|c| agent_pools::render(&c, target))
        .unwrap_or_else(|| json!({}));
    let mut out = Reply::json(if existing.is_some() { 200 } else { 201 }, pool);
    for h in ["Azure-AsyncOperation", "Retry-After"] {
        if let Some(v) = header_of(&reply, h) {
            out = out.header(h, v);
        }
    }
    Ok(out)
}

/// An agent pool operation changes only that pool's eTag (use-etags: "When you perform an
/// agent pool operation, only the agent pool eTag is updated"): the cluster's and the other
/// pools' eTags go back to what they were before.
fn keep_other_etags(store: &mut Store, cluster_t: &Target, before: &Value, changed: &str) {
    let Some(stored) = store.body_mut(&key(&cluster_t.id())) else {
        return;
    };
    if let Some(tag) = before.get("eTag") {
        stored["eTag"] = tag.clone();
    }
    let old_pools = before
        .pointer("/properties/agentPoolProfiles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for pool in stored
        .pointer_mut("/properties/agentPoolProfiles")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let name = pool["name"].as_str().unwrap_or("").to_string();
        if name.eq_ignore_ascii_case(changed) {
            continue;
        }
        if let Some(tag) = old_pools
            .iter()
            .find(|p| p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&name)))
            .and_then(|p| p.get("eTag"))
        {
            pool["eTag"] = tag.clone();
        }
    }
}

fn delete_agent_pool(
    store: &mut Store,
    opts: &Options,
    base: &str,
    target: &Target,
    req: &Request,
    now: Instant,
) -> Result<Reply, Reply> {
    let (cluster_t, cluster) = pool_cluster(store, target)?;
    if agent_pools::render(&cluster, target).is_none() {
        return Ok(Reply::empty(204));
    }
    let request = agent_pools::cluster_without(&cluster, &target.name())?;
    let change = (target, &cluster_t, &cluster, request);
    let reply = apply_to_cluster(store, opts, base, change, req, now)?;
    let mut out = Reply::empty(202);
    if let Some(op) = header_of(&reply, "Azure-AsyncOperation") {
        out = out
            .header("Location", op.replacen("/operations/", "/operationResults/", 1))
            .header("Azure-AsyncOperation", op);
    }
    if let Some(v) = header_of(&reply, "Retry-After") {
        out = out.header("Retry-After", v);
    }
    Ok(out)
}

/// Stores a resource, or a child inside its parent (bumping the parent's ETag).
fn write(store: &mut Store, target: &Target, body: Value) -> Result<(), Reply> {
    let k = key(&target.id());
    if matches!(target.parent(), Some(Target::ResourceGroup { .. })) {
        store.resources.insert(
            k,
            Stored {
                id: target.id(),
                body,
            },
        );
        return Ok(());
    }
    let Some(parent) = target.parent() else {
        return Err(not_found(target));
    };
    let ((_, child_type), name) = split_child(&k).ok_or_else(|| not_found(target))?;
    let array = child_array_name(&child_type).ok_or_else(|| {
        wrapped(
            400,
            "InvalidResourceType",
            &format!(
                "The resource type '{}' is not supported by aksnet-emulator.",
                target.type_name()
            ),
        )
    })?;
    let parent_body = store
        .resources
        .get_mut(&key(&parent.id()))
        .map(|s| &mut s.body)
        .ok_or_else(|| not_found(&parent))?;
    parent_body["etag"] = Value::from(etag());
    let props = parent_body
        .as_object_mut()
        .and_then(|o| o.entry("properties").or_insert_with(|| json!({})).as_object_mut())
        .ok_or_else(|| not_found(&parent))?;
    let list = props.entry(array).or_insert_with(|| json!([]));
    if let Some(items) = list.as_array_mut() {
        // An existing child is replaced where it stands.
        match items.iter_mut().find(|c| {
            c.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
        }) {
            Some(slot) => *slot = body,
            None => items.push(body),
        }
    }
    Ok(())
}

fn delete(
    store: &mut Store,
    opts: &Options,
    base: &str,
    target: &Target,
    req: &Request,
    now: Instant,
) -> Reply {
    let Some(existing) = lookup(store, target) else {
        return Reply::empty(204);
    };
    if let Err(r) = precondition(Some(&existing), req) {
        return r;
    }
    let ns = target.namespace().to_string();
    if let Some((op_id, op)) = store.busy(&lock_key(target)) {
        if matches!(target, Target::ResourceGroup { .. }) && matches!(op.kind, OpKind::Delete) {
            // Deleting a group that is already being deleted: ARM answers 202 with the same operation.
            let op_id = op_id.clone();
            return Reply::empty(202)
                .header("Location", op_url(base, target, &ns, &op_id, true))
                .header("Retry-After", opts.retry_after_secs().to_string());
        }
        return busy_reply(target, base, &op_id.clone(), &ns);
    }
    if let Err(r) = network::check_delete(store, target, &existing) {
        return r;
    }
    if let Target::ResourceGroup { .. } = target {
        if let Err(r) = check_group_delete(store, target) {
            return r;
        }
    }
    let prefix = format!("{}/", key(&target.id()));
    let removed: Vec<Value> = match target {
        // A group's resources go with it.
        Target::ResourceGroup { .. } => store
            .resources
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, s)| s.body.clone())
            .collect(),
        _ => vec![existing.clone()],
    };
    for body in &removed {
        if body
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters"))
        {
            aks::remove_kubenet_routes(store, body);
            aks::release_ips(store, body);
        }
    }
    if let Target::ResourceGroup { .. } = target {
        store.resources.retain(|k, _| !k.starts_with(&prefix));
    }
    remove_managed_groups(store, &removed);
    let k = key(&target.id());
    if !store.resources.contains_key(&k) {
        // A child goes at once; its parent's ETag changes.
        if let (Some(parent), Some(((_, ct), name))) = (target.parent(), split_child(&k)) {
            if let (Some(array), Some(p)) =
                (child_array_name(&ct), store.resources.get_mut(&key(&parent.id())))
            {
                p.body["etag"] = Value::from(etag());
                if let Some(items) = p
                    .body
                    .pointer_mut(&format!("/properties/{array}"))
                    .and_then(Value::as_array_mut)
                {
                    items.retain(|c| {
                        !c.get("name")
                            .and_then(Value::as_str)
                            .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                    });
                }
            }
        }
    } else if let Some(p) = store
        .resources
        .get_mut(&k)
        .and_then(|s| s.body.get_mut("properties"))
        .and_then(Value::as_object_mut)
    {
        p.insert("provisioningState".into(), Value::from("Deleting"));
    }
    let op = start_op(store, opts, target, OpKind::Delete, now);
    store.save();
    Reply::empty(202)
        .header("Location", op_url(base, target, &ns, &op, true))
        .header("Azure-AsyncOperation", op_url(base, target, &ns, &op, false))
        .header("Retry-After", opts.retry_after_secs().to_string())
}

/// Like ARM, a group holding a route table that a subnet elsewhere still uses is not deleted.
fn check_group_delete(store: &Store, target: &Target) -> Result<(), Reply> {
    let prefix = format!("{}/", key(&target.id()));
    for (k, s) in store.resources.range(prefix.clone()..) {
        if !k.starts_with(&prefix) {
            break;
        }
        if !network::is_route_table(&s.body) {
            continue;
        }
        let outside: Vec<String> = network::subnets_using_route_table(store, &s.id)
            .into_iter()
            .filter(|sub| !key(sub).starts_with(&prefix))
            .collect();
        if !outside.is_empty() {
            return Err(wrapped(
                409,
                "ResourceGroupDeletionBlocked",
                &format!(
                    "Deletion of resource group '{}' failed as resources with identifiers '{}' could not be deleted: route table in use by {}.",
                    target.name(),
                    s.id,
                    outside.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Resource groups a deleted resource managed (an AKS node resource group) go with it, as they
/// do in Azure.
fn remove_managed_groups(store: &mut Store, removed: &[Value]) {
    let managers: Vec<String> = removed
        .iter()
        .filter_map(|b| b.get("id").and_then(Value::as_str).map(key))
        .collect();
    if managers.is_empty() {
        return;
    }
    let groups: Vec<String> = store
        .resources
        .iter()
        .filter(|(_, s)| {
            s.body
                .get("managedBy")
                .and_then(Value::as_str)
                .is_some_and(|m| managers.contains(&key(m)))
        })
        .map(|(k, _)| k.clone())
        .collect();
    for g in groups {
        let prefix = format!("{g}/");
        let inner: Vec<Value> = store
            .resources
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, s)| s.body.clone())
            .collect();
        // Subnets elsewhere lose their association to a table in the group.
        for table in inner.iter().filter(|b| network::is_route_table(b)) {
            let id = table.get("id").and_then(Value::as_str).unwrap_or("");
            for subnet in network::subnets_using_route_table(store, id) {
                if let Some(props) = store
                    .body_mut(&key(&subnet))
                    .and_then(|s| s.get_mut("properties"))
                    .and_then(Value::as_object_mut)
                {
                    props.remove("routeTable");
                }
            }
        }
        store.resources.retain(|k, _| k != &g && !k.starts_with(&prefix));
        remove_managed_groups(store, &inner);
    }
}
