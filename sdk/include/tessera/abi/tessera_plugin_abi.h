/* The binary contract between the Tessera server and its plugins: pure C, stdint/stddef only.
 *
 * Compatibility policy:
 *  - TESSERA_ABI_VERSION_MAJOR changes only for a breaking change; the host refuses a plugin
 *    whose major differs from its own.
 *  - TESSERA_ABI_VERSION_MINOR grows append-only: new fields at the end of a struct, new
 *    (nullable) function pointers at the end of a table, new enum values. The host refuses a
 *    plugin built against a newer minor than its own, and reads a field only if the struct's
 *    struct_size covers it.
 *
 * Arrays (components, params) are strided by their first element's struct_size, and all
 * elements of one array have the same struct_size, so a host reads an older plugin's smaller
 * structs correctly.
 *
 * Ownership: every tessera_str is a view owned by the caller and valid for the duration of the
 * call only. Results travel through a tessera_sink that the caller owns, so neither side ever
 * frees memory allocated by the other. Structured values (requests, results, configuration)
 * cross as UTF-8 JSON text; certificates and keys as PEM inside that JSON.
 *
 * Threading: host API functions may be called from any thread, also from threads the plugin
 * started itself, until its shutdown returns. Component functions are called on the host's
 * plugin threads, possibly concurrently for one instance. Each call has a deadline (set by the
 * admin per kind of component); the host answers a call that passes it as failed and does not
 * wait for it, so a late answer is thrown away: keep calls short and make peers time out.
 * create has a deadline too; an instance made after it is destroyed at once. */
#ifndef TESSERA_PLUGIN_ABI_H
#define TESSERA_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TESSERA_ABI_VERSION_MAJOR 1
#define TESSERA_ABI_VERSION_MINOR 7

/* The one symbol a plugin exports. The major version is part of the name so that a future host
 * can still find (and refuse with a clear message) a plugin built for an older major. */
#define TESSERA_PLUGIN_ENTRY_SYMBOL "tessera_plugin_entry_v1"

typedef struct tessera_str {
  const char* data; /* not NUL-terminated; may be NULL when size is 0 */
  size_t size;
} tessera_str;

/* A write-only output channel owned by the caller; write may be called several times and
 * appends. write must not throw or longjmp: an owner that cannot keep the data (too much, no
 * memory) records that and treats the call as failed. */
typedef struct tessera_sink {
  void* context;
  void (*write)(void* context, const char* data, size_t size);
} tessera_sink;

/* Zero means success; any other value fails closed. */
typedef enum tessera_status {
  TESSERA_OK = 0,
  TESSERA_ERR_INVALID_ARGUMENT =
      1, /* the request or configuration is wrong: the message says why */
  TESSERA_ERR_NOT_FOUND = 2,
  TESSERA_ERR_UNAVAILABLE = 3, /* a peer (database, CA, mail server) could not be reached */
  TESSERA_ERR_INTERNAL = 4     /* a bug or an unexpected exception inside the callee */
} tessera_status;

typedef enum tessera_log_level {
  TESSERA_LOG_DEBUG = 0,
  TESSERA_LOG_INFO = 1,
  TESSERA_LOG_WARNING = 2,
  TESSERA_LOG_ERROR = 3
} tessera_log_level;

/* One outbound HTTP(S) request made by the host on the plugin's behalf. */
typedef struct tessera_http_request {
  uint32_t struct_size;
  tessera_str method;  /* "GET", "POST", ... */
  tessera_str url;     /* http:// or https:// only */
  tessera_str headers; /* "Name: value" lines separated by "\r\n" */
  tessera_str body;
  uint32_t timeout_ms; /* 0 means the host's default */
  /* Since 1.5: PEM CA certificates to trust for this https request instead of the system's
   * (a private CA's server); empty: the system's. */
  tessera_str trusted_ca_pem;
  /* Since 1.6 (read by a host whose abi_minor is 6 or later): the login the host performs.
   * auth is a tessera_http_auth. BASIC and NTLM take username and password; NEGOTIATE
   * (Kerberos through GSS-API) takes the principal as username and its password, or a keytab
   * path instead. A TLS client certificate (PEM, with its key) may come with any of them. */
  uint32_t auth;
  tessera_str username;
  tessera_str password;
  tessera_str keytab;
  tessera_str client_certificate_pem;
  tessera_str client_key_pem;
} tessera_http_request;

