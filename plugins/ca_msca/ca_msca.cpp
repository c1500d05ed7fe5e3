// A CA connector for Microsoft AD CS, from Linux, over its enrollment web services: MS-WSTEP
// (the Certificate Enrollment Web Service) or the older certsrv Web Enrollment pages, chosen by
// `protocol`. A request the CA holds for a CA manager's approval is answered "pending" with the
// CA's request id, so the host's poller asks again (on any node, after a restart) until the
// manager issues or denies it. Neither protocol can revoke: revoke says so ("revoke_at_ca"),
// and the host lists the certificate for the CA's administrator. The CA's chain is learnt from
// what the CA sends (certsrv also serves it at creation).
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <tessera/sdk/plugin.hpp>

#include "certsrv.hpp"
#include "cmc.hpp"
#include "page_text.hpp"
#include "pkcs7.hpp"
#include "wstep.hpp"
#include "xcep.hpp"

namespace {

using tessera::msca::Disposition;
using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::Param;

std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::invalid_argument("ca_file " + path + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string csr_der(const std::string& pem) {
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_REQ* csr = PEM_read_bio_X509_REQ(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  if (!csr) throw Error::invalid_argument("the certificate request does not parse");
  unsigned char* der = nullptr;
  const int size = i2d_X509_REQ(csr, &der);
  X509_REQ_free(csr);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size > 0 ? size : 0));
  OPENSSL_free(der);
  return out;
}

// The certificates of a PEM text after the first: the issuing chain.
std::string issuers_of(const std::string& chain_pem) {
  const auto second = chain_pem.find("-----BEGIN CERTIFICATE-----", 1);
  return second == std::string::npos ? std::string() : chain_pem.substr(second);
}

// SOAP 1.2 carries the action in the content type too (as WCF, which CES runs on, wants).
constexpr const char* kSoapType =
    "application/soap+xml; charset=utf-8; "
    "action=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep\"";
constexpr const char* kPolicyType =
    "application/soap+xml; charset=utf-8; action=\"http://schemas.microsoft.com/windows/pki/"
    "2009/01/enrollmentpolicy/IPolicy/GetPolicies\"";

class MicrosoftCa : public tessera::sdk::CaConnector {
 public:
  explicit MicrosoftCa(const tessera::sdk::ComponentContext& context)
      : CaConnector(context),
        config_(context.config),
        protocol_(text(config_, "protocol")),
        url_(text(config_, "url")),
        auth_(text(config_, "auth")),
        trusted_(text(config_, "ca_file").empty() ? "" : read_file(text(config_, "ca_file"))),
        store_(host().store(context.instance_name)) {
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
    if (protocol_ != "wstep" && protocol_ != "certsrv")
      throw Error::invalid_argument(
          "protocol: wstep (the enrollment web service, CES) or "
          "certsrv (the Web Enrollment pages), not '" +
          protocol_ + "'");
    if (!url_.starts_with("https://"))
      throw Error::invalid_argument(
          "url must be an https:// URL: AD CS's enrollment pages "
          "carry passwords and requests");
    check_login();
    if (const auto name = text(config_, "template");
        name.empty() || name.size() > 64 ||
        name.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.") !=
            std::string::npos)
      throw Error::invalid_argument(
          "template: 1 to 64 letters, digits, spaces, '_', '-' or '.' (the template's name)");
    probe();
  }

