module github.com/thereforebridge/thereforebridge

go 1.26.8

tool github.com/hooklift/gowsdl/cmd/gowsdl

require (
	github.com/beevik/etree v1.8.1
	github.com/hooklift/gowsdl v0.5.1-0.20240801015259-2a06cec86c50
)

require github.com/stretchr/testify v1.11.1 // indirect
