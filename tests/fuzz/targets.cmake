# libFuzzer targets (DLMEVAL_FUZZ=ON: clang with ASan + UBSan). Every target links the LibTorch-free
# libraries; the linker takes only what it uses. Each target also becomes a test that runs it once
# over its seed corpus (made from the goldens, data and presets by seed_corpus.py) and over the
# inputs of its past findings (tests/fuzz/regressions/<target>/); scripts/fuzz.sh fuzzes for real.
file(GLOB FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.cpp)
foreach(source ${FUZZ_SOURCES})
  get_filename_component(target ${source} NAME_WE)
  add_executable(${target} ${source})
  target_link_libraries(${target} PRIVATE dlmeval_harness dlmeval_protocols dlmeval_runners_io dlmeval_tasks
    dlmeval_results dlmeval_scorers dlmeval_tokenizer dlmeval_core)
  target_compile_definitions(${target} PRIVATE DLMEVAL_SHARED_DIR="${DLMEVAL_SHARED_DIR}")
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  add_test(NAME ${target}_corpus
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fuzz/run_corpus.sh $<TARGET_FILE:${target}> ${CMAKE_BINARY_DIR}/fuzz-corpus
      ${DLMEVAL_SHARED_DIR})
  set_tests_properties(${target}_corpus PROPERTIES LABELS fuzz TIMEOUT 600)
endforeach()
