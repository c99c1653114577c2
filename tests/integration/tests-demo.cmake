# The README's demo must keep working: run it as a test too.
p2v_integration_test(demo demo.sh ${CMAKE_BINARY_DIR})
