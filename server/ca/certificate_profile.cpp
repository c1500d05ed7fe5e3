#include "server/ca/certificate_profile.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include <boost/json.hpp>

namespace tessera::ca {
namespace {

const std::vector<std::string> kKeyTypes{"ec-p256",  "ec-p384",  "ec-p521",
                                         "rsa-2048", "rsa-3072", "rsa-4096"};
const std::vector<std::string> kKeyUsages{"digitalSignature", "nonRepudiation", "keyEncipherment",
                                          "dataEncipherment", "keyAgreement"};
const std::vector<std::string> kExtendedKeyUsages{"clientAuth", "emailProtection", "smartcardLogon",
                                                  "serverAuth"};
const std::vector<std::string> kSubjectFields{"CN", "O", "OU", "C", "L", "ST", "emailAddress"};
const std::vector<std::string> kTags{"{username}",     "{givenname}",  "{surname}", "{email}",
                                     "{organization}", "{department}", "{realm}"};

std::string text_of(const boost::json::value& value, const std::string& key) {
  if (value.is_string()) return std::string(value.get_string());
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_bool()) return value.get_bool() ? "1" : "0";
  throw ProfileError("'" + key + "' must be text");
}

// A comma list from text, or the items of a JSON array.
std::vector<std::string> list_of(const boost::json::value& value, const std::string& key) {
  std::vector<std::string> items;
  if (value.is_array()) {
    for (const auto& item : value.get_array()) items.push_back(text_of(item, key));
  } else {
    const auto text = text_of(value, key);
    for (size_t start = 0; start <= text.size();) {
      auto end = text.find(',', start);
      if (end == std::string::npos) end = text.size();
      auto item = text.substr(start, end - start);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) items.push_back(item);
      start = end + 1;
    }
  }
  if (items.empty()) throw ProfileError("'" + key + "' must name at least one value");
  return items;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::vector<std::string> checked(std::vector<std::string> items,
                                 const std::vector<std::string>& known, const std::string& key) {
  for (const auto& item : items)
    if (std::find(known.begin(), known.end(), item) == known.end())
      throw ProfileError(key + " '" + item + "' is not supported (" + joined(known) + ")");
  return items;
}

bool flag_of(const boost::json::value& value, const std::string& key) {
  const auto text = text_of(value, key);
  if (text == "1" || text == "true") return true;
  if (text == "0" || text == "false") return false;
  throw ProfileError("'" + key + "' must be 1 or 0");
}

void check_template(const std::string& field, const std::string& value) {
  if (value.empty() || value.size() > 255)
    throw ProfileError("subject." + field + " must have 1 to 255 characters");
  for (size_t open = value.find('{'); open != std::string::npos; open = value.find('{', open + 1)) {
    const auto close = value.find('}', open);
    const auto tag =
        value.substr(open, close == std::string::npos ? std::string::npos : close - open + 1);
    if (std::find(kTags.begin(), kTags.end(), tag) == kTags.end())
      throw ProfileError("subject." + field + ": unknown tag " + tag + " (" + joined(kTags) + ")");
  }
}

// One pass over the template, left to right: a tag's value is copied as data and never read
// again, so a user whose given name is "{email}" gets that text, not their address.
std::string fill(const std::string& text, const db::UserRow& user, const std::string& realm) {
  const std::pair<std::string_view, const std::string*> tags[] = {
      {"{username}", &user.username},
      {"{givenname}", &user.given_name},
      {"{surname}", &user.surname},
      {"{email}", &user.email},
      {"{organization}", &user.organization},
      {"{department}", &user.department},
      {"{realm}", &realm}};
  std::string out;
  for (size_t at = 0; at < text.size();) {
    const auto tag = std::find_if(std::begin(tags), std::end(tags), [&](const auto& t) {
      return std::string_view(text).substr(at).starts_with(t.first);
    });
    if (tag == std::end(tags)) {
      out += text[at++];
    } else {
      out += *tag->second;
      at += tag->first.size();
    }
  }
  out.erase(0, out.find_first_not_of(' '));
  out.erase(out.find_last_not_of(' ') + 1);
  return out;
}

}  // namespace

