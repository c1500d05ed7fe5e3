#include "server/plugins/kerberos_login.hpp"

#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

namespace tessera::plugins {

struct KerberosLogin::State {
  krb5_context context = nullptr;
  krb5_principal principal = nullptr;
  krb5_ccache cache = nullptr;
  krb5_creds creds{};
  bool have_creds = false;

  ~State() {
    if (cache) krb5_cc_destroy(context, cache);
    if (have_creds) krb5_free_cred_contents(context, &creds);
    if (principal) krb5_free_principal(context, principal);
    if (context) krb5_free_context(context);
  }

  [[noreturn]] void fail(krb5_error_code code, const std::string& what,
                         bool refused = false) const {
    const char* message = krb5_get_error_message(context, code);
    const std::string text = what + ": " + (message ? message : "unknown error");
    krb5_free_error_message(context, message);
    throw KerberosError(text, refused);
  }
};

KerberosLogin::KerberosLogin(const std::string& principal, const std::string& password,
                             const std::string& keytab)
    : state_(std::make_unique<State>()) {
  auto& s = *state_;
  // What is made before a failure is freed with state_ (the constructor's members go).
  if (krb5_init_context(&s.context) != 0) throw KerberosError("Kerberos cannot start");
  {
    if (const auto code = krb5_parse_name(s.context, principal.c_str(), &s.principal))
      s.fail(code, "the Kerberos principal '" + principal + "' does not parse");
    krb5_get_init_creds_opt* options = nullptr;
    krb5_get_init_creds_opt_alloc(s.context, &options);
    krb5_error_code code = 0;
    if (keytab.empty()) {
      code = krb5_get_init_creds_password(s.context, &s.creds, s.principal, password.c_str(),
                                          nullptr, nullptr, 0, nullptr, options);
    } else {
      krb5_keytab table = nullptr;
      code = krb5_kt_resolve(s.context, ("FILE:" + keytab).c_str(), &table);
      if (code == 0) {
        code = krb5_get_init_creds_keytab(s.context, &s.creds, s.principal, table, 0, nullptr,
                                          options);
        krb5_kt_close(s.context, table);
      }
    }
    krb5_get_init_creds_opt_free(s.context, options);
    // No KDC answered (none found for the realm, none reachable): the network's; any other
    // failure is the KDC's refusal of this login.
    if (code == KRB5_KDC_UNREACH || code == KRB5_REALM_CANT_RESOLVE || code == KRB5_REALM_UNKNOWN)
      s.fail(code, "no KDC could be reached to log " + principal + " in");
    if (code) s.fail(code, "the KDC refused the login of " + principal, true);
    s.have_creds = true;
    if ((code = krb5_cc_new_unique(s.context, "MEMORY", nullptr, &s.cache)) ||
        (code = krb5_cc_initialize(s.context, s.cache, s.principal)) ||
        (code = krb5_cc_store_cred(s.context, s.cache, &s.creds)))
      s.fail(code, "the Kerberos ticket cannot be kept");
    char* name = nullptr;
    if ((code = krb5_cc_get_full_name(s.context, s.cache, &name)))
      s.fail(code, "the Kerberos ticket cannot be named");
    OM_uint32 minor = 0;
    const auto major = gss_krb5_ccache_name(&minor, name, nullptr);
    krb5_free_string(s.context, name);
    if (GSS_ERROR(major)) throw KerberosError("GSS-API does not take the Kerberos ticket");
  }
}

KerberosLogin::~KerberosLogin() {
  OM_uint32 minor = 0;
  gss_krb5_ccache_name(&minor, nullptr, nullptr);  // this thread's default again
}

}  // namespace tessera::plugins
