# The conversion (#4): a migrated server boots as an LXC container.
add_executable(ctconf-check ${CMAKE_SOURCE_DIR}/tests/tools/ctconf-check.c)
target_link_libraries(ctconf-check PRIVATE p2vnode)
p2v_integration_test(convert-lxc convert-lxc.sh)
