#!/usr/bin/python3
"""A ministry system's side of the Thrift contract (schemas/thrift/lienthong.thrift).

Asks the gateway's Exchange.lookup over TLS with a client certificate (the member is the organ
code in that certificate), framed transport, binary protocol, and prints the answer as JSON.
With a command it calls the document methods instead: send-document FILE, sent ID,
received [--after N] [--limit M], get-document ID [-o FILE], status ID CODE [--description ...],
history ID.
Uses Debian's python3-thrift, so run it with /usr/bin/python3. The Python code generated from
the contract is found with --gen-py DIR or the environment variable LIENTHONG_THRIFT_PY (the
build writes it to <build dir>/gen-py).

Exit status: 0 answered; 1 the gateway refused (LookupError); 2 usage; 3 no answer (connection,
TLS or protocol failure).

As a library (integration tests, the demo):
    from lookup_client import lookup, ConnectionFailed
    answer = lookup(host=..., port=..., cert=..., key=..., ca=..., gen_py=..., subject=..., ...)
    answer["error"]  # present only when the gateway refused
    from lookup_client import document_call
    document_call(host=..., port=..., cert=..., key=..., ca=..., gen_py=...,
                  method="getSentDocument", args=[document_id])
"""

import argparse
import importlib
import json
import os
import ssl
import sys

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_NO_ANSWER = 3


class ConnectionFailed(Exception):
    """No answer from the gateway: connection, TLS or protocol failure."""


def _load_generated(gen_py):
    """Imports the generated package `lienthong` from `gen_py` (once per process)."""
    gen_py = gen_py or os.environ.get("LIENTHONG_THRIFT_PY")
    if not gen_py:
        raise ValueError("no generated Python code: pass --gen-py DIR or set LIENTHONG_THRIFT_PY")
    if not os.path.isfile(os.path.join(gen_py, "lienthong", "Exchange.py")):
        raise ValueError("%s holds no lienthong/Exchange.py (build target lienthong_thrift_py)"
                         % gen_py)
    if gen_py not in sys.path:
        sys.path.insert(0, gen_py)
    return (importlib.import_module("lienthong.Exchange"),
            importlib.import_module("lienthong.ttypes"))


def _tls_context(cert, key, ca):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cafile=ca)
    context.load_cert_chain(certfile=cert, keyfile=key)
    # PROTOCOL_TLS_CLIENT verifies the chain and the host name (IP SANs included) itself.
    return context


def _record_dict(response):
    record = response.record
    return {
        "requestId": response.requestId,
        "fromCache": response.fromCache,
        "record": {
            "code": record.code,
            "subjectId": record.subjectId,
            "documentType": record.documentType,
            "source": record.source,
            "verifiedAt": record.verifiedAt,
            "expiresAt": record.expiresAt,
            "fields": {f.name: f.value for f in record.fields},
        },
        "envelopeLength": len(response.signedEnvelope.encode("utf-8")),
        "envelope": response.signedEnvelope,
        # The JSON form of the answer as a compact JWS signed by the gateway.
        "jws": response.jws,
    }


def signed_request_jws(request_json, key_file, jti=None, iat=None):
    """The member's JWS over its request (DESIGN.md §3 "Signed JSON"): the JSON form of the
    request plus "iat" and "jti", signed with the key of the certificate the connection
    presents (ES256 for an EC P-256 key, PS256 for RSA). Needs python3-jwcrypto."""
    import secrets
    import time
    from jwcrypto import jwk, jws
    with open(key_file, "rb") as f:
        key = jwk.JWK.from_pem(f.read())
    alg = {"EC": "ES256", "RSA": "PS256", "OKP": "EdDSA"}[key["kty"]]
    if key["kty"] == "EC":
        alg = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[key["crv"]]
    claims = dict(request_json)
    claims["iat"] = int(time.time()) if iat is None else iat
    claims["jti"] = jti or secrets.token_hex(16)
    token = jws.JWS(json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode())
    token.add_signature(key, None, json.dumps({"alg": alg}))
    return token.serialize(compact=True)


def request_json(subject, doc_type, dossier, procedure, officer_id, officer_account,
                 max_age=None, fields=None, client_request_id=None):
    """The JSON form of a lookup request (schemas/http/openapi.yaml LookupRequest)."""
    out = {"subjectId": subject, "documentType": doc_type,
           "purpose": {"dossierCode": dossier, "procedureCode": procedure},
           "officer": {"personalId": officer_id, "account": officer_account}}
    if max_age is not None:
        out["maxAgeSeconds"] = max_age
    if fields:
        out["fields"] = list(fields)
    if client_request_id:
        out["clientRequestId"] = client_request_id
    return out


