#!/usr/bin/env bash
# dev-pki.sh - generate the lienthong DEVELOPMENT PKI (tests and demos only).
#
# Usage: certs/dev-pki.sh [OUT_DIR] [--force]
#
#   OUT_DIR  output folder (default: <repo root>/var/pki). Relative paths are
#            resolved against the current working directory.
#   --force  rebuild even if OUT_DIR/.complete already exists.
#
# Builds two parallel hierarchies (OUT_DIR/rsa: RSA-2048, OUT_DIR/ec: ECDSA
# P-256) with `openssl ca`, so each CA keeps an index and can issue CRLs. The
# PKI is built in a temporary sibling folder and renamed into place at the end;
# OUT_DIR/.complete is written last. See certs/README.md for the layout.
#
# Everything here is for development only: the keys are unencrypted and must
# never be committed or used outside tests and demos.

set -euo pipefail

readonly PROG="${0##*/}"
SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
readonly SCRIPT_DIR
REPO_ROOT="$(dirname -- "$SCRIPT_DIR")"
readonly REPO_ROOT

readonly ORG="lienthong development"
readonly SIM_ORG="lienthong simulator — not a national system"
readonly SUBSYSTEM="một cửa"

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

usage() {
  sed -n '4,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

# ----------------------------------------------------------------------------
# Arguments
# ----------------------------------------------------------------------------
out_arg=""
force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option: $arg (see --help)" ;;
    *)
      [[ -z "$out_arg" ]] || die "only one OUT_DIR may be given"
      out_arg="$arg"
      ;;
  esac
done
[[ -n "$out_arg" ]] || out_arg="$REPO_ROOT/var/pki"

command -v openssl >/dev/null 2>&1 || die "openssl CLI not found"

# Resolve OUT_DIR to an absolute path (against the caller's cwd), creating its
# parent if needed. Trailing slashes are ignored.
while [[ "$out_arg" == */ && "$out_arg" != "/" ]]; do out_arg="${out_arg%/}"; done
out_base="$(basename -- "$out_arg")"
out_parent="$(dirname -- "$out_arg")"
case "$out_base" in
  /|.|..) die "refusing to use '$out_arg' as OUT_DIR" ;;
esac
mkdir -p -- "$out_parent"
OUT_DIR="$(cd -- "$out_parent" && pwd -P)/$out_base"
readonly OUT_DIR

case "$OUT_DIR" in
  "$REPO_ROOT"|"$SCRIPT_DIR"|"${HOME:-/nonexistent}"|/) die "refusing to use '$OUT_DIR' as OUT_DIR" ;;
esac

readonly NAMES=(root-ca intermediate-ca gateway-sign gateway-tls gateway-client
                member-g22 member-h20 member-h47 member-revoked member-expired
                sim-population sim-business sim-insurance sim-land sim-documents
                ocsp-responder member-ocsp member-ocsp-revoked admin-g22)

# A complete PKI is kept unless its CRLs go stale within two days (they last 30 days): then
# verifiers would refuse every certificate with "revocation status unknown", so rebuild.
crls_fresh() {
  local crl
  for crl in "$OUT_DIR"/rsa/intermediate-ca.crl.pem "$OUT_DIR"/ec/intermediate-ca.crl.pem; do
    [[ -f "$crl" ]] || return 1
    local next
    next="$(openssl crl -in "$crl" -noout -nextupdate 2>/dev/null | sed 's/^nextUpdate=//')" || return 1
    [[ -n "$next" ]] || return 1
    (( $(date -u -d "$next" +%s) > $(date -u +%s) + 2 * 86400 )) || return 1
  done
}
# A PKI made by an older version of this script lacks certificates added since: rebuild it.
has_all_names() {
  local name
  for name in "${NAMES[@]}"; do [[ -f "$OUT_DIR/ec/$name.crt" ]] || return 1; done
}
if [[ -e "$OUT_DIR/.complete" && "$force" -eq 0 ]]; then
  if crls_fresh && has_all_names; then
    echo "dev PKI already present in $OUT_DIR"
    exit 0
  fi
  echo "dev PKI in $OUT_DIR is missing certificates or has CRLs that expire within two days: rebuilding"
  force=1
fi
if [[ -e "$OUT_DIR" && ! -d "$OUT_DIR" ]]; then
  die "$OUT_DIR exists and is not a directory"
