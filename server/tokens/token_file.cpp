// PSKC with libxml2 (no network, no entity expansion into the tree, its own depth and size
// limits) and OpenSSL for AES-CBC, HMAC and PBKDF2. The structure is walked by fixed paths:
// nothing in the file decides how deep the code goes.
#include "server/tokens/token_file.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "server/crypto/encoding.hpp"
#include "server/util/validity_time.hpp"

namespace tessera::tokens {
namespace {

constexpr size_t kMaxFile = 4 * 1024 * 1024;
constexpr size_t kMaxKeys = 10000;
constexpr int kMaxIterations = 1000000;

using Bytes = std::vector<uint8_t>;

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

bool named(const xmlNode* node, const char* name) {
  return node && node->type == XML_ELEMENT_NODE &&
         xmlStrcmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

// The first child element of that local name (namespaces aside, as PSKC writers differ).
const xmlNode* child(const xmlNode* parent, const char* name) {
  if (!parent) return nullptr;
  for (const xmlNode* n = parent->children; n; n = n->next)
    if (named(n, name)) return n;
  return nullptr;
}

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string text_of(const xmlNode* node) {
  if (!node) return {};
  xmlChar* content = xmlNodeGetContent(node);
  if (!content) return {};
  std::string text(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return trimmed(text);
}

std::string attribute(const xmlNode* node, const char* name) {
  if (!node) return {};
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (!value) return {};
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return trimmed(text);
}

// Base64 as PSKC writers wrap it: whitespace anywhere.
std::optional<Bytes> base64(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(),
                            [](unsigned char c) { return std::isspace(c) != 0; }),
             text.end());
  return crypto::base64_decode(text);
}

// After the '#' of an XML Encryption or Signature algorithm URI.
std::string fragment(const std::string& uri) {
  const auto hash = uri.rfind('#');
  return hash == std::string::npos ? uri : uri.substr(hash + 1);
}

const EVP_MD* hmac_digest(const std::string& uri) {
  static const std::map<std::string, const EVP_MD* (*)()> digests{{"hmac-sha1", EVP_sha1},
                                                                  {"hmac-sha224", EVP_sha224},
                                                                  {"hmac-sha256", EVP_sha256},
                                                                  {"hmac-sha384", EVP_sha384},
                                                                  {"hmac-sha512", EVP_sha512}};
  const auto it = digests.find(fragment(uri));
  return it == digests.end() ? nullptr : it->second();
}

// AES-CBC with the IV in front, as XML Encryption writes it.
Bytes decrypt(const Bytes& data, const Bytes& key, const std::string& algorithm) {
  const auto name = fragment(algorithm);
  const EVP_CIPHER* cipher = name == "aes128-cbc"   ? EVP_aes_128_cbc()
                             : name == "aes192-cbc" ? EVP_aes_192_cbc()
                             : name == "aes256-cbc" ? EVP_aes_256_cbc()
                                                    : nullptr;
  if (!cipher)
    throw TokenFileError("encryption '" + algorithm +
                         "' is not supported (aes128-cbc, aes192-cbc, aes256-cbc)");
  if (key.size() != static_cast<size_t>(EVP_CIPHER_key_length(cipher)))
    throw TokenFileError("the key has " + std::to_string(key.size()) + " bytes; " + name +
                         " needs " + std::to_string(EVP_CIPHER_key_length(cipher)));
  if (data.size() < 32 || data.size() % 16 != 0)
    throw TokenFileError("an encrypted value is not IV + whole AES blocks");
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  Bytes out(data.size());
  int written = 0, last = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, key.data(), data.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out.data(), &written, data.data() + 16,
                        static_cast<int>(data.size() - 16)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out.data() + written, &last) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    throw TokenFileError("an encrypted value does not open with this key or password");
  }
  out.resize(static_cast<size_t>(written + last));
  return out;
}

// What opens the container's encrypted values: its encryption key and MAC.
struct Keys {
  Bytes encryption;  // empty: the file is not encrypted
  Bytes mac;
  const EVP_MD* mac_digest = nullptr;
};

