package command

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/index"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/provenance"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/push/chartmuseum"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/push/oci"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/push/s3"
)

// pushFlags are the flags of `tsumiki chart push`.
type pushFlags struct {
	username, tokenFile    string
	passwordStdin          bool
	plainHTTP, force       bool
	url, generated         string
	endpoint, region       string
	pathStyle, noCondition bool
	invalidateURL          string
}

func chartPush(p cli.Process) *cobra.Command {
	var fl pushFlags
	cmd := &cobra.Command{
		Use:   "push REPOSITORY PACKAGE...",
		Short: "Push packages to an OCI registry, S3, ChartMuseum or GitLab",
		Long: `Push packages, with the .prov next to each when there is one, to REPOSITORY:

  oci://REGISTRY/NAMESPACE    an OCI registry (ECR, GitLab, Harbor, …), as helm push
                              does: the same manifest and digest, HTTPS unless
                              --plain-http. Credentials: --username and the password
                              on standard input (--password-stdin) or in
                              TSUMIKI_CHART_PASSWORD; they are used for this push
                              alone, no credential file is read or written.
  s3://BUCKET/PREFIX          a static chart repository in S3-compatible storage:
                              the published index.yaml is read from the bucket and
                              merged (see tsumiki chart index; --url for absolute
                              download URLs), packages and .prov files are uploaded
                              (those already there skipped), then the index, only if
                              it is still the one read. Credentials and region: the
                              AWS SDK's (AWS_* variables, profiles, web identity).
                              --invalidate-url is POSTed the changed paths as JSON,
                              {"paths": [...]}, with TSUMIKI_INVALIDATE_TOKEN as a
                              bearer token, for a CDN to purge.
  https://HOST/API/V4/projects/ID/packages/helm/CHANNEL
                              a GitLab project's Helm registry, the URL helm repo add
                              takes. Token: --token-file, else GITLAB_TOKEN, else
                              CI_JOB_TOKEN (the project's own registry, user
                              gitlab-ci-token); deploy tokens need --username.
  https://HOST[/TENANT]       a ChartMuseum repository, as helm cm-push does; basic
                              auth with --username and the password as above.

A version that is already published with the same digest is left alone; one
published with another digest fails the push.`,
		Example: `  aws ecr get-login-password | tsumiki chart push oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts .packages/*.tgz --username AWS --password-stdin
  tsumiki chart push s3://my-charts/stable .packages/*.tgz --url https://charts.example.com/stable
  tsumiki chart push "$CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/helm/stable" .packages/*.tgz`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			repo := args[0]
			var secrets []string
			defer func() { err = cli.Masked(err, secrets...) }()
			password := func() (string, error) {
				pw := p.Env("TSUMIKI_CHART_PASSWORD")
				if fl.passwordStdin {
					var readErr error
					if pw, readErr = readPasswordStdin(p.Stdin); readErr != nil {
						return "", readErr
					}
				}
				secrets = append(secrets, pw)
				return pw, nil
			}
			var push func(context.Context, []*archive.Archive, [][]byte) error
			switch {
			case strings.HasPrefix(repo, oci.Scheme):
				push = func(ctx context.Context, pkgs []*archive.Archive, provs [][]byte) error {
					pw, err := password()
					if err != nil {
						return err
					}
					return pushOCI(ctx, p, repo, pkgs, provs, oci.Options{Username: fl.username, Password: pw, PlainHTTP: fl.plainHTTP, Force: fl.force})
				}
			case strings.HasPrefix(repo, "s3://"):
				push = func(ctx context.Context, pkgs []*archive.Archive, provs [][]byte) error {
					token := p.Env("TSUMIKI_INVALIDATE_TOKEN")
					secrets = append(secrets, token)
					return pushS3(ctx, p, repo, pkgs, provs, fl, token)
				}
			case strings.HasPrefix(repo, "https://") || strings.HasPrefix(repo, "http://"):
				push = func(ctx context.Context, pkgs []*archive.Archive, provs [][]byte) error {
					opts, err := chartRepoTarget(p, repo, fl, password)
					secrets = append(secrets, opts.Password)
					if err != nil {
						return err
					}
					return pushChartRepo(ctx, p, pkgs, provs, opts)
				}
			default:
				return cli.Usagef("repository %q: want oci://…, s3://… or https://…", repo)
			}
			pkgs, provs, err := openPackages(args[1:])
			if err != nil {
				return err
			}
			return push(cmd.Context(), pkgs, provs)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.username, "username", "u", "", "user name for the registry or repository (default: TSUMIKI_CHART_USERNAME)")
	f.BoolVar(&fl.passwordStdin, "password-stdin", false, "read the password or token from standard input (default: TSUMIKI_CHART_PASSWORD)")
	f.StringVar(&fl.tokenFile, "token-file", "", "GitLab: `file` holding the token (default: GITLAB_TOKEN, else CI_JOB_TOKEN)")
	f.BoolVar(&fl.plainHTTP, "plain-http", false, "OCI: speak plain HTTP to the registry")
	f.BoolVar(&fl.force, "force", false, "OCI: replace a tag that holds another manifest")
	f.StringVar(&fl.url, "url", "", "S3: the repository's public `URL`, for absolute download URLs in index.yaml")
	f.StringVar(&fl.generated, "generated", "", "S3: the index's generated `time` (default: SOURCE_DATE_EPOCH, CI_COMMIT_TIMESTAMP or the last commit)")
	f.StringVar(&fl.endpoint, "endpoint", "", "S3: `URL` of an S3-compatible service (default: AWS, or AWS_ENDPOINT_URL_S3)")
	f.StringVar(&fl.region, "region", "", "S3: the bucket's region (default: AWS_REGION or the AWS profile's)")
	f.BoolVar(&fl.pathStyle, "path-style", false, "S3: address the bucket in the path, not the host name")
	f.BoolVar(&fl.noCondition, "no-conditional-put", false, "S3: write the index without checking it is still the one read (for stores without conditional writes)")
	f.StringVar(&fl.invalidateURL, "invalidate-url", "", "S3: `URL` to POST the changed paths to, for a CDN to purge")
	cmd.PreRunE = func(*cobra.Command, []string) error {
		if fl.username == "" {
			fl.username = p.Env("TSUMIKI_CHART_USERNAME")
		}
		return nil
	}
	return cmd
}

