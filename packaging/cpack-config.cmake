# CPACK_PROJECT_CONFIG_FILE: read by cpack for each generator.
# The binary, the units and the man pages carry the install prefix of the
# build (compiled in / configured): a Debian package must be built from a
# build configured with -DCMAKE_INSTALL_PREFIX=/usr.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR
    "sipguard: this build is configured for prefix ${CPACK_PACKAGING_INSTALL_PREFIX}; "
    "a .deb needs /usr: cmake -S SRC -B build-deb -DCMAKE_INSTALL_PREFIX=/usr, "
    "cmake --build build-deb, then cpack -G DEB in build-deb")
endif()
