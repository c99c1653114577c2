p2v_integration_test(valgrind valgrind.sh)
set_tests_properties(integration.valgrind PROPERTIES TIMEOUT 900)
