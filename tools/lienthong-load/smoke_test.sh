#!/usr/bin/env bash
# Smoke test of lienthong-load's HTTPS driver against a throwaway nginx that requires a client
# certificate (no gateway needed):
#   1. closed loop, 2 s: answers are counted ok, no errors, latencies sane;
#   2. open loop at 400 req/s, 2 s: the achieved rate is near the target;
#   3. a server that refuses every lookup with 429 + problem+json: counted by status and code;
#   4. a port nobody listens on: connection failures reported, exit status 1;
#   5. signed requests (--sign-key) through an nginx that logs every body it receives: each is
#      application/jose, a compact ES256 JWS that verifies with the member certificate's key,
#      with iat near now and a jti no other request had; --presign too small stops the run
#      early; answers without X-JWS-Signature are errors unless --no-check-answer-signature;
#      a key that is not the certificate's is refused;
#   6. with GEN_PY (Python code generated from lienthong.thrift): the Thrift driver against a
#      python3-thrift stub of Exchange (TLS + client certificate, framed, binary) that answers
#      a well-formed request with a record and refuses maxAgeSeconds=0 with NOT_FOUND.
#   7. --document-type DD01: lookup bodies ask for land parcels <commune>-<sheet>-<parcel>;
#      --workload documents: POST /v1/documents, application/xml, 202 counted ok; each body an
#      edXML envelope From the certificate's organ To 000.00.00.H20 with its own DocumentId
#      (<From>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>) and one 100 KiB attachment.
# Usage: smoke_test.sh LIENTHONG_LOAD [PKI_DIR [GEN_PY]]
#   PKI_DIR defaults to $LIENTHONG_TEST_PKI, else a fresh certs/dev-pki.sh run in a temp dir;
#   GEN_PY defaults to $LIENTHONG_THRIFT_PY; without it step 6 is skipped.
set -euo pipefail

LOAD=${1:?usage: smoke_test.sh LIENTHONG_LOAD [PKI_DIR]}
PKI=${2:-${LIENTHONG_TEST_PKI:-}}
GEN_PY=${3:-${LIENTHONG_THRIFT_PY:-}}
NGINX=${NGINX:-/usr/sbin/nginx}
PYTHON=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)

WORK=$(mktemp -d)
NGINX_PID=
STUB_PID=
cleanup() {
  for pid in $NGINX_PID $STUB_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ -z "$PKI" ]]; then
  PKI=$WORK/pki
  "$HERE/../../certs/dev-pki.sh" "$PKI" >/dev/null
fi
EC=$(cd "$PKI/ec" && pwd)  # absolute: nginx resolves relative paths against its prefix

