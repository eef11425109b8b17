// Package chart is the home of tsumiki's Helm chart publishing, one job per
// package beneath it:
//
//   - synthchart turns a directory of synthesized manifests into a chart;
//   - archive packages a chart directory into a byte-reproducible .tgz and
//     reads packages back;
//   - index merges packages into a repository's index.yaml;
//   - provenance signs packages and verifies .prov files;
//   - push/oci, push/s3 and push/chartmuseum publish packages to an OCI
//     registry, to S3-compatible object storage as a static chart
//     repository, and to a ChartMuseum-compatible API (GitLab's Helm
//     registry among them).
//
// None of it is linked into a repository's cmd/synth: only the tsumiki
// command imports these packages.
package chart
