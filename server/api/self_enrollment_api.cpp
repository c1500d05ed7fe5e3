#include "server/api/self_enrollment_api.hpp"

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"

namespace tessera::api {
namespace {

// The person's message goes to the client, the reason to the audit log.
template <class Handler>
http::Handler refusals_answered(Handler handler) {
  return [handler](http::RequestContext& c) {
    try {
      return handler(c);
    } catch (const enrollment::Refused& e) {
      c.audit.info = e.reason();
      const int code = e.status() == 401   ? 4031
                       : e.status() == 403 ? 303
                       : e.status() == 404 ? error_code::not_found
                       : e.status() == 429 ? 4290
                       : e.status() == 502 ? error_code::ca_failed
                                           : error_code::parameter;
      throw ApiError(e.status(), code, e.what());
    }
  };
}

// The form and the session a request names; the audit row names the session's address.
std::pair<db::EnrollmentFormRow, db::EnrollmentSessionRow> authenticated(
    const enrollment::SelfEnrollment& forms, http::RequestContext& c) {
  auto form = forms.form(c.path_params.at("extension"));
  auto session = forms.session(form, required_param(c, "session", 128));
  c.audit.user = session.email;
  return {std::move(form), std::move(session)};
}

}  // namespace

void add_self_enrollment_routes(http::Router& router, const enrollment::SelfEnrollment& forms) {
  router.add(
      "GET", "/enroll/<extension>/form", refusals_answered([&forms](http::RequestContext& c) {
        const auto form = forms.form(c.path_params.at("extension"));
        return json_result(boost::json::object{
            {"name", form.name},
            {"auth_types", boost::json::array(form.auth_types.begin(), form.auth_types.end())},
            {"help_text", form.help_text},
            {"help_links", boost::json::array(form.help_links.begin(), form.help_links.end())},
            {"eula", form.eula},
            {"eula_version", form.eula_version}});
      }));

  router.add("POST", "/enroll/<extension>/link",
             refusals_answered([&forms](http::RequestContext& c) {
               const auto form = forms.form(c.path_params.at("extension"));
               const auto email = required_param(c, "email", 255);
               c.audit.user = email;
               c.audit.info = forms.request_link(form, email, c.request.remote_address);
               // The same answer whether or not the address may enroll here.
               return json_result(boost::json::object{
                   {"sent", true},
                   {"message",
                    "If this address may enroll here, a link is on its way to it. It works "
                    "once, within 60 minutes."}});
             }));

  router.add(
      "POST", "/enroll/<extension>/session", refusals_answered([&forms](http::RequestContext& c) {
        const auto form = forms.form(c.path_params.at("extension"));
        const auto& client = c.request.remote_address;
        const auto link = string_param(c, "link", 128);
        c.audit.user = string_param(c, "email", 255);
        const auto session =
            !link.empty() ? forms.open_with_link(form, link, client)
                          : forms.open_with_secret_id(form, required_param(c, "email", 255),
                                                      required_param(c, "secret_id", 128), client);
        c.audit.user = session.row.email;
        c.audit.info = !link.empty() ? "by link" : "by secret ID";
        boost::json::object value{{"session", session.token},
                                  {"email", session.row.email},
                                  {"organization", session.row.organization},
                                  {"expires_at", session.row.expires_at}};
        // A known person's names, for the form to offer (after authentication only).
        if (const auto p = forms.person(form, session.row.email))
          value["names"] = {{"first_name", p->first_name},
                            {"middle_name", p->middle_name},
                            {"last_name", p->last_name}};
        return json_result(value);
      }));

  router.add("POST", "/enroll/<extension>/accounts",
             refusals_answered([&forms](http::RequestContext& c) {
               const auto [form, session] = authenticated(forms, c);
               return json_result(forms.accounts(form, session, string_param(c, "access_code", 128),
                                                 c.request.remote_address));
             }));

  router.add("POST", "/enroll/<extension>/certificates",
             refusals_answered([&forms](http::RequestContext& c) {
               const auto [form, session] = authenticated(forms, c);
               return json_result(forms.certificates(form, session));
             }));

  router.add("POST", "/enroll/<extension>/revoke",
             refusals_answered([&forms](http::RequestContext& c) {
               const auto [form, session] = authenticated(forms, c);
               const auto serial = required_param(c, "serial", 64);
               const auto reason =
                   c.params.contains("reason") ? string_param(c, "reason", 32) : "unspecified";
               if (!ca::known_revocation_reason(reason))
                 throw ApiError::bad_parameter("reason '" + reason + "' is not one of RFC 5280's");
               c.audit.serial = serial;
               c.audit.token_type = "certificate";
               forms.revoke(form, session, serial, reason);
               return json_result(true);
             }));

  router.add("POST", "/enroll/<extension>/certificate",
             refusals_answered([&forms](http::RequestContext& c) {
               const auto [form, session] = authenticated(forms, c);
               enrollment::CertificateRequest r;
               r.account = required_param(c, "account", 64);
               r.access_code = string_param(c, "access_code", 128);
               r.profile = required_param(c, "profile", 130);
               r.validity_days = c.params.contains("validity_days")
                                     ? int_param(c, "validity_days", 0, 1, 3650)
                                     : 0;
               r.key_type = string_param(c, "key_type", 32);
               r.first_name = string_param(c, "first_name", 255);
               r.middle_name = string_param(c, "middle_name", 255);
               r.last_name = string_param(c, "last_name", 255);
               r.password = string_param(c, "password", 256);
               r.password_repeat = string_param(c, "password_repeat", 256);
               r.csr = string_param(c, "csr", 64 * 1024);
               r.eula_accepted = bool_param(c, "eula_accepted", false);
               r.eula_version = int_param(c, "eula_version", 0, 0, 1000000);
               auto detail = forms.enroll(form, session, r, c.request.remote_address);
               c.audit.serial = std::string(detail.at("serial").as_string());
               c.audit.token_type = "certificate";
               c.audit.info = "account " + r.account + ", profile " + r.profile;
               return json_result(true, detail);
             }));
}

}  // namespace tessera::api
