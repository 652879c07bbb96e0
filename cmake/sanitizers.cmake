# DLMEVAL_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer on every target, stopping at the
# first report (a UB finding must fail the test, not scroll by). DLMEVAL_FUZZ adds libFuzzer's
# coverage instrumentation to the libraries; the fuzz targets link its driver (tests/fuzz).
if(DLMEVAL_SANITIZE)
  set(DLMEVAL_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${DLMEVAL_SANITIZER_FLAGS})
  add_link_options(${DLMEVAL_SANITIZER_FLAGS})
endif()
if(DLMEVAL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DLMEVAL_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT DLMEVAL_SANITIZE)
    message(FATAL_ERROR "DLMEVAL_FUZZ needs DLMEVAL_SANITIZE: a fuzzer without sanitizers finds only crashes")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
