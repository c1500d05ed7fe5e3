// The server's REST API as tessera-card uses it: JSON over HTTPS with the caller's JWT; an error
// envelope becomes an ApiFailure with the server's message.
#pragma once

#include <stdexcept>
#include <string>

#include <boost/json/object.hpp>

namespace tessera::card {

class ApiFailure : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class TesseraApi {
 public:
  // url: the server's base URL; token: a JWT from /auth; cacert: a PEM file to trust for its TLS
  // ("" for the system's).
  TesseraApi(std::string url, std::string token, std::string cacert)
      : url_(std::move(url)), token_(std::move(token)), cacert_(std::move(cacert)) {}

  // The envelope's result.value and detail, as {"value", "detail"}.
  boost::json::object call(const std::string& method, const std::string& path,
                           const boost::json::object& body = {}) const;

 private:
  std::string url_, token_, cacert_;
};

}  // namespace tessera::card