fi
if [[ -d "$OUT_DIR" && "$force" -eq 0 ]] && [[ -n "$(ls -A -- "$OUT_DIR")" ]]; then
  die "$OUT_DIR exists but is not a complete dev PKI (no .complete); re-run with --force to replace it"
fi

# ----------------------------------------------------------------------------
# Temporary build folder (sibling of OUT_DIR, same filesystem => atomic rename)
# ----------------------------------------------------------------------------
umask 022
BUILD="$(mktemp -d -- "$(dirname -- "$OUT_DIR")/.${out_base}.tmp.XXXXXX")"
LOG="$BUILD/.log"   # overridden per job in build_kt
old_dir=""
job_pids=()
cleanup() {
  local rc=$? pid
  # Stop our own background jobs (if any) before removing their folder.
  for pid in "${job_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${job_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n "$BUILD" && -d "$BUILD" ]] && rm -rf -- "$BUILD"
  [[ -n "$old_dir" && -d "$old_dir" ]] && rm -rf -- "$old_dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# run CMD...: run quietly; on failure show the captured output and abort.
run() {
  if ! "$@" >"$LOG" 2>&1; then
    {
      printf '%s: command failed:' "$PROG"; printf ' %q' "$@"; printf '\n'
      cat -- "$LOG"
    } >&2
    exit 1
  fi
}

JOBS="$(nproc 2>/dev/null || echo 2)"

# ----------------------------------------------------------------------------
# Per-hierarchy helpers. All take the hierarchy folder (<BUILD>/<kt>) first.
# ----------------------------------------------------------------------------

# write_ca_config KT_DIR: the openssl config used for both CAs of a hierarchy.
# Paths are relative to <kt>/.ca so that the folder can be moved.
write_ca_config() {
  local kt_dir="$1"
  cat >"$kt_dir/.ca/openssl.cnf" <<'EOF'
# openssl config for the lienthong DEVELOPMENT CAs (generated by certs/dev-pki.sh).
# Relative paths: run openssl from this folder (<OUT_DIR>/<kt>/.ca), e.g.
#   openssl ca -config openssl.cnf -name CA_intermediate -rand_serial ...
#   openssl ca -config openssl.cnf -name CA_intermediate -gencrl -out ../intermediate-ca.crl.pem

[ ca ]
default_ca = CA_intermediate

[ CA_root ]
dir              = ./root
database         = $dir/index.txt
serial           = $dir/serial
crlnumber        = $dir/crlnumber
new_certs_dir    = $dir/newcerts
certificate      = ../root-ca.crt
private_key      = ../root-ca.key
default_md       = sha256
default_days     = 730
default_crl_days = 30
crl_extensions   = crl_ext
policy           = policy_loose
preserve         = yes
email_in_dn      = no
unique_subject   = no
copy_extensions  = none
string_mask      = utf8only
name_opt         = utf8,sep_comma_plus_space
cert_opt         = ca_default

[ CA_intermediate ]
dir              = ./intermediate
database         = $dir/index.txt
serial           = $dir/serial
crlnumber        = $dir/crlnumber
new_certs_dir    = $dir/newcerts
certificate      = ../intermediate-ca.crt
private_key      = ../intermediate-ca.key
default_md       = sha256
default_days     = 730
default_crl_days = 30
crl_extensions   = crl_ext
policy           = policy_loose
preserve         = yes
email_in_dn      = no
unique_subject   = no
copy_extensions  = none
string_mask      = utf8only
name_opt         = utf8,sep_comma_plus_space
cert_opt         = ca_default

[ policy_loose ]
countryName            = optional
stateOrProvinceName    = optional
localityName           = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied

[ req ]
distinguished_name = req_dn
string_mask        = utf8only
utf8               = yes
prompt             = no

[ req_dn ]
CN = placeholder

[ v3_root ]
basicConstraints     = critical, CA:TRUE
keyUsage             = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
}

# new_serial KT_DIR CA: store a fresh random 16-byte positive serial for CA.
new_serial() {
  local hex
  hex="$(openssl rand -hex 16)"
  # First nibble 1..7: positive, and exactly 16 bytes once DER-encoded.
  printf '%s%s\n' "$(( (RANDOM % 7) + 1 ))" "${hex:1}" >"$1/.ca/$2/serial"
}

# make_csr KT_DIR NAME SUBJECT
make_csr() {
  local kt_dir="$1" name="$2" subj="$3"
  run openssl req -new -config "$kt_dir/.ca/openssl.cnf" -utf8 \
    -key "$kt_dir/$name.key" -subj "$subj" -out "$kt_dir/.ca/csr/$name.csr"
}

# sign KT_DIR CA NAME SUBJECT EXT_SECTION [EXTFILE] -- [extra openssl ca args]
sign() {
  local kt_dir="$1" ca="$2" name="$3" subj="$4" section="$5" extfile="${6:-}"
  shift 6
  [[ "${1:-}" == "--" ]] && shift
  make_csr "$kt_dir" "$name" "$subj"
  new_serial "$kt_dir" "$ca"
  local args=(ca -config openssl.cnf -name "CA_$ca" -batch -notext -utf8
              -in "csr/$name.csr" -out "../$name.crt" -extensions "$section")
  [[ -n "$extfile" ]] && args+=(-extfile "ext/$name.ext")
  (cd -- "$kt_dir/.ca" && run openssl "${args[@]}" "$@")
}

# leaf KT_DIR NAME SUBJECT [openssl ca args...] < extension lines
# Issues a leaf from the intermediate; the extensions are read from stdin and
# recorded in .ca/ext/NAME.ext.
leaf() {
  local kt_dir="$1" name="$2" subj="$3"
  shift 3
  {
    echo "[ ext ]"
    echo "basicConstraints       = critical, CA:FALSE"
    echo "subjectKeyIdentifier   = hash"
    echo "authorityKeyIdentifier = keyid:always"
    cat
  } >"$kt_dir/.ca/ext/$name.ext"
  sign "$kt_dir" intermediate "$name" "$subj" ext yes -- "$@"
}

# build_hierarchy KT: everything for one key type (rsa|ec).
build_hierarchy() {
  local kt="$1" label ku_tls
  local kt_dir="$BUILD/$kt"
  case "$kt" in
    rsa) label="RSA"; ku_tls="digitalSignature, keyEncipherment" ;;
    ec)  label="EC";  ku_tls="digitalSignature" ;;
  esac

  mkdir -p "$kt_dir/.ca/csr" "$kt_dir/.ca/ext" \
           "$kt_dir/.ca/root/newcerts" "$kt_dir/.ca/intermediate/newcerts" \
           "$kt_dir/trust/anchors" "$kt_dir/trust/intermediates" "$kt_dir/trust/crls"
  write_ca_config "$kt_dir"
  local ca
  for ca in root intermediate; do
    : >"$kt_dir/.ca/$ca/index.txt"
    echo "unique_subject = no" >"$kt_dir/.ca/$ca/index.txt.attr"
    echo 01 >"$kt_dir/.ca/$ca/crlnumber"
  done

  # --- CAs -----------------------------------------------------------------
  make_csr "$kt_dir" root-ca "/C=VN/O=$ORG/CN=lienthong dev root CA ($label)"
  new_serial "$kt_dir" root
  (cd -- "$kt_dir/.ca" && run openssl ca -config openssl.cnf -name CA_root \
      -batch -notext -utf8 -selfsign -keyfile ../root-ca.key \
      -in csr/root-ca.csr -out ../root-ca.crt -extensions v3_root -days 3650)

  sign "$kt_dir" root intermediate-ca \
    "/C=VN/O=$ORG/CN=lienthong dev intermediate CA ($label)" v3_intermediate "" -- -days 1825

  # --- gateway -------------------------------------------------------------
  leaf "$kt_dir" gateway-sign "/C=VN/O=$ORG/CN=lienthong gateway signing" -days 730 <<EOF
