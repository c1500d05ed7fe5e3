#include "server/api/enrollment_form_api.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/stale_save.hpp"
#include "server/crypto/digest.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::api {
namespace {

constexpr size_t kMaxEula = 64 * 1024;
constexpr size_t kMinAccessCode = 8;

boost::json::object account_json(const db::EnrollmentAccountRow& a) {
  boost::json::array profiles;
  for (const auto& p : a.profiles) profiles.push_back({{"ca", p.ca}, {"profile", p.profile}});
  return {{"organization", a.organization},
          {"department", a.department},
          {"profiles", std::move(profiles)},
          {"csr_method", a.csr_method},
          {"allow_empty_password", a.allow_empty_password},
          {"authorization_method", a.authorization_method},
          {"access_code", !a.access_code_hash.empty()},
          {"version", a.version}};
}

boost::json::object form_json(const db::EnrollmentFormRow& f, db::EnrollmentFormRepository& forms) {
  boost::json::object accounts;
  for (const auto& a : forms.accounts(f.name)) accounts[a.name] = account_json(a);
  return {{"type", "client_certificate"},  // self-enrollment, the one kind of form so far
          {"extension", f.extension},
          {"url_path", "/enroll/" + f.extension},
          {"auth_types", boost::json::array(f.auth_types.begin(), f.auth_types.end())},
          {"notifier", f.notifier},
          {"help_text", f.help_text},
          {"help_links", boost::json::array(f.help_links.begin(), f.help_links.end())},
          {"eula", f.eula},
          {"eula_version", f.eula_version},
          {"enabled", f.enabled},
          {"accounts", std::move(accounts)},
          {"version", f.version}};
}

db::EnrollmentFormRow form_named(db::EnrollmentFormRepository& forms, const std::string& name) {
  auto form = forms.form(name);
  if (!form) throw ApiError::not_found("no enrollment form named '" + name + "'");
  return *form;
}

}  // namespace

std::string new_form_extension() {
  return crypto::random_token();
}