# Free loopback ports (a small race with other processes is acceptable for a smoke test): five
# for nginx and its plain backend, one that nobody listens on, one for the Thrift stub.
read -r PORT_OK PORT_429 PORT_CLOSED PORT_THRIFT PORT_SIGNED PORT_BACKEND PORT_DOCS \
  < <("$PYTHON" - <<'EOF'
import socket
socks = [socket.socket() for _ in range(7)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
EOF
)

mkdir -p "$WORK/tmp"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp/body;
  proxy_temp_path $WORK/tmp/proxy;
  fastcgi_temp_path $WORK/tmp/fastcgi;
  uwsgi_temp_path $WORK/tmp/uwsgi;
  scgi_temp_path $WORK/tmp/scgi;
  ssl_certificate $EC/gateway-tls.fullchain.pem;
  ssl_certificate_key $EC/gateway-tls.key;
  # chain.pem holds the intermediate and the root: nginx verifies member chains against it.
  ssl_client_certificate $EC/chain.pem;
  ssl_verify_client on;
  ssl_verify_depth 3;
  server {
    listen 127.0.0.1:$PORT_OK ssl;
    location = /v1/lookup { default_type application/json; return 200 '{"ok":true}'; }
  }
  server {
    listen 127.0.0.1:$PORT_429 ssl;
    location = /v1/lookup {
      default_type application/problem+json;
      return 429 '{"type":"urn:lienthong:error:RATE_LIMITED","status":429,"code":"RATE_LIMITED"}';
    }
  }
  # Signed requests: nginx reads a body only to pass it on, so this server proxies to the plain
  # one below and logs what it read (\$request_body), one request a line.
  log_format bodies '\$content_type \$request_body';
  server {
    listen 127.0.0.1:$PORT_SIGNED ssl;
    location = /v1/lookup {
      access_log $WORK/bodies.log bodies;
      add_header X-JWS-Signature "eyJhbGciOiJFUzI1NiJ9..c2ln" always;
      proxy_pass http://127.0.0.1:$PORT_BACKEND;
    }
  }
  server {
    listen 127.0.0.1:$PORT_BACKEND;
    location = /v1/lookup { default_type application/json; return 200 '{"ok":true}'; }
    location = /v1/documents {
      default_type application/json;
      return 202 '{"outboxId":"ob-0000000001","duplicate":false,"state":"accepted"}';
    }
  }
  # Step 7: land lookups and documents, every body logged (JSON-escaped: envelopes span lines);
  # the buffer holds a whole envelope in memory, where \$request_body can see it.
  log_format json_bodies escape=json '\$content_type\t\$request_body';
  server {
    listen 127.0.0.1:$PORT_DOCS ssl;
    client_body_buffer_size 1m;
    client_max_body_size 2m;
    location = /v1/lookup {
      access_log $WORK/land.log json_bodies;
      proxy_pass http://127.0.0.1:$PORT_BACKEND;
    }
    location = /v1/documents {
      access_log $WORK/documents.log json_bodies;
      proxy_pass http://127.0.0.1:$PORT_BACKEND;
    }
  }
}
EOF
"$NGINX" -e "$WORK/error.log" -p "$WORK" -c "$WORK/nginx.conf" &
NGINX_PID=$!
# wait_for PORT: until something accepts connections on 127.0.0.1:PORT (5 s at most).
wait_for() {
  for _ in $(seq 50); do
    "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" \
      2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
wait_for "$PORT_OK" || { echo "FAILED: nginx did not start"; cat "$WORK/error.log"; exit 1; }

COMMON=(--host 127.0.0.1 --cert "$EC/member-g22.fullchain.pem" --key "$EC/member-g22.key"
        --ca "$EC/root-ca.crt" --json)

# check JSON EXPRESSION...: each Python expression over the summary `s` must be true.
check() {
  local json=$1
  shift
  "$PYTHON" - "$json" "$@" <<'EOF'
import json, sys
s = json.loads(sys.argv[1])
failed = [e for e in sys.argv[2:] if not eval(e, {}, {"s": s})]
if failed:
    print("FAILED:", *failed, "\nsummary:", json.dumps(s, indent=1), file=sys.stderr)
    sys.exit(1)
EOF
}

echo "1. closed loop"
OUT=$("$LOAD" "${COMMON[@]}" --port "$PORT_OK" --connections 8 --duration 2 --warmup 0.5)
echo "$OUT"
check "$OUT" 's["ok"] > 0' 's["errors"]["total"] == 0' 's["errors"]["connect"] == {}' \
  's["connections_open"] == 8' 's["sent"] == s["ok"]' 's["completed"] == s["sent"]' \
  '1.5 < s["duration_s"] < 3' '0 < s["latency_ms"]["p50"] <= s["latency_ms"]["p99"]' \
  's["latency_ms"]["p99"] <= s["latency_ms"]["max"] < 1000' \
  'abs(s["throughput_per_s"] * s["duration_s"] - s["ok"]) <= 0.001 * s["ok"] + 1' 's["target_rate"] is None'

echo "2. open loop at 400 req/s"
OUT=$("$LOAD" "${COMMON[@]}" --port "$PORT_OK" --connections 4 --rate 400 --duration 2)
echo "$OUT"
check "$OUT" 's["errors"]["total"] == 0' 's["target_rate"] == 400' \
  '780 <= s["sent"] <= 800' 's["ok"] == s["sent"]' '360 <= s["achieved_rate"] <= 410' \
  's["unsent"] == 0'

echo "3. every lookup refused with 429"
set +e
OUT=$("$LOAD" "${COMMON[@]}" --port "$PORT_429" --connections 2 --requests 50)
RC=$?
set -e
echo "$OUT"
[[ $RC -eq 1 ]] || { echo "FAILED: exit status $RC, expected 1 (no request succeeded)"; exit 1; }
check "$OUT" 's["ok"] == 0' 's["sent"] == 50' 's["errors"]["total"] == 50' \
  's["errors"]["status"] == {"429": 50}' 's["errors"]["code"] == {"RATE_LIMITED": 50}'

echo "4. nobody listening"
set +e
OUT=$("$LOAD" "${COMMON[@]}" --port "$PORT_CLOSED" --connections 3 --duration 1)
RC=$?
set -e
echo "$OUT"
[[ $RC -eq 1 ]] || { echo "FAILED: exit status $RC, expected 1"; exit 1; }
check "$OUT" 's["connections_open"] == 0' 's["errors"]["connect"] == {"refused": 3}' \
  's["ok"] == 0'

echo "5. signed requests"
SIGN=(--sign-key "$EC/member-g22.key")
OUT=$("$LOAD" "${COMMON[@]}" "${SIGN[@]}" --port "$PORT_SIGNED" --connections 4 --requests 200)
echo "$OUT"
check "$OUT" 's["ok"] == 200' 's["sent"] == 200' 's["errors"]["total"] == 0' \
  's["signing"]["alg"] == "ES256"' 's["signing"]["presigned"] == 200' \
  's["signing"]["used"] == 200' 's["signing"]["exhausted"] is False' \
  's["signing"]["presign_s"] >= 0'
# Too few pre-signed bodies: the run stops when they are used up, never sending one twice.
OUT=$("$LOAD" "${COMMON[@]}" "${SIGN[@]}" --port "$PORT_SIGNED" --connections 4 --requests 100 \
  --presign 30 2>"$WORK/stderr.log")
echo "$OUT"
check "$OUT" 's["sent"] == 30' 's["ok"] == 30' 's["errors"]["total"] == 0' \
  's["signing"]["exhausted"] is True' 's["signing"]["used"] == 30'
grep -q "stopped early" "$WORK/stderr.log" || { echo "FAILED: no warning"; exit 1; }
# What nginx received: 230 bodies, each verified with the member certificate's public key.
"$PYTHON" - "$WORK/bodies.log" "$EC/member-g22.crt" <<'EOF'
import base64, json, sys, time
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

key = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read()).public_key()
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 230, f"{len(lines)} bodies logged, expected 230"
jtis, subjects = set(), set()
for line in lines:
    content_type, jws = line.split(" ")
    assert content_type == "application/jose", content_type
    header, payload, signature = jws.split(".")
    assert json.loads(b64(header)) == {"alg": "ES256"}, b64(header)
    sig = b64(signature)
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    key.verify(encode_dss_signature(r, s), f"{header}.{payload}".encode(),
               ec.ECDSA(hashes.SHA256()))
    claims = json.loads(b64(payload))
    assert abs(claims["iat"] - time.time()) < 120, claims
    assert 1 <= len(claims["jti"]) <= 128 and claims["jti"].isascii(), claims
    assert claims["documentType"] == "CD01" and len(claims["subjectId"]) == 12, claims
    jtis.add(claims["jti"])
    subjects.add(claims["subjectId"])
