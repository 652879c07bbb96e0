# dlmeval_gpu_bench (bench/gpu/): built in the default and the runtime-only mode alike; it needs
# only the runners library, no Google Benchmark. scripts/gpu/run-on-gpu.sh runs it on a GPU.
file(GLOB GPU_BENCH_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bench/gpu/*.cpp)
add_executable(dlmeval_gpu_bench ${GPU_BENCH_SOURCES})
target_link_libraries(dlmeval_gpu_bench PRIVATE dlmeval_runners dlmeval_core)
dlmeval_torch_pch(dlmeval_gpu_bench)
target_compile_definitions(dlmeval_gpu_bench PRIVATE DLMEVAL_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
if(DLMEVAL_BUILD_TESTS)
  # Keeps the program working where there is no GPU: the CPU-sized shape through every measurement
  # (fp32, a short budget: this checks the program, not the speed).
  add_test(NAME gpu_bench_small COMMAND dlmeval_gpu_bench --device cpu --small --dtype f32 --budget-s 8)
  set_tests_properties(gpu_bench_small PROPERTIES LABELS bench TIMEOUT 300)
endif()
