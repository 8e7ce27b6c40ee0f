package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// faultInjector is an in-process vendor fake that takes faults over HTTP
// (fakekit.Faults).
type faultInjector interface{ ControlHandler() http.Handler }

// vendorFault serves /debug/vendors/<name>/fault for an in-process fake:
// the same fault API as `thereforebridge fakes` (README: Vendor fakes).
func (s *state) vendorFault(c echo.Context) error {
	name := c.Param("name")
	if f, ok := s.debug[name].(faultInjector); ok {
		f.ControlHandler().ServeHTTP(c.Response(), c.Request())
		return nil
	}
	return c.String(http.StatusNotFound, "no in-process vendor fake named "+name+"\n")
}
