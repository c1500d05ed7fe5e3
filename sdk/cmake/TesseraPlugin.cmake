# tessera_add_plugin(<name> SOURCES <files...>)
# Builds lib<name>.so as a Tessera plugin: hidden visibility, only the entry symbol exported,
# no undefined symbols. Output goes to TESSERA_PLUGIN_OUTPUT_DIR when that is set.
function(tessera_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES")
  add_library(${name} MODULE ${ARG_SOURCES})
  if(TARGET TesseraSdk::sdk)
    target_link_libraries(${name} PRIVATE TesseraSdk::sdk)
  else()
    target_link_libraries(${name} PRIVATE tessera_sdk)
  endif()
  set(exports ${CMAKE_CURRENT_BINARY_DIR}/${name}.exports)
  file(WRITE ${exports} "{ global: tessera_plugin_entry_v1; local: *; };\n")
  set_target_properties(${name} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    CXX_STANDARD 20)
  target_link_options(${name} PRIVATE -Wl,--no-undefined -Wl,--version-script=${exports})
  if(TESSERA_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${TESSERA_PLUGIN_OUTPUT_DIR})
  endif()
endfunction()
