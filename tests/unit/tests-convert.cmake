p2v_unit_test(test_ctfs test_ctfs.c)
p2v_unit_test(test_ctconf test_ctconf.c)
p2v_unit_test(test_convert test_convert.c)