assert len(jtis) == 230, f"only {len(jtis)} distinct jti in 230 requests"
# Both runs start at --subject-offset 0: the second asks about the first one's first 30.
assert len(subjects) == 200, f"{len(subjects)} distinct subjects, expected 200"
print("230 signed bodies verified, 230 distinct jti")
EOF
# Answers without X-JWS-Signature count as errors when signing (unless told not to check).
set +e
OUT=$("$LOAD" "${COMMON[@]}" "${SIGN[@]}" --port "$PORT_OK" --connections 2 --requests 20)
RC=$?
set -e
echo "$OUT"
[[ $RC -eq 1 ]] || { echo "FAILED: exit status $RC, expected 1"; exit 1; }
check "$OUT" 's["ok"] == 0' 's["errors"]["unsigned_answer"] == 20' 's["errors"]["total"] == 20'
OUT=$("$LOAD" "${COMMON[@]}" "${SIGN[@]}" --port "$PORT_OK" --connections 2 --requests 20 \
  --no-check-answer-signature)
check "$OUT" 's["ok"] == 20' 's["errors"]["total"] == 0'
set +e
OUT=$("$LOAD" "${COMMON[@]}" --port "$PORT_OK" --connections 2 --requests 20 \
  --check-answer-signature)
set -e
check "$OUT" 's["errors"]["unsigned_answer"] == 20' 's["signing"] is None'
set +e
"$LOAD" "${COMMON[@]}" --sign-key "$EC/member-h20.key" --port "$PORT_SIGNED" --requests 1 \
  >/dev/null 2>"$WORK/stderr.log"
