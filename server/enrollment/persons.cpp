#include "server/enrollment/persons.hpp"

#include <algorithm>
#include <cctype>

namespace tessera::enrollment {
namespace {

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool valid_email(std::string_view email) {
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || email.size() - at - 1 > 253 ||
      email.find('@', at + 1) != std::string_view::npos)
    return false;
  for (size_t i = 0; i < at; ++i) {
    const auto c = static_cast<unsigned char>(email[i]);
    if (c <= ' ' || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == 0x7f)
      return false;
  }
  return is_domain_name(email.substr(at + 1), false);
}

}  // namespace

bool is_domain_name(std::string_view name, bool dotted) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.' ||
      name.find("..") != std::string_view::npos ||
      (dotted && name.find('.') == std::string_view::npos))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  });
}

bool email_in_domains(std::string_view email, const std::vector<std::string>& domains) {
  const auto at = email.rfind('@');
  if (at == std::string_view::npos) return false;
  const auto domain = lower(std::string(email.substr(at + 1)));
  for (const auto& allowed : domains) {
    if (allowed.starts_with("*.")) {
      const auto base = allowed.substr(2);
      if (domain == base || (domain.size() > base.size() && domain.ends_with("." + base)))
        return true;
    } else if (domain == allowed) {
      return true;
    }
  }
  return false;
}

std::string check_person(const db::OrganizationRow& organization, db::PersonRow& p) {
  p.organization = organization.name;
  p.email = lower(trimmed(p.email));
  for (auto* field : {&p.department, &p.first_name, &p.middle_name, &p.last_name, &p.common_name,
                      &p.validation_type})
    *field = trimmed(*field);
  if (!valid_email(p.email)) return "'" + p.email + "' is not an e-mail address";
  if (!email_in_domains(p.email, organization.domains))
    return p.email + " is not in a delegated domain of organization " + organization.name;
  if (!p.department.empty() &&
      std::find(organization.departments.begin(), organization.departments.end(), p.department) ==
          organization.departments.end())
    return "organization " + organization.name + " has no department '" + p.department + "'";
  for (const auto* name : {&p.first_name, &p.middle_name, &p.last_name})
    if (name->size() > 64) return "a name has more than 64 characters";
  if (p.first_name.empty() && p.last_name.empty()) return "a person needs a first or last name";
  if (p.common_name.empty()) {
    for (const auto* name : {&p.first_name, &p.middle_name, &p.last_name})
      if (!name->empty()) p.common_name += (p.common_name.empty() ? "" : " ") + *name;
  }
  if (p.common_name.size() > 255) return "the common name has more than 255 characters";
  if (p.validation_type.empty()) p.validation_type = "standard";
  p.validation_type = lower(p.validation_type);
  if (p.validation_type != "standard" && p.validation_type != "high")
    return "validation type '" + p.validation_type + "' is not standard or high";
  return {};
}

CsvTable read_csv(std::string_view text, size_t max_rows, size_t max_field) {
  CsvTable table;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, after_quote = false, field_started = false;
  size_t line = 1;
  const auto fail = [&](const std::string& why) {
    table.rows.clear();
    table.error = "line " + std::to_string(line) + ": " + why;
    return table;
  };
  const auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    after_quote = field_started = false;
  };
  const auto end_row = [&] {
    end_field();
    // A blank line is no row.
    if (!(row.size() == 1 && row.front().empty())) table.rows.push_back(std::move(row));
    row.clear();
  };
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a spreadsheet's BOM
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      ++line;
      if (table.rows.size() > max_rows)
        return fail("more than " + std::to_string(max_rows - 1) + " persons in one file");
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (after_quote) {
      return fail("text after a closing quote");
    } else {
      field += c;
      field_started = true;
    }
    if (field.size() > max_field)
      return fail("a field is longer than " + std::to_string(max_field) + " bytes");
  }
  if (quoted) return fail("a quoted field is not closed");
  if (field_started || !row.empty()) end_row();
  if (table.rows.size() > max_rows)
    return fail("more than " + std::to_string(max_rows - 1) + " persons in one file");
  return table;
}

}  // namespace tessera::enrollment
