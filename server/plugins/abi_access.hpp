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

}  // namespace tessera::plugins
