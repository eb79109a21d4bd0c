package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
)

// podWatcher lists and watches the pods bound to one node with raw requests
// and encoding/json decoding, so it works with any API server that speaks
// the JSON wire format (including lenient test doubles that omit apiVersion
// on lists). onPod is called for every added/modified pod, onDelete for
// deleted ones, always from the watcher's goroutine.
type podWatcher struct {
	cs       kubernetes.Interface
	nodeName string
	onPod    func(*corev1.Pod)
	onDelete func(*corev1.Pod)
}

var verbose = os.Getenv("FAKEKUBELET_VERBOSE") != ""

type rawEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

func (w *podWatcher) run(ctx context.Context) {
	for ctx.Err() == nil {
		rv, err := w.list(ctx)
		if err == nil {
			err = w.watch(ctx, rv)
		}
		if err != nil && ctx.Err() == nil {
			logf("pod watch: %v (re-listing)", err)
			time.Sleep(200 * time.Millisecond)
		}
	}
}

func (w *podWatcher) selector() string { return "spec.nodeName=" + w.nodeName }

func (w *podWatcher) list(ctx context.Context) (string, error) {
	raw, err := w.cs.CoreV1().RESTClient().Get().AbsPath("/api/v1/pods").
		Param("fieldSelector", w.selector()).DoRaw(ctx)
	if err != nil {
		return "", err
	}
	var list corev1.PodList
	if err := json.Unmarshal(raw, &list); err != nil {
		return "", fmt.Errorf("decode pod list: %w", err)
	}
	for i := range list.Items {
		w.onPod(&list.Items[i])
	}
	return list.ResourceVersion, nil
}

func (w *podWatcher) watch(ctx context.Context, rv string) error {
	q := url.Values{}
	q.Set("watch", "true")
	q.Set("fieldSelector", w.selector())
	q.Set("resourceVersion", rv)
	q.Set("allowWatchBookmarks", "true")
	q.Set("timeoutSeconds", "300")
	req := w.cs.CoreV1().RESTClient().Get().AbsPath("/api/v1/pods")
	for k, v := range q {
		req = req.Param(k, v[0])
	}
	stream, err := req.Timeout(0).Stream(ctx)
	if err != nil {
		return err
	}
	defer stream.Close()
	sc := bufio.NewScanner(stream)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev rawEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return fmt.Errorf("decode watch event: %w", err)
		}
		if verbose {
			logf("watch event %s", ev.Type)
		}
		switch ev.Type {
		case "ADDED", "MODIFIED", "DELETED":
			var pod corev1.Pod
			if err := json.Unmarshal(ev.Object, &pod); err != nil {
				return fmt.Errorf("decode pod: %w", err)
			}
			if ev.Type == "DELETED" {
				w.onDelete(&pod)
			} else {
				w.onPod(&pod)
			}
		case "BOOKMARK":
		case "ERROR":
			return fmt.Errorf("watch error: %s", string(ev.Object))
		}
	}
	return sc.Err()
}