RC=$?
set -e
[[ $RC -eq 2 ]] && grep -q "not the key of the --cert leaf" "$WORK/stderr.log" ||
  { echo "FAILED: a key that is not the certificate's was not refused (exit $RC)"; exit 1; }

echo "7. land parcels and edXML documents"
OUT=$("$LOAD" "${COMMON[@]}" --port "$PORT_DOCS" --connections 2 --requests 30 \
  --document-type DD01 --parcels 500000 --distinct 10 --max-age 0)
echo "$OUT"
check "$OUT" 's["ok"] == 30' 's["errors"]["total"] == 0' 's["workload"] == "lookup"' \
  's["document_type"] == "DD01"' 's["documents"] is None'
OUT=$("$LOAD" "${COMMON[@]}" --port "$PORT_DOCS" --connections 4 --requests 40 \
  --workload documents)
echo "$OUT"
check "$OUT" 's["ok"] == 40' 's["sent"] == 40' 's["errors"]["total"] == 0' \
  's["workload"] == "documents"' 's["document_type"] is None' \
  's["documents"]["from"] == "000.00.00.G22"' 's["documents"]["to"] == "000.00.00.H20"' \
  's["documents"]["attachment_bytes"] == 102400' \
  '136000 < s["documents"]["body_bytes"] < 150000' 's["documents"]["issued"] == 40'
# What nginx received (no warm-up: every issued body was sent once).
"$PYTHON" - "$WORK/land.log" "$WORK/documents.log" <<'EOF'
import base64, json, re, sys
import xml.etree.ElementTree as ET

def bodies(path):
    out = []
    for line in open(path, encoding="utf-8").read().splitlines():
        content_type, body = line.split("\t", 1)
        out.append((content_type, json.loads('"' + body + '"')))
    return out

land = bodies(sys.argv[1])
assert len(land) == 30, f"{len(land)} land lookups logged, expected 30"
subjects = set()
for content_type, body in land:
    assert content_type == "application/json", content_type
    lookup = json.loads(body)
    assert lookup["documentType"] == "DD01" and lookup["maxAgeSeconds"] == 0, lookup
    assert re.fullmatch(r"\d{5}-\d{1,3}-\d{1,4}", lookup["subjectId"]), lookup
    subjects.add(lookup["subjectId"])
assert len(subjects) == 10, f"{len(subjects)} distinct parcels, expected --distinct 10"

NS = {"e": "http://www.mic.gov.vn/TBT/QCVN_102_2016"}
docs = bodies(sys.argv[2])
assert len(docs) == 40, f"{len(docs)} documents logged, expected 40"
ids, attachments = set(), set()
for content_type, body in docs:
    assert content_type == "application/xml", content_type
    root = ET.fromstring(body.encode("utf-8"))
    header = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", NS)
    organ = header.findtext("e:From/e:OrganId", namespaces=NS)
    to = [t.findtext("e:OrganId", namespaces=NS) for t in header.findall("e:To", NS)]
    assert organ == "000.00.00.G22" and to == ["000.00.00.H20"], (organ, to)
    date = header.findtext("e:PromulgationInfo/e:PromulgationDate", namespaces=NS)
    code = (header.findtext("e:Code/e:CodeNumber", namespaces=NS) + "/" +
            header.findtext("e:Code/e:CodeNotation", namespaces=NS))
    document_id = header.findtext("e:DocumentId", namespaces=NS)
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", date), date
    assert document_id == f"{organ},{date},{code}", document_id
    bussiness = root.findtext("e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList/e:Bussiness/"
                              "e:DocumentId", namespaces=NS)
    assert bussiness == document_id, bussiness
    encoded = root.findall("e:AttachmentEncoded/e:Attachment", NS)
    assert len(encoded) == 1, len(encoded)
    data = base64.b64decode(encoded[0].findtext("e:ContentTransferEncoded", namespaces=NS))
    assert len(data) == 102400, len(data)
    ids.add(document_id)
    attachments.add(data)
assert len(ids) == 40, f"only {len(ids)} distinct DocumentIds in 40 documents"
assert len(attachments) == 1, "the attachment differs between documents"
print("30 land lookups and 40 edXML documents checked: 40 distinct DocumentIds")
EOF
# Refused before any request: documents over Thrift; a recipient that is not an organ code
# (lienthong-load validates its first envelope with the gateway's edXML rules at start).
set +e
"$LOAD" "${COMMON[@]}" --port "$PORT_DOCS" --workload documents --protocol thrift --requests 1 \
  >/dev/null 2>"$WORK/stderr.log"
