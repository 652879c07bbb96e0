# Runtime-only build (DLMEVAL_RUNTIME_ONLY=ON): the LibTorch runtime (runners/), its golden tests
# and the GPU benchmark, for a machine where nothing can be installed (a lent GPU with PyTorch's
# LibTorch). Besides LibTorch it needs only sources brought in DLMEVAL_VENDOR_DIR, which
# scripts/gpu/prepare.sh fills from this machine's packages: the nlohmann/json headers and
# GoogleTest. Left out, with what they need: the dlmeval CLI (CLI11, fmt), tasks, scorers and
# results (RE2, Boost, OpenSSL), the tokenizer (PCRE2, ICU; runners/runtime_only/no_tokenizer.cpp
# stands in), compressed JSON (Boost.Iostreams; harness/core/json_io.cpp is built with
# DLMEVAL_NO_COMPRESSED_FILES) and training (OpenSSL hashing, the tokenizer).
set(DLMEVAL_VENDOR_DIR "${CMAKE_SOURCE_DIR}/.gpu/vendor" CACHE PATH "Sources brought for the runtime-only build (scripts/gpu/prepare.sh)")
foreach(required include/nlohmann/json.hpp googletest/CMakeLists.txt)
  if(NOT EXISTS "${DLMEVAL_VENDOR_DIR}/${required}")
    message(FATAL_ERROR "${DLMEVAL_VENDOR_DIR}/${required} is missing: run scripts/gpu/prepare.sh first")
  endif()
endforeach()

find_package(Threads REQUIRED)
include(cmake/libtorch.cmake)
# LibTorch's ABI flags (_GLIBCXX_USE_CXX11_ABI) on every target, GoogleTest included, so that
# standard-library types cross library boundaries intact.
string(APPEND CMAKE_CXX_FLAGS " ${TORCH_CXX_FLAGS}")

add_library(dlmeval_vendor_json INTERFACE)
target_include_directories(dlmeval_vendor_json SYSTEM INTERFACE "${DLMEVAL_VENDOR_DIR}/include")

add_library(dlmeval_core STATIC harness/core/omp_env.cpp harness/core/json_io.cpp harness/core/model_cost.cpp)
target_compile_definitions(dlmeval_core PRIVATE DLMEVAL_NO_COMPRESSED_FILES=1)
target_include_directories(dlmeval_core PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(dlmeval_core PUBLIC dlmeval_vendor_json)

file(GLOB RUNNERS_IO_SOURCES CONFIGURE_DEPENDS runners/io/*.cpp)
add_library(dlmeval_runners_io STATIC ${RUNNERS_IO_SOURCES})
target_link_libraries(dlmeval_runners_io PUBLIC dlmeval_core)

file(GLOB RUNNERS_SOURCES CONFIGURE_DEPENDS runners/*.cpp runners/models/*.cpp runners/samplers/*.cpp runners/choice/*.cpp)
add_library(dlmeval_runners STATIC ${RUNNERS_SOURCES} runners/runtime_only/no_tokenizer.cpp)
target_link_libraries(dlmeval_runners PUBLIC dlmeval_core dlmeval_runners_io dlmeval::libtorch Threads::Threads)
dlmeval_torch_pch(dlmeval_runners)

if(DLMEVAL_BUILD_TESTS)
  enable_testing()
  include(GoogleTest)
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  add_subdirectory("${DLMEVAL_VENDOR_DIR}/googletest" "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL)
  # Brought-in sources: their warnings (GCC 12 flags a -Wrestrict false positive in gtest.cc) are
  # not ours to fix.
  target_compile_options(gtest PRIVATE -w)
  # The torch tests that need neither the dlmeval CLI, the tokenizer nor training.
  set(RUNTIME_TEST_SOURCES main.cpp forward_golden_test.cpp sampler_golden_test.cpp sampler_components_test.cpp
    sampler_bf16_smoke_test.cpp choice_golden_test.cpp choice_monte_carlo_test.cpp choice_scoring_test.cpp)
  list(TRANSFORM RUNTIME_TEST_SOURCES PREPEND "${CMAKE_SOURCE_DIR}/tests/torch/")
  add_executable(dlmeval_torch_tests ${RUNTIME_TEST_SOURCES})
  target_link_libraries(dlmeval_torch_tests PRIVATE dlmeval_runners dlmeval_core GTest::gtest)
  dlmeval_torch_pch(dlmeval_torch_tests)
  target_compile_definitions(dlmeval_torch_tests PRIVATE DLMEVAL_SHARED_DIR="${DLMEVAL_SHARED_DIR}"
    DLMEVAL_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  gtest_discover_tests(dlmeval_torch_tests DISCOVERY_TIMEOUT 120 PROPERTIES LABELS torch)
endif()

include(bench/gpu/targets.cmake)
