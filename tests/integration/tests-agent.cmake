# Linux agent integration tests: p2v-agent against small real scenarios
# built on this machine (namespaces, loop devices). Exit 77 means skipped.
p2v_integration_test(agent-facts agent-facts.sh)
set_tests_properties(integration.agent-facts PROPERTIES SKIP_RETURN_CODE 77)
