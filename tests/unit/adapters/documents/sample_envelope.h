// A realistic edXML envelope shaped like the VPCP SDK sample (FORMATS.md §1): sent by Văn phòng
// Chính phủ (000.00.00.G22) to two provincial bodies, two attachments. Synthetic values.
#pragma once

#include <string>
#include <string_view>

namespace lienthong::edxml::testing {

// The first attachment's text, and the second's bytes (binary, with NUL and 0xFF).
inline const std::string kFirstAttachment =
    "Công văn số 7816/VPCP-TTĐT về việc kết nối, liên thông phần mềm quản lý văn bản.";
inline const std::string kSecondAttachment = std::string("%PDF-1.4\n\0\x01\x02\xff\xfe", 14);

inline std::string sample_edxml() {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
          <edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:OrganizationInCharge>Văn phòng Chính phủ</edXML:OrganizationInCharge>
          <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName>
          <edXML:OrganAdd>Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội</edXML:OrganAdd>
          <edXML:Email>vpcp@chinhphu.vn</edXML:Email>
          <edXML:Telephone>080 43100</edXML:Telephone>
          <edXML:Fax>080 44130</edXML:Fax>
          <edXML:Website>vpcp.chinhphu.vn</edXML:Website>
        </edXML:From>
        <edXML:To>
          <edXML:OrganId>000.00.00.H20</edXML:OrganId>
          <edXML:OrganizationInCharge>UBND tỉnh Đồng Tháp</edXML:OrganizationInCharge>
          <edXML:OrganName>UBND tỉnh Đồng Tháp</edXML:OrganName>
          <edXML:OrganAdd>Số 12 Đường 30/4, Phường 1, TP Cao Lãnh</edXML:OrganAdd>
          <edXML:Email>ubnd@dongthap.gov.vn</edXML:Email>
          <edXML:Telephone>0277 3851 243</edXML:Telephone>
          <edXML:Fax>0277 3851 255</edXML:Fax>
          <edXML:Website>dongthap.gov.vn</edXML:Website>
        </edXML:To>
        <edXML:To>
          <edXML:OrganId>001.00.10.H47</edXML:OrganId>
          <edXML:OrganizationInCharge>Sở Thông tin và Truyền thông</edXML:OrganizationInCharge>
          <edXML:OrganName>Sở TT&amp;TT tỉnh Quảng Nam</edXML:OrganName>
          <edXML:OrganAdd>Tam Kỳ, Quảng Nam</edXML:OrganAdd>
          <edXML:Email>stttt@quangnam.gov.vn</edXML:Email>
          <edXML:Telephone></edXML:Telephone>
          <edXML:Fax/>
          <edXML:Website>stttt.quangnam.gov.vn</edXML:Website>
        </edXML:To>
        <edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>
        <edXML:Code>
          <edXML:CodeNumber>7816</edXML:CodeNumber>
          <edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation>
        </edXML:Code>
        <edXML:PromulgationInfo>
          <edXML:Place>Hà Nội</edXML:Place>
          <edXML:PromulgationDate>2015/09/30</edXML:PromulgationDate>
        </edXML:PromulgationInfo>
        <edXML:DocumentType>
          <edXML:Type>1</edXML:Type>
          <edXML:TypeDetail>0</edXML:TypeDetail>
          <edXML:TypeName>Công văn</edXML:TypeName>
        </edXML:DocumentType>
        <edXML:Subject>V/v kết nối, liên thông phần mềm quản lý văn bản &lt;đợt 2&gt;</edXML:Subject>
        <edXML:Content>Đề nghị các cơ quan triển khai kết nối trước ngày 15/10/2015.</edXML:Content>
        <edXML:SignerInfo>
          <edXML:Competence>KT. BỘ TRƯỞNG, CHỦ NHIỆM</edXML:Competence>
          <edXML:Position>Phó Chủ nhiệm</edXML:Position>
          <edXML:FullName>Nguyễn Văn A</edXML:FullName>
        </edXML:SignerInfo>
        <edXML:DueDate>2015/10/15</edXML:DueDate>
        <edXML:OtherInfo>
          <edXML:Priority>1</edXML:Priority>
          <edXML:SphereOfPromulgation>Liên thông văn bản quốc gia</edXML:SphereOfPromulgation>
          <edXML:TyperNotation>TVC</edXML:TyperNotation>
          <edXML:PromulgationAmount>2</edXML:PromulgationAmount>
          <edXML:PageAmount>3</edXML:PageAmount>
          <edXML:Direction>false</edXML:Direction>
          <edXML:Appendixes>
            <edXML:Appendix>Danh sách cơ quan kết nối</edXML:Appendix>
          </edXML:Appendixes>
        </edXML:OtherInfo>
        <edXML:SteeringType>1</edXML:SteeringType>
        <edXML:ToPlaces>
          <edXML:Place>Các bộ, cơ quan ngang bộ</edXML:Place>
          <edXML:Place>UBND các tỉnh, thành phố trực thuộc TW</edXML:Place>
        </edXML:ToPlaces>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:TraceHeader>
          <edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:Timestamp>2015/09/30 16:45:10</edXML:Timestamp>
        </edXML:TraceHeader>
        <edXML:Bussiness>
          <edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>
          <edXML:BussinessDocType>0</edXML:BussinessDocType>
          <edXML:BussinessDocReason>Văn bản điện tử mới</edXML:BussinessDocReason>
          <edXML:Paper>0</edXML:Paper>
          <edXML:StaffInfo>
            <edXML:Department>Văn thư</edXML:Department>
            <edXML:Staff>Trần Thị B</edXML:Staff>
            <edXML:Email>vanthu@chinhphu.vn</edXML:Email>
            <edXML:Mobile>0912000001</edXML:Mobile>
          </edXML:StaffInfo>
        </edXML:Bussiness>
      </edXML:TraceHeaderList>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference>
          <edXML:ContentId>cid:209</edXML:ContentId>
          <edXML:ContentType>text/plain</edXML:ContentType>
          <edXML:Description>Công văn 7816</edXML:Description>
          <edXML:AttachmentName>7816_VPCP-TTĐT.txt</edXML:AttachmentName>
        </edXML:Reference>
        <edXML:Reference>
          <edXML:ContentId>cid:210</edXML:ContentId>
          <edXML:ContentType>application/pdf</edXML:ContentType>
          <edXML:Description>Phụ lục</edXML:Description>
          <edXML:AttachmentName>phu_luc.pdf</edXML:AttachmentName>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentId>cid:209</ContentId>
      <AttachmentName>7816_VPCP-TTĐT.txt</AttachmentName>
      <Description>Công văn 7816</Description>
      <ContentType>text/plain</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">Q8O0bmcgdsSDbiBz4buRIDc4MTYvVlBDUC1UVMSQVCB24buBIHZp4buHYyBr4bq/dCBu4buRaSwgbGnDqm4g
dGjDtG5nIHBo4bqnbiBt4buBbSBxdeG6o24gbMO9IHbEg24gYuG6o24u</edXML:ContentTransferEncoded>
    </Attachment>
    <Attachment>
      <ContentId>cid:210</ContentId>
      <AttachmentName>phu_luc.pdf</AttachmentName>
      <Description>Phụ lục</Description>
      <ContentType>application/pdf</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">JVBERi0xLjQKAAEC//4=</edXML:ContentTransferEncoded>
    </Attachment>
  </AttachmentEncoded>
</edXML>
)";
}

// A Status answer from UBND tỉnh Đồng Tháp about the sample document.
inline std::string sample_status(std::string_view code) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:Status>
        <edXML:ResponseFor>
          <edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:Code>7816/VPCP-TTĐT</edXML:Code>
          <edXML:PromulgationDate>2015/09/30</edXML:PromulgationDate>
          <edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>
        </edXML:ResponseFor>
        <edXML:From>
          <edXML:OrganId>000.00.00.H20</edXML:OrganId>
          <edXML:OrganName>UBND tỉnh Đồng Tháp</edXML:OrganName>
        </edXML:From>
        <edXML:StatusCode>)" +
         std::string(code) + R"(</edXML:StatusCode>
        <edXML:Description>Đã đến</edXML:Description>
        <edXML:Timestamp>2015/09/30 17:02:00</edXML:Timestamp>
        <edXML:StaffInfo>
          <edXML:Department>Văn thư</edXML:Department>
          <edXML:Staff>Lê Văn C</edXML:Staff>
        </edXML:StaffInfo>
      </edXML:Status>
    </edXML:edXMLHeader>
    <edXML:edXMLBody/>
  </edXML:edXMLEnvelope>
</edXML>
)";
}

}  // namespace lienthong::edxml::testing
