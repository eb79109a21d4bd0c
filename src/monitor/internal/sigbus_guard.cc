#include "monitor/internal/sigbus_guard.h"

#include <csetjmp>
#include <csignal>
#include <cstring>
#include <mutex>

namespace hami::monitor::internal {
namespace {

thread_local sigjmp_buf* tls_jump = nullptr;
struct sigaction previous_action;

void OnSigbus(int sig, siginfo_t* info, void* context) {
  if (tls_jump != nullptr) siglongjmp(*tls_jump, 1);
  // Not ours: hand over to whoever was installed before.
  if (previous_action.sa_flags & SA_SIGINFO) {
    if (previous_action.sa_sigaction != nullptr) {
      previous_action.sa_sigaction(sig, info, context);
      return;
    }
  } else if (previous_action.sa_handler != SIG_IGN && previous_action.sa_handler != SIG_DFL &&
             previous_action.sa_handler != nullptr) {
    previous_action.sa_handler(sig);
    return;
  }
  signal(SIGBUS, SIG_DFL);
  raise(SIGBUS);
}

void Install() {
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_sigaction = OnSigbus;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, &previous_action);
}

}  // namespace

bool RunGuarded(void (*fn)(void* arg), void* arg) {
  static std::once_flag once;
  std::call_once(once, Install);
  sigjmp_buf jump;
  if (sigsetjmp(jump, 1) != 0) {
    tls_jump = nullptr;
    return false;
  }
  tls_jump = &jump;
  fn(arg);
  tls_jump = nullptr;
  return true;
}

}  // namespace hami::monitor::internal
