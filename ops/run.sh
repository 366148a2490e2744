#!/usr/bin/env bash
# ops/run.sh: the README's demo command. Installs what is missing, builds, generates the dev PKI,
# then starts redis-server, lienthong-sim (the population DB SIMULATOR) and lienthong-gateway on
# loopback, and asks for one citizen's record twice: once as a ministry system (Thrift, python3-
# thrift client) and once as a provincial one-stop system (curl over HTTPS with a client
# certificate). The second answer comes from the verified-record cache. Everything keeps running
# until ops/stop.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

ops/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" \
  --target lienthong lienthong-gateway lienthong-sim lienthong_thrift_py >/dev/null
certs/dev-pki.sh >/dev/null
PY=/usr/bin/python3
PKI=var/pki
EC=$PKI/ec
DEMO=var/demo
B=build/release

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

ops/stop.sh >/dev/null 2>&1 || true
say "1. Start redis-server, lienthong-sim (SIMULATOR of the population DB) and lienthong-gateway"
ports=$("$PY" ops/stack.py start --dir "$DEMO" --build "$B" --pki "$PKI")
echo "$ports"
http=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["http"])' "$ports")
thrift=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["thrift"])' "$ports")
subject=$("$B/adapters/population/lienthong-sim" ids --count 1 --offset 4242)
echo "a citizen of the simulator's data set: $subject"

say "2. A ministry system asks over Thrift (member 000.00.00.G22, python3-thrift client)"
"$PY" tools/clients/lookup_client.py --host 127.0.0.1 --port "$thrift" \
  --cert "$EC/member-g22.fullchain.pem" --key "$EC/member-g22.key" --ca "$EC/root-ca.crt" \
  --gen-py "$B/gen-py" --subject "$subject" --doc-type CD01 \
  --dossier 000.00.00.G22-261122-0001 --procedure 1.000046 \
  --officer-id 001092000001 --officer-account canbo.vpcp --envelope-out "$DEMO/envelope.xml"

say "3. A provincial one-stop system asks over HTTPS (member 000.00.00.H20, curl)"
curl -sS --cacert "$EC/root-ca.crt" --cert "$EC/member-h20.fullchain.pem" --key "$EC/member-h20.key" \
  -H 'Content-Type: application/json' "https://127.0.0.1:$http/v1/lookup" --data-binary @- <<JSON |
{"subjectId":"$subject","documentType":"CD01",
 "purpose":{"dossierCode":"000.00.00.H20-261122-0007","procedureCode":"1.001612"},
 "officer":{"personalId":"087190000123","account":"motcua.dongthap"}}
JSON
  "$PY" -c '
import json, sys
r = json.load(sys.stdin)
env = r.pop("signedEnvelope")
print(json.dumps(r, ensure_ascii=False, indent=2))
print("signedEnvelope: %d bytes of gateway-signed XML" % len(env))'

say "4. The second answer came from the cache: the population DB was asked once"
curl -sS --cacert "$EC/root-ca.crt" --cert "$EC/member-g22.fullchain.pem" --key "$EC/member-g22.key" \
  "https://127.0.0.1:$http/metrics" | grep -E '^lienthong_(cache_lookups_total|upstream_calls_total|record_reuse_ratio)'

say "5. The envelope verifies with the dev root alone"
build/release/tools/lienthong/lienthong verify-xml "$DEMO/envelope.xml" --trusted "$EC/root-ca.crt" |
  "$PY" -c 'import json,sys; v=json.load(sys.stdin); print("valid:", v["valid"], "| signer:", v["signer"])'

say "6. Refusals: a member not in the policy, a revoked certificate, a malformed personal ID"
for who in member-h47 member-revoked; do
  curl -sS --cacert "$EC/root-ca.crt" --cert "$EC/$who.fullchain.pem" --key "$EC/$who.key" \
    -H 'Content-Type: application/json' "https://127.0.0.1:$http/v1/lookup" \
    -d "{\"subjectId\":\"$subject\",\"documentType\":\"CD01\",\"purpose\":{\"dossierCode\":\"000.00.00.H20-261122-0008\",\"procedureCode\":\"1.001612\"},\"officer\":{\"personalId\":\"087190000123\",\"account\":\"x\"}}"
  echo
done
curl -sS --cacert "$EC/root-ca.crt" --cert "$EC/member-h20.fullchain.pem" --key "$EC/member-h20.key" \
  -H 'Content-Type: application/json' "https://127.0.0.1:$http/v1/lookup" \
  -d '{"subjectId":"003092008262","documentType":"CD01","purpose":{"dossierCode":"000.00.00.H20-261122-0009","procedureCode":"1.001612"},"officer":{"personalId":"087190000123","account":"x"}}'
echo

say "7. The audit: who asked about whom, for which dossier (hash-chained, never record contents)"
tail -n 2 "$DEMO"/audit/*.log | cut -c1-400
build/release/tools/lienthong/lienthong audit verify "$DEMO/audit"

say "Running: gateway https=127.0.0.1:$http thrift=127.0.0.1:$thrift; logs and audit in $DEMO"
echo "Stop everything with: ops/stop.sh   (the XML-DSig demo of issue 2: ops/demo/signatures.sh)"
