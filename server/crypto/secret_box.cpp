// AES-256-GCM through OpenSSL's EVP interface with a random 96-bit nonce per value.
#include "server/crypto/secret_box.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/crypto/encoding.hpp"
#include "server/crypto/openssl_ptr.hpp"
#include "server/crypto/random.hpp"

namespace tessera::crypto {
namespace {

constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr std::string_view kPrefix = "v1:";
constexpr std::string_view kKeyFileHeader = "tessera-key-v1:";

}  // namespace

SecretBox::~SecretBox() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

namespace {

void fsync_folder(const std::filesystem::path& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Writes a new key next to key_file and links it into place: link() is atomic and fails if
// another process created the key first, in which case that key is the one everybody uses.
void create_key_file(const std::filesystem::path& key_file) {
  std::array<uint8_t, SecretBox::key_size> key{};
  random_fill(key.data(), key.size());
  std::string text = std::string(kKeyFileHeader) + base64_encode(key.data(), key.size()) + "\n";
  OPENSSL_cleanse(key.data(), key.size());
  std::string tmp = key_file.string() + ".XXXXXX";
  int fd = ::mkstemp(tmp.data());  // mode 0600
  if (fd < 0) {
    OPENSSL_cleanse(text.data(), text.size());
    throw SecretBoxError("cannot create encryption key file " + key_file.string() + ": " +
                         std::strerror(errno));
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  OPENSSL_cleanse(text.data(), text.size());
  int link_errno = 0;
  if (ok && ::link(tmp.c_str(), key_file.c_str()) != 0 && errno != EEXIST) link_errno = errno;
  ::unlink(tmp.c_str());
  if (!ok || link_errno)
    throw SecretBoxError("cannot write encryption key file " + key_file.string() +
                         (link_errno ? std::string(": ") + std::strerror(link_errno) : ""));
  fsync_folder(key_file.parent_path());
}

}  // namespace

SecretBox SecretBox::load_or_create(const std::filesystem::path& key_file) {
  if (!std::filesystem::exists(key_file)) create_key_file(key_file);
  struct stat st {};
  if (::stat(key_file.c_str(), &st) == 0 && (st.st_mode & 077))
    throw SecretBoxError("encryption key file " + key_file.string() +
                         " is readable by others: run chmod 600 on it");
  std::ifstream in(key_file);
  std::string line;
  std::getline(in, line);
  auto decoded = line.rfind(kKeyFileHeader, 0) == 0
                     ? base64_decode(std::string_view(line).substr(kKeyFileHeader.size()))
                     : std::nullopt;
  OPENSSL_cleanse(line.data(), line.size());
  if (!decoded || decoded->size() != key_size)
    throw SecretBoxError("encryption key file " + key_file.string() + " is not a Tessera key");
  std::array<uint8_t, key_size> key{};
  std::copy(decoded->begin(), decoded->end(), key.begin());
  OPENSSL_cleanse(decoded->data(), decoded->size());
  SecretBox box(key);
  OPENSSL_cleanse(key.data(), key.size());
  return box;
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view associated_data) const {
  std::vector<uint8_t> out(kNonceSize + plaintext.size() + kTagSize);
  random_fill(out.data(), kNonceSize);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok =
      ctx &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out.data()) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const uint8_t*>(associated_data.data()),
                        static_cast<int>(associated_data.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), out.data() + kNonceSize, &len,
                        reinterpret_cast<const uint8_t*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceSize + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                          out.data() + kNonceSize + plaintext.size()) == 1;
  if (!ok) throw SecretBoxError("encryption failed");
  return std::string(kPrefix) + base64_encode(out.data(), out.size());
}

std::string SecretBox::open(std::string_view sealed, std::string_view associated_data) const {
  if (sealed.substr(0, kPrefix.size()) != kPrefix)
    throw SecretBoxError("stored secret has an unknown format");
  auto raw = base64_decode(sealed.substr(kPrefix.size()));
  if (!raw || raw->size() < kNonceSize + kTagSize) throw SecretBoxError("stored secret is damaged");
  const size_t text_size = raw->size() - kNonceSize - kTagSize;
  std::string plaintext(text_size, '\0');
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), raw->data()) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const uint8_t*>(associated_data.data()),
                        static_cast<int>(associated_data.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(plaintext.data()), &len,
                        raw->data() + kNonceSize, static_cast<int>(text_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                          raw->data() + kNonceSize + text_size) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(plaintext.data()) + len, &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    throw SecretBoxError("stored secret failed authentication (altered, moved or another key)");
  }
  return plaintext;
}

}  // namespace tessera::crypto
