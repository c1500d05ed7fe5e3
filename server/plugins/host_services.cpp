// C entry points of the host API. None may throw: each catches everything and answers with a
// status, the mirror image of the SDK's barrier on the plugin side.
#include "server/plugins/host_services.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "db/sealed_bindings.hpp"
#include "server/crypto/random.hpp"
#include "server/plugins/answer_limits.hpp"
#include "server/plugins/http_client.hpp"
#include "server/plugins/plugin_calls.hpp"
#include "server/radius/radius_servers.hpp"

namespace tessera::plugins {
namespace {

std::string_view view(tessera_str s) {
  return {s.data ? s.data : "", s.size};
}

HostContext& context(void* host_context) {
  return *static_cast<HostContext*>(host_context);
}

// Binds a ciphertext to its row, so that a secret copied to another key does not decrypt.
std::string associated_data(const db::StoreKey& key) {
  return db::binding::plugin_value(key.plugin_id, key.object_id, key.key);
}

constexpr size_t kMaxStoreKey = 255;

void log(void* host_context, tessera_log_level level, tessera_str message) {
  try {
    const auto& id = context(host_context).plugin_id;
    const auto text = limits::cut(view(message), limits::kLogLine);
    switch (level) {
      case TESSERA_LOG_DEBUG:
        spdlog::debug("[{}] {}", id, text);
        break;
      case TESSERA_LOG_INFO:
        spdlog::info("[{}] {}", id, text);
        break;
      case TESSERA_LOG_WARNING:
        spdlog::warn("[{}] {}", id, text);
        break;
      default:
        spdlog::error("[{}] {}", id, text);
    }
  } catch (...) {
  }
}

tessera_status random_bytes(void*, uint8_t* out, size_t size) {
  try {
    crypto::random_fill(out, size);
    return TESSERA_OK;
  } catch (...) {
    return TESSERA_ERR_UNAVAILABLE;
  }
}

int64_t now_unix_ms(void*) {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

template <class Fn>
tessera_status with_store(void* host_context, tessera_str object, tessera_str key, Fn&& fn) {
  try {
    auto& ctx = context(host_context);
    if (!ctx.services || !ctx.services->store || !ctx.services->secrets)
      return TESSERA_ERR_UNAVAILABLE;
    if (object.size == 0 || object.size > kMaxStoreKey || key.size == 0 || key.size > kMaxStoreKey)
      return TESSERA_ERR_INVALID_ARGUMENT;
    return fn(ctx, db::StoreKey{ctx.plugin_id, std::string(view(object)), std::string(view(key))});
  } catch (const std::exception& e) {
    spdlog::error("plugin store failed: {}", e.what());
    return TESSERA_ERR_UNAVAILABLE;
  }
}

tessera_status store_get(void* host_context, tessera_str object, tessera_str key,
                         const tessera_sink* value_out) {
  return with_store(host_context, object, key, [&](HostContext& ctx, const db::StoreKey& k) {
    auto stored = ctx.services->store->get(k);
    if (!stored) return TESSERA_ERR_NOT_FOUND;
    std::string value = stored->encrypted
                            ? ctx.services->secrets->open(stored->value, associated_data(k))
                            : std::move(stored->value);
    if (value_out && value_out->write)
      value_out->write(value_out->context, value.data(), value.size());
    OPENSSL_cleanse(value.data(), value.size());
    return TESSERA_OK;
  });
}

// A value over the size cap, or a new key past the plugin's key count, is refused (and logged:
// the plugin may not say so itself).
tessera_status over_limits(HostContext& ctx, const db::StoreKey& k, tessera_str value) {
  if (value.size > limits::kStoreValue) {
    spdlog::warn("[{}] refused to store {} bytes under '{}': a value may have {} bytes",
                 ctx.plugin_id, value.size, k.key, limits::kStoreValue);
    return TESSERA_ERR_INVALID_ARGUMENT;
  }
  if (!ctx.services->store->get(k) &&
      ctx.services->store->count(ctx.plugin_id) >= ctx.services->store_max_keys) {
    spdlog::warn(
        "[{}] refused to store a new key '{}': the plugin has its {} keys "
        "(plugins.store_max_keys)",
        ctx.plugin_id, k.key, ctx.services->store_max_keys);
    return TESSERA_ERR_INVALID_ARGUMENT;
  }
  return TESSERA_OK;
}

tessera_status store_set(void* host_context, tessera_str object, tessera_str key, tessera_str value,
                         int secret) {
  return with_store(host_context, object, key, [&](HostContext& ctx, const db::StoreKey& k) {
    if (auto refused = over_limits(ctx, k, value); refused != TESSERA_OK) return refused;
    db::StoredValue stored{secret ? ctx.services->secrets->seal(view(value), associated_data(k))
                                  : std::string(view(value)),
                           secret != 0};
    ctx.services->store->put(k, stored);
    return TESSERA_OK;
  });
}

tessera_status store_add(void* host_context, tessera_str object, tessera_str key, tessera_str value,
                         int secret, int* added) {
  if (!added) return TESSERA_ERR_INVALID_ARGUMENT;
  *added = 0;
  return with_store(host_context, object, key, [&](HostContext& ctx, const db::StoreKey& k) {
    if (auto refused = over_limits(ctx, k, value); refused != TESSERA_OK) return refused;
    db::StoredValue stored{secret ? ctx.services->secrets->seal(view(value), associated_data(k))
                                  : std::string(view(value)),
                           secret != 0};
    *added = ctx.services->store->add(k, stored) ? 1 : 0;
    return TESSERA_OK;
  });
}

tessera_status store_delete(void* host_context, tessera_str object, tessera_str key) {
  return with_store(host_context, object, key, [&](HostContext& ctx, const db::StoreKey& k) {
    return ctx.services->store->remove(k) ? TESSERA_OK : TESSERA_ERR_NOT_FOUND;
  });
}

tessera_status http_exchange(void* host_context, const tessera_http_request* request,
                             int32_t* status_code, const tessera_sink* headers_out,
                             const tessera_sink* body_out, const tessera_sink* error_out) {
  auto fail = [&](std::string_view why) {
    if (error_out && error_out->write) error_out->write(error_out->context, why.data(), why.size());
  };
  try {
    // A plugin built before 1.5 sends the request without trusted_ca_pem.
    if (!request || request->struct_size < offsetof(tessera_http_request, trusted_ca_pem) ||
        !status_code) {
      fail("malformed request");
      return TESSERA_ERR_INVALID_ARGUMENT;
    }
    auto& ctx = context(host_context);
    OutboundRequest out;
    out.method = std::string(view(request->method));
    if (out.method.empty()) out.method = "GET";
    out.url = std::string(view(request->url));
    out.headers = std::string(view(request->headers));
    out.body = std::string(view(request->body));
    if (request->struct_size >=
        offsetof(tessera_http_request, trusted_ca_pem) + sizeof(tessera_str))
      out.trusted_ca_pem = std::string(view(request->trusted_ca_pem));
    if (request->struct_size >=
        offsetof(tessera_http_request, client_key_pem) + sizeof(tessera_str)) {
      out.auth = request->auth;
      out.username = std::string(view(request->username));
      out.password = std::string(view(request->password));
      out.keytab = std::string(view(request->keytab));
      out.client_certificate_pem = std::string(view(request->client_certificate_pem));
      out.client_key_pem = std::string(view(request->client_key_pem));
    }
    // Capped, so that a plugin cannot hold a worker (and a graceful shutdown) for long.
    constexpr uint32_t kMaxTimeoutMs = 60000;
    if (request->timeout_ms)
      out.timeout = std::chrono::milliseconds(std::min(request->timeout_ms, kMaxTimeoutMs));
    if (ctx.services) {
      out.allowed_networks = ctx.services->http_allowed_networks;
      out.proxy = ctx.services->http_proxy;
    }
    auto response =
        perform_http(out, ctx.services ? ctx.services->max_http_response_bytes : 1 << 20);
    if (!response.ok) {
      if (!response.refused_address.empty())
        spdlog::warn("[{}] refused an outbound request to {}: {}", ctx.plugin_id,
                     limits::cut(out.url, 256), response.error);
      fail(response.error);
      return response.login_refused ? TESSERA_ERR_INVALID_ARGUMENT : TESSERA_ERR_UNAVAILABLE;
    }
    *status_code = static_cast<int32_t>(response.status);
    if (headers_out && headers_out->write)
      headers_out->write(headers_out->context, response.headers.data(), response.headers.size());
    if (body_out && body_out->write)
      body_out->write(body_out->context, response.body.data(), response.body.size());
    return TESSERA_OK;
  } catch (const std::exception& e) {
    fail(e.what());
    return TESSERA_ERR_INTERNAL;
  }
}

tessera_status http_request(void* host_context, const tessera_http_request* request,
                            int32_t* status_code, const tessera_sink* body_out,
                            const tessera_sink* error_out) {
  return http_exchange(host_context, request, status_code, nullptr, body_out, error_out);
}

tessera_status radius_request(void* host_context, const tessera_radius_request* request,
                              int32_t* code, const tessera_sink* message_out,
                              const tessera_sink* state_out, const tessera_sink* error_out) {
  auto write = [](const tessera_sink* sink, std::string_view text) {
    if (sink && sink->write) sink->write(sink->context, text.data(), text.size());
  };
  try {
    if (!request || request->struct_size < sizeof(tessera_radius_request) || !code) {
      write(error_out, "malformed request");
      return TESSERA_ERR_INVALID_ARGUMENT;
    }
    auto& ctx = context(host_context);
    if (!ctx.services || !ctx.services->radius_servers) {
      write(error_out, "this server sends no RADIUS requests");
      return TESSERA_ERR_UNAVAILABLE;
    }
    // The tries end before the token check's deadline: a remote that does not answer must not
    // leave plugin threads waiting after their callers gave up.
    const auto deadline = ctx.services->calls ? ctx.services->calls->deadlines().token_type
                                              : std::chrono::milliseconds(5000);
    const auto reply = ctx.services->radius_servers->send(
        std::string(view(request->server)),
        {std::string(view(request->user)), std::string(view(request->password)),
         std::string(view(request->state)), "tessera"},
        std::max(std::chrono::milliseconds(500), deadline - std::chrono::milliseconds(500)));
    *code = static_cast<int32_t>(reply.code);
    write(message_out, limits::cut(reply.reply_message, 4096));
    write(state_out, reply.state);
    return TESSERA_OK;
  } catch (const radius::UnknownServer& e) {
    write(error_out, e.what());
    return TESSERA_ERR_NOT_FOUND;
  } catch (const std::invalid_argument& e) {
    write(error_out, e.what());
    return TESSERA_ERR_INVALID_ARGUMENT;
  } catch (const std::exception& e) {
    // Unreachable, the database, a secret that does not open: the check cannot be made.
    spdlog::warn("[{}] RADIUS request failed: {}", context(host_context).plugin_id, e.what());
    write(error_out, e.what());
    return TESSERA_ERR_UNAVAILABLE;
  }
}

const tessera_host_api_v1 kHostApi{sizeof(tessera_host_api_v1),
                                   &log,
                                   &random_bytes,
                                   &now_unix_ms,
                                   &store_get,
                                   &store_set,
                                   &store_delete,
                                   &http_request,
                                   &http_exchange,
                                   &store_add,
                                   TESSERA_ABI_VERSION_MINOR,
                                   &radius_request};

}  // namespace

const tessera_host_api_v1* host_api() {
  return &kHostApi;
}

}  // namespace tessera::plugins
