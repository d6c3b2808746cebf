#!/usr/bin/env bash
# Prints the Terraform CLI to use, in the project's lookup order:
# $TF_ACC_TERRAFORM_PATH, then `terraform` on PATH when it is 1.8 or newer, else the pinned
# Terraform 1.15.5 in .tools/ (installed on demand by scripts/install-terraform.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ]; then
  echo "$TF_ACC_TERRAFORM_PATH"
  exit 0
fi
if command -v terraform >/dev/null 2>&1; then
  v="$(terraform version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9.]*\)".*/\1/p' | head -1)"
  major="${v%%.*}"; rest="${v#*.}"; minor="${rest%%.*}"
  if [ -n "$v" ] && { [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 8 ]; }; }; then
    command -v terraform
    exit 0
  fi
fi
[ -x "$root/.tools/terraform" ] || "$root/scripts/install-terraform.sh" >&2
echo "$root/.tools/terraform"