Bytes derived_key(const xmlNode* derived, const std::string& password) {
  const auto* method = child(derived, "KeyDerivationMethod");
  if (fragment(attribute(method, "Algorithm")) != "pbkdf2")
    throw TokenFileError("the key derivation is not PBKDF2");
  const auto* params = child(method, "PBKDF2-params");
  const auto salt = base64(text_of(child(child(params, "Salt"), "Specified")));
  int iterations = 0, length = 0;
  try {
    iterations = std::stoi(text_of(child(params, "IterationCount")));
    length = std::stoi(text_of(child(params, "KeyLength")));
  } catch (const std::exception&) {
  }
  if (!salt || iterations < 1 || iterations > kMaxIterations ||
      (length != 16 && length != 24 && length != 32))
    throw TokenFileError(
        "the PBKDF2 parameters are malformed (salt, 1 to 1,000,000 iterations, "
        "a key of 16, 24 or 32 bytes)");
  const auto* prf = child(params, "PRF");
  const auto prf_uri = attribute(prf, "Algorithm");
  const EVP_MD* digest = prf_uri.empty() ? EVP_sha1() : hmac_digest(prf_uri);
  if (!digest) throw TokenFileError("the PBKDF2 PRF '" + prf_uri + "' is not supported");
  if (password.empty())
    throw TokenFileError("the file is encrypted with a password: give password");
  Bytes key(static_cast<size_t>(length));
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt->data(),
                        static_cast<int>(salt->size()), iterations, digest, length,
                        key.data()) != 1)
    throw TokenFileError("PBKDF2 failed");
  return key;
}

Keys container_keys(const xmlNode* container, const PskcSecrets& secrets) {
  Keys keys;
  const auto* encryption = child(container, "EncryptionKey");
  if (!encryption) return keys;
  if (const auto* derived = child(encryption, "DerivedKey")) {
    keys.encryption = derived_key(derived, secrets.password);
  } else {
    if (secrets.preshared_key.empty())
      throw TokenFileError("the file is encrypted with a pre-shared key: give psk (32 hex digits)");
    keys.encryption = secrets.preshared_key;
  }
  keys.mac = keys.encryption;  // drafts before RFC 6030 used the encryption key
  keys.mac_digest = EVP_sha1();
  if (const auto* method = child(container, "MACMethod")) {
    keys.mac_digest = hmac_digest(attribute(method, "Algorithm"));
    if (!keys.mac_digest)
      throw TokenFileError("MAC '" + attribute(method, "Algorithm") + "' is not supported");
    if (const auto* mac_key = child(method, "MACKey")) {
      const auto cipher = base64(text_of(child(child(mac_key, "CipherData"), "CipherValue")));
      if (!cipher) throw TokenFileError("the MAC key is not base64");
      keys.mac = decrypt(*cipher, keys.encryption,
                         attribute(child(mac_key, "EncryptionMethod"), "Algorithm"));
    }
  }
  return keys;
}