def lookup(host, port, cert, key, ca, subject, dossier, procedure, officer_id, officer_account,
           doc_type="CD01", gen_py=None, max_age=None, fields=None, client_request_id=None,
           timeout=30.0, sign=False, jti=None, iat=None):
    """One Exchange.lookup. Returns the answer as a dict, or {"error", "code", "detail",
    "requestId"} when the gateway refused; raises ConnectionFailed when there is no answer and
    ValueError when the generated code or the TLS files cannot be loaded."""
    exchange, ttypes = _load_generated(gen_py)
    request = ttypes.LookupRequest(
        subjectId=subject,
        documentType=doc_type,
        purpose=ttypes.Purpose(dossierCode=dossier, procedureCode=procedure),
        officer=ttypes.Officer(personalId=officer_id, account=officer_account),
        maxAgeSeconds=max_age,
        fields=list(fields) if fields else None,
        clientRequestId=client_request_id,
    )
    if sign:
        request.jws = signed_request_jws(
            request_json(subject, doc_type, dossier, procedure, officer_id, officer_account,
                         max_age, fields, client_request_id), key, jti=jti, iat=iat)
    response = _call(exchange, ttypes, host, port, cert, key, ca, timeout,
                     lambda client: client.lookup(request))
    if isinstance(response, dict):
        return response
    return _record_dict(response)


def _call(exchange, ttypes, host, port, cert, key, ca, timeout, invoke):
    """Opens a TLS connection, runs invoke(client) and closes it. Returns what invoke returned,
    or {"error", "code", "detail", "requestId"} for a LookupError; raises ConnectionFailed when
    there is no answer and ValueError when the TLS files cannot be loaded."""
    from thrift.Thrift import TApplicationException, TException
    from thrift.protocol import TBinaryProtocol
    from thrift.transport import TSSLSocket, TTransport

    try:
        context = _tls_context(cert, key, ca)
    except (OSError, ssl.SSLError) as e:
        raise ValueError("cannot load the TLS files (%s, %s, %s): %s" % (cert, key, ca, e)) from e
    try:
        socket = TSSLSocket.TSSLSocket(
            host=host, port=int(port), ssl_context=context, server_hostname=host,
            # The SSLContext has already checked the host name; thrift's own re-check relies
            # on ssl.match_hostname, which newer Pythons no longer have.
            validate_callback=lambda peer_cert, hostname: None)
    except (OSError, ssl.SSLError, TException) as e:
        raise ConnectionFailed("TLS setup: %s" % e) from e
    socket.setTimeout(timeout * 1000.0)
    transport = TTransport.TFramedTransport(socket)
    client = exchange.Client(TBinaryProtocol.TBinaryProtocol(transport))
    try:
        transport.open()
        try:
            return invoke(client)
        finally:
            transport.close()
    except ttypes.LookupError as refusal:
        return {
            "error": refusal.codeName,
            "code": refusal.code,
            "detail": refusal.detail,
            "requestId": refusal.requestId,
        }
    except TApplicationException as e:
        raise ConnectionFailed("the gateway failed the call: %s" % e) from e
    except (OSError, ssl.SSLError, TException) as e:
        raise ConnectionFailed(_reason(e)) from e


# The document methods of service Exchange, and how each answer prints as JSON (the HTTP
# front's JSON form, schemas/http/openapi.yaml).
def _sent_dict(sent):
    return {"documentId": sent.documentId, "outboxId": sent.outboxId, "state": sent.state,
            "attempts": sent.attempts, "axisId": sent.axisId,
            "axisDuplicate": sent.axisDuplicate, "lastError": sent.lastError,
            "acceptedAt": sent.acceptedAt, "nextAttemptAt": sent.nextAttemptAt,
            "leaseUntil": sent.leaseUntil, "finishedAt": sent.finishedAt}


def _summary_dict(s):
    return {"sequence": s.sequence, "documentId": s.documentId, "axisId": s.axisId,
            "from": s.fromOrgan, "code": s.code, "promulgationDate": s.promulgationDate,
            "subject": s.subject, "businessType": s.businessType, "receivedAt": s.receivedAt}


def _status_dict(status, with_id=True):
    out = {"from": status.fromOrgan, "statusCode": status.statusCode,
           "description": status.description, "timestamp": status.timestamp,
           "receivedAt": status.receivedAt}
    if with_id:
        out["documentId"] = status.documentId
        out["duplicate"] = bool(status.duplicate)
    return out


