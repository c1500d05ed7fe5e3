/* A plugin built for a future ABI major version: the loader must refuse it before calling
 * anything but the entry function. */
#include "tessera/abi/tessera_plugin_abi.h"

static const tessera_plugin_v1 descriptor = {sizeof(tessera_plugin_v1),
                                             TESSERA_ABI_VERSION_MAJOR + 1,
                                             0,
                                             "org.tests.future",
                                             "9.0.0",
                                             "test fixture",
                                             0,
                                             0,
                                             0,
                                             0};

__attribute__((visibility("default"))) const tessera_plugin_v1* tessera_plugin_entry_v1(void) {
  return &descriptor;
}
