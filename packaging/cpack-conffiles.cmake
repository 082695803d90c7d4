# CPACK_PRE_BUILD_SCRIPTS: runs after cpack staged the install tree, before
# the package is made. Writes the DEB conffiles list: every file under /etc
# in the staged tree, so the operator's edits survive upgrades and a new
# file under /etc is never left out.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
set(root ${CPACK_TEMPORARY_INSTALL_DIRECTORY})
file(GLOB_RECURSE etc_files LIST_DIRECTORIES false RELATIVE ${root} ${root}/etc/*)
list(SORT etc_files)
set(out "")
foreach(f ${etc_files})
  string(APPEND out "/${f}\n")
endforeach()
file(WRITE ${CPACK_SG_CONFFILES} "${out}")
message(STATUS "sipguard: conffiles: ${etc_files}")
