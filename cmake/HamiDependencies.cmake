# Third-party dependencies, all from Debian packages installed by scripts/setup.sh
# (see docs/architecture.md for why each was chosen).
find_package(Threads REQUIRED)
find_package(GTest REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(benchmark REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++)
pkg_check_modules(PROTOBUF REQUIRED IMPORTED_TARGET protobuf)
find_program(HAMI_PROTOC protoc REQUIRED)
find_program(HAMI_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

# CUDA driver API and NVML headers (no toolkit needed): unpacked from NVIDIA's
# pinned PyPI wheels by scripts/setup.sh into HAMI_CUDA_HEADERS.
set(HAMI_CUDA_HEADERS "$ENV{HOME}/.cache/hami/cuda-headers" CACHE PATH
    "Folder holding cuda.h, cudaTypedefs.h and nvml.h")
if(NOT EXISTS "${HAMI_CUDA_HEADERS}/cuda.h" OR NOT EXISTS "${HAMI_CUDA_HEADERS}/nvml.h")
  message(FATAL_ERROR "cuda.h/nvml.h not found in ${HAMI_CUDA_HEADERS}; run scripts/setup.sh")
endif()
add_library(hami_cuda_headers INTERFACE)
target_include_directories(hami_cuda_headers SYSTEM INTERFACE ${HAMI_CUDA_HEADERS})
