# p2v-agent.exe: the Windows agent, cross-built with mingw-w64 as a project
# of its own (agent-windows/CMakeLists.txt, toolchain
# cmake/mingw-w64-x86_64.cmake) inside the normal build. It shares the
# portable part of p2v/ with the other programs and lands next to them in
# bin/. Without the cross-compiler the build goes on without it.
option(P2V_AGENT_WINDOWS "Cross-build p2v-agent.exe when mingw-w64 is installed" ON)
if(NOT P2V_AGENT_WINDOWS)
  return()
endif()
find_program(P2V_MINGW_GCC x86_64-w64-mingw32-gcc)
if(NOT P2V_MINGW_GCC)
  message(STATUS "p2v-agent.exe: not built (x86_64-w64-mingw32-gcc not found; "
                 "scripts/install-deps.sh installs gcc-mingw-w64-x86-64)")
  return()
endif()
include(ExternalProject)
ExternalProject_Add(agent-windows
  SOURCE_DIR ${CMAKE_SOURCE_DIR}/agent-windows
  BINARY_DIR ${CMAKE_BINARY_DIR}/agent-windows
  CMAKE_ARGS
    -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/mingw-w64-x86_64.cmake
    -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
    -DP2V_VERSION=${PROJECT_VERSION}
    -DP2V_WERROR=${P2V_WERROR}
    -DP2V_OUTPUT_DIR=${CMAKE_BINARY_DIR}/bin
  BUILD_ALWAYS ON
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS ${CMAKE_BINARY_DIR}/bin/p2v-agent.exe)
install(PROGRAMS ${CMAKE_BINARY_DIR}/bin/p2v-agent.exe DESTINATION libexec/p2v)
