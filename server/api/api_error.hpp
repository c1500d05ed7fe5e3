// Errors that handlers throw: each carries the HTTP status, the eduMFA-compatible error code and
// a message that tells the caller what to fix.
#pragma once

#include <stdexcept>
#include <string>

namespace tessera::api {

// Codes follow eduMFA's where one exists (see lib/error.py there).
namespace error_code {
constexpr int parameter = 905;  // ParameterError
constexpr int not_found = 601;  // ResourceNotFoundError
constexpr int method_not_allowed = 4050;
constexpr int body_too_large = 4130;
constexpr int unsupported_media_type = 4150;
constexpr int malformed_request = 4000;
constexpr int internal = -500;  // unhandled error, as eduMFA
constexpr int database = -600;  // database error, as eduMFA
constexpr int ca_failed = 503;  // CAError: a CA connector could not do what it was asked
}  // namespace error_code

class ApiError : public std::runtime_error {
 public:
  ApiError(int http_status, int code, const std::string& message)
      : std::runtime_error(message), http_status_(http_status), code_(code) {}

  static ApiError bad_parameter(const std::string& message) {
    return {400, error_code::parameter, message};
  }
  static ApiError not_found(const std::string& message) {
    return {404, error_code::not_found, message};
  }

  int http_status() const { return http_status_; }
  int code() const { return code_; }

 private:
  int http_status_;
  int code_;
};

}  // namespace tessera::api
