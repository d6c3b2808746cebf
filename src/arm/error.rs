//! One error type for ARM failures, parsed from both body shapes: ARM/Network's wrapped
//! `{"error":{code,message,target}}` and AKS's flat `{code,message,subcode,target}`.
//!
//! AKS answers many refusals with a generic `code` (`BadRequest`, `InvalidParameter`) and the
//! reason in `subcode` (e.g. `{"code": "BadRequest", "subcode": "InsufficientSubnetSize", …}`):
//! the stable 2025-10-01 spec declares only common-types `ErrorResponse`, but AKS's flat
//! bodies carry `subcode` (Azure/retina#1212, Azure/terraform-azurerm-aks#354 show the shape),
//! so it is parsed from either shape and always shown.

use std::fmt;

use serde::Deserialize;

/// An error ARM returned, synchronously or from a failed long-running operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmError {
    /// HTTP status (200 for an operation-status body that reports `Failed`).
    pub status: u16,
    /// ARM error code, e.g. `AnotherOperationInProgress`; empty when the body had none.
    pub code: String,
    /// AKS's `subcode`, the specific reason under a generic `code`; `None` when empty.
    /// (Boxed: `ClientError` stays small enough to return by value.)
    pub subcode: Option<Box<str>>,
    /// ARM's human-readable message, shown in the diagnostic.
    pub message: String,
    /// The request property ARM blames, e.g. `properties.addressPrefix`, when it names one.
    pub target: Option<String>,
    /// `x-ms-request-id` of the failing response, for support tickets.
    pub request_id: Option<String>,
}

#[derive(Deserialize)]
struct Body {
    code: Option<String>,
    #[serde(alias = "subCode")]
    subcode: Option<String>,
    message: Option<String>,
    target: Option<String>,
    error: Option<Box<Body>>,
}

impl ArmError {
    /// Parses an error body of either shape; falls back to the raw text when it is not JSON.
    pub fn from_body(status: u16, body: &[u8], request_id: Option<String>) -> Self {
        let parsed: Option<Body> = serde_json::from_slice(body).ok();
        let inner = parsed.map(|b| match b.error {
            Some(inner) => *inner,
            None => b,
        });
        match inner {
            Some(Body {
                code,
                subcode,
                message,
                target,
                ..
            }) if code.is_some() || message.is_some() => Self {
                status,
                code: code.unwrap_or_default(),
                subcode: subcode
                    .filter(|s| !s.trim().is_empty())
                    .map(String::into_boxed_str),
                message: message.unwrap_or_default(),
                target: target.filter(|t| !t.is_empty()),
                request_id,
            },
            _ => {
                let text = String::from_utf8_lossy(body);
                let text: String = text.chars().take(512).collect();
                Self {
                    status,
                    code: String::new(),
                    subcode: None,
                    message: if text.trim().is_empty() {
                        format!("HTTP {status} with an empty body")
                    } else {
                        text
                    },
                    target: None,
                    request_id,
                }
            }
        }
    }

    /// True for ARM's "busy, try again" conflicts, which are retried within the timeout:
    /// Network's `AnotherOperationInProgress`, AKS's `OperationNotAllowed` ("Another operation
    /// (Updating) is in progress, please wait for it to finish", aka.ms/aks-pending-operation)
    /// and AKS's `EtagMismatch` (409 while AKS itself saves the cluster concurrently: "rpc error:
    /// code = FailedPrecondition desc = Etag mismatched", Azure/retina#1212, even on requests
    /// without `If-Match`). Sent again, a request whose `If-Match` has really gone stale gets
    /// 412, which the resources answer by re-reading and writing on top (`update`).
    pub(crate) fn is_operation_in_progress(&self) -> bool {
        self.status == 409
            && matches!(
                self.code.as_str(),
                "AnotherOperationInProgress" | "OperationNotAllowed" | "EtagMismatch"
            )
    }

    /// True for 404.
    pub(crate) fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// True for a failed `If-Match` (someone else wrote the resource since it was read).
    pub fn is_precondition_failed(&self) -> bool {
        self.status == 412
    }
}

