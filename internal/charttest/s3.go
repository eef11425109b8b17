package charttest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3 is gofakes3 with an in-memory backend on loopback, and an AWS SDK
// client for it that records the requests it sends.
type S3 struct {
	// URL is the endpoint; objects are at URL/<bucket>/<key> (path
	// style), readable without credentials, as a public bucket's are.
	URL    string
	Client *awss3.Client

	mu       sync.Mutex
	requests []Request
}

// Request is one request the client sent.
type Request struct {
	Method, Path string
	Header       http.Header
}

// Test credentials of the fake S3.
const (
	S3AccessKey = "AKIATSUMIKITEST"
	S3SecretKey = "tsumiki-test-secret-key-1234"
)

// NewS3 starts the fake S3 with an empty bucket.
func NewS3(t testing.TB, bucket string) *S3 {
	t.Helper()
	backend := s3mem.New()
	faker := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	srv := httptest.NewServer(faker.Server())
	t.Cleanup(srv.Close)
	s := &S3{URL: srv.URL}
	s.Client = awss3.New(awss3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(S3AccessKey, S3SecretKey, ""),
		HTTPClient:   &http.Client{Transport: recorder{s, http.DefaultTransport}},
	})
	if _, err := s.Client.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	s.Reset()
	return s
}

// Requests returns the requests sent since the last Reset.
func (s *S3) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Reset forgets the requests sent so far.
func (s *S3) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

type recorder struct {
	s    *S3
	next http.RoundTripper
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.s.mu.Lock()
	r.s.requests = append(r.s.requests, Request{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone()})
	r.s.mu.Unlock()
	return r.next.RoundTrip(req)
}
