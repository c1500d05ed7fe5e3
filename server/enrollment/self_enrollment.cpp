#include "server/enrollment/self_enrollment.hpp"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "server/ca/certificate_profile.hpp"
#include "server/crypto/digest.hpp"
#include "server/crypto/encoding.hpp"
#include "server/crypto/pkcs12.hpp"
#include "server/enrollment/persons.hpp"
#include "server/plugins/component_instance.hpp"
#include "server/util/clock.hpp"

namespace tessera::enrollment {
namespace {

constexpr long long kLinkSeconds = 3600;     // a mailed link is good for 60 minutes
constexpr long long kSessionSeconds = 1800;  // and the session it opens for 30
constexpr const char* kWrongSecret = "wrong e-mail address or secret ID";

std::string normalised(std::string email) {
  email.erase(0, email.find_first_not_of(" \t"));
  email.erase(email.find_last_not_of(" \t") + 1);
  for (auto& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (email.size() > 255 || email.find('@') == std::string::npos)
    throw Refused(400, "give your e-mail address", "not an address: " + email.substr(0, 64));
  return email;
}

bool offers(const db::EnrollmentFormRow& form, const char* type) {
  return std::find(form.auth_types.begin(), form.auth_types.end(), type) != form.auth_types.end();
}

ca::CertificateProfile profile_of(db::CertificateProfileRepository& profiles,
                                  const db::ProfileChoice& choice) {
  const auto stored = profiles.of(choice.ca);
  const auto found = stored.find(choice.profile);
  if (found == stored.end())
    throw Refused(409, "this account's profile " + choice.ca + "/" + choice.profile + " is gone",
                  "profile gone");
  auto profile = ca::CertificateProfile::from_json(boost::json::parse(found->second).as_object());
  profile.name = choice.profile;
  return profile;
}

// A password for a PKCS#12 that leaves this server: long enough and not one repeated character.
bool weak(const std::string& password) {
  return password.size() < 8 || std::set<char>(password.begin(), password.end()).size() < 3;
}

}  // namespace

db::EnrollmentFormRow SelfEnrollment::form(const std::string& extension) const {
  auto form = x_.forms.form_at(extension);
  if (!form || !form->enabled)
    throw Refused(404,
                  "there is no enrollment form at this address (it may have moved: ask for the "
                  "new one)",
                  form ? "form " + form->name + " is disabled" : "no form at this extension");
  return *form;
}

std::vector<db::OrganizationRow> SelfEnrollment::organizations_of(
    const db::EnrollmentFormRow& form) const {
  std::set<std::string> names;
  for (const auto& account : x_.forms.accounts(form.name)) names.insert(account.organization);
  std::vector<db::OrganizationRow> organizations;
  for (const auto& name : names)
    if (auto o = x_.organizations.organization(name)) organizations.push_back(std::move(*o));
  return organizations;
}

void SelfEnrollment::limit(const std::string& what, const std::string& client,
                           const std::string& message) const {
  if (!x_.attempts.claim_attempt(what, client, util::unix_seconds()))
    throw Refused(429, message, "locked after too many attempts (" + what + ")");
}

std::string SelfEnrollment::request_link(const db::EnrollmentFormRow& form,
                                         const std::string& address,
                                         const std::string& client) const {
  if (!offers(form, "email"))
    throw Refused(400, "this form does not offer e-mail confirmation", "no e-mail confirmation");
  const auto email = normalised(address);
  if (!x_.attempts.claim_attempt("enroll-link:" + form.name + ":" + email, client,
                                 util::unix_seconds()))
    return "too many links asked for " + email + ": none sent";
  const auto organizations = organizations_of(form);
  if (std::none_of(organizations.begin(), organizations.end(),
                   [&](const auto& o) { return email_in_domains(email, o.domains); }))
    return email + " is not in a delegated domain of this form's organizations: no link sent";
  const auto now = util::unix_seconds();
  db::EnrollmentLinkRow link{crypto::random_token(), form.name, email, "",
                             now + kLinkSeconds,     false};
  x_.sessions.add_link(link);
  // Through the outbox, so that a mail server that is down delays the link but never loses it.
  db::OutboxRow delivery;
  delivery.handler = "enrollment form " + form.name;
  delivery.notifier = kLinkAction;
  delivery.action = "send";
  delivery.request = boost::json::serialize(boost::json::object{{"link", link.id}});
  const auto now_ms = util::unix_milliseconds();
  x_.events.enqueue_claimed(delivery, now_ms, now_ms);  // due at once, for any worker
  return "link for " + email + " queued";
}

void SelfEnrollment::send_link(const boost::json::object& request) const {
  const auto link = x_.sessions.link(std::string(request.at("link").as_string()));
  if (!link || link->used || link->expires_at <= util::unix_seconds()) return;
  const auto form = x_.forms.form(link->form);
  if (!form) return;
  auto notifier = x_.notifiers.instance(form->notifier);
  if (!notifier)
    throw std::runtime_error("enrollment form " + form->name + "'s notification action '" +
                             form->notifier + "' is gone");
  // The secret exists only in the mail; a new attempt makes a new one.
  const auto token = crypto::random_token();
  x_.sessions.set_link_token(link->id, crypto::sha256_hex(token));
  const auto url = x_.public_url + "/enroll/" + form->extension + "#link=" + token;
  notifier->call(
      plugins::Operation::execute,
      {{"action", "sendmail"},
       {"options",
        {{"subject", "Your link to enroll for a certificate"},
         {"body", "Someone (you, we hope) asked to enroll for a certificate on the form " +
                      form->name +
                      " with this address.\n\nOpen this link within 60 minutes; "
                      "it works once:\n\n" +
                      url + "\n\nIf you did not ask for it, ignore this mail."}}},
       {"tags", boost::json::object()},
       {"recipients", boost::json::array{boost::json::string(link->email)}}});
}

Session SelfEnrollment::open_with_link(const db::EnrollmentFormRow& form, const std::string& link,
                                       const std::string& client) const {
  limit("enroll-link-use:" + form.name, client, "too many attempts: wait a few minutes");
  const auto now = util::unix_seconds();
  const auto email = x_.sessions.use_link(form.name, crypto::sha256_hex(link), now);
  if (!email)
    throw Refused(401, "this link is unknown, used or expired: ask for a new one",
                  "link unknown, used or expired");
  x_.attempts.clear("enroll-link-use:" + form.name, client);
  Session s{crypto::random_token(), {form.name, *email, "", now + kSessionSeconds}};
  x_.sessions.add_session(crypto::sha256_hex(s.token), s.row, now);
  return s;
}

Session SelfEnrollment::open_with_secret_id(const db::EnrollmentFormRow& form,
                                            const std::string& address,
                                            const std::string& secret_id,
                                            const std::string& client) const {
  if (!offers(form, "secret_id"))
    throw Refused(400, "this form does not take secret IDs", "no secret IDs");
  const auto email = normalised(address);
  const auto attempt = "enroll-secret:" + form.name + ":" + email;
  // The same answer when locked, so that a lock does not tell that the person exists.
  if (!x_.attempts.claim_attempt(attempt, client, util::unix_seconds()))
    throw Refused(401, kWrongSecret, "locked after too many attempts for " + email);
  std::optional<db::PersonRow> person;
  for (const auto& o : organizations_of(form))
    if (auto p = x_.organizations.person(o.name, email);
        p && !p->secret_id_hash.empty() && x_.secrets.matches(p->secret_id_hash, secret_id))
      person = std::move(p);
  if (!person) {
    x_.secrets.hash(secret_id);  // about the same time as a check of a stored one
    throw Refused(401, kWrongSecret, "no person " + email + " with that secret ID");
  }
  x_.attempts.clear(attempt, client);
  const auto now = util::unix_seconds();
  Session s{crypto::random_token(),
            {form.name, email, person->organization, now + kSessionSeconds}};
  x_.sessions.add_session(crypto::sha256_hex(s.token), s.row, now);
  return s;
}

std::optional<db::PersonRow> SelfEnrollment::person(const db::EnrollmentFormRow& form,
                                                    const std::string& email) const {
  for (const auto& o : organizations_of(form))
    if (auto p = x_.organizations.person(o.name, email)) return p;
  return std::nullopt;
}

db::EnrollmentSessionRow SelfEnrollment::session(const db::EnrollmentFormRow& form,
                                                 const std::string& token) const {
  auto row = token.empty() ? std::nullopt
                           : x_.sessions.session(crypto::sha256_hex(token), util::unix_seconds());
  if (!row || row->form != form.name)
    throw Refused(401, "your session has ended: authenticate again", "no session");
  return *row;
}

bool SelfEnrollment::may_use(const db::EnrollmentAccountRow& account,
                             const db::EnrollmentSessionRow& session,
                             const std::string& access_code) const {
  const auto organization = x_.organizations.organization(account.organization);
  if (!organization || !email_in_domains(session.email, organization->domains)) return false;
  if (account.authorization_method == "access_code")
    return !access_code.empty() && x_.secrets.matches(account.access_code_hash, access_code);
  // "none": for the organization's persons who gave their secret ID, of the account's
  // department when it names one.
  if (session.organization != account.organization) return false;
  const auto person = x_.organizations.person(account.organization, session.email);
  return person && (account.department.empty() || person->department == account.department);
}

boost::json::array SelfEnrollment::accounts(const db::EnrollmentFormRow& form,
                                            const db::EnrollmentSessionRow& session,
                                            const std::string& access_code,
                                            const std::string& client) const {
  const auto attempt = "enroll-code:" + form.name;
  if (!access_code.empty()) limit(attempt, client, "too many access codes tried: wait a while");
  boost::json::array open;
  bool code_matched = false;
  for (const auto& account : x_.forms.accounts(form.name)) {
    if (!may_use(account, session, access_code)) continue;
    code_matched = code_matched || account.authorization_method == "access_code";
    boost::json::array profiles;
    for (const auto& choice : account.profiles) {
      try {
        const auto p = profile_of(x_.profiles, choice);
        profiles.push_back(
            {{"id", choice.ca + "/" + choice.profile},
             {"validity_days", boost::json::array(p.validity_days.begin(), p.validity_days.end())},
             {"key_types", boost::json::array(p.key_types.begin(), p.key_types.end())},
             {"approval", p.approval}});
      } catch (const Refused&) {
      }
    }
    open.push_back({{"name", account.name},
                    {"organization", account.organization},
                    {"department", account.department},
                    {"csr_method", account.csr_method},
                    {"allow_empty_password", account.allow_empty_password},
                    {"authorization_method", account.authorization_method},
                    {"profiles", std::move(profiles)}});
  }
  if (!access_code.empty() && code_matched) x_.attempts.clear(attempt, client);
  return open;
}

std::vector<db::TokenRow> SelfEnrollment::own_certificates(
    const db::EnrollmentFormRow& form, const db::EnrollmentSessionRow& session) const {
  std::vector<db::TokenRow> tokens;
  for (const auto& o : organizations_of(form))
    if (email_in_domains(session.email, o.domains))
      for (auto& t : x_.token_rows.owned_by(o.resolver, session.email))
        if (t.type == "certificate" && t.owner_realm == o.realm) tokens.push_back(std::move(t));
  return tokens;
}

boost::json::array SelfEnrollment::certificates(const db::EnrollmentFormRow& form,
                                                const db::EnrollmentSessionRow& session) const {
  boost::json::array out;
  for (const auto& t : own_certificates(form, session)) {
    boost::json::object item{{"serial", t.serial},
                             {"rollout_state", t.rollout_state},
                             {"revoked", t.revoked},
                             {"description", t.description}};
    boost::system::error_code ec;
    const auto info = boost::json::parse(t.info, ec);
    if (!ec && info.is_object())
      for (const char* key :
           {"certificate_serial", "not_after", "profile", "enrollment_form", "certificate"})
        if (const auto* v = info.as_object().if_contains(key)) item[key] = *v;
    out.push_back(std::move(item));
  }
  return out;
}

void SelfEnrollment::revoke(const db::EnrollmentFormRow& form,
                            const db::EnrollmentSessionRow& session, const std::string& serial,
                            const std::string& reason) const {
  const auto own = own_certificates(form, session);
  const auto token =
      std::find_if(own.begin(), own.end(), [&](const auto& t) { return t.serial == serial; });
  if (token == own.end())
    throw Refused(404, "you have no certificate " + serial, "not the person's token");
  if (token->revoked)
    throw Refused(400, "certificate " + serial + " is revoked already", "revoked");
  if (!x_.token_rows.revoke(serial,
                            {session.email + " (enrollment form " + form.name + ")", reason}))
    throw Refused(409, "certificate " + serial + " changed meanwhile: reload", "not revoked");
  // At its CA too, and the CRL lists it from now on (or the revocation queue retries it).
  x_.issuer.revoke(*token, reason);
}

db::EnrollmentAccountRow SelfEnrollment::usable_account(const db::EnrollmentFormRow& form,
                                                        const db::EnrollmentSessionRow& session,
                                                        const std::string& name,
                                                        const std::string& access_code,
                                                        const std::string& client) const {
  auto account = x_.forms.account(form.name, name);
  if (!account) throw Refused(404, "this form has no account '" + name + "'", "no account");
  const auto attempt = "enroll-code:" + form.name;
  if (account->authorization_method == "access_code")
    limit(attempt, client, "too many access codes tried: wait a while");
  if (!may_use(*account, session, access_code))
    throw Refused(403,
                  account->authorization_method == "access_code"
                      ? "wrong access code for account '" + name + "'"
                      : "account '" + name + "' is not open to you",
                  "account " + name + " refused for " + session.email);
  if (account->authorization_method == "access_code") x_.attempts.clear(attempt, client);
  return *account;
}

boost::json::object SelfEnrollment::enroll(const db::EnrollmentFormRow& form,
                                           const db::EnrollmentSessionRow& session,
                                           const CertificateRequest& r,
                                           const std::string& client) const {
  if (!r.eula_accepted)
    throw Refused(400, "accept the terms of use (EULA) to enroll", "EULA not accepted");
  if (r.eula_version != form.eula_version)
    throw Refused(409, "the terms of use changed since you read them: read and accept them again",
                  "EULA version " + std::to_string(r.eula_version) + " is not the current " +
                      std::to_string(form.eula_version));
  const auto account = usable_account(form, session, r.account, r.access_code, client);
  const auto choice =
      std::find_if(account.profiles.begin(), account.profiles.end(),
                   [&](const auto& p) { return p.ca + "/" + p.profile == r.profile; });
  if (choice == account.profiles.end())
    throw Refused(400, "account '" + account.name + "' does not offer profile '" + r.profile + "'",
                  "profile not offered");
  const auto profile = profile_of(x_.profiles, *choice);
  const int days = r.validity_days ? r.validity_days : profile.validity_days.front();
  if (std::find(profile.validity_days.begin(), profile.validity_days.end(), days) ==
      profile.validity_days.end())
    throw Refused(
        400, "profile " + r.profile + " does not offer a term of " + std::to_string(days) + " days",
        "term not offered");
  const bool server_key = account.csr_method == "server";
  const auto key_type = r.key_type.empty() ? profile.key_types.front() : r.key_type;
  if (server_key) {
    if (std::find(profile.key_types.begin(), profile.key_types.end(), key_type) ==
        profile.key_types.end())
      throw Refused(400, "profile " + r.profile + " does not offer key type " + key_type,
                    "key type not offered");
    if (profile.approval)
      throw Refused(400,
                    "profile " + r.profile +
                        " needs an approval, and a key made here cannot "
                        "wait for one: this account needs a CSR",
                    "server key and approval");
    if (r.password != r.password_repeat)
      throw Refused(400, "the two passwords differ", "passwords differ");
    if (r.password.empty() ? !account.allow_empty_password : weak(r.password))
      throw Refused(400,
                    "choose a password for the PKCS#12 file: at least 8 characters, not one "
                    "repeated" +
                        std::string(account.allow_empty_password ? " (or none)" : ""),
                    "weak or empty password");
  } else if (r.csr.find("-----BEGIN CERTIFICATE REQUEST-----") == std::string::npos) {
    throw Refused(400, "upload your certificate request (a PEM CSR)", "no CSR");
  }
  const auto organization = x_.organizations.organization(account.organization);
  if (!organization || !email_in_domains(session.email, organization->domains))
    throw Refused(403, "your address is not in a domain of " + account.organization,
                  "address outside the organization's domains");
  for (const auto* name : {&r.first_name, &r.middle_name, &r.last_name})
    if (name->size() > 64) throw Refused(400, "a name has up to 64 characters", "long name");

  // The person becomes a user of the organization's realm (once; a known one keeps their
  // record), named by their address.
  const auto person = x_.organizations.person(organization->name, session.email);
  auto user = x_.identities.user(organization->resolver, session.email);
  if (!user) {
    db::UserRow row;
    row.resolver = organization->resolver;
    row.username = session.email;
    row.email = session.email;
    const auto first = !r.first_name.empty() ? r.first_name : person ? person->first_name : "";
    const auto middle = !r.middle_name.empty() ? r.middle_name : person ? person->middle_name : "";
    row.given_name = middle.empty() ? first : first + " " + middle;
    row.surname = !r.last_name.empty() ? r.last_name : person ? person->last_name : "";
    if (row.given_name.empty() && row.surname.empty())
      throw Refused(400, "give your first and last name", "no name");
    row.organization = organization->name;
    row.department = !account.department.empty() ? account.department
                     : person                    ? person->department
                                                 : "";
    x_.identities.add_user(row);  // a parallel enrollment may have made it: read it back
    user = x_.identities.user(organization->resolver, session.email);
    if (!user) throw std::runtime_error("the user for " + session.email + " was not stored");
  }

  tokens::EnrollmentRequest request;
  request.type = "certificate";
  request.owner_user = user->username;
  request.owner_resolver = user->resolver;
  request.owner_realm = organization->realm;
  request.description = "enrollment form " + form.name;
  request.label = user->username;
  request.note = {"enrollment form " + form.name, "account " + account.name};
  request.params = {{"ca", choice->ca}, {"profile", choice->profile}};
  try {
    if (server_key) {
      const auto names =
          x_.issuer.request_names_for(choice->ca, choice->profile, *user, organization->realm);
      boost::json::array subject;
      for (const auto& [field, value] : names.subject) subject.push_back({field, value});
      request.params["genkey"] = "1";
      request.params["key_type"] = key_type;
      request.params["subject"] = std::move(subject);
      request.params["san_email"] = boost::json::array(names.emails.begin(), names.emails.end());
      request.params["san_upn"] = boost::json::array(names.upns.begin(), names.upns.end());
      request.params["san_dns"] =
          boost::json::array(names.dns_names.begin(), names.dns_names.end());
      if (!names.ca_template.empty()) request.params["ca_template"] = names.ca_template;
    } else {
      request.params["request"] = r.csr;
    }
  } catch (const ca::IssueError& e) {
    throw Refused(400, e.what(), e.what());
  }
  request.complete = [&](const boost::json::object& made, db::TokenRow& row,
                         boost::json::object& detail) {
    ca::CertificateEnrollment::Request certificate;
    certificate.ca = choice->ca;
    certificate.profile = choice->profile;
    certificate.validity_days = days;
    certificate.owner = *user;
    certificate.realm = organization->realm;
    x_.certificates.complete(certificate, made, row, detail);
    // Which form, account and terms the certificate came with.
    auto info = boost::json::parse(row.info).as_object();
    info["enrollment_form"] = form.name;
    info["enrollment_account"] = account.name;
    info["eula_version"] = form.eula_version;
    row.info = boost::json::serialize(info);
    if (const auto* key = made.if_contains("private_key");
        key && key->is_string() && row.rollout_state != "denied") {
      const auto der = crypto::make_pkcs12(
          std::string(key->get_string()), std::string(detail.at("certificate").as_string()),
          x_.issuer.ca_certificate_pem(choice->ca), r.password, row.serial);
      detail["pkcs12"] =
          crypto::base64_encode(reinterpret_cast<const uint8_t*>(der.data()), der.size());
    }
  };
  try {
    auto result = x_.tokens.enroll(request);
    if (result.token.rollout_state == "denied") {
      const auto why = std::string(
          boost::json::parse(result.token.info).as_object().at("denial_reason").as_string());
      throw Refused(400, "the CA denied your request: " + why,
                    "CA denied; token " + result.token.serial + " denied: " + why);
    }
    if (result.token.rollout_state == "failed")
      throw Refused(502, "the CA could not issue your certificate now: try again later",
                    "CA failed; token " + result.token.serial + " failed");
    auto detail = result.detail;
    detail["serial"] = result.token.serial;
    detail["rollout_state"] = result.token.rollout_state;
    if (result.token.rollout_state == "pending")
      detail["message"] =
          "your request waits for an approval; you get an e-mail when the certificate is issued";
    return detail;
  } catch (const ca::IssueError& e) {
    throw Refused(400, e.what(), e.what());
  } catch (const tokens::EnrollmentError& e) {
    throw Refused(400, e.what(), e.what());
  } catch (const plugins::PluginCallError& e) {
    throw Refused(502, std::string("the CA did not issue: ") + e.what(), e.what());
  }
}

}  // namespace tessera::enrollment
