# The conversion (#4): a migrated server boots as an LXC container.
add_executable(ctconf-check ${CMAKE_SOURCE_DIR}/tests/tools/ctconf-check.c)
target_link_libraries(ctconf-check PRIVATE p2vnode)
p2v_integration_test(convert-lxc convert-lxc.sh)
add_executable(convert-facts ${CMAKE_SOURCE_DIR}/tests/tools/convert-facts.c)
target_link_libraries(convert-facts PRIVATE p2vnode)
p2v_integration_test(quota-firstboot quota-firstboot.sh)
