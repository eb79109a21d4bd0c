// Fuzzes kubeconfig loading (YAML, base64 data fields, contexts, file
// references): never crash, never throw, never hang on what a path names. The
// input is served from an in-memory file.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "k8s/client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = memfd_create("kubeconfig", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (write(fd, data, size) == static_cast<ssize_t>(size)) {
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    (void)hami::k8s::LoadKubeconfig(path);
    (void)hami::k8s::LoadKubeconfig(path, "a");
  }
  close(fd);
  return 0;
}
