// grpc-go health server for the healthcheck tests.
//
// The stock health service of grpc-go (google.golang.org/grpc/health) on a
// plaintext HTTP/2 listener, or TLS with --tls-cert and --tls-key; the
// command line is the one every test server shares (see tests/grpc/README.md):
//
//	goserver [--listen ADDR] [--status NAME=STATUS]... [--no-health] [--slow MS]
//	         [--tls-cert FILE --tls-key FILE]
//
// stdout: the bound port (0 on a unix socket) on the first line, then one
// JSON line per health call received, and one answer line (ok, or
// error: ...) per command read from stdin. The server exits at EOF on stdin.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
)

var (
	outMu  sync.Mutex
	slowMS int64 // read and written atomically: the `slow` command changes it
)

// say writes one whole line to stdout; lines never interleave.
func say(line string) {
	outMu.Lock()
	os.Stdout.WriteString(line + "\n")
	outMu.Unlock()
}

func usage(msg string) {
	fmt.Fprintln(os.Stderr, "goserver: "+msg)
	fmt.Fprintln(os.Stderr, "usage: goserver [--listen ADDR] [--status NAME=STATUS]... [--no-health] [--slow MS] [--tls-cert FILE --tls-key FILE]")
	os.Exit(64)
}

func parseStatus(s string) (healthpb.HealthCheckResponse_ServingStatus, bool) {
	switch s {
	case "SERVING":
		return healthpb.HealthCheckResponse_SERVING, true
	case "NOT_SERVING":
		return healthpb.HealthCheckResponse_NOT_SERVING, true
	case "UNKNOWN":
		return healthpb.HealthCheckResponse_UNKNOWN, true
	}
	return 0, false
}

// report prints what one call brought: its metadata and the time left.
func report(ctx context.Context, call, service string) {
	md, _ := metadata.FromIncomingContext(ctx)
	m := map[string][]string{}
	for k, vs := range md {
		out := []string{}
		for _, v := range vs {
			if strings.HasSuffix(k, "-bin") {
				v = base64.StdEncoding.EncodeToString([]byte(v))
			}
			out = append(out, v)
		}
		m[k] = out
	}
	rec := map[string]interface{}{"call": call, "service": service, "metadata": m, "deadline_ms": nil}
	if d, ok := ctx.Deadline(); ok {
		rec["deadline_ms"] = time.Until(d).Milliseconds()
	}
	b, _ := json.Marshal(rec)
	say(string(b))
}

func unary(ctx context.Context, req interface{}, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (interface{}, error) {
	if r, ok := req.(*healthpb.HealthCheckRequest); ok {
		report(ctx, "Check", r.Service)
		if ms := atomic.LoadInt64(&slowMS); ms > 0 {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
	}
	return h(ctx, req)
}

// watchStream reports a Watch call when its one request arrives.
type watchStream struct{ grpc.ServerStream }

func (w watchStream) RecvMsg(m interface{}) error {
	err := w.ServerStream.RecvMsg(m)
	if r, ok := m.(*healthpb.HealthCheckRequest); ok && err == nil {
		report(w.Context(), "Watch", r.Service)
	}
	return err
}

func stream(srv interface{}, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	return h(srv, watchStream{ss})
}

func listen(addr string) (net.Listener, int) {
	if strings.HasPrefix(addr, "unix:") {
		l, err := net.Listen("unix", addr[5:])
		if err != nil {
			fmt.Fprintln(os.Stderr, "goserver:", err)
			os.Exit(1)
		}
		return l, 0
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goserver:", err)
		os.Exit(1)
	}
	return l, l.Addr().(*net.TCPAddr).Port
}

// command runs one stdin line and returns its answer line.
func command(hs *health.Server, line string) string {
	f := strings.Fields(line)
	switch {
	case len(f) == 2 && f[0] == "set", len(f) == 3 && f[0] == "set":
		name, st := "", f[len(f)-1]
		if len(f) == 3 && f[1] != `""` {
			name = f[1]
		}
		s, ok := parseStatus(st)
		if !ok {
			return "error: bad status " + st
		}
		if hs == nil {
			return "error: no health service"
		}
		hs.SetServingStatus(name, s)
		return "ok"
	case len(f) == 2 && f[0] == "slow":
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || n < 0 {
			return "error: bad delay " + f[1]
		}
		atomic.StoreInt64(&slowMS, n)
		return "ok"
	}
	return "error: unknown command"
}

func main() {
	addr := "127.0.0.1:0"
	certFile, keyFile := "", ""
	noHealth := false
	statuses := map[string]healthpb.HealthCheckResponse_ServingStatus{}
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--no-health" {
			noHealth = true
			continue
		}
		if i+1 >= len(args) {
			usage("unknown or incomplete option " + a)
		}
		v := args[i+1]
		i++
		switch a {
		case "--listen":
			addr = v
		case "--tls-cert":
			certFile = v
		case "--tls-key":
			keyFile = v
		case "--slow":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				usage("bad --slow " + v)
			}
			slowMS = n
		case "--status":
			eq := strings.IndexByte(v, '=')
			if eq < 0 {
				usage("--status wants NAME=STATUS")
			}
			s, ok := parseStatus(v[eq+1:])
			if !ok {
				usage("bad status " + v[eq+1:])
			}
			statuses[v[:eq]] = s
		default:
			usage("unknown option " + a)
		}
	}
	if (certFile == "") != (keyFile == "") {
		usage("--tls-cert and --tls-key go together")
	}
	opts := []grpc.ServerOption{grpc.UnaryInterceptor(unary), grpc.StreamInterceptor(stream)}
	if certFile != "" {
		c, err := credentials.NewServerTLSFromFile(certFile, keyFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "goserver:", err)
			os.Exit(1)
		}
		opts = append(opts, grpc.Creds(c))
	}
	l, port := listen(addr)
	srv := grpc.NewServer(opts...)
	var hs *health.Server
	if !noHealth {
		hs = health.NewServer() // "" starts SERVING
		names := []string{}
		for n := range statuses {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			hs.SetServingStatus(n, statuses[n])
		}
		healthpb.RegisterHealthServer(srv, hs)
	}
	go srv.Serve(l)
	say(strconv.Itoa(port))
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		say(command(hs, in.Text()))
	}
	srv.Stop()
	if port == 0 {
		os.Remove(addr[5:])
	}
}
