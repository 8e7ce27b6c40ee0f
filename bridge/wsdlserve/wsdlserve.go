// Package wsdlserve serves the WSDL with its soap:address and
// soap12:address locations rewritten to the URL the client used, so a
// client generated from `?wsdl` calls back where it fetched the contract
// (behind a proxy too, when forwarded headers are trusted).
package wsdlserve

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/beevik/etree"
)

// maxCached bounds the per-address cache; Host headers are client input.
const maxCached = 64

// Server renders the WSDL for a base URL.
type Server struct {
	doc          *etree.Document
	trustForward bool

	mu    sync.Mutex
	cache map[string][]byte
}

// New parses the WSDL once.
func New(wsdl []byte, trustForwardedHeaders bool) (*Server, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(wsdl); err != nil {
		return nil, fmt.Errorf("wsdlserve: the WSDL does not parse: %w", err)
	}
	if len(addresses(doc)) == 0 {
		return nil, fmt.Errorf("wsdlserve: the WSDL has no soap:address or soap12:address")
	}
	return &Server{doc: doc, trustForward: trustForwardedHeaders, cache: map[string][]byte{}}, nil
}

// Use replaces the document served (the upstream's, once fetched).
func (s *Server) Use(doc *etree.Document) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.doc = doc
	clear(s.cache)
}

// addresses finds the address elements by namespace, not prefix.
func addresses(doc *etree.Document) []*etree.Element {
	var out []*etree.Element
	for _, port := range doc.FindElements("//[local-name()='port']") {
		for _, a := range port.ChildElements() {
			if a.Tag != "address" {
				continue
			}
			switch a.NamespaceURI() {
			case "http://schemas.xmlsoap.org/wsdl/soap/", "http://schemas.xmlsoap.org/wsdl/soap12/":
				out = append(out, a)
			}
		}
	}
	return out
}

// EndpointURL is the absolute URL of the endpoint as the client addressed it.
func (s *Server) EndpointURL(r *http.Request, endpoint string) string {
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.trustForward {
		if p := firstValue(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" {
			host = h
		}
	}
	if host == "" || strings.ContainsAny(host, "/\\ \"<>") {
		host = "localhost"
	}
	return scheme + "://" + host + endpoint
}

func firstValue(s string) string {
	s, _, _ = strings.Cut(s, ",")
	return strings.TrimSpace(s)
}

// Render returns the WSDL with every address set to location.
func (s *Server) Render(location string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.cache[location]; ok {
		return b, nil
	}
	doc := s.doc.Copy()
	for _, a := range addresses(doc) {
		a.CreateAttr("location", location)
	}
	b, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	if len(s.cache) >= maxCached {
		clear(s.cache)
	}
	s.cache[location] = b
	return b, nil
}