def document_call(host, port, cert, key, ca, method, args, gen_py=None, timeout=30.0):
    """One document method of Exchange: "sendDocument" (args: [edxml bytes, client request id
    or None]), "getSentDocument" ([id]), "listReceivedDocuments" ([after, limit]),
    "getReceivedDocument" ([id]), "updateDocumentStatus" ([id, code, description or None]),
    "getDocumentStatusHistory" ([id]). Returns the answer as a dict (getReceivedDocument: the
    edXML bytes under "edxml"), or {"error", "code", "detail", "requestId"} when the gateway
    refused; raises ConnectionFailed when there is no answer."""
    exchange, ttypes = _load_generated(gen_py)

    def invoke(client):
        if method == "sendDocument":
            edxml, client_request_id = args
            r = client.sendDocument(ttypes.SendDocumentRequest(
                edxml=edxml, clientRequestId=client_request_id))
            return {"requestId": r.requestId, "documentId": r.documentId,
                    "outboxId": r.outboxId, "duplicate": r.duplicate, "state": r.state}
        if method == "getSentDocument":
            return _sent_dict(client.getSentDocument(args[0]))
        if method == "listReceivedDocuments":
            after, limit = args
            documents = [_summary_dict(s) for s in client.listReceivedDocuments(after, limit)]
            return {"documents": documents,
                    "next": documents[-1]["sequence"] if documents else after}
        if method == "getReceivedDocument":
            d = client.getReceivedDocument(args[0])
            return {"documentId": d.documentId, "signerFingerprint": d.signerFingerprint,
                    "edxml": d.edxml}
        if method == "updateDocumentStatus":
            document_id, code, description = args
            return _status_dict(client.updateDocumentStatus(
                document_id, ttypes.DocumentStatusUpdate(statusCode=code,
                                                         description=description)))
        if method == "getDocumentStatusHistory":
            history = client.getDocumentStatusHistory(args[0])
            return {"documentId": args[0],
                    "statuses": [_status_dict(s, with_id=False) for s in history]}
        raise ValueError("unknown document method %s" % method)

    return _call(exchange, ttypes, host, port, cert, key, ca, timeout, invoke)


def _reason(error):
    """The innermost message: thrift wraps ssl errors in TTransportException."""
    inner = getattr(error, "inner", None)
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    if inner is not None:
        return "%s: %s" % (message, _reason(inner))
    return message


