p2v_unit_test(test_netcfg test_netcfg.c)
