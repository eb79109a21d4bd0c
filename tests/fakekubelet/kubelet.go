package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"k8s.io/apimachinery/pkg/types"
	pluginapi "k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1"
)

type config struct {
	kubeconfig         string
	nodeName           string
	pluginDir          string
	podsCapacity       int
	envAnnotation      string
	standaloneAllocate string
	standaloneWait     time.Duration
	resourceName       string
	plainHTTP          bool
}

// plugin is one registered device plugin endpoint.
type plugin struct {
	resource string
	options  *pluginapi.DevicePluginOptions
	conn     *grpc.ClientConn
	client   pluginapi.DevicePluginClient
}

type kubelet struct {
	pluginapi.UnimplementedRegistrationServer
	cfg    config
	server *grpc.Server

	mu        sync.Mutex
	cond      *sync.Cond
	plugins   map[string]*plugin
	devices   map[string][]*pluginapi.Device // resource -> latest ListAndWatch list
	version   int                            // bumped on every device/plugin change
	allocated map[string]string              // device ID -> pod key
	admitted  map[string]bool                // pod UIDs already admitted
	// pod UIDs admitted whose outcome (env annotation, Running or Failed status) is not
	// written yet: the write is retried, the admission is not redone (node.go)
	owed map[string]statusWrite
	// pod UIDs whose graceful termination is running (terminate.go)
	terminating map[types.UID]bool
}

func newKubelet(cfg config) (*kubelet, error) {
	if err := os.MkdirAll(cfg.pluginDir, 0o755); err != nil {
		return nil, err
	}
	k := &kubelet{cfg: cfg, plugins: map[string]*plugin{}, devices: map[string][]*pluginapi.Device{},
		allocated: map[string]string{}, admitted: map[string]bool{}, terminating: map[types.UID]bool{},
		owed: map[string]statusWrite{}}
	k.cond = sync.NewCond(&k.mu)
	return k, nil
}

// startRegistration cleans the plugin directory like kubelet does and serves
// Registration on kubelet.sock.
func (k *kubelet) startRegistration() error {
	entries, _ := os.ReadDir(k.cfg.pluginDir)
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sock") {
			os.Remove(filepath.Join(k.cfg.pluginDir, e.Name()))
		}
	}
	sock := filepath.Join(k.cfg.pluginDir, "kubelet.sock")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("listen %s: %w", sock, err)
	}
	k.server = grpc.NewServer()
	pluginapi.RegisterRegistrationServer(k.server, k)
	go k.server.Serve(lis)
	log.Printf("serving Registration on %s", sock)
	return nil
}

func (k *kubelet) stop() {
	if k.server != nil {
		k.server.Stop()
	}
	os.Remove(filepath.Join(k.cfg.pluginDir, "kubelet.sock"))
}

// Register is called by a device plugin; like kubelet it dials the endpoint,
// asks for the options and only then returns.
func (k *kubelet) Register(ctx context.Context, req *pluginapi.RegisterRequest) (*pluginapi.Empty, error) {
	if req.Version != pluginapi.Version {
		return nil, fmt.Errorf("unsupported version %q", req.Version)
	}
	if !strings.Contains(req.ResourceName, "/") || strings.HasPrefix(req.ResourceName, "kubernetes.io/") {
		return nil, fmt.Errorf("invalid extended resource name %q", req.ResourceName)
	}
	endpoint := filepath.Join(k.cfg.pluginDir, req.Endpoint)
	conn, err := grpc.NewClient("unix://"+endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithAuthority("localhost"))
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", endpoint, err)
	}
	client := pluginapi.NewDevicePluginClient(conn)
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	opts, err := client.GetDevicePluginOptions(octx, &pluginapi.Empty{}, grpc.WaitForReady(true))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("GetDevicePluginOptions: %w", err)
	}
	p := &plugin{resource: req.ResourceName, options: opts, conn: conn, client: client}
	k.mu.Lock()
	if old := k.plugins[req.ResourceName]; old != nil {
		old.conn.Close()
	}
	k.plugins[req.ResourceName] = p
	k.version++
	k.cond.Broadcast()
	k.mu.Unlock()
	log.Printf("plugin registered: resource=%s endpoint=%s preferred=%v", req.ResourceName, req.Endpoint,
		opts.GetPreferredAllocationAvailable)
	go k.listAndWatch(p)
	return &pluginapi.Empty{}, nil
}

