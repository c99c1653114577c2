# The Windows agent under wine (agent-windows/, issue #6). Each skips (77)
# without wine64 or a cross-built p2v-agent.exe; the dry run needs root.
p2v_integration_test(windows-facts windows-facts.sh)
p2v_integration_test(windows-dryrun windows-dryrun.sh)
set_tests_properties(integration.windows-facts integration.windows-dryrun PROPERTIES
                     TIMEOUT 300 LABELS "integration;windows")
# File serving under wine, driven by tests/tools/xfer-driver.c (built only
# with the system librsync: tests-agentxfer.cmake); skips without it.
p2v_integration_test(windows-files windows-files.sh)
set_tests_properties(integration.windows-files PROPERTIES TIMEOUT 300 LABELS "integration;windows")