keyUsage = critical, digitalSignature, nonRepudiation
EOF

  leaf "$kt_dir" gateway-tls "/C=VN/O=$ORG/CN=localhost" -days 730 <<EOF
keyUsage         = critical, $ku_tls
extendedKeyUsage = serverAuth
subjectAltName   = DNS:localhost, IP:127.0.0.1, IP:::1
EOF

  # The gateway's client certificate towards the national systems (mTLS on upstream calls).
  leaf "$kt_dir" gateway-client "/C=VN/O=$ORG/CN=lienthong gateway client" -days 730 <<EOF
keyUsage         = critical, digitalSignature
extendedKeyUsage = clientAuth
EOF

  # --- members: name | organ code | organ name | extra ca args -------------
  local name code org dates
  while IFS='|' read -r name code org dates; do
    # shellcheck disable=SC2086 # $dates is intentionally word-split
    leaf "$kt_dir" "$name" "/C=VN/O=$org/OU=$SUBSYSTEM/CN=$code" $dates <<EOF
keyUsage         = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName   = URI:urn:lienthong:organ:$code
EOF
  done <<'EOF'
member-g22|000.00.00.G22|Văn phòng Chính phủ|-days 730
member-h20|000.00.00.H20|UBND tỉnh Đồng Tháp|-days 730
member-h47|001.00.10.H47|UBND tỉnh Quảng Nam|-days 730
member-revoked|000.00.00.H29|Sở Tư pháp (revoked dev member)|-days 730
member-expired|000.00.00.H30|expired dev member|-startdate 20240101000000Z -enddate 20250101000000Z
EOF

  # --- administrators ------------------------------------------------------
  # The admin API's client certificate ([admin] administrators): names its organ like a
  # member, but only its fingerprint makes it an administrator (a member is not one).
  leaf "$kt_dir" admin-g22 \
    "/C=VN/O=Văn phòng Chính phủ/OU=quản trị/CN=quản trị viên G22 (dev)" -days 730 <<EOF
