#include "gateway/crypto/trust_directory.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <nlohmann/json.hpp>

#include "gateway/core/identifiers.h"
#include "gateway/crypto/certificate_checks.h"
#include "gateway/crypto/certificate_names.h"
#include "gateway/crypto/jws_json.h"
#include "gateway/crypto/key_material.h"

namespace lienthong::crypto {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxPinBytes = 64 << 10;

Error bad(const fs::path& file, const std::string& why) {
  return Error{ErrorCode::kBadRequest, file.string() + ": " + why};
}

// Regular files of one folder in name order, dot files (temporaries, the lock) left out.
std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && !name.empty() && name.front() != '.')
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Serialises changes to one trust directory across processes (the CLI, the admin API of any
// gateway sharing the directory). Released when the descriptor closes.
class DirectoryLock {
 public:
  static Result<DirectoryLock> take(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    const int fd = ::open((dir / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) return fail(ErrorCode::kInternal, (dir / ".lock").string() + ": cannot open");
    if (::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      return fail(ErrorCode::kInternal, (dir / ".lock").string() + ": cannot lock");
    }
    return DirectoryLock(fd);
  }
  // For readers: waits for a change in progress, so a reader never sees half of one (a pin
  // listed but already unlinked). Read-only, and no lock at all where no change was ever made
  // (no lock file): the gateway needs no write access to the directory it reads.
  static Result<DirectoryLock> shared(const fs::path& dir) {
    const int fd = ::open((dir / ".lock").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return DirectoryLock(-1);
      return fail(ErrorCode::kInternal, (dir / ".lock").string() + ": cannot open");
    }
    if (::flock(fd, LOCK_SH) != 0) {
      ::close(fd);
      return fail(ErrorCode::kInternal, (dir / ".lock").string() + ": cannot lock");
    }
    return DirectoryLock(fd);
  }
  DirectoryLock(DirectoryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DirectoryLock& operator=(DirectoryLock&&) = delete;
  ~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit DirectoryLock(int fd) : fd_(fd) {}
  int fd_;
};

Result<void> fsync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail(ErrorCode::kInternal, dir.string() + ": cannot open to fsync");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return fail(ErrorCode::kInternal, dir.string() + ": fsync failed");
  return {};
}

// Temporary file, fsync, rename, fsync of the folder: the gateway reloading at any moment
// reads the old file or the new one.
Result<void> write_atomically(const fs::path& file, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  const fs::path tmp = file.parent_path() / ("." + file.filename().string() + ".tmp");
  const int fd = ::open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return fail(ErrorCode::kInternal, tmp.string() + ": cannot create");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      fs::remove(tmp, ec);
      return fail(ErrorCode::kInternal, tmp.string() + ": write failed");
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    fs::remove(tmp, ec);
    return fail(ErrorCode::kInternal, tmp.string() + ": fsync failed");
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return fail(ErrorCode::kInternal, file.string() + ": rename failed");
  }
  return fsync_directory(file.parent_path());
}

Result<void> remove_durably(const fs::path& file) {
  std::error_code ec;
  if (!fs::remove(file, ec) || ec)
    return fail(ErrorCode::kInternal, file.string() + ": cannot remove");
  return fsync_directory(file.parent_path());
}

std::string pem_of(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), const_cast<X509*>(cert));
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string pem_of(const X509_CRL* crl) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_CRL(bio.get(), const_cast<X509_CRL*>(crl));
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// "ec-root-ca" from a subject CN: readable file names for operators, fingerprint for uniqueness.
std::string slug(const X509* cert) {
  std::string out;
  for (char c : common_name(cert)) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u))
      out.push_back(static_cast<char>(std::tolower(u)));
    else if (!out.empty() && out.back() != '-')
      out.push_back('-');
    if (out.size() >= 40) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "certificate" : out;
}

fs::path certificate_file(const fs::path& folder, const X509* cert) {
  return folder / (slug(cert) + "-" + sha256_fingerprint(cert).substr(0, 16) + ".pem");
}

bool is_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<void> load_certificates_into(const fs::path& folder, CertificateRole role,
                                    std::vector<CertificateFile>& out) {
  for (const auto& file : files_in(folder)) {
    auto certs = load_certificates(file);
    if (!certs) return tl::unexpected(bad(file, certs.error().detail));
    for (auto& cert : *certs) {
      if (auto ok = check_certificate(cert.get(), role); !ok)
        return tl::unexpected(bad(file, ok.error().detail));
      out.push_back(CertificateFile{file, std::move(cert)});
    }
  }
  return {};
}

