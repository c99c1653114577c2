# The destination file-system layer: every write beneath the private area.
list(APPEND P2VNODE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/destfs.c
  ${CMAKE_CURRENT_LIST_DIR}/destfs_create.c
  ${CMAKE_CURRENT_LIST_DIR}/destfs_meta.c
  ${CMAKE_CURRENT_LIST_DIR}/destfs_tmp.c
  ${CMAKE_CURRENT_LIST_DIR}/destfs_new.c
  ${CMAKE_CURRENT_LIST_DIR}/destfs_probe.c)
