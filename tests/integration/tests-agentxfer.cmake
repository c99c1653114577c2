# The agent's file server (LIST_REQ / FILE_REQ) against a real tree on this
# machine, driven by tests/tools/xfer-driver.c: a minimal node linked with
# libp2v and the system librsync (and so the real libb2).
find_library(P2V_DRIVER_RSYNC_LIB NAMES rsync)
if(P2V_DRIVER_RSYNC_LIB)
  add_executable(xfer-driver ${CMAKE_SOURCE_DIR}/tests/tools/xfer-driver.c)
  target_link_libraries(xfer-driver PRIVATE p2v ${P2V_DRIVER_RSYNC_LIB})
  add_dependencies(xfer-driver p2v-agent)
  p2v_integration_test(agent-files agent-files.sh)
  set_tests_properties(integration.agent-files PROPERTIES TIMEOUT 300)
endif()
