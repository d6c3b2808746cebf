#!/usr/bin/env bash
# Signs every *_VERSION_SHA256SUMS in DIR with a detached binary GPG signature (…_SHA256SUMS.sig),
# the way the Terraform Registry and HashiCorp's goreleaser setup expect. The key comes from the
# environment:
#   GPG_PRIVATE_KEY   an ASCII-armored secret key (RSA or DSA: the Registry accepts no other);
#                     imported into a temporary GNUPGHOME, never into yours
#   GPG_PASSPHRASE    its passphrase, if it has one
#   GPG_FINGERPRINT   the key to sign with; without GPG_PRIVATE_KEY it must be in your keyring
#                     ($GNUPGHOME or ~/.gnupg)
# With neither, signing fails unless RELEASE_UNSIGNED=1 (then it says so and skips).
# The public key of the signer is exported to DIR/…_VERSION_signing-key.asc for verification.
# usage: scripts/sign.sh DIR VERSION
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DIR VERSION" >&2; exit 2; }
dir="$1" version="$2"
shopt -s nullglob
sums=("$dir"/*_"${version}"_SHA256SUMS)
[ ${#sums[@]} -gt 0 ] || { echo "sign: no *_${version}_SHA256SUMS in $dir" >&2; exit 1; }
if [ -z "${GPG_PRIVATE_KEY:-}" ] && [ -z "${GPG_FINGERPRINT:-}" ]; then
  if [ "${RELEASE_UNSIGNED:-}" = "1" ]; then
    echo "sign: RELEASE_UNSIGNED=1 and no GPG_PRIVATE_KEY/GPG_FINGERPRINT: the SHA256SUMS stay UNSIGNED (the Registry rejects such a release)" >&2
    exit 0
  fi
  echo "sign: no signing key: set GPG_PRIVATE_KEY (ASCII-armored, with GPG_PASSPHRASE if it has one) or GPG_FINGERPRINT (a key in your keyring), or RELEASE_UNSIGNED=1 to skip signing" >&2
  exit 1
fi
command -v gpg >/dev/null || { echo "sign: gpg is required (apt-get install gnupg)" >&2; exit 1; }
if [ -n "${GPG_PRIVATE_KEY:-}" ]; then
  GNUPGHOME="$(mktemp -d "${TMPDIR:-/tmp}/aksnet-gpg.XXXXXX")"
  export GNUPGHOME
  trap 'gpgconf --kill gpg-agent >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
  printf '%s\n' "$GPG_PRIVATE_KEY" |
    gpg --batch --quiet --pinentry-mode loopback --passphrase "${GPG_PASSPHRASE:-}" --import 2>/dev/null ||
    { echo "sign: GPG_PRIVATE_KEY does not import" >&2; exit 1; }
fi
key="${GPG_FINGERPRINT:-}"
if [ -z "$key" ]; then
  key="$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')"
fi
algo="$(gpg --batch --with-colons --list-keys "$key" 2>/dev/null | awk -F: '$1 == "pub" { print $4; exit }')"
case "$algo" in
  1|2|3|17) ;; # RSA, RSA-E, RSA-S, DSA
  "") echo "sign: key $key is not in the keyring" >&2; exit 1 ;;
  *) echo "sign: key $key uses algorithm $algo; the Terraform Registry accepts only RSA or DSA keys" >&2; exit 1 ;;
esac
for f in "${sums[@]}"; do
  gpg --batch --yes --quiet --pinentry-mode loopback --passphrase "${GPG_PASSPHRASE:-}" \
    --local-user "$key" --detach-sign --output "$f.sig" "$f"
  gpg --batch --quiet --verify "$f.sig" "$f" 2>/dev/null ||
    { echo "sign: the new signature $f.sig does not verify" >&2; exit 1; }
  echo "$f.sig"
done
gpg --batch --armor --export "$key" >"$dir/terraform-provider-aksnet_${version}_signing-key.asc"
