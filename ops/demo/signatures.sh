#!/usr/bin/env bash
# ops/demo/signatures.sh: the XML-DSig demo (ops/run.sh runs it last). Installs what is missing, builds, generates the dev PKI,
# then signs a sample citizen record, verifies it, and shows forged copies refused.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

ops/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target lienthong -j "$(nproc)" >/dev/null
certs/dev-pki.sh
L=build/release/tools/lienthong/lienthong
PKI=var/pki
DEMO=var/demo-signatures
mkdir -p "$DEMO"
PY=/usr/bin/python3

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Prints the verdict compactly: the fields an operator reads, signed_xml shortened.
show() {
  "$PY" -c '
import json, sys
v = json.loads(sys.stdin.read())
if "signed_xml" in v:
    s = v["signed_xml"]
    v["signed_xml"] = s[:110] + ("... (%d bytes)" % len(s) if len(s) > 110 else "")
print(json.dumps(v, ensure_ascii=False, indent=2))'
}
verify() {  # verify FILE [extra args]: prints the verdict and the exit code, never stops the demo
  local file=$1; shift
  local rc=0 out
  out=$("$L" verify-xml "$file" --trust-dir "$PKI/rsa/trust" "$@") || rc=$?
  printf '%s\n' "$out" | show
  echo "exit code: $rc"
}

say "1. The sample record (invented data): samples/population-record.xml"
head -n 6 samples/population-record.xml; echo "  ..."

say "2. Sign it with the gateway's RSA-2048 key (enveloped, exclusive C14N, SHA-256)"
"$L" sign-xml samples/population-record.xml --key "$PKI/rsa/gateway-sign.key" \
  --cert "$PKI/rsa/gateway-sign.crt" --chain "$PKI/rsa/intermediate-ca.crt" \
  --id cd-001203004510 > "$DEMO/record.signed.xml"
echo "wrote $DEMO/record.signed.xml ($(wc -c < "$DEMO/record.signed.xml") bytes)"

say "3. Verify it against the dev trust directory ($PKI/rsa/trust)"
verify "$DEMO/record.signed.xml"

say "4. Debian's xmlsec1 agrees"
xmlsec1 --verify --enabled-key-data x509 --id-attr:Id CongDan \
  --trusted-pem "$PKI/rsa/root-ca.crt" "$DEMO/record.signed.xml" 2>&1 | head -1

say "5. The same with ECDSA P-256"
"$L" sign-xml samples/population-record.xml --key "$PKI/ec/gateway-sign.key" \
  --cert "$PKI/ec/gateway-sign.crt" --chain "$PKI/ec/intermediate-ca.crt" > "$DEMO/record.ec.signed.xml"
"$L" verify-xml "$DEMO/record.ec.signed.xml" --trust-dir "$PKI/ec/trust" | "$PY" -c '
import json, sys; v = json.load(sys.stdin)
print("valid:", v["valid"], "| algorithm:", v["algorithm"], "| signer:", v["signer"])'

"$PY" ops/demo/attacks.py "$DEMO/record.signed.xml" "$DEMO"
say "6. Tampered copy: one diacritic of the name changed after signing"
verify "$DEMO/tampered.xml"
say "7. Wrapped copy: a forged record carries the signature, the genuine one sits beside it"
verify "$DEMO/wrapped-detached.xml"
say "8. Wrapped copy: a forged record with the genuine record's Id"
verify "$DEMO/wrapped-same-id.xml"
say "9. Entity-expansion bomb (billion laughs) in front of the record"
verify "$DEMO/billion-laughs.xml"
say "10. Signed by a member whose certificate is revoked, and by one whose certificate expired"
for who in member-revoked member-expired; do
  "$L" sign-xml samples/population-record.xml --key "$PKI/rsa/$who.key" --cert "$PKI/rsa/$who.crt" \
    --chain "$PKI/rsa/intermediate-ca.crt" > "$DEMO/$who.signed.xml"
  verify "$DEMO/$who.signed.xml" | grep -E '"error"|"detail"|exit code'
done
say "Done. Files are in $DEMO; the dev PKI is in $PKI (git-ignored, never commit it)."
