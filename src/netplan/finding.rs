//! A rule violation or warning, independent of how it is reported.

use std::fmt;

use super::catalog::RuleId;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The configuration cannot work; planning fails.
    Error,
    /// The configuration works but is risky, unsupported or retiring.
    Warning,
}

/// One step of a path into the configuration, named after Terraform attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// An attribute or block name.
    Attr(&'static str),
    /// An element of a list (a block or a list attribute).
    Index(usize),
    /// A node pool that exists in Azure but not in this configuration (another resource,
    /// module or tool owns it), by name: counted by the capacity rules, never changed.
    Foreign(String),
}

/// The attribute a finding is about, e.g. `node_pool[1].max_pods`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(pub Vec<Step>);

impl FieldPath {
    /// The root of the configuration (findings that concern no single attribute).
    pub fn root() -> Self {
        Self(Vec::new())
    }
    /// A top-level attribute.
    pub fn attr(name: &'static str) -> Self {
        Self(vec![Step::Attr(name)])
    }
    /// `block[index].attr`
    pub fn nested(block: &'static str, index: usize, attr: &'static str) -> Self {
        Self(vec![Step::Attr(block), Step::Index(index), Step::Attr(attr)])
    }
    /// A pool this configuration does not declare (see [`Step::Foreign`]).
    pub fn foreign(name: String) -> Self {
        Self(vec![Step::Foreign(name)])
    }
    /// Appends an index step.
    pub fn index(mut self, i: usize) -> Self {
        self.0.push(Step::Index(i));
        self
    }
    /// Appends an attribute step.
    pub fn then(mut self, name: &'static str) -> Self {
        self.0.push(Step::Attr(name));
        self
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Attr(a) if i == 0 => write!(f, "{a}")?,
                Step::Attr(a) => write!(f, ".{a}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
                Step::Foreign(name) if i == 0 => write!(f, "node pool \"{name}\" (not declared here)")?,
                Step::Foreign(name) => write!(f, ".node pool \"{name}\" (not declared here)")?,
            }
        }
        Ok(())
    }
}

/// A rule outcome: which rule, how bad, where, and a message with the numbers and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable rule id, e.g. `R1` or `C5` (see [`super::catalog`]).
    pub rule: RuleId,
    /// Whether Terraform stops (error) or only reports (warning).
    pub severity: Severity,
    /// The attribute to blame.
    pub path: FieldPath,
    /// Short title, Title Case, e.g. `"Reserved Address Range"`.
    pub summary: String,
    /// One or two sentences: what is wrong, the numbers, and how to fix it.
    pub detail: String,
}

impl Finding {
    /// An error finding.
    pub fn error(
        rule: RuleId,
        path: FieldPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity: Severity::Error,
            path,
            summary: summary.into(),
            detail: detail.into(),
        }
    }
    /// A warning finding.
    pub fn warning(
        rule: RuleId,
        path: FieldPath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity: Severity::Warning,
            path,
            summary: summary.into(),
            detail: detail.into(),
        }
    }
    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    /// `"[R1] pod_cidr: 172.30.0.0/16 overlaps ..."`: the form used in function results and warnings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.0.is_empty() {
            write!(f, "[{}] {}", self.rule, self.detail)
        } else {
            write!(f, "[{}] {}: {}", self.rule, self.path, self.detail)
        }
    }
}
