package fake

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specYAML is grommunio's admin API description (API 1.20.0), copied
// unchanged from ../shared/reference/grommunio-admin-api-openapi.yaml and
// embedded so that the fake validates the same way in tests and in the
// shipped binary's demo.
//
//go:embed openapi.yaml
var specYAML []byte

// spec is the loaded document and its router, built once per process:
// loading and validating 6,000 lines of YAML is the costly part of New.
var spec = sync.OnceValues(func() (routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(specYAML)
	if err != nil {
		return nil, fmt.Errorf("grommunio fake: loading openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("grommunio fake: openapi.yaml is not a valid OpenAPI 3.0 document: %w", err)
	}
	typeFormBodies(doc)
	// The document's only server is the relative "/api/v1"; gorillamux
	// matches it as a path prefix on any host, which is what a fake
	// listening on 127.0.0.1:<port> needs.
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("grommunio fake: routing openapi.yaml: %w", err)
	}
	return r, nil
})

// typeFormBodies works around the one part of the document kin-openapi
// cannot use: the schema of POST /login's form body lists the properties
// user and pass but has no `type: object`, and openapi3filter's
// urlencoded decoder refuses a body schema that is not typed object
// ("unsupported schema of request body"). A schema with properties and no
// type accepts the same forms as one typed object (properties apply to
// objects only, and a form is always one), so the fake types it in memory
// and leaves openapi.yaml a byte-for-byte copy of grommunio's.
func typeFormBodies(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/x-www-form-urlencoded")
			if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
				continue
			}
			if s := mt.Schema.Value; s.Type == nil && len(s.Properties) > 0 {
				s.Type = &openapi3.Types{openapi3.TypeObject}
			}
		}
	}
}

// authError is the fake's answer to a request that fails the JWTCookie
// security requirement or the CSRF check.
type authError struct {
	status int
	body   map[string]string
}

func (e *authError) Error() string { return e.body["message"] }

// requestInput prepares r (whose body is body) for openapi3filter, which
// checks security first, as grommunio's @secure decorator does, then
// parameters and body; auth decides the security requirement.
func requestInput(route *routers.Route, vars map[string]string, r *http.Request, body []byte,
	auth openapi3filter.AuthenticationFunc) *openapi3filter.RequestValidationInput {
	r.Body = io.NopCloser(bytes.NewReader(body))
	return &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: vars,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: auth,
			// Keep the body as the client sent it: the fake stores what
			// it received, never the document's defaults.
			SkipSettingDefaults: true,
			MultiError:          true,
		},
	}
}

// requestErrors lists what an openapi3filter error says, one short line
// per problem (where, and why; not the schema), for the "errors" member
// of a 400.
func requestErrors(err error) []string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []string
		for _, e := range me {
			out = append(out, requestErrors(e)...)
		}
		return out
	}
	var re *openapi3filter.RequestError
	var se *openapi3.SchemaError
	switch {
	case errors.As(err, &se):
		where := "request body"
		if errors.As(err, &re) && re.Parameter != nil {
			where = fmt.Sprintf("parameter %q in %s", re.Parameter.Name, re.Parameter.In)
		}
		if p := se.JSONPointer(); len(p) > 0 {
			where += " /" + strings.Join(p, "/")
		}
		return []string{where + ": " + se.Reason}
	}
	return []string{err.Error()}
}
