// Persons of an organization as admins give them, one at a time or as CSV: the checks every
// person passes (address in a delegated domain, a known department, names of a sane length),
// and a bounded CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/organization_repository.hpp"

namespace tessera::enrollment {

// Letters, digits, '-' and '.' between labels, up to 253 characters; dotted: at least two labels.
bool is_domain_name(std::string_view name, bool dotted);

// Whether the address's domain is one of domains ("corp.example"; "*.corp.example" takes the
// subdomains of corp.example as well).
bool email_in_domains(std::string_view email, const std::vector<std::string>& domains);

// Normalises person (trims; lower-case address; a common name from the names when it has none;
// validation type "standard" when empty) and checks it against organization: "" when it may be
// stored, else why not.
std::string check_person(const db::OrganizationRow& organization, db::PersonRow& person);

struct CsvTable {
  std::vector<std::vector<std::string>> rows;  // the header row first
  std::string error;                           // set when the text is no CSV within the limits
};
// At most max_rows rows and max_field bytes per field; a malformed text (a quote not closed, text
// after a closing quote) is an error naming its line.
CsvTable read_csv(std::string_view text, size_t max_rows, size_t max_field);

}  // namespace tessera::enrollment
