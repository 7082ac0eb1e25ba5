// Command stackone-provider-pprof is the provider exactly as main.go serves
// it, plus profiling, for finding where a real terraform run spends the
// provider's CPU and memory (the in-process benchmarks do not go through
// gRPC and go-plugin). Build it under the provider's name and point a
// dev_overrides CLI config at it:
//
//	go build -o DIR/terraform-provider-stackone ./internal/bench/cmd/stackone-provider-pprof
//	STACKONE_BENCH_PPROF_DIR=/tmp/prof terraform plan
//
// Each provider process writes cpu-PID.pprof (the whole process) and
// heap-PID.pprof (taken at the highest heap in use seen, sampled every
// 100 ms) and memstats-PID.txt (one line of runtime.MemStats per sample)
// into that directory. Without the variable it only serves.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/stackonehq/terraform-provider-stackone/internal/provider"
)

func main() {
	provider.QuietSDKLogs()
	stop := startProfiling(os.Getenv("STACKONE_BENCH_PPROF_DIR"))
	err := tf6server.Serve("registry.terraform.io/stackonehq/stackone", provider.ProtocolServer(provider.New("pprof")))
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

func startProfiling(dir string) (stop func()) {
	if dir == "" {
		return func() {}
	}
	pid := os.Getpid()
	cpu, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", pid)))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var peak uint64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			metrics.Read(sample)
			line := fmt.Sprintf("%s HeapInuse=%d HeapAlloc=%d LiveAfterLastGC=%d Sys=%d NumGC=%d Goroutines=%d\n",
				time.Now().Format("15:04:05.000"), ms.HeapInuse, ms.HeapAlloc, sample[0].Value.Uint64(), ms.Sys, ms.NumGC, runtime.NumGoroutine())
			if f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("memstats-%d.txt", pid)), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
				_, _ = f.WriteString(line)
				f.Close()
			}
			if ms.HeapInuse > peak+peak/10 {
				peak = ms.HeapInuse
				writeHeap(filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", pid)))
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		// What is still reachable once every RPC is over: a leak if large.
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("final-%d.txt", pid)),
			[]byte(fmt.Sprintf("after a forced GC at exit: HeapAlloc=%d HeapInuse=%d Goroutines=%d\n", ms.HeapAlloc, ms.HeapInuse, runtime.NumGoroutine())), 0o600)
		writeHeap(filepath.Join(dir, fmt.Sprintf("heap-final-%d.pprof", pid)))
		pprof.StopCPUProfile()
		cpu.Close()
	}
}

func writeHeap(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}