keyUsage         = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName   = URI:urn:lienthong:organ:000.00.00.G22
EOF

  # --- OCSP (RFC 6960) -----------------------------------------------------
  # A delegated responder for the intermediate (`openssl ocsp -index .ca/intermediate/index.txt
  # -rsigner ocsp-responder.crt -rkey ocsp-responder.key -CA intermediate-ca.crt`), and members
  # whose AIA names a responder. Nothing listens on port 1: tests override the URL.
  leaf "$kt_dir" ocsp-responder "/C=VN/O=$ORG/CN=lienthong dev OCSP responder ($label)" -days 730 <<EOF
keyUsage         = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
noCheck          = ignored
EOF
  while IFS='|' read -r name code org; do
    leaf "$kt_dir" "$name" "/C=VN/O=$org/OU=$SUBSYSTEM/CN=$code" -days 730 <<EOF
keyUsage            = critical, digitalSignature
extendedKeyUsage    = clientAuth
subjectAltName      = URI:urn:lienthong:organ:$code
authorityInfoAccess = OCSP;URI:http://127.0.0.1:1/ocsp
EOF
  done <<'EOF'
member-ocsp|000.00.00.H31|OCSP dev member
member-ocsp-revoked|000.00.00.H32|OCSP dev member (revoked)
EOF

  # --- upstream simulators -------------------------------------------------
  local sim
  for sim in population business insurance land documents; do
    leaf "$kt_dir" "sim-$sim" "/C=VN/O=$SIM_ORG/CN=lienthong-sim $sim (SIMULATOR)" -days 730 <<EOF
keyUsage         = critical, $ku_tls
extendedKeyUsage = serverAuth, clientAuth
subjectAltName   = DNS:localhost, IP:127.0.0.1
EOF
  done

  # --- revocation and CRLs -------------------------------------------------
  (cd -- "$kt_dir/.ca" &&
    run openssl ca -config openssl.cnf -name CA_intermediate -batch \
      -revoke ../member-revoked.crt -crl_reason keyCompromise &&
    run openssl ca -config openssl.cnf -name CA_intermediate -batch \
      -revoke ../member-ocsp-revoked.crt -crl_reason superseded &&
    run openssl ca -config openssl.cnf -name CA_intermediate -batch \
      -gencrl -crldays 30 -out ../intermediate-ca.crl.pem &&
    run openssl ca -config openssl.cnf -name CA_root -batch \
      -gencrl -crldays 30 -out ../root-ca.crl.pem)

  # --- bundles and trust folder --------------------------------------------
  cat "$kt_dir/intermediate-ca.crt" "$kt_dir/root-ca.crt" >"$kt_dir/chain.pem"
  local f
  for f in gateway-tls gateway-client member-g22 member-h20 member-h47 member-revoked member-expired \
           sim-population sim-business sim-insurance sim-land sim-documents \
           member-ocsp member-ocsp-revoked admin-g22; do
    cat "$kt_dir/$f.crt" "$kt_dir/intermediate-ca.crt" >"$kt_dir/$f.fullchain.pem"
  done
  cp "$kt_dir/root-ca.crt"             "$kt_dir/trust/anchors/root-ca.pem"
  cp "$kt_dir/intermediate-ca.crt"     "$kt_dir/trust/intermediates/intermediate-ca.pem"
  cp "$kt_dir/intermediate-ca.crl.pem" "$kt_dir/trust/crls/intermediate-ca.crl.pem"
  cp "$kt_dir/root-ca.crl.pem"         "$kt_dir/trust/crls/root-ca.crl.pem"

  mkdir -p "$BUILD/trust/anchors" "$BUILD/trust/intermediates" "$BUILD/trust/crls"
  cp "$kt_dir/root-ca.crt"             "$BUILD/trust/anchors/$kt-root-ca.pem"
  cp "$kt_dir/intermediate-ca.crt"     "$BUILD/trust/intermediates/$kt-intermediate-ca.pem"
  cp "$kt_dir/intermediate-ca.crl.pem" "$BUILD/trust/crls/$kt-intermediate-ca.crl.pem"
  cp "$kt_dir/root-ca.crl.pem"         "$BUILD/trust/crls/$kt-root-ca.crl.pem"
}

# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------

start=$SECONDS

# build_kt KT: private keys (in parallel; RSA key generation dominates the run
# time), then the hierarchy. PEM, unencrypted PKCS#8 (genpkey's default), 0600.
build_kt() {
  local kt="$1" keyopts
  local LOG="$BUILD/.log-$kt"   # used by run(); one per concurrent job
  case "$kt" in
    rsa) keyopts=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) ;;
    ec)  keyopts=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve) ;;
  esac
  mkdir -p "$BUILD/$kt"
  if ! printf "$BUILD/$kt/%s.key\n" "${NAMES[@]}" |
       (umask 077 && xargs -P "$JOBS" -I{} openssl genpkey -quiet "${keyopts[@]}" -out {} 2>"$LOG"); then
    cat -- "$LOG" >&2
    die "private key generation failed ($kt)"
  fi
  chmod 0600 "$BUILD/$kt"/*.key
  build_hierarchy "$kt"
  rm -f -- "$LOG"
}

# The two hierarchies are independent: build them concurrently.
build_kt rsa & job_pids+=("$!")
build_kt ec  & job_pids+=("$!")
failed=0
for pid in "${job_pids[@]}"; do wait "$pid" || failed=1; done
job_pids=()
[[ "$failed" -eq 0 ]] || die "dev PKI generation failed; nothing was written to $OUT_DIR"

# MANIFEST: one line per certificate, tab-separated.
{
  printf '# lienthong DEVELOPMENT PKI - generated by certs/%s on %s - NOT FOR PRODUCTION\n' \
    "$PROG" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf '# file\tsubject\tnotAfter\tserial\n'
  for kt in rsa ec; do
    for name in "${NAMES[@]}"; do
      subject="" not_after="" serial=""
      while IFS= read -r line; do
        case "$line" in
          subject=*)  subject="${line#subject=}" ;;
          notAfter=*) not_after="${line#notAfter=}" ;;
          serial=*)   serial="${line#serial=}" ;;
        esac
      done < <(openssl x509 -in "$BUILD/$kt/$name.crt" -noout -subject -enddate -serial \
                 -nameopt utf8,sep_comma_plus_space,-dn_rev -dateopt iso_8601)
      [[ -n "$subject" && -n "$not_after" && -n "$serial" ]] || die "cannot read $kt/$name.crt"
      printf '%s\t%s\t%s\t%s\n' "$kt/$name.crt" "$subject" "$not_after" "$serial"
    done
  done
} >"$BUILD/MANIFEST.txt"

rm -f -- "$LOG"
chmod 0755 "$BUILD"
date -u +%Y-%m-%dT%H:%M:%SZ >"$BUILD/.complete"

# Swap into place. A rename onto a missing path is atomic; with --force the
# previous PKI is first moved aside and removed once the new one is in place.
if [[ -e "$OUT_DIR" ]]; then
  if [[ -d "$OUT_DIR" && -z "$(ls -A -- "$OUT_DIR")" ]]; then
    rmdir -- "$OUT_DIR"
  else
    old_dir="$(dirname -- "$OUT_DIR")/.${out_base}.old.$$"
    mv -T -- "$OUT_DIR" "$old_dir"
  fi
fi
mv -T -- "$BUILD" "$OUT_DIR"
BUILD=""

# One summary line per certificate.
while IFS=$'\t' read -r file subject not_after _serial; do
  [[ "$file" == \#* ]] && continue
  printf '  %-28s until %s  %s\n' "$file" "$not_after" "$subject"
done <"$OUT_DIR/MANIFEST.txt"
printf 'dev PKI written to %s (%ss) - development only, never commit the keys\n' \
  "$OUT_DIR" "$(( SECONDS - start ))"