  // Which settings each login needs.
  void check_login() const {
    const bool user = !text(config_, "username").empty();
    const bool password = !text(config_, "password").empty();
    if (auth_ == "basic" || auth_ == "ntlm" || auth_ == "usernametoken") {
      if (!user || !password)
        throw Error::invalid_argument("auth " + auth_ +
                                      ": give the service account's username and password");
      if (auth_ == "usernametoken" && protocol_ != "wstep")
        throw Error::invalid_argument("auth usernametoken is CES's (protocol wstep)");
    } else if (auth_ == "negotiate") {
      if (!user || (!password && text(config_, "keytab").empty()))
        throw Error::invalid_argument(
            "auth negotiate (Kerberos): give the service account's principal as username "
            "(svc-tessera@CORP.EXAMPLE) and its password or a keytab");
    } else if (auth_ == "certificate") {
      if (text(config_, "client_certificate").empty() || text(config_, "client_key").empty())
        throw Error::invalid_argument(
            "auth certificate: give client_certificate and client_key (PEM), for CES's "
            "Certificate endpoint");
    } else {
      throw Error::invalid_argument(
          "auth: basic, negotiate (Kerberos), ntlm, certificate (a TLS client certificate) or "
          "usernametoken (CES's UsernamePassword endpoint), not '" +
          auth_ + "'");
    }
  }

  static ComponentInfo describe() {
    return {
        "ca_msca",
        "Microsoft CA (AD CS: enrollment web service or Web Enrollment)",
        {Param::string("protocol", "wstep (CES, MS-WSTEP) or certsrv (Web Enrollment)").required(),
         Param::string("url",
                       "wstep: the CES endpoint (https://ca/CA_CES_UsernamePassword/service.svc/"
                       "CES); certsrv: https://ca/certsrv")
             .required(),
         Param::string("template", "the certificate template, unless a profile names one")
             .defaults_to("\"User\""),
         Param::string("auth", "basic, negotiate, ntlm, certificate or usernametoken (wstep)")
             .defaults_to("\"basic\""),
         Param::string("username",
                       "the service account (DOMAIN\\\\name; for negotiate its principal, "
                       "name@REALM)")
             .defaults_to("\"\""),
         Param::string("password", "its password").secret().defaults_to("\"\""),
         Param::string("keytab",
                       "negotiate: a keytab file for the principal, instead of a "
                       "password")
             .defaults_to("\"\""),
         Param::string("client_certificate", "certificate: the TLS client certificate (PEM)")
             .defaults_to("\"\""),
         Param::string("client_key", "certificate: its private key (PEM)")
             .secret()
             .defaults_to("\"\""),
         Param::string("ca_file",
                       "PEM file of CAs to trust for the server's TLS; empty: the system's")
             .defaults_to("\"\""),
         Param::string("cep_url",
                       "the enrollment policy service (CEP) whose templates the WebUI offers; "
                       "empty: none")
             .defaults_to("\"\""),
         Param::integer("timeout_seconds", "per HTTP request to the CA").defaults_to("30")}};
  }

  // {"csr", "profile": {"template"?, ...}}: the CA makes the certificate from its template
  // and the request; the host checks what comes back against the profile.
  boost::json::object sign_request(const boost::json::object& request) override {
    const auto csr = text(request, "csr");
    std::string template_name = text(config_, "template");
    if (const auto* profile = request.if_contains("profile"); profile && profile->is_object())
      if (const auto own = text(profile->get_object(), "template"); !own.empty())
        template_name = own;
    if (protocol_ == "wstep") {
      // The template in the request as well as in AdditionalContext: services that read it
      // only from the request refuse one without it. A CSR without the template extension
      // (a user's own) goes inside a CMC request whose RegInfo names it.
      auto der = csr_der(csr);
      auto format = tessera::msca::RequestFormat::pkcs10;
      if (!tessera::msca::names_template(der)) {
        der = tessera::msca::cmc_request(der, template_name);
        format = tessera::msca::RequestFormat::cmc;
      }
      return answer(wstep(tessera::msca::wstep_issue(url_, der, format, template_name, token())));
    }
    const auto page =
        send("POST", url_ + "/certfnsh.asp", tessera::msca::certsrv_form(csr, template_name),
             "application/x-www-form-urlencoded");
    const auto submitted = tessera::msca::certsrv_submitted(page.status, page.body);
    if (submitted.state != Disposition::State::issued) return answer(submitted);
    // Issued at the CA: should fetching it fail, the poller fetches it by id later.
    try {
      return answer(retrieve(submitted.request_id));
    } catch (const Error& e) {
      host().warning("AD CS issued request " + submitted.request_id +
                     ", which is fetched again later: " + e.what());
      return {{"state", "pending"}, {"request_id", submitted.request_id}};
    }
  }