// The anchor or intermediate that issued and signed `crl`.
const X509* crl_issuer(const TrustDirectoryContents& contents, const X509_CRL* crl) {
  auto signs = [&](const CertificateFile& ca) {
    return X509_NAME_cmp(X509_get_subject_name(ca.cert.get()), X509_CRL_get_issuer(crl)) == 0 &&
           X509_CRL_verify(const_cast<X509_CRL*>(crl), X509_get0_pubkey(ca.cert.get())) == 1;
  };
  for (const auto& ca : contents.anchors)
    if (signs(ca)) return ca.cert.get();
  for (const auto& ca : contents.intermediates)
    if (signs(ca)) return ca.cert.get();
  ERR_clear_error();
  return nullptr;
}

// Whether `a` is a later CRL than `b` of the same issuer: by CRL number when both carry one,
// else by lastUpdate.
bool newer_crl(const X509_CRL* a, const X509_CRL* b) {
  using IntPtr =
      std::unique_ptr<ASN1_INTEGER, decltype([](ASN1_INTEGER* i) { ASN1_INTEGER_free(i); })>;
  IntPtr na(static_cast<ASN1_INTEGER*>(
      X509_CRL_get_ext_d2i(const_cast<X509_CRL*>(a), NID_crl_number, nullptr, nullptr)));
  IntPtr nb(static_cast<ASN1_INTEGER*>(
      X509_CRL_get_ext_d2i(const_cast<X509_CRL*>(b), NID_crl_number, nullptr, nullptr)));
  if (na && nb) return ASN1_INTEGER_cmp(na.get(), nb.get()) > 0;
  return to_time_point(X509_CRL_get0_lastUpdate(a)) > to_time_point(X509_CRL_get0_lastUpdate(b));
}

std::string crl_file_name(const X509* issuer) {
  return slug(issuer) + "-" + sha256_fingerprint(issuer).substr(0, 16) + ".crl.pem";
}

// Validates `cert` as a member would be at `now` against the directory's anchors and CRLs.
Result<void> chains_now(const TrustDirectoryContents& contents, const X509* cert, TimePoint now,
                        int purpose) {
  auto store = X509TrustStore::create(contents.material());
  if (!store) return tl::unexpected(store.error());
  PathCheck check;
  check.leaf = cert;
  check.at = now;
  check.purpose = purpose;
  auto path = (*store)->validate(check);
  if (!path) return tl::unexpected(path.error());
  return {};
}

struct Found {
  enum Kind { kAnchor, kIntermediate, kPin } kind;
  fs::path file;
  std::string fingerprint;
  std::string what;
};

Result<std::vector<Found>> find(const TrustDirectoryContents& c, const std::string& key) {
  const std::string want = lower(key);
  if (!is_hex(want) || want.size() < 8)
    return fail(ErrorCode::kBadRequest,
                "name a certificate by its SHA-256 fingerprint (at least 8 hex digits)");
  std::vector<Found> out;
  auto consider = [&](Found::Kind kind, const fs::path& file, const X509* cert, std::string what) {
    const std::string fp = sha256_fingerprint(cert);
    if (fp.compare(0, want.size(), want) == 0)
      out.push_back(Found{kind, file, fp, std::move(what)});
  };
  for (const auto& a : c.anchors)
    consider(Found::kAnchor, a.file, a.cert.get(), "anchor " + subject_dn(a.cert.get()));
  for (const auto& i : c.intermediates)
    consider(Found::kIntermediate, i.file, i.cert.get(),
             "intermediate " + subject_dn(i.cert.get()));
  for (const auto& p : c.pins)
    consider(Found::kPin, p.file, p.cert.get(), "pinned member " + p.organ_code);
  return out;
}

}  // namespace

TrustMaterial TrustDirectoryContents::material() const {
  TrustMaterial m;
  for (const auto& a : anchors) m.anchors.push_back(share(a.cert.get()));
  for (const auto& i : intermediates) m.intermediates.push_back(share(i.cert.get()));
  for (const auto& c : crls) m.crls.push_back(share(c.crl.get()));
  return m;
}

const MemberPin* TrustDirectoryContents::pin(std::string_view fingerprint) const {
  for (const auto& p : pins)
    if (p.fingerprint == fingerprint) return &p;
  return nullptr;
}