void add_enrollment_form_routes(http::Router& router, const EnrollmentFormApiContext& x) {
  router.add(
      "GET", "/enrollmentform/",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "enrollmentformread");
        boost::json::object value;
        for (const auto& f : x.forms.forms()) value[f.name] = form_json(f, x.forms);
        return json_result(value);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/enrollmentform/<name>",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "enrollmentformwrite");
        db::EnrollmentFormRow row;
        row.name = c.path_params.at("name");
        check_identifier(row.name, "enrollment form");
        for (const auto& type : util::split_comma_list(required_param(c, "auth_types", 64))) {
          if (type != "email" && type != "secret_id")
            throw ApiError::bad_parameter("auth_types are email and secret_id, not '" + type + "'");
          if (std::find(row.auth_types.begin(), row.auth_types.end(), type) == row.auth_types.end())
            row.auth_types.push_back(type);
        }
        row.notifier = string_param(c, "notifier", 64);
        const bool mails = std::find(row.auth_types.begin(), row.auth_types.end(), "email") !=
                           row.auth_types.end();
        if (mails && x.public_url.empty())
          throw ApiError::bad_parameter(
              "e-mail confirmation mails links to this server: set server.public_url first");
        if (mails) {
          const auto known = x.notifiers.list();
          if (std::none_of(known.begin(), known.end(), [&](const auto& n) {
                return n.name == row.notifier && n.type == "email";
              }))
            throw ApiError::bad_parameter(
                "e-mail confirmation needs an e-mail notification action to send the links "
                "(notifier; configure one with POST /notifier/<name> type=email)");
        }
        row.help_text = string_param(c, "help_text", 16 * 1024);
        for (const auto& link : util::split_comma_list(string_param(c, "help_links", 8192))) {
          if (!link.starts_with("https://") && !link.starts_with("http://"))
            throw ApiError::bad_parameter("a help link is an http(s) URL, not '" + link + "'");
          row.help_links.push_back(link);
        }
        row.eula = required_param(c, "eula", kMaxEula);
        row.enabled = bool_param(c, "enabled", true);
        row.extension = new_form_extension();  // for a new form; an update keeps its own
        refusing_stale([&] {
          x.forms.save(row, version_param(c));
          return true;
        });
        return json_result(form_json(*x.forms.form(row.name), x.forms));
      },
      http::Access::authenticated);

  // The certificates people asked for on the form (its tokens), newest serials last.
  router.add(
      "GET", "/enrollmentform/<name>/enrollments",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "enrollmentformread");
        x.access.require_admin(c, "tokenlist");
        const auto form = form_named(x.forms, c.path_params.at("name"));
        db::TokenFilter filter;
        filter.description = "enrollment form " + form.name;
        filter.type = "certificate";
        const int page = int_param(c, "page", 1, 1, 1000000);
        const int page_size = int_param(c, "page_size", 50, 1, 500);
        const auto result = x.tokens.list(filter, page, page_size);
        boost::json::array rows;
        for (const auto& t : result.tokens) {
          boost::json::object row{{"serial", t.serial},
                                  {"user", t.owner_user},
                                  {"realm", t.owner_realm},
                                  {"rollout_state", t.rollout_state},
                                  {"revoked", t.revoked}};
          boost::system::error_code ec;
          const auto info = boost::json::parse(t.info, ec);
          if (!ec && info.is_object())
            for (const char* key : {"enrollment_account", "profile", "eula_version", "not_after"})
              if (const auto* v = info.as_object().if_contains(key)) row[key] = *v;
          rows.push_back(std::move(row));
        }
        return json_result(
            page_value("enrollments", std::move(rows), result.count, page, page_size));
      },
      http::Access::authenticated);

  // A new URL for the form: the old one stops working at once.
  router.add(
      "POST", "/enrollmentform/<name>/regenerate",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "enrollmentformwrite");
        const auto form = form_named(x.forms, c.path_params.at("name"));
        const auto extension = new_form_extension();
        if (!x.forms.set_extension(form.name, extension))
          throw ApiError::not_found("no enrollment form named '" + form.name + "'");
        return json_result(
            boost::json::object{{"extension", extension}, {"url_path", "/enroll/" + extension}});
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/enrollmentform/<name>",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "enrollmentformdelete");
        if (!x.forms.remove(c.path_params.at("name")))
          throw ApiError::not_found("no enrollment form named '" + c.path_params.at("name") + "'");
        return json_result(true);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/enrollmentform/<name>/account/<account>",
      [x](http::RequestContext& c) {
        const auto form = form_named(x.forms, c.path_params.at("name"));
        db::EnrollmentAccountRow row;
        row.form = form.name;
        row.name = c.path_params.at("account");
        check_identifier(row.name, "account");
        row.organization = required_param(c, "organization", 64);
        const auto organization = x.organizations.organization(row.organization);
        // Accounts hand out certificates for the organization's realm: its admins decide.
        x.access.require_admin(c, "enrollmentformwrite", organization ? organization->realm : "");
        if (!organization)
          throw ApiError::bad_parameter("no organization named '" + row.organization + "'");
        row.department = string_param(c, "department", 64);
        if (!row.department.empty() &&
            std::find(organization->departments.begin(), organization->departments.end(),
                      row.department) == organization->departments.end())
          throw ApiError::bad_parameter("organization " + row.organization +
                                        " has no department '" + row.department + "'");
        for (const auto& item : util::split_comma_list(required_param(c, "profiles", 4096))) {
          const auto slash = item.find('/');
          if (slash == std::string::npos)
            throw ApiError::bad_parameter("profiles are named <ca>/<profile>, not '" + item + "'");
          db::ProfileChoice choice{item.substr(0, slash), item.substr(slash + 1)};
          if (!x.profiles.of(choice.ca).count(choice.profile))
            throw ApiError::bad_parameter("CA connector '" + choice.ca + "' has no profile '" +
                                          choice.profile + "'");
          row.profiles.push_back(std::move(choice));
        }
        row.csr_method = string_param(c, "csr_method", 16);
        if (row.csr_method.empty()) row.csr_method = "server";
        if (row.csr_method != "server" && row.csr_method != "client")
          throw ApiError::bad_parameter(
              "csr_method is server (a key made here, as a PKCS#12) "
              "or client (the person uploads a CSR)");
        row.allow_empty_password = bool_param(c, "allow_empty_password", false);
        row.authorization_method = string_param(c, "authorization_method", 16);
        if (row.authorization_method.empty()) row.authorization_method = "access_code";
        if (row.authorization_method != "access_code" && row.authorization_method != "none")
          throw ApiError::bad_parameter(
              "authorization_method is access_code (a code shared in the organization) or none "
              "(for persons who authenticate with their secret ID)");
        const auto code = string_param(c, "access_code", 128);
        const auto existing = x.forms.account(form.name, row.name);
        if (row.authorization_method == "access_code") {
          if (code.empty() && !(existing && !existing->access_code_hash.empty()))
            throw ApiError::bad_parameter("an access_code account needs its access_code");
          if (!code.empty() && code.size() < kMinAccessCode)
            throw ApiError::bad_parameter("an access code has at least 8 characters");
          if (!code.empty()) row.access_code_hash = x.access_codes.hash(code);
        }
        c.audit.realm = organization->realm;
        refusing_stale([&] {
          x.forms.save_account(row, version_param(c));
          return true;
        });
        return json_result(account_json(*x.forms.account(form.name, row.name)));
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/enrollmentform/<name>/account/<account>",
      [x](http::RequestContext& c) {
        x.access.require_admin(c, "enrollmentformwrite");
        if (!x.forms.remove_account(c.path_params.at("name"), c.path_params.at("account")))
          throw ApiError::not_found("no account '" + c.path_params.at("account") +
                                    "' in enrollment form '" + c.path_params.at("name") + "'");
        return json_result(true);
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
