#!/usr/bin/python3
"""Starts and stops a whole lienthong stack on loopback: redis-server, the lienthong-sim
SIMULATORS of the national systems (population DB; with `systems`, also the enterprise registry,
social insurance, the land database and the document axis) and lienthong-gateway, with
configuration written from a template. With the axis, a second redis-server (AOF, fsync always)
holds the document outbox and inbox.

Used three ways:
  ops/run.sh / ops/stop.sh      ops/stack.py start|stop --dir var/demo   (processes stay up)
  integration tests             Stack(...) as a context manager           (ephemeral ports, cleanup)
  ops/bench.sh                  the same, with simulator knobs

Only the Python standard library (run with /usr/bin/python3)."""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import ssl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

POLICY = """\
# Access policy of the demo and the integration tests (format: README "Access policy").
# Least privilege: a member not listed here is refused (ACCESS_DENIED).

[[member]]
organ = "000.00.00.G22"
name = "Văn phòng Chính phủ (ministry system, Thrift)"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["*"]
{g22_grants}

[[member]]
organ = "000.00.00.H20"
name = "UBND tỉnh Đồng Tháp (provincial one-stop system, HTTPS)"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["so_dinh_danh", "ho_va_ten", "gioi_tinh", "ngay_sinh", "thuong_tru.*", "noi_o_hien_tai.*"]
{h20_grants}
# A provincial system that must sign every request (JWS with its certificate's key). It has no
# population grant: asking for a citizen record is ACCESS_DENIED.
[[member]]
organ = "001.00.10.H47"
name = "UBND tỉnh Quảng Nam (signed JSON only)"
request_signature = "required"
{h47_grants}

# Members whose certificates name an OCSP responder (the integration test of OCSP pins them).
[[member]]
organ = "000.00.00.H31"
name = "OCSP dev member"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_va_ten"]

[[member]]
organ = "000.00.00.H32"
name = "OCSP dev member, revoked"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_va_ten"]

# Granted on purpose: these two are refused for their certificates (revoked, expired), not
# for the policy.
[[member]]
organ = "000.00.00.H29"
name = "revoked dev member"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_va_ten"]

[[member]]
organ = "000.00.00.H30"
name = "expired dev member"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_va_ten"]
"""

GATEWAY = """\
# lienthong-gateway configuration written by ops/stack.py (reference: README "Configuration").
[gateway]
log_level = "{log_level}"
worker_threads = {workers}
port_file = "{dir}/gateway.ports"

[tls]
certificate_chain = "{pki}/ec/gateway-tls.fullchain.pem"
private_key = "{pki}/ec/gateway-tls.key"
client_trust = "{dir}/trust"

[http]
address = "127.0.0.1"
port = {http_port}
threads = {http_threads}

[thrift]
address = "127.0.0.1"
port = {thrift_port}

# The admin API (docs/admin/api.md): its own HTTPS port, the dev administrator only.
[admin]
address = "127.0.0.1"
port = {admin_port}
client_trust = "{dir}/trust"
administrators = ["{pki}/ec/admin-g22.crt"]

[signing]
key = "{pki}/ec/gateway-sign.key"
certificate = "{pki}/ec/gateway-sign.crt"
chain = ["{pki}/ec/intermediate-ca.crt"]

[policy]
file = "{dir}/policy.toml"

[cache]
enabled = true
redis_host = "127.0.0.1"
redis_port = {redis_port}
sealing_key = "{dir}/cache.key"

[audit]
directory = "{dir}/audit"
fsync = "{fsync}"

[adapters.population]
url = "https://127.0.0.1:{sim_port}/dancu/TraCuuThongTinCongDan"
mapping = "{root}/mappings/population.toml"
upstream_ca = "{pki}/ec/root-ca.crt"
client_certificate = "{pki}/ec/gateway-client.fullchain.pem"
client_key = "{pki}/ec/gateway-client.key"
signer_trust = "{pki}/ec/trust"
trusted_signers = ["lienthong-sim population (SIMULATOR)"]
username = "lienthong-dev"
secret = "dev-secret-not-for-production"
api_key = "dev-api-key"
x_road_client = "VN/GOV/000.00.00.G22/LIENTHONG"
ma_dvc = "LIENTHONG-DEV"
timeout_ms = {timeout_ms}
connect_timeout_ms = {connect_timeout_ms}
max_connections = {upstream_connections}
{rest_adapters}"""

