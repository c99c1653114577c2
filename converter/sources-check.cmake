# p2vcheck's node modules: CPU capability numbers, ELF notes and machines.
list(APPEND P2VNODE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/cpucaps.c
  ${CMAKE_CURRENT_LIST_DIR}/elfnote.c)
