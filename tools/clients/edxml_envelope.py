#!/usr/bin/python3
"""Writes an edXML 2.0 envelope (QCVN 102:2016) for trying the gateway's document routes: from
a sender organ to recipients, with an attachment of random bytes, unsigned (the gateway signs
what it sends to the axis). The demo (ops/run.sh) and the integration tests use it.

  edxml_envelope.py --number 7816 [--attachment-kb 100] [--to 000.00.00.H20] -o doc.xml

Only the Python standard library."""

import argparse
import base64
import os
import sys

SENDER = ("000.00.00.G22", "Văn phòng Chính phủ")
RECIPIENT = ("000.00.00.H20", "UBND tỉnh Đồng Tháp")


def document_id(number, notation="KT-LT", date="2026/11/23", organ=SENDER[0]):
    return f"{organ},{date},{number}/{notation}"


def organization(tag, organ, name):
    return (f"<edXML:{tag}><edXML:OrganId>{organ}</edXML:OrganId>"
            f"<edXML:OrganizationInCharge>{name}</edXML:OrganizationInCharge>"
            f"<edXML:OrganName>{name}</edXML:OrganName><edXML:OrganAdd/><edXML:Email/>"
            f"<edXML:Telephone/><edXML:Fax/><edXML:Website/></edXML:{tag}>")


def envelope(number, attachment=b"", notation="KT-LT", date="2026/11/23", sender=SENDER,
             recipients=(RECIPIENT,), subject=None, business_type=0, business_ref=None):
    """An edXML 2.0 envelope (QCVN 102:2016) from `sender` to `recipients`, with one attachment
    when `attachment` is given; `business_type` 1/2/3 (recall/update/replace) names
    `business_ref`, an earlier DocumentId."""
    doc_id = document_id(number, notation, date, sender[0])
    subject = subject or f"V/v thử nghiệm liên thông văn bản số {number}"
    to = "".join(organization("To", organ, name) for organ, name in recipients)
    business = ""
    if business_type:
        business = (f"<edXML:Bussiness><edXML:DocumentId>{business_ref}</edXML:DocumentId>"
                    f"<edXML:BussinessDocType>{business_type}</edXML:BussinessDocType>"
                    f"<edXML:BussinessDocReason>Thu hồi văn bản</edXML:BussinessDocReason>"
                    f"<edXML:Paper>0</edXML:Paper></edXML:Bussiness>")
    manifest = ""
    attached = ""
    if attachment:
        manifest = ("<edXML:edXMLManifest version=\"1.0\"><edXML:Reference>"
                    "<edXML:ContentId>cid:1</edXML:ContentId>"
                    "<edXML:ContentType>application/pdf</edXML:ContentType>"
                    "<edXML:Description>Văn bản</edXML:Description>"
                    "<edXML:AttachmentName>van_ban.pdf</edXML:AttachmentName>"
                    "</edXML:Reference></edXML:edXMLManifest>")
        attached = ("<AttachmentEncoded><Attachment><ContentId>cid:1</ContentId>"
                    "<AttachmentName>van_ban.pdf</AttachmentName><Description>Văn bản</Description>"
                    "<ContentType>application/pdf</ContentType>"
                    "<edXML:ContentTransferEncoded xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"
                    + base64.b64encode(attachment).decode() +
                    "</edXML:ContentTransferEncoded></Attachment></AttachmentEncoded>")
    return (f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLHeader><edXML:MessageHeader>
{organization("From", *sender)}{to}
<edXML:DocumentId>{doc_id}</edXML:DocumentId>
<edXML:Code><edXML:CodeNumber>{number}</edXML:CodeNumber><edXML:CodeNotation>{notation}</edXML:CodeNotation></edXML:Code>
<edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place><edXML:PromulgationDate>{date}</edXML:PromulgationDate></edXML:PromulgationInfo>
<edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeDetail>0</edXML:TypeDetail><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
<edXML:Subject>{subject}</edXML:Subject><edXML:Content/>
<edXML:SignerInfo><edXML:Competence/><edXML:Position>Chánh Văn phòng</edXML:Position><edXML:FullName>Nguyễn Văn A</edXML:FullName></edXML:SignerInfo>
<edXML:DueDate/><edXML:OtherInfo><edXML:Priority>0</edXML:Priority><edXML:SphereOfPromulgation/><edXML:TyperNotation/><edXML:PromulgationAmount>1</edXML:PromulgationAmount><edXML:PageAmount>1</edXML:PageAmount><edXML:Direction>false</edXML:Direction><edXML:Appendixes/></edXML:OtherInfo>
<edXML:SteeringType>0</edXML:SteeringType><edXML:ToPlaces/>
</edXML:MessageHeader>
<edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>{sender[0]}</edXML:OrganId><edXML:Timestamp>{date} 08:00:00</edXML:Timestamp></edXML:TraceHeader>{business}</edXML:TraceHeaderList>
</edXML:edXMLHeader>
<edXML:edXMLBody>{manifest}</edXML:edXMLBody>
</edXML:edXMLEnvelope>{attached}
</edXML>
""").encode()




def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--number", type=int, required=True, help="CodeNumber (số văn bản)")
    ap.add_argument("--notation", default="KT-LT", help="CodeNotation (ký hiệu)")
    ap.add_argument("--date", default="2026/11/23", help="PromulgationDate yyyy/MM/dd")
    ap.add_argument("--from", dest="sender", default=SENDER[0], help="the sender's organ code")
    ap.add_argument("--to", action="append", help="a recipient's organ code (repeatable)")
    ap.add_argument("--attachment-kb", type=int, default=0, help="an attachment of random bytes")
    ap.add_argument("-o", "--output", help="file (default: stdout)")
    a = ap.parse_args()
    recipients = tuple((code, "Cơ quan nhận " + code) for code in (a.to or [RECIPIENT[0]]))
    body = envelope(a.number, os.urandom(a.attachment_kb * 1024), a.notation, a.date,
                    (a.sender, "Cơ quan gửi " + a.sender), recipients)
    if a.output:
        with open(a.output, "wb") as f:
            f.write(body)
    else:
        sys.stdout.buffer.write(body)
    print(document_id(a.number, a.notation, a.date, a.sender), file=sys.stderr)


if __name__ == "__main__":
    main()
