// goclient: a gRPC health client built from Debian's grpc-go, doing what
// grpc_health_probe does (Dial, then grpc.health.v1.Health/Check with a
// deadline, plaintext). The benchmark's Go peer, and an independent client
// for the test servers' self-test.
//
//	goclient -addr HOST:PORT|unix:PATH [-service NAME] [-connect-timeout D]
//	         [-rpc-timeout D] [-rpc-header 'name: value']...
//
// Prints "status: STATUS" and exits 0 when SERVING; otherwise the exit codes
// of grpc_health_probe: 1 bad arguments, 2 connection failed, 3 the call
// failed (the gRPC code is printed), 4 the status is not SERVING.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

func fail(code int, format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "error: "+format+"\n", a...)
	os.Exit(code)
}

func main() {
	var hdrs headers
	addr := flag.String("addr", "", "HOST:PORT or unix:PATH of the server (required)")
	service := flag.String("service", "", "service name to check (empty: the server as a whole)")
	connTO := flag.Duration("connect-timeout", time.Second, "time to connect")
	rpcTO := flag.Duration("rpc-timeout", time.Second, "time for the Check call")
	flag.Var(&hdrs, "rpc-header", "metadata 'name: value' sent with the call (repeatable)")
	flag.CommandLine.SetOutput(os.Stderr)
	flag.Parse()
	if *addr == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(1)
	}
	md := metadata.MD{}
	for _, h := range hdrs {
		i := strings.IndexByte(h, ':')
		if i <= 0 {
			fail(1, "-rpc-header wants 'name: value': %q", h)
		}
		md.Append(strings.TrimSpace(h[:i]), strings.TrimSpace(h[i+1:]))
	}

	opts := []grpc.DialOption{grpc.WithInsecure(), grpc.WithBlock()}
	target := *addr
	if strings.HasPrefix(target, "unix:") {
		path := target[5:]
		target = "passthrough:///unix"
		opts = append(opts, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}))
	}
	start := time.Now()
	dctx, cancel := context.WithTimeout(context.Background(), *connTO)
	conn, err := grpc.DialContext(dctx, target, opts...)
	cancel()
	if err != nil {
		fail(2, "connection to %s failed after %v: %v", *addr, time.Since(start).Round(time.Millisecond), err)
	}
	defer conn.Close()

	rctx, rcancel := context.WithTimeout(metadata.NewOutgoingContext(context.Background(), md), *rpcTO)
	defer rcancel()
	resp, err := healthpb.NewHealthClient(conn).Check(rctx, &healthpb.HealthCheckRequest{Service: *service})
	if err != nil {
		s := status.Convert(err)
		conn.Close()
		fail(3, "health rpc failed: %s: %s", s.Code(), s.Message())
	}
	st := resp.GetStatus()
	fmt.Printf("status: %s\n", st)
	if st != healthpb.HealthCheckResponse_SERVING {
		conn.Close()
		os.Exit(4)
	}
}
