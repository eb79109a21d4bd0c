# Build helpers shared by every component: warning flags, sanitizers, and the
# hami_library / hami_test / hami_fuzzer wrappers.

set(HAMI_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wimplicit-fallthrough -Wno-missing-field-initializers)
# GCC 12 with C++20 at -O3 (CMAKE_BUILD_TYPE=Release) reports -Wrestrict inside
# libstdc++'s own std::string operator+ ("accessing 9223372036854775810 or more
# bytes ... may overlap up to ... bytes at offset -3"): a known false positive (GCC
# bug 105329) hit all over the tree. Only GCC 12 (Debian bookworm's compiler) loses
# that one warning; every other warning stays an error.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND HAMI_WARNING_FLAGS -Wno-restrict)
endif()
if(HAMI_WERROR)
  list(APPEND HAMI_WARNING_FLAGS -Werror)
endif()

if(HAMI_SANITIZE AND HAMI_TSAN)
  message(FATAL_ERROR "HAMI_SANITIZE (ASan) and HAMI_TSAN cannot be combined")
endif()
if(HAMI_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(HAMI_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# hami_library(NAME SOURCES ... DEPS ...): a static library target `NAME` whose
# public include root is src/ (so headers are included as "component/file.h").
function(hami_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${HAMI_WARNING_FLAGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# hami_test(NAME SOURCES ... DEPS ... [LABELS ...]): a GoogleTest binary
# registered with CTest. Default label: unit.
function(hami_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${HAMI_WARNING_FLAGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# hami_fuzzer(NAME SOURCES ... DEPS ...): a libFuzzer target, built only with
# HAMI_FUZZ=ON (clang). Registers a short smoke run (label fuzz) with CTest, with a
# fixed seed so that CI is reproducible; scripts/fuzz.sh runs them long. Seed
# inputs live in <folder>/fuzz/corpus/NAME/ (committed); libFuzzer writes what it
# finds into its first corpus directory, a scratch one in the build tree, so the
# committed seeds are only read.
# Every undefined behaviour stops the run (libFuzzer reports it as a crash).
set(HAMI_FUZZ_SANITIZERS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
function(hami_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT HAMI_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${HAMI_FUZZ_SANITIZERS})
  target_link_options(${name} PRIVATE ${HAMI_FUZZ_SANITIZERS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  add_dependencies(fuzzers ${name})
  set(scratch "${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus")
  file(MAKE_DIRECTORY "${scratch}")
  set(corpora "${scratch}")
  set(seeds "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${name}")
  if(EXISTS "${seeds}")
    list(APPEND corpora "${seeds}")
  endif()
  add_test(NAME ${name}_smoke
           COMMAND ${name} -seed=1 -max_total_time=5 -max_len=4096 -rss_limit_mb=2048 ${corpora})
  set_tests_properties(${name}_smoke PROPERTIES LABELS fuzz TIMEOUT 60)
endfunction()

# hami_fuzz_instrument(TARGET ...): libraries whose code the fuzzers exercise get
# coverage instrumentation in the fuzz build, so libFuzzer sees inside them, and
# ASan+UBSan, so that a bad access or undefined behaviour inside them is a crash.
function(hami_fuzz_instrument)
  if(HAMI_FUZZ)
    foreach(target IN LISTS ARGN)
      target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined
                             -fno-sanitize-recover=undefined)
    endforeach()
  endif()
endfunction()
