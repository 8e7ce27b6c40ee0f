module github.com/thereforebridge/thereforebridge

go 1.26.8

tool github.com/hooklift/gowsdl/cmd/gowsdl

require (
	github.com/beevik/etree v1.8.1
	github.com/hooklift/gowsdl v0.5.1-0.20240801015259-2a06cec86c50
	github.com/labstack/echo/v4 v4.16.0
	golang.org/x/text v0.40.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/labstack/gommon v0.5.0 // indirect
	github.com/mattn/go-colorable v0.1.15 // indirect
	github.com/mattn/go-isatty v0.0.22 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	github.com/valyala/fasttemplate v1.2.2 // indirect
	golang.org/x/crypto v0.53.0 // indirect
	golang.org/x/net v0.56.0 // indirect
	golang.org/x/sys v0.46.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)
