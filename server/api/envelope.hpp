// The eduMFA/privacyIDEA JSON envelope every API response uses:
// {"jsonrpc":"2.0","result":{"status":..,"value":..},"detail":..,"id":1,"version":..,"time":..}
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "server/http/http_message.hpp"

namespace tessera::api {

http::HttpResponse json_result(const boost::json::value& value,
                               const boost::json::object& detail = {}, int http_status = 200);
// /validate/*'s answer: "id": 2 and result.authentication (ACCEPT, REJECT or CHALLENGE).
http::HttpResponse validate_result(bool value, const char* authentication,
                                   const boost::json::object& detail);
http::HttpResponse json_error(int http_status, int code, const std::string& message);
// One page (from 1) of a list, as eduMFA pages tokens: {<name>: items, count (all pages),
// current, next, prev (null at either end)}.
boost::json::object page_value(const char* name, boost::json::array items, long long count,
                               int page, int page_size);

}  // namespace tessera::api
