# Integration tests: shell scripts against real simulated hosts. Each area
# registers its scripts in its own tests-*.cmake with p2v_integration_test.
# They need root, namespaces and the cached Debian roots (tests/hosts/).
# Each build tree gets its own tmp base so two suites (the main and the
# sanitizer build, or two checkouts) never share a simulated server's ID.
string(MD5 P2V_BUILD_HASH "${CMAKE_BINARY_DIR}")
string(SUBSTRING "${P2V_BUILD_HASH}" 0 8 P2V_BUILD_HASH)
set(P2V_TEST_TMP_DIR /tmp/p2v-tests-${P2V_BUILD_HASH})

function(p2v_integration_test name script)
  add_test(NAME integration.${name}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${script} ${ARGN})
  set_tests_properties(integration.${name} PROPERTIES
    LABELS integration TIMEOUT 900 SKIP_RETURN_CODE 77
    ENVIRONMENT "P2V_BUILD_DIR=${CMAKE_BINARY_DIR};P2V_SOURCE_DIR=${CMAKE_SOURCE_DIR};P2V_TEST_TMP=${P2V_TEST_TMP_DIR}")
endfunction()

file(GLOB P2V_INTEGRATION_LISTS ${CMAKE_CURRENT_LIST_DIR}/tests-*.cmake)
foreach(f ${P2V_INTEGRATION_LISTS})
  include(${f})
endforeach()
