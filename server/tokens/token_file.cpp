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

namespace {

// The comma-separated lines of a CSV file, each field trimmed; '#' lines are comments unless
// the caller wants them (OATH CSV's "# version: 2").
std::vector<std::pair<size_t, std::vector<std::string>>> csv_lines(std::string_view csv) {
  if (csv.size() > kMaxFile) throw TokenFileError("the file is larger than 4 MiB");
  if (csv.find("-----BEGIN PGP MESSAGE-----") != std::string_view::npos)
    throw TokenFileError(
        "the file is encrypted with GPG: Tessera keeps no GPG key, decrypt it with gpg first");
  std::vector<std::pair<size_t, std::vector<std::string>>> lines;
  size_t line_number = 0;
  while (!csv.empty()) {
    ++line_number;
    const auto end = std::min(csv.find('\n'), csv.size());
    const auto line = trimmed(std::string(csv.substr(0, end)));
    csv.remove_prefix(std::min(end + 1, csv.size()));
    if (line.empty()) continue;
    if (lines.size() >= kMaxKeys + 100)
      throw TokenFileError("the file holds more than 10,000 keys");
    std::vector<std::string> fields;
    for (size_t start = 0;;) {
      const auto comma = line.find(',', start);
      fields.push_back(trimmed(line.substr(start, comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    lines.emplace_back(line_number, std::move(fields));
  }
  return lines;
}

Bytes hex_bytes(const std::string& hex) {
  if (hex.empty() || hex.size() % 2 != 0 ||
      hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    throw std::invalid_argument("the key is not hex");
  Bytes out;
  for (size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

bool all_digits(const std::string& text, size_t most) {
  return !text.empty() && text.size() <= most &&
         text.find_first_not_of("0123456789") == std::string::npos;
}

// Adds made to file unless its serial came before.
void add_key(TokenFile& file, std::set<std::string>& serials, FileKey made, size_t line_number) {
  if (!serials.insert(made.serial).second)
    throw std::invalid_argument("line " + std::to_string(line_number) +
                                ": this serial came before");
  file.keys.push_back(std::move(made));
}

// Yubico's modhex (cbdefghijklnrtuv for 0 to f) public id as the number eduMFA names it by.
unsigned long long modhex_number(const std::string& id) {
  static constexpr std::string_view alphabet = "cbdefghijklnrtuv";
  if (id.empty() || id.size() > 12)
    throw std::invalid_argument("a public id of 1 to 12 characters");
  unsigned long long n = 0;
  for (const char c : id) {
    const auto digit =
        alphabet.find(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (digit == std::string_view::npos) throw std::invalid_argument("the public id is not modhex");
    n = n * 16 + digit;
  }
  return n;
}

std::string zero_padded(unsigned long long n) {
  auto text = std::to_string(n);
  return text.size() < 8 ? std::string(8 - text.size(), '0') + text : text;
}

}  // namespace

TokenFile read_oath_csv(std::string_view csv) {
  TokenFile file;
  std::set<std::string> serials;
  bool with_users = false;  // eduMFA's "# version: 2": user, resolver, realm come first
  for (auto& [line_number, fields] : csv_lines(csv)) {
    if (fields[0].starts_with("#")) {
      auto comment = fields[0].substr(1);
      comment.erase(std::remove(comment.begin(), comment.end(), ' '), comment.end());
      if (line_number == 1 && comment == "version:2") with_users = true;
      continue;
    }
    FileKey made;
    if (with_users) {
      if (fields.size() < 4) {
        file.skipped.emplace_back(fields[0], "line " + std::to_string(line_number) +
                                                 ": a version 2 line is user, resolver, realm, "
                                                 "serial, key...");
        continue;
      }
      made.owner_user = fields[0];
      made.owner_resolver = fields[1];
      made.owner_realm = fields[2];
      fields.erase(fields.begin(), fields.begin() + 3);
    }
    made.serial = fields[0];
    try {
      if (fields.size() < 2)
        throw std::invalid_argument("a line is serial, key[, type, otplen, counter or time step]");
      made.seed = hex_bytes(fields[1]);
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
      // The fifth column is the counter of an HOTP token and the time step of a TOTP one.
      if (fields.size() > 4 && !fields[4].empty()) {
        if (type == "hotp") {
          if (!all_digits(fields[4], 15))
            throw std::invalid_argument("counter " + fields[4] + ": a whole number");
          made.counter = std::stoll(fields[4]);
        } else {
          if (!all_digits(fields[4], 4) || std::stoi(fields[4]) < 1 || std::stoi(fields[4]) > 3600)
            throw std::invalid_argument("time step " + fields[4] + ": 1 to 3600 seconds");
          made.time_step = std::stoi(fields[4]);
        }
      }
      add_key(file, serials, std::move(made), line_number);
    } catch (const std::invalid_argument& e) {
      file.skipped.emplace_back(fields[0], "line " + std::to_string(line_number) + ": " + e.what());
    }
  }
  return file;
}

TokenFile read_yubico_csv(std::string_view csv) {
  TokenFile file;
  std::set<std::string> serials;
  for (const auto& [line_number, fields] : csv_lines(csv)) {
    if (fields[0].starts_with("#")) continue;
    const auto where = "line " + std::to_string(line_number) + ": ";
    try {
      if (fields.size() < 6) throw std::invalid_argument("fewer than 6 fields");
      std::string kind = fields[0];
      std::transform(kind.begin(), kind.end(), kind.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      FileKey made;
      made.type = "hotp";
      made.otplen = 6;
      made.description = "YubiKey";
      if (kind == "yubico otp" || kind == "oath-hotp" || kind == "static password") {
        // The personalization tool's traditional format: kind, time, slot, public id, private
        // id, key, ...
        if (kind != "oath-hotp")
          throw std::invalid_argument(fields[0] +
                                      " slots are not imported: Tessera has no yubikey token type");
        if (fields[3].empty()) throw std::invalid_argument("no public id to name the token by");
        if (!all_digits(fields[2], 1)) throw std::invalid_argument("the slot is 1 or 2");
        made.serial = "UBOM" + zero_padded(modhex_number(fields[3])) + "_" + fields[2];
        made.description = "YubiKey " + fields[3];
        made.seed = hex_bytes(fields[5]);
      } else if (all_digits(fields[0], 12)) {
        // Yubico's format: serial, public id, private id (0 for OATH-HOTP), key, ...
        if (fields[2] != "0")
          throw std::invalid_argument(
              "only OATH-HOTP slots are imported (Yubico OTP and static password are not)");
        made.serial = "UBOM" + fields[0] + "_X";
        made.seed = hex_bytes(fields[3]);
      } else {
        throw std::invalid_argument("not a line of the YubiKey personalization tool");
      }
      add_key(file, serials, std::move(made), line_number);
    } catch (const std::invalid_argument& e) {
      file.skipped.emplace_back(fields[0], where + e.what());
    }
  }
  return file;
}

TokenFile read_safenet_xml(std::string_view xml) {
  if (xml.size() > kMaxFile) throw TokenFileError("the file is larger than 4 MiB");
  std::unique_ptr<xmlDoc, XmlDocFree> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "tokens.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) throw TokenFileError("the file is not well-formed XML");
  const auto* tokens = xmlDocGetRootElement(doc.get());
  if (!named(tokens, "Tokens"))
    throw TokenFileError("the file is not SafeNet's: its root is not Tokens");
  TokenFile file;
  std::set<std::string> serials;
  for (const xmlNode* token = tokens->children; token; token = token->next) {
    if (!named(token, "Token")) continue;
    if (file.keys.size() + file.skipped.size() >= kMaxKeys)
      throw TokenFileError("the file holds more than 10,000 keys");
    const auto serial = attribute(token, "serial");
    try {
      if (serial.empty()) throw std::invalid_argument("a Token without a serial");
      const auto* application = child(child(token, "Applications"), "Application");
      const auto seed = text_of(child(application, "Seed"));
      if (seed.empty()) throw std::invalid_argument("no Seed");
      FileKey made;
      made.serial = serial;
      made.type = "hotp";
      made.seed = hex_bytes(seed);
      made.hashlib = seed.size() == 64 ? "sha256" : "sha1";  // as eduMFA reads it
      made.description = text_of(child(token, "ProductName"));
      if (const auto counter = text_of(child(application, "MovingFactor")); !counter.empty()) {
        if (!all_digits(counter, 15))
          throw std::invalid_argument("MovingFactor " + counter + ": a whole number");
        made.counter = std::stoll(counter);
      }
      add_key(file, serials, std::move(made), 0);
    } catch (const std::invalid_argument& e) {
      file.skipped.emplace_back(serial, e.what());
    }
  }
  return file;
}

}  // namespace tessera::tokens
