# The container's network configuration for venet0 (#4): detection and
# dispatch, one writer per family, the template engine and the plan.
list(APPEND P2VNODE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/net_plan.c
  ${CMAKE_CURRENT_LIST_DIR}/netcfg.c
  ${CMAKE_CURRENT_LIST_DIR}/netcfg_alpine.c
  ${CMAKE_CURRENT_LIST_DIR}/netcfg_gentoo.c
  ${CMAKE_CURRENT_LIST_DIR}/netcfg_ifupdown.c
  ${CMAKE_CURRENT_LIST_DIR}/netcfg_netctl.c
  ${CMAKE_CURRENT_LIST_DIR}/netcfg_netplan.c
  ${CMAKE_CURRENT_LIST_DIR}/netcfg_networkd.c
  ${CMAKE_CURRENT_LIST_DIR}/netcfg_nm.c
  ${CMAKE_CURRENT_LIST_DIR}/netcfg_redhat.c
  ${CMAKE_CURRENT_LIST_DIR}/netcfg_suse.c
  ${CMAKE_CURRENT_LIST_DIR}/tmpl.c)
install(DIRECTORY ${P2V_TEMPLATES_DIR}/net DESTINATION share/p2v/templates)
