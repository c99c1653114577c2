p2v_unit_test(test_destfs test_destfs.c)
p2v_unit_test(test_destfs_new test_destfs_new.c)
p2v_unit_test(test_pathset test_pathset.c)
p2v_unit_test(test_entry_queue test_entry_queue.c)