def _parse_args(argv):
    p = argparse.ArgumentParser(
        description="Ask the lienthong gateway for a record over Thrift/TLS (prints JSON); "
                    "with a command, call a document method instead.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True, help="member certificate (PEM, chain allowed)")
    p.add_argument("--key", required=True, help="member private key (PEM)")
    p.add_argument("--ca", required=True, help="trust anchor(s) for the gateway's certificate")
    p.add_argument("--gen-py", help="directory holding the generated package lienthong/ "
                                    "(default: $LIENTHONG_THRIFT_PY)")
    p.add_argument("--subject", help="whose record, e.g. a 12-digit personal ID")
    p.add_argument("--doc-type", default="CD01", help="document type code (default CD01)")
    p.add_argument("--dossier", help="dossier code <organ>-YYMMDD-NNNN")
    p.add_argument("--procedure", help="administrative procedure code")
    p.add_argument("--officer-id", help="the officer's 12-digit personal ID")
    p.add_argument("--officer-account", help="the officer's account")
    p.add_argument("--max-age", type=int, help="oldest cached record accepted, in seconds")
    p.add_argument("--field", action="append", default=[], help="a wanted field (repeatable)")
    p.add_argument("--client-request-id", help="your correlation id (at most 64 characters)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    p.add_argument("--envelope-out", metavar="FILE", help="write the signed envelope to FILE")
    p.add_argument("--sign", action="store_true",
                   help="send the request as a JWS signed with --key (needs python3-jwcrypto)")
    p.add_argument("--jti", help="with --sign: this jti instead of a random one")
    p.add_argument("--iat", type=int, help="with --sign: this iat instead of now")
    p.add_argument("--jws-out", metavar="FILE", help="write the answer's JWS to FILE")
    p.add_argument("--json", action="store_true", help="one compact JSON line (for scripts)")
    commands = p.add_subparsers(dest="command", metavar="COMMAND",
                                help="a document method (without one: a lookup, which needs "
                                     "--subject, --dossier, --procedure, --officer-id and "
                                     "--officer-account)")
    c = commands.add_parser("send-document", help="send an edXML document (sendDocument)")
    c.add_argument("file", metavar="FILE", help="the edXML envelope ('-': standard input)")
    c = commands.add_parser("sent", help="the delivery state of a sent document")
    c.add_argument("document_id", metavar="ID")
    c = commands.add_parser("received", help="list documents received for your organ")
    c.add_argument("--after", type=int, default=0, help="sequence to list after (default 0)")
    c.add_argument("--limit", type=int, default=100, help="at most this many (1-1000, default 100)")
    c = commands.add_parser("get-document", help="one received document")
    c.add_argument("document_id", metavar="ID")
    c.add_argument("-o", "--output", metavar="FILE", help="write the edXML bytes to FILE")
    c = commands.add_parser("status", help="update a document's status (an edXML Status)")
    c.add_argument("document_id", metavar="ID")
    c.add_argument("code", metavar="CODE", help="status code: 01-06, 13, 15 or 16")
    c.add_argument("--description", help="the status's description")
    c = commands.add_parser("history", help="a document's status history")
    c.add_argument("document_id", metavar="ID")
    args = p.parse_args(argv)
    if args.command is None:
        missing = [name for name in ("subject", "dossier", "procedure", "officer_id",
                                     "officer_account") if getattr(args, name) is None]
        if missing:
            p.error("a lookup needs " + ", ".join("--" + m.replace("_", "-") for m in missing))
    return args


def _document_command(args):
    """The document method and arguments for the command in `args`."""
    if args.command == "send-document":
        if args.file == "-":
            edxml = sys.stdin.buffer.read()
        else:
            try:
                with open(args.file, "rb") as f:
                    edxml = f.read()
            except OSError as e:
                raise ValueError("cannot read %s: %s" % (args.file, e)) from e
        return "sendDocument", [edxml, args.client_request_id]
    if args.command == "sent":
        return "getSentDocument", [args.document_id]
    if args.command == "received":
        return "listReceivedDocuments", [args.after, args.limit]
    if args.command == "get-document":
        return "getReceivedDocument", [args.document_id]
    if args.command == "status":
        return "updateDocumentStatus", [args.document_id, args.code, args.description]
    return "getDocumentStatusHistory", [args.document_id]


def main(argv=None):
    args = _parse_args(argv)

    def emit(document):
        if args.json:
            print(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
        else:
            print(json.dumps(document, ensure_ascii=False, indent=2))

    if args.command is not None:
        return _run_document_command(args, emit)

    answer, code = _answer_of(args, emit, lambda: lookup(
        host=args.host, port=args.port, cert=args.cert, key=args.key, ca=args.ca,
        gen_py=args.gen_py, subject=args.subject, doc_type=args.doc_type, dossier=args.dossier,
        procedure=args.procedure, officer_id=args.officer_id,
        officer_account=args.officer_account, max_age=args.max_age, fields=args.field,
        client_request_id=args.client_request_id, timeout=args.timeout, sign=args.sign,
        jti=args.jti, iat=args.iat))
    if answer is None:
        return code
    envelope = answer.pop("envelope")
    if args.envelope_out:
        with open(args.envelope_out, "w", encoding="utf-8") as out:
            out.write(envelope)
    answer_jws = answer.pop("jws")
    answer["signedAnswer"] = bool(answer_jws)
    if args.jws_out and answer_jws:
        with open(args.jws_out, "w", encoding="ascii") as out:
            out.write(answer_jws)
    emit(answer)
    return EXIT_OK


def _answer_of(args, emit, call):
    """(answer, None) when the gateway answered, else (None, the exit code) with the refusal or
    the failure already reported."""
    try:
        answer = call()
    except ValueError as e:
        print("lookup_client: %s" % e, file=sys.stderr)
        return None, EXIT_USAGE
    except ConnectionFailed as e:
        emit({"error": "NO_ANSWER", "detail": str(e)})
        print("lookup_client: no answer from %s:%d: %s" % (args.host, args.port, e),
              file=sys.stderr)
        return None, EXIT_NO_ANSWER
    if "error" in answer:
        emit({"error": answer["error"], "detail": answer["detail"],
              "requestId": answer["requestId"]})
        return None, EXIT_REFUSED
    return answer, None


def _run_document_command(args, emit):
    try:
        method, call_args = _document_command(args)
    except ValueError as e:
        print("lookup_client: %s" % e, file=sys.stderr)
        return EXIT_USAGE
    answer, code = _answer_of(args, emit, lambda: document_call(
        host=args.host, port=args.port, cert=args.cert, key=args.key, ca=args.ca,
        gen_py=args.gen_py, method=method, args=call_args, timeout=args.timeout))
    if answer is None:
        return code
    if method == "getReceivedDocument":
        edxml = answer.pop("edxml")
        answer["length"] = len(edxml)
        if args.output:
            with open(args.output, "wb") as out:
                out.write(edxml)
    emit(answer)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
