#!/usr/bin/python3
"""Writes the seed corpus of the thrift_call fuzz target (tests/fuzz/corpus/thrift_call/).

Each seed is the byte stream a ministry system sends on one connection after the TLS
handshake: framed binary-protocol calls, written by python3-thrift from the generated code of
schemas/thrift/lienthong.thrift. Re-run after a change to the contract:
    /usr/bin/python3 tests/fuzz/make_thrift_seeds.py build/debug/gen-py tests/fuzz/corpus/thrift_call
"""
import struct
import sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])
from lienthong import Exchange, ttypes  # noqa: E402
from thrift.protocol import TBinaryProtocol  # noqa: E402
from thrift.Thrift import TMessageType  # noqa: E402
from thrift.transport import TTransport  # noqa: E402


def request(subject="079203001234", fields=None, max_age=None, client_id=None):
    return ttypes.LookupRequest(
        subjectId=subject, documentType="CD01",
        purpose=ttypes.Purpose(dossierCode="H20.01-261122-0001", procedureCode="1.001234"),
        officer=ttypes.Officer(personalId="001085000123", account="canbo.h20"),
        maxAgeSeconds=max_age, fields=fields, clientRequestId=client_id)


def frame(name, args, seqid=1, mtype=TMessageType.CALL):
    body = TTransport.TMemoryBuffer()
    proto = TBinaryProtocol.TBinaryProtocol(body, strictRead=True, strictWrite=True)
    proto.writeMessageBegin(name, mtype, seqid)
    args.write(proto)
    proto.writeMessageEnd()
    payload = body.getvalue()
    return struct.pack(">i", len(payload)) + payload


def lookup(req, seqid=1, mtype=TMessageType.CALL):
    return frame("lookup", Exchange.lookup_args(request=req), seqid, mtype)


def raw_frame(message_type, name, body):
    """A framed message written by hand, for headers the library would never write."""
    payload = (struct.pack(">I", 0x80010000 | message_type)
               + struct.pack(">i", len(name)) + name + struct.pack(">i", 1) + body)
    return struct.pack(">i", len(payload)) + payload


seeds = {
    "valid": lookup(request(fields=["ho_ten", "ngay_sinh"], max_age=3600, client_id="mc-42")),
    "two-calls": lookup(request()) + lookup(request(subject="001203004567"), seqid=2),
    "empty-subject": lookup(request(subject="")),
    "negative-max-age": lookup(request(max_age=-5)),
    "long-client-id": lookup(request(client_id="x" * 65)),
    "unknown-method": frame("delete", Exchange.lookup_args(request=request())),
    "oneway": lookup(request(), mtype=TMessageType.ONEWAY),
    "truncated": lookup(request(fields=["ho_ten"]))[:40],
    "frame-too-large": struct.pack(">i", (1 << 20) + 1) + b"\x80\x01\x00\x01",
    # Inputs that once failed (undefined behaviour inside Thrift 0.17, now refused by
    # wire_limits.cc and checked_binary_protocol.cc):
    "regression-empty-frame": struct.pack(">i", 0) + lookup(request()),
    "regression-message-type-255": raw_frame(0xff, b"lookup", b"\x00"),
    "regression-field-type-52": raw_frame(1, b"lookup", b"\x34\x00\x01\x00"),
    "regression-skipped-field-type-255": raw_frame(1, b"delete", b"\x0c\x00\x01\xff\x00\x01\x00\x00"),
    "regression-list-element-type-99": raw_frame(
        1, b"lookup", b"\x0c\x00\x01\x0f\x00\x06\x63\x00\x00\x00\x01\x00\x00"),
}

out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for name, data in seeds.items():
    (out / name).write_bytes(data)
print(f"{len(seeds)} seeds in {out}")
