// The operations a component offers, called by name. Each maps to one slot of its kind's
// function table (tessera_plugin_abi.h says which) and to the ABI minor that brought it, so the
// host never calls a slot an older plugin's table does not have.
#pragma once

#include <cstdint>

#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::plugins {

enum class Operation {
  // token types
  enroll,
  verify,
  resync,
  challenge,
  deleted,
  // CA connectors
  sign_request,
  request_status,
  revoke,
  ca_certificate,
  crl,
  cancel_request,
  connector_actions,  // what an admin may run on the connector (the ABI's "actions")
  run_action,
  // notification actions
  execute,
  actions,
  check,
};

struct OperationSlot {
  tessera_component_kind kind;
  int slot;              // operation_<slot> of tessera_component_vtable_v1
  uint32_t since_minor;  // the ABI minor that added it
  const char* name;
};

constexpr OperationSlot slot_of(Operation op) {
  switch (op) {
    case Operation::enroll:
      return {TESSERA_COMPONENT_TOKEN_TYPE, 1, 0, "enroll"};
    case Operation::verify:
      return {TESSERA_COMPONENT_TOKEN_TYPE, 2, 0, "verify"};
    case Operation::resync:
      return {TESSERA_COMPONENT_TOKEN_TYPE, 3, 1, "resync"};
    case Operation::challenge:
      return {TESSERA_COMPONENT_TOKEN_TYPE, 4, 4, "challenge"};
    case Operation::deleted:
      return {TESSERA_COMPONENT_TOKEN_TYPE, 5, 4, "deleted"};
    case Operation::sign_request:
      return {TESSERA_COMPONENT_CA_CONNECTOR, 1, 0, "sign_request"};
    case Operation::request_status:
      return {TESSERA_COMPONENT_CA_CONNECTOR, 2, 0, "request_status"};
    case Operation::revoke:
      return {TESSERA_COMPONENT_CA_CONNECTOR, 3, 0, "revoke"};
    case Operation::ca_certificate:
      return {TESSERA_COMPONENT_CA_CONNECTOR, 4, 2, "ca_certificate"};
    case Operation::crl:
      return {TESSERA_COMPONENT_CA_CONNECTOR, 5, 2, "crl"};
    case Operation::cancel_request:
      return {TESSERA_COMPONENT_CA_CONNECTOR, 6, 4, "cancel_request"};
    case Operation::connector_actions:
      return {TESSERA_COMPONENT_CA_CONNECTOR, 7, 6, "actions"};
    case Operation::run_action:
      return {TESSERA_COMPONENT_CA_CONNECTOR, 8, 6, "run_action"};
    case Operation::execute:
      return {TESSERA_COMPONENT_NOTIFICATION_ACTION, 1, 0, "execute"};
    case Operation::actions:
      return {TESSERA_COMPONENT_NOTIFICATION_ACTION, 2, 3, "actions"};
    case Operation::check:
      return {TESSERA_COMPONENT_NOTIFICATION_ACTION, 3, 3, "check"};
  }
  return {TESSERA_COMPONENT_TOKEN_TYPE, 0, 0, "?"};
}

}  // namespace tessera::plugins
