#include "server/api/webui_routes.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "server/api/api_error.hpp"
#include "server/util/comma_list.hpp"

namespace tessera::api {
namespace {

std::string content_type_of(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> types{{".html", "text/html; charset=utf-8"},
                                                        {".js", "text/javascript; charset=utf-8"},
                                                        {".css", "text/css; charset=utf-8"},
                                                        {".svg", "image/svg+xml"},
                                                        {".png", "image/png"},
                                                        {".ico", "image/x-icon"},
                                                        {".woff2", "font/woff2"},
                                                        {".json", "application/json"}};
  auto it = types.find(file.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

struct File {
  std::string content_type;
  std::string body;
  std::string gzipped;  // empty when compressing does not pay
};

// gzip (RFC 1952) of a text file, done once at start; empty if it would not be smaller.
std::string gzip(const std::string& text, const std::string& content_type) {
  if (content_type.rfind("text/", 0) != 0 && content_type.find("json") == std::string::npos &&
      content_type.find("svg") == std::string::npos)
    return {};
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    return {};
  std::string out(deflateBound(&z, text.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const bool done = deflate(&z, Z_FINISH) == Z_STREAM_END;
  out.resize(z.total_out);
  deflateEnd(&z);
  return done && out.size() < text.size() ? out : std::string();
}

// Whether the request's Accept-Encoding takes gzip (and does not refuse it with q=0).
bool accepts_gzip(const http::HttpRequest& request) {
  std::string accepted(request.header("accept-encoding"));
  for (auto& c : accepted) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  accepted.erase(std::remove(accepted.begin(), accepted.end(), ' '), accepted.end());
  for (const auto& item : util::split_comma_list(accepted)) {
    if (item == "gzip") return true;
    if (item.rfind("gzip;", 0) != 0) continue;
    // Refused only by a weight of zero ("q=0", "q=0.000"); "q=0.5" takes it.
    const auto q = item.find("q=");
    return q == std::string::npos || item.find_first_not_of("0.", q + 2) != std::string::npos;
  }
  return false;
}

http::HttpResponse served(const File& file, bool immutable, const http::HttpRequest& request) {
  http::HttpResponse response;
  response.content_type = file.content_type;
  const bool compressed = !file.gzipped.empty() && accepts_gzip(request);
  response.body = compressed ? file.gzipped : file.body;
  if (compressed) response.headers.emplace_back("Content-Encoding", "gzip");
  response.headers.emplace_back("Vary", "Accept-Encoding");
  // Only our own scripts and styles; QR codes come as data: images. Never framed. Besides the
  // server, pages talk only to the smart card agent on the user's own computer (loopback).
  response.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
      "frame-ancestors 'none'; connect-src 'self' http://127.0.0.1:* http://localhost:*");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Cache-Control",
                                immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

}  // namespace

void add_webui_routes(http::Router& router, const std::filesystem::path& folder) {
  auto files = std::make_shared<std::map<std::string, File>>();
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder, ec)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream body;
    body << in.rdbuf();
    const auto type = content_type_of(entry.path());
    (*files)[entry.path().lexically_relative(folder).generic_string()] = {type, body.str(),
                                                                          gzip(body.str(), type)};
  }
  const auto page = [files, folder](http::RequestContext& c) {
    auto it = files->find("index.html");
    if (it == files->end())
      throw ApiError::not_found("the WebUI is not built (no " + (folder / "index.html").string() +
                                "): ./run.sh builds it");
    return served(it->second, false, c.request);
  };
  router.add("GET", "/", page);
  // An enrollment form's public page: the same application, which reads the path.
  router.add("GET", "/enroll/<extension>", page);
  // Assets have content hashes in their names: a name is looked up, never opened as a path.
  router.add("GET", "/assets/<file>", [files](http::RequestContext& c) {
    auto it = files->find("assets/" + c.path_params.at("file"));
    if (it == files->end()) throw ApiError::not_found("no such file");
    return served(it->second, true, c.request);
  });
}

}  // namespace tessera::api
