# Turning the copied tree into a container (#4): edits beneath the private
# area, fixups, the container config, hooks and runtimes.
list(APPEND P2VNODE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/ctfs.c
  ${CMAKE_CURRENT_LIST_DIR}/ctfs_write.c
  ${CMAKE_CURRENT_LIST_DIR}/ctfs_revert.c)
list(APPEND P2VNODE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/ctconf.c
  ${CMAKE_CURRENT_LIST_DIR}/convert.c
  ${CMAKE_CURRENT_LIST_DIR}/convert_ctconf.c
  ${CMAKE_CURRENT_LIST_DIR}/convert_system.c
  ${CMAKE_CURRENT_LIST_DIR}/convert_disable.c
  ${CMAKE_CURRENT_LIST_DIR}/convert_firstboot.c
  ${CMAKE_CURRENT_LIST_DIR}/convert_hooks.c
  ${CMAKE_CURRENT_LIST_DIR}/runtime.c)
install(FILES ${P2V_TEMPLATES_DIR}/ve-vswap-p2v.conf-sample DESTINATION share/p2v/templates)
install(DIRECTORY ${P2V_TEMPLATES_DIR}/firstboot ${P2V_TEMPLATES_DIR}/lxc
        DESTINATION share/p2v/templates USE_SOURCE_PERMISSIONS)
