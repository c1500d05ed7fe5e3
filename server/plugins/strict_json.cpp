#include "server/plugins/strict_json.hpp"

#include <set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

namespace tessera::plugins {
namespace {

// Sees every key of every object once, before any value is built.
struct DuplicateKeyFinder {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  using ec = boost::system::error_code;
  using sv = boost::json::string_view;

  std::vector<std::set<std::string>> objects;
  std::string key;
  std::string duplicate;

  bool on_document_begin(ec&) { return true; }
  bool on_document_end(ec&) { return true; }
  bool on_object_begin(ec&) {
    objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, ec&) {
    objects.pop_back();
    return true;
  }
  bool on_array_begin(ec&) { return true; }
  bool on_array_end(std::size_t, ec&) { return true; }
  bool on_key_part(sv part, std::size_t, ec&) {
    key.append(part.data(), part.size());
    return true;
  }
  bool on_key(sv part, std::size_t, ec& e) {
    key.append(part.data(), part.size());
    if (!objects.back().insert(key).second) {
      duplicate = key;
      e = boost::json::error::syntax;  // stops the parser; the caller reports `duplicate`
      return false;
    }
    key.clear();
    return true;
  }
  bool on_string_part(sv, std::size_t, ec&) { return true; }
  bool on_string(sv, std::size_t, ec&) { return true; }
  bool on_number_part(sv, ec&) { return true; }
  bool on_int64(std::int64_t, sv, ec&) { return true; }
  bool on_uint64(std::uint64_t, sv, ec&) { return true; }
  bool on_double(double, sv, ec&) { return true; }
  bool on_bool(bool, ec&) { return true; }
  bool on_null(ec&) { return true; }
  bool on_comment_part(sv, ec&) { return true; }
  bool on_comment(sv, ec&) { return true; }
};

}  // namespace

std::optional<boost::json::object> parse_strict_object(std::string_view text, std::string* error) {
  boost::json::basic_parser<DuplicateKeyFinder> finder(boost::json::parse_options{});
  boost::system::error_code ec;
  finder.write_some(false, text.data(), text.size(), ec);
  if (!finder.handler().duplicate.empty()) {
    *error = "gives the key '" + finder.handler().duplicate + "' twice";
    return std::nullopt;
  }
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) {
    *error = "answered with something that is not a JSON object";
    return std::nullopt;
  }
  return std::move(value.as_object());
}

}  // namespace tessera::plugins
