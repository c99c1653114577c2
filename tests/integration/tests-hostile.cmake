# A malicious agent (issue #5): tests/tools/evil-agent.c speaks the
# protocol with libp2v's own encoders but lies, one case at a time, and
# hostile-agent.sh runs the real p2vmigrate against it. Test-only: never
# installed.
add_executable(evil-agent ${CMAKE_SOURCE_DIR}/tests/tools/evil-agent.c)
target_link_libraries(evil-agent PRIVATE p2v)
add_dependencies(evil-agent p2vmigrate p2v-agent)
p2v_integration_test(hostile-agent hostile-agent.sh)
set_tests_properties(integration.hostile-agent PROPERTIES TIMEOUT 600)
