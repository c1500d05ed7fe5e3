// Reads the arrays of a plugin descriptor. Elements are strided by the first element's
// struct_size, not by this host's sizeof: a plugin built against an older ABI minor (smaller
// structs) is read correctly, and fields past struct_size are never touched.
#pragma once

#include <cstddef>

#include "tessera/abi/tessera_plugin_abi.h"

namespace tessera::plugins {

template <class T>
const T& abi_element(const T* first, size_t index) {
  return *reinterpret_cast<const T*>(reinterpret_cast<const char*>(first) +
                                     index * first->struct_size);
}

inline const tessera_component_v1& component_at(const tessera_plugin_v1& d, size_t i) {
  return abi_element(d.components, i);
}

inline const tessera_param_v1& param_at(const tessera_component_v1& c, size_t i) {
  return abi_element(c.params, i);
}

// operation_<slot> of a function table, or null when the slot is empty or past the table's end
// (a plugin built against an older minor has a shorter one).
inline tessera_operation_fn operation_at(const tessera_component_vtable_v1& v, int slot) {
  const auto covers = [&](size_t offset) {
    return v.struct_size >= offset + sizeof(tessera_operation_fn);
  };
  switch (slot) {
    case 1:
      return v.operation_1;
    case 2:
      return v.operation_2;
    case 3:
      return v.operation_3;
    case 4:
      return covers(offsetof(tessera_component_vtable_v1, operation_4)) ? v.operation_4 : nullptr;
    case 5:
      return covers(offsetof(tessera_component_vtable_v1, operation_5)) ? v.operation_5 : nullptr;
    case 6:
      return covers(offsetof(tessera_component_vtable_v1, operation_6)) ? v.operation_6 : nullptr;
    case 7:
      return covers(offsetof(tessera_component_vtable_v1, operation_7)) ? v.operation_7 : nullptr;
    case 8:
      return covers(offsetof(tessera_component_vtable_v1, operation_8)) ? v.operation_8 : nullptr;
  }
  return nullptr;
}

}  // namespace tessera::plugins