  // invalid_argument only for a request this connector can never follow (an id it cannot
  // send, a request the service refuses to look up): the host fails the token. A refused
  // login is the admin's to fix, and the request waits meanwhile.
  boost::json::object request_status(const boost::json::object& request) override {
    const auto id = text(request, "request_id");
    if (!tessera::msca::followable_request_id(id) ||
        (protocol_ == "certsrv" && id.find_first_not_of("0123456789") != std::string::npos))
      throw Error::invalid_argument(
          "request id '" + id.substr(0, tessera::msca::kMaxRequestIdLength) +
          "' cannot be asked about: " +
          (protocol_ == "certsrv" ? "Web Enrollment takes request ids of digits only"
                                  : "an id is at most 64 letters, digits or '-_.{}'"));
    try {
      if (protocol_ == "wstep") return answer(wstep(tessera::msca::wstep_query(url_, id, token())));
      return answer(retrieve(id));
    } catch (const tessera::msca::LoginRefused& e) {
      throw Error::unavailable(std::string(e.what()) + "; request " + id +
                               " is asked about again once the login is fixed");
    }
  }

  // Neither web protocol revokes: the host records it and lists it for the CA's administrator.
  boost::json::object revoke(const boost::json::object& request) override {
    return {{"state", "revoke_at_ca"},
            {"message", "AD CS's " + std::string(protocol_ == "wstep" ? "CES" : "Web Enrollment") +
                            " cannot revoke: revoke certificate " + text(request, "serial") +
                            " at the CA (certsrv.msc, or certutil -revoke)"}};
  }

  // With a CEP: list_templates, the templates its enrollment policy offers this account.
  boost::json::object actions(const boost::json::object&) override {
    boost::json::array list;
    if (!text(config_, "cep_url").empty())
      list.push_back({{"name", "list_templates"},
                      {"description",
                       "read the certificate templates the CA's enrollment policy service "
                       "offers this account"},
                      {"on_delete", false}});
    return {{"actions", list}};
  }

  boost::json::object run_action(const boost::json::object& request) override {
    const auto cep = text(config_, "cep_url");
    if (text(request, "action") != "list_templates" || cep.empty())
      throw Error::invalid_argument("the Microsoft CA connector has no action '" +
                                    text(request, "action") + "'");
    if (!cep.starts_with("https://")) throw Error::invalid_argument("cep_url must be https://");
    const auto response =
        send("POST", cep, tessera::msca::xcep_get_policies(cep, token()), kPolicyType);
    const auto names = tessera::msca::xcep_templates(response.status, response.body);
    boost::json::array values;
    std::string listed;
    for (const auto& name : names) {
      values.push_back(boost::json::string(name));
      listed += (listed.empty() ? "" : ", ") + name;
    }
    return {{"message", names.empty() ? std::string("the enrollment policy offers no template")
                                      : "the enrollment policy offers " + listed},
            {"values", values}};
  }

  boost::json::object ca_certificate(const boost::json::object&) override {
    const auto chain = store_.get("issuer_chain");
    if (!chain || chain->empty())
      throw Error::unavailable(
          "the Microsoft CA's chain is learnt from its first certificate: none issued yet");
    return {{"certificate", *chain}};
  }

 private:
  std::optional<tessera::msca::UsernameToken> token() const {
    if (auth_ != "usernametoken") return std::nullopt;
    return tessera::msca::UsernameToken{text(config_, "username"), text(config_, "password")};
  }