impl fmt::Display for ArmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if !self.code.is_empty() {
            write!(f, " {}", self.code)?;
        }
        if let Some(sub) = &self.subcode {
            write!(f, " (subcode {sub})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(t) = &self.target {
            write!(f, " (target: {t})")?;
        }
        if let Some(r) = &self.request_id {
            write!(f, " [request id: {r}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ArmError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrapped_network_errors() {
        let body = br#"{"error":{"code":"AnotherOperationInProgress","message":"Another operation on this or dependent resource is in progress.","details":[]}}"#;
        let e = ArmError::from_body(409, body, Some("req-1".into()));
        assert_eq!(e.code, "AnotherOperationInProgress");
        assert!(e.is_operation_in_progress());
        assert_eq!(e.to_string(), "HTTP 409 AnotherOperationInProgress: Another operation on this or dependent resource is in progress. [request id: req-1]");
    }

    #[test]
    fn parses_flat_aks_errors_with_target() {
        let body = br#"{"code":"ServiceCidrOverlapExistingSubnetsCidr","details":null,"message":"The specified service CIDR 10.0.0.0/16 is conflicted","subcode":"","target":"networkProfile.serviceCIDR"}"#;
        let e = ArmError::from_body(400, body, None);
        assert_eq!(e.code, "ServiceCidrOverlapExistingSubnetsCidr");
        assert_eq!(e.target.as_deref(), Some("networkProfile.serviceCIDR"));
        assert!(!e.is_operation_in_progress());
    }

    #[test]
    fn aks_subcodes_are_kept_and_shown() {
        let body = br#"{"code":"BadRequest","details":null,"message":"Pre-allocated IPs exceed the subnet","subcode":"InsufficientSubnetSize","target":"agentPoolProfile.count"}"#;
        let e = ArmError::from_body(400, body, None);
        assert_eq!(e.subcode.as_deref(), Some("InsufficientSubnetSize"));
        assert_eq!(e.to_string(), "HTTP 400 BadRequest (subcode InsufficientSubnetSize): Pre-allocated IPs exceed the subnet (target: agentPoolProfile.count)");
        // Wrapped, and spelled subCode.
        let e = ArmError::from_body(
            400,
            br#"{"error":{"code":"BadRequest","subCode":"X","message":"m"}}"#,
            None,
        );
        assert_eq!(e.subcode.as_deref(), Some("X"));
        // An empty subcode (AKS sends "") is no subcode.
        let e = ArmError::from_body(400, br#"{"code":"BadRequest","subcode":"","message":"m"}"#, None);
        assert_eq!(e.subcode, None);
        assert_eq!(e.to_string(), "HTTP 400 BadRequest: m");
    }

    #[test]
    fn aks_etag_mismatch_conflicts_are_retried_like_operation_not_allowed() {
        let body = br#"{"code":"EtagMismatch","details":[{"code":"Unspecified","message":"rpc error: code = FailedPrecondition desc = Etag mismatched"}],"message":"Operation is not allowed: Another operation is in progress","subcode":""}"#;
        assert!(ArmError::from_body(409, body, None).is_operation_in_progress());
        assert!(
            ArmError::from_body(409, br#"{"code":"OperationNotAllowed","message":"m"}"#, None)
                .is_operation_in_progress()
        );
        // A 412 (stale If-Match) is not: the resource re-reads instead.
        assert!(
            !ArmError::from_body(412, br#"{"code":"EtagMismatch","message":"m"}"#, None)
                .is_operation_in_progress()
        );
    }

    #[test]
    fn survives_garbage_and_empty_bodies() {
        assert_eq!(
            ArmError::from_body(502, b"", None).message,
            "HTTP 502 with an empty body"
        );
        assert_eq!(
            ArmError::from_body(500, b"<html>oops", None).message,
            "<html>oops"
        );
        assert_eq!(
            ArmError::from_body(400, br#"{"error":42}"#, None).message,
            r#"{"error":42}"#
        );
    }
}
