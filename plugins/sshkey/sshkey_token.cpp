// SSH keys (eduMFA's "sshkey" token): a user's SSH public key, served to OpenSSH's
// AuthorizedKeysCommand for the machines it is attached to (/machine/authitem/ssh). The token
// has no values to check: it is never asked at /validate/check. The key is read as OpenSSH
// writes it ("type base64 [comment]") and its blob must name the same type, so a pasted private
// key, a broken line or a mismatched type is refused at enrollment.
#include <openssl/evp.h>

#include <string>

#include <tessera/sdk/plugin.hpp>

namespace {

using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;

const char* kTypes[] = {"ssh-ed25519",
                        "ssh-rsa",
                        "ecdsa-sha2-nistp256",
                        "ecdsa-sha2-nistp384",
                        "ecdsa-sha2-nistp521",
                        "sk-ssh-ed25519@openssh.com",
                        "sk-ecdsa-sha2-nistp256@openssh.com"};

// The key's blob starts with its type as an SSH string (4-byte length, then the name).
std::string blob_type(const std::string& base64) {
  std::string blob(base64.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(blob.data()),
                                reinterpret_cast<const unsigned char*>(base64.data()),
                                static_cast<int>(base64.size()));
  if (n < 4 || base64.size() % 4 != 0) return {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t length = (size_t{bytes[0]} << 24) | (size_t{bytes[1]} << 16) |
                        (size_t{bytes[2]} << 8) | size_t{bytes[3]};
  if (length + 4 > static_cast<size_t>(n)) return {};
  return blob.substr(4, length);
}

class SshKeyToken : public tessera::sdk::TokenType {
 public:
  using TokenType::TokenType;

  static ComponentInfo describe() {
    return {"sshkey", "an SSH public key, served to OpenSSH's AuthorizedKeysCommand", {}};
  }

  boost::json::object enroll(const boost::json::object& request) override {
    const auto& params = request.at("params").as_object();
    const auto* given = params.if_contains("sshkey");
    if (!given || !given->is_string() || given->get_string().empty())
      throw Error::invalid_argument("give the public key as sshkey (a line of id_*.pub)");
    std::string line(given->get_string());
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' '))
      line.pop_back();
    if (line.size() > 16384 || line.find_first_of("\r\n") != std::string::npos)
      throw Error::invalid_argument("sshkey is one line of at most 16 KiB");
    if (line.find("PRIVATE KEY") != std::string::npos)
      throw Error::invalid_argument("that is a private key: give the public one (id_*.pub)");
    const auto space = line.find(' ');
    const auto type = line.substr(0, space);
    if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes))
      throw Error::invalid_argument("'" + type + "' is not an SSH public key type");
    const auto rest = space == std::string::npos ? std::string() : line.substr(space + 1);
    const auto base64 = rest.substr(0, rest.find(' '));
    if (blob_type(base64) != type)
      throw Error::invalid_argument("the key's data does not hold a " + type + " key");
    const auto comment = rest.find(' ') == std::string::npos ? "" : rest.substr(rest.find(' ') + 1);
    return {{"secret", ""},
            {"otplen", 0},
            {"info",
             {{"ssh_key", type + " " + base64},
              {"ssh_key_comment", comment},
              {"tokenkind", "software"}}},
            {"detail", boost::json::object{}}};
  }

  boost::json::object verify(const boost::json::object&) override { return {{"match", false}}; }
};

}  // namespace

TESSERA_PLUGIN("org.tessera.sshkey", "0.1.0", tessera::sdk::component<SshKeyToken>());