  tessera::sdk::HttpResponse send(const std::string& method, const std::string& url,
                                  const std::string& body, const std::string& content_type) {
    tessera::sdk::HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    request.timeout = std::chrono::seconds(config_.at("timeout_seconds").to_number<int>());
    request.trusted_ca_pem = trusted_;
    if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
    using Auth = tessera::sdk::HttpRequest::Auth;
    request.auth = auth_ == "basic"       ? Auth::basic
                   : auth_ == "negotiate" ? Auth::negotiate
                   : auth_ == "ntlm"      ? Auth::ntlm
                                          : Auth::none;
    if (request.auth != Auth::none) {
      request.username = text(config_, "username");
      request.password = text(config_, "password");
      request.keytab = text(config_, "keytab");
    }
    if (auth_ == "certificate") {
      request.client_certificate_pem = text(config_, "client_certificate");
      request.client_key_pem = text(config_, "client_key");
    }
    try {
      return host().http(request);
    } catch (const Error& e) {
      // The host refuses a login before sending anything only when a KDC said no.
      if (e.kind() == Error::Kind::invalid_argument) throw tessera::msca::LoginRefused(e.what());
      throw;
    }
  }

  // A SOAP request to CES, and what its answer says.
  Disposition wstep(const std::string& envelope) {
    const auto response = send("POST", url_, envelope, kSoapType);
    return tessera::msca::wstep_disposition(response.status, response.body);
  }

  // certsrv: the certificate of request id, and its chain (certnew.p7b) when it is issued.
  Disposition retrieve(const std::string& id) {
    auto response = send("GET", url_ + "/certnew.cer?ReqID=" + id + "&Enc=b64", "", "");
    auto d = tessera::msca::certsrv_retrieved(response.status, response.body, id);
    if (d.state != Disposition::State::issued) return d;
    const auto chain = send("GET", url_ + "/certnew.p7b?ReqID=" + id + "&Enc=b64", "", "");
    if (chain.status == 200)
      d.chain_pem = tessera::msca::chain_of_pkcs7(
          tessera::msca::decode_base64(chain.body, "the Web Enrollment PKCS#7 chain"));
    return d;
  }

  boost::json::object answer(const Disposition& d) {
    switch (d.state) {
      case Disposition::State::issued: {
        learn_issuers(issuers_of(d.chain_pem));
        host().info("AD CS issued request " + d.request_id);
        return {{"state", "issued"}, {"certificate", d.chain_pem}};
      }
      case Disposition::State::pending:
        if (!tessera::msca::followable_request_id(d.request_id))
          throw Error::invalid_argument(
              "the CA holds the request as pending under the id '" + d.request_id.substr(0, 80) +
              (d.request_id.size() > 80 ? "..." : "") +
              "', which this connector cannot follow (at most 64 letters, digits or '-_.{}'): "
              "decide it at the CA");
        return {{"state", "pending"}, {"request_id", d.request_id}};
      case Disposition::State::denied:
        break;
    }
    return {{"state", "denied"}, {"reason", d.message}};
  }

  // Every issuing certificate seen is kept: what ca_certificate publishes, and what the host
  // checks each certificate against.
  void learn_issuers(const std::string& issuers) {
    if (issuers.empty()) return;
    std::lock_guard lock(mutex_);
    auto known = store_.get("issuer_chain").value_or("");
    std::string added;
    for (size_t at = 0; at < issuers.size();) {
      const auto end = issuers.find("-----END CERTIFICATE-----", at);
      if (end == std::string::npos) break;
      const auto next = end + 26;
      const auto pem = issuers.substr(at, next - at);
      if (known.find(pem) == std::string::npos) added += pem;
      at = issuers.find("-----BEGIN CERTIFICATE-----", next);
      if (at == std::string::npos) break;
    }
    if (!added.empty()) store_.set("issuer_chain", known + added);
  }

