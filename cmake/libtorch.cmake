# Finds LibTorch and defines dlmeval::libtorch, the one target through which runners/ links it.
#
# Where LibTorch comes from, first match wins:
#   1. Torch_DIR or CMAKE_PREFIX_PATH (cache or environment): a LibTorch the user points at;
#   2. the `torch` package importable by DLMEVAL_PYTHON (default: python3 on PATH), located without
#      importing it, so a pip or conda PyTorch (CPU or CUDA) builds with no edits;
#   3. CMake's default search (which would find a system LibTorch such as Debian's 1.13).
# Whatever is found must be at least DLMEVAL_MIN_TORCH_VERSION; an older one stops the configure
# with one line.
#
# DLMEVAL_WITH_CUDA=OFF links only torch_cpu and c10, even against a CUDA build of LibTorch: the
# program then never loads libtorch_cuda and its CUDA libraries (a faster start, and no CUDA
# runtime needed to run). DLMEVAL_WITH_CUDA=ON links all of TORCH_LIBRARIES and compiles the CUDA
# code paths (DLMEVAL_WITH_CUDA=1).
# 2.4: the first LibTorch whose c10::optional is std::optional, which dlmeval's signatures assume.
set(DLMEVAL_MIN_TORCH_VERSION 2.4)
set(DLMEVAL_PYTHON "python3" CACHE STRING "Python whose torch package is used when Torch_DIR and CMAKE_PREFIX_PATH name none")

set(_dlmeval_torch_hinted FALSE)
if(Torch_DIR OR DEFINED ENV{Torch_DIR} OR CMAKE_PREFIX_PATH OR DEFINED ENV{CMAKE_PREFIX_PATH})
  set(_dlmeval_torch_hinted TRUE)
