#include "server/ca/issued_certificate.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <optional>

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <boost/json.hpp>

#include "server/crypto/x509.hpp"

namespace tessera::ca {
namespace {

using Refused = IssuedCertificateRefused;

// A CA's clock may run a little ahead of ours.
constexpr long long kClockSlack = 300;

struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
  void operator()(X509_REQ* r) const { X509_REQ_free(r); }
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
  void operator()(EXTENDED_KEY_USAGE* e) const { EXTENDED_KEY_USAGE_free(e); }
};

std::string utf8(const ASN1_STRING* value) {
  unsigned char* out = nullptr;
  const int size = ASN1_STRING_to_UTF8(&out, value);
  if (size < 0) return {};
  std::string text(reinterpret_cast<char*>(out), static_cast<size_t>(size));
  OPENSSL_free(out);
  return text;
}

// The profile's name of an extended key usage, as the local CA writes them.
std::string usage_name(int nid) {
  switch (nid) {
    case NID_client_auth:
      return "clientAuth";
    case NID_email_protect:
      return "emailProtection";
    case NID_server_auth:
      return "serverAuth";
    case NID_ms_smartcard_login:
      return "smartcardLogon";
  }
  return nid == NID_undef ? "an unknown usage" : OBJ_nid2sn(nid);
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text.empty() ? "none" : text;
}

void check_key(X509* certificate, const std::string& csr_pem) {
  crypto::BioPtr in(BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size())));
  std::unique_ptr<X509_REQ, StoreFree> csr(
      PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr));
  if (!csr) throw Refused("the certificate request kept for this token does not parse");
  if (!crypto::same_public_key(X509_get0_pubkey(certificate), X509_REQ_get0_pubkey(csr.get())))
    throw Refused("the certificate is for another key than the request's");
}

void check_chain(const std::vector<crypto::X509Ptr>& answer, const std::string& ca_pem) {
  const auto anchors = crypto::parse_certificates(ca_pem);
  if (anchors.empty())
    throw Refused(
        "the CA connector's CA certificate does not parse, so nothing it issues can "
        "be checked");
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  for (const auto& anchor : anchors) X509_STORE_add_cert(store.get(), anchor.get());
  std::unique_ptr<STACK_OF(X509), StoreFree> untrusted(sk_X509_new_null());
  for (size_t i = 1; i < answer.size(); ++i) sk_X509_push(untrusted.get(), answer[i].get());
  std::unique_ptr<X509_STORE_CTX, StoreFree> context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), answer.front().get(), untrusted.get());
  // An intermediate named as the connector's CA is enough; validity is checked below with a
  // little slack for the CA's clock.
  X509_STORE_CTX_set_flags(context.get(), X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
  if (X509_verify_cert(context.get()) != 1)
    throw Refused(std::string("the certificate does not chain to the CA connector's CA "
                              "certificate: ") +
                  X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get())));
}

void check_subject(X509* certificate, const RequestedCertificate& requested) {
  std::multimap<std::string, std::string> wanted(requested.subject.begin(),
                                                 requested.subject.end());
  const X509_NAME* name = X509_get_subject_name(certificate);
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const auto* entry = X509_NAME_get_entry(name, i);
    const std::string field = OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)));
    const auto value = utf8(X509_NAME_ENTRY_get_data(entry));
    auto range = wanted.equal_range(field);
    auto found = std::find_if(range.first, range.second,
                              [&](const auto& item) { return item.second == value; });
    if (found == range.second)
      throw Refused("the certificate's subject has " + field + "=" + value +
                    ", which the profile did not ask for (subject " +
                    crypto::subject_text(certificate) + ")");
    wanted.erase(found);
  }
  if (!wanted.empty())
    throw Refused("the certificate's subject lacks " + wanted.begin()->first + "=" +
                  wanted.begin()->second);
}

std::string ip_text(const ASN1_OCTET_STRING* address) {
  char text[INET6_ADDRSTRLEN] = "?";
  const int size = ASN1_STRING_length(address);
  if (size == 4 || size == 16)
    inet_ntop(size == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(address), text, sizeof(text));
  return text;
}

// RFC 4043's PermanentIdentifier ::= SEQUENCE { identifierValue UTF8String OPTIONAL,
// assigner OBJECT IDENTIFIER OPTIONAL }: its identifierValue, or nothing when it has none or is
// malformed.
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

void check_names(X509* certificate, const RequestedCertificate& requested) {
  std::unique_ptr<GENERAL_NAMES, StoreFree> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return;
  const auto allowed = [](const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_EMAIL) {
      const auto value = utf8(name->d.rfc822Name);
      if (!allowed(requested.emails, value))
        throw Refused("the certificate names the e-mail address " + value +
                      ", which was not asked for");
      continue;
    }
    if (name->type == GEN_OTHERNAME && OBJ_obj2nid(name->d.otherName->type_id) == NID_ms_upn &&
        name->d.otherName->value->type == V_ASN1_UTF8STRING) {
      const auto value = utf8(name->d.otherName->value->value.utf8string);
      if (!allowed(requested.upns, value))
        throw Refused("the certificate names the UPN " + value + ", which was not asked for");
      continue;
    }
    if (name->type == GEN_DNS) {
      const auto value = utf8(name->d.dNSName);
      if (!allowed(requested.dns_names, value))
        throw Refused("the certificate names the DNS name " + value + ", which was not asked for");
      continue;
    }
    if (name->type == GEN_IPADD) {
      const auto value = ip_text(name->d.iPAddress);
      if (!allowed(requested.ip_addresses, value))
        throw Refused("the certificate names the IP address " + value +
                      ", which was not asked for");
      continue;
    }
    if (name->type == GEN_OTHERNAME &&
        OBJ_obj2nid(name->d.otherName->type_id) == NID_id_on_permanentIdentifier) {
      const auto value = permanent_identifier(name->d.otherName->value);
      if (!value || !allowed(requested.permanent_identifiers, *value))
        throw Refused("the certificate names the permanent identifier " +
                      value.value_or("(malformed)") + ", which was not asked for");
      continue;
    }
    throw Refused(
        "the certificate has an alternative name of a kind that was not asked for "
        "(only e-mail, UPN, DNS, IP and permanent identifier names are)");
  }
}

