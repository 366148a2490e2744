#!/usr/bin/python3
"""Writes the seeds of corpus/signed_lookup/ (signed_lookup_fuzz.cc): byte 0 is the mode.

  '1'..'5'  a JSON lookup payload the target signs itself with the member's key (compact,
            flattened, general, b64=false, detached); the shape of tools/clients/lookup_client.py
            request_json() plus "iat" and "jti", and a few refused variants
  '0'       a JWS as received, signed here by python3-jwcrypto with a key the target does not
            know (so it fails at the signature: the seeds exercise the serialization and header
            parsing before it), and "alg":"none"

usage: make_signed_lookup_seeds.py DIR   (ECDSA signatures are random: reruns differ)"""

import base64
import json
import os
import sys

from jwcrypto import jwk, jws

IAT = 1798761600  # 2027-01-01T00:00:00Z
JTI = "5f1c3a9e0b7d4e2f8a6c1b3d5e7f9a0b"


def lookup(**extra):
    out = {"subjectId": "001092000001", "documentType": "CD01",
           "purpose": {"dossierCode": "000.00.00.G22-261122-0001", "procedureCode": "1.001234"},
           "officer": {"personalId": "001092000001", "account": "canbo.nguyenvana"},
           "iat": IAT, "jti": JTI}
    out.update(extra)
    return out


def text(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main(directory):
    seeds = {}
    signed = text(lookup())
    seeds["payload-compact"] = "1" + signed
    seeds["payload-flattened"] = "2" + signed
    seeds["payload-general"] = "3" + signed
    # b64=false in the compact form cannot carry '.': no purpose (the pipeline, not the
    # decoder, answers PURPOSE_REQUIRED) and an account without one.
    no_dots = lookup(officer={"personalId": "001092000001", "account": "canbo_nguyenvana"})
    del no_dots["purpose"]
    seeds["payload-b64false"] = "4" + text(no_dots)
    seeds["payload-detached"] = "5" + signed
    seeds["payload-every-key"] = "1" + text(lookup(
        subjectId="0100109106", documentType="DN01", maxAgeSeconds=3600,
        fields=["ten", "dai_dien[].ho_ten", "tru_so.dia_chi"], clientRequestId="ho-so-0001",
        officer={"personalId": "001092000001", "account": "cán bộ Nguyễn Văn A"}))
    seeds["payload-insurance"] = "2" + text(lookup(subjectId="0123456789", documentType="BH01",
                                                   maxAgeSeconds=0))
    seeds["payload-nulls"] = "1" + text(lookup(purpose=None, fields=None, maxAgeSeconds=None))
    seeds["payload-no-jti"] = "1" + text({k: v for k, v in lookup().items() if k != "jti"})
    seeds["payload-no-iat"] = "3" + text({k: v for k, v in lookup().items() if k != "iat"})
    seeds["payload-iat-string"] = "1" + text(lookup(iat=str(IAT)))
    seeds["payload-iat-huge"] = "1" + signed.replace(str(IAT), "9223372036854775808")
    seeds["payload-jti-space"] = "1" + text(lookup(jti="a b"))
    seeds["payload-unknown-key"] = "1" + text(lookup(nbf=IAT))
    seeds["payload-duplicate-key"] = "1" + signed[:-1] + ',"jti":"other"}'
    seeds["payload-not-json"] = "1" + signed[:40]

    stranger = jwk.JWK.generate(kty="EC", crv="P-256", kid="member-g22")
    token = jws.JWS(signed.encode())
    token.add_signature(stranger, None, json.dumps({"alg": "ES256", "kid": "member-g22"}))
    seeds["jws-compact-other-key"] = "0" + token.serialize(compact=True)
    seeds["jws-flattened-other-key"] = "0" + token.serialize()
    general = jws.JWS(signed.encode())
    general.add_signature(stranger, None, json.dumps({"alg": "ES256"}),
                          json.dumps({"kid": "member-g22"}))
    general.add_signature(jwk.JWK.generate(kty="EC", crv="P-256"), None,
                          json.dumps({"alg": "ES256"}))
    seeds["jws-general-two-signatures"] = "0" + general.serialize()
    header = b64url(b'{"alg":"none"}')
    seeds["jws-alg-none"] = "0" + header + "." + b64url(signed.encode()) + "."
    hs = jws.JWS(signed.encode())
    hs.add_signature(jwk.JWK.generate(kty="oct", size=256), None, json.dumps({"alg": "HS256"}))
    seeds["jws-hs256"] = "0" + hs.serialize(compact=True)
    crit = b64url(b'{"alg":"ES256","b64":false,"crit":["b64"]}')
    seeds["jws-b64false-bad-signature"] = "0" + crit + "." + text(no_dots) + "." + b64url(b"x" * 64)

    os.makedirs(directory, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data.encode())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