Result<MemberPin> parse_member_pin(std::string_view json, const fs::path& file) {
  auto doc = parse_strict_json(json, 4, file.string(), ErrorCode::kBadRequest);
  if (!doc) return tl::unexpected(doc.error());
  if (!doc->is_object()) return tl::unexpected(bad(file, "a pin is a JSON object"));
  MemberPin pin;
  pin.file = file;
  std::string pem;
  for (const auto& [key, value] : doc->items()) {
    if (!value.is_string()) return tl::unexpected(bad(file, "\"" + key + "\" must be a string"));
    const auto& text = value.get_ref<const std::string&>();
    if (key == "organ_code")
      pin.organ_code = text;
    else if (key == "subsystem")
      pin.subsystem = text;
    else if (key == "fingerprint")
      pin.fingerprint = text;
    else if (key == "pinned_at")
      pin.pinned_at = text;
    else if (key == "pinned_by")
      pin.pinned_by = text;
    else if (key == "certificate")
      pem = text;
    else
      return tl::unexpected(bad(file, "unknown member \"" + shown(key) + "\""));
  }
  if (!parse_organ_code(pin.organ_code))
    return tl::unexpected(bad(file, "organ_code is not an organ code (NNN.NN.NN.ANN)"));
  auto certs = parse_certificates(pem);
  if (!certs || certs->size() != 1)
    return tl::unexpected(bad(file, "certificate must hold exactly one PEM certificate"));
  pin.cert = std::move(certs->front());
  if (auto ok = check_certificate(pin.cert.get(), CertificateRole::kMember); !ok)
    return tl::unexpected(bad(file, ok.error().detail));
  const std::string fp = sha256_fingerprint(pin.cert.get());
  if (pin.fingerprint != fp)
    return tl::unexpected(bad(file, "fingerprint does not match the certificate"));
  if (file.filename() != fp + ".json")
    return tl::unexpected(bad(file, "a pin file is named <fingerprint>.json"));
  auto organ = organ_code_of(pin.cert.get());
  if (!organ || *organ != pin.organ_code)
    return tl::unexpected(bad(file, "the certificate does not name organ " + pin.organ_code));
  return pin;
}

TrustDirectory::TrustDirectory(fs::path dir) : dir_(std::move(dir)) {}

Result<TrustDirectoryContents> TrustDirectory::read() const {
  auto lock = DirectoryLock::shared(dir_);
  if (!lock) return tl::unexpected(lock.error());
  return read_unlocked();
}

Result<TrustDirectoryContents> TrustDirectory::read_unlocked() const {
  std::error_code ec;
  if (!fs::is_directory(dir_ / "anchors", ec))
    return fail(
        ErrorCode::kBadRequest,
        dir_.string() + ": not a trust directory (expected anchors/, intermediates/, crls/)");
  TrustDirectoryContents c;
  if (auto ok = load_certificates_into(dir_ / "anchors", CertificateRole::kAnchor, c.anchors); !ok)
    return tl::unexpected(ok.error());
  if (c.anchors.empty())
    return fail(ErrorCode::kBadRequest, (dir_ / "anchors").string() + ": no certificate");
  if (auto ok = load_certificates_into(dir_ / "intermediates", CertificateRole::kIntermediate,
                                       c.intermediates);
      !ok)
    return tl::unexpected(ok.error());
  for (const auto& file : files_in(dir_ / "crls")) {
    auto crls = load_crls(file);
    if (!crls) return tl::unexpected(bad(file, crls.error().detail));
    for (auto& crl : *crls) {
      if (crl_issuer(c, crl.get()) == nullptr)
        return tl::unexpected(
            bad(file, "no anchor or intermediate here issued and signed this CRL"));
      c.crls.push_back(CrlFile{file, std::move(crl)});
    }
  }
  for (const auto& file : files_in(dir_ / "members")) {
    if (file.extension() != ".json") continue;  // README files and the like
    auto bytes = read_file(file, kMaxPinBytes);
    if (!bytes) return tl::unexpected(bad(file, bytes.error().detail));
    auto pin = parse_member_pin(*bytes, file);
    if (!pin) return tl::unexpected(pin.error());
    c.pins.push_back(std::move(*pin));
  }
  return c;
}