void check_usage(X509* certificate, const RequestedCertificate& requested) {
  std::unique_ptr<EXTENDED_KEY_USAGE, StoreFree> usages(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(certificate, NID_ext_key_usage, nullptr, nullptr)));
  if (!usages) {
    if (!requested.extended_key_usage.empty())
      throw Refused(
          "the certificate has no extended key usage, so it is good for any; the "
          "profile allows " +
          joined(requested.extended_key_usage));
    return;
  }
  for (int i = 0; i < sk_ASN1_OBJECT_num(usages.get()); ++i) {
    const auto usage = usage_name(OBJ_obj2nid(sk_ASN1_OBJECT_value(usages.get(), i)));
    if (std::find(requested.extended_key_usage.begin(), requested.extended_key_usage.end(),
                  usage) == requested.extended_key_usage.end())
      throw Refused("the certificate is good for " + usage + ", which the profile does not " +
                    "allow (" + joined(requested.extended_key_usage) + ")");
  }
}

void check_term(X509* certificate, const RequestedCertificate& requested, long long now) {
  const long long begins = crypto::not_before(certificate);
  const long long ends = crypto::not_after(certificate);
  if (begins > now + kClockSlack) throw Refused("the certificate is not valid yet");
  if (ends <= now) throw Refused("the certificate has expired");
  if (requested.validity_days > 0 && ends > now + 86400LL * requested.validity_days + kClockSlack)
    throw Refused("the certificate is valid beyond the " + std::to_string(requested.validity_days) +
                  " days asked for");
}

boost::json::array strings(const std::vector<std::string>& items) {
  return boost::json::array(items.begin(), items.end());
}

std::vector<std::string> strings_of(const boost::json::object& json, const char* key) {
  std::vector<std::string> out;
  if (const auto* list = json.if_contains(key); list && list->is_array())
    for (const auto& item : list->get_array())
      if (item.is_string()) out.emplace_back(item.get_string());
  return out;
}

}  // namespace

boost::json::object RequestedCertificate::to_json() const {
  boost::json::array fields;
  for (const auto& [field, value] : subject) fields.push_back({field, value});
  return {{"subject", fields},
          {"email", strings(emails)},
          {"upn", strings(upns)},
          {"dns", strings(dns_names)},
          {"ip", strings(ip_addresses)},
          {"permanent_identifier", strings(permanent_identifiers)},
          {"extended_key_usage", strings(extended_key_usage)},
          {"validity_days", validity_days}};
}

RequestedCertificate RequestedCertificate::from_json(const boost::json::object& json,
                                                     std::string csr) {
  RequestedCertificate r;
  r.csr = std::move(csr);
  if (const auto* fields = json.if_contains("subject"); fields && fields->is_array())
    for (const auto& item : fields->get_array())
      if (item.is_array() && item.get_array().size() == 2 && item.get_array()[0].is_string() &&
          item.get_array()[1].is_string())
        r.subject.emplace_back(item.get_array()[0].get_string(), item.get_array()[1].get_string());
  r.emails = strings_of(json, "email");
  r.upns = strings_of(json, "upn");
  r.dns_names = strings_of(json, "dns");
  r.ip_addresses = strings_of(json, "ip");
  r.permanent_identifiers = strings_of(json, "permanent_identifier");
  r.extended_key_usage = strings_of(json, "extended_key_usage");
  if (const auto* days = json.if_contains("validity_days"); days && days->is_int64())
    r.validity_days = static_cast<int>(days->get_int64());
  return r;
}

IssuedCertificate check_issued_certificate(const std::string& certificate_pem,
                                           const std::string& ca_pem,
                                           const RequestedCertificate& requested, long long now) {
  auto answer = crypto::parse_certificates(certificate_pem);
  if (answer.empty()) throw Refused("the CA's answer is not a PEM certificate");
  X509* certificate = answer.front().get();
  check_key(certificate, requested.csr);
  check_chain(answer, ca_pem);
  if (X509_check_ca(certificate) > 0) throw Refused("the certificate is a CA certificate");
  if (requested.scope_known) {
    check_usage(certificate, requested);
    check_subject(certificate, requested);
    check_names(certificate, requested);
  }
  check_term(certificate, requested, now);
  return {crypto::pem_of(certificate), crypto::serial_hex(certificate),
          crypto::not_after(certificate)};
}

}  // namespace tessera::ca
