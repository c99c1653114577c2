# Turning the copied tree into a container (#4): edits beneath the private
# area, fixups, the container config, hooks and runtimes.
list(APPEND P2VNODE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/ctfs.c
  ${CMAKE_CURRENT_LIST_DIR}/ctfs_write.c)
