// MS-XCEP (the Certificate Enrollment Policy web service, CEP): GetPolicies, whose answer lists
// the certificate templates the account may enroll for (each policy's attributes/commonName).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "soap.hpp"

namespace tessera::msca {

std::string xcep_get_policies(const std::string& to,
                              const std::optional<UsernameToken>& credentials);

// The templates' names, in the CA's order. Throws sdk::Error: invalid_argument for a refused
// login, unavailable for what is no GetPoliciesResponse (naming what came instead).
std::vector<std::string> xcep_templates(int status, const std::string& body);

}  // namespace tessera::msca