RC=$?
set -e
[[ $RC -eq 2 ]] && grep -q "http only" "$WORK/stderr.log" ||
  { echo "FAILED: --workload documents over thrift was not refused (exit $RC)"; exit 1; }
set +e
"$LOAD" "${COMMON[@]}" --port "$PORT_DOCS" --workload documents --to-organ H20 --requests 1 \
  >/dev/null 2>"$WORK/stderr.log"
RC=$?
set -e
[[ $RC -eq 2 ]] && grep -q "MessageHeader/To" "$WORK/stderr.log" ||
  { echo "FAILED: a bad --to-organ was not refused (exit $RC)"; cat "$WORK/stderr.log"; exit 1; }

if [[ -z "$GEN_PY" ]]; then
  echo "6. skipped: no GEN_PY (python code generated from lienthong.thrift)"
  echo "smoke test passed"
  exit 0
fi

echo "6. thrift"
cat >"$WORK/exchange_stub.py" <<'EOF'
import ssl, sys
sys.path.insert(0, sys.argv[1])
from lienthong import Exchange
from lienthong.ttypes import ErrorCode, LookupError, LookupResponse, Record, RecordField
from thrift.protocol import TBinaryProtocol
from thrift.server import TServer
from thrift.transport import TSSLSocket, TTransport

class Handler:
    def lookup(self, r):
        wellformed = (len(r.subjectId) == 12 and r.subjectId.isdigit() and
                      r.documentType == "CD01" and r.officer.account == "canbo.load" and
                      r.purpose.dossierCode == "000.00.00.G22-261122-0001")
        if not wellformed:
            raise LookupError(ErrorCode.BAD_REQUEST, "BAD_REQUEST", "unexpected request")
        if r.maxAgeSeconds == 0:
            raise LookupError(ErrorCode.NOT_FOUND, "NOT_FOUND", "stub: maxAgeSeconds=0")
        record = Record(r.subjectId + ".CD01", r.subjectId, "CD01", [RecordField("ho_ten", "x")],
                        "stub", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")
        return LookupResponse("stub-1", record, False, "<envelope/>")

ec, port = sys.argv[2], int(sys.argv[3])
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(ec + "/gateway-tls.fullchain.pem", ec + "/gateway-tls.key")
context.load_verify_locations(ec + "/chain.pem")
context.verify_mode = ssl.CERT_REQUIRED
# The chain is checked by the context; python-thrift would also match the client certificate
# against the client's address, which a member certificate never names.
socket = TSSLSocket.TSSLServerSocket(host="127.0.0.1", port=port, ssl_context=context,
                                     validate_callback=lambda cert, host: None)
TServer.TThreadedServer(Exchange.Processor(Handler()), socket,
                        TTransport.TFramedTransportFactory(),
                        TBinaryProtocol.TBinaryProtocolFactory(), daemon=True).serve()
EOF
"$PYTHON" "$WORK/exchange_stub.py" "$GEN_PY" "$EC" "$PORT_THRIFT" 2>"$WORK/stub.log" &
STUB_PID=$!
wait_for "$PORT_THRIFT" || { echo "FAILED: thrift stub did not start"; cat "$WORK/stub.log"; exit 1; }
OUT=$("$LOAD" "${COMMON[@]}" --protocol thrift --port "$PORT_THRIFT" --connections 4 \
  --duration 1)
echo "$OUT"
check "$OUT" 's["protocol"] == "thrift"' 's["ok"] > 0' 's["errors"]["total"] == 0' \
  's["connections_open"] == 4' 's["ok"] == s["sent"]' '0 < s["latency_ms"]["p50"] < 1000'
set +e
OUT=$("$LOAD" "${COMMON[@]}" --protocol thrift --port "$PORT_THRIFT" --connections 2 \
  --requests 20 --max-age 0)
RC=$?
set -e
echo "$OUT"
[[ $RC -eq 1 ]] || { echo "FAILED: exit status $RC, expected 1"; exit 1; }
check "$OUT" 's["ok"] == 0' 's["errors"]["code"] == {"NOT_FOUND": 20}' \
  's["errors"]["total"] == 20' 's["errors"]["transport"] == {}'

echo "smoke test passed"
