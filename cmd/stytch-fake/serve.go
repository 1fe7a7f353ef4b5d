package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/b2bauth/stytch-b2b-go/b2b/b2btest"
)

type config struct {
	addr   string
	tls    bool
	caFile string
	seed   string
	strict bool
	hosts  string
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("stytch-fake", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free one)")
	fs.BoolVar(&c.tls, "tls", false, "serve HTTPS with a generated certificate; its CA is written to -ca-file")
	fs.StringVar(&c.caFile, "ca-file", filepath.Join(os.TempDir(), "stytch-fake-ca.pem"), "`path` where -tls writes the CA certificate (PEM)")
	fs.StringVar(&c.seed, "seed", "", "JSON or YAML `file` of organizations and members to start with")
	fs.StringVar(&c.hosts, "cert-hosts", "", "comma-separated extra `names` the -tls certificate is valid for (e.g. a compose service name)")
	fs.BoolVar(&c.strict, "strict", false, "answer unknown organizations, members, tokens and sessions with the API's 404s")
	if err := fs.Parse(args); err != nil {
		return c, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(out, "stytch-fake: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return c, errUsage
	}
	return c, nil
}

// Bounds of every request.
const (
	readTimeout     = 10 * time.Second // headers and body
	writeTimeout    = 6 * time.Minute  // the answer: above the longest scripted delay (5 minutes)
	idleTimeout     = time.Minute
	maxHeaderBytes  = 64 << 10
	shutdownTimeout = 5 * time.Second
)

func serve(ctx context.Context, c config, out io.Writer, started ready) error {
	var opts []b2btest.Option
	if c.seed != "" {
		seedOpts, err := loadSeed(c.seed)
		if err != nil {
			return err
		}
		opts = append(opts, seedOpts...)
	}
	if c.strict {
		opts = append(opts, b2btest.Strict())
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if c.tls {
		scheme = "https"
	}
	// A wildcard address (0.0.0.0, ::) is where the fake listens, not where a client connects:
	// the URL names the loopback address instead, which the certificate covers.
	addr := ln.Addr().String()
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	url := scheme + "://" + addr
	fake, err := b2btest.NewHandler(url, opts...)
	if err != nil {
		_ = ln.Close() // nothing was served; err is the one to report
		return err
	}
	defer fake.Close()
	srv := &http.Server{
		Handler:           fake,
		ReadHeaderTimeout: readTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	if c.tls {
		cfg, err := tlsConfig(ln.Addr(), c.caFile, c.hosts)
		if err != nil {
			_ = ln.Close() // nothing was served; err is the one to report
			return err
		}
		srv.TLSConfig = cfg
		ln = tls.NewListener(ln, cfg)
	}
	fmt.Fprintf(out, "stytch-fake: serving %s\n", url)
	if c.tls {
		fmt.Fprintf(out, "stytch-fake: CA certificate %s (for Node: NODE_EXTRA_CA_CERTS=%s)\n", c.caFile, c.caFile)
	}
	if started != nil {
		started <- url
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(out, "stytch-fake: shutting down")
	fake.Close() // end scripted delays at once
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close() // the grace period is over: cut what is left; Serve's error is the one returned
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// tlsConfig makes a CA and a server certificate it signs, valid for the listening address,
// localhost, 127.0.0.1 and ::1, and writes the CA certificate to caFile.
func tlsConfig(addr net.Addr, caFile, extraHosts string) (*tls.Config, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "stytch-fake test CA", Organization: []string{"b2btest"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(0, 0, 30),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano() + 1),
		Subject:      pkix.Name{CommonName: "stytch-fake"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(0, 0, 30),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsUnspecified() {
		leaf.IPAddresses = append(leaf.IPAddresses, tcp.IP)
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		leaf.DNSNames = append(leaf.DNSNames, host)
	}
	for _, h := range strings.Split(extraHosts, ",") {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		if ip := net.ParseIP(h); ip != nil {
			leaf.IPAddresses = append(leaf.IPAddresses, ip)
		} else {
			leaf.DNSNames = append(leaf.DNSNames, h)
		}
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	pemCA := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if err := os.WriteFile(caFile, pemCA, 0o644); err != nil { //nolint:gosec // G306: a CA certificate is public; clients' processes read it
		return nil, fmt.Errorf("writing the CA certificate: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER, caDER}, PrivateKey: key}},
	}, nil
}
