#include "db/enrollment_form_repository.hpp"

#include <soci/soci.h>

#include "db/json_column.hpp"
#include "db/row_version.hpp"

namespace tessera::db {
namespace {

constexpr const char* kFormColumns =
    "SELECT name, extension, auth_types, notifier, help_text, help_links, eula, eula_version, "
    "enabled, version FROM enrollment_form";
constexpr const char* kAccountColumns =
    "SELECT form, name, organization, department, profiles, csr_method, allow_empty_password, "
    "authorization_method, access_code_hash, version FROM enrollment_account";

EnrollmentFormRow form_of(const soci::row& r) {
  EnrollmentFormRow f;
  f.name = r.get<std::string>(0);
  f.extension = r.get<std::string>(1);
  f.auth_types = from_json_column(r.get<std::string>(2));
  f.notifier = r.get<std::string>(3);
  f.help_text = r.get<std::string>(4);
  f.help_links = from_json_column(r.get<std::string>(5));
  f.eula = r.get<std::string>(6);
  f.eula_version = r.get<int>(7);
  f.enabled = r.get<int>(8) != 0;
  f.version = r.get<long long>(9);
  return f;
}

std::string profiles_column(const std::vector<ProfileChoice>& profiles) {
  boost::json::array items;
  for (const auto& p : profiles) items.push_back({{"ca", p.ca}, {"profile", p.profile}});
  return boost::json::serialize(items);
}

std::vector<ProfileChoice> profiles_of(const std::string& text) {
  std::vector<ProfileChoice> profiles;
  boost::system::error_code ec;
  const auto value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) return profiles;
  for (const auto& item : value.get_array()) {
    const auto* o = item.if_object();
    if (!o || !o->contains("ca") || !o->contains("profile")) continue;
    profiles.push_back(
        {std::string(o->at("ca").as_string()), std::string(o->at("profile").as_string())});
  }
  return profiles;
}

EnrollmentAccountRow account_of(const soci::row& r) {
  EnrollmentAccountRow a;
  a.form = r.get<std::string>(0);
  a.name = r.get<std::string>(1);
  a.organization = r.get<std::string>(2);
  a.department = r.get<std::string>(3);
  a.profiles = profiles_of(r.get<std::string>(4));
  a.csr_method = r.get<std::string>(5);
  a.allow_empty_password = r.get<int>(6) != 0;
  a.authorization_method = r.get<std::string>(7);
  a.access_code_hash = r.get<std::string>(8);
  a.version = r.get<long long>(9);
  return a;
}

}  // namespace

std::vector<EnrollmentFormRow> EnrollmentFormRepository::forms() {
  return database_.with_session([&](soci::session& sql) {
    std::vector<EnrollmentFormRow> rows;
    soci::rowset<soci::row> rs = (sql.prepare << kFormColumns << " ORDER BY name");
    for (const auto& r : rs) rows.push_back(form_of(r));
    return rows;
  });
}

std::optional<EnrollmentFormRow> EnrollmentFormRepository::form(const std::string& name) {
  return database_.with_session([&](soci::session& sql) -> std::optional<EnrollmentFormRow> {
    soci::rowset<soci::row> rs =
        (sql.prepare << kFormColumns << " WHERE name = :n", soci::use(name));
    for (const auto& r : rs) return form_of(r);
    return std::nullopt;
  });
}

std::optional<EnrollmentFormRow> EnrollmentFormRepository::form_at(const std::string& extension) {
  return database_.with_session([&](soci::session& sql) -> std::optional<EnrollmentFormRow> {
    soci::rowset<soci::row> rs =
        (sql.prepare << kFormColumns << " WHERE extension = :e", soci::use(extension));
    for (const auto& r : rs) return form_of(r);
    return std::nullopt;
  });
}

