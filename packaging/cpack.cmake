# packaging/cpack.cmake: binary packages of tcplife (included from the
# top-level CMakeLists.txt, after project() and find_package(Wireshark)).
#
#   cmake --build build && (cd build && cpack)        -> .deb and .tar.gz
#   cpack --config build/CPackConfig.cmake -G DEB     -> only the .deb
#
# The .deb is called wireshark-tcplife, carries the version of project() and
# installs tcplife.so into the system plugin folder
# (/usr/lib/<multiarch>/wireshark/plugins/<major>.<minor>/epan, the install()
# rule of plugin/CMakeLists.txt). A plugin is bound to the Wireshark minor
# version it was built against, so the package depends on the exact
# libwireshark ABI package that provides the library we linked, found with
# dpkg at configure time: e.g. "libwireshark16 (>= 4.0.17), libwireshark16 (<< 4.1)".

set(CPACK_PACKAGE_NAME "wireshark-tcplife")
set(CPACK_PACKAGE_VENDOR "tcplife")
set(CPACK_PACKAGE_CONTACT "tcplife maintainers <tcplife@localhost>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "Wireshark ${Wireshark_MAJOR_VERSION}.${Wireshark_MINOR_VERSION} post-dissector plugin that follows the life of every TCP connection: handshake, RFC 9293 states of both ends, close type, TIME_WAIT and its reuse, as tcplife.* display-filter fields, expert infos and statistics.")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "${CPACK_PACKAGE_NAME}")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_SOURCE_GENERATOR "")
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
# The tarball holds the same tree as the .deb, below usr/.
set(CPACK_SET_DESTDIR OFF)
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")

# --- Debian ---------------------------------------------------------------
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)          # wireshark-tcplife_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_ENHANCES "wireshark, tshark")

find_program(TCPLIFE_DPKG dpkg)
find_program(TCPLIFE_DPKG_QUERY dpkg-query)
if(TCPLIFE_DPKG)
    execute_process(COMMAND ${TCPLIFE_DPKG} --print-architecture
        OUTPUT_VARIABLE _tl_arch OUTPUT_STRIP_TRAILING_WHITESPACE)
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${_tl_arch}")
endif()

# Which Debian package provides the libwireshark we link (target epan)?
set(_tl_libws "")
foreach(_cfg NONE RELEASE RELWITHDEBINFO DEBUG NOCONFIG)
    get_target_property(_loc epan IMPORTED_LOCATION_${_cfg})
    if(_loc)
        set(_tl_libws "${_loc}")
        break()
    endif()
endforeach()
set(_tl_depends "")
if(TCPLIFE_DPKG AND _tl_libws)
    get_filename_component(_tl_libws_real "${_tl_libws}" REALPATH)
    execute_process(COMMAND ${TCPLIFE_DPKG} -S "${_tl_libws_real}"
        OUTPUT_VARIABLE _tl_owner OUTPUT_STRIP_TRAILING_WHITESPACE
        RESULT_VARIABLE _tl_rc ERROR_QUIET)
    # "libwireshark16:amd64: /usr/lib/x86_64-linux-gnu/libwireshark.so.16.0.17"
    if(_tl_rc EQUAL 0 AND _tl_owner MATCHES "^([a-z0-9][a-z0-9.+-]*)(:[a-z0-9-]+)?: ")
        set(_tl_pkg "${CMAKE_MATCH_1}")
        math(EXPR _tl_next_minor "${Wireshark_MINOR_VERSION} + 1")
        set(_tl_depends "${_tl_pkg} (>= ${Wireshark_VERSION}), ${_tl_pkg} (<< ${Wireshark_MAJOR_VERSION}.${_tl_next_minor})")
    endif()
endif()
if(_tl_depends)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_tl_depends}")
    message(STATUS "tcplife package: wireshark-tcplife ${PROJECT_VERSION}, Depends: ${_tl_depends}")
else()
    message(WARNING "tcplife package: cannot find the Debian package of ${_tl_libws} "
                    "(not a dpkg system?); the .deb will have no libwireshark dependency")
endif()

# The configuration profile "tcplife" as a global profile, for every user:
# wireshark -C tcplife (a personal copy: packaging/install-profile.sh).
install(FILES
    ${PROJECT_SOURCE_DIR}/packaging/profile/tcplife/preferences
    ${PROJECT_SOURCE_DIR}/packaging/profile/tcplife/colorfilters
    ${PROJECT_SOURCE_DIR}/packaging/profile/tcplife/dfilter_buttons
    DESTINATION share/wireshark/profiles/tcplife)

include(CPack)
