#!/usr/bin/env bash
# ops/run.sh: the README's demo command. Installs what is missing, builds, generates the dev PKI,
# then starts redis-server, the lienthong-sim SIMULATORS (population DB, enterprise registry,
# social insurance, land DB) and lienthong-gateway on loopback, and:
#  - asks for one citizen's record twice: once as a ministry system (Thrift, python3-thrift
#    client) and once as a provincial one-stop system (curl over HTTPS with a client
#    certificate); the second answer comes from the verified-record cache;
#  - looks up an enterprise and an insured person in JSON, the second with a request signed by
#    `lienthong sign-jws`, and checks the gateway's signed answers with `lienthong verify-jws`;
#  - looks up a land parcel as a province (owners' names only) and by its certificate serial as a
#    ministry (owners' personal IDs too);
#  - sends an official document (edXML, 100 KB attachment) from the ministry to the province
#    through the document axis simulator: delivered, received, acknowledged with status 03;
#  - takes on a new member (`lienthong trust pin-member`) and revokes it (a CRL imported with
#    `lienthong trust import-crl`) while the gateway runs;
#  - answers a citizen's "who processed my data" from the audit (`lienthong audit who`).
# Everything keeps running until ops/stop.sh.
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
rm -rf "$DEMO/trust"  # the stack pins the dev members afresh (the dev PKI may have been rebuilt)
L=build/release/tools/lienthong/lienthong
say "1. Start redis-server, lienthong-sim (SIMULATORS of the population DB, the enterprise registry, social insurance, the land DB and the document axis) and lienthong-gateway"
ports=$("$PY" ops/stack.py start --dir "$DEMO" --build "$B" --pki "$PKI")
echo "$ports"
http=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["http"])' "$ports")
thrift=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["thrift"])' "$ports")
business=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["business"])' "$ports")
insurance=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["insurance"])' "$ports")
land=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["land"])' "$ports")
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
"$L" verify-xml "$DEMO/envelope.xml" --trusted "$EC/root-ca.crt" |
  "$PY" -c 'import json,sys; v=json.load(sys.stdin); print("valid:", v["valid"], "| signer:", v["signer"])'

# The simulators' own endpoints answer the gateway's client certificate only.
sim_get() {
  curl -sS --cacert "$EC/root-ca.crt" --cert "$EC/gateway-client.fullchain.pem" \
    --key "$EC/gateway-client.key" "https://127.0.0.1:$1$2"
}
# verify_answer BODY HEADERS: the gateway's detached JWS (X-JWS-Signature) over the body, checked
# by `lienthong verify-jws` through the x5c chain to the dev root.
verify_answer() {
  tr -d '\r' < "$2" | sed -n 's/^[Xx]-[Jj][Ww][Ss]-[Ss]ignature: //p' > "$1.jws"
  "$L" verify-jws "$1.jws" --payload "$1" --trusted "$EC/root-ca.crt" | "$PY" -c '
import json, sys; v = json.load(sys.stdin)
print("answer signature valid:", v["valid"], "| alg:", v.get("alg"), "| kid:", (v.get("kid") or "")[:16] + "...")'
}

say "6. The enterprise registry (SIMULATOR: REST + JSON, bearer token, answers signed with JWS)"
enterprise=$(sim_get "$business" "/sim/enterprises?start=4242&count=1" |
  "$PY" -c 'import json,sys; print(json.load(sys.stdin)["enterprises"][0])')
echo "an enterprise of the simulator's data set: $enterprise (its check digit is verified before any call)"
curl -sS --cacert "$EC/root-ca.crt" --cert "$EC/member-h20.fullchain.pem" --key "$EC/member-h20.key" \
  -H 'Content-Type: application/json' -D "$DEMO/business.headers" -o "$DEMO/business.json" \
  "https://127.0.0.1:$http/v1/lookup" --data-binary @- <<JSON
{"subjectId":"$enterprise","documentType":"DN01",
 "purpose":{"dossierCode":"000.00.00.H20-261122-0010","procedureCode":"2.000046"},
 "officer":{"personalId":"087190000123","account":"motcua.dongthap"}}
