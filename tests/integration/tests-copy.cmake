p2v_integration_test(copy copy.sh)
