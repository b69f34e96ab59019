//go:build tools

// Package istio pins istio.io/api so that its CRD YAML can be read from the module cache.
package istio

import _ "istio.io/api/security/v1"