// A value of Data: PlainValue, or EncryptedValue checked against its ValueMAC and opened.
// nullopt when absent; throws std::invalid_argument for this key only.
std::optional<Bytes> data_value(const xmlNode* field, const Keys& keys, MacCheck check,
                                bool text_number) {
  if (!field) return std::nullopt;
  if (const auto* plain = child(field, "PlainValue")) {
    if (text_number) {
      const auto text = text_of(plain);
      return Bytes(text.begin(), text.end());
    }
    auto bytes = base64(text_of(plain));
    if (!bytes) throw std::invalid_argument("a plain value is not base64");
    return bytes;
  }
  const auto* encrypted = child(field, "EncryptedValue");
  if (!encrypted) return std::nullopt;
  if (keys.encryption.empty())
    throw std::invalid_argument("an encrypted value, but the file names no encryption key");
  const auto cipher = base64(text_of(child(child(encrypted, "CipherData"), "CipherValue")));
  if (!cipher) throw std::invalid_argument("an encrypted value is not base64");
  if (check != MacCheck::none) {
    const auto mac = base64(text_of(child(field, "ValueMAC")));
    unsigned char computed[EVP_MAX_MD_SIZE];
    unsigned int computed_size = 0;
    HMAC(keys.mac_digest, keys.mac.data(), static_cast<int>(keys.mac.size()), cipher->data(),
         cipher->size(), computed, &computed_size);
    if (!mac || mac->size() != computed_size ||
        CRYPTO_memcmp(mac->data(), computed, computed_size) != 0) {
      if (check == MacCheck::hard)
        throw TokenFileError(
            "a value's MAC does not match: the file was changed, or the key is "
            "wrong (pskcValidateMAC=check_fail_soft imports the other keys)");
      throw std::invalid_argument("its MAC does not match");
    }
  }
  try {
    auto value = decrypt(*cipher, keys.encryption,
                         attribute(child(encrypted, "EncryptionMethod"), "Algorithm"));
    if (!text_number) return value;
    // Encrypted integers are big-endian bytes.
    if (value.size() > 8) throw std::invalid_argument("an encrypted number is too long");
    unsigned long long number = 0;
    for (const auto b : value) number = number << 8 | b;
    const auto text = std::to_string(number);
    return Bytes(text.begin(), text.end());
  } catch (const TokenFileError& e) {
    throw std::invalid_argument(e.what());
  }
}

long long number_value(const std::optional<Bytes>& bytes, const char* what, long long fallback,
                       long long max) {
  if (!bytes) return fallback;
  const std::string text(bytes->begin(), bytes->end());
  try {
    size_t used = 0;
    const auto value = std::stoll(text, &used);
    if (used == text.size() && value >= 0 && value <= max) return value;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(std::string(what) + " '" + text + "' is not a number from 0 to " +
                              std::to_string(max));
}

FileKey key_of(const xmlNode* package, const xmlNode* key, const Keys& keys, MacCheck check) {
  FileKey made;
  const auto* device = child(package, "DeviceInfo");
  made.serial = text_of(child(device, "SerialNo"));
  if (made.serial.empty()) made.serial = attribute(key, "Id");
  const auto algorithm = attribute(key, "Algorithm");
  if (algorithm.ends_with(":hotp"))
    made.type = "hotp";
  else if (algorithm.ends_with(":totp"))
    made.type = "totp";
  else
    throw std::invalid_argument("algorithm '" + algorithm + "' is not HOTP or TOTP");
  made.description = text_of(child(key, "Issuer"));
  if (made.description.empty()) made.description = text_of(child(device, "Manufacturer"));
  if (made.description.size() > 255) made.description.resize(255);
  const auto* format = child(child(key, "AlgorithmParameters"), "ResponseFormat");
  if (const auto length = attribute(format, "Length"); !length.empty()) {
    if (length != "6" && length != "8")
      throw std::invalid_argument("response length " + length +
                                  ": Tessera's OATH tokens have 6 "
                                  "or 8 digits");
    made.otplen = length[0] - '0';
  }
  const auto* data = child(key, "Data");
  auto seed = data_value(child(data, "Secret"), keys, check, false);
  if (!seed || seed->empty()) throw std::invalid_argument("the key has no secret");
  made.seed = std::move(*seed);
  made.counter =
      number_value(data_value(child(data, "Counter"), keys, check, true), "counter", 0, 1LL << 40);
  made.time_step = static_cast<int>(number_value(
      data_value(child(data, "TimeInterval"), keys, check, true), "time interval", 30, 3600));
  if (made.time_step < 1) throw std::invalid_argument("a time interval of 0");
  const auto* policy = child(key, "Policy");
  for (const auto& [name, field] :
       {std::pair<const char*, long long*>{"StartDate", &made.valid_from},
        {"ExpiryDate", &made.valid_until}})
    if (const auto text = text_of(child(policy, name)); !text.empty()) {
      const auto parsed = util::parse_validity_time(text);
      if (!parsed) throw std::invalid_argument(std::string(name) + " '" + text + "' is no time");
      *field = *parsed;
    }
  return made;
}

}  // namespace

