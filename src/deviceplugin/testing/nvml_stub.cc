// A minimal libnvidia-ml stand-in for nvml_dlopen_test: two GPUs with fixed
// properties; GPU 1's memory query fails while env HAMI_NVML_STUB_FAIL_GPU1
// is set (a GPU that stops answering). Tests only; the full simulated NVML
// for the playground lives in tests/fakes.
#include <nvml.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {
struct StubGpu {
  const char* uuid;
  const char* name;
  unsigned long long memory;
  unsigned int numa;
  const char* bus;
};
const StubGpu kGpus[] = {
    {"GPU-stub-0", "NVIDIA H100 80GB HBM3", 80ULL << 30, 0, "00000000:07:00.0"},
    {"GPU-stub-1", "Tesla V100-PCIE-32GB", 32ULL << 30, 1, "00000000:87:00.0"},
};
const StubGpu* Get(nvmlDevice_t d) { return reinterpret_cast<const StubGpu*>(d); }
}  // namespace

extern "C" {
nvmlReturn_t nvmlInit_v2() { return NVML_SUCCESS; }
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* n) {
  *n = 2;
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t* d) {
  if (i >= 2) return NVML_ERROR_INVALID_ARGUMENT;
  *d = reinterpret_cast<nvmlDevice_t>(const_cast<StubGpu*>(&kGpus[i]));
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char* buf, unsigned int len) {
  std::snprintf(buf, len, "%s", Get(d)->uuid);
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char* buf, unsigned int len) {
  std::snprintf(buf, len, "%s", Get(d)->name);
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t* m) {
  if (Get(d) == &kGpus[1] && std::getenv("HAMI_NVML_STUB_FAIL_GPU1") != nullptr) return NVML_ERROR_GPU_IS_LOST;
  m->total = Get(d)->memory;
  m->free = m->total;
  m->used = 0;
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t* p) {
  std::memset(p, 0, sizeof(*p));
  std::snprintf(p->busId, sizeof(p->busId), "%s", Get(d)->bus);
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetNumaNodeId(nvmlDevice_t d, unsigned int* n) {
  *n = Get(d)->numa;
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlSystemGetDriverVersion(char* buf, unsigned int len) {
  std::snprintf(buf, len, "550.54.15");
  return NVML_SUCCESS;
}
}
