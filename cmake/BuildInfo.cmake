# Run at every build (app/CMakeLists.txt): writes OUTPUT from app/buildinfo.cpp.in with VERSION and the
# source tree's short commit ("unknown" outside git, or COMMIT when given). configure_file leaves OUTPUT
# untouched when nothing changed, so an ordinary build recompiles nothing.
if(COMMIT)
  set(ROUTELEDGER_COMMIT "${COMMIT}")
else()
  set(ROUTELEDGER_COMMIT unknown)
  find_program(GIT_EXECUTABLE git)
  if(GIT_EXECUTABLE)
    # Only this tree's own repository: a source tarball unpacked inside another checkout is not that commit.
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --show-toplevel
      OUTPUT_VARIABLE _toplevel OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _toplevel_result ERROR_QUIET)
    file(REAL_PATH "${SOURCE_DIR}" _source)
    if(_toplevel_result EQUAL 0)
      file(REAL_PATH "${_toplevel}" _toplevel)
    endif()
    if(_toplevel_result EQUAL 0 AND _toplevel STREQUAL _source)
      execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --short=7 HEAD
        OUTPUT_VARIABLE _commit OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _commit_result ERROR_QUIET)
      if(_commit_result EQUAL 0 AND _commit MATCHES "^[0-9a-f]+$")
        set(ROUTELEDGER_COMMIT "${_commit}")
      endif()
    endif()
  endif()
endif()
set(ROUTELEDGER_VERSION "${VERSION}")
configure_file("${INPUT}" "${OUTPUT}" @ONLY)
