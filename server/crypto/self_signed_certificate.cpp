// A self-signed EC P-256 certificate with a random 128-bit serial, valid for two years.
#include "server/crypto/self_signed_certificate.hpp"

#include <cstdio>
#include <stdexcept>

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/crypto/openssl_ptr.hpp"
#include "server/crypto/random.hpp"

namespace tessera::crypto {
namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("creating the TLS certificate failed at ") + what);
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Writes to a private temporary file (mkstemp: mode 0600 from the start, so the key is never
// readable by others, not even for a moment), then renames it into place.
void write_pem(const std::filesystem::path& path, mode_t mode, EVP_PKEY* pkey, X509* cert) {
  std::string tmp = path.string() + ".XXXXXX";
  int fd = ::mkstemp(tmp.data());
  check(fd >= 0, "creating the output file");
  ::fchmod(fd, mode);
  FILE* f = ::fdopen(fd, "w");
  check(f != nullptr, "opening the output file");
  bool ok = pkey ? PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1
                 : PEM_write_X509(f, cert) == 1;
  ok = std::fflush(f) == 0 && ::fsync(fd) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) ::unlink(tmp.c_str());
  check(ok, "writing PEM");
  std::filesystem::rename(tmp, path);
}

// Holds an exclusive lock on <dir>/.lock, so two processes sharing a data folder never write
// a key and a certificate that do not belong together.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& dir)
      : fd_(::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    check(fd_ >= 0 && ::flock(fd_, LOCK_EX) == 0, "locking the TLS folder");
  }
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_;
};

}  // namespace

CertificateFiles ensure_self_signed_certificate(const std::filesystem::path& dir) {
  CertificateFiles files{dir / "server.crt", dir / "server.key", false};
  auto complete = [&] {
    return std::filesystem::exists(files.certificate) && std::filesystem::exists(files.private_key);
  };
  if (complete()) return files;
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  FolderLock lock(dir);
  if (complete()) return files;  // another process made them while we waited

  PkeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "key generation");
  X509Ptr cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  auto serial_bytes = random_bytes(16);
  serial_bytes[0] &= 0x7f;  // positive, as RFC 5280 asks
  BIGNUM* serial = BN_bin2bn(serial_bytes.data(), static_cast<int>(serial_bytes.size()), nullptr);
  check(serial && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())), "serial");
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 2L * 365 * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Tessera"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), NID_subject_key_identifier, "hash");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing");

  write_pem(files.private_key, 0600, key.get(), nullptr);
  write_pem(files.certificate, 0644, nullptr, cert.get());
  files.created = true;
  return files;
}

}  // namespace tessera::crypto
