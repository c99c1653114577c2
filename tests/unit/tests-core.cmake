p2v_unit_test(test_codec test_codec.c)
p2v_unit_test(test_inventory test_inventory.c)
p2v_unit_test(test_config test_config.c)
p2v_unit_test(test_agent_pack test_agent_pack.c)
