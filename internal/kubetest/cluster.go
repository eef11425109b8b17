package kubetest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// EnvVar is the variable that turns the end-to-end tests on: set to 1,
// Start runs them; otherwise they are skipped.
const EnvVar = "TSUMIKI_E2E"

// Enabled reports whether the end-to-end tests are asked for.
func Enabled() bool { return os.Getenv(EnvVar) == "1" }

// FluxNamespace is where the controllers look for their own objects, and
// where Flux's objects conventionally live.
const FluxNamespace = "flux-system"

// Options configures a cluster.
type Options struct {
	// Flux starts source-controller, kustomize-controller and
	// helm-controller, after installing their CRDs and the flux-system
	// namespace.
	Flux bool
	// FluxCRDs installs Flux's CRDs and the flux-system namespace without
	// starting the controllers: enough to check manifests of Flux objects
	// with a dry run.
	FluxCRDs bool
	// Cache is where the components were installed; CacheDir() if empty.
	Cache string
	// StartTimeout bounds the start of each program; 60s if zero.
	StartTimeout time.Duration
}

// Cluster is a running control plane: etcd, kube-apiserver and, if asked
// for, the Flux controllers, all on loopback.
type Cluster struct {
	// Kubeconfig is the path of a kubeconfig with admin rights; the
	// controllers use it too.
	Kubeconfig string
	// Dir holds the cluster's files: keys, kubeconfig, data, logs.
	Dir string

	config  *rest.Config
	dynamic dynamic.Interface
	client  kubernetes.Interface
	mapper  *restmapper.DeferredDiscoveryRESTMapper
	procs   []*process
}

// Start starts a cluster for the test and stops it when the test ends. It
// skips the test unless TSUMIKI_E2E=1, and fails it when the components
// are not installed (`make e2e-tools`) or do not start.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if !Enabled() {
		t.Skipf("end-to-end test: set %s=1 to run it (`make e2e`)", EnvVar)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range c.procs {
				t.Logf("%s log (last lines):\n%s", p.name, lastLines(p.log(), 30))
			}
		}
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	return c
}

// New starts a cluster. Stop it with Stop; on error nothing is left
// running.
func New(ctx context.Context, opts Options) (c *Cluster, err error) {
	if opts.Cache == "" {
		if opts.Cache, err = CacheDir(); err != nil {
			return nil, err
		}
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 60 * time.Second
	}
	need := []Component{Etcd, KubeAPIServer}
	if opts.Flux || opts.FluxCRDs {
		need = append(need, SourceController, KustomizeController, HelmController)
	}
	bins := map[string]string{}
	for _, comp := range need {
		bin, err := comp.Binary(opts.Cache)
		if err != nil {
			return nil, err
		}
		bins[comp.Name] = bin
	}

	dir, err := os.MkdirTemp("", "kubetest-")
	if err != nil {
		return nil, err
	}
	c = &Cluster{Dir: dir}
	defer func() {
		if err != nil {
			if stopErr := c.Stop(); stopErr != nil {
				err = errors.Join(err, stopErr)
			}
			c = nil
		}
	}()

	keys, err := newPKI(dir)
	if err != nil {
		return c, fmt.Errorf("keys: %w", err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return c, err
	}
	etcdURL := "http://127.0.0.1:" + ports[0]
	peerURL := "http://127.0.0.1:" + ports[1]
	etcd, err := c.run(bins["etcd"], nil,
		"--name=kubetest", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=kubetest="+peerURL,
		"--unsafe-no-fsync", "--log-level=warn")
	if err != nil {
		return c, err
	}
	if err := etcd.waitHTTP(ctx, http.DefaultClient, etcdURL+"/health", opts.StartTimeout); err != nil {
		return c, err
	}

	apiURL := "https://127.0.0.1:" + ports[2]
	api, err := c.run(bins["kube-apiserver"], nil,
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+ports[2],
		"--cert-dir="+filepath.Join(dir, "apiserver-certs"),
		"--tls-cert-file="+keys.serverCert, "--tls-private-key-file="+keys.serverKey,
		"--client-ca-file="+keys.caCert,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+keys.saPub, "--service-account-signing-key-file="+keys.saKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		// Nothing here runs pods or controllers that would need them.
		"--enable-priority-and-fairness=false")
	if err != nil {
		return c, err
	}
	if err := c.connect(apiURL, keys); err != nil {
		return c, err
	}
	tlsClient, err := c.httpClient(keys)
	if err != nil {
		return c, err
	}
	if err := api.waitHTTP(ctx, tlsClient, apiURL+"/readyz", opts.StartTimeout); err != nil {
		return c, err
	}
	if opts.Flux || opts.FluxCRDs {
		if err := c.installFluxCRDs(ctx, opts); err != nil {
			return c, err
		}
	}
	if opts.Flux {
		if err := c.startFlux(ctx, opts, bins); err != nil {
			return c, err
		}
	}
	return c, nil
}

// connect writes the kubeconfig and makes the clients.
func (c *Cluster) connect(apiURL string, keys *pki) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kubetest"] = &clientcmdapi.Cluster{Server: apiURL, CertificateAuthorityData: keys.caPEM}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: keys.clientCertPEM, ClientKeyData: keys.clientKeyPEM}
	cfg.Contexts["kubetest"] = &clientcmdapi.Context{Cluster: "kubetest", AuthInfo: "admin"}
	cfg.CurrentContext = "kubetest"
	c.Kubeconfig = filepath.Join(c.Dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, c.Kubeconfig); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	rc, err := clientcmd.NewDefaultClientConfig(*cfg, nil).ClientConfig()
	if err != nil {
		return fmt.Errorf("client config: %w", err)
	}
	rc.QPS, rc.Burst = 100, 200
	c.config = rc
	if c.dynamic, err = dynamic.NewForConfig(rc); err != nil {
		return err
	}
	if c.client, err = kubernetes.NewForConfig(rc); err != nil {
		return err
	}
	disco, err := discovery.NewDiscoveryClientForConfig(rc)
	if err != nil {
		return err
	}
	c.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
	return nil
}

