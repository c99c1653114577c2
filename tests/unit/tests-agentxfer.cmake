# The agent's own BLAKE2b (agent-linux/blake2b.c), built straight from its
# source: never linked with p2vnode or librsync, so the real libb2 never
# ends up in the same binary (the test dlopens it to compare, if present).
add_executable(test_blake2b test_blake2b.c)
target_sources(test_blake2b PRIVATE ${CMAKE_SOURCE_DIR}/agent-linux/blake2b.c)
target_include_directories(test_blake2b PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                           ${CMAKE_SOURCE_DIR}/agent-linux)
target_link_libraries(test_blake2b PRIVATE ${CMAKE_DL_LIBS})
add_test(NAME unit.test_blake2b COMMAND test_blake2b)
set_tests_properties(unit.test_blake2b PROPERTIES LABELS unit TIMEOUT 120)