# The REST upstreams behind their API manager (adapters/business, adapters/insurance).
REST_ADAPTER = """
[adapters.{system}]
url = "https://127.0.0.1:{port}{path}"
token_url = "/token"
client_id = "lienthong-dev"
client_secret = "dev-secret-not-for-production"
mapping = "{root}/mappings/{system}.toml"
upstream_ca = "{pki}/ec/root-ca.crt"
client_certificate = "{pki}/ec/gateway-client.fullchain.pem"
client_key = "{pki}/ec/gateway-client.key"
signer_trust = "{pki}/ec/trust"
trusted_signers = ["lienthong-sim {system} (SIMULATOR)"]
timeout_ms = {timeout_ms}
connect_timeout_ms = {connect_timeout_ms}
max_connections = {upstream_connections}
"""

REST_PATHS = {"business": "/apiCSDLDKDN/1.0/chiTietDoanhNghiep",
              "insurance": "/bhxh/1.0/traCuuQuaTrinhDong"}

# Grants per member for the REST adapters, written only when those simulators run.
REST_GRANTS = {
    "g22": {"business": ["*"], "insurance": ["*"]},
    "h20": {"business": ["ma_so_doanh_nghiep", "ten", "tinh_trang", "tru_so.*", "nguoi_dai_dien"]},
    # Repeated parts are granted by their catalogue name: "qua_trinh[].*" is every period.
    "h47": {"insurance": ["ma_so_bhxh", "ho_ten", "qua_trinh[].*"]},
}
DOCUMENT_TYPES = {"business": "DN01", "insurance": "BH01", "land": "DD01"}

# The land database: XML with XML-DSig like the population DB (adapters/land/README.md).
LAND_ADAPTER = """
[adapters.land]
url = "https://127.0.0.1:{port}/dat-dai/TraCuuThuaDat"
mapping = "{root}/mappings/land.toml"
commune_codes = "{root}/adapters/land/communes-synthetic.csv"
upstream_ca = "{pki}/ec/root-ca.crt"
client_certificate = "{pki}/ec/gateway-client.fullchain.pem"
client_key = "{pki}/ec/gateway-client.key"
signer_trust = "{pki}/ec/trust"
trusted_signers = ["lienthong-sim land (SIMULATOR)"]
x_road_client = "VN/GOV/000.00.00.G22/LIENTHONG"
ma_dvc = "LIENTHONG-DEV"
timeout_ms = {timeout_ms}
connect_timeout_ms = {connect_timeout_ms}
max_connections = {upstream_connections}
"""
# The document axis (gateway/documents, docs/documents.md): the outbox and inbox on a Redis of
# their own with AOF and fsync always; the gateway receives for the two dev organs it serves.
DOCUMENTS = """
[documents]
axis_url = "https://127.0.0.1:{port}"
upstream_ca = "{pki}/ec/root-ca.crt"
client_certificate = "{pki}/ec/gateway-client.fullchain.pem"
client_key = "{pki}/ec/gateway-client.key"
token_url = "/token"
client_id = "lienthong-dev"
client_secret = "dev-secret-not-for-production"
signer_trust = "{pki}/ec/trust"
sealing_key = "{dir}/documents.key"
redis_host = "127.0.0.1"
redis_port = {redis_port}
receive_for = ["000.00.00.G22", "000.00.00.H20"]
poll_interval_ms = {poll_ms}
lease_ms = {lease_ms}
backoff_initial_ms = 200
backoff_max_ms = 2000
deliver_max_attempts = 1000
timeout_ms = {timeout_ms}
connect_timeout_ms = {connect_timeout_ms}
"""
# Both dev organs may send and receive documents.
DOCUMENT_GRANTS = {"g22": ["send", "receive"], "h20": ["send", "receive"]}
SIM_CERTIFICATES = {"axis": "sim-documents"}