func pushOCI(ctx context.Context, p cli.Process, repo string, pkgs []*archive.Archive, provs [][]byte, opts oci.Options) error {
	opts.Repository = repo
	for i, a := range pkgs {
		res, err := oci.Push(ctx, a, provs[i], opts)
		if errors.Is(err, oci.ErrRepository) {
			return cli.Usage(err)
		}
		if err != nil {
			return err
		}
		verb := "pushed"
		if !res.Pushed {
			verb = "published already:"
		}
		fmt.Fprintf(p.Stdout, "%s oci://%s %s\n", verb, res.Ref, res.Digest)
	}
	return nil
}

// s3Attempts bounds how often a push re-reads an index that changed
// under it.
const s3Attempts = 3

func pushS3(ctx context.Context, p cli.Process, repo string, pkgs []*archive.Archive, provs [][]byte, fl pushFlags, token string) error {
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(repo, "s3://"), "/")
	if bucket == "" {
		return cli.Usagef("repository %q: want s3://BUCKET[/PREFIX]", repo)
	}
	client, err := s3Client(ctx, p, fl)
	if err != nil {
		return err
	}
	gen, err := sourceTime(p, "generated", fl.generated, ".")
	if err != nil {
		return err
	}
	b := s3.Bucket{Client: client, Name: bucket, Prefix: strings.Trim(prefix, "/")}
	var files []s3.File
	for i, a := range pkgs {
		files = append(files, s3.File{Name: a.FileName(), Data: a.Data})
		if provs[i] != nil {
			files = append(files, s3.File{Name: a.FileName() + provenance.Extension, Data: provs[i]})
		}
	}
	opts := s3.Options{Unconditional: fl.noCondition}
	if fl.invalidateURL != "" {
		opts.Hook = &s3.Hook{URL: fl.invalidateURL, Token: token}
	}
	for attempt := 1; ; attempt++ {
		read, err := b.ReadIndex(ctx)
		if err != nil {
			return err
		}
		merged, err := index.Merge(read.Data, pkgs, index.Options{URL: fl.url, Generated: gen})
		if err != nil {
			return err
		}
		var newIndex []byte
		if merged.Changed {
			newIndex = merged.Index
		}
		res, err := b.Publish(ctx, files, read, newIndex, opts)
		if res != nil {
			for _, k := range res.Uploaded {
				fmt.Fprintf(p.Stdout, "uploaded s3://%s/%s\n", bucket, k)
			}
			for _, k := range res.Unchanged {
				fmt.Fprintf(p.Stdout, "unchanged s3://%s/%s\n", bucket, k)
			}
			if len(res.Invalidated) > 0 {
				fmt.Fprintf(p.Stdout, "invalidated %d paths\n", len(res.Invalidated))
			}
		}
		if errors.Is(err, s3.ErrIndexMoved) && attempt < s3Attempts {
			fmt.Fprintf(p.Stderr, "the index changed while merging; merging again (attempt %d of %d)\n", attempt+1, s3Attempts)
			continue
		}
		return err
	}
}

