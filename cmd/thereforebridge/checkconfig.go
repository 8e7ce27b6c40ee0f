package main

import (
	"fmt"
	"io"

	"github.com/thereforebridge/thereforebridge/bridge/config"
	"github.com/thereforebridge/thereforebridge/bridge/identity"
	"github.com/thereforebridge/thereforebridge/bridge/vendorkit"
	"github.com/thereforebridge/thereforebridge/bridge/vendors"
)

const checkConfigSynopsis = `usage: thereforebridge check-config [flags] [FILE]

Validates the YAML config FILE as serve would load it (including secrets
from the environment and files, and every vendor's settings) and prints
the endpoint and, per operation, the vendors a call goes to. Without FILE it
checks the embedded demo config.
`

const checkConfigFooter = `exit status: 0 when the config is valid, 1 when it is not (the error names
file:line:field), 2 for a wrong command line.`

func checkConfig(args []string, stdout, stderr io.Writer) int {
	fs := newCmdFlags("check-config", checkConfigSynopsis, stdout, stderr)
	fs.footer = checkConfigFooter
	path, code, ok := parseFileCommand(fs, args)
	if !ok {
		return code
	}
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	set, err := vendors.Build(cfg, vendorkit.Deps{Directory: identity.FromConfig(cfg.Identity)})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	defer set.Close()
	targets := set.Targets
	fmt.Fprintf(stdout, "%s: ok\nendpoint http://%s%s\n", cfg.Source, cfg.Listen, cfg.Endpoint)
	for _, op := range []string{"SaveOutOfOfficeInfoForUser", "SavePortalUser"} {
		fmt.Fprintf(stdout, "%s ->", op)
		for _, t := range targets {
			if len(t.Operations) == 0 || t.Operations[op] {
				kind := "required"
				if !t.Required {
					kind = "best-effort"
				}
				fmt.Fprintf(stdout, " %s (%s)", t.Vendor.Name(), kind)
			}
		}
		fmt.Fprintln(stdout)
	}
	return exitOK
}