# Land grants: the ministry sees everything; the province the parcel and the certificate, and
# of the owners only their names (not their personal IDs).
LAND_GRANTS = {"g22": ["*"], "h20": ["thua_dat.*", "gcn.*", "so_chu", "chu_1.ho_ten",
                                     "chu_2.ho_ten", "chu_3.ho_ten"]}


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


# The dev PKI's members that the stack's trust directory pins (organ code, certificate name).
DEV_MEMBERS = (("000.00.00.G22", "member-g22"), ("000.00.00.H20", "member-h20"),
               ("001.00.10.H47", "member-h47"))


class Stack:
    """redis-server + lienthong-sim + lienthong-gateway. Ports are ephemeral unless given."""

    def __init__(self, build_dir, pki, work_dir, sim_args=(), log_level="warn", fsync="batch",
                 workers=0, http_threads=0, timeout_ms=5000, upstream_connections=512,
                 connect_timeout_ms=2000, detach=False, systems=("population",), sim_log_level="warn",
                 ocsp_url=None):
        self.build_dir = os.path.abspath(build_dir)
        self.pki = os.path.abspath(pki)
        self.dir = os.path.abspath(work_dir)
        self.sim_args = list(sim_args)
        self.log_level = log_level
        self.fsync = fsync
        self.workers = workers
        self.http_threads = http_threads
        self.timeout_ms = timeout_ms
        self.upstream_connections = upstream_connections
        self.connect_timeout_ms = connect_timeout_ms
        self.detach = detach
        # Which simulators run besides the population DB: "business", "insurance", "land".
        self.rest_systems = [s for s in systems if s in REST_PATHS]
        self.land = "land" in systems
        self.axis = "axis" in systems
        # The deliverer's lease and the receiver's poll: short in tests that kill the gateway.
        self.documents_lease_ms = 5000
        self.documents_poll_ms = 200
        self.sim_log_level = sim_log_level
        # OCSP for members whose issuer (the EC dev intermediate) answers at this URL.
        self.ocsp_url = ocsp_url
        self.procs = {}
        self.ports = {}

    # --- binaries -------------------------------------------------------------------------
    def binary(self, name):
        for sub in ("", "gateway", "adapters/population", "tools/lienthong", "tools/lienthong-load"):
            path = os.path.join(self.build_dir, sub, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
        raise FileNotFoundError(f"{name} not built in {self.build_dir}")

    def _spawn(self, name, argv, **kw):
        with open(os.path.join(self.dir, f"{name}.log"), "ab") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=log, start_new_session=self.detach,
                                    **kw)
        self.procs[name] = proc
        with open(os.path.join(self.dir, f"{name}.pid"), "w") as f:
            f.write(str(proc.pid))
        return proc

    # --- parts ----------------------------------------------------------------------------
    def _start_redis(self, name, port, data_dir, persistence, what):
        self.ports[name] = port or self.ports.get(name) or free_port()
        os.makedirs(data_dir, exist_ok=True)
        self._spawn(name, ["redis-server", "--port", str(self.ports[name]), "--bind",
                           "127.0.0.1", "--save", "", *persistence, "--dir", data_dir,
                           "--protected-mode", "yes"])

        def up():
            try:
                with socket.create_connection(("127.0.0.1", self.ports[name]), 0.2) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False
        wait_for(up, 20, what)

    def start_redis(self, port=None):
        """The record cache's Redis: a cache, so no persistence."""
        self._start_redis("redis", port, self.dir, ["--appendonly", "no"], "redis-server")

    def stop_redis(self, sig=signal.SIGTERM):
        self._stop("redis", sig)

    def start_documents_redis(self, port=None):
        """The outbox's and inbox's Redis: AOF with fsync before every reply, never evicting
        (gateway/outbox/README.md "Redis settings required"); its data stays in dir/redis-docs
        across restarts."""
        self._start_redis("redis_docs", port, os.path.join(self.dir, "redis-docs"),
                          ["--appendonly", "yes", "--appendfsync", "always",
                           "--maxmemory-policy", "noeviction"], "redis-server (documents)")

    def stop_documents_redis(self, sig=signal.SIGTERM):
        self._stop("redis_docs", sig)

    def start_sim(self):
        port_file = os.path.join(self.dir, "sim.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        ec = os.path.join(self.pki, "ec")
        self._spawn("sim", [self.binary("lienthong-sim"),
                            "--listen", "127.0.0.1:" + str(self.ports.get("sim", 0)),
                            "--port-file", port_file,
                            "--tls-cert", f"{ec}/sim-population.fullchain.pem",
                            "--tls-key", f"{ec}/sim-population.key",
                            "--client-ca", f"{ec}/root-ca.crt",
                            *self.sim_args])
        def port_written():
            if self.procs["sim"].poll() is not None:
                raise RuntimeError("lienthong-sim exited:\n" + read(os.path.join(self.dir, "sim.log")))
            return os.path.exists(port_file) and read(port_file).strip()
        wait_for(port_written, 30, "lienthong-sim")
        self.ports["sim"] = int(read(port_file).strip())

    def start_rest_sim(self, system):
        """lienthong-sim --system business|insurance (JWS-signed REST behind a token), or
        land (XML-DSig): any simulator but the population DB's, with its own certificate."""
        port_file = os.path.join(self.dir, f"{system}.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        ec = os.path.join(self.pki, "ec")
        cert = SIM_CERTIFICATES.get(system, f"sim-{system}")
        self._spawn(system, [self.binary("lienthong-sim"), "--system", system,
                             "--listen", "127.0.0.1:" + str(self.ports.get(system, 0)),
                             "--port-file", port_file,
                             "--tls-cert", f"{ec}/{cert}.fullchain.pem",
                             "--tls-key", f"{ec}/{cert}.key",
                             "--client-ca", f"{ec}/root-ca.crt",
                             "--log-level", self.sim_log_level])

        def port_written():
            if self.procs[system].poll() is not None:
                raise RuntimeError(f"lienthong-sim --system {system} exited:\n" +
                                   read(os.path.join(self.dir, f"{system}.log")))
            return os.path.exists(port_file) and read(port_file).strip()
        wait_for(port_written, 60, f"lienthong-sim --system {system}")
        self.ports[system] = int(read(port_file).strip())

    def policy_text(self):
        def grants(member):
            out = []
            granted = {s: f for s, f in REST_GRANTS[member].items() if s in self.rest_systems}
            if self.land and member in LAND_GRANTS:
                granted["land"] = LAND_GRANTS[member]
            for system, fields in granted.items():
                out.append(f'  [[member.grant]]\n  adapter = "{system}"\n'
                           f'  document_types = ["{DOCUMENT_TYPES[system]}"]\n'
                           f'  fields = {json.dumps(fields)}\n')
            if self.axis and member in DOCUMENT_GRANTS:
                out.append(f'  [[member.grant]]\n  adapter = "documents"\n'
                           f'  document_types = {json.dumps(DOCUMENT_GRANTS[member])}\n'
                           f'  fields = ["*"]\n')
            return "".join(out)
        return POLICY.format(g22_grants=grants("g22"), h20_grants=grants("h20"),
                             h47_grants=grants("h47"))

    def write_trust(self):
        """The stack's own trust directory: the dev PKI's anchors, intermediates and CRLs, and
        the three dev members pinned with `lienthong trust pin-member`, as an administrator
        would. Tests change it (pin, unpin) without touching the shared dev PKI."""
        trust = os.path.join(self.dir, "trust")
        if os.path.isdir(trust):
            return
        shutil.copytree(os.path.join(self.pki, "ec", "trust"), trust + ".tmp")
        for organ, name in DEV_MEMBERS:
            subprocess.run([self.binary("lienthong"), "trust", "pin-member", "--dir",
                            trust + ".tmp", f"{self.pki}/ec/{name}.crt", "--organ", organ],
                           check=True, capture_output=True, timeout=60)
        os.rename(trust + ".tmp", trust)

    def ocsp_section(self):
        if not self.ocsp_url:
            return ""
        return (f'\n[ocsp]\nenabled = true\nrefresh_margin_s = 30\ntimeout_ms = 2000\n'
                f'when_unavailable = "fail_closed"\n'
                f'[ocsp.issuers.dev-intermediate]\n'
                f'certificate = "{self.pki}/ec/intermediate-ca.crt"\n'
                f'responder_url = "{self.ocsp_url}"\n\n')

    def write_config(self):
        os.makedirs(self.dir, exist_ok=True)
        self.write_trust()
        with open(os.path.join(self.dir, "policy.toml"), "w") as f:
            f.write(self.policy_text())
        key = os.path.join(self.dir, "cache.key")
        if not os.path.exists(key):
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, (secrets.token_hex(32) + "\n").encode())
            os.close(fd)
        rest = "".join(REST_ADAPTER.format(system=system, port=self.ports[system],
                                           path=REST_PATHS[system], root=ROOT, pki=self.pki,
                                           timeout_ms=self.timeout_ms,
                                           connect_timeout_ms=self.connect_timeout_ms,
                                           upstream_connections=self.upstream_connections)
                       for system in self.rest_systems)
        if self.land:
            rest += LAND_ADAPTER.format(port=self.ports["land"], root=ROOT, pki=self.pki,
                                        timeout_ms=self.timeout_ms,
                                        connect_timeout_ms=self.connect_timeout_ms,
                                        upstream_connections=self.upstream_connections)
        if self.axis:
            key = os.path.join(self.dir, "documents.key")
            if not os.path.exists(key):
                fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.write(fd, (secrets.token_hex(32) + "\n").encode())
                os.close(fd)
            rest += DOCUMENTS.format(port=self.ports["axis"], pki=self.pki, dir=self.dir,
                                     redis_port=self.ports["redis_docs"],
                                     poll_ms=self.documents_poll_ms,
                                     lease_ms=self.documents_lease_ms,
                                     timeout_ms=self.timeout_ms,
                                     connect_timeout_ms=self.connect_timeout_ms)
        with open(os.path.join(self.dir, "gateway.toml"), "w") as f:
            f.write(GATEWAY.format(dir=self.dir, pki=self.pki, root=ROOT, rest_adapters=rest,
                                   http_port=self.ports.get("http", 0),
                                   thrift_port=self.ports.get("thrift", 0),
                                   admin_port=self.ports.get("admin", 0),
                                   redis_port=self.ports["redis"], sim_port=self.ports["sim"],
                                   log_level=self.log_level, fsync=self.fsync,
                                   workers=self.workers, http_threads=self.http_threads,
                                   timeout_ms=self.timeout_ms,
                                   connect_timeout_ms=self.connect_timeout_ms,
                                   upstream_connections=self.upstream_connections))
            f.write(self.ocsp_section())

    def start_gateway(self):
        port_file = os.path.join(self.dir, "gateway.ports")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.write_config()
        proc = self._spawn("gateway", [self.binary("lienthong-gateway"), "--config",
                                       os.path.join(self.dir, "gateway.toml")])

        def ready():
            if proc.poll() is not None:
                log = read(os.path.join(self.dir, "gateway.log"))
                raise RuntimeError(f"lienthong-gateway exited {proc.returncode}:\n{log[-3000:]}")
            return os.path.exists(port_file)
        wait_for(ready, 30, "lienthong-gateway")
        for line in read(port_file).splitlines():
            name, _, value = line.strip().partition("=")
            self.ports[name] = int(value)

    def stop_gateway(self, sig=signal.SIGTERM):
        self._stop("gateway", sig)

    def _stop(self, name, sig=signal.SIGTERM):
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def start(self):
        """Starts every part; on failure stops what was started and raises."""
        os.makedirs(self.dir, exist_ok=True)
        try:
            self.start_redis()
            self.start_sim()
            for system in self.rest_systems:
                self.start_rest_sim(system)
            if self.land:
                self.start_rest_sim("land")
            if self.axis:
                self.start_documents_redis()
                self.start_rest_sim("axis")
            self.start_gateway()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        for name in ("gateway", "sim", *REST_PATHS, "land", "axis", "redis", "redis_docs"):
            self._stop(name)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()

    # --- clients --------------------------------------------------------------------------
    def tls_context(self, member="member-g22"):
        ec = os.path.join(self.pki, "ec")
        ctx = ssl.create_default_context(cafile=f"{ec}/root-ca.crt")
        ctx.load_cert_chain(f"{ec}/{member}.fullchain.pem", f"{ec}/{member}.key")
        return ctx

    def https(self, method, path, body=None, member="member-g22", content_type="application/json"):
        """(status, headers, body bytes) from the gateway's HTTPS front."""
        req = urllib.request.Request(f"https://127.0.0.1:{self.ports['http']}{path}",
                                     data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self.tls_context(member), timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def admin(self, method, path, body=None, cert="admin-g22", content_type="application/json"):
        """(status, headers, body bytes) from the gateway's admin API (stack.ports["admin"]),
        as the dev administrator unless `cert` names another dev PKI certificate."""
        req = urllib.request.Request(f"https://127.0.0.1:{self.ports['admin']}{path}",
                                     data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self.tls_context(cert), timeout=60) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def sim_request(self, method, path, body=None, system="sim"):
        """JSON from a simulator's own endpoints (knobs, stats): "sim" is the population DB."""
        ec = os.path.join(self.pki, "ec")
        ctx = ssl.create_default_context(cafile=f"{ec}/root-ca.crt")
        ctx.load_cert_chain(f"{ec}/gateway-client.fullchain.pem", f"{ec}/gateway-client.key")
        req = urllib.request.Request(f"https://127.0.0.1:{self.ports[system]}{path}",
                                     data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return json.loads(r.read() or b"{}")

    def metric(self, name_with_labels):
        """The value of one Prometheus sample from /metrics, 0 if absent."""
        status, _, body = self.https("GET", "/metrics")
        assert status == 200, status
        for line in body.decode().splitlines():
            if line.startswith(name_with_labels + " "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=["start", "stop"])
    ap.add_argument("--dir", default=os.path.join(ROOT, "var", "demo"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--pki", default=os.path.join(ROOT, "var", "pki"))
    ap.add_argument("--http-port", type=int, default=0)
    ap.add_argument("--thrift-port", type=int, default=0)
    ap.add_argument("--admin-port", type=int, default=0)
    ap.add_argument("--log-level", default="info")
    args = ap.parse_args()
    if args.action == "stop":
        stopped = []
        for name in ("gateway", "sim", *REST_PATHS, "land", "axis", "redis", "redis_docs"):
            pid_file = os.path.join(args.dir, f"{name}.pid")
            if not os.path.exists(pid_file):
                continue
            pid = int(read(pid_file))
            try:
                os.kill(pid, signal.SIGTERM)
                for _ in range(150):
                    os.kill(pid, 0)
                    time.sleep(0.1)
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.unlink(pid_file)
            stopped.append(name)
        print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
        return
    if os.path.isdir(args.dir):
        shutil.rmtree(args.dir)
    stack = Stack(args.build, args.pki, args.dir, log_level=args.log_level, detach=True,
                  systems=("population", *REST_PATHS, "land", "axis"))
    stack.ports.update(http=args.http_port, thrift=args.thrift_port, admin=args.admin_port)
    try:
        stack.start()
    except BaseException:
        stack.stop()
        raise
    print(json.dumps(stack.ports))


if __name__ == "__main__":
    main()
