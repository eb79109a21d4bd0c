#include "deviceplugin/server.h"

#include <unistd.h>

#include <chrono>

#include "common/log.h"

namespace hami::deviceplugin {
namespace {

grpc::Status ToGrpc(const Status& s) {
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  switch (s.code()) {
    case StatusCode::kInvalidArgument: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case StatusCode::kNotFound: code = grpc::StatusCode::NOT_FOUND; break;
    case StatusCode::kFailedPrecondition: code = grpc::StatusCode::FAILED_PRECONDITION; break;
    case StatusCode::kUnavailable: code = grpc::StatusCode::UNAVAILABLE; break;
    case StatusCode::kDeadlineExceeded: code = grpc::StatusCode::DEADLINE_EXCEEDED; break;
    case StatusCode::kInternal: code = grpc::StatusCode::INTERNAL; break;
    default: break;
  }
  return grpc::Status(code, s.message());
}

}  // namespace

class PluginServer::Service final : public v1beta1::DevicePlugin::Service {
 public:
  Service(AllocateHandler* allocator, const ServerOptions& options)
      : allocator_(allocator), options_(options) {}

  grpc::Status GetDevicePluginOptions(grpc::ServerContext*, const v1beta1::Empty*,
                                      v1beta1::DevicePluginOptions* out) override {
    out->set_pre_start_required(false);
    out->set_get_preferred_allocation_available(true);
    return grpc::Status::OK;
  }

  grpc::Status ListAndWatch(grpc::ServerContext* ctx, const v1beta1::Empty*,
                            grpc::ServerWriter<v1beta1::ListAndWatchResponse>* writer) override {
    uint64_t sent = 0;
    log::Debug("deviceplugin", "ListAndWatch opened");
    std::unique_lock lock(mu_);
    while (!stopping_ && !ctx->IsCancelled()) {
      if (sent != version_) {
        v1beta1::ListAndWatchResponse msg = BuildMessage();
        sent = version_;
        lock.unlock();
        bool ok = writer->Write(msg);
        lock.lock();
        if (!ok) break;
        continue;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(500));
    }
    log::Debug("deviceplugin", "ListAndWatch closed", {{"stopping", stopping_ ? "true" : "false"}});
    return grpc::Status::OK;
  }

  grpc::Status GetPreferredAllocation(grpc::ServerContext*, const v1beta1::PreferredAllocationRequest* req,
                                      v1beta1::PreferredAllocationResponse* out) override {
    auto r = allocator_->GetPreferredAllocation(*req);
    if (!r.ok()) return ToGrpc(r.status());
    *out = std::move(r).value();
    return grpc::Status::OK;
  }

  grpc::Status Allocate(grpc::ServerContext*, const v1beta1::AllocateRequest* req,
                        v1beta1::AllocateResponse* out) override {
    auto r = allocator_->Allocate(*req);
    if (!r.ok()) return ToGrpc(r.status());
    *out = std::move(r).value();
    return grpc::Status::OK;
  }

  grpc::Status PreStartContainer(grpc::ServerContext*, const v1beta1::PreStartContainerRequest*,
                                 v1beta1::PreStartContainerResponse*) override {
    return grpc::Status::OK;
  }

  void SetDevices(std::vector<Replica> devices) {
    {
      std::lock_guard lock(mu_);
      devices_ = std::move(devices);
      ++version_;
    }
    cv_.notify_all();
  }

  void SetStopping(bool stopping) {
    {
      std::lock_guard lock(mu_);
      stopping_ = stopping;
    }
    cv_.notify_all();
  }

 private:
  v1beta1::ListAndWatchResponse BuildMessage() const {
    v1beta1::ListAndWatchResponse msg;
    for (const Replica& r : devices_) {
      v1beta1::Device* d = msg.add_devices();
      d->set_id(r.id);
      d->set_health(r.healthy ? "Healthy" : "Unhealthy");
      if (options_.numa_topology) d->mutable_topology()->add_nodes()->set_id(r.numa_node);
    }
    return msg;
  }

  AllocateHandler* allocator_;
  const ServerOptions& options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Replica> devices_;
  uint64_t version_ = 1;  // the first stream message is the (maybe empty) list
  bool stopping_ = false;
};

PluginServer::PluginServer(AllocateHandler* allocator, ServerOptions options)
    : allocator_(allocator), options_(std::move(options)),
      service_(std::make_unique<Service>(allocator_, options_)) {}

PluginServer::~PluginServer() { Stop(); }

std::string PluginServer::socket_path() const { return options_.plugin_dir + "/" + options_.socket_name; }
std::string PluginServer::kubelet_socket_path() const { return options_.plugin_dir + "/kubelet.sock"; }
bool PluginServer::running() const { return server_ != nullptr; }

Status PluginServer::Start() {
  Stop();
  ::unlink(socket_path().c_str());
  service_->SetStopping(false);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix://" + socket_path(), grpc::InsecureServerCredentials());
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr) return UnavailableError("cannot serve on " + socket_path());
  log::Info("deviceplugin", "serving device plugin", {{"socket", socket_path()}});
  return OkStatus();
}

Status PluginServer::Register() {
  auto channel = grpc::CreateChannel("unix://" + kubelet_socket_path(), grpc::InsecureChannelCredentials());
  auto stub = v1beta1::Registration::NewStub(channel);
  v1beta1::RegisterRequest req;
  req.set_version("v1beta1");
  req.set_endpoint(options_.socket_name);
  req.set_resource_name(options_.resource_name);
  req.mutable_options()->set_get_preferred_allocation_available(options_.preferred_allocation);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
  ctx.set_wait_for_ready(true);
  v1beta1::Empty resp;
  grpc::Status s = stub->Register(&ctx, req, &resp);
  if (!s.ok()) {
    return UnavailableError("register with kubelet at " + kubelet_socket_path() + ": " + s.error_message());
  }
  log::Info("deviceplugin", "registered with kubelet", {{"resource", options_.resource_name}});
  return OkStatus();
}

void PluginServer::Stop() {
  if (server_ == nullptr) return;
  service_->SetStopping(true);
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server_->Wait();
  server_.reset();
  ::unlink(socket_path().c_str());
}

void PluginServer::SetDevices(std::vector<Replica> devices) { service_->SetDevices(std::move(devices)); }

}  // namespace hami::deviceplugin