JSON
"$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
r.pop("signedEnvelope", None)
print(json.dumps(r["record"], ensure_ascii=False, indent=2))' "$DEMO/business.json"
verify_answer "$DEMO/business.json" "$DEMO/business.headers"

say "7. Social insurance for a province that must sign its requests (member 001.00.10.H47)"
person=$(sim_get "$insurance" "/sim/insured?start=4242&count=1" |
  "$PY" -c 'import json,sys; print(json.load(sys.stdin)["insured"][0]["soDinhDanh"])')
cat > "$DEMO/insurance-request.json" <<JSON
{"subjectId":"$person","documentType":"BH01",
 "purpose":{"dossierCode":"001.00.10.H47-261122-0003","procedureCode":"1.002001"},
 "officer":{"personalId":"049190000456","account":"motcua.quangnam"},
 "iat":$(date +%s),"jti":"$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"}
JSON
"$L" sign-jws "$DEMO/insurance-request.json" --key "$EC/member-h47.key" > "$DEMO/insurance-request.jws"
echo "request signed with lienthong sign-jws: $(cut -c1-60 "$DEMO/insurance-request.jws")..."
insurance_lookup() {
  curl -sS --cacert "$EC/root-ca.crt" --cert "$EC/member-h47.fullchain.pem" --key "$EC/member-h47.key" \
    -H 'Content-Type: application/jose' -D "$DEMO/insurance.headers" -o "$DEMO/insurance.json" \
    "https://127.0.0.1:$http/v1/lookup" --data-binary @"$DEMO/insurance-request.jws"
}
insurance_lookup
"$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
f = r["record"]["fields"]
periods = sorted({k.split(".")[1] for k in f if k.startswith("qua_trinh.")}, key=int)
print("insured:", f.get("ho_ten"), "| social insurance code:", f.get("ma_so_bhxh"),
      "| contribution periods:", len(periods))
for n in periods[:3]:
    print("  %s–%s  %s  salary %s  rate %s" % (f["qua_trinh.%s.tu_thang" % n], f.get("qua_trinh.%s.den_thang" % n, "now"),
          f.get("qua_trinh.%s.don_vi" % n, ""), f.get("qua_trinh.%s.muc_luong" % n, ""), f.get("qua_trinh.%s.ty_le" % n, "")))' \
  "$DEMO/insurance.json"
verify_answer "$DEMO/insurance.json" "$DEMO/insurance.headers"
echo "the same signed request sent again:"
insurance_lookup
"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["code"], "-", r["detail"])' "$DEMO/insurance.json"

say "8. The land database (SIMULATOR: XML + XML-DSig), by parcel for a province and by certificate serial for a ministry"
read -r parcel serial < <(sim_get "$land" "/sim/parcels?start=4242&count=1" |
  "$PY" -c 'import json,sys; p=json.load(sys.stdin)[0]; print(p["subject"], p["soPhatHanh"])')
echo "a parcel of the simulator's data set: $parcel (commune-sheet-parcel), certificate serial $serial"
curl -sS --cacert "$EC/root-ca.crt" --cert "$EC/member-h20.fullchain.pem" --key "$EC/member-h20.key" \
  -H 'Content-Type: application/json' "https://127.0.0.1:$http/v1/lookup" --data-binary @- <<JSON |
{"subjectId":"$parcel","documentType":"DD01",
 "purpose":{"dossierCode":"000.00.00.H20-261122-0011","procedureCode":"1.004227"},
 "officer":{"personalId":"087190000123","account":"motcua.dongthap"}}
JSON
  "$PY" -c '