TokenFile read_pskc(std::string_view xml, const PskcSecrets& secrets) {
  if (xml.size() > kMaxFile) throw TokenFileError("the file is larger than 4 MiB");
  std::unique_ptr<xmlDoc, XmlDocFree> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "tokens.pskc", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) throw TokenFileError("the file is not well-formed XML");
  const auto* container = xmlDocGetRootElement(doc.get());
  if (!named(container, "KeyContainer"))
    throw TokenFileError("the file is not PSKC: its root is not a KeyContainer");
  const auto keys = container_keys(container, secrets);
  TokenFile file;
  std::set<std::string> serials;
  for (const xmlNode* package = container->children; package; package = package->next) {
    if (!named(package, "KeyPackage")) continue;
    const auto* key = child(package, "Key");
    if (!key) continue;
    if (file.keys.size() + file.skipped.size() >= kMaxKeys)
      throw TokenFileError("the file holds more than 10,000 keys");
    std::string serial = text_of(child(child(package, "DeviceInfo"), "SerialNo"));
    if (serial.empty()) serial = attribute(key, "Id");
    try {
      auto made = key_of(package, key, keys, secrets.mac);
      if (!serials.insert(made.serial).second)
        throw std::invalid_argument("a key of this serial came before it in the file");
      file.keys.push_back(std::move(made));
    } catch (const std::invalid_argument& e) {
      file.skipped.emplace_back(serial, e.what());
    }
  }
  return file;
}

TokenFile read_oath_csv(std::string_view csv) {
  if (csv.size() > kMaxFile) throw TokenFileError("the file is larger than 4 MiB");
  TokenFile file;
  std::set<std::string> serials;
  size_t line_number = 0;
  while (!csv.empty()) {
    ++line_number;
    const auto end = std::min(csv.find('\n'), csv.size());
    std::string line(csv.substr(0, end));
    csv.remove_prefix(std::min(end + 1, csv.size()));
    line = trimmed(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    for (size_t start = 0;;) {
      const auto comma = line.find(',', start);
      fields.push_back(trimmed(line.substr(start, comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (file.keys.size() + file.skipped.size() >= kMaxKeys)
      throw TokenFileError("the file holds more than 10,000 keys");
    const auto& serial = fields[0];
    try {
      if (fields.size() < 2)
        throw std::invalid_argument(
            "a line is serial, key[, type, otplen, "
            "time step]");
      FileKey made;
      made.serial = serial;
      const auto& hex = fields[1];
      if (hex.size() % 2 != 0 ||
          hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
        throw std::invalid_argument("the key is not hex");
      for (size_t i = 0; i < hex.size(); i += 2)
        made.seed.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
      std::string type = fields.size() > 2 && !fields[2].empty() ? fields[2] : "hotp";
      std::transform(type.begin(), type.end(), type.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (type != "hotp" && type != "totp")
        throw std::invalid_argument("type '" + type + "' is not hotp or totp");
      made.type = type;
      if (fields.size() > 3 && !fields[3].empty()) {
        if (fields[3] != "6" && fields[3] != "8")
          throw std::invalid_argument("otplen " + fields[3] + ": 6 or 8");
        made.otplen = fields[3][0] - '0';
      }
      if (fields.size() > 4 && !fields[4].empty()) {
        const auto step = std::atoi(fields[4].c_str());
        if (step < 1 || step > 3600 ||
            fields[4].find_first_not_of("0123456789") != std::string::npos)
          throw std::invalid_argument("time step " + fields[4] + ": 1 to 3600 seconds");
        made.time_step = step;
      }
      if (!serials.insert(serial).second)
        throw std::invalid_argument("line " + std::to_string(line_number) +
                                    ": this serial came before");
      file.keys.push_back(std::move(made));
    } catch (const std::invalid_argument& e) {
      file.skipped.emplace_back(serial, "line " + std::to_string(line_number) + ": " + e.what());
    }
  }
  return file;
}

}  // namespace tessera::tokens
