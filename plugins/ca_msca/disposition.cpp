#include "disposition.hpp"

namespace tessera::msca {

bool followable_request_id(const std::string& id) {
  return !id.empty() && id.size() <= kMaxRequestIdLength &&
         id.find_first_not_of(
             "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.{}") ==
             std::string::npos;
}

}  // namespace tessera::msca
