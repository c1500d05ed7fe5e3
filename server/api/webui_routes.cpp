#include "server/api/webui_routes.hpp"

#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "server/api/api_error.hpp"

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
};

http::HttpResponse served(const File& file, bool immutable) {
  http::HttpResponse response;
  response.content_type = file.content_type;
  response.body = file.body;
  // Only our own scripts and styles; QR codes come as data: images. Never framed.
  response.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
      "frame-ancestors 'none'");
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
    (*files)[entry.path().lexically_relative(folder).generic_string()] = {
        content_type_of(entry.path()), body.str()};
  }
  router.add("GET", "/", [files, folder](http::RequestContext&) {
    auto it = files->find("index.html");
    if (it == files->end())
      throw ApiError::not_found("the WebUI is not built (no " + (folder / "index.html").string() +
                                "): ./run.sh builds it");
    return served(it->second, false);
  });
  // Assets have content hashes in their names: a name is looked up, never opened as a path.
  router.add("GET", "/assets/<file>", [files](http::RequestContext& c) {
    auto it = files->find("assets/" + c.path_params.at("file"));
    if (it == files->end()) throw ApiError::not_found("no such file");
    return served(it->second, true);
  });
}

}  // namespace tessera::api
