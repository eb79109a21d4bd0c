// libFuzzer target: ParseRegion over a region-sized buffer whose header,
// first slots, tail fields and extension header come from the fuzz input
// (regions are ~2 MB, far above the fuzzer's input size).
#include <cstdint>
#include <cstring>
#include <vector>

#include "monitor/internal/layout.h"
#include "monitor/region.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace L = hami::monitor::layout;
  if (size < 2) return 0;
  // First byte picks the file size: v0, v1, v1+extension, or a cut.
  static std::vector<uint8_t> buf(L::Ext::kEnd);
  const size_t sizes[] = {L::V0::kSize, L::V1::kSize, L::Ext::kEnd, L::V0::kSize + data[1] * 997u};
  const size_t file_size = sizes[data[0] % 4];
  std::memset(buf.data(), 0, buf.size());
  data += 2;
  size -= 2;
  // Spread the input over the regions a parse reads.
  const size_t targets[] = {0, L::V1::kProcs, L::V1::kProcNum, L::V0::kProcNum, L::Ext::kOffset};
  size_t used = 0;
  for (size_t t : targets) {
    size_t n = std::min<size_t>(size - used, 1024);
    if (t + n > buf.size()) n = buf.size() - t;
    std::memcpy(buf.data() + t, data + used, n);
    used += n;
    if (used >= size) break;
  }
  hami::monitor::RegionError error;
  (void)hami::monitor::ParseRegion(std::span<const uint8_t>(buf.data(), file_size), &error);
  return 0;
}
