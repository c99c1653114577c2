# p2vcheck: show/test migration properties (vzcptcheck for p2v).
add_executable(p2vcheck ${CMAKE_CURRENT_LIST_DIR}/p2vcheck.c)
target_link_libraries(p2vcheck PRIVATE p2vnode)
install(TARGETS p2vcheck DESTINATION sbin)