void EnrollmentFormRepository::save(const EnrollmentFormRow& row,
                                    std::optional<long long> expected_version) {
  const auto auth_types = to_json_column(row.auth_types);
  const auto help_links = to_json_column(row.help_links);
  const int enabled = row.enabled ? 1 : 0;
  database_.in_transaction([&](soci::session& sql) {
    sql << "INSERT INTO enrollment_form (name, extension, auth_types, notifier, help_text, "
           "help_links, eula, eula_version, enabled) VALUES (:n, :x, :a, :o, :h, :l, :e, 1, :b) "
           "ON CONFLICT (name) DO UPDATE SET auth_types = :a, notifier = :o, help_text = :h, "
           "help_links = :l, eula_version = CASE WHEN enrollment_form.eula = :e THEN "
           "enrollment_form.eula_version ELSE enrollment_form.eula_version + 1 END, eula = :e, "
           "enabled = :b, version = enrollment_form.version + 1",
        soci::use(row.name, "n"), soci::use(row.extension, "x"), soci::use(auth_types, "a"),
        soci::use(row.notifier, "o"), soci::use(row.help_text, "h"), soci::use(help_links, "l"),
        soci::use(row.eula, "e"), soci::use(enabled, "b");
    long long version = 0;
    sql << "SELECT version FROM enrollment_form WHERE name = :n", soci::use(row.name),
        soci::into(version);
    require_version(version, expected_version, "enrollment form '" + row.name + "'");
  });
}

bool EnrollmentFormRepository::set_extension(const std::string& name,
                                             const std::string& extension) {
  return database_.write([&](soci::session& sql) {
    soci::statement st = (sql.prepare << "UPDATE enrollment_form SET extension = :x, version = "
                                         "version + 1 WHERE name = :n",
                          soci::use(extension), soci::use(name));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

bool EnrollmentFormRepository::remove(const std::string& name) {
  return database_.in_transaction([&](soci::session& sql) {
    sql << "DELETE FROM enrollment_account WHERE form = :n", soci::use(name);
    soci::statement st =
        (sql.prepare << "DELETE FROM enrollment_form WHERE name = :n", soci::use(name));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

std::vector<EnrollmentAccountRow> EnrollmentFormRepository::accounts(const std::string& form) {
  return database_.with_session([&](soci::session& sql) {
    std::vector<EnrollmentAccountRow> rows;
    soci::rowset<soci::row> rs =
        (sql.prepare << kAccountColumns << " WHERE form = :f ORDER BY name", soci::use(form));
    for (const auto& r : rs) rows.push_back(account_of(r));
    return rows;
  });
}

std::optional<EnrollmentAccountRow> EnrollmentFormRepository::account(const std::string& form,
                                                                      const std::string& name) {
  return database_.with_session([&](soci::session& sql) -> std::optional<EnrollmentAccountRow> {
    soci::rowset<soci::row> rs =
        (sql.prepare << kAccountColumns << " WHERE form = :f AND name = :n", soci::use(form),
         soci::use(name));
    for (const auto& r : rs) return account_of(r);
    return std::nullopt;
  });
}

void EnrollmentFormRepository::save_account(const EnrollmentAccountRow& row,
                                            std::optional<long long> expected_version) {
  const auto profiles = profiles_column(row.profiles);
  const int allow_empty = row.allow_empty_password ? 1 : 0;
  database_.in_transaction([&](soci::session& sql) {
    sql << "INSERT INTO enrollment_account (form, name, organization, department, profiles, "
           "csr_method, allow_empty_password, authorization_method, access_code_hash) VALUES "
           "(:f, :n, :o, :d, :p, :c, :e, :m, :h) ON CONFLICT (form, name) DO UPDATE SET "
           "organization = :o, department = :d, profiles = :p, csr_method = :c, "
           "allow_empty_password = :e, authorization_method = :m, access_code_hash = CASE WHEN "
           ":h = '' THEN enrollment_account.access_code_hash ELSE :h END, version = "
           "enrollment_account.version + 1",
        soci::use(row.form, "f"), soci::use(row.name, "n"), soci::use(row.organization, "o"),
        soci::use(row.department, "d"), soci::use(profiles, "p"), soci::use(row.csr_method, "c"),
        soci::use(allow_empty, "e"), soci::use(row.authorization_method, "m"),
        soci::use(row.access_code_hash, "h");
    long long version = 0;
    sql << "SELECT version FROM enrollment_account WHERE form = :f AND name = :n",
        soci::use(row.form), soci::use(row.name), soci::into(version);
    require_version(version, expected_version,
                    "account '" + row.name + "' of form '" + row.form + "'");
  });
}

bool EnrollmentFormRepository::remove_account(const std::string& form, const std::string& name) {
  return database_.write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "DELETE FROM enrollment_account WHERE form = :f AND name = :n",
         soci::use(form), soci::use(name));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

}  // namespace tessera::db