endif()
if(NOT _dlmeval_torch_hinted)
  find_program(_dlmeval_python NAMES ${DLMEVAL_PYTHON})
  if(_dlmeval_python)
    execute_process(
      COMMAND "${_dlmeval_python}" -c
        "import importlib.util as u; s = u.find_spec('torch'); print(s.submodule_search_locations[0] if s else '')"
      OUTPUT_VARIABLE _dlmeval_torch_package OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(_dlmeval_torch_package AND EXISTS "${_dlmeval_torch_package}/share/cmake/Torch/TorchConfig.cmake")
      set(Torch_DIR "${_dlmeval_torch_package}/share/cmake/Torch" CACHE PATH "LibTorch's CMake folder" FORCE)
      message(STATUS "dlmeval: LibTorch from ${_dlmeval_python}'s torch package (${_dlmeval_torch_package})")
    endif()
  endif()
endif()

if(DLMEVAL_WITH_CUDA)
  # LibTorch's CMake files enable the CUDA language and look for the toolkit.
  find_program(_dlmeval_nvcc nvcc HINTS /usr/local/cuda/bin ENV CUDA_HOME PATH_SUFFIXES bin)
  if(_dlmeval_nvcc AND NOT CMAKE_CUDA_COMPILER)
    set(CMAKE_CUDA_COMPILER "${_dlmeval_nvcc}" CACHE FILEPATH "nvcc" FORCE)
  endif()
endif()
if(NOT TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  # dlmeval compiles no device code, so the list only stops a CUDA LibTorch's CMake files from
  # compiling and running a probe for the installed GPUs (which fails where there is none).
  set(ENV{TORCH_CUDA_ARCH_LIST} "8.0;9.0")
endif()

# TorchConfig looks for its Caffe2 part with find_dependency(Caffe2 PATHS <its own folder>), and
# PATHS come after the system's: with Debian's libtorch-dev installed, a pip LibTorch would be
# paired with Debian's 1.13 libraries. Pin Caffe2 next to the Torch_DIR in use.
if(Torch_DIR AND NOT Caffe2_DIR AND EXISTS "${Torch_DIR}/../Caffe2/Caffe2Config.cmake")
  get_filename_component(_dlmeval_caffe2_dir "${Torch_DIR}/../Caffe2" REALPATH)
  set(Caffe2_DIR "${_dlmeval_caffe2_dir}" CACHE PATH "LibTorch's Caffe2 CMake folder (next to Torch_DIR)")
endif()
find_package(Torch CONFIG QUIET)
if(NOT Torch_FOUND)
  message(FATAL_ERROR "dlmeval: LibTorch not found: set Torch_DIR or CMAKE_PREFIX_PATH, or install PyTorch for "
    "${DLMEVAL_PYTHON} (bash scripts/install-deps.sh puts one in .venv)")
endif()
set(DLMEVAL_TORCH_VERSION "${Torch_VERSION}")
if(NOT DLMEVAL_TORCH_VERSION)
  file(STRINGS "${TORCH_INSTALL_PREFIX}/include/torch/csrc/api/include/torch/version.h" _dlmeval_torch_version_line
    REGEX "#define TORCH_VERSION \"")
  string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" DLMEVAL_TORCH_VERSION "${_dlmeval_torch_version_line}")
endif()
if(DLMEVAL_TORCH_VERSION VERSION_LESS DLMEVAL_MIN_TORCH_VERSION)
  message(FATAL_ERROR "dlmeval: LibTorch ${DLMEVAL_TORCH_VERSION} at ${Torch_DIR} is older than the "
    "${DLMEVAL_MIN_TORCH_VERSION} dlmeval needs: point Torch_DIR at a PyTorch 2.x (scripts/install-deps.sh installs one in .venv)")
endif()
message(STATUS "dlmeval: LibTorch ${DLMEVAL_TORCH_VERSION} (${Torch_DIR}), CUDA code paths ${DLMEVAL_WITH_CUDA}")

add_library(dlmeval_libtorch INTERFACE)
add_library(dlmeval::libtorch ALIAS dlmeval_libtorch)
# LibTorch's include folder also holds the headers of libraries it bundles, among them fmt 12,
# which would shadow Debian's fmt 9 that dlmeval links. dlmeval sees LibTorch's headers through a
# folder of links to every entry but those.
set(_dlmeval_torch_include "${CMAKE_BINARY_DIR}/libtorch-include")
file(REMOVE_RECURSE "${_dlmeval_torch_include}")
file(MAKE_DIRECTORY "${_dlmeval_torch_include}")
file(GLOB _dlmeval_torch_entries RELATIVE "${TORCH_INSTALL_PREFIX}/include" "${TORCH_INSTALL_PREFIX}/include/*")
foreach(entry IN LISTS _dlmeval_torch_entries)
  if(NOT entry STREQUAL "fmt")
    file(CREATE_LINK "${TORCH_INSTALL_PREFIX}/include/${entry}" "${_dlmeval_torch_include}/${entry}" SYMBOLIC)
  endif()
endforeach()
set(_dlmeval_torch_include_dirs "${_dlmeval_torch_include}" "${TORCH_INSTALL_PREFIX}/include/torch/csrc/api/include")
foreach(target torch torch_cpu torch_cuda c10 c10_cuda torch_library)
  if(TARGET ${target})
    set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_dlmeval_torch_include_dirs}")
  endif()
endforeach()
target_include_directories(dlmeval_libtorch SYSTEM INTERFACE ${_dlmeval_torch_include_dirs})
separate_arguments(_dlmeval_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
target_compile_options(dlmeval_libtorch INTERFACE ${_dlmeval_torch_flags})
if(DLMEVAL_WITH_CUDA)
  if(NOT TARGET torch_cuda AND NOT TORCH_CUDA_LIBRARIES)
    message(FATAL_ERROR "dlmeval: DLMEVAL_WITH_CUDA=ON but LibTorch ${DLMEVAL_TORCH_VERSION} at ${Torch_DIR} is a CPU-only build")
  endif()
  target_link_libraries(dlmeval_libtorch INTERFACE ${TORCH_LIBRARIES})
  # A pip wheel's libtorch_cuda finds the NVIDIA libraries of the same pip environment through its
  # RPATH ($ORIGIN/../../nvidia/*/lib) when the program runs; the linker must resolve them there too,
  # not in an older system copy (a CUDA toolkit's NCCL, say) that lacks newer symbols.
  file(GLOB _dlmeval_nvidia_libs LIST_DIRECTORIES true "${TORCH_INSTALL_PREFIX}/../nvidia/*/lib")
  foreach(dir IN LISTS _dlmeval_nvidia_libs)
    get_filename_component(dir "${dir}" REALPATH)
    # And the program itself (which links the CUDA runtime directly) loads them from there first.
    target_link_options(dlmeval_libtorch INTERFACE "LINKER:-rpath-link,${dir}" "LINKER:-rpath,${dir}")
  endforeach()
  target_compile_definitions(dlmeval_libtorch INTERFACE DLMEVAL_WITH_CUDA=1)
else()
  target_link_libraries(dlmeval_libtorch INTERFACE torch_cpu c10)
endif()
# Compared as real paths and by prefix, not as a regex: install paths may hold symlinks or '+'.
get_target_property(_dlmeval_torch_cpu torch_cpu IMPORTED_LOCATION_RELEASE)
get_filename_component(_dlmeval_torch_prefix_real "${TORCH_INSTALL_PREFIX}" REALPATH)
if(_dlmeval_torch_cpu)
  get_filename_component(_dlmeval_torch_cpu "${_dlmeval_torch_cpu}" REALPATH)
  string(FIND "${_dlmeval_torch_cpu}" "${_dlmeval_torch_prefix_real}/" _dlmeval_torch_cpu_at)
endif()
if(_dlmeval_torch_cpu AND NOT _dlmeval_torch_cpu_at EQUAL 0)
  message(FATAL_ERROR "dlmeval: LibTorch's CMake files at ${Torch_DIR} import ${_dlmeval_torch_cpu}, another LibTorch's library: set Caffe2_DIR to the Caffe2 folder beside Torch_DIR")
endif()
# The programs find LibTorch's shared objects where they were linked from (CMake's build RPATH),
# and those find their NVIDIA libraries through their own RPATH.

# Every translation unit that includes LibTorch spends most of its ~20 s of compile time parsing
# torch/torch.h; one precompiled header per target pays that once.
option(DLMEVAL_TORCH_PCH "Precompile torch/torch.h for the targets that include LibTorch" ON)
function(dlmeval_torch_pch target)
  if(DLMEVAL_TORCH_PCH)
    target_precompile_headers(${target} PRIVATE <torch/torch.h>)
  endif()
endfunction()