Result<TrustChange> TrustDirectory::add_anchor(const X509* cert, TimePoint now) const {
  if (auto ok = check_certificate(cert, CertificateRole::kAnchor); !ok)
    return tl::unexpected(ok.error());
  if (seconds_to_expiry(cert, now) <= 0)
    return fail(ErrorCode::kBadRequest, "the certificate has expired");
  auto lock = DirectoryLock::take(dir_);
  if (!lock) return tl::unexpected(lock.error());
  std::error_code ec;
  if (fs::is_directory(dir_ / "anchors", ec)) {
    auto current = read_unlocked();
    if (!current) return tl::unexpected(current.error());
    auto same = find(*current, sha256_fingerprint(cert));
    if (same && !same->empty())
      return fail(ErrorCode::kBadRequest, "already trusted: " + same->front().what);
  }
  const fs::path file = certificate_file(dir_ / "anchors", cert);
  if (auto ok = write_atomically(file, pem_of(cert)); !ok) return tl::unexpected(ok.error());
  return TrustChange{
      "add-anchor", {file}, {}, "anchor " + subject_dn(cert) + " " + sha256_fingerprint(cert)};
}

Result<TrustChange> TrustDirectory::add_intermediate(const X509* cert, TimePoint now) const {
  if (auto ok = check_certificate(cert, CertificateRole::kIntermediate); !ok)
    return tl::unexpected(ok.error());
  auto lock = DirectoryLock::take(dir_);
  if (!lock) return tl::unexpected(lock.error());
  auto current = read_unlocked();
  if (!current) return tl::unexpected(current.error());
  if (auto same = find(*current, sha256_fingerprint(cert)); same && !same->empty())
    return fail(ErrorCode::kBadRequest, "already trusted: " + same->front().what);
  if (auto ok = chains_now(*current, cert, now, 0); !ok)
    return fail(ErrorCode::kBadRequest, "does not chain to an anchor here: " + ok.error().detail);
  const fs::path file = certificate_file(dir_ / "intermediates", cert);
  if (auto ok = write_atomically(file, pem_of(cert)); !ok) return tl::unexpected(ok.error());
  return TrustChange{"add-intermediate",
                     {file},
                     {},
                     "intermediate " + subject_dn(cert) + " " + sha256_fingerprint(cert)};
}

Result<TrustChange> TrustDirectory::pin_member(const X509* cert, const std::string& organ_code,
                                               const std::string& subsystem, TimePoint now,
                                               const std::string& pinned_by) const {
  if (!parse_organ_code(organ_code))
    return fail(ErrorCode::kBadRequest, "--organ must be an organ code (NNN.NN.NN.ANN)");
  if (subsystem.size() > 64) return fail(ErrorCode::kBadRequest, "--subsystem is too long");
  if (auto ok = check_certificate(cert, CertificateRole::kMember); !ok)
    return tl::unexpected(ok.error());
  auto named = organ_code_of(cert);
  if (!named) return fail(ErrorCode::kBadRequest, named.error().detail);
  if (*named != organ_code)
    return fail(ErrorCode::kBadRequest,
                "the certificate names organ " + *named + ", not " + organ_code);
  if (!subsystem.empty() && subsystem_of(cert) != subsystem)
    return fail(ErrorCode::kBadRequest, "the certificate names subsystem '" + subsystem_of(cert) +
                                            "', not '" + subsystem + "'");
  auto lock = DirectoryLock::take(dir_);
  if (!lock) return tl::unexpected(lock.error());
  auto current = read_unlocked();
  if (!current) return tl::unexpected(current.error());
  const std::string fp = sha256_fingerprint(cert);
  if (current->pin(fp) != nullptr) return fail(ErrorCode::kBadRequest, "already pinned: " + fp);
  // Pinning a certificate the gateway would refuse anyway helps nobody: say why now.
  if (auto ok = chains_now(*current, cert, now, X509_PURPOSE_SSL_CLIENT); !ok)
    return tl::unexpected(Error{ok.error().code, "would not be accepted: " + ok.error().detail});
  nlohmann::ordered_json doc;
  doc["organ_code"] = organ_code;
  doc["subsystem"] = subsystem;
  doc["fingerprint"] = fp;
  doc["pinned_at"] = format_utc_time(now);
  doc["pinned_by"] = pinned_by.substr(0, 200);
  doc["certificate"] = pem_of(cert);
  const fs::path file = dir_ / "members" / (fp + ".json");
  if (auto ok = write_atomically(file, doc.dump(2) + "\n"); !ok) return tl::unexpected(ok.error());
  return TrustChange{
      "pin-member",
      {file},
      {},
      "member " + organ_code + (subsystem.empty() ? "" : "/" + subsystem) + " " + fp};
}

