p2v_integration_test(transport-errors transport-errors.sh)
p2v_integration_test(dryrun dryrun.sh)
