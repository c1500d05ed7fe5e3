// A Kerberos login for one outbound request (HTTP Negotiate): the principal's initial ticket,
// from its password or a keytab, in a credential cache of this process's own, made the GSS-API
// default for the calling thread while the object lives, so that libcurl's SPNEGO uses it and
// no other request or thread does.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

namespace tessera::plugins {

class KerberosError : public std::runtime_error {
 public:
  // refused: the KDC answered and would not log the principal in (a wrong password, an
  // unknown or locked principal), which trying again cannot fix; else it was not reached.
  KerberosError(const std::string& message, bool refused = false)
      : std::runtime_error(message), refused_(refused) {}
  bool refused() const { return refused_; }

 private:
  bool refused_;
};

class KerberosLogin {
 public:
  // keytab empty: the password. Throws KerberosError with the KDC's reason.
  KerberosLogin(const std::string& principal, const std::string& password,
                const std::string& keytab);
  ~KerberosLogin();
  KerberosLogin(const KerberosLogin&) = delete;
  KerberosLogin& operator=(const KerberosLogin&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tessera::plugins