CertificateProfile CertificateProfile::from_params(const boost::json::object& params) {
  CertificateProfile p;
  bool subject_given = false;
  for (const auto& [raw_key, value] : params) {
    const std::string key(raw_key);
    if (key == "validity_days") {
      p.validity_days.clear();
      for (const auto& item : list_of(value, key)) {
        int days = 0;
        try {
          size_t used = 0;
          days = std::stoi(item, &used);
          if (used != item.size()) days = 0;
        } catch (const std::exception&) {
        }
        if (days < 1 || days > 3650)
          throw ProfileError("validity_days: '" + item +
                             "' is not a number of days from 1 to 3650");
        p.validity_days.push_back(days);
      }
    } else if (key == "key_types") {
      p.key_types = checked(list_of(value, key), kKeyTypes, "key type");
    } else if (key == "key_usage") {
      p.key_usage = checked(list_of(value, key), kKeyUsages, "key usage");
    } else if (key == "extended_key_usage") {
      p.extended_key_usage = checked(list_of(value, key), kExtendedKeyUsages, "extended key usage");
    } else if (key.rfind("subject.", 0) == 0) {
      const auto field = key.substr(8);
      if (std::find(kSubjectFields.begin(), kSubjectFields.end(), field) == kSubjectFields.end())
        throw ProfileError("subject field '" + field + "' is not supported (" +
                           joined(kSubjectFields) + ")");
      if (!subject_given) p.subject.clear();
      subject_given = true;
      const auto text = text_of(value, key);
      check_template(field, text);
      p.subject.emplace_back(field, text);
    } else if (key == "san_email") {
      p.san_email = flag_of(value, key);
    } else if (key == "san_upn") {
      p.san_upn = flag_of(value, key);
    } else if (key == "san_dns") {
      p.san_dns = text_of(value, key);
      if (!p.san_dns.empty()) check_template("san_dns", p.san_dns);
    } else if (key == "san_ip") {
      p.san_ip = flag_of(value, key);
    } else if (key == "san_permanent_identifier") {
      p.san_permanent_identifier = flag_of(value, key);
    } else if (key == "ca_template") {
      p.ca_template = text_of(value, key);
      if (p.ca_template.size() > 64 ||
          p.ca_template.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789 _-.") != std::string::npos)
        throw ProfileError("ca_template: up to 64 letters, digits, spaces, '_', '-' or '.'");
    } else if (key == "approval") {
      p.approval = flag_of(value, key);
    } else if (key == "email_in_realm_domains") {
      p.email_in_realm_domains = flag_of(value, key);
    } else {
      throw ProfileError("unknown profile parameter '" + key +
                         "' (validity_days, key_types, key_usage, extended_key_usage, "
                         "subject.<field>, san_email, san_upn, san_dns, san_ip, "
                         "san_permanent_identifier, ca_template, approval, "
                         "email_in_realm_domains)");
    }
  }
  if (std::none_of(p.subject.begin(), p.subject.end(),
                   [](const auto& f) { return f.first == "CN"; }))
    throw ProfileError("the subject needs a CN (subject.CN)");
  return p;
}

boost::json::object CertificateProfile::to_json() const {
  boost::json::array validity(validity_days.begin(), validity_days.end());
  boost::json::array subject_fields;
  for (const auto& [field, value] : subject) subject_fields.push_back({field, value});
  auto strings = [](const std::vector<std::string>& items) {
    return boost::json::array(items.begin(), items.end());
  };
  return {{"validity_days", validity},
          {"key_types", strings(key_types)},
          {"key_usage", strings(key_usage)},
          {"extended_key_usage", strings(extended_key_usage)},
          {"subject", subject_fields},
          {"san_email", san_email},
          {"san_upn", san_upn},
          {"san_dns", san_dns},
          {"san_ip", san_ip},
          {"san_permanent_identifier", san_permanent_identifier},
          {"ca_template", ca_template},
          {"approval", approval},
          {"email_in_realm_domains", email_in_realm_domains}};
}

CertificateProfile CertificateProfile::from_json(const boost::json::object& json) {
  CertificateProfile p;
  p.validity_days.clear();
  for (const auto& d : json.at("validity_days").as_array())
    p.validity_days.push_back(static_cast<int>(d.as_int64()));
  auto strings = [&](const char* key) {
    std::vector<std::string> out;
    for (const auto& s : json.at(key).as_array()) out.emplace_back(s.as_string());
    return out;
  };
  p.key_types = strings("key_types");
  p.key_usage = strings("key_usage");
  p.extended_key_usage = strings("extended_key_usage");
  p.subject.clear();
  for (const auto& f : json.at("subject").as_array())
    p.subject.emplace_back(std::string(f.as_array().at(0).as_string()),
                           std::string(f.as_array().at(1).as_string()));
  p.san_email = json.at("san_email").as_bool();
  p.san_upn = json.at("san_upn").as_bool();
  if (const auto* dns = json.if_contains("san_dns"); dns && dns->is_string())
    p.san_dns = std::string(dns->get_string());  // profiles stored before it have none
  // Profiles stored before them have neither.
  if (const auto* ip = json.if_contains("san_ip"); ip && ip->is_bool()) p.san_ip = ip->get_bool();
  if (const auto* id = json.if_contains("san_permanent_identifier"); id && id->is_bool())
    p.san_permanent_identifier = id->get_bool();
  if (const auto* name = json.if_contains("ca_template"); name && name->is_string())
    p.ca_template = std::string(name->get_string());
  p.approval = json.at("approval").as_bool();
  if (const auto* only = json.if_contains("email_in_realm_domains"); only && only->is_bool())
    p.email_in_realm_domains = only->get_bool();
  return p;
}

bool CertificateProfile::puts_email_in_certificate() const {
  return san_email || std::any_of(subject.begin(), subject.end(), [](const auto& field) {
           return field.second.find("{email}") != std::string::npos;
         });
}

std::vector<std::pair<std::string, std::string>> CertificateProfile::subject_of(
    const db::UserRow& user, const std::string& realm) const {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& [field, value] : subject) {
    auto filled = fill(value, user, realm);
    if (!filled.empty()) fields.emplace_back(field, std::move(filled));
  }
  if (std::none_of(fields.begin(), fields.end(), [](const auto& f) { return f.first == "CN"; }))
    throw ProfileError("the profile makes no CN for user " + user.username);
  return fields;
}

