# Simulated physical servers (tests/hosts/) and the agent on old roots.
p2v_integration_test(source-smoke source-smoke.sh)
p2v_integration_test(agent-oldroots agent-oldroots.sh)
# lib.sh's need_root exits 77 when not root: a skip, not a failure.
set_tests_properties(integration.source-smoke integration.agent-oldroots
  PROPERTIES SKIP_RETURN_CODE 77)
