/* The read-only limits file of one container (contract with the device plugin).
 *
 * Path: HAMI_VGPU_LIMITS_PATH, bind-mounted read-only by the device plugin.
 * Format: UTF-8 text, one `key=value` per line, `#` comments, unknown keys
 * ignored (forward compatible). Keys (see docs/isolation.md):
 *   version=1
 *   shared_region=/usr/local/vgpu/<id>.cache   accounting file of the container
 *   core_policy=default|force|disable           GPU_CORE_UTILIZATION_POLICY
 *   priority=<int>                              CUDA_TASK_PRIORITY (0 = high)
 *   context_overhead_bytes=<n>                  charged per CUDA context
 *   device.<i>.uuid=GPU-...                     container-local device i
 *   device.<i>.memory_limit_bytes=<n>           0 = unlimited
 *   device.<i>.sm_limit_percent=<n>             0 or 100 = unlimited
 * When the file is absent, HAMi's variables (CUDA_DEVICE_MEMORY_LIMIT_<i>,
 * CUDA_DEVICE_SM_LIMIT, CUDA_DEVICE_MEMORY_SHARED_CACHE, ...) are used.
 */
#ifndef HAMI_VGPU_LIMITS_H_
#define HAMI_VGPU_LIMITS_H_

#define HAMI_VGPU_LIMITS_PATH "/etc/hami/vgpu/limits.conf"

#endif /* HAMI_VGPU_LIMITS_H_ */
