#include "server/api/organization_api.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "server/api/api_error.hpp"
#include "server/api/envelope.hpp"
#include "server/api/params.hpp"
#include "server/api/stale_save.hpp"
#include "server/crypto/random.hpp"
#include "server/enrollment/persons.hpp"
#include "server/util/clock.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::api {
namespace {

// Persons in one CSV file, and the size of a field: a file of 10,000 persons is about 1 MB.
constexpr size_t kMaxImportRows = 100000;
constexpr size_t kMaxField = 1024;
constexpr size_t kMinSecretId = 8;

boost::json::object organization_json(const db::OrganizationRow& o) {
  return {{"realm", o.realm},
          {"resolver", o.resolver},
          {"departments", boost::json::array(o.departments.begin(), o.departments.end())},
          {"domains", boost::json::array(o.domains.begin(), o.domains.end())},
          {"version", o.version}};
}

boost::json::object person_json(const db::PersonRow& p) {
  return {{"organization", p.organization},
          {"email", p.email},
          {"department", p.department},
          {"first_name", p.first_name},
          {"middle_name", p.middle_name},
          {"last_name", p.last_name},
          {"common_name", p.common_name},
          {"validation_type", p.validation_type},
          {"secret_id", !p.secret_id_hash.empty()},
          {"created_at", p.created_at}};
}

std::string checked_domain(std::string domain) {
  for (auto& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string_view base =
      domain.starts_with("*.") ? std::string_view(domain).substr(2) : std::string_view(domain);
  if (!enrollment::is_domain_name(base, true))
    throw ApiError::bad_parameter("'" + domain +
                                  "' is not a domain (corp.example, or *.corp.example for its "
                                  "subdomains too)");
  return domain;
}

db::OrganizationRow organization_of(db::OrganizationRepository& organizations,
                                    const std::string& name) {
  auto row = organizations.organization(name);
  if (!row) throw ApiError::not_found("no organization named '" + name + "'");
  return *row;
}

// A secret ID as given: "generate" makes one (returned once), "" means none.
struct SecretId {
  std::string hash, shown;
};
SecretId secret_id_of(const std::string& given, const tokens::PinHasher& hasher) {
  if (given.empty()) return {};
  if (given == "generate") {
    auto id = crypto::random_password(20);
    return {hasher.hash(id), id};
  }
  if (given.size() < kMinSecretId || given.size() > 128)
    throw ApiError::bad_parameter("a secret ID has 8 to 128 characters (or 'generate')");
  return {hasher.hash(given), {}};
}

// The CSV's columns, by name in its header row.
const std::vector<std::string> kColumns{"email",           "first_name", "middle_name",
                                        "last_name",       "department", "common_name",
                                        "validation_type", "secret_id"};

struct Import {
  std::vector<db::PersonRow> persons;
  std::vector<std::string> shown_secret_ids;  // of each person, "" where none was generated
  boost::json::array errors;                  // {row, email, reason}
};

Import read_import(const std::string& csv, const db::OrganizationRow& organization,
                   db::OrganizationRepository& organizations, const tokens::PinHasher& hasher) {
  const auto table = enrollment::read_csv(csv, kMaxImportRows + 1, kMaxField);
  if (!table.error.empty()) throw ApiError::bad_parameter("the CSV file: " + table.error);
  if (table.rows.empty()) throw ApiError::bad_parameter("the CSV file is empty");
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < table.rows[0].size(); ++i) {
    const auto name = util::trim(table.rows[0][i]);
    if (std::find(kColumns.begin(), kColumns.end(), name) == kColumns.end())
      throw ApiError::bad_parameter("the CSV header names an unknown column '" + name +
                                    "' (known: " + util::join_comma_list(kColumns) + ")");
    if (!column.emplace(name, i).second)
      throw ApiError::bad_parameter("the CSV header names column '" + name + "' twice");
  }
  if (!column.count("email")) throw ApiError::bad_parameter("the CSV header has no 'email' column");
  const auto existing = organizations.existing_emails(organization.name);
  std::set<std::string> taken(existing.begin(), existing.end());
  Import result;
  const auto now = util::unix_seconds();
  for (size_t r = 1; r < table.rows.size(); ++r) {
    const auto& fields = table.rows[r];
    const auto field = [&](const char* name) {
      const auto it = column.find(name);
      return it != column.end() && it->second < fields.size() ? fields[it->second] : std::string();
    };
    db::PersonRow p;
    p.email = field("email");
    p.department = field("department");
    p.first_name = field("first_name");
    p.middle_name = field("middle_name");
    p.last_name = field("last_name");
    p.common_name = field("common_name");
    p.validation_type = field("validation_type");
    p.created_at = now;
    auto reason = fields.size() > table.rows[0].size()
                      ? std::string("more fields than the header names")
                      : enrollment::check_person(organization, p);
    SecretId secret;
    if (reason.empty()) {
      try {
        secret = secret_id_of(util::trim(field("secret_id")), hasher);
      } catch (const ApiError& e) {
        reason = e.what();
      }
    }
    if (reason.empty() && !taken.insert(p.email).second)
      reason = p.email + " is already a person of " + organization.name + " (or twice in the file)";
    if (!reason.empty()) {
      result.errors.push_back(
          {{"row", static_cast<int64_t>(r)}, {"email", p.email}, {"reason", reason}});
      continue;
    }
    p.secret_id_hash = secret.hash;
    result.persons.push_back(std::move(p));
    result.shown_secret_ids.push_back(secret.shown);
  }
  return result;
}

}  // namespace