func (c *Cluster) httpClient(keys *pki) (*http.Client, error) {
	cert, err := tls.X509KeyPair(keys.clientCertPEM, keys.clientKeyPEM)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(keys.caPEM)
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	}}, nil
}

// RESTConfig returns a client configuration with admin rights.
func (c *Cluster) RESTConfig() *rest.Config { return rest.CopyConfig(c.config) }

// Dynamic returns a dynamic client with admin rights.
func (c *Cluster) Dynamic() dynamic.Interface { return c.dynamic }

// Client returns a typed client with admin rights.
func (c *Cluster) Client() kubernetes.Interface { return c.client }

// CreateNamespace creates a namespace; one that exists is no error.
func (c *Cluster) CreateNamespace(ctx context.Context, name string) error {
	_, err := c.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return nil
}

// Stop stops every program, last started first, and removes the
// cluster's directory. It is safe to call more than once.
func (c *Cluster) Stop() error {
	var errs []error
	for i := len(c.procs) - 1; i >= 0; i-- {
		if err := c.procs[i].stop(); err != nil {
			errs = append(errs, err)
		}
	}
	c.procs = nil
	if c.Dir != "" {
		if err := os.RemoveAll(c.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Log returns what the named program (etcd, kube-apiserver,
// source-controller, …) has written so far.
func (c *Cluster) Log(name string) string {
	for _, p := range c.procs {
		if p.name == name {
			return p.log()
		}
	}
	return ""
}

// process is a started program, its output going to a file.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error // set when done is closed
}

func (c *Cluster) run(bin string, env []string, args ...string) (*process, error) {
	name := filepath.Base(bin)
	logPath := filepath.Join(c.Dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Dir = c.Dir
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	c.procs = append(c.procs, p)
	return p, nil
}

func (p *process) log() string {
	data, _ := os.ReadFile(p.logPath)
	return string(data)
}

// stop asks the program to exit and kills it if it has not within a few
// seconds.
func (p *process) stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("kill %s: %w", p.name, err)
		}
		<-p.done
	}
	return nil
}

// waitHTTP polls url until it answers 200, the program exits, or timeout.
func (p *process) waitHTTP(ctx context.Context, client *http.Client, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last string
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited (%v) before %s answered: %s", p.name, p.err, url, lastLines(p.log(), 20))
		case <-ctx.Done():
			return fmt.Errorf("%s: %s did not answer 200 within %s (last: %s): %s", p.name, url, timeout, last, lastLines(p.log(), 20))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freePorts returns n loopback ports that were free a moment ago. The
// programs cannot report a port they chose themselves.
func freePorts(n int) ([]string, error) {
	var ports []string
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	return ports, nil
}
