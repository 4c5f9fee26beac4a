# One INTERFACE target carries the project's compile options; every target links it.
add_library(routeledger_options INTERFACE)
add_library(RouteLedger::options ALIAS routeledger_options)
target_compile_features(routeledger_options INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)

target_compile_options(routeledger_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference -Wformat=2
  -Wimplicit-fallthrough
  # GCC 12 reports false -Wrestrict positives inside libstdc++ string concatenation at -O3.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
if(ROUTELEDGER_WERROR)
  target_compile_options(routeledger_options INTERFACE -Werror)
endif()

if(ROUTELEDGER_SANITIZE)
  target_compile_options(routeledger_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(routeledger_options INTERFACE -fsanitize=address,undefined)
endif()