  // At creation: the endpoint is there and takes the login. Each failure says what was tried.
  void probe() {
    const auto reach = [&](const std::string& what, const std::string& method,
                           const std::string& url, const std::string& body,
                           const std::string& type) {
      try {
        return send(method, url, body, type);
      } catch (const tessera::msca::LoginRefused&) {
        throw;  // the KDC's no: the login, not the network
      } catch (const Error& e) {
        throw Error::invalid_argument("the CA cannot be reached (tried " + what + "): " + e.what());
      }
    };
    if (protocol_ == "certsrv") {
      const auto ca = reach("the CA's chain, certnew.p7b?ReqID=CACert", "GET",
                            url_ + "/certnew.p7b?ReqID=CACert&Renewal=0&Enc=b64", "", "");
      if (ca.status == 401 || ca.status == 403)
        throw tessera::msca::LoginRefused("the Web Enrollment pages refused the login (HTTP " +
                                          std::to_string(ca.status) +
                                          "): " + tessera::msca::excerpt(ca.body));
      if (ca.status != 200)
        throw Error::invalid_argument("no Web Enrollment pages at " + url_ + " (HTTP " +
                                      std::to_string(ca.status) + " for the CA's certificate)");
      std::string chain;
      try {
        chain = tessera::msca::certificates_of_pkcs7(
            tessera::msca::decode_base64(ca.body, "the CA's certificate chain"));
      } catch (const Error&) {
        throw Error::invalid_argument(url_ +
                                      " is not AD CS's Web Enrollment: certnew.p7b?ReqID=CACert "
                                      "gave no PKCS#7 chain");
      }
      learn_issuers(chain);
      return;
    }
    // With a CEP, GetPolicies proves the service and the login by what it must answer.
    if (const auto cep = text(config_, "cep_url"); !cep.empty()) {
      if (!cep.starts_with("https://")) throw Error::invalid_argument("cep_url must be https://");
      const auto policies = reach("GetPolicies at " + cep, "POST", cep,
                                  tessera::msca::xcep_get_policies(cep, token()), kPolicyType);
      try {
        tessera::msca::xcep_templates(policies.status, policies.body);
      } catch (const tessera::msca::LoginRefused&) {
        throw;
      } catch (const Error& e) {
        throw Error::invalid_argument("no enrollment policy service at " + cep +
                                      " (tried GetPolicies): " + e.what());
      }
    }
    // CES itself: a status query for request 0, which no CA has. Services word the answer to
    // that differently (a SOAP fault, a plain-text HTTP 500), so only what says something for
    // certain counts: a refused login, nothing at the URL, or a page that is no service.
    const std::string tried = "a QueryTokenStatus for request 0 at " + url_;
    const auto answer =
        reach(tried, "POST", url_, tessera::msca::wstep_query(url_, "0", token()), kSoapType);
    if (answer.status == 401 || answer.status == 403)
      throw tessera::msca::LoginRefused("the enrollment web service refused the login (HTTP " +
                                        std::to_string(answer.status) + ", tried " + tried +
                                        "): " + tessera::msca::excerpt(answer.body));
    if (answer.status == 404 || answer.status == 405)
      throw Error::invalid_argument("no enrollment web service at " + url_ + " (HTTP " +
                                    std::to_string(answer.status) + ", tried " + tried + ")");
    try {
      tessera::msca::wstep_disposition(answer.status, answer.body);
    } catch (const tessera::msca::LoginRefused&) {
      throw;
    } catch (const Error& e) {
      // What is not SOAP at all, answered as a success, is some other web page.
      if (answer.status < 300 && e.kind() == Error::Kind::unavailable)
        throw Error::invalid_argument(url_ + " is not an enrollment web service (tried " + tried +
                                      "): " + e.what());
    }
  }

  boost::json::object config_;
  std::string protocol_, url_, auth_, trusted_;
  tessera::sdk::ObjectStore store_;
  std::mutex mutex_;
};

}  // namespace

TESSERA_PLUGIN("org.tessera.ca_msca", "0.1.0", tessera::sdk::component<MicrosoftCa>());
