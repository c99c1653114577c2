# Several ssh channels (issue #3, long fat links): tests/tools/delayline is
# an ssh ProxyCommand that adds a one-way delay (this kernel has no netem).
find_package(Threads REQUIRED)
add_executable(delayline ${CMAKE_SOURCE_DIR}/tests/tools/delayline.c)
target_link_libraries(delayline PRIVATE Threads::Threads)
p2v_integration_test(channels channels.sh)