void add_organization_routes(http::Router& router, db::OrganizationRepository& organizations,
                             db::IdentityRepository& identities,
                             const tokens::PinHasher& secret_ids, const AccessControl& access) {
  router.add(
      "GET", "/organization/",
      [&](http::RequestContext& c) {
        access.require_admin(c, "organizationread");
        boost::json::object value;
        for (const auto& o : organizations.organizations()) value[o.name] = organization_json(o);
        return json_result(value);
      },
      http::Access::authenticated);

  router.add(
      "POST", "/organization/<name>",
      [&](http::RequestContext& c) {
        const auto& name = c.path_params.at("name");
        check_identifier(name, "organization");
        db::OrganizationRow row;
        row.name = name;
        row.realm = required_param(c, "realm", 64);
        row.resolver = required_param(c, "resolver", 64);
        access.require_admin(c, "organizationwrite", row.realm);
        const auto realm = identities.realm(row.realm);
        if (!realm) throw ApiError::bad_parameter("no realm named '" + row.realm + "'");
        const auto resolver = identities.resolver(row.resolver);
        if (!resolver || resolver->type != "sql" ||
            std::find(realm->resolvers.begin(), realm->resolvers.end(), row.resolver) ==
                realm->resolvers.end())
          throw ApiError::bad_parameter("resolver '" + row.resolver +
                                        "' must be a built-in (sql) resolver of realm '" +
                                        row.realm + "': persons who enroll become its users");
        for (const auto& d : util::split_comma_list(string_param(c, "departments", 4096))) {
          if (d.size() > 64) throw ApiError::bad_parameter("a department has up to 64 characters");
          if (std::find(row.departments.begin(), row.departments.end(), d) == row.departments.end())
            row.departments.push_back(d);
        }
        for (const auto& d : util::split_comma_list(required_param(c, "domains", 8192))) {
          auto domain = checked_domain(d);
          if (std::find(row.domains.begin(), row.domains.end(), domain) == row.domains.end())
            row.domains.push_back(std::move(domain));
        }
        c.audit.realm = row.realm;
        refusing_stale([&] {
          organizations.save(row, version_param(c));
          return true;
        });
        return json_result(true);
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/organization/<name>",
      [&](http::RequestContext& c) {
        const auto organization = organization_of(organizations, c.path_params.at("name"));
        access.require_admin(c, "organizationdelete", organization.realm);
        const auto refused = organizations.remove(organization.name);
        if (!refused)
          throw ApiError::not_found("no organization named '" + organization.name + "'");
        if (!refused->empty()) throw ApiError::bad_parameter(*refused);
        return json_result(true);
      },
      http::Access::authenticated);

  router.add(
      "GET", "/person/",
      [&](http::RequestContext& c) {
        const auto organization =
            organization_of(organizations, required_param(c, "organization", 64));
        access.require_admin(c, "personread", organization.realm);
        const int page = int_param(c, "page", 1, 1, 1000000);
        const int page_size = int_param(c, "page_size", 50, 1, 500);
        const auto result = organizations.persons(organization.name, page, page_size);
        boost::json::array persons;
        for (const auto& p : result.persons) persons.push_back(person_json(p));
        return json_result(
            page_value("persons", std::move(persons), result.count, page, page_size));
      },
      http::Access::authenticated);

  router.add(
      "POST", "/person/",
      [&](http::RequestContext& c) {
        const auto organization =
            organization_of(organizations, required_param(c, "organization", 64));
        access.require_admin(c, "personwrite", organization.realm);
        db::PersonRow p;
        p.email = required_param(c, "email", 255);
        p.department = string_param(c, "department", 64);
        p.first_name = string_param(c, "first_name", kMaxField);
        p.middle_name = string_param(c, "middle_name", kMaxField);
        p.last_name = string_param(c, "last_name", kMaxField);
        p.common_name = string_param(c, "common_name", kMaxField);
        p.validation_type = string_param(c, "validation_type", 16);
        p.created_at = util::unix_seconds();
        c.audit.realm = organization.realm;
        if (auto reason = enrollment::check_person(organization, p); !reason.empty())
          throw ApiError::bad_parameter(reason);
        c.audit.info = p.email;
        const auto secret = secret_id_of(string_param(c, "secret_id", 128), secret_ids);
        p.secret_id_hash = secret.hash;
        if (!organizations.add_person(p))
          throw ApiError::bad_parameter(p.email + " is already a person of " + organization.name);
        auto value = person_json(p);
        if (!secret.shown.empty()) value["secret_id"] = secret.shown;  // shown this once
        return json_result(value);
      },
      http::Access::authenticated);

  router.add(
      "DELETE", "/person/<organization>/<email>",
      [&](http::RequestContext& c) {
        const auto organization = organization_of(organizations, c.path_params.at("organization"));
        access.require_admin(c, "persondelete", organization.realm);
        const auto& email = c.path_params.at("email");
        c.audit.info = email;
        if (!organizations.remove_person(organization.name, email))
          throw ApiError::not_found("no person " + email + " in organization " + organization.name);
        return json_result(true);
      },
      http::Access::authenticated);

  // A CSV file of persons: without commit=1 a preview (every row's problem); with it, all rows
  // are stored in one transaction, or none while any row has a problem.
  router.add(
      "POST", "/person/import",
      [&](http::RequestContext& c) {
        const auto organization =
            organization_of(organizations, required_param(c, "organization", 64));
        access.require_admin(c, "personwrite", organization.realm);
        c.audit.realm = organization.realm;
        const auto csv = required_param(c, "csv", 64 * 1024 * 1024);
        const bool commit = bool_param(c, "commit", false);
        auto import = read_import(csv, organization, organizations, secret_ids);
        const auto rows = static_cast<int64_t>(import.persons.size() + import.errors.size());
        c.audit.info = std::to_string(rows) + " rows, " + std::to_string(import.errors.size()) +
                       " with problems" + (commit ? "" : " (preview)");
        if (!commit || !import.errors.empty()) {
          boost::json::object value{{"rows", rows},
                                    {"valid", static_cast<int64_t>(import.persons.size())},
                                    {"errors", import.errors},
                                    {"imported", 0}};
          if (commit)
            throw ApiError::bad_parameter(
                std::to_string(import.errors.size()) +
                " row(s) have problems; nothing was imported (preview the file to see each)");
          return json_result(value);
        }
        if (!organizations.add_persons(import.persons))
          throw ApiError::bad_parameter(
              "a person of the file was added meanwhile; nothing was imported: preview again");
        boost::json::array secrets;
        for (size_t i = 0; i < import.persons.size(); ++i)
          if (!import.shown_secret_ids[i].empty())
            secrets.push_back(
                {{"email", import.persons[i].email}, {"secret_id", import.shown_secret_ids[i]}});
        return json_result(boost::json::object{{"rows", rows},
                                               {"valid", rows},
                                               {"errors", boost::json::array()},
                                               {"imported", rows},
                                               {"secret_ids", std::move(secrets)}});
      },
      http::Access::authenticated);
}

}  // namespace tessera::api