import json, sys
r = json.load(sys.stdin)
print(json.dumps(r["record"]["fields"], ensure_ascii=False, indent=2))
print("(the province is granted the owners\x27 names, not their personal IDs)")'
"$PY" tools/clients/lookup_client.py --host 127.0.0.1 --port "$thrift" \
  --cert "$EC/member-g22.fullchain.pem" --key "$EC/member-g22.key" --ca "$EC/root-ca.crt" \
  --gen-py "$B/gen-py" --subject "$serial" --doc-type DD01 \
  --dossier 000.00.00.G22-261122-0012 --procedure 1.004227 \
  --officer-id 001092000001 --officer-account canbo.vpcp --json |
  "$PY" -c '
import json, sys
r = json.load(sys.stdin); f = r.get("record", r).get("fields", {})
print("by serial over Thrift (ministry):", f.get("thua_dat.ma_dvhc"), f.get("thua_dat.to_ban_do"),
      f.get("thua_dat.so_thua"), "| owner 1:", f.get("chu_1.ho_ten"), f.get("chu_1.so_dinh_danh"))'

say "9. An official document through the document axis (SIMULATOR): sent, delivered, received, acknowledged with status 03"
# The ministry sends an edXML 2.0 envelope (a 100 KB attachment) to the province over Thrift; the
# gateway answers once the document is durably in its outbox (Redis, AOF fsync always), signs it
# and delivers it to the axis; its receiver fetches it for the province, verifies the signature,
# stores it and only then acknowledges it; the province reads it over HTTPS and answers 03.
doc_number=$((RANDOM % 9000 + 1000))
doc_id=$("$PY" tools/clients/edxml_envelope.py --number "$doc_number" --attachment-kb 100 \
  --to 000.00.00.H20 -o "$DEMO/document.xml" 2>&1 >/dev/null)