func (k *kubelet) listAndWatch(p *plugin) {
	stream, err := p.client.ListAndWatch(context.Background(), &pluginapi.Empty{})
	if err != nil {
		log.Printf("ListAndWatch %s: %v", p.resource, err)
		return
	}
	for {
		resp, err := stream.Recv()
		k.mu.Lock()
		current := k.plugins[p.resource] == p
		if err != nil {
			if current {
				// Disconnected plugin: its devices become unhealthy.
				for _, d := range k.devices[p.resource] {
					d.Health = pluginapi.Unhealthy
				}
				k.version++
				k.cond.Broadcast()
			}
			k.mu.Unlock()
			log.Printf("ListAndWatch %s ended: %v", p.resource, err)
			return
		}
		if current {
			k.devices[p.resource] = resp.Devices
			k.version++
			k.cond.Broadcast()
		}
		k.mu.Unlock()
		log.Printf("ListAndWatch %s: %d devices", p.resource, len(resp.Devices))
	}
}

// counts returns (capacity, allocatable) of a resource.
func (k *kubelet) counts(resource string) (int, int) {
	total, healthy := 0, 0
	for _, d := range k.devices[resource] {
		total++
		if d.Health == pluginapi.Healthy {
			healthy++
		}
	}
	return total, healthy
}

// waitFor blocks until pred() holds (called with k.mu held) or the deadline.
func (k *kubelet) waitFor(ctx context.Context, d time.Duration, pred func() bool) bool {
	deadline := time.Now().Add(d)
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				k.mu.Lock()
				k.cond.Broadcast()
				k.mu.Unlock()
			}
		}
	}()
	k.mu.Lock()
	defer k.mu.Unlock()
	for !pred() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		k.cond.Wait()
	}
	return true
}

// allocate asks the plugin for one container's devices: picks `n` healthy,
// unallocated devices (the plugin's preference first), then calls Allocate.
func (k *kubelet) allocate(ctx context.Context, resource, podKey string, n int) (*pluginapi.ContainerAllocateResponse, []string, error) {
	k.mu.Lock()
	p := k.plugins[resource]
	var available []string
	for _, d := range k.devices[resource] {
		if d.Health == pluginapi.Healthy && k.allocated[d.ID] == "" {
			available = append(available, d.ID)
		}
	}
	k.mu.Unlock()
	if p == nil {
		return nil, nil, fmt.Errorf("no device plugin for %s", resource)
	}
	if len(available) < n {
		return nil, nil, fmt.Errorf("requested %d %s, available %d", n, resource, len(available))
	}
	sort.Strings(available)
	chosen := available[:n]
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if p.options.GetPreferredAllocationAvailable {
		pref, err := p.client.GetPreferredAllocation(cctx, &pluginapi.PreferredAllocationRequest{
			ContainerRequests: []*pluginapi.ContainerPreferredAllocationRequest{{
				AvailableDeviceIDs: available, AllocationSize: int32(n)}}})
		if err == nil && len(pref.ContainerResponses) == 1 && len(pref.ContainerResponses[0].DeviceIDs) == n {
			chosen = pref.ContainerResponses[0].DeviceIDs
		} else if err != nil {
			log.Printf("GetPreferredAllocation for %s: %v (using default choice)", podKey, err)
		}
	}
	resp, err := p.client.Allocate(cctx, &pluginapi.AllocateRequest{
		ContainerRequests: []*pluginapi.ContainerAllocateRequest{{DevicesIds: chosen}}})
	if err != nil {
		return nil, nil, err
	}
	if len(resp.ContainerResponses) != 1 {
		return nil, nil, fmt.Errorf("Allocate returned %d container responses, want 1", len(resp.ContainerResponses))
	}
	k.mu.Lock()
	for _, id := range chosen {
		k.allocated[id] = podKey
	}
	k.mu.Unlock()
	return resp.ContainerResponses[0], chosen, nil
}

func (k *kubelet) release(podKey string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for id, owner := range k.allocated {
		if owner == podKey {
			delete(k.allocated, id)
		}
	}
}

// runStandalone: wait for a plugin and devices, optionally Allocate once, and
// print {"devices":[...],"allocate":{...}} as JSON on stdout.
func (k *kubelet) runStandalone(ctx context.Context) error {
	resource := k.cfg.resourceName
	ok := k.waitFor(ctx, k.cfg.standaloneWait, func() bool {
		return k.plugins[resource] != nil && len(k.devices[resource]) > 0
	})
	if !ok {
		return fmt.Errorf("no plugin with devices for %s within %s", resource, k.cfg.standaloneWait)
	}
	out := map[string]any{}
	k.mu.Lock()
	out["devices"] = k.devices[resource]
	out["options"] = k.plugins[resource].options
	k.mu.Unlock()
	if k.cfg.standaloneAllocate != "" {
		p := k.plugins[resource]
		ids := strings.Split(k.cfg.standaloneAllocate, ",")
		resp, err := p.client.Allocate(ctx, &pluginapi.AllocateRequest{
			ContainerRequests: []*pluginapi.ContainerAllocateRequest{{DevicesIds: ids}}})
		if err != nil {
			out["allocateError"] = err.Error()
		} else {
			out["allocate"] = resp
		}
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
