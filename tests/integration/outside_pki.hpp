// Certificates made with the openssl command outside the server: a company's existing PKI whose
// certificates users enroll as they are, or a token maker's attestation chain.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace tessera::testing {

class OutsidePki {
 public:
  explicit OutsidePki(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
  }

  std::filesystem::path cert(const std::string& name) const { return file(name, ".pem"); }
  std::filesystem::path key(const std::string& name) const { return file(name, ".key"); }
  std::filesystem::path request(const std::string& name) const { return file(name, ".csr"); }

  // A CA named name with a new "ec" (P-256) or "rsa" (2048) key: self-signed, or signed by
  // issuer (an intermediate).
  std::filesystem::path ca(const std::string& name, const std::string& key_type,
                           const std::string& issuer = "") {
    const std::string extensions =
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n";
    if (issuer.empty()) {
      run("openssl req -x509 -new -nodes " + new_key(key_type) + " -keyout " + key(name).string() +
          " -out " + cert(name).string() + " -days 30 -subj '/CN=" + name +
          "' -addext basicConstraints=critical,CA:TRUE -addext "
          "keyUsage=critical,keyCertSign,cRLSign");
      return cert(name);
    }
    new_request(name, key_type, "/CN=" + name);
    return sign(name, issuer, extensions, "");
  }

  // A certificate for name (a new key of key_type, unless name's request exists already),
  // signed by issuer with the extensions given. faketime: sign at that time ("2020-01-01"),
  // for a certificate that has expired.
  std::filesystem::path leaf(const std::string& name, const std::string& issuer,
                             const std::string& subject, const std::string& key_type = "ec",
                             const std::string& extensions = "extendedKeyUsage=clientAuth\n",
                             const std::string& faketime = "") {
    if (!std::filesystem::exists(request(name))) new_request(name, key_type, subject);
    return sign(name, issuer, extensions, faketime);
  }

  // Signs an existing CSR (PEM text) as name: an attestation certificate of the CSR's key.
  std::filesystem::path attest(const std::string& name, const std::string& csr_pem,
                               const std::string& issuer) {
    std::ofstream(request(name)) << csr_pem;
    return sign(name, issuer, "keyUsage=critical,digitalSignature\n", "");
  }

 private:
  // Names may have spaces ("Corp Root CA"); file names do not.
  std::filesystem::path file(std::string name, const char* extension) const {
    for (auto& c : name)
      if (c == ' ') c = '_';
    return dir_ / (name + extension);
  }

  static std::string new_key(const std::string& key_type) {
    return key_type == "rsa" ? "-newkey rsa:2048" : "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
  }

  static void run(const std::string& command) {
    if (std::system((command + " 2>/dev/null").c_str()) != 0)
      throw std::runtime_error("failed: " + command);
  }

  void new_request(const std::string& name, const std::string& key_type,
                   const std::string& subject) {
    run("openssl req -new -nodes " + new_key(key_type) + " -keyout " + key(name).string() +
        " -out " + request(name).string() + " -subj '" + subject + "'");
  }

  std::filesystem::path sign(const std::string& name, const std::string& issuer,
                             const std::string& extensions, const std::string& faketime) {
    const auto extension_file = file(name, ".ext");
    std::ofstream(extension_file) << extensions;
    run((faketime.empty() ? "" : "TZ=UTC faketime '" + faketime + "' ") + "openssl x509 -req -in " +
        request(name).string() + " -CA " + cert(issuer).string() + " -CAkey " +
        key(issuer).string() + " -days 30 -extfile " + extension_file.string() + " -out " +
        cert(name).string());
    return cert(name);
  }

  std::filesystem::path dir_;
};

}  // namespace tessera::testing
