p2v_integration_test(p2vcheck p2vcheck.sh)