typedef enum tessera_http_auth {
  TESSERA_HTTP_AUTH_NONE = 0,
  TESSERA_HTTP_AUTH_BASIC = 1,
  TESSERA_HTTP_AUTH_NEGOTIATE = 2,
  TESSERA_HTTP_AUTH_NTLM = 3
} tessera_http_auth;

/* Since 1.7: one RADIUS Access-Request (RFC 2865) that the host sends to a RADIUS server that an
 * admin defined (POST /radiusserver/<name>), with that server's shared secret, which the plugin
 * never sees. The host signs it with Message-Authenticator and refuses a reply without a valid
 * one (BlastRADIUS). */
typedef struct tessera_radius_request {
  uint32_t struct_size;
  tessera_str server;   /* the definition's name */
  tessera_str user;     /* User-Name */
  tessera_str password; /* User-Password, at most 128 bytes */
  tessera_str state;    /* State of the Access-Challenge this answers, or empty */
} tessera_radius_request;

/* Services the host offers to a plugin. host_context identifies the calling plugin: the host
 * uses it to prefix log lines and to keep each plugin's stored values apart. */
typedef struct tessera_host_api_v1 {
  uint32_t struct_size;
  void (*log)(void* host_context, tessera_log_level level, tessera_str message);
  /* Cryptographically secure random bytes. */
  tessera_status (*random_bytes)(void* host_context, uint8_t* out, size_t size);
  /* Wall-clock time in milliseconds since the Unix epoch. */
  int64_t (*now_unix_ms)(void* host_context);
  /* A key/value store per (plugin, object). object names what the values belong to, e.g. a
   * token serial or a CA connector instance. Values stored with secret != 0 are encrypted at
   * rest. store_get returns TESSERA_ERR_NOT_FOUND for a missing key. */
  tessera_status (*store_get)(void* host_context, tessera_str object, tessera_str key,
                              const tessera_sink* value_out);
  tessera_status (*store_set)(void* host_context, tessera_str object, tessera_str key,
                              tessera_str value, int secret);
  tessera_status (*store_delete)(void* host_context, tessera_str object, tessera_str key);
  /* Outbound HTTP(S). On TESSERA_OK, *status_code holds the HTTP status and the body was
   * written to body_out; otherwise error_out says why no response arrived. */
  tessera_status (*http_request)(void* host_context, const tessera_http_request* request,
                                 int32_t* status_code, const tessera_sink* body_out,
                                 const tessera_sink* error_out);
  /* Since 1.5: as http_request, and the response's header lines ("Name: value", each ended by
   * "\r\n", of the final response only) are written to headers_out. */
  tessera_status (*http_exchange)(void* host_context, const tessera_http_request* request,
                                  int32_t* status_code, const tessera_sink* headers_out,
                                  const tessera_sink* body_out, const tessera_sink* error_out);
  /* Since 1.5: as store_set, but only while the key has no value (insert if absent, atomic
   * across every server process on the database): *added is 1 when this call stored it, 0
   * when a value was there already (it is left as it is). */
  tessera_status (*store_add)(void* host_context, tessera_str object, tessera_str key,
                              tessera_str value, int secret, int* added);
  /* Since 1.6: the host's ABI minor, so that a plugin knows which request fields it reads. */
  uint32_t abi_minor;
  /* Since 1.7: sends request and waits for the reply within the server's timeout and retries.
   * On TESSERA_OK, *code is the reply's RADIUS code (2 Access-Accept, 3 Access-Reject,
   * 11 Access-Challenge), its Reply-Message was written to message_out and its State to
   * state_out. TESSERA_ERR_NOT_FOUND: no server of that name; TESSERA_ERR_UNAVAILABLE: no valid
   * reply; TESSERA_ERR_INVALID_ARGUMENT: a field that RADIUS cannot carry. error_out says why. */
  tessera_status (*radius_request)(void* host_context, const tessera_radius_request* request,
                                   int32_t* code, const tessera_sink* message_out,
                                   const tessera_sink* state_out, const tessera_sink* error_out);
} tessera_host_api_v1;

typedef enum tessera_component_kind {
  TESSERA_COMPONENT_TOKEN_TYPE = 1,
  TESSERA_COMPONENT_CA_CONNECTOR = 2,
  TESSERA_COMPONENT_NOTIFICATION_ACTION = 3
} tessera_component_kind;