Result<TrustChange> TrustDirectory::unpin(const std::string& key) const {
  auto lock = DirectoryLock::take(dir_);
  if (!lock) return tl::unexpected(lock.error());
  auto current = read_unlocked();
  if (!current) return tl::unexpected(current.error());
  TrustChange change{"unpin", {}, {}, ""};
  const bool by_organ = parse_organ_code(key).has_value();
  std::vector<const MemberPin*> chosen;
  if (by_organ) {
    for (const auto& p : current->pins)
      if (p.organ_code == key) chosen.push_back(&p);
  } else {
    auto found = find(*current, key);
    if (!found) return tl::unexpected(found.error());
    for (const auto& f : *found)
      if (f.kind == Found::kPin) chosen.push_back(current->pin(f.fingerprint));
    if (chosen.size() > 1)
      return fail(ErrorCode::kBadRequest, "fingerprint prefix " + key + " names several pins");
  }
  if (chosen.empty()) return fail(ErrorCode::kNotFound, "no pinned member matches " + key);
  for (const MemberPin* p : chosen) {
    if (auto ok = remove_durably(p->file); !ok) return tl::unexpected(ok.error());
    change.removed.push_back(p->file);
    change.detail += (change.detail.empty() ? "" : ", ") + p->organ_code + " " + p->fingerprint;
  }
  return change;
}

Result<TrustChange> TrustDirectory::import_crl(const X509_CRL* crl, TimePoint now) const {
  auto lock = DirectoryLock::take(dir_);
  if (!lock) return tl::unexpected(lock.error());
  auto current = read_unlocked();
  if (!current) return tl::unexpected(current.error());
  const X509* issuer = crl_issuer(*current, crl);
  if (issuer == nullptr)
    return fail(ErrorCode::kBadRequest,
                "no anchor or intermediate here issued and signed this CRL (issuer not trusted, or "
                "the signature does not verify)");
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
  if (next != nullptr && to_time_point(next) <= now)
    return fail(ErrorCode::kBadRequest, "the CRL is stale: its nextUpdate " +
                                            format_utc_time(to_time_point(next)) + " has passed");
  TrustChange change{"import-crl", {}, {}, "CRL of " + subject_dn(issuer)};
  std::vector<fs::path> replaced;
  for (const auto& existing : current->crls) {
    if (crl_issuer(*current, existing.crl.get()) != issuer) continue;
    if (!newer_crl(crl, existing.crl.get()))
      return fail(ErrorCode::kBadRequest,
                  "not newer than the CRL in place (" + existing.file.filename().string() + ")");
    replaced.push_back(existing.file);
  }
  const fs::path file = dir_ / "crls" / crl_file_name(issuer);
  if (auto ok = write_atomically(file, pem_of(crl)); !ok) return tl::unexpected(ok.error());
  change.written.push_back(file);
  for (const auto& old : replaced) {
    if (old == file) continue;
    if (auto ok = remove_durably(old); !ok) return tl::unexpected(ok.error());
    change.removed.push_back(old);
  }
  return change;
}

Result<TrustChange> TrustDirectory::remove(const std::string& fingerprint) const {
  auto lock = DirectoryLock::take(dir_);
  if (!lock) return tl::unexpected(lock.error());
  auto current = read_unlocked();
  if (!current) return tl::unexpected(current.error());
  auto found = find(*current, fingerprint);
  if (!found) return tl::unexpected(found.error());
  if (found->empty())
    return fail(ErrorCode::kNotFound, "nothing here has fingerprint " + fingerprint);
  if (found->size() > 1)
    return fail(ErrorCode::kBadRequest,
                "fingerprint prefix " + fingerprint + " names several certificates");
  const Found& f = found->front();
  if (f.kind == Found::kAnchor && current->anchors.size() == 1)
    return fail(ErrorCode::kBadRequest, "the last anchor cannot be removed");
  // A bundle file holding several certificates is not split here: the operator edits it.
  size_t in_same_file = 0;
  for (const auto& a : current->anchors) in_same_file += a.file == f.file;
  for (const auto& i : current->intermediates) in_same_file += i.file == f.file;
  if (in_same_file > 1)
    return fail(ErrorCode::kBadRequest,
                f.file.string() + " holds several certificates; edit it by hand");
  if (auto ok = remove_durably(f.file); !ok) return tl::unexpected(ok.error());
  return TrustChange{"remove", {}, {f.file}, f.what + " " + f.fingerprint};
}

}  // namespace lienthong::crypto
