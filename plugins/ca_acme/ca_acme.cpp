// A CA connector for any RFC 8555 CA (step-ca, EJBCA, Sectigo's or DigiCert's ACME, Pebble),
// with External Account Binding. The host decides what is asked for (the profile's names):
// each DNS name, IP address, device serial and e-mail address it gives becomes an order
// identifier (dns; ip per RFC 8738; permanent-identifier as in the ACME device attestation
// draft; email per RFC 8823). Authorizations the account holds already (pre-authorized, as for an
// RA) are used as they are; a pending one is answered only with a challenge type the admin listed
// in answer_challenges (for CAs that validate on their own), otherwise the request fails naming the
// CA's types. An order still processing is answered "pending" with its URL as request id, so the
// host's poller carries on, on any node and after a restart.
#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <tessera/sdk/plugin.hpp>

#include "acme_client.hpp"
#include "jws.hpp"

namespace {

using tessera::acme::AccountKey;
using tessera::acme::AcmeClient;
using tessera::acme::base64url;
using tessera::sdk::ComponentInfo;
using tessera::sdk::Error;
using tessera::sdk::Param;

std::string text(const boost::json::object& object, const char* key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::vector<std::string> strings(const boost::json::object& object, const char* key) {
  std::vector<std::string> out;
  if (const auto* list = object.if_contains(key); list && list->is_array())
    for (const auto& item : list->get_array())
      if (item.is_string()) out.emplace_back(item.get_string());
  return out;
}

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
  void operator()(X509_REQ* r) const { X509_REQ_free(r); }
};

std::unique_ptr<X509_REQ, X509Free> parse_csr(const std::string& pem) {
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  std::unique_ptr<X509_REQ, X509Free> csr(PEM_read_bio_X509_REQ(in, nullptr, nullptr, nullptr));
  BIO_free(in);
  if (!csr) throw Error::invalid_argument("the certificate request does not parse");
  return csr;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

// RFC 4043's PermanentIdentifier (SEQUENCE { identifierValue UTF8String ... }): the value,
// or nothing when it has none or is malformed.
std::optional<std::string> permanent_identifier(const ASN1_TYPE* value) {
  if (value->type != V_ASN1_SEQUENCE) return std::nullopt;
  const unsigned char* p = ASN1_STRING_get0_data(value->value.sequence);
  long length = 0;
  int tag = 0, tag_class = 0;
  if (ASN1_get_object(&p, &length, &tag, &tag_class, ASN1_STRING_length(value->value.sequence)) &
          0x80 ||
      tag != V_ASN1_SEQUENCE || tag_class != V_ASN1_UNIVERSAL)
    return std::nullopt;
  const long sequence_length = length;
  if (ASN1_get_object(&p, &length, &tag, &tag_class, sequence_length) & 0x80 ||
      tag != V_ASN1_UTF8STRING || tag_class != V_ASN1_UNIVERSAL)
    return std::nullopt;
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(length));
}

// The names a request gives that an order must name too, as "type:value" in ACME's
// identifier types (dns, ip, permanent-identifier).
std::vector<std::string> names_in(X509_REQ* csr) {
  std::vector<std::string> out;
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(csr);
  if (!extensions) return out;
  for (int i = 0; i < sk_X509_EXTENSION_num(extensions); ++i) {
    X509_EXTENSION* extension = sk_X509_EXTENSION_value(extensions, i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(extension)) != NID_subject_alt_name) continue;
    auto* names = static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(extension));
    for (int k = 0; names && k < sk_GENERAL_NAME_num(names); ++k) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, k);
      if (name->type == GEN_DNS) {
        out.push_back(
            "dns:" +
            std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                        static_cast<size_t>(ASN1_STRING_length(name->d.dNSName))));
      } else if (name->type == GEN_IPADD) {
        char text[INET6_ADDRSTRLEN] = "?";
        const int size = ASN1_STRING_length(name->d.iPAddress);
        if (size == 4 || size == 16)
          inet_ntop(size == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(name->d.iPAddress), text,
                    sizeof(text));
        out.push_back("ip:" + std::string(text));
      } else if (name->type == GEN_OTHERNAME &&
                 OBJ_obj2nid(name->d.otherName->type_id) == NID_id_on_permanentIdentifier) {
        out.push_back("permanent-identifier:" +
                      permanent_identifier(name->d.otherName->value).value_or("(none)"));
      }
    }
    GENERAL_NAMES_free(names);
  }
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  return out;
}