typedef enum tessera_param_type {
  TESSERA_PARAM_STRING = 1,
  TESSERA_PARAM_INT = 2,
  TESSERA_PARAM_BOOL = 3,
  TESSERA_PARAM_STRING_LIST = 4
} tessera_param_type;

#define TESSERA_PARAM_REQUIRED 0x1u
#define TESSERA_PARAM_SECRET 0x2u /* stored encrypted, never shown in logs or the admin API */

/* One configuration parameter a component accepts: its schema, checked by the host before the
 * component sees the configuration. */
typedef struct tessera_param_v1 {
  uint32_t struct_size;
  const char* key;           /* NUL-terminated, static */
  uint32_t type;             /* tessera_param_type */
  uint32_t flags;            /* TESSERA_PARAM_* */
  const char* default_value; /* JSON text of the default, or NULL */
  const char* description;
} tessera_param_v1;

/* Every operation takes a JSON request and writes a JSON result to result_out on TESSERA_OK,
 * or a human-readable message on any other status. */
typedef tessera_status (*tessera_operation_fn)(void* instance, tessera_str request_json,
                                               const tessera_sink* result_out);

/* A component's functions. Which operations a kind has:
 *  - token type:          operation_1 = enroll, operation_2 = verify,
 *                         operation_3 = resync (since 1.1), operation_4 = challenge and
 *                         operation_5 = deleted (since 1.4)
 *  - CA connector:        operation_1 = sign_request, operation_2 = request_status,
 *                         operation_3 = revoke, operation_4 = ca_certificate and
 *                         operation_5 = crl (since 1.2), operation_6 = cancel_request (since 1.4),
 *                         operation_7 = actions and operation_8 = run_action (since 1.6)
 *  - notification action: operation_1 = execute, operation_2 = actions and
 *                         operation_3 = check (since 1.3)
 * Every operation past operation_2 is optional: NULL means the component does not offer it,
 * and the host then does without (a CA connector without crl publishes its own CRL). The
 * host calls an operation only when the plugin's abi_minor is at least the one that brought it.
 * sdk/REFERENCE.md lists each operation's request and result fields. */
typedef struct tessera_component_vtable_v1 {
  uint32_t struct_size;
  /* Makes a configured instance. config_json is an object that the host has checked against
   * the component's parameters. On failure, writes why to error_out. */
  tessera_status (*create)(void* plugin_state, tessera_str instance_name, tessera_str config_json,
                           void** instance_out, const tessera_sink* error_out);
  void (*destroy)(void* instance);
  tessera_operation_fn operation_1;
  tessera_operation_fn operation_2;
  tessera_operation_fn operation_3;
  /* Since 1.2: read only when struct_size covers them. */
  tessera_operation_fn operation_4;
  tessera_operation_fn operation_5;
  /* Since 1.4. */
  tessera_operation_fn operation_6;
  /* Since 1.6. */
  tessera_operation_fn operation_7;
  tessera_operation_fn operation_8;
} tessera_component_vtable_v1;

typedef struct tessera_component_v1 {
  uint32_t struct_size;
  uint32_t kind;            /* tessera_component_kind */
  const char* type_id;      /* unique per kind across all loaded plugins, e.g. "totp" */
  const char* display_name; /* for admins */
  const tessera_param_v1* params;
  size_t param_count;
  const tessera_component_vtable_v1* vtable;
} tessera_component_v1;

/* The static description a plugin returns from its entry symbol. Reading it must run no code
 * of the plugin's beyond the entry function itself. */
typedef struct tessera_plugin_v1 {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* plugin_id;      /* reverse-DNS, e.g. "org.example.sms" */
  const char* plugin_version; /* semantic version */
  const char* build_info;     /* compiler and SDK version */
  const tessera_component_v1* components;
  size_t component_count;
  /* Called once after the host has checked the descriptor. host_api and host_context stay
   * valid until shutdown returns. On failure, writes why to error_out and the plugin is
   * refused. */
  tessera_status (*init)(const tessera_host_api_v1* host_api, void* host_context,
                         void** plugin_state_out, const tessera_sink* error_out);
  /* Called once before the library is unloaded, after every instance was destroyed. The host
   * keeps a loaded plugin until it exits, so this runs at the server's end. Threads the plugin
   * started must be stopped and joined here: no plugin code may run after it returns. */
  void (*shutdown)(void* plugin_state);
} tessera_plugin_v1;

typedef const tessera_plugin_v1* (*tessera_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_PLUGIN_ABI_H */