doc_path=$("$PY" -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$doc_id")
echo "DocumentId $doc_id, $(wc -c <"$DEMO/document.xml") bytes, unsigned"
thrift_docs() {
  "$PY" tools/clients/lookup_client.py --host 127.0.0.1 --port "$thrift" \
    --cert "$EC/member-g22.fullchain.pem" --key "$EC/member-g22.key" --ca "$EC/root-ca.crt" \
    --gen-py "$B/gen-py" --json "$@"
}
h20() {
  curl -sS --cacert "$EC/root-ca.crt" --cert "$EC/member-h20.fullchain.pem" --key "$EC/member-h20.key" "$@"
}
echo "ministry (Thrift sendDocument):"
thrift_docs send-document "$DEMO/document.xml"
for _ in $(seq 1 100); do
  state=$(thrift_docs sent "$doc_id" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$state" = delivered ] && break
  sleep 0.2
done
echo "delivery state: $(thrift_docs sent "$doc_id" | "$PY" -c 'import json,sys; s=json.load(sys.stdin); print(s["state"], "as", s["axisId"], "after", s["attempts"], "attempt(s)")')"
for _ in $(seq 1 100); do
  h20 "https://127.0.0.1:$http/v1/documents/received?limit=1000" | grep -q "$doc_number/KT-LT" && break
  sleep 0.2
done
echo "province (HTTPS GET /v1/documents/received): "
h20 "https://127.0.0.1:$http/v1/documents/received?limit=1000" | "$PY" -c '
import json, sys
for d in json.load(sys.stdin)["documents"]:
    if d["documentId"] == sys.argv[1]:
        print("  ", d["documentId"], "from", d["from"], "(" + d["axisId"] + "):", d["subject"])' "$doc_id"
h20 -D "$DEMO/received.headers" -o "$DEMO/received.xml" "https://127.0.0.1:$http/v1/documents/received/$doc_path"
echo "   $(wc -c <"$DEMO/received.xml") bytes, signed by the sending gateway: $(grep -i '^x-signer-fingerprint' "$DEMO/received.headers" | tr -d '\r' | cut -c1-60)..."
echo "province answers 03 (đã tiếp nhận):"
h20 -H 'Content-Type: application/json' "https://127.0.0.1:$http/v1/documents/$doc_path/status" \
  -d '{"statusCode":"03","description":"Đã tiếp nhận","staff":{"department":"Văn thư","name":"Lê Văn C"}}'
echo
echo "ministry reads the status history (Thrift getDocumentStatusHistory):"
thrift_docs history "$doc_id" | "$PY" -c '
import json, sys
for s in json.load(sys.stdin)["statuses"]:
    print("  ", s["timestamp"], s["from"], s["statusCode"], s["description"])'

say "10. Refusals: a member not granted citizen records, a revoked certificate, a malformed personal ID"
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

say "11. An administrator takes on a new member, then revokes it: live, no restart"
# A new provincial system (organ 000.00.00.H31) gets a certificate from the dev intermediate CA.
NEW="$DEMO/new-member"
mkdir -p "$NEW"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 -keyout "$NEW/member.key" \
  -subj "/C=VN/O=UBND tỉnh mới (demo)/OU=một cửa/CN=000.00.00.H31" -out "$NEW/member.csr" 2>/dev/null
printf '[ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=URI:urn:lienthong:organ:000.00.00.H31\n' >"$NEW/ext.cnf"
(cd "$EC/.ca" && openssl ca -config openssl.cnf -name CA_intermediate -batch -notext -utf8 -rand_serial \
  -in "$root/$NEW/member.csr" -out "$root/$NEW/member.crt" -extfile "$root/$NEW/ext.cnf" -extensions ext \
  >/dev/null 2>&1)
cat "$NEW/member.crt" "$EC/intermediate-ca.crt" >"$NEW/member.fullchain.pem"
new_lookup() {
  curl -sS --cacert "$EC/root-ca.crt" --cert "$NEW/member.fullchain.pem" --key "$NEW/member.key" \
    -H 'Content-Type: application/json' "https://127.0.0.1:$http/v1/lookup" \
    -d "{\"subjectId\":\"$subject\",\"documentType\":\"CD01\",\"purpose\":{\"dossierCode\":\"000.00.00.H31-261122-0001\",\"procedureCode\":\"1.001612\"},\"officer\":{\"personalId\":\"087190000123\",\"account\":\"motcua.moi\"}}" |
    "$PY" -c 'import json,sys; r=json.load(sys.stdin); print("  ->", r.get("code") or "OK: " + r["record"]["fields"].get("ho_va_ten", ""), "-", r.get("detail", "answered"))'
}
echo "its certificate chains to the national root, but nobody has pinned it yet:"
new_lookup
echo "\$ lienthong trust pin-member member.crt --organ 000.00.00.H31"
"$L" trust pin-member --dir "$DEMO/trust" "$NEW/member.crt" --organ 000.00.00.H31
sleep 0.5  # the gateway sees the change (inotify) and swaps its trust snapshot
new_lookup
echo "the CA revokes it (keyCompromise) and publishes a CRL; \$ lienthong trust import-crl"
(cd "$EC/.ca" && openssl ca -config openssl.cnf -name CA_intermediate -batch \
  -revoke "$root/$NEW/member.crt" -crl_reason keyCompromise >/dev/null 2>&1 &&
  openssl ca -config openssl.cnf -name CA_intermediate -batch -gencrl -crldays 30 \
    -out "$root/$NEW/intermediate.crl.pem" >/dev/null 2>&1)
"$L" trust import-crl --dir "$DEMO/trust" "$NEW/intermediate.crl.pem"
sleep 0.5
new_lookup
"$L" trust list --dir "$DEMO/trust" | grep -A1 "000.00.00.H31" | head -2

say "12. The audit: who asked about whom, for which dossier (hash-chained, never record contents)"
tail -n 2 "$DEMO"/audit/*.log | cut -c1-400
"$L" audit verify "$DEMO/audit"
echo "\$ lienthong audit who $subject   (Decree 13/2023: the citizen asks who processed their data)"
"$L" audit who "$DEMO/audit" "$subject"

say "Running: gateway https=127.0.0.1:$http thrift=127.0.0.1:$thrift; logs and audit in $DEMO"
echo "Stop everything with: ops/stop.sh   (the XML-DSig demo of issue 2: ops/demo/signatures.sh)"
