#include "tests/unit/front_thrift/thrift_test_support.h"

#include <arpa/inet.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TTransportException.h>

#include <csignal>
#include <cstring>
#include <stdexcept>

#include "tests/support/test_pki.h"

namespace lienthong::testing {

using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::protocol::TType;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TMemoryBuffer;
using apache::thrift::transport::TSSLSocketFactory;
using apache::thrift::transport::TTransportException;

FakePipeline::~FakePipeline() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

void FakePipeline::lookup(LookupRequest request, exchange::LookupCallback done) {
  if (throw_in_lookup_) throw std::runtime_error("secret internals 001203004510");
  std::lock_guard lock(mutex_);
  seen_.push_back(request);
  Answer answer = answer_ ? answer_ : Answer(sample_response);
  threads_.emplace_back([answer = std::move(answer), request = std::move(request),
                         done = std::move(done)] { done(answer(request)); });
}

void FakePipeline::set_answer(Answer answer) {
  std::lock_guard lock(mutex_);
  answer_ = std::move(answer);
}

std::vector<LookupRequest> FakePipeline::seen() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

LookupResponse sample_response(const LookupRequest& request) {
  LookupResponse response;
  response.request_id = request.request_id;
  response.record.code = record_code(request.subject, request.document_type);
  response.record.subject = request.subject;
  response.record.doc_type = request.document_type;
  response.record.fields = {{"ho_va_ten", "Nguyễn Thị Minh Khai"},
                            {"thuong_tru.chi_tiet", "Số 12, ngõ 34 phố Đội Cấn"}};
  response.record.source = "population";
  response.record.verified_at = *parse_utc_time("2026-11-22T08:15:30Z");
  response.record.expires_at = *parse_utc_time("2027-11-22T08:15:30Z");
  response.from_cache = true;
  response.envelope = "<Envelope>signed</Envelope>";
  return response;
}

front::ThriftFrontConfig test_front_config() {
  front::ThriftFrontConfig config;
  config.tls.certificate_chain_file = pki_file("ec", "gateway-tls.fullchain.pem").string();
  config.tls.private_key_file = pki_file("ec", "gateway-tls.key").string();
  config.tls.client_ca_directory = (test_pki_dir() / "trust").string();
  config.max_connections = 8;
  return config;
}

TlsClient::TlsClient(std::uint16_t port, const std::string& member, const std::string& kt) {
  // A test client that writes after the server cut it off must see EPIPE, not die of SIGPIPE
  // (the server protects its own threads; this is the test process's side).
  std::signal(SIGPIPE, SIG_IGN);
  // OpenSSL 3 initialises itself; Thrift must not clean it up under the rest of the test.
  TSSLSocketFactory::setManualOpenSSLInitialization(true);
  factory_ = std::make_shared<TSSLSocketFactory>();
  // The test front always serves the EC gateway-tls certificate.
  factory_->loadTrustedCertificates(pki_file("ec", "root-ca.crt").c_str());
  if (!member.empty()) {
    factory_->loadCertificate(pki_file(kt, member + ".fullchain.pem").c_str());
    factory_->loadPrivateKey(pki_file(kt, member + ".key").c_str());
  }
  factory_->authenticate(true);  // verify the gateway (its IP SAN 127.0.0.1)
  socket_ = factory_->createSocket("127.0.0.1", port);
  socket_->setRecvTimeout(5000);
  socket_->setSendTimeout(5000);
  framed_ = std::make_shared<TFramedTransport>(socket_);
}

TlsClient::~TlsClient() {
  client_.reset();
  try {
    if (socket_->isOpen()) socket_->close();
  } catch (const std::exception& e) {
    // The server may already have cut the connection; nothing left to release.
    (void)e;
  }
}

wire::ExchangeClient& TlsClient::exchange() {
  if (!client_) {
    if (!socket_->isOpen()) socket_->open();
    client_ = std::make_unique<wire::ExchangeClient>(std::make_shared<TBinaryProtocol>(framed_));
  }
  return *client_;
}

std::optional<std::string> TlsClient::raw_call(const std::string& payload) {
  std::string frame(4, '\0');
  const std::uint32_t size = htonl(static_cast<std::uint32_t>(payload.size()));
  std::memcpy(frame.data(), &size, 4);
  frame += payload;
  return raw_send(frame);
}

std::optional<std::string> TlsClient::raw_send(const std::string& bytes) {
  if (!socket_->isOpen()) socket_->open();
  try {
    socket_->write(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                   static_cast<std::uint32_t>(bytes.size()));
    socket_->flush();
    std::uint32_t size = 0;
    if (socket_->readAll(reinterpret_cast<std::uint8_t*>(&size), 4) != 4) return std::nullopt;
    std::string reply(ntohl(size), '\0');
    socket_->readAll(reinterpret_cast<std::uint8_t*>(reply.data()),
                     static_cast<std::uint32_t>(reply.size()));
    return reply;
  } catch (const TTransportException& e) {
    if (e.getType() == TTransportException::TIMED_OUT) {
      throw std::runtime_error("the server neither answered nor closed within 5 s");
    }
    return std::nullopt;  // closed (EOF, reset or TLS alert): what a refusal looks like
  }
}

wire::LookupRequest sample_wire_request() {
  wire::LookupRequest request;
  request.subjectId = "001203004510";
  request.documentType = "CD01";
  request.purpose.dossierCode = "000.00.00.G22-261122-0001";
  request.purpose.procedureCode = "1.001234.000.00.00.H20";
  request.officer.personalId = "079085000111";
  request.officer.account = "tam.lv@motcua.gov.vn";
  return request;
}

std::string encode_call(const wire::LookupRequest& request, int nested_junk) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  TBinaryProtocol out(buffer);
  out.writeMessageBegin("lookup", apache::thrift::protocol::T_CALL, 1);
  out.writeStructBegin("Exchange_lookup_args");
  out.writeFieldBegin("request", apache::thrift::protocol::T_STRUCT, 1);
  request.write(&out);
  out.writeFieldEnd();
  if (nested_junk > 0) {
    // Field 99 is unknown to the server, which skips it, one struct level at a time.
    out.writeFieldBegin("junk", apache::thrift::protocol::T_STRUCT, 99);
    for (int depth = 1; depth < nested_junk; ++depth) {
      out.writeStructBegin("junk");
      out.writeFieldBegin("junk", apache::thrift::protocol::T_STRUCT, 1);
    }
    out.writeStructBegin("junk");
    for (int depth = 0; depth < nested_junk; ++depth) {
      out.writeFieldStop();
      out.writeStructEnd();
      if (depth + 1 < nested_junk) out.writeFieldEnd();
    }
    out.writeFieldEnd();
  }
  out.writeFieldStop();
  out.writeStructEnd();
  out.writeMessageEnd();
  return buffer->getBufferAsString();
}

}  // namespace lienthong::testing