std::string CertificateProfile::dns_name_of(const db::UserRow& user,
                                            const std::string& realm) const {
  if (san_dns.empty()) return {};
  auto name = fill(san_dns, user, realm);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool valid =
      !name.empty() && name.size() <= 253 && name.front() != '.' && name.back() != '.' &&
      name.find("..") == std::string::npos && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      });
  if (!valid)
    throw ProfileError("the profile's san_dns makes no DNS name for user " + user.username + " ('" +
                       name + "')");
  return name;
}

std::string checked_ip_address(const std::string& text) {
  unsigned char address[sizeof(in6_addr)];
  char written[INET6_ADDRSTRLEN];
  for (const int family : {AF_INET, AF_INET6})
    if (inet_pton(family, text.c_str(), address) == 1 &&
        inet_ntop(family, address, written, sizeof(written)))
      return written;
  throw ProfileError("ip: '" + text.substr(0, 64) + "' is no IPv4 or IPv6 address");
}

std::string checked_device_serial(const std::string& text) {
  if (text.empty() || text.size() > 64 ||
      text.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/+") !=
          std::string::npos)
    throw ProfileError(
        "device_serial: 1 to 64 letters, digits or '-', '_', '.', ':', '/', '+' (a device's "
        "serial number)");
  return text;
}

}  // namespace tessera::ca
