p2v_unit_test(test_cpucaps test_cpucaps.c)
p2v_unit_test(test_elfnote test_elfnote.c)