std::vector<std::unique_ptr<X509, X509Free>> parse_chain(const std::string& pem) {
  std::vector<std::unique_ptr<X509, X509Free>> out;
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (X509* certificate = PEM_read_bio_X509(in, nullptr, nullptr, nullptr))
    out.emplace_back(certificate);
  BIO_free(in);
  return out;
}

std::string pem_of(X509* certificate) {
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(out, certificate);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(out);
  return pem;
}

std::string der_of(X509* certificate) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(certificate, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size > 0 ? size : 0));
  OPENSSL_free(der);
  return out;
}

// As the host writes serials: upper-case hex without leading zeros.
std::string serial_hex(X509* certificate) {
  BIGNUM* n = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr);
  char* hex = BN_bn2hex(n);
  std::string out(hex ? hex : "");
  OPENSSL_free(hex);
  BN_free(n);
  return out;
}

// RFC 5280's reason codes, as ACME's revokeCert takes them.
int reason_code(const std::string& reason) {
  static const char* names[] = {
      "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
      "superseded",    "cessationOfOperation", "certificateHold", "",
      "removeFromCRL", "privilegeWithdrawn",   "aACompromise"};
  // certificateHold (6) and removeFromCRL (8) are not revocations an ACME CA takes.
  for (int i = 0; i < 11; ++i)
    if (reason == names[i] && i != 6 && i != 8) return i;
  return 0;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::invalid_argument("ca_file " + path + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Account {
  AccountKey key;
  std::string url;  // the JWS "kid"
};

class AcmeCa : public tessera::sdk::CaConnector {
 public:
  explicit AcmeCa(const tessera::sdk::ComponentContext& context)
      : CaConnector(context),
        config_(context.config),
        client_(host(), text(config_, "directory_url"),
                text(config_, "ca_file").empty() ? "" : read_file(text(config_, "ca_file")),
                std::chrono::seconds(config_.at("timeout_seconds").to_number<int>())),
        store_(host().store(store_object(context))),
        certificates_(host().store(context.instance_name)) {
    const auto& meta = client_.directory();
    const auto* info = meta.if_contains("meta");
    const bool eab_required = info && info->is_object() &&
                              info->get_object().if_contains("externalAccountRequired") &&
                              info->get_object().at("externalAccountRequired") == true;
    if (eab_required && (text(config_, "eab_kid").empty() || text(config_, "eab_hmac_key").empty()))
      throw Error::invalid_argument(
          "the ACME CA requires External Account Binding: give eab_kid and eab_hmac_key");
    // Registered (or found again) now, so that a refused binding is told at creation.
    current_account();
  }

  static ComponentInfo describe() {
    return {
        "ca_acme",
        "ACME CA (RFC 8555, External Account Binding)",
        {Param::string("directory_url", "the CA's ACME directory (https://...)").required(),
         Param::string("eab_kid", "External Account Binding key id").defaults_to("\"\""),
         Param::string("eab_hmac_key", "External Account Binding MAC key (base64url)")
             .secret()
             .defaults_to("\"\""),
         Param::string("contact", "e-mail address for the account").defaults_to("\"\""),
         Param::boolean("terms_agreed", "agree to the CA's terms of service").defaults_to("false"),
         Param::string("account_key_type", "ec-p256 or rsa-3072").defaults_to("\"ec-p256\""),
         Param::string("ca_file",
                       "PEM file of CAs to trust for the ACME server's TLS; empty: "
                       "the system's")
             .defaults_to("\"\""),
         Param::string("answer_challenges",
                       "challenge types to answer without doing anything, for CAs that validate "
                       "on their own (e.g. http-01); empty: only valid authorizations")
             .defaults_to("\"\""),
         Param::integer("timeout_seconds", "per HTTP request to the CA").defaults_to("30")}};
  }

  // {"csr", "profile", "subject", "san": {"email": [..], "upn": [..], "dns": [..]}}
  boost::json::object sign_request(const boost::json::object& request) override {
    const auto csr = parse_csr(text(request, "csr"));
    const auto* san_value = request.if_contains("san");
    const auto san =
        san_value && san_value->is_object() ? san_value->get_object() : boost::json::object{};
    if (!strings(san, "upn").empty())
      throw Error::invalid_argument(
          "an ACME CA cannot issue a UPN (smart card logon name): use a profile with san_upn=0");
    boost::json::array identifiers;
    std::vector<std::string> wanted;  // what the request must name too, as "type:value"
    const auto ask_for = [&](const char* san_key, const char* type, bool in_request) {
      for (const auto& value : strings(san, san_key)) {
        identifiers.push_back({{"type", type}, {"value", value}});
        if (in_request) wanted.push_back(std::string(type) + ":" + value);
      }
    };
    ask_for("dns", "dns", true);
    ask_for("ip", "ip", true);  // RFC 8738
    ask_for("permanent_identifier", "permanent-identifier", true);
    ask_for("email", "email", false);  // RFC 8823: not asked of the request
    if (identifiers.empty())
      throw Error::invalid_argument(
          "the profile names nothing an ACME order can ask for: give it san_dns (a name "
          "template), san_email, san_ip or san_permanent_identifier");
    // RFC 8555 section 7.4: the request must name what the order does; its key is the user's,
    // so the connector cannot write the names in itself.
    auto named = names_in(csr.get());
    std::sort(wanted.begin(), wanted.end());
    std::sort(named.begin(), named.end());
    if (wanted != named)
      throw Error::invalid_argument(
          "an ACME CA takes only a request that names what it orders: the request must have " +
          joined(wanted) + " as alternative names (it has " + joined(named) + ")");
    const auto account = current_account();
    const auto& [key, kid] = *account;
    auto order = client_.post(
        client_.endpoint("newOrder"),
        boost::json::serialize(boost::json::object{{"identifiers", identifiers}}), key, kid);
    if (order.location.empty()) throw Error::unavailable("the ACME CA gave the order no URL");
    auto state = order.json();
    for (const auto& url : strings(state, "authorizations")) authorize(url, *account);
    // Finalize only once the CA calls the order ready (RFC 8555 section 7.4: else orderNotReady).
    for (int i = 0, pause = 50; text(state, "status") == "pending";
         ++i, pause = std::min(2 * pause, 500)) {
      if (i == 8) throw Error::unavailable("the ACME CA's order for these names is not ready yet");
      std::this_thread::sleep_for(std::chrono::milliseconds(pause));
      state = client_.post(order.location, "", key, kid).json();
    }
    unsigned char* der = nullptr;
    const int size = i2d_X509_REQ(csr.get(), &der);
    const std::string csr_der(reinterpret_cast<char*>(der),
                              static_cast<size_t>(size > 0 ? size : 0));
    OPENSSL_free(der);
    auto answer = client_.post(
        text(state, "finalize"),
        boost::json::serialize(boost::json::object{{"csr", base64url(csr_der)}}), key, kid);
    auto finalized = answer.json();
    // Most CAs finish within a moment: a short wait saves a round through the poller (and lets
    // a server-made key, which is never kept, be issued at all).
    // First after 50 ms, then doubling to at most 500 ms: about 3 s in all.
    for (int i = 0, pause = 50; i < 9 && text(finalized, "status") == "processing";
         ++i, pause = std::min(2 * pause, 500)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(pause));
      answer = client_.post(order.location, "", key, kid);
      finalized = answer.json();
    }
    return advance(order.location, finalized, text(request, "csr"), answer.retry_after, *account);
  }

  // {"request_id": the order URL}. The host sends no CSR here; it checks the key itself.
  boost::json::object request_status(const boost::json::object& request) override {
    const auto url = text(request, "request_id");
    if (!url.starts_with("https://")) throw Error::invalid_argument("not an ACME order URL");
    const auto account = current_account();
    const auto order = client_.post(url, "", account->key, account->url);
    return advance(url, order.json(), text(request, "csr"), order.retry_after, *account);
  }

  boost::json::object revoke(const boost::json::object& request) override {
    const auto serial = text(request, "serial");
    const auto pem = certificates_.get("certificate/" + serial);
    if (!pem)
      throw Error::invalid_argument("certificate " + serial +
                                    " was not issued through this connector");
    const auto chain = parse_chain(*pem);
    if (chain.empty()) throw Error::unavailable("the stored certificate does not parse");
    const auto account = current_account();
    try {
      client_.post(client_.endpoint("revokeCert"),
                   boost::json::serialize(
                       boost::json::object{{"certificate", base64url(der_of(chain.front().get()))},
                                           {"reason", reason_code(text(request, "reason"))}}),
                   account->key, account->url);
    } catch (const Error& e) {
      // Told twice (a retry after a lost answer): it is revoked, which is what was asked.
      if (std::string(e.what()).find("(alreadyRevoked)") == std::string::npos) throw;
    }
    return {{"state", "revoked"}};
  }

  // The issuing chains: learnt from the CA's certificates (ACME has no endpoint for them).
  boost::json::object ca_certificate(const boost::json::object&) override {
    const auto chain = store_.get("issuer_chain");
    if (!chain)
      throw Error::unavailable(
          "the ACME CA's chain is learnt from its first certificate: none issued yet");
    return {{"certificate", *chain}};
  }

  boost::json::object actions(const boost::json::object&) override {
    return {{"actions",
             {{{"name", "roll_over_account_key"},
               {"description",
                "give the ACME account a new key (RFC 8555 keyChange); the old one stops working"},
               {"on_delete", false}},
              {{"name", "deactivate_account"},
               {"description",
                "deactivate the ACME account at the CA; a later request registers a new one"},
               {"on_delete", true}}}}};
  }

  boost::json::object run_action(const boost::json::object& request) override {
    const auto action = text(request, "action");
    std::lock_guard lock(action_mutex_);
    if (action == "roll_over_account_key") return roll_over_key();
    if (action == "deactivate_account") return deactivate();
    throw Error::invalid_argument("the ACME connector has no action '" + action + "'");
  }

 private:
  // One account per connector name and directory: a new directory under the same name is a
  // new account, not the old CA's.
  static std::string store_object(const tessera::sdk::ComponentContext& context) {
    const auto url = text(context.config, "directory_url");
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(url.data()), url.size(), digest);
    return context.instance_name + "@" +
           base64url(std::string(reinterpret_cast<char*>(digest), 12));
  }

  // The account's key and URL (the JWS "kid"), one sealed value in the store where every
  // node finds it. Read at the start of each operation: after a key rollover on another node,
  // the next operation here signs with the new key.
  std::shared_ptr<const Account> current_account() {
    std::lock_guard lock(mutex_);
    auto stored = store_.get("account");
    if (!stored) {
      // Registered on first use. The key is claimed first, insert-if-absent: nodes that register
      // at the same moment all use the first key, and an ACME CA gives one key one account
      // (200 for the second).
      store_.add_secret("account_key",
                        AccountKey::generate(text(config_, "account_key_type")).pem());
      const auto claimed = store_.get("account_key");
      if (!claimed) throw Error::unavailable("the ACME account key could not be stored");
      const auto key = AccountKey::from_pem(*claimed);
      store_account(key, register_account(key));
      stored = store_.get("account");
    }
    if (!stored) throw Error::unavailable("the ACME account could not be stored");
    if (store_.get("account_next")) {
      finish_rollover(*stored);
      stored = store_.get("account");
      if (!stored) throw Error::unavailable("the ACME account could not be read");
    }
    if (account_ && *stored == stored_) return account_;
    account_ = std::make_shared<const Account>(parse_account(*stored));
    stored_ = *stored;
    return account_;
  }

  static Account parse_account(const std::string& stored) {
    boost::system::error_code ec;
    const auto value = boost::json::parse(stored, ec);
    if (ec || !value.is_object())
      throw Error::unavailable("the stored ACME account does not parse");
    return {AccountKey::from_pem(text(value.get_object(), "key")), text(value.get_object(), "url")};
  }

  void store_account(const AccountKey& key, const std::string& url, const char* name = "account") {
    store_.set_secret(
        name, boost::json::serialize(boost::json::object{{"key", key.pem()}, {"url", url}}));
  }

  // RFC 8555 section 7.3.5: the new key signs the account URL and the old key (inner JWS), the
  // old key signs that (outer). The new key is kept before the CA hears of it, so that a store
  // that fails after the CA took it loses nothing: the next rollover finds it and carries on.
  boost::json::object roll_over_key() {
    const auto old = current_account();  // finishes an interrupted rollover first
    const auto key = AccountKey::generate(text(config_, "account_key_type"));
    // Claimed insert-if-absent: two nodes never roll the key over at the same time.
    if (!store_.add_secret("account_next", boost::json::serialize(boost::json::object{
                                               {"key", key.pem()}, {"url", old->url}})))
      throw Error::invalid_argument(
          "another key rollover of this ACME account is under way: try again in a moment");
    const auto url = client_.endpoint("keyChange");
    const auto inner =
        tessera::acme::sign_jws(key, {{"jwk", key.jwk()}, {"url", url}},
                                boost::json::serialize(boost::json::object{
                                    {"account", old->url}, {"oldKey", old->key.jwk()}}));
    try {
      client_.post(url, boost::json::serialize(inner), old->key, old->url);
    } catch (const Error& e) {
      // Refused: the old key stays. Unreachable: the CA may have taken it, so the new key
      // stays claimed and the next operation asks the CA which key it knows.
      if (e.kind() != Error::Kind::unavailable) store_.remove("account_next");
      throw;
    }
    store_account(key, old->url);
    store_.remove("account_next");
    host().info("ACME account " + old->url + " has a new key");
    return {{"message", "the ACME account " + old->url + " signs with a new key from now on"}};
  }

  // A rollover that did not finish (its outcome unknown: the CA was unreachable, or the
  // process ended in between) left its new key in account_next. The CA says which key it
  // knows: the new one is taken, a refused one is dropped; unreachable, both are kept.
  void finish_rollover(const std::string& stored_account) {
    const auto next = store_.get("account_next");
    if (!next) return;
    const auto candidate = parse_account(*next);
    try {
      client_.post(candidate.url, "{}", candidate.key, candidate.url);
      store_account(candidate.key, candidate.url);
      host().info("ACME account " + candidate.url + ": an interrupted key rollover is finished");
    } catch (const Error& e) {
      if (e.kind() == Error::Kind::unavailable) return;
      // The CA does not know the new key; it must know the old one (else this is a rollover
      // still in flight on another node, whose keyChange is not through yet: leave it).
      const auto old = parse_account(stored_account);
      try {
        client_.post(old.url, "{}", old.key, old.url);
      } catch (const Error&) {
        return;
      }
    }
    store_.remove("account_next");
  }

  // RFC 8555 section 7.3.6. The stored account is forgotten, so that a request after this one
  // registers a new account instead of failing with the old one.
  boost::json::object deactivate() {
    const auto old = current_account();
    const auto answer = client_.post(
        old->url, boost::json::serialize(boost::json::object{{"status", "deactivated"}}), old->key,
        old->url);
    if (const auto status = text(answer.json(), "status"); status != "deactivated")
      throw Error::unavailable("the ACME CA answered the deactivation of " + old->url +
                               " with the account " + (status.empty() ? "unchanged" : status));
    // The key first: no node claims the deactivated key for a new account in between.
    store_.remove("account_key");
    store_.remove("account");
    store_.remove("account_next");
    host().info("ACME account " + old->url + " deactivated");
    return {{"message", "the ACME account " + old->url + " is deactivated"}};
  }

  // newAccount for key: its URL (the same key finds the same account again, 200 not 201).
  std::string register_account(const AccountKey& key) {
    boost::json::object payload{{"termsOfServiceAgreed", config_.at("terms_agreed").as_bool()}};
    if (const auto contact = text(config_, "contact"); !contact.empty())
      payload["contact"] = boost::json::array{boost::json::string("mailto:" + contact)};
    const auto new_account = client_.endpoint("newAccount");
    if (const auto eab = text(config_, "eab_kid"); !eab.empty()) {
      try {
        payload["externalAccountBinding"] = tessera::acme::external_account_binding(
            eab, text(config_, "eab_hmac_key"), key.jwk(), new_account);
      } catch (const std::invalid_argument&) {
        throw Error::invalid_argument("eab_hmac_key is not base64url");
      }
    }
    const auto created = client_.post(new_account, boost::json::serialize(payload), key, "");
    if (created.location.empty()) throw Error::unavailable("the ACME CA gave the account no URL");
    host().info("ACME account " + created.location);
    return created.location;
  }

  // A pending authorization is answered with a challenge the admin allowed, then read again
  // until the CA decided (briefly: a CA that validates on its own does so at once).
  void authorize(const std::string& url, const Account& account) {
    auto authz = client_.post(url, "", account.key, account.url).json();
    if (text(authz, "status") == "valid") return;
    const auto allowed = comma_list(text(config_, "answer_challenges"));
    const auto* identifier = authz.if_contains("identifier");
    const auto name =
        identifier && identifier->is_object()
            ? text(identifier->get_object(), "type") + ":" + text(identifier->get_object(), "value")
            : std::string("?");
    if (text(authz, "status") != "pending")
      throw Error::invalid_argument("the ACME CA's authorization for " + name + " is " +
                                    text(authz, "status"));
    std::string offered, answered;
    if (const auto* list = authz.if_contains("challenges"); list && list->is_array())
      for (const auto& item : list->get_array()) {
        if (!item.is_object()) continue;
        const auto type = text(item.get_object(), "type");
        offered += (offered.empty() ? "" : ", ") + type;
        if (answered.empty() && std::find(allowed.begin(), allowed.end(), type) != allowed.end()) {
          // One the CA already works on (an authorization reused by another order) is waited
          // for, not answered again.
          if (text(item.get_object(), "status") == "pending")
            client_.post(text(item.get_object(), "url"), "{}", account.key, account.url);
          answered = type;
        }
      }
    if (answered.empty())
      throw Error::invalid_argument("the ACME CA wants " + name + " proven by a challenge (" +
                                    offered +
                                    "), which this connector does not answer; use an account "
                                    "the CA pre-authorizes, or list a type in answer_challenges");
    for (int i = 0; i < 20; ++i) {
      authz = client_.post(url, "", account.key, account.url).json();
      const auto status = text(authz, "status");
      if (status == "valid") return;
      if (status != "pending")
        throw Error::invalid_argument("the ACME CA did not accept the " + answered +
                                      " challenge for " + name + " (" + status + ")");
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    throw Error::unavailable("the ACME CA has not decided on " + name + " yet");
  }

  // What an order's state means to the host.
  // retry_after: the CA's Retry-After, handed on so that the host does not ask sooner.
  boost::json::object advance(const std::string& order_url, const boost::json::object& order,
                              const std::string& csr_pem, long long retry_after,
                              const Account& account) {
    const auto status = text(order, "status");
    if (status == "valid") return download(text(order, "certificate"), csr_pem, account);
    if (status == "processing" || status == "ready" || status == "pending") {
      boost::json::object pending{{"state", "pending"}, {"request_id", order_url}};
      if (retry_after > 0) pending["retry_after"] = retry_after;
      return pending;
    }
    std::string reason = "the order is " + status;
    if (const auto* error = order.if_contains("error"); error && error->is_object())
      reason += ": " + text(error->get_object(), "detail");
    return {{"state", "denied"}, {"reason", reason}};
  }

  boost::json::object download(const std::string& url, const std::string& csr_pem,
                               const Account& account) {
    const auto answer =
        client_.post(url, "", account.key, account.url, "application/pem-certificate-chain");
    const auto chain = parse_chain(answer.body);
    if (chain.empty()) throw Error::unavailable("the ACME CA's certificate does not parse");
    if (!csr_pem.empty()) {
      const auto csr = parse_csr(csr_pem);
      if (EVP_PKEY_eq(X509_get0_pubkey(chain.front().get()), X509_REQ_get0_pubkey(csr.get())) != 1)
        throw Error::unavailable("the ACME CA's certificate is for another key than the request's");
    }
    // Every issuer seen is kept: ACME CAs change intermediates (per certificate, or at a
    // restart), and the host checks each certificate against what ca_certificate publishes.
    auto issuers = store_.get("issuer_chain").value_or("");
    for (size_t i = 1; i < chain.size(); ++i)
      if (const auto pem = pem_of(chain[i].get()); issuers.find(pem) == std::string::npos)
        issuers += pem;
    if (issuers != store_.get("issuer_chain").value_or("")) store_.set("issuer_chain", issuers);
    certificates_.set("certificate/" + serial_hex(chain.front().get()),
                      pem_of(chain.front().get()));
    host().info("issued certificate " + serial_hex(chain.front().get()));
    return {{"state", "issued"}, {"certificate", answer.body}};
  }

  boost::json::object config_;
  AcmeClient client_;
  tessera::sdk::ObjectStore store_;         // the account, per name and directory
  tessera::sdk::ObjectStore certificates_;  // what it issued, per name: revoked by serial
  std::mutex mutex_;                        // around reading and registering the account
  std::mutex action_mutex_;                 // one rollover or deactivation at a time
  std::shared_ptr<const Account> account_;  // as last read from the store
  std::string stored_;                      // the store's value it was read from
};

}  // namespace

TESSERA_PLUGIN("org.tessera.ca_acme", "0.1.0", tessera::sdk::component<AcmeCa>());