func s3Client(ctx context.Context, p cli.Process, fl pushFlags) (*awss3.Client, error) {
	var loaders []func(*awsconfig.LoadOptions) error
	region := fl.region
	if region == "" {
		region = p.Env("AWS_REGION", "AWS_DEFAULT_REGION")
	}
	if region == "" && fl.endpoint != "" {
		region = "us-east-1" // what S3-compatible services expect when they do not care
	}
	if region != "" {
		loaders = append(loaders, awsconfig.WithRegion(region))
	}
	if id := p.Env("AWS_ACCESS_KEY_ID"); id != "" {
		loaders = append(loaders, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id, p.Env("AWS_SECRET_ACCESS_KEY"), p.Env("AWS_SESSION_TOKEN"))))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		if fl.endpoint != "" {
			o.BaseEndpoint = aws.String(fl.endpoint)
		}
		o.UsePathStyle = fl.pathStyle
	}), nil
}

// gitlabHelmURL matches the URL of a GitLab project's Helm channel.
var gitlabHelmURL = regexp.MustCompile(`^(https?://.+/api/v4)/projects/([^/]+)/packages/helm/([^/]+)/?$`)

// chartRepoTarget is the upload target and credentials for an https
// repository: GitLab's Helm registry or ChartMuseum.
func chartRepoTarget(p cli.Process, repo string, fl pushFlags, password func() (string, error)) (chartmuseum.Options, error) {
	if m := gitlabHelmURL.FindStringSubmatch(repo); m != nil {
		project, err := url.PathUnescape(m[2])
		if err != nil {
			return chartmuseum.Options{}, cli.Usagef("repository %q: %v", repo, err)
		}
		target, err := chartmuseum.GitLab(m[1], project, m[3])
		if err != nil {
			return chartmuseum.Options{}, cli.Usage(err)
		}
		opts := chartmuseum.Options{Target: target, Username: fl.username}
		switch {
		case fl.passwordStdin:
			opts.Password, err = password()
		default:
			opts.Password, err = secretFrom(p, "token-file", fl.tokenFile, "GITLAB_TOKEN")
		}
		if err != nil {
			return opts, err
		}
		if opts.Password == "" {
			if opts.Password = p.Env("CI_JOB_TOKEN"); opts.Password != "" && opts.Username == "" {
				opts.Username = "gitlab-ci-token"
			}
		}
		if opts.Password == "" {
			return opts, cli.Usagef("no GitLab token: set GITLAB_TOKEN, pass --token-file, or run in a GitLab CI job (CI_JOB_TOKEN)")
		}
		if opts.Username == "" {
			opts.Username = p.Env("GITLAB_USER_LOGIN")
		}
		if opts.Username == "" {
			opts.Username = "oauth2"
		}
		return opts, nil
	}
	target, err := chartmuseum.ChartMuseum(repo)
	if err != nil {
		return chartmuseum.Options{}, cli.Usage(err)
	}
	pw, err := password()
	return chartmuseum.Options{Target: target, Username: fl.username, Password: pw}, err
}

func pushChartRepo(ctx context.Context, p cli.Process, pkgs []*archive.Archive, provs [][]byte, opts chartmuseum.Options) error {
	for i, a := range pkgs {
		res, err := chartmuseum.Push(ctx, a, provs[i], opts)
		if err != nil {
			return err
		}
		if res.ProvSkipped {
			fmt.Fprintf(p.Stderr, "warning: %s: GitLab's Helm registry keeps no provenance files; %s%s not uploaded\n", a.FileName(), a.FileName(), provenance.Extension)
		}
		if res.Uploaded {
			fmt.Fprintf(p.Stdout, "uploaded %s %s to %s\n", a.Metadata.Name, a.Metadata.Version, opts.Target.RepoURL())
		} else {
			fmt.Fprintf(p.Stdout, "published already: %s %s in %s\n", a.Metadata.Name, a.Metadata.Version, opts.Target.RepoURL())
		}
	}
	return nil
}
