p2v_integration_test(faults faults.sh)
